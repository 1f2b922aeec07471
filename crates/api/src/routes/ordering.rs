//! HTTP for `golmok-ordering` (and the payment writes it drives): checkout, orders,
//! merchant orders, refunds, payouts and the consortium report.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use golmok_accounts::Role;
use golmok_core::DomainError;
use golmok_core::{Page, page};
use golmok_ordering::idempotency::{self, IdempotencyKey};
use golmok_ordering::lifecycle::{self, Weighing};
use golmok_ordering::payment_calls::{self, RefusedPaymentCall};
use golmok_ordering::payouts::{self, MerchantPayouts, NetworkPayouts, OwedParty};
use golmok_ordering::refunds::{self, RefundOutcome, RefundRequest};
use golmok_ordering::report::{self, ConsortiumReport};
use golmok_ordering::{
    Checkout, MerchantOrder, MerchantOrderStatus, Order, OrderStatus, checkout, view,
};
use golmok_payments::Payout;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use golmok_ordering::approvals::{self, ApprovalAnswer};
use golmok_ordering::claims::{self, Claim, ClaimAnswer, NewClaim};
use golmok_ordering::containers::{self, ContainerReturn, ContainerReturnRequest};

use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiJsonBytes, ApiQuery, IdempotencyHeader, Session};
use crate::routes::lists::Items;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(place_order, list_orders))
        .routes(routes!(get_order))
        .routes(routes!(cancel_order))
        .routes(routes!(list_merchant_orders))
        .routes(routes!(accept))
        .routes(routes!(reject))
        .routes(routes!(weigh))
        .routes(routes!(container_return))
        .routes(routes!(approve_weighed_line))
        .routes(routes!(ready))
        .routes(routes!(collect))
        .routes(routes!(refund_order))
        .routes(routes!(open_claim))
        .routes(routes!(order_claims))
        .routes(routes!(shop_claims))
        .routes(routes!(answer_claim))
        .routes(routes!(waiting_claims))
        .routes(routes!(payment_received))
        .routes(routes!(refused_payment_calls))
        .routes(routes!(owed_parties))
        .routes(routes!(merchant_payouts, pay_merchant))
        .routes(routes!(network_payouts, pay_network))
        .routes(routes!(payout_account))
        .routes(routes!(consortium_report))
}

/// An idempotent write's result, first time or replayed: the same 201 and body either way,
/// so a client that retries cannot tell (and need not care) which it got.
fn created<T: serde::Serialize>(result: T) -> Response {
    (StatusCode::CREATED, Json(result)).into_response()
}

/// The domain reports a bad or reused key under its own field name; clients know it as the
/// header they sent.
fn named_as_header(err: DomainError) -> DomainError {
    match err {
        DomainError::Invalid(mut errors) => {
            for e in &mut errors.0 {
                if e.field == idempotency::KEY_FIELD {
                    e.field = "Idempotency-Key".into();
                }
            }
            DomainError::Invalid(errors)
        }
        other => other,
    }
}

fn idempotency_key(
    account_id: &str,
    scope: &str,
    header: Option<String>,
    body: &Bytes,
) -> Result<Option<IdempotencyKey>, ApiError> {
    header
        .map(|k| IdempotencyKey::new(account_id, scope, &k, body))
        .transpose()
        .map_err(|e| named_as_header(e).into())
}

/// Check out one basket across the shops of one active consortium: one order, one payment,
/// one merchant order per shop. Retries with the same `Idempotency-Key` and body return the
/// first answer.
#[utoipa::path(post, path = "/v1/orders", tag = "ordering", security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    request_body = Checkout,
    responses(
        (status = 201, body = Order),
        (status = 409, description = "out of stock, consortium not active, delivery unavailable", body = Problem),
        (status = 422, body = Problem),
    ))]
async fn place_order(
    State(state): State<AppState>,
    session: Session,
    IdempotencyHeader(key): IdempotencyHeader,
    ApiJsonBytes(body, raw): ApiJsonBytes<Checkout>,
) -> Result<Response, ApiError> {
    let key = idempotency_key(&session.account.id, "checkout", key, &raw)?;
    let window = std::time::Duration::from_secs(60);
    let attempts = state.checkouts.increment(&session.account.id, window).await;
    if attempts > state.settings.ordering.checkouts_per_minute {
        return Err(ApiError::too_many_requests(
            "too many checkouts from this account in the last minute; try again shortly",
            window,
        ));
    }
    let stored = checkout::checkout(state.ordering(), &session.account, body, key.as_ref())
        .await
        .map_err(named_as_header)?;
    Ok(created(stored))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OrderListParams {
    /// `placed`, `completed` or `cancelled`.
    status: Option<String>,
    limit: Option<u64>,
    cursor: Option<String>,
}

/// The calling shopper's orders, newest first.
#[utoipa::path(get, path = "/v1/orders", tag = "ordering", security(("bearer" = [])), params(OrderListParams),
    responses((status = 200, body = Page<Order>), (status = 422, body = Problem)))]
async fn list_orders(
    State(state): State<AppState>,
    session: Session,
    ApiQuery(params): ApiQuery<OrderListParams>,
) -> Result<Json<Page<Order>>, ApiError> {
    let status = params
        .status
        .map(|s| {
            OrderStatus::parse(&s).ok_or_else(|| {
                ApiError::invalid_field("status", "must be placed, completed or cancelled")
            })
        })
        .transpose()?;
    let limit = page::limit(params.limit)?;
    Ok(Json(
        view::list_orders(
            &state.db,
            &session.account,
            status,
            limit,
            params.cursor.as_deref(),
        )
        .await?,
    ))
}

/// An order: whole for its shopper and admins, a merchant's own part for a merchant.
#[utoipa::path(get, path = "/v1/orders/{id}", tag = "ordering", security(("bearer" = [])),
    responses((status = 200, body = Order), (status = 404, body = Problem)))]
async fn get_order(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Json<Order>, ApiError> {
    Ok(Json(
        view::get_order(&state.db, &session.account, &id).await?,
    ))
}

/// Cancel: the shopper before any shop accepts, an admin before anything leaves a shop.
#[utoipa::path(post, path = "/v1/orders/{id}/cancel", tag = "ordering", security(("bearer" = [])),
    responses((status = 200, body = Order), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn cancel_order(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Json<Order>, ApiError> {
    lifecycle::cancel(state.ordering(), &session.account, &id).await?;
    Ok(Json(
        view::get_order(&state.db, &session.account, &id).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MerchantOrderListParams {
    /// `pending`, `accepted`, `ready`, `picked_up`, `delivered`, `rejected`, `cancelled`, `expired` or `failed`.
    status: Option<String>,
    limit: Option<u64>,
    cursor: Option<String>,
}

/// A merchant's part of every order, newest first.
#[utoipa::path(get, path = "/v1/merchants/{id}/orders", tag = "ordering", security(("bearer" = [])),
    params(MerchantOrderListParams),
    responses((status = 200, body = Page<MerchantOrder>), (status = 403, body = Problem)))]
async fn list_merchant_orders(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    ApiQuery(params): ApiQuery<MerchantOrderListParams>,
) -> Result<Json<Page<MerchantOrder>>, ApiError> {
    let status = params
        .status
        .map(|s| {
            MerchantOrderStatus::parse(&s)
                .ok_or_else(|| ApiError::invalid_field("status", "is not a merchant order status"))
        })
        .transpose()?;
    let limit = page::limit(params.limit)?;
    Ok(Json(
        view::list_merchant_orders(
            &state.db,
            &session.account,
            &id,
            status,
            limit,
            params.cursor.as_deref(),
        )
        .await?,
    ))
}

/// The merchant order `id` out of an order, as its merchant sees it.
fn part(order: Order, id: &str) -> Result<Json<MerchantOrder>, ApiError> {
    order
        .merchant_orders
        .into_iter()
        .find(|m| m.id == id)
        .map(Json)
        .ok_or_else(|| ApiError::internal(format!("merchant order {id} missing from its order")))
}

#[utoipa::path(post, path = "/v1/merchant-orders/{id}/accept", tag = "ordering", security(("bearer" = [])),
    responses((status = 200, body = MerchantOrder), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn accept(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Json<MerchantOrder>, ApiError> {
    part(
        lifecycle::accept(state.ordering(), &session.account, &id).await?,
        &id,
    )
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rejection {
    pub reason: String,
}

/// Decline this part of the order: its stock goes back and it is not charged.
#[utoipa::path(post, path = "/v1/merchant-orders/{id}/reject", tag = "ordering", security(("bearer" = [])),
    request_body = Rejection,
    responses((status = 200, body = MerchantOrder), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn reject(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Rejection>,
) -> Result<Json<MerchantOrder>, ApiError> {
    part(
        lifecycle::reject(state.ordering(), &session.account, &id, &body.reason).await?,
        &id,
    )
}

/// Record the net weight of refill lines and goods sold by weight; the capture follows the
/// weighed total. Beyond what the payment holds the answer is 409 with `authorized_krw` and
/// `required_krw`, or with `if_over: ask` the weighing stands and the shopper is asked
/// (each such line's `approval`).
#[utoipa::path(post, path = "/v1/merchant-orders/{id}/weigh", tag = "ordering", security(("bearer" = [])),
    request_body = Weighing,
    responses((status = 200, body = MerchantOrder), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn weigh(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Weighing>,
) -> Result<Json<MerchantOrder>, ApiError> {
    part(
        lifecycle::weigh(state.ordering(), &session.account, &id, body).await?,
        &id,
    )
}

/// A deposit container came back (at the shop, `received_by: shop`, by its owner; or to a
/// courier of the consortium's network, `courier`): its deposit is refunded, once per line.
#[utoipa::path(post, path = "/v1/merchant-orders/{id}/lines/{line_id}/container-return", tag = "ordering", security(("bearer" = [])),
    request_body = ContainerReturnRequest,
    responses((status = 201, body = ContainerReturn), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn container_return(
    State(state): State<AppState>,
    session: Session,
    Path((id, line_id)): Path<(String, String)>,
    ApiJson(body): ApiJson<ContainerReturnRequest>,
) -> Result<(StatusCode, Json<ContainerReturn>), ApiError> {
    let returned =
        containers::return_container(state.ordering(), &session.account, &id, &line_id, body)
            .await?;
    Ok((StatusCode::CREATED, Json(returned)))
}

/// The shopper's answer to a weighed line that came to more than the payment holds
/// (`approval` on the line says by how much): `approve` pays the difference (offline at once;
/// a card through a second authorisation, confirmed with its `client_secret`, captured with
/// the rest), `decline` weighs the line out to what fits. After the shop's waiting time the
/// answer is 409 `approval_closed`.
#[utoipa::path(post, path = "/v1/merchant-orders/{id}/lines/{line_id}/approval", tag = "ordering", security(("bearer" = [])),
    request_body = ApprovalAnswer,
    responses((status = 200, body = Order), (status = 402, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn approve_weighed_line(
    State(state): State<AppState>,
    session: Session,
    Path((id, line_id)): Path<(String, String)>,
    ApiJson(body): ApiJson<ApprovalAnswer>,
) -> Result<Json<Order>, ApiError> {
    Ok(Json(
        approvals::answer(
            state.ordering(),
            &session.account,
            &id,
            &line_id,
            body.decision,
        )
        .await?,
    ))
}

/// Packed and, for refill goods, weighed. When every shop of the order has decided, the
/// payment is captured for what is ready.
#[utoipa::path(post, path = "/v1/merchant-orders/{id}/ready", tag = "ordering", security(("bearer" = [])),
    responses((status = 200, body = MerchantOrder), (status = 409, body = Problem)))]
async fn ready(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Json<MerchantOrder>, ApiError> {
    part(
        lifecycle::mark_ready(state.ordering(), &session.account, &id).await?,
        &id,
    )
}

/// The shopper collected a pickup order at the shop.
#[utoipa::path(post, path = "/v1/merchant-orders/{id}/collect", tag = "ordering", security(("bearer" = [])),
    responses((status = 200, body = MerchantOrder), (status = 409, body = Problem)))]
async fn collect(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Json<MerchantOrder>, ApiError> {
    part(
        lifecycle::collect(state.ordering(), &session.account, &id).await?,
        &id,
    )
}

/// Refund captured money: the whole order, one merchant order, or an amount.
#[utoipa::path(post, path = "/v1/orders/{id}/refunds", tag = "ordering", security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    request_body = RefundRequest,
    responses((status = 201, body = RefundOutcome), (status = 403, body = Problem), (status = 409, body = Problem)))]
async fn refund_order(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    IdempotencyHeader(key): IdempotencyHeader,
    ApiJsonBytes(body, raw): ApiJsonBytes<RefundRequest>,
) -> Result<Response, ApiError> {
    let key = idempotency_key(&session.account.id, &format!("refund:{id}"), key, &raw)?;
    let stored = refunds::refund(state.ordering(), &session.account, &id, body, key.as_ref())
        .await
        .map_err(named_as_header)?;
    Ok(created(stored))
}

/// The shopper claims about a delivered part of their order (damaged, missing, not as
/// described), within 7 days of the delivery, one open claim per part; `asked_krw` is at most
/// what of the part can still be refunded.
#[utoipa::path(post, path = "/v1/merchant-orders/{id}/claims", tag = "ordering", security(("bearer" = [])),
    request_body = NewClaim,
    responses((status = 201, body = Claim), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn open_claim(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewClaim>,
) -> Result<Response, ApiError> {
    Ok(created(
        claims::open(state.ordering(), &session.account, &id, body).await?,
    ))
}

/// An order's claims, oldest first: all of them for its shopper and admins, a shop's own for
/// its owner.
#[utoipa::path(get, path = "/v1/orders/{id}/claims", tag = "ordering", security(("bearer" = [])),
    responses((status = 200, body = Items<Claim>), (status = 404, body = Problem)))]
async fn order_claims(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Json<Items<Claim>>, ApiError> {
    Ok(Json(Items::all(
        claims::of_order(&state.db, &session.account, &id).await?,
    )))
}

/// A shop's claims for its owner: every open one, oldest first, then the newest answered.
#[utoipa::path(get, path = "/v1/merchants/{id}/claims", tag = "ordering", security(("bearer" = [])),
    responses((status = 200, body = Items<Claim>), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn shop_claims(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Json<Items<Claim>>, ApiError> {
    Ok(Json(Items::all(
        claims::of_shop(&state.db, &session.account, &id).await?,
    )))
}

/// Claims still waiting for a shop's answer, oldest first (at most 100): for an admin, who
/// steps in where a shop does not answer.
#[utoipa::path(get, path = "/v1/admin/claims", tag = "ordering", security(("bearer" = [])),
    responses((status = 200, body = Items<Claim>), (status = 403, body = Problem)))]
async fn waiting_claims(
    State(state): State<AppState>,
    session: Session,
) -> Result<Json<Items<Claim>>, ApiError> {
    Ok(Json(Items::all(
        claims::waiting(&state.db, &session.account).await?,
    )))
}

/// The shop (or an admin) answers a claim once: `refund_krw` refunds that much of the part
/// (at most what is still refundable); without it the claim is declined, and `answer` says
/// why.
#[utoipa::path(post, path = "/v1/claims/{id}/answer", tag = "ordering", security(("bearer" = [])),
    request_body = ClaimAnswer,
    responses((status = 200, body = Claim), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn answer_claim(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ClaimAnswer>,
) -> Result<Json<Claim>, ApiError> {
    Ok(Json(
        claims::resolve(state.ordering(), &session.account, &id, body).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RefusedCallListParams {
    limit: Option<u64>,
    cursor: Option<String>,
}

/// Captures, voids, refunds and payouts the payment provider refused, newest first, each with
/// its order: money that did not move as the books say, for an admin to see to.
#[utoipa::path(get, path = "/v1/admin/refused-payment-calls", tag = "ordering", security(("bearer" = [])),
    params(RefusedCallListParams),
    responses((status = 200, body = Page<RefusedPaymentCall>), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn refused_payment_calls(
    State(state): State<AppState>,
    session: Session,
    ApiQuery(params): ApiQuery<RefusedCallListParams>,
) -> Result<Json<Page<RefusedPaymentCall>>, ApiError> {
    let limit = page::limit(params.limit)?;
    Ok(Json(
        payment_calls::refused_calls(&state.db, &session.account, limit, params.cursor.as_deref())
            .await?,
    ))
}

/// Every merchant and co-delivery network owed money, most owed first, with what of it waits
/// to leave as card-sale transfers: whom an admin pays next.
#[utoipa::path(get, path = "/v1/admin/payouts", tag = "ordering", security(("bearer" = [])),
    responses((status = 200, body = Items<OwedParty>), (status = 403, body = Problem)))]
async fn owed_parties(
    State(state): State<AppState>,
    session: Session,
) -> Result<Json<Items<OwedParty>>, ApiError> {
    Ok(Json(Items::all(
        payouts::owed_parties(&state.db, &session.account).await?,
    )))
}

/// Offline payments: record that the shopper's money arrived.
#[utoipa::path(post, path = "/v1/orders/{id}/payment/received", tag = "ordering", security(("bearer" = [])),
    responses((status = 200, body = Order), (status = 403, body = Problem), (status = 409, body = Problem)))]
async fn payment_received(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Json<Order>, ApiError> {
    Ok(Json(
        refunds::mark_payment_received(state.ordering(), &session.account, &id).await?,
    ))
}

/// What the merchant is owed and was paid, from the ledger.
#[utoipa::path(get, path = "/v1/merchants/{id}/payouts", tag = "ordering", security(("bearer" = [])),
    responses((status = 200, body = MerchantPayouts), (status = 403, body = Problem)))]
async fn merchant_payouts(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Json<MerchantPayouts>, ApiError> {
    Ok(Json(
        payouts::merchant_payouts(&state.db, &session.account, &id).await?,
    ))
}

/// Pay the merchant everything it is owed (a recorded bank transfer on the offline provider).
#[utoipa::path(post, path = "/v1/merchants/{id}/payouts", tag = "ordering", security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    responses((status = 201, body = Payout), (status = 403, body = Problem), (status = 409, body = Problem)))]
async fn pay_merchant(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    IdempotencyHeader(key): IdempotencyHeader,
) -> Result<Response, ApiError> {
    session.require(&[Role::Admin])?;
    let key = idempotency_key(
        &session.account.id,
        &format!("payout:{id}"),
        key,
        &Bytes::new(),
    )?;
    let stored = payouts::pay_merchant(
        state.ordering(),
        &session.account,
        &id,
        "offline",
        key.as_ref(),
    )
    .await
    .map_err(named_as_header)?;
    Ok(created(stored))
}

/// What the co-delivery network is owed in delivery fees and was paid, from the ledger.
#[utoipa::path(get, path = "/v1/networks/{id}/payouts", tag = "ordering", security(("bearer" = [])),
    responses((status = 200, body = NetworkPayouts), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn network_payouts(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Json<NetworkPayouts>, ApiError> {
    Ok(Json(
        payouts::network_payouts(&state.db, &session.account, &id).await?,
    ))
}

/// Pay the network every delivery fee it is owed (a recorded bank transfer on the offline
/// provider).
#[utoipa::path(post, path = "/v1/networks/{id}/payouts", tag = "ordering", security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    responses((status = 201, body = Payout), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn pay_network(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    IdempotencyHeader(key): IdempotencyHeader,
) -> Result<Response, ApiError> {
    session.require(&[Role::Admin])?;
    let key = idempotency_key(
        &session.account.id,
        &format!("network-payout:{id}"),
        key,
        &Bytes::new(),
    )?;
    let stored = payouts::pay_network(
        state.ordering(),
        &session.account,
        &id,
        "offline",
        key.as_ref(),
    )
    .await
    .map_err(named_as_header)?;
    Ok(created(stored))
}

/// Link the merchant to a Stripe connected account for card-sale payouts, opening it on
/// first use, and get the onboarding link its owner follows. Card sales wait in the ledger
/// until Stripe reports the account can take transfers, then leave one per merchant order.
#[utoipa::path(post, path = "/v1/merchants/{id}/payout-account", tag = "ordering", security(("bearer" = [])),
    responses((status = 201, body = payouts::Onboarding), (status = 403, body = Problem), (status = 409, body = Problem)))]
async fn payout_account(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<payouts::Onboarding>), ApiError> {
    session.require(&[Role::Merchant])?;
    let connect = &state.settings.stripe.connect;
    let onboarding = payouts::onboard_merchant(
        state.ordering(),
        &session.account,
        &id,
        "stripe",
        &connect.refresh_url,
        &connect.return_url,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(onboarding)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReportParams {
    /// First Seoul day, `YYYY-MM-DD`; 29 days before `to` when absent.
    from: Option<NaiveDate>,
    /// Last Seoul day, inclusive; today when absent.
    to: Option<NaiveDate>,
}

/// A consortium's sales, orders, merchants, refills and delivery over Seoul days.
#[utoipa::path(get, path = "/v1/reports/consortia/{id}", tag = "ordering", security(("bearer" = [])),
    params(ReportParams),
    responses((status = 200, body = ConsortiumReport), (status = 403, body = Problem)))]
async fn consortium_report(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    ApiQuery(params): ApiQuery<ReportParams>,
) -> Result<Json<ConsortiumReport>, ApiError> {
    Ok(Json(
        report::consortium_report(&state.db, &session.account, &id, params.from, params.to).await?,
    ))
}
