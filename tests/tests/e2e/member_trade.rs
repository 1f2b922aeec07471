//! Member-to-member trade (상호거래) over HTTP: a member shop buys from a fellow member at
//! its member price, on account; the seller accepts and hands over; the month's statement of
//! each shop shows the pair; the seller records the payment; the ledger's receivable and
//! payable between them follow, and the programme's report counts the trade.

use golmok_e2e::demo::{first_slot, listings_of, login, tofu_at, tomorrow};
use golmok_e2e::pages::Browser;
use golmok_e2e::{TestApp, on_both_databases};
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_databases!(
    member_shops_trade_on_account_and_settle_the_month,
    the_trade_page_orders_hands_over_and_settles,
    a_member_order_rides_a_co_delivery_route,
    a_courier_cannot_pick_up_a_member_order_not_yet_accepted
);

fn ok(reply: &golmok_e2e::Reply, status: StatusCode) -> Value {
    assert_eq!(reply.status, status, "{}", reply.text);
    reply.body.clone()
}

/// The token of the owner of shop `id`.
async fn owner_of(app: &TestApp, id: &str) -> String {
    let shop = app.get(&format!("/v1/merchants/{id}"), None).await.body;
    let owner = golmok_accounts::find(&app.state.db, shop["owner_id"].as_str().unwrap())
        .await
        .unwrap();
    login(app, &owner.email).await
}

/// A member order as the shop of `token` sees it.
async fn member_order(app: &TestApp, id: &str, token: &str) -> Value {
    ok(
        &app.get(&format!("/v1/member-orders/{id}"), Some(token))
            .await,
        StatusCode::OK,
    )
}

/// The route a slot's plan gives member order `id`, its courier signed in and set out.
struct Route {
    plan: Value,
    pickup: String,
    dropoff: String,
    courier: String,
}

async fn ride_for(app: &TestApp, network: &str, slot_id: &str, id: &str) -> Route {
    let admin = login(app, "admin@demo.golmok.kr").await;
    let plan = ok(
        &app.post(
            &format!("/v1/networks/{network}/slots/{slot_id}/plan"),
            Some(&admin),
            &json!({}),
        )
        .await,
        StatusCode::OK,
    );
    let batch = plan["batches"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b.to_string().contains(id))
        .cloned()
        .expect("a route carries the member order");
    let stop = |kind: &str| {
        batch["stops"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["kind"] == kind && s["merchant_order_id"] == id)
            .map(|s| s["id"].as_str().unwrap().to_owned())
            .unwrap()
    };
    let email = golmok_e2e::demo::courier_email(app, batch["courier_id"].as_str().unwrap()).await;
    let courier = login(app, &email).await;
    ok(
        &app.post(
            &format!("/v1/batches/{}/start", batch["id"].as_str().unwrap()),
            Some(&courier),
            &json!({}),
        )
        .await,
        StatusCode::OK,
    );
    Route {
        pickup: stop("pickup"),
        dropoff: stop("dropoff"),
        plan,
        courier,
    }
}

/// The statuses shop `shop` was told of member order `id`, oldest first.
async fn told(app: &TestApp, shop: &str, id: &str) -> Vec<String> {
    golmok_events::outbox::since(
        &app.state.db,
        &[golmok_events::Topic::merchant(shop).to_string()],
        "",
        1000,
    )
    .await
    .unwrap()
    .into_iter()
    .filter(|e| e.payload["type"] == "member_order" && e.payload["member_order_id"] == id)
    .map(|e| e.payload["status"].as_str().unwrap_or_default().to_owned())
    .collect()
}

/// The courier completes a stop with its hand-over code.
async fn complete(app: &TestApp, courier: &str, stop: &str, code: &str) {
    ok(
        &app.post(
            &format!("/v1/stops/{stop}/complete"),
            Some(courier),
            &json!({"proof": {"kind": "code", "value": code}}),
        )
        .await,
        StatusCode::OK,
    );
}

async fn balance(app: &TestApp, account: &str) -> i64 {
    golmok_payments::ledger::balance(&app.state.db, account)
        .await
        .unwrap()
}

async fn member_shops_trade_on_account_and_settle_the_month(app: TestApp) {
    golmok_e2e::demo::seeded(&app).await;
    let tofu = tofu_at(app.client(), &app.base_url).await;
    let consortium = tofu.consortium_id();
    let buyer = tofu.shop_id.clone();
    let buyer_token = login(&app, "merchant@demo.golmok.kr").await;
    let seller = tofu.other_members()[0].clone();
    let seller_token = owner_of(&app, &seller).await;
    // The demo's own member trade this month, to add this test's to.
    let coordinator = login(&app, "coordinator@demo.golmok.kr").await;
    let today = (chrono::Utc::now() + chrono::Duration::hours(9)).date_naive();
    let report_path =
        format!("/v1/reports/consortia/{consortium}/programme?from={today}&to={today}");
    let before = ok(
        &app.get(&report_path, Some(&coordinator)).await,
        StatusCode::OK,
    )["total"]
        .clone();
    let listing = listings_of(&app, &seller)
        .await
        .iter()
        .find(|l| {
            l["member_price_krw"].is_i64()
                && l["stock"].as_i64().unwrap() >= 4 * l["unit_quantity"].as_i64().unwrap()
        })
        .cloned()
        .unwrap();
    let (listing_id, unit, stock) = (
        listing["id"].as_str().unwrap().to_owned(),
        listing["unit_quantity"].as_i64().unwrap(),
        listing["stock"].as_i64().unwrap(),
    );
    let member_price = listing["member_price_krw"].as_i64().unwrap();
    assert!(member_price < listing["price_krw"].as_i64().unwrap());
    let order_of = |quantity: i64| json!({"seller_merchant_id": seller, "lines": [{"listing_id": listing_id, "quantity": quantity}], "note": "내일 아침에 가지러 갈게요"});

    // Only the shop's owner buys for it; a shop of another consortium is no fellow member.
    let (stranger, _) = app.sign_up("merchant").await;
    assert_eq!(
        app.post(
            &format!("/v1/merchants/{buyer}/member-orders"),
            Some(&stranger),
            &order_of(unit)
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let elsewhere = app.get("/v1/merchants?limit=100", None).await.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["address"].as_str().is_some_and(|a| a.contains("성수")))
        .map(|m| m["id"].as_str().unwrap().to_owned())
        .unwrap();
    let far = app
        .post(
            &format!("/v1/merchants/{buyer}/member-orders"),
            Some(&buyer_token),
            &json!({"seller_merchant_id": elsewhere, "lines": [{"listing_id": listing_id, "quantity": unit}]}),
        )
        .await;
    far.assert_problem(422, "validation_failed");
    assert_eq!(far.body["errors"][0]["field"], "seller_merchant_id");

    // Placed at the member price, from the seller's stock.
    let placed = ok(
        &app.post(
            &format!("/v1/merchants/{buyer}/member-orders"),
            Some(&buyer_token),
            &order_of(2 * unit),
        )
        .await,
        StatusCode::CREATED,
    );
    let id = placed["id"].as_str().unwrap().to_owned();
    assert_eq!(placed["status"], "placed");
    assert_eq!(placed["total_krw"], 2 * member_price);
    assert_eq!(
        placed["list_total_krw"],
        2 * listing["price_krw"].as_i64().unwrap()
    );
    assert_eq!(placed["consortium_id"], consortium.as_str());
    let left = app
        .get(&format!("/v1/listings/{listing_id}"), None)
        .await
        .body["stock"]
        .as_i64()
        .unwrap();
    assert_eq!(left, stock - 2 * unit);
    // The buyer does not accept its own order; a stranger does not see it.
    app.post(
        &format!("/v1/member-orders/{id}/accept"),
        Some(&buyer_token),
        &json!({}),
    )
    .await
    .assert_problem(403, "forbidden");
    assert_eq!(
        app.get(&format!("/v1/member-orders/{id}"), Some(&stranger))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // Handed over only once accepted.
    app.post(
        &format!("/v1/member-orders/{id}/hand-over"),
        Some(&seller_token),
        &json!({}),
    )
    .await
    .assert_problem(409, "illegal_transition");
    ok(
        &app.post(
            &format!("/v1/member-orders/{id}/accept"),
            Some(&seller_token),
            &json!({}),
        )
        .await,
        StatusCode::OK,
    );
    let handed = ok(
        &app.post(
            &format!("/v1/member-orders/{id}/hand-over"),
            Some(&seller_token),
            &json!({}),
        )
        .await,
        StatusCode::OK,
    );
    // Each side hears of the other's steps on its own topic.
    assert_eq!(told(&app, &seller, &id).await, ["placed"]);
    assert_eq!(told(&app, &buyer, &id).await, ["accepted", "handed_over"]);
    assert_eq!(handed["status"], "handed_over");
    let total = 2 * member_price;
    let receivable = format!("member:receivable:{seller}:{buyer}");
    let payable = format!("member:payable:{buyer}:{seller}");
    assert_eq!(balance(&app, &receivable).await, total);
    assert_eq!(balance(&app, &payable).await, -total);

    // A second order withdrawn by the buyer gives its stock back and owes nothing.
    let second = ok(
        &app.post(
            &format!("/v1/merchants/{buyer}/member-orders"),
            Some(&buyer_token),
            &order_of(unit),
        )
        .await,
        StatusCode::CREATED,
    );
    ok(
        &app.post(
            &format!(
                "/v1/member-orders/{}/cancel",
                second["id"].as_str().unwrap()
            ),
            Some(&buyer_token),
            &json!({}),
        )
        .await,
        StatusCode::OK,
    );
    let left = app
        .get(&format!("/v1/listings/{listing_id}"), None)
        .await
        .body["stock"]
        .as_i64()
        .unwrap();
    assert_eq!(left, stock - 2 * unit);

    // The month's statements, from each side.
    let month = golmok_ordering::member_trade::month_of(chrono::Utc::now());
    let sellers = ok(
        &app.get(
            &format!("/v1/merchants/{seller}/member-statements?month={month}"),
            Some(&seller_token),
        )
        .await,
        StatusCode::OK,
    );
    let pair = &sellers["pairs"][0];
    assert_eq!(pair["counterparty_id"], buyer.as_str());
    assert_eq!(pair["sold_krw"], total);
    assert_eq!(pair["sold_orders"], 1);
    assert_eq!(pair["balance_krw"], total);
    let buyers = ok(
        &app.get(
            &format!("/v1/merchants/{buyer}/member-statements"),
            Some(&buyer_token),
        )
        .await,
        StatusCode::OK,
    );
    assert_eq!(buyers["pairs"][0]["bought_krw"], total);
    assert_eq!(buyers["pairs"][0]["balance_krw"], -total);
    app.get(
        &format!("/v1/merchants/{buyer}/member-statements?month=2026-13"),
        Some(&buyer_token),
    )
    .await
    .assert_problem(422, "validation_failed");

    // The seller records the payment: no more than is owed; then the pair is square.
    let settle = |amount: i64| json!({"month": month, "amount_krw": amount});
    app.post(
        &format!("/v1/merchants/{seller}/member-statements/{buyer}/settlements"),
        Some(&seller_token),
        &settle(total + 1),
    )
    .await
    .assert_problem(422, "validation_failed");
    assert_eq!(
        app.post(
            &format!("/v1/merchants/{seller}/member-statements/{buyer}/settlements"),
            Some(&buyer_token),
            &settle(total),
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let square = ok(
        &app.post(
            &format!("/v1/merchants/{seller}/member-statements/{buyer}/settlements"),
            Some(&seller_token),
            &settle(total),
        )
        .await,
        StatusCode::CREATED,
    );
    assert_eq!(square["pairs"][0]["received_krw"], total);
    assert_eq!(square["pairs"][0]["balance_krw"], 0);
    assert_eq!(balance(&app, &receivable).await, 0);
    assert_eq!(balance(&app, &payable).await, 0);

    // The programme counts the trade in the consortium.
    let report = ok(
        &app.get(&report_path, Some(&coordinator)).await,
        StatusCode::OK,
    );
    assert_eq!(
        report["total"]["member_trade_orders"].as_i64().unwrap(),
        before["member_trade_orders"].as_i64().unwrap() + 1
    );
    assert_eq!(
        report["total"]["member_trade_krw"].as_i64().unwrap(),
        before["member_trade_krw"].as_i64().unwrap() + total
    );
}

/// The same trade from the shops' pages: the buyer orders from the form, the seller accepts
/// and hands over with the buttons, the statement shows the pair, the seller records the
/// payment and the balance is square; a quantity the seller does not have is refused on the
/// page.
async fn the_trade_page_orders_hands_over_and_settles(app: TestApp) {
    golmok_e2e::demo::seeded(&app).await;
    let tofu = tofu_at(app.client(), &app.base_url).await;
    let buyer = tofu.shop_id.clone();
    let seller = tofu.other_members()[0].clone();
    let listing = listings_of(&app, &seller).await[0].clone();
    let offer = format!("{seller}|{}", listing["id"].as_str().unwrap());
    let unit = listing["unit_quantity"].as_i64().unwrap().to_string();

    let mut shop = Browser::new(&app.base_url);
    shop.sign_in("merchant@demo.golmok.kr", None).await;
    let path = format!("/shop/{buyer}/trade");
    let page = shop.get(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.html.contains(&offer),
        "the fellow member's goods are offered"
    );
    // Priced per amount in the owner's words: "100 g" or "1 개", never the unit's code.
    for code in [" gram<", " piece<"] {
        assert!(!page.html.contains(code), "{code}: {}", page.html);
    }
    let too_many = shop
        .submit(
            &page,
            &path,
            &[("offer", &offer), ("quantity", "100000000")],
        )
        .await;
    assert_eq!(too_many.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(too_many.html.contains("trade-error"));
    let page = shop.get(&path).await;
    let placed = shop
        .submit(
            &page,
            &path,
            &[
                ("offer", &offer),
                ("quantity", &unit),
                ("note", "월요일 수령"),
            ],
        )
        .await;
    assert_eq!(placed.status, StatusCode::SEE_OTHER, "{}", placed.html);
    let buyer_token = login(&app, "merchant@demo.golmok.kr").await;
    let order = app
        .get(
            &format!("/v1/merchants/{buyer}/member-orders"),
            Some(&buyer_token),
        )
        .await
        .body["items"][0]
        .clone();
    let id = order["id"].as_str().unwrap().to_owned();
    let total = order["total_krw"].as_i64().unwrap();
    assert_eq!(order["status"], "placed");

    // The seller's page: accept, hand over, then the payment received.
    let shop_owner = app.get(&format!("/v1/merchants/{seller}"), None).await.body["owner_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let email = golmok_accounts::find(&app.state.db, &shop_owner)
        .await
        .unwrap()
        .email;
    let mut other = Browser::new(&app.base_url);
    other.sign_in(&email, None).await;
    let seller_path = format!("/shop/{seller}/trade");
    for step in ["accept", "hand-over"] {
        let page = other.get(&seller_path).await;
        assert!(
            page.html.contains(&format!("/trade/{id}/{step}")),
            "a {step} button"
        );
        let done = other
            .submit(&page, &format!("{seller_path}/{id}/{step}"), &[])
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.html);
    }
    let page = other.get(&seller_path).await;
    assert!(page.html.contains(&format!("pair-{buyer}")));
    let month = golmok_ordering::member_trade::month_of(chrono::Utc::now());
    let paid = other
        .submit(
            &page,
            &format!("{seller_path}/settlements/{buyer}"),
            &[("month", &month), ("amount_krw", &total.to_string())],
        )
        .await;
    assert_eq!(paid.status, StatusCode::SEE_OTHER, "{}", paid.html);
    let seller_token = login(&app, &email).await;
    let statement = app
        .get(
            &format!("/v1/merchants/{seller}/member-statements"),
            Some(&seller_token),
        )
        .await
        .body;
    assert_eq!(statement["pairs"][0]["sold_krw"], total);
    assert_eq!(statement["pairs"][0]["balance_krw"], 0);
    // The buyer's page lists the order as handed over.
    let mine = shop.get(&path).await;
    assert!(mine.html.contains(&format!("mo-{id}")));
    assert!(mine.html.contains("handed_over"));
}

/// A member order carried by the consortium's co-delivery network: placed from the trade
/// page in tomorrow's slot, booked there; the seller's pick-up code and the buyer's door
/// code each on their own side; planned into a courier's route beside the shoppers'
/// deliveries; picked up only once accepted, and handed over (owed on the ledger) when the
/// courier completes the drop-off with the buyer's code. A cancelled one gives its room in
/// the slot back.
async fn a_member_order_rides_a_co_delivery_route(app: TestApp) {
    golmok_e2e::demo::seeded(&app).await;
    let tofu = tofu_at(app.client(), &app.base_url).await;
    let network = tofu.consortium["network_id"].as_str().unwrap().to_owned();
    let buyer = tofu.shop_id.clone();
    let buyer_token = login(&app, "merchant@demo.golmok.kr").await;
    let seller = tofu.other_members()[0].clone();
    let seller_token = owner_of(&app, &seller).await;
    let date = tomorrow();
    let slots_path = format!("/v1/networks/{network}/slots?date={date}");
    let slot_of = |slots: &Value| slots["items"][0].clone();
    let slot = slot_of(&app.get(&slots_path, None).await.body);
    let slot_id = slot["id"].as_str().unwrap().to_owned();
    let listing = listings_of(&app, &seller)
        .await
        .iter()
        .find(|l| l["stock"].as_i64().unwrap() >= 4 * l["unit_quantity"].as_i64().unwrap())
        .cloned()
        .unwrap();
    let listing_id = listing["id"].as_str().unwrap().to_owned();
    let unit = listing["unit_quantity"].as_i64().unwrap();
    let order_in = |slot: &str| json!({"seller_merchant_id": seller, "lines": [{"listing_id": listing_id, "quantity": unit}], "slot_id": slot});
    let place_path = format!("/v1/merchants/{buyer}/member-orders");

    // A slot that is none, or another network's, is refused on the field.
    let nowhere = app
        .post(
            &place_path,
            Some(&buyer_token),
            &order_in("nope@2026-01-01"),
        )
        .await;
    assert_eq!(
        nowhere.assert_problem(422, "validation_failed")["errors"][0]["field"],
        "slot_id"
    );
    let networks = app.get("/v1/networks", None).await.body;
    let other_network = networks["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap().to_owned())
        .find(|n| *n != network)
        .unwrap();
    let foreign = slot_of(
        &app.get(
            &format!("/v1/networks/{other_network}/slots?date={date}"),
            None,
        )
        .await
        .body,
    );
    let elsewhere = app
        .post(
            &place_path,
            Some(&buyer_token),
            &order_in(foreign["id"].as_str().unwrap()),
        )
        .await;
    assert_eq!(
        elsewhere.assert_problem(422, "validation_failed")["errors"][0]["field"],
        "slot_id"
    );

    // Placed from the trade page, in the slot it offers.
    let mut shop = Browser::new(&app.base_url);
    shop.sign_in("merchant@demo.golmok.kr", None).await;
    let path = format!("/shop/{buyer}/trade");
    let page = shop.get(&path).await;
    assert!(
        page.html.contains(&format!("value=\"{slot_id}\"")),
        "tomorrow's slot is offered"
    );
    let offer = format!("{seller}|{listing_id}");
    let placed = shop
        .submit(
            &page,
            &path,
            &[
                ("offer", &offer),
                ("quantity", &unit.to_string()),
                ("slot_id", &slot_id),
            ],
        )
        .await;
    assert_eq!(placed.status, StatusCode::SEE_OTHER, "{}", placed.html);
    let mine = ok(
        &app.get(&place_path, Some(&buyer_token)).await,
        StatusCode::OK,
    )["items"][0]
        .clone();
    let id = mine["id"].as_str().unwrap().to_owned();
    assert_eq!(mine["slot_id"], slot_id.as_str());
    assert_eq!(mine["delivery_status"], "open");
    let door_code = mine["handover_code"].as_str().unwrap().to_owned();
    let theirs = member_order(&app, &id, &seller_token).await;
    let pickup_code = theirs["handover_code"].as_str().unwrap().to_owned();
    assert_ne!(pickup_code, door_code, "each side holds its own code");
    let page = shop.get(&path).await;
    assert!(
        page.html.contains(&door_code),
        "the door code on the buyer's page"
    );
    let booked = slot_of(&app.get(&slots_path, None).await.body)["booked"].clone();
    assert_eq!(booked, slot["booked"].as_i64().unwrap() + 1);
    // The courier hands it over, not the seller.
    ok(
        &app.post(
            &format!("/v1/member-orders/{id}/accept"),
            Some(&seller_token),
            &json!({}),
        )
        .await,
        StatusCode::OK,
    );
    app.post(
        &format!("/v1/member-orders/{id}/hand-over"),
        Some(&seller_token),
        &json!({}),
    )
    .await
    .assert_problem(409, "carried_by_courier");

    // A second order, cancelled, gives its room in the slot back.
    let second = ok(
        &app.post(&place_path, Some(&buyer_token), &order_in(&slot_id))
            .await,
        StatusCode::CREATED,
    );
    let second_id = second["id"].as_str().unwrap();
    let cancelled = ok(
        &app.post(
            &format!("/v1/member-orders/{second_id}/cancel"),
            Some(&buyer_token),
            &json!({}),
        )
        .await,
        StatusCode::OK,
    );
    assert_eq!(cancelled["delivery_status"], "withdrawn");
    assert_eq!(
        slot_of(&app.get(&slots_path, None).await.body)["booked"],
        booked
    );

    // Planned into a courier's route with the slot's other deliveries.
    let Route {
        plan: planned,
        pickup,
        dropoff,
        courier,
    } = ride_for(&app, &network, &slot_id, &id).await;
    complete(&app, &courier, &pickup, &pickup_code).await;
    let on_route = member_order(&app, &id, &buyer_token).await;
    assert_eq!(on_route["status"], "picked_up");
    assert_eq!(on_route["delivery_status"], "picked_up");
    // On the road it is no longer the seller's to reject.
    app.post(
        &format!("/v1/member-orders/{id}/reject"),
        Some(&seller_token),
        &json!({}),
    )
    .await
    .assert_problem(409, "illegal_transition");
    let receivable = format!("member:receivable:{seller}:{buyer}");
    let owed_before = balance(&app, &receivable).await;
    complete(&app, &courier, &dropoff, &door_code).await;
    let delivered = member_order(&app, &id, &buyer_token).await;
    assert_eq!(delivered["status"], "handed_over");
    assert_eq!(delivered["delivery_status"], "delivered");
    assert_eq!(
        told(&app, &buyer, &id).await,
        ["accepted", "picked_up", "handed_over"]
    );
    assert_eq!(
        told(&app, &seller, &id).await,
        ["placed", "picked_up", "handed_over"]
    );
    assert!(delivered["handed_over_at"].is_string());
    let total = delivered["total_krw"].as_i64().unwrap();
    assert_eq!(balance(&app, &receivable).await, owed_before + total);
    assert_eq!(
        balance(&app, &format!("member:payable:{buyer}:{seller}")).await,
        -(owed_before + total)
    );
    // The route is the consortium's shared delivery: the slot carried nothing else.
    let coordinator = login(&app, "coordinator@demo.golmok.kr").await;
    let today = (chrono::Utc::now() + chrono::Duration::hours(9)).date_naive();
    let consortium = tofu.consortium["id"].as_str().unwrap();
    let report = ok(
        &app.get(
            &format!("/v1/reports/consortia/{consortium}?from={today}&to={today}"),
            Some(&coordinator),
        )
        .await,
        StatusCode::OK,
    );
    let shared = report["delivery"]["distance_m"].as_f64().unwrap();
    let planned_m = planned["metrics"]["distance_m"].as_f64().unwrap();
    assert!(
        shared > 0.0 && (shared - planned_m).abs() < 1.0,
        "{shared} of {planned_m}"
    );
}

/// A carried member order is picked up only once its seller accepted it; one the dispatcher
/// turns into a collection from the board is handed over by the seller after all.
async fn a_courier_cannot_pick_up_a_member_order_not_yet_accepted(app: TestApp) {
    golmok_e2e::demo::seeded(&app).await;
    let tofu = tofu_at(app.client(), &app.base_url).await;
    let network = tofu.consortium["network_id"].as_str().unwrap().to_owned();
    let buyer = tofu.shop_id.clone();
    let buyer_token = login(&app, "merchant@demo.golmok.kr").await;
    let seller = tofu.other_members()[1].clone();
    let date = tomorrow();
    let slot_id = first_slot(&app, &network, date).await;
    let listing = listings_of(&app, &seller).await[0].clone();
    let place_in = async |slot: &str| -> String {
        let placed = ok(
            &app.post(
                &format!("/v1/merchants/{buyer}/member-orders"),
                Some(&buyer_token),
                &json!({"seller_merchant_id": seller, "lines": [{"listing_id": listing["id"], "quantity": listing["unit_quantity"]}], "slot_id": slot}),
            )
            .await,
            StatusCode::CREATED,
        );
        placed["id"].as_str().unwrap().to_owned()
    };
    let id = place_in(&slot_id).await;
    let Route {
        pickup, courier, ..
    } = ride_for(&app, &network, &slot_id, &id).await;
    let seller_token = owner_of(&app, &seller).await;
    let code = member_order(&app, &id, &seller_token).await["handover_code"].clone();
    app.post(
        &format!("/v1/stops/{pickup}/complete"),
        Some(&courier),
        &json!({"proof": {"kind": "code", "value": code}}),
    )
    .await
    .assert_problem(409, "not_accepted");
    assert_eq!(
        member_order(&app, &id, &buyer_token).await["status"],
        "placed"
    );

    // Another, not yet planned: the dispatcher makes it a collection from the board.
    let next_slot = app
        .get(&format!("/v1/networks/{network}/slots?date={date}"), None)
        .await
        .body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] != slot_id.as_str() && s["open"] == true)
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .unwrap();
    let second_id = place_in(&next_slot).await;
    let mut board = Browser::new(&app.base_url);
    board.sign_in("coordinator@demo.golmok.kr", None).await;
    let page = board.get(&format!("/dispatch/{network}?date={date}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let collected = board
        .submit(
            &page,
            &format!("/dispatch/{network}/tasks/{second_id}/pickup"),
            &[("date", &date.to_string())],
        )
        .await;
    assert_eq!(
        collected.status,
        StatusCode::SEE_OTHER,
        "{}",
        collected.html
    );
    for step in ["accept", "hand-over"] {
        ok(
            &app.post(
                &format!("/v1/member-orders/{second_id}/{step}"),
                Some(&seller_token),
                &json!({}),
            )
            .await,
            StatusCode::OK,
        );
    }
    let handed = member_order(&app, &second_id, &buyer_token).await;
    assert_eq!(handed["status"], "handed_over");
    assert_eq!(handed["delivery_status"], "pickup");
}
