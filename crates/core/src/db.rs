//! Database helpers shared by the domain crates.

use sea_orm::{
    AccessMode, DatabaseConnection, DatabaseTransaction, DbErr, SqliteTransactionMode,
    TransactionOptions, TransactionTrait,
};

/// Begins a transaction that will write. On SQLite it takes the write lock at `BEGIN`
/// (`BEGIN IMMEDIATE`), so concurrent writers queue behind the busy timeout instead of
/// failing when a read-then-write transaction tries to upgrade its lock; PostgreSQL ignores
/// the mode and relies on row locks and conditional updates. (Its transactions read and
/// write by default: saying so took a round trip of its own on every write.)
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    let options = TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    };
    db.begin_with_options(options).await
}

/// Begins a transaction that only reads, so a view assembled from several tables is one
/// consistent snapshot (an order's status and its payment's from the same moment). PostgreSQL
/// needs `REPEATABLE READ` for that (each statement of `READ COMMITTED` sees its own moment);
/// SQLite's deferred transaction holds one snapshot from its first read.
pub async fn begin_read(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    let options = match db.get_database_backend() {
        sea_orm::DatabaseBackend::Postgres => TransactionOptions {
            isolation_level: Some(sea_orm::IsolationLevel::RepeatableRead),
            access_mode: Some(AccessMode::ReadOnly),
            ..Default::default()
        },
        _ => TransactionOptions::default(),
    };
    db.begin_with_options(options).await
}
