//! Refunds of captured orders, and what merchants are owed and paid.

use golmok_accounts::{Account, Role};
use golmok_core::{ValidationErrors, db::begin_write};
use golmok_payments::connect::{self, ConnectedAccount, Transfer};
use golmok_payments::{Payout, Refund, Share, ledger};
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, QueryOrder};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::entities::{merchant_order, order};
use crate::idempotency::{self, IdempotencyKey, StoredResponse};
use crate::view::status_of;
use crate::{DomainError, Ordering, Result, merchant_party, network_party};

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefundRequest {
    /// Refund only this merchant's part; the whole order (delivery fee included) when absent.
    pub merchant_order_id: Option<String>,
    /// Refund this much; everything still refundable of the part when absent.
    pub amount_krw: Option<i64>,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RefundOutcome {
    pub amount_krw: i64,
    /// One refund per party the money comes from.
    pub refunds: Vec<Refund>,
}

/// Refunds captured money of an order: a whole order, one merchant order, or an amount,
/// never more than was captured and not yet refunded. An amount without a merchant order is
/// taken from the merchant orders in turn, then from the delivery fee.
pub async fn refund(
    ctx: Ordering<'_>,
    actor: &Account,
    order_id: &str,
    request: RefundRequest,
    key: Option<&IdempotencyKey>,
) -> Result<StoredResponse> {
    if actor.role != Role::Admin {
        return Err(DomainError::Forbidden(
            "only an admin refunds orders".into(),
        ));
    }
    let reason = request.reason.trim().to_owned();
    let mut errors = ValidationErrors::new();
    if reason.is_empty() || reason.chars().count() > 500 {
        errors.add("reason", "must be 1 to 500 characters");
    }
    if request.amount_krw.is_some_and(|a| a <= 0) {
        errors.add("amount_krw", "must be a positive number of won");
    }
    errors.into_result()?;
    idempotency::once(ctx.db, key, |txn| async move {
        let outcome = refund_in(&ctx, &txn, order_id, &request, &reason).await?;
        let body =
            serde_json::to_string(&outcome).map_err(|e| DomainError::Internal(e.to_string()))?;
        Ok((txn, StoredResponse { status: 201, body }))
    })
    .await
}

async fn refund_in(
    ctx: &Ordering<'_>,
    txn: &impl ConnectionTrait,
    order_id: &str,
    request: &RefundRequest,
    reason: &str,
) -> Result<RefundOutcome> {
    let o = order::Entity::find_by_id(order_id)
        .one(txn)
        .await?
        .ok_or_else(|| DomainError::not_found("order", order_id))?;
    let parts = merchant_order::Entity::find()
        .filter(merchant_order::Column::OrderId.eq(order_id))
        .order_by_asc(merchant_order::Column::Id)
        .all(txn)
        .await?;
    let sold: Vec<merchant_order::Model> = parts
        .into_iter()
        .filter(|m| status_of(m).is_ok_and(|s| s.is_sold()))
        .collect();
    let targets: Vec<&merchant_order::Model> = match &request.merchant_order_id {
        Some(id) => vec![sold.iter().find(|m| &m.id == id).ok_or_else(|| {
            ValidationErrors::single("merchant_order_id", "is not a sold part of this order")
        })?],
        None => sold.iter().collect(),
    };
    let fee_left = match (&request.merchant_order_id, &o.network_id) {
        (None, Some(_)) => o.delivery_fee_krw - o.delivery_fee_refunded_krw,
        _ => 0,
    };
    let refundable: i64 = targets
        .iter()
        .map(|m| m.subtotal_krw + m.deposits_krw - m.refunded_krw)
        .sum::<i64>()
        + fee_left;
    let amount = request.amount_krw.unwrap_or(refundable);
    if amount <= 0 || amount > refundable {
        return Err(DomainError::conflict(
            "exceeds_refundable",
            format!("{refundable} won of this can still be refunded; asked for {amount}"),
        )
        .with_details(json!({"refundable_krw": refundable, "requested_krw": amount})));
    }

    let mut left = amount;
    let mut shares = Vec::new();
    for m in targets {
        if left == 0 {
            break;
        }
        let gross = m.subtotal_krw + m.deposits_krw;
        let remaining = gross - m.refunded_krw;
        let take = remaining.min(left);
        if take <= 0 {
            continue;
        }
        let commission_left = m.commission_krw - m.commission_refunded_krw;
        // The last won of a part takes the rest of its commission back, so a part refunded in
        // pieces returns exactly the commission it paid.
        let commission = if take == remaining {
            commission_left
        } else {
            (i128::from(take) * i128::from(m.commission_krw) / i128::from(gross.max(1))) as i64
        }
        .min(commission_left)
        .max(0);
        shares.push(Share {
            party: merchant_party(&m.merchant_id),
            part_reference: Some(m.id.clone()),
            gross_krw: take,
            commission_krw: commission,
        });
        let mut active: merchant_order::ActiveModel = m.clone().into();
        active.refunded_krw = Set(m.refunded_krw + take);
        active.commission_refunded_krw = Set(m.commission_refunded_krw + commission);
        active.update(txn).await?;
        left -= take;
    }
    if left > 0
        && let Some(network) = &o.network_id
    {
        shares.push(Share {
            party: network_party(network),
            part_reference: None,
            gross_krw: left,
            commission_krw: 0,
        });
        let mut active: order::ActiveModel = o.clone().into();
        active.delivery_fee_refunded_krw = Set(o.delivery_fee_refunded_krw + left);
        active.update(txn).await?;
    }
    let payment = golmok_payments::get_payment(txn, &o.payment_id).await?;
    let provider = ctx.providers.require(&payment.provider)?;
    let refunds = golmok_payments::refund(txn, provider, &payment.id, &shares, reason).await?;
    Ok(RefundOutcome {
        amount_krw: amount,
        refunds,
    })
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MerchantPayouts {
    pub merchant_id: String,
    /// Captured sales less commission and refunds, not yet paid out.
    pub owed_krw: i64,
    pub paid_krw: i64,
    /// Of what is owed, the part waiting to leave as transfers once the merchant's connected
    /// account is usable.
    pub awaiting_transfer_krw: i64,
    pub statement: Vec<ledger::StatementLine>,
    pub payouts: Vec<Payout>,
    /// One per merchant order paid by card: sent to the connected account, or waiting for it.
    pub transfers: Vec<Transfer>,
    pub connected_account: Option<ConnectedAccount>,
}

/// What a merchant is owed and was paid, from the ledger; for its owner or an admin.
pub async fn merchant_payouts(
    db: &DatabaseConnection,
    actor: &Account,
    merchant_id: &str,
) -> Result<MerchantPayouts> {
    golmok_catalog::merchant::owned_merchant(db, actor, merchant_id).await?;
    let party = merchant_party(merchant_id);
    let payouts = golmok_payments::payouts_of(db, &party).await?;
    let transfers = connect::transfers_of(db, &party).await?;
    let sum_of = |status, amount: fn(&Transfer) -> i64| -> i64 {
        transfers
            .iter()
            .filter(|t| t.status == status)
            .map(amount)
            .sum()
    };
    let transferred = sum_of(connect::TransferStatus::Sent, |t| {
        t.amount_krw - t.reversed_krw
    });
    let awaiting = sum_of(connect::TransferStatus::AwaitingAccount, |t| t.amount_krw);
    Ok(MerchantPayouts {
        merchant_id: merchant_id.to_owned(),
        owed_krw: -ledger::balance(db, &ledger::payable(&party)).await?,
        paid_krw: payouts.iter().map(|p| p.amount_krw).sum::<i64>() + transferred,
        awaiting_transfer_krw: awaiting,
        statement: ledger::statement(db, &party).await?,
        payouts,
        transfers,
        connected_account: connect::connected_account(db, &party).await?,
    })
}

/// Pays a merchant what it is owed, through the given provider (a bank transfer offline).
/// The answer is the payout as JSON with status 201; a retry with the same key returns it.
pub async fn pay_merchant(
    ctx: Ordering<'_>,
    actor: &Account,
    merchant_id: &str,
    provider: &str,
    key: Option<&IdempotencyKey>,
) -> Result<StoredResponse> {
    if actor.role != Role::Admin {
        return Err(DomainError::Forbidden(
            "only an admin pays merchants out".into(),
        ));
    }
    golmok_catalog::merchant::get_merchant(ctx.db, merchant_id).await?;
    let provider = ctx.providers.require(provider)?;
    idempotency::once(ctx.db, key, |txn| async move {
        let payout =
            golmok_payments::pay_out(&txn, provider, &merchant_party(merchant_id), None).await?;
        let body =
            serde_json::to_string(&payout).map_err(|e| DomainError::Internal(e.to_string()))?;
        Ok((txn, StoredResponse { status: 201, body }))
    })
    .await
}

/// Offline payments: an admin records that the shopper's money arrived.
pub async fn mark_payment_received(
    ctx: Ordering<'_>,
    actor: &Account,
    order_id: &str,
) -> Result<crate::view::Order> {
    if actor.role != Role::Admin {
        return Err(DomainError::Forbidden(
            "only an admin records received payments".into(),
        ));
    }
    let txn = begin_write(ctx.db).await?;
    let o = order::Entity::find_by_id(order_id)
        .one(&txn)
        .await?
        .ok_or_else(|| DomainError::not_found("order", order_id))?;
    golmok_payments::mark_received(&txn, &o.payment_id).await?;
    let order = crate::view::load(&txn, order_id).await?;
    txn.commit().await?;
    Ok(order)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Onboarding {
    pub account: ConnectedAccount,
    /// Where the merchant finishes setting the account up; single-use, short-lived.
    pub onboarding_url: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// Links a merchant to an account at `provider` (a Stripe connected account), opening it on
/// first use, and returns the link its owner follows to finish setting it up.
pub async fn onboard_merchant(
    ctx: Ordering<'_>,
    actor: &Account,
    merchant_id: &str,
    provider: &str,
    refresh_url: &str,
    return_url: &str,
) -> Result<Onboarding> {
    let merchant = golmok_catalog::merchant::owned_merchant(ctx.db, actor, merchant_id).await?;
    if merchant.owner_id != actor.id {
        return Err(DomainError::Forbidden(
            "only the merchant's owner links its payout account".into(),
        ));
    }
    let provider = ctx.providers.get(provider).ok_or_else(|| {
        DomainError::conflict(
            "provider_not_configured",
            format!("{provider} payouts are not configured on this server"),
        )
    })?;
    let txn = begin_write(ctx.db).await?;
    let (account, link) = connect::onboard(
        &txn,
        provider,
        &merchant_party(merchant_id),
        refresh_url,
        return_url,
    )
    .await?;
    txn.commit().await?;
    Ok(Onboarding {
        account,
        onboarding_url: link.url,
        expires_at: link.expires_at,
    })
}

/// Sends every transfer still waiting whose merchant's account is usable: after the
/// provider failed on an earlier try. Run periodically by the server.
pub async fn send_waiting_transfers(ctx: Ordering<'_>) -> Result<usize> {
    let mut sent = 0;
    for provider in ctx.providers.all().filter(|p| p.transfers_on_capture()) {
        let txn = begin_write(ctx.db).await?;
        sent += connect::send_waiting(&txn, provider, connect::Waiting::All).await?;
        txn.commit().await?;
    }
    Ok(sent)
}
