//! Card payments through Stripe, end to end against a local stand-in for Stripe's API:
//! checkout creates a manual-capture PaymentIntent and returns its client secret, a signed
//! webhook authorises it (redeliveries change nothing, bad signatures are refused), and the
//! capture follows when the shop is ready.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use golmok_e2e::stripe_stand_in::StripeStandIn;
use golmok_e2e::{Engine, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// One request the stand-in received: path, idempotency key, form body.
type Call = (String, Option<String>, String);

struct StandIn {
    next: Arc<AtomicU32>,
    calls: Arc<Mutex<Vec<Call>>>,
    /// Requests it has no answer for: the test fails with them when it ends.
    unexpected: Arc<Mutex<Vec<String>>>,
    /// Only the test's own handle checks at the end, not the server's clone.
    checks_on_drop: bool,
}

impl Clone for StandIn {
    fn clone(&self) -> Self {
        Self {
            next: self.next.clone(),
            calls: self.calls.clone(),
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

async fn stripe_api(
    State(s): State<StandIn>,
    uri: Uri,
    headers: HeaderMap,
    body: String,
) -> (axum::http::StatusCode, axum::Json<Value>) {
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    s.calls
        .lock()
        .unwrap()
        .push((uri.path().to_owned(), key.clone(), body.clone()));
    let path = uri.path();
    let n = s.next.fetch_add(1, Ordering::SeqCst);
    if key.as_deref().is_some_and(|k| k.contains("declined-card")) {
        return (
            axum::http::StatusCode::PAYMENT_REQUIRED,
            axum::Json(
                json!({"error": {"type": "card_error", "code": "card_declined", "message": "Your card was declined."}}),
            ),
        );
    }
    let reply = if path.ends_with("/reversals") {
        let transfer = path.split('/').nth(3).unwrap_or("tr_x");
        json!({"id": format!("trr_e2e_{n}"), "object": "transfer_reversal", "amount": 0, "created": 1_790_000_000,
               "currency": "krw", "transfer": transfer, "metadata": {}})
    } else if path.ends_with("/v1/transfers") {
        json!({"id": format!("tr_e2e_{n}"), "object": "transfer", "amount": 0, "amount_reversed": 0,
               "created": 1_790_000_000, "currency": "krw", "livemode": false, "metadata": {}, "reversed": false,
               "reversals": {"object": "list", "data": [], "has_more": false, "url": "/v1/transfers/x/reversals"}})
    } else if path.ends_with("/v1/accounts") {
        json!({"id": format!("acct_e2e_{n}"), "object": "account", "type": "express"})
    } else if path.ends_with("/v1/account_links") {
        json!({"object": "account_link", "created": 1_790_000_000, "expires_at": 1_790_000_300,
               "url": format!("https://connect.stripe.com/setup/e/{n}")})
    } else if path.ends_with("/v1/refunds") {
        json!({"id": format!("re_e2e_{n}"), "object": "refund", "amount": 0, "created": 1_790_000_000,
               "currency": "krw", "metadata": {}, "status": "succeeded"})
    } else {
        let (id, status) = if path.ends_with("/capture") {
            (
                path.split('/').nth(3).unwrap_or("pi_x").to_owned(),
                "succeeded",
            )
        } else if path.ends_with("/cancel") {
            (
                path.split('/').nth(3).unwrap_or("pi_x").to_owned(),
                "canceled",
            )
        } else if path.ends_with("/v1/payment_intents") {
            (format!("pi_e2e_{n}"), "requires_payment_method")
        } else {
            s.unexpected.lock().unwrap().push(path.to_owned());
            return (
                axum::http::StatusCode::NOT_FOUND,
                axum::Json(json!({"error": {"type": "invalid_request_error", "message": path}})),
            );
        };
        json!({
            "id": id, "object": "payment_intent", "amount": 0, "amount_capturable": 0, "amount_received": 0,
            "capture_method": "manual", "confirmation_method": "automatic", "created": 1_790_000_000,
            "currency": "krw", "livemode": false, "metadata": {}, "payment_method_types": ["card"],
            "status": status, "client_secret": format!("{id}_secret"),
            "latest_charge": if status == "succeeded" { json!(format!("ch_{id}")) } else { Value::Null },
        })
    };
    (axum::http::StatusCode::OK, axum::Json(reply))
}

impl StandIn {
    /// The calls whose path ends with `suffix`, in order.
    fn calls_to(&self, suffix: &str) -> Vec<Call> {
        self.calls
            .lock()
            .unwrap()
            .iter()
            .filter(|(path, _, _)| path.ends_with(suffix))
            .cloned()
            .collect()
    }
}

/// The form fields of a call's body.
fn form(body: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect()
}

fn has(body: &str, key: &str, value: &str) -> bool {
    form(body).contains(&(key.to_owned(), value.to_owned()))
}

/// A server taking cards through a stand-in Stripe, with the demo data.
async fn card_app(extra: Value) -> (TestApp, StandIn) {
    let stand_in = StandIn {
        next: Arc::default(),
        calls: Arc::default(),
        unexpected: Arc::default(),
        checks_on_drop: true,
    };
    let api = Router::new()
        .fallback(stripe_api)
        .with_state(stand_in.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, api).await.unwrap() });
    let mut overrides = StripeStandIn::settings(&base);
    merge(&mut overrides, extra);
    let app = TestApp::start_with(Engine::Sqlite, overrides).await;
    golmok_e2e::demo::seeded(&app).await;
    (app, stand_in)
}

fn merge(into: &mut Value, from: Value) {
    match (into, from) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                merge(a.entry(k).or_insert(Value::Null), v);
            }
        }
        (slot, v) => *slot = v,
    }
}

async fn login(app: &TestApp, email: &str) -> String {
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

/// The Mangwon consortium and the first listing matching `query` in it.
async fn mangwon_listing(app: &TestApp, query: &str) -> (String, Value) {
    let consortia = app
        .get("/v1/consortia?district=%EB%A7%88%ED%8F%AC%EA%B5%AC", None)
        .await;
    let mangwon = consortia.body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let found = app
        .get(
            &format!("/v1/listings?q={query}&consortium_id={mangwon}"),
            None,
        )
        .await;
    (mangwon, found.body["items"][0].clone())
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
    let (app, stand_in) = card_app(json!({})).await;
    let shopper = login(&app, "shopper@demo.golmok.kr").await;
    let owner = login(&app, "merchant@demo.golmok.kr").await;
    let (mangwon, tofu) = mangwon_listing(&app, "%EC%86%90%EB%91%90%EB%B6%80").await;
    let basket = json!({
        "consortium_id": mangwon,
        "items": [{"listing_id": tofu["id"], "quantity": 2}],
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

const TOFU: &str = "%EC%86%90%EB%91%90%EB%B6%80";
const SAUSAGE: &str = "%EC%88%98%EC%A0%9C%20%EC%86%8C%EC%8B%9C%EC%A7%80";

/// Places a card order for two tofu and one sausage (two shops) and has Stripe authorise it;
/// returns the order.
async fn card_order(app: &TestApp, shopper: &str, key: &str) -> Value {
    let (mangwon, tofu) = mangwon_listing(app, TOFU).await;
    let (_, sausage) = mangwon_listing(app, SAUSAGE).await;
    let placed = app
        .client()
        .post(app.url("/v1/orders"))
        .bearer_auth(shopper)
        .header("idempotency-key", key)
        .json(&json!({
            "consortium_id": mangwon,
            "items": [{"listing_id": tofu["id"], "quantity": 2}, {"listing_id": sausage["id"], "quantity": 1}],
            "fulfillment": {"kind": "pickup"},
            "payment": {"provider": "stripe"},
        }))
        .send()
        .await
        .unwrap();
    let placed = TestApp::read(placed).await;
    assert_eq!(placed.status, StatusCode::CREATED, "{}", placed.text);
    let intent = placed.body["payment"]["client_secret"]
        .as_str()
        .unwrap()
        .trim_end_matches("_secret")
        .to_owned();
    let event = json!({"id": format!("evt_auth_{key}"), "type": "payment_intent.amount_capturable_updated",
        "data": {"object": {"id": intent, "object": "payment_intent"}}});
    let reply = webhook(app, &event, "whsec_e2e", chrono::Utc::now().timestamp()).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let order = app
        .get(
            &format!("/v1/orders/{}", placed.body["id"].as_str().unwrap()),
            Some(shopper),
        )
        .await;
    assert_eq!(order.body["payment"]["status"], "authorized");
    order.body
}

/// The merchant order of `order` from the shop selling `listing`.
fn part_of(order: &Value, merchant_id: &Value) -> String {
    order["merchant_orders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| &m["merchant_id"] == merchant_id)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn step(app: &TestApp, token: &str, part: &str, action: &str) {
    let r = app
        .post(
            &format!("/v1/merchant-orders/{part}/{action}"),
            Some(token),
            &json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{action}: {}", r.text);
}

async fn account_updated(
    app: &TestApp,
    event_id: &str,
    account: &str,
    transfers: &str,
    created: i64,
) {
    let event = json!({"id": event_id, "type": "account.updated", "created": created,
        "data": {"object": {"id": account, "object": "account", "payouts_enabled": transfers == "active",
                            "capabilities": {"transfers": transfers}}}});
    let reply = webhook(app, &event, "whsec_e2e", chrono::Utc::now().timestamp()).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
}

/// Who acts in the two-shop card tests, logged in, and what they sell.
struct Cast {
    shopper: String,
    tofu_owner: String,
    butcher_owner: String,
    tofu: Value,
    sausage: Value,
}

async fn cast(app: &TestApp) -> Cast {
    Cast {
        shopper: login(app, "shopper@demo.golmok.kr").await,
        tofu_owner: login(app, "merchant@demo.golmok.kr").await,
        // The demo's tenth shop, 망원 정육점.
        butcher_owner: login(app, "merchant10@demo.golmok.kr").await,
        tofu: mangwon_listing(app, TOFU).await.1,
        sausage: mangwon_listing(app, SAUSAGE).await.1,
    }
}

/// What the shop is owed and was paid, as its owner sees it.
async fn payouts(app: &TestApp, shop: &str, owner: &str) -> golmok_e2e::Reply {
    app.get(&format!("/v1/merchants/{shop}/payouts"), Some(owner))
        .await
}

/// The shop's owner asks for its payout account and onboarding link.
async fn link(app: &TestApp, shop: &str, owner: &str) -> golmok_e2e::Reply {
    app.post(
        &format!("/v1/merchants/{shop}/payout-account"),
        Some(owner),
        &json!({}),
    )
    .await
}

#[tokio::test]
async fn card_sales_leave_as_one_transfer_per_merchant_order_and_refunds_take_them_back() {
    // 1 % card fee on top of the consortium's 3 %: 4 % of each sale stays with the platform.
    let (app, stand_in) = card_app(json!({"stripe": {"connect": {"commission_bps": 100}}})).await;
    let Cast {
        shopper,
        tofu_owner,
        butcher_owner,
        tofu,
        sausage,
    } = cast(&app).await;
    let admin = app.admin().await;
    let (tofu_shop, butcher) = (tofu["merchant_id"].clone(), sausage["merchant_id"].clone());
    assert_ne!(tofu_shop, butcher);
    let tofu_shop_id = tofu_shop.as_str().unwrap();
    let butcher_id = butcher.as_str().unwrap();

    // The tofu shop links a Stripe account; asking again gives a new link to the same one.
    let linked = link(&app, tofu_shop_id, &tofu_owner).await;
    assert_eq!(linked.status, StatusCode::CREATED, "{}", linked.text);
    let account = linked.body["account"]["account_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(account.starts_with("acct_e2e_"), "{account}");
    assert_eq!(linked.body["account"]["transfers_enabled"], false);
    assert!(
        linked.body["onboarding_url"]
            .as_str()
            .unwrap()
            .starts_with("https://connect.stripe.com/")
    );
    let again = link(&app, tofu_shop_id, &tofu_owner).await;
    assert_eq!(again.body["account"]["account_id"], account.as_str());
    assert_eq!(stand_in.calls_to("/v1/accounts").len(), 1);
    let links = stand_in.calls_to("/v1/account_links");
    assert_eq!(links.len(), 2);
    assert!(
        has(&links[0].2, "account", &account) && has(&links[0].2, "type", "account_onboarding")
    );
    // Another shop's owner cannot link it.
    link(&app, tofu_shop_id, &butcher_owner)
        .await
        .assert_problem(403, "forbidden");

    // Stripe reports the account verified; an older report arriving late changes nothing.
    let now = chrono::Utc::now().timestamp();
    account_updated(&app, "evt_acct_new", &account, "active", now).await;
    account_updated(&app, "evt_acct_old", &account, "inactive", now - 60).await;
    let linked_now = payouts(&app, tofu_shop_id, &tofu_owner).await;
    assert_eq!(
        linked_now.body["connected_account"]["transfers_enabled"],
        true
    );

    // Both shops pack: one capture, then one transfer for the shop with a usable account.
    let order = card_order(&app, &shopper, "connect-1").await;
    let order_id = order["id"].as_str().unwrap().to_owned();
    let tofu_part = part_of(&order, &tofu_shop);
    let butcher_part = part_of(&order, &butcher);
    for action in ["accept", "ready"] {
        step(&app, &tofu_owner, &tofu_part, action).await;
        step(&app, &butcher_owner, &butcher_part, action).await;
    }
    let captures = stand_in.calls_to("/capture");
    assert_eq!(captures.len(), 1);
    assert!(
        has(&captures[0].2, "amount_to_capture", "15000"),
        "{}",
        captures[0].2
    );
    let intent = captures[0].0.split('/').nth(3).unwrap().to_owned();
    let transfers = stand_in.calls_to("/v1/transfers");
    assert_eq!(transfers.len(), 1, "{transfers:?}");
    let (_, key, body) = &transfers[0];
    // 7,000 won of tofu less 4 %: 6,720, drawn on the captured charge, in the order's group.
    for (k, v) in [
        ("amount", "6720"),
        ("currency", "krw"),
        ("destination", account.as_str()),
        ("source_transaction", format!("ch_{intent}").as_str()),
        ("transfer_group", order_id.as_str()),
    ] {
        assert!(has(body, k, v), "{k}={v} missing in {body}");
    }
    assert!(
        key.as_deref().is_some_and(|k| k.contains(&tofu_part)),
        "{key:?}"
    );
    let tofu_payouts = payouts(&app, tofu_shop_id, &tofu_owner).await;
    assert_eq!(tofu_payouts.body["owed_krw"], 0, "{}", tofu_payouts.text);
    assert_eq!(tofu_payouts.body["paid_krw"], 6720);
    assert_eq!(tofu_payouts.body["transfers"][0]["status"], "sent");
    let transfer_id = tofu_payouts.body["transfers"][0]["provider_ref"]
        .as_str()
        .unwrap()
        .to_owned();
    // The butcher has no account yet: its 7,680 won wait in the ledger, not paid by hand.
    let butcher_payouts = payouts(&app, butcher_id, &butcher_owner).await;
    assert_eq!(
        butcher_payouts.body["owed_krw"], 7680,
        "{}",
        butcher_payouts.text
    );
    assert_eq!(butcher_payouts.body["awaiting_transfer_krw"], 7680);
    assert_eq!(
        butcher_payouts.body["transfers"][0]["status"],
        "awaiting_account"
    );
    app.post(
        &format!("/v1/merchants/{butcher_id}/payouts"),
        Some(&admin),
        &json!({}),
    )
    .await
    .assert_problem(409, "nothing_owed");

    // One tofu refunded: the shopper gets 3,500 back, the sent transfer gives back 3,360.
    let refund = app
        .post(
            &format!("/v1/orders/{order_id}/refunds"),
            Some(&admin),
            &json!({"merchant_order_id": tofu_part, "amount_krw": 3500, "reason": "one block was broken"}),
        )
        .await;
    assert_eq!(refund.status, StatusCode::CREATED, "{}", refund.text);
    let refunds = stand_in.calls_to("/v1/refunds");
    assert_eq!(refunds.len(), 1);
    assert!(has(&refunds[0].2, "amount", "3500"));
    let reversals = stand_in.calls_to("/reversals");
    assert_eq!(reversals.len(), 1);
    assert!(
        reversals[0]
            .0
            .ends_with(&format!("/v1/transfers/{transfer_id}/reversals"))
    );
    assert!(has(&reversals[0].2, "amount", "3360"), "{}", reversals[0].2);
    let tofu_payouts = payouts(&app, tofu_shop_id, &tofu_owner).await;
    assert_eq!(tofu_payouts.body["transfers"][0]["reversed_krw"], 3360);
    assert_eq!(tofu_payouts.body["owed_krw"], 0);

    // Part of the sausage refunded before its transfer left: the waiting transfer shrinks.
    let refund = app
        .post(
            &format!("/v1/orders/{order_id}/refunds"),
            Some(&admin),
            &json!({"merchant_order_id": butcher_part, "amount_krw": 2000, "reason": "short weight"}),
        )
        .await;
    assert_eq!(refund.status, StatusCode::CREATED, "{}", refund.text);
    assert_eq!(stand_in.calls_to("/reversals").len(), 1);

    // The butcher links its account and Stripe verifies it: the waiting 5,760 won leave.
    let linked = link(&app, butcher_id, &butcher_owner).await;
    assert_eq!(linked.status, StatusCode::CREATED, "{}", linked.text);
    let butcher_account = linked.body["account"]["account_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(butcher_account, account);
    account_updated(&app, "evt_butcher", &butcher_account, "active", now).await;
    let transfers = stand_in.calls_to("/v1/transfers");
    assert_eq!(transfers.len(), 2, "{transfers:?}");
    let body = &transfers[1].2;
    assert!(
        has(body, "amount", "5760")
            && has(body, "destination", &butcher_account)
            && has(body, "source_transaction", &format!("ch_{intent}")),
        "{body}"
    );
    let butcher_payouts = payouts(&app, butcher_id, &butcher_owner).await;
    assert_eq!(
        butcher_payouts.body["owed_krw"], 0,
        "{}",
        butcher_payouts.text
    );
    assert_eq!(butcher_payouts.body["awaiting_transfer_krw"], 0);
    assert_eq!(butcher_payouts.body["transfers"][0]["status"], "sent");
    // Redelivered, the event sends nothing twice.
    account_updated(&app, "evt_butcher", &butcher_account, "active", now).await;
    assert_eq!(stand_in.calls_to("/v1/transfers").len(), 2);
}

#[tokio::test]
async fn an_authorisation_about_to_lapse_is_captured_for_what_is_ready_or_voided() {
    let (app, stand_in) = card_app(json!({"ordering": {"expiry_sweep_secs": 1}})).await;
    let Cast {
        shopper,
        tofu_owner,
        butcher_owner,
        tofu,
        sausage,
    } = cast(&app).await;
    let sausages_on_shelf = sausage["stock"].as_i64().unwrap();

    // Order A: the tofu is ready, the butcher accepted but never packed. Order B: nobody acted.
    let a = card_order(&app, &shopper, "lapse-a").await;
    let b = card_order(&app, &shopper, "lapse-b").await;
    let tofu_part = part_of(&a, &tofu["merchant_id"]);
    let butcher_part = part_of(&a, &sausage["merchant_id"]);
    step(&app, &tofu_owner, &tofu_part, "accept").await;
    step(&app, &tofu_owner, &tofu_part, "ready").await;
    step(&app, &butcher_owner, &butcher_part, "accept").await;
    assert!(stand_in.calls_to("/capture").is_empty());

    // Six and a half days later (Stripe lets a card hold go after seven).
    use golmok_payments::entities::payment;
    use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
    for order in [&a, &b] {
        let p = payment::Entity::find()
            .filter(payment::Column::Reference.eq(order["id"].as_str().unwrap()))
            .one(&app.state.db)
            .await
            .unwrap()
            .unwrap();
        let mut active: payment::ActiveModel = p.into();
        active.created_at = Set(chrono::Utc::now() - chrono::Duration::hours(156));
        active.update(&app.state.db).await.unwrap();
    }
    let mut settled = (Value::Null, Value::Null);
    for _ in 0..100 {
        let now_a = app
            .get(
                &format!("/v1/orders/{}", a["id"].as_str().unwrap()),
                Some(&shopper),
            )
            .await;
        let now_b = app
            .get(
                &format!("/v1/orders/{}", b["id"].as_str().unwrap()),
                Some(&shopper),
            )
            .await;
        settled = (now_a.body, now_b.body);
        if settled.0["payment"]["status"] != "authorized"
            && settled.1["payment"]["status"] != "authorized"
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let (a, b) = settled;
    // A is captured for the tofu alone; the sausage never packed is cancelled.
    assert_eq!(a["payment"]["status"], "captured", "{a}");
    let captures = stand_in.calls_to("/capture");
    assert_eq!(captures.len(), 1);
    assert!(
        has(&captures[0].2, "amount_to_capture", "7000"),
        "{}",
        captures[0].2
    );
    let butcher_state = a["merchant_orders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == butcher_part.as_str())
        .unwrap()["status"]
        .clone();
    assert_eq!(butcher_state, "cancelled");
    // B had nothing ready: the hold is released and the order cancelled.
    assert_eq!(b["payment"]["status"], "voided", "{b}");
    assert_eq!(b["status"], "cancelled");
    assert_eq!(stand_in.calls_to("/cancel").len(), 1);
    // Both sausages are back on the shelf.
    let (_, sausage) = mangwon_listing(&app, SAUSAGE).await;
    assert_eq!(sausage["stock"].as_i64().unwrap(), sausages_on_shelf);
}

#[tokio::test]
async fn a_declined_card_is_a_402_and_leaves_nothing_behind() {
    let (app, _stand_in) = card_app(json!({})).await;
    let shopper = login(&app, "shopper@demo.golmok.kr").await;
    let (mangwon, tofu) = mangwon_listing(&app, TOFU).await;
    let declined = app
        .client()
        .post(app.url("/v1/orders"))
        .bearer_auth(&shopper)
        .header("idempotency-key", "declined-card-1")
        .json(&json!({
            "consortium_id": mangwon,
            "items": [{"listing_id": tofu["id"], "quantity": 2}],
            "fulfillment": {"kind": "pickup"},
            "payment": {"provider": "stripe"},
        }))
        .send()
        .await
        .unwrap();
    let declined = TestApp::read(declined).await;
    declined.assert_problem(402, "payment_declined");
    assert!(declined.text.contains("declined"), "{}", declined.text);
    // No order, no reserved stock.
    let orders = app.get("/v1/orders", Some(&shopper)).await;
    assert_eq!(
        orders.body["items"].as_array().map(Vec::len),
        Some(0),
        "{}",
        orders.text
    );
    let (_, after) = mangwon_listing(&app, TOFU).await;
    assert_eq!(after["stock"], tofu["stock"]);
}

/// The pages offer a card when Stripe is configured with a publishable key, and the order's
/// page carries the PaymentIntent's client secret for Stripe's card element.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pages_hand_the_card_element_its_client_secret() {
    let (app, stand_in) = card_app(json!({"stripe": {"publishable_key": "pk_test_e2e"}})).await;
    let mut shopper = golmok_e2e::pages::Browser::new(&app.base_url);
    shopper.sign_up("카드 손님").await;
    let search = shopper.get("/search?q=%EC%86%90%EB%91%90%EB%B6%80").await;
    let tofu = search.link_to("listings", "국산콩 손두부").expect("tofu");
    let listing = shopper.get(&format!("/listings/{tofu}")).await;
    let added = shopper
        .submit(
            &listing,
            "/basket",
            &[("listing_id", &tofu), ("quantity", "1")],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER);
    let form = shopper.get("/checkout").await;
    assert!(
        form.input_values("payment").contains(&"stripe".to_owned()),
        "a card is offered: {}",
        form.html
    );
    let idem = form.input_value("idem").expect("a key");
    let placed = shopper
        .submit(
            &form,
            "/checkout",
            &[
                ("idem", &idem),
                ("fulfillment", "pickup"),
                ("payment", "stripe"),
            ],
        )
        .await;
    let order_page = placed.location().to_owned();
    let page = shopper.get(&order_page).await;
    assert_eq!(stand_in.calls_to("/v1/payment_intents").len(), 1);
    assert!(
        page.html.contains("data-stripe-key=\"pk_test_e2e\""),
        "{}",
        page.html
    );
    assert!(
        page.html.contains("data-client-secret=\"pi_e2e_") && page.html.contains("_secret\""),
        "{}",
        page.html
    );
    assert!(page.html.contains("https://js.stripe.com/v3/"));

    // Without a publishable key the card is not offered on the pages.
    let (plain, _) = card_app(json!({})).await;
    let mut other = golmok_e2e::pages::Browser::new(&plain.base_url);
    other.sign_up("손님").await;
    let search = other.get("/search?q=%EC%86%90%EB%91%90%EB%B6%80").await;
    let tofu = search.link_to("listings", "국산콩 손두부").expect("tofu");
    let listing = other.get(&format!("/listings/{tofu}")).await;
    other
        .submit(
            &listing,
            "/basket",
            &[("listing_id", &tofu), ("quantity", "1")],
        )
        .await;
    let form = other.get("/checkout").await;
    assert_eq!(form.input_values("payment"), vec!["offline".to_owned()]);
}

/// The shop's payouts page: what it is owed, and the Stripe account it is paid into, set up
/// through Stripe's onboarding and back on the page Stripe returns the owner to.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shop_connects_its_payout_account_from_its_payouts_page() {
    let (app, stand_in) = card_app(json!({})).await;
    let shops = app.get("/v1/merchants?limit=100", None).await;
    let tofu_shop = shops.body["items"]
        .as_array()
        .and_then(|m| m.iter().find(|m| m["name"] == "망원 두부가게"))
        .and_then(|m| m["id"].as_str())
        .expect("the tofu shop")
        .to_owned();
    let mut owner = golmok_e2e::pages::Browser::new(&app.base_url);
    let form = owner.get("/signin").await;
    owner
        .submit(
            &form,
            "/signin",
            &[
                ("email", "merchant@demo.golmok.kr"),
                ("password", golmok_demo::seed::DEMO_PASSWORD),
            ],
        )
        .await;
    let page = owner.get(&format!("/shop/{tofu_shop}/payouts")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert!(page.html.contains("아직 연결된 계좌가 없습니다"));
    let forged = owner
        .post(&format!("/shop/{tofu_shop}/payouts/onboard"), &[])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let onboard = owner
        .submit(&page, &format!("/shop/{tofu_shop}/payouts/onboard"), &[])
        .await;
    assert!(
        onboard
            .location()
            .starts_with("https://connect.stripe.com/setup/"),
        "to Stripe's onboarding"
    );
    assert_eq!(stand_in.calls_to("/v1/accounts").len(), 1);
    // Stripe sends the owner back; the page says the account is being verified.
    let back = owner.get("/merchant/payouts/done").await;
    assert_eq!(back.location(), format!("/shop/{tofu_shop}/payouts?back=1"));
    let page = owner.get(back.location()).await;
    assert!(page.html.contains("Stripe 확인이 끝나면"), "{}", page.html);
    assert_eq!(
        owner.get("/merchant/payouts/refresh").await.location(),
        format!("/shop/{tofu_shop}/payouts?back=1")
    );

    // Another shop's owner sees nothing of it.
    let mut shopper = golmok_e2e::pages::Browser::new(&app.base_url);
    shopper.sign_up("손님").await;
    assert_eq!(
        shopper
            .get(&format!("/shop/{tofu_shop}/payouts"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}
