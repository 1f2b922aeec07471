//! Co-delivery capacity that tells the truth: a slot takes what its couriers can carry,
//! checkout names the next slot that can, nothing a plan leaves out goes unsaid or
//! unresolved, and savings compare the same deliveries.

use golmok_e2e::pages::Browser;
use golmok_e2e::{TestApp, on_both_databases};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

on_both_databases!(
    a_wave_takes_what_its_fleet_carries_and_names_the_next_slot,
    a_withdrawn_courier_leaves_overflow_that_is_told_and_resolved,
    savings_count_only_the_deliveries_a_plan_carries,
);

const DEMO: &str = golmok_demo::seed::DEMO_PASSWORD;

async fn login(app: &TestApp, email: &str) -> String {
    let reply = app
        .post(
            "/v1/auth/login",
            None,
            &json!({"email": email, "password": DEMO}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    reply.body["token"].as_str().unwrap_or_default().to_owned()
}

/// The demo, with Mangwon's consortium moved onto a small network of our own: couriers make
/// `stops_per_hour` stops an hour and no margin is kept, so the numbers are easy to follow.
struct Setup {
    admin: String,
    coordinator: String,
    network: String,
    consortium: String,
    tofu: String,
    oil: String,
    tofu_shop: String,
}

async fn setup(app: &TestApp, stops_per_hour: f64) -> Setup {
    golmok_demo::seed::demo(&app.state.db, app.state.cache.as_ref())
        .await
        .expect("the demo");
    let admin = login(app, "admin@demo.golmok.kr").await;
    let coordinator = login(app, "coordinator@demo.golmok.kr").await;
    let network = app
        .post(
            "/v1/networks",
            Some(&admin),
            &json!({
                "name": "망원 시험 공동배송",
                "hub": {"lat": 37.5560, "lon": 126.9060},
                "area": {"type": "Polygon", "coordinates": [[[126.88, 37.54], [126.94, 37.54], [126.94, 37.58], [126.88, 37.58], [126.88, 37.54]]]},
                "waves": [
                    {"name": "점심", "start": "11:00", "end": "13:00", "cutoff": "10:00"},
                    {"name": "저녁", "start": "17:00", "end": "19:00", "cutoff": "16:00"},
                ],
                "stops_per_hour": stops_per_hour,
                "capacity_margin_pct": 0,
            }),
        )
        .await;
    assert_eq!(network.status, StatusCode::CREATED, "{}", network.text);
    let network = network.body["id"].as_str().unwrap_or_default().to_owned();
    let consortia = app.get("/v1/consortia", None).await;
    let consortium = consortia.body["items"]
        .as_array()
        .and_then(|c| {
            c.iter().find(|c| {
                c["name"]
                    .as_str()
                    .is_some_and(|n| n.starts_with("망원시장"))
            })
        })
        .and_then(|c| c["id"].as_str())
        .expect("Mangwon")
        .to_owned();
    let moved = app
        .call(
            Method::PATCH,
            &format!("/v1/consortia/{consortium}"),
            Some(&admin),
            Some(&json!({"network_id": network})),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.text);
    let shops = app.get("/v1/merchants?limit=100", None).await;
    let shop = |name: &str| {
        shops.body["items"]
            .as_array()
            .and_then(|m| m.iter().find(|m| m["name"] == name))
            .and_then(|m| m["id"].as_str())
            .unwrap_or_else(|| panic!("{name}"))
            .to_owned()
    };
    let (tofu_shop, oil_shop) = (shop("망원 두부가게"), shop("망원동 마을기업 참기름집"));
    let listing = |shop: String, title: &'static str| async move {
        let found = app
            .get(&format!("/v1/listings?merchant_id={shop}&limit=100"), None)
            .await;
        found.body["items"]
            .as_array()
            .and_then(|l| l.iter().find(|l| l["title"] == title))
            .and_then(|l| l["id"].as_str())
            .unwrap_or_else(|| panic!("{title}"))
            .to_owned()
    };
    Setup {
        tofu: listing(tofu_shop.clone(), "국산콩 손두부").await,
        oil: listing(oil_shop, "참기름").await,
        tofu_shop,
        admin,
        coordinator,
        network,
        consortium,
    }
}

/// Signs a new courier on to the network: a cargo bike carrying `kg`, on shift all day.
async fn courier(app: &TestApp, s: &Setup, token: &str, kg: f64) -> String {
    let email = format!("rider-{}@example.com", uuid::Uuid::new_v4().simple());
    let account = app
        .post(
            "/v1/admin/accounts",
            Some(&s.admin),
            &json!({"email": email, "password": golmok_e2e::PASSWORD, "name": "기사", "role": "courier"}),
        )
        .await;
    assert_eq!(account.status, StatusCode::CREATED, "{}", account.text);
    let rider = app
        .post(
            "/v1/couriers",
            Some(token),
            &json!({
                "account_id": account.body["id"], "network_id": s.network, "vehicle": "cargo_bike",
                "capacity": {"kg": kg, "liters": kg * 2.0}, "shift": {"start": "09:00", "end": "20:00"},
            }),
        )
        .await;
    assert_eq!(rider.status, StatusCode::CREATED, "{}", rider.text);
    rider.body["id"].as_str().unwrap_or_default().to_owned()
}

fn tomorrow() -> String {
    (chrono::Utc::now() + chrono::Duration::hours(9 + 24))
        .date_naive()
        .to_string()
}

async fn slots(app: &TestApp, s: &Setup, query: &str) -> Vec<Value> {
    let found = app
        .get(
            &format!(
                "/v1/networks/{}/slots?date={}{query}",
                s.network,
                tomorrow()
            ),
            None,
        )
        .await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.text);
    found.body["items"].as_array().cloned().unwrap_or_default()
}

fn slot_id(slots: &[Value], name: &str) -> String {
    slots
        .iter()
        .find(|s| s["name"] == name)
        .and_then(|s| s["id"].as_str())
        .unwrap_or_else(|| panic!("{name}"))
        .to_owned()
}

/// One shopper's delivery basket into `slot`, `n` metres of latitude from the hub.
async fn deliver(
    app: &TestApp,
    s: &Setup,
    shopper: &str,
    slot: &str,
    items: Value,
    n: u32,
) -> (StatusCode, Value) {
    let reply = app
        .post(
            "/v1/orders",
            Some(shopper),
            &json!({
                "consortium_id": s.consortium,
                "items": items,
                "fulfillment": {"kind": "delivery", "slot_id": slot, "address": format!("망원로 {n}"),
                                "location": {"lat": 37.5560 + f64::from(n) * 0.0004, "lon": 126.9060}},
                "payment": {"provider": "offline"},
            }),
        )
        .await;
    (reply.status, reply.body)
}

async fn plan(app: &TestApp, s: &Setup, token: &str, slot: &str) -> Value {
    let plan = app
        .post(
            &format!("/v1/networks/{}/slots/{slot}/plan", s.network),
            Some(token),
            &json!({}),
        )
        .await;
    assert_eq!(plan.status, StatusCode::OK, "{}", plan.text);
    plan.body
}

async fn a_wave_takes_what_its_fleet_carries_and_names_the_next_slot(app: TestApp) {
    // One courier, 4 stops an hour through a two-hour wave: 8 stops, 4 deliveries.
    let s = setup(&app, 4.0).await;
    let before = slots(&app, &s, "").await;
    assert_eq!(before[0]["capacity"], 0, "no courier, no room: {before:?}");
    assert_eq!(before[0]["open"], false);
    courier(&app, &s, &s.coordinator, 60.0).await;
    let now = slots(&app, &s, "&tasks=1").await;
    let (lunch, evening) = (slot_id(&now, "점심"), slot_id(&now, "저녁"));
    let lunch_slot = now
        .iter()
        .find(|x| x["id"] == lunch.as_str())
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        (
            lunch_slot["capacity"].as_i64(),
            lunch_slot["left"]["tasks"].as_i64()
        ),
        (Some(4), Some(4))
    );
    assert_eq!(lunch_slot["left"]["kg"].as_f64(), Some(60.0));
    assert_eq!(lunch_slot["fits"], true);
    let too_big = slots(&app, &s, "&tasks=1&kg=61").await;
    assert_eq!(
        too_big[0]["fits"], false,
        "a basket heavier than the fleet carries does not fit"
    );

    let (shopper, _) = app.sign_up("shopper").await;
    for n in 1..=4 {
        let (status, body) = deliver(
            &app,
            &s,
            &shopper,
            &lunch,
            json!([{"listing_id": s.tofu, "quantity": 1}]),
            n,
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let (status, refused) = deliver(
        &app,
        &s,
        &shopper,
        &lunch,
        json!([{"listing_id": s.tofu, "quantity": 1}]),
        5,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    assert!(
        refused["type"]
            .as_str()
            .is_some_and(|t| t.ends_with("/slot_full")),
        "{refused}"
    );
    assert_eq!(refused["next_slot"]["id"], evening.as_str(), "{refused}");
    let after = slots(&app, &s, "&tasks=1").await;
    let full = after
        .iter()
        .find(|x| x["id"] == lunch.as_str())
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        (
            full["open"].clone(),
            full["fits"].clone(),
            full["booked"].clone()
        ),
        (json!(false), json!(false), json!(4))
    );
    let (status, _) = deliver(
        &app,
        &s,
        &shopper,
        &evening,
        json!([{"listing_id": s.tofu, "quantity": 1}]),
        5,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "the named slot takes it");

    // What was booked to the computed capacity plans with nothing left out.
    let planned = plan(&app, &s, &s.coordinator, &lunch).await;
    assert_eq!(planned["unassigned"], json!([]), "{planned}");
    assert_eq!(planned["metrics"]["unassigned"], 0);
    let carried: usize = planned["batches"]
        .as_array()
        .map(|b| {
            b.iter()
                .map(|b| b["stops"].as_array().map_or(0, Vec::len))
                .sum()
        })
        .unwrap_or(0);
    assert_eq!(carried, 8, "four pick-ups and four drop-offs");
}

fn history_notes(order: &Value) -> Vec<String> {
    order["events"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["note"].as_str().map(str::to_owned))
        .collect()
}

async fn a_withdrawn_courier_leaves_overflow_that_is_told_and_resolved(app: TestApp) {
    // A courier carrying 0.5 kg and one carrying 5 kg; four baskets of three tofu (1.2 kg).
    let s = setup(&app, 20.0).await;
    courier(&app, &s, &s.admin, 0.5).await;
    let big = courier(&app, &s, &s.admin, 5.0).await;
    let lunch = slot_id(&slots(&app, &s, "").await, "점심");
    let mut shopper = Browser::new(&app.base_url);
    shopper.sign_up("손님").await;
    let token = shopper.session_token().expect("signed in").to_owned();
    let mut orders = Vec::new();
    for n in 1..=4 {
        let (status, body) = deliver(
            &app,
            &s,
            &token,
            &lunch,
            json!([{"listing_id": s.tofu, "quantity": 3}]),
            n,
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        orders.push(body);
    }
    let (status, _) = deliver(
        &app,
        &s,
        &token,
        &lunch,
        json!([{"listing_id": s.tofu, "quantity": 3}]),
        5,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "5.5 kg carries four such baskets, not five"
    );
    let planned = plan(&app, &s, &s.coordinator, &lunch).await;
    assert_eq!(planned["metrics"]["unassigned"], 0, "{planned}");

    // The big courier falls ill after the cut-off; the shop listens, the slot is planned again.
    let owner = login(&app, "merchant@demo.golmok.kr").await;
    let mut shop_events = app
        .client()
        .get(app.url(&format!("/v1/merchants/{}/events", s.tofu_shop)))
        .bearer_auth(&owner)
        .send()
        .await
        .expect("the shop's events");
    let withdrawn = app
        .post(
            &format!("/v1/couriers/{big}/withdraw"),
            Some(&s.coordinator),
            &json!({}),
        )
        .await;
    assert_eq!(withdrawn.status, StatusCode::OK, "{}", withdrawn.text);
    let replanned = plan(&app, &s, &s.coordinator, &lunch).await;
    let left_out = replanned["unassigned"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(left_out.len(), 4, "nothing fits 0.5 kg: {replanned}");
    assert!(
        left_out.iter().all(|u| u["reason"] == "too_large"),
        "{left_out:?}"
    );
    let listed = app
        .get(
            &format!("/v1/networks/{}/slots/{lunch}/left-out", s.network),
            Some(&s.coordinator),
        )
        .await;
    assert_eq!(
        listed.body["items"].as_array().map(Vec::len),
        Some(4),
        "{}",
        listed.text
    );
    let stranger = app.sign_up("shopper").await.0;
    assert_eq!(
        app.get(
            &format!("/v1/networks/{}/slots/{lunch}/left-out", s.network),
            Some(&stranger)
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    golmok_e2e::read_events_until(&mut shop_events, "delivery_left_out").await;

    let part_of = |mo: &Value| {
        mo["merchant_order_id"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    let order_of = |mo: &str| {
        orders
            .iter()
            .find(|o| o["merchant_orders"][0]["id"] == mo)
            .and_then(|o| o["id"].as_str())
            .unwrap_or_default()
            .to_owned()
    };
    let (a, b, c) = (
        part_of(&left_out[0]),
        part_of(&left_out[1]),
        part_of(&left_out[2]),
    );

    // No slot soon can carry 1.2 kg with the small courier alone: the coordinator adds one.
    courier(&app, &s, &s.coordinator, 3.0).await;

    // The shopper is told on the order's page and in its history, and moves one (consent).
    let page = shopper.get(&format!("/orders/{}", order_of(&a))).await;
    assert!(
        page.html.contains("배송 경로에 들어가지 못했습니다"),
        "{}",
        page.html
    );
    let order = app
        .get(&format!("/v1/orders/{}", order_of(&a)), Some(&token))
        .await
        .body;
    assert!(
        history_notes(&order)
            .iter()
            .any(|n| n.starts_with("left out of the delivery plan")),
        "{order}"
    );
    let moved = shopper
        .submit(
            &page,
            &format!("/orders/{}/parts/{a}/move", order_of(&a)),
            &[],
        )
        .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.html);
    let order = app
        .get(&format!("/v1/orders/{}", order_of(&a)), Some(&token))
        .await
        .body;
    assert!(
        history_notes(&order)
            .iter()
            .any(|n| n.contains("with the shopper's consent")),
        "{order}"
    );

    // The network asks for consent: the coordinator cannot move one alone, but may turn one
    // into a pick-up.
    let evening = slot_id(&slots(&app, &s, "").await, "저녁");
    let refused = app
        .post(
            &format!("/v1/merchant-orders/{b}/reschedule"),
            Some(&s.coordinator),
            &json!({"slot_id": evening}),
        )
        .await;
    refused.assert_problem(409, "shopper_consent_needed");
    let pickup = app
        .post(
            &format!("/v1/merchant-orders/{b}/pickup"),
            Some(&s.coordinator),
            &json!({}),
        )
        .await;
    assert_eq!(pickup.status, StatusCode::OK, "{}", pickup.text);
    assert!(
        history_notes(&pickup.body)
            .iter()
            .any(|n| n == "turned into a pick-up at the shop")
    );

    // The rest ride after all when the slot is planned again with the added courier.
    let again = plan(&app, &s, &s.coordinator, &lunch).await;
    assert_eq!(again["unassigned"], json!([]), "{again}");
    let order = app
        .get(&format!("/v1/orders/{}", order_of(&c)), Some(&token))
        .await
        .body;
    assert!(
        history_notes(&order)
            .iter()
            .any(|n| n == "carried by a new delivery plan"),
        "{order}"
    );
    let listed = app
        .get(
            &format!("/v1/networks/{}/slots/{lunch}/left-out", s.network),
            Some(&s.coordinator),
        )
        .await;
    assert_eq!(
        listed.body["items"],
        json!([]),
        "every left-out delivery ended somewhere"
    );

    // The picked-up part is collected at the shop.
    let tofu_owner = owner;
    for action in ["accept", "ready", "collect"] {
        let done = app
            .post(
                &format!("/v1/merchant-orders/{b}/{action}"),
                Some(&tofu_owner),
                &json!({}),
            )
            .await;
        assert_eq!(done.status, StatusCode::OK, "{action}: {}", done.text);
    }
}

async fn savings_count_only_the_deliveries_a_plan_carries(app: TestApp) {
    // A small courier and a big one; the big one is withdrawn after both baskets are in.
    let s = setup(&app, 20.0).await;
    courier(&app, &s, &s.admin, 1.0).await;
    let big = courier(&app, &s, &s.admin, 20.0).await;
    let all = slots(&app, &s, "").await;
    let (lunch, evening) = (slot_id(&all, "점심"), slot_id(&all, "저녁"));
    let (shopper, _) = app.sign_up("shopper").await;
    let light = json!([{"listing_id": s.tofu, "quantity": 1}]);
    let heavy = json!([{"listing_id": s.oil, "quantity": 2000}]);
    for (slot, items, n) in [
        (&lunch, &light, 1),
        (&lunch, &heavy, 2),
        (&evening, &light, 1),
    ] {
        let (status, body) = deliver(&app, &s, &shopper, slot, items.clone(), n).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let withdrawn = app
        .post(
            &format!("/v1/couriers/{big}/withdraw"),
            Some(&s.admin),
            &json!({}),
        )
        .await;
    assert_eq!(withdrawn.status, StatusCode::OK);

    // Lunch carries the tofu and leaves the two litres of oil; evening carries the same tofu
    // delivery alone. Like with like: the same solo distance.
    let mixed = plan(&app, &s, &s.admin, &lunch).await;
    assert_eq!(mixed["metrics"]["unassigned"], 1, "{mixed}");
    assert_eq!(mixed["unassigned"][0]["reason"], "too_large");
    let alone = plan(&app, &s, &s.admin, &evening).await;
    assert_eq!(alone["metrics"]["unassigned"], 0);
    let (solo_mixed, solo_alone) = (
        mixed["metrics"]["solo_distance_m"].as_f64().unwrap_or(-1.0),
        alone["metrics"]["solo_distance_m"].as_f64().unwrap_or(-2.0),
    );
    assert!(solo_alone > 0.0);
    assert!(
        (solo_mixed - solo_alone).abs() < 1e-6,
        "{solo_mixed} vs {solo_alone}: the oil shop's own round is not a saving"
    );
}
