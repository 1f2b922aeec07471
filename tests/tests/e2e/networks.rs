//! Co-delivery networks set up and changed by an admin: over the API (a network's fees,
//! capacity, hub and area; its waves, whose times stay while shoppers hold bookings in them)
//! and on the pages (a network drawn from real neighbourhoods, its settings and waves; a
//! support agency with the districts it runs).

use geo::{Contains, Point, Polygon};
use golmok_e2e::demo::{login, network_named, tofu_delivery};
use golmok_e2e::pages::{Browser, Page};
use golmok_e2e::{TestApp, on_both_databases};
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_databases!(
    an_admin_changes_a_network_and_its_waves_over_the_api,
    an_admin_draws_a_network_from_neighbourhoods_and_changes_it_on_the_pages,
    an_admin_makes_a_support_agency_for_districts_nobody_runs,
    a_retired_wave_takes_no_new_booking_and_its_booked_slot_stays,
    a_change_of_times_waits_for_a_booking_being_made_and_then_keeps_them,
    an_area_redrawn_smaller_tells_the_admin_of_deliveries_left_outside,
    an_area_drawn_away_from_a_consortium_it_serves_is_refused_naming_it
);

#[track_caller]
fn refused_on(reply: &golmok_e2e::Reply, field: &str) {
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.text
    );
    assert!(
        reply.body["errors"]
            .as_array()
            .is_some_and(|e| e.iter().any(|e| e["field"] == field)),
        "{field}: {}",
        reply.text
    );
}

#[track_caller]
fn problem_type(reply: &golmok_e2e::Reply, code: &str) {
    assert!(
        reply.body["type"]
            .as_str()
            .is_some_and(|t| t.ends_with(&format!("/{code}"))),
        "{code}: {}",
        reply.text
    );
}

async fn an_admin_changes_a_network_and_its_waves_over_the_api(app: TestApp) {
    golmok_e2e::demo::seeded(&app).await;
    let admin = login(&app, "admin@demo.golmok.kr").await;
    let coordinator = login(&app, "coordinator@demo.golmok.kr").await;
    let shopper = login(&app, "shopper@demo.golmok.kr").await;
    // A shopper books tomorrow's first slot of the tofu shop's network.
    let booked = tofu_delivery(&app, &shopper).await;
    let network = booked.network.clone();
    let path = format!("/v1/networks/{network}");
    let before = app.get(&path, None).await.body;

    assert_eq!(
        app.patch(&path, Some(&coordinator), &json!({"delivery_fee_krw": 0}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    refused_on(
        &app.patch(&path, Some(&admin), &json!({"delivery_fee_krw": 100_001}))
            .await,
        "delivery_fee_krw",
    );
    refused_on(
        &app.patch(
            &path,
            Some(&admin),
            &json!({"hub": {"lat": 37.4979, "lon": 127.0276}}),
        )
        .await,
        "hub",
    );
    refused_on(
        &app.patch(&path, Some(&admin), &json!({"capacity_margin_pct": 95}))
            .await,
        "capacity_margin_pct",
    );
    assert_eq!(
        app.patch(&path, Some(&admin), &json!({"fee": 1}))
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "an unknown field is refused"
    );
    let other = network_named(&app, "서대문").await;
    let taken = app.get(&format!("/v1/networks/{other}"), None).await.body["name"].clone();
    let clash = app
        .patch(&path, Some(&admin), &json!({"name": taken}))
        .await;
    assert_eq!(clash.status, StatusCode::CONFLICT, "{}", clash.text);
    problem_type(&clash, "network_name_taken");
    assert_eq!(
        app.patch("/v1/networks/net_nowhere", Some(&admin), &json!({}))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.get(&path, None).await.body, before, "nothing written");

    let changed = app
        .patch(
            &path,
            Some(&admin),
            &json!({"delivery_fee_krw": 2_500, "free_delivery_over_krw": 30_000, "slot_capacity": 20, "move_without_consent": true}),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.text);
    assert_eq!(changed.body["delivery_fee_krw"], 2_500);
    assert_eq!(changed.body["free_delivery_over_krw"], 30_000);
    assert_eq!(changed.body["slot_capacity"], 20);
    assert_eq!(changed.body["move_without_consent"], true);
    assert_eq!(changed.body["name"], before["name"], "absent fields stay");
    assert_eq!(changed.body["area"], before["area"]);
    let slots = app
        .get(&format!("{path}/slots?date={}", booked.date), None)
        .await;
    assert_eq!(slots.body["items"][1]["capacity"], 20, "{}", slots.text);
    let back = app
        .patch(&path, Some(&admin), &json!({"slot_capacity": null}))
        .await;
    assert_eq!(back.status, StatusCode::OK, "{}", back.text);
    assert_eq!(
        back.body["slot_capacity"],
        Value::Null,
        "the fleet decides again"
    );
    assert_eq!(back.body["delivery_fee_krw"], 2_500);

    // Waves: a new one every day; a booked one keeps its times but not its name.
    let waves = format!("{path}/waves");
    refused_on(
        &app.post(
            &waves,
            Some(&admin),
            &json!({"name": "야간", "start": "21:00", "end": "20:00", "cutoff": "19:00"}),
        )
        .await,
        "waves[0].end",
    );
    assert_eq!(
        app.post(
            &waves,
            Some(&coordinator),
            &json!({"name": "야간", "start": "20:00", "end": "21:30", "cutoff": "19:00"}),
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let night = app
        .post(
            &waves,
            Some(&admin),
            &json!({"name": "야간", "start": "20:00", "end": "21:30", "cutoff": "19:00"}),
        )
        .await;
    assert_eq!(night.status, StatusCode::CREATED, "{}", night.text);
    let slots = app
        .get(&format!("{path}/slots?date={}", booked.date), None)
        .await
        .body;
    assert_eq!(slots["items"].as_array().map(Vec::len), Some(3));
    assert_eq!(slots["items"][2]["name"], "야간");

    let (booked_wave, _) = booked.slot.split_once('@').unwrap();
    let spec = before["waves"]
        .as_array()
        .and_then(|w| w.iter().find(|w| w["id"] == booked_wave))
        .cloned()
        .unwrap();
    let at = format!("{waves}/{booked_wave}");
    let moved = app
        .put(
            &at,
            Some(&admin),
            &json!({"name": spec["name"], "start": "11:30", "end": "13:30", "cutoff": "10:30"}),
        )
        .await;
    assert_eq!(moved.status, StatusCode::CONFLICT, "{}", moved.text);
    problem_type(&moved, "wave_booked");
    let renamed = app
        .put(
            &at,
            Some(&admin),
            &json!({"name": "점심 배송", "start": spec["start"], "end": spec["end"], "cutoff": spec["cutoff"]}),
        )
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.text);
    assert_eq!(renamed.body["name"], "점심 배송");
    let night_at = format!("{waves}/{}", night.body["id"].as_str().unwrap());
    let later = app
        .put(
            &night_at,
            Some(&admin),
            &json!({"name": "야간", "start": "20:30", "end": "22:00", "cutoff": "19:30"}),
        )
        .await;
    assert_eq!(later.status, StatusCode::OK, "{}", later.text);
    assert_eq!(
        app.put(
            &format!("/v1/networks/{other}/waves/{booked_wave}"),
            Some(&admin),
            &json!({"name": "점심", "start": "11:00", "end": "13:00", "cutoff": "10:00"}),
        )
        .await
        .status,
        StatusCode::NOT_FOUND,
        "a wave of another network"
    );
    let after = app.get(&path, None).await.body;
    let times: Vec<(String, String)> = after["waves"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["name"].as_str().unwrap().to_owned(),
                w["start"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(times.contains(&("점심 배송".into(), spec["start"].as_str().unwrap().into())));
    assert!(times.contains(&("야간".into(), "20:30".into())));
}

async fn a_retired_wave_takes_no_new_booking_and_its_booked_slot_stays(app: TestApp) {
    golmok_e2e::demo::seeded(&app).await;
    let admin = login(&app, "admin@demo.golmok.kr").await;
    let coordinator = login(&app, "coordinator@demo.golmok.kr").await;
    let shopper = login(&app, "shopper@demo.golmok.kr").await;
    let booked = tofu_delivery(&app, &shopper).await;
    let network = booked.network.clone();
    let (wave, _) = booked.slot.split_once('@').unwrap();
    let retire = format!("/v1/networks/{network}/waves/{wave}/retire");
    assert_eq!(
        app.post(&retire, Some(&coordinator), &json!({}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(
            &format!("/v1/networks/{network}/waves/wav_nowhere/retire"),
            Some(&admin),
            &json!({})
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    let retired = app.post(&retire, Some(&admin), &json!({})).await;
    assert_eq!(retired.status, StatusCode::OK, "{}", retired.text);
    let waves = retired.body["waves"].as_array().unwrap().clone();
    assert!(
        waves
            .iter()
            .any(|w| w["id"] == wave && w["retired"] == true)
    );
    let other = waves
        .iter()
        .find(|w| w["id"] != wave)
        .and_then(|w| w["id"].as_str())
        .unwrap()
        .to_owned();

    // Tomorrow's slot keeps its booking and its place on the list, closed; the day after, the
    // wave is gone from what shoppers choose.
    let slots_on = |date: chrono::NaiveDate| {
        let path = format!("/v1/networks/{network}/slots?date={date}");
        let app = &app;
        async move { app.get(&path, None).await.body["items"].clone() }
    };
    let tomorrow = slots_on(booked.date).await;
    let kept = tomorrow
        .as_array()
        .and_then(|s| s.iter().find(|s| s["id"] == booked.slot.as_str()))
        .cloned()
        .unwrap_or_default();
    assert_eq!(kept["booked"], 1, "{tomorrow}");
    assert_eq!(kept["open"], false);
    let later = slots_on(booked.date + chrono::Duration::days(1)).await;
    assert!(
        later
            .as_array()
            .is_some_and(|s| !s.is_empty() && s.iter().all(|s| s["wave_id"] != wave)),
        "{later}"
    );

    // A shopper who still picks it is told, with the slot to pick instead.
    let order = booked.order.clone();
    let again = app
        .post(
            "/v1/orders",
            Some(&shopper),
            &json!({"consortium_id": order["consortium_id"], "items": [{"listing_id": order["merchant_orders"][0]["lines"][0]["listing_id"], "quantity": 1}],
                    "fulfillment": {"kind": "delivery", "slot_id": booked.slot, "address": "망원로 9", "location": order["fulfillment"]["location"], "phone": "010-2345-6789"},
                    "payment": {"provider": "offline"}}),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.text);
    problem_type(&again, "wave_retired");
    assert!(
        again.body["next_slot"]["id"]
            .as_str()
            .is_some_and(|id| id.starts_with(&other)),
        "{}",
        again.text
    );

    // The last wave shoppers can book stays.
    let last = app
        .post(
            &format!("/v1/networks/{network}/waves/{other}/retire"),
            Some(&admin),
            &json!({}),
        )
        .await;
    assert_eq!(last.status, StatusCode::CONFLICT, "{}", last.text);
    problem_type(&last, "last_wave");

    // On the admin's page: marked retired, brought back with its button; the last wave's
    // refusal beside it.
    let mut desk = Browser::new(&app.base_url);
    desk.sign_in("admin@demo.golmok.kr", None).await;
    let path = format!("/admin/networks/{network}");
    let page = desk.get(&path).await;
    ok(&page);
    assert_eq!(page.html.matches("wave-form card retired").count(), 1);
    let restored = desk
        .submit(&page, &format!("{path}/waves/{wave}/restore"), &[])
        .await;
    assert_eq!(restored.location(), format!("{path}?saved=1"));
    let network_now = app.get(&format!("/v1/networks/{network}"), None).await.body;
    assert!(
        network_now["waves"]
            .as_array()
            .is_some_and(|w| w.iter().all(|w| w["retired"] == false))
    );
    let page = desk.get(&path).await;
    let retired_page = desk
        .submit(&page, &format!("{path}/waves/{wave}/retire"), &[])
        .await;
    assert_eq!(retired_page.location(), format!("{path}?saved=1"));
    let page = desk.get(&path).await;
    let refused = desk
        .submit(&page, &format!("{path}/waves/{other}/retire"), &[])
        .await;
    refused_beside(&refused, &format!("wave-error-{other}"));
    assert_eq!(refused.html.matches("wave-form card retired").count(), 1);
}

/// A booking and a change of its wave's times at the same moment: the change waits for the
/// booking's transaction, then sees it (on PostgreSQL the booking locks the wave's row; on
/// SQLite writers take turns).
async fn a_change_of_times_waits_for_a_booking_being_made_and_then_keeps_them(app: TestApp) {
    use golmok_delivery_routing::capacity::Load;
    use golmok_delivery_routing::network::{self, WaveSpec};
    golmok_e2e::demo::seeded(&app).await;
    let db = app.state.db.clone();
    let admin = golmok_accounts::find_by_email(&db, "admin@demo.golmok.kr")
        .await
        .expect("the demo admin");
    let network_id = network_named(&app, "서대문").await;
    let found = network::get_network(&db, &network_id)
        .await
        .expect("the network");
    let wave = found.waves[0].clone();
    let slot = format!("{}@{}", wave.id, golmok_e2e::demo::tomorrow());
    let booking = golmok_core::db::begin_write(&db)
        .await
        .expect("a transaction");
    let load = Load {
        tasks: 1,
        ..Load::default()
    };
    network::book(&booking, &slot, &load).await.expect("booked");
    let change = {
        let (db, network_id, wave_id) = (db.clone(), network_id.clone(), wave.id.clone());
        tokio::spawn(async move {
            let later = WaveSpec {
                name: "늦은 점심".into(),
                start: "12:00".into(),
                end: "14:00".into(),
                cutoff: "11:00".into(),
            };
            network::change_wave(&db, &admin, &network_id, &wave_id, later).await
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    booking.commit().await.expect("the booking commits");
    let outcome = change.await.expect("the change ran");
    assert!(
        matches!(
            &outcome,
            Err(golmok_core::DomainError::Conflict {
                code: "wave_booked",
                ..
            })
        ),
        "{outcome:?}"
    );
    let after = network::get_network(&db, &network_id)
        .await
        .expect("the network");
    assert_eq!(
        after.waves[0].spec, wave.spec,
        "the booked wave kept its times"
    );
}

async fn an_area_redrawn_smaller_tells_the_admin_of_deliveries_left_outside(app: TestApp) {
    golmok_e2e::demo::seeded(&app).await;
    let admin = login(&app, "admin@demo.golmok.kr").await;
    let shopper = login(&app, "shopper@demo.golmok.kr").await;
    let tofu = golmok_e2e::demo::tofu_at(app.client(), &app.base_url).await;
    let network = tofu.consortium["network_id"].as_str().unwrap().to_owned();
    let path = format!("/v1/networks/{network}");
    let before = app.get(&path, None).await.body;
    let hub = before["hub"].clone();
    let (lat, lon) = (hub["lat"].as_f64().unwrap(), hub["lon"].as_f64().unwrap());
    let slot = golmok_e2e::demo::first_slot(&app, &network, golmok_e2e::demo::tomorrow()).await;
    let placed = app
        .post(
            "/v1/orders",
            Some(&shopper),
            &json!({"consortium_id": tofu.consortium["id"], "items": [{"listing_id": tofu.listing_id, "quantity": 1}],
                    "fulfillment": {"kind": "delivery", "slot_id": slot, "address": "망원로 30", "location": {"lat": lat + 0.002, "lon": lon}, "phone": "010-2345-6789"},
                    "payment": {"provider": "offline"}}),
        )
        .await;
    assert_eq!(placed.status, StatusCode::CREATED, "{}", placed.text);
    let mut desk = Browser::new(&app.base_url);
    desk.sign_in("admin@demo.golmok.kr", None).await;
    let page_path = format!("/admin/networks/{network}");
    assert!(
        !desk
            .get(&page_path)
            .await
            .html
            .contains("id=\"outside-area\"")
    );

    // Drawn again around the hub alone: the delivery booked 200 m north is outside it now.
    let (s, n, w, e) = (lat - 0.001, lat + 0.001, lon - 0.001, lon + 0.001);
    let small =
        json!({"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]});
    let redrawn = app
        .patch(&path, Some(&admin), &json!({"area": small}))
        .await;
    assert_eq!(redrawn.status, StatusCode::OK, "{}", redrawn.text);
    let page = desk.get(&page_path).await;
    ok(&page);
    let told = page
        .html
        .split("id=\"outside-area\"")
        .nth(1)
        .unwrap_or_default();
    assert!(told.contains(">1</span>"), "{}", page.html);

    let back = app
        .patch(&path, Some(&admin), &json!({"area": before["area"]}))
        .await;
    assert_eq!(back.status, StatusCode::OK, "{}", back.text);
    assert!(
        !desk
            .get(&page_path)
            .await
            .html
            .contains("id=\"outside-area\"")
    );
}

fn polygon(area: &Value) -> Polygon<f64> {
    let ring: Vec<(f64, f64)> = area["coordinates"][0]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p[0].as_f64().unwrap(), p[1].as_f64().unwrap()))
        .collect();
    Polygon::new(ring.into(), Vec::new())
}

#[track_caller]
fn ok(page: &Page) {
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
}

#[track_caller]
fn refused_beside(page: &Page, id: &str) {
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{id}");
    assert!(
        page.html.contains(&format!("id=\"{id}\"")),
        "{id}: {}",
        page.html
    );
}

/// The value of the checkbox labelled `name` on `page`.
fn neighbourhood_code(page: &Page, name: &str) -> String {
    let label = page
        .html
        .split("<label class=\"check\">")
        .find(|l| l.contains(&format!("> {name}</label>")))
        .unwrap_or_else(|| panic!("no box for {name}"));
    let start = label.find("value=\"").unwrap() + 7;
    label[start..start + label[start..].find('"').unwrap()].to_owned()
}

async fn an_area_drawn_away_from_a_consortium_it_serves_is_refused_naming_it(app: TestApp) {
    golmok_e2e::demo::seeded(&app).await;
    let admin = login(&app, "admin@demo.golmok.kr").await;
    let mapo = network_named(&app, "마포").await;
    let seodaemun = network_named(&app, "서대문").await;
    let path = format!("/v1/networks/{mapo}");
    let before = app.get(&path, None).await.body;
    let yeonhui = app.get("/v1/consortia?district=서대문구", None).await.body["items"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["name"] == "연희동 채우장 협업체"))
        .and_then(|c| c["id"].as_str())
        .expect("Yeonhui's consortium")
        .to_owned();
    let move_yeonhui = |network: String| {
        let (app, admin, yeonhui) = (&app, &admin, &yeonhui);
        async move {
            let moved = app
                .patch(
                    &format!("/v1/consortia/{yeonhui}"),
                    Some(admin),
                    &json!({"network_id": network}),
                )
                .await;
            assert_eq!(moved.status, StatusCode::OK, "{}", moved.text);
        }
    };

    // Mapo's network drawn over Seodaemun as well, and Yeonhui's consortium delivering
    // through it.
    let (w, s, e, n) = (126.85, 37.52, 126.98, 37.62);
    let wide =
        json!({"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]});
    let widened = app.patch(&path, Some(&admin), &json!({"area": wide})).await;
    assert_eq!(widened.status, StatusCode::OK, "{}", widened.text);
    move_yeonhui(mapo.clone()).await;

    // Drawn back over Mapo alone, it would no longer reach Yeonhui: refused, naming it, and
    // the area stays.
    let back = app
        .patch(&path, Some(&admin), &json!({"area": before["area"]}))
        .await;
    back.assert_problem(409, "area_leaves_served");
    assert_eq!(back.body["errors"][0]["field"], "area", "{}", back.text);
    assert_eq!(back.body["served"], json!(["연희동 채우장 협업체"]));
    assert_eq!(back.body["districts"], json!(["서대문구"]));
    assert_eq!(app.get(&path, None).await.body["area"], wide);
    // Changes that leave the area alone go through.
    let renamed = app
        .patch(&path, Some(&admin), &json!({"delivery_fee_krw": 3_500}))
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.text);

    // The same on the pages: Mapo's district redrawn whole is refused beside the area.
    let mut desk = Browser::new(&app.base_url);
    desk.sign_in("admin@demo.golmok.kr", None).await;
    let page_path = format!("/admin/networks/{mapo}");
    let redraw = desk
        .get(&format!("{page_path}?district=%EB%A7%88%ED%8F%AC%EA%B5%AC"))
        .await;
    ok(&redraw);
    let refused = desk
        .submit(
            &redraw,
            &format!("{page_path}/area"),
            &[("district", "마포구")],
        )
        .await;
    refused_beside(&refused, "area-error");
    assert!(
        refused.html.contains("연희동 채우장 협업체"),
        "{}",
        refused.html
    );
    assert_eq!(app.get(&path, None).await.body["area"], wide);

    // Once Yeonhui delivers through its own network again, Mapo's is drawn back.
    move_yeonhui(seodaemun).await;
    let drawn = desk
        .submit(
            &redraw,
            &format!("{page_path}/area"),
            &[("district", "마포구")],
        )
        .await;
    assert_eq!(drawn.location(), format!("{page_path}?saved=1"));
}

async fn an_admin_draws_a_network_from_neighbourhoods_and_changes_it_on_the_pages(app: TestApp) {
    golmok_e2e::demo::seeded(&app).await;
    let count = || async {
        app.get("/v1/networks", None).await.body["items"]
            .as_array()
            .map(Vec::len)
    };
    let pilots = count().await;
    let mut admin = Browser::new(&app.base_url);
    admin.sign_in("admin@demo.golmok.kr", None).await;
    let desk = admin.get("/admin").await;
    ok(&desk);
    assert!(desk.html.contains("href=\"/admin/networks\""));
    let list = admin.get("/admin/networks").await;
    ok(&list);
    assert_eq!(
        list.html.matches("class=\"card network-row\"").count(),
        pilots.unwrap()
    );
    assert!(
        !list.html.contains("id=\"network-form\""),
        "a district comes first"
    );

    let chosen = admin
        .get("/admin/networks?district=%EC%84%9C%EB%8C%80%EB%AC%B8%EA%B5%AC")
        .await;
    ok(&chosen);
    assert!(
        chosen.html.contains("id=\"network-form\""),
        "{}",
        chosen.html
    );
    let yeonhui = neighbourhood_code(&chosen, "연희동");
    let changcheon = neighbourhood_code(&chosen, "창천동");
    let cheonyeon = neighbourhood_code(&chosen, "천연동");
    let form = |name: &'static str, codes: Vec<String>, lat: &'static str, lon: &'static str| {
        let mut fields: Vec<(String, String)> = vec![
            ("name".into(), name.into()),
            ("district".into(), "서대문구".into()),
            ("lat".into(), lat.into()),
            ("lon".into(), lon.into()),
            ("delivery_fee".into(), "2,500".into()),
            ("free_over".into(), "35000".into()),
        ];
        fields.extend(codes.into_iter().map(|c| ("neighbourhood".to_owned(), c)));
        fields
    };
    let send = |fields: &[(String, String)]| -> Vec<(String, String)> { fields.to_vec() };
    for (fields, error) in [
        (
            form(
                "연희 공동배송",
                vec![yeonhui.clone(), cheonyeon.clone()],
                "",
                "",
            ),
            "neighbourhoods-error",
        ),
        (form("", vec![yeonhui.clone()], "", ""), "name-error"),
        // A hub in Gangnam, outside the two neighbourhoods.
        (
            form(
                "연희 공동배송",
                vec![yeonhui.clone(), changcheon.clone()],
                "37.4979",
                "127.0276",
            ),
            "hub-error",
        ),
        (
            form("연희 공동배송", vec![yeonhui.clone()], "37.57", ""),
            "hub-error",
        ),
    ] {
        let fields = send(&fields);
        let pairs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let refused = admin.submit(&chosen, "/admin/networks", &pairs).await;
        refused_beside(&refused, error);
    }
    assert_eq!(count().await, pilots, "nothing written");

    let fields = form(
        "연희 공동배송",
        vec![yeonhui.clone(), changcheon.clone()],
        "",
        "",
    );
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let made = admin.submit(&chosen, "/admin/networks", &pairs).await;
    let to = made.location().to_owned();
    assert!(to.ends_with("?made=1"), "{to}");
    let id = to
        .trim_start_matches("/admin/networks/")
        .trim_end_matches("?made=1")
        .to_owned();
    let network = app.get(&format!("/v1/networks/{id}"), None).await.body;
    assert_eq!(network["name"], "연희 공동배송");
    assert_eq!(network["delivery_fee_krw"], 2_500);
    assert_eq!(network["free_delivery_over_krw"], 35_000);
    assert_eq!(network["waves"].as_array().map(Vec::len), Some(2));
    let area = polygon(&network["area"]);
    let hub = Point::new(
        network["hub"]["lon"].as_f64().unwrap(),
        network["hub"]["lat"].as_f64().unwrap(),
    );
    assert!(area.contains(&hub), "the hub is a point inside");
    // 연희동 community centre and Sinchon station's north side (창천동) are in; Dongnimmun
    // (천연동) and 망원시장 are not.
    assert!(area.contains(&Point::new(126.9310, 37.5660)));
    assert!(area.contains(&Point::new(126.9368, 37.5570)));
    assert!(!area.contains(&Point::new(126.9575, 37.5720)));
    assert!(!area.contains(&Point::new(126.9060, 37.5559)));
    let again = admin.submit(&chosen, "/admin/networks", &pairs).await;
    refused_beside(&again, "name-error");

    // The network's page: its map, settings and waves.
    let page = admin.get(&to).await;
    ok(&page);
    assert!(page.html.contains("id=\"network-flash\""));
    assert!(page.html.contains("id=\"hub-map\""));
    let path = format!("/admin/networks/{id}");
    let settings = |margin: &'static str, fee: &'static str| {
        vec![
            ("name", "연희·창천 공동배송"),
            ("lat", ""),
            ("lon", ""),
            ("delivery_fee", fee),
            ("free_over", "35000"),
            ("slot_capacity", "24"),
            ("stops_per_hour", "12"),
            ("margin", margin),
            ("photo_proof_allowed", "on"),
        ]
    };
    let forged = admin.post(&path, &settings("10", "0")).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "no CSRF token");
    refused_beside(
        &admin.submit(&page, &path, &settings("95", "2500")).await,
        "margin-error",
    );
    refused_beside(
        &admin.submit(&page, &path, &settings("10", "공짜")).await,
        "delivery_fee-error",
    );
    // Another network's name is refused beside the name, and nothing is saved.
    let pilot = app.get("/v1/networks", None).await.body["items"][0]["name"]
        .as_str()
        .unwrap()
        .to_owned();
    let taken: Vec<(&str, &str)> = settings("15", "3000")
        .into_iter()
        .map(|(k, v)| (k, if k == "name" { pilot.as_str() } else { v }))
        .collect();
    let refused = admin.submit(&page, &path, &taken).await;
    refused_beside(&refused, "name-error");
    assert!(refused.html.contains("같은 이름의 배송망이 있습니다."));
    assert_eq!(
        app.get(&format!("/v1/networks/{id}"), None).await.body["name"],
        "연희 공동배송"
    );
    let saved = admin.submit(&page, &path, &settings("15", "3,000")).await;
    assert_eq!(saved.location(), format!("{path}?saved=1"));
    let network = app.get(&format!("/v1/networks/{id}"), None).await.body;
    assert_eq!(network["name"], "연희·창천 공동배송");
    assert_eq!(network["delivery_fee_krw"], 3_000);
    assert_eq!(network["slot_capacity"], 24);
    assert_eq!(network["stops_per_hour"], 12.0);
    assert_eq!(network["capacity_margin_pct"], 15);
    assert_eq!(network["move_without_consent"], false);
    assert_eq!(network["photo_proof_allowed"], true);
    assert!(
        area.contains(&Point::new(
            network["hub"]["lon"].as_f64().unwrap(),
            network["hub"]["lat"].as_f64().unwrap()
        )),
        "an empty place keeps the hub"
    );

    let page = admin.get(&path).await;
    let add = format!("{path}/waves");
    let refused = admin
        .submit(
            &page,
            &add,
            &[
                ("name", "야간"),
                ("start", "20:00"),
                ("end", "21:00"),
                ("cutoff", "20:30"),
            ],
        )
        .await;
    refused_beside(&refused, "wave-error-new");
    let added = admin
        .submit(
            &page,
            &add,
            &[
                ("name", "야간"),
                ("start", "20:00"),
                ("end", "21:00"),
                ("cutoff", "19:00"),
            ],
        )
        .await;
    assert_eq!(added.location(), format!("{path}?saved=1"));
    let network = app.get(&format!("/v1/networks/{id}"), None).await.body;
    assert_eq!(network["waves"].as_array().map(Vec::len), Some(3));
    let lunch = network["waves"][0]["id"].as_str().unwrap().to_owned();
    let page = admin.get(&path).await;
    assert_eq!(
        page.html.matches("class=\"wave-form card\"").count(),
        4,
        "three waves and a new one"
    );
    let changed = admin
        .submit(
            &page,
            &format!("{add}/{lunch}"),
            &[
                ("name", "점심"),
                ("start", "11:30"),
                ("end", "13:30"),
                ("cutoff", "10:30"),
            ],
        )
        .await;
    assert_eq!(changed.location(), format!("{path}?saved=1"));
    let network = app.get(&format!("/v1/networks/{id}"), None).await.body;
    assert_eq!(network["waves"][0]["start"], "11:30");
    assert_eq!(network["waves"][0]["cutoff"], "10:30");

    // The area drawn again: a neighbourhood away from the hub is refused, the whole
    // district taken (Dongnimmun, in 현저동, is then in).
    let redraw = admin
        .get(&format!(
            "{path}?district=%EC%84%9C%EB%8C%80%EB%AC%B8%EA%B5%AC"
        ))
        .await;
    ok(&redraw);
    assert!(redraw.html.contains("id=\"redraw-form\""));
    let area_path = format!("{path}/area");
    for codes in [
        vec![cheonyeon.clone()],
        vec![yeonhui.clone(), cheonyeon.clone()],
    ] {
        let mut fields = vec![("district", "서대문구")];
        fields.extend(codes.iter().map(|c| ("neighbourhood", c.as_str())));
        refused_beside(
            &admin.submit(&redraw, &area_path, &fields).await,
            "area-error",
        );
    }
    let whole = admin
        .submit(&redraw, &area_path, &[("district", "서대문구")])
        .await;
    assert_eq!(whole.location(), format!("{path}?saved=1"));
    let network = app.get(&format!("/v1/networks/{id}"), None).await.body;
    let district = polygon(&network["area"]);
    assert!(district.contains(&Point::new(126.9575, 37.5720)));
    assert!(district.contains(&Point::new(126.9310, 37.5660)));

    // Only an admin.
    let mut coordinator = Browser::new(&app.base_url);
    coordinator
        .sign_in("coordinator@demo.golmok.kr", None)
        .await;
    assert_eq!(
        coordinator.get("/admin/networks").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(coordinator.get(&path).await.status, StatusCode::FORBIDDEN);
    let own = coordinator.get("/").await;
    assert_eq!(
        coordinator
            .submit(&own, &path, &settings("10", "0"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get(&format!("/v1/networks/{id}"), None).await.body["delivery_fee_krw"],
        3_000
    );
}

async fn an_admin_makes_a_support_agency_for_districts_nobody_runs(app: TestApp) {
    golmok_e2e::demo::seeded(&app).await;
    let agencies = || async {
        app.get("/v1/agencies", None).await.body["items"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    };
    let before = agencies().await;
    let mut admin = Browser::new(&app.base_url);
    admin.sign_in("admin@demo.golmok.kr", None).await;
    let desk = admin.get("/admin").await;
    ok(&desk);
    assert!(desk.html.contains("id=\"agency-form\""));
    // Mapo is run by the demo's regional agency: its box is shown disabled, and a form sent
    // with it anyway is refused.
    assert!(
        desk.html.contains("value=\"마포구\" disabled"),
        "{}",
        desk.html
    );
    for (fields, error) in [
        (
            vec![
                ("name", "동남권 지원센터"),
                ("kind", "regional"),
                ("district", "마포구"),
            ],
            "districts-error",
        ),
        (
            vec![("name", "동남권 지원센터"), ("kind", "regional")],
            "districts-error",
        ),
        (
            vec![("name", ""), ("kind", "regional"), ("district", "강남구")],
            "agency_name-error",
        ),
        (
            vec![("name", "서울 전역"), ("kind", "metropolitan")],
            "kind-error",
        ),
        (
            vec![
                ("name", "동남권 지원센터"),
                ("kind", "national"),
                ("district", "강남구"),
            ],
            "kind-error",
        ),
    ] {
        let refused = admin.submit(&desk, "/admin/agencies", &fields).await;
        refused_beside(&refused, error);
    }
    assert_eq!(agencies().await.len(), before.len(), "nothing written");
    let made = admin
        .submit(
            &desk,
            "/admin/agencies",
            &[
                ("name", "동남권 지원센터"),
                ("kind", "regional"),
                ("district", "강남구"),
                ("district", "송파구"),
            ],
        )
        .await;
    assert_eq!(made.location(), "/admin?agency_made=1");
    let after = agencies().await;
    let new = after
        .iter()
        .find(|a| a["name"] == "동남권 지원센터")
        .expect("the new agency");
    assert_eq!(new["kind"], "regional");
    assert_eq!(new["districts"], json!(["강남구", "송파구"]));
    let desk = admin.get("/admin?agency_made=1").await;
    assert!(desk.html.contains("value=\"강남구\" disabled"));
    assert!(desk.html.contains("id=\"admin-flash\""));

    // It takes over Gangdong and gives Songpa up.
    let id = new["id"].as_str().unwrap_or_default().to_owned();
    let changed = admin
        .submit(
            &desk,
            &format!("/admin/agencies/{id}"),
            &[
                ("name", "동남권 지원센터"),
                ("district", "강남구"),
                ("district", "강동구"),
            ],
        )
        .await;
    assert_eq!(changed.location(), "/admin?changed=1");
    let now = app.get(&format!("/v1/agencies/{id}"), None).await.body;
    assert_eq!(now["districts"], json!(["강남구", "강동구"]));
    // The demo's north-west agency runs consortia in Mapo: it keeps Mapo; and Gangnam is
    // taken now.
    let north_west = before
        .iter()
        .find(|a| {
            a["districts"]
                .as_array()
                .is_some_and(|d| d.contains(&json!("마포구")))
        })
        .and_then(|a| a["id"].as_str())
        .expect("the agency running Mapo")
        .to_owned();
    let districts_of = |a: &str| {
        before
            .iter()
            .find(|x| x["id"] == a)
            .and_then(|x| x["districts"].as_array().cloned())
            .unwrap_or_default()
    };
    let kept: Vec<String> = districts_of(&north_west)
        .iter()
        .filter_map(|d| d.as_str().map(str::to_owned))
        .filter(|d| d != "마포구")
        .collect();
    let mut fields = vec![("name", "서북권 지원센터")];
    fields.extend(kept.iter().map(|d| ("district", d.as_str())));
    let refused = admin
        .submit(&desk, &format!("/admin/agencies/{north_west}"), &fields)
        .await;
    assert_eq!(
        refused.location(),
        format!("/admin?not_changed={north_west}&why=district_has_consortia")
    );
    let shown = admin.get(refused.location()).await;
    assert!(
        shown
            .html
            .contains(&format!("id=\"change-error-{north_west}\""))
    );
    let api = golmok_e2e::demo::login(&app, "admin@demo.golmok.kr").await;
    let taken = app
        .patch(
            &format!("/v1/agencies/{north_west}"),
            Some(&api),
            &json!({"districts": ["마포구", "강남구"]}),
        )
        .await;
    assert_eq!(taken.status, StatusCode::CONFLICT, "{}", taken.text);
    assert_eq!(
        app.get(&format!("/v1/agencies/{north_west}"), None)
            .await
            .body["districts"],
        json!(districts_of(&north_west)),
        "nothing written"
    );

    let mut coordinator = Browser::new(&app.base_url);
    coordinator
        .sign_in("coordinator@demo.golmok.kr", None)
        .await;
    let own = coordinator.get("/").await;
    assert_eq!(
        coordinator
            .submit(
                &own,
                "/admin/agencies",
                &[("name", "x"), ("kind", "regional"), ("district", "강동구")]
            )
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}
