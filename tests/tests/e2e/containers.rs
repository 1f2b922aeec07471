//! Deposit containers come back: the shop (or a courier of the network) records the return
//! against the order line, the deposit is refunded through the payment and the ledger, a
//! container comes back at most once, and the consortium's report counts containers returned
//! beside containers reused.

use golmok_e2e::demo::{login, tofu_at};
use golmok_e2e::pages::Browser;
use golmok_e2e::{TestApp, on_both_databases};
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_databases!(
    a_returned_container_refunds_its_deposit_once,
    a_courier_takes_containers_back_at_the_door
);

/// A collected pick-up of 500 ml of soy milk in a 1,000 won deposit bottle; the order.
async fn bottled_order(
    app: &TestApp,
    shopper: &str,
    owner: &str,
    listing: &str,
    consortium: &Value,
) -> Value {
    let placed = app
        .post(
            "/v1/orders",
            Some(shopper),
            &json!({"consortium_id": consortium["id"], "items": [{"listing_id": listing, "quantity": 500}],
                    "fulfillment": {"kind": "pickup"}, "payment": {"provider": "offline"}}),
        )
        .await;
    assert_eq!(placed.status, StatusCode::CREATED, "{}", placed.text);
    let part = placed.body["merchant_orders"][0].clone();
    let part_id = part["id"].as_str().unwrap();
    let line = part["lines"][0]["id"].as_str().unwrap();
    for (action, body) in [
        ("accept", json!({})),
        (
            "weigh",
            json!({"lines": [{"line_id": line, "net_quantity": 500}]}),
        ),
        ("ready", json!({})),
        ("collect", json!({})),
    ] {
        let moved = app
            .post(
                &format!("/v1/merchant-orders/{part_id}/{action}"),
                Some(owner),
                &body,
            )
            .await;
        assert_eq!(moved.status, StatusCode::OK, "{action}: {}", moved.text);
    }
    app.get(
        &format!("/v1/orders/{}", placed.body["id"].as_str().unwrap()),
        Some(shopper),
    )
    .await
    .body
}

async fn a_returned_container_refunds_its_deposit_once(app: TestApp) {
    golmok_e2e::demo::seeded(&app).await;
    let tofu = tofu_at(app.client(), &app.base_url).await;
    let owner = login(&app, "merchant@demo.golmok.kr").await;
    let shopper = login(&app, "shopper@demo.golmok.kr").await;
    let courier = login(&app, "courier@demo.golmok.kr").await;
    let admin = login(&app, "admin@demo.golmok.kr").await;
    let (stranger, _) = app.sign_up("merchant").await;
    let listed = app
        .post(
            &format!("/v1/merchants/{}/listings", tofu.shop_id),
            Some(&owner),
            &json!({"title": "병 콩물 리필", "price_krw": 600, "unit": "ml", "unit_quantity": 100,
                    "stock": 10_000, "refill": true, "container": {"policy": "deposit", "deposit_krw": 1000},
                    "packaging_grams": 30}),
        )
        .await;
    assert_eq!(listed.status, StatusCode::CREATED, "{}", listed.text);
    let listing = listed.body["id"].as_str().unwrap().to_owned();

    let order = bottled_order(&app, &shopper, &owner, &listing, &tofu.consortium).await;
    assert_eq!(order["payment"]["captured_krw"], 3000 + 1000);
    let part = order["merchant_orders"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let line = order["merchant_orders"][0]["lines"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/v1/merchant-orders/{part}/lines/{line}/container-return");
    let at_shop = json!({"received_by": "shop"});

    // Not the shop's: not found for another shop's owner, refused for the shopper.
    app.post(&path, Some(&stranger), &at_shop)
        .await
        .assert_problem(404, "not_found");
    app.post(&path, Some(&shopper), &at_shop)
        .await
        .assert_problem(403, "forbidden");

    let returned = app.post(&path, Some(&owner), &at_shop).await;
    assert_eq!(returned.status, StatusCode::CREATED, "{}", returned.text);
    assert_eq!(returned.body["deposit_krw"], 1000);
    assert_eq!(returned.body["received_by"], "shop");
    // The same container again: refused, nothing refunded twice.
    app.post(&path, Some(&owner), &at_shop)
        .await
        .assert_problem(409, "container_already_returned");
    let after = app
        .get(
            &format!("/v1/orders/{}", order["id"].as_str().unwrap()),
            Some(&shopper),
        )
        .await
        .body;
    assert_eq!(after["payment"]["refunded_krw"], 1000);
    assert_eq!(after["payment"]["status"], "partially_refunded");
    assert_eq!(after["merchant_orders"][0]["refunded_krw"], 1000);

    // A second order's bottle goes back to a courier of the network on a later delivery.
    let second = bottled_order(&app, &shopper, &owner, &listing, &tofu.consortium).await;
    let second_path = format!(
        "/v1/merchant-orders/{}/lines/{}/container-return",
        second["merchant_orders"][0]["id"].as_str().unwrap(),
        second["merchant_orders"][0]["lines"][0]["id"]
            .as_str()
            .unwrap()
    );
    app.post(&second_path, Some(&courier), &at_shop)
        .await
        .assert_problem(403, "forbidden");
    let by_courier = app
        .post(
            &second_path,
            Some(&courier),
            &json!({"received_by": "courier"}),
        )
        .await;
    assert_eq!(
        by_courier.status,
        StatusCode::CREATED,
        "{}",
        by_courier.text
    );

    // A line without a deposit has no container to return.
    let plain = app
        .post(
            "/v1/orders",
            Some(&shopper),
            &golmok_e2e::demo::tofu_pickup(&tofu, 1, "offline"),
        )
        .await;
    let plain_part = plain.body["merchant_orders"][0]["id"].as_str().unwrap();
    let plain_line = plain.body["merchant_orders"][0]["lines"][0]["id"]
        .as_str()
        .unwrap();
    app.post(
        &format!("/v1/merchant-orders/{plain_part}/lines/{plain_line}/container-return"),
        Some(&owner),
        &at_shop,
    )
    .await
    .assert_problem(409, "no_deposit");

    // At the counter, on the shop's page: the shopper says the number on their order's page.
    let third = bottled_order(&app, &shopper, &owner, &listing, &tofu.consortium).await;
    let third_id = third["id"].as_str().unwrap();
    let number: String = third_id.chars().skip(third_id.len() - 6).collect();
    let mut page_shopper = Browser::new(&app.base_url);
    page_shopper.sign_in("shopper@demo.golmok.kr", None).await;
    let tracking = page_shopper.get(&format!("/orders/{third_id}")).await;
    assert!(
        tracking
            .html
            .contains(&format!("<strong class=\"order-number\">{number}</strong>"))
    );
    let mut counter = Browser::new(&app.base_url);
    counter.sign_in("merchant@demo.golmok.kr", None).await;
    let found = counter
        .get(&format!("/shop/{}/containers?order={number}", tofu.shop_id))
        .await;
    assert_eq!(found.status, StatusCode::OK);
    assert!(
        found.html.contains("병 콩물 리필") && found.html.contains("반납 받고 보증금 돌려주기")
    );
    let part = third["merchant_orders"][0]["id"].as_str().unwrap();
    let line = third["merchant_orders"][0]["lines"][0]["id"]
        .as_str()
        .unwrap();
    let taken = counter
        .submit(
            &found,
            &format!("/shop/{}/containers/{part}/{line}", tofu.shop_id),
            &[("order", &number)],
        )
        .await;
    assert_eq!(
        taken.location(),
        format!(
            "/shop/{}/containers?order={number}&returned=1",
            tofu.shop_id
        )
    );
    let shown = counter.get(taken.location()).await;
    assert!(shown.html.contains("반납됨"));

    // The shop's sales at a glance: this week's orders, the refill counter's millilitres and
    // reused containers, the best seller, and a bar per day.
    let sales = counter.get(&format!("/shop/{}/sales", tofu.shop_id)).await;
    assert_eq!(sales.status, StatusCode::OK);
    assert!(sales.html.contains("1,500 ml"), "{}", sales.html);
    assert!(
        sales
            .html
            .contains("<dd class=\"containers-reused\">3</dd>")
    );
    assert!(sales.html.contains("병 콩물 리필"));
    assert_eq!(sales.html.matches("<rect ").count(), 7);
    let mut shopper_page = Browser::new(&app.base_url);
    shopper_page.sign_in("shopper@demo.golmok.kr", None).await;
    assert_eq!(
        shopper_page
            .get(&format!("/shop/{}/sales", tofu.shop_id))
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // The report counts containers returned beside containers reused.
    let report = app
        .get(
            &format!(
                "/v1/reports/consortia/{}",
                tofu.consortium["id"].as_str().unwrap()
            ),
            Some(&admin),
        )
        .await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.text);
    assert_eq!(report.body["refill"]["containers_reused"], 3);
    assert_eq!(report.body["refill"]["containers_returned"], 3);
    // Three fills, each in place of a 30 g single-use bottle; 500 ml weighed out each time.
    assert_eq!(report.body["refill"]["packaging_avoided_grams"], 90);
    assert_eq!(report.body["refill"]["millilitres"], 1_500);
}

/// The stop of `kind` for merchant order `part` in a courier's batches.
fn stop_of<'a>(batches: &'a Value, part: &str, kind: &str) -> Option<&'a Value> {
    batches["items"]
        .as_array()?
        .iter()
        .flat_map(|b| b["stops"].as_array().into_iter().flatten())
        .find(|s| s["merchant_order_id"] == part && s["kind"] == kind)
}

async fn a_courier_takes_containers_back_at_the_door(app: TestApp) {
    golmok_e2e::demo::seeded(&app).await;
    let tofu = tofu_at(app.client(), &app.base_url).await;
    let owner = login(&app, "merchant@demo.golmok.kr").await;
    let admin = login(&app, "admin@demo.golmok.kr").await;
    let (shopper, _) = app.sign_up("shopper").await;
    let listed = app
        .post(
            &format!("/v1/merchants/{}/listings", tofu.shop_id),
            Some(&owner),
            &json!({"title": "병 콩물 리필", "price_krw": 600, "unit": "ml", "unit_quantity": 100,
                    "stock": 10_000, "refill": true, "container": {"policy": "deposit", "deposit_krw": 1000}}),
        )
        .await;
    assert_eq!(listed.status, StatusCode::CREATED, "{}", listed.text);
    let listing = listed.body["id"].as_str().unwrap().to_owned();
    // Last week's bottle, collected at the counter and not yet brought back.
    let earlier = bottled_order(&app, &shopper, &owner, &listing, &tofu.consortium).await;
    let bottle_part = earlier["merchant_orders"][0]["id"].as_str().unwrap();
    let bottle_line = earlier["merchant_orders"][0]["lines"][0]["id"]
        .as_str()
        .unwrap();

    // Today's delivery to the same shopper, planned onto a courier's batch.
    let delivery = golmok_e2e::demo::tofu_delivery(&app, &shopper).await;
    for action in ["accept", "ready"] {
        let done = app
            .post(
                &format!("/v1/merchant-orders/{}/{action}", delivery.part),
                Some(&owner),
                &json!({}),
            )
            .await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.text);
    }
    let planned = app
        .post(
            &format!(
                "/v1/networks/{}/slots/{}/plan",
                delivery.network, delivery.slot
            ),
            Some(&admin),
            &json!({}),
        )
        .await;
    assert_eq!(planned.status, StatusCode::OK, "{}", planned.text);
    let batch = planned.body["batches"][0].clone();
    let batch_id = batch["id"].as_str().unwrap().to_owned();
    // A dispatcher's plan does not list them: the courier's view does.
    assert!(!planned.text.contains(bottle_line), "{}", planned.text);
    let email = golmok_e2e::demo::courier_email(&app, batch["courier_id"].as_str().unwrap()).await;
    let courier = login(&app, &email).await;
    let mine = app
        .get(
            &format!("/v1/couriers/me/batches?date={}", delivery.date),
            Some(&courier),
        )
        .await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.text);
    let door = stop_of(&mine.body, &delivery.part, "dropoff").expect("the drop-off");
    assert_eq!(
        door["collect"],
        json!([{"merchant_order_id": bottle_part, "line_id": bottle_line, "title": "병 콩물 리필",
                "shop": "망원 두부가게", "deposit_krw": 1000}]),
        "{door}"
    );
    let shop = stop_of(&mine.body, &delivery.part, "pickup").expect("the pick-up");
    assert!(shop.get("collect").is_none(), "{shop}");

    // On the courier's phone: the container at the door, taken back with one button; a
    // retry of the same post (the offline queue) changes nothing.
    let mut phone = Browser::new(&app.base_url);
    phone.sign_in(&email, None).await;
    let page = phone.get(&format!("/courier/batches/{batch_id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.html.contains("받아 올 보증금 용기")
            && page.html.contains("병 콩물 리필 · 망원 두부가게"),
        "{}",
        page.html
    );
    let fields = [
        ("batch", batch_id.as_str()),
        ("merchant_order_id", bottle_part),
        ("line_id", bottle_line),
    ];
    for _ in 0..2 {
        let taken = phone.submit(&page, "/courier/containers", &fields).await;
        assert_eq!(taken.location(), format!("/courier/batches/{batch_id}"));
    }
    let after = app
        .get(
            &format!("/v1/orders/{}", earlier["id"].as_str().unwrap()),
            Some(&shopper),
        )
        .await
        .body;
    assert_eq!(after["payment"]["refunded_krw"], 1000, "{after}");
    let mine = app
        .get(
            &format!("/v1/couriers/me/batches?date={}", delivery.date),
            Some(&courier),
        )
        .await;
    let door = stop_of(&mine.body, &delivery.part, "dropoff").expect("the drop-off");
    assert!(door.get("collect").is_none(), "{door}");
    let page = phone.get(&format!("/courier/batches/{batch_id}")).await;
    assert!(!page.html.contains("받아 올 보증금 용기"));
}
