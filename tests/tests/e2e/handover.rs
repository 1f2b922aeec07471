//! Hand-over codes and retried stops: the shop and the shopper each see only the code they
//! give the courier; a right code completes a stop, a wrong one changes nothing and is
//! limited; a completion retried with its Idempotency-Key completes once; a slot's plan is
//! read without planning again.

use golmok_e2e::{TestApp, on_both_databases};
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_databases!(codes_prove_each_stop_and_retries_complete_once);

async fn login(app: &TestApp, email: &str) -> String {
    golmok_e2e::demo::login(app, email).await
}

fn four_digits(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|c| c.len() == 4 && c.chars().all(|d| d.is_ascii_digit()))
}

/// Whether any field of `v`, however deep, is named as a code or holds `code` as its value.
/// (Searching the JSON text instead would find four digits inside a coordinate or an id.)
fn carries_code(v: &Value, code: &Value) -> bool {
    match v {
        Value::Object(fields) => fields
            .iter()
            .any(|(name, value)| name.contains("code") || carries_code(value, code)),
        Value::Array(items) => items.iter().any(|item| carries_code(item, code)),
        other => other == code,
    }
}

async fn codes_prove_each_stop_and_retries_complete_once(app: TestApp) {
    golmok_demo::seed::demo(&app.state.db, app.state.cache.as_ref())
        .await
        .expect("the demo");
    let (shopper, _) = app.sign_up("shopper").await;
    let owner = login(&app, "merchant@demo.golmok.kr").await;
    let admin = login(&app, "admin@demo.golmok.kr").await;
    let golmok_e2e::demo::TofuDelivery {
        order_id,
        part,
        shop_id,
        network,
        slot,
        date,
        ..
    } = golmok_e2e::demo::tofu_delivery(&app, &shopper).await;

    // Each side sees only its own code.
    let mine = app
        .get(&format!("/v1/orders/{order_id}"), Some(&shopper))
        .await
        .body;
    let dropoff_code = mine["merchant_orders"][0]["handover_code"].clone();
    assert!(four_digits(&dropoff_code), "{mine}");
    assert!(
        mine["merchant_orders"][0].get("pickup_code").is_none(),
        "{mine}"
    );
    let theirs = app
        .get(&format!("/v1/orders/{order_id}"), Some(&owner))
        .await
        .body;
    let pickup_code = theirs["merchant_orders"][0]["pickup_code"].clone();
    assert!(four_digits(&pickup_code), "{theirs}");
    assert!(
        theirs["merchant_orders"][0].get("handover_code").is_none(),
        "{theirs}"
    );
    let board = app
        .get(&format!("/v1/merchants/{shop_id}/orders"), Some(&owner))
        .await
        .body;
    assert_eq!(board["items"][0]["pickup_code"], pickup_code);
    assert!(board["items"][0].get("handover_code").is_none());

    for action in ["accept", "ready"] {
        let done = app
            .post(
                &format!("/v1/merchant-orders/{part}/{action}"),
                Some(&owner),
                &json!({}),
            )
            .await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.text);
    }
    let no_plan = app
        .get(
            &format!("/v1/networks/{network}/slots/{slot}/plan"),
            Some(&admin),
        )
        .await;
    no_plan.assert_problem(404, "not_found");
    let planned = app
        .post(
            &format!("/v1/networks/{network}/slots/{slot}/plan"),
            Some(&admin),
            &json!({}),
        )
        .await;
    assert_eq!(planned.status, StatusCode::OK, "{}", planned.text);
    let batch = planned.body["batches"][0].clone();
    assert!(
        !carries_code(&batch, &pickup_code) && !carries_code(&batch, &dropoff_code),
        "the courier's view carries no code: {batch}"
    );
    let stop = |kind: &str| {
        batch["stops"]
            .as_array()
            .and_then(|s| s.iter().find(|s| s["kind"] == kind))
            .and_then(|s| s["id"].as_str())
            .unwrap_or_default()
            .to_owned()
    };
    let (pickup, dropoff) = (stop("pickup"), stop("dropoff"));
    let email =
        golmok_e2e::demo::courier_email(&app, batch["courier_id"].as_str().unwrap_or_default())
            .await;
    let courier = login(&app, &email).await;

    // The courier sets out; the batch is theirs from now on.
    let started = app
        .post(
            &format!(
                "/v1/batches/{}/start",
                batch["id"].as_str().unwrap_or_default()
            ),
            Some(&courier),
            &json!({}),
        )
        .await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.text);
    assert_eq!(started.body["status"], "started");
    // Under way, the courier's view says whom to call and what the shopper asked; the plan
    // (a dispatcher's view, and the batch before it started) does not.
    let contact = |batch: &Value, kind: &str| {
        batch["stops"]
            .as_array()
            .and_then(|s| s.iter().find(|s| s["kind"] == kind))
            .map(|s| (s["phone"].clone(), s["notes"].clone()))
            .unwrap_or_default()
    };
    assert_eq!(
        contact(&started.body, "dropoff"),
        (
            json!("010-2345-6789"),
            json!("벨이 고장났어요, 노크해 주세요")
        )
    );
    assert!(
        contact(&started.body, "pickup")
            .0
            .as_str()
            .is_some_and(|p| p.starts_with("02-"))
    );
    assert_eq!(contact(&batch, "dropoff"), (Value::Null, Value::Null));
    // The phone shares where the courier is: the stops left are timed from there, now.
    let batch_id = batch["id"].as_str().unwrap_or_default().to_owned();
    let here = json!({"location": {"lat": 37.5559, "lon": 126.9015}});
    let moved = app
        .post(
            &format!("/v1/batches/{batch_id}/position"),
            Some(&courier),
            &here,
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.text);
    assert_eq!(moved.body["courier_position"]["location"]["lat"], 37.5559);
    let first_eta = moved.body["stops"][0]["eta"]
        .as_str()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .expect("an eta");
    let from_now = first_eta.with_timezone(&chrono::Utc) - chrono::Utc::now();
    assert!(
        from_now > -chrono::Duration::minutes(1) && from_now < chrono::Duration::minutes(60),
        "timed from where the courier is, now: {from_now}"
    );
    for stranger in [&shopper, &owner] {
        let refused = app
            .post(
                &format!("/v1/batches/{batch_id}/position"),
                Some(stranger),
                &here,
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.text);
    }
    app.post(
        &format!("/v1/batches/{batch_id}/position"),
        Some(&courier),
        &json!({"location": {"lat": 95.0, "lon": 126.9}}),
    )
    .await
    .assert_problem(422, "validation_failed");
    app.post(
        &format!(
            "/v1/batches/{}/start",
            batch["id"].as_str().unwrap_or_default()
        ),
        Some(&owner),
        &json!({}),
    )
    .await
    .assert_problem(403, "forbidden");

    // A wrong code changes nothing; the shop's code picks up, once, however often it is sent.
    let wrong = app
        .post(
            &format!("/v1/stops/{pickup}/complete"),
            Some(&courier),
            &json!({"proof": {"kind": "code", "value": "no"}}),
        )
        .await;
    assert_eq!(
        wrong.assert_problem(422, "validation_failed")["errors"][0]["field"],
        "proof.value"
    );
    // A photo beside the code must be one taken at this stop.
    let stray = app
        .post(
            &format!("/v1/stops/{pickup}/complete"),
            Some(&courier),
            &json!({"proof": {"kind": "code", "value": pickup_code, "photo": "prf_elsewhere"}}),
        )
        .await;
    assert_eq!(
        stray.assert_problem(422, "validation_failed")["errors"][0]["field"],
        "proof.photo"
    );
    let body = json!({"proof": {"kind": "code", "value": pickup_code}});
    let first = app
        .post_with_key(
            &format!("/v1/stops/{pickup}/complete"),
            &courier,
            "stop-1",
            &body,
        )
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    let again = app
        .post_with_key(
            &format!("/v1/stops/{pickup}/complete"),
            &courier,
            "stop-1",
            &body,
        )
        .await;
    assert_eq!(
        (again.status, again.body.clone()),
        (StatusCode::OK, first.body.clone()),
        "the same answer"
    );
    app.post(
        &format!("/v1/stops/{pickup}/complete"),
        Some(&courier),
        &body,
    )
    .await
    .assert_problem(409, "stop_done");
    let order = app
        .get(&format!("/v1/orders/{order_id}"), Some(&shopper))
        .await
        .body;
    assert_eq!(order["merchant_orders"][0]["status"], "picked_up");
    let picked_events = order["events"]
        .as_array()
        .map_or(0, |e| e.iter().filter(|e| e["to"] == "picked_up").count());
    assert_eq!(picked_events, 1, "picked up once");

    // The read-only plan shows the progress without planning again.
    let read = app
        .get(
            &format!("/v1/networks/{network}/slots/{slot}/plan"),
            Some(&admin),
        )
        .await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.text);
    assert_eq!(read.body["id"], planned.body["id"]);
    let read_pickup = read.body["batches"][0]["stops"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["id"] == pickup.as_str()))
        .cloned()
        .unwrap_or_default();
    assert_eq!(read_pickup["status"], "completed");
    assert_eq!(
        app.get(
            &format!("/v1/networks/{network}/slots/{slot}/plan"),
            Some(&shopper)
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );

    // Wrong codes at the door are limited: after five, even the right one waits.
    for _ in 0..golmok_delivery_routing::batch::MAX_WRONG_CODES {
        app.post(
            &format!("/v1/stops/{dropoff}/complete"),
            Some(&courier),
            &json!({"proof": {"kind": "code", "value": "0000x"}}),
        )
        .await
        .assert_problem(422, "validation_failed");
    }
    app.post(
        &format!("/v1/stops/{dropoff}/complete"),
        Some(&courier),
        &json!({"proof": {"kind": "code", "value": dropoff_code}}),
    )
    .await
    .assert_problem(409, "too_many_attempts");
    // Failures take a reason from the list (and a note).
    let vague = app
        .post(
            &format!("/v1/stops/{dropoff}/fail"),
            Some(&courier),
            &json!({"reason": "it went wrong"}),
        )
        .await;
    assert_eq!(
        vague.assert_problem(422, "validation_failed")["errors"][0]["field"],
        "reason"
    );
    // Nobody opens: this network takes a photo and a note instead. A photo not taken at
    // this stop proves nothing.
    app.post(
        &format!("/v1/stops/{dropoff}/complete"),
        Some(&courier),
        &json!({"proof": {"kind": "photo", "value": "photos/door.jpg"}}),
    )
    .await
    .assert_problem(422, "validation_failed");
    let taken = app
        .client()
        .post(app.url(&format!("/v1/stops/{dropoff}/proof-files?kind=photo")))
        .bearer_auth(&courier)
        .header("content-type", "image/jpeg")
        .body(crate::photos::camera_photo())
        .send()
        .await
        .expect("an answer");
    let taken = TestApp::read(taken).await;
    assert_eq!(taken.status, StatusCode::CREATED, "{}", taken.text);
    let file_url = taken.body["url"].as_str().unwrap_or_default().to_owned();
    let photo = app
        .post(
            &format!("/v1/stops/{dropoff}/complete"),
            Some(&courier),
            &json!({"proof": {"kind": "photo", "value": taken.body["id"], "note": "문 앞 화분 뒤"}}),
        )
        .await;
    assert_eq!(photo.status, StatusCode::OK, "{}", photo.text);
    assert_eq!(photo.body["proof"]["kind"], "photo");
    assert_eq!(photo.body["proof"]["file_url"], file_url.as_str());
    assert_eq!(photo.body["proof"]["note"], "문 앞 화분 뒤");
    // The photo is the courier's, the dispatchers' and admins' to see: stripped of the
    // camera's metadata, never public, never the shopper's.
    let fetch = |token: Option<String>, url: String| {
        let app = &app;
        async move {
            let mut request = app.client().get(app.url(&url));
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            let reply = request.send().await.expect("an answer");
            let status = reply.status();
            (status, reply.bytes().await.unwrap_or_default().to_vec())
        }
    };
    let (status, bytes) = fetch(Some(courier.clone()), file_url.clone()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(bytes.starts_with(&[0xFF, 0xD8]), "a JPEG");
    assert!(
        !bytes.windows(11).any(|w| w == b"GPSLatitude"),
        "no GPS position left in the stored photo"
    );
    assert_eq!(
        fetch(Some(admin.clone()), file_url.clone()).await.0,
        StatusCode::OK
    );
    assert_eq!(
        fetch(Some(shopper.clone()), file_url.clone()).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        fetch(None, file_url.clone()).await.0,
        StatusCode::UNAUTHORIZED
    );
    let key = format!(
        "/media/proofs/{}/{}.jpg",
        dropoff.to_lowercase(),
        taken.body["id"].as_str().unwrap_or_default().to_lowercase()
    );
    assert_eq!(
        fetch(None, key).await.0,
        StatusCode::NOT_FOUND,
        "not public"
    );
    // The stop is done: no more photos for it.
    let late = app
        .client()
        .post(app.url(&format!("/v1/stops/{dropoff}/proof-files?kind=photo")))
        .bearer_auth(&courier)
        .header("content-type", "image/jpeg")
        .body(crate::photos::camera_photo())
        .send()
        .await
        .expect("an answer");
    TestApp::read(late).await.assert_problem(409, "stop_done");
    let order = app
        .get(&format!("/v1/orders/{order_id}"), Some(&shopper))
        .await
        .body;
    assert_eq!(order["merchant_orders"][0]["status"], "delivered");

    // The batch is done: the courier's list pages by date and no longer shows the door.
    let done = app
        .get(
            &format!("/v1/couriers/me/batches?status=done&date={date}&limit=1"),
            Some(&courier),
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text);
    let items = done.body["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 1, "{}", done.text);
    let door = items[0]["stops"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["kind"] == "dropoff"))
        .cloned()
        .unwrap_or_default();
    assert!(
        door["phone"].is_null() && door["notes"].is_null(),
        "nor the shopper's phone and notes: {door}"
    );
    assert!(
        items[0]["courier_position"].is_null(),
        "nor where the courier was: {}",
        items[0]
    );
    assert_eq!(
        door["address"], "",
        "the shopper's address is no longer the courier's: {door}"
    );
    let other_day = date + chrono::Duration::days(3);
    let none = app
        .get(
            &format!("/v1/couriers/me/batches?date={other_day}"),
            Some(&courier),
        )
        .await;
    assert_eq!(none.body["items"], json!([]));
}
