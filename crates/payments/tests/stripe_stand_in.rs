//! The Stripe provider against a local stand-in for Stripe's API: the exact requests we send
//! (whole won, manual capture, transfer group, metadata, idempotency keys), retries with the
//! same key after a 5xx, and declines.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::IntoResponse;
use golmok_payments::stripe_provider::StripeProvider;
use golmok_payments::{AuthorizationState, AuthorizeRequest, PaymentProvider, ProviderError};
use serde_json::json;

#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    idempotency_key: Option<String>,
    body: String,
}

struct StandIn {
    seen: Arc<Mutex<Vec<Seen>>>,
    /// Answer 500 this many times before succeeding.
    fail_first: Arc<Mutex<u32>>,
    /// Requests it has no answer for: the test fails with them when it ends.
    unexpected: Arc<Mutex<Vec<String>>>,
    /// Only the test's own handle checks at the end, not the server's clone.
    checks_on_drop: bool,
}

impl Clone for StandIn {
    fn clone(&self) -> Self {
        Self {
            seen: self.seen.clone(),
            fail_first: self.fail_first.clone(),
            unexpected: self.unexpected.clone(),
            checks_on_drop: false,
        }
    }
}

impl Drop for StandIn {
    fn drop(&mut self) {
        if self.checks_on_drop && !std::thread::panicking() {
            let unexpected = self.unexpected.lock().unwrap();
            assert!(
                unexpected.is_empty(),
                "the Stripe stand-in was sent requests it has no answer for: {unexpected:?}"
            );
        }
    }
}

fn intent(id: &str, amount: i64, status: &str) -> serde_json::Value {
    json!({
        "id": id, "object": "payment_intent", "amount": amount, "amount_capturable": 0, "amount_received": 0,
        "capture_method": "manual", "confirmation_method": "automatic", "created": 1_790_000_000,
        "currency": "krw", "livemode": false, "metadata": {}, "payment_method_types": ["card"],
        "status": status, "client_secret": format!("{id}_secret_x"),
    })
}

async fn answer(
    State(s): State<StandIn>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: String,
) -> impl IntoResponse {
    s.seen.lock().unwrap().push(Seen {
        method: method.to_string(),
        path: uri.path().to_owned(),
        idempotency_key: headers
            .get("idempotency-key")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        body: body.clone(),
    });
    {
        let mut fail = s.fail_first.lock().unwrap();
        if *fail > 0 {
            *fail -= 1;
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                axum::Json(json!({"error": {"type": "api_error", "message": "try again"}})),
            );
        }
    }
    let path = uri.path();
    let reply = if path.ends_with("/v1/payment_intents") {
        if body.contains("amount=666") {
            return (
                StatusCode::PAYMENT_REQUIRED,
                axum::Json(
                    json!({"error": {"type": "card_error", "code": "card_declined", "message": "Your card was declined."}}),
                ),
            );
        }
        intent("pi_1", 21_875, "requires_payment_method")
    } else if path.ends_with("/capture") {
        let mut captured = intent("pi_1", 20_633, "succeeded");
        captured["latest_charge"] = json!("ch_1");
        captured
    } else if path.ends_with("/cancel") {
        intent("pi_1", 21_875, "canceled")
    } else if path.ends_with("/reversals") {
        json!({"id": "trr_1", "object": "transfer_reversal", "amount": 1000, "created": 1_790_000_000,
               "currency": "krw", "transfer": "tr_1", "metadata": {}})
    } else if path.ends_with("/v1/transfers") {
        json!({"id": "tr_1", "object": "transfer", "amount": 6790, "amount_reversed": 0, "created": 1_790_000_000,
               "currency": "krw", "livemode": false, "metadata": {}, "reversed": false, "destination": "acct_1",
               "reversals": {"object": "list", "data": [], "has_more": false, "url": "/v1/transfers/tr_1/reversals"}})
    } else if path.ends_with("/v1/accounts") {
        json!({"id": "acct_1", "object": "account", "type": "express", "charges_enabled": false, "payouts_enabled": false})
    } else if path.ends_with("/v1/account_links") {
        json!({"object": "account_link", "created": 1_790_000_000, "expires_at": 1_790_000_300,
               "url": "https://connect.stripe.com/setup/e/acct_1/abc"})
    } else if path.ends_with("/v1/refunds") {
        json!({"id": "re_1", "object": "refund", "amount": 3500, "created": 1_790_000_000, "currency": "krw", "metadata": {}, "status": "succeeded"})
    } else {
        s.unexpected
            .lock()
            .unwrap()
            .push(format!("{method} {path}"));
        return (
            StatusCode::NOT_FOUND,
            axum::Json(json!({"error": {"type": "invalid_request_error", "message": path}})),
        );
    };
    (StatusCode::OK, axum::Json(reply))
}

async fn stand_in() -> (StandIn, String) {
    let state = StandIn {
        seen: Arc::default(),
        fail_first: Arc::default(),
        unexpected: Arc::default(),
        checks_on_drop: true,
    };
    let app = Router::new().fallback(answer).with_state(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (state, base)
}

fn decoded(body: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect()
}

#[tokio::test]
async fn authorising_sends_whole_won_for_manual_capture_with_our_key() {
    let (s, base) = stand_in().await;
    let stripe = StripeProvider::new("sk_test_standin", &base, 0).unwrap();
    let auth = stripe
        .authorize(&AuthorizeRequest {
            reference: "ord_1".into(),
            amount_krw: 21_875,
            transfer_group: "ord_1".into(),
            idempotency_key: "acc_1:basket-1:authorize".into(),
        })
        .await
        .unwrap();
    assert_eq!(auth.provider_ref, "pi_1");
    assert_eq!(auth.state, AuthorizationState::RequiresAction);
    assert_eq!(auth.client_secret.as_deref(), Some("pi_1_secret_x"));
    let seen = s.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].method, "POST");
    assert!(
        seen[0].path.ends_with("/v1/payment_intents"),
        "{:?}",
        seen[0]
    );
    assert_eq!(
        seen[0].idempotency_key.as_deref(),
        Some("acc_1:basket-1:authorize")
    );
    let form = decoded(&seen[0].body);
    for (k, v) in [
        ("amount", "21875"),
        ("currency", "krw"),
        ("capture_method", "manual"),
        ("transfer_group", "ord_1"),
        ("metadata[order_id]", "ord_1"),
    ] {
        assert!(
            form.contains(&(k.to_owned(), v.to_owned())),
            "{k}={v} missing in {form:?}"
        );
    }
}

#[tokio::test]
async fn captures_refunds_and_voids_carry_amounts_and_keys() {
    let (s, base) = stand_in().await;
    let stripe = StripeProvider::new("sk_test_standin", &base, 0).unwrap();
    let captured = stripe
        .capture("pi_1", 20_633, "pay_1:capture")
        .await
        .unwrap();
    // Transfers name the captured charge as their source.
    assert_eq!(captured.charge_ref.as_deref(), Some("ch_1"));
    let refund = stripe.refund("pi_1", 3_500, "ref_1").await.unwrap();
    assert_eq!(refund, "re_1");
    stripe.void("pi_1", "pay_1:void").await.unwrap();
    let seen = s.seen.lock().unwrap().clone();
    assert!(seen[0].path.ends_with("/v1/payment_intents/pi_1/capture"));
    assert!(decoded(&seen[0].body).contains(&("amount_to_capture".into(), "20633".into())));
    assert_eq!(seen[0].idempotency_key.as_deref(), Some("pay_1:capture"));
    assert!(seen[1].path.ends_with("/v1/refunds"));
    let form = decoded(&seen[1].body);
    assert!(
        form.contains(&("payment_intent".into(), "pi_1".into()))
            && form.contains(&("amount".into(), "3500".into()))
    );
    assert!(seen[2].path.ends_with("/v1/payment_intents/pi_1/cancel"));
}

#[tokio::test]
async fn a_server_error_is_retried_with_the_same_key() {
    let (s, base) = stand_in().await;
    *s.fail_first.lock().unwrap() = 2;
    let stripe = StripeProvider::new("sk_test_standin", &base, 0).unwrap();
    stripe
        .capture("pi_1", 20_633, "pay_1:capture")
        .await
        .unwrap();
    let seen = s.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 3);
    assert!(
        seen.iter()
            .all(|r| r.idempotency_key.as_deref() == Some("pay_1:capture"))
    );
}

#[tokio::test]
async fn a_declined_card_is_a_decline_not_a_retry() {
    let (s, base) = stand_in().await;
    let stripe = StripeProvider::new("sk_test_standin", &base, 0).unwrap();
    let err = stripe
        .authorize(&AuthorizeRequest {
            reference: "ord_2".into(),
            amount_krw: 666,
            transfer_group: "ord_2".into(),
            idempotency_key: "k2".into(),
        })
        .await
        .unwrap_err();
    assert!(
        matches!(err, ProviderError::Declined(ref m) if m.contains("declined")),
        "{err:?}"
    );
    assert_eq!(s.seen.lock().unwrap().len(), 1);
    // Without a connected account there is nobody to pay.
    let err = stripe
        .pay_out(&golmok_payments::PayoutRequest {
            party: "merchant:mer_1".into(),
            destination: None,
            amount_krw: 1,
            source_charge: None,
            transfer_group: None,
            idempotency_key: "p".into(),
        })
        .await
        .unwrap_err();
    assert!(matches!(err, ProviderError::Declined(_)));
}

#[tokio::test]
async fn connect_accounts_links_transfers_and_reversals_carry_what_stripe_needs() {
    let (s, base) = stand_in().await;
    let stripe = StripeProvider::new("sk_test_standin", &base, 0).unwrap();
    let account = stripe
        .create_connected_account("merchant:mer_1", "merchant:mer_1:connected-account")
        .await
        .unwrap();
    assert_eq!(account, "acct_1");
    let link = stripe
        .onboarding_link(
            "acct_1",
            "https://golmok.test/again",
            "https://golmok.test/done",
        )
        .await
        .unwrap();
    assert!(link.url.starts_with("https://connect.stripe.com/"));
    assert_eq!(link.expires_at.timestamp(), 1_790_000_300);
    let transfer = stripe
        .pay_out(&golmok_payments::PayoutRequest {
            party: "merchant:mer_1".into(),
            destination: Some("acct_1".into()),
            amount_krw: 6_790,
            source_charge: Some("ch_1".into()),
            transfer_group: Some("ord_1".into()),
            idempotency_key: "pay_1:mo_1:transfer:6790".into(),
        })
        .await
        .unwrap();
    assert_eq!(transfer, "tr_1");
    let reversal = stripe
        .reverse_payout("tr_1", 1_000, "trf_1:reversal:0:1000")
        .await
        .unwrap();
    assert_eq!(reversal, "trr_1");

    let seen = s.seen.lock().unwrap().clone();
    assert!(seen[0].path.ends_with("/v1/accounts"));
    let form = decoded(&seen[0].body);
    for (k, v) in [
        ("type", "express"),
        ("capabilities[transfers][requested]", "true"),
        ("metadata[party]", "merchant:mer_1"),
    ] {
        assert!(
            form.contains(&(k.into(), v.into())),
            "{k}={v} missing in {form:?}"
        );
    }
    assert_eq!(
        seen[0].idempotency_key.as_deref(),
        Some("merchant:mer_1:connected-account")
    );
    assert!(seen[1].path.ends_with("/v1/account_links"));
    let form = decoded(&seen[1].body);
    for (k, v) in [
        ("account", "acct_1"),
        ("type", "account_onboarding"),
        ("refresh_url", "https://golmok.test/again"),
        ("return_url", "https://golmok.test/done"),
    ] {
        assert!(
            form.contains(&(k.into(), v.into())),
            "{k}={v} missing in {form:?}"
        );
    }
    assert!(seen[2].path.ends_with("/v1/transfers"));
    let form = decoded(&seen[2].body);
    for (k, v) in [
        ("amount", "6790"),
        ("currency", "krw"),
        ("destination", "acct_1"),
        ("source_transaction", "ch_1"),
        ("transfer_group", "ord_1"),
    ] {
        assert!(
            form.contains(&(k.into(), v.into())),
            "{k}={v} missing in {form:?}"
        );
    }
    assert_eq!(
        seen[2].idempotency_key.as_deref(),
        Some("pay_1:mo_1:transfer:6790")
    );
    assert!(seen[3].path.ends_with("/v1/transfers/tr_1/reversals"));
    assert!(decoded(&seen[3].body).contains(&("amount".into(), "1000".into())));
    assert_eq!(
        seen[3].idempotency_key.as_deref(),
        Some("trf_1:reversal:0:1000")
    );
}
