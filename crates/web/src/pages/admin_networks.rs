//! The admin's co-delivery networks: each one's area on a map, its fees, capacity and rules,
//! and its daily waves; a new network drawn from Seoul's real boundaries (a district whole,
//! or some of its neighbourhoods) rather than typed as GeoJSON, its hub tapped on the map or
//! left to a point inside the area, with the pilot networks' two waves to start from.
//!
//! The district is chosen first, by its own small form (sent again when the select changes,
//! with JavaScript): the neighbourhoods offered are that district's.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use golmok_accounts::Role;
use golmok_core::{DomainError, ValidationErrors};
use golmok_delivery_routing::area;
use golmok_delivery_routing::network::{self, Network, NetworkChanges, NewNetwork, WaveSpec};
use serde::Deserialize;

use super::{Chrome, encode, number, refused_if, render_with, see_other, typed_place, typed_won};
use crate::Pages;
use crate::error::PageError;
use crate::i18n::Texts;
use crate::session::{CsrfForm, Visitor, all_values};

/// The waves a new network starts with: the pilot networks' lunch and evening.
fn first_waves() -> Vec<WaveSpec> {
    [
        ("점심", "11:00", "13:00", "10:00"),
        ("저녁", "17:00", "19:00", "16:00"),
    ]
    .into_iter()
    .map(|(name, start, end, cutoff)| WaveSpec {
        name: name.into(),
        start: start.into(),
        end: end.into(),
        cutoff: cutoff.into(),
    })
    .collect()
}

pub struct NetworkRow {
    pub id: String,
    pub name: String,
    pub waves: String,
    pub fee: String,
}

pub struct NeighbourhoodBox {
    pub code: String,
    pub name: String,
    pub checked: bool,
}

/// The new network form as typed; its neighbourhoods are the checked boxes.
#[derive(Debug, Clone, Deserialize)]
pub struct NewNetworkForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    district: String,
    #[serde(default)]
    lat: String,
    #[serde(default)]
    lon: String,
    #[serde(default)]
    delivery_fee: String,
    #[serde(default)]
    free_over: String,
}

impl Default for NewNetworkForm {
    fn default() -> Self {
        Self {
            name: String::new(),
            district: String::new(),
            lat: String::new(),
            lon: String::new(),
            delivery_fee: "3000".into(),
            free_over: "40000".into(),
        }
    }
}

#[derive(Template)]
#[template(path = "admin_networks.html")]
struct NetworksPage {
    c: Chrome,
    networks: Vec<NetworkRow>,
    districts: Vec<&'static str>,
    form: NewNetworkForm,
    neighbourhoods: Vec<NeighbourhoodBox>,
    /// The chosen district's outline, for the map; empty before one is chosen.
    area_json: String,
    errors: BTreeMap<&'static str, &'static str>,
    tile_url: String,
    hub_help: &'static str,
}

#[derive(Deserialize, Default)]
pub struct ChooseQuery {
    district: Option<String>,
}

fn checked_boxes(district: &str, checked: &[String]) -> Vec<NeighbourhoodBox> {
    area::neighbourhoods_in(district)
        .map(|n| NeighbourhoodBox {
            checked: checked.contains(&n.code),
            code: n.code.clone(),
            name: n.name.clone(),
        })
        .collect()
}

async fn list_page(
    pages: &Pages,
    visitor: &Visitor,
    form: NewNetworkForm,
    checked: &[String],
    errors: BTreeMap<&'static str, &'static str>,
) -> Result<Response, PageError> {
    visitor.require(Role::Admin)?;
    let networks = network::list_networks(&pages.db)
        .await?
        .into_iter()
        .map(|n| NetworkRow {
            waves: n
                .waves
                .iter()
                .map(|w| format!("{} {}–{}", w.spec.name, w.spec.start, w.spec.end))
                .collect::<Vec<_>>()
                .join(" · "),
            fee: crate::format::won(visitor.lang, n.delivery_fee_krw),
            id: n.id,
            name: n.name,
        })
        .collect();
    let area_json = area::area_of(&form.district, &[])
        .map(|a| a.geojson.to_string())
        .unwrap_or_default();
    render_with(
        refused_if(!errors.is_empty()),
        &NetworksPage {
            networks,
            districts: area::districts().iter().map(|d| d.name.as_str()).collect(),
            neighbourhoods: checked_boxes(&form.district, checked),
            area_json,
            form,
            errors,
            tile_url: pages.settings.map_tile_url.clone().unwrap_or_default(),
            hub_help: visitor.lang.texts().network_hub_help,
            c: Chrome::load(pages, visitor).await?,
        },
    )
}

/// `GET /admin/networks[?district=]`.
pub async fn networks(
    State(pages): State<Pages>,
    visitor: Visitor,
    Query(query): Query<ChooseQuery>,
) -> Result<Response, PageError> {
    let form = NewNetworkForm {
        district: query.district.unwrap_or_default(),
        ..NewNetworkForm::default()
    };
    list_page(&pages, &visitor, form, &[], BTreeMap::new()).await
}

/// The fee and the free-delivery threshold, or their refusals.
fn typed_fees(
    t: &Texts,
    fee: &str,
    free_over: &str,
    errors: &mut BTreeMap<&'static str, &'static str>,
) -> (Option<i64>, Option<i64>) {
    let fee = match typed_won(fee) {
        Ok(Some(won)) => Some(won),
        _ => {
            errors.insert("delivery_fee", t.err_network_fee);
            None
        }
    };
    let free_over = match typed_won(free_over) {
        Ok(Some(won)) => Some(won),
        _ => {
            errors.insert("free_over", t.err_network_free_over);
            None
        }
    };
    (fee, free_over)
}

/// The domain's refusals of a network, each beside the form's field.
fn refusals(t: &Texts, v: &ValidationErrors) -> BTreeMap<&'static str, &'static str> {
    v.0.iter()
        .map(
            |f| match f.field.split(['.', '[']).next().unwrap_or_default() {
                "name" => ("name", t.err_name),
                "hub" => ("hub", t.err_network_hub),
                "area" | "district" => ("district", t.err_check_field),
                "neighbourhoods" => ("neighbourhoods", t.err_network_apart),
                "delivery_fee_krw" => ("delivery_fee", t.err_network_fee),
                "free_delivery_over_krw" => ("free_over", t.err_network_free_over),
                "slot_capacity" => ("slot_capacity", t.err_check_field),
                "stops_per_hour" => ("stops_per_hour", t.err_network_stops),
                "capacity_margin_pct" => ("margin", t.err_network_margin),
                _ => ("general", t.err_check_field),
            },
        )
        .collect()
}

/// `POST /admin/networks`: made, then on to its page; or the list again with each refusal
/// beside its field.
pub async fn create(
    State(pages): State<Pages>,
    visitor: Visitor,
    CsrfForm { form, raw }: CsrfForm<NewNetworkForm>,
) -> Result<Response, PageError> {
    let account = visitor.require(Role::Admin)?;
    let t = visitor.lang.texts();
    let checked = all_values(&raw, "neighbourhood");
    let mut errors = BTreeMap::new();
    let drawn = match area::area_of(&form.district, &checked) {
        Ok(drawn) => Some(drawn),
        Err(DomainError::Invalid(v)) => {
            errors.extend(refusals(t, &v));
            None
        }
        Err(e) => return Err(e.into()),
    };
    let hub = typed_place(&form.lat, &form.lon).unwrap_or_else(|()| {
        errors.insert("hub", t.err_network_hub);
        None
    });
    let (fee, free_over) = typed_fees(t, &form.delivery_fee, &form.free_over, &mut errors);
    if form.name.trim().is_empty() {
        errors.insert("name", t.err_name);
    }
    if let (Some(drawn), true) = (drawn, errors.is_empty()) {
        let new = NewNetwork {
            name: form.name.clone(),
            hub: hub.unwrap_or(drawn.inside),
            area: drawn.geojson,
            waves: first_waves(),
            slot_capacity: None,
            stops_per_hour: None,
            capacity_margin_pct: None,
            move_without_consent: None,
            photo_proof_allowed: None,
            delivery_fee_krw: fee,
            free_delivery_over_krw: free_over,
        };
        match network::create_network(&pages.db, account, new).await {
            Ok(made) => {
                return Ok(see_other(&format!(
                    "/admin/networks/{}?made=1",
                    encode(&made.id)
                )));
            }
            Err(DomainError::Invalid(v)) => errors.extend(refusals(t, &v)),
            Err(e) if e.conflict_code() == Some("network_name_taken") => {
                errors.insert("name", t.err_network_name_taken);
            }
            Err(e) => return Err(e.into()),
        }
    }
    list_page(&pages, &visitor, form, &checked, errors).await
}

/// The settings form as typed (checkboxes: present when ticked).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    lat: String,
    #[serde(default)]
    lon: String,
    #[serde(default)]
    delivery_fee: String,
    #[serde(default)]
    free_over: String,
    #[serde(default)]
    slot_capacity: String,
    #[serde(default)]
    stops_per_hour: String,
    #[serde(default)]
    margin: String,
    move_without_consent: Option<String>,
    photo_proof_allowed: Option<String>,
}

impl SettingsForm {
    fn of(n: &Network) -> Self {
        Self {
            name: n.name.clone(),
            lat: n.hub.lat.to_string(),
            lon: n.hub.lon.to_string(),
            delivery_fee: n.delivery_fee_krw.to_string(),
            free_over: n.free_delivery_over_krw.to_string(),
            slot_capacity: n.slot_capacity.map(|c| c.to_string()).unwrap_or_default(),
            stops_per_hour: n.stops_per_hour.to_string(),
            margin: n.capacity_margin_pct.to_string(),
            move_without_consent: n.move_without_consent.then(|| "on".into()),
            photo_proof_allowed: n.photo_proof_allowed.then(|| "on".into()),
        }
    }

    fn changes(&self, t: &Texts) -> Result<NetworkChanges, BTreeMap<&'static str, &'static str>> {
        let mut errors = BTreeMap::new();
        let hub = typed_place(&self.lat, &self.lon).unwrap_or_else(|()| {
            errors.insert("hub", t.err_network_hub);
            None
        });
        let (fee, free_over) = typed_fees(t, &self.delivery_fee, &self.free_over, &mut errors);
        let slot_capacity = match self.slot_capacity.trim() {
            "" => Some(None),
            typed => match typed.parse::<u32>() {
                Ok(c) => Some(Some(c)),
                Err(_) => {
                    errors.insert("slot_capacity", t.err_check_field);
                    None
                }
            },
        };
        let stops_per_hour = number(&self.stops_per_hour);
        if stops_per_hour.is_none() {
            errors.insert("stops_per_hour", t.err_network_stops);
        }
        let margin = self.margin.trim().parse::<u32>().ok();
        if margin.is_none() {
            errors.insert("margin", t.err_network_margin);
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(NetworkChanges {
            name: Some(self.name.clone()),
            hub,
            area: None,
            slot_capacity,
            stops_per_hour,
            capacity_margin_pct: margin,
            move_without_consent: Some(self.move_without_consent.is_some()),
            photo_proof_allowed: Some(self.photo_proof_allowed.is_some()),
            delivery_fee_krw: fee,
            free_delivery_over_krw: free_over,
        })
    }
}

/// A wave's form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct WaveForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    start: String,
    #[serde(default)]
    end: String,
    #[serde(default)]
    cutoff: String,
}

impl WaveForm {
    fn spec(&self) -> WaveSpec {
        WaveSpec {
            name: self.name.clone(),
            start: self.start.trim().to_owned(),
            end: self.end.trim().to_owned(),
            cutoff: self.cutoff.trim().to_owned(),
        }
    }
}

pub struct WaveRow {
    pub id: String,
    /// Takes no new booking (see `network::retire_wave`).
    pub retired: bool,
    pub form: WaveForm,
    /// Why the last change of this wave was not made.
    pub error: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "admin_network.html")]
struct NetworkPage {
    c: Chrome,
    network: Network,
    area_json: String,
    form: SettingsForm,
    errors: BTreeMap<&'static str, &'static str>,
    waves: Vec<WaveRow>,
    new_wave: WaveForm,
    new_wave_error: Option<&'static str>,
    flash: Option<&'static str>,
    tile_url: String,
    hub_help: &'static str,
    districts: Vec<&'static str>,
    redraw: Redraw,
    redraw_boxes: Vec<NeighbourhoodBox>,
    /// Deliveries under way whose drop-off the area drawn now leaves outside.
    outside: u64,
}

/// Drawing the area again: the district chosen (none yet: empty), the neighbourhoods ticked,
/// and why the last drawing was refused.
#[derive(Default)]
pub struct Redraw {
    pub district: String,
    checked: Vec<String>,
    pub error: Option<&'static str>,
    /// Whom the area drawn would no longer reach (the consortia delivering through it).
    pub left_out: String,
}

/// What the page shows besides the network: the settings as typed, which wave form (by id,
/// or `new`) was refused with what, and the area being drawn again.
#[derive(Default)]
struct Typed {
    form: Option<SettingsForm>,
    errors: BTreeMap<&'static str, &'static str>,
    wave: Option<(String, WaveForm, &'static str)>,
    flash: Option<&'static str>,
    redraw: Redraw,
}

async fn network_page(
    pages: &Pages,
    visitor: &Visitor,
    network: Network,
    typed: Typed,
) -> Result<Response, PageError> {
    let refused = !typed.errors.is_empty() || typed.wave.is_some() || typed.redraw.error.is_some();
    let (refused_wave, new_wave, new_wave_error) = match typed.wave {
        Some((id, form, why)) if id == "new" => (None, form, Some(why)),
        other => (other, WaveForm::default(), None),
    };
    let waves = network
        .waves
        .iter()
        .map(|w| match &refused_wave {
            Some((id, form, why)) if *id == w.id => WaveRow {
                id: w.id.clone(),
                retired: w.retired,
                form: form.clone(),
                error: Some(why),
            },
            _ => WaveRow {
                id: w.id.clone(),
                retired: w.retired,
                form: WaveForm {
                    name: w.spec.name.clone(),
                    start: w.spec.start.clone(),
                    end: w.spec.end.clone(),
                    cutoff: w.spec.cutoff.clone(),
                },
                error: None,
            },
        })
        .collect();
    render_with(
        refused_if(refused),
        &NetworkPage {
            area_json: network.area.to_string(),
            form: typed.form.unwrap_or_else(|| SettingsForm::of(&network)),
            errors: typed.errors,
            waves,
            new_wave,
            new_wave_error,
            flash: typed.flash,
            tile_url: pages.settings.map_tile_url.clone().unwrap_or_default(),
            hub_help: visitor.lang.texts().network_hub_move,
            districts: area::districts().iter().map(|d| d.name.as_str()).collect(),
            redraw_boxes: checked_boxes(&typed.redraw.district, &typed.redraw.checked),
            redraw: typed.redraw,
            outside: network::deliveries_outside(&pages.db, &network).await?,
            network,
            c: Chrome::load(pages, visitor).await?,
        },
    )
}

#[derive(Deserialize, Default)]
pub struct NetworkQuery {
    made: Option<String>,
    saved: Option<String>,
    /// The district whose neighbourhoods the area is drawn again from.
    district: Option<String>,
}

/// `GET /admin/networks/{id}`.
pub async fn show(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(id): Path<String>,
    Query(query): Query<NetworkQuery>,
) -> Result<Response, PageError> {
    visitor.require(Role::Admin)?;
    let t = visitor.lang.texts();
    let network = network::get_network(&pages.db, &id).await?;
    let flash = if query.made.is_some() {
        Some(t.network_made)
    } else {
        query.saved.map(|_| t.network_saved)
    };
    let typed = Typed {
        flash,
        redraw: Redraw {
            district: query.district.unwrap_or_default(),
            ..Redraw::default()
        },
        ..Typed::default()
    };
    network_page(&pages, &visitor, network, typed).await
}

#[derive(Deserialize)]
pub struct AreaForm {
    #[serde(default)]
    district: String,
}

/// `POST /admin/networks/{id}/area`: the area drawn again from a district or some of its
/// neighbourhoods; refused when they do not touch, or when the hub would fall outside.
pub async fn redraw_area(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(id): Path<String>,
    CsrfForm { form, raw }: CsrfForm<AreaForm>,
) -> Result<Response, PageError> {
    let account = visitor.require(Role::Admin)?;
    let t = visitor.lang.texts();
    let checked = all_values(&raw, "neighbourhood");
    let mut left_out = String::new();
    let error = match area::area_of(&form.district, &checked) {
        Err(DomainError::Invalid(v)) if v.0.iter().any(|f| f.field == "neighbourhoods") => {
            t.err_network_apart
        }
        Err(DomainError::Invalid(_)) => t.err_check_field,
        Err(e) => return Err(e.into()),
        Ok(drawn) => {
            let changes = NetworkChanges {
                area: Some(drawn.geojson),
                ..NetworkChanges::default()
            };
            match golmok_programme::consortia::change_network(&pages.db, account, &id, changes)
                .await
            {
                Ok(_) => {
                    return Ok(see_other(&format!(
                        "/admin/networks/{}?saved=1",
                        encode(&id)
                    )));
                }
                Err(DomainError::Conflict {
                    code: "area_leaves_served",
                    details,
                    ..
                }) => {
                    left_out = details
                        .iter()
                        .flat_map(|d| d["served"].as_array().into_iter().flatten())
                        .filter_map(|name| name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ");
                    t.err_network_area_leaves
                }
                // The hub outside the new area.
                Err(DomainError::Invalid(_)) => t.err_network_area_hub,
                Err(e) => return Err(e.into()),
            }
        }
    };
    let network = network::get_network(&pages.db, &id).await?;
    let typed = Typed {
        redraw: Redraw {
            district: form.district,
            checked,
            error: Some(error),
            left_out,
        },
        ..Typed::default()
    };
    network_page(&pages, &visitor, network, typed).await
}

/// `POST /admin/networks/{id}`: the settings saved, or the page again with each refusal
/// beside its field.
pub async fn save(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(id): Path<String>,
    CsrfForm { form, .. }: CsrfForm<SettingsForm>,
) -> Result<Response, PageError> {
    let account = visitor.require(Role::Admin)?;
    let t = visitor.lang.texts();
    let errors = match form.changes(t) {
        Err(errors) => errors,
        Ok(changes) => {
            match golmok_programme::consortia::change_network(&pages.db, account, &id, changes)
                .await
            {
                Ok(_) => {
                    return Ok(see_other(&format!(
                        "/admin/networks/{}?saved=1",
                        encode(&id)
                    )));
                }
                Err(DomainError::Invalid(v)) => refusals(t, &v),
                Err(e) if e.conflict_code() == Some("network_name_taken") => {
                    BTreeMap::from([("name", t.err_network_name_taken)])
                }
                Err(e) => return Err(e.into()),
            }
        }
    };
    let network = network::get_network(&pages.db, &id).await?;
    let typed = Typed {
        form: Some(form),
        errors,
        ..Typed::default()
    };
    network_page(&pages, &visitor, network, typed).await
}

/// A wave added or changed (`which`: its id, or `new`): back to the network's page, or the
/// page again with that wave's form as typed and why it was refused.
async fn wave_answered<T>(
    pages: &Pages,
    visitor: &Visitor,
    network_id: &str,
    which: String,
    form: WaveForm,
    outcome: golmok_core::Result<T>,
) -> Result<Response, PageError> {
    let t = visitor.lang.texts();
    let why = match outcome {
        Ok(_) => {
            return Ok(see_other(&format!(
                "/admin/networks/{}?saved=1",
                encode(network_id)
            )));
        }
        Err(DomainError::Invalid(_)) => t.err_wave_times,
        Err(DomainError::Conflict {
            code: "last_wave", ..
        }) => t.err_last_wave,
        Err(DomainError::Conflict { .. }) => t.err_wave_booked,
        Err(other) => return Err(other.into()),
    };
    let network = network::get_network(&pages.db, network_id).await?;
    let typed = Typed {
        wave: Some((which, form, why)),
        ..Typed::default()
    };
    network_page(pages, visitor, network, typed).await
}

/// `POST /admin/networks/{id}/waves`: a new daily wave.
pub async fn add_wave(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(id): Path<String>,
    CsrfForm { form, .. }: CsrfForm<WaveForm>,
) -> Result<Response, PageError> {
    let account = visitor.require(Role::Admin)?;
    let outcome = network::add_wave(&pages.db, account, &id, form.spec()).await;
    wave_answered(&pages, &visitor, &id, "new".into(), form, outcome).await
}

/// `POST /admin/networks/{id}/waves/{wave}`: a wave's name or times.
pub async fn change_wave(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path((id, wave_id)): Path<(String, String)>,
    CsrfForm { form, .. }: CsrfForm<WaveForm>,
) -> Result<Response, PageError> {
    let account = visitor.require(Role::Admin)?;
    let outcome = network::change_wave(&pages.db, account, &id, &wave_id, form.spec()).await;
    wave_answered(&pages, &visitor, &id, wave_id, form, outcome).await
}

/// `POST /admin/networks/{id}/waves/{wave}/retire` (or `/restore`): the wave's slots take no
/// new booking, or take them again; the network's last bookable wave stays, said beside it.
pub async fn retire_wave(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path((id, wave_id, step)): Path<(String, String, String)>,
    CsrfForm { form, .. }: CsrfForm<WaveForm>,
) -> Result<Response, PageError> {
    let account = visitor.require(Role::Admin)?;
    let outcome = match step.as_str() {
        "retire" => network::retire_wave(&pages.db, account, &id, &wave_id).await,
        "restore" => network::restore_wave(&pages.db, account, &id, &wave_id).await,
        _ => return Err(PageError::NotFound),
    };
    wave_answered(&pages, &visitor, &id, wave_id, form, outcome).await
}

pub fn routes() -> axum::Router<crate::Pages> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/admin/networks", get(networks).post(create))
        .route("/admin/networks/{id}", get(show).post(save))
        .route("/admin/networks/{id}/area", post(redraw_area))
        .route("/admin/networks/{id}/waves", post(add_wave))
        .route("/admin/networks/{id}/waves/{wave}", post(change_wave))
        .route(
            "/admin/networks/{id}/waves/{wave}/{step}",
            post(retire_wave),
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn settings_refuse_each_field_beside_it_and_an_empty_capacity_gives_it_to_the_fleet() {
        let t = Lang::En.texts();
        let form = SettingsForm {
            name: "마포".into(),
            lat: "37.55".into(),
            lon: "126.9".into(),
            delivery_fee: "3,500".into(),
            free_over: "40000".into(),
            slot_capacity: String::new(),
            stops_per_hour: "12".into(),
            margin: "10".into(),
            move_without_consent: None,
            photo_proof_allowed: Some("on".into()),
        };
        let changes = form.changes(t).unwrap();
        assert_eq!(changes.delivery_fee_krw, Some(3_500));
        assert_eq!(changes.slot_capacity, Some(None));
        assert_eq!(changes.move_without_consent, Some(false));
        assert_eq!(changes.photo_proof_allowed, Some(true));
        let wrong = SettingsForm {
            delivery_fee: "free".into(),
            slot_capacity: "-3".into(),
            margin: "".into(),
            lat: "37.55".into(),
            lon: "".into(),
            ..form
        };
        let errors = wrong.changes(t).unwrap_err();
        assert_eq!(
            errors.keys().copied().collect::<Vec<_>>(),
            ["delivery_fee", "hub", "margin", "slot_capacity"]
        );
    }
}
