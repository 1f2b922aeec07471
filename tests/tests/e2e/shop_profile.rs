//! A shop's profile: weekly hours with days that differ, a phone, how to collect; what the
//! shopper's pages say of it (open now, or when it opens); and a pick-up time the shop is
//! closed at refused at checkout, naming the shop — by API and on the pages.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use golmok_e2e::demo::{login, tofu_at, tofu_pickup};
use golmok_e2e::pages::Browser;
use golmok_e2e::{TestApp, on_both_databases};
use reqwest::{Method, StatusCode};
use serde_json::json;

on_both_databases!(pickups_keep_to_the_shops_hours);

/// A Seoul wall-clock moment `days` from today, as RFC 3339.
fn seoul(days: i64, hhmm: &str) -> String {
    let date = (Utc::now() + Duration::hours(9)).date_naive() + Duration::days(days);
    seoul_on(date, hhmm)
}

fn seoul_on(date: NaiveDate, hhmm: &str) -> String {
    let local =
        chrono::NaiveDateTime::parse_from_str(&format!("{date} {hhmm}"), "%Y-%m-%d %H:%M").unwrap();
    chrono::FixedOffset::east_opt(9 * 3600)
        .unwrap()
        .from_local_datetime(&local)
        .unwrap()
        .with_timezone(&Utc)
        .to_rfc3339()
}

async fn pickups_keep_to_the_shops_hours(app: TestApp) {
    golmok_e2e::demo::seeded(&app).await;
    let tofu = tofu_at(app.client(), &app.base_url).await;
    let owner = login(&app, "merchant@demo.golmok.kr").await;
    let shopper = login(&app, "shopper@demo.golmok.kr").await;
    let shop = format!("/v1/merchants/{}", tofu.shop_id);
    let holiday = (Utc::now() + Duration::hours(9)).date_naive() + Duration::days(2);
    let every_day: serde_json::Map<String, serde_json::Value> =
        ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
            .iter()
            .map(|d| ((*d).to_owned(), json!([["10:00", "19:00"]])))
            .collect();

    // What the owner may not write.
    let refused = app
        .call(
            Method::PATCH,
            &shop,
            Some(&owner),
            Some(&json!({"phone": "call me", "hours_exceptions": [{"date": holiday, "spans": [["15:00", "10:00"]]}]})),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.failed_fields(),
        ["phone", "hours_exceptions[0].spans[0]"]
    );
    let saved = app
        .call(
            Method::PATCH,
            &shop,
            Some(&owner),
            Some(&json!({
                "opening_hours": every_day,
                "hours_exceptions": [{"date": holiday, "spans": [], "note": "가족 행사"}],
                "phone": "02-335-0047",
                "pickup_instructions": "계산대에서 주문 번호를 말씀해 주세요",
            })),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.text);
    assert_eq!(saved.body["phone"], "02-335-0047");
    assert_eq!(saved.body["hours_exceptions"][0]["note"], "가족 행사");

    // A pick-up time the shop is closed at is refused, naming the shop and when it opens;
    // nothing is placed.
    for closed_at in [seoul(1, "07:30"), seoul_on(holiday, "11:00")] {
        let mut body = tofu_pickup(&tofu, 1, "offline");
        body["fulfillment"]["pickup_at"] = json!(closed_at);
        let refused = app.post("/v1/orders", Some(&shopper), &body).await;
        refused.assert_problem(422, "validation_failed");
        assert_eq!(refused.failed_fields(), ["fulfillment.pickup_at"]);
        assert!(
            refused
                .text
                .contains("망원 두부가게 is closed then; it opens"),
            "{}",
            refused.text
        );
    }
    assert_eq!(
        app.get("/v1/orders", Some(&shopper)).await.body["items"]
            .as_array()
            .map(Vec::len),
        Some(0)
    );
    // An open one is kept on the order, and the shop's board shows it.
    let mut body = tofu_pickup(&tofu, 1, "offline");
    let open_at = seoul(1, "11:00");
    body["fulfillment"]["pickup_at"] = json!(open_at);
    let placed = app.post("/v1/orders", Some(&shopper), &body).await;
    assert_eq!(placed.status, StatusCode::CREATED, "{}", placed.text);
    assert_eq!(
        chrono::DateTime::parse_from_rfc3339(
            placed.body["fulfillment"]["pickup_at"].as_str().unwrap()
        )
        .unwrap(),
        chrono::DateTime::parse_from_rfc3339(&open_at).unwrap()
    );

    // The shopper's pages: the shop's phone, how to collect, its hours and the holiday, and
    // whether it is open now.
    let mut visitor = Browser::new(&app.base_url);
    let page = visitor.get(&format!("/shops/{}", tofu.shop_id)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.html.contains("href=\"tel:02-335-0047\""));
    assert!(page.html.contains("계산대에서 주문 번호를 말씀해 주세요"));
    assert!(page.html.contains("가족 행사"));
    let now_hour = (Utc::now() + Duration::hours(9)).format("%H").to_string();
    let expected = if ("10".."19").contains(&now_hour.as_str()) {
        "영업 중 · 19:00까지"
    } else {
        "10:00에 열어요"
    };
    assert!(page.html.contains(expected), "{expected} in {}", page.html);
}

on_both_databases!(the_owner_keeps_the_profile_on_a_page);

async fn the_owner_keeps_the_profile_on_a_page(app: TestApp) {
    golmok_e2e::demo::seeded(&app).await;
    let tofu = tofu_at(app.client(), &app.base_url).await;
    let mut owner = Browser::new(&app.base_url);
    owner.sign_in("merchant@demo.golmok.kr", None).await;
    let path = format!("/shop/{}/profile", tofu.shop_id);
    let form = owner.get(&path).await;
    assert_eq!(form.status, StatusCode::OK);
    assert_eq!(form.input_value("mon").as_deref(), Some("09:00-21:00"));
    let week = [
        ("mon", "10:00-13:00, 14:00-19:00"),
        ("tue", "10:00-19:00"),
        ("wed", "10:00-19:00"),
        ("thu", "10:00-19:00"),
        ("fri", "10:00-19:00"),
        ("sat", "10:00-15:00"),
        ("sun", ""),
    ];
    // A day written wrong comes back beside that day; nothing is saved.
    let mut wrong: Vec<(&str, &str)> = week.to_vec();
    wrong[1] = ("tue", "아침부터");
    wrong.extend([
        ("exceptions", ""),
        ("phone", "02-335-0047"),
        ("pickup_instructions", ""),
    ]);
    let refused = owner.submit(&form, &path, &wrong).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.html.contains("id=\"h-tue-error\""));
    let mut right: Vec<(&str, &str)> = week.to_vec();
    right.extend([
        ("exceptions", "2030-01-01 휴무 신정"),
        ("phone", "02-335-0047"),
        ("pickup_instructions", "뒷문 선반"),
    ]);
    let saved = owner.submit(&form, &path, &right).await;
    assert_eq!(saved.location(), format!("{path}?saved=1"));
    let shop = app
        .get(&format!("/v1/merchants/{}", tofu.shop_id), None)
        .await
        .body;
    assert_eq!(
        shop["opening_hours"]["mon"],
        json!([["10:00", "13:00"], ["14:00", "19:00"]])
    );
    assert!(
        shop["opening_hours"].get("sun").is_none(),
        "an empty day is closed"
    );
    assert_eq!(shop["hours_exceptions"][0]["note"], "신정");
    assert_eq!(shop["pickup_instructions"], "뒷문 선반");
    // A shopper choosing a pick-up time the shop is closed at (Sunday now) is told beside
    // the time field, and nothing is placed.
    let mut shopper = Browser::new(&app.base_url);
    shopper.sign_up("찾으러 가는 사람").await;
    let listing = shopper.get(&format!("/listings/{}", tofu.listing_id)).await;
    let added = shopper
        .submit(
            &listing,
            "/basket",
            &[("listing_id", &tofu.listing_id), ("quantity", "1")],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER);
    let checkout = shopper.get("/checkout").await;
    let idem = checkout.input_value("idem").expect("an idempotency key");
    let today = (Utc::now() + Duration::hours(9)).date_naive();
    let sunday = (1..=7)
        .map(|d| today + Duration::days(d))
        .find(|d| chrono::Datelike::weekday(d) == chrono::Weekday::Sun)
        .expect("a Sunday within a week")
        .format("%Y-%m-%dT11:00")
        .to_string();
    let refused = shopper
        .submit(
            &checkout,
            "/checkout",
            &[
                ("fulfillment", "pickup"),
                ("pickup_at", &sunday),
                ("payment", "offline"),
                ("idem", &idem),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{sunday}");
    assert!(
        refused.html.contains("id=\"pickup-at-error\""),
        "{}",
        refused.html
    );
    assert!(refused.html.contains("망원 두부가게 is closed then"));
    // Another shop's owner cannot see or save it.
    let mut other = Browser::new(&app.base_url);
    other.sign_up("가게 아닌 사람").await;
    assert_eq!(other.get(&path).await.status, StatusCode::FORBIDDEN);
}
