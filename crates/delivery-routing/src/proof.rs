//! Photos and signatures a courier takes at a stop, as proof of a hand-over.
//!
//! A file is stored before the stop is completed (so a completion retried after a dropped
//! connection never uploads twice): checked and stripped of its metadata like a listing
//! photo, one size, kept in the object store under `proofs/`, which is never served to the
//! public. A stop completed with a photo or a signature names one of its own files. The files
//! are the courier's, the dispatchers' of the network and admins' to see; nobody else's.

use bytes::Bytes;
use chrono::Utc;
use golmok_accounts::{Account, Role};
use golmok_core::db::{begin_read, begin_write};
use golmok_core::new_id;
use golmok_storage::{Object, ObjectStore, photo};
use sea_orm::prelude::*;
use serde::Serialize;

use crate::courier::courier_of_account;
use crate::entities::{route_batch, stop, stop_proof_file};
use crate::status::StopStatus;
use crate::{DomainError, Result};

/// A stop keeps at most this many proof files (retakes included).
pub const MAX_FILES_PER_STOP: u64 = 6;

golmok_core::stored_enum! {
    pub enum ProofFileKind {
        Photo = "photo",
        Signature = "signature",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ProofFile {
    pub id: String,
    pub stop_id: String,
    pub kind: ProofFileKind,
    /// Where the file is read, by those who may see it.
    pub url: String,
    pub width: u32,
    pub height: u32,
}

fn view(f: stop_proof_file::Model) -> Result<ProofFile> {
    let kind = ProofFileKind::parse(&f.kind)
        .ok_or_else(|| DomainError::internal(format!("proof file {} is a {}", f.id, f.kind)))?;
    Ok(ProofFile {
        url: format!("/v1/stops/{}/proof-files/{}", f.stop_id, f.id),
        id: f.id,
        stop_id: f.stop_id,
        kind,
        width: f.width.max(0) as u32,
        height: f.height.max(0) as u32,
    })
}

/// A stop and the batch it is on.
async fn stop_and_batch(
    db: &impl ConnectionTrait,
    stop_id: &str,
) -> Result<(stop::Model, route_batch::Model)> {
    let s = stop::Entity::find_by_id(stop_id)
        .one(db)
        .await?
        .ok_or_else(|| DomainError::not_found("stop", stop_id))?;
    let b = route_batch::Entity::find_by_id(s.batch_id.as_str())
        .one(db)
        .await?
        .ok_or_else(|| DomainError::internal(format!("stop {stop_id} without batch")))?;
    Ok((s, b))
}

/// The stop, if `actor` is the courier riding it (or an admin).
async fn ridden_stop(
    db: &impl ConnectionTrait,
    actor: &Account,
    stop_id: &str,
) -> Result<(stop::Model, route_batch::Model)> {
    let (s, b) = stop_and_batch(db, stop_id).await?;
    if actor.role != Role::Admin {
        let courier = courier_of_account(db, &actor.id).await?;
        if courier.is_none_or(|c| c.id != b.courier_id) {
            return Err(DomainError::Forbidden(
                "this stop belongs to another courier's batch".into(),
            ));
        }
    }
    Ok((s, b))
}

/// Stores a photo or signature (JPEG, PNG or WebP up to 10 MB) taken at a pending stop, at
/// `made_at` (now if none: see [`crate::batch::complete_stop`], which the photo goes with:
/// the courier who carried the batch then may add it).
pub async fn add(
    db: &DatabaseConnection,
    store: &dyn ObjectStore,
    actor: &Account,
    stop_id: &str,
    kind: ProofFileKind,
    upload: Bytes,
    made_at: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<ProofFile> {
    let made = crate::batch::made_when(made_at)?;
    let (s, b) = stop_and_batch(db, stop_id).await?;
    crate::batch::may_make_stop_of(db, actor, &b, made).await?;
    if s.status != StopStatus::Pending {
        return Err(DomainError::conflict(
            "stop_done",
            format!("the stop is already {}", s.status),
        ));
    }
    let page = photo::page_size(upload).await?;
    let id = new_id("prf");
    let key = format!(
        "proofs/{}/{}.jpg",
        stop_id.to_lowercase(),
        id.to_lowercase()
    );
    store.put(&key, page.bytes.clone(), "image/jpeg").await?;
    let txn = begin_write(db).await?;
    let count = stop_proof_file::Entity::find()
        .filter(stop_proof_file::Column::StopId.eq(stop_id))
        .count(&txn)
        .await?;
    if count >= MAX_FILES_PER_STOP {
        drop(txn);
        let _ = store.delete(&key).await;
        return Err(DomainError::conflict(
            "too_many_proof_files",
            format!("a stop keeps at most {MAX_FILES_PER_STOP} photos and signatures"),
        ));
    }
    let row = stop_proof_file::ActiveModel {
        id: sea_orm::ActiveValue::Set(id),
        stop_id: sea_orm::ActiveValue::Set(stop_id.to_owned()),
        kind: sea_orm::ActiveValue::Set(kind.as_str().to_owned()),
        object_key: sea_orm::ActiveValue::Set(key),
        width: sea_orm::ActiveValue::Set(page.width as i32),
        height: sea_orm::ActiveValue::Set(page.height as i32),
        created_by: sea_orm::ActiveValue::Set(actor.id.clone()),
        created_at: sea_orm::ActiveValue::Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    view(row)
}

/// Whether `file_id` is a file of `kind` taken at `stop_id`: what a completion naming it
/// must be.
pub(crate) async fn is_proof_of(
    db: &impl ConnectionTrait,
    stop_id: &str,
    kind: &str,
    file_id: &str,
) -> Result<bool> {
    Ok(stop_proof_file::Entity::find_by_id(file_id)
        .one(db)
        .await?
        .is_some_and(|f| f.stop_id == stop_id && f.kind == kind))
}

/// The files taken at a stop, oldest first.
pub async fn files_of(db: &impl ConnectionTrait, stop_id: &str) -> Result<Vec<ProofFile>> {
    stop_proof_file::Entity::find()
        .filter(stop_proof_file::Column::StopId.eq(stop_id))
        .all(db)
        .await?
        .into_iter()
        .map(view)
        .collect::<Result<Vec<_>>>()
        .map(|mut files| {
            files.sort_by(|a, b| a.id.cmp(&b.id));
            files
        })
}

/// A proof file's bytes, for its stop's courier, an admin, or (`dispatcher`: the caller
/// runs the stop's network, checked by the caller) a dispatcher. Anyone else: not found.
pub async fn read(
    db: &DatabaseConnection,
    store: &dyn ObjectStore,
    actor: &Account,
    stop_id: &str,
    file_id: &str,
    dispatcher_of: impl AsyncFnOnce(&str) -> Result<bool>,
) -> Result<Object> {
    let snapshot = begin_read(db).await?;
    let file = stop_proof_file::Entity::find_by_id(file_id)
        .one(&snapshot)
        .await?
        .filter(|f| f.stop_id == stop_id)
        .ok_or_else(|| DomainError::not_found("proof file", file_id))?;
    let network_id = route_batch_network(&snapshot, stop_id).await?;
    let may = match ridden_stop(&snapshot, actor, stop_id).await {
        Ok(_) => true,
        Err(DomainError::Forbidden(_)) => {
            actor.role == Role::Coordinator && dispatcher_of(&network_id).await?
        }
        Err(e) => return Err(e),
    };
    drop(snapshot);
    if !may {
        return Err(DomainError::not_found("proof file", file_id));
    }
    store
        .get(&file.object_key)
        .await?
        .ok_or_else(|| DomainError::not_found("proof file", file_id))
}

async fn route_batch_network(db: &impl ConnectionTrait, stop_id: &str) -> Result<String> {
    let s = stop::Entity::find_by_id(stop_id)
        .one(db)
        .await?
        .ok_or_else(|| DomainError::not_found("stop", stop_id))?;
    let task = crate::entities::delivery_task::Entity::find_by_id(s.task_id.as_str())
        .one(db)
        .await?
        .ok_or_else(|| DomainError::internal(format!("stop {stop_id} without its task")))?;
    Ok(task.network_id)
}
