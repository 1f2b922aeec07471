//! The provider calls a use case wrote, made once it has committed; the reconciler that
//! finishes what a crash left between writing a call and recording its answer; and the
//! refused calls an admin must see to.
//!
//! Every use case that moves money through a provider that leaves the process writes the
//! call in its transaction ([`golmok_payments::calls`]) and, after committing, makes it here.
//! The reconciler (at start and on a schedule) makes calls left pending, cancels
//! authorisations whose checkout died before writing its order, and frees the checkout's
//! idempotency key for the shopper's retry.

use chrono::Utc;
use golmok_accounts::{Account, Role};
use golmok_core::page::{self, Page};
use golmok_payments::calls::{self, Reconciled, Scope};
use sea_orm::prelude::*;

use crate::entities::{idempotency_key, merchant_order, order, weight_approval};
use crate::{DomainError, Ordering, Result};

/// Makes the written calls of a payment; whether any was answered (the order's view then
/// changed since the use case read it).
pub(crate) async fn make(ctx: &Ordering<'_>, payment_id: &str) -> Result<bool> {
    // The embedded default answers every call inline: nothing is ever left to make, and the
    // use cases that end here should not pay a query for it.
    if ctx.providers.all().all(|p| p.is_local()) {
        return Ok(false);
    }
    let payment = golmok_payments::get_payment(ctx.db, payment_id).await?;
    let Some(provider) = ctx.providers.get(&payment.provider) else {
        return Ok(false);
    };
    if provider.is_local() {
        return Ok(false);
    }
    Ok(calls::perform_pending(ctx.db, provider, Scope::Payment(payment_id)).await? > 0)
}

/// Makes the written calls of an order's payments (its checkout's, and the second
/// authorisations of approved weighed differences), once its use case committed.
pub(crate) async fn make_for_order(ctx: &Ordering<'_>, order_id: &str) -> Result<bool> {
    if ctx.providers.all().all(|p| p.is_local()) {
        return Ok(false);
    }
    let Some(o) = crate::entities::order::Entity::find_by_id(order_id)
        .one(ctx.db)
        .await?
    else {
        return Ok(false);
    };
    let mut answered = make(ctx, &o.payment_id).await?;
    for p in crate::approvals::top_ups(ctx.db, order_id).await? {
        answered |= make(ctx, &p.id).await?;
    }
    Ok(answered)
}

/// The order as the caller answers with it: read again if its payment's calls were answered
/// after the use case read it.
pub(crate) async fn settled_view(
    ctx: &Ordering<'_>,
    order: crate::view::Order,
) -> Result<crate::view::Order> {
    if make_for_order(ctx, &order.id).await? {
        crate::view::load(ctx.db, &order.id).await
    } else {
        Ok(order)
    }
}

/// How long the reconciler leaves a call alone: long enough for the hand that wrote it to
/// have made it (a provider's own retries included), so a call is seldom made twice — and
/// when it is, its idempotency key makes that harmless.
#[derive(Debug, Clone, Copy)]
pub struct Patience {
    /// A call still pending after this long is made again by the reconciler.
    pub settle_after: chrono::Duration,
    /// A checkout's authorisation still pending after this long belongs to a checkout that
    /// is over: its order will never be written, and it is cancelled.
    pub abandon_after: chrono::Duration,
}

impl Default for Patience {
    fn default() -> Self {
        Self {
            settle_after: chrono::Duration::seconds(30),
            abandon_after: chrono::Duration::seconds(120),
        }
    }
}

/// Finishes or undoes what a crash or an unreachable provider left, for every provider.
pub async fn reconcile(ctx: Ordering<'_>, patience: Patience) -> Result<Reconciled> {
    let now = Utc::now();
    let mut total = Reconciled::default();
    for provider in ctx.providers.all().filter(|p| !p.is_local()) {
        let done = calls::reconcile(
            ctx.db,
            provider,
            now - patience.settle_after,
            now - patience.abandon_after,
        )
        .await?;
        total.finished += done.finished;
        total.undone += done.undone;
        total.waiting += done.waiting;
    }
    // A checkout's key claimed and never completed belongs to a checkout that died between
    // its two transactions: free it, so that the shopper's retry places the order.
    idempotency_key::Entity::delete_many()
        .filter(idempotency_key::Column::ResponseBody.is_null())
        .filter(idempotency_key::Column::CreatedAt.lte(now - patience.abandon_after))
        .exec(ctx.db)
        .await?;
    if total != Reconciled::default() {
        tracing::info!(?total, "reconciled provider calls");
    }
    Ok(total)
}

/// A capture, void, refund or payout the provider refused, with the order whose money it
/// was: what an admin sees to (the shopper's card may have lapsed, a shop's account may be
/// closed), since nothing moves that money by itself.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct RefusedPaymentCall {
    pub call: calls::RefusedCall,
    /// The order the payment belongs to (none for a payout).
    pub order_id: Option<String>,
}

/// The refused calls that need a person, newest first: admins only.
pub async fn refused_calls(
    db: &impl ConnectionTrait,
    actor: &Account,
    limit: u64,
    cursor: Option<&str>,
) -> Result<Page<RefusedPaymentCall>> {
    if actor.role != Role::Admin {
        return Err(DomainError::Forbidden(
            "only an admin sees refused payment calls".into(),
        ));
    }
    let before: Option<String> = cursor.map(page::decode_cursor).transpose()?;
    let mut rows = calls::refused(db, limit + 1, before.as_deref()).await?;
    let next_cursor = page::cut(&mut rows, limit, |c| c.id.clone());
    let mut items = Vec::with_capacity(rows.len());
    for call in rows {
        let order_id = match &call.payment_id {
            Some(payment_id) => order_paid_by(db, payment_id).await?,
            None => None,
        };
        items.push(RefusedPaymentCall { call, order_id });
    }
    Ok(Page { items, next_cursor })
}

/// The order a payment pays for: its checkout's, or a card's approved difference's.
async fn order_paid_by(db: &impl ConnectionTrait, payment_id: &str) -> Result<Option<String>> {
    if let Some(o) = order::Entity::find()
        .filter(order::Column::PaymentId.eq(payment_id))
        .one(db)
        .await?
    {
        return Ok(Some(o.id));
    }
    let Some(approval) = weight_approval::Entity::find()
        .filter(weight_approval::Column::PaymentId.eq(payment_id))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    Ok(
        merchant_order::Entity::find_by_id(approval.merchant_order_id)
            .one(db)
            .await?
            .map(|m| m.order_id),
    )
}
