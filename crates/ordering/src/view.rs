//! Orders as their readers see them, assembled from the ordering tables and the payment.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use golmok_accounts::{Account, Role};
use golmok_core::Coordinates;
use golmok_core::page::{self, Page};
use golmok_payments::{Payment, Refund};
use sea_orm::prelude::*;
use sea_orm::{QueryOrder, QuerySelect};
use serde::Serialize;

use crate::entities::{merchant_order, order, order_event, order_line};
use crate::state::{MerchantOrderStatus, OrderStatus};
use crate::{DomainError, Result};

#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Order {
    pub id: String,
    pub shopper_id: String,
    pub consortium_id: String,
    pub status: OrderStatus,
    pub fulfillment: FulfillmentView,
    /// The goods of every merchant order still selling: estimates until weighed.
    pub items_total_krw: i64,
    /// Deposits for returnable containers.
    pub deposits_krw: i64,
    pub delivery_fee_krw: i64,
    /// What a coupon took off the goods (the consortium pays it, not the shopper).
    #[serde(default)]
    pub coupon_krw: i64,
    /// What the shopper pays: goods, deposits and delivery, less the coupon.
    pub total_krw: i64,
    /// What the payments hold: the estimate plus the tolerance for weighed goods, plus any
    /// weighed difference the shopper approved.
    pub authorized_krw: i64,
    /// What has been charged: the checkout's payment and any approved difference captured.
    pub charged_krw: i64,
    pub merchant_orders: Vec<MerchantOrder>,
    pub payment: Payment,
    pub refunds: Vec<Refund>,
    /// Every transition, oldest first.
    pub events: Vec<OrderEvent>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct FulfillmentView {
    pub kind: crate::checkout::FulfillmentKind,
    pub slot_id: Option<String>,
    pub network_id: Option<String>,
    pub address: Option<String>,
    pub location: Option<Coordinates>,
    /// For a pick-up: when the shopper said they would come, if they did.
    pub pickup_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// How an order is fulfilled, from its row.
fn fulfillment_of(o: &order::Model) -> Result<FulfillmentView> {
    Ok(FulfillmentView {
        kind: crate::checkout::FulfillmentKind::parse(&o.fulfillment_kind).ok_or_else(|| {
            DomainError::Internal(format!(
                "order {} is fulfilled by {}",
                o.id, o.fulfillment_kind
            ))
        })?,
        slot_id: o.slot_id.clone(),
        network_id: o.network_id.clone(),
        address: o.address.clone(),
        location: o.lat.zip(o.lon).map(|(lat, lon)| Coordinates { lat, lon }),
        pickup_at: o.pickup_at,
    })
}

/// How each of `order_ids` is fulfilled, by order id, in one query: for a board of many
/// parts, which needs no more of each order than this. Callers have checked access already.
pub async fn fulfillments_of(
    db: &impl ConnectionTrait,
    order_ids: &[String],
) -> Result<HashMap<String, FulfillmentView>> {
    if order_ids.is_empty() {
        return Ok(HashMap::new());
    }
    order::Entity::find()
        .filter(order::Column::Id.is_in(order_ids.iter().cloned()))
        .all(db)
        .await?
        .iter()
        .map(|o| Ok((o.id.clone(), fulfillment_of(o)?)))
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct MerchantOrder {
    pub id: String,
    pub order_id: String,
    pub merchant_id: String,
    pub status: MerchantOrderStatus,
    pub subtotal_krw: i64,
    pub deposits_krw: i64,
    /// The platform's commission on the subtotal.
    pub commission_krw: i64,
    pub refunded_krw: i64,
    /// What a coupon took off this shop's goods (the consortium pays the shop for it).
    #[serde(default)]
    pub coupon_krw: i64,
    /// Why it was rejected, cancelled or failed.
    pub note: Option<String>,
    /// The drop-off's hand-over code: shown to the shopper only, who tells it the courier.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handover_code: Option<String>,
    /// The pick-up's hand-over code: shown to the shop only, which tells it the courier.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pickup_code: Option<String>,
    pub lines: Vec<OrderLine>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct OrderLine {
    pub id: String,
    pub listing_id: String,
    pub title: String,
    /// `piece`, `gram` or `ml`.
    pub unit: String,
    /// The frozen price: `price_krw` for `unit_quantity` units.
    pub price_krw: i64,
    pub unit_quantity: i64,
    /// Ordered, in units; for refill goods the intended amount.
    pub quantity: i64,
    /// For refill goods, the net amount the merchant weighed.
    pub weighed_quantity: Option<i64>,
    pub amount_krw: i64,
    pub refill: bool,
    pub container_policy: Option<String>,
    pub deposit_krw: i64,
    /// Bought under a promotion: the listing's own price (`price_krw` is the promotion's)
    /// and the campaign.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_price_krw: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campaign_id: Option<String>,
    /// When the weighing came to more than the payment held: the question put to the shopper
    /// (the latest one) and how it stands.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval: Option<crate::approvals::Approval>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct OrderEvent {
    pub merchant_order_id: Option<String>,
    pub from: String,
    pub to: String,
    pub actor_id: String,
    pub note: Option<String>,
    pub at: DateTime<Utc>,
}

pub(crate) fn line_view(l: order_line::Model) -> OrderLine {
    OrderLine {
        id: l.id,
        listing_id: l.listing_id,
        title: l.title,
        unit: l.unit,
        price_krw: l.price_krw,
        unit_quantity: l.unit_quantity,
        quantity: l.quantity,
        weighed_quantity: l.weighed_quantity,
        amount_krw: l.amount_krw,
        refill: l.refill,
        container_policy: l.container_policy,
        deposit_krw: l.deposit_krw,
        list_price_krw: l.list_price_krw,
        campaign_id: l.campaign_id,
        approval: None,
    }
}

pub(crate) fn status_of(m: &merchant_order::Model) -> Result<MerchantOrderStatus> {
    MerchantOrderStatus::parse(&m.status).ok_or_else(|| {
        DomainError::Internal(format!("merchant order {} has status {}", m.id, m.status))
    })
}

/// A merchant order as its readers see it; `asked`: the questions about its lines, read by
/// the caller with those of the other merchant orders it shows.
pub(crate) async fn merchant_order_view(
    db: &impl ConnectionTrait,
    m: merchant_order::Model,
    asked: &[crate::entities::weight_approval::Model],
) -> Result<MerchantOrder> {
    let lines = order_line::Entity::find()
        .filter(order_line::Column::MerchantOrderId.eq(m.id.as_str()))
        .order_by_asc(order_line::Column::Id)
        .all(db)
        .await?;
    merchant_order_view_with(db, m, asked, lines).await
}

/// [`merchant_order_view`] with its lines already read (in line-id order).
async fn merchant_order_view_with(
    db: &impl ConnectionTrait,
    m: merchant_order::Model,
    asked: &[crate::entities::weight_approval::Model],
    lines: Vec<order_line::Model>,
) -> Result<MerchantOrder> {
    let mut approvals = crate::approvals::latest_by_line(db, asked, &m.id).await?;
    let lines = lines
        .into_iter()
        .map(|l| {
            let approval = approvals
                .iter()
                .position(|(line, _)| *line == l.id)
                .map(|i| approvals.swap_remove(i).1);
            OrderLine {
                approval,
                ..line_view(l)
            }
        })
        .collect();
    let coupon_krw = crate::lifecycle::coupon_taken(&m);
    Ok(MerchantOrder {
        status: status_of(&m)?,
        id: m.id,
        order_id: m.order_id,
        merchant_id: m.merchant_id,
        subtotal_krw: m.subtotal_krw,
        deposits_krw: m.deposits_krw,
        commission_krw: m.commission_krw,
        refunded_krw: m.refunded_krw,
        coupon_krw,
        note: m.note,
        handover_code: None,
        pickup_code: None,
        lines,
        created_at: m.created_at,
    })
}

/// The whole order, as it stands in `db` (a connection or the caller's transaction).
pub async fn load(db: &impl ConnectionTrait, id: &str) -> Result<Order> {
    OrderRows::read(db, id).await?.into_view(db).await
}

/// An order's rows: read back from the tables, or as checkout has just written them (which
/// saves reading back, inside its transaction, what it holds already). Either way one
/// assembly makes the view.
pub(crate) struct OrderRows {
    pub order: order::Model,
    /// Weighed differences asked about, oldest first.
    pub asked: Vec<crate::entities::weight_approval::Model>,
    pub parts: Vec<merchant_order::Model>,
    pub lines: Vec<order_line::Model>,
    pub events: Vec<order_event::Model>,
    pub payment: Payment,
    pub refunds: Vec<Refund>,
}

impl OrderRows {
    async fn read(db: &impl ConnectionTrait, id: &str) -> Result<Self> {
        let order = order::Entity::find_by_id(id)
            .one(db)
            .await?
            .ok_or_else(|| DomainError::not_found("order", id))?;
        let parts = merchant_order::Entity::find()
            .filter(merchant_order::Column::OrderId.eq(id))
            .all(db)
            .await?;
        let payment = golmok_payments::get_payment(db, &order.payment_id).await?;
        Self::read_rest(db, order, parts, payment).await
    }

    /// The rows of an order whose own row, parts and payment the caller has just read or
    /// written in its transaction: only the rest is read.
    pub(crate) async fn read_rest(
        db: &impl ConnectionTrait,
        order: order::Model,
        parts: Vec<merchant_order::Model>,
        payment: Payment,
    ) -> Result<Self> {
        let id = order.id.as_str();
        let asked = crate::approvals::of_order(db, id).await?;
        // Every part's lines in one query rather than one a shop.
        let lines = order_line::Entity::find()
            .filter(order_line::Column::MerchantOrderId.is_in(parts.iter().map(|m| m.id.as_str())))
            .all(db)
            .await?;
        let events = order_event::Entity::find()
            .filter(order_event::Column::OrderId.eq(id))
            .all(db)
            .await?;
        let mut refunds = golmok_payments::refunds_of(db, &order.payment_id).await?;
        // A card's approved differences give their money back from their own payments.
        let top_ups: Vec<&str> = asked
            .iter()
            .filter_map(|a| a.payment_id.as_deref())
            .collect();
        for top_up in &top_ups {
            refunds.extend(golmok_payments::refunds_of(db, top_up).await?);
        }
        if !top_ups.is_empty() {
            refunds.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
        }
        Ok(Self {
            order,
            asked,
            parts,
            lines,
            events,
            payment,
            refunds,
        })
    }

    /// The listings on the lines of one part, or of the whole order (`None`): their cached
    /// copies go stale when the parts move.
    pub(crate) fn listings_of(&self, part: Option<&str>) -> Vec<String> {
        self.lines
            .iter()
            .filter(|l| part.is_none_or(|p| l.merchant_order_id == p))
            .map(|l| l.listing_id.clone())
            .collect()
    }

    /// The view, with parts, lines and events in id order (put in order here, for rows read
    /// and rows written alike); `db` is read only for the payments of approved differences.
    pub(crate) async fn into_view(mut self, db: &impl ConnectionTrait) -> Result<Order> {
        self.parts.sort_by(|a, b| a.id.cmp(&b.id));
        self.lines.sort_by(|a, b| a.id.cmp(&b.id));
        self.events.sort_by(|a, b| a.id.cmp(&b.id));
        let mut lines_of: std::collections::HashMap<String, Vec<order_line::Model>> =
            std::collections::HashMap::new();
        for line in self.lines {
            lines_of
                .entry(line.merchant_order_id.clone())
                .or_default()
                .push(line);
        }
        let mut merchant_orders = Vec::with_capacity(self.parts.len());
        for m in self.parts {
            let lines = lines_of.remove(&m.id).unwrap_or_default();
            merchant_orders.push(merchant_order_view_with(db, m, &self.asked, lines).await?);
        }
        let selling = merchant_orders.iter().filter(|m| !m.status.is_withdrawn());
        let items_total_krw = selling.clone().map(|m| m.subtotal_krw).sum();
        let deposits_krw = selling.clone().map(|m| m.deposits_krw).sum();
        let coupon_krw: i64 = selling.map(|m| m.coupon_krw).sum();
        let events = self
            .events
            .into_iter()
            .map(|e| OrderEvent {
                merchant_order_id: e.merchant_order_id,
                from: e.from_status,
                to: e.to_status,
                actor_id: e.actor_id,
                note: e.note,
                at: e.at,
            })
            .collect();
        let payment = self.payment;
        let (mut authorized_krw, mut charged_krw) = (payment.authorized_krw, payment.captured_krw);
        for p in crate::approvals::payments_of(db, &self.asked).await? {
            if matches!(
                p.status,
                golmok_payments::PaymentStatus::Authorized
                    | golmok_payments::PaymentStatus::Captured
            ) {
                authorized_krw += p.authorized_krw;
            }
            charged_krw += p.captured_krw;
        }
        let o = self.order;
        Ok(Order {
            status: OrderStatus::parse(&o.status).ok_or_else(|| {
                DomainError::Internal(format!("order {} has status {}", o.id, o.status))
            })?,
            fulfillment: fulfillment_of(&o)?,
            total_krw: items_total_krw + deposits_krw + o.delivery_fee_krw - coupon_krw,
            coupon_krw,
            items_total_krw,
            deposits_krw,
            delivery_fee_krw: o.delivery_fee_krw,
            authorized_krw,
            charged_krw,
            id: o.id,
            shopper_id: o.shopper_id,
            consortium_id: o.consortium_id,
            merchant_orders,
            payment,
            refunds: self.refunds,
            events,
            created_at: o.created_at,
            updated_at: o.updated_at,
        })
    }
}

/// Whether `actor` owns one of the merchants in `merchant_ids`.
pub(crate) async fn owns_any(
    db: &impl ConnectionTrait,
    actor: &Account,
    merchant_ids: &[&str],
) -> Result<bool> {
    for id in merchant_ids {
        if golmok_catalog::merchant::get_merchant(db, id)
            .await?
            .owner_id
            == actor.id
        {
            return Ok(true);
        }
    }
    Ok(false)
}

/// An order as `actor` may see it: whole for its shopper and admins; for a merchant, only
/// its own part of the basket. Anyone else is told it does not exist, so order ids cannot
/// be probed.
pub async fn get_order(db: &DatabaseConnection, actor: &Account, id: &str) -> Result<Order> {
    // One snapshot: the order, its parts and its payment as they stood at one moment.
    let snapshot = golmok_core::db::begin_read(db).await?;
    let order = order_for(&snapshot, actor, id).await;
    snapshot.commit().await?;
    order
}

async fn order_for(db: &impl ConnectionTrait, actor: &Account, id: &str) -> Result<Order> {
    let mut order = load(db, id).await?;
    if actor.role == Role::Admin || order.shopper_id == actor.id {
        show_codes(db, &mut order.merchant_orders, Reader::Shopper).await?;
        return Ok(order);
    }
    let mut mine = Vec::new();
    for m in &order.merchant_orders {
        if owns_any(db, actor, &[m.merchant_id.as_str()]).await? {
            mine.push(m.id.clone());
        }
    }
    if mine.is_empty() {
        return Err(DomainError::not_found("order", id));
    }
    order.merchant_orders.retain(|m| mine.contains(&m.id));
    order
        .refunds
        .retain(|r| r.part_reference.as_ref().is_some_and(|p| mine.contains(p)));
    order.events.retain(|e| {
        e.merchant_order_id
            .as_ref()
            .is_none_or(|m| mine.contains(m))
    });
    show_codes(db, &mut order.merchant_orders, Reader::Shop).await?;
    Ok(order)
}

/// Who reads hand-over codes: each side sees only the code it hands the courier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reader {
    Shopper,
    Shop,
}

async fn show_codes(
    db: &impl ConnectionTrait,
    parts: &mut [MerchantOrder],
    reader: Reader,
) -> Result<()> {
    let ids: Vec<String> = parts.iter().map(|m| m.id.clone()).collect();
    for (id, pickup, dropoff) in golmok_delivery_routing::task::handover_codes(db, &ids).await? {
        if let Some(part) = parts.iter_mut().find(|m| m.id == id) {
            match reader {
                Reader::Shopper => part.handover_code = dropoff,
                Reader::Shop => part.pickup_code = pickup,
            }
        }
    }
    Ok(())
}

/// A shopper's orders, newest first.
pub async fn list_orders(
    db: &DatabaseConnection,
    shopper: &Account,
    status: Option<OrderStatus>,
    limit: u64,
    cursor: Option<&str>,
) -> Result<Page<Order>> {
    let mut query = order::Entity::find()
        .filter(order::Column::ShopperId.eq(shopper.id.as_str()))
        .order_by_desc(order::Column::Id);
    if let Some(status) = status {
        query = query.filter(order::Column::Status.eq(status.as_str()));
    }
    if let Some(cursor) = cursor {
        let before: String = page::decode_cursor(cursor)?;
        query = query.filter(order::Column::Id.lt(before));
    }
    let mut rows = query.limit(limit + 1).all(db).await?;
    let next_cursor = page::cut(&mut rows, limit, |o| o.id.clone());
    let mut items = Vec::with_capacity(rows.len());
    for o in rows {
        let mut order = load(db, &o.id).await?;
        show_codes(db, &mut order.merchant_orders, Reader::Shopper).await?;
        items.push(order);
    }
    Ok(Page { items, next_cursor })
}

/// Where a shopper's newest delivery in `network_id` went: the address and the place on the
/// map, which a checkout offers again (the phone and notes for the courier are not kept
/// after a delivery, so they are asked each time).
pub async fn last_delivery_address(
    db: &DatabaseConnection,
    shopper: &Account,
    network_id: &str,
) -> Result<Option<(String, Coordinates)>> {
    let newest = order::Entity::find()
        .filter(order::Column::ShopperId.eq(shopper.id.as_str()))
        .filter(order::Column::NetworkId.eq(network_id))
        .filter(order::Column::Address.is_not_null())
        .filter(order::Column::Lat.is_not_null())
        .filter(order::Column::Lon.is_not_null())
        .order_by_desc(order::Column::CreatedAt)
        .one(db)
        .await?;
    Ok(newest.and_then(|o| match (o.address, o.lat, o.lon) {
        (Some(address), Some(lat), Some(lon)) => Some((address, Coordinates { lat, lon })),
        _ => None,
    }))
}

/// One merchant order, for its shop's owner (or an admin), with the pick-up code. Anyone
/// else learns it does not exist.
pub async fn get_merchant_order(
    db: &DatabaseConnection,
    actor: &Account,
    merchant_id: &str,
    id: &str,
) -> Result<MerchantOrder> {
    golmok_catalog::merchant::owned_merchant(db, actor, merchant_id).await?;
    let m = merchant_order::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|m| m.merchant_id == merchant_id)
        .ok_or_else(|| DomainError::not_found("merchant order", id))?;
    let asked = crate::approvals::of_merchant_orders(db, std::slice::from_ref(&m.id)).await?;
    let mut part = [merchant_order_view(db, m, &asked).await?];
    show_codes(db, &mut part, Reader::Shop).await?;
    let [part] = part;
    Ok(part)
}

/// A merchant's part of every order, newest first; for its owner or an admin.
pub async fn list_merchant_orders(
    db: &DatabaseConnection,
    actor: &Account,
    merchant_id: &str,
    status: Option<MerchantOrderStatus>,
    limit: u64,
    cursor: Option<&str>,
) -> Result<Page<MerchantOrder>> {
    golmok_catalog::merchant::owned_merchant(db, actor, merchant_id).await?;
    let mut query = merchant_order::Entity::find()
        .filter(merchant_order::Column::MerchantId.eq(merchant_id))
        .order_by_desc(merchant_order::Column::Id);
    if let Some(status) = status {
        query = query.filter(merchant_order::Column::Status.eq(status.as_str()));
    }
    if let Some(cursor) = cursor {
        let before: String = page::decode_cursor(cursor)?;
        query = query.filter(merchant_order::Column::Id.lt(before));
    }
    let mut rows = query.limit(limit + 1).all(db).await?;
    let next_cursor = page::cut(&mut rows, limit, |m| m.id.clone());
    let ids: Vec<String> = rows.iter().map(|m| m.id.clone()).collect();
    let asked = crate::approvals::of_merchant_orders(db, &ids).await?;
    let mut items = Vec::with_capacity(rows.len());
    for m in rows {
        items.push(merchant_order_view(db, m, &asked).await?);
    }
    show_codes(db, &mut items, Reader::Shop).await?;
    Ok(Page { items, next_cursor })
}

/// Per shop, how many of its parts of `consortium_id`'s orders are still under way (neither
/// delivered, failed nor withdrawn): a shop that leaves the consortium still fulfils them, and
/// the coordinator removing it is told so.
pub async fn parts_under_way(
    db: &impl ConnectionTrait,
    consortium_id: &str,
) -> Result<HashMap<String, u64>> {
    use sea_orm::sea_query::{Expr, Query};
    let open: Vec<&str> = MerchantOrderStatus::ALL
        .into_iter()
        .filter(|s| !s.is_final())
        .map(MerchantOrderStatus::as_str)
        .collect();
    let rows: Vec<(String, i64)> = merchant_order::Entity::find()
        .select_only()
        .column(merchant_order::Column::MerchantId)
        // `COUNT` is a bigint on PostgreSQL and an integer on SQLite: both read as i64.
        .column_as(Expr::cust("COUNT(*)"), "parts")
        .filter(merchant_order::Column::Status.is_in(open))
        .filter(
            merchant_order::Column::OrderId.in_subquery(
                Query::select()
                    .column(order::Column::Id)
                    .from(order::Entity)
                    .and_where(order::Column::ConsortiumId.eq(consortium_id))
                    .to_owned(),
            ),
        )
        .group_by(merchant_order::Column::MerchantId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(merchant, parts)| (merchant, u64::try_from(parts).unwrap_or(0)))
        .collect())
}
