//! HTTP for `golmok-delivery-routing`: networks and their slots, couriers, planning, and what
//! couriers do at their stops.

use std::time::Duration;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use golmok_accounts::Role;
use golmok_delivery_routing::batch::{self, Proof};
use golmok_delivery_routing::courier::{self, Courier, NewCourier};
use golmok_delivery_routing::network::{self, Network, NewNetwork, Slot};
use golmok_delivery_routing::planner::{self, Batch, Plan, PlannedStop};
use golmok_ordering::lifecycle::CourierEvents;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiQuery, Session};
use crate::routes::catalog::Items;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_network, list_networks))
        .routes(routes!(get_network))
        .routes(routes!(slots))
        .routes(routes!(create_courier))
        .routes(routes!(plan_slot))
        .routes(routes!(my_batches))
        .routes(routes!(complete_stop))
        .routes(routes!(fail_stop))
        .routes(routes!(reschedule))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reschedule {
    pub slot_id: String,
}

/// Move a delivery nobody carries (left unassigned, or back after a failed pickup) to a later
/// slot of its network; it is planned with that slot.
#[utoipa::path(post, path = "/v1/merchant-orders/{id}/reschedule", tag = "delivery", security(("bearer" = [])),
    request_body = Reschedule,
    responses((status = 204), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn reschedule(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Reschedule>,
) -> Result<StatusCode, ApiError> {
    golmok_delivery_routing::task::reschedule(&state.db, &session.account, &id, &body.slot_id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A co-delivery network: service area, hub and daily waves.
#[utoipa::path(post, path = "/v1/networks", tag = "delivery", security(("bearer" = [])),
    request_body = NewNetwork,
    responses((status = 201, body = Network), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create_network(
    State(state): State<AppState>,
    session: Session,
    ApiJson(body): ApiJson<NewNetwork>,
) -> Result<(StatusCode, Json<Network>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(network::create_network(&state.db, &session.account, body).await?),
    ))
}

#[utoipa::path(get, path = "/v1/networks", tag = "delivery", responses((status = 200, body = Items<Network>)))]
async fn list_networks(State(state): State<AppState>) -> Result<Json<Items<Network>>, ApiError> {
    Ok(Json(Items::all(network::list_networks(&state.db).await?)))
}

#[utoipa::path(get, path = "/v1/networks/{id}", tag = "delivery",
    responses((status = 200, body = Network), (status = 404, body = Problem)))]
async fn get_network(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Network>, ApiError> {
    Ok(Json(network::get_network(&state.db, &id).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SlotParams {
    /// A Seoul date, `YYYY-MM-DD`.
    date: NaiveDate,
}

/// The network's waves on a date, with their cut-offs and whether they still take orders.
#[utoipa::path(get, path = "/v1/networks/{id}/slots", tag = "delivery", params(SlotParams),
    responses((status = 200, body = Items<Slot>), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn slots(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(params): ApiQuery<SlotParams>,
) -> Result<Json<Items<Slot>>, ApiError> {
    Ok(Json(Items::all(
        network::slots(&state.db, &id, params.date).await?,
    )))
}

/// Sign a courier account on to a network with its vehicle and shift.
#[utoipa::path(post, path = "/v1/couriers", tag = "delivery", security(("bearer" = [])),
    request_body = NewCourier,
    responses((status = 201, body = Courier), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create_courier(
    State(state): State<AppState>,
    session: Session,
    ApiJson(body): ApiJson<NewCourier>,
) -> Result<(StatusCode, Json<Courier>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(courier::create_courier(&state.db, &session.account, body).await?),
    ))
}

/// Plan a slot now (it is also planned by itself at its cut-off). Planning again replaces
/// the batches no courier has started.
#[utoipa::path(post, path = "/v1/networks/{id}/slots/{slot_id}/plan", tag = "delivery", security(("bearer" = [])),
    responses((status = 200, body = Plan), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn plan_slot(
    State(state): State<AppState>,
    session: Session,
    Path((id, slot_id)): Path<(String, String)>,
) -> Result<Json<Plan>, ApiError> {
    session.require(&[Role::Admin])?;
    let budget = Duration::from_secs_f64(state.settings.routing.plan_budget_secs);
    Ok(Json(
        planner::plan_slot(
            &state.db,
            state.travel_times.as_ref(),
            &id,
            &slot_id,
            budget,
        )
        .await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BatchParams {
    /// `planned`, `started` or `done`.
    status: Option<String>,
}

/// The calling courier's batches with their ordered stops.
#[utoipa::path(get, path = "/v1/couriers/me/batches", tag = "delivery", security(("bearer" = [])), params(BatchParams),
    responses((status = 200, body = Items<Batch>), (status = 403, body = Problem)))]
async fn my_batches(
    State(state): State<AppState>,
    session: Session,
    ApiQuery(params): ApiQuery<BatchParams>,
) -> Result<Json<Items<Batch>>, ApiError> {
    session.require(&[Role::Courier])?;
    Ok(Json(Items::all(
        batch::my_batches(&state.db, &session.account, params.status.as_deref()).await?,
    )))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Completion {
    pub proof: Proof,
}

/// Complete a stop with proof: a pickup moves the merchant order to picked up, a drop-off to
/// delivered.
#[utoipa::path(post, path = "/v1/stops/{id}/complete", tag = "delivery", security(("bearer" = [])),
    request_body = Completion,
    responses((status = 200, body = PlannedStop), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn complete_stop(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Completion>,
) -> Result<Json<PlannedStop>, ApiError> {
    session.require(&[Role::Courier])?;
    let events = CourierEvents {
        ctx: state.ordering(),
    };
    Ok(Json(
        batch::complete_stop(&state.db, &session.account, &id, body.proof, &events).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Failure {
    pub reason: String,
}

/// Record that a stop could not be made, and why.
#[utoipa::path(post, path = "/v1/stops/{id}/fail", tag = "delivery", security(("bearer" = [])),
    request_body = Failure,
    responses((status = 200, body = PlannedStop), (status = 403, body = Problem), (status = 409, body = Problem)))]
async fn fail_stop(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Failure>,
) -> Result<Json<PlannedStop>, ApiError> {
    session.require(&[Role::Courier])?;
    let events = CourierEvents {
        ctx: state.ordering(),
    };
    Ok(Json(
        batch::fail_stop(&state.db, &session.account, &id, &body.reason, &events).await?,
    ))
}
