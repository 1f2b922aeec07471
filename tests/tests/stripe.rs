//! Card payments through Stripe, end to end against a local stand-in for Stripe's API:
//! checkout creates a manual-capture PaymentIntent and returns its client secret, a signed
//! webhook authorises it (redeliveries change nothing, bad signatures are refused), and the
//! capture follows when the shop is ready.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use golmok_e2e::{Engine, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// One request the stand-in received: path, idempotency key, form body.
type Call = (String, Option<String>, String);

#[derive(Clone, Default)]
struct StandIn {
    next: Arc<AtomicU32>,
    calls: Arc<Mutex<Vec<Call>>>,
}

async fn stripe_api(
    State(s): State<StandIn>,
    uri: Uri,
    headers: HeaderMap,
    body: String,
) -> axum::Json<Value> {
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    s.calls
        .lock()
        .unwrap()
        .push((uri.path().to_owned(), key, body.clone()));
    let path = uri.path();
    let (id, status) = if path.ends_with("/capture") {
        (
            path.split('/').nth(3).unwrap_or("pi_x").to_owned(),
            "succeeded",
        )
    } else {
        (
            format!("pi_e2e_{}", s.next.fetch_add(1, Ordering::SeqCst)),
            "requires_payment_method",
        )
    };
    axum::Json(json!({
        "id": id, "object": "payment_intent", "amount": 0, "amount_capturable": 0, "amount_received": 0,
        "capture_method": "manual", "confirmation_method": "automatic", "created": 1_790_000_000,
        "currency": "krw", "livemode": false, "metadata": {}, "payment_method_types": ["card"],
        "status": status, "client_secret": format!("{id}_secret"),
    }))
}

async fn webhook(app: &TestApp, event: &Value, secret: &str, at: i64) -> golmok_e2e::Reply {
    let payload = serde_json::to_vec(event).unwrap();
    let signature = golmok_payments::webhook::sign(&payload, secret, at);
    let reply = app
        .client()
        .post(app.url("/v1/webhooks/stripe"))
        .header("content-type", "application/json")
        .header("stripe-signature", signature)
        .body(payload)
        .send()
        .await
        .unwrap();
    TestApp::read(reply).await
}

#[tokio::test]
async fn a_card_payment_is_authorised_by_webhook_and_captured_when_ready() {
    let stand_in = StandIn::default();
    let api = Router::new()
        .fallback(stripe_api)
        .with_state(stand_in.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, api).await.unwrap() });
    let app = TestApp::start_with(
        Engine::Sqlite,
        json!({"payments": {"providers": ["offline", "stripe"]}, "stripe": {"api_base": base, "secret_key": "sk_test_e2e", "webhook_secret": "whsec_e2e"}}),
    )
    .await;

    // A small active consortium with one shop selling tofu.
    golmok_api::seed::demo(&app.state.db, app.state.cache.as_ref())
        .await
        .unwrap();
    let login = |email: &'static str| {
        let app = &app;
        async move {
            app.post(
                "/v1/auth/login",
                None,
                &json!({"email": email, "password": "golmok-demo"}),
            )
            .await
            .body["token"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    let shopper = login("shopper@demo.golmok.kr").await;
    let owner = login("merchant@demo.golmok.kr").await;
    let consortia = app
        .get("/v1/consortia?district=%EB%A7%88%ED%8F%AC%EA%B5%AC", None)
        .await;
    let mangwon = consortia.body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let tofu = app
        .get(
            &format!("/v1/listings?q=%EC%86%90%EB%91%90%EB%B6%80&consortium_id={mangwon}"),
            None,
        )
        .await;
    let basket = json!({
        "consortium_id": mangwon,
        "items": [{"listing_id": tofu.body["items"][0]["id"], "quantity": 2}],
        "fulfillment": {"kind": "pickup"},
        "payment": {"provider": "stripe"},
    });
    let order = app
        .client()
        .post(app.url("/v1/orders"))
        .bearer_auth(&shopper)
        .header("idempotency-key", "card-1")
        .json(&basket)
        .send()
        .await
        .unwrap();
    let order = TestApp::read(order).await;
    assert_eq!(order.status, StatusCode::CREATED, "{}", order.text);
    assert_eq!(order.body["payment"]["provider"], "stripe");
    assert_eq!(order.body["payment"]["status"], "pending");
    let secret = order.body["payment"]["client_secret"].as_str().unwrap();
    assert!(secret.starts_with("pi_e2e_") && secret.ends_with("_secret"));
    let intent = secret.trim_end_matches("_secret").to_owned();
    let order_id = order.body["id"].as_str().unwrap().to_owned();
    {
        let calls = stand_in.calls.lock().unwrap();
        let (path, key, body) = &calls[0];
        assert!(path.ends_with("/v1/payment_intents"));
        assert!(
            key.as_deref().is_some_and(|k| k.contains("card-1")),
            "{key:?}"
        );
        assert!(
            body.contains("amount=7000")
                && body.contains("capture_method=manual")
                && body.contains("currency=krw"),
            "{body}"
        );
        assert!(
            body.contains(&format!("transfer_group={order_id}")),
            "{body}"
        );
    }

    let now = chrono::Utc::now().timestamp();
    let event = json!({"id": "evt_1", "type": "payment_intent.amount_capturable_updated", "data": {"object": {"id": intent, "object": "payment_intent"}}});
    // A wrong secret or a stale timestamp is refused and records nothing.
    webhook(&app, &event, "whsec_other", now)
        .await
        .assert_problem(400, "bad_signature");
    webhook(&app, &event, "whsec_e2e", now - 3_600)
        .await
        .assert_problem(400, "bad_signature");
    let first = webhook(&app, &event, "whsec_e2e", now).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    assert_eq!(first.body["new"], true);
    let again = webhook(&app, &event, "whsec_e2e", now).await;
    assert_eq!(again.body["new"], false);
    let o = app
        .get(&format!("/v1/orders/{order_id}"), Some(&shopper))
        .await;
    assert_eq!(o.body["payment"]["status"], "authorized");
    // A late failure event cannot undo an authorisation.
    let late = json!({"id": "evt_0", "type": "payment_intent.payment_failed", "data": {"object": {"id": intent}}});
    assert_eq!(
        webhook(&app, &late, "whsec_e2e", now).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.get(&format!("/v1/orders/{order_id}"), Some(&shopper))
            .await
            .body["payment"]["status"],
        "authorized"
    );

    // The shop packs it: the capture goes to Stripe for the order's total.
    let part = o.body["merchant_orders"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for action in ["accept", "ready"] {
        let r = app
            .post(
                &format!("/v1/merchant-orders/{part}/{action}"),
                Some(&owner),
                &json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    }
    let o = app
        .get(&format!("/v1/orders/{order_id}"), Some(&shopper))
        .await;
    assert_eq!(o.body["payment"]["status"], "captured");
    let calls = stand_in.calls.lock().unwrap();
    let (path, _, body) = calls.last().unwrap();
    assert!(
        path.ends_with(&format!("/v1/payment_intents/{intent}/capture")),
        "{path}"
    );
    assert!(body.contains("amount_to_capture=7000"), "{body}");
}
