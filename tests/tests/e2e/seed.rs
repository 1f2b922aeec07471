//! The demo data, loaded into a real database and read back over HTTP.

use golmok_e2e::{TestApp, on_both_databases};
use serde_json::Value;

on_both_databases!(
    demo_data_is_a_working_marketplace_and_loads_once,
    the_demo_keeps_weeks_of_past_orders,
    a_simulated_day_saves_each_waves_problem_for_the_route_bench,
    a_day_simulated_again_rides_only_its_new_stops
);

async fn demo_data_is_a_working_marketplace_and_loads_once(app: TestApp) {
    let first = golmok_demo::seed::demo(&app.state.db, app.state.cache.as_ref())
        .await
        .unwrap();
    assert!(
        first.iter().any(|l| l.contains("30 merchants")),
        "{first:?}"
    );
    let again = golmok_demo::seed::demo(&app.state.db, app.state.cache.as_ref())
        .await
        .unwrap();
    assert!(again.is_empty(), "{again:?}");

    let agencies = app.get("/v1/agencies", None).await;
    let agencies = agencies.body["items"].as_array().unwrap();
    // The metropolitan agency and thirteen regional agencies over nineteen districts.
    assert_eq!(agencies.len(), 14);
    let districts: std::collections::BTreeSet<&str> = agencies
        .iter()
        .flat_map(|a| a["districts"].as_array().unwrap().iter())
        .filter_map(|d| d.as_str())
        .collect();
    assert_eq!(districts.len(), 19, "{districts:?}");

    let consortia = app.get("/v1/consortia", None).await;
    let consortia = consortia.body["items"].as_array().unwrap();
    assert_eq!(consortia.len(), 4);
    assert!(
        consortia.iter().all(|c| c["status"] == "active"),
        "{consortia:?}"
    );
    let kinds: std::collections::BTreeSet<_> = consortia
        .iter()
        .flat_map(|c| {
            c["members"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["kind"].as_str().unwrap().to_owned())
        })
        .collect();
    assert_eq!(kinds.len(), 5, "every kind of merchant: {kinds:?}");

    // The refill market features at least eight refill goods priced per 100 g or 100 ml.
    let markets = app.get("/v1/campaigns", None).await;
    let market = &markets.body["items"][0];
    assert_eq!(market["kind"], "refill_market");
    let featured = app
        .get(
            &format!(
                "/v1/listings?campaign_id={}&limit=100",
                market["id"].as_str().unwrap()
            ),
            None,
        )
        .await;
    let featured = featured.body["items"].as_array().unwrap();
    assert!(featured.len() >= 8, "{}", featured.len());
    assert!(
        featured
            .iter()
            .all(|l: &Value| l["refill"] == true && l["unit_quantity"] == 100)
    );

    let mut total = 0;
    let mut cursor: Option<String> = None;
    loop {
        let url = match &cursor {
            Some(c) => format!("/v1/listings?limit=100&cursor={c}"),
            None => "/v1/listings?limit=100".to_owned(),
        };
        let page = app.get(&url, None).await;
        total += page.body["items"].as_array().unwrap().len();
        match page.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert!((150..=190).contains(&total), "{total} listings");

    let tofu = app.get("/v1/listings?q=%EB%91%90%EB%B6%80", None).await; // 두부
    assert!(!tofu.body["items"].as_array().unwrap().is_empty());
    let near_mangwon = app
        .get("/v1/merchants?near=37.5559,126.9015&radius_m=1000", None)
        .await;
    assert_eq!(near_mangwon.body["items"][0]["name"], "망원 두부가게");

    // Five pilot networks on real district boundaries, each serving its own district.
    let networks = app.get("/v1/networks", None).await;
    let networks = networks.body["items"].as_array().unwrap();
    assert_eq!(networks.len(), 5);
    assert!(
        networks
            .iter()
            .all(|n| n["waves"].as_array().unwrap().len() == 2)
    );
    assert!(consortia.iter().all(|c| c["network_id"].is_string()));
}

#[tokio::test]
async fn the_demo_delivers_a_basket_in_mapo() {
    let app = TestApp::start(golmok_e2e::Engine::Sqlite).await;
    golmok_demo::seed::demo(&app.state.db, app.state.cache.as_ref())
        .await
        .unwrap();
    let login = app
        .post(
            "/v1/auth/login",
            None,
            &serde_json::json!({"email": "shopper@demo.golmok.kr", "password": "golmok-demo"}),
        )
        .await;
    let token = login.body["token"].as_str().unwrap().to_owned();
    let consortia = app
        .get("/v1/consortia?district=%EB%A7%88%ED%8F%AC%EA%B5%AC", None)
        .await;
    let mangwon = &consortia.body["items"][0];
    let network = mangwon["network_id"].as_str().unwrap();
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(1))
        .with_timezone(&chrono::FixedOffset::east_opt(9 * 3600).unwrap())
        .date_naive();
    let slots = app
        .get(
            &format!("/v1/networks/{network}/slots?date={tomorrow}"),
            None,
        )
        .await;
    let slot = slots.body["items"][0]["id"].as_str().unwrap();
    let tofu = app
        .get(
            &format!(
                "/v1/listings?q=%EC%86%90%EB%91%90%EB%B6%80&consortium_id={}",
                mangwon["id"].as_str().unwrap()
            ),
            None,
        )
        .await;
    let basket = serde_json::json!({
        "consortium_id": mangwon["id"],
        "items": [{"listing_id": tofu.body["items"][0]["id"], "quantity": 2}],
        "fulfillment": {"kind": "delivery", "slot_id": slot, "address": "서울 마포구 망원로 10", "location": {"lat": 37.5565, "lon": 126.9045}},
        "payment": {"provider": "offline"},
    });
    let order = app.post("/v1/orders", Some(&token), &basket).await;
    assert_eq!(order.status.as_u16(), 201, "{}", order.text);
    assert_eq!(order.body["delivery_fee_krw"], 3000);
}

/// A simulated day on the test server's own context, each wave planned quickly on one thread.
fn simulation<'a>(
    app: &'a TestApp,
    save_problems: Option<&'static std::path::Path>,
) -> golmok_demo::simulate::Simulation<'a> {
    golmok_demo::simulate::Simulation {
        ordering: app.state.ordering(),
        travel_times: app.state.travel_times.as_ref(),
        plan_budget: golmok_delivery_routing::planner::PlanBudget {
            time_limit: std::time::Duration::from_millis(100),
            threads: 1,
            save_problems,
        },
        wrong_codes: app.state.login_failures.as_ref(),
    }
}

/// The history `serve --demo` adds on first start: simulated days moved back to their dates.
/// The programme's report counts each day's orders on the day before it (when they were
/// placed), every one captured; each day's slots hold their plans, ridden to the end; and
/// tomorrow's slots are free again.
async fn the_demo_keeps_weeks_of_past_orders(app: TestApp) {
    let sim = simulation(&app, None);
    let made = golmok_demo::history::past_days(&sim, &[3, 10], 1)
        .await
        .unwrap();
    assert!(
        made >= 6,
        "about one basket per consortium and wave: {made}"
    );
    let admin = golmok_e2e::demo::login(&app, "admin@demo.golmok.kr").await;
    let today = (chrono::Utc::now() + chrono::Duration::hours(9)).date_naive();
    let (three_ago, ten_ago) = (
        today - chrono::Duration::days(3),
        today - chrono::Duration::days(10),
    );
    let report = app
        .get(
            &format!(
                "/v1/reports/programme?from={}&to={today}&by=week",
                today - chrono::Duration::days(13)
            ),
            Some(&admin),
        )
        .await;
    assert_eq!(report.status, reqwest::StatusCode::OK, "{}", report.text);
    let orders_on = |day: chrono::NaiveDate| {
        report.body["periods"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| {
                p["start"].as_str().unwrap() <= day.to_string().as_str()
                    && day.to_string().as_str() <= p["end"].as_str().unwrap()
            })
            .map(|p| p["figures"]["online_orders"].as_u64().unwrap())
            .sum::<u64>()
    };
    // Ordered the day before each day's slots.
    let day = chrono::Duration::days(1);
    assert!(orders_on(three_ago - day) > 0, "{}", report.text);
    assert!(orders_on(ten_ago - day) > 0, "{}", report.text);
    let total = report.body["total"]["online_orders"].as_u64().unwrap();
    assert_eq!(
        total as usize, made,
        "every past order delivered and captured"
    );
    assert!(
        report.body["total"]["delivery_shared_m"].as_f64().unwrap() > 0.0,
        "the past routes count as shared delivery"
    );

    // Each day's slots hold their own plans; tomorrow's are free again.
    let network = golmok_e2e::demo::tofu_at(app.client(), &app.base_url)
        .await
        .consortium["network_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let past_slots = app
        .get(
            &format!("/v1/networks/{network}/slots?date={three_ago}"),
            None,
        )
        .await
        .body;
    let past_slot = past_slots["items"][0]["id"].as_str().unwrap().to_owned();
    assert!(past_slots["items"][0]["booked"].as_u64().unwrap() > 0);
    let plan = app
        .get(
            &format!("/v1/networks/{network}/slots/{past_slot}/plan"),
            Some(&admin),
        )
        .await;
    assert_eq!(plan.status, reqwest::StatusCode::OK, "{}", plan.text);
    assert!(
        plan.body["batches"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|b| b["stops"].as_array().unwrap())
            .all(|s| s["status"] == "completed"),
        "{}",
        plan.text
    );
    // The money moved with its days: the network's statement has its lines on them, and so
    // has each order's payment.
    let payouts = app
        .get(&format!("/v1/networks/{network}/payouts"), Some(&admin))
        .await;
    assert_eq!(payouts.status, reqwest::StatusCode::OK, "{}", payouts.text);
    let lines = payouts.body["statement"].as_array().unwrap();
    assert!(!lines.is_empty(), "{}", payouts.text);
    let seoul_day = |at: &serde_json::Value| {
        (chrono::DateTime::parse_from_rfc3339(at.as_str().unwrap()).unwrap()
            + chrono::Duration::hours(9))
        .date_naive()
    };
    assert!(
        lines
            .iter()
            .all(|l| [three_ago, ten_ago].contains(&seoul_day(&l["at"]))),
        "captured on the slots' days: {}",
        payouts.text
    );
    let tomorrow = today + chrono::Duration::days(1);
    let free = app
        .get(
            &format!("/v1/networks/{network}/slots?date={tomorrow}"),
            None,
        )
        .await
        .body;
    assert!(
        free["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["booked"] == 0),
        "{free}"
    );
}

/// `golmok simulate --save-problems DIR`: every wave the day plans leaves its routing problem,
/// which the solver (as `routing-bench --problem` runs it) serves again as the planner did.
async fn a_simulated_day_saves_each_waves_problem_for_the_route_bench(app: TestApp) {
    let folder = tempfile::tempdir().unwrap();
    let path: &'static std::path::Path = Box::leak(folder.path().to_path_buf().into_boxed_path());
    let sim = simulation(&app, Some(path));
    let tomorrow = (chrono::Utc::now() + chrono::Duration::hours(33)).date_naive();
    let figures = golmok_demo::simulate::day(&sim, tomorrow, 2).await.unwrap();
    let mut files: Vec<_> = std::fs::read_dir(path)
        .unwrap()
        .map(|f| f.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(
        files.len(),
        figures.len(),
        "one problem per wave: {files:?}"
    );
    let mut couriers: Vec<usize> = figures.iter().map(|f| f.couriers).collect();
    let mut solved = Vec::new();
    for file in &files {
        assert!(
            file.file_name()
                .unwrap()
                .to_string_lossy()
                .ends_with(".json"),
            "{file:?}"
        );
        let problem: golmok_delivery_routing::solver::Problem =
            serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
        assert!(
            !problem.tasks.is_empty(),
            "{file:?} holds the wave's deliveries"
        );
        let solution = golmok_delivery_routing::solver::solve(
            &problem,
            golmok_delivery_routing::solver::Budget {
                time_limit: std::time::Duration::from_secs(5),
                iterations: Some(2_000),
                seed: 1,
                stop_when_settled: true,
                threads: 1,
            },
        );
        golmok_delivery_routing::solver::verify(&problem, &solution).unwrap();
        assert!(
            solution.unassigned.is_empty(),
            "{file:?}: {:?}",
            solution.unassigned
        );
        solved.push(solution.vehicles);
    }
    couriers.sort_unstable();
    solved.sort_unstable();
    assert_eq!(
        solved, couriers,
        "as many couriers as the waves were planned with"
    );
}

/// `golmok simulate` run twice on one date: the second run's plans list the batches ridden
/// the first time beside the new ones, and its couriers ride only the stops still to do.
async fn a_day_simulated_again_rides_only_its_new_stops(app: TestApp) {
    use golmok_delivery_routing::entities::stop;
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    let sim = simulation(&app, None);
    let tomorrow = (chrono::Utc::now() + chrono::Duration::hours(33)).date_naive();
    let stops_that_are = |status: golmok_delivery_routing::StopStatus| {
        stop::Entity::find()
            .filter(stop::Column::Status.eq(status))
            .count(&app.state.db)
    };
    let first = golmok_demo::simulate::day(&sim, tomorrow, 2).await.unwrap();
    let done_first = stops_that_are(golmok_delivery_routing::StopStatus::Completed)
        .await
        .unwrap();
    assert!(done_first > 0, "the first run rode its batches");
    let again = golmok_demo::simulate::day(&sim, tomorrow, 2).await.unwrap();
    assert_eq!(again.len(), first.len(), "every wave is simulated again");
    assert!(
        again.iter().map(|f| f.orders).sum::<usize>() > 0,
        "the second run placed baskets too: {again:?}"
    );
    let done_again = stops_that_are(golmok_delivery_routing::StopStatus::Completed)
        .await
        .unwrap();
    assert!(
        done_again > done_first,
        "the new baskets' stops were ridden: {done_first} then {done_again}"
    );
    let pending = stops_that_are(golmok_delivery_routing::StopStatus::Pending)
        .await
        .unwrap();
    assert_eq!(pending, 0, "no stop is left to do");
}
