//! Alley pages and stamp tours over HTTP: a tour made by the consortium's agency, signed
//! stamp codes (forged, foreign and reused ones refused), the coupon the last stamp earns,
//! redeemed once at checkout (the consortium's cost in the ledger when the shop is paid) or
//! at a festival stall, and the counts in the programme's report.

use golmok_e2e::demo::seeded;
use golmok_e2e::demo::{login, tofu_at, tofu_pickup};
use golmok_e2e::{Engine, TestApp, on_both_databases, on_both_engines};
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_databases!(
    a_visitor_collects_every_stamp_and_spends_the_coupon_online,
    a_coupon_is_spent_at_a_festival_stall_once
);

on_both_engines!(
    a_poster_opens_the_public_address_when_one_is_configured,
    without_a_public_address_a_poster_opens_the_address_asked_over_https_behind_a_proxy
);

fn ok(reply: &golmok_e2e::Reply, status: StatusCode) -> Value {
    assert_eq!(reply.status, status, "{}", reply.text);
    reply.body.clone()
}

/// The demo, the Mangwon consortium's tofu shop and two more of its members, and a stamp
/// tour of the three made by the demo coordinator; its id and the shops' codes.
struct Walk {
    consortium: String,
    tofu_shop: String,
    tour: String,
    codes: Vec<String>,
}

async fn walk(app: &TestApp, coordinator: &str) -> Walk {
    let tofu = tofu_at(app.client(), &app.base_url).await;
    let consortium = tofu.consortium_id();
    let others = tofu.other_members();
    let stops = [tofu.shop_id.clone(), others[0].clone(), others[1].clone()];
    // A coupon is 1 to 100,000 won; the route is of members, each once.
    let refused = app
        .post(
            &format!("/v1/consortia/{consortium}/tours"),
            Some(coordinator),
            &json!({"kind": "stamp_tour", "title": "망원 골목 스탬프", "coupon_krw": 0,
                    "stops": [{"merchant_id": stops[0]}, {"merchant_id": stops[0]}]}),
        )
        .await;
    refused.assert_problem(422, "validation_failed");
    let fields: Vec<&str> = refused.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert!(fields.contains(&"coupon_krw"), "{fields:?}");
    assert!(fields.contains(&"stops[1].merchant_id"), "{fields:?}");
    let tour = ok(
        &app.post(
            &format!("/v1/consortia/{consortium}/tours"),
            Some(coordinator),
            &json!({"kind": "stamp_tour", "title": "망원 골목 스탬프", "story": "시장 골목을 걸어요.",
                    "coupon_krw": 3000,
                    "stops": stops.iter().map(|m| json!({"merchant_id": m, "note": "맛보기"})).collect::<Vec<_>>()}),
        )
        .await,
        StatusCode::CREATED,
    );
    let tour_id = tour["id"].as_str().unwrap().to_owned();
    assert_eq!(tour["running"], true);
    assert_eq!(tour["stops"].as_array().unwrap().len(), 3);
    // Public: anyone reads it, listed among the consortium's tours.
    let public = ok(
        &app.get(&format!("/v1/tours/{tour_id}"), None).await,
        StatusCode::OK,
    );
    assert_eq!(public["stops"][0]["merchant_id"], stops[0].as_str());
    assert!(public.get("code_key").is_none());
    let codes = ok(
        &app.get(&format!("/v1/tours/{tour_id}/codes"), Some(coordinator))
            .await,
        StatusCode::OK,
    )["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap().to_owned())
        .collect::<Vec<_>>();
    assert_eq!(codes.len(), 3);
    // The tofu shop's owner reads its own code only.
    let merchant = login(app, "merchant@demo.golmok.kr").await;
    let own = ok(
        &app.get(&format!("/v1/tours/{tour_id}/codes"), Some(&merchant))
            .await,
        StatusCode::OK,
    );
    assert_eq!(own["items"].as_array().unwrap().len(), 1);
    assert_eq!(own["items"][0]["code"], codes[0].as_str());
    Walk {
        consortium,
        tofu_shop: tofu.shop_id,
        tour: tour_id,
        codes,
    }
}

async fn stamp(app: &TestApp, token: &str, tour: &str, code: &str) -> golmok_e2e::Reply {
    app.post(
        &format!("/v1/tours/{tour}/stamps"),
        Some(token),
        &json!({ "code": code }),
    )
    .await
}

async fn a_visitor_collects_every_stamp_and_spends_the_coupon_online(app: TestApp) {
    seeded(&app).await;
    let coordinator = login(&app, "coordinator@demo.golmok.kr").await;
    let w = walk(&app, &coordinator).await;
    let (visitor, _) = app.sign_up("shopper").await;

    // A forged code: the shop's name with a made-up signature, or another shop's signature.
    let (shop, mac) = w.codes[0].rsplit_once('.').unwrap();
    let forged = format!("{shop}.{}", "0".repeat(mac.len()));
    stamp(&app, &visitor, &w.tour, &forged)
        .await
        .assert_problem(422, "validation_failed");
    let (_, other_mac) = w.codes[1].rsplit_once('.').unwrap();
    stamp(&app, &visitor, &w.tour, &format!("{shop}.{other_mac}"))
        .await
        .assert_problem(422, "validation_failed");
    // A code of this shop signed for another tour of the same consortium.
    let alley = ok(
        &app.post(
            &format!("/v1/consortia/{}/tours", w.consortium),
            Some(&coordinator),
            &json!({"kind": "stamp_tour", "title": "다른 투어", "coupon_krw": 1000,
                    "stops": [{"merchant_id": w.tofu_shop}, {"merchant_id": shop_of(&w.codes[1])}]}),
        )
        .await,
        StatusCode::CREATED,
    );
    // Both listed, newest first in the public list, each with its own stops in order.
    let route_of = |list: &Value, id: &str| -> Vec<String> {
        let tour = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["id"] == id)
            .unwrap_or_else(|| panic!("tour {id} not listed: {list}"));
        tour["stops"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["merchant_id"].as_str().unwrap().to_owned())
            .collect()
    };
    let alley_id = alley["id"].as_str().unwrap();
    let walk_route: Vec<String> = [
        w.tofu_shop.clone(),
        shop_of(&w.codes[1]),
        shop_of(&w.codes[2]),
    ]
    .into();
    let alley_route: Vec<String> = [w.tofu_shop.clone(), shop_of(&w.codes[1])].into();
    let public = ok(&app.get("/v1/tours", None).await, StatusCode::OK);
    assert_eq!(route_of(&public, &w.tour), walk_route);
    assert_eq!(route_of(&public, alley_id), alley_route);
    let order: Vec<&str> = public["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["id"].as_str())
        .filter(|id| [w.tour.as_str(), alley_id].contains(id))
        .collect();
    assert_eq!(order, [alley_id, w.tour.as_str()], "newest first");
    let of_consortium = ok(
        &app.get(&format!("/v1/consortia/{}/tours", w.consortium), None)
            .await,
        StatusCode::OK,
    );
    assert_eq!(route_of(&of_consortium, &w.tour), walk_route);
    assert_eq!(route_of(&of_consortium, alley_id), alley_route);
    assert!(
        of_consortium["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["consortium_name"].as_str().is_some_and(|n| !n.is_empty()))
    );
    let foreign = ok(
        &app.get(
            &format!("/v1/tours/{}/codes", alley["id"].as_str().unwrap()),
            Some(&coordinator),
        )
        .await,
        StatusCode::OK,
    )["items"][0]["code"]
        .as_str()
        .unwrap()
        .to_owned();
    stamp(&app, &visitor, &w.tour, &foreign)
        .await
        .assert_problem(422, "validation_failed");
    // Not signed in: 401.
    assert_eq!(
        app.post(
            &format!("/v1/tours/{}/stamps", w.tour),
            None,
            &json!({"code": w.codes[0]})
        )
        .await
        .status,
        StatusCode::UNAUTHORIZED
    );

    let first = ok(
        &stamp(&app, &visitor, &w.tour, &w.codes[0]).await,
        StatusCode::CREATED,
    );
    assert_eq!(first["stamped"].as_array().unwrap().len(), 1);
    assert_eq!(first["complete"], false);
    // The same code again stamps nothing.
    stamp(&app, &visitor, &w.tour, &w.codes[0])
        .await
        .assert_problem(409, "already_stamped");
    ok(
        &stamp(&app, &visitor, &w.tour, &w.codes[1]).await,
        StatusCode::CREATED,
    );
    let last = ok(
        &stamp(&app, &visitor, &w.tour, &w.codes[2]).await,
        StatusCode::CREATED,
    );
    assert_eq!(last["complete"], true);
    assert_eq!(last["stamps_needed"], 3);
    let coupon = last["coupon"].clone();
    assert_eq!(coupon["discount_krw"], 3000);
    assert!(coupon["redeemed_at"].is_null());
    let mine = ok(
        &app.get("/v1/me/coupons", Some(&visitor)).await,
        StatusCode::OK,
    );
    assert_eq!(mine["items"][0]["id"], coupon["id"]);

    // Spent at checkout: two tofu picked up, the coupon off the tofu shop's part.
    let tofu = tofu_at(app.client(), &app.base_url).await;
    let mut request = tofu_pickup(&tofu, 2, "offline");
    request["coupon_id"] = coupon["id"].clone();
    let order = ok(
        &app.post("/v1/orders", Some(&visitor), &request).await,
        StatusCode::CREATED,
    );
    let part = &order["merchant_orders"][0];
    let goods = part["subtotal_krw"].as_i64().unwrap();
    let off = goods.min(3000);
    assert_eq!(part["coupon_krw"], off);
    assert_eq!(order["coupon_krw"], off);
    assert_eq!(
        order["total_krw"].as_i64().unwrap(),
        goods + part["deposits_krw"].as_i64().unwrap() - off
    );
    assert_eq!(order["authorized_krw"], order["total_krw"]);
    // Checkout answers with the order as it was written, not read back: it must equal what a
    // read shows, coupon and all.
    let order_id = order["id"].as_str().unwrap();
    let read = ok(
        &app.get(&format!("/v1/orders/{order_id}"), Some(&visitor))
            .await,
        StatusCode::OK,
    );
    assert_eq!(read, order);
    // Once only.
    app.post("/v1/orders", Some(&visitor), &request)
        .await
        .assert_problem(409, "coupon_used");

    // The shop is paid in full: the shopper's payment and the consortium's coupon.
    let merchant = login(&app, "merchant@demo.golmok.kr").await;
    let part_id = part["id"].as_str().unwrap();
    for action in ["accept", "ready"] {
        ok(
            &app.post(
                &format!("/v1/merchant-orders/{part_id}/{action}"),
                Some(&merchant),
                &json!({}),
            )
            .await,
            StatusCode::OK,
        );
    }
    let settled = ok(
        &app.get(
            &format!("/v1/orders/{}", order["id"].as_str().unwrap()),
            Some(&visitor),
        )
        .await,
        StatusCode::OK,
    );
    assert_eq!(settled["charged_krw"], settled["total_krw"]);
    let cost = golmok_payments::ledger::balance(
        &app.state.db,
        &golmok_ordering::coupons::cost_account(&w.consortium),
    )
    .await
    .unwrap();
    assert_eq!(cost, off, "the consortium bears the coupon");

    // The programme's report counts the visitor, the stamps, the completion and the coupon.
    let today = (chrono::Utc::now() + chrono::Duration::hours(9)).date_naive();
    let report = ok(
        &app.get(
            &format!(
                "/v1/reports/consortia/{}/programme?from={today}&to={today}",
                w.consortium
            ),
            Some(&coordinator),
        )
        .await,
        StatusCode::OK,
    );
    let total = &report["total"];
    assert_eq!(total["tour_visitors"], 1, "{total}");
    assert_eq!(total["tour_stamps"], 3);
    assert_eq!(total["tour_completions"], 1);
    assert_eq!(total["coupons_redeemed"], 1);
    assert_eq!(total["coupon_krw"], off);
    let csv = app
        .client()
        .get(app.url(&format!(
            "/v1/reports/consortia/{}/programme?from={today}&to={today}&format=csv",
            w.consortium
        )))
        .bearer_auth(&coordinator)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        csv.lines()
            .next()
            .unwrap()
            .ends_with("tour_visitors,tour_stamps,tour_completions,coupons_redeemed,coupon_krw,member_trade_orders,member_trade_krw"),
        "{csv}"
    );
    assert!(
        csv.lines()
            .last()
            .unwrap()
            .contains(&format!(",1,3,1,1,{off},")),
        "{csv}"
    );
}

fn shop_of(code: &str) -> String {
    code.rsplit_once('.').unwrap().0.to_owned()
}

async fn a_coupon_is_spent_at_a_festival_stall_once(app: TestApp) {
    seeded(&app).await;
    let coordinator = login(&app, "coordinator@demo.golmok.kr").await;
    let w = walk(&app, &coordinator).await;
    let (visitor, _) = app.sign_up("shopper").await;
    let mut coupon = Value::Null;
    for code in &w.codes {
        coupon = ok(
            &stamp(&app, &visitor, &w.tour, code).await,
            StatusCode::CREATED,
        )["coupon"]
            .clone();
    }
    let code = coupon["code"].as_str().unwrap().to_owned();

    let admin = login(&app, "admin@demo.golmok.kr").await;
    let now = chrono::Utc::now();
    let event = ok(
        &app.post(
            "/v1/campaigns",
            Some(&admin),
            &json!({"consortium_id": w.consortium, "kind": "festival", "title": "골목 축제",
                    "starts_at": now - chrono::Duration::hours(1), "ends_at": now + chrono::Duration::hours(4)}),
        )
        .await,
        StatusCode::CREATED,
    );
    let event = event["id"].as_str().unwrap().to_owned();
    ok(
        &app.put(
            &format!("/v1/campaigns/{event}/shops"),
            Some(&coordinator),
            &json!({"merchant_ids": [w.tofu_shop]}),
        )
        .await,
        StatusCode::OK,
    );
    let merchant = login(&app, "merchant@demo.golmok.kr").await;
    let sale = |code: String| {
        json!({"merchant_id": w.tofu_shop, "amount_krw": 2000, "description": "두부 반 모",
               "payment_method": "cash", "coupon_code": code})
    };
    let sold = ok(
        &app.post(
            &format!("/v1/campaigns/{event}/stall-sales"),
            Some(&merchant),
            &sale(code.to_lowercase()),
        )
        .await,
        StatusCode::CREATED,
    );
    // A 3,000 won coupon on a 2,000 won sale pays the sale, no more.
    assert_eq!(sold["amount_krw"], 2000);
    assert_eq!(sold["coupon_krw"], 2000);
    let cost = golmok_payments::ledger::balance(
        &app.state.db,
        &golmok_ordering::coupons::cost_account(&w.consortium),
    )
    .await
    .unwrap();
    assert_eq!(cost, 2000);
    // Used: refused, and the sale is not recorded.
    app.post(
        &format!("/v1/campaigns/{event}/stall-sales"),
        Some(&merchant),
        &sale(code.clone()),
    )
    .await
    .assert_problem(409, "coupon_used");
    app.post(
        &format!("/v1/campaigns/{event}/stall-sales"),
        Some(&merchant),
        &sale("NOSUCH99".into()),
    )
    .await
    .assert_problem(422, "validation_failed");
    let sales = ok(
        &app.get(
            &format!(
                "/v1/campaigns/{event}/stall-sales?merchant_id={}",
                w.tofu_shop
            ),
            Some(&merchant),
        )
        .await,
        StatusCode::OK,
    );
    assert_eq!(sales["items"].as_array().unwrap().len(), 1);
    let mine = ok(
        &app.get("/v1/me/coupons", Some(&visitor)).await,
        StatusCode::OK,
    );
    assert_eq!(mine["items"][0]["stall_sale_id"], sold["id"]);
    assert_eq!(mine["items"][0]["redeemed_krw"], 2000);
}

/// The addresses a tour's poster page has its QR codes open.
fn poster_addresses(html: &str) -> Vec<String> {
    html.split("data-address=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_owned)
        .collect()
}

async fn without_a_public_address_a_poster_opens_the_address_asked_over_https_behind_a_proxy(
    engine: Engine,
) {
    let app = TestApp::start(engine).await;
    seeded(&app).await;
    let coordinator = login(&app, "coordinator@demo.golmok.kr").await;
    let w = walk(&app, &coordinator).await;
    let mut page = golmok_e2e::pages::Browser::new(&app.base_url);
    page.sign_in("coordinator@demo.golmok.kr", None).await;
    let path = format!("/tours/{}/codes", w.tour);
    let host = app.base_url.trim_start_matches("http://");
    for (proto, scheme) in [(None, "http"), (Some("https"), "https")] {
        let mut request = app
            .client()
            .get(app.url(&path))
            .header("cookie", page.cookie_header());
        if let Some(proto) = proto {
            request = request.header("x-forwarded-proto", proto);
        }
        let html = request.send().await.unwrap().text().await.unwrap();
        let addresses = poster_addresses(&html);
        assert_eq!(addresses.len(), 3, "{html}");
        let stamp_page = format!("{scheme}://{host}/tours/{}/stamp/", w.tour);
        for code in &w.codes {
            assert!(
                addresses.contains(&format!("{stamp_page}{code}")),
                "{stamp_page}{code} in {addresses:?}"
            );
        }
    }
}

/// A coordinator printing posters from an address shoppers cannot reach (here the test's
/// 127.0.0.1) still gets codes that open the configured public address.
async fn a_poster_opens_the_public_address_when_one_is_configured(engine: Engine) {
    let app = TestApp::start_with(
        engine,
        json!({"web": {"public_url": "https://golmok.example/"}}),
    )
    .await;
    seeded(&app).await;
    let coordinator = login(&app, "coordinator@demo.golmok.kr").await;
    let w = walk(&app, &coordinator).await;
    let mut page = golmok_e2e::pages::Browser::new(&app.base_url);
    page.sign_in("coordinator@demo.golmok.kr", None).await;
    let posters = page.get(&format!("/tours/{}/codes", w.tour)).await;
    assert_eq!(posters.status, StatusCode::OK, "{}", posters.html);
    let addresses = poster_addresses(&posters.html);
    assert_eq!(addresses.len(), 3, "one poster per shop: {}", posters.html);
    let stamp_page = format!("https://golmok.example/tours/{}/stamp/", w.tour);
    for code in &w.codes {
        let address = format!("{stamp_page}{code}");
        assert!(addresses.contains(&address), "{address} in {addresses:?}");
    }
}
