//! The relay: publishes outbox rows not yet published, oldest first.
//!
//! On PostgreSQL the rows are taken with `FOR UPDATE SKIP LOCKED`, so relays on several
//! replicas share the work without publishing a row twice in the normal case; a relay that
//! dies before its commit leaves its rows for another. Publishing happens before the rows are
//! marked, so a crash in between publishes them again: at least once, never lost.

use chrono::Utc;
use sea_orm::prelude::*;
use sea_orm::sea_query::{LockBehavior, LockType};
use sea_orm::{DatabaseBackend, QueryOrder, QuerySelect, TransactionTrait};

use crate::EventBus;
use crate::outbox::{entity, event_of};

/// Publishes up to `batch` unsent events; how many went out. Stops at the first the bus
/// refuses, leaving it and later ones for the next round.
pub async fn publish_pending(
    db: &DatabaseConnection,
    bus: &dyn EventBus,
    batch: u64,
) -> Result<usize, DbErr> {
    // Most rounds find nothing: look before taking a write transaction (on SQLite, the lock).
    let waiting = entity::Entity::find()
        .filter(entity::Column::PublishedAt.is_null())
        .one(db)
        .await?;
    if waiting.is_none() {
        return Ok(0);
    }
    let txn = if db.get_database_backend() == DatabaseBackend::Sqlite {
        golmok_core::db::begin_write(db).await?
    } else {
        db.begin().await?
    };
    let mut query = entity::Entity::find()
        .filter(entity::Column::PublishedAt.is_null())
        .order_by_asc(entity::Column::Id)
        .limit(batch);
    if db.get_database_backend() == DatabaseBackend::Postgres {
        query = query.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let rows = query.all(&txn).await?;
    let mut sent = Vec::new();
    for row in rows {
        let id = row.id.clone();
        if let Err(e) = bus.publish(&event_of(row)).await {
            tracing::warn!(error = %e, "the event bus refused an event; it stays in the outbox");
            break;
        }
        sent.push(id);
    }
    if !sent.is_empty() {
        entity::Entity::update_many()
            .col_expr(entity::Column::PublishedAt, Expr::value(Utc::now()))
            .filter(entity::Column::Id.is_in(sent.clone()))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(sent.len())
}
