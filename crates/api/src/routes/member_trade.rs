//! HTTP for member-to-member trade (`golmok_ordering::member_trade`): orders between member
//! shops on account, their steps, and the monthly statements per pair of shops.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use golmok_ordering::member_trade::{
    self, MemberOrder, NewMemberOrder, NewSettlement, Statement, Step,
};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiQuery, Session};
use crate::routes::lists::Items;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(place_member_order, list_member_orders))
        .routes(routes!(get_member_order))
        .routes(routes!(accept_member_order))
        .routes(routes!(reject_member_order))
        .routes(routes!(cancel_member_order))
        .routes(routes!(hand_over_member_order))
        .routes(routes!(member_statement))
        .routes(routes!(record_member_settlement))
}

/// A member shop orders from a fellow member (of one of its consortia, or of its district
/// where its consortium trades district-wide) at the seller's member prices, on account.
#[utoipa::path(post, path = "/v1/merchants/{id}/member-orders", tag = "ordering", security(("bearer" = [])),
    request_body = NewMemberOrder,
    responses((status = 201, body = MemberOrder), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn place_member_order(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewMemberOrder>,
) -> Result<(StatusCode, Json<MemberOrder>), ApiError> {
    let placed =
        member_trade::place(&state.db, state.cache.as_ref(), &session.account, &id, body).await?;
    Ok((StatusCode::CREATED, Json(placed)))
}

/// The shop's member orders, bought and sold, newest first (its owner).
#[utoipa::path(get, path = "/v1/merchants/{id}/member-orders", tag = "ordering", security(("bearer" = [])),
    responses((status = 200, body = Items<MemberOrder>), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn list_member_orders(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Json<Items<MemberOrder>>, ApiError> {
    Ok(Json(Items::all(
        member_trade::orders_of(&state.db, &session.account, &id).await?,
    )))
}

/// An order between members, for either shop's owner.
#[utoipa::path(get, path = "/v1/member-orders/{id}", tag = "ordering", security(("bearer" = [])),
    responses((status = 200, body = MemberOrder), (status = 404, body = Problem)))]
async fn get_member_order(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Json<MemberOrder>, ApiError> {
    Ok(Json(
        member_trade::get(&state.db, &session.account, &id).await?,
    ))
}

async fn take(
    state: &AppState,
    session: &Session,
    id: &str,
    step: Step,
) -> Result<Json<MemberOrder>, ApiError> {
    Ok(Json(
        member_trade::step(&state.db, state.cache.as_ref(), &session.account, id, step).await?,
    ))
}

/// The selling shop takes the order on.
#[utoipa::path(post, path = "/v1/member-orders/{id}/accept", tag = "ordering", security(("bearer" = [])),
    responses((status = 200, body = MemberOrder), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn accept_member_order(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Json<MemberOrder>, ApiError> {
    take(&state, &session, &id, Step::Accept).await
}

/// The selling shop turns the order down; its stock goes back.
#[utoipa::path(post, path = "/v1/member-orders/{id}/reject", tag = "ordering", security(("bearer" = [])),
    responses((status = 200, body = MemberOrder), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn reject_member_order(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Json<MemberOrder>, ApiError> {
    take(&state, &session, &id, Step::Reject).await
}

/// The buying shop withdraws the order before the seller takes it on.
#[utoipa::path(post, path = "/v1/member-orders/{id}/cancel", tag = "ordering", security(("bearer" = [])),
    responses((status = 200, body = MemberOrder), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn cancel_member_order(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Json<MemberOrder>, ApiError> {
    take(&state, &session, &id, Step::Cancel).await
}

/// The selling shop hands the goods over: owed on the month's statement from now.
#[utoipa::path(post, path = "/v1/member-orders/{id}/hand-over", tag = "ordering", security(("bearer" = [])),
    responses((status = 200, body = MemberOrder), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn hand_over_member_order(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Json<MemberOrder>, ApiError> {
    take(&state, &session, &id, Step::HandOver).await
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MonthParams {
    /// `2026-12`; this Seoul month when absent.
    month: Option<String>,
}

/// The shop's statement for a month, per shop it traded with (its owner).
#[utoipa::path(get, path = "/v1/merchants/{id}/member-statements", tag = "ordering", security(("bearer" = [])),
    params(MonthParams),
    responses((status = 200, body = Statement), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn member_statement(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    ApiQuery(params): ApiQuery<MonthParams>,
) -> Result<Json<Statement>, ApiError> {
    let month = params
        .month
        .unwrap_or_else(|| member_trade::month_of(chrono::Utc::now()));
    Ok(Json(
        member_trade::statement(&state.db, &session.account, &id, &month).await?,
    ))
}

/// The selling shop records what a buyer paid against a month's statement.
#[utoipa::path(post, path = "/v1/merchants/{id}/member-statements/{buyer_id}/settlements", tag = "ordering", security(("bearer" = [])),
    request_body = NewSettlement,
    responses((status = 201, body = Statement), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn record_member_settlement(
    State(state): State<AppState>,
    session: Session,
    Path((id, buyer_id)): Path<(String, String)>,
    ApiJson(body): ApiJson<NewSettlement>,
) -> Result<(StatusCode, Json<Statement>), ApiError> {
    let statement = member_trade::settle(&state.db, &session.account, &id, &buyer_id, body).await?;
    Ok((StatusCode::CREATED, Json(statement)))
}
