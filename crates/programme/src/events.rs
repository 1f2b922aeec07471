//! Festivals and market days (골목축제, 채우장): a campaign with a place and a time, the member
//! shops that keep a stall at it, what each stall sells in person (pieces, or a refill by the
//! gram, or a free amount; paid in cash, by card or with local gift certificates) and the
//! visitors the organisers count. In-person sales are kept apart from online sales and count
//! beside them in the reports.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use golmok_accounts::Account;
use golmok_catalog::entities::{campaign, consortium_member, listing, merchant};
use golmok_core::{Cache, ValidationErrors, new_id};
use sea_orm::ActiveValue::Set;
use sea_orm::QueryOrder;
use sea_orm::prelude::*;
use serde::{Deserialize, Serialize};

use crate::access::{self, Standing};
use crate::entities::{event_shop, event_visitor_count, stall_sale, stall_sale_line};
use crate::{DomainError, Result};

golmok_core::stored_enum! {
    /// How a stall was paid.
    pub enum PaymentMethod {
        Cash = "cash",
        Card = "card",
        /// Local gift certificates (지역화폐·온누리상품권).
        GiftCertificate = "gift_certificate",
    }
}

/// How long after its end an event still takes its stalls' sales: the evening's tally.
const LATE_ENTRY: Duration = Duration::hours(12);

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventShops {
    /// The member shops keeping a stall (members of the campaign's consortium).
    pub merchant_ids: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewStallSale {
    pub merchant_id: String,
    /// Goods from the shop's listings: pieces, or grams and millilitres for goods sold by
    /// weight or volume (a refill weighed at the stall). Priced as online.
    #[serde(default)]
    pub lines: Vec<StallLine>,
    /// Or a free amount (what the stall sells that is not listed), with what it was.
    #[serde(default)]
    pub amount_krw: Option<i64>,
    #[serde(default)]
    pub description: Option<String>,
    pub payment_method: PaymentMethod,
    /// A coupon the visitor shows (a stamp tour's, of this consortium): it pays part of the
    /// sale, the consortium bears it, and `payment_method` is how the rest was paid.
    #[serde(default)]
    pub coupon_code: Option<String>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StallLine {
    pub listing_id: String,
    pub quantity: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct StallSale {
    pub id: String,
    pub campaign_id: String,
    pub merchant_id: String,
    pub amount_krw: i64,
    /// Of `amount_krw`, what a coupon paid (the consortium's cost).
    pub coupon_krw: i64,
    pub payment_method: PaymentMethod,
    pub description: String,
    pub lines: Vec<SoldLine>,
    pub sold_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SoldLine {
    pub listing_id: String,
    pub title: String,
    pub quantity: i64,
    pub unit: String,
    pub refill: bool,
    pub amount_krw: i64,
    /// A refill into the visitor's own container: the single-use packaging it replaced.
    pub packaging_grams: i64,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewVisitorCount {
    /// Visitors counted since the last count (a gate's clicker, a head count per hour).
    pub visitors: i32,
    #[serde(default)]
    pub note: String,
}

/// An event's figures so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct EventFigures {
    pub campaign_id: String,
    pub consortium_id: String,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub place: Option<String>,
    pub visitors: i64,
    pub sales_krw: i64,
    pub sales: u64,
    /// Grams of refills sold by weight at the stalls.
    pub refill_grams: i64,
    pub shops: Vec<StallFigures>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct StallFigures {
    pub merchant_id: String,
    pub name: String,
    pub sales_krw: i64,
    pub sales: u64,
    /// Won by payment method (`cash`, `card`, `gift_certificate`).
    pub by_method: BTreeMap<String, i64>,
}

async fn event_row(db: &impl ConnectionTrait, id: &str) -> Result<campaign::Model> {
    campaign::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|c| c.kind == "festival" || c.kind == "refill_market")
        .ok_or_else(|| DomainError::not_found("event", id))
}

/// Sets which member shops keep a stall at the event (replacing the list).
pub async fn set_shops(
    db: &DatabaseConnection,
    actor: &Account,
    campaign_id: &str,
    shops: EventShops,
) -> Result<EventFigures> {
    let txn = golmok_core::db::begin_write(db).await?;
    let event = event_row(&txn, campaign_id).await?;
    access::require_consortium(&txn, actor, &event.consortium_id, Standing::Edits).await?;
    let members: Vec<String> = consortium_member::Entity::find()
        .filter(consortium_member::Column::ConsortiumId.eq(event.consortium_id.as_str()))
        .all(&txn)
        .await?
        .into_iter()
        .map(|m| m.merchant_id)
        .collect();
    let mut errors = ValidationErrors::new();
    if shops.merchant_ids.is_empty() || shops.merchant_ids.len() > 200 {
        errors.add("merchant_ids", "name 1 to 200 member shops");
    }
    for (i, m) in shops.merchant_ids.iter().enumerate() {
        if !members.contains(m) {
            errors.add(
                format!("merchant_ids[{i}]"),
                "not a member of the consortium",
            );
        }
    }
    errors.into_result()?;
    event_shop::Entity::delete_many()
        .filter(event_shop::Column::CampaignId.eq(campaign_id))
        .exec(&txn)
        .await?;
    let mut ids = shops.merchant_ids;
    ids.sort();
    ids.dedup();
    for m in ids {
        event_shop::ActiveModel {
            campaign_id: Set(campaign_id.to_owned()),
            merchant_id: Set(m),
        }
        .insert(&txn)
        .await?;
    }
    let figures = figures_in(&txn, &event).await?;
    txn.commit().await?;
    Ok(figures)
}

/// A stall's sale, recorded by the shop's owner while the event runs (or the evening after).
pub async fn record_sale(
    db: &DatabaseConnection,
    cache: &dyn Cache,
    actor: &Account,
    campaign_id: &str,
    new: NewStallSale,
) -> Result<StallSale> {
    record_sale_at(db, cache, actor, campaign_id, new, Utc::now()).await
}

/// [`record_sale`] sent with a key (the stall page's offline queue, an API client's
/// `Idempotency-Key`): the shop's sale first sent with `key` is the answer to every later
/// sending, and nothing more is recorded or taken from stock.
pub async fn record_sale_once(
    db: &DatabaseConnection,
    cache: &dyn Cache,
    actor: &Account,
    campaign_id: &str,
    new: NewStallSale,
    key: &str,
) -> Result<StallSale> {
    validate_sale(&new)?;
    let key = key.trim();
    if key.is_empty() || key.chars().count() > MAX_KEY_CHARS {
        return Err(ValidationErrors::single(
            "Idempotency-Key",
            format!("1 to {MAX_KEY_CHARS} characters"),
        )
        .into());
    }
    if let Some(sent) = sale_sent_with(db, actor, &new.merchant_id, key).await? {
        return same_event(sent, campaign_id);
    }
    let merchant_id = new.merchant_id.clone();
    match record(db, cache, actor, campaign_id, new, Utc::now(), Some(key)).await {
        // Sent twice at once: the other sending recorded it.
        Err(DomainError::Database(e)) if golmok_core::error::is_unique_violation(&e) => {
            match sale_sent_with(db, actor, &merchant_id, key).await? {
                Some(sent) => same_event(sent, campaign_id),
                None => Err(DomainError::Database(e)),
            }
        }
        recorded => recorded,
    }
}

/// A key answers for the sale it was first sent with, at that event only: the same key sent
/// for another event is a client's mistake, not a retry (409 `key_reused`).
fn same_event(sent: StallSale, campaign_id: &str) -> Result<StallSale> {
    if sent.campaign_id == campaign_id {
        Ok(sent)
    } else {
        Err(DomainError::conflict(
            "key_reused",
            "this Idempotency-Key was sent with a sale at another event",
        ))
    }
}

const MAX_KEY_CHARS: usize = 200;

/// The shop's sale first sent with `key`, for its owner (or an admin).
async fn sale_sent_with(
    db: &DatabaseConnection,
    actor: &Account,
    merchant_id: &str,
    key: &str,
) -> Result<Option<StallSale>> {
    let Some(row) = stall_sale::Entity::find()
        .filter(stall_sale::Column::MerchantId.eq(merchant_id))
        .filter(stall_sale::Column::ClientKey.eq(key))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let owns = merchant::Entity::find_by_id(merchant_id)
        .one(db)
        .await?
        .is_some_and(|m| m.owner_id == actor.id || actor.role == golmok_accounts::Role::Admin);
    if !owns {
        return Err(DomainError::not_found("merchant", merchant_id));
    }
    Ok(Some(sale_of(db, row).await?))
}

/// [`record_sale`] as if it were `now`: what the demo's past festivals were recorded with.
pub async fn record_sale_at(
    db: &DatabaseConnection,
    cache: &dyn Cache,
    actor: &Account,
    campaign_id: &str,
    new: NewStallSale,
    now: DateTime<Utc>,
) -> Result<StallSale> {
    validate_sale(&new)?;
    record(db, cache, actor, campaign_id, new, now, None).await
}

async fn record(
    db: &DatabaseConnection,
    cache: &dyn Cache,
    actor: &Account,
    campaign_id: &str,
    new: NewStallSale,
    now: DateTime<Utc>,
    key: Option<&str>,
) -> Result<StallSale> {
    let txn = golmok_core::db::begin_write(db).await?;
    let event = event_row(&txn, campaign_id).await?;
    let owner = merchant::Entity::find_by_id(new.merchant_id.as_str())
        .one(&txn)
        .await?
        .filter(|m| m.owner_id == actor.id || actor.role == golmok_accounts::Role::Admin)
        .ok_or_else(|| DomainError::not_found("merchant", &new.merchant_id))?;
    let keeps_stall = event_shop::Entity::find_by_id((campaign_id.to_owned(), owner.id.clone()))
        .one(&txn)
        .await?
        .is_some();
    if !keeps_stall {
        return Err(DomainError::conflict(
            "no_stall",
            format!("{} keeps no stall at {}", owner.name, event.title),
        ));
    }
    if event.cancelled_at.is_some() || now < event.starts_at || now > event.ends_at + LATE_ENTRY {
        return Err(DomainError::conflict(
            "event_not_running",
            format!(
                "{} takes stall sales from its start until 12 hours after its end",
                event.title
            ),
        ));
    }
    let mut sold = Vec::new();
    for (i, line) in new.lines.iter().enumerate() {
        sold.push(sell_line(&txn, &owner.id, i, line).await?);
    }
    let amount = match new.amount_krw {
        Some(a) => a,
        None => sold.iter().map(|l| l.amount_krw).sum(),
    };
    let description = new
        .description
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(str::to_owned)
        .unwrap_or_else(|| {
            sold.iter()
                .map(|l| format!("{} ×{}", l.title, l.quantity))
                .collect::<Vec<_>>()
                .join(", ")
        });
    let id = new_id("sal");
    let coupon_krw = match new.coupon_code.as_deref().map(str::trim) {
        Some(code) if !code.is_empty() => {
            golmok_ordering::coupons::redeem_at_stall(
                &txn,
                code,
                &event.consortium_id,
                &owner.id,
                &id,
                amount,
            )
            .await?
        }
        _ => 0,
    };
    stall_sale::ActiveModel {
        id: Set(id.clone()),
        campaign_id: Set(campaign_id.to_owned()),
        consortium_id: Set(event.consortium_id.clone()),
        merchant_id: Set(owner.id.clone()),
        amount_krw: Set(amount),
        coupon_krw: Set(coupon_krw),
        payment_method: Set(new.payment_method.as_str().to_owned()),
        description: Set(description.clone()),
        recorded_by: Set(actor.id.clone()),
        sold_at: Set(now),
        client_key: Set(key.map(str::to_owned)),
    }
    .insert(&txn)
    .await?;
    for l in &sold {
        stall_sale_line::ActiveModel {
            id: Set(new_id("sln")),
            sale_id: Set(id.clone()),
            listing_id: Set(l.listing_id.clone()),
            title: Set(l.title.clone()),
            quantity: Set(l.quantity),
            unit: Set(l.unit.clone()),
            refill: Set(l.refill),
            amount_krw: Set(l.amount_krw),
            packaging_grams: Set(l.packaging_grams),
        }
        .insert(&txn)
        .await?;
    }
    txn.commit().await?;
    for l in &sold {
        golmok_catalog::listing::invalidate(cache, &l.listing_id).await;
    }
    Ok(StallSale {
        id,
        campaign_id: campaign_id.to_owned(),
        merchant_id: owner.id,
        amount_krw: amount,
        coupon_krw,
        payment_method: new.payment_method,
        description,
        lines: sold,
        sold_at: now,
    })
}

fn validate_sale(new: &NewStallSale) -> Result<()> {
    let mut errors = ValidationErrors::new();
    match (&new.amount_krw, new.lines.is_empty()) {
        (None, true) => errors.add("lines", "sell goods from the listings, or give an amount"),
        (Some(_), false) => errors.add("amount_krw", "either goods from the listings or an amount"),
        (Some(a), true) => {
            if !(1..=100_000_000).contains(a) {
                errors.add("amount_krw", "must be 1 to 100,000,000 won");
            }
            if new
                .description
                .as_deref()
                .is_none_or(|d| d.trim().is_empty())
            {
                errors.add("description", "say what was sold");
            }
        }
        (None, false) => {}
    }
    if new
        .description
        .as_deref()
        .is_some_and(|d| d.chars().count() > 200)
    {
        errors.add("description", "must be at most 200 characters");
    }
    if new.lines.len() > 50 {
        errors.add("lines", "at most 50 lines");
    }
    for (i, l) in new.lines.iter().enumerate() {
        if !(1..=1_000_000).contains(&l.quantity) {
            errors.add(format!("lines[{i}].quantity"), "must be 1 to 1,000,000");
        }
    }
    Ok(errors.into_result()?)
}

/// Takes a line's stock (the stall sells from the same shelf as the shop) and prices it as
/// online: `price_krw` per `unit_quantity` of the listing's unit.
async fn sell_line(
    txn: &impl ConnectionTrait,
    merchant_id: &str,
    i: usize,
    line: &StallLine,
) -> Result<SoldLine> {
    let l = listing::Entity::find_by_id(line.listing_id.as_str())
        .one(txn)
        .await?
        .filter(|l| l.merchant_id == merchant_id && l.status == "active")
        .ok_or_else(|| {
            ValidationErrors::single(
                format!("lines[{i}].listing_id"),
                "not a listing this shop sells",
            )
        })?;
    let amount =
        golmok_core::money::price_for_quantity(l.price_krw, l.unit_quantity, line.quantity)
            .ok_or_else(|| ValidationErrors::single(format!("lines[{i}].quantity"), "too much"))?;
    if !golmok_catalog::listing::take_stock(txn, &l.id, line.quantity).await? {
        return Err(DomainError::conflict(
            "out_of_stock",
            format!("{}: only {} {} left", l.title, l.stock, l.unit),
        ));
    }
    Ok(SoldLine {
        packaging_grams: if l.refill { l.packaging_grams } else { 0 },
        listing_id: l.id,
        title: l.title,
        quantity: line.quantity,
        unit: l.unit,
        refill: l.refill,
        amount_krw: amount,
    })
}

/// The organisers count visitors.
pub async fn count_visitors(
    db: &DatabaseConnection,
    actor: &Account,
    campaign_id: &str,
    new: NewVisitorCount,
) -> Result<EventFigures> {
    count_visitors_at(db, actor, campaign_id, new, Utc::now()).await
}

/// [`count_visitors`] as if it were `now`.
pub async fn count_visitors_at(
    db: &DatabaseConnection,
    actor: &Account,
    campaign_id: &str,
    new: NewVisitorCount,
    now: DateTime<Utc>,
) -> Result<EventFigures> {
    let mut errors = ValidationErrors::new();
    if !(1..=1_000_000).contains(&new.visitors) {
        errors.add("visitors", "must be 1 to 1,000,000");
    }
    if new.note.chars().count() > 200 {
        errors.add("note", "must be at most 200 characters");
    }
    errors.into_result()?;
    let txn = golmok_core::db::begin_write(db).await?;
    let event = event_row(&txn, campaign_id).await?;
    access::require_consortium(&txn, actor, &event.consortium_id, Standing::Edits).await?;
    event_visitor_count::ActiveModel {
        id: Set(new_id("vis")),
        campaign_id: Set(campaign_id.to_owned()),
        visitors: Set(new.visitors),
        note: Set(new.note.trim().to_owned()),
        recorded_by: Set(actor.id.clone()),
        counted_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let figures = figures_in(&txn, &event).await?;
    txn.commit().await?;
    Ok(figures)
}

/// The event's figures, for its organisers, the metropolitan agency and its member shops.
pub async fn figures(
    db: &DatabaseConnection,
    actor: &Account,
    campaign_id: &str,
) -> Result<EventFigures> {
    let event = event_row(db, campaign_id).await?;
    access::require_consortium(db, actor, &event.consortium_id, Standing::Reads).await?;
    figures_in(db, &event).await
}

/// An event as the shop keeping a stall at it sees it: its figures.
pub async fn figures_for_stall(
    db: &DatabaseConnection,
    actor: &Account,
    campaign_id: &str,
    merchant_id: &str,
) -> Result<EventFigures> {
    let event = event_row(db, campaign_id).await?;
    let owns = merchant::Entity::find_by_id(merchant_id)
        .one(db)
        .await?
        .is_some_and(|m| m.owner_id == actor.id);
    let keeps_stall =
        event_shop::Entity::find_by_id((campaign_id.to_owned(), merchant_id.to_owned()))
            .one(db)
            .await?
            .is_some();
    if !(owns && keeps_stall) {
        return Err(DomainError::not_found("event", campaign_id));
    }
    figures_in(db, &event).await
}

/// The shop's own sales at an event, newest first.
pub async fn sales_of_shop(
    db: &DatabaseConnection,
    actor: &Account,
    campaign_id: &str,
    merchant_id: &str,
) -> Result<Vec<StallSale>> {
    let event = event_row(db, campaign_id).await?;
    let owns = merchant::Entity::find_by_id(merchant_id)
        .one(db)
        .await?
        .is_some_and(|m| m.owner_id == actor.id);
    if !owns {
        access::require_consortium(db, actor, &event.consortium_id, Standing::Reads).await?;
    }
    let rows = stall_sale::Entity::find()
        .filter(stall_sale::Column::CampaignId.eq(campaign_id))
        .filter(stall_sale::Column::MerchantId.eq(merchant_id))
        .order_by_desc(stall_sale::Column::SoldAt)
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(sale_of(db, r).await?);
    }
    Ok(out)
}

/// A recorded sale with its lines.
async fn sale_of(db: &impl ConnectionTrait, r: stall_sale::Model) -> Result<StallSale> {
    let lines = stall_sale_line::Entity::find()
        .filter(stall_sale_line::Column::SaleId.eq(r.id.as_str()))
        .order_by_asc(stall_sale_line::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|l| SoldLine {
            listing_id: l.listing_id,
            title: l.title,
            quantity: l.quantity,
            unit: l.unit,
            refill: l.refill,
            amount_krw: l.amount_krw,
            packaging_grams: l.packaging_grams,
        })
        .collect();
    Ok(StallSale {
        payment_method: PaymentMethod::parse(&r.payment_method)
            .ok_or_else(|| DomainError::internal("stored payment method"))?,
        id: r.id,
        campaign_id: r.campaign_id,
        merchant_id: r.merchant_id,
        amount_krw: r.amount_krw,
        coupon_krw: r.coupon_krw,
        description: r.description,
        lines,
        sold_at: r.sold_at,
    })
}

/// The events a shop keeps a stall at, soonest first.
pub async fn events_of_shop(
    db: &impl ConnectionTrait,
    merchant_id: &str,
) -> Result<Vec<campaign::Model>> {
    let ids: Vec<String> = event_shop::Entity::find()
        .filter(event_shop::Column::MerchantId.eq(merchant_id))
        .all(db)
        .await?
        .into_iter()
        .map(|s| s.campaign_id)
        .collect();
    Ok(campaign::Entity::find()
        .filter(campaign::Column::Id.is_in(ids))
        .order_by_asc(campaign::Column::StartsAt)
        .all(db)
        .await?)
}

async fn figures_in(db: &impl ConnectionTrait, event: &campaign::Model) -> Result<EventFigures> {
    let shops = event_shop::Entity::find()
        .filter(event_shop::Column::CampaignId.eq(event.id.as_str()))
        .all(db)
        .await?;
    let sales = stall_sale::Entity::find()
        .filter(stall_sale::Column::CampaignId.eq(event.id.as_str()))
        .all(db)
        .await?;
    let sale_ids: Vec<String> = sales.iter().map(|s| s.id.clone()).collect();
    let refill_grams = stall_sale_line::Entity::find()
        .filter(stall_sale_line::Column::SaleId.is_in(sale_ids))
        .filter(stall_sale_line::Column::Refill.eq(true))
        .filter(stall_sale_line::Column::Unit.eq("gram"))
        .all(db)
        .await?
        .iter()
        .map(|l| l.quantity)
        .sum();
    let visitors = event_visitor_count::Entity::find()
        .filter(event_visitor_count::Column::CampaignId.eq(event.id.as_str()))
        .all(db)
        .await?
        .iter()
        .map(|v| i64::from(v.visitors))
        .sum();
    let mut stalls = Vec::new();
    for s in &shops {
        let name = merchant::Entity::find_by_id(s.merchant_id.as_str())
            .one(db)
            .await?
            .map(|m| m.name)
            .unwrap_or_default();
        let mine: Vec<&stall_sale::Model> = sales
            .iter()
            .filter(|x| x.merchant_id == s.merchant_id)
            .collect();
        let mut by_method = BTreeMap::new();
        for x in &mine {
            *by_method.entry(x.payment_method.clone()).or_insert(0) += x.amount_krw;
        }
        stalls.push(StallFigures {
            merchant_id: s.merchant_id.clone(),
            name,
            sales_krw: mine.iter().map(|x| x.amount_krw).sum(),
            sales: mine.len() as u64,
            by_method,
        });
    }
    Ok(EventFigures {
        campaign_id: event.id.clone(),
        consortium_id: event.consortium_id.clone(),
        title: event.title.clone(),
        starts_at: event.starts_at,
        ends_at: event.ends_at,
        place: event.place.clone(),
        visitors,
        sales_krw: sales.iter().map(|s| s.amount_krw).sum(),
        sales: sales.len() as u64,
        refill_grams,
        shops: stalls,
    })
}
