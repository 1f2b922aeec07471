//! Ordering over HTTP, on SQLite and PostgreSQL: one basket across shops, weighed refills,
//! stock that is never oversold, idempotent retries, the state machine, refunds and payouts.

use golmok_e2e::{Engine, PASSWORD, Reply, TestApp, on_both_databases};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

on_both_databases!(
    a_basket_over_three_shops_with_weighed_refills,
    concurrent_checkouts_never_oversell,
    baskets_naming_the_same_listings_in_either_order_all_go_through,
    retried_checkouts_place_one_order,
    every_illegal_transition_is_409_naming_the_state,
    orders_are_shown_only_to_those_they_concern,
    checkout_is_refused_when_the_consortium_or_basket_does_not_allow_it,
    rejections_cancellations_and_refunds_move_money_and_stock_back,
    from_checkout_to_delivered_by_shared_routes,
    delivery_checkout_checks_the_slot_and_the_area,
    a_failed_pickup_is_planned_again_in_another_slot,
    a_shops_steps_read_the_order_once,
);

const MANGWON: (f64, f64) = (37.5559, 126.9015);

pub(crate) struct Market {
    pub admin: String,
    pub coordinator: String,
    pub consortium_id: String,
    /// (owner token, merchant id) of the tofu shop, the grain shop and the refill station.
    pub shops: Vec<(String, String)>,
    pub tofu: String,
    pub rice: String,
    pub detergent: String,
}

pub(crate) fn id_of(v: &Value) -> String {
    v["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no id in {v}"))
        .to_owned()
}

pub(crate) async fn created(reply: Reply) -> Value {
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    reply.body
}

pub(crate) async fn ok(reply: Reply) -> Value {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    reply.body
}

/// An active consortium of five: a tofu shop, a grain shop selling rice by weight, a refill
/// station selling detergent by volume in deposit containers, and two more members.
pub(crate) async fn market(app: &TestApp, tofu_stock: i64) -> Market {
    let admin = app.admin().await;
    let agency = created(
        app.post("/v1/agencies", Some(&admin), &json!({"name": format!("서북권 {}", uuid::Uuid::new_v4()), "kind": "regional", "districts": ["마포구"]}))
            .await,
    )
    .await;
    let email = format!("coord-{}@example.com", uuid::Uuid::new_v4().simple());
    let coordinator_account = created(
        app.post(
            "/v1/admin/accounts",
            Some(&admin),
            &json!({"email": email, "password": PASSWORD, "name": "코디", "role": "coordinator"}),
        )
        .await,
    )
    .await;
    ok(app
        .post(
            &format!("/v1/agencies/{}/coordinators", id_of(&agency)),
            Some(&admin),
            &json!({"account_id": id_of(&coordinator_account)}),
        )
        .await)
    .await;
    let coordinator = ok(app
        .post(
            "/v1/auth/login",
            None,
            &json!({"email": email, "password": PASSWORD}),
        )
        .await)
    .await["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let consortium = created(
        app.post(
            "/v1/consortia",
            Some(&coordinator),
            &json!({"name": "망원 협업체", "district": "마포구"}),
        )
        .await,
    )
    .await;
    let consortium_id = id_of(&consortium);

    let mut shops = Vec::new();
    for (name, kind) in [
        ("망원 두부가게", "small_business"),
        ("망원 곡물가게", "small_business"),
        ("망원 리필스테이션", "cooperative"),
        ("망원 떡집", "small_business"),
        ("마을부엌", "village_enterprise"),
    ] {
        let (token, _) = app.sign_up("merchant").await;
        let merchant = created(
            app.post("/v1/merchants", Some(&token), &json!({"name": name, "kind": kind, "location": {"lat": MANGWON.0, "lon": MANGWON.1}, "address": "망원로"}))
                .await,
        )
        .await;
        created(
            app.post(
                &format!("/v1/consortia/{consortium_id}/members"),
                Some(&coordinator),
                &json!({"merchant_id": merchant["id"]}),
            )
            .await,
        )
        .await;
        shops.push((token, id_of(&merchant)));
    }
    let listing = |i: usize, body: Value| {
        let (token, merchant) = shops[i].clone();
        async move {
            id_of(
                &created(
                    app.post(
                        &format!("/v1/merchants/{merchant}/listings"),
                        Some(&token),
                        &body,
                    )
                    .await,
                )
                .await,
            )
        }
    };
    let tofu = listing(0, json!({"title": "손두부", "price_krw": 3500, "unit": "piece", "unit_quantity": 1, "stock": tofu_stock, "refill": false})).await;
    let rice = listing(1, json!({"title": "유기농 현미", "price_krw": 900, "unit": "gram", "unit_quantity": 100, "stock": 10000, "refill": true, "container": {"policy": "bring_your_own"}})).await;
    let detergent = listing(2, json!({"title": "주방세제 리필", "price_krw": 800, "unit": "ml", "unit_quantity": 100, "stock": 20000, "refill": true, "container": {"policy": "deposit", "deposit_krw": 1000}})).await;
    assert_eq!(
        app.get(&format!("/v1/consortia/{consortium_id}"), None)
            .await
            .body["status"],
        "active"
    );
    Market {
        admin,
        coordinator,
        consortium_id,
        shops,
        tofu,
        rice,
        detergent,
    }
}

/// A co-delivery network around Mangwon with a lunch wave (and a breakfast wave that
/// closes at midnight), tied to the market's consortium; returns (network id, tomorrow's lunch
/// slot id).
async fn network_for(app: &TestApp, m: &Market) -> (String, String) {
    network_of_capacity(app, m, 40).await
}

async fn network_of_capacity(app: &TestApp, m: &Market, slot_capacity: u32) -> (String, String) {
    let network = created(
        app.post(
            "/v1/networks",
            Some(&m.admin),
            &json!({
                "name": format!("마포 공동배송 {}", uuid::Uuid::new_v4().simple()),
                "hub": {"lat": 37.5560, "lon": 126.9060},
                "area": {"type": "Polygon", "coordinates": [[[126.88, 37.54], [126.94, 37.54], [126.94, 37.58], [126.88, 37.58], [126.88, 37.54]]]},
                "waves": [{"name": "점심", "start": "11:00", "end": "13:00", "cutoff": "10:00"}, {"name": "아침", "start": "08:00", "end": "09:00", "cutoff": "00:00"}],
                "slot_capacity": slot_capacity,
            }),
        )
        .await,
    )
    .await;
    let network_id = id_of(&network);
    ok(app
        .call(
            Method::PATCH,
            &format!("/v1/consortia/{}", m.consortium_id),
            Some(&m.coordinator),
            Some(&json!({"network_id": network_id})),
        )
        .await)
    .await;
    let tomorrow = seoul_date(1);
    let lunch = slot_named(app, &network_id, tomorrow, "점심").await;
    assert_eq!(lunch["open"], true);
    (network_id, id_of(&lunch))
}

/// The slot of `network_id` named `name` on a Seoul `date` (`YYYY-MM-DD`).
async fn slot_named(
    app: &TestApp,
    network_id: &str,
    date: impl std::fmt::Display,
    name: &str,
) -> Value {
    let slots = ok(app
        .get(
            &format!("/v1/networks/{network_id}/slots?date={date}"),
            None,
        )
        .await)
    .await;
    slots["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap()
        .clone()
}

/// The Seoul date `days` from today.
fn seoul_date(days: i64) -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::days(days))
        .with_timezone(&chrono::FixedOffset::east_opt(9 * 3600).unwrap())
        .date_naive()
}

/// A courier account on the network with a cargo bike and a long shift; returns its token.
async fn courier_on(app: &TestApp, m: &Market, network_id: &str) -> String {
    let (token, account) = app.sign_up("courier").await;
    created(
        app.post(
            "/v1/couriers",
            Some(&m.admin),
            &json!({"account_id": account["id"], "network_id": network_id, "vehicle": "cargo_bike", "capacity": {"kg": 60, "liters": 120}, "shift": {"start": "00:00", "end": "23:59"}}),
        )
        .await,
    )
    .await;
    token
}

pub(crate) fn pickup(m: &Market, items: Value) -> Value {
    json!({"consortium_id": m.consortium_id, "items": items, "fulfillment": {"kind": "pickup"}, "payment": {"provider": "offline"}})
}

/// Places a pickup order of `items` for `shopper`; the order.
pub(crate) async fn place_pickup(app: &TestApp, shopper: &str, m: &Market, items: Value) -> Value {
    created(
        app.post("/v1/orders", Some(shopper), &pickup(m, items))
            .await,
    )
    .await
}

pub(crate) async fn stock(app: &TestApp, listing: &str) -> i64 {
    app.get(&format!("/v1/listings/{listing}"), None).await.body["stock"]
        .as_i64()
        .unwrap()
}

fn part_of<'a>(order: &'a Value, merchant_id: &str) -> &'a Value {
    order["merchant_orders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["merchant_id"] == merchant_id)
        .unwrap()
}

pub(crate) async fn act(
    app: &TestApp,
    token: &str,
    merchant_order: &str,
    action: &str,
    body: Option<Value>,
) -> Reply {
    app.call(
        Method::POST,
        &format!("/v1/merchant-orders/{merchant_order}/{action}"),
        Some(token),
        Some(&body.unwrap_or(json!({}))),
    )
    .await
}

async fn a_basket_over_three_shops_with_weighed_refills(app: TestApp) {
    let m = market(&app, 30).await;
    let (network_id, slot_id) = network_for(&app, &m).await;
    let (shopper, _) = app.sign_up("shopper").await;
    let basket = json!({
        "consortium_id": m.consortium_id,
        "items": [
            {"listing_id": m.tofu, "quantity": 1},
            {"listing_id": m.rice, "quantity": 500},
            {"listing_id": m.detergent, "quantity": 1000},
        ],
        "fulfillment": {"kind": "delivery", "slot_id": slot_id, "address": "서울 마포구 망원로 1, 101호", "location": {"lat": 37.556, "lon": 126.905}},
        "payment": {"provider": "offline"},
    });
    let order = created(app.post("/v1/orders", Some(&shopper), &basket).await).await;
    let order_id = id_of(&order);
    assert_eq!(order["status"], "placed");
    assert_eq!(order["merchant_orders"].as_array().unwrap().len(), 3);
    // 3,500 + 4,500 (500 g) + 8,000 (1,000 ml); one delivery fee; one deposit container.
    assert_eq!(order["items_total_krw"], 16_000);
    assert_eq!(order["delivery_fee_krw"], 3_000);
    assert_eq!(order["deposits_krw"], 1_000);
    assert_eq!(order["total_krw"], 20_000);
    // Authorised: the total plus 15% of the refill estimate (12,500 → 1,875).
    assert_eq!(order["authorized_krw"], 21_875);
    assert_eq!(order["payment"]["status"], "authorized");
    assert_eq!(order["payment"]["provider"], "offline");
    assert_eq!(order["payment"]["authorized_krw"], 21_875);
    assert_eq!(stock(&app, &m.rice).await, 9_500);
    // Checkout answers with the order as it wrote it, not read back: the same as a read,
    // timestamps, ids and the order of parts, lines and events included.
    // (A read also shows the shopper each shop's handover code; checkout's answer never did.)
    let mut read = ok(app
        .get(&format!("/v1/orders/{order_id}"), Some(&shopper))
        .await)
    .await;
    for part in read["merchant_orders"].as_array_mut().unwrap() {
        assert!(part["handover_code"].is_string(), "{part}");
        part.as_object_mut().unwrap().remove("handover_code");
    }
    assert_eq!(read, order);

    let tofu_part = id_of(part_of(&order, &m.shops[0].1));
    let rice_part = part_of(&order, &m.shops[1].1).clone();
    let soap_part = part_of(&order, &m.shops[2].1).clone();
    for (i, part) in [
        (0, &tofu_part),
        (1, &id_of(&rice_part)),
        (2, &id_of(&soap_part)),
    ] {
        let accepted = ok(act(&app, &m.shops[i].0, part, "accept", None).await).await;
        assert_eq!(accepted["status"], "accepted");
    }
    ok(act(&app, &m.shops[0].0, &tofu_part, "ready", None).await).await;

    // A refill line must be weighed before its shop is ready.
    act(&app, &m.shops[1].0, &id_of(&rice_part), "ready", None)
        .await
        .assert_problem(409, "unweighed_lines");
    // Weighed under the estimate: 437 g of 900 won per 100 g is 3,933 won.
    let rice_line = id_of(&rice_part["lines"][0]);
    let weighed = ok(act(
        &app,
        &m.shops[1].0,
        &id_of(&rice_part),
        "weigh",
        Some(json!({"lines": [{"line_id": rice_line, "net_quantity": 437}]})),
    )
    .await)
    .await;
    assert_eq!(weighed["lines"][0]["weighed_quantity"], 437);
    assert_eq!(weighed["lines"][0]["amount_krw"], 3_933);
    assert_eq!(weighed["subtotal_krw"], 3_933);
    assert_eq!(stock(&app, &m.rice).await, 10_000 - 437);

    // Weighed far over: beyond the authorisation, refused with the numbers, nothing changed.
    let soap_line = id_of(&soap_part["lines"][0]);
    let too_much = act(
        &app,
        &m.shops[2].0,
        &id_of(&soap_part),
        "weigh",
        Some(json!({"lines": [{"line_id": soap_line, "net_quantity": 2500}]})),
    )
    .await;
    let problem = too_much.assert_problem(409, "exceeds_authorization");
    assert_eq!(problem["authorized_krw"], 21_875);
    assert_eq!(
        problem["required_krw"],
        3_500 + 3_933 + 20_000 + 1_000 + 3_000
    );
    assert_eq!(stock(&app, &m.detergent).await, 19_000);
    // Weighed a little over the estimate, within the tolerance: 1,150 ml is 9,200 won.
    let weighed = ok(act(
        &app,
        &m.shops[2].0,
        &id_of(&soap_part),
        "weigh",
        Some(json!({"lines": [{"line_id": soap_line, "net_quantity": 1150}]})),
    )
    .await)
    .await;
    assert_eq!(weighed["subtotal_krw"], 9_200);
    assert_eq!(stock(&app, &m.detergent).await, 20_000 - 1_150);
    // Tofu is not weighed.
    act(
        &app,
        &m.shops[0].0,
        &tofu_part,
        "weigh",
        Some(json!({"lines": [{"line_id": "oln_x", "net_quantity": 1}]})),
    )
    .await
    .assert_problem(409, "illegal_transition");

    ok(act(&app, &m.shops[1].0, &id_of(&rice_part), "ready", None).await).await;
    let still_authorized = ok(app
        .get(&format!("/v1/orders/{order_id}"), Some(&shopper))
        .await)
    .await;
    assert_eq!(still_authorized["payment"]["status"], "authorized");
    ok(act(&app, &m.shops[2].0, &id_of(&soap_part), "ready", None).await).await;

    // Every shop is ready: the capture is the weighed total, deposit and delivery fee included.
    let order = ok(app
        .get(&format!("/v1/orders/{order_id}"), Some(&shopper))
        .await)
    .await;
    assert_eq!(order["payment"]["status"], "captured");
    assert_eq!(
        order["payment"]["captured_krw"],
        3_500 + 3_933 + 9_200 + 1_000 + 3_000
    );
    assert_eq!(order["total_krw"], 20_633);
    // Every transition is on the order, with who and when.
    let events = order["events"].as_array().unwrap();
    assert!(
        events
            .iter()
            .any(|e| e["to"] == "ready" && e["from"] == "accepted")
    );
    assert!(
        events
            .iter()
            .all(|e| e["actor_id"].is_string() && e["at"].is_string())
    );
    // Delivery orders are completed by couriers, not collected at the shop.
    act(&app, &m.shops[0].0, &tofu_part, "collect", None)
        .await
        .assert_problem(409, "not_a_pickup_order");

    // What each shop is owed: its weighed sales and deposit, less the 3% commission.
    let payouts = ok(app
        .get(
            &format!("/v1/merchants/{}/payouts", m.shops[2].1),
            Some(&m.shops[2].0),
        )
        .await)
    .await;
    assert_eq!(payouts["owed_krw"], 9_200 + 1_000 - 276);
    assert_eq!(payouts["statement"][0]["kind"], "capture");
    app.get(
        &format!("/v1/merchants/{}/payouts", m.shops[2].1),
        Some(&m.shops[1].0),
    )
    .await
    .assert_problem(403, "forbidden");
    let paid = created(
        app.post(
            &format!("/v1/merchants/{}/payouts", m.shops[2].1),
            Some(&m.admin),
            &json!({}),
        )
        .await,
    )
    .await;
    assert_eq!(paid["amount_krw"], 9_924);
    let payouts = ok(app
        .get(
            &format!("/v1/merchants/{}/payouts", m.shops[2].1),
            Some(&m.shops[2].0),
        )
        .await)
    .await;
    assert_eq!(payouts["owed_krw"], 0);
    assert_eq!(payouts["paid_krw"], 9_924);
    app.post(
        &format!("/v1/merchants/{}/payouts", m.shops[2].1),
        Some(&m.admin),
        &json!({}),
    )
    .await
    .assert_problem(409, "nothing_owed");

    // The network is owed the delivery fee, which the consortium's coordinator reads and an
    // admin pays; a shop may not read it, nor a coordinator pay it.
    let network_payouts = format!("/v1/networks/{network_id}/payouts");
    let owed = ok(app.get(&network_payouts, Some(&m.coordinator)).await).await;
    assert_eq!(owed["owed_krw"], 3_000);
    assert_eq!(owed["paid_krw"], 0);
    assert_eq!(owed["statement"][0]["kind"], "capture");
    assert_eq!(owed["statement"][0]["reference"], order_id.as_str());
    assert_eq!(owed["statement"][0]["amount_krw"], 3_000);
    app.get(&network_payouts, Some(&m.shops[0].0))
        .await
        .assert_problem(403, "forbidden");
    app.post(&network_payouts, Some(&m.coordinator), &json!({}))
        .await
        .assert_problem(403, "forbidden");
    let paid = created(app.post(&network_payouts, Some(&m.admin), &json!({})).await).await;
    assert_eq!(paid["amount_krw"], 3_000);
    assert_eq!(paid["party"], format!("network:{network_id}"));
    let settled = ok(app.get(&network_payouts, Some(&m.coordinator)).await).await;
    assert_eq!(settled["owed_krw"], 0);
    assert_eq!(settled["paid_krw"], 3_000);
    assert_eq!(settled["payouts"][0]["amount_krw"], 3_000);
    assert_eq!(settled["statement"][1]["kind"], "payout");
    assert_eq!(settled["statement"][1]["amount_krw"], -3_000);
    app.post(&network_payouts, Some(&m.admin), &json!({}))
        .await
        .assert_problem(409, "nothing_owed");
    app.get("/v1/networks/net_nobodys/payouts", Some(&m.admin))
        .await
        .assert_problem(404, "not_found");

    // The consortium's report counts it.
    let report = ok(app
        .get(
            &format!("/v1/reports/consortia/{}", m.consortium_id),
            Some(&m.coordinator),
        )
        .await)
    .await;
    assert_eq!(report["sales_krw"], 20_633);
    assert_eq!(report["orders"], 1);
    assert_eq!(report["refill"]["lines"], 2);
    assert_eq!(report["refill"]["containers_reused"], 2);
    assert_eq!(report["merchants"].as_array().unwrap().len(), 3);
    let (stranger, _) = app.sign_up("shopper").await;
    app.get(
        &format!("/v1/reports/consortia/{}", m.consortium_id),
        Some(&stranger),
    )
    .await
    .assert_problem(403, "forbidden");

    let received = ok(app
        .post(
            &format!("/v1/orders/{order_id}/payment/received"),
            Some(&m.admin),
            &json!({}),
        )
        .await)
    .await;
    assert!(received["payment"]["received_at"].is_string());
}

async fn concurrent_checkouts_never_oversell(app: TestApp) {
    let m = market(&app, 10).await;
    let (shopper, _) = app.sign_up("shopper").await;
    let basket = pickup(&m, json!([{"listing_id": m.tofu, "quantity": 1}]));
    let attempts = (0..50).map(|_| app.post("/v1/orders", Some(&shopper), &basket));
    let replies = futures::future::join_all(attempts).await;
    let placed = replies
        .iter()
        .filter(|r| r.status == StatusCode::CREATED)
        .count();
    let refused: Vec<_> = replies
        .iter()
        .filter(|r| r.status == StatusCode::CONFLICT)
        .collect();
    assert_eq!(
        placed,
        10,
        "{:?}",
        replies.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    assert_eq!(refused.len(), 40);
    for r in refused {
        r.assert_problem(409, "out_of_stock");
    }
    assert_eq!(stock(&app, &m.tofu).await, 0);
    let mine = ok(app.get("/v1/orders?limit=100", Some(&shopper)).await).await;
    assert_eq!(mine["items"].as_array().unwrap().len(), 10);
}

/// Stock is taken in listing order, whatever the basket's order: two checkouts holding the
/// same two listings never wait on each other in a cycle (on PostgreSQL, a deadlock would
/// fail one of them).
async fn baskets_naming_the_same_listings_in_either_order_all_go_through(app: TestApp) {
    let m = market(&app, 100).await;
    let (owner, shop) = m.shops[0].clone();
    let beans = id_of(
        &created(
            app.post(
                &format!("/v1/merchants/{shop}/listings"),
                Some(&owner),
                &json!({"title": "콩물", "price_krw": 4000, "unit": "piece", "unit_quantity": 1, "stock": 100, "refill": false}),
            )
            .await,
        )
        .await,
    );
    let (shopper, _) = app.sign_up("shopper").await;
    let forward = pickup(
        &m,
        json!([{"listing_id": m.tofu, "quantity": 1}, {"listing_id": beans, "quantity": 1}]),
    );
    let backward = pickup(
        &m,
        json!([{"listing_id": beans, "quantity": 1}, {"listing_id": m.tofu, "quantity": 1}]),
    );
    let attempts = (0..30).map(|i| {
        let basket = if i % 2 == 0 { &forward } else { &backward };
        app.post("/v1/orders", Some(&shopper), basket)
    });
    let replies = futures::future::join_all(attempts).await;
    for r in &replies {
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    }
    assert_eq!(stock(&app, &m.tofu).await, 70);
    assert_eq!(stock(&app, &beans).await, 70);
}

async fn retried_checkouts_place_one_order(app: TestApp) {
    let m = market(&app, 30).await;
    let (shopper, _) = app.sign_up("shopper").await;
    let basket = pickup(&m, json!([{"listing_id": m.tofu, "quantity": 2}]));
    let first = app
        .post_with_key("/v1/orders", &shopper, "basket-1", &basket)
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
    let again = app
        .post_with_key("/v1/orders", &shopper, "basket-1", &basket)
        .await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(again.body, first.body);
    let other_body = pickup(&m, json!([{"listing_id": m.tofu, "quantity": 3}]));
    let reused = app
        .post_with_key("/v1/orders", &shopper, "basket-1", &other_body)
        .await;
    reused.assert_problem(422, "validation_failed");
    assert_eq!(reused.failed_fields(), ["Idempotency-Key"]);
    assert_eq!(stock(&app, &m.tofu).await, 28);

    // Ten identical requests at once: one order.
    let replies = futures::future::join_all(
        (0..10).map(|_| app.post_with_key("/v1/orders", &shopper, "basket-2", &basket)),
    )
    .await;
    let mut ids = Vec::new();
    for r in replies {
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        ids.push(id_of(&r.body));
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "{ids:?}");
    assert_eq!(stock(&app, &m.tofu).await, 26);
    let mine = ok(app.get("/v1/orders", Some(&shopper)).await).await;
    assert_eq!(mine["items"].as_array().unwrap().len(), 2);
}

/// Drives a merchant order of a fresh pickup order into `state`; returns its id.
async fn part_in_state(app: &TestApp, m: &Market, shopper: &str, state: &str) -> (String, String) {
    let order = created(
        app.post(
            "/v1/orders",
            Some(shopper),
            &pickup(m, json!([{"listing_id": m.tofu, "quantity": 1}])),
        )
        .await,
    )
    .await;
    let part = id_of(&order["merchant_orders"][0]);
    let owner = &m.shops[0].0;
    let steps: &[&str] = match state {
        "pending" => &[],
        "accepted" => &["accept"],
        "ready" => &["accept", "ready"],
        "delivered" => &["accept", "ready", "collect"],
        "rejected" => &["reject"],
        "cancelled" => &[],
        other => panic!("{other}"),
    };
    for step in steps {
        let body = (*step == "reject").then(|| json!({"reason": "sold out"}));
        ok(act(app, owner, &part, step, body).await).await;
    }
    if state == "cancelled" {
        ok(app
            .post(
                &format!("/v1/orders/{}/cancel", id_of(&order)),
                Some(shopper),
                &json!({}),
            )
            .await)
        .await;
    }
    (id_of(&order), part)
}

async fn every_illegal_transition_is_409_naming_the_state(app: TestApp) {
    let m = market(&app, 100).await;
    let (shopper, _) = app.sign_up("shopper").await;
    let legal = [
        ("pending", "accept"),
        ("pending", "reject"),
        ("accepted", "reject"),
        ("accepted", "ready"),
        ("ready", "collect"),
    ];
    for state in [
        "pending",
        "accepted",
        "ready",
        "delivered",
        "rejected",
        "cancelled",
    ] {
        for action in ["accept", "reject", "ready", "collect"] {
            let (_, part) = part_in_state(&app, &m, &shopper, state).await;
            let body = (action == "reject").then(|| json!({"reason": "no"}));
            let reply = act(&app, &m.shops[0].0, &part, action, body).await;
            if legal.contains(&(state, action)) {
                assert_eq!(
                    reply.status,
                    StatusCode::OK,
                    "{state} → {action}: {}",
                    reply.text
                );
            } else {
                let problem = reply.assert_problem(409, "illegal_transition");
                assert_eq!(problem["current_status"], state, "{state} → {action}");
                assert!(problem["detail"].as_str().unwrap().contains(state));
            }
        }
    }
    // Shoppers cancel only before any shop accepts.
    let (order, _) = part_in_state(&app, &m, &shopper, "accepted").await;
    let reply = app
        .post(
            &format!("/v1/orders/{order}/cancel"),
            Some(&shopper),
            &json!({}),
        )
        .await;
    assert_eq!(
        reply.assert_problem(409, "illegal_transition")["current_status"],
        "accepted"
    );
    let (order, _) = part_in_state(&app, &m, &shopper, "cancelled").await;
    app.post(
        &format!("/v1/orders/{order}/cancel"),
        Some(&shopper),
        &json!({}),
    )
    .await
    .assert_problem(409, "illegal_transition");
    // An admin may cancel an accepted order.
    let (order, _) = part_in_state(&app, &m, &shopper, "accepted").await;
    let cancelled = ok(app
        .post(
            &format!("/v1/orders/{order}/cancel"),
            Some(&m.admin),
            &json!({}),
        )
        .await)
    .await;
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(cancelled["payment"]["status"], "voided");
}

async fn orders_are_shown_only_to_those_they_concern(app: TestApp) {
    let m = market(&app, 30).await;
    let (shopper, _) = app.sign_up("shopper").await;
    let (other_shopper, _) = app.sign_up("shopper").await;
    let order = place_pickup(
        &app,
        &shopper,
        &m,
        json!([{"listing_id": m.tofu, "quantity": 1}, {"listing_id": m.rice, "quantity": 300}]),
    )
    .await;
    let id = id_of(&order);
    app.get(&format!("/v1/orders/{id}"), Some(&other_shopper))
        .await
        .assert_problem(404, "not_found");
    // A merchant of another shop, even in the same consortium, sees nothing.
    app.get(&format!("/v1/orders/{id}"), Some(&m.shops[3].0))
        .await
        .assert_problem(404, "not_found");
    // A merchant of the basket sees its own part only.
    let seen = ok(app
        .get(&format!("/v1/orders/{id}"), Some(&m.shops[0].0))
        .await)
    .await;
    assert_eq!(seen["merchant_orders"].as_array().unwrap().len(), 1);
    assert_eq!(
        seen["merchant_orders"][0]["merchant_id"],
        m.shops[0].1.as_str()
    );
    // Nobody else moves it.
    let part = id_of(part_of(&order, &m.shops[0].1));
    act(&app, &m.shops[1].0, &part, "accept", None)
        .await
        .assert_problem(404, "not_found");
    act(&app, &shopper, &part, "accept", None)
        .await
        .assert_problem(404, "not_found");
    app.post(
        &format!("/v1/orders/{id}/cancel"),
        Some(&other_shopper),
        &json!({}),
    )
    .await
    .assert_problem(404, "not_found");
    app.get(
        &format!("/v1/merchants/{}/orders", m.shops[0].1),
        Some(&m.shops[1].0),
    )
    .await
    .assert_problem(403, "forbidden");
    let theirs = ok(app
        .get(
            &format!("/v1/merchants/{}/orders?status=pending", m.shops[0].1),
            Some(&m.shops[0].0),
        )
        .await)
    .await;
    assert_eq!(theirs["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        ok(app.get("/v1/orders", Some(&other_shopper)).await).await["items"],
        json!([])
    );
    app.post(
        &format!("/v1/orders/{id}/refunds"),
        Some(&shopper),
        &json!({"reason": "x"}),
    )
    .await
    .assert_problem(403, "forbidden");
}

async fn checkout_is_refused_when_the_consortium_or_basket_does_not_allow_it(app: TestApp) {
    let m = market(&app, 5).await;
    let (shopper, _) = app.sign_up("shopper").await;
    // Delivery needs the consortium's network.
    let delivery = json!({"consortium_id": m.consortium_id, "items": [{"listing_id": m.tofu, "quantity": 1}], "fulfillment": {"kind": "delivery", "slot_id": "s1", "address": "망원로 1", "location": {"lat": 37.55, "lon": 126.9}}, "payment": {"provider": "offline"}});
    app.post("/v1/orders", Some(&shopper), &delivery)
        .await
        .assert_problem(409, "delivery_unavailable");
    // More than is in stock.
    app.post(
        "/v1/orders",
        Some(&shopper),
        &pickup(&m, json!([{"listing_id": m.tofu, "quantity": 6}])),
    )
    .await
    .assert_problem(409, "out_of_stock");
    // Validation, field by field.
    let reply = app
        .post("/v1/orders", Some(&shopper), &json!({"consortium_id": m.consortium_id, "items": [{"listing_id": m.tofu, "quantity": 0}, {"listing_id": m.tofu, "quantity": 1}], "fulfillment": {"kind": "pickup"}, "payment": {"provider": "cash-in-envelope"}}))
        .await;
    reply.assert_problem(422, "validation_failed");
    assert_eq!(
        reply.failed_fields(),
        [
            "items[0].quantity",
            "items[1].listing_id",
            "payment.provider"
        ]
    );
    let reply = app
        .post(
            "/v1/orders",
            Some(&shopper),
            &pickup(&m, json!([{"listing_id": "lst_nope", "quantity": 1}])),
        )
        .await;
    assert_eq!(reply.failed_fields(), ["items[0].listing_id"]);
    let reply = app.post("/v1/orders", Some(&shopper), &json!({"consortium_id": m.consortium_id, "items": [], "fulfillment": {"kind": "drone"}, "payment": {"provider": "offline"}})).await;
    reply.assert_problem(422, "validation_failed");
    // Merchants do not check out.
    app.post(
        "/v1/orders",
        Some(&m.shops[0].0),
        &pickup(&m, json!([{"listing_id": m.tofu, "quantity": 1}])),
    )
    .await
    .assert_problem(403, "forbidden");

    // A consortium that falls back to forming cannot sell.
    let removed = app
        .call(
            Method::DELETE,
            &format!("/v1/consortia/{}/members/{}", m.consortium_id, m.shops[4].1),
            Some(&m.coordinator),
            None,
        )
        .await;
    assert_eq!(removed.body["status"], "forming");
    app.post(
        "/v1/orders",
        Some(&shopper),
        &pickup(&m, json!([{"listing_id": m.tofu, "quantity": 1}])),
    )
    .await
    .assert_problem(409, "consortium_not_active");
    assert_eq!(stock(&app, &m.tofu).await, 5, "nothing was half-written");
}

async fn rejections_cancellations_and_refunds_move_money_and_stock_back(app: TestApp) {
    let m = market(&app, 20).await;
    let (shopper, _) = app.sign_up("shopper").await;

    // The shopper cancels before any shop accepts: stock back, authorisation voided.
    let order = place_pickup(
        &app,
        &shopper,
        &m,
        json!([{"listing_id": m.tofu, "quantity": 4}]),
    )
    .await;
    assert_eq!(stock(&app, &m.tofu).await, 16);
    let cancelled = ok(app
        .post(
            &format!("/v1/orders/{}/cancel", id_of(&order)),
            Some(&shopper),
            &json!({}),
        )
        .await)
    .await;
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(cancelled["payment"]["status"], "voided");
    assert_eq!(stock(&app, &m.tofu).await, 20);

    // One shop rejects: its stock goes back and the capture covers only the others.
    let order = place_pickup(
        &app,
        &shopper,
        &m,
        json!([{"listing_id": m.tofu, "quantity": 2}, {"listing_id": m.rice, "quantity": 1000}]),
    )
    .await;
    let order_id = id_of(&order);
    let tofu_part = id_of(part_of(&order, &m.shops[0].1));
    let rice_part = part_of(&order, &m.shops[1].1).clone();
    let pages_of = golmok_catalog::read_cache::version(app.state.cache.as_ref()).await;
    let rejected = ok(act(
        &app,
        &m.shops[1].0,
        &id_of(&rice_part),
        "reject",
        Some(json!({"reason": "현미가 다 떨어졌어요"})),
    )
    .await)
    .await;
    assert_eq!(rejected["status"], "rejected");
    assert_eq!(rejected["note"], "현미가 다 떨어졌어요");
    assert_eq!(stock(&app, &m.rice).await, 10_000);
    let after_rejection = golmok_catalog::read_cache::version(app.state.cache.as_ref()).await;
    assert_ne!(
        after_rejection, pages_of,
        "stock given back renews the cached pages"
    );
    ok(act(&app, &m.shops[0].0, &tofu_part, "accept", None).await).await;
    ok(act(&app, &m.shops[0].0, &tofu_part, "ready", None).await).await;
    assert_eq!(
        golmok_catalog::read_cache::version(app.state.cache.as_ref()).await,
        after_rejection,
        "accepting and packing change no listing: the cached pages stand"
    );
    let order = ok(app
        .get(&format!("/v1/orders/{order_id}"), Some(&shopper))
        .await)
    .await;
    assert_eq!(order["payment"]["status"], "captured");
    assert_eq!(order["payment"]["captured_krw"], 7_000);
    assert_eq!(order["items_total_krw"], 7_000);

    // Refunds: an amount of one part, then the rest of it, never more than was captured.
    let refunds_url = format!("/v1/orders/{order_id}/refunds");
    let refund = |body: Value| {
        let (app, url, admin) = (&app, &refunds_url, &m.admin);
        async move { app.post(url, Some(admin), &body).await }
    };
    let first = created(refund(json!({"merchant_order_id": tofu_part, "amount_krw": 3_500, "reason": "두부 하나가 깨졌어요"})).await).await;
    assert_eq!(first["amount_krw"], 3_500);
    assert_eq!(
        first["refunds"][0]["party"],
        format!("merchant:{}", m.shops[0].1)
    );
    refund(json!({"amount_krw": 5_000, "reason": "too much"}))
        .await
        .assert_problem(409, "exceeds_refundable");
    refund(json!({"merchant_order_id": id_of(&rice_part), "reason": "rejected part"}))
        .await
        .assert_problem(422, "validation_failed");
    let rest = created(refund(json!({"reason": "고객 요청"})).await).await;
    assert_eq!(rest["amount_krw"], 3_500);
    let order = ok(app
        .get(&format!("/v1/orders/{order_id}"), Some(&shopper))
        .await)
    .await;
    assert_eq!(order["payment"]["status"], "refunded");
    assert_eq!(order["payment"]["refunded_krw"], 7_000);
    assert_eq!(order["refunds"].as_array().unwrap().len(), 2);
    refund(json!({"reason": "again"}))
        .await
        .assert_problem(409, "exceeds_refundable");
    // A fully refunded shop is owed nothing; its commission went back too.
    let payouts = ok(app
        .get(
            &format!("/v1/merchants/{}/payouts", m.shops[0].1),
            Some(&m.shops[0].0),
        )
        .await)
    .await;
    assert_eq!(payouts["owed_krw"], 0);

    // A retried refund with the same key does not refund twice.
    let order = place_pickup(
        &app,
        &shopper,
        &m,
        json!([{"listing_id": m.tofu, "quantity": 1}]),
    )
    .await;
    let part = id_of(&order["merchant_orders"][0]);
    ok(act(&app, &m.shops[0].0, &part, "accept", None).await).await;
    ok(act(&app, &m.shops[0].0, &part, "ready", None).await).await;
    let refunds = format!("/v1/orders/{}/refunds", id_of(&order));
    let refund = json!({"amount_krw": 1000, "reason": "늦게 준비됨"});
    let a = app
        .post_with_key(&refunds, &m.admin, "refund-1", &refund)
        .await;
    let b = app
        .post_with_key(&refunds, &m.admin, "refund-1", &refund)
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    assert_eq!(a.body, b.body);
    let order = ok(app
        .get(&format!("/v1/orders/{}", id_of(&order)), Some(&shopper))
        .await)
    .await;
    assert_eq!(order["payment"]["refunded_krw"], 1_000);
}

#[tokio::test]
async fn orders_no_shop_accepts_in_time_expire_and_release_their_stock() {
    let app = TestApp::start_with(
        Engine::Sqlite,
        json!({"ordering": {"acceptance_timeout_mins": 0, "expiry_sweep_secs": 1}}),
    )
    .await;
    let m = market(&app, 10).await;
    let (shopper, _) = app.sign_up("shopper").await;
    let order = place_pickup(
        &app,
        &shopper,
        &m,
        json!([{"listing_id": m.tofu, "quantity": 3}]),
    )
    .await;
    assert_eq!(stock(&app, &m.tofu).await, 7);
    let mut status = Value::Null;
    for _ in 0..50 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let o = ok(app
            .get(&format!("/v1/orders/{}", id_of(&order)), Some(&shopper))
            .await)
        .await;
        status = o["merchant_orders"][0]["status"].clone();
        if status == "expired" {
            assert_eq!(o["status"], "cancelled");
            assert_eq!(o["payment"]["status"], "voided");
            assert!(
                o["events"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|e| e["actor_id"] == "system")
            );
            break;
        }
    }
    assert_eq!(status, "expired");
    assert_eq!(stock(&app, &m.tofu).await, 10);
}

async fn from_checkout_to_delivered_by_shared_routes(app: TestApp) {
    let m = market(&app, 30).await;
    let (network_id, slot_id) = network_for(&app, &m).await;
    let first = courier_on(&app, &m, &network_id).await;
    let second = courier_on(&app, &m, &network_id).await;
    let (shopper, _) = app.sign_up("shopper").await;
    let mut orders = Vec::new();
    for (lat, lon) in [
        (37.5570, 126.9030),
        (37.5520, 126.9100),
        (37.5610, 126.9000),
    ] {
        let basket = json!({
            "consortium_id": m.consortium_id,
            "items": [{"listing_id": m.tofu, "quantity": 1}, {"listing_id": m.rice, "quantity": 300}],
            "fulfillment": {"kind": "delivery", "slot_id": slot_id, "address": "망원동", "location": {"lat": lat, "lon": lon}},
            "payment": {"provider": "offline"},
        });
        orders.push(created(app.post("/v1/orders", Some(&shopper), &basket).await).await);
    }
    for order in &orders {
        for (i, part) in [
            (0, part_of(order, &m.shops[0].1)),
            (1, part_of(order, &m.shops[1].1)),
        ] {
            let id = id_of(part);
            ok(act(&app, &m.shops[i].0, &id, "accept", None).await).await;
            if i == 1 {
                let line = id_of(&part["lines"][0]);
                ok(act(
                    &app,
                    &m.shops[i].0,
                    &id,
                    "weigh",
                    Some(json!({"lines": [{"line_id": line, "net_quantity": 310}]})),
                )
                .await)
                .await;
            }
            ok(act(&app, &m.shops[i].0, &id, "ready", None).await).await;
        }
    }

    // Live views, opened before the plan: the shopper's order and both couriers.
    let listen = |path: String, token: String| {
        let app = &app;
        async move {
            let response = app
                .client()
                .get(app.url(&path))
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::OK);
            response
        }
    };
    let first_order = id_of(&orders[0]);
    let mut order_events =
        listen(format!("/v1/orders/{first_order}/events"), shopper.clone()).await;
    let mut courier_events = [
        listen("/v1/couriers/me/events".into(), first.clone()).await,
        listen("/v1/couriers/me/events".into(), second.clone()).await,
    ];
    // Another shopper may not listen to this order.
    let (stranger, _) = app.sign_up("shopper").await;
    app.get(&format!("/v1/orders/{first_order}/events"), Some(&stranger))
        .await
        .assert_problem(404, "not_found");

    let plan_url = format!("/v1/networks/{network_id}/slots/{slot_id}/plan");
    let plan = ok(app.post(&plan_url, Some(&m.admin), &json!({})).await).await;
    // The shopper hears the courier's ETA; a courier hears of its new batch.
    let heard = golmok_e2e::read_events_until(&mut order_events, "event: eta").await;
    assert!(heard.contains(&first_order), "{heard}");
    let batch_id = id_of(&plan["batches"][0]);
    let mut heard_batch = false;
    for events in courier_events.iter_mut() {
        let read = tokio::time::timeout(
            std::time::Duration::from_secs(3),
            golmok_e2e::read_events_until(events, &batch_id),
        )
        .await;
        heard_batch |= read.is_ok_and(|text| text.contains("event: batch"));
    }
    assert!(heard_batch, "no courier heard of batch {batch_id}");
    assert_eq!(plan["unassigned"], json!([]));
    let batches = plan["batches"].as_array().unwrap();
    assert!(!batches.is_empty());
    let stops: usize = batches
        .iter()
        .map(|b| b["stops"].as_array().unwrap().len())
        .sum();
    assert_eq!(
        stops, 12,
        "a pickup and a drop-off for each of six merchant orders"
    );
    assert!(plan["metrics"]["distance_m"].as_f64().unwrap() > 0.0);
    assert!(plan["metrics"]["solo_distance_m"].as_f64().unwrap() > 0.0);
    // Planning again replaces the unstarted batches instead of adding to them.
    let again = ok(app.post(&plan_url, Some(&m.admin), &json!({})).await).await;
    assert_eq!(again["batches"].as_array().unwrap().len(), batches.len());
    app.post(&plan_url, Some(&m.shops[0].0), &json!({}))
        .await
        .assert_problem(403, "forbidden");

    // Each courier sees only its own batches; the planner uses as few couriers as it can.
    let mine = ok(app.get("/v1/couriers/me/batches", Some(&first)).await).await;
    let theirs = ok(app.get("/v1/couriers/me/batches", Some(&second)).await).await;
    let (active, idle) = if mine["items"].as_array().unwrap().is_empty() {
        (&second, &first)
    } else {
        (&first, &second)
    };
    let batch = if mine["items"].as_array().unwrap().is_empty() {
        &theirs["items"][0]
    } else {
        &mine["items"][0]
    };
    let stops = batch["stops"].as_array().unwrap().clone();
    let first_stop = id_of(&stops[0]);
    let proof = json!({"proof": {"kind": "code", "value": "0000"}});
    app.post(
        &format!("/v1/stops/{first_stop}/complete"),
        Some(idle),
        &proof,
    )
    .await
    .assert_problem(403, "forbidden");
    app.post(
        &format!("/v1/stops/{first_stop}/complete"),
        Some(active),
        &json!({"proof": {"kind": "wave", "value": "x"}}),
    )
    .await
    .assert_problem(422, "validation_failed");

    // Complete every stop of every batch in order.
    let all = ok(app
        .get(&format!("/v1/orders/{}", id_of(&orders[0])), Some(&shopper))
        .await)
    .await;
    assert_eq!(all["payment"]["status"], "captured");
    for token in [&first, &second] {
        let batches = ok(app.get("/v1/couriers/me/batches", Some(token)).await).await;
        for b in batches["items"].as_array().unwrap() {
            for s in b["stops"].as_array().unwrap() {
                // The code the shop (pick-up) or the shopper (drop-off) would give.
                let task = golmok_delivery_routing::task::task_of(
                    &app.state.db,
                    s["merchant_order_id"].as_str().unwrap_or_default(),
                )
                .await
                .unwrap();
                let code = if s["kind"] == "pickup" {
                    task.pickup_code
                } else {
                    task.dropoff_code
                };
                let done = ok(app
                    .post(
                        &format!("/v1/stops/{}/complete", id_of(s)),
                        Some(token),
                        &json!({"proof": {"kind": "code", "value": code}}),
                    )
                    .await)
                .await;
                assert_eq!(done["status"], "completed");
            }
        }
        let done = ok(app
            .get("/v1/couriers/me/batches?status=done", Some(token))
            .await)
        .await;
        assert_eq!(
            done["items"].as_array().unwrap().len(),
            batches["items"].as_array().unwrap().len()
        );
    }
    app.post(
        &format!("/v1/stops/{first_stop}/complete"),
        Some(active),
        &proof,
    )
    .await
    .assert_problem(409, "stop_done");
    // The consortium's report shows the shared routes against each shop driving alone.
    let report = ok(app
        .get(
            &format!("/v1/reports/consortia/{}", m.consortium_id),
            Some(&m.coordinator),
        )
        .await)
    .await;
    assert_eq!(
        report["delivery"]["distance_m"],
        again["metrics"]["distance_m"]
    );
    assert_eq!(
        report["delivery"]["solo_distance_m"],
        again["metrics"]["solo_distance_m"]
    );
    for order in &orders {
        let o = ok(app
            .get(&format!("/v1/orders/{}", id_of(order)), Some(&shopper))
            .await)
        .await;
        assert_eq!(o["status"], "completed", "{o}");
        assert!(
            o["merchant_orders"]
                .as_array()
                .unwrap()
                .iter()
                .all(|mo| mo["status"] == "delivered")
        );
        assert!(
            o["events"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["to"] == "picked_up")
        );
    }
}

async fn delivery_checkout_checks_the_slot_and_the_area(app: TestApp) {
    let m = market(&app, 30).await;
    let (network_id, slot_id) = network_for(&app, &m).await;
    let (shopper, _) = app.sign_up("shopper").await;
    let basket = |slot: &str, lat: f64, lon: f64| {
        json!({
            "consortium_id": m.consortium_id,
            "items": [{"listing_id": m.tofu, "quantity": 1}],
            "fulfillment": {"kind": "delivery", "slot_id": slot, "address": "어딘가", "location": {"lat": lat, "lon": lon}},
            "payment": {"provider": "offline"},
        })
    };
    let outside = app
        .post(
            "/v1/orders",
            Some(&shopper),
            &basket(&slot_id, 37.4979, 127.0276),
        )
        .await;
    outside.assert_problem(422, "validation_failed");
    assert_eq!(outside.failed_fields(), ["fulfillment.location"]);
    let unknown = app
        .post(
            "/v1/orders",
            Some(&shopper),
            &basket("wav_nope@2026-01-01", 37.556, 126.905),
        )
        .await;
    assert_eq!(unknown.failed_fields(), ["fulfillment.slot_id"]);
    // Today's breakfast wave closed at midnight.
    let today = seoul_date(0);
    let breakfast = slot_named(&app, &network_id, today, "아침").await;
    assert_eq!(breakfast["open"], false);
    app.post(
        "/v1/orders",
        Some(&shopper),
        &basket(&id_of(&breakfast), 37.556, 126.905),
    )
    .await
    .assert_problem(409, "slot_closed");
    assert_eq!(stock(&app, &m.tofu).await, 30, "nothing was half-written");
    created(
        app.post(
            "/v1/orders",
            Some(&shopper),
            &basket(&slot_id, 37.556, 126.905),
        )
        .await,
    )
    .await;
    let lunch = slot_named(&app, &network_id, &slot_id[slot_id.len() - 10..], "점심").await;
    assert_eq!(lunch["booked"], 1);

    // A slot takes as many orders as its network allows, then says it is full.
    let (_, only) = network_of_capacity(&app, &m, 1).await;
    created(
        app.post(
            "/v1/orders",
            Some(&shopper),
            &basket(&only, 37.556, 126.905),
        )
        .await,
    )
    .await;
    app.post(
        "/v1/orders",
        Some(&shopper),
        &basket(&only, 37.556, 126.905),
    )
    .await
    .assert_problem(409, "slot_full");
    // A slot of the consortium's former network is refused by name.
    let reply = app
        .post(
            "/v1/orders",
            Some(&shopper),
            &basket(&slot_id, 37.556, 126.905),
        )
        .await;
    assert_eq!(reply.failed_fields(), ["fulfillment.slot_id"]);
}

async fn a_failed_pickup_is_planned_again_in_another_slot(app: TestApp) {
    let m = market(&app, 30).await;
    let (network_id, slot_id) = network_for(&app, &m).await;
    let courier = courier_on(&app, &m, &network_id).await;
    let (shopper, _) = app.sign_up("shopper").await;
    let basket = json!({
        "consortium_id": m.consortium_id,
        "items": [{"listing_id": m.tofu, "quantity": 2}, {"listing_id": m.rice, "quantity": 500}],
        "fulfillment": {"kind": "delivery", "slot_id": slot_id, "address": "망원동 1", "location": {"lat": 37.557, "lon": 126.904}},
        "payment": {"provider": "offline"},
    });
    let order = created(app.post("/v1/orders", Some(&shopper), &basket).await).await;
    let tofu_part = id_of(part_of(&order, &m.shops[0].1));
    ok(act(&app, &m.shops[0].0, &tofu_part, "accept", None).await).await;
    ok(act(&app, &m.shops[0].0, &tofu_part, "ready", None).await).await;
    let rice_part = part_of(&order, &m.shops[1].1).clone();
    ok(act(&app, &m.shops[1].0, &id_of(&rice_part), "accept", None).await).await;
    let line = id_of(&rice_part["lines"][0]);
    ok(act(
        &app,
        &m.shops[1].0,
        &id_of(&rice_part),
        "weigh",
        Some(json!({"lines": [{"line_id": line, "net_quantity": 480}]})),
    )
    .await)
    .await;
    ok(act(&app, &m.shops[1].0, &id_of(&rice_part), "ready", None).await).await;

    let plan = ok(app
        .post(
            &format!("/v1/networks/{network_id}/slots/{slot_id}/plan"),
            Some(&m.admin),
            &json!({}),
        )
        .await)
    .await;
    let stops = plan["batches"][0]["stops"].as_array().unwrap().clone();
    // The courier reads what to pick up, weighed amounts included.
    let contents: Vec<&str> = stops
        .iter()
        .map(|s| s["contents"].as_str().unwrap())
        .collect();
    assert!(contents.contains(&"손두부 ×2"), "{contents:?}");
    assert!(contents.contains(&"유기농 현미 480 g"), "{contents:?}");

    // The tofu shop was closed when the courier came.
    let pickup = stops
        .iter()
        .find(|s| s["kind"] == "pickup" && s["merchant_order_id"] == tofu_part.as_str())
        .unwrap();
    let failed = ok(app
        .post(
            &format!("/v1/stops/{}/fail", id_of(pickup)),
            Some(&courier),
            &json!({"reason": "shop_closed", "note": "가게 문이 닫혀 있었어요"}),
        )
        .await)
    .await;
    assert_eq!(failed["status"], "failed");
    let batches = ok(app.get("/v1/couriers/me/batches", Some(&courier)).await).await;
    let dropoff = batches["items"][0]["stops"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["kind"] == "dropoff" && s["merchant_order_id"] == tofu_part.as_str())
        .unwrap()
        .clone();
    assert_eq!(dropoff["status"], "failed");

    // An admin moves it to tomorrow's breakfast wave, whose next plan carries it. (The
    // order's own shopper may too; another shopper learns nothing of it.)
    let tomorrow = &slot_id[slot_id.len() - 10..];
    let breakfast = id_of(&slot_named(&app, &network_id, tomorrow, "아침").await);
    let (stranger, _) = app.sign_up("shopper").await;
    app.post(
        &format!("/v1/merchant-orders/{tofu_part}/reschedule"),
        Some(&stranger),
        &json!({"slot_id": breakfast}),
    )
    .await
    .assert_problem(404, "not_found");
    let moved = app
        .post(
            &format!("/v1/merchant-orders/{tofu_part}/reschedule"),
            Some(&m.admin),
            &json!({"slot_id": breakfast}),
        )
        .await;
    assert_eq!(moved.status, StatusCode::NO_CONTENT, "{}", moved.text);
    let rice = id_of(&rice_part);
    app.post(
        &format!("/v1/merchant-orders/{rice}/reschedule"),
        Some(&m.admin),
        &json!({"slot_id": breakfast}),
    )
    .await
    .assert_problem(409, "delivery_not_open");
    let replanned = ok(app
        .post(
            &format!("/v1/networks/{network_id}/slots/{breakfast}/plan"),
            Some(&m.admin),
            &json!({}),
        )
        .await)
    .await;
    let carried: Vec<&str> = replanned["batches"][0]["stops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["merchant_order_id"].as_str().unwrap())
        .collect();
    assert_eq!(carried, [tofu_part.as_str(), tofu_part.as_str()]);
}

#[tokio::test]
async fn checkouts_beyond_the_per_minute_limit_are_429() {
    let app = TestApp::start_with(
        Engine::Sqlite,
        json!({"ordering": {"checkouts_per_minute": 2}}),
    )
    .await;
    let m = market(&app, 30).await;
    let (shopper, _) = app.sign_up("shopper").await;
    let basket = json!({
        "consortium_id": m.consortium_id,
        "items": [{"listing_id": m.tofu, "quantity": 1}],
        "fulfillment": {"kind": "pickup"},
        "payment": {"provider": "offline"},
    });
    for _ in 0..2 {
        created(app.post("/v1/orders", Some(&shopper), &basket).await).await;
    }
    let refused = app.post("/v1/orders", Some(&shopper), &basket).await;
    refused.assert_problem(429, "rate_limited");
    assert!(refused.header("retry-after").is_some());
    // Someone else is not held back by it.
    let (other, _) = app.sign_up("shopper").await;
    created(app.post("/v1/orders", Some(&other), &basket).await).await;
}

/// Every statement is a round trip to the database (about 0.1 ms to SQLite's worker thread
/// here, a network hop to PostgreSQL), and a write transaction holds its lock through all of
/// them. Counted on a connection of the test's own, so the app's background work does not
/// mix in: accepting and marking ready build their answer from the rows settling already
/// read, and a read that creeps back in shows here.
async fn a_shops_steps_read_the_order_once(app: TestApp) {
    use std::sync::{Arc, Mutex};

    let m = market(&app, 30).await;
    let (shopper, _) = app.sign_up("shopper").await;
    let (order_id, part) = part_in_state(&app, &m, &shopper, "pending").await;
    let owner_id = id_of(&ok(app.get("/v1/me", Some(&m.shops[0].0)).await).await);

    let statements: Arc<Mutex<Vec<String>>> = Arc::default();
    let mut db = sea_orm::Database::connect(app.state.settings.database.url.as_str())
        .await
        .unwrap();
    let log = statements.clone();
    db.set_metric_callback(move |info| {
        log.lock().unwrap().push(info.statement.sql.clone());
    });
    let ctx = golmok_ordering::Ordering {
        db: &db,
        ..app.state.ordering()
    };
    let owner = golmok_accounts::find(&db, &owner_id).await.unwrap();
    let taken = || std::mem::take(&mut *statements.lock().unwrap());

    taken();
    let accepted = golmok_ordering::lifecycle::accept(ctx, &owner, &part)
        .await
        .unwrap();
    let accepting = taken();
    let ready = golmok_ordering::lifecycle::mark_ready(ctx, &owner, &part)
        .await
        .unwrap();
    let marking_ready = taken();

    // The answers are whole: the step, the payment it settled, and all as a fresh read shows.
    assert_eq!(accepted.merchant_orders[0].status.as_str(), "accepted");
    assert_eq!(ready.merchant_orders[0].status.as_str(), "ready");
    assert_eq!(
        ready.payment.status,
        golmok_payments::PaymentStatus::Captured
    );
    let shown = ok(app
        .get(&format!("/v1/orders/{order_id}"), Some(&shopper))
        .await)
    .await;
    assert_eq!(serde_json::to_value(&ready).unwrap(), shown);

    assert!(
        accepting.len() <= ACCEPTING,
        "accepting took {} statements:\n{}",
        accepting.len(),
        accepting.join("\n")
    );
    assert!(
        marking_ready.len() <= MARKING_READY,
        "marking ready (and capturing the payment) took {} statements:\n{}",
        marking_ready.len(),
        marking_ready.join("\n")
    );
}

/// Statements each step takes today, on either database.
const ACCEPTING: usize = 11;
const MARKING_READY: usize = 25;
