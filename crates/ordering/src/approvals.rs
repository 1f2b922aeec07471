//! Weighed lines that came to more than the payment holds, put to the shopper.
//!
//! When the scale says more than the tolerance the payment was authorised with, the shop
//! either cuts the line to what fits (it weighs again) or asks the shopper. Asking records
//! the weighing as it was and an approval per line that went over: what the line weighed,
//! how much more it costs than the payment holds, and the most that fits. The shopper
//! approves (the payment grows: a local provider's hold at once; a card's by a second
//! manual-capture authorisation for the difference, which the shopper confirms and which is
//! captured with the rest) or declines; a decline, or no answer within the shop's waiting
//! time, cuts the line to what fits, so the shopper pays no more than was authorised. The
//! shop cannot mark the order ready while a question is open.

use chrono::{DateTime, Utc};
use golmok_accounts::Account;
use golmok_core::db::begin_write;
use golmok_core::new_id;
use golmok_events::{Payload, Topic};
use golmok_payments::{Payment, PaymentStatus};
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, QueryOrder};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::entities::{merchant_order, order, order_line, weight_approval};
use crate::history::record;
use crate::view;
use crate::{DomainError, Ordering, Result};

golmok_core::stored_enum! {
    pub enum ApprovalStatus {
        /// Put to the shopper, not answered yet.
        Asked = "asked",
        /// The shopper pays the difference (a card: once the second authorisation is confirmed).
        Approved = "approved",
        /// The shopper declined: the line was cut to what fits.
        Declined = "declined",
        /// Nobody answered in time (or a card's difference was never confirmed): cut.
        Lapsed = "lapsed",
        /// The shop weighed the line again before an answer came.
        Withdrawn = "withdrawn",
    }
}

/// What the shopper is asked about one weighed line, and how it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Approval {
    pub id: String,
    pub status: ApprovalStatus,
    /// What the shop weighed, in the line's unit.
    pub weighed_quantity: i64,
    /// What the line comes to without the approval: the most that fits in the payment.
    pub fits_quantity: i64,
    /// What approving costs beyond what the payment holds.
    pub extra_krw: i64,
    /// After this, an unanswered question lapses and the line is cut.
    pub ask_until: DateTime<Utc>,
    /// With a card: the second authorisation for the difference, which the shopper confirms
    /// (its client secret while it waits for that).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment: Option<Payment>,
}

impl Approval {
    /// Whether this question still stops the order being marked ready: see [`awaits_shopper`].
    pub fn awaits_shopper(&self) -> bool {
        awaits_shopper(self.status, self.payment.as_ref().map(|p| p.status))
    }
}

/// A question stops its order being marked ready while the shopper has not answered, or has
/// approved with a card whose authorisation of the difference they have not confirmed yet.
pub fn awaits_shopper(status: ApprovalStatus, payment: Option<PaymentStatus>) -> bool {
    match (status, payment) {
        (ApprovalStatus::Asked, _) => true,
        (ApprovalStatus::Approved, Some(p)) => {
            !matches!(p, PaymentStatus::Authorized | PaymentStatus::Captured)
        }
        _ => false,
    }
}

/// The shopper's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Approve,
    Decline,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApprovalAnswer {
    pub decision: Decision,
}

/// The most of a line priced `price_krw` per `unit_quantity` whose price is at most
/// `budget_krw`.
pub fn most_that_fits(price_krw: i64, unit_quantity: i64, budget_krw: i64) -> i64 {
    let price = |q| golmok_core::money::price_for_quantity(price_krw, unit_quantity, q);
    if budget_krw <= 0 || price_krw <= 0 || unit_quantity <= 0 {
        return 0;
    }
    let mut q =
        i64::try_from(i128::from(budget_krw) * i128::from(unit_quantity) / i128::from(price_krw))
            .unwrap_or(i64::MAX / 2);
    while q > 0 && price(q).is_none_or(|p| p > budget_krw) {
        q -= 1;
    }
    while price(q + 1).is_some_and(|p| p <= budget_krw) {
        q += 1;
    }
    q
}

/// What the order's payments hold for its goods: the checkout's authorisation and every
/// approved difference a card has authorised.
pub(crate) async fn allowance(txn: &impl ConnectionTrait, o: &order::Model) -> Result<i64> {
    let main = golmok_payments::get_payment(txn, &o.payment_id).await?;
    let mut held = main.authorized_krw;
    for p in top_ups(txn, &o.id).await? {
        if p.status == PaymentStatus::Authorized {
            held += p.authorized_krw;
        }
    }
    Ok(held)
}

/// Every question asked about an order's lines, oldest first: read once for the order's
/// view, which draws its lines' approvals and its second authorisations from it.
pub(crate) async fn of_order(
    db: &impl ConnectionTrait,
    order_id: &str,
) -> Result<Vec<weight_approval::Model>> {
    Ok(weight_approval::Entity::find()
        .filter(weight_approval::Column::OrderId.eq(order_id))
        .order_by_asc(weight_approval::Column::CreatedAt)
        .all(db)
        .await?)
}

/// The questions asked about some merchant orders' lines, oldest first, in one query.
pub(crate) async fn of_merchant_orders(
    db: &impl ConnectionTrait,
    merchant_order_ids: &[String],
) -> Result<Vec<weight_approval::Model>> {
    Ok(weight_approval::Entity::find()
        .filter(weight_approval::Column::MerchantOrderId.is_in(merchant_order_ids.iter().cloned()))
        .order_by_asc(weight_approval::Column::CreatedAt)
        .all(db)
        .await?)
}

/// The second authorisations among `asked` (cards' approved differences).
pub(crate) async fn payments_of(
    db: &impl ConnectionTrait,
    asked: &[weight_approval::Model],
) -> Result<Vec<Payment>> {
    let mut payments = Vec::new();
    for id in asked.iter().filter_map(|a| a.payment_id.as_deref()) {
        payments.push(golmok_payments::get_payment(db, id).await?);
    }
    Ok(payments)
}

/// The second authorisations of an order's approved differences (cards only).
pub(crate) async fn top_ups(db: &impl ConnectionTrait, order_id: &str) -> Result<Vec<Payment>> {
    payments_of(db, &of_order(db, order_id).await?).await
}

/// The payments of a merchant order's approved differences that a card captured on their
/// own: a refund of the part gives their money back from them.
pub(crate) async fn captured_differences(
    txn: &impl ConnectionTrait,
    merchant_order_id: &str,
) -> Result<Vec<Payment>> {
    Ok(held_or_captured(txn, merchant_order_id)
        .await?
        .into_iter()
        .map(|(_, p)| p)
        .filter(|p| p.status.is_captured())
        .collect())
}

/// The approved differences of a merchant order whose card authorisation holds, with their
/// payments: captured with the rest, for this shop.
pub(crate) async fn held_differences(
    txn: &impl ConnectionTrait,
    merchant_order_id: &str,
) -> Result<Vec<(weight_approval::Model, Payment)>> {
    Ok(held_or_captured(txn, merchant_order_id)
        .await?
        .into_iter()
        .filter(|(_, p)| p.status == PaymentStatus::Authorized)
        .collect())
}

/// A merchant order's approved differences that have a payment of their own, with it.
async fn held_or_captured(
    txn: &impl ConnectionTrait,
    merchant_order_id: &str,
) -> Result<Vec<(weight_approval::Model, Payment)>> {
    let mut found = Vec::new();
    for a in weight_approval::Entity::find()
        .filter(weight_approval::Column::MerchantOrderId.eq(merchant_order_id))
        .filter(weight_approval::Column::Status.eq(ApprovalStatus::Approved))
        .order_by_asc(weight_approval::Column::Id)
        .all(txn)
        .await?
    {
        if let Some(id) = &a.payment_id {
            let p = golmok_payments::get_payment(txn, id).await?;
            found.push((a, p));
        }
    }
    Ok(found)
}

/// The latest approval of each line of a merchant order, for its view, from the questions
/// already read (`asked`).
pub(crate) async fn latest_by_line(
    db: &impl ConnectionTrait,
    asked: &[weight_approval::Model],
    merchant_order_id: &str,
) -> Result<Vec<(String, Approval)>> {
    let mut latest: Vec<(String, Approval)> = Vec::new();
    for a in asked
        .iter()
        .filter(|a| a.merchant_order_id == merchant_order_id)
        .filter(|a| a.status != ApprovalStatus::Withdrawn)
    {
        let payment = match &a.payment_id {
            Some(id) => Some(golmok_payments::get_payment(db, id).await?),
            None => None,
        };
        let view = Approval {
            id: a.id.clone(),
            status: a.status,
            weighed_quantity: a.weighed_quantity,
            fits_quantity: a.fits_quantity,
            extra_krw: a.extra_krw,
            ask_until: a.ask_until,
            payment,
        };
        latest.retain(|(line, _)| *line != a.line_id);
        latest.push((a.line_id.clone(), view));
    }
    Ok(latest)
}

/// Questions still open for a merchant order stop it being marked ready.
pub(crate) async fn require_answered(
    txn: &impl ConnectionTrait,
    merchant_order_id: &str,
) -> Result<()> {
    for a in weight_approval::Entity::find()
        .filter(weight_approval::Column::MerchantOrderId.eq(merchant_order_id))
        .filter(
            weight_approval::Column::Status
                .is_in([ApprovalStatus::Asked, ApprovalStatus::Approved]),
        )
        .all(txn)
        .await?
    {
        let payment = match &a.payment_id {
            Some(id) => Some(golmok_payments::get_payment(txn, id).await?.status),
            None => None,
        };
        if awaits_shopper(a.status, payment) {
            return Err(DomainError::conflict(
                "awaiting_approval",
                "the shopper has not yet approved the weighed amount; wait for the answer, or weigh out what was authorised",
            )
            .with_details(json!({"line_id": a.line_id, "ask_until": a.ask_until})));
        }
    }
    Ok(())
}

/// A weighed line and what it came to before this weighing.
pub(crate) struct Weighed {
    pub line: order_line::Model,
    pub amount_before_krw: i64,
}

/// Puts the part of `over_by_krw` each weighed line caused to the shopper: lines that grew
/// most carry it first. The lines are already priced at what the scale said.
pub(crate) async fn ask(
    txn: &impl ConnectionTrait,
    o: &order::Model,
    m: &merchant_order::Model,
    mut weighed: Vec<Weighed>,
    over_by_krw: i64,
) -> Result<()> {
    let wait = golmok_catalog::merchant::get_merchant(txn, &m.merchant_id)
        .await?
        .approval_wait_minutes;
    let now = Utc::now();
    let ask_until = now + chrono::Duration::minutes(i64::from(wait.max(1)));
    weighed.sort_by_key(|w| std::cmp::Reverse(w.line.amount_krw - w.amount_before_krw));
    let mut left = over_by_krw;
    for w in weighed {
        if left <= 0 {
            break;
        }
        let extra = left.min(w.line.amount_krw);
        left -= extra;
        let fits = most_that_fits(
            w.line.price_krw,
            w.line.unit_quantity,
            w.line.amount_krw - extra,
        );
        weight_approval::ActiveModel {
            id: Set(new_id("apv")),
            line_id: Set(w.line.id.clone()),
            merchant_order_id: Set(m.id.clone()),
            order_id: Set(o.id.clone()),
            weighed_quantity: Set(w.line.weighed_quantity.unwrap_or(w.line.quantity)),
            fits_quantity: Set(fits),
            extra_krw: Set(extra),
            status: Set(ApprovalStatus::Asked),
            payment_id: Set(None),
            ask_until: Set(ask_until),
            answered_at: Set(None),
            created_at: Set(now),
        }
        .insert(txn)
        .await?;
        announce(txn, m, &w.line.id, ApprovalStatus::Asked).await?;
    }
    Ok(())
}

/// Questions about lines weighed again are withdrawn: the new weighing asks afresh.
pub(crate) async fn withdraw(txn: &impl ConnectionTrait, line_ids: &[String]) -> Result<()> {
    weight_approval::Entity::update_many()
        .col_expr(
            weight_approval::Column::Status,
            Expr::value(ApprovalStatus::Withdrawn.as_str()),
        )
        .filter(weight_approval::Column::LineId.is_in(line_ids.iter().cloned()))
        .filter(weight_approval::Column::Status.eq(ApprovalStatus::Asked))
        .exec(txn)
        .await?;
    Ok(())
}

/// Tells the shop's board (and the shopper's page, through the order's history) that a
/// question was asked or answered.
async fn announce(
    txn: &impl ConnectionTrait,
    m: &merchant_order::Model,
    line_id: &str,
    status: ApprovalStatus,
) -> Result<()> {
    golmok_events::outbox::record(
        txn,
        &Topic::merchant(m.merchant_id.as_str()),
        &Payload::WeightApproval {
            order_id: m.order_id.clone(),
            merchant_order_id: m.id.clone(),
            line_id: line_id.to_owned(),
            status: status.as_str().to_owned(),
        },
    )
    .await?;
    Ok(())
}

/// The shopper approves or declines what a weighed line came to. Only the order's shopper
/// answers; anyone else is told the merchant order does not exist. An answer after the
/// shop's waiting time is refused (the line was, or now is, cut).
pub async fn answer(
    ctx: Ordering<'_>,
    actor: &Account,
    merchant_order_id: &str,
    line_id: &str,
    decision: Decision,
) -> Result<view::Order> {
    let txn = begin_write(ctx.db).await?;
    let m = merchant_order::Entity::find_by_id(merchant_order_id)
        .one(&txn)
        .await?
        .ok_or_else(|| DomainError::not_found("merchant order", merchant_order_id))?;
    let o = order::Entity::find_by_id(m.order_id.as_str())
        .one(&txn)
        .await?
        .filter(|o| o.shopper_id == actor.id)
        .ok_or_else(|| DomainError::not_found("merchant order", merchant_order_id))?;
    let a = open_question(&txn, &m, line_id).await?;
    if a.ask_until < Utc::now() {
        let listing = cut(
            &txn,
            &m,
            a,
            ApprovalStatus::Lapsed,
            crate::lifecycle::SYSTEM_ACTOR,
        )
        .await?;
        txn.commit().await?;
        golmok_catalog::listing::stock_changed(ctx.db, ctx.cache, &[listing]).await;
        return Err(closed());
    }
    let (top_up, cut_listing) = match decision {
        Decision::Decline => {
            let listing = cut(&txn, &m, a, ApprovalStatus::Declined, &actor.id).await?;
            (None, Some(listing))
        }
        Decision::Approve => (approve(&ctx, &txn, &o, &m, a, &actor.id).await?, None),
    };
    txn.commit().await?;
    if let Some(listing) = cut_listing {
        golmok_catalog::listing::stock_changed(ctx.db, ctx.cache, &[listing]).await;
    }
    if let Some(call) = top_up {
        authorize_difference(&ctx, &m, &call).await?;
    }
    view::get_order(ctx.db, actor, &o.id).await
}

/// Asks the card for the approved difference, with no transaction open, and records the
/// answer. A card that says no cuts the line as a decline would (and the shopper hears the
/// card's no); no answer leaves the call to the reconciler and the question to lapse.
async fn authorize_difference(
    ctx: &Ordering<'_>,
    m: &merchant_order::Model,
    call: &golmok_payments::calls::Call,
) -> Result<()> {
    let payment = golmok_payments::get_payment(ctx.db, &call.subject_id).await?;
    let provider = ctx.providers.require(&payment.provider)?;
    let answer = golmok_payments::authorize_written(provider, call).await;
    let txn = begin_write(ctx.db).await?;
    match golmok_payments::record_authorization(&txn, provider, call, answer).await {
        Ok(_) => {
            txn.commit().await?;
            Ok(())
        }
        Err(DomainError::Declined(reason)) => {
            let approval = weight_approval::Entity::find()
                .filter(weight_approval::Column::PaymentId.eq(call.subject_id.as_str()))
                .one(&txn)
                .await?
                .ok_or_else(|| {
                    DomainError::internal("a difference's payment without its approval")
                })?;
            let listing = cut(
                &txn,
                m,
                approval,
                ApprovalStatus::Declined,
                crate::lifecycle::SYSTEM_ACTOR,
            )
            .await?;
            txn.commit().await?;
            golmok_catalog::listing::stock_changed(ctx.db, ctx.cache, &[listing]).await;
            Err(DomainError::Declined(reason))
        }
        Err(e) => {
            tracing::warn!(payment = %payment.id, error = %e, "an approved difference is not authorised yet");
            Ok(())
        }
    }
}

fn closed() -> DomainError {
    DomainError::conflict(
        "approval_closed",
        "the shop's waiting time is over: the line was weighed out to what the payment holds",
    )
}

/// The question still open about `line_id`; a line never asked about is not found, one
/// answered already is a conflict.
async fn open_question(
    txn: &impl ConnectionTrait,
    m: &merchant_order::Model,
    line_id: &str,
) -> Result<weight_approval::Model> {
    let latest = weight_approval::Entity::find()
        .filter(weight_approval::Column::MerchantOrderId.eq(m.id.as_str()))
        .filter(weight_approval::Column::LineId.eq(line_id))
        .filter(weight_approval::Column::Status.ne(ApprovalStatus::Withdrawn))
        .order_by_desc(weight_approval::Column::CreatedAt)
        .one(txn)
        .await?
        .ok_or_else(|| DomainError::not_found("approval", line_id))?;
    match latest.status {
        ApprovalStatus::Asked => Ok(latest),
        ApprovalStatus::Lapsed => Err(closed()),
        answered => Err(DomainError::conflict(
            "approval_answered",
            format!("this line was answered already: {}", answered.as_str()),
        )),
    }
}

/// The shopper pays the difference: a local provider's hold grows at once; a card gets a
/// second authorisation, written here and made after the commit (its call returned).
async fn approve(
    ctx: &Ordering<'_>,
    txn: &impl ConnectionTrait,
    o: &order::Model,
    m: &merchant_order::Model,
    a: weight_approval::Model,
    actor_id: &str,
) -> Result<Option<golmok_payments::calls::Call>> {
    let payment = golmok_payments::get_payment(txn, &o.payment_id).await?;
    let provider = ctx.providers.require(&payment.provider)?;
    let (top_up, call) = if provider.is_local() {
        golmok_payments::raise_authorization(txn, provider, &payment.id, a.extra_krw).await?;
        (None, None)
    } else {
        let (p, call) =
            golmok_payments::authorize(txn, provider, &o.id, a.extra_krw, &a.id).await?;
        (Some(p.id), Some(call))
    };
    let note = format!("weighed amount approved: {} won more", a.extra_krw);
    let line_id = a.line_id.clone();
    let mut active: weight_approval::ActiveModel = a.into();
    active.status = Set(ApprovalStatus::Approved);
    active.payment_id = Set(top_up.clone());
    active.answered_at = Set(Some(Utc::now()));
    active.update(txn).await?;
    let status = m.status.as_str();
    record(
        txn,
        &o.id,
        Some(&m.id),
        status,
        status,
        actor_id,
        Some(&note),
    )
    .await?;
    announce(txn, m, &line_id, ApprovalStatus::Approved).await?;
    Ok(call)
}

/// The line weighed out to what fits in the payment, the question closed as `status`. The
/// listing whose stock it changed, for the caller to invalidate once committed.
async fn cut(
    txn: &sea_orm::DatabaseTransaction,
    m: &merchant_order::Model,
    a: weight_approval::Model,
    status: ApprovalStatus,
    actor_id: &str,
) -> Result<String> {
    let line = order_line::Entity::find_by_id(a.line_id.as_str())
        .one(txn)
        .await?
        .ok_or_else(|| DomainError::internal(format!("approval {} has no line", a.id)))?;
    crate::lifecycle::adjust_reservation(txn, &line, a.fits_quantity).await?;
    crate::lifecycle::price_weighed_line(txn, &line, a.fits_quantity).await?;
    crate::lifecycle::reprice_shop_part(txn, m.clone()).await?;
    let note = format!(
        "weighed line cut to {} {} ({})",
        a.fits_quantity,
        line.unit,
        status.as_str()
    );
    let line_id = a.line_id.clone();
    let mut active: weight_approval::ActiveModel = a.into();
    active.status = Set(status);
    active.answered_at = Set(Some(Utc::now()));
    active.update(txn).await?;
    let current = m.status.as_str();
    record(
        txn,
        &m.order_id,
        Some(&m.id),
        current,
        current,
        actor_id,
        Some(&note),
    )
    .await?;
    announce(txn, m, &line_id, status).await?;
    Ok(line.listing_id)
}

/// Closes every question whose shop stopped waiting: an unanswered one, or an approval whose
/// card authorisation was never confirmed, cuts its line to what fits (and lets the
/// unconfirmed authorisation go). Run periodically by the server; returns how many it closed.
pub async fn lapse_unanswered(ctx: Ordering<'_>) -> Result<usize> {
    let due = weight_approval::Entity::find()
        .filter(
            weight_approval::Column::Status
                .is_in([ApprovalStatus::Asked, ApprovalStatus::Approved]),
        )
        .filter(weight_approval::Column::AskUntil.lt(Utc::now()))
        .all(ctx.db)
        .await?;
    let mut lapsed = 0;
    for candidate in due {
        let txn = begin_write(ctx.db).await?;
        // Re-read inside the transaction: the shopper may have answered meanwhile.
        let Some(a) = weight_approval::Entity::find_by_id(candidate.id.as_str())
            .one(&txn)
            .await?
        else {
            continue;
        };
        let unconfirmed = match (&a.status, &a.payment_id) {
            (ApprovalStatus::Asked, _) => None,
            (ApprovalStatus::Approved, Some(id)) => {
                let p = golmok_payments::get_payment(&txn, id).await?;
                if matches!(
                    p.status,
                    PaymentStatus::Authorized | PaymentStatus::Captured
                ) {
                    continue;
                }
                Some(p).filter(|p| p.status == PaymentStatus::Pending)
            }
            _ => continue,
        };
        let Some(m) = merchant_order::Entity::find_by_id(a.merchant_order_id.as_str())
            .one(&txn)
            .await?
        else {
            continue;
        };
        let listing = cut(
            &txn,
            &m,
            a,
            ApprovalStatus::Lapsed,
            crate::lifecycle::SYSTEM_ACTOR,
        )
        .await?;
        if let Some(p) = &unconfirmed {
            let provider = ctx.providers.require(&p.provider)?;
            golmok_payments::void(&txn, provider, &p.id).await?;
        }
        txn.commit().await?;
        golmok_catalog::listing::stock_changed(ctx.db, ctx.cache, &[listing]).await;
        if let Some(p) = unconfirmed {
            crate::payment_calls::make(&ctx, &p.id).await?;
        }
        lapsed += 1;
    }
    Ok(lapsed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use golmok_core::money::price_for_quantity;

    #[test]
    fn a_question_holds_the_order_until_answered_and_a_card_difference_until_authorised() {
        use ApprovalStatus as A;
        use PaymentStatus as P;
        assert!(awaits_shopper(A::Asked, None));
        // Approved by a shopper paying offline or by transfer: nothing more to wait for.
        assert!(!awaits_shopper(A::Approved, None));
        assert!(awaits_shopper(A::Approved, Some(P::Pending)));
        assert!(awaits_shopper(A::Approved, Some(P::Failed)));
        assert!(!awaits_shopper(A::Approved, Some(P::Authorized)));
        assert!(!awaits_shopper(A::Approved, Some(P::Captured)));
        for answered in [A::Declined, A::Lapsed, A::Withdrawn] {
            assert!(!awaits_shopper(answered, None));
            assert!(!awaits_shopper(answered, Some(P::Pending)));
        }
    }

    #[test]
    fn the_most_that_fits_is_the_largest_amount_within_the_budget() {
        // 1,500 won per 100 g: 437 g cost 6,555 won; 6,000 won buy 400 g.
        assert_eq!(most_that_fits(1_500, 100, 6_000), 400);
        for (price, per, budget) in [
            (1_500, 100, 6_554),
            (990, 100, 1),
            (3_000, 1_000, 777),
            (7, 3, 100),
        ] {
            let q = most_that_fits(price, per, budget);
            assert!(price_for_quantity(price, per, q).unwrap() <= budget);
            assert!(price_for_quantity(price, per, q + 1).unwrap() > budget);
        }
        assert_eq!(most_that_fits(1_500, 100, 0), 0);
        assert_eq!(most_that_fits(1_500, 100, -5), 0);
    }
}
