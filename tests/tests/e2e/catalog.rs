//! The catalog over HTTP, on SQLite and PostgreSQL: agencies, consortia and their membership
//! rule, merchants, listings, search, geo and pagination.

use golmok_e2e::{PASSWORD, TestApp, on_both_databases};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

on_both_databases!(
    membership_rule_edges,
    coordinators_manage_only_their_agencys_districts,
    only_owners_edit_merchants_and_listings,
    listings_are_validated_field_by_field,
    search_finds_korean_and_english_words,
    merchants_near_a_point_come_nearest_first,
    pages_neither_lose_nor_repeat_while_listings_are_added,
    archived_listings_leave_search_but_stay_readable,
    campaigns_feature_member_listings,
    a_merchant_changing_kind_can_change_its_consortium,
    concurrent_admissions_count_every_member,
    cached_listing_pages_follow_what_shapes_them,
    writes_that_shape_no_listing_page_leave_the_cached_ones,
);

const MANGWON: (f64, f64) = (37.5559, 126.9015);

/// An admin token, and a coordinator of a regional agency running Mapo-gu and Seodaemun-gu.
async fn agency_with_coordinator(app: &TestApp) -> (String, String, String) {
    let admin = app.admin().await;
    let agency = app
        .post(
            "/v1/agencies",
            Some(&admin),
            &json!({"name": format!("서북권 지역지원기관 {}", uuid()), "kind": "regional", "districts": ["마포구", "Seodaemun-gu"]}),
        )
        .await;
    assert_eq!(agency.status, StatusCode::CREATED, "{}", agency.text);
    assert_eq!(agency.body["districts"], json!(["마포구", "서대문구"]));
    let agency_id = agency.body["id"].as_str().unwrap().to_owned();
    let coordinator = coordinator_of(app, &admin, &agency_id).await;
    (admin, coordinator, agency_id)
}

async fn coordinator_of(app: &TestApp, admin: &str, agency_id: &str) -> String {
    let email = format!("coord-{}@example.com", uuid());
    let account = app
        .post(
            "/v1/admin/accounts",
            Some(admin),
            &json!({"email": email, "password": PASSWORD, "name": "코디네이터", "role": "coordinator"}),
        )
        .await;
    assert_eq!(account.status, StatusCode::CREATED, "{}", account.text);
    let assigned = app
        .post(
            &format!("/v1/agencies/{agency_id}/coordinators"),
            Some(admin),
            &json!({"account_id": account.body["id"]}),
        )
        .await;
    assert_eq!(assigned.status, StatusCode::OK, "{}", assigned.text);
    let login = app
        .post(
            "/v1/auth/login",
            None,
            &json!({"email": email, "password": PASSWORD}),
        )
        .await;
    login.body["token"].as_str().unwrap().to_owned()
}

fn uuid() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..8].to_owned()
}

/// A merchant account with one shop of `kind` at (lat, lon); returns (token, merchant id).
async fn shop(app: &TestApp, name: &str, kind: &str, at: (f64, f64)) -> (String, String) {
    let (token, _) = app.sign_up("merchant").await;
    let reply = app
        .post(
            "/v1/merchants",
            Some(&token),
            &json!({"name": name, "kind": kind, "location": {"lat": at.0, "lon": at.1}, "address": "서울 마포구 망원로 1"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    (token, reply.body["id"].as_str().unwrap().to_owned())
}

async fn listing(app: &TestApp, token: &str, merchant_id: &str, body: Value) -> Value {
    let reply = app
        .post(
            &format!("/v1/merchants/{merchant_id}/listings"),
            Some(token),
            &body,
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    reply.body
}

fn piece(title: &str, price: i64) -> Value {
    json!({"title": title, "description": "", "price_krw": price, "unit": "piece", "unit_quantity": 1, "stock": 10, "refill": false})
}

async fn consortium(app: &TestApp, coordinator: &str) -> String {
    let reply = app
        .post(
            "/v1/consortia",
            Some(coordinator),
            &json!({"name": format!("망원 협업체 {}", uuid()), "district": "마포구"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    assert_eq!(reply.body["status"], "forming");
    assert_eq!(reply.body["members"], json!([]));
    reply.body["id"].as_str().unwrap().to_owned()
}

async fn admit(app: &TestApp, coordinator: &str, consortium_id: &str, merchant_id: &str) -> Value {
    let reply = app
        .post(
            &format!("/v1/consortia/{consortium_id}/members"),
            Some(coordinator),
            &json!({"merchant_id": merchant_id}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    reply.body
}

async fn membership_rule_edges(app: TestApp) {
    let (_, coordinator, _) = agency_with_coordinator(&app).await;
    let mut small = Vec::new();
    for i in 0..5 {
        small.push(
            shop(&app, &format!("가게 {i}"), "small_business", MANGWON)
                .await
                .1,
        );
    }
    let (_, coop) = shop(&app, "망원 협동조합", "cooperative", MANGWON).await;

    // Five small businesses: enough members, but one side only.
    let all_small = consortium(&app, &coordinator).await;
    for (i, id) in small.iter().enumerate() {
        let c = admit(&app, &coordinator, &all_small, id).await;
        assert_eq!(c["members"].as_array().unwrap().len(), i + 1);
        assert_eq!(c["status"], "forming");
    }

    // Four members of both sides: not enough.
    let mixed = consortium(&app, &coordinator).await;
    for id in [&small[0], &small[1], &small[2], &coop] {
        assert_eq!(
            admit(&app, &coordinator, &mixed, id).await["status"],
            "forming"
        );
    }
    // The fifth makes it active.
    let c = admit(&app, &coordinator, &mixed, &small[3]).await;
    assert_eq!(c["status"], "active");
    let read = app.get(&format!("/v1/consortia/{mixed}"), None).await;
    assert_eq!(read.body["status"], "active");
    assert_eq!(read.body["members"].as_array().unwrap().len(), 5);

    // Admitting twice is a conflict; removing the only social-economy member falls back.
    app.post(
        &format!("/v1/consortia/{mixed}/members"),
        Some(&coordinator),
        &json!({"merchant_id": coop}),
    )
    .await
    .assert_problem(409, "already_member");
    let removed = app
        .call(
            Method::DELETE,
            &format!("/v1/consortia/{mixed}/members/{coop}"),
            Some(&coordinator),
            None,
        )
        .await;
    assert_eq!(removed.status, StatusCode::OK, "{}", removed.text);
    assert_eq!(removed.body["status"], "forming");
    let read = app.get(&format!("/v1/consortia/{mixed}"), None).await;
    assert_eq!(
        read.body["status"], "forming",
        "the cached copy was invalidated"
    );

    // Every change is recorded with who and when.
    let history = app
        .get(&format!("/v1/consortia/{mixed}/membership-events"), None)
        .await;
    let events = history.body["items"].as_array().unwrap();
    assert_eq!(events.len(), 6);
    assert_eq!(events[4]["status_after"], "active");
    assert_eq!(events[5]["action"], "removed");
    assert_eq!(events[5]["merchant_id"], coop.as_str());
    assert!(events[5]["actor_id"].as_str().unwrap().starts_with("acc_"));

    app.post(
        &format!("/v1/consortia/{mixed}/members"),
        Some(&coordinator),
        &json!({"merchant_id": "mer_nope"}),
    )
    .await
    .assert_problem(422, "validation_failed");
    app.call(
        Method::DELETE,
        &format!("/v1/consortia/{mixed}/members/{coop}"),
        Some(&coordinator),
        None,
    )
    .await
    .assert_problem(404, "not_found");
}

async fn coordinators_manage_only_their_agencys_districts(app: TestApp) {
    let (admin, coordinator, _) = agency_with_coordinator(&app).await;
    let other = app
        .post(
            "/v1/agencies",
            Some(&admin),
            &json!({"name": format!("동남권 {}", uuid()), "kind": "regional", "districts": ["강남구"]}),
        )
        .await;
    let other_id = other.body["id"].as_str().unwrap().to_owned();
    let gangnam_coordinator = coordinator_of(&app, &admin, &other_id).await;

    // A district another agency owns is refused, by name.
    app.post(
        "/v1/agencies",
        Some(&admin),
        &json!({"name": format!("x {}", uuid()), "kind": "regional", "districts": ["마포구"]}),
    )
    .await
    .assert_problem(409, "district_taken");

    // Forming a consortium in a district of another agency is 403.
    app.post(
        "/v1/consortia",
        Some(&gangnam_coordinator),
        &json!({"name": "망원", "district": "마포구"}),
    )
    .await
    .assert_problem(403, "forbidden");
    let mapo = consortium(&app, &coordinator).await;
    let (_, shop_id) = shop(&app, "가게", "small_business", MANGWON).await;
    app.post(
        &format!("/v1/consortia/{mapo}/members"),
        Some(&gangnam_coordinator),
        &json!({"merchant_id": shop_id}),
    )
    .await
    .assert_problem(403, "forbidden");
    // Shoppers and merchants are not coordinators at all.
    let (shopper, _) = app.sign_up("shopper").await;
    app.post(
        &format!("/v1/consortia/{mapo}/members"),
        Some(&shopper),
        &json!({"merchant_id": shop_id}),
    )
    .await
    .assert_problem(403, "forbidden");
    // An admin may.
    admit(&app, &admin, &mapo, &shop_id).await;
    // A district no agency runs yet, and one that is not in Seoul.
    let reply = app
        .post(
            "/v1/consortia",
            Some(&coordinator),
            &json!({"name": "x", "district": "노원구"}),
        )
        .await;
    reply.assert_problem(422, "validation_failed");
    assert_eq!(reply.failed_fields(), ["district"]);
    let reply = app
        .post(
            "/v1/consortia",
            Some(&coordinator),
            &json!({"name": "x", "district": "해운대구"}),
        )
        .await;
    reply.assert_problem(422, "validation_failed");
    assert_eq!(reply.failed_fields(), ["district"]);
}

async fn only_owners_edit_merchants_and_listings(app: TestApp) {
    let (owner, shop_id) = shop(&app, "망원 두부가게", "small_business", MANGWON).await;
    let (stranger, _) = shop(&app, "다른 가게", "small_business", MANGWON).await;
    let (shopper, _) = app.sign_up("shopper").await;

    app.post("/v1/merchants", Some(&shopper), &json!({"name": "x", "kind": "cooperative", "location": {"lat": 37.5, "lon": 127.0}, "address": "a"}))
        .await
        .assert_problem(403, "forbidden");
    app.post(
        &format!("/v1/merchants/{shop_id}/listings"),
        Some(&stranger),
        &piece("두부", 3000),
    )
    .await
    .assert_problem(403, "forbidden");
    let item = listing(&app, &owner, &shop_id, piece("손두부", 3500)).await;
    let id = item["id"].as_str().unwrap();
    assert_eq!(
        app.get(&format!("/v1/listings/{id}"), None).await.body["price_krw"],
        3500
    );

    let patch = json!({"price_krw": 3800});
    app.call(
        Method::PATCH,
        &format!("/v1/listings/{id}"),
        Some(&stranger),
        Some(&patch),
    )
    .await
    .assert_problem(403, "forbidden");
    app.call(
        Method::PATCH,
        &format!("/v1/merchants/{shop_id}"),
        Some(&stranger),
        Some(&json!({"name": "mine"})),
    )
    .await
    .assert_problem(403, "forbidden");
    app.call(
        Method::DELETE,
        &format!("/v1/listings/{id}"),
        Some(&stranger),
        None,
    )
    .await
    .assert_problem(403, "forbidden");

    let edited = app
        .call(
            Method::PATCH,
            &format!("/v1/listings/{id}"),
            Some(&owner),
            Some(&patch),
        )
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.text);
    assert_eq!(edited.body["price_krw"], 3800);
    // The read after the write sees it: the cache was invalidated.
    assert_eq!(
        app.get(&format!("/v1/listings/{id}"), None).await.body["price_krw"],
        3800
    );

    let renamed = app
        .call(
            Method::PATCH,
            &format!("/v1/merchants/{shop_id}"),
            Some(&owner),
            Some(&json!({"name": "망원 손두부"})),
        )
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.text);
    assert_eq!(
        app.get(&format!("/v1/merchants/{shop_id}"), None)
            .await
            .body["name"],
        "망원 손두부"
    );
    let admin = app.admin().await;
    let by_admin = app
        .call(
            Method::PATCH,
            &format!("/v1/listings/{id}"),
            Some(&admin),
            Some(&json!({"stock": 3})),
        )
        .await;
    assert_eq!(by_admin.status, StatusCode::OK);
}

async fn listings_are_validated_field_by_field(app: TestApp) {
    let (owner, shop_id) = shop(&app, "채우장", "cooperative", MANGWON).await;
    let url = format!("/v1/merchants/{shop_id}/listings");

    let reply = app
        .post(&url, Some(&owner), &json!({"title": "", "price_krw": -5, "unit": "piece", "unit_quantity": 0, "stock": -1, "refill": false}))
        .await;
    reply.assert_problem(422, "validation_failed");
    assert_eq!(
        reply.failed_fields(),
        ["title", "price_krw", "unit_quantity", "stock"]
    );

    let reply = app.post(&url, Some(&owner), &json!({"title": "세제", "price_krw": 800, "unit": "litre", "unit_quantity": 100, "stock": 1, "refill": true})).await;
    reply.assert_problem(422, "validation_failed");
    assert_eq!(reply.failed_fields(), ["unit"]);

    let reply = app.post(&url, Some(&owner), &json!({"title": "세제", "price_krw": 800, "unit": "ml", "unit_quantity": 100, "stock": 1, "refill": true, "colour": "blue"})).await;
    reply.assert_problem(422, "validation_failed");
    assert_eq!(reply.failed_fields(), ["colour"]);

    let reply = app.post(&url, Some(&owner), &json!({"title": "세제", "price_krw": 800.5, "unit": "ml", "unit_quantity": 100, "stock": 1, "refill": true})).await;
    reply.assert_problem(422, "validation_failed");
    assert_eq!(reply.failed_fields(), ["price_krw"]);

    let reply = app
        .post(&url, Some(&owner), &json!({"title": "세제", "price_krw": 800, "unit": "ml", "unit_quantity": 100, "stock": 1, "refill": true, "container": {"policy": "deposit"}}))
        .await;
    assert_eq!(reply.failed_fields(), ["container.deposit_krw"]);

    let reply = app.post(&url, Some(&owner), &json!({"title": "비누", "price_krw": 800, "unit": "piece", "unit_quantity": 1, "stock": 1, "refill": true})).await;
    assert_eq!(reply.failed_fields(), ["unit"]);

    let ok = listing(
        &app,
        &owner,
        &shop_id,
        json!({"title": "친환경 주방세제", "category": "세제", "price_krw": 800, "unit": "ml", "unit_quantity": 100, "stock": 20000, "refill": true, "container": {"policy": "deposit", "deposit_krw": 1000}}),
    )
    .await;
    assert_eq!(
        ok["container"],
        json!({"policy": "deposit", "deposit_krw": 1000})
    );
    assert_eq!(ok["status"], "active");
    let id = ok["id"].as_str().unwrap();
    // Clearing the container with null, and a patch that would break a cross-field rule.
    let cleared = app
        .call(
            Method::PATCH,
            &format!("/v1/listings/{id}"),
            Some(&owner),
            Some(&json!({"container": null})),
        )
        .await;
    assert_eq!(cleared.status, StatusCode::OK, "{}", cleared.text);
    assert_eq!(cleared.body["container"], Value::Null);
    let broken = app
        .call(
            Method::PATCH,
            &format!("/v1/listings/{id}"),
            Some(&owner),
            Some(&json!({"unit": "piece"})),
        )
        .await;
    assert_eq!(broken.failed_fields(), ["unit"]);
    let merchant = app.post("/v1/merchants", Some(&owner), &json!({"name": "x", "kind": "guild", "location": {"lat": 95, "lon": 127.0}, "address": "a"})).await;
    assert_eq!(merchant.failed_fields(), ["kind"]);
    let merchant = app.post("/v1/merchants", Some(&owner), &json!({"name": "x", "kind": "cooperative", "location": {"lat": 95, "lon": 127.0}, "address": "a"})).await;
    assert_eq!(merchant.failed_fields(), ["location.lat"]);
}

async fn search_finds_korean_and_english_words(app: TestApp) {
    let (owner, shop_id) = shop(&app, "망원 가게", "small_business", MANGWON).await;
    let tofu_in_title = listing(&app, &owner, &shop_id, json!({"title": "국산콩 손두부", "description": "매일 아침 만드는 두부", "category": "두부", "price_krw": 3500, "unit": "piece", "unit_quantity": 1, "stock": 30, "refill": false})).await;
    let tofu_compound = listing(&app, &owner, &shop_id, json!({"title": "유기농두부", "price_krw": 4200, "unit": "piece", "unit_quantity": 1, "stock": 30, "refill": false})).await;
    let tofu_in_description = listing(&app, &owner, &shop_id, json!({"title": "콩물", "description": "두부 만들고 남은 콩으로", "price_krw": 3000, "unit": "ml", "unit_quantity": 500, "stock": 30, "refill": false})).await;
    let detergent = listing(&app, &owner, &shop_id, json!({"title": "친환경 주방세제 리필", "category": "세제", "price_krw": 800, "unit": "ml", "unit_quantity": 100, "stock": 10000, "refill": true})).await;
    let shampoo = listing(&app, &owner, &shop_id, json!({"title": "Solid Shampoo Bar", "description": "zero waste 샴푸바", "price_krw": 12000, "unit": "piece", "unit_quantity": 1, "stock": 5, "refill": false})).await;
    listing(&app, &owner, &shop_id, json!({"title": "두유", "price_krw": 1500, "unit": "piece", "unit_quantity": 1, "stock": 5, "refill": false})).await;

    let ids = |reply: &golmok_e2e::Reply| -> Vec<String> {
        reply.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let id = |v: &Value| v["id"].as_str().unwrap().to_owned();

    let tofu = app.get("/v1/listings?q=%EB%91%90%EB%B6%80", None).await; // 두부
    assert_eq!(tofu.status, StatusCode::OK, "{}", tofu.text);
    // Title and category beat a compound title, which beats a description.
    assert_eq!(
        ids(&tofu),
        [
            id(&tofu_in_title),
            id(&tofu_compound),
            id(&tofu_in_description)
        ]
    );

    let soap = app
        .get(&format!("/v1/listings?q={}", enc("세제")), None)
        .await;
    assert_eq!(ids(&soap), [id(&detergent)]);
    let soap_refill = app
        .get(&format!("/v1/listings?q={}&refill=true", enc("세제")), None)
        .await;
    assert_eq!(ids(&soap_refill), [id(&detergent)]);
    let soap_not_refill = app
        .get(
            &format!("/v1/listings?q={}&refill=false", enc("세제")),
            None,
        )
        .await;
    assert!(ids(&soap_not_refill).is_empty());

    for q in ["shampoo", "SHAMP", "샴푸", "solid%20bar"] {
        assert_eq!(
            ids(&app.get(&format!("/v1/listings?q={q}"), None).await),
            [id(&shampoo)],
            "{q}"
        );
    }
    assert!(ids(&app.get("/v1/listings?q=conditioner", None).await).is_empty());
    app.get("/v1/listings?q=%20%21", None)
        .await
        .assert_problem(422, "validation_failed");
    let typo = app.get("/v1/listings?qq=tofu", None).await;
    typo.assert_problem(422, "validation_failed");
    assert_eq!(typo.failed_fields(), ["qq"]);
}

fn enc(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

async fn merchants_near_a_point_come_nearest_first(app: TestApp) {
    // Around Mangwon market: 0 m, ~550 m, ~1.1 km, ~2.2 km, and Gangnam (~12 km).
    let spots = [
        ("시장 안", (37.5559, 126.9015)),
        ("한강 쪽", (37.5510, 126.9025)),
        ("합정", (37.5495, 126.9120)),
        ("연남", (37.5620, 126.9250)),
        ("강남", (37.4979, 127.0276)),
    ];
    let mut ids = Vec::new();
    for (name, at) in spots.iter().rev() {
        ids.push((*name, shop(&app, name, "small_business", *at).await.1));
    }
    let near = app
        .get("/v1/merchants?near=37.5559,126.9015&radius_m=3000", None)
        .await;
    assert_eq!(near.status, StatusCode::OK, "{}", near.text);
    let items = near.body["items"].as_array().unwrap();
    let names: Vec<_> = items.iter().map(|m| m["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["시장 안", "한강 쪽", "합정", "연남"]);
    let distances: Vec<f64> = items
        .iter()
        .map(|m| m["distance_m"].as_f64().unwrap())
        .collect();
    assert_eq!(distances[0], 0.0);
    assert!(distances.windows(2).all(|w| w[0] <= w[1]), "{distances:?}");
    assert!((500.0..650.0).contains(&distances[1]), "{distances:?}");

    // Paged two at a time, the same order.
    let first = app
        .get(
            "/v1/merchants?near=37.5559,126.9015&radius_m=3000&limit=2",
            None,
        )
        .await;
    let cursor = first.body["next_cursor"].as_str().unwrap();
    let second = app
        .get(
            &format!("/v1/merchants?near=37.5559,126.9015&radius_m=3000&limit=2&cursor={cursor}"),
            None,
        )
        .await;
    let paged: Vec<_> = first.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(second.body["items"].as_array().unwrap())
        .map(|m| m["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(paged, names);
    assert_eq!(second.body["next_cursor"], Value::Null);

    // Listings near a point are those of the merchants in range.
    let (owner, far_shop) = shop(&app, "먼 가게", "small_business", (37.4979, 127.0276)).await;
    listing(&app, &owner, &far_shop, piece("강남 두부", 5000)).await;
    let near_listings = app
        .get(
            &format!(
                "/v1/listings?q={}&near=37.5559,126.9015&radius_m=3000",
                enc("두부")
            ),
            None,
        )
        .await;
    assert_eq!(near_listings.body["items"], json!([]));
    let far_listings = app
        .get(
            &format!(
                "/v1/listings?q={}&near=37.4979,127.0276&radius_m=500",
                enc("두부")
            ),
            None,
        )
        .await;
    assert_eq!(far_listings.body["items"].as_array().unwrap().len(), 1);

    app.get("/v1/merchants?near=37.5,north", None)
        .await
        .assert_problem(422, "validation_failed");
    app.get("/v1/merchants?near=37.5,126.9&radius_m=100000", None)
        .await
        .assert_problem(422, "validation_failed");
}

async fn pages_neither_lose_nor_repeat_while_listings_are_added(app: TestApp) {
    let (owner, shop_id) = shop(&app, "빵집", "small_business", MANGWON).await;
    let mut originals = Vec::new();
    for i in 0..7 {
        let body = json!({"title": format!("우리밀 빵 {i}"), "description": if i % 2 == 0 { "빵 빵" } else { "" }, "category": if i % 3 == 0 { "빵" } else { "" }, "price_krw": 3000 + i, "unit": "piece", "unit_quantity": 1, "stock": 5, "refill": false});
        originals.push(
            listing(&app, &owner, &shop_id, body).await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    for base in [
        format!("/v1/listings?merchant_id={shop_id}&limit=3"),
        format!("/v1/listings?q={}&limit=3", enc("빵")),
    ] {
        let mut seen: Vec<String> = Vec::new();
        let mut cursor: Option<String> = None;
        let mut added = 0;
        loop {
            let url = match &cursor {
                Some(c) => format!("{base}&cursor={c}"),
                None => base.clone(),
            };
            let reply = app.get(&url, None).await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
            seen.extend(
                reply.body["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|i| i["id"].as_str().unwrap().to_owned()),
            );
            // Someone adds listings between the pages.
            for _ in 0..2 {
                added += 1;
                listing(
                    &app,
                    &owner,
                    &shop_id,
                    piece(&format!("새 빵 {added}"), 2000),
                )
                .await;
            }
            match reply.body["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => break,
            }
        }
        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), seen.len(), "a listing came twice: {seen:?}");
        for id in &originals {
            assert!(seen.contains(id), "{id} was lost");
        }
    }
    app.get("/v1/listings?cursor=nonsense", None)
        .await
        .assert_problem(422, "validation_failed");
    app.get("/v1/listings?limit=101", None)
        .await
        .assert_problem(422, "validation_failed");
}

async fn archived_listings_leave_search_but_stay_readable(app: TestApp) {
    let (owner, shop_id) = shop(&app, "가게", "small_business", MANGWON).await;
    let item = listing(&app, &owner, &shop_id, piece("Organic Tofu", 4000)).await;
    let id = item["id"].as_str().unwrap();
    assert_eq!(
        app.get("/v1/listings?q=tofu", None).await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let archived = app
        .call(
            Method::DELETE,
            &format!("/v1/listings/{id}"),
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(archived.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get("/v1/listings?q=tofu", None).await.body["items"],
        json!([])
    );
    let read = app.get(&format!("/v1/listings/{id}"), None).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.body["status"], "archived");
    app.call(
        Method::PATCH,
        &format!("/v1/listings/{id}"),
        Some(&owner),
        Some(&json!({"stock": 1})),
    )
    .await
    .assert_problem(409, "listing_archived");
    // Drafts are not for sale either.
    let draft = listing(&app, &owner, &shop_id, json!({"title": "Tofu draft", "price_krw": 1, "unit": "piece", "unit_quantity": 1, "stock": 1, "refill": false, "status": "draft"})).await;
    assert_eq!(draft["status"], "draft");
    assert_eq!(
        app.get("/v1/listings?q=tofu", None).await.body["items"],
        json!([])
    );
}

async fn campaigns_feature_member_listings(app: TestApp) {
    let (_, coordinator, _) = agency_with_coordinator(&app).await;
    let consortium_id = consortium(&app, &coordinator).await;
    let (owner, member) = shop(&app, "연희 채우장", "cooperative", (37.5664, 126.9306)).await;
    let (outsider_token, outsider) = shop(&app, "바깥 가게", "small_business", MANGWON).await;
    admit(&app, &coordinator, &consortium_id, &member).await;
    let rice = listing(&app, &owner, &member, json!({"title": "유기농 현미", "price_krw": 900, "unit": "gram", "unit_quantity": 100, "stock": 50000, "refill": true})).await;
    let bag = listing(&app, &owner, &member, piece("면 주머니", 3000)).await;
    let foreign = listing(&app, &outsider_token, &outsider, piece("바깥 물건", 1000)).await;

    let now = chrono_like_now();
    let market = json!({"consortium_id": consortium_id, "kind": "refill_market", "title": "연희 채우장", "starts_at": now.0, "ends_at": now.1, "listing_ids": [rice["id"]], "location": {"lat": 37.5664, "lon": 126.9306}, "place": "연희동 골목"});
    let created = app.post("/v1/campaigns", Some(&coordinator), &market).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let campaign_id = created.body["id"].as_str().unwrap();

    let mut bad = market.clone();
    bad["listing_ids"] = json!([rice["id"], foreign["id"]]);
    let reply = app.post("/v1/campaigns", Some(&coordinator), &bad).await;
    assert_eq!(reply.failed_fields(), ["listing_ids[1]"]);
    bad["listing_ids"] = json!([bag["id"]]);
    let reply = app.post("/v1/campaigns", Some(&coordinator), &bad).await;
    assert_eq!(reply.failed_fields(), ["listing_ids[0]"]);
    bad["ends_at"] = bad["starts_at"].clone();
    let reply = app.post("/v1/campaigns", Some(&coordinator), &bad).await;
    assert!(reply.failed_fields().contains(&"ends_at".to_owned()));

    let listed = app
        .get(
            &format!(
                "/v1/campaigns?consortium_id={consortium_id}&active_at={}",
                enc(&now.2)
            ),
            None,
        )
        .await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(listed.body["items"][0]["listing_ids"], json!([rice["id"]]));
    let later = app
        .get(
            &format!("/v1/campaigns?consortium_id={consortium_id}&active_at=2099-01-01T00:00:00Z"),
            None,
        )
        .await;
    assert_eq!(later.body["items"], json!([]));

    let featured = app
        .get(&format!("/v1/listings?campaign_id={campaign_id}"), None)
        .await;
    assert_eq!(featured.body["items"].as_array().unwrap().len(), 1);
    let running = app
        .get(
            &format!("/v1/listings?consortium_id={consortium_id}&active_campaign=true"),
            None,
        )
        .await;
    assert_eq!(running.body["items"][0]["id"], rice["id"]);
    let of_consortium = app
        .get(&format!("/v1/listings?consortium_id={consortium_id}"), None)
        .await;
    assert_eq!(of_consortium.body["items"].as_array().unwrap().len(), 2);
}

/// Listing pages are cached until the catalog's version is renewed, and each change that
/// shapes a page renews it: a campaign's featured listings, a shop moved away from the point a
/// search is near, a member leaving its consortium. Each page is read (and cached) before
/// the change and must show it right after.
async fn cached_listing_pages_follow_what_shapes_them(app: TestApp) {
    let (_, coordinator, _) = agency_with_coordinator(&app).await;
    let consortium_id = consortium(&app, &coordinator).await;
    let (owner, member) = shop(&app, "연희 채우장", "cooperative", MANGWON).await;
    admit(&app, &coordinator, &consortium_id, &member).await;
    let rice = listing(&app, &owner, &member, piece("유기농 현미", 900)).await;
    let bag = listing(&app, &owner, &member, piece("면 주머니", 3000)).await;
    let ids = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let now = chrono_like_now();
    let market = json!({"consortium_id": consortium_id, "kind": "festival", "title": "연희 골목 축제", "starts_at": now.0, "ends_at": now.1, "listing_ids": [rice["id"]], "place": "연희동 골목"});
    let created = app.post("/v1/campaigns", Some(&coordinator), &market).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let featured = format!(
        "/v1/listings?campaign_id={}",
        created.body["id"].as_str().unwrap()
    );
    assert_eq!(
        ids(&app.get(&featured, None).await.body),
        [rice["id"].as_str().unwrap()]
    );
    let changed = app
        .call(
            Method::PATCH,
            &format!("/v1/campaigns/{}", created.body["id"].as_str().unwrap()),
            Some(&coordinator),
            Some(&json!({"listing_ids": [rice["id"], bag["id"]]})),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.text);
    assert_eq!(
        ids(&app.get(&featured, None).await.body).len(),
        2,
        "the campaign's new feature"
    );

    let near = format!("/v1/listings?near={},{}&radius_m=500", MANGWON.0, MANGWON.1);
    assert!(
        ids(&app.get(&near, None).await.body).contains(&bag["id"].as_str().unwrap().to_owned())
    );
    let moved = app
        .call(
            Method::PATCH,
            &format!("/v1/merchants/{member}"),
            Some(&owner),
            Some(&json!({"location": {"lat": 37.5664, "lon": 126.9306}})),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.text);
    assert_eq!(
        ids(&app.get(&near, None).await.body),
        Vec::<String>::new(),
        "the shop moved 3 km away"
    );

    let of_consortium = format!("/v1/listings?consortium_id={consortium_id}");
    assert_eq!(ids(&app.get(&of_consortium, None).await.body).len(), 2);
    let left = app
        .call(
            Method::DELETE,
            &format!("/v1/consortia/{consortium_id}/members/{member}"),
            Some(&coordinator),
            None,
        )
        .await;
    assert!(left.status.is_success(), "{}", left.text);
    assert_eq!(
        ids(&app.get(&of_consortium, None).await.body),
        Vec::<String>::new(),
        "the member left"
    );
}

/// A sign-in, a wrong password and an edit of one's own account shape no listing page: the
/// catalog's version stands, and the pages cached before are served on. A price change, next,
/// does renew it.
async fn writes_that_shape_no_listing_page_leave_the_cached_ones(app: TestApp) {
    let (owner, shop_id) = shop(&app, "가게", "small_business", MANGWON).await;
    let tofu = listing(&app, &owner, &shop_id, piece("두부", 4000)).await;
    let cache = app.state.cache.as_ref();
    let before = golmok_catalog::read_cache::version(cache).await;
    let (_, account) = app.sign_up("shopper").await;
    let email = account["email"].as_str().unwrap();
    let signed_in = app
        .post(
            "/v1/auth/login",
            None,
            &json!({"email": email, "password": PASSWORD}),
        )
        .await;
    assert_eq!(signed_in.status, StatusCode::OK, "{}", signed_in.text);
    let wrong = app
        .post(
            "/v1/auth/login",
            None,
            &json!({"email": email, "password": "not-the-password"}),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED, "{}", wrong.text);
    assert_eq!(golmok_catalog::read_cache::version(cache).await, before);

    let priced = app
        .call(
            Method::PATCH,
            &format!("/v1/listings/{}", tofu["id"].as_str().unwrap()),
            Some(&owner),
            Some(&json!({"price_krw": 4200})),
        )
        .await;
    assert_eq!(priced.status, StatusCode::OK, "{}", priced.text);
    assert_ne!(golmok_catalog::read_cache::version(cache).await, before);
}

/// An hour ago, in a day, and now, as RFC 3339 strings.
fn chrono_like_now() -> (String, String, String) {
    let now = chrono::Utc::now();
    let fmt =
        |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    (
        fmt(now - chrono::Duration::hours(1)),
        fmt(now + chrono::Duration::days(1)),
        fmt(now),
    )
}

async fn a_merchant_changing_kind_can_change_its_consortium(app: TestApp) {
    let (_, coordinator, _) = agency_with_coordinator(&app).await;
    let consortium_id = consortium(&app, &coordinator).await;
    let mut owners = Vec::new();
    for i in 0..5 {
        let (token, id) = shop(&app, &format!("가게 {i}"), "small_business", MANGWON).await;
        admit(&app, &coordinator, &consortium_id, &id).await;
        owners.push((token, id));
    }
    assert_eq!(
        app.get(&format!("/v1/consortia/{consortium_id}"), None)
            .await
            .body["status"],
        "forming"
    );
    let (token, id) = &owners[0];
    let became = app
        .call(
            Method::PATCH,
            &format!("/v1/merchants/{id}"),
            Some(token),
            Some(&json!({"kind": "social_enterprise"})),
        )
        .await;
    assert_eq!(became.status, StatusCode::OK, "{}", became.text);
    assert_eq!(
        app.get(&format!("/v1/consortia/{consortium_id}"), None)
            .await
            .body["status"],
        "active"
    );
}

/// Five coordinators' clicks at once: each admission recounts the members the previous one
/// left, so the fifth always turns the consortium active.
async fn concurrent_admissions_count_every_member(app: TestApp) {
    let (_, coordinator, _) = agency_with_coordinator(&app).await;
    let consortium_id = consortium(&app, &coordinator).await;
    let mut shops = vec![shop(&app, "협동조합", "cooperative", MANGWON).await.1];
    for i in 0..4 {
        shops.push(
            shop(&app, &format!("가게 {i}"), "small_business", MANGWON)
                .await
                .1,
        );
    }
    let url = format!("/v1/consortia/{consortium_id}/members");
    let bodies: Vec<Value> = shops.iter().map(|id| json!({"merchant_id": id})).collect();
    let admissions = bodies
        .iter()
        .map(|body| app.post(&url, Some(&coordinator), body));
    for reply in futures::future::join_all(admissions).await {
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    }
    let read = app
        .get(&format!("/v1/consortia/{consortium_id}"), None)
        .await;
    assert_eq!(read.body["members"].as_array().unwrap().len(), 5);
    assert_eq!(read.body["status"], "active");
}
