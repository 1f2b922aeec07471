//! Member-to-member trade (상호거래): a member shop buys from a fellow member of its
//! consortium (or, where the consortium allows it, of any consortium of its district) at the
//! seller's member prices, on account. The seller accepts and hands the goods over (the buyer
//! collects them); each handed-over order is owed from then, in the ledger as a receivable of
//! the seller and a payable of the buyer (`member:receivable:{seller}:{buyer}` /
//! `member:payable:{buyer}:{seller}`). Each month's statement per pair of shops shows what was
//! traded and settled; the seller records what the buyer paid against it, which clears that
//! much of the pair's balance.
//!
//! An order names a slot of the seller's consortium's co-delivery network to be carried:
//! it becomes a delivery task like a shopper's (the seller's shop to the buyer's), booked in
//! the slot, planned into a courier's route, and handed over when the courier completes the
//! drop-off ([`on_courier_stop`]) rather than by the seller.

use chrono::{DateTime, Utc};
use golmok_accounts::{Account, Role};
use golmok_catalog::entities::{consortium, consortium_member, merchant};
use golmok_catalog::{ConsortiumStatus, ListingStatus, listing as catalog_listing};
use golmok_core::seoul::Month;
use golmok_core::{Cache, ValidationErrors, new_id};
use sea_orm::ActiveValue::Set;
use sea_orm::QueryOrder;
use sea_orm::prelude::*;
use serde::{Deserialize, Serialize};

use crate::entities::{member_order, member_order_line, member_settlement};
use crate::{DomainError, Result};

golmok_core::stored_enum! {
    /// Where an order between members stands.
    pub enum MemberOrderStatus {
        Placed = "placed",
        Accepted = "accepted",
        /// On a courier's route to the buyer's shop.
        PickedUp = "picked_up",
        /// The goods are with the buyer: owed on the month's statement.
        HandedOver = "handed_over",
        Rejected = "rejected",
        Cancelled = "cancelled",
    }
}

pub const MAX_LINES: usize = 50;

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMemberOrder {
    pub seller_merchant_id: String,
    pub lines: Vec<MemberLine>,
    #[serde(default)]
    pub note: String,
    /// A slot (`wave@date`) of the seller's consortium's co-delivery network: a courier
    /// carries the goods from the seller's shop to the buyer's. Without one, the buyer
    /// collects them.
    #[serde(default)]
    pub slot_id: Option<String>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberLine {
    pub listing_id: String,
    /// In the listing's unit.
    pub quantity: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct MemberOrder {
    pub id: String,
    pub consortium_id: String,
    pub buyer_merchant_id: String,
    pub buyer_name: String,
    pub seller_merchant_id: String,
    pub seller_name: String,
    pub status: MemberOrderStatus,
    pub total_krw: i64,
    /// What the same goods cost at the shop's own prices.
    pub list_total_krw: i64,
    pub note: String,
    pub lines: Vec<MemberOrderLine>,
    pub created_at: DateTime<Utc>,
    pub handed_over_at: Option<DateTime<Utc>>,
    /// The co-delivery slot carrying it; none when the buyer collects.
    pub slot_id: Option<String>,
    /// Where its delivery stands (`open`, `planned`, `picked_up`, `delivered`, `withdrawn`,
    /// or `pickup` once a dispatcher made it a collection after all); none when collected.
    pub delivery_status: Option<String>,
    /// For a carried order, the code the shop asking gives the courier: the seller's at the
    /// pick-up, the buyer's at the door.
    pub handover_code: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct MemberOrderLine {
    pub listing_id: String,
    pub title: String,
    pub unit: String,
    pub quantity: i64,
    pub list_price_krw: i64,
    pub amount_krw: i64,
}

/// A shop's month with each shop it traded with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Statement {
    pub merchant_id: String,
    /// `2026-12`.
    pub month: String,
    pub pairs: Vec<PairStatement>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PairStatement {
    pub counterparty_id: String,
    pub counterparty_name: String,
    /// Handed over to them this month (they owe it), and their payments recorded against it.
    pub sold_krw: i64,
    pub sold_orders: u64,
    pub received_krw: i64,
    /// Handed over by them this month (owed to them), and what they recorded as paid.
    pub bought_krw: i64,
    pub bought_orders: u64,
    pub paid_krw: i64,
    /// What they still owe for the month, less what is still owed to them: positive, they
    /// pay; negative, the shop pays.
    pub balance_krw: i64,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSettlement {
    /// The statement's month, `2026-12`.
    pub month: String,
    pub amount_krw: i64,
}

fn receivable(seller: &str, buyer: &str) -> String {
    format!("member:receivable:{seller}:{buyer}")
}

fn payable(buyer: &str, seller: &str) -> String {
    format!("member:payable:{buyer}:{seller}")
}

/// The Seoul month an instant falls in, as `2026-12`.
pub fn month_of(at: DateTime<Utc>) -> String {
    Month::of(at).to_string()
}

async fn shop(db: &impl ConnectionTrait, id: &str) -> Result<merchant::Model> {
    merchant::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| DomainError::not_found("merchant", id))
}

/// The shop, if the actor runs it (its owner, or an admin).
async fn run_by(db: &impl ConnectionTrait, actor: &Account, id: &str) -> Result<merchant::Model> {
    let m = shop(db, id).await?;
    if m.owner_id == actor.id || actor.role == Role::Admin {
        Ok(m)
    } else {
        Err(DomainError::forbidden(
            "only the shop's owner trades for it",
        ))
    }
}

async fn consortia_of(
    db: &impl ConnectionTrait,
    merchant_id: &str,
) -> Result<Vec<consortium::Model>> {
    let ids: Vec<String> = consortium_member::Entity::find()
        .filter(consortium_member::Column::MerchantId.eq(merchant_id))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.consortium_id)
        .collect();
    Ok(consortium::Entity::find()
        .filter(consortium::Column::Id.is_in(ids))
        .filter(consortium::Column::Status.eq(ConsortiumStatus::Active.as_str()))
        .order_by_asc(consortium::Column::Id)
        .all(db)
        .await?)
}

/// The consortium two shops trade in: one they are both members of, or the seller's in the
/// buyer's district when a consortium of the buyer's trades district-wide.
async fn shared_consortium(
    db: &impl ConnectionTrait,
    buyer: &str,
    seller: &str,
) -> Result<Option<consortium::Model>> {
    let mine = consortia_of(db, buyer).await?;
    let theirs = consortia_of(db, seller).await?;
    if let Some(shared) = theirs.iter().find(|c| mine.iter().any(|m| m.id == c.id)) {
        return Ok(Some(shared.clone()));
    }
    Ok(theirs.into_iter().find(|c| {
        mine.iter()
            .any(|m| m.member_trade_district_wide && m.district == c.district)
    }))
}

/// The shops a member shop may buy from: the other members of its consortia, and of the
/// other consortia of its district where one of its consortia trades district-wide; by name.
pub async fn sellers_for(
    db: &DatabaseConnection,
    actor: &Account,
    buyer_id: &str,
) -> Result<Vec<(String, String)>> {
    run_by(db, actor, buyer_id).await?;
    let mine = consortia_of(db, buyer_id).await?;
    let districts: Vec<String> = mine
        .iter()
        .filter(|c| c.member_trade_district_wide)
        .map(|c| c.district.clone())
        .collect();
    let wide: Vec<String> = consortium::Entity::find()
        .filter(consortium::Column::District.is_in(districts))
        .filter(consortium::Column::Status.eq(ConsortiumStatus::Active.as_str()))
        .all(db)
        .await?
        .into_iter()
        .map(|c| c.id)
        .chain(mine.iter().map(|c| c.id.clone()))
        .collect();
    let member_ids: Vec<String> = consortium_member::Entity::find()
        .filter(consortium_member::Column::ConsortiumId.is_in(wide))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.merchant_id)
        .filter(|m| m != buyer_id)
        .collect();
    Ok(merchant::Entity::find()
        .filter(merchant::Column::Id.is_in(member_ids))
        .order_by_asc(merchant::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.id, m.name))
        .collect())
}

/// A member shop orders from a fellow member, on account, at its member prices.
pub async fn place(
    db: &DatabaseConnection,
    cache: &dyn Cache,
    actor: &Account,
    buyer_id: &str,
    new: NewMemberOrder,
) -> Result<MemberOrder> {
    let mut errors = ValidationErrors::new();
    if new.lines.is_empty() || new.lines.len() > MAX_LINES {
        errors.add("lines", format!("order 1 to {MAX_LINES} lines"));
    }
    for (i, l) in new.lines.iter().enumerate() {
        if !(1..=crate::checkout::MAX_QUANTITY).contains(&l.quantity) {
            errors.add(format!("lines[{i}].quantity"), "must be 1 to 1,000,000");
        }
    }
    if new.note.chars().count() > 500 {
        errors.add("note", "must be at most 500 characters");
    }
    if new.seller_merchant_id == buyer_id {
        errors.add("seller_merchant_id", "a shop does not trade with itself");
    }
    errors.into_result()?;
    let txn = golmok_core::db::begin_write(db).await?;
    let buyer = run_by(&txn, actor, buyer_id).await?;
    let seller = shop(&txn, &new.seller_merchant_id)
        .await
        .map_err(|e| e.not_found_is_invalid("seller_merchant_id", "no such shop"))?;
    let Some(consortium) = shared_consortium(&txn, &buyer.id, &seller.id).await? else {
        return Err(ValidationErrors::single(
            "seller_merchant_id",
            "is not a fellow member of any of your consortia",
        )
        .into());
    };
    let ids: Vec<String> = new.lines.iter().map(|l| l.listing_id.clone()).collect();
    let listings = catalog_listing::listings_in(&txn, &ids).await?;
    let id = new_id("mbo");
    let mut total = 0;
    let mut lines = Vec::new();
    let mut size = golmok_delivery_routing::capacity::Load {
        tasks: 1,
        grams: 0,
        millilitres: 0,
    };
    let mut contents = Vec::new();
    let mut errors = ValidationErrors::new();
    for (i, l) in new.lines.iter().enumerate() {
        let Some(listing) = listings
            .iter()
            .find(|x| x.id == l.listing_id && x.merchant_id == seller.id)
        else {
            errors.add(
                format!("lines[{i}].listing_id"),
                "is not one of the seller's listings",
            );
            continue;
        };
        if listing.status != ListingStatus::Active {
            errors.add(format!("lines[{i}].listing_id"), "is not for sale");
            continue;
        }
        let list = listing
            .price_for(l.quantity)
            .ok_or_else(|| DomainError::internal(format!("pricing listing {}", listing.id)))?;
        let mut at_member_price = listing.clone();
        at_member_price.price_krw = listing.member_price_krw.unwrap_or(listing.price_krw);
        let amount = at_member_price
            .price_for(l.quantity)
            .ok_or_else(|| DomainError::internal(format!("pricing listing {}", listing.id)))?;
        total += amount;
        let (grams, millilitres) = listing.size_of(l.quantity);
        size.grams += grams;
        size.millilitres += millilitres;
        contents.push((listing.title.clone(), listing.unit, l.quantity));
        lines.push(member_order_line::ActiveModel {
            id: Set(new_id("mbl")),
            member_order_id: Set(id.clone()),
            listing_id: Set(listing.id.clone()),
            title: Set(listing.title.clone()),
            unit: Set(listing.unit.as_str().to_owned()),
            quantity: Set(l.quantity),
            list_price_krw: Set(list),
            amount_krw: Set(amount),
        });
    }
    errors.into_result()?;
    let slot_id = new
        .slot_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    for l in &new.lines {
        if !catalog_listing::take_stock(&txn, &l.listing_id, l.quantity).await? {
            return Err(DomainError::conflict(
                "out_of_stock",
                format!("{} has too little left", l.listing_id),
            ));
        }
    }
    let now = Utc::now();
    member_order::ActiveModel {
        id: Set(id.clone()),
        consortium_id: Set(consortium.id.clone()),
        buyer_id: Set(buyer.id.clone()),
        seller_id: Set(seller.id.clone()),
        status: Set(MemberOrderStatus::Placed.as_str().to_owned()),
        total_krw: Set(total),
        note: Set(new.note.trim().to_owned()),
        placed_by: Set(actor.id.clone()),
        created_at: Set(now),
        updated_at: Set(now),
        handed_over_at: Set(None),
        slot_id: Set(slot_id.clone()),
    }
    .insert(&txn)
    .await?;
    if let Some(slot_id) = &slot_id {
        let carried = Carried {
            id: &id,
            consortium: &consortium,
            buyer: &buyer,
            seller: &seller,
            slot_id,
            size,
            contents: crate::contents(
                contents
                    .iter()
                    .map(|(t, u, q)| (t.as_str(), u.as_str(), *q)),
            ),
        };
        carry(&txn, carried).await?;
    }
    for line in lines {
        line.insert(&txn).await?;
    }
    tell(&txn, &seller.id, &id, MemberOrderStatus::Placed).await?;
    let order = order_in(&txn, &id, Some(&buyer.id)).await?;
    txn.commit().await?;
    for l in &new.lines {
        catalog_listing::invalidate(cache, &l.listing_id).await;
    }
    Ok(order)
}

/// An order to be carried, as its delivery task needs it.
struct Carried<'a> {
    id: &'a str,
    consortium: &'a consortium::Model,
    buyer: &'a merchant::Model,
    seller: &'a merchant::Model,
    slot_id: &'a str,
    size: golmok_delivery_routing::capacity::Load,
    contents: String,
}

/// Books the order into a slot of the consortium's network and adds its delivery task, from
/// the seller's shop to the buyer's, inside the order's transaction. The slot must be one of
/// the network's, and the buyer's shop inside the area it delivers to.
async fn carry(txn: &sea_orm::DatabaseTransaction, c: Carried<'_>) -> Result<()> {
    let field = "slot_id";
    let Some(network_id) = c.consortium.network_id.as_deref() else {
        return Err(ValidationErrors::single(
            field,
            "the consortium has no delivery network; collect the goods instead",
        )
        .into());
    };
    let (network, _) = golmok_delivery_routing::network::slot(txn, c.slot_id)
        .await
        .map_err(|e| e.not_found_is_invalid(field, "no such delivery slot"))?;
    let (seller, buyer) = (c.seller, c.buyer);
    let at = |m: &merchant::Model| golmok_core::Coordinates {
        lat: m.lat,
        lon: m.lon,
    };
    if network.id != network_id {
        return Err(ValidationErrors::single(
            field,
            "is a slot of another network than the consortium's",
        )
        .into());
    }
    if !network.serves(at(buyer)) {
        return Err(ValidationErrors::single(
            field,
            "your shop is outside the area the consortium's network delivers to",
        )
        .into());
    }
    golmok_delivery_routing::network::book(txn, c.slot_id, &c.size).await?;
    golmok_delivery_routing::task::add_task(
        txn,
        golmok_delivery_routing::task::NewTask {
            merchant_order_id: c.id.to_owned(),
            order_id: c.id.to_owned(),
            network_id: network.id,
            slot_id: c.slot_id.to_owned(),
            merchant_id: seller.id.clone(),
            pickup: at(seller),
            pickup_address: seller.address.clone(),
            dropoff: at(buyer),
            dropoff_address: buyer.address.clone(),
            size_grams: c.size.grams,
            size_millilitres: c.size.millilitres,
            contents: c.contents,
            pickup_phone: seller.phone.clone(),
            dropoff_phone: buyer.phone.clone(),
            dropoff_notes: Some(format!("상호거래 · {}", buyer.name)),
        },
    )
    .await?;
    Ok(())
}

/// The delivery networks of a shop's consortia, for the slots its member orders may name.
pub async fn networks_of(
    db: &DatabaseConnection,
    actor: &Account,
    buyer_id: &str,
) -> Result<Vec<String>> {
    run_by(db, actor, buyer_id).await?;
    let mut ids: Vec<String> = consortia_of(db, buyer_id)
        .await?
        .into_iter()
        .filter_map(|c| c.network_id)
        .collect();
    ids.sort();
    ids.dedup();
    Ok(ids)
}

/// A carried order no courier takes after all (left out of its slot's plan) becomes a
/// collection: it leaves the slot, and the seller hands it over when the buyer comes. For
/// either shop, and the consortium's coordinators and admins (the dispatch board).
pub async fn turn_into_pickup(
    db: &DatabaseConnection,
    actor: &Account,
    id: &str,
) -> Result<MemberOrder> {
    let o = order_row(db, id).await?;
    let party = [&o.buyer_id, &o.seller_id];
    let mut allowed = false;
    for shop_id in party {
        allowed |= run_by(db, actor, shop_id).await.is_ok();
    }
    if !allowed && actor.role == Role::Coordinator {
        allowed = golmok_catalog::consortium::ensure_can_manage(db, actor, &o.consortium_id)
            .await
            .is_ok();
    }
    if !allowed {
        return Err(DomainError::not_found("member order", id));
    }
    let txn = golmok_core::db::begin_write(db).await?;
    let o = order_row(&txn, id).await?;
    let status = MemberOrderStatus::parse(&o.status)
        .ok_or_else(|| DomainError::internal(format!("member order {id} is {}", o.status)))?;
    if !matches!(
        status,
        MemberOrderStatus::Placed | MemberOrderStatus::Accepted
    ) {
        return Err(DomainError::conflict(
            "illegal_transition",
            format!("the member order is {status}; it can no longer be collected instead"),
        ));
    }
    golmok_delivery_routing::task::turn_into_pickup(&txn, id).await?;
    let order = order_in(&txn, id, None).await?;
    txn.commit().await?;
    Ok(order)
}

/// Tells `shop` (through its topic, in the caller's transaction) where a member order stands.
async fn tell(
    txn: &impl ConnectionTrait,
    shop: &str,
    id: &str,
    status: MemberOrderStatus,
) -> Result<()> {
    golmok_events::outbox::record(
        txn,
        &golmok_events::Topic::merchant(shop),
        &golmok_events::Payload::MemberOrder {
            member_order_id: id.to_owned(),
            status: status.as_str().to_owned(),
        },
    )
    .await?;
    Ok(())
}

/// Whether a delivery task's order is a member order (its id is one of ours).
pub fn is_member_order(id: &str) -> bool {
    id.starts_with("mbo_")
}

/// What a courier's stop means for a carried member order, inside the stop's transaction:
/// the pick-up puts it on the route (the seller must have accepted it), the drop-off hands it
/// over, owed from then as if the seller had handed it over; a failed drop-off leaves it on
/// the route (back at the hub).
pub async fn on_courier_stop(
    txn: &sea_orm::DatabaseTransaction,
    id: &str,
    outcome: golmok_delivery_routing::batch::StopOutcome,
    at: chrono::DateTime<Utc>,
) -> Result<()> {
    use golmok_delivery_routing::batch::StopOutcome;
    let o = order_row(txn, id).await?;
    let current = MemberOrderStatus::parse(&o.status)
        .ok_or_else(|| DomainError::internal(format!("member order {id} is {}", o.status)))?;
    let to = match (outcome, current) {
        (StopOutcome::PickedUp, MemberOrderStatus::Accepted) => MemberOrderStatus::PickedUp,
        (StopOutcome::PickedUp, MemberOrderStatus::PickedUp) => return Ok(()),
        (StopOutcome::PickedUp, MemberOrderStatus::Placed) => {
            return Err(DomainError::conflict(
                "not_accepted",
                "the selling shop has not accepted this member order yet",
            ));
        }
        (StopOutcome::Delivered, MemberOrderStatus::PickedUp) => MemberOrderStatus::HandedOver,
        (StopOutcome::DeliveryFailed, _) => return Ok(()),
        (_, current) => {
            return Err(DomainError::conflict(
                "illegal_transition",
                format!("the member order is {current}; the courier cannot carry it"),
            ));
        }
    };
    if to == MemberOrderStatus::HandedOver {
        post_owed(txn, &o).await?;
    }
    for shop in [&o.buyer_id, &o.seller_id] {
        tell(txn, shop, id, to).await?;
    }
    let mut active: member_order::ActiveModel = o.into();
    active.status = Set(to.as_str().to_owned());
    active.updated_at = Set(Utc::now());
    if to == MemberOrderStatus::HandedOver {
        active.handed_over_at = Set(Some(at));
    }
    active.update(txn).await?;
    Ok(())
}

/// From hand-over the buyer owes the order: the seller's receivable, the buyer's payable.
async fn post_owed(txn: &impl ConnectionTrait, o: &member_order::Model) -> Result<()> {
    golmok_payments::ledger::post(
        txn,
        "member_trade",
        &o.id,
        &[
            (receivable(&o.seller_id, &o.buyer_id), o.total_krw),
            (payable(&o.buyer_id, &o.seller_id), -o.total_krw),
        ],
    )
    .await?;
    Ok(())
}

async fn order_row(db: &impl ConnectionTrait, id: &str) -> Result<member_order::Model> {
    member_order::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| DomainError::not_found("member order", id))
}

/// The order as `viewer` (one of its shops, if the caller is one) sees it.
async fn order_in(
    db: &impl ConnectionTrait,
    id: &str,
    viewer: Option<&str>,
) -> Result<MemberOrder> {
    let o = order_row(db, id).await?;
    views(db, vec![o], viewer)
        .await?
        .pop()
        .ok_or_else(|| DomainError::internal(format!("member order {id} without its view")))
}

/// Orders as `viewer` sees them, their lines, shops and deliveries read in one query each.
async fn views(
    db: &impl ConnectionTrait,
    rows: Vec<member_order::Model>,
    viewer: Option<&str>,
) -> Result<Vec<MemberOrder>> {
    use golmok_delivery_routing::entities::delivery_task;
    use std::collections::HashMap;
    let ids: Vec<String> = rows.iter().map(|o| o.id.clone()).collect();
    let mut lines: HashMap<String, Vec<MemberOrderLine>> = HashMap::new();
    for l in member_order_line::Entity::find()
        .filter(member_order_line::Column::MemberOrderId.is_in(ids.clone()))
        .order_by_asc(member_order_line::Column::Id)
        .all(db)
        .await?
    {
        lines
            .entry(l.member_order_id)
            .or_default()
            .push(MemberOrderLine {
                listing_id: l.listing_id,
                title: l.title,
                unit: l.unit,
                quantity: l.quantity,
                list_price_krw: l.list_price_krw,
                amount_krw: l.amount_krw,
            });
    }
    let shop_ids: Vec<String> = rows
        .iter()
        .flat_map(|o| [o.buyer_id.clone(), o.seller_id.clone()])
        .collect();
    let names: HashMap<String, String> = merchant::Entity::find()
        .filter(merchant::Column::Id.is_in(shop_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.id, m.name))
        .collect();
    let carried: Vec<String> = rows
        .iter()
        .filter(|o| o.slot_id.is_some())
        .map(|o| o.id.clone())
        .collect();
    let mut tasks: HashMap<String, delivery_task::Model> = HashMap::new();
    if !carried.is_empty() {
        for t in delivery_task::Entity::find()
            .filter(delivery_task::Column::MerchantOrderId.is_in(carried))
            .all(db)
            .await?
        {
            tasks.insert(t.merchant_order_id.clone(), t);
        }
    }
    let name_of = |id: &str| {
        names
            .get(id)
            .cloned()
            .ok_or_else(|| DomainError::not_found("merchant", id))
    };
    let mut out = Vec::with_capacity(rows.len());
    for o in rows {
        let task = tasks.remove(&o.id);
        let handover_code = match (&task, viewer) {
            (Some(t), Some(viewer)) if viewer == o.seller_id => t.pickup_code.clone(),
            (Some(t), Some(viewer)) if viewer == o.buyer_id => t.dropoff_code.clone(),
            _ => None,
        };
        let lines = lines.remove(&o.id).unwrap_or_default();
        out.push(MemberOrder {
            status: MemberOrderStatus::parse(&o.status).ok_or_else(|| {
                DomainError::internal(format!("member order {} is {}", o.id, o.status))
            })?,
            buyer_name: name_of(&o.buyer_id)?,
            seller_name: name_of(&o.seller_id)?,
            list_total_krw: lines.iter().map(|l| l.list_price_krw).sum(),
            lines,
            id: o.id,
            consortium_id: o.consortium_id,
            buyer_merchant_id: o.buyer_id,
            seller_merchant_id: o.seller_id,
            total_krw: o.total_krw,
            note: o.note,
            created_at: o.created_at,
            handed_over_at: o.handed_over_at,
            slot_id: o.slot_id,
            delivery_status: task.map(|t| t.status.as_str().to_owned()),
            handover_code,
        });
    }
    Ok(out)
}

/// An order, for the owners of either shop (404 to anyone else).
pub async fn get(db: &DatabaseConnection, actor: &Account, id: &str) -> Result<MemberOrder> {
    let o = order_row(db, id).await?;
    let buying = run_by(db, actor, &o.buyer_id).await.is_ok();
    let selling = run_by(db, actor, &o.seller_id).await.is_ok();
    let viewer = match (buying, selling) {
        (false, false) => return Err(DomainError::not_found("member order", id)),
        (true, false) => Some(o.buyer_id.as_str()),
        (false, true) => Some(o.seller_id.as_str()),
        // An admin runs both: neither code is theirs to give.
        (true, true) => None,
    };
    order_in(db, id, viewer).await
}

/// A shop's member orders, bought and sold, newest first.
pub async fn orders_of(
    db: &DatabaseConnection,
    actor: &Account,
    merchant_id: &str,
) -> Result<Vec<MemberOrder>> {
    run_by(db, actor, merchant_id).await?;
    let rows = member_order::Entity::find()
        .filter(
            sea_orm::Condition::any()
                .add(member_order::Column::BuyerId.eq(merchant_id))
                .add(member_order::Column::SellerId.eq(merchant_id)),
        )
        .order_by_desc(member_order::Column::CreatedAt)
        .all(db)
        .await?;
    views(db, rows, Some(merchant_id)).await
}

/// What a step does to an order: who may take it, from where, to where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The seller takes it on.
    Accept,
    /// The seller turns it down: its stock goes back.
    Reject,
    /// The buyer withdraws it before the seller takes it on: its stock goes back.
    Cancel,
    /// The seller hands the goods over: owed on the month's statement from now.
    HandOver,
}

impl Step {
    fn rule(self) -> (&'static [MemberOrderStatus], MemberOrderStatus, bool) {
        use MemberOrderStatus as S;
        match self {
            Step::Accept => (&[S::Placed], S::Accepted, true),
            Step::Reject => (&[S::Placed, S::Accepted], S::Rejected, true),
            Step::Cancel => (&[S::Placed], S::Cancelled, false),
            Step::HandOver => (&[S::Accepted], S::HandedOver, true),
        }
    }
}

/// Takes a step on an order, in one transaction (stock and ledger with it).
pub async fn step(
    db: &DatabaseConnection,
    cache: &dyn Cache,
    actor: &Account,
    id: &str,
    step: Step,
) -> Result<MemberOrder> {
    let txn = golmok_core::db::begin_write(db).await?;
    let o = order_row(&txn, id).await?;
    let (from, to, by_seller) = step.rule();
    let party_id = if by_seller {
        o.seller_id.clone()
    } else {
        o.buyer_id.clone()
    };
    let party = party_id.as_str();
    if run_by(&txn, actor, party).await.is_err() {
        let other = if by_seller { &o.buyer_id } else { &o.seller_id };
        return Err(if run_by(&txn, actor, other).await.is_ok() {
            DomainError::forbidden(if by_seller {
                "only the selling shop takes this step"
            } else {
                "only the buying shop takes this step"
            })
        } else {
            DomainError::not_found("member order", id)
        });
    }
    let current = MemberOrderStatus::parse(&o.status)
        .ok_or_else(|| DomainError::internal(format!("member order {id} is {}", o.status)))?;
    if current == to {
        // Asked again (a retried click): the order as it stands.
        drop(txn);
        return order_in(db, id, Some(party)).await;
    }
    if !from.contains(&current) {
        return Err(DomainError::conflict(
            "illegal_transition",
            format!("the order is {current}; it cannot become {to}"),
        ));
    }
    if step == Step::HandOver
        && o.slot_id.is_some()
        && !golmok_delivery_routing::task::is_pickup(&txn, id).await?
    {
        return Err(DomainError::conflict(
            "carried_by_courier",
            "a courier carries this order; it is handed over at the buyer's door",
        ));
    }
    let lines = member_order_line::Entity::find()
        .filter(member_order_line::Column::MemberOrderId.eq(id))
        .all(&txn)
        .await?;
    let now = Utc::now();
    if matches!(
        to,
        MemberOrderStatus::Rejected | MemberOrderStatus::Cancelled
    ) {
        for l in &lines {
            catalog_listing::return_stock(&txn, &l.listing_id, l.quantity).await?;
        }
    }
    if matches!(
        to,
        MemberOrderStatus::Rejected | MemberOrderStatus::Cancelled
    ) && o.slot_id.is_some()
        && let Some(slot) = golmok_delivery_routing::task::withdraw(&txn, id).await?
    {
        golmok_delivery_routing::network::unbook(&txn, &slot).await?;
    }
    if to == MemberOrderStatus::HandedOver {
        post_owed(&txn, &o).await?;
    }
    let other_side = if by_seller { &o.buyer_id } else { &o.seller_id };
    tell(&txn, other_side, id, to).await?;
    let mut active: member_order::ActiveModel = o.into();
    active.status = Set(to.as_str().to_owned());
    active.updated_at = Set(now);
    if to == MemberOrderStatus::HandedOver {
        active.handed_over_at = Set(Some(now));
    }
    active.update(&txn).await?;
    let order = order_in(&txn, id, Some(party)).await?;
    txn.commit().await?;
    if matches!(
        to,
        MemberOrderStatus::Rejected | MemberOrderStatus::Cancelled
    ) {
        for l in &lines {
            catalog_listing::invalidate(cache, &l.listing_id).await;
        }
    }
    Ok(order)
}

fn handed_over_in(start: DateTime<Utc>, end: DateTime<Utc>) -> Select<member_order::Entity> {
    member_order::Entity::find()
        .filter(member_order::Column::Status.eq(MemberOrderStatus::HandedOver.as_str()))
        .filter(member_order::Column::HandedOverAt.gte(start))
        .filter(member_order::Column::HandedOverAt.lt(end))
}

/// A shop's statement for a month: per shop it traded with, what was handed over each way
/// and what was recorded as paid against the month.
pub async fn statement(
    db: &DatabaseConnection,
    actor: &Account,
    merchant_id: &str,
    month: &str,
) -> Result<Statement> {
    run_by(db, actor, merchant_id).await?;
    statement_in(db, merchant_id, month).await
}

async fn statement_in(
    db: &impl ConnectionTrait,
    merchant_id: &str,
    month: &str,
) -> Result<Statement> {
    let (start, end) = Month::parse(month)
        .map(Month::span)
        .ok_or_else(|| ValidationErrors::single("month", "must be a month like 2026-12"))?;
    let orders = handed_over_in(start, end)
        .filter(
            sea_orm::Condition::any()
                .add(member_order::Column::BuyerId.eq(merchant_id))
                .add(member_order::Column::SellerId.eq(merchant_id)),
        )
        .all(db)
        .await?;
    let settlements = member_settlement::Entity::find()
        .filter(member_settlement::Column::Month.eq(month))
        .filter(
            sea_orm::Condition::any()
                .add(member_settlement::Column::BuyerId.eq(merchant_id))
                .add(member_settlement::Column::SellerId.eq(merchant_id)),
        )
        .all(db)
        .await?;
    let mut counterparties: Vec<String> = orders
        .iter()
        .map(|o| {
            if o.seller_id == merchant_id {
                o.buyer_id.clone()
            } else {
                o.seller_id.clone()
            }
        })
        .chain(settlements.iter().map(|s| {
            if s.seller_id == merchant_id {
                s.buyer_id.clone()
            } else {
                s.seller_id.clone()
            }
        }))
        .collect();
    counterparties.sort();
    counterparties.dedup();
    let mut pairs = Vec::new();
    for other in counterparties {
        let sold: Vec<&member_order::Model> = orders
            .iter()
            .filter(|o| o.seller_id == merchant_id && o.buyer_id == other)
            .collect();
        let bought: Vec<&member_order::Model> = orders
            .iter()
            .filter(|o| o.buyer_id == merchant_id && o.seller_id == other)
            .collect();
        let received: i64 = settlements
            .iter()
            .filter(|s| s.seller_id == merchant_id && s.buyer_id == other)
            .map(|s| s.amount_krw)
            .sum();
        let paid: i64 = settlements
            .iter()
            .filter(|s| s.buyer_id == merchant_id && s.seller_id == other)
            .map(|s| s.amount_krw)
            .sum();
        let sold_krw: i64 = sold.iter().map(|o| o.total_krw).sum();
        let bought_krw: i64 = bought.iter().map(|o| o.total_krw).sum();
        pairs.push(PairStatement {
            counterparty_name: shop(db, &other).await?.name,
            counterparty_id: other,
            sold_krw,
            sold_orders: sold.len() as u64,
            received_krw: received,
            bought_krw,
            bought_orders: bought.len() as u64,
            paid_krw: paid,
            balance_krw: (sold_krw - received) - (bought_krw - paid),
        });
    }
    Ok(Statement {
        merchant_id: merchant_id.to_owned(),
        month: month.to_owned(),
        pairs,
    })
}

/// The seller records what the buyer paid against a month's statement: at most what the
/// buyer still owes for that month. The ledger clears that much of the pair's balance.
pub async fn settle(
    db: &DatabaseConnection,
    actor: &Account,
    seller_id: &str,
    buyer_id: &str,
    new: NewSettlement,
) -> Result<Statement> {
    let txn = golmok_core::db::begin_write(db).await?;
    run_by(&txn, actor, seller_id).await?;
    shop(&txn, buyer_id).await?;
    let before = statement_in(&txn, seller_id, &new.month).await?;
    let owed = before
        .pairs
        .iter()
        .find(|p| p.counterparty_id == buyer_id)
        .map_or(0, |p| p.sold_krw - p.received_krw);
    if new.amount_krw <= 0 || new.amount_krw > owed {
        return Err(ValidationErrors::single(
            "amount_krw",
            format!("must be 1 to the {owed} won still owed for {}", new.month),
        )
        .into());
    }
    member_settlement::ActiveModel {
        id: Set(new_id("mbs")),
        seller_id: Set(seller_id.to_owned()),
        buyer_id: Set(buyer_id.to_owned()),
        month: Set(new.month.clone()),
        amount_krw: Set(new.amount_krw),
        recorded_by: Set(actor.id.clone()),
        recorded_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    golmok_payments::ledger::post(
        &txn,
        "member_settlement",
        &format!("{seller_id}:{buyer_id}:{}", new.month),
        &[
            (receivable(seller_id, buyer_id), -new.amount_krw),
            (payable(buyer_id, seller_id), new.amount_krw),
        ],
    )
    .await?;
    let after = statement_in(&txn, seller_id, &new.month).await?;
    txn.commit().await?;
    Ok(after)
}

/// Member trade handed over in a consortium between two instants: orders and won.
pub async fn volume_in(
    db: &impl ConnectionTrait,
    consortium_id: &str,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Result<(u64, i64)> {
    let orders = handed_over_in(start, end)
        .filter(member_order::Column::ConsortiumId.eq(consortium_id))
        .all(db)
        .await?;
    Ok((
        orders.len() as u64,
        orders.iter().map(|o| o.total_krw).sum(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_step_is_taken_by_its_side_from_its_states() {
        use MemberOrderStatus as S;
        assert_eq!(Step::Accept.rule(), (&[S::Placed][..], S::Accepted, true));
        assert!(!Step::Cancel.rule().2, "the buyer cancels");
        assert!(
            !Step::HandOver.rule().0.contains(&S::Placed),
            "accepted first"
        );
        assert!(!Step::Cancel.rule().0.contains(&S::Accepted));
    }
}
