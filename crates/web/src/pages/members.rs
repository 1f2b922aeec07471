//! A consortium's membership for the coordinators who run it: forming one on their agency's
//! page; then who is in, what removing each would do to its selling, the shops nearby that
//! could join (or those a name finds), and who changed the membership when. Admitting and
//! removing are one button each.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use golmok_accounts::Role;
use golmok_catalog::ConsortiumStatus;
use golmok_catalog::membership::MembershipDesk;
use golmok_core::DomainError;
use serde::Deserialize;

use super::{Chrome, NoFields, encode, render, see_other};
use crate::Pages;
use crate::error::PageError;
use crate::format;
use crate::i18n::Texts;
use crate::session::{CsrfForm, Visitor};

/// Forming a consortium, on a regional agency's page, as typed and refused.
pub struct FormingForm {
    pub action: String,
    /// The agency's districts (every district for the metropolitan agency).
    pub districts: Vec<String>,
    pub networks: Vec<NetworkChoice>,
    pub name: String,
    pub district: String,
    pub network: String,
    pub errors: BTreeMap<&'static str, &'static str>,
}

/// A co-delivery network a consortium may choose: named with the districts its area reaches.
pub struct NetworkChoice {
    pub id: String,
    pub label: String,
    pub districts: Vec<&'static str>,
}

/// The networks to offer a consortium: those reaching `district` (every one when none is
/// known yet), and `keep` (the one it has) whatever it reaches.
async fn network_choices(
    pages: &Pages,
    district: Option<&str>,
    keep: Option<&str>,
) -> Result<Vec<NetworkChoice>, PageError> {
    Ok(golmok_delivery_routing::network::list_networks(&pages.db)
        .await?
        .into_iter()
        .map(|n| {
            let districts = golmok_delivery_routing::area::districts_reached(&n.area);
            NetworkChoice {
                label: format!("{} ({})", n.name, districts.join("·")),
                id: n.id,
                districts,
            }
        })
        .filter(|n| {
            district.is_none_or(|d| n.districts.contains(&d)) || keep == Some(n.id.as_str())
        })
        .collect())
}

/// The empty form for those who run agency `agency_id`; none for those who only read it.
pub(super) async fn forming_form(
    pages: &Pages,
    account: &golmok_accounts::Account,
    agency_id: &str,
) -> Result<Option<FormingForm>, PageError> {
    use golmok_programme::access::{Standing, in_agency};
    if in_agency(&pages.db, account, agency_id).await? != Some(Standing::Edits) {
        return Ok(None);
    }
    let agency = golmok_catalog::agency::get_agency(&pages.db, agency_id).await?;
    let districts = if agency.districts.is_empty() {
        golmok_catalog::district::SEOUL
            .iter()
            .map(|d| d.name.to_owned())
            .collect()
    } else {
        agency.districts
    };
    let networks = network_choices(pages, None, None).await?;
    Ok(Some(FormingForm {
        action: format!("/programme/agencies/{}/consortia", encode(agency_id)),
        district: districts.first().cloned().unwrap_or_default(),
        districts,
        networks,
        name: String::new(),
        network: String::new(),
        errors: BTreeMap::new(),
    }))
}

#[derive(Deserialize)]
pub struct FormingFields {
    #[serde(default)]
    name: String,
    #[serde(default)]
    district: String,
    #[serde(default)]
    network_id: String,
}

/// `POST /programme/agencies/{id}/consortia`: formed, then on to admit its members; or the
/// agency's page again with each refusal beside its field.
pub async fn form_consortium(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(agency_id): Path<String>,
    CsrfForm { form, .. }: CsrfForm<FormingFields>,
) -> Result<Response, PageError> {
    let account = visitor.require(Role::Coordinator)?;
    let t = visitor.lang.texts();
    let Some(mut typed) = forming_form(&pages, account, &agency_id).await? else {
        return Err(PageError::Forbidden);
    };
    let network = form.network_id.trim();
    let new = golmok_catalog::NewConsortium {
        name: form.name.clone(),
        district: form.district.clone(),
        network_id: (!network.is_empty()).then(|| network.to_owned()),
    };
    match golmok_programme::consortia::form(&pages.db, account, new).await {
        Ok(formed) => {
            return Ok(see_other(&format!("{}?formed=1", members_path(&formed.id))));
        }
        Err(DomainError::Invalid(v)) => {
            for f in &v.0 {
                match f.field.as_str() {
                    "name" => typed.errors.insert("name", t.err_consortium_name),
                    // The networks offered all exist: one refused does not reach the district.
                    "network_id" => typed.errors.insert("network_id", t.err_network_district),
                    _ => typed.errors.insert("district", t.err_district),
                };
            }
        }
        // A district another agency runs.
        Err(DomainError::Forbidden(_)) => {
            typed.errors.insert("district", t.err_district);
        }
        Err(e) => return Err(e.into()),
    }
    typed.name = form.name;
    typed.district = form.district;
    typed.network = form.network_id;
    super::programme::agency_page(
        &pages,
        &visitor,
        &agency_id,
        golmok_programme::report::Period::Month,
        Some(typed),
    )
    .await
}

pub struct MemberRow {
    pub id: String,
    pub name: String,
    pub kind: &'static str,
    pub joined: String,
    pub address: String,
    pub stops_selling: bool,
    /// Its parts of the consortium's orders still under way: it fulfils them even if removed.
    pub under_way: u64,
}

pub struct CandidateRow {
    pub id: String,
    pub name: String,
    pub kind: &'static str,
    pub address: String,
    pub distance: Option<String>,
    /// It already sells in this many other consortia.
    pub elsewhere: usize,
}

pub struct ChangeRow {
    pub at: String,
    pub added: bool,
    pub shop: String,
    pub by: String,
    pub status: &'static str,
}

#[derive(Template)]
#[template(path = "consortium_members.html")]
struct MembersPage {
    c: Chrome,
    id: String,
    name: String,
    selling: bool,
    members: Vec<MemberRow>,
    candidates: Vec<CandidateRow>,
    history: Vec<ChangeRow>,
    q: String,
    /// What the last press did, or why it did nothing.
    flash: Option<String>,
    refusal: Option<&'static str>,
    /// The settings form: the co-delivery network (empty: none), the networks to choose
    /// from, trade across the district, and the commission (an admin changes it).
    network: String,
    networks: Vec<(String, String)>,
    trade_wide: bool,
    commission_pct: String,
    is_admin: bool,
}

#[derive(Deserialize, Default)]
pub struct DeskQuery {
    #[serde(default)]
    q: String,
    /// The shop just admitted, or removed.
    added: Option<String>,
    removed: Option<String>,
    /// Why the last press changed nothing.
    not: Option<String>,
    /// Just formed.
    formed: Option<String>,
    /// Its settings just saved.
    saved: Option<String>,
}

fn status_text(t: &Texts, status: ConsortiumStatus) -> &'static str {
    match status {
        ConsortiumStatus::Active => t.status_active,
        ConsortiumStatus::Forming => t.status_forming,
    }
}

fn distance_text(metres: f64) -> String {
    if metres < 1_000.0 {
        format!("{metres:.0} m")
    } else {
        format!("{:.1} km", metres / 1_000.0)
    }
}

fn members_path(id: &str) -> String {
    format!("/programme/consortia/{}/members", encode(id))
}

/// `GET /programme/consortia/{id}/members`.
pub async fn members(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(id): Path<String>,
    Query(query): Query<DeskQuery>,
) -> Result<Response, PageError> {
    let account = visitor.require(Role::Coordinator)?;
    let desk = golmok_catalog::membership::desk(
        &pages.db,
        pages.cache.as_ref(),
        account,
        &id,
        Some(query.q.as_str()),
    )
    .await?;
    let (lang, t) = (visitor.lang, visitor.lang.texts());
    let flash = flash_of(t, &desk, &query);
    let refusal = query.not.as_deref().map(|code| match code {
        "already_member" => t.members_already,
        "gone" => t.members_gone,
        "settings" => t.err_consortium_settings,
        "network" => t.err_network_district,
        _ => t.members_no_such_shop,
    });
    let networks = network_choices(
        &pages,
        Some(desk.consortium.district.as_str()),
        desk.consortium.network_id.as_deref(),
    )
    .await?
    .into_iter()
    .map(|n| (n.id, n.label))
    .collect();
    let mut under_way =
        golmok_ordering::view::parts_under_way(&pages.db, &desk.consortium.id).await?;
    let MembershipDesk {
        consortium,
        members,
        candidates,
        history,
    } = desk;
    render(&MembersPage {
        selling: consortium.status == ConsortiumStatus::Active,
        members: members
            .into_iter()
            .map(|m| MemberRow {
                under_way: under_way.remove(&m.member.merchant_id).unwrap_or(0),
                kind: format::merchant_kind(t, m.member.kind),
                joined: format::seoul_date(lang, m.member.joined_at),
                id: m.member.merchant_id,
                name: m.member.name,
                address: m.address,
                stops_selling: m.removal_stops_selling,
            })
            .collect(),
        candidates: candidates
            .into_iter()
            .map(|c| CandidateRow {
                kind: format::merchant_kind(t, c.merchant.kind),
                distance: c.distance_m.map(distance_text),
                elsewhere: c.consortia,
                id: c.merchant.id,
                name: c.merchant.name,
                address: c.merchant.address,
            })
            .collect(),
        history: history
            .into_iter()
            .map(|h| ChangeRow {
                at: format::seoul_time(lang, h.at),
                added: h.added,
                shop: h.merchant_name,
                by: h.by,
                status: status_text(t, h.status_after),
            })
            .collect(),
        network: consortium.network_id.clone().unwrap_or_default(),
        networks,
        trade_wide: consortium.member_trade_district_wide,
        commission_pct: format!("{:.2}", f64::from(consortium.commission_bps) / 100.0),
        is_admin: account.role == Role::Admin,
        id: consortium.id,
        name: consortium.name,
        q: query.q,
        flash,
        refusal,
        c: Chrome::load(&pages, &visitor).await?,
    })
}

/// "Formed", "X joined" or "X left", named from the desk (a removed shop from its history).
fn flash_of(t: &Texts, desk: &MembershipDesk, query: &DeskQuery) -> Option<String> {
    if query.formed.is_some() {
        return Some(t.formed.to_owned());
    }
    if query.saved.is_some() {
        return Some(t.consortium_saved.to_owned());
    }
    let name_in_history = |id: &str| {
        desk.history
            .iter()
            .find(|h| h.merchant_id == id)
            .map(|h| h.merchant_name.clone())
    };
    if let Some(id) = &query.added {
        let name = desk
            .members
            .iter()
            .find(|m| &m.member.merchant_id == id)
            .map(|m| m.member.name.clone())
            .or_else(|| name_in_history(id))?;
        return Some(format!("{name}: {}", t.members_added));
    }
    let id = query.removed.as_deref()?;
    Some(format!("{}: {}", name_in_history(id)?, t.members_removed))
}

#[derive(Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    network_id: String,
    trade_wide: Option<String>,
    /// Percent, two decimals at most; sent only by an admin's form.
    commission_pct: Option<String>,
}

/// Percent as typed (`3`, `2.5`) in basis points.
fn basis_points(typed: &str) -> Option<u32> {
    let pct: f64 = typed.trim().parse().ok().filter(|p: &f64| p.is_finite())?;
    let bps = (pct * 100.0).round();
    (0.0..=f64::from(u32::MAX))
        .contains(&bps)
        .then_some(bps as u32)
}

/// `POST /programme/consortia/{id}/settings`: its name, its co-delivery network (or none),
/// trade across the district, and (an admin) the commission; back to the desk saying so,
/// or why not.
pub async fn settings(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(id): Path<String>,
    CsrfForm { form, .. }: CsrfForm<SettingsForm>,
) -> Result<Response, PageError> {
    let account = visitor.require(Role::Coordinator)?;
    let path = members_path(&id);
    let commission_bps = match form.commission_pct.as_deref() {
        None => None,
        Some(typed) => match basis_points(typed) {
            Some(bps) => Some(bps),
            None => return Ok(see_other(&format!("{path}?not=settings"))),
        },
    };
    let network = form.network_id.trim();
    let patch = golmok_catalog::ConsortiumPatch {
        name: Some(form.name.clone()),
        network_id: Some((!network.is_empty()).then(|| network.to_owned())),
        commission_bps,
        member_trade_district_wide: Some(form.trade_wide.is_some()),
    };
    match golmok_programme::consortia::change(&pages.db, pages.cache.as_ref(), account, &id, patch)
        .await
    {
        Ok(_) => Ok(see_other(&format!("{path}?saved=1"))),
        Err(DomainError::Invalid(v)) if v.0.iter().any(|f| f.field == "network_id") => {
            Ok(see_other(&format!("{path}?not=network")))
        }
        Err(DomainError::Invalid(_)) => Ok(see_other(&format!("{path}?not=settings"))),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct AdmitForm {
    merchant_id: String,
}

/// `POST /programme/consortia/{id}/members`: admit a shop.
pub async fn admit(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(id): Path<String>,
    CsrfForm { form, .. }: CsrfForm<AdmitForm>,
) -> Result<Response, PageError> {
    let account = visitor.require(Role::Coordinator)?;
    let path = members_path(&id);
    match golmok_catalog::consortium::add_member(
        &pages.db,
        pages.cache.as_ref(),
        account,
        &id,
        form.merchant_id.trim(),
    )
    .await
    {
        Ok(_) => Ok(see_other(&format!(
            "{path}?added={}",
            encode(form.merchant_id.trim())
        ))),
        Err(DomainError::Conflict {
            code: "already_member",
            ..
        }) => Ok(see_other(&format!("{path}?not=already_member"))),
        Err(DomainError::Invalid(_)) => Ok(see_other(&format!("{path}?not=no_such_shop"))),
        Err(e) => Err(e.into()),
    }
}

/// `POST /programme/consortia/{id}/members/{merchant}/remove`.
pub async fn remove(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path((id, merchant)): Path<(String, String)>,
    _: CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let account = visitor.require(Role::Coordinator)?;
    let path = members_path(&id);
    match golmok_catalog::consortium::remove_member(
        &pages.db,
        pages.cache.as_ref(),
        account,
        &id,
        &merchant,
    )
    .await
    {
        Ok(_) => Ok(see_other(&format!("{path}?removed={}", encode(&merchant)))),
        // Removed meanwhile (a second press, another coordinator): the page says so.
        Err(DomainError::NotFound { .. }) => {
            golmok_catalog::consortium::get_consortium(&pages.db, pages.cache.as_ref(), &id)
                .await?;
            Ok(see_other(&format!("{path}?not=gone")))
        }
        Err(e) => Err(e.into()),
    }
}

pub fn routes() -> axum::Router<Pages> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route(
            "/programme/consortia/{id}/members",
            get(members).post(admit),
        )
        .route(
            "/programme/consortia/{id}/members/{merchant}/remove",
            post(remove),
        )
        .route("/programme/consortia/{id}/settings", post(settings))
        .route("/programme/agencies/{id}/consortia", post(form_consortium))
}

#[cfg(test)]
mod tests {
    use super::basis_points;

    #[test]
    fn a_typed_percent_is_basis_points() {
        assert_eq!(basis_points("2.5"), Some(250));
        assert_eq!(basis_points(" 3 "), Some(300));
        assert_eq!(basis_points("0"), Some(0));
        assert_eq!(basis_points("-1"), None);
        assert_eq!(basis_points("three"), None);
        assert_eq!(basis_points("NaN"), None);
    }
}
