//! A batch under way passes to another courier when its own cannot go on: the dispatcher
//! hands the rest over (over the API and on the board), the new courier is told whom to
//! collect the goods on board from, and the first courier may no longer touch its stops.

use golmok_e2e::demo::{courier_email, login};
use golmok_e2e::pages::Browser;
use golmok_e2e::{TestApp, on_both_databases};
use reqwest::StatusCode;
use serde_json::json;

on_both_databases!(
    a_batch_under_way_passes_to_another_courier_with_what_is_on_board,
    the_board_hands_a_suspended_couriers_batch_over_and_says_why_it_cannot,
    two_dispatchers_at_once_never_lose_who_had_the_batch,
    a_stop_made_before_the_hand_over_still_counts_from_the_courier_who_made_it
);

/// Sets how much a courier carries, the rest of their ride as it was.
async fn carries(app: &TestApp, token: &str, courier: &str, kg: f64, liters: f64) {
    let rider = golmok_delivery_routing::courier::get_courier(&app.state.db, courier)
        .await
        .expect("the courier");
    let changed = app
        .put(
            &format!("/v1/couriers/{courier}"),
            Some(token),
            &json!({"vehicle": rider.vehicle, "capacity": {"kg": kg, "liters": liters},
                    "shift": rider.shift}),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.text);
}

async fn a_batch_under_way_passes_to_another_courier_with_what_is_on_board(app: TestApp) {
    golmok_e2e::demo::seeded(&app).await;
    let on = golmok_e2e::demo::tofu_under_way(&app).await;
    let coordinator = login(&app, "coordinator@demo.golmok.kr").await;
    let shopper = login(&app, "shopper@demo.golmok.kr").await;
    let second = golmok_e2e::demo::another_courier(&app, &on.network, &on.first).await;
    // Set out, its delivery does not move alone, picked up or not: plans keep a batch under
    // way as it is.
    let give_alone = || async {
        app.post(
            &format!("/v1/merchant-orders/{}/courier", on.part),
            Some(&coordinator),
            &json!({"courier_id": second}),
        )
        .await
    };
    give_alone().await.assert_problem(409, "batch_under_way");
    on.pick_up(&app).await;
    give_alone().await.assert_problem(409, "delivery_under_way");
    let path = format!("/v1/batches/{}/courier", on.batch_id);
    let hand_to = |courier: String, token: String| {
        let (app, path) = (&app, &path);
        async move {
            app.post(path, Some(&token), &json!({"courier_id": courier}))
                .await
        }
    };
    let courier_of_batch = || async {
        use sea_orm::EntityTrait;
        golmok_delivery_routing::entities::route_batch::Entity::find_by_id(on.batch_id.as_str())
            .one(&app.state.db)
            .await
            .expect("the database")
            .expect("the batch")
            .courier_id
    };

    // Refused, and nothing changes: a shopper may not; the batch's own courier is no one new;
    // a courier too small for what is on board is told so, with what it needs.
    hand_to(second.clone(), shopper.clone())
        .await
        .assert_problem(403, "forbidden");
    let same = hand_to(on.first.clone(), coordinator.clone()).await;
    assert_eq!(
        same.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        same.text
    );
    assert_eq!(same.body["errors"][0]["field"], "courier_id");
    carries(&app, &coordinator, &second, 0.001, 0.001).await;
    let small = hand_to(second.clone(), coordinator.clone()).await;
    small.assert_problem(409, "courier_too_small");
    assert_eq!(
        small.body["errors"][0]["field"], "courier_id",
        "{}",
        small.text
    );
    assert!(
        small.body["needs_grams"].as_i64().is_some_and(|g| g > 1),
        "{}",
        small.text
    );
    assert_eq!(courier_of_batch().await, on.first);
    carries(&app, &coordinator, &second, 30.0, 60.0).await;

    // The first courier's phone last said where they were: where the goods wait.
    on.seen_at(&app, 37.5561, 126.9102).await;

    // Handed over: the batch is the second courier's, naming the first.
    let handed = chrono::Utc::now();
    let passed = hand_to(second.clone(), coordinator.clone()).await;
    assert_eq!(passed.status, StatusCode::OK, "{}", passed.text);
    // Its drop-off is re-timed for the second courier, who first rides from the hub to the
    // first one's last position, and the shopper's page is told.
    let eta: chrono::DateTime<chrono::Utc> = passed.body["stops"]
        .as_array()
        .and_then(|stops| stops.iter().find(|s| s["id"] == on.dropoff.as_str()))
        .and_then(|s| s["eta"].as_str())
        .and_then(|eta| eta.parse().ok())
        .expect("the drop-off's time");
    assert!(
        eta > handed + chrono::Duration::minutes(2) && eta < handed + chrono::Duration::hours(2),
        "handed over at {handed}, the tofu due at {eta}"
    );
    let order_id = {
        use sea_orm::EntityTrait;
        golmok_ordering::entities::merchant_order::Entity::find_by_id(on.part.as_str())
            .one(&app.state.db)
            .await
            .expect("the database")
            .expect("the tofu's part")
            .order_id
    };
    let retold = golmok_events::outbox::since(
        &app.state.db,
        &[golmok_events::Topic::order(order_id.as_str()).to_string()],
        "",
        1000,
    )
    .await
    .expect("the outbox")
    .into_iter()
    .filter(|e| e.payload["type"] == "eta" && e.payload["merchant_order_id"] == on.part.as_str())
    .filter_map(|e| {
        e.payload["eta"]
            .as_str()?
            .parse::<chrono::DateTime<chrono::Utc>>()
            .ok()
    })
    .collect::<Vec<_>>();
    assert!(
        retold
            .last()
            .is_some_and(|told| (*told - eta).num_milliseconds().abs() < 1),
        "{retold:?} against {eta}"
    );
    assert_eq!(passed.body["courier_id"], second.as_str());
    assert_eq!(passed.body["status"], "started");
    assert_eq!(
        passed.body["handed_over"]["from_courier_id"],
        on.first.as_str()
    );
    assert_eq!(courier_of_batch().await, second);
    // The network's boards and the new courier's phone are told.
    let told = |topic: golmok_events::Topic, kind: &'static str| {
        let (app, batch_id) = (&app, &on.batch_id);
        async move {
            golmok_events::outbox::since(&app.state.db, &[topic.to_string()], "", 1000)
                .await
                .expect("the outbox")
                .into_iter()
                .filter(|e| e.payload["type"] == kind && e.payload["batch_id"] == batch_id.as_str())
                .map(|e| e.payload)
                .collect::<Vec<_>>()
        }
    };
    let boards = told(
        golmok_events::Topic::network(on.network.as_str()),
        "batch_handed_over",
    )
    .await;
    assert_eq!(boards.len(), 1, "{boards:?}");
    assert_eq!(boards[0]["from_courier_id"], on.first.as_str());
    assert_eq!(boards[0]["to_courier_id"], second.as_str());

    // The first courier no longer sees it, nor may make its stops.
    let theirs = app
        .get("/v1/couriers/me/batches", Some(&on.first_token))
        .await;
    assert!(
        theirs.body["items"]
            .as_array()
            .is_some_and(|b| b.iter().all(|b| b["id"] != on.batch_id.as_str())),
        "{}",
        theirs.text
    );
    let body = json!({"proof": {"kind": "code", "value": on.dropoff_code}});
    let stolen = app
        .post(
            &format!("/v1/stops/{}/complete", on.dropoff),
            Some(&on.first_token),
            &body,
        )
        .await;
    stolen.assert_problem(409, "batch_handed_over");
    assert!(stolen.body["handed_at"].is_string(), "{}", stolen.text);
    // Nor claim to have made it in a time still to come.
    let later = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
    let ahead = app
        .post(
            &format!("/v1/stops/{}/complete", on.dropoff),
            Some(&on.first_token),
            &json!({"proof": {"kind": "code", "value": on.dropoff_code}, "made_at": later}),
        )
        .await;
    assert_eq!(
        ahead.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        ahead.text
    );
    assert_eq!(ahead.body["errors"][0]["field"], "made_at");

    // Over the API, the first courier's list of batches handed away names it; the second's
    // is empty.
    let away = app
        .get("/v1/couriers/me/handed-over", Some(&on.first_token))
        .await;
    assert_eq!(away.status, StatusCode::OK, "{}", away.text);
    assert_eq!(away.body["items"][0]["batch_id"], on.batch_id.as_str());
    assert_eq!(away.body["items"][0]["to_courier_id"], second.as_str());
    let second_email = courier_email(&app, &second).await;
    let second_token = login(&app, &second_email).await;
    let theirs_away = app
        .get("/v1/couriers/me/handed-over", Some(&second_token))
        .await;
    assert_eq!(theirs_away.body["items"], json!([]), "{}", theirs_away.text);

    // The first courier's phone lists it as handed to the second.
    let mut first_phone = Browser::new(&app.base_url);
    first_phone
        .sign_in(&courier_email(&app, &on.first).await, None)
        .await;
    let list = first_phone.get("/courier").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.html);
    let away = list
        .html
        .split("id=\"handed-away\"")
        .nth(1)
        .unwrap_or_default();
    let second_name = golmok_e2e::demo::courier_name(&app, &second).await;
    assert!(away.contains(&format!("→ {second_name}")), "{}", list.html);
    assert!(
        !list
            .html
            .contains(&format!("/courier/batches/{}", on.batch_id)),
        "{}",
        list.html
    );

    // The second courier's phone says whom to collect the tofu from, and they deliver it.
    let second_account = golmok_delivery_routing::courier::account_of(&app.state.db, &second)
        .await
        .expect("the second courier")
        .expect("their account");
    assert_eq!(
        told(
            golmok_events::Topic::courier(second_account.as_str()),
            "batch"
        )
        .await
        .len(),
        1
    );
    let mine = app
        .get("/v1/couriers/me/batches", Some(&second_token))
        .await;
    assert!(
        mine.body["items"]
            .as_array()
            .is_some_and(|b| b.iter().any(|b| b["id"] == on.batch_id.as_str())),
        "{}",
        mine.text
    );
    let mut phone = Browser::new(&app.base_url);
    phone.sign_in(&second_email, None).await;
    let page = phone
        .get(&format!("/courier/batches/{}", on.batch_id))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    let first_name = golmok_e2e::demo::courier_name(&app, &on.first).await;
    assert!(page.html.contains("id=\"handed-over\""), "{}", page.html);
    assert!(page.html.contains(&first_name), "{}", page.html);
    assert!(page.html.contains("실린 짐 1"), "{}", page.html);
    assert!(
        page.html
            .contains("https://map.kakao.com/link/map/%EB%A7%88%EC%A7%80%EB%A7%89%20%EC%9C%84%EC%B9%98,37.5561,126.9102"),
        "{}",
        page.html
    );
    // Their phone's clock runs years behind: the stop is recorded no earlier than the batch.
    let delivered = app
        .post(
            &format!("/v1/stops/{}/complete", on.dropoff),
            Some(&second_token),
            &json!({"proof": {"kind": "code", "value": on.dropoff_code},
                    "made_at": "2001-01-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(delivered.status, StatusCode::OK, "{}", delivered.text);
    {
        use golmok_delivery_routing::entities::{route_batch, stop};
        use sea_orm::EntityTrait;
        let db = &app.state.db;
        let planned = route_batch::Entity::find_by_id(on.batch_id.as_str())
            .one(db)
            .await
            .expect("the database")
            .expect("the batch")
            .created_at;
        let made = stop::Entity::find_by_id(on.dropoff.as_str())
            .one(db)
            .await
            .expect("the database")
            .expect("the stop")
            .done_at;
        assert_eq!(made, Some(planned));
    }

    // Done, it is nobody's to hand over any more.
    hand_to(on.first.clone(), coordinator.clone())
        .await
        .assert_problem(409, "batch_not_under_way");
}

async fn the_board_hands_a_suspended_couriers_batch_over_and_says_why_it_cannot(app: TestApp) {
    golmok_e2e::demo::seeded(&app).await;
    let on = golmok_e2e::demo::tofu_under_way(&app).await;
    on.pick_up(&app).await;
    let admin = login(&app, "admin@demo.golmok.kr").await;
    let coordinator = login(&app, "coordinator@demo.golmok.kr").await;
    let second = golmok_e2e::demo::another_courier(&app, &on.network, &on.first).await;
    // The first courier's phone last said where they were: where the goods will wait.
    on.seen_at(&app, 37.5561, 126.9102).await;
    let account = golmok_delivery_routing::courier::account_of(&app.state.db, &on.first)
        .await
        .expect("the first courier")
        .expect("their account");
    let suspended = app
        .post(
            &format!("/v1/admin/accounts/{account}/suspend"),
            Some(&admin),
            &json!({}),
        )
        .await;
    assert_eq!(suspended.status, StatusCode::OK, "{}", suspended.text);

    let mut desk = Browser::new(&app.base_url);
    desk.sign_in("coordinator@demo.golmok.kr", None).await;
    let board_path = format!("/dispatch/{}?date={}", on.network, on.date);
    let board = desk.get(&board_path).await;
    assert_eq!(board.status, StatusCode::OK, "{}", board.html);
    assert!(
        board.html.contains("기사님이 빠짐: 남은 경로를 넘기세요"),
        "{}",
        board.html
    );
    let form = format!("/dispatch/{}/batches/{}/courier", on.network, on.batch_id);
    assert!(board.html.contains(&form), "{}", board.html);
    // Under way, its delivery is not moved on its own: a re-plan would leave it where it is.
    assert!(
        !board.html.contains(&format!("/tasks/{}/courier", on.part)),
        "{}",
        board.html
    );

    // Too small a courier: refused beside the batch's form, and the batch stays.
    carries(&app, &coordinator, &second, 0.001, 0.001).await;
    let date = on.date.clone();
    let refused = desk
        .submit(
            &board,
            &form,
            &[("courier_id", second.as_str()), ("date", date.as_str())],
        )
        .await;
    let back = refused.location().to_owned();
    assert!(back.ends_with(&format!("#batch-{}", on.batch_id)), "{back}");
    let shown = desk.get(&back).await;
    assert!(
        shown
            .html
            .contains("이 기사님은 남은 경로의 짐을 한 번에 싣지 못합니다"),
        "{}",
        shown.html
    );
    assert!(shown.html.contains("aria-invalid=\"true\""));
    assert!(!shown.html.contains("넘겨받음:"));

    // One who carries enough takes it; the board names whom it came from.
    carries(&app, &coordinator, &second, 30.0, 60.0).await;
    let passed = desk
        .submit(
            &shown,
            &form,
            &[("courier_id", second.as_str()), ("date", date.as_str())],
        )
        .await;
    assert_eq!(passed.location(), board_path);
    let after = desk.get(&board_path).await;
    assert!(after.html.contains("넘겨받음:"), "{}", after.html);
    // Until the new courier shares a position, the one shown is where the goods wait.
    assert!(
        after.html.contains("짐이 있는 곳(넘기기 전 기사 위치)")
            && after.html.contains("goods_only&#34;:true"),
        "{}",
        after.html
    );
    assert!(
        !after.html.contains("기사님이 빠짐: 남은 경로를 넘기세요"),
        "{}",
        after.html
    );
}

/// Two dispatchers hand the same batch to two couriers at the same moment: either both go
/// through one after the other, the second from the first one's choice, or the second is
/// refused as moved meanwhile. Either way the batch names the courier it came from.
async fn two_dispatchers_at_once_never_lose_who_had_the_batch(app: TestApp) {
    golmok_e2e::demo::seeded(&app).await;
    let on = golmok_e2e::demo::tofu_under_way(&app).await;
    on.pick_up(&app).await;
    let coordinator = login(&app, "coordinator@demo.golmok.kr").await;
    let admin = login(&app, "admin@demo.golmok.kr").await;
    let others = two_more_couriers(&app, &on).await;
    let path = format!("/v1/batches/{}/courier", on.batch_id);
    let (to_one, to_two) = (
        json!({"courier_id": others[0]}),
        json!({"courier_id": others[1]}),
    );
    let (one, two) = tokio::join!(
        app.post(&path, Some(&coordinator), &to_one),
        app.post(&path, Some(&admin), &to_two),
    );
    let batch = app
        .get(
            &format!("/v1/networks/{}/slots/{}/plan", on.network, on.slot),
            Some(&admin),
        )
        .await
        .body["batches"]
        .as_array()
        .and_then(|b| b.iter().find(|b| b["id"] == on.batch_id.as_str()).cloned())
        .expect("the batch in its slot's plan");
    let (to, from) = (
        &batch["courier_id"],
        &batch["handed_over"]["from_courier_id"],
    );
    match (one.status, two.status) {
        (StatusCode::OK, StatusCode::OK) => {
            // One after the other: the later one passed it from the earlier one's courier.
            let first_to = &one.body["courier_id"];
            let later = if to == first_to { &one } else { &two };
            let earlier = if to == first_to { &two } else { &one };
            assert_eq!(to, &later.body["courier_id"]);
            assert_eq!(from, &earlier.body["courier_id"], "{batch}");
            assert_eq!(
                earlier.body["handed_over"]["from_courier_id"],
                on.first.as_str()
            );
        }
        (StatusCode::OK, _) | (_, StatusCode::OK) => {
            let (passed, refused) = if one.status == StatusCode::OK {
                (&one, &two)
            } else {
                (&two, &one)
            };
            refused.assert_problem(409, "batch_moved");
            assert_eq!(to, &passed.body["courier_id"]);
            assert_eq!(from, on.first.as_str(), "{batch}");
        }
        _ => panic!("neither went through: {} / {}", one.text, two.text),
    }
}

/// A courier's phone kept a drop-off while it had no network, and the dispatcher, hearing
/// nothing, handed the batch on; then on again. The drop-off, sent late with the time it was
/// made, counts from the courier who made it; one made after a courier handed the batch on
/// does not. Each courier still lists the batch as handed to whom they gave it, and a
/// dispatcher who saw the batch with a courier it has left is refused.
async fn a_stop_made_before_the_hand_over_still_counts_from_the_courier_who_made_it(app: TestApp) {
    use sea_orm::EntityTrait;
    golmok_e2e::demo::seeded(&app).await;
    let on = golmok_e2e::demo::tofu_under_way(&app).await;
    on.pick_up(&app).await;
    let coordinator = login(&app, "coordinator@demo.golmok.kr").await;
    let others = two_more_couriers(&app, &on).await;
    let (second, third) = (&others[0], &others[1]);
    // At the door, offline: the first courier's phone keeps the drop-off.
    let made = chrono::Utc::now();

    let path = format!("/v1/batches/{}/courier", on.batch_id);
    let hand = |to: &str, from: &str| {
        let body = json!({"courier_id": to, "from_courier_id": from});
        let (app, path, token) = (&app, &path, &coordinator);
        async move { app.post(path, Some(token), &body).await }
    };
    // Seen with a courier it is not with: refused, and it stays.
    hand(third, second).await.assert_problem(409, "batch_moved");
    // The first courier's open page hears it go.
    let mut first_phone = Browser::new(&app.base_url);
    first_phone
        .sign_in(&courier_email(&app, &on.first).await, None)
        .await;
    let mut first_live = first_phone.stream("/courier/live").await;
    assert_eq!(first_live.status(), StatusCode::OK);
    let passed = hand(second, &on.first).await;
    assert_eq!(passed.status, StatusCode::OK, "{}", passed.text);
    golmok_e2e::read_events_until(&mut first_live, "data: changed").await;
    drop(first_live);
    let again = hand(third, second).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text);
    assert_eq!(
        again.body["handed_over"]["from_courier_id"],
        second.as_str()
    );

    // Each courier lists it as handed to whom they gave it.
    let second_token = login(&app, &courier_email(&app, second).await).await;
    for (token, to) in [(&on.first_token, second), (&second_token, third)] {
        let away = app.get("/v1/couriers/me/handed-over", Some(token)).await;
        assert_eq!(
            away.body["items"][0]["batch_id"],
            on.batch_id.as_str(),
            "{}",
            away.text
        );
        assert_eq!(
            away.body["items"][0]["to_courier_id"],
            to.as_str(),
            "{}",
            away.text
        );
    }

    // The second courier's phone sends a drop-off made after they handed the batch on:
    // refused, the page saying why.
    let complete = format!("/courier/stops/{}/complete", on.dropoff);
    let code = on
        .dropoff_code
        .as_str()
        .expect("a drop-off code")
        .to_owned();
    // A phone sends the drop-off's form, as its queue does, from the courier's list: when it
    // was made, and the phone's clock as it goes, both by that clock (`ahead` of the server's).
    let send_drop_off = async |phone: &mut Browser,
                               made_at: chrono::DateTime<chrono::Utc>,
                               ahead: chrono::Duration| {
        let list = phone.get("/courier").await;
        let made_at = (made_at + ahead).to_rfc3339();
        let sent_at = (chrono::Utc::now() + ahead).to_rfc3339();
        phone
            .submit(
                &list,
                &complete,
                &[
                    ("batch", on.batch_id.as_str()),
                    ("kind", "code"),
                    ("value", code.as_str()),
                    ("made_at", made_at.as_str()),
                    ("sent_at", sent_at.as_str()),
                ],
            )
            .await
    };
    let mut second_phone = Browser::new(&app.base_url);
    second_phone
        .sign_in(&courier_email(&app, second).await, None)
        .await;
    let late = send_drop_off(
        &mut second_phone,
        chrono::Utc::now(),
        chrono::Duration::zero(),
    )
    .await;
    assert_eq!(late.location(), "/courier?refused=handed_over#handed-away");
    let told = second_phone.get("/courier?refused=handed_over").await;
    assert!(
        told.html
            .contains("경로가 넘어간 뒤에 한 정차라서 보내지 않았습니다"),
        "{}",
        told.html
    );

    // The first courier's phone also kept a photo of the door: taken before the hand-over,
    // it is theirs to add; sent as taken now, it is refused.
    let photo = async |made_at: Option<chrono::DateTime<chrono::Utc>>| {
        // Taken first: the phone's clock is read as it sends.
        let door = crate::photos::camera_photo();
        let mut url = format!("/v1/stops/{}/proof-files?kind=photo", on.dropoff);
        if let Some(at) = made_at {
            let (made, sent) = (at.to_rfc3339(), chrono::Utc::now().to_rfc3339());
            url.push_str(&format!(
                "&made_at={}&sent_at={}",
                urlencoding(&made),
                urlencoding(&sent)
            ));
        }
        let sent = app
            .client()
            .post(app.url(&url))
            .bearer_auth(&on.first_token)
            .header("content-type", "image/jpeg")
            .body(door)
            .send()
            .await
            .expect("an answer");
        golmok_e2e::TestApp::read(sent).await
    };
    photo(None).await.assert_problem(409, "batch_handed_over");
    let taken = photo(Some(made)).await;
    assert_eq!(taken.status, StatusCode::CREATED, "{}", taken.text);

    // The first courier's phone finds the network again and sends the drop-off with the
    // time it was made: it counts, at that time, and the batch is done. The third courier's
    // open page hears of it.
    let mut third_phone = Browser::new(&app.base_url);
    third_phone
        .sign_in(&courier_email(&app, third).await, None)
        .await;
    let mut third_live = third_phone.stream("/courier/live").await;
    // Its clock runs an hour ahead: by it the stop was made after the hand-over, and later
    // than now; the time between making and sending places it right.
    let sent = send_drop_off(&mut first_phone, made, chrono::Duration::hours(1)).await;
    let back = sent.location().to_owned();
    assert_eq!(back, format!("/courier/batches/{}", on.batch_id));
    // The batch is no longer theirs to open: back to the list that says whom it went to.
    assert_eq!(
        first_phone.get(&back).await.location(),
        "/courier#handed-away"
    );
    let stop = golmok_delivery_routing::entities::stop::Entity::find_by_id(on.dropoff.as_str())
        .one(&app.state.db)
        .await
        .expect("the database")
        .expect("the stop");
    assert_eq!(stop.status, golmok_delivery_routing::StopStatus::Completed);
    let done_at = stop.done_at.expect("when it was made");
    assert!(
        (done_at - made).num_milliseconds().abs() < 1000,
        "made {made}, recorded {done_at}"
    );
    // The order's own history says delivered when the drop-off was made, not when it
    // reached the server.
    use golmok_ordering::entities::order_event;
    use sea_orm::{ColumnTrait, QueryFilter};
    let delivered = order_event::Entity::find()
        .filter(order_event::Column::MerchantOrderId.eq(on.part.as_str()))
        .filter(order_event::Column::ToStatus.eq("delivered"))
        .one(&app.state.db)
        .await
        .expect("the database")
        .expect("the part's delivery on its history");
    assert!(
        (delivered.at - made).num_milliseconds().abs() < 1000,
        "made {made}, on the order's history at {}",
        delivered.at
    );
    let batch =
        golmok_delivery_routing::entities::route_batch::Entity::find_by_id(on.batch_id.as_str())
            .one(&app.state.db)
            .await
            .expect("the database")
            .expect("the batch");
    assert_eq!(batch.status, golmok_delivery_routing::BatchStatus::Done);
    assert_eq!(batch.courier_id, *third);
    golmok_e2e::read_events_until(&mut third_live, "data: changed").await;

    // The phone's retry over the API answers as the first sending did.
    let retried = app
        .post_with_key(
            &format!("/v1/stops/{}/complete", on.dropoff),
            &on.first_token,
            "late-drop-off",
            &json!({"proof": {"kind": "code", "value": code}, "made_at": made}),
        )
        .await;
    assert_eq!(retried.status, StatusCode::OK, "{}", retried.text);
    assert_eq!(retried.body["status"], "completed");
}

fn urlencoding(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// Two couriers on duty on the batch's network besides its own.
async fn two_more_couriers(app: &TestApp, on: &golmok_e2e::demo::UnderWay) -> Vec<String> {
    let others: Vec<String> = golmok_delivery_routing::courier::on_duty(&app.state.db, &on.network)
        .await
        .expect("the fleet")
        .into_iter()
        .map(|c| c.id)
        .filter(|c| *c != on.first)
        .take(2)
        .collect();
    assert_eq!(others.len(), 2, "two more couriers on the demo network");
    others
}
