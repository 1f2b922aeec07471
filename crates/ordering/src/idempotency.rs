//! Retried writes. A client that did not hear the answer sends the same request again with
//! the same key; it gets the first result, and nothing happens twice.
//!
//! The key is claimed by inserting its row inside the use case's own transaction, before the
//! work. A concurrent duplicate's insert waits on that row (PostgreSQL's unique index, or
//! SQLite's single writer) and, once the first commits, fails: it then reads the stored answer.
//! If the first rolls back, the key was never taken.

use chrono::Utc;
use sea_orm::ActiveValue::Set;
use sea_orm::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use crate::entities::idempotency_key;
use crate::{DomainError, Result};

/// The field an invalid or reused key is reported under; a client names it its own way (the
/// API calls it by its header).
pub const KEY_FIELD: &str = "idempotency_key";

/// A key as the caller sent it, with a digest of the request it came with.
#[derive(Debug, Clone)]
pub struct IdempotencyKey {
    pub account_id: String,
    /// Which kind of write (`checkout`, `refund:{order}`): the same key may serve two.
    pub scope: String,
    pub key: String,
    pub request_hash: String,
}

impl IdempotencyKey {
    pub fn new(account_id: &str, scope: &str, key: &str, request_body: &[u8]) -> Result<Self> {
        if key.is_empty() || key.len() > 255 {
            return Err(golmok_core::ValidationErrors::single(
                KEY_FIELD,
                "must be 1 to 255 characters",
            )
            .into());
        }
        let hash = Sha256::digest(request_body);
        Ok(Self {
            account_id: account_id.to_owned(),
            scope: scope.to_owned(),
            key: key.to_owned(),
            request_hash: hash.iter().map(|b| format!("{b:02x}")).collect(),
        })
    }
}

/// Takes the key for this transaction's work; the work must then [`complete`] it in the
/// same transaction. A key already taken is `idempotency_key_taken`.
pub async fn claim(txn: &impl ConnectionTrait, key: &IdempotencyKey) -> Result<()> {
    let inserted = idempotency_key::ActiveModel {
        account_id: Set(key.account_id.clone()),
        key: Set(key.key.clone()),
        scope: Set(key.scope.clone()),
        request_hash: Set(key.request_hash.clone()),
        response_status: Set(None),
        response_body: Set(None),
        created_at: Set(Utc::now()),
    }
    .insert(txn)
    .await;
    match inserted {
        Ok(_) => Ok(()),
        Err(e) if golmok_core::error::is_unique_violation(&e) => Err(DomainError::conflict(
            "idempotency_key_taken",
            "this Idempotency-Key was used by another request moments ago",
        )),
        Err(e) => Err(e.into()),
    }
}

/// Looks for an earlier use of `key`, outside any transaction: the replay path.
pub async fn lookup<T: DeserializeOwned>(
    db: &DatabaseConnection,
    key: &IdempotencyKey,
) -> Result<Option<T>> {
    let found = idempotency_key::Entity::find_by_id((
        key.account_id.clone(),
        key.key.clone(),
        key.scope.clone(),
    ))
    .one(db)
    .await?;
    let Some(found) = found else { return Ok(None) };
    if found.request_hash != key.request_hash {
        return Err(golmok_core::ValidationErrors::single(
            KEY_FIELD,
            "was already used with a different request body",
        )
        .into());
    }
    match found.response_body {
        Some(body) => serde_json::from_str(&body).map(Some).map_err(|e| {
            DomainError::internal(format!("the result stored for a retried write: {e}"))
        }),
        None => Err(DomainError::conflict(
            "idempotency_key_in_progress",
            "the first request with this Idempotency-Key is still being processed",
        )),
    }
}

/// Stores the use case's result for the key, in the transaction that made it.
pub async fn complete<T: Serialize>(
    txn: &impl ConnectionTrait,
    key: &IdempotencyKey,
    result: &T,
) -> Result<()> {
    let body = serde_json::to_string(result)
        .map_err(|e| DomainError::internal(format!("storing a write's result: {e}")))?;
    idempotency_key::Entity::update_many()
        .col_expr(idempotency_key::Column::ResponseBody, Expr::value(body))
        .filter(idempotency_key::Column::AccountId.eq(key.account_id.as_str()))
        .filter(idempotency_key::Column::Key.eq(key.key.as_str()))
        .filter(idempotency_key::Column::Scope.eq(key.scope.as_str()))
        .exec(txn)
        .await?;
    Ok(())
}

/// Gives a claimed key back, unused: the work it was claimed for placed nothing.
pub async fn release(txn: &impl ConnectionTrait, key: &IdempotencyKey) -> Result<()> {
    idempotency_key::Entity::delete_many()
        .filter(idempotency_key::Column::AccountId.eq(key.account_id.as_str()))
        .filter(idempotency_key::Column::Key.eq(key.key.as_str()))
        .filter(idempotency_key::Column::Scope.eq(key.scope.as_str()))
        .filter(idempotency_key::Column::ResponseBody.is_null())
        .exec(txn)
        .await?;
    Ok(())
}

/// Runs `work` once per key: a replay returns the stored result, a unique-key race that lost
/// returns the winner's result, and a fresh key stores `work`'s result with its effects. The
/// result is the domain's value; how a replay is answered is the caller's business.
pub async fn once<T, F, Fut>(
    db: &DatabaseConnection,
    key: Option<&IdempotencyKey>,
    work: F,
) -> Result<T>
where
    T: Serialize + DeserializeOwned,
    F: FnOnce(sea_orm::DatabaseTransaction) -> Fut,
    Fut: std::future::Future<Output = Result<(sea_orm::DatabaseTransaction, T)>>,
{
    // Claiming first, not looking first: a fresh key (the usual case) costs one statement, and
    // a replay finds its key taken and reads the stored result.
    let txn = golmok_core::db::begin_write(db).await?;
    if let Some(key) = key {
        match claim(&txn, key).await {
            Ok(()) => {}
            Err(DomainError::Conflict {
                code: "idempotency_key_taken",
                ..
            }) => {
                drop(txn);
                return lookup(db, key).await?.ok_or_else(|| {
                    DomainError::conflict(
                        "idempotency_key_in_progress",
                        "the first request is still being processed",
                    )
                });
            }
            Err(e) => return Err(e),
        }
    }
    let (txn, response) = work(txn).await?;
    if let Some(key) = key {
        complete(&txn, key, &response).await?;
    }
    txn.commit().await?;
    Ok(response)
}
