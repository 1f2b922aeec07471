//! A backup of the embedded SQLite database taken while shoppers check out is one consistent
//! moment: restored, its ledger balances, and every listing's shelf stock plus what live
//! reservations hold equals the stock it started with.

use golmok_e2e::{Engine, TestApp};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};
use serde_json::{Value, json};

async fn scalar(db: &DatabaseConnection, sql: &str) -> i64 {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<Option<i64>>(0).unwrap().unwrap_or(0)
}

/// Each listing's shelf stock plus what live reservations hold, by listing.
async fn stock_in_hand(db: &DatabaseConnection) -> Vec<(String, i64)> {
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT l.id, l.stock + COALESCE((SELECT SUM(r.quantity) FROM stock_reservations r \
             WHERE r.listing_id = l.id AND r.released_at IS NULL), 0) FROM listings l ORDER BY l.id",
        ))
        .await
        .unwrap();
    rows.iter()
        .map(|r| {
            (
                r.try_get_by_index::<String>(0).unwrap(),
                r.try_get_by_index::<i64>(1).unwrap(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_during_checkouts_restores_whole() {
    let app = TestApp::start(Engine::Sqlite).await;
    golmok_demo::seed::demo(&app.state.db, app.state.cache.as_ref())
        .await
        .expect("the demo");
    let before = stock_in_hand(&app.state.db).await;
    let shopper = golmok_e2e::demo::login(&app, "shopper@demo.golmok.kr").await;
    let consortia = app.get("/v1/consortia", None).await.body;
    let mangwon = consortia["items"]
        .as_array()
        .and_then(|c| {
            c.iter().find(|c| {
                c["name"]
                    .as_str()
                    .is_some_and(|n| n.starts_with("망원시장"))
            })
        })
        .cloned()
        .expect("Mangwon's consortium");
    let listings = app
        .get(
            &format!(
                "/v1/listings?consortium_id={}&limit=100",
                mangwon["id"].as_str().unwrap_or_default()
            ),
            None,
        )
        .await
        .body;
    let pieces: Vec<Value> = listings["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|l| l["unit"] == "piece" && l["stock"].as_i64().unwrap_or(0) >= 40)
        .take(3)
        .map(|l| l["id"].clone())
        .collect();
    assert_eq!(pieces.len(), 3, "three goods sold by the piece: {listings}");

    let checkout = |n: usize| {
        let body = json!({
            "consortium_id": mangwon["id"],
            "items": [{"listing_id": pieces[n % 3], "quantity": 1},
                      {"listing_id": pieces[(n + 1) % 3], "quantity": 2}],
            "fulfillment": {"kind": "pickup"},
            "payment": {"provider": "offline"},
        });
        let (app, shopper) = (&app, &shopper);
        async move { app.post("/v1/orders", Some(shopper), &body).await }
    };
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("backup.db");
    let checkouts = futures::future::join_all((0..20).map(checkout));
    let backup = async {
        // Mid-way through the checkouts.
        tokio::time::sleep(std::time::Duration::from_millis(30)).await;
        golmok_api::backup::backup(&app.state.db, &copy).await
    };
    let (placed, backed_up) = tokio::join!(checkouts, backup);
    backed_up.expect("the backup");
    for reply in &placed {
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    }

    // Restored into a fresh database file, as `golmok restore` does.
    let restored = dir.path().join("restored.db");
    let url = format!("sqlite://{}?mode=rwc", restored.display());
    golmok_api::backup::restore(&url, &copy).expect("the restore");
    let db = Database::connect(&url).await.unwrap();
    let unbalanced = scalar(
        &db,
        "SELECT COUNT(*) FROM (SELECT transaction_id FROM ledger_entries GROUP BY transaction_id \
         HAVING SUM(amount_krw) <> 0) t",
    )
    .await;
    assert_eq!(unbalanced, 0, "every ledger transaction balances");
    assert_eq!(
        stock_in_hand(&db).await,
        before,
        "no stock lost or left held"
    );
    let orders = scalar(&db, "SELECT COUNT(*) FROM orders").await;
    assert!(orders <= 20, "{orders} orders");
    eprintln!("the backup holds {orders} of the 20 orders");
    let partial = scalar(
        &db,
        "SELECT COUNT(*) FROM orders o WHERE NOT EXISTS (SELECT 1 FROM payments p WHERE p.id = o.payment_id) \
         OR NOT EXISTS (SELECT 1 FROM merchant_orders m WHERE m.order_id = o.id)",
    )
    .await;
    assert_eq!(partial, 0, "every order in the copy is whole");
    let lines = scalar(&db, "SELECT COUNT(*) FROM order_lines").await;
    assert_eq!(lines, 2 * orders, "two lines an order");
    // The live database went on: all twenty are there.
    assert_eq!(
        scalar(&app.state.db, "SELECT COUNT(*) FROM orders").await,
        20
    );
}

/// SQLite waits for the disk at checkpoints unless told to wait at every commit; either way
/// the setting reaches every connection of the pool.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_durability_is_the_configured_one() {
    // PRAGMA synchronous: 1 is NORMAL, 2 is FULL.
    for (setting, expected) in [(None, 1), (Some("full"), 2), (Some("normal"), 1)] {
        let overrides = match setting {
            Some(s) => json!({"database": {"sqlite_sync": s}}),
            None => json!({}),
        };
        let app = TestApp::start_with(Engine::Sqlite, overrides).await;
        // More reads at once than one connection: each connection says the same.
        let reads = (0..5).map(|_| scalar(&app.state.db, "PRAGMA synchronous"));
        for got in futures::future::join_all(reads).await {
            assert_eq!(got, expected, "{setting:?}");
        }
    }
}
