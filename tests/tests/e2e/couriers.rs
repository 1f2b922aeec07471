//! A network's roster from its coordinator's pages: a new courier signed on by the email of
//! their courier account, refusals beside each field, and withdrawn again.

use golmok_e2e::pages::{Browser, Page};
use golmok_e2e::{TestApp, on_both_databases};
use reqwest::StatusCode;
use serde_json::json;

on_both_databases!(
    a_coordinator_signs_a_new_courier_on_and_withdraws_them,
    a_suspended_courier_stays_on_the_roster_and_is_given_no_deliveries
);

/// A form's fields as the browser helper takes them.
fn send(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

#[track_caller]
fn ok(page: &Page) {
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
}

async fn a_coordinator_signs_a_new_courier_on_and_withdraws_them(app: TestApp) {
    golmok_e2e::demo::seeded(&app).await;
    let network = golmok_e2e::demo::network_named(&app, "마포").await;
    let riding = || async {
        golmok_delivery_routing::courier::couriers_of(&app.state.db, &network)
            .await
            .expect("the roster")
    };
    let before = riding().await.len();

    // Someone signs up as a courier on the pages.
    let mut rider = Browser::new(&app.base_url);
    let email = rider.sign_up_as("새 기사님", "courier").await;

    // The network's coordinator finds the roster from the board.
    let mut coordinator = Browser::new(&app.base_url);
    coordinator
        .sign_in("coordinator@demo.golmok.kr", None)
        .await;
    let board = coordinator.get(&format!("/dispatch/{network}")).await;
    ok(&board);
    let path = format!("/dispatch/{network}/couriers");
    assert!(
        board.html.contains(&format!("href=\"{path}\"")),
        "{}",
        board.html
    );
    let roster = coordinator.get(&path).await;
    ok(&roster);
    assert_eq!(roster.html.matches("class=\"line rider\"").count(), before);

    let sign_on = |email: &str, kg: &str, start: &str, end: &str| {
        vec![
            ("email".to_owned(), email.to_owned()),
            ("vehicle".to_owned(), "e_scooter".to_owned()),
            ("kg".to_owned(), kg.to_owned()),
            ("liters".to_owned(), "60".to_owned()),
            ("start".to_owned(), start.to_owned()),
            ("end".to_owned(), end.to_owned()),
        ]
    };
    for (fields, error) in [
        (
            sign_on("nobody@example.com", "30", "10:00", "18:00"),
            "email-error",
        ),
        (
            sign_on("shopper@demo.golmok.kr", "30", "10:00", "18:00"),
            "email-error",
        ),
        (sign_on(&email, "0", "10:00", "18:00"), "capacity-error"),
        (sign_on(&email, "30", "18:00", "10:00"), "shift-error"),
    ] {
        let refused = coordinator.submit(&roster, &path, &send(&fields)).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
        assert!(
            refused.html.contains(&format!("id=\"{error}\"")),
            "{error}: {}",
            refused.html
        );
    }
    assert_eq!(riding().await.len(), before, "nothing written");
    let fields = sign_on(&email, "30", "10:00", "18:00");
    let done = coordinator.submit(&roster, &path, &send(&fields)).await;
    assert_eq!(done.location(), format!("{path}?signed_on=1"));
    let roster = coordinator.get(done.location()).await;
    ok(&roster);
    assert!(roster.html.contains("새 기사님"), "{}", roster.html);
    assert!(
        roster.html.contains("30 kg · 60 L · 10:00–18:00"),
        "{}",
        roster.html
    );
    let signed = riding().await;
    assert_eq!(signed.len(), before + 1);
    let courier = signed
        .iter()
        .find(|c| c.shift.start == "10:00" && c.capacity.kg == 30.0)
        .map(|c| c.id.clone())
        .expect("the new courier");
    let again = coordinator.submit(&roster, &path, &send(&fields)).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        again.html.contains("이미 배송망에 등록된 기사님입니다"),
        "{}",
        again.html
    );

    // A bigger vehicle and a longer shift, changed in place; a refusal opens the rider's form.
    let change = format!("{path}/{courier}");
    let ride = |vehicle: &str, kg: &str, start: &str, end: &str| {
        vec![
            ("vehicle".to_owned(), vehicle.to_owned()),
            ("kg".to_owned(), kg.to_owned()),
            ("liters".to_owned(), "600".to_owned()),
            ("start".to_owned(), start.to_owned()),
            ("end".to_owned(), end.to_owned()),
        ]
    };
    for (fields, error) in [
        (ride("small_van", "0", "09:00", "21:00"), "capacity-error"),
        (ride("small_van", "300", "21:00", "09:00"), "shift-error"),
    ] {
        let refused = coordinator.submit(&roster, &change, &send(&fields)).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
        assert!(
            refused.html.contains(&format!("id=\"{error}-{courier}\""))
                && refused
                    .html
                    .contains(&format!("<details id=\"change-{courier}\" open>")),
            "{error}: {}",
            refused.html
        );
    }
    let changed = coordinator
        .submit(
            &roster,
            &change,
            &send(&ride("small_van", "300", "09:00", "21:00")),
        )
        .await;
    assert_eq!(changed.location(), format!("{path}?changed=1"));
    let now = golmok_delivery_routing::courier::get_courier(&app.state.db, &courier)
        .await
        .expect("still riding");
    assert_eq!(now.vehicle.as_str(), "small_van");
    assert_eq!((now.capacity.kg, now.capacity.liters), (300.0, 600.0));
    assert_eq!(
        (now.shift.start.as_str(), now.shift.end.as_str()),
        ("09:00", "21:00")
    );
    assert_eq!(
        riding().await.len(),
        before + 1,
        "the same courier, not another"
    );
    // The same over the API, for the agencies' own tools.
    let token = golmok_e2e::demo::login(&app, "coordinator@demo.golmok.kr").await;
    let api = format!("/v1/couriers/{courier}");
    let body = serde_json::json!({"vehicle": "cargo_bike", "capacity": {"kg": 60, "liters": 120}, "shift": {"start": "10:00", "end": "20:00"}});
    let put = app.put(&api, Some(&token), &body).await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.text);
    assert_eq!(put.body["vehicle"], "cargo_bike");
    let wrong = serde_json::json!({"vehicle": "cargo_bike", "capacity": {"kg": 60, "liters": 120}, "shift": {"start": "20:00", "end": "10:00"}});
    let refused = app.put(&api, Some(&token), &wrong).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.text
    );
    let roster = coordinator.get(&path).await;

    // Only those who run the network see its roster.
    let mut merchant = Browser::new(&app.base_url);
    merchant.sign_in("merchant@demo.golmok.kr", None).await;
    assert_eq!(merchant.get(&path).await.status, StatusCode::FORBIDDEN);
    let own = merchant.get("/").await;
    assert_eq!(
        merchant
            .submit(
                &own,
                &change,
                &send(&ride("on_foot", "5", "10:00", "12:00"))
            )
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // Withdrawn: off the roster (and out of the next plan); a second press finds no one.
    let withdraw = format!("{path}/{courier}/withdraw");
    let gone = coordinator.submit(&roster, &withdraw, &[]).await;
    assert_eq!(gone.location(), format!("{path}?withdrawn=1"));
    assert_eq!(riding().await.len(), before);
    let roster = coordinator.get(gone.location()).await;
    assert!(!roster.html.contains("새 기사님"));
    assert_eq!(
        coordinator.submit(&roster, &withdraw, &[]).await.status,
        StatusCode::NOT_FOUND
    );
}

async fn a_suspended_courier_stays_on_the_roster_and_is_given_no_deliveries(app: TestApp) {
    use golmok_delivery_routing::courier;
    golmok_e2e::demo::seeded(&app).await;
    let db = &app.state.db;
    let admin = golmok_e2e::demo::login(&app, "admin@demo.golmok.kr").await;
    let coordinator = golmok_e2e::demo::login(&app, "coordinator@demo.golmok.kr").await;
    let shopper = golmok_e2e::demo::login(&app, "shopper@demo.golmok.kr").await;
    let booked = golmok_e2e::demo::tofu_delivery(&app, &shopper).await;
    let plan_path = format!("/v1/networks/{}/slots/{}/plan", booked.network, booked.slot);
    let plan = app.post(&plan_path, Some(&admin), &json!({})).await;
    assert_eq!(plan.status, StatusCode::OK, "{}", plan.text);
    let carrying = plan.body["batches"]
        .as_array()
        .and_then(|batches| {
            batches.iter().find(|b| {
                b["stops"].as_array().is_some_and(|s| {
                    s.iter()
                        .any(|s| s["merchant_order_id"] == booked.part.as_str())
                })
            })
        })
        .and_then(|b| b["courier_id"].as_str())
        .expect("the plan gives the tofu to a courier")
        .to_owned();
    let rider = courier::get_courier(db, &carrying)
        .await
        .expect("the courier carrying the tofu");
    let on_duty = || async {
        courier::on_duty(db, &booked.network)
            .await
            .expect("the fleet")
            .iter()
            .any(|c| c.id == rider.id)
    };
    let give = || async {
        app.post(
            &format!("/v1/merchant-orders/{}/courier", booked.part),
            Some(&coordinator),
            &json!({"courier_id": rider.id}),
        )
        .await
    };

    let suspended = app
        .post(
            &format!("/v1/admin/accounts/{}/suspend", rider.account_id),
            Some(&admin),
            &json!({}),
        )
        .await;
    assert_eq!(suspended.status, StatusCode::OK, "{}", suspended.text);
    assert!(!on_duty().await, "no slot counts on a suspended courier");
    let roster = courier::couriers_of(db, &booked.network)
        .await
        .expect("the roster");
    assert!(
        roster.iter().any(|c| c.id == rider.id && c.suspended),
        "still on the roster, marked"
    );
    let refused = give().await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.text
    );
    assert_eq!(refused.body["errors"][0]["field"], "courier_id");
    let mut desk = Browser::new(&app.base_url);
    desk.sign_in("coordinator@demo.golmok.kr", None).await;
    let page = desk
        .get(&format!("/dispatch/{}/couriers", booked.network))
        .await;
    ok(&page);
    assert_eq!(
        page.html.matches("계정 정지됨:").count(),
        1,
        "{}",
        page.html
    );
    // The board marks the batch planned for them, to plan again; a new plan leaves them out.
    let board = desk
        .get(&format!(
            "/dispatch/{}?date={}",
            booked.network, booked.date
        ))
        .await;
    ok(&board);
    assert!(board.html.contains("다시 계획하세요"), "{}", board.html);
    // Given the tofu on the board, the suspended courier is refused beside the delivery's form.
    let date = booked.date.to_string();
    let refused = desk
        .submit(
            &board,
            &format!("/dispatch/{}/tasks/{}/courier", booked.network, booked.part),
            &[("courier_id", rider.id.as_str()), ("date", date.as_str())],
        )
        .await;
    let back = refused.location().to_owned();
    assert!(back.ends_with(&format!("#task-{}", booked.part)), "{back}");
    let shown = desk.get(&back).await;
    ok(&shown);
    assert!(
        shown
            .html
            .contains(&format!("id=\"move-error-{}\"", booked.part)),
        "{}",
        shown.html
    );
    assert!(shown.html.contains("근무 중인 다른 기사님을 고르세요"));
    let again = app.post(&plan_path, Some(&admin), &json!({})).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text);
    assert!(
        again.body["batches"]
            .as_array()
            .is_some_and(|b| b.iter().all(|b| b["courier_id"] != rider.id.as_str())),
        "{}",
        again.text
    );
    let board = desk
        .get(&format!(
            "/dispatch/{}?date={}",
            booked.network, booked.date
        ))
        .await;
    assert!(!board.html.contains("다시 계획하세요"));

    let reinstated = app
        .post(
            &format!("/v1/admin/accounts/{}/reinstate", rider.account_id),
            Some(&admin),
            &json!({}),
        )
        .await;
    assert_eq!(reinstated.status, StatusCode::OK, "{}", reinstated.text);
    assert!(on_duty().await);
    let given = give().await;
    assert_eq!(given.status, StatusCode::OK, "{}", given.text);
}
