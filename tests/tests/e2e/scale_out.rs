//! Several `golmok` processes over one PostgreSQL and one Redis, as production runs them:
//! API replicas sharing events, rate limits and stock, and planning workers sharing jobs.
//! Each test starts its own Redis (`redis-server` from Debian's package) on a free port and
//! the real binary, built beside these tests, on free ports.

use std::time::{Duration, Instant};

use golmok_e2e::processes::{Process, Redis, Replica, free_port, golmok, replica, replica_with};

use reqwest::StatusCode;
use serde_json::{Value, json};

async fn call(
    method: reqwest::Method,
    url: String,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = reqwest::Client::new().request(method, url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn post(r: &Replica, path: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
    call(
        reqwest::Method::POST,
        format!("{}{path}", r.base),
        token,
        Some(body),
    )
    .await
}

async fn get(r: &Replica, path: &str, token: Option<&str>) -> (StatusCode, Value) {
    call(
        reqwest::Method::GET,
        format!("{}{path}", r.base),
        token,
        None,
    )
    .await
}

async fn login(r: &Replica, email: &str, password: &str) -> (StatusCode, Value) {
    post(
        r,
        "/v1/auth/login",
        None,
        json!({"email": email, "password": password}),
    )
    .await
}

async fn token(r: &Replica, email: &str) -> String {
    let (status, body) = login(r, email, "golmok-demo").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["token"].as_str().unwrap().to_owned()
}

/// The demo's Mangwon consortium, its tofu listing and the tofu shop's id.
async fn tofu_of_mangwon(r: &Replica) -> (String, Value, String) {
    let (_, consortia) = get(
        r,
        "/v1/consortia?district=%EB%A7%88%ED%8F%AC%EA%B5%AC",
        None,
    )
    .await;
    let mangwon = consortia["items"][0]["id"].as_str().unwrap().to_owned();
    let (_, found) = get(
        r,
        &format!("/v1/listings?q=%EC%86%90%EB%91%90%EB%B6%80&consortium_id={mangwon}"),
        None,
    )
    .await;
    let tofu = found["items"][0].clone();
    let shop = tofu["merchant_id"].as_str().unwrap().to_owned();
    (mangwon, tofu, shop)
}

/// An open Server-Sent Events stream of `path` for `token`.
async fn listen(r: &Replica, path: &str, token: &str) -> reqwest::Response {
    let response = reqwest::Client::new()
        .get(format!("{}{path}", r.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response
}

/// Redis, and two replicas sharing it and a fresh PostgreSQL database seeded with the demo.
async fn two_replicas_on_the_demo() -> (Redis, Replica, Replica) {
    let database = golmok_e2e::postgres::fresh_database().await;
    let redis = Redis::start();
    let seeded = golmok(&["seed", "--demo"], &database, &redis.url(), &[])
        .status()
        .unwrap();
    assert!(seeded.success());
    let a = replica(&database, &redis.url(), &[]).await;
    let b = replica(&database, &redis.url(), &[]).await;
    (redis, a, b)
}

#[tokio::test]
async fn replicas_share_live_events_login_limits_and_stock() {
    let (_redis, a, b) = two_replicas_on_the_demo().await;

    // A merchant listening on replica A hears of an order placed on replica B.
    let owner = token(&a, "merchant@demo.golmok.kr").await;
    let shopper = token(&b, "shopper@demo.golmok.kr").await;
    let (mangwon, tofu, shop) = tofu_of_mangwon(&b).await;
    let mut events = listen(&a, &format!("/v1/merchants/{shop}/events"), &owner).await;
    assert!(
        events.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    // Nobody else may listen to the shop.
    let (status, _) = get(&a, &format!("/v1/merchants/{shop}/events"), Some(&shopper)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let basket = |quantity: i64| {
        json!({"consortium_id": mangwon, "items": [{"listing_id": tofu["id"], "quantity": quantity}],
               "fulfillment": {"kind": "pickup"}, "payment": {"provider": "offline"}})
    };
    let (status, order) = post(&b, "/v1/orders", Some(&shopper), basket(1)).await;
    assert_eq!(status, StatusCode::CREATED, "{order}");
    let order_id = order["id"].as_str().unwrap();
    let heard = golmok_e2e::read_events_until(&mut events, order_id).await;
    assert!(heard.contains("event: new_order"), "{heard}");
    // The shopper, on A, follows the order as the shop (on B) accepts it.
    let mut order_events = listen(&a, &format!("/v1/orders/{order_id}/events"), &shopper).await;
    let part = order["merchant_orders"][0]["id"].as_str().unwrap();
    let (status, _) = post(
        &b,
        &format!("/v1/merchant-orders/{part}/accept"),
        Some(&owner),
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let heard = golmok_e2e::read_events_until(&mut order_events, "\"to\":\"accepted\"").await;
    assert!(heard.contains("event: status"), "{heard}");

    // Failed logins count across replicas: 5 allowed, wherever they land.
    for i in 0..5 {
        let replica = if i % 2 == 0 { &a } else { &b };
        let (status, _) = login(replica, "coordinator@demo.golmok.kr", "wrong password").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, body) = login(&a, "coordinator@demo.golmok.kr", "golmok-demo").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    let (status, _) = login(&b, "coordinator@demo.golmok.kr", "golmok-demo").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);

    // Checkouts spread over both replicas never oversell: 6 left, 20 shoppers' worth of tries.
    let (status, listing) = call(
        reqwest::Method::PATCH,
        format!("{}/v1/listings/{}", a.base, tofu["id"].as_str().unwrap()),
        Some(&owner),
        Some(json!({"stock": 6})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{listing}");
    let attempts = (0..20).map(|i| {
        let replica = if i % 2 == 0 { &a } else { &b };
        post(replica, "/v1/orders", Some(&shopper), basket(1))
    });
    let outcomes = futures::future::join_all(attempts).await;
    let placed = outcomes
        .iter()
        .filter(|(s, _)| *s == StatusCode::CREATED)
        .count();
    let refused = outcomes
        .iter()
        .filter(|(s, _)| *s == StatusCode::CONFLICT)
        .count();
    assert_eq!((placed, refused), (6, 14), "{outcomes:?}");
    let (_, after) = get(
        &b,
        &format!("/v1/listings/{}", tofu["id"].as_str().unwrap()),
        None,
    )
    .await;
    assert_eq!(after["stock"], 0);
}

/// Listing pages are served from the shared cache, and a change made through one replica
/// is on the other's pages at once: a price edited on A, stock taken by a checkout on B,
/// a listing archived on A; and with nothing changed, the page is the cached one.
#[tokio::test]
async fn cached_listing_pages_change_on_every_replica_at_once() {
    let (redis, a, b) = two_replicas_on_the_demo().await;
    let owner = token(&a, "merchant@demo.golmok.kr").await;
    let shopper = token(&b, "shopper@demo.golmok.kr").await;
    let (mangwon, tofu, shop) = tofu_of_mangwon(&b).await;
    let tofu_id = tofu["id"].as_str().unwrap().to_owned();
    let pages = [
        format!("/v1/listings?consortium_id={mangwon}&limit=100"),
        format!("/v1/listings?merchant_id={shop}&limit=100"),
        format!("/v1/listings?q=%EC%86%90%EB%91%90%EB%B6%80&consortium_id={mangwon}"),
        format!("/v1/listings/{tofu_id}"),
    ];
    let tofu_on = |page: &Value| -> Value {
        if page["id"] == tofu_id.as_str() {
            return page.clone();
        }
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["id"] == tofu_id.as_str())
            .cloned()
            .unwrap_or(Value::Null)
    };
    // Both replicas read (and cache) every page.
    for r in [&a, &b] {
        for page in &pages {
            let (status, body) = get(r, page, None).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            assert_eq!(tofu_on(&body)["price_krw"], tofu["price_krw"]);
        }
    }
    // Nothing changed: the same page, from the shared cache, on either replica.
    let mut r = redis.conn().await;
    let cached: Vec<String> = redis::cmd("KEYS")
        .arg("*listings:*")
        .query_async(&mut r)
        .await
        .unwrap();
    assert!(cached.len() >= 3, "the pages are in Redis: {cached:?}");

    // A price edited on A is on B's pages at once.
    let price = tofu["price_krw"].as_i64().unwrap() + 700;
    let (status, _) = call(
        reqwest::Method::PATCH,
        format!("{}/v1/listings/{tofu_id}", a.base),
        Some(&owner),
        Some(json!({"price_krw": price})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    for page in &pages {
        let (_, body) = get(&b, page, None).await;
        assert_eq!(tofu_on(&body)["price_krw"], price, "{page}");
    }
    // Stock taken by a checkout on B is on A's pages at once. A consortium in another
    // district, whose shops are not the tofu shop's, keeps its cached page.
    let (_, consortia) = get(&a, "/v1/consortia?limit=100", None).await;
    let elsewhere = consortia["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["district"] != "마포구")
        .and_then(|c| c["id"].as_str())
        .expect("a consortium outside Mapo in the demo")
        .to_owned();
    let elsewhere_page = format!("/v1/listings?consortium_id={elsewhere}&limit=100");
    let (status, before) = get(&a, &elsewhere_page, None).await;
    assert_eq!(status, StatusCode::OK, "{before}");
    let pages_cached_of = async |consortium: &str| -> usize {
        let keys: Vec<String> = redis::cmd("KEYS")
            .arg(format!("*listings:*{consortium}*"))
            .query_async(&mut redis.conn().await)
            .await
            .unwrap();
        keys.len()
    };
    let (elsewhere_cached, mangwon_cached) = (
        pages_cached_of(&elsewhere).await,
        pages_cached_of(&mangwon).await,
    );
    let stock = tofu_on(&get(&a, &pages[0], None).await.1)["stock"]
        .as_i64()
        .unwrap();
    let (status, order) = post(
        &b,
        "/v1/orders",
        Some(&shopper),
        json!({"consortium_id": mangwon, "items": [{"listing_id": tofu_id, "quantity": 2}],
               "fulfillment": {"kind": "pickup"}, "payment": {"provider": "offline"}}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{order}");
    for page in &pages {
        let (_, body) = get(&a, page, None).await;
        assert_eq!(tofu_on(&body)["stock"], stock - 2, "{page}");
    }
    let (_, after) = get(&b, &elsewhere_page, None).await;
    assert_eq!(after, before);
    assert_eq!(
        pages_cached_of(&elsewhere).await,
        elsewhere_cached,
        "the other consortium's page was served from the cache, not made again"
    );
    assert!(
        pages_cached_of(&mangwon).await > mangwon_cached,
        "Mangwon's pages were made again"
    );
    // Archived on A: off B's lists at once.
    let (status, _) = call(
        reqwest::Method::DELETE,
        format!("{}/v1/listings/{tofu_id}", a.base),
        Some(&owner),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    for page in &pages[..3] {
        let (_, body) = get(&b, page, None).await;
        assert_eq!(tofu_on(&body), Value::Null, "{page}");
    }
}

#[tokio::test]
async fn a_planning_job_left_by_a_killed_worker_is_planned_once_by_another() {
    let database = golmok_e2e::postgres::fresh_database().await;
    let redis = Redis::start();
    let mut r = redis.conn().await;
    let quick = [
        ("GOLMOK_ROUTING__PLANNER_SWEEP_SECS", "1"),
        ("GOLMOK_REDIS__JOB_CLAIM_IDLE_SECS", "2"),
    ];

    // An API replica (no worker) to set up a network.
    let api = replica(&database, &redis.url(), &quick).await;
    let admin_email = format!("admin-{}@example.com", uuid::Uuid::new_v4().simple());
    let made = golmok(
        &[
            "admin",
            "create",
            "--email",
            &admin_email,
            "--password",
            "golmok-test-pass",
            "--role",
            "admin",
        ],
        &database,
        &redis.url(),
        &[],
    )
    .status()
    .unwrap();
    assert!(made.success());
    let (_, session) = login(&api, &admin_email, "golmok-test-pass").await;
    let admin = session["token"].as_str().unwrap().to_owned();
    let (status, network) = post(
        &api,
        "/v1/networks",
        Some(&admin),
        json!({
            "name": "마포 야간 공동배송",
            "hub": {"lat": 37.5560, "lon": 126.9060},
            "area": {"type": "Polygon", "coordinates": [[[126.88, 37.54], [126.94, 37.54], [126.94, 37.58], [126.88, 37.58], [126.88, 37.54]]]},
            "waves": [{"name": "점심", "start": "11:00", "end": "13:00", "cutoff": "10:00"}],
        }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{network}");
    let network_id = network["id"].as_str().unwrap().to_owned();
    let tomorrow = (chrono::Utc::now() + chrono::Duration::hours(9 + 24)).date_naive();
    let (_, slots) = get(
        &api,
        &format!("/v1/networks/{network_id}/slots?date={tomorrow}"),
        None,
    )
    .await;
    let slot_id = slots["items"][0]["id"].as_str().unwrap().to_owned();
    let scheduler = golmok_api::scale_out::connect(&redis::Client::open(redis.url()).unwrap())
        .await
        .unwrap();

    // Worker A starts, then freezes while it waits for a job. A blocking read is held for
    // Redis's `BLOCK` time only, so A is frozen within a second of issuing one, with the
    // network already set up: the job below then reaches it however slow the machine is.
    let worker_a = Process(
        golmok(&["worker"], &database, &redis.url(), &quick)
            .spawn()
            .unwrap(),
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    while !freshly_blocked_read(&mut r).await {
        assert!(
            Instant::now() < deadline,
            "worker A never waited for a planning job"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    worker_a.signal("STOP");

    // The scheduler enqueues the slot's job once, however many replicas sweep.
    for first in [true, false] {
        assert_eq!(
            golmok_api::planning::enqueue(&scheduler, &network_id, &slot_id)
                .await
                .unwrap(),
            first
        );
    }
    // A duplicate of it (two schedulers racing past the marker, say): still one plan.
    let job = |r: &mut redis::aio::MultiplexedConnection| {
        let (network_id, slot_id) = (network_id.clone(), slot_id.clone());
        let mut r = r.clone();
        async move {
            redis::cmd("XADD")
                .arg("golmok:planning")
                .arg("*")
                .arg("network_id")
                .arg(network_id)
                .arg("slot_id")
                .arg(slot_id)
                .arg("since")
                .arg(chrono::Utc::now().to_rfc3339())
                .query_async::<String>(&mut r)
                .await
                .unwrap()
        }
    };
    let second = job(&mut r).await;

    // The frozen worker A is handed the job: it is pending on A.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let pending = pending_jobs(&mut r).await;
        if pending == 1 {
            break;
        }
        assert!(Instant::now() < deadline, "a job never reached worker A");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // A dies mid-job.
    worker_a.signal("KILL");
    drop(worker_a);

    // B, an API replica that also works (`serve --with-worker`), claims the abandoned job
    // once it has been idle long enough, and plans the slot.
    let _worker_b = replica_with(&database, &redis.url(), &quick, &["--with-worker"]).await;
    let db = sea_orm::Database::connect(database.as_str()).await.unwrap();
    use sea_orm::ConnectionTrait;
    // Only this slot's plans: today's slot of the same wave may be past its cut-off when the
    // test runs, and the scheduler then rightly plans it too.
    let plans = || async {
        let row = db
            .query_one_raw(sea_orm::Statement::from_sql_and_values(
                sea_orm::DatabaseBackend::Postgres,
                "SELECT count(*) AS n FROM plans WHERE slot_id = $1",
                [slot_id.clone().into()],
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get::<i64>("", "n").unwrap()
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while plans().await == 0 {
        assert!(Instant::now() < deadline, "no worker planned the slot");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Both jobs end acknowledged, the abandoned one claimed from A, and one plan stands.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let pending = pending_jobs(&mut r).await;
        // The second job, or one the scheduler enqueued after it, was the last handed out.
        let delivered = last_delivered(&mut r).await;
        if pending == 0 && delivered.as_deref().map(stream_id) >= Some(stream_id(&second)) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the second job was never taken and acknowledged"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(plans().await, 1, "the slot was planned more than once");
}

/// A stream entry id (`{ms}-{seq}`) as a pair that orders like the stream.
fn stream_id(id: &str) -> (u64, u64) {
    let (ms, seq) = id.split_once('-').unwrap_or((id, "0"));
    (ms.parse().unwrap_or(0), seq.parse().unwrap_or(0))
}

/// Whether a client is blocked in `XREADGROUP` and issued it less than a second ago.
async fn freshly_blocked_read(r: &mut redis::aio::MultiplexedConnection) -> bool {
    let clients: String = redis::cmd("CLIENT")
        .arg("LIST")
        .query_async(r)
        .await
        .unwrap();
    clients.lines().any(|client| {
        let field = |name: &str| {
            client
                .split(' ')
                .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
        };
        field("cmd") == Some("xreadgroup")
            && field("flags").is_some_and(|f| f.contains('b'))
            && field("idle") == Some("0")
    })
}

/// Planning jobs taken by a worker and not yet acknowledged.
async fn pending_jobs(r: &mut redis::aio::MultiplexedConnection) -> i64 {
    let summary: (i64, Option<String>, Option<String>, redis::Value) = redis::cmd("XPENDING")
        .arg("golmok:planning")
        .arg("planners")
        .query_async(r)
        .await
        .unwrap();
    summary.0
}

/// The planners group's last delivered stream id.
async fn last_delivered(r: &mut redis::aio::MultiplexedConnection) -> Option<String> {
    let groups: redis::Value = redis::cmd("XINFO")
        .arg("GROUPS")
        .arg("golmok:planning")
        .query_async(r)
        .await
        .ok()?;
    let text = |v: &redis::Value| match v {
        redis::Value::BulkString(b) => String::from_utf8(b.clone()).ok(),
        redis::Value::SimpleString(s) => Some(s.clone()),
        _ => None,
    };
    let redis::Value::Array(groups) = groups else {
        return None;
    };
    for group in groups {
        let pairs: Vec<(redis::Value, redis::Value)> = match group {
            redis::Value::Array(items) => items
                .chunks(2)
                .filter_map(|c| Some((c.first()?.clone(), c.get(1)?.clone())))
                .collect(),
            redis::Value::Map(pairs) => pairs,
            _ => continue,
        };
        for (k, v) in pairs {
            if text(&k).as_deref() == Some("last-delivered-id") {
                return text(&v);
            }
        }
    }
    None
}

#[tokio::test]
async fn with_redis_down_the_api_serves_and_events_catch_up_when_it_returns() {
    let database = golmok_e2e::postgres::fresh_database().await;
    let port = free_port();
    let url = format!("redis://127.0.0.1:{port}");
    let redis = Redis::start_on(port);
    let seeded = golmok(&["seed", "--demo"], &database, &url, &[])
        .status()
        .unwrap();
    assert!(seeded.success());
    let api = replica(&database, &url, &[]).await;
    let owner = token(&api, "merchant@demo.golmok.kr").await;
    let shopper = token(&api, "shopper@demo.golmok.kr").await;
    let (mangwon, tofu, shop) = tofu_of_mangwon(&api).await;
    let mut events = listen(&api, &format!("/v1/merchants/{shop}/events"), &owner).await;

    // Redis goes away: readiness says so, reads and writes go on.
    drop(redis);
    let (status, body) = get(&api, "/readyz", None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    let (status, _) = get(
        &api,
        &format!("/v1/listings/{}", tofu["id"].as_str().unwrap()),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, order) = post(
        &api,
        "/v1/orders",
        Some(&shopper),
        json!({"consortium_id": mangwon, "items": [{"listing_id": tofu["id"], "quantity": 1}],
               "fulfillment": {"kind": "pickup"}, "payment": {"provider": "offline"}}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{order}");
    let order_id = order["id"].as_str().unwrap().to_owned();

    // Redis is back: ready again, and the event written meanwhile reaches the listener.
    let _redis = Redis::start_on(port);
    let deadline = Instant::now() + Duration::from_secs(30);
    while get(&api, "/readyz", None).await.0 != StatusCode::OK {
        assert!(
            Instant::now() < deadline,
            "never ready again after Redis returned"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let heard = golmok_e2e::read_events_until(&mut events, &order_id).await;
    assert!(heard.contains("event: new_order"), "{heard}");
}

#[tokio::test]
async fn a_replica_starts_before_redis_and_is_ready_once_redis_is_up() {
    let database = golmok_e2e::postgres::fresh_database().await;
    let port = free_port();
    let url = format!("redis://127.0.0.1:{port}");
    let http = free_port();
    let bind = format!("127.0.0.1:{http}");
    let _api = Process(
        golmok(&["serve", "--bind", &bind], &database, &url, &[])
            .spawn()
            .unwrap(),
    );
    let base = format!("http://{bind}");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !status_is_ok(&format!("{base}/healthz")).await {
        assert!(
            Instant::now() < deadline,
            "the replica never came up without Redis"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let ready = reqwest::get(format!("{base}/readyz")).await.unwrap();
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    let _redis = Redis::start_on(port);
    let deadline = Instant::now() + Duration::from_secs(30);
    while !status_is_ok(&format!("{base}/readyz")).await {
        assert!(Instant::now() < deadline, "never ready after Redis came up");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn status_is_ok(url: &str) -> bool {
    reqwest::get(url)
        .await
        .is_ok_and(|r| r.status() == StatusCode::OK)
}
