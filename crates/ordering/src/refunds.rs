//! The shopper's money after checkout: refunds of what was captured, and offline payments
//! recorded as received. What merchants are owed and paid is [`crate::payouts`].

use golmok_accounts::{Account, Role};
use golmok_core::{ValidationErrors, db::begin_write};

use golmok_payments::{Refund, Share};
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, QueryOrder};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::entities::{merchant_order, order};
use crate::idempotency::{self, IdempotencyKey};
use crate::lifecycle::coupon_taken;
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

#[derive(Debug, Clone, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct RefundOutcome {
    pub amount_krw: i64,
    /// One refund per party the money comes from.
    pub refunds: Vec<Refund>,
}

/// What of a shop's part can still be refunded: what the shopper paid for it (a coupon's
/// amount was the consortium's, up to the goods' subtotal) less what was refunded already.
pub fn refundable_krw(
    subtotal_krw: i64,
    deposits_krw: i64,
    coupon_krw: i64,
    refunded_krw: i64,
) -> i64 {
    subtotal_krw + deposits_krw
        - crate::lifecycle::coupon_within(subtotal_krw, coupon_krw)
        - refunded_krw
}

pub(crate) fn refundable_of(m: &merchant_order::Model) -> i64 {
    refundable_krw(m.subtotal_krw, m.deposits_krw, m.coupon_krw, m.refunded_krw)
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
) -> Result<RefundOutcome> {
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
    let outcome = idempotency::once(ctx.db, key, |txn| async move {
        let outcome = refund_in(&ctx, &txn, order_id, &request, &reason).await?;
        Ok((txn, outcome))
    })
    .await?;
    crate::payment_calls::make_for_order(&ctx, order_id).await?;
    Ok(outcome)
}

pub(crate) async fn refund_in(
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
    let sold: Vec<merchant_order::Model> = merchant_order::Entity::find()
        .filter(merchant_order::Column::OrderId.eq(order_id))
        .order_by_asc(merchant_order::Column::Id)
        .all(txn)
        .await?
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
    let refundable: i64 = targets.iter().map(|m| refundable_of(m)).sum::<i64>() + fee_left;
    let amount = request.amount_krw.unwrap_or(refundable);
    if amount <= 0 || amount > refundable {
        return Err(DomainError::conflict(
            "exceeds_refundable",
            format!("{refundable} won of this can still be refunded; asked for {amount}"),
        )
        .with_details(json!({"refundable_krw": refundable, "requested_krw": amount})));
    }
    let mut shares = take_from_shops(txn, &o.consortium_id, &targets, amount).await?;
    let left = amount - shares.iter().map(|s| s.gross_krw).sum::<i64>();
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
    let mut refunds = Vec::new();
    for (payment_id, shares) in over_payments(txn, &o.payment_id, shares).await? {
        let payment = golmok_payments::get_payment(txn, &payment_id).await?;
        let provider = ctx.providers.require(&payment.provider)?;
        refunds.extend(golmok_payments::refund(txn, provider, &payment.id, &shares, reason).await?);
    }
    Ok(RefundOutcome {
        amount_krw: amount,
        refunds,
    })
}

/// Which payment each share of a refund comes out of. A card's approved weighed difference
/// was paid by a PaymentIntent of its own, which holds that shop's money: a shop's share
/// comes out of its differences first, as far as they still hold money, and the rest (the
/// delivery fee too) out of the checkout's payment. Each part of a share takes its
/// proportion of the share's commission, the last part the rest.
async fn over_payments(
    txn: &impl ConnectionTrait,
    checkout_payment: &str,
    shares: Vec<Share>,
) -> Result<Vec<(String, Vec<Share>)>> {
    let mut from_differences = Vec::new();
    let mut from_checkout = Vec::new();
    for mut share in shares {
        if let Some(part) = &share.part_reference {
            for payment in crate::approvals::captured_differences(txn, part).await? {
                let left = golmok_payments::refundable_krw(txn, &payment).await?;
                let take = left.min(share.gross_krw);
                if take <= 0 {
                    continue;
                }
                let commission = (i128::from(take) * i128::from(share.commission_krw)
                    / i128::from(share.gross_krw)) as i64;
                from_differences.push((
                    payment.id,
                    vec![Share {
                        gross_krw: take,
                        commission_krw: commission,
                        ..share.clone()
                    }],
                ));
                share.gross_krw -= take;
                share.commission_krw -= commission;
            }
        }
        if share.gross_krw > 0 {
            from_checkout.push(share);
        }
    }
    let mut pieces = Vec::new();
    if !from_checkout.is_empty() {
        pieces.push((checkout_payment.to_owned(), from_checkout));
    }
    pieces.extend(from_differences);
    Ok(pieces)
}

/// Up to `amount` taken back from the shops' parts in turn, each with its share of the
/// commission; what the parts cannot cover is left for the delivery fee.
async fn take_from_shops(
    txn: &impl ConnectionTrait,
    consortium_id: &str,
    targets: &[&merchant_order::Model],
    amount: i64,
) -> Result<Vec<Share>> {
    let mut left = amount;
    let mut shares = Vec::new();
    for m in targets {
        if left == 0 {
            break;
        }
        // What the shopper paid for the part: a coupon's amount was the consortium's.
        let gross = m.subtotal_krw + m.deposits_krw - coupon_taken(m);
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
        let mut active: merchant_order::ActiveModel = (*m).clone().into();
        active.refunded_krw = Set(m.refunded_krw + take);
        active.commission_refunded_krw = Set(m.commission_refunded_krw + commission);
        active.update(txn).await?;
        if take == remaining && coupon_taken(m) > 0 {
            crate::coupons::reverse_cost(
                txn,
                consortium_id,
                &m.merchant_id,
                coupon_taken(m),
                &m.id,
            )
            .await?;
        }
        left -= take;
    }
    Ok(shares)
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
