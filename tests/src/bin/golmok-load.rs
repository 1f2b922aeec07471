//! The load benchmark: concurrent shoppers browsing, searching and checking out against one
//! and then two `golmok` replicas on PostgreSQL with Redis, and pgbench running a transaction
//! with a checkout's reads and writes on the same PostgreSQL, all in one run, so the figures
//! are ratios on the same machine.
//!
//! ```sh
//! cargo build --release -p golmok-api -p golmok-e2e --bin golmok --bin golmok-load
//! target/release/golmok-load --shoppers 16 --seconds 20
//! ```
//!
//! PostgreSQL from `GOLMOK_TEST_POSTGRES_URL` or a throwaway cluster, as for the tests;
//! Redis and the replicas are started here.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use golmok_e2e::processes::{Redis, Replica, golmok, replica};
use reqwest::StatusCode;
use serde_json::{Value, json};

struct Options {
    shoppers: usize,
    seconds: u64,
}

fn options() -> Options {
    let mut o = Options {
        shoppers: 16,
        seconds: 20,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    for pair in args.chunks(2) {
        let value = pair.get(1).and_then(|v| v.parse().ok());
        match (pair[0].as_str(), value) {
            ("--shoppers", Some(v)) => o.shoppers = v as usize,
            ("--seconds", Some(v)) => o.seconds = v,
            _ => {
                eprintln!("usage: golmok-load [--shoppers N] [--seconds S]");
                std::process::exit(2);
            }
        }
    }
    o
}

/// Latencies per endpoint, in microseconds, and failures.
#[derive(Default)]
struct Samples {
    latencies: BTreeMap<&'static str, Vec<u64>>,
    failures: BTreeMap<&'static str, u64>,
}

struct World {
    consortium: String,
    listings: Vec<String>,
    tokens: Vec<String>,
}

async fn json_call(request: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let response = request.send().await.expect("the replica answers");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn prepare(base: &str, shoppers: usize) -> World {
    let client = reqwest::Client::new();
    let (_, owner) = json_call(
        client
            .post(format!("{base}/v1/auth/login"))
            .json(&json!({"email": "merchant@demo.golmok.kr", "password": "golmok-demo"})),
    )
    .await;
    let owner = owner["token"]
        .as_str()
        .expect("the demo merchant")
        .to_owned();
    let (_, consortia) = json_call(client.get(format!(
        "{base}/v1/consortia?district=%EB%A7%88%ED%8F%AC%EA%B5%AC"
    )))
    .await;
    let consortium = consortia["items"][0]["id"].as_str().unwrap().to_owned();
    let (_, found) = json_call(client.get(format!(
        "{base}/v1/listings?q=%EB%91%90%EB%B6%80&consortium_id={consortium}&limit=50"
    )))
    .await;
    let mut listings = Vec::new();
    for l in found["items"].as_array().into_iter().flatten() {
        let id = l["id"].as_str().unwrap_or_default().to_owned();
        // The tofu shop's piece goods, stocked for the whole run.
        let (status, _) = json_call(
            client
                .patch(format!("{base}/v1/listings/{id}"))
                .bearer_auth(&owner)
                .json(&json!({"stock": 10_000_000})),
        )
        .await;
        if status == StatusCode::OK && l["unit"] == "piece" {
            listings.push(id);
        }
    }
    assert!(
        !listings.is_empty(),
        "no listing of the demo tofu shop to buy"
    );
    let mut tokens = Vec::new();
    for i in 0..shoppers {
        let (status, body) =
            json_call(client.post(format!("{base}/v1/auth/signup")).json(&json!({
                "email": format!("load-{i}-{}@example.com", std::process::id()),
                "password": "golmok-load-test",
                "name": format!("Load shopper {i}"),
                "role": "shopper",
            })))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        tokens.push(body["token"].as_str().unwrap().to_owned());
    }
    World {
        consortium,
        listings,
        tokens,
    }
}

/// Every shopper loops browse → search → detail → checkout against `replicas` in turn
/// until the time is up.
async fn run(replicas: &[&Replica], world: &World, seconds: u64) -> Samples {
    let samples = Arc::new(Mutex::new(Samples::default()));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let client = reqwest::Client::new();
    let mut shoppers = Vec::new();
    for (i, token) in world.tokens.iter().enumerate() {
        let bases: Vec<String> = replicas.iter().map(|r| r.base.clone()).collect();
        let (client, token, samples) = (client.clone(), token.clone(), samples.clone());
        let consortium = world.consortium.clone();
        let listings = world.listings.clone();
        shoppers.push(tokio::spawn(async move {
            let mut n = i;
            while Instant::now() < deadline {
                let base = &bases[n % bases.len()];
                let listing = &listings[n % listings.len()];
                n += 1;
                let steps: [(&'static str, reqwest::RequestBuilder, StatusCode); 4] = [
                    (
                        "GET /v1/listings (browse)",
                        client.get(format!(
                            "{base}/v1/listings?consortium_id={consortium}&limit=20"
                        )),
                        StatusCode::OK,
                    ),
                    (
                        "GET /v1/listings?q= (search)",
                        client.get(format!("{base}/v1/listings?q=%EB%91%90%EB%B6%80&limit=20")),
                        StatusCode::OK,
                    ),
                    (
                        "GET /v1/listings/{id}",
                        client.get(format!("{base}/v1/listings/{listing}")),
                        StatusCode::OK,
                    ),
                    (
                        "POST /v1/orders (checkout)",
                        client
                            .post(format!("{base}/v1/orders"))
                            .bearer_auth(&token)
                            .json(&json!({
                                "consortium_id": consortium,
                                "items": [{"listing_id": listing, "quantity": 1}],
                                "fulfillment": {"kind": "pickup"},
                                "payment": {"provider": "offline"},
                            })),
                        StatusCode::CREATED,
                    ),
                ];
                for (name, request, expected) in steps {
                    let started = Instant::now();
                    let ok = match request.send().await {
                        Ok(r) => {
                            let status = r.status();
                            let _ = r.bytes().await;
                            status == expected
                        }
                        Err(_) => false,
                    };
                    let micros = started.elapsed().as_micros() as u64;
                    let mut s = samples.lock().unwrap_or_else(|p| p.into_inner());
                    if ok {
                        s.latencies.entry(name).or_default().push(micros);
                    } else {
                        *s.failures.entry(name).or_default() += 1;
                    }
                }
            }
        }));
    }
    for s in shoppers {
        let _ = s.await;
    }
    Arc::try_unwrap(samples)
        .ok()
        .and_then(|m| m.into_inner().ok())
        .unwrap_or_default()
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let index = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[index] as f64 / 1000.0
}

/// Prints the table; returns checkouts per second.
fn report(title: &str, mut samples: Samples, seconds: u64) -> f64 {
    println!("\n{title}");
    println!(
        "{:<32} {:>9} {:>9} {:>9} {:>9} {:>8}",
        "endpoint", "requests", "req/s", "p50 ms", "p99 ms", "failed"
    );
    let mut checkouts = 0.0;
    for (name, latencies) in samples.latencies.iter_mut() {
        latencies.sort_unstable();
        let rate = latencies.len() as f64 / seconds as f64;
        if name.starts_with("POST /v1/orders") {
            checkouts = rate;
        }
        println!(
            "{:<32} {:>9} {:>9.1} {:>9.1} {:>9.1} {:>8}",
            name,
            latencies.len(),
            rate,
            percentile(latencies, 0.50),
            percentile(latencies, 0.99),
            samples.failures.get(name).copied().unwrap_or(0)
        );
    }
    checkouts
}

/// pgbench with a transaction of a checkout's reads and writes: the session, the consortium
/// and the listing read, the conditional stock update, and inserts standing for the order,
/// its merchant order, line, reservation, payment, two ledger entries, the order event and
/// the outbox row. Transactions per second.
fn pgbench(database: &str, listing: &str, consortium: &str, clients: usize, seconds: u64) -> f64 {
    let setup = "CREATE TABLE IF NOT EXISTS bench_orders (id bigserial PRIMARY KEY, shopper int, total_krw bigint, created_at timestamptz DEFAULT now());
CREATE TABLE IF NOT EXISTS bench_rows (id bigserial PRIMARY KEY, order_id bigint, kind text, amount_krw bigint, created_at timestamptz DEFAULT now());";
    let status = std::process::Command::new("psql")
        .args(["-q", "-v", "ON_ERROR_STOP=1", database, "-c", setup])
        .status()
        .expect("psql (Debian's postgresql-client)");
    assert!(status.success(), "creating pgbench's tables");
    let script = std::env::temp_dir().join(format!("golmok-checkout-{}.sql", std::process::id()));
    std::fs::write(
        &script,
        "\\set shopper random(1, 100000)
BEGIN;
SELECT id, role FROM accounts LIMIT 1;
SELECT id, commission_bps FROM consortia WHERE id = :consortium;
SELECT id, price_krw, stock FROM listings WHERE id = :listing;
UPDATE listings SET stock = stock - 1 WHERE id = :listing AND stock >= 1;
INSERT INTO bench_orders (shopper, total_krw) VALUES (:shopper, 3500);
INSERT INTO bench_rows (order_id, kind, amount_krw) VALUES
  (currval('bench_orders_id_seq'), 'merchant_order', 3500),
  (currval('bench_orders_id_seq'), 'line', 3500),
  (currval('bench_orders_id_seq'), 'reservation', 1),
  (currval('bench_orders_id_seq'), 'payment', 3500),
  (currval('bench_orders_id_seq'), 'ledger', 3500),
  (currval('bench_orders_id_seq'), 'ledger', -3500),
  (currval('bench_orders_id_seq'), 'order_event', 0),
  (currval('bench_orders_id_seq'), 'outbox', 0);
COMMIT;
",
    )
    .unwrap();
    let output = std::process::Command::new("pgbench")
        .args([
            "-n",
            "-c",
            &clients.to_string(),
            "-j",
            "2",
            "-T",
            &seconds.to_string(),
            "-D",
            &format!("listing='{listing}'"),
            "-D",
            &format!("consortium='{consortium}'"),
            "-f",
        ])
        .arg(&script)
        .arg(database)
        .output()
        .expect("pgbench (Debian's postgresql-contrib or postgresql package)");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "pgbench failed: {text}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    text.lines()
        .find(|l| l.starts_with("tps = "))
        .and_then(|l| l.split_whitespace().nth(2))
        .and_then(|t| t.parse().ok())
        .unwrap_or(0.0)
}

#[tokio::main]
async fn main() {
    let o = options();
    let database = golmok_e2e::postgres::fresh_database().await;
    let redis = Redis::start();
    let seeded = golmok(&["seed", "--demo"], &database, &redis.url(), &[])
        .status()
        .expect("the golmok binary");
    assert!(seeded.success());
    let env = [
        ("GOLMOK_ORDERING__CHECKOUTS_PER_MINUTE", "100000000"),
        ("GOLMOK_DATABASE__MAX_CONNECTIONS", "20"),
    ];
    let a = replica(&database, &redis.url(), &env).await;
    let world = prepare(&a.base, o.shoppers).await;
    println!(
        "golmok-load: {} shoppers, {} s per run, PostgreSQL + Redis, {} listings",
        o.shoppers,
        o.seconds,
        world.listings.len()
    );

    let one = run(&[&a], &world, o.seconds).await;
    let one = report("1 replica", one, o.seconds);
    let b = replica(&database, &redis.url(), &env).await;
    let two = run(&[&a, &b], &world, o.seconds).await;
    let two = report("2 replicas", two, o.seconds);
    drop((a, b));

    let tps = pgbench(
        &database,
        &world.listings[0],
        &world.consortium,
        o.shoppers,
        o.seconds,
    );
    println!(
        "\npgbench, the same reads and writes as a checkout, {} clients: {tps:.1} tps",
        o.shoppers
    );
    println!(
        "checkouts/s vs pgbench: 1 replica {:.3}, 2 replicas {:.3}; 2 replicas / 1 replica {:.2}",
        one / tps.max(f64::MIN_POSITIVE),
        two / tps.max(f64::MIN_POSITIVE),
        two / one.max(f64::MIN_POSITIVE)
    );
}
