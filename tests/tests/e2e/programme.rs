//! The programme over HTTP: joint projects, support sessions, a festival's stalls, and the
//! reports that roll a consortium's figures up to its agency and the whole programme.

use golmok_e2e::demo::seeded;
use golmok_e2e::demo::{login, tofu_at};
use golmok_e2e::{TestApp, on_both_databases};
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_databases!(
    a_joint_project_is_planned_tracked_and_read_by_its_members,
    support_hours_total_per_shop_consortium_and_agency,
    a_festival_stall_sells_in_person_beside_online_sales_and_the_reports_roll_up,
    every_report_is_the_sum_of_the_reports_below_it
);

/// A coordinator account assigned to the agency of `kind` other than the demo
/// coordinator's (the second regional one, or the metropolitan one); its token.
async fn coordinator_of(app: &TestApp, admin: &str, agency_name: &str) -> String {
    let agencies = app.get("/v1/agencies", None).await.body["items"].clone();
    let agency = agencies
        .as_array()
        .and_then(|a| a.iter().find(|a| a["name"] == agency_name))
        .and_then(|a| a["id"].as_str())
        .unwrap()
        .to_owned();
    let email = format!("coordinator-{}@example.com", uuid::Uuid::new_v4().simple());
    let made = app
        .post(
            "/v1/admin/accounts",
            Some(admin),
            &json!({"email": email, "password": "a long password", "name": "코디네이터", "role": "coordinator"}),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    let assigned = app
        .post(
            &format!("/v1/agencies/{agency}/coordinators"),
            Some(admin),
            &json!({"account_id": made.body["id"]}),
        )
        .await;
    assert_eq!(assigned.status, StatusCode::OK, "{}", assigned.text);
    app.post(
        "/v1/auth/login",
        None,
        &json!({"email": email, "password": "a long password"}),
    )
    .await
    .body["token"]
        .as_str()
        .unwrap()
        .to_owned()
}

const ELSEWHERE: &str = "성동·광진 지역지원기관";
const METROPOLITAN: &str = "서울시 골목상권 통합지원센터";

/// Won as the pages write them: `12,345원`.
pub(crate) fn won(n: i64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    format!("{out}원")
}

fn ok(reply: &golmok_e2e::Reply, status: StatusCode) -> Value {
    assert_eq!(reply.status, status, "{}", reply.text);
    reply.body.clone()
}

async fn a_joint_project_is_planned_tracked_and_read_by_its_members(app: TestApp) {
    seeded(&app).await;
    let tofu = tofu_at(app.client(), &app.base_url).await;
    let consortium = tofu.consortium_id();
    let admin = login(&app, "admin@demo.golmok.kr").await;
    let coordinator = login(&app, "coordinator@demo.golmok.kr").await;
    let member = login(&app, "merchant@demo.golmok.kr").await;
    let shopper = login(&app, "shopper@demo.golmok.kr").await;
    let elsewhere = coordinator_of(&app, &admin, ELSEWHERE).await;
    let metropolitan = coordinator_of(&app, &admin, METROPOLITAN).await;
    let projects = format!("/v1/consortia/{consortium}/projects");

    // Bad input is refused field by field, and nothing is written.
    let refused = app
        .post(
            &projects,
            Some(&coordinator),
            &json!({"kind": "branding", "title": " ", "budget_krw": -1}),
        )
        .await;
    let problem = refused.assert_problem(422, "validation_failed");
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(fields, ["title", "budget_krw"], "{problem}");
    // Coordinators of another agency, and the metropolitan agency, do not run it.
    for token in [&elsewhere, &metropolitan, &member] {
        app.post(
            &projects,
            Some(token),
            &json!({"kind": "branding", "title": "간판", "budget_krw": 1}),
        )
        .await
        .assert_problem(403, "forbidden");
    }
    let before = ok(
        &app.get(&projects, Some(&coordinator)).await,
        StatusCode::OK,
    )["items"]
        .as_array()
        .map_or(0, Vec::len);

    let project = ok(
        &app.post(
            &projects,
            Some(&coordinator),
            &json!({"kind": "branding", "title": "망원시장 골목 브랜딩", "plan": "간판과 지도를 함께 만든다",
                    "budget_krw": 5_000_000,
                    "milestones": [{"title": "간판 시안", "due_on": "2026-12-15"}, {"title": "골목 지도 인쇄", "due_on": "2027-01-20"}]}),
        )
        .await,
        StatusCode::CREATED,
    );
    let id = project["id"].as_str().unwrap().to_owned();
    assert_eq!(project["status"], "planned");
    assert_eq!(project["spent_krw"], 0);
    assert_eq!(project["milestones"][0]["title"], "간판 시안");
    let first = project["milestones"][0]["id"].as_str().unwrap().to_owned();
    let path = format!("/v1/projects/{id}");

    let later = ok(
        &app.post(
            &format!("{path}/milestones"),
            Some(&coordinator),
            &json!({"title": "축제 홍보", "due_on": "2027-02-01"}),
        )
        .await,
        StatusCode::CREATED,
    );
    assert_eq!(later["milestones"].as_array().unwrap().len(), 3);
    let reached = ok(
        &app.patch(
            &format!("{path}/milestones/{first}"),
            Some(&coordinator),
            &json!({"status": "done", "done_on": "2026-12-12"}),
        )
        .await,
        StatusCode::OK,
    );
    assert_eq!(reached["milestones"][0]["status"], "done");
    assert_eq!(reached["milestones"][0]["done_on"], "2026-12-12");
    app.patch(
        &format!("{path}/milestones/mst_nobodys"),
        Some(&coordinator),
        &json!({"status": "done"}),
    )
    .await
    .assert_problem(404, "not_found");
    for (amount, note) in [(1_200_000, "간판 제작"), (300_000, "지도 디자인")] {
        ok(
            &app.post(
                &format!("{path}/spending"),
                Some(&coordinator),
                &json!({"amount_krw": amount, "spent_on": "2026-12-10", "note": note}),
            )
            .await,
            StatusCode::CREATED,
        );
    }
    app.post(
        &format!("{path}/spending"),
        Some(&coordinator),
        &json!({"amount_krw": 0, "spent_on": "2026-12-10", "note": ""}),
    )
    .await
    .assert_problem(422, "validation_failed");
    let done = ok(
        &app.patch(
            &path,
            Some(&coordinator),
            &json!({"status": "done", "outcome": "간판 12개, 지도 3,000부"}),
        )
        .await,
        StatusCode::OK,
    );
    assert_eq!(done["status"], "done");
    assert_eq!(done["spent_krw"], 1_500_000);
    assert_eq!(done["budget_krw"], 5_000_000);
    assert_eq!(done["outcome"], "간판 12개, 지도 3,000부");
    app.patch(&path, Some(&metropolitan), &json!({"status": "cancelled"}))
        .await
        .assert_problem(403, "forbidden");

    // Members and the metropolitan agency read it; a shopper and another agency do not.
    for token in [&member, &metropolitan, &admin] {
        let read = ok(&app.get(&path, Some(token)).await, StatusCode::OK);
        assert_eq!(read, done);
        let all = ok(&app.get(&projects, Some(token)).await, StatusCode::OK);
        assert_eq!(all["items"][0]["id"], id.as_str());
        assert_eq!(all["items"].as_array().map_or(0, Vec::len), before + 1);
    }
    for token in [&shopper, &elsewhere] {
        app.get(&path, Some(token))
            .await
            .assert_problem(403, "forbidden");
    }
    app.get("/v1/projects/prj_nobodys", Some(&coordinator))
        .await
        .assert_problem(404, "not_found");

    // Its photos and documents: sent as their own bytes, read back by its readers only.
    let send = |token: &str, name: &str, content_type: &str, bytes: Vec<u8>| {
        app.client()
            .post(app.url(&format!("{path}/files?name={name}")))
            .bearer_auth(token.to_owned())
            .header("content-type", content_type.to_owned())
            .body(bytes)
            .send()
    };
    let mut png = Vec::new();
    image::DynamicImage::ImageRgb8(image::RgbImage::from_pixel(
        40,
        30,
        image::Rgb([200, 80, 40]),
    ))
    .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
    .unwrap();
    let pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
        .to_vec();
    let photo = TestApp::read(
        send(&coordinator, "sign", "image/png", png.clone())
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(photo.status, StatusCode::CREATED, "{}", photo.text);
    let with_both = TestApp::read(
        send(&coordinator, "report", "application/pdf", pdf.clone())
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(with_both.status, StatusCode::CREATED, "{}", with_both.text);
    // Sent as plain bytes, it is known by what it is.
    let third = TestApp::read(
        send(
            &coordinator,
            "minutes",
            "application/octet-stream",
            pdf.clone(),
        )
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(third.status, StatusCode::CREATED, "{}", third.text);
    assert_eq!(third.body["files"][2]["kind"], "document");
    let files = with_both.body["files"].as_array().unwrap().clone();
    assert_eq!(files.len(), 2);
    assert_eq!(files[0]["kind"], "photo");
    assert_eq!(files[0]["content_type"], "image/jpeg");
    assert_eq!(files[1]["kind"], "document");
    assert_eq!(files[1]["name"], "report");
    TestApp::read(
        send(&coordinator, "x", "text/plain", b"hello".to_vec())
            .await
            .unwrap(),
    )
    .await
    .assert_problem(415, "unsupported_media_type");
    TestApp::read(
        send(&coordinator, "x", "application/pdf", png.clone())
            .await
            .unwrap(),
    )
    .await
    .assert_problem(422, "validation_failed");
    TestApp::read(
        send(&member, "x", "application/pdf", pdf.clone())
            .await
            .unwrap(),
    )
    .await
    .assert_problem(403, "forbidden");
    let url = files[1]["url"].as_str().unwrap();
    let read = app
        .client()
        .get(app.url(url))
        .bearer_auth(&member)
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), StatusCode::OK);
    assert_eq!(read.headers()["content-type"], "application/pdf");
    assert_eq!(read.bytes().await.unwrap().as_ref(), pdf.as_slice());
    let refused = app
        .client()
        .get(app.url(url))
        .bearer_auth(&shopper)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
}

async fn support_hours_total_per_shop_consortium_and_agency(app: TestApp) {
    seeded(&app).await;
    let tofu = tofu_at(app.client(), &app.base_url).await;
    let consortium = tofu.consortium_id();
    let agency = tofu.consortium["agency_id"].as_str().unwrap().to_owned();
    let admin = login(&app, "admin@demo.golmok.kr").await;
    let coordinator = login(&app, "coordinator@demo.golmok.kr").await;
    let me = app.get("/v1/me", Some(&coordinator)).await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let elsewhere = coordinator_of(&app, &admin, ELSEWHERE).await;
    let metropolitan = coordinator_of(&app, &admin, METROPOLITAN).await;
    let members: Vec<String> = app
        .get(&format!("/v1/consortia/{consortium}"), None)
        .await
        .body["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["merchant_id"].as_str().unwrap().to_owned())
        .collect();
    let (a, b) = (members[0].clone(), members[1].clone());
    let sessions = format!("/v1/agencies/{agency}/support-sessions");

    let refused = app
        .post(
            &sessions,
            Some(&coordinator),
            &json!({"kind": "education", "held_on": "2026-11-30", "hours": 1.1,
                    "consortium_id": consortium, "merchant_ids": ["mer_nobodys"]}),
        )
        .await;
    let problem = refused.assert_problem(422, "validation_failed");
    assert!(problem.to_string().contains("hours"), "{problem}");
    let refused = app
        .post(
            &sessions,
            Some(&coordinator),
            &json!({"kind": "education", "held_on": "2026-11-30", "hours": 1,
                    "consortium_id": consortium, "merchant_ids": ["mer_nobodys"]}),
        )
        .await;
    let problem = refused.assert_problem(422, "validation_failed");
    assert!(problem.to_string().contains("merchant_ids[0]"), "{problem}");
    app.post(
        &sessions,
        Some(&elsewhere),
        &json!({"kind": "education", "held_on": "2026-11-30", "hours": 1,
                "consortium_id": consortium, "merchant_ids": [a]}),
    )
    .await
    .assert_problem(403, "forbidden");

    for (kind, day, hours, shops) in [
        ("education", "2025-03-10", 2.0, vec![a.clone(), b.clone()]),
        ("marketing", "2025-03-17", 1.5, vec![a.clone()]),
        ("consulting", "2025-04-01", 0.75, vec![b.clone()]),
    ] {
        let recorded = ok(
            &app.post(
                &sessions,
                Some(&coordinator),
                &json!({"kind": kind, "held_on": day, "hours": hours, "consortium_id": consortium,
                        "merchant_ids": shops, "notes": "온라인 판매 교육"}),
            )
            .await,
            StatusCode::CREATED,
        );
        assert_eq!(recorded["hours"], hours);
    }
    ok(
        &app.post(
            &sessions,
            Some(&coordinator),
            &json!({"kind": "coordinator_training", "held_on": "2025-03-12", "hours": 3, "coordinator_ids": [me]}),
        )
        .await,
        StatusCode::CREATED,
    );
    let span = "from=2025-03-01&to=2025-04-30";
    let totals = ok(
        &app.get(
            &format!("/v1/agencies/{agency}/support-totals?{span}"),
            Some(&metropolitan),
        )
        .await,
        StatusCode::OK,
    );
    assert_eq!(totals["support_hours"], 4.25);
    assert_eq!(totals["coordinator_training_hours"], 3.0);
    assert_eq!(totals["sessions"], 4);
    assert_eq!(
        totals["by_consortium"],
        json!([{"id": consortium, "hours": 4.25, "sessions": 3}])
    );
    let of = |m: &str| {
        totals["by_merchant"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == m)
            .cloned()
            .unwrap()
    };
    assert_eq!(of(&a)["hours"], 3.5);
    assert_eq!(of(&b)["hours"], 2.75);
    let listed = ok(
        &app.get(&format!("{sessions}?{span}"), Some(&coordinator))
            .await,
        StatusCode::OK,
    );
    assert_eq!(listed["items"][0]["held_on"], "2025-04-01");
    assert_eq!(listed["items"].as_array().unwrap().len(), 4);
    app.get(&format!("{sessions}?{span}"), Some(&elsewhere))
        .await
        .assert_problem(403, "forbidden");
    // The consortium's programme report counts the support of its shops; the coordinators'
    // training is the agency's.
    let report = ok(
        &app.get(
            &format!("/v1/reports/agencies/{agency}?{span}&by=month"),
            Some(&coordinator),
        )
        .await,
        StatusCode::OK,
    );
    assert_eq!(report["total"]["support_hours"], 4.25);
    assert_eq!(report["coordinator_training_hours"], 3.0);
    assert_eq!(report["periods"][0]["figures"]["support_hours"], 3.5);
    assert_eq!(report["periods"][1]["figures"]["support_hours"], 0.75);
}

async fn a_festival_stall_sells_in_person_beside_online_sales_and_the_reports_roll_up(
    app: TestApp,
) {
    seeded(&app).await;
    let tofu = tofu_at(app.client(), &app.base_url).await;
    let consortium = tofu.consortium_id();
    let agency = tofu.consortium["agency_id"].as_str().unwrap().to_owned();
    let admin = login(&app, "admin@demo.golmok.kr").await;
    let coordinator = login(&app, "coordinator@demo.golmok.kr").await;
    let owner = login(&app, "merchant@demo.golmok.kr").await;
    let shopper = login(&app, "shopper@demo.golmok.kr").await;
    let (stranger, _) = app.sign_up("merchant").await;
    let now = chrono::Utc::now();
    let festival = ok(
        &app.post(
            "/v1/campaigns",
            Some(&coordinator),
            &json!({"consortium_id": consortium, "kind": "festival", "title": "망원 골목 축제",
                    "place": "망원시장 입구", "starts_at": now - chrono::Duration::hours(2),
                    "ends_at": now + chrono::Duration::hours(4)}),
        )
        .await,
        StatusCode::CREATED,
    );
    let event = format!("/v1/campaigns/{}", festival["id"].as_str().unwrap());
    app.put(
        &format!("{event}/shops"),
        Some(&coordinator),
        &json!({"merchant_ids": ["mer_nobodys"]}),
    )
    .await
    .assert_problem(422, "validation_failed");
    let stalls = ok(
        &app.put(
            &format!("{event}/shops"),
            Some(&coordinator),
            &json!({"merchant_ids": [tofu.shop_id]}),
        )
        .await,
        StatusCode::OK,
    );
    assert_eq!(stalls["shops"][0]["name"], "망원 두부가게");

    // A refill of soybeans by the gram, beside the tofu.
    let beans = ok(
        &app.post(
            &format!("/v1/merchants/{}/listings", tofu.shop_id),
            Some(&owner),
            &json!({"title": "국산 메주콩 리필", "price_krw": 900, "unit": "gram", "unit_quantity": 100,
                    "stock": 5_000, "refill": true, "container": {"policy": "bring_your_own"},
                    "packaging_grams": 8}),
        )
        .await,
        StatusCode::CREATED,
    );
    let beans_id = beans["id"].as_str().unwrap().to_owned();
    assert_eq!(beans["packaging_grams"], 8);
    // Only a refill replaces packaging.
    app.post(
        &format!("/v1/merchants/{}/listings", tofu.shop_id),
        Some(&owner),
        &json!({"title": "포장 두부", "price_krw": 3000, "unit": "piece", "unit_quantity": 1,
                "stock": 5, "refill": false, "packaging_grams": 20}),
    )
    .await
    .assert_problem(422, "validation_failed");
    let tofu_price = app
        .get(&format!("/v1/listings/{}", tofu.listing_id), None)
        .await
        .body["price_krw"]
        .as_i64()
        .unwrap();
    let sales = format!("{event}/stall-sales");
    let by_lines = ok(
        &app.post(
            &sales,
            Some(&owner),
            &json!({"merchant_id": tofu.shop_id, "payment_method": "card",
                    "lines": [{"listing_id": tofu.listing_id, "quantity": 2}, {"listing_id": beans_id, "quantity": 350}]}),
        )
        .await,
        StatusCode::CREATED,
    );
    // 350 g at 900 won per 100 g is 3,150 won.
    assert_eq!(by_lines["amount_krw"], 2 * tofu_price + 3_150);
    assert_eq!(by_lines["lines"][1]["amount_krw"], 3_150);
    let by_amount = ok(
        &app.post(
            &sales,
            Some(&owner),
            &json!({"merchant_id": tofu.shop_id, "payment_method": "gift_certificate",
                    "amount_krw": 4_000, "description": "순두부 시식 세트"}),
        )
        .await,
        StatusCode::CREATED,
    );
    assert_eq!(by_amount["description"], "순두부 시식 세트");
    let left = app
        .get(&format!("/v1/listings/{beans_id}"), None)
        .await
        .body["stock"]
        .clone();
    assert_eq!(left, 5_000 - 350, "the stall sells from the shop's stock");
    app.post(
        &sales,
        Some(&owner),
        &json!({"merchant_id": tofu.shop_id, "payment_method": "cash",
                "lines": [{"listing_id": beans_id, "quantity": 9_999}]}),
    )
    .await
    .assert_problem(409, "out_of_stock");
    app.post(
        &sales,
        Some(&owner),
        &json!({"merchant_id": tofu.shop_id, "payment_method": "cash", "amount_krw": 100,
                "lines": [{"listing_id": beans_id, "quantity": 1}]}),
    )
    .await
    .assert_problem(422, "validation_failed");
    app.post(
        &sales,
        Some(&stranger),
        &json!({"merchant_id": tofu.shop_id, "payment_method": "cash", "amount_krw": 100, "description": "x"}),
    )
    .await
    .assert_problem(404, "not_found");
    // A member shop without a stall, and an event not running, take no sales.
    let butcher = tofu.consortium["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "망원 정육점")
        .map(|m| m["merchant_id"].clone())
        .unwrap();
    app.post(
        &sales,
        Some(&admin),
        &json!({"merchant_id": butcher, "payment_method": "cash", "amount_krw": 100, "description": "x"}),
    )
    .await
    .assert_problem(409, "no_stall");
    let next_month = ok(
        &app.post(
            "/v1/campaigns",
            Some(&coordinator),
            &json!({"consortium_id": consortium, "kind": "refill_market", "title": "다음 달 채우장",
                    "starts_at": now + chrono::Duration::days(30), "ends_at": now + chrono::Duration::days(31)}),
        )
        .await,
        StatusCode::CREATED,
    );
    let later = format!("/v1/campaigns/{}", next_month["id"].as_str().unwrap());
    ok(
        &app.put(
            &format!("{later}/shops"),
            Some(&coordinator),
            &json!({"merchant_ids": [tofu.shop_id]}),
        )
        .await,
        StatusCode::OK,
    );
    app.post(
        &format!("{later}/stall-sales"),
        Some(&owner),
        &json!({"merchant_id": tofu.shop_id, "payment_method": "cash", "amount_krw": 100, "description": "x"}),
    )
    .await
    .assert_problem(409, "event_not_running");

    for count in [120, 85] {
        ok(
            &app.post(
                &format!("{event}/visitors"),
                Some(&coordinator),
                &json!({"visitors": count, "note": "입구 계수기"}),
            )
            .await,
            StatusCode::CREATED,
        );
    }
    app.post(
        &format!("{event}/visitors"),
        Some(&owner),
        &json!({"visitors": 5}),
    )
    .await
    .assert_problem(403, "forbidden");
    let in_person = 2 * tofu_price + 3_150 + 4_000;
    let figures = ok(
        &app.get(&format!("{event}/figures"), Some(&owner)).await,
        StatusCode::OK,
    );
    assert_eq!(figures["visitors"], 205);
    assert_eq!(figures["sales_krw"], in_person);
    assert_eq!(figures["sales"], 2);
    assert_eq!(figures["refill_grams"], 350);
    assert_eq!(
        figures["shops"][0]["by_method"]["card"],
        2 * tofu_price + 3_150
    );
    assert_eq!(figures["shops"][0]["by_method"]["gift_certificate"], 4_000);
    let mine = ok(
        &app.get(
            &format!("{sales}?merchant_id={}", tofu.shop_id),
            Some(&owner),
        )
        .await,
        StatusCode::OK,
    );
    assert_eq!(mine["items"].as_array().unwrap().len(), 2);
    app.get(&format!("{event}/figures"), Some(&shopper))
        .await
        .assert_problem(403, "forbidden");

    // An online order, collected and paid, beside the stall's sales.
    let placed = ok(
        &app.post(
            "/v1/orders",
            Some(&shopper),
            &golmok_e2e::demo::tofu_pickup(&tofu, 3, "offline"),
        )
        .await,
        StatusCode::CREATED,
    );
    let part = placed["merchant_orders"][0]["id"].as_str().unwrap();
    for action in ["accept", "ready", "collect"] {
        ok(
            &app.post(
                &format!("/v1/merchant-orders/{part}/{action}"),
                Some(&owner),
                &json!({}),
            )
            .await,
            StatusCode::OK,
        );
    }
    let online = 3 * tofu_price;

    let today = (now + chrono::Duration::hours(9)).date_naive();
    let span = format!("from={today}&to={today}&by=week");
    let report = ok(
        &app.get(
            &format!("/v1/reports/consortia/{consortium}/programme?{span}"),
            Some(&coordinator),
        )
        .await,
        StatusCode::OK,
    );
    assert_eq!(report["total"]["online_sales_krw"], online);
    assert_eq!(report["total"]["online_orders"], 1);
    assert_eq!(report["total"]["in_person_sales_krw"], in_person);
    assert_eq!(report["total"]["in_person_sales"], 2);
    assert_eq!(report["total"]["in_person_refill_grams"], 350);
    assert_eq!(report["total"]["event_visitors"], 205);
    // One fill of beans into the visitor's own container: one 8 g bag not used.
    assert_eq!(report["total"]["packaging_avoided_grams"], 8);
    let agency_report = ok(
        &app.get(
            &format!("/v1/reports/agencies/{agency}?{span}"),
            Some(&coordinator),
        )
        .await,
        StatusCode::OK,
    );
    assert_eq!(agency_report["total"], report["total"]);
    let part_of = agency_report["parts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == consortium.as_str())
        .cloned()
        .unwrap();
    assert_eq!(part_of["total"], report["total"]);
    let programme = ok(
        &app.get(&format!("/v1/reports/programme?{span}"), Some(&admin))
            .await,
        StatusCode::OK,
    );
    assert_eq!(programme["total"], report["total"]);
    assert_eq!(
        programme["parts"].as_array().unwrap().len(),
        13,
        "the regional agencies"
    );
    app.get(&format!("/v1/reports/programme?{span}"), Some(&coordinator))
        .await
        .assert_problem(403, "forbidden");

    // The same figures as CSV, for a spreadsheet.
    let csv = app
        .client()
        .get(app.url(&format!("/v1/reports/agencies/{agency}?{span}&format=csv")))
        .bearer_auth(&coordinator)
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(
        csv.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = csv.text().await.unwrap();
    let mangwon = csv
        .lines()
        .find(|l| l.contains(&consortium))
        .unwrap_or_else(|| panic!("a row for the consortium: {csv}"));
    assert!(
        mangwon.contains(&format!(",{online},1,0,{in_person},2,350,205,")),
        "{mangwon}"
    );
    // Sent again with its Idempotency-Key (a retry after a dropped answer): one sale, the
    // stock taken once.
    let stock_before = app
        .get(&format!("/v1/listings/{beans_id}"), None)
        .await
        .body["stock"]
        .as_i64();
    let sale = json!({"merchant_id": tofu.shop_id, "payment_method": "cash",
                      "lines": [{"listing_id": beans_id, "quantity": 100}]});
    let mut retried = Vec::new();
    for _ in 0..2 {
        let reply = app
            .post_with_key(&sales, &owner, "stall-retry-1", &sale)
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
        retried.push(reply.body);
    }
    assert_eq!(retried[0]["id"], retried[1]["id"]);
    assert_eq!(retried[0]["amount_krw"], 900);
    let stock = app
        .get(&format!("/v1/listings/{beans_id}"), None)
        .await
        .body["stock"]
        .clone();
    assert_eq!(
        stock.as_i64(),
        stock_before.map(|s| s - 100),
        "the stock taken once"
    );
    // The same key sent with a sale at another event is a mistake, not a retry.
    let elsewhere = json!({"merchant_id": tofu.shop_id, "payment_method": "cash",
                           "amount_krw": 1000, "description": "시식"});
    app.post_with_key(
        &format!("{later}/stall-sales"),
        &owner,
        "stall-retry-1",
        &elsewhere,
    )
    .await
    .assert_problem(409, "key_reused");
}

/// Deterministic pseudo-random numbers: the same figures every run.
struct Dice(u64);

impl Dice {
    fn roll(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % below
    }
}

/// Random stall sales, visitors, support and spending across every consortium of both
/// regional agencies: the programme's total is the sum of its agencies', each agency's the
/// sum of its consortia', and each total the sum of its weeks.
async fn every_report_is_the_sum_of_the_reports_below_it(app: TestApp) {
    seeded(&app).await;
    let admin = login(&app, "admin@demo.golmok.kr").await;
    let consortia = app.get("/v1/consortia", None).await.body["items"].clone();
    let now = chrono::Utc::now();
    let today = (now + chrono::Duration::hours(9)).date_naive();
    let mut dice = Dice(20_261_202);
    for c in consortia.as_array().unwrap() {
        let id = c["id"].as_str().unwrap();
        let agency = c["agency_id"].as_str().unwrap();
        let members: Vec<Value> = c["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["merchant_id"].clone())
            .collect();
        let event = ok(
            &app.post(
                "/v1/campaigns",
                Some(&admin),
                &json!({"consortium_id": id, "kind": "festival", "title": "골목 축제",
                        "starts_at": now - chrono::Duration::hours(1), "ends_at": now + chrono::Duration::hours(3)}),
            )
            .await,
            StatusCode::CREATED,
        );
        let event = format!("/v1/campaigns/{}", event["id"].as_str().unwrap());
        ok(
            &app.put(
                &format!("{event}/shops"),
                Some(&admin),
                &json!({"merchant_ids": members}),
            )
            .await,
            StatusCode::OK,
        );
        for _ in 0..(1 + dice.roll(4)) {
            let shop = &members[dice.roll(members.len() as u64) as usize];
            let method = ["cash", "card", "gift_certificate"][dice.roll(3) as usize];
            ok(
                &app.post(
                    &format!("{event}/stall-sales"),
                    Some(&admin),
                    &json!({"merchant_id": shop, "payment_method": method,
                            "amount_krw": 1_000 + 100 * dice.roll(200), "description": "현장 판매"}),
                )
                .await,
                StatusCode::CREATED,
            );
        }
        ok(
            &app.post(
                &format!("{event}/visitors"),
                Some(&admin),
                &json!({"visitors": 1 + dice.roll(300)}),
            )
            .await,
            StatusCode::CREATED,
        );
        for _ in 0..dice.roll(3) {
            let back = dice.roll(20);
            ok(
                &app.post(
                    &format!("/v1/agencies/{agency}/support-sessions"),
                    Some(&admin),
                    &json!({"kind": "consulting", "held_on": today - chrono::Days::new(back),
                            "hours": 0.25 * (1 + dice.roll(12)) as f64, "consortium_id": id,
                            "merchant_ids": [members[0]]}),
                )
                .await,
                StatusCode::CREATED,
            );
        }
        // Member trade between two of its shops, handed over (counted in the consortium).
        for _ in 0..dice.roll(3) {
            let buyer = &members[dice.roll(members.len() as u64) as usize];
            let seller = members.iter().find(|m| *m != buyer).unwrap();
            let listing = app
                .get(
                    &format!(
                        "/v1/listings?merchant_id={}&limit=1",
                        seller.as_str().unwrap()
                    ),
                    None,
                )
                .await
                .body["items"][0]
                .clone();
            let placed = ok(
                &app.post(
                    &format!("/v1/merchants/{}/member-orders", buyer.as_str().unwrap()),
                    Some(&admin),
                    &json!({"seller_merchant_id": seller, "lines": [{"listing_id": listing["id"],
                            "quantity": listing["unit_quantity"].as_i64().unwrap() * (1 + dice.roll(3) as i64)}]}),
                )
                .await,
                StatusCode::CREATED,
            );
            for step in ["accept", "hand-over"] {
                ok(
                    &app.post(
                        &format!(
                            "/v1/member-orders/{}/{step}",
                            placed["id"].as_str().unwrap()
                        ),
                        Some(&admin),
                        &json!({}),
                    )
                    .await,
                    StatusCode::OK,
                );
            }
        }
        let project = ok(
            &app.post(
                &format!("/v1/consortia/{id}/projects"),
                Some(&admin),
                &json!({"kind": "co_marketing", "title": "공동 홍보", "budget_krw": 1_000_000}),
            )
            .await,
            StatusCode::CREATED,
        );
        for _ in 0..dice.roll(3) {
            let back = dice.roll(20);
            ok(
                &app.post(
                    &format!("/v1/projects/{}/spending", project["id"].as_str().unwrap()),
                    Some(&admin),
                    &json!({"amount_krw": 10_000 * (1 + dice.roll(30)), "spent_on": today - chrono::Days::new(back), "note": "전단"}),
                )
                .await,
                StatusCode::CREATED,
            );
        }
    }
    let span = format!("from={}&to={today}&by=week", today - chrono::Days::new(20));
    let programme = ok(
        &app.get(&format!("/v1/reports/programme?{span}"), Some(&admin))
            .await,
        StatusCode::OK,
    );
    let sum = |parts: &[Value], field: &str| -> f64 {
        parts
            .iter()
            .map(|p| p["total"][field].as_f64().unwrap())
            .sum()
    };
    let fields = [
        "online_sales_krw",
        "in_person_sales_krw",
        "in_person_sales",
        "event_visitors",
        "support_hours",
        "project_spent_krw",
        "member_trade_orders",
        "member_trade_krw",
    ];
    let agencies = programme["parts"].as_array().unwrap().clone();
    for f in fields {
        assert_eq!(
            programme["total"][f].as_f64().unwrap(),
            sum(&agencies, f),
            "{f}"
        );
        let weeks: f64 = programme["periods"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["figures"][f].as_f64().unwrap())
            .sum();
        assert_eq!(
            programme["total"][f].as_f64().unwrap(),
            weeks,
            "{f} by week"
        );
    }
    assert!(programme["total"]["in_person_sales_krw"].as_i64().unwrap() > 0);
    assert!(programme["total"]["member_trade_krw"].as_i64().unwrap() > 0);
    for a in &agencies {
        let report = ok(
            &app.get(
                &format!("/v1/reports/agencies/{}?{span}", a["id"].as_str().unwrap()),
                Some(&admin),
            )
            .await,
            StatusCode::OK,
        );
        assert_eq!(report["total"], a["total"]);
        let consortia = report["parts"].as_array().unwrap().clone();
        for f in fields {
            assert_eq!(
                report["total"][f].as_f64().unwrap(),
                sum(&consortia, f),
                "{f}"
            );
        }
        for c in &consortia {
            let own = ok(
                &app.get(
                    &format!(
                        "/v1/reports/consortia/{}/programme?{span}",
                        c["id"].as_str().unwrap()
                    ),
                    Some(&admin),
                )
                .await,
                StatusCode::OK,
            );
            assert_eq!(own["total"], c["total"]);
        }
    }
}

on_both_databases!(a_coordinator_and_a_stall_keep_the_programme_on_its_pages);

/// The pages, as a coordinator and a shop owner use them: a support session recorded from
/// its form (a wrong length refused beside its field), a project set up, a festival's five
/// stalls chosen and its visitors counted, two sales at a stall's quick-sale page, and the
/// agency's page, chart and CSV showing exactly those figures.
async fn a_coordinator_and_a_stall_keep_the_programme_on_its_pages(app: TestApp) {
    use golmok_e2e::pages::Browser;
    seeded(&app).await;
    let tofu = tofu_at(app.client(), &app.base_url).await;
    let consortium = tofu.consortium_id();
    let agency = tofu.consortium["agency_id"].as_str().unwrap().to_owned();
    let members: Vec<String> = tofu.consortium["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["merchant_id"].as_str().unwrap().to_owned())
        .collect();
    let mut desk = Browser::new(&app.base_url);
    desk.sign_in("coordinator@demo.golmok.kr", None).await;
    // What the agency's page shows before (the demo's own weeks), to add this test's to.
    let token = login(&app, "coordinator@demo.golmok.kr").await;
    let baseline = ok(
        &app.get(
            &format!("/v1/reports/agencies/{agency}?by=week"),
            Some(&token),
        )
        .await,
        StatusCode::OK,
    );
    let base = baseline["parts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == consortium.as_str())
        .cloned()
        .unwrap();
    let base_int = |field: &str| base["total"][field].as_i64().unwrap();

    // A regional coordinator's programme is their agency's.
    let home = desk.get("/programme").await;
    assert_eq!(home.location(), format!("/programme/agencies/{agency}"));
    let support_path = format!("/programme/agencies/{agency}/support");
    let form = desk.get(&support_path).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.html.contains("망원 두부가게"), "{}", form.html);
    let today = (chrono::Utc::now() + chrono::Duration::hours(9)).date_naive();
    let day = today.to_string();
    let ticked = format!("merchant_ids.{consortium}");
    let refused = desk
        .submit(
            &form,
            &support_path,
            &[
                ("kind", "education"),
                ("held_on", &day),
                ("hours", "1.1"),
                ("consortium_id", &consortium),
                (&ticked, &members[0]),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.html.contains("id=\"hours-error\"") && refused.html.contains("0.25시간 단위로"),
        "{}",
        refused.html
    );
    let recorded = desk
        .submit(
            &form,
            &support_path,
            &[
                ("kind", "education"),
                ("held_on", &day),
                ("hours", "2.5"),
                ("consortium_id", &consortium),
                (&ticked, &members[0]),
                (&ticked, &members[1]),
                ("notes", "온라인 판매 교육"),
            ],
        )
        .await;
    assert_eq!(recorded.location(), format!("{support_path}?recorded=1"));
    let listed = desk.get(recorded.location()).await;
    assert!(listed.html.contains("온라인 판매 교육") && listed.html.contains("기록했습니다"));

    // A joint project from the consortium's page.
    let page = desk
        .get(&format!("/programme/consortia/{consortium}"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let made = desk
        .submit(
            &page,
            &format!("/programme/consortia/{consortium}/projects"),
            &[
                ("title", "망원 골목 지도"),
                ("kind", "local_tour"),
                ("budget_krw", "2000000"),
                ("plan", "가게와 사람을 잇는 지도"),
                ("milestone", "지도 초안"),
                ("due_on", "2027-01-15"),
            ],
        )
        .await;
    assert_eq!(
        made.location(),
        format!("/programme/consortia/{consortium}")
    );
    let projects = ok(
        &app.get(
            &format!("/v1/consortia/{consortium}/projects"),
            Some(&token),
        )
        .await,
        StatusCode::OK,
    );
    let map = projects["items"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(projects["items"][0]["title"], "망원 골목 지도");
    // Its draft, a PDF, from the project's form; listed on the page and read back from it.
    let pdf = b"%PDF-1.4\n%%EOF\n";
    let page = desk
        .get(&format!("/programme/consortia/{consortium}"))
        .await;
    let csrf = page.csrf();
    let uploaded = desk
        .upload(
            &format!("/programme/projects/{map}/files"),
            &[("csrf", csrf.as_str()), ("name", "지도 초안")],
            ("file", "draft.pdf", "application/pdf", pdf),
        )
        .await;
    assert_eq!(
        uploaded.location(),
        format!("/programme/consortia/{consortium}")
    );
    let page = desk
        .get(&format!("/programme/consortia/{consortium}"))
        .await;
    let link = page
        .html
        .split(&format!("href=\"/programme/projects/{map}/files/"))
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(|file| format!("/programme/projects/{map}/files/{file}"))
        .unwrap_or_else(|| panic!("a link to the draft: {}", page.html));
    assert!(page.html.contains("지도 초안"));
    // The project's status in the coordinator's words, not its code.
    assert!(
        page.html.contains("<span class=\"tag\">계획</span>")
            || page.html.contains("<span class=\"tag\">진행 중</span>"),
        "{}",
        page.html
    );
    for code in ["planned", "running"] {
        assert!(
            !page
                .html
                .contains(&format!("<span class=\"tag\">{code}</span>")),
            "{code}: {}",
            page.html
        );
    }
    let file = desk.get(&link).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.header("content-type"), Some("application/pdf"));

    // A festival running now, five stalls chosen on its page, visitors counted.
    let admin = login(&app, "coordinator@demo.golmok.kr").await;
    let now = chrono::Utc::now();
    let festival = ok(
        &app.post(
            "/v1/campaigns",
            Some(&admin),
            &json!({"consortium_id": consortium, "kind": "festival", "title": "망원 골목 축제",
                    "starts_at": now - chrono::Duration::hours(1), "ends_at": now + chrono::Duration::hours(5)}),
        )
        .await,
        StatusCode::CREATED,
    );
    let event = festival["id"].as_str().unwrap().to_owned();
    let listed = desk
        .get(&format!("/programme/consortia/{consortium}"))
        .await;
    assert!(listed.html.contains(&format!("/programme/events/{event}")));
    let event_page = desk.get(&format!("/programme/events/{event}")).await;
    assert_eq!(event_page.status, StatusCode::OK);
    let mut stalls: Vec<(&str, &str)> = members[..5]
        .iter()
        .map(|m| ("merchant_ids", m.as_str()))
        .collect();
    if !members[..5].contains(&tofu.shop_id) {
        stalls[4] = ("merchant_ids", tofu.shop_id.as_str());
    }
    let saved = desk
        .submit(
            &event_page,
            &format!("/programme/events/{event}/shops"),
            &stalls,
        )
        .await;
    assert_eq!(saved.location(), format!("/programme/events/{event}"));
    let counted = desk
        .submit(
            &event_page,
            &format!("/programme/events/{event}/visitors"),
            &[("visitors", "140"), ("note", "정문")],
        )
        .await;
    assert_eq!(counted.location(), format!("/programme/events/{event}"));
    let shown = desk.get(&format!("/programme/events/{event}")).await;
    assert!(
        shown.html.contains("<dd class=\"visitors\">140</dd>"),
        "{}",
        shown.html
    );
    assert_eq!(shown.html.matches("<tr data-shop=").count(), 5);

    // The tofu shop's owner sells twice at the stall.
    let mut stall = Browser::new(&app.base_url);
    stall.sign_in("merchant@demo.golmok.kr", None).await;
    let mine = stall.get(&format!("/shop/{}/stall", tofu.shop_id)).await;
    assert!(
        mine.html
            .contains(&format!("/shop/{}/stall/{event}", tofu.shop_id))
    );
    let sale_path = format!("/shop/{}/stall/{event}", tofu.shop_id);
    let till = stall.get(&sale_path).await;
    assert_eq!(till.status, StatusCode::OK);
    let tofu_price = app
        .get(&format!("/v1/listings/{}", tofu.listing_id), None)
        .await
        .body["price_krw"]
        .as_i64()
        .unwrap();
    for fields in [
        vec![
            ("listing_id", tofu.listing_id.as_str()),
            ("quantity", "2"),
            ("payment_method", "cash"),
        ],
        vec![
            ("listing_id", ""),
            ("amount_krw", "5000"),
            ("description", "두부 시식 세트"),
            ("payment_method", "gift_certificate"),
        ],
    ] {
        let sold = stall.submit(&till, &sale_path, &fields).await;
        assert_eq!(sold.location(), sale_path, "{}", sold.html);
    }
    // A sale the phone kept while the festival's network was down, sent twice once it came
    // back: the form's key records it once; the page then offers a new key.
    let key = till.input_value("key").expect("the sale form's key");
    let queued = [
        ("key", key.as_str()),
        ("listing_id", ""),
        ("amount_krw", "3000"),
        ("description", "콩물 한 병"),
        ("payment_method", "cash"),
    ];
    for _ in 0..2 {
        let sent = stall.submit(&till, &sale_path, &queued).await;
        assert_eq!(sent.location(), sale_path, "{}", sent.html);
    }
    let after = stall.get(&sale_path).await;
    assert_eq!(
        after.html.matches("콩물 한 병").count(),
        1,
        "{}",
        after.html
    );
    assert_ne!(after.input_value("key"), Some(key));
    let nothing = stall
        .submit(
            &till,
            &sale_path,
            &[("listing_id", ""), ("payment_method", "card")],
        )
        .await;
    assert_eq!(nothing.status, StatusCode::UNPROCESSABLE_ENTITY);
    let in_person = 2 * tofu_price + 5_000 + 3_000;
    let till = stall.get(&sale_path).await;
    assert!(till.html.matches("<li>").count() >= 2);
    assert!(till.html.contains("두부 시식 세트"), "{}", till.html);
    // The event's page counts them as sales: the amount, then how many.
    let shown = desk.get(&format!("/programme/events/{event}")).await;
    let sales = format!("<dd class=\"event-sales\">{} · 3건</dd>", won(in_person));
    assert!(shown.html.contains(&sales), "{sales}: {}", shown.html);

    // The agency's page and its CSV show exactly these figures, beside the demo's own.
    let report = desk
        .get(&format!("/programme/agencies/{agency}?by=week"))
        .await;
    assert_eq!(report.status, StatusCode::OK);
    let support = base["total"]["support_hours"].as_f64().unwrap() + 2.5;
    let expected_row = format!(
        "<a href=\"/programme/consortia/{consortium}\">망원시장 골목 협업체</a></th><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>",
        won(base_int("online_sales_krw")),
        won(base_int("in_person_sales_krw") + in_person),
        base_int("event_visitors") + 140,
        support,
        won(base["projects"]["budget_krw"].as_i64().unwrap() + 2_000_000),
    );
    assert!(
        report.html.contains(&expected_row),
        "{expected_row}\n{}",
        report.html
    );
    assert!(report.html.contains("<rect class=\"in-person\""));
    let csv = desk
        .get(&format!("/programme/report.csv?by=week&agency={agency}"))
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    let row = csv
        .html
        .lines()
        .find(|l| l.contains(&consortium))
        .unwrap_or_else(|| panic!("{}", csv.html));
    let expected = format!(
        ",{},{},{},{},{},{},{},{},{},",
        base_int("online_sales_krw"),
        base_int("online_orders"),
        base_int("online_refill_lines"),
        base_int("in_person_sales_krw") + in_person,
        base_int("in_person_sales") + 3,
        base_int("in_person_refill_grams"),
        base_int("event_visitors") + 140,
        support,
        base_int("project_spent_krw"),
    );
    assert!(row.contains(&expected), "{expected} in {row}");
}

on_both_databases!(a_promotion_takes_its_price_off_at_checkout_until_called_off);

/// A promotion read, changed and called off: while it runs, its discount is in the basket,
/// charged at checkout and recorded on the order's line; called off, prices are the
/// listings' own again.
async fn a_promotion_takes_its_price_off_at_checkout_until_called_off(app: TestApp) {
    use golmok_e2e::pages::Browser;
    seeded(&app).await;
    let tofu = tofu_at(app.client(), &app.base_url).await;
    let consortium = tofu.consortium_id();
    let coordinator = login(&app, "coordinator@demo.golmok.kr").await;
    let shopper = login(&app, "shopper@demo.golmok.kr").await;
    let owner = login(&app, "merchant@demo.golmok.kr").await;
    let price = app
        .get(&format!("/v1/listings/{}", tofu.listing_id), None)
        .await
        .body["price_krw"]
        .as_i64()
        .unwrap();
    let now = chrono::Utc::now();
    let running = json!({"consortium_id": consortium, "kind": "promotion", "title": "두부 20% 할인",
        "starts_at": now - chrono::Duration::hours(1), "ends_at": now + chrono::Duration::days(2),
        "listing_ids": [tofu.listing_id], "discount": {"kind": "percent", "percent": 20}});
    // A discount is a promotion's, within bounds.
    for (field, value) in [
        ("kind", json!("festival")),
        ("discount", json!({"kind": "percent", "percent": 95})),
        ("discount", json!({"kind": "won", "krw": 0})),
    ] {
        let mut bad = running.clone();
        bad[field] = value;
        app.post("/v1/campaigns", Some(&coordinator), &bad)
            .await
            .assert_problem(422, "validation_failed");
    }
    app.post("/v1/campaigns", Some(&owner), &running)
        .await
        .assert_problem(403, "forbidden");
    let promo = ok(
        &app.post("/v1/campaigns", Some(&coordinator), &running)
            .await,
        StatusCode::CREATED,
    );
    let path = format!("/v1/campaigns/{}", promo["id"].as_str().unwrap());
    let read = ok(&app.get(&path, None).await, StatusCode::OK);
    assert_eq!(read["discount"], json!({"kind": "percent", "percent": 20}));
    assert_eq!(read["listing_ids"], json!([tofu.listing_id]));
    let discounted = price * 8 / 10;

    // In the basket, struck through beside the sale price.
    let mut page = Browser::new(&app.base_url);
    page.sign_in("shopper@demo.golmok.kr", None).await;
    let listing_page = page.get(&format!("/listings/{}", tofu.listing_id)).await;
    let added = page
        .submit(
            &listing_page,
            "/basket",
            &[("listing_id", tofu.listing_id.as_str()), ("quantity", "2")],
        )
        .await;
    assert!(
        added.status.is_redirection() || added.status.is_success(),
        "{}",
        added.html
    );
    let basket = page.get("/basket").await;
    assert!(
        basket.html.contains(&format!(
            "<del class=\"list-amount\">{}</del>",
            won(2 * price)
        )) && basket.html.contains(&won(2 * discounted)),
        "{}",
        basket.html
    );

    // Charged at checkout and recorded on the line.
    let checkout = |quantity: i64| golmok_e2e::demo::tofu_pickup(&tofu, quantity, "offline");
    let order = ok(
        &app.post("/v1/orders", Some(&shopper), &checkout(2)).await,
        StatusCode::CREATED,
    );
    let line = &order["merchant_orders"][0]["lines"][0];
    assert_eq!(line["price_krw"], discounted);
    assert_eq!(line["list_price_krw"], price);
    assert_eq!(line["campaign_id"], promo["id"]);
    assert_eq!(line["amount_krw"], 2 * discounted);
    assert_eq!(order["merchant_orders"][0]["subtotal_krw"], 2 * discounted);

    // Changed to 500 won off: the next checkout pays that.
    let changed = ok(
        &app.patch(
            &path,
            Some(&coordinator),
            &json!({"discount": {"kind": "won", "krw": 500}, "title": "두부 500원 할인"}),
        )
        .await,
        StatusCode::OK,
    );
    assert_eq!(changed["title"], "두부 500원 할인");
    let order = ok(
        &app.post("/v1/orders", Some(&shopper), &checkout(1)).await,
        StatusCode::CREATED,
    );
    assert_eq!(
        order["merchant_orders"][0]["lines"][0]["price_krw"],
        price - 500
    );
    app.patch(
        &path,
        Some(&coordinator),
        &json!({"ends_at": now - chrono::Duration::days(1)}),
    )
    .await
    .assert_problem(422, "validation_failed");

    // Called off (twice is once): the listing's own price again, and it no longer runs.
    let cancelled = ok(
        &app.post(&format!("{path}/cancel"), Some(&coordinator), &json!({}))
            .await,
        StatusCode::OK,
    );
    assert!(cancelled["cancelled_at"].is_string());
    let again = ok(
        &app.post(&format!("{path}/cancel"), Some(&coordinator), &json!({}))
            .await,
        StatusCode::OK,
    );
    assert_eq!(again["cancelled_at"], cancelled["cancelled_at"]);
    app.patch(&path, Some(&coordinator), &json!({"title": "다시"}))
        .await
        .assert_problem(409, "campaign_cancelled");
    let order = ok(
        &app.post("/v1/orders", Some(&shopper), &checkout(1)).await,
        StatusCode::CREATED,
    );
    let line = &order["merchant_orders"][0]["lines"][0];
    assert_eq!(line["price_krw"], price);
    assert!(line.get("list_price_krw").is_none(), "{line}");
    let running_now = app
        .get(
            &format!(
                "/v1/campaigns?consortium_id={consortium}&active_at={}",
                chrono::Utc::now().to_rfc3339().replace('+', "%2B")
            ),
            None,
        )
        .await
        .body;
    assert!(
        !running_now["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == promo["id"]),
        "{running_now}"
    );
}
