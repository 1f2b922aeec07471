//! A consortium's campaigns for the agency that runs it: refill markets, alley festivals and
//! promotions, each with its time, place, featured goods and (a promotion) its discount;
//! made, changed until it ends, and called off. Shoppers meet them on the home and consortium
//! pages; a festival's or market's figures are its event page ([`super::programme`]).
//!
//! Coordinators of the metropolitan agency read every consortium's campaigns; only the
//! running agency's coordinators (and admins) change them.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use golmok_accounts::Role;
use golmok_catalog::{Campaign, CampaignKind, CampaignPatch, Consortium, Discount, NewCampaign};
use golmok_core::{Coordinates, DomainError, ValidationErrors};
use golmok_delivery_routing::network::seoul;
use golmok_programme::access::Standing;
use serde::Deserialize;

use super::{Chrome, NoFields, encode, refused_if, render_with, see_other, typed_won};
use crate::Pages;
use crate::error::PageError;
use crate::format;
use crate::i18n::{Lang, Texts};
use crate::session::{CsrfForm, Visitor, all_values};

/// A campaign form as typed; its featured goods are the ticked boxes (`listing`).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CampaignForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    starts: String,
    #[serde(default)]
    ends: String,
    #[serde(default)]
    place: String,
    /// Where it is held on a map (tapped or typed); both empty: no pin.
    #[serde(default)]
    lat: String,
    #[serde(default)]
    lon: String,
    /// `none`, `percent` or `won`.
    #[serde(default)]
    discount: String,
    #[serde(default)]
    amount: String,
}

impl CampaignForm {
    fn of(c: &Campaign) -> Self {
        let (discount, amount) = match c.discount {
            Some(Discount::Percent { percent }) => ("percent", percent.to_string()),
            Some(Discount::Won { krw }) => ("won", krw.to_string()),
            None => ("none", String::new()),
        };
        Self {
            kind: c.kind.as_str().to_owned(),
            title: c.title.clone(),
            starts: local_input(c.starts_at),
            ends: local_input(c.ends_at),
            place: c.place.clone().unwrap_or_default(),
            lat: c.location.map(|l| l.lat.to_string()).unwrap_or_default(),
            lon: c.location.map(|l| l.lon.to_string()).unwrap_or_default(),
            discount: discount.to_owned(),
            amount,
        }
    }
}

/// A time as a `datetime-local` field shows it, in Seoul.
fn local_input(at: DateTime<Utc>) -> String {
    at.with_timezone(&seoul())
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// A `datetime-local` field's value as Seoul time.
fn seoul_instant(typed: &str) -> Option<DateTime<Utc>> {
    let typed = typed.trim();
    let local = NaiveDateTime::parse_from_str(typed, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(typed, "%Y-%m-%dT%H:%M:%S"))
        .ok()?;
    seoul()
        .from_local_datetime(&local)
        .single()
        .map(|t| t.with_timezone(&Utc))
}

/// What a form says, checked as far as the page can before the catalog is asked.
struct Parsed {
    kind: Option<CampaignKind>,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    place: Option<String>,
    location: Option<Coordinates>,
    discount: Option<Discount>,
}

fn parse(t: &Texts, form: &CampaignForm) -> Result<Parsed, BTreeMap<&'static str, &'static str>> {
    let mut errors = BTreeMap::new();
    let kind = match form.kind.as_str() {
        "" => None,
        k => match CampaignKind::parse(k) {
            Some(kind) => Some(kind),
            None => {
                errors.insert("kind", t.err_check_field);
                None
            }
        },
    };
    let starts_at = seoul_instant(&form.starts);
    let ends_at = seoul_instant(&form.ends);
    if starts_at.is_none() || ends_at.is_none() {
        errors.insert("when", t.err_campaign_when);
    }
    let discount = match (form.discount.as_str(), typed_won(&form.amount)) {
        ("" | "none", _) => None,
        ("percent", Ok(Some(p))) if (0..=i64::from(u32::MAX)).contains(&p) => {
            Some(Discount::Percent { percent: p as u32 })
        }
        ("won", Ok(Some(krw))) => Some(Discount::Won { krw }),
        _ => {
            errors.insert("discount", t.err_campaign_discount);
            None
        }
    };
    let location = super::typed_place(&form.lat, &form.lon).unwrap_or_else(|()| {
        errors.insert("location", t.err_campaign_location);
        None
    });
    match (starts_at, ends_at) {
        (Some(starts_at), Some(ends_at)) if errors.is_empty() => Ok(Parsed {
            kind,
            starts_at,
            ends_at,
            place: Some(form.place.trim().to_owned()).filter(|p| !p.is_empty()),
            location,
            discount,
        }),
        _ => Err(errors),
    }
}

/// The catalog's refusals, each beside the form's field.
fn refusals(t: &Texts, v: &ValidationErrors) -> BTreeMap<&'static str, &'static str> {
    v.0.iter()
        .map(
            |f| match f.field.split(['.', '[']).next().unwrap_or_default() {
                "title" => ("title", t.err_campaign_title),
                "starts_at" | "ends_at" => ("when", t.err_campaign_when),
                "place" => ("place", t.err_check_field),
                "location" => ("location", t.err_campaign_location),
                "discount" => ("discount", t.err_campaign_discount),
                "listing_ids" => ("listings", t.err_campaign_listings),
                _ => ("general", t.err_check_field),
            },
        )
        .collect()
}

pub struct GoodBox {
    pub id: String,
    pub label: String,
    pub refill: bool,
}

pub struct CampaignCard {
    pub id: String,
    pub kind: &'static str,
    pub title: String,
    pub when: String,
    pub place: Option<String>,
    /// A map app's page of where it is held, when it is pinned.
    pub map_link: Option<String>,
    pub state: &'static str,
    /// Running or upcoming, not called off: it may still change.
    pub open: bool,
    /// A festival or refill market: it has an event page.
    pub event: bool,
    pub discount: Option<String>,
    pub featured: Vec<String>,
    pub featured_ids: Vec<String>,
    pub form: CampaignForm,
    pub errors: BTreeMap<&'static str, &'static str>,
    starts_at: DateTime<Utc>,
}

#[derive(Template)]
#[template(path = "programme_campaigns.html")]
struct CampaignsPage {
    c: Chrome,
    consortium: Consortium,
    campaigns: Vec<CampaignCard>,
    goods: Vec<GoodBox>,
    kinds: Vec<(&'static str, &'static str)>,
    can_edit: bool,
    form: CampaignForm,
    /// The ticked goods of the new campaign's form.
    ticked: Vec<String>,
    errors: BTreeMap<&'static str, &'static str>,
    flash: Option<&'static str>,
    /// The consortium's district as GeoJSON, for the new campaign's map (empty: no map).
    district_json: String,
    tile_url: String,
}

/// A form refused: the new one (`None`) or a campaign's, what was typed and ticked, why.
struct Refused {
    campaign: Option<String>,
    form: CampaignForm,
    ticked: Vec<String>,
    errors: BTreeMap<&'static str, &'static str>,
}

fn discount_text(lang: Lang, d: Discount) -> String {
    match d {
        Discount::Percent { percent } => format!("{percent}%"),
        Discount::Won { krw } => format::won(lang, krw),
    }
}

async fn page(
    pages: &Pages,
    visitor: &Visitor,
    consortium_id: &str,
    refused: Option<Refused>,
    flash: Option<&'static str>,
) -> Result<Response, PageError> {
    let account = visitor.require(Role::Coordinator)?;
    let lang = visitor.lang;
    let t = lang.texts();
    let consortium =
        golmok_catalog::consortium::get_consortium(&pages.db, pages.cache.as_ref(), consortium_id)
            .await?;
    let standing =
        golmok_programme::access::in_agency(&pages.db, account, &consortium.agency_id).await?;
    let Some(standing) = standing else {
        return Err(PageError::Forbidden);
    };
    let members: Vec<String> = consortium
        .members
        .iter()
        .map(|m| m.merchant_id.clone())
        .collect();
    let shop_names: BTreeMap<&str, &str> = consortium
        .members
        .iter()
        .map(|m| (m.merchant_id.as_str(), m.name.as_str()))
        .collect();
    let on_sale = golmok_catalog::listing::on_sale_by(&pages.db, &members).await?;
    let goods: Vec<GoodBox> = on_sale
        .iter()
        .map(|l| GoodBox {
            label: format!(
                "{} · {}",
                l.title,
                shop_names.get(l.merchant_id.as_str()).unwrap_or(&"")
            ),
            id: l.id.clone(),
            refill: l.refill,
        })
        .collect();
    let title_of: BTreeMap<&str, &str> = on_sale
        .iter()
        .map(|l| (l.id.as_str(), l.title.as_str()))
        .collect();
    let listed = golmok_catalog::campaign::list_campaigns(
        &pages.db,
        &golmok_catalog::CampaignQuery {
            consortium_id: Some(consortium_id.to_owned()),
            active_at: None,
            limit: 100,
            cursor: None,
        },
    )
    .await?;
    let now = Utc::now();
    let (mut refused_card, new_form) = match refused {
        Some(r) if r.campaign.is_some() => (Some(r), None),
        other => (None, other),
    };
    let mut campaigns: Vec<CampaignCard> = listed
        .items
        .into_iter()
        .map(|c| {
            let state = if c.cancelled_at.is_some() {
                t.campaign_cancelled
            } else if c.ends_at <= now {
                t.campaign_ended
            } else if c.starts_at <= now {
                t.campaign_running
            } else {
                t.campaign_upcoming
            };
            let mine = refused_card.take_if(|r| r.campaign.as_deref() == Some(c.id.as_str()));
            let (form, featured_ids, errors) = match mine {
                Some(r) => (r.form, r.ticked, r.errors),
                None => (CampaignForm::of(&c), c.listing_ids.clone(), BTreeMap::new()),
            };
            CampaignCard {
                kind: format::campaign_kind(t, c.kind),
                when: format!(
                    "{} – {}",
                    format::seoul_time(lang, c.starts_at),
                    format::seoul_time(lang, c.ends_at)
                ),
                open: c.cancelled_at.is_none() && c.ends_at > now,
                event: c.kind != CampaignKind::Promotion,
                discount: c.discount.map(|d| discount_text(lang, d)),
                featured: c
                    .listing_ids
                    .iter()
                    .filter_map(|id| title_of.get(id.as_str()).map(|t| (*t).to_owned()))
                    .collect(),
                featured_ids,
                form,
                errors,
                state,
                starts_at: c.starts_at,
                map_link: c
                    .location
                    .map(|at| format::kakao_map(c.place.as_deref().unwrap_or(&c.title), at)),
                place: c.place,
                title: c.title,
                id: c.id,
            }
        })
        .collect();
    // Open ones first, the soonest first; then the ended and called off, the latest first.
    campaigns.sort_by(|a, b| {
        b.open.cmp(&a.open).then_with(|| {
            if a.open {
                a.starts_at.cmp(&b.starts_at)
            } else {
                b.starts_at.cmp(&a.starts_at)
            }
        })
    });
    let (form, ticked, errors) = match new_form {
        Some(r) => (r.form, r.ticked, r.errors),
        None => (
            CampaignForm {
                kind: CampaignKind::RefillMarket.as_str().to_owned(),
                discount: "none".into(),
                ..CampaignForm::default()
            },
            Vec::new(),
            BTreeMap::new(),
        ),
    };
    let refused_any = !errors.is_empty() || campaigns.iter().any(|c| !c.errors.is_empty());
    render_with(
        refused_if(refused_any),
        &CampaignsPage {
            kinds: CampaignKind::ALL
                .into_iter()
                .map(|k| (k.as_str(), format::campaign_kind(t, k)))
                .collect(),
            can_edit: standing == Standing::Edits,
            district_json: golmok_delivery_routing::area::area_of(&consortium.district, &[])
                .map(|a| a.geojson.to_string())
                .unwrap_or_default(),
            tile_url: pages.settings.map_tile_url.clone().unwrap_or_default(),
            consortium,
            campaigns,
            goods,
            form,
            ticked,
            errors,
            flash,
            c: Chrome::load(pages, visitor).await?,
        },
    )
}

#[derive(Deserialize, Default)]
pub struct CampaignsQuery {
    made: Option<String>,
    changed: Option<String>,
    cancelled: Option<String>,
}

/// `GET /programme/consortia/{id}/campaigns`.
pub async fn campaigns(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(id): Path<String>,
    Query(query): Query<CampaignsQuery>,
) -> Result<Response, PageError> {
    let t = visitor.lang.texts();
    let flash = if query.made.is_some() {
        Some(t.campaign_made)
    } else if query.changed.is_some() {
        Some(t.campaign_changed)
    } else {
        query.cancelled.map(|_| t.campaign_called_off)
    };
    page(&pages, &visitor, &id, None, flash).await
}

fn back(consortium_id: &str, what: &str) -> Response {
    see_other(&format!(
        "/programme/consortia/{}/campaigns?{what}=1",
        encode(consortium_id)
    ))
}

/// `POST /programme/consortia/{id}/campaigns`: made, or the page again with each refusal
/// beside its field.
pub async fn create(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(id): Path<String>,
    CsrfForm { form, raw }: CsrfForm<CampaignForm>,
) -> Result<Response, PageError> {
    let account = visitor.require(Role::Coordinator)?;
    let t = visitor.lang.texts();
    let ticked = all_values(&raw, "listing");
    let errors = match parse(t, &form) {
        Err(errors) => errors,
        Ok(Parsed { kind: None, .. }) => BTreeMap::from([("kind", t.err_check_field)]),
        Ok(Parsed {
            kind: Some(kind),
            starts_at,
            ends_at,
            place,
            location,
            discount,
        }) => {
            let new = NewCampaign {
                consortium_id: id.clone(),
                kind,
                title: form.title.clone(),
                starts_at,
                ends_at,
                listing_ids: ticked.clone(),
                location,
                place,
                discount,
            };
            match golmok_catalog::campaign::create_campaign(&pages.db, account, new).await {
                Ok(_) => return Ok(back(&id, "made")),
                Err(DomainError::Invalid(v)) => refusals(t, &v),
                Err(e) => return Err(e.into()),
            }
        }
    };
    let refused = Refused {
        campaign: None,
        form,
        ticked,
        errors,
    };
    page(&pages, &visitor, &id, Some(refused), None).await
}

/// `POST /programme/campaigns/{id}`: its title, time, place, featured goods or discount.
pub async fn change(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(campaign_id): Path<String>,
    CsrfForm { form, raw }: CsrfForm<CampaignForm>,
) -> Result<Response, PageError> {
    let account = visitor.require(Role::Coordinator)?;
    let t = visitor.lang.texts();
    let current = golmok_catalog::campaign::get_campaign(&pages.db, &campaign_id).await?;
    let ticked = all_values(&raw, "listing");
    let errors = match parse(t, &form) {
        Err(errors) => errors,
        Ok(parsed) => {
            let patch = CampaignPatch {
                title: Some(form.title.clone()),
                starts_at: Some(parsed.starts_at),
                ends_at: Some(parsed.ends_at),
                place: Some(parsed.place),
                listing_ids: Some(ticked.clone()),
                discount: Some(parsed.discount),
                location: Some(parsed.location),
            };
            match golmok_catalog::campaign::update_campaign(
                &pages.db,
                pages.cache.as_ref(),
                account,
                &campaign_id,
                patch,
            )
            .await
            {
                Ok(_) => return Ok(back(&current.consortium_id, "changed")),
                Err(DomainError::Invalid(v)) => refusals(t, &v),
                Err(DomainError::Conflict { .. }) => {
                    BTreeMap::from([("general", t.err_campaign_called_off)])
                }
                Err(e) => return Err(e.into()),
            }
        }
    };
    let refused = Refused {
        campaign: Some(campaign_id),
        form,
        ticked,
        errors,
    };
    page(
        &pages,
        &visitor,
        &current.consortium_id,
        Some(refused),
        None,
    )
    .await
}

/// `POST /programme/campaigns/{id}/cancel`: called off (twice is once).
pub async fn cancel(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(campaign_id): Path<String>,
    _: CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let account = visitor.require(Role::Coordinator)?;
    let called_off =
        golmok_catalog::campaign::cancel_campaign(&pages.db, account, &campaign_id).await?;
    Ok(back(&called_off.consortium_id, "cancelled"))
}

pub fn routes() -> axum::Router<crate::Pages> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route(
            "/programme/consortia/{id}/campaigns",
            get(campaigns).post(create),
        )
        .route("/programme/campaigns/{id}", post(change))
        .route("/programme/campaigns/{id}/cancel", post(cancel))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typed_time_is_seoul_time_and_shown_back_the_same() {
        let at = seoul_instant("2026-12-10T10:00").unwrap();
        assert_eq!(at.to_rfc3339(), "2026-12-10T01:00:00+00:00");
        assert_eq!(local_input(at), "2026-12-10T10:00");
        assert!(seoul_instant("10 December").is_none());
        assert!(seoul_instant("").is_none());
    }

    #[test]
    fn a_discount_is_a_percent_or_won_or_none_and_each_refusal_has_its_field() {
        let t = Lang::En.texts();
        let form = |discount: &str, amount: &str| CampaignForm {
            kind: "promotion".into(),
            title: "김장 할인".into(),
            starts: "2026-12-10T10:00".into(),
            ends: "2026-12-12T18:00".into(),
            place: " ".into(),
            discount: discount.into(),
            amount: amount.into(),
            ..CampaignForm::default()
        };
        let parsed = parse(t, &form("percent", "15")).unwrap();
        assert_eq!(parsed.discount, Some(Discount::Percent { percent: 15 }));
        assert_eq!(parsed.place, None);
        assert_eq!(
            parse(t, &form("won", "1,000")).unwrap().discount,
            Some(Discount::Won { krw: 1_000 })
        );
        assert_eq!(parse(t, &form("none", "15")).unwrap().discount, None);
        let refused = parse(t, &form("percent", "많이")).err().unwrap();
        assert_eq!(refused.keys().copied().collect::<Vec<_>>(), ["discount"]);
        let refused = parse(
            t,
            &CampaignForm {
                ends: "".into(),
                kind: "bazaar".into(),
                ..form("none", "")
            },
        )
        .err()
        .unwrap();
        assert_eq!(
            refused.keys().copied().collect::<Vec<_>>(),
            ["kind", "when"]
        );
    }
}
