//! HTTP for `golmok-delivery-routing`: networks and their slots, couriers, planning, and what
//! couriers do at their stops.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use golmok_accounts::Role;
use golmok_delivery_routing::batch::{self, Proof};
use golmok_delivery_routing::courier::{self, Courier, CourierChanges, NewCourier};
use golmok_delivery_routing::network::{
    self, Network, NetworkChanges, NewNetwork, Slot, Wave, WaveSpec,
};
use golmok_delivery_routing::planner::{self, Batch, Plan, PlannedStop};
use golmok_ordering::lifecycle::CourierEvents;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiQuery, IdempotencyHeader, Session};
use crate::routes::lists::Items;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_network, list_networks))
        .routes(routes!(get_network, update_network))
        .routes(routes!(add_wave))
        .routes(routes!(change_wave))
        .routes(routes!(retire_wave))
        .routes(routes!(restore_wave))
        .routes(routes!(slots))
        .routes(routes!(create_courier))
        .routes(routes!(plan_slot, current_plan))
        .routes(routes!(my_batches))
        .routes(routes!(my_handed_away))
        .routes(routes!(start_batch))
        .routes(routes!(hand_over_batch))
        .routes(routes!(report_position))
        .routes(routes!(complete_stop))
        .routes(routes!(fail_stop))
        .routes(routes!(reschedule))
        .routes(routes!(turn_into_pickup))
        .routes(routes!(withdraw_courier))
        .routes(routes!(update_courier))
        .routes(routes!(left_out))
        .routes(routes!(move_to_courier))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveToCourier {
    pub courier_id: String,
}

/// Give a delivery to one of the network's couriers and plan its slot again: this and every
/// later plan of the slot keep it on that courier's route. For the network's coordinators
/// and admins, while no courier has set out with it (409 `batch_under_way`: hand its batch
/// over instead, `POST /v1/batches/{id}/courier`) or picked it up (409
/// `delivery_under_way`).
#[utoipa::path(post, path = "/v1/merchant-orders/{id}/courier", tag = "delivery", security(("bearer" = [])),
    request_body = MoveToCourier,
    responses((status = 200, body = Plan), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn move_to_courier(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<MoveToCourier>,
) -> Result<Json<Plan>, ApiError> {
    let task = golmok_delivery_routing::task::task_of(&state.db, &id).await?;
    golmok_catalog::consortium::ensure_runs_network(&state.db, &session.account, &task.network_id)
        .await?;
    golmok_delivery_routing::task::bind_to_courier(&state.db, &id, &body.courier_id).await?;
    let budget = state.settings.routing.plan_budget();
    Ok(Json(
        planner::plan_slot(
            &state.db,
            state.travel_times.as_ref(),
            &golmok_ordering::delivery::PlanHistory,
            &task.network_id,
            &task.slot_id,
            budget,
        )
        .await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reschedule {
    pub slot_id: String,
}

/// Move a delivery nobody carries (left out by a plan, or back at the hub after a failed
/// drop-off) to another slot of its network, where it is planned. The shopper may (their
/// consent); the consortium's coordinators may when the network's policy allows it, and
/// admins. The order's history says who moved it.
#[utoipa::path(post, path = "/v1/merchant-orders/{id}/reschedule", tag = "delivery", security(("bearer" = [])),
    request_body = Reschedule,
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn reschedule(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Reschedule>,
) -> Result<StatusCode, ApiError> {
    golmok_ordering::delivery::move_to_slot(state.ordering(), &session.account, &id, &body.slot_id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Turn a delivery nobody carries into a pick-up at the shop: the shop marks it collected
/// when the shopper comes. For the shopper, the consortium's coordinators and admins.
#[utoipa::path(post, path = "/v1/merchant-orders/{id}/pickup", tag = "delivery", security(("bearer" = [])),
    responses((status = 200, body = golmok_ordering::Order), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn turn_into_pickup(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Json<golmok_ordering::Order>, ApiError> {
    Ok(Json(
        golmok_ordering::delivery::turn_into_pickup(state.ordering(), &session.account, &id)
            .await?,
    ))
}

/// Take a courier off the network (ill, vehicle broken): slots lose their room, and the
/// next plan of each slot leaves out what the others cannot carry, listed with reasons.
#[utoipa::path(post, path = "/v1/couriers/{id}/withdraw", tag = "delivery", security(("bearer" = [])),
    responses((status = 200, body = Courier), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn withdraw_courier(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Json<Courier>, ApiError> {
    let rider = courier::get_courier(&state.db, &id).await?;
    golmok_catalog::consortium::ensure_runs_network(&state.db, &session.account, &rider.network_id)
        .await?;
    Ok(Json(
        courier::withdraw_courier(&state.db, &session.account, &id).await?,
    ))
}

/// Change a courier's vehicle, load and daily shift (a coordinator running its network, or
/// an admin): the slots' room and the next plans follow.
#[utoipa::path(put, path = "/v1/couriers/{id}", tag = "delivery", security(("bearer" = [])),
    request_body = CourierChanges,
    responses((status = 200, body = Courier), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn update_courier(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CourierChanges>,
) -> Result<Json<Courier>, ApiError> {
    let rider = courier::get_courier(&state.db, &id).await?;
    golmok_catalog::consortium::ensure_runs_network(&state.db, &session.account, &rider.network_id)
        .await?;
    Ok(Json(
        courier::update_courier(&state.db, &session.account, &id, body).await?,
    ))
}

#[derive(Debug, serde::Serialize, ToSchema)]
pub struct LeftOutView {
    pub order_id: String,
    pub merchant_order_id: String,
    pub merchant_id: String,
    /// `too_large`, `out_of_time`, `no_capacity_left` or `no_courier`.
    pub reason: String,
}

/// The deliveries of a slot its latest plan left out, each with its reason: what the
/// network's coordinators resolve (add a courier and plan again, move, or pick-up).
#[utoipa::path(get, path = "/v1/networks/{id}/slots/{slot_id}/left-out", tag = "delivery", security(("bearer" = [])),
    responses((status = 200, body = Items<LeftOutView>), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn left_out(
    State(state): State<AppState>,
    session: Session,
    Path((id, slot_id)): Path<(String, String)>,
) -> Result<Json<Items<LeftOutView>>, ApiError> {
    golmok_catalog::consortium::ensure_runs_network(&state.db, &session.account, &id).await?;
    let (net, _) = network::slot(&state.db, &slot_id).await?;
    if net.id != id {
        return Err(ApiError::not_found(format!(
            "no slot {slot_id} in network {id}"
        )));
    }
    let items = golmok_delivery_routing::task::left_out_in_slot(&state.db, &slot_id)
        .await?
        .into_iter()
        .map(|l| LeftOutView {
            order_id: l.order_id,
            merchant_order_id: l.merchant_order_id,
            merchant_id: l.merchant_id,
            reason: l.reason,
        })
        .collect();
    Ok(Json(Items::all(items)))
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

/// Changes a network's name, hub, area, slot capacity, fees or rules (admin). An area drawn
/// again must still reach the district of every consortium delivering through the network
/// (409 `area_leaves_served` on `area`, naming them): move those to another network first.
#[utoipa::path(patch, path = "/v1/networks/{id}", tag = "delivery", security(("bearer" = [])),
    request_body = NetworkChanges,
    responses((status = 200, body = Network), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update_network(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NetworkChanges>,
) -> Result<Json<Network>, ApiError> {
    Ok(Json(
        golmok_programme::consortia::change_network(&state.db, &session.account, &id, body).await?,
    ))
}

/// A new daily wave of a network (admin).
#[utoipa::path(post, path = "/v1/networks/{id}/waves", tag = "delivery", security(("bearer" = [])),
    request_body = WaveSpec,
    responses((status = 201, body = Wave), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn add_wave(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<WaveSpec>,
) -> Result<(StatusCode, Json<Wave>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(network::add_wave(&state.db, &session.account, &id, body).await?),
    ))
}

/// A wave's name or times (admin); its times stay while a slot of it from today on holds a
/// booking (409 `wave_booked`).
#[utoipa::path(put, path = "/v1/networks/{id}/waves/{wave_id}", tag = "delivery", security(("bearer" = [])),
    request_body = WaveSpec,
    responses((status = 200, body = Wave), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn change_wave(
    State(state): State<AppState>,
    session: Session,
    Path((id, wave_id)): Path<(String, String)>,
    ApiJson(body): ApiJson<WaveSpec>,
) -> Result<Json<Wave>, ApiError> {
    Ok(Json(
        network::change_wave(&state.db, &session.account, &id, &wave_id, body).await?,
    ))
}

/// Retires a wave (admin): its slots take no new booking (409 `wave_retired` at checkout) and
/// leave the slot list unless they hold bookings, which are still planned and delivered. The
/// network's last bookable wave stays (409 `last_wave`).
#[utoipa::path(post, path = "/v1/networks/{id}/waves/{wave_id}/retire", tag = "delivery", security(("bearer" = [])),
    responses((status = 200, body = Network), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn retire_wave(
    State(state): State<AppState>,
    session: Session,
    Path((id, wave_id)): Path<(String, String)>,
) -> Result<Json<Network>, ApiError> {
    Ok(Json(
        network::retire_wave(&state.db, &session.account, &id, &wave_id).await?,
    ))
}

/// Brings a retired wave back (admin): its slots take bookings again.
#[utoipa::path(post, path = "/v1/networks/{id}/waves/{wave_id}/restore", tag = "delivery", security(("bearer" = [])),
    responses((status = 200, body = Network), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn restore_wave(
    State(state): State<AppState>,
    session: Session,
    Path((id, wave_id)): Path<(String, String)>,
) -> Result<Json<Network>, ApiError> {
    Ok(Json(
        network::restore_wave(&state.db, &session.account, &id, &wave_id).await?,
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
    /// A basket's deliveries (one per shop); with `kg` and `liters`, `fits` says whether a
    /// slot can still take it. 1 when absent.
    tasks: Option<u32>,
    kg: Option<f64>,
    liters: Option<f64>,
}

#[derive(Debug, serde::Serialize, ToSchema)]
pub struct SlotView {
    #[serde(flatten)]
    pub slot: Slot,
    /// Whether the slot can still take a basket of the asked size.
    pub fits: bool,
}

/// The network's waves on a date: cut-offs, what their couriers can still carry, and whether
/// they can take a basket of a given size.
#[utoipa::path(get, path = "/v1/networks/{id}/slots", tag = "delivery", params(SlotParams),
    responses((status = 200, body = Items<SlotView>), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn slots(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(params): ApiQuery<SlotParams>,
) -> Result<Json<Items<SlotView>>, ApiError> {
    let mut invalid = golmok_core::ValidationErrors::new();
    for (field, value) in [("kg", params.kg), ("liters", params.liters)] {
        if value.is_some_and(|v| !(v.is_finite() && (0.0..=10_000.0).contains(&v))) {
            invalid.add(field, "must be from 0 to 10000");
        }
    }
    invalid.into_result().map_err(ApiError::invalid)?;
    let size = golmok_delivery_routing::capacity::Load {
        tasks: i64::from(params.tasks.unwrap_or(1)),
        grams: (params.kg.unwrap_or(0.0) * 1000.0).round() as i64,
        millilitres: (params.liters.unwrap_or(0.0) * 1000.0).round() as i64,
    };
    let items = network::slots(&state.db, &id, params.date)
        .await?
        .into_iter()
        .map(|slot| SlotView {
            fits: slot.fits(&size),
            slot,
        })
        .collect();
    Ok(Json(Items::all(items)))
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
    if session.account.role == Role::Coordinator {
        golmok_catalog::consortium::ensure_runs_network(
            &state.db,
            &session.account,
            &body.network_id,
        )
        .await?;
    }
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
    golmok_catalog::consortium::ensure_runs_network(&state.db, &session.account, &id).await?;
    let budget = state.settings.routing.plan_budget();
    Ok(Json(
        planner::plan_slot(
            &state.db,
            state.travel_times.as_ref(),
            &golmok_ordering::delivery::PlanHistory,
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
    status: Option<golmok_delivery_routing::BatchStatus>,
    /// Only batches of slots on this Seoul date, `YYYY-MM-DD`.
    date: Option<NaiveDate>,
    limit: Option<u64>,
    cursor: Option<String>,
}

/// The calling courier's batches with their ordered stops.
#[utoipa::path(get, path = "/v1/couriers/me/batches", tag = "delivery", security(("bearer" = [])), params(BatchParams),
    responses((status = 200, body = golmok_core::Page<Batch>), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn my_batches(
    State(state): State<AppState>,
    session: Session,
    ApiQuery(params): ApiQuery<BatchParams>,
) -> Result<Json<golmok_core::Page<Batch>>, ApiError> {
    session.require(&[Role::Courier])?;
    let query = batch::BatchQuery {
        status: params.status,
        date: params.date,
        limit: golmok_core::page::limit(params.limit)?,
        cursor: params.cursor,
    };
    Ok(Json(
        golmok_ordering::containers::courier_batches(&state.db, &session.account, &query).await?,
    ))
}

/// The calling courier's batches a dispatcher handed to another courier, latest first (the
/// last 20): when, and to whom. Their stops are no longer the caller's to see.
#[utoipa::path(get, path = "/v1/couriers/me/handed-over", tag = "delivery", security(("bearer" = [])),
    responses((status = 200, body = Items<batch::HandedAway>), (status = 403, body = Problem)))]
async fn my_handed_away(
    State(state): State<AppState>,
    session: Session,
) -> Result<Json<Items<batch::HandedAway>>, ApiError> {
    session.require(&[Role::Courier])?;
    Ok(Json(Items::all(
        batch::handed_away(&state.db, &session.account).await?,
    )))
}

/// The calling courier sets out on a planned batch; later plans leave it with them.
#[utoipa::path(post, path = "/v1/batches/{id}/start", tag = "delivery", security(("bearer" = [])),
    responses((status = 200, body = Batch), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn start_batch(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Json<Batch>, ApiError> {
    session.require(&[Role::Courier])?;
    Ok(Json(
        batch::start_batch(&state.db, &session.account, &id).await?,
    ))
}

/// Pass a batch under way to another courier of its network (its courier fell ill, the van
/// broke down, the account was suspended): the stops still ahead go with it, and the new
/// courier first collects what is on board from the one before, whom `handed_over` names.
/// For the network's coordinators and admins. The new courier must be on duty on the network
/// (422 on `courier_id`) and carry the rest of the route at its fullest (409
/// `courier_too_small`, with what it needs); a batch not under way is 409
/// `batch_not_under_way` (the next plan gives a planned one), and one handed over or finished
/// while this call ran 409 `batch_moved` (so is one no longer with `from_courier_id`, when
/// given: the courier the dispatcher saw it with).
#[utoipa::path(post, path = "/v1/batches/{id}/courier", tag = "delivery", security(("bearer" = [])),
    request_body = HandOver,
    responses((status = 200, body = Batch), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn hand_over_batch(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<HandOver>,
) -> Result<Json<Batch>, ApiError> {
    let network_id = batch::network_of(&state.db, &id).await?;
    golmok_catalog::consortium::ensure_runs_network(&state.db, &session.account, &network_id)
        .await?;
    Ok(Json(
        batch::hand_over(
            &state.db,
            &session.account,
            &id,
            &body.courier_id,
            body.from_courier_id.as_deref(),
        )
        .await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HandOver {
    /// The courier who takes the rest of the route.
    pub courier_id: String,
    /// The courier the dispatcher saw the batch with: if another dispatcher handed it on
    /// meanwhile, the call is refused (409 `batch_moved`) rather than passing it again.
    #[serde(default)]
    pub from_courier_id: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PositionReport {
    pub location: golmok_core::Coordinates,
}

/// Where the calling courier is, on a batch under way (their phone shares it with their
/// consent): the stops left are re-timed from there, the shoppers whose drop-off moved are
/// told, and the network's dispatch board follows. Forgotten when the batch is done.
#[utoipa::path(post, path = "/v1/batches/{id}/position", tag = "delivery", security(("bearer" = [])),
    request_body = PositionReport,
    responses((status = 200, body = Batch), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn report_position(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PositionReport>,
) -> Result<Json<Batch>, ApiError> {
    session.require(&[Role::Courier])?;
    Ok(Json(
        golmok_delivery_routing::position::report(&state.db, &session.account, &id, body.location)
            .await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Completion {
    pub proof: Proof,
    /// When the stop was made, if the phone kept it while it had no network and sends it
    /// now: recorded as the stop's time, and a stop made before its batch was handed to
    /// another courier is still taken from the courier who made it (409
    /// `batch_handed_over` for one made after). Not after now (422).
    #[serde(default)]
    pub made_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The phone's clock as it sends this, beside `made_at`: a phone whose clock is off
    /// still has its stop placed right (the time between the two is counted back from
    /// now).
    #[serde(default)]
    pub sent_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// Complete a stop with proof: a pickup moves the merchant order to picked up, a drop-off to
/// delivered.
#[utoipa::path(post, path = "/v1/stops/{id}/complete", tag = "delivery", security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "A retry completes once")),
    request_body = Completion,
    responses((status = 200, body = PlannedStop), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn complete_stop(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    IdempotencyHeader(key): IdempotencyHeader,
    ApiJson(body): ApiJson<Completion>,
) -> Result<Json<PlannedStop>, ApiError> {
    session.require(&[Role::Courier])?;
    let events = CourierEvents::new(state.ordering());
    let done = batch::complete_stop(
        &state.db,
        &session.account,
        &id,
        body.proof,
        batch::made_by_phone(body.made_at, body.sent_at),
        &events,
        state.login_failures.as_ref(),
    )
    .await;
    events.finish().await?;
    Ok(Json(
        retried(
            &state,
            &session,
            &id,
            key,
            done,
            golmok_delivery_routing::StopStatus::Completed,
        )
        .await?,
    ))
}

/// With an `Idempotency-Key`, a completion or failure sent again answers as the first did.
async fn retried(
    state: &AppState,
    session: &Session,
    id: &str,
    key: Option<String>,
    outcome: golmok_delivery_routing::Result<PlannedStop>,
    wanted: golmok_delivery_routing::StopStatus,
) -> Result<PlannedStop, ApiError> {
    if key.is_none() {
        return Ok(outcome?);
    }
    Ok(batch::as_retry(&state.db, &session.account, id, outcome, wanted).await?)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Failure {
    /// `nobody_home`, `wrong_address`, `refused`, `damaged`, `shop_closed` or `other`.
    pub reason: String,
    /// What happened, in the courier's words.
    pub note: Option<String>,
    /// When the stop was found impossible, if the phone kept it and sends it now (as for a
    /// completion's `made_at`, with its `sent_at`).
    #[serde(default)]
    pub made_at: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(default)]
    pub sent_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// Record that a stop could not be made, and why.
#[utoipa::path(post, path = "/v1/stops/{id}/fail", tag = "delivery", security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "A retry fails once")),
    request_body = Failure,
    responses((status = 200, body = PlannedStop), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn fail_stop(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    IdempotencyHeader(key): IdempotencyHeader,
    ApiJson(body): ApiJson<Failure>,
) -> Result<Json<PlannedStop>, ApiError> {
    session.require(&[Role::Courier])?;
    let events = CourierEvents::new(state.ordering());
    let failed = batch::fail_stop(
        &state.db,
        &session.account,
        &id,
        &body.reason,
        body.note.as_deref(),
        batch::made_by_phone(body.made_at, body.sent_at),
        &events,
    )
    .await;
    events.finish().await?;
    Ok(Json(
        retried(
            &state,
            &session,
            &id,
            key,
            failed,
            golmok_delivery_routing::StopStatus::Failed,
        )
        .await?,
    ))
}

/// The slot's plan as it stands, without planning again: batches with their stops and
/// progress, what was left out and why, shared and solo distance.
#[utoipa::path(get, path = "/v1/networks/{id}/slots/{slot_id}/plan", tag = "delivery", security(("bearer" = [])),
    responses((status = 200, body = Plan), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn current_plan(
    State(state): State<AppState>,
    session: Session,
    Path((id, slot_id)): Path<(String, String)>,
) -> Result<Json<Plan>, ApiError> {
    golmok_catalog::consortium::ensure_runs_network(&state.db, &session.account, &id).await?;
    let (net, _) = network::slot(&state.db, &slot_id).await?;
    if net.id != id {
        return Err(ApiError::not_found(format!(
            "no slot {slot_id} in network {id}"
        )));
    }
    planner::current_plan(&state.db, &slot_id)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("slot {slot_id} has no plan yet")))
}
