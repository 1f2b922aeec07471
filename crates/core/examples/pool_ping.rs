//! What a ping on every pool acquire costs, beside the pool Golmok runs (a connection is
//! pinged only after 30 s idle; see `crates/api/src/db.rs`), in one run:
//!
//! ```sh
//! cargo run --release -p golmok-core --example pool_ping -- "sqlite:///tmp/pool_ping.db?mode=rwc"
//! cargo run --release -p golmok-core --example pool_ping -- "postgres://USER@HOST/DB"
//! ```
//!
//! It makes a table `pool_ping` of 1,000 rows, then times reads by key outside a transaction
//! (one acquire each) and one-row update transactions, three rounds of each setting
//! alternating. The table is dropped at the end.

use std::time::{Duration, Instant};

use sea_orm::{ConnectOptions, ConnectionTrait, Database, DbBackend, Statement, TransactionTrait};

const ROWS: usize = 1_000;
const ROUNDS: usize = 4_000;

/// Microseconds a read and a write transaction take on average.
async fn round(url: &str, ping_every_acquire: bool) -> (f64, f64) {
    let mut options = ConnectOptions::new(url.to_owned());
    options.sqlx_logging(false).max_connections(4);
    if !ping_every_acquire {
        options.test_before_acquire_if_idle_for(Duration::from_secs(30));
    }
    let db = Database::connect(options).await.expect("connecting");
    let backend = db.get_database_backend();
    let param = match backend {
        DbBackend::Postgres => "$1",
        _ => "?",
    };
    // The statements are written once: only the pool's work differs between the settings.
    let read = format!("SELECT id, n FROM pool_ping WHERE id = {param}");
    let update = format!("UPDATE pool_ping SET n = n + 1 WHERE id = {param}");
    let by_key = |sql: &str, i: usize| {
        Statement::from_sql_and_values(backend, sql, [format!("row{}", i % ROWS).into()])
    };
    db.execute_unprepared("DROP TABLE IF EXISTS pool_ping")
        .await
        .expect("dropping");
    db.execute_unprepared("CREATE TABLE pool_ping (id TEXT PRIMARY KEY, n BIGINT)")
        .await
        .expect("creating");
    let rows: Vec<String> = (0..ROWS).map(|i| format!("('row{i}', {i})")).collect();
    db.execute_unprepared(&format!("INSERT INTO pool_ping VALUES {}", rows.join(", ")))
        .await
        .expect("inserting");
    let started = Instant::now();
    for i in 0..ROUNDS {
        db.query_one_raw(by_key(&read, i)).await.expect("reading");
    }
    let read = started.elapsed().as_secs_f64() / ROUNDS as f64 * 1e6;
    let started = Instant::now();
    for i in 0..ROUNDS {
        let txn = db.begin().await.expect("beginning");
        txn.execute_raw(by_key(&update, i)).await.expect("updating");
        txn.commit().await.expect("committing");
    }
    let write = started.elapsed().as_secs_f64() / ROUNDS as f64 * 1e6;
    db.execute_unprepared("DROP TABLE pool_ping")
        .await
        .expect("dropping");
    (read, write)
}

fn main() {
    let url = std::env::args()
        .nth(1)
        .expect("usage: pool_ping DATABASE_URL");
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let mut pinged = Vec::new();
    let mut idle_only = Vec::new();
    for _ in 0..3 {
        pinged.push(runtime.block_on(round(&url, true)));
        idle_only.push(runtime.block_on(round(&url, false)));
    }
    for (label, runs) in [
        ("ping on every acquire", &pinged),
        ("ping after 30 s idle", &idle_only),
    ] {
        let reads: Vec<String> = runs.iter().map(|r| format!("{:.0}", r.0)).collect();
        let writes: Vec<String> = runs.iter().map(|r| format!("{:.0}", r.1)).collect();
        println!(
            "{label:<22} read {} us, write transaction {} us",
            reads.join(" / "),
            writes.join(" / ")
        );
    }
    let mean = |runs: &[(f64, f64)], f: fn(&(f64, f64)) -> f64| {
        runs.iter().map(f).sum::<f64>() / runs.len() as f64
    };
    println!(
        "after 30 s idle over every acquire: read {:.2}, write transaction {:.2} (time ratio)",
        mean(&idle_only, |r| r.0) / mean(&pinged, |r| r.0),
        mean(&idle_only, |r| r.1) / mean(&pinged, |r| r.1)
    );
}
