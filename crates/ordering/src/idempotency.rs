//! Retried writes. A client that did not hear the answer sends the same request again with
//! the same `Idempotency-Key`; it gets the first answer, and nothing happens twice.
//!
//! The key is claimed by inserting its row inside the use case's own transaction, before the
//! work. A concurrent duplicate's insert waits on that row (PostgreSQL's unique index, or
//! SQLite's single writer) and, once the first commits, fails: it then reads the stored answer.
//! If the first rolls back, the key was never taken.

use chrono::Utc;
use sea_orm::ActiveValue::Set;
use sea_orm::prelude::*;
use sha2::{Digest, Sha256};

use crate::entities::idempotency_key;
use crate::{DomainError, Result};

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
                "Idempotency-Key",
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

/// The answer stored for a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    pub status: u16,
    pub body: String,
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
pub async fn lookup(
    db: &DatabaseConnection,
    key: &IdempotencyKey,
) -> Result<Option<StoredResponse>> {
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
            "Idempotency-Key",
            "was already used with a different request body",
        )
        .into());
    }
    match (found.response_status, found.response_body) {
        (Some(status), Some(body)) => Ok(Some(StoredResponse {
            status: status as u16,
            body,
        })),
        _ => Err(DomainError::conflict(
            "idempotency_key_in_progress",
            "the first request with this Idempotency-Key is still being processed",
        )),
    }
}

pub async fn complete(
    txn: &impl ConnectionTrait,
    key: &IdempotencyKey,
    response: &StoredResponse,
) -> Result<()> {
    idempotency_key::Entity::update_many()
        .col_expr(
            idempotency_key::Column::ResponseStatus,
            Expr::value(i32::from(response.status)),
        )
        .col_expr(
            idempotency_key::Column::ResponseBody,
            Expr::value(response.body.clone()),
        )
        .filter(idempotency_key::Column::AccountId.eq(key.account_id.as_str()))
        .filter(idempotency_key::Column::Key.eq(key.key.as_str()))
        .filter(idempotency_key::Column::Scope.eq(key.scope.as_str()))
        .exec(txn)
        .await?;
    Ok(())
}

/// Runs `work` once per key: a replay returns the stored answer, a unique-key race that lost
/// returns the winner's answer, and a fresh key stores `work`'s answer with its effects.
pub async fn once<F, Fut>(
    db: &DatabaseConnection,
    key: Option<&IdempotencyKey>,
    work: F,
) -> Result<StoredResponse>
where
    F: FnOnce(sea_orm::DatabaseTransaction) -> Fut,
    Fut: std::future::Future<Output = Result<(sea_orm::DatabaseTransaction, StoredResponse)>>,
{
    if let Some(key) = key
        && let Some(stored) = lookup(db, key).await?
    {
        return Ok(stored);
    }
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
