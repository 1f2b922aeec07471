//! Webhooks from payment providers.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use golmok_payments::webhook::{self, Handled};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, Problem};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(stripe))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Received {
    /// False when the event had been received before (a redelivery changes nothing).
    pub new: bool,
}

/// A Stripe event. Verified against `stripe.webhook_secret` with Stripe's signature scheme and
/// timestamp tolerance; recorded by id, so duplicates are 200 and change nothing.
#[utoipa::path(post, path = "/v1/webhooks/stripe", tag = "ordering",
    request_body(content = String, content_type = "application/json"),
    params(("Stripe-Signature" = String, Header, description = "Stripe's signature of the payload")),
    responses((status = 200, body = Received), (status = 400, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn stripe(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Received>, ApiError> {
    let Some(secret) = state.settings.stripe.webhook_secret.as_deref() else {
        return Err(ApiError::not_found(
            "Stripe webhooks are not configured on this server",
        ));
    };
    let signature = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    webhook::verify_signature(&body, signature, secret, chrono::Utc::now().timestamp())
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "bad_signature", e.to_string()))?;
    let Some(provider) = state.payment_providers.get("stripe") else {
        return Err(ApiError::not_found(
            "Stripe payments are not configured on this server",
        ));
    };
    let handled = webhook::handle_event(&state.db, provider, &body).await?;
    Ok(Json(Received {
        new: handled == Handled::Applied,
    }))
}
