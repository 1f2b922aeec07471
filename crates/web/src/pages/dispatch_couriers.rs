//! A network's couriers for those who run it: who rides, on what, carrying how much, in which
//! shift; a courier signed on by the email of their courier account (made at sign-up), their
//! vehicle, load or shift changed in place, and withdrawn with one button. The planner takes
//! the roster as it stands at each plan.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use golmok_accounts::Account;
use golmok_core::DomainError;
use golmok_delivery_routing::courier::{Capacity, CourierChanges, NewCourier, Shift, VehicleKind};
use golmok_delivery_routing::network::Network;
use serde::Deserialize;

use super::{Chrome, NoFields, encode, refused_if, render_with, see_other};
use crate::Pages;
use crate::error::PageError;
use crate::i18n::Texts;
use crate::session::{CsrfForm, Visitor};

pub struct RiderRow {
    pub id: String,
    pub name: String,
    pub vehicle: &'static str,
    pub capacity: String,
    pub shift: String,
    /// Its account is suspended: no deliveries for it until reinstated.
    pub suspended: bool,
    /// The change form as it stands (the rider's values, or what was typed and refused).
    pub form: SignOnForm,
    pub errors: BTreeMap<&'static str, &'static str>,
}

/// The sign-on form as typed.
#[derive(Debug, Clone, Deserialize)]
pub struct SignOnForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    vehicle: String,
    #[serde(default)]
    kg: String,
    #[serde(default)]
    liters: String,
    #[serde(default)]
    start: String,
    #[serde(default)]
    end: String,
}

impl Default for SignOnForm {
    fn default() -> Self {
        Self {
            email: String::new(),
            vehicle: VehicleKind::CargoBike.as_str().to_owned(),
            kg: "40".into(),
            liters: "80".into(),
            start: "10:00".into(),
            end: "20:00".into(),
        }
    }
}

#[derive(Template)]
#[template(path = "dispatch_couriers.html")]
struct RosterPage {
    c: Chrome,
    network: Network,
    riders: Vec<RiderRow>,
    vehicles: Vec<(&'static str, &'static str)>,
    form: SignOnForm,
    errors: BTreeMap<&'static str, &'static str>,
    flash: Option<&'static str>,
}

/// A courier riding for `network_id` (another network's is not found here).
async fn rider_of(
    pages: &Pages,
    network_id: &str,
    courier_id: &str,
) -> Result<golmok_delivery_routing::courier::Courier, PageError> {
    let rider = golmok_delivery_routing::courier::get_courier(&pages.db, courier_id).await?;
    if rider.network_id == network_id {
        Ok(rider)
    } else {
        Err(PageError::NotFound)
    }
}

/// The network, if `account` runs it.
async fn run_network(
    pages: &Pages,
    account: &Account,
    network_id: &str,
) -> Result<Network, PageError> {
    let network = golmok_delivery_routing::network::get_network(&pages.db, network_id).await?;
    golmok_catalog::consortium::ensure_runs_network(&pages.db, account, network_id).await?;
    Ok(network)
}

/// A rider's change form refused: whose, what was typed, why.
type RefusedChange = (String, SignOnForm, BTreeMap<&'static str, &'static str>);

async fn page(
    pages: &Pages,
    visitor: &Visitor,
    network: Network,
    form: SignOnForm,
    errors: BTreeMap<&'static str, &'static str>,
    flash: Option<&'static str>,
    mut refused_change: Option<RefusedChange>,
) -> Result<Response, PageError> {
    let t = visitor.lang.texts();
    let couriers = golmok_delivery_routing::courier::couriers_of(&pages.db, &network.id).await?;
    let ids: Vec<String> = couriers.iter().map(|c| c.account_id.clone()).collect();
    let names = golmok_accounts::names_of(&pages.db, &ids).await?;
    let riders: Vec<RiderRow> = couriers
        .into_iter()
        .map(|c| {
            let (form, errors) = match refused_change.take_if(|(id, _, _)| *id == c.id) {
                Some((_, form, errors)) => (form, errors),
                None => (
                    SignOnForm {
                        email: String::new(),
                        vehicle: c.vehicle.as_str().to_owned(),
                        kg: c.capacity.kg.to_string(),
                        liters: c.capacity.liters.to_string(),
                        start: c.shift.start.clone(),
                        end: c.shift.end.clone(),
                    },
                    BTreeMap::new(),
                ),
            };
            RiderRow {
                name: names.get(&c.account_id).cloned().unwrap_or_default(),
                vehicle: super::courier::vehicle(t, c.vehicle),
                capacity: format!("{} kg · {} L", c.capacity.kg, c.capacity.liters),
                shift: format!("{}–{}", c.shift.start, c.shift.end),
                suspended: c.suspended,
                id: c.id,
                form,
                errors,
            }
        })
        .collect();
    let refused = !errors.is_empty() || riders.iter().any(|r| !r.errors.is_empty());
    render_with(
        refused_if(refused),
        &RosterPage {
            vehicles: VehicleKind::ALL
                .into_iter()
                .map(|k| (k.as_str(), super::courier::vehicle(t, k)))
                .collect(),
            network,
            riders,
            form,
            errors,
            flash,
            c: Chrome::load(pages, visitor).await?,
        },
    )
}

#[derive(Deserialize)]
pub struct RosterQuery {
    signed_on: Option<String>,
    changed: Option<String>,
    withdrawn: Option<String>,
}

/// `GET /dispatch/{network}/couriers`.
pub async fn roster(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(network_id): Path<String>,
    Query(query): Query<RosterQuery>,
) -> Result<Response, PageError> {
    let account = visitor.require(golmok_accounts::Role::Coordinator)?;
    let network = run_network(&pages, account, &network_id).await?;
    let t = visitor.lang.texts();
    let flash = if query.signed_on.is_some() {
        Some(t.courier_signed_on)
    } else if query.changed.is_some() {
        Some(t.courier_changed)
    } else {
        query.withdrawn.map(|_| t.courier_withdrawn)
    };
    page(
        &pages,
        &visitor,
        network,
        SignOnForm::default(),
        BTreeMap::new(),
        flash,
        None,
    )
    .await
}

/// What the form says, or its refusals before the routing crate is asked.
fn parse(
    t: &Texts,
    network_id: &str,
    account_id: Option<String>,
    form: &SignOnForm,
) -> Result<NewCourier, BTreeMap<&'static str, &'static str>> {
    let mut errors = BTreeMap::new();
    if account_id.is_none() {
        errors.insert("email", t.err_courier_email);
    }
    let vehicle = VehicleKind::parse(form.vehicle.trim());
    if vehicle.is_none() {
        errors.insert("vehicle", t.err_check_field);
    }
    let number = |s: &str| s.trim().parse::<f64>().ok().filter(|x| x.is_finite());
    let (kg, liters) = (number(&form.kg), number(&form.liters));
    if kg.is_none() || liters.is_none() {
        errors.insert("capacity", t.err_courier_capacity);
    }
    match (account_id, vehicle, kg, liters) {
        (Some(account_id), Some(vehicle), Some(kg), Some(liters)) if errors.is_empty() => {
            Ok(NewCourier {
                account_id,
                network_id: network_id.to_owned(),
                vehicle,
                capacity: Capacity { kg, liters },
                shift: Shift {
                    start: form.start.trim().to_owned(),
                    end: form.end.trim().to_owned(),
                },
            })
        }
        _ => Err(errors),
    }
}

/// `POST /dispatch/{network}/couriers`: signed on, or the roster again with each refusal
/// beside its field.
pub async fn sign_on(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(network_id): Path<String>,
    CsrfForm { form, .. }: CsrfForm<SignOnForm>,
) -> Result<Response, PageError> {
    let account = visitor.require(golmok_accounts::Role::Coordinator)?;
    let network = run_network(&pages, account, &network_id).await?;
    let t = visitor.lang.texts();
    let found = match golmok_accounts::find_by_email(&pages.db, &form.email).await {
        Ok(rider) => Some(rider.id),
        Err(DomainError::NotFound { .. }) => None,
        Err(e) => return Err(e.into()),
    };
    let errors = match parse(t, &network_id, found, &form) {
        Err(errors) => errors,
        Ok(new) => {
            match golmok_delivery_routing::courier::create_courier(&pages.db, account, new).await {
                Ok(_) => {
                    return Ok(see_other(&format!(
                        "/dispatch/{}/couriers?signed_on=1",
                        encode(&network_id)
                    )));
                }
                Err(DomainError::Invalid(v)) if v.0.iter().any(|f| f.field == "account_id") => {
                    BTreeMap::from([("email", t.err_courier_email)])
                }
                Err(DomainError::Invalid(v)) => ride_refusals(t, &v),
                Err(DomainError::Conflict { .. }) => {
                    BTreeMap::from([("email", t.err_courier_taken)])
                }
                Err(e) => return Err(e.into()),
            }
        }
    };
    page(&pages, &visitor, network, form, errors, None, None).await
}

/// The routing crate's refusals of a vehicle, load or shift, beside the fields.
fn ride_refusals(
    t: &Texts,
    v: &golmok_core::ValidationErrors,
) -> BTreeMap<&'static str, &'static str> {
    v.0.iter()
        .map(|f| match f.field.split('.').next().unwrap_or_default() {
            "shift" => ("shift", t.err_courier_shift),
            _ => ("capacity", t.err_courier_capacity),
        })
        .collect()
}

/// `POST /dispatch/{network}/couriers/{courier}`: the rider's vehicle, load and shift from
/// now on; or the roster again with the rider's form open and each refusal beside its field.
pub async fn change(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path((network_id, courier_id)): Path<(String, String)>,
    CsrfForm { form, .. }: CsrfForm<SignOnForm>,
) -> Result<Response, PageError> {
    let account = visitor.require(golmok_accounts::Role::Coordinator)?;
    let network = run_network(&pages, account, &network_id).await?;
    let rider = rider_of(&pages, &network_id, &courier_id).await?;
    let t = visitor.lang.texts();
    // The email is the rider's own: parse checks only the vehicle and the load here.
    let errors = match parse(t, &network_id, Some(rider.account_id), &form) {
        Err(errors) => errors,
        Ok(new) => {
            let changes = CourierChanges {
                vehicle: new.vehicle,
                capacity: new.capacity,
                shift: new.shift,
            };
            match golmok_delivery_routing::courier::update_courier(
                &pages.db,
                account,
                &courier_id,
                changes,
            )
            .await
            {
                Ok(_) => {
                    return Ok(see_other(&format!(
                        "/dispatch/{}/couriers?changed=1",
                        encode(&network_id)
                    )));
                }
                Err(DomainError::Invalid(v)) => ride_refusals(t, &v),
                Err(e) => return Err(e.into()),
            }
        }
    };
    let refused = Some((courier_id, form, errors));
    page(
        &pages,
        &visitor,
        network,
        SignOnForm::default(),
        BTreeMap::new(),
        None,
        refused,
    )
    .await
}

/// `POST /dispatch/{network}/couriers/{courier}/withdraw`.
pub async fn withdraw(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path((network_id, courier_id)): Path<(String, String)>,
    _: CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let account = visitor.require(golmok_accounts::Role::Coordinator)?;
    run_network(&pages, account, &network_id).await?;
    rider_of(&pages, &network_id, &courier_id).await?;
    golmok_delivery_routing::courier::withdraw_courier(&pages.db, account, &courier_id).await?;
    Ok(see_other(&format!(
        "/dispatch/{}/couriers?withdrawn=1",
        encode(&network_id)
    )))
}

pub fn routes() -> axum::Router<crate::Pages> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/dispatch/{network}/couriers", get(roster).post(sign_on))
        .route("/dispatch/{network}/couriers/{courier}", post(change))
        .route(
            "/dispatch/{network}/couriers/{courier}/withdraw",
            post(withdraw),
        )
}
