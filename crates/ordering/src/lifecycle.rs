//! What happens to an order after checkout: merchants accept, weigh, mark ready or reject;
//! shoppers cancel; stale orders expire. Each step is one transaction that moves a merchant
//! order by the table in [`crate::state`], gives stock back when goods will not be sold,
//! settles the payment once every merchant has decided, and records who did it.

use chrono::Utc;
use golmok_accounts::{Account, Role};
use golmok_catalog::entities::merchant as shop;
use golmok_catalog::listing as catalog_listing;
use golmok_core::money::share_of;
use golmok_core::{ValidationErrors, db::begin_write};
use golmok_payments::Share;
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, DatabaseTransaction, QueryOrder};
use serde::Deserialize;
use serde_json::json;

use crate::checkout::{FulfillmentKind, MAX_QUANTITY};
use crate::entities::{merchant_order, order, order_line, stock_reservation};
use crate::history::{Transition, record, record_all};
use crate::state::{Action, MerchantOrderStatus, OrderStatus};
use crate::view::{self, status_of};
use crate::{DomainError, Ordering, Result, merchant_party, network_party};
use crate::{approvals, payment_calls};

/// The account that acts when the system itself moves an order (expiry).
pub const SYSTEM_ACTOR: &str = "system";

async fn load_merchant_order(
    txn: &impl ConnectionTrait,
    id: &str,
) -> Result<merchant_order::Model> {
    merchant_order::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or_else(|| DomainError::not_found("merchant order", id))
}

/// The merchant order, if `actor` owns its shop (or is an admin). Others learn nothing.
/// One statement: the part, only if its shop is the actor's.
async fn owned(
    txn: &impl ConnectionTrait,
    actor: &Account,
    id: &str,
) -> Result<merchant_order::Model> {
    let mut part = merchant_order::Entity::find_by_id(id);
    if actor.role != Role::Admin {
        part = part.filter(
            merchant_order::Column::MerchantId.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(shop::Column::Id)
                    .from(shop::Entity)
                    .and_where(shop::Column::OwnerId.eq(actor.id.as_str()))
                    .to_owned(),
            ),
        );
    }
    part.one(txn)
        .await?
        .ok_or_else(|| DomainError::not_found("merchant order", id))
}

fn illegal(current: MerchantOrderStatus, action: Action) -> DomainError {
    DomainError::conflict(
        "illegal_transition",
        format!(
            "cannot {} a merchant order that is {}",
            action.verb(),
            current.as_str()
        ),
    )
    .with_details(json!({"current_status": current.as_str(), "action": action.verb()}))
}

/// Moves one merchant order and records it; the caller has checked who may.
async fn advance(
    txn: &impl ConnectionTrait,
    m: merchant_order::Model,
    action: Action,
    actor_id: &str,
    note: Option<&str>,
) -> Result<MerchantOrderStatus> {
    advance_at(txn, m, action, actor_id, note, None).await
}

/// As [`advance`], recorded as made at `at` (now when `None`).
async fn advance_at(
    txn: &impl ConnectionTrait,
    m: merchant_order::Model,
    action: Action,
    actor_id: &str,
    note: Option<&str>,
    at: Option<chrono::DateTime<Utc>>,
) -> Result<MerchantOrderStatus> {
    let current = status_of(&m)?;
    let next = current
        .after(action)
        .ok_or_else(|| illegal(current, action))?;
    if next.is_withdrawn() {
        release_stock(txn, &m.id).await?;
        golmok_delivery_routing::task::withdraw(txn, &m.id).await?;
    }
    let order_id = m.order_id.clone();
    let mo_id = m.id.clone();
    let mut active: merchant_order::ActiveModel = m.into();
    active.status = Set(next.as_str().to_owned());
    active.updated_at = Set(Utc::now());
    if let Some(note) = note {
        active.note = Set(Some(note.to_owned()));
    }
    active.update(txn).await?;
    let transition = Transition {
        order_id: &order_id,
        merchant_order_id: Some(&mo_id),
        from: current.as_str(),
        to: next.as_str(),
        actor_id,
        note,
        at,
    };
    record_all(txn, &[transition], Vec::new()).await?;
    Ok(next)
}

/// Listings whose stock a merchant order holds: their cached copies go stale when it moves.
async fn listings_of(
    txn: &impl ConnectionTrait,
    merchant_order_ids: &[String],
) -> Result<Vec<String>> {
    Ok(order_line::Entity::find()
        .filter(order_line::Column::MerchantOrderId.is_in(merchant_order_ids.iter().cloned()))
        .all(txn)
        .await?
        .into_iter()
        .map(|l| l.listing_id)
        .collect())
}

/// Drops the cached copies of listings whose stock just changed, after the commit.
async fn invalidate(ctx: &Ordering<'_>, listing_ids: &[String]) {
    catalog_listing::stock_changed(ctx.db, ctx.cache, listing_ids).await;
}

/// Tells the delivery planner that a merchant order can be picked up from now, at the size
/// its lines (weighed ones at their weight) come to.
async fn announce_ready(
    txn: &impl ConnectionTrait,
    merchant_order_id: &str,
    lines: &[order_line::Model],
) -> Result<()> {
    let ids: Vec<String> = lines.iter().map(|l| l.listing_id.clone()).collect();
    let listings = catalog_listing::listings_in(txn, &ids).await?;
    let mut size = (0, 0);
    for line in lines {
        if let Some(listing) = listings.iter().find(|l| l.id == line.listing_id) {
            let (g, ml) = listing.size_of(line.weighed_quantity.unwrap_or(line.quantity));
            size = (size.0 + g, size.1 + ml);
        }
    }
    let contents = crate::contents(lines.iter().map(|l| {
        (
            l.title.as_str(),
            l.unit.as_str(),
            l.weighed_quantity.unwrap_or(l.quantity),
        )
    }));
    golmok_delivery_routing::task::mark_ready(txn, merchant_order_id, Utc::now(), size, &contents)
        .await?;
    Ok(())
}

/// Gives back the stock of every line of a merchant order, each reservation exactly once.
async fn release_stock(txn: &impl ConnectionTrait, merchant_order_id: &str) -> Result<()> {
    let lines = order_line::Entity::find()
        .filter(order_line::Column::MerchantOrderId.eq(merchant_order_id))
        .all(txn)
        .await?;
    for line in lines {
        let released = stock_reservation::Entity::update_many()
            .col_expr(
                stock_reservation::Column::ReleasedAt,
                Expr::value(Utc::now()),
            )
            .filter(stock_reservation::Column::LineId.eq(line.id.as_str()))
            .filter(stock_reservation::Column::ReleasedAt.is_null())
            .exec(txn)
            .await?;
        if released.rows_affected == 1
            && let Some(r) = stock_reservation::Entity::find_by_id(line.id.as_str())
                .one(txn)
                .await?
        {
            catalog_listing::return_stock(txn, &r.listing_id, r.quantity).await?;
        }
    }
    Ok(())
}

/// Once no merchant is still deciding, fixes the payment: captures the sold merchant
/// orders (weighed amounts, deposits, the delivery fee) or, when nothing is sold, voids it.
/// Then brings the order's own status up to date.
async fn settle(
    ctx: &Ordering<'_>,
    txn: &impl ConnectionTrait,
    order_id: &str,
    actor_id: &str,
) -> Result<Settled> {
    let mut o = order::Entity::find_by_id(order_id)
        .one(txn)
        .await?
        .ok_or_else(|| DomainError::not_found("order", order_id))?;
    let parts = merchant_order::Entity::find()
        .filter(merchant_order::Column::OrderId.eq(order_id))
        .order_by_asc(merchant_order::Column::Id)
        .all(txn)
        .await?;
    let statuses = parts.iter().map(status_of).collect::<Result<Vec<_>>>()?;
    let deciding = statuses.iter().any(|s| {
        matches!(
            s,
            MerchantOrderStatus::Pending | MerchantOrderStatus::Accepted
        )
    });
    let mut payment = golmok_payments::get_payment(txn, &o.payment_id).await?;
    if !deciding && payment.status == golmok_payments::PaymentStatus::Authorized {
        let provider = ctx.providers.require(&payment.provider)?;
        let mut shares: Vec<Share> = parts
            .iter()
            .zip(&statuses)
            .filter(|(_, s)| s.is_sold())
            .map(|(m, _)| Share {
                party: merchant_party(&m.merchant_id),
                part_reference: Some(m.id.clone()),
                gross_krw: m.subtotal_krw + m.deposits_krw - coupon_taken(m),
                commission_krw: m.commission_krw,
            })
            .collect();
        for m in parts
            .iter()
            .zip(&statuses)
            .filter(|(_, s)| s.is_sold())
            .map(|(m, _)| m)
        {
            let off = coupon_taken(m);
            if off > 0 {
                crate::coupons::settle_amount(txn, &m.id, off).await?;
                crate::coupons::book_cost(txn, &o.consortium_id, &m.merchant_id, off, &m.id)
                    .await?;
            }
        }
        let differences = settle_differences(txn, provider, &parts, &statuses, &mut shares).await?;
        if shares.is_empty() {
            payment = golmok_payments::void(txn, provider, &payment.id).await?;
        } else {
            if let Some(network) = &o.network_id
                && o.delivery_fee_krw > 0
            {
                shares.push(Share {
                    party: network_party(network),
                    part_reference: None,
                    gross_krw: o.delivery_fee_krw,
                    commission_krw: 0,
                });
            }
            payment = golmok_payments::capture(txn, provider, &payment.id, &shares).await?;
        }
        for (payment_id, share) in differences {
            golmok_payments::capture(txn, provider, &payment_id, std::slice::from_ref(&share))
                .await?;
        }
    }
    for (m, _) in parts
        .iter()
        .zip(&statuses)
        .filter(|(m, s)| s.is_withdrawn() && m.coupon_krw > 0)
    {
        crate::coupons::give_back(txn, &m.id).await?;
    }
    let status = OrderStatus::of(&statuses);
    if status.as_str() != o.status {
        if status == OrderStatus::Cancelled
            && statuses.iter().all(|s| s.is_withdrawn())
            && let Some(slot) = &o.slot_id
        {
            // Nothing of it rides in the slot any more: its place is free again.
            golmok_delivery_routing::network::unbook(txn, slot).await?;
        }
        let from = o.status.clone();
        let mut active: order::ActiveModel = o.into();
        active.status = Set(status.as_str().to_owned());
        active.updated_at = Set(Utc::now());
        o = active.update(txn).await?;
        record(txn, order_id, None, &from, status.as_str(), actor_id, None).await?;
    }
    Ok(Settled {
        order: o,
        parts,
        payment,
    })
}

/// What settling read and left as it stands: the order's own row (its status brought up
/// to date), its parts, and its payment (as capturing or voiding it left it). A use case
/// that answers with the order reads only the rest ([`Settled::rows`]).
struct Settled {
    order: order::Model,
    parts: Vec<merchant_order::Model>,
    payment: golmok_payments::Payment,
}

impl Settled {
    async fn rows(self, txn: &impl ConnectionTrait) -> Result<view::OrderRows> {
        view::OrderRows::read_rest(txn, self.order, self.parts, self.payment).await
    }
}

/// What a coupon takes off a shop's part: its amount, but never more than the goods as
/// weighed.
pub(crate) fn coupon_taken(m: &merchant_order::Model) -> i64 {
    coupon_within(m.subtotal_krw, m.coupon_krw)
}

/// A coupon takes off a part's goods, never more than they cost.
pub(crate) fn coupon_within(subtotal_krw: i64, coupon_krw: i64) -> i64 {
    coupon_krw.min(subtotal_krw).max(0)
}

/// The approved differences a card authorised on its own: each sold shop's is captured for
/// that shop (and taken out of its share of the checkout's payment); a withdrawn shop's is
/// let go. Returns the captures to make.
async fn settle_differences(
    txn: &impl ConnectionTrait,
    provider: &dyn golmok_payments::PaymentProvider,
    parts: &[merchant_order::Model],
    statuses: &[MerchantOrderStatus],
    shares: &mut [Share],
) -> Result<Vec<(String, Share)>> {
    let mut captures = Vec::new();
    for (m, status) in parts.iter().zip(statuses) {
        for (a, payment) in approvals::held_differences(txn, &m.id).await? {
            let main = shares
                .iter_mut()
                .find(|s| s.part_reference.as_deref() == Some(m.id.as_str()));
            match main {
                Some(main) if status.is_sold() && main.gross_krw >= a.extra_krw => {
                    let commission = share_of(a.extra_krw, commission_bps(txn, m).await?)
                        .unwrap_or(0)
                        .min(main.commission_krw);
                    main.gross_krw -= a.extra_krw;
                    main.commission_krw -= commission;
                    captures.push((
                        payment.id,
                        Share {
                            party: main.party.clone(),
                            part_reference: Some(m.id.clone()),
                            gross_krw: a.extra_krw,
                            commission_krw: commission,
                        },
                    ));
                }
                _ => {
                    golmok_payments::void(txn, provider, &payment.id).await?;
                }
            }
        }
    }
    Ok(captures)
}

async fn commission_bps(txn: &impl ConnectionTrait, m: &merchant_order::Model) -> Result<u32> {
    Ok(order::Entity::find_by_id(m.order_id.as_str())
        .one(txn)
        .await?
        .map(|o| o.commission_bps.max(0) as u32)
        .unwrap_or(0))
}

async fn step(
    ctx: Ordering<'_>,
    actor: &Account,
    id: &str,
    action: Action,
    note: Option<&str>,
) -> Result<view::Order> {
    let txn = begin_write(ctx.db).await?;
    let m = owned(&txn, actor, id).await?;
    let order_id = m.order_id.clone();
    // Marking ready reads the part's lines once: to see all refills weighed, and for the
    // size the courier will carry.
    let mut lines = Vec::new();
    if action == Action::MarkReady {
        lines = order_line::Entity::find()
            .filter(order_line::Column::MerchantOrderId.eq(id))
            .all(&txn)
            .await?;
        let unweighed = lines
            .iter()
            .filter(|l| l.refill && l.weighed_quantity.is_none())
            .count();
        if unweighed > 0 && status_of(&m)? == MerchantOrderStatus::Accepted {
            return Err(DomainError::conflict(
                "unweighed_lines",
                format!("weigh the {unweighed} refill line(s) before marking the order ready"),
            ));
        }
        approvals::require_answered(&txn, id).await?;
    }
    if action == Action::Collect {
        let o = order::Entity::find_by_id(order_id.as_str())
            .one(&txn)
            .await?;
        let delivered = o.is_some_and(|o| o.fulfillment_kind != FulfillmentKind::Pickup.as_str());
        if delivered && !golmok_delivery_routing::task::is_pickup(&txn, &m.id).await? {
            return Err(DomainError::conflict(
                "not_a_pickup_order",
                "this order is delivered by the network; its courier completes it",
            ));
        }
    }
    let next = advance(&txn, m, action, &actor.id, note).await?;
    if next == MerchantOrderStatus::Ready {
        announce_ready(&txn, id, &lines).await?;
    }
    let rows = settle(&ctx, &txn, &order_id, &actor.id)
        .await?
        .rows(&txn)
        .await?;
    // Only a part withdrawn (rejected, cancelled) gives its stock back: accepting, packing and
    // handing over change no listing, and leave the cached listing pages standing.
    let touched = if next.is_withdrawn() {
        rows.listings_of(Some(id))
    } else {
        Vec::new()
    };
    let order = rows.into_view(&txn).await?;
    txn.commit().await?;
    invalidate(&ctx, &touched).await;
    payment_calls::settled_view(&ctx, order).await
}

pub async fn accept(ctx: Ordering<'_>, actor: &Account, id: &str) -> Result<view::Order> {
    step(ctx, actor, id, Action::Accept, None).await
}

/// The merchant will not sell this part: its stock goes back and it is not charged.
pub async fn reject(
    ctx: Ordering<'_>,
    actor: &Account,
    id: &str,
    reason: &str,
) -> Result<view::Order> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(ValidationErrors::single("reason", "must be 1 to 500 characters").into());
    }
    step(ctx, actor, id, Action::Reject, Some(reason)).await
}

pub async fn mark_ready(ctx: Ordering<'_>, actor: &Account, id: &str) -> Result<view::Order> {
    step(ctx, actor, id, Action::MarkReady, None).await
}

/// The shopper collected a pickup order at the shop.
pub async fn collect(ctx: Ordering<'_>, actor: &Account, id: &str) -> Result<view::Order> {
    step(ctx, actor, id, Action::Collect, None).await
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Weighing {
    pub lines: Vec<WeighedLine>,
    /// What to do when the order as weighed comes to more than the payment holds.
    #[serde(default)]
    pub if_over: IfOver,
}

/// When the scale says more than the payment holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum IfOver {
    /// Nothing is kept; the answer says by how much it is over (the shop weighs out less).
    #[default]
    Refuse,
    /// The weighing is kept and the shopper is asked to approve the difference
    /// ([`crate::approvals`]); the order cannot be marked ready until they answer or the
    /// shop's waiting time runs out.
    Ask,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WeighedLine {
    pub line_id: String,
    /// The net amount filled, in the listing's unit (grams or ml).
    pub net_quantity: i64,
}

/// Records what the merchant weighed: refill lines, and any line sold by weight or volume.
/// Each line's amount becomes the price of its weight; stock follows the weight. When the
/// order's new total exceeds what the payment holds, nothing changes and the answer carries
/// the numbers, or (`if_over: ask`) the weighing stands and the shopper is asked.
pub async fn weigh(
    ctx: Ordering<'_>,
    actor: &Account,
    id: &str,
    weighing: Weighing,
) -> Result<view::Order> {
    validate_weighing(&weighing)?;
    let txn = begin_write(ctx.db).await?;
    let m = owned(&txn, actor, id).await?;
    require_accepted(&m)?;
    let lines = lines_weighed(&txn, id, &weighing).await?;
    let ids: Vec<String> = lines.iter().map(|(l, _)| l.id.clone()).collect();
    approvals::withdraw(&txn, &ids).await?;
    for (line, net_quantity) in &lines {
        adjust_reservation(&txn, line, *net_quantity).await?;
        price_weighed_line(&txn, line, *net_quantity).await?;
    }
    let order_id = m.order_id.clone();
    let o = reprice_shop_part(&txn, m.clone()).await?;
    if let Err(over) = check_within_authorization(&txn, &o).await? {
        if weighing.if_over != IfOver::Ask {
            return Err(over.into_error());
        }
        let weighed = weighed_now(&txn, &lines).await?;
        approvals::ask(&txn, &o, &m, weighed, over.over_by_krw).await?;
    }
    record(
        &txn,
        &order_id,
        Some(id),
        "accepted",
        "accepted",
        &actor.id,
        Some("weighed"),
    )
    .await?;
    let order = view::load(&txn, &order_id).await?;
    // Only the weighed lines' stock moved.
    let touched: Vec<String> = lines.iter().map(|(l, _)| l.listing_id.clone()).collect();
    txn.commit().await?;
    invalidate(&ctx, &touched).await;
    Ok(order)
}

fn validate_weighing(weighing: &Weighing) -> Result<()> {
    let mut errors = ValidationErrors::new();
    if weighing.lines.is_empty() {
        errors.add("lines", "must name at least one line");
    }
    for (i, w) in weighing.lines.iter().enumerate() {
        if !(1..=MAX_QUANTITY).contains(&w.net_quantity) {
            errors.add(
                format!("lines[{i}].net_quantity"),
                format!("must be from 1 to {MAX_QUANTITY}"),
            );
        }
    }
    Ok(errors.into_result()?)
}

/// Refill lines are weighed between accepting and packing, never after.
fn require_accepted(m: &merchant_order::Model) -> Result<()> {
    let current = status_of(m)?;
    if current == MerchantOrderStatus::Accepted {
        return Ok(());
    }
    Err(DomainError::conflict(
        "illegal_transition",
        format!(
            "refill lines are weighed once the order is accepted; it is {}",
            current.as_str()
        ),
    )
    .with_details(json!({"current_status": current.as_str(), "action": "weigh"})))
}

/// The weighed lines as they now are, with what each came to before.
async fn weighed_now(
    txn: &DatabaseTransaction,
    lines: &[(order_line::Model, i64)],
) -> Result<Vec<approvals::Weighed>> {
    let mut weighed = Vec::new();
    for (before, _) in lines {
        let line = order_line::Entity::find_by_id(before.id.as_str())
            .one(txn)
            .await?
            .ok_or_else(|| DomainError::not_found("order line", &before.id))?;
        weighed.push(approvals::Weighed {
            line,
            amount_before_krw: before.amount_krw,
        });
    }
    Ok(weighed)
}

/// Whether a line is weighed at the counter: refill goods always, and any goods sold by
/// weight or volume (meat per 100 g) when the shop weighs them.
pub(crate) fn is_weighable(line: &order_line::Model) -> bool {
    line.refill || line.unit != golmok_catalog::Unit::Piece.as_str()
}

/// Each weighed line with its net amount: every named line must be a line of this merchant
/// order sold by weight or volume.
async fn lines_weighed(
    txn: &DatabaseTransaction,
    merchant_order_id: &str,
    weighing: &Weighing,
) -> Result<Vec<(order_line::Model, i64)>> {
    let lines = order_line::Entity::find()
        .filter(order_line::Column::MerchantOrderId.eq(merchant_order_id))
        .all(txn)
        .await?;
    let mut errors = ValidationErrors::new();
    let mut weighed = Vec::new();
    for (i, w) in weighing.lines.iter().enumerate() {
        match lines.iter().find(|l| l.id == w.line_id) {
            None => errors.add(
                format!("lines[{i}].line_id"),
                "is not a line of this merchant order",
            ),
            Some(l) if !is_weighable(l) => errors.add(
                format!("lines[{i}].line_id"),
                "is sold by the piece; only goods sold by weight or volume are weighed",
            ),
            Some(l) => weighed.push((l.clone(), w.net_quantity)),
        }
    }
    errors.into_result()?;
    Ok(weighed)
}

/// The stock held for the line follows the scale: more is taken from the shelf (refused if
/// the shelf has not got it), less is given back.
pub(crate) async fn adjust_reservation(
    txn: &DatabaseTransaction,
    line: &order_line::Model,
    net_quantity: i64,
) -> Result<()> {
    let reservation = stock_reservation::Entity::find_by_id(line.id.as_str())
        .one(txn)
        .await?
        .ok_or_else(|| DomainError::Internal(format!("line {} has no reservation", line.id)))?;
    let delta = net_quantity - reservation.quantity;
    if delta > 0 && !catalog_listing::take_stock(txn, &line.listing_id, delta).await? {
        return Err(DomainError::conflict(
            "out_of_stock",
            format!(
                "{} has less than {delta} more {} in stock",
                line.title, line.unit
            ),
        )
        .with_details(json!({"listing_id": line.listing_id, "requested": delta})));
    }
    if delta < 0 {
        catalog_listing::return_stock(txn, &line.listing_id, -delta).await?;
    }
    let mut r: stock_reservation::ActiveModel = reservation.into();
    r.quantity = Set(net_quantity);
    r.update(txn).await?;
    Ok(())
}

/// The line's amount at its frozen price for what the scale said.
pub(crate) async fn price_weighed_line(
    txn: &DatabaseTransaction,
    line: &order_line::Model,
    net_quantity: i64,
) -> Result<()> {
    let amount =
        golmok_core::money::price_for_quantity(line.price_krw, line.unit_quantity, net_quantity)
            .ok_or_else(|| DomainError::Internal(format!("pricing line {}", line.id)))?;
    let mut l: order_line::ActiveModel = line.clone().into();
    l.weighed_quantity = Set(Some(net_quantity));
    l.amount_krw = Set(amount);
    l.update(txn).await?;
    Ok(())
}

/// The shop's subtotal and commission from its lines as they now are; the order, for what
/// comes next.
pub(crate) async fn reprice_shop_part(
    txn: &DatabaseTransaction,
    m: merchant_order::Model,
) -> Result<order::Model> {
    let subtotal: i64 = order_line::Entity::find()
        .filter(order_line::Column::MerchantOrderId.eq(m.id.as_str()))
        .all(txn)
        .await?
        .iter()
        .map(|l| l.amount_krw)
        .sum();
    let o = order::Entity::find_by_id(m.order_id.as_str())
        .one(txn)
        .await?
        .ok_or_else(|| DomainError::not_found("order", &m.order_id))?;
    let mut active: merchant_order::ActiveModel = m.into();
    active.subtotal_krw = Set(subtotal);
    active.commission_krw = Set(share_of(subtotal, o.commission_bps.max(0) as u32).unwrap_or(0));
    active.updated_at = Set(Utc::now());
    active.update(txn).await?;
    Ok(o)
}

/// By how much an order as weighed exceeds what its payments hold.
struct OverAuthorization {
    authorized_krw: i64,
    required_krw: i64,
    over_by_krw: i64,
}

impl OverAuthorization {
    fn into_error(self) -> DomainError {
        DomainError::conflict(
            "exceeds_authorization",
            format!(
                "the weighed order comes to {} won but only {} won were authorised: weigh out less, or ask the shopper to approve the difference",
                self.required_krw, self.authorized_krw
            ),
        )
        .with_details(json!({
            "authorized_krw": self.authorized_krw,
            "required_krw": self.required_krw,
            "over_by_krw": self.over_by_krw,
        }))
    }
}

/// The whole order as weighed must fit in what the shopper's payments hold; otherwise the
/// caller refuses the weighing with the numbers, or asks the shopper.
async fn check_within_authorization(
    txn: &DatabaseTransaction,
    o: &order::Model,
) -> Result<std::result::Result<(), OverAuthorization>> {
    let required: i64 = merchant_order::Entity::find()
        .filter(merchant_order::Column::OrderId.eq(o.id.as_str()))
        .all(txn)
        .await?
        .iter()
        .filter(|p| MerchantOrderStatus::parse(&p.status).is_some_and(|s| !s.is_withdrawn()))
        .map(|p| p.subtotal_krw + p.deposits_krw - coupon_taken(p))
        .sum::<i64>()
        + o.delivery_fee_krw;
    let authorized = approvals::allowance(txn, o).await?;
    if required <= authorized {
        return Ok(Ok(()));
    }
    Ok(Err(OverAuthorization {
        authorized_krw: authorized,
        required_krw: required,
        over_by_krw: required - authorized,
    }))
}

/// Cancels an order: its shopper while no merchant has accepted, an admin while nothing has
/// left a shop. Stock goes back and the authorisation is released.
pub async fn cancel(ctx: Ordering<'_>, actor: &Account, order_id: &str) -> Result<view::Order> {
    let txn = begin_write(ctx.db).await?;
    let o = order::Entity::find_by_id(order_id)
        .one(&txn)
        .await?
        .ok_or_else(|| DomainError::not_found("order", order_id))?;
    let is_admin = actor.role == Role::Admin;
    if !is_admin && o.shopper_id != actor.id {
        return Err(DomainError::not_found("order", order_id));
    }
    let parts = merchant_order::Entity::find()
        .filter(merchant_order::Column::OrderId.eq(order_id))
        .order_by_asc(merchant_order::Column::Id)
        .all(&txn)
        .await?;
    for m in &parts {
        let s = status_of(m)?;
        let allowed = if is_admin {
            s.after(Action::Cancel).is_some() || s.is_withdrawn()
        } else {
            s == MerchantOrderStatus::Pending || s.is_withdrawn()
        };
        if !allowed {
            return Err(DomainError::conflict("illegal_transition", format!(
                    "cannot cancel: a merchant order is already {}{}",
                    s.as_str(),
                    if is_admin {
                        "; refund it instead"
                    } else {
                        "; ask the shop or support"
                    }
                )).with_details(
                    json!({"current_status": s.as_str(), "action": "cancel", "merchant_order_id": m.id}),
                ));
        }
    }
    if parts
        .iter()
        .all(|m| status_of(m).is_ok_and(|s| s.is_withdrawn()))
    {
        return Err(DomainError::conflict(
            "illegal_transition",
            format!("the order is already {}", o.status),
        )
        .with_details(json!({"current_status": o.status, "action": "cancel"})));
    }
    for m in parts {
        if !status_of(&m)?.is_withdrawn() {
            advance(&txn, m, Action::Cancel, &actor.id, Some("order cancelled")).await?;
        }
    }
    let rows = settle(&ctx, &txn, order_id, &actor.id)
        .await?
        .rows(&txn)
        .await?;
    let touched = rows.listings_of(None);
    let order = rows.into_view(&txn).await?;
    txn.commit().await?;
    invalidate(&ctx, &touched).await;
    payment_calls::settled_view(&ctx, order).await
}

/// Expires merchant orders that no merchant accepted within the acceptance timeout. Run
/// periodically by the server; returns how many expired.
pub async fn expire_stale(ctx: Ordering<'_>) -> Result<usize> {
    let cutoff = Utc::now()
        - chrono::Duration::from_std(ctx.rules.acceptance_timeout)
            .map_err(|e| DomainError::Internal(e.to_string()))?;
    let stale = merchant_order::Entity::find()
        .filter(merchant_order::Column::Status.eq(MerchantOrderStatus::Pending.as_str()))
        .filter(merchant_order::Column::CreatedAt.lt(cutoff))
        .all(ctx.db)
        .await?;
    let mut expired = 0;
    for candidate in stale {
        let txn = begin_write(ctx.db).await?;
        // Re-read inside the transaction: the merchant may have accepted meanwhile.
        let m = load_merchant_order(&txn, &candidate.id).await?;
        if status_of(&m)? != MerchantOrderStatus::Pending {
            continue;
        }
        let order_id = m.order_id.clone();
        let touched = listings_of(&txn, std::slice::from_ref(&m.id)).await?;
        advance(
            &txn,
            m,
            Action::Expire,
            SYSTEM_ACTOR,
            Some("not accepted in time"),
        )
        .await?;
        settle(&ctx, &txn, &order_id, SYSTEM_ACTOR).await?;
        txn.commit().await?;
        invalidate(&ctx, &touched).await;
        payment_calls::make_for_order(&ctx, &order_id).await?;
        expired += 1;
    }
    Ok(expired)
}

/// What a courier's stop means for ordering: a pickup moves the merchant order to picked
/// up, a drop-off to delivered, a failed drop-off to failed. Filled into routing's
/// [`golmok_delivery_routing::batch::StopEvents`] port, inside the stop's transaction.
pub struct CourierEvents<'a> {
    ctx: Ordering<'a>,
    /// Orders whose payment a stop may have written calls for, made by [`Self::finish`].
    touched: std::sync::Mutex<Vec<String>>,
}

impl<'a> CourierEvents<'a> {
    pub fn new(ctx: Ordering<'a>) -> Self {
        Self {
            ctx,
            touched: std::sync::Mutex::default(),
        }
    }

    /// Once the stop's transaction committed: makes the payment calls it wrote (a capture
    /// when the last part is delivered).
    pub async fn finish(&self) -> Result<()> {
        let touched = std::mem::take(&mut *self.touched.lock().unwrap_or_else(|e| e.into_inner()));
        for order_id in touched {
            payment_calls::make_for_order(&self.ctx, &order_id).await?;
        }
        Ok(())
    }
}

#[async_trait::async_trait]
impl golmok_delivery_routing::batch::StopEvents for CourierEvents<'_> {
    async fn on_stop(
        &self,
        txn: &sea_orm::DatabaseTransaction,
        merchant_order_id: &str,
        outcome: golmok_delivery_routing::batch::StopOutcome,
        actor: &Account,
        at: chrono::DateTime<Utc>,
    ) -> golmok_delivery_routing::Result<()> {
        use golmok_delivery_routing::batch::StopOutcome;
        if crate::member_trade::is_member_order(merchant_order_id) {
            return crate::member_trade::on_courier_stop(txn, merchant_order_id, outcome, at).await;
        }
        let moved = async {
            let m = load_merchant_order(txn, merchant_order_id).await?;
            let order_id = m.order_id.clone();
            let action = match (outcome, status_of(&m)?) {
                // Collected again from the hub after a failed drop-off: it is already picked up.
                (StopOutcome::PickedUp, MerchantOrderStatus::PickedUp) => return Ok(()),
                (StopOutcome::PickedUp, _) => Action::PickUp,
                (StopOutcome::Delivered, _) => Action::Deliver,
                // The goods wait at the hub for another slot; the order stays picked up, and
                // the failure is on its record.
                (StopOutcome::DeliveryFailed, status) => {
                    let failed = Transition {
                        order_id: &order_id,
                        merchant_order_id: Some(merchant_order_id),
                        from: status.as_str(),
                        to: status.as_str(),
                        actor_id: &actor.id,
                        note: Some("drop-off failed; back at the hub"),
                        at: Some(at),
                    };
                    return record_all(txn, &[failed], Vec::new()).await.map(drop);
                }
            };
            advance_at(txn, m, action, &actor.id, None, Some(at)).await?;
            self.touched
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(order_id.clone());
            settle(&self.ctx, txn, &order_id, &actor.id).await.map(drop)
        };
        moved.await
    }
}

/// How long before a card authorisation lapses the sweeper settles its order.
pub const LAPSE_MARGIN: chrono::Duration = chrono::Duration::hours(24);

/// Settles orders whose card authorisation would otherwise lapse (Stripe lets one go after
/// seven days): merchant orders still undecided are cancelled, giving their stock back, and
/// the payment is captured for what was made ready or voided when nothing was. Run
/// periodically by the server; returns how many orders it settled.
pub async fn settle_lapsing_authorizations(ctx: Ordering<'_>) -> Result<usize> {
    let mut settled = 0;
    for provider in ctx.providers.all() {
        let Some(lifetime) = provider.authorization_lifetime() else {
            continue;
        };
        let lifetime = chrono::Duration::from_std(lifetime)
            .map_err(|e| DomainError::Internal(e.to_string()))?;
        let cutoff = Utc::now() - (lifetime - LAPSE_MARGIN);
        for payment in golmok_payments::authorized_before(ctx.db, provider.name(), cutoff).await? {
            let txn = begin_write(ctx.db).await?;
            // Re-read inside the transaction: the last merchant may have decided meanwhile.
            let still_held = golmok_payments::get_payment(&txn, &payment.id)
                .await?
                .status
                == golmok_payments::PaymentStatus::Authorized;
            let Some(o) = order::Entity::find()
                .filter(order::Column::PaymentId.eq(payment.id.as_str()))
                .one(&txn)
                .await?
                .filter(|_| still_held)
            else {
                continue;
            };
            let parts = merchant_order::Entity::find()
                .filter(merchant_order::Column::OrderId.eq(o.id.as_str()))
                .order_by_asc(merchant_order::Column::Id)
                .all(&txn)
                .await?;
            let undecided: Vec<merchant_order::Model> = parts
                .into_iter()
                .filter(|m| {
                    status_of(m).is_ok_and(|s| {
                        matches!(
                            s,
                            MerchantOrderStatus::Pending | MerchantOrderStatus::Accepted
                        )
                    })
                })
                .collect();
            let ids: Vec<String> = undecided.iter().map(|m| m.id.clone()).collect();
            let touched = listings_of(&txn, &ids).await?;
            for m in undecided {
                advance(
                    &txn,
                    m,
                    Action::Cancel,
                    SYSTEM_ACTOR,
                    Some("not ready before the card authorisation lapsed"),
                )
                .await?;
            }
            settle(&ctx, &txn, &o.id, SYSTEM_ACTOR).await?;
            txn.commit().await?;
            invalidate(&ctx, &touched).await;
            payment_calls::make_for_order(&ctx, &o.id).await?;
            settled += 1;
        }
    }
    Ok(settled)
}
