//! A shopper's claim about one shop's part of a delivered order: goods damaged, missing or not
//! as described, in their words, and what they ask back. The shop (or an admin) answers it
//! once: with a refund of that part, up to what is still refundable, or with a reason for
//! declining. The money goes back as any refund does ([`crate::refunds`]); the shop's board
//! and the shopper's order page hear of each step.
//!
//! A claim is made within [`CLAIM_DAYS`] of the delivery, one at a time per part, and once
//! the payment is taken (when no shop of the order is still deciding): before that there is
//! no money to give back.

use bytes::Bytes;
use chrono::{DateTime, Duration, Utc};
use golmok_accounts::{Account, Role};
use golmok_core::db::begin_write;
use golmok_core::{ValidationErrors, new_id};
use golmok_events::{Payload, Topic};
use golmok_storage::{Object, ObjectStore, photo};
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, PaginatorTrait, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::entities::{claim, claim_photo, merchant_order, order, order_event};
use crate::refunds::{RefundRequest, refund_in, refundable_of};
use crate::state::MerchantOrderStatus;
use crate::view::status_of;
use crate::{DomainError, Ordering, Result};

/// Days after its delivery a part may be claimed about.
pub const CLAIM_DAYS: i64 = 7;
/// Claims a shop's list shows: every open one, then the newest answered.
const SHOP_LIST: u64 = 50;
/// Waiting claims an admin's list shows.
pub const WAITING_LIST: u64 = 100;

golmok_core::stored_enum! {
    pub enum ClaimStatus {
        /// Waiting for the shop's answer.
        Open = "open",
        /// The shop refunded (some or all of what was asked).
        Refunded = "refunded",
        /// The shop declined, saying why.
        Declined = "declined",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Claim {
    pub id: String,
    pub order_id: String,
    pub merchant_order_id: String,
    pub merchant_id: String,
    /// What went wrong, in the shopper's words.
    pub reason: String,
    /// What the shopper asks back; the shop decides when absent.
    pub asked_krw: Option<i64>,
    pub status: ClaimStatus,
    pub refunded_krw: i64,
    /// What of the part can still be refunded now (its goods and deposits, less refunds).
    pub refundable_krw: i64,
    /// The shop's answer: a note with a refund, the reason for a decline.
    pub answer: Option<String>,
    pub created_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    /// What the shopper showed with it, oldest first.
    pub photos: Vec<ClaimPhoto>,
}

/// A photo shown with a claim: the claim's shopper, its shop's owner and admins may see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ClaimPhoto {
    pub id: String,
    /// Where the API serves it to those who may see it.
    pub url: String,
    pub width: u32,
    pub height: u32,
}

impl ClaimPhoto {
    fn of(p: &claim_photo::Model) -> Self {
        ClaimPhoto {
            url: format!("/v1/claims/{}/photos/{}", p.claim_id, p.id),
            id: p.id.clone(),
            width: p.width.max(0) as u32,
            height: p.height.max(0) as u32,
        }
    }
}

/// A claim holds at most this many photos.
pub const MAX_PHOTOS: u64 = 4;

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewClaim {
    pub reason: String,
    pub asked_krw: Option<i64>,
}

/// The shop's answer: a refund of `refund_krw`, or, without it, a decline saying why.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClaimAnswer {
    pub refund_krw: Option<i64>,
    #[serde(default)]
    pub answer: String,
}

impl Claim {
    fn of(c: claim::Model, refundable_krw: i64) -> Self {
        Claim {
            refundable_krw,
            id: c.id,
            order_id: c.order_id,
            merchant_order_id: c.merchant_order_id,
            merchant_id: c.merchant_id,
            reason: c.reason,
            asked_krw: c.asked_krw,
            status: c.status,
            refunded_krw: c.refunded_krw,
            answer: c.answer,
            created_at: c.created_at,
            resolved_at: c.resolved_at,
            photos: Vec::new(),
        }
    }
}

fn check_text(field: &'static str, text: &str, errors: &mut ValidationErrors) {
    let n = text.trim().chars().count();
    if n == 0 || n > 500 {
        errors.add(field, "must be 1 to 500 characters");
    }
}

/// Claims with what of each part can still be refunded, the parts read in one query.
async fn with_refundable(db: &impl ConnectionTrait, rows: Vec<claim::Model>) -> Result<Vec<Claim>> {
    let mut ids: Vec<String> = rows.iter().map(|c| c.merchant_order_id.clone()).collect();
    ids.sort();
    ids.dedup();
    let refundable: std::collections::HashMap<String, i64> = if ids.is_empty() {
        Default::default()
    } else {
        merchant_order::Entity::find()
            .filter(merchant_order::Column::Id.is_in(ids))
            .all(db)
            .await?
            .into_iter()
            .map(|m| (m.id.clone(), refundable_of(&m)))
            .collect()
    };
    let claim_ids: Vec<&str> = rows.iter().map(|c| c.id.as_str()).collect();
    let mut photos: std::collections::HashMap<String, Vec<ClaimPhoto>> = Default::default();
    // In chunks: a statement's bound parameters are limited (SQLite's most).
    for chunk in claim_ids.chunks(500) {
        for p in claim_photo::Entity::find()
            .filter(claim_photo::Column::ClaimId.is_in(chunk.iter().copied()))
            .order_by_asc(claim_photo::Column::Id)
            .all(db)
            .await?
        {
            photos
                .entry(p.claim_id.clone())
                .or_default()
                .push(ClaimPhoto::of(&p));
        }
    }
    Ok(rows
        .into_iter()
        .map(|c| {
            let left = refundable.get(&c.merchant_order_id).copied().unwrap_or(0);
            let shown = photos.remove(&c.id).unwrap_or_default();
            Claim {
                photos: shown,
                ..Claim::of(c, left)
            }
        })
        .collect())
}

/// A row lock on the part, without changing it: claims and refunds of one part queue.
async fn lock_part(
    txn: &impl ConnectionTrait,
    merchant_order_id: &str,
) -> Result<merchant_order::Model> {
    merchant_order::Entity::update_many()
        .col_expr(
            merchant_order::Column::RefundedKrw,
            Expr::col(merchant_order::Column::RefundedKrw),
        )
        .filter(merchant_order::Column::Id.eq(merchant_order_id))
        .exec(txn)
        .await?;
    merchant_order::Entity::find_by_id(merchant_order_id)
        .one(txn)
        .await?
        .ok_or_else(|| DomainError::not_found("merchant order", merchant_order_id))
}

/// Until when a part delivered at `delivered` may be claimed about.
pub fn claim_deadline(delivered: DateTime<Utc>) -> DateTime<Utc> {
    delivered + Duration::days(CLAIM_DAYS)
}

/// Until when the shopper may claim about `part` of `order`, if it was delivered and paid
/// for: what the order's page offers, by the rules [`open`] keeps.
pub fn claimable_until(
    order: &crate::view::Order,
    part: &crate::view::MerchantOrder,
) -> Option<DateTime<Utc>> {
    if part.status != MerchantOrderStatus::Delivered || !order.payment.status.is_captured() {
        return None;
    }
    let delivered = order
        .events
        .iter()
        .rev()
        .find(|e| {
            e.merchant_order_id.as_deref() == Some(part.id.as_str())
                && e.to == MerchantOrderStatus::Delivered.as_str()
        })
        .map_or(order.updated_at, |e| e.at);
    Some(claim_deadline(delivered))
}

/// When the part was delivered, from its history.
async fn delivered_at(
    txn: &impl ConnectionTrait,
    m: &merchant_order::Model,
) -> Result<DateTime<Utc>> {
    Ok(order_event::Entity::find()
        .filter(order_event::Column::MerchantOrderId.eq(m.id.as_str()))
        .filter(order_event::Column::ToStatus.eq(MerchantOrderStatus::Delivered.as_str()))
        .order_by_desc(order_event::Column::At)
        .one(txn)
        .await?
        .map_or(m.updated_at, |e| e.at))
}

fn event_of(c: &claim::Model) -> Vec<(Topic, Payload)> {
    let payload = Payload::Claim {
        claim_id: c.id.clone(),
        order_id: c.order_id.clone(),
        merchant_order_id: c.merchant_order_id.clone(),
        status: c.status.as_str().to_owned(),
    };
    vec![
        (Topic::merchant(c.merchant_id.as_str()), payload.clone()),
        (Topic::order(c.order_id.as_str()), payload),
    ]
}

/// The shopper claims about a delivered part of their order.
pub async fn open(
    ctx: Ordering<'_>,
    actor: &Account,
    merchant_order_id: &str,
    new: NewClaim,
) -> Result<Claim> {
    open_with(ctx, actor, merchant_order_id, new, None).await
}

/// As [`open`], with a photo of what went wrong (JPEG, PNG or WebP up to 10 MB, stripped of
/// its metadata as a listing photo is). The photo is checked and stored first, outside the
/// claim's transaction; a claim refused leaves no file behind.
pub async fn open_with_photo(
    ctx: Ordering<'_>,
    store: &dyn ObjectStore,
    actor: &Account,
    merchant_order_id: &str,
    new: NewClaim,
    upload: Bytes,
) -> Result<Claim> {
    check_new(&new)?;
    let stored = store_photo(store, upload).await?;
    let key = stored.object_key.clone();
    let opened = open_with(ctx, actor, merchant_order_id, new, Some(stored)).await;
    if opened.is_err() {
        let _ = store.delete(&key).await;
    }
    opened
}

/// A photo checked, stripped and stored: its row is written with its claim.
struct StoredPhoto {
    id: String,
    object_key: String,
    width: u32,
    height: u32,
}

async fn store_photo(store: &dyn ObjectStore, upload: Bytes) -> Result<StoredPhoto> {
    let page = photo::page_size(upload).await?;
    let id = new_id("cph");
    let object_key = format!("claims/{}.jpg", id.to_lowercase());
    store
        .put(&object_key, page.bytes.clone(), "image/jpeg")
        .await?;
    Ok(StoredPhoto {
        id,
        object_key,
        width: page.width,
        height: page.height,
    })
}

fn photo_row(claim_id: &str, p: StoredPhoto) -> claim_photo::ActiveModel {
    claim_photo::ActiveModel {
        id: Set(p.id),
        claim_id: Set(claim_id.to_owned()),
        object_key: Set(p.object_key),
        width: Set(p.width as i32),
        height: Set(p.height as i32),
        created_at: Set(golmok_core::db::now()),
    }
}

fn check_new(new: &NewClaim) -> Result<()> {
    let mut errors = ValidationErrors::new();
    check_text("reason", &new.reason, &mut errors);
    if new.asked_krw.is_some_and(|a| a <= 0) {
        errors.add("asked_krw", "must be a positive number of won");
    }
    errors.into_result()?;
    Ok(())
}

async fn open_with(
    ctx: Ordering<'_>,
    actor: &Account,
    merchant_order_id: &str,
    new: NewClaim,
    photo: Option<StoredPhoto>,
) -> Result<Claim> {
    check_new(&new)?;
    let txn = begin_write(ctx.db).await?;
    let m = lock_part(&txn, merchant_order_id).await?;
    // Someone else's order is as good as none.
    let o = order::Entity::find_by_id(m.order_id.as_str())
        .one(&txn)
        .await?
        .filter(|o| o.shopper_id == actor.id)
        .ok_or_else(|| DomainError::not_found("merchant order", merchant_order_id))?;
    if status_of(&m)? != MerchantOrderStatus::Delivered {
        return Err(DomainError::conflict(
            "not_delivered",
            "a claim is about goods delivered (or collected)",
        ));
    }
    if !golmok_payments::get_payment(&txn, &o.payment_id)
        .await?
        .status
        .is_captured()
    {
        return Err(DomainError::conflict(
            "not_paid_yet",
            "the payment is taken once no shop of the order is still deciding; claim then",
        ));
    }
    if claim_deadline(delivered_at(&txn, &m).await?) < Utc::now() {
        return Err(DomainError::conflict(
            "claim_too_late",
            format!("claims are made within {CLAIM_DAYS} days of the delivery"),
        ));
    }
    let open_already = claim::Entity::find()
        .filter(claim::Column::MerchantOrderId.eq(merchant_order_id))
        .filter(claim::Column::Status.eq(ClaimStatus::Open))
        .one(&txn)
        .await?;
    if open_already.is_some() {
        return Err(DomainError::conflict(
            "claim_open",
            "this part already has a claim waiting for the shop's answer",
        ));
    }
    let refundable = refundable_of(&m);
    if let Some(asked) = new.asked_krw
        && asked > refundable
    {
        return Err(DomainError::conflict(
            "exceeds_refundable",
            format!("{refundable} won of this part can still be refunded; asked for {asked}"),
        )
        .with_details(json!({"refundable_krw": refundable, "requested_krw": asked})));
    }
    let row = claim::ActiveModel {
        id: Set(new_id("clm")),
        order_id: Set(o.id.clone()),
        merchant_order_id: Set(m.id.clone()),
        merchant_id: Set(m.merchant_id.clone()),
        shopper_id: Set(actor.id.clone()),
        reason: Set(new.reason.trim().to_owned()),
        asked_krw: Set(new.asked_krw),
        status: Set(ClaimStatus::Open),
        refunded_krw: Set(0),
        answer: Set(None),
        resolved_by: Set(None),
        created_at: Set(golmok_core::db::now()),
        resolved_at: Set(None),
    }
    .insert(&txn)
    .await?;
    let photos = match photo {
        Some(p) => vec![ClaimPhoto::of(&photo_row(&row.id, p).insert(&txn).await?)],
        None => Vec::new(),
    };
    golmok_events::outbox::record_all(&txn, &event_of(&row)).await?;
    txn.commit().await?;
    Ok(Claim {
        photos,
        ..Claim::of(row, refundable)
    })
}

/// Another photo for a claim still waiting for the shop's answer, by its shopper (409
/// `claim_answered` once answered, `too_many_photos` past [`MAX_PHOTOS`]).
pub async fn add_photo(
    db: &DatabaseConnection,
    store: &dyn ObjectStore,
    actor: &Account,
    claim_id: &str,
    upload: Bytes,
) -> Result<ClaimPhoto> {
    let mine = claim::Entity::find_by_id(claim_id)
        .one(db)
        .await?
        .filter(|c| c.shopper_id == actor.id)
        .ok_or_else(|| DomainError::not_found("claim", claim_id))?;
    if mine.status != ClaimStatus::Open {
        return Err(answered());
    }
    let stored = store_photo(store, upload).await?;
    let key = stored.object_key.clone();
    let added = async {
        let txn = begin_write(db).await?;
        let c = claim::Entity::find_by_id(claim_id)
            .one(&txn)
            .await?
            .ok_or_else(|| DomainError::not_found("claim", claim_id))?;
        if c.status != ClaimStatus::Open {
            return Err(answered());
        }
        let count = claim_photo::Entity::find()
            .filter(claim_photo::Column::ClaimId.eq(claim_id))
            .count(&txn)
            .await?;
        if count >= MAX_PHOTOS {
            return Err(DomainError::conflict(
                "too_many_photos",
                format!("a claim shows at most {MAX_PHOTOS} photos"),
            ));
        }
        let row = photo_row(claim_id, stored).insert(&txn).await?;
        txn.commit().await?;
        Ok(ClaimPhoto::of(&row))
    }
    .await;
    if added.is_err() {
        let _ = store.delete(&key).await;
    }
    added
}

fn answered() -> DomainError {
    DomainError::conflict(
        "claim_answered",
        "the shop has answered this claim; photos go with a claim still waiting",
    )
}

/// A claim's photo, for the claim's shopper, its shop's owner or an admin; anyone else finds
/// nothing there.
pub async fn read_photo(
    db: &DatabaseConnection,
    store: &dyn ObjectStore,
    actor: &Account,
    claim_id: &str,
    photo_id: &str,
) -> Result<Object> {
    let missing = || DomainError::not_found("claim photo", photo_id);
    let c = claim::Entity::find_by_id(claim_id)
        .one(db)
        .await?
        .ok_or_else(missing)?;
    let may = actor.role == Role::Admin
        || c.shopper_id == actor.id
        || golmok_catalog::merchant::get_merchant(db, &c.merchant_id)
            .await
            .is_ok_and(|m| m.owner_id == actor.id);
    if !may {
        return Err(missing());
    }
    let p = claim_photo::Entity::find_by_id(photo_id)
        .one(db)
        .await?
        .filter(|p| p.claim_id == claim_id)
        .ok_or_else(missing)?;
    store.get(&p.object_key).await?.ok_or_else(missing)
}

/// The shop's owner (or an admin) answers an open claim, once.
pub async fn resolve(
    ctx: Ordering<'_>,
    actor: &Account,
    claim_id: &str,
    answer: ClaimAnswer,
) -> Result<Claim> {
    let note = answer.answer.trim().to_owned();
    let mut errors = ValidationErrors::new();
    match answer.refund_krw {
        Some(amount) if amount <= 0 => errors.add("refund_krw", "must be a positive number of won"),
        Some(_) if note.chars().count() > 500 => {
            errors.add("answer", "must be at most 500 characters");
        }
        Some(_) => {}
        None => check_text("answer", &note, &mut errors),
    }
    errors.into_result()?;
    let c = claim::Entity::find_by_id(claim_id)
        .one(ctx.db)
        .await?
        .ok_or_else(|| DomainError::not_found("claim", claim_id))?;
    golmok_catalog::merchant::owned_merchant(ctx.db, actor, &c.merchant_id).await?;
    let txn = begin_write(ctx.db).await?;
    let resolved = {
        let status = if answer.refund_krw.is_some() {
            ClaimStatus::Refunded
        } else {
            ClaimStatus::Declined
        };
        let now = golmok_core::db::now();
        // Answered once: a second answer (or one racing this) finds it no longer open.
        let answered = claim::Entity::update_many()
            .col_expr(claim::Column::Status, Expr::value(status.as_str()))
            .col_expr(
                claim::Column::Answer,
                Expr::value((!note.is_empty()).then(|| note.clone())),
            )
            .col_expr(claim::Column::ResolvedBy, Expr::value(actor.id.clone()))
            .col_expr(claim::Column::ResolvedAt, Expr::value(now))
            .col_expr(
                claim::Column::RefundedKrw,
                Expr::value(answer.refund_krw.unwrap_or(0)),
            )
            .filter(claim::Column::Id.eq(claim_id))
            .filter(claim::Column::Status.eq(ClaimStatus::Open))
            .exec(&txn)
            .await?;
        if answered.rows_affected == 0 {
            return Err(DomainError::conflict(
                "claim_answered",
                "this claim was answered already",
            ));
        }
        if let Some(amount) = answer.refund_krw {
            lock_part(&txn, &c.merchant_order_id).await?;
            let reason = if note.is_empty() {
                c.reason.clone()
            } else {
                note.clone()
            };
            let request = RefundRequest {
                merchant_order_id: Some(c.merchant_order_id.clone()),
                amount_krw: Some(amount),
                reason: reason.clone(),
            };
            refund_in(&ctx, &txn, &c.order_id, &request, &reason).await?;
        }
        let row = claim::Entity::find_by_id(claim_id)
            .one(&txn)
            .await?
            .ok_or_else(|| DomainError::not_found("claim", claim_id))?;
        golmok_events::outbox::record_all(&txn, &event_of(&row)).await?;
        let part = lock_part(&txn, &c.merchant_order_id).await?;
        Claim::of(row, refundable_of(&part))
    };
    txn.commit().await?;
    crate::payment_calls::make_for_order(&ctx, &resolved.order_id).await?;
    Ok(resolved)
}

/// An order's claims, oldest first: for its shopper, an admin, or a shop of it (its own).
pub async fn of_order(
    db: &DatabaseConnection,
    actor: &Account,
    order_id: &str,
) -> Result<Vec<Claim>> {
    let o = order::Entity::find_by_id(order_id)
        .one(db)
        .await?
        .ok_or_else(|| DomainError::not_found("order", order_id))?;
    let mut query = claim::Entity::find()
        .filter(claim::Column::OrderId.eq(order_id))
        .order_by_asc(claim::Column::CreatedAt)
        .order_by_asc(claim::Column::Id);
    if actor.role != Role::Admin && o.shopper_id != actor.id {
        // A shop of the order reads its own claims; anyone else finds no such order.
        let mut own = Vec::new();
        for m in merchant_order::Entity::find()
            .filter(merchant_order::Column::OrderId.eq(order_id))
            .all(db)
            .await?
        {
            if golmok_catalog::merchant::owned_merchant(db, actor, &m.merchant_id)
                .await
                .is_ok()
            {
                own.push(m.merchant_id);
            }
        }
        if own.is_empty() {
            return Err(DomainError::not_found("order", order_id));
        }
        query = query.filter(claim::Column::MerchantId.is_in(own));
    }
    with_refundable(db, query.all(db).await?).await
}

/// Claims still waiting for a shop's answer, oldest first (at most [`WAITING_LIST`]), for an
/// admin to see to: support steps in where a shop does not answer.
pub async fn waiting(db: &DatabaseConnection, actor: &Account) -> Result<Vec<Claim>> {
    if actor.role != Role::Admin {
        return Err(DomainError::Forbidden(
            "only an admin reads every shop's claims".into(),
        ));
    }
    let rows = claim::Entity::find()
        .filter(claim::Column::Status.eq(ClaimStatus::Open))
        .order_by_asc(claim::Column::CreatedAt)
        .order_by_asc(claim::Column::Id)
        .limit(WAITING_LIST)
        .all(db)
        .await?;
    with_refundable(db, rows).await
}

/// A shop's claims waiting for its answer, oldest first, for its owner (or an admin): what
/// its board shows at every redraw.
pub async fn waiting_at_shop(
    db: &DatabaseConnection,
    actor: &Account,
    merchant_id: &str,
) -> Result<Vec<Claim>> {
    with_refundable(db, open_rows(db, actor, merchant_id).await?).await
}

async fn open_rows(
    db: &DatabaseConnection,
    actor: &Account,
    merchant_id: &str,
) -> Result<Vec<claim::Model>> {
    golmok_catalog::merchant::owned_merchant(db, actor, merchant_id).await?;
    Ok(claim::Entity::find()
        .filter(claim::Column::MerchantId.eq(merchant_id))
        .filter(claim::Column::Status.eq(ClaimStatus::Open))
        .order_by_asc(claim::Column::CreatedAt)
        .all(db)
        .await?)
}

/// A shop's claims for its owner (or an admin): every open one, oldest first, then the
/// newest answered.
pub async fn of_shop(
    db: &DatabaseConnection,
    actor: &Account,
    merchant_id: &str,
) -> Result<Vec<Claim>> {
    let mut rows = open_rows(db, actor, merchant_id).await?;
    rows.extend(
        claim::Entity::find()
            .filter(claim::Column::MerchantId.eq(merchant_id))
            .filter(claim::Column::Status.ne(ClaimStatus::Open))
            .order_by_desc(claim::Column::ResolvedAt)
            .limit(SHOP_LIST)
            .all(db)
            .await?,
    );
    with_refundable(db, rows).await
}
