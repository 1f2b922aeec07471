//! Planning calls out (OSRM) and solves with no transaction open: a checkout into the slot
//! while the planner waits on a slow OSRM goes through at once, and the plan, finding the
//! slot changed when it comes to write, is made again with the new delivery in it.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::{Json, Router, routing::get};
use golmok_e2e::{Engine, TestApp, on_both_engines};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::sync::Notify;

on_both_engines!(a_checkout_during_a_slow_plan_goes_through_and_is_planned);

/// An OSRM table service whose first answer waits until the test lets it go.
#[derive(Clone, Default)]
struct SlowOsrm {
    calls: Arc<AtomicUsize>,
    asked: Arc<Notify>,
    release: Arc<Notify>,
}

async fn table(
    State(osrm): State<SlowOsrm>,
    Path((_profile, coordinates)): Path<(String, String)>,
) -> Json<Value> {
    if osrm.calls.fetch_add(1, Ordering::SeqCst) == 0 {
        osrm.asked.notify_one();
        // Bounded, so a planner that blocked the checkout fails the test instead of hanging it.
        let _ = tokio::time::timeout(Duration::from_secs(20), osrm.release.notified()).await;
    }
    let points: Vec<(f64, f64)> = coordinates
        .split(';')
        .filter_map(|p| p.split_once(','))
        .filter_map(|(lon, lat)| Some((lon.parse().ok()?, lat.parse().ok()?)))
        .collect();
    let distances: Vec<Vec<f64>> = points
        .iter()
        .map(|a| {
            points
                .iter()
                .map(|b| {
                    let dx = (a.0 - b.0) * 88_000.0;
                    let dy = (a.1 - b.1) * 111_000.0;
                    1.3 * (dx * dx + dy * dy).sqrt()
                })
                .collect()
        })
        .collect();
    Json(json!({"code": "Ok", "distances": distances}))
}

async fn slow_osrm() -> (SlowOsrm, String) {
    let osrm = SlowOsrm::default();
    let app = Router::new()
        .route("/table/v1/{profile}/{coordinates}", get(table))
        .with_state(osrm.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (osrm, base)
}

async fn a_checkout_during_a_slow_plan_goes_through_and_is_planned(engine: Engine) {
    let (osrm, base) = slow_osrm().await;
    let app = TestApp::start_with(
        engine,
        json!({"routing": {"osrm_url": base, "plan_budget_secs": 0.3}}),
    )
    .await;
    golmok_demo::seed::demo(&app.state.db, app.state.cache.as_ref())
        .await
        .expect("the demo");
    let admin = golmok_e2e::demo::login(&app, "admin@demo.golmok.kr").await;
    let (first_shopper, _) = app.sign_up("shopper").await;
    let first = golmok_e2e::demo::tofu_delivery(&app, &first_shopper).await;

    let plan_path = format!("/v1/networks/{}/slots/{}/plan", first.network, first.slot);
    let planning = {
        let (app, admin) = (&app, &admin);
        async move { app.post(&plan_path, Some(admin), &json!({})).await }
    };
    let meanwhile = async {
        osrm.asked.notified().await;
        // The planner is waiting on OSRM: a second shopper checks out into the same slot.
        let (second_shopper, _) = app.sign_up("shopper").await;
        let second = golmok_e2e::demo::tofu_delivery(&app, &second_shopper).await;
        let still_waiting = osrm.calls.load(Ordering::SeqCst) == 1;
        osrm.release.notify_one();
        (second, still_waiting)
    };
    let (plan, (second, checked_out_while_planning)) = tokio::join!(planning, meanwhile);
    assert!(
        checked_out_while_planning,
        "the checkout went through while the planner waited on OSRM"
    );
    assert_eq!(plan.status, StatusCode::OK, "{}", plan.text);
    assert_eq!(
        osrm.calls.load(Ordering::SeqCst),
        2,
        "the slot changed during the solve, so it was solved again"
    );
    let planned: Vec<String> = plan.body["batches"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|b| b["stops"].as_array().cloned().unwrap_or_default())
        .chain(
            plan.body["unassigned"]
                .as_array()
                .cloned()
                .unwrap_or_default(),
        )
        .filter_map(|s| s["merchant_order_id"].as_str().map(str::to_owned))
        .collect();
    for part in [&first.part, &second.part] {
        assert!(planned.contains(part), "{part} in {}", plan.body);
    }
}
