//! Checkout: one basket across the shops of one active consortium becomes one order, one
//! payment and one merchant order per shop, in one transaction.

use std::collections::BTreeMap;

use chrono::Utc;
use golmok_accounts::{Account, Role};
use golmok_catalog::{ConsortiumStatus, ContainerPolicy, listing as catalog_listing};
use golmok_core::money::{percent_ceil, share_of};
use golmok_core::{Coordinates, ValidationErrors, new_id};
use golmok_delivery_routing::capacity::Load;
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, DatabaseTransaction};
use serde::Deserialize;
use serde_json::json;

use crate::entities::{merchant_order, order, order_line, stock_reservation};
use crate::history;
use crate::idempotency::{self, IdempotencyKey};
use crate::state::{MerchantOrderStatus, OrderStatus};
use crate::{DomainError, Ordering, Result, view};
use golmok_events::{Payload, Topic};

pub const MAX_ITEMS: usize = 100;
pub const MAX_QUANTITY: i64 = 1_000_000;

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Checkout {
    pub consortium_id: String,
    pub items: Vec<CheckoutItem>,
    pub fulfillment: Fulfillment,
    pub payment: PaymentChoice,
    /// A coupon of the shopper's from this consortium (a stamp tour's): it comes off the
    /// goods of the shop with the largest part of the basket, and the consortium pays it.
    #[serde(default)]
    pub coupon_id: Option<String>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckoutItem {
    pub listing_id: String,
    /// In the listing's unit: pieces, grams or ml. For refill goods, the intended amount.
    pub quantity: i64,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fulfillment {
    /// Delivered by the consortium's co-delivery network in one of its slots.
    Delivery {
        slot_id: String,
        address: String,
        location: Coordinates,
        /// A phone the courier may call at the door (shown to the courier only while the
        /// batch is under way).
        #[serde(default)]
        phone: Option<String>,
        /// For the courier at the door: "ring twice, the bell is broken".
        #[serde(default)]
        notes: Option<String>,
    },
    /// Collected by the shopper at each shop; at `pickup_at` when given, which every shop in
    /// the basket must be open at.
    Pickup {
        #[serde(default)]
        pickup_at: Option<chrono::DateTime<Utc>>,
    },
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentChoice {
    /// `offline` (pay at delivery or by bank transfer) or `stripe`.
    pub provider: String,
}

fn validate(ctx: &Ordering<'_>, request: &Checkout) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::new();
    if request.items.is_empty() || request.items.len() > MAX_ITEMS {
        errors.add("items", format!("must hold 1 to {MAX_ITEMS} items"));
    }
    for (i, item) in request.items.iter().enumerate() {
        if !(1..=MAX_QUANTITY).contains(&item.quantity) {
            errors.add(
                format!("items[{i}].quantity"),
                format!("must be from 1 to {MAX_QUANTITY}"),
            );
        }
        if request.items[..i]
            .iter()
            .any(|earlier| earlier.listing_id == item.listing_id)
        {
            errors.add(
                format!("items[{i}].listing_id"),
                "is already in the basket; raise its quantity instead",
            );
        }
    }
    if let Fulfillment::Delivery {
        slot_id,
        address,
        location,
        phone,
        notes,
    } = &request.fulfillment
    {
        if let Some(phone) = phone.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
            let digits = phone.chars().filter(char::is_ascii_digit).count();
            let fine = phone
                .chars()
                .enumerate()
                .all(|(i, c)| c.is_ascii_digit() || c == '-' || c == ' ' || (i == 0 && c == '+'));
            if !fine || !(8..=15).contains(&digits) {
                errors.add(
                    "fulfillment.phone",
                    "must be a phone number such as 010-1234-5678",
                );
            }
        }
        if notes
            .as_ref()
            .is_some_and(|n| n.trim().chars().count() > 300)
        {
            errors.add("fulfillment.notes", "must be at most 300 characters");
        }
        if slot_id.trim().is_empty() {
            errors.add("fulfillment.slot_id", "must name a delivery slot");
        }
        let chars = address.trim().chars().count();
        if chars == 0 || chars > 200 {
            errors.add("fulfillment.address", "must be 1 to 200 characters");
        }
        location.validate("fulfillment.location", &mut errors);
    }
    if ctx.providers.get(&request.payment.provider).is_none() {
        errors.add(
            "payment.provider",
            "is not a payment provider this server accepts",
        );
    }
    errors.into_result()
}

golmok_core::stored_enum! {
    /// How the shopper gets the goods, as stored on the order.
    pub enum FulfillmentKind {
        Delivery = "delivery",
        Pickup = "pickup",
    }
}

struct PlannedLine {
    /// As sold: under a promotion, its price is the promotion's.
    listing: golmok_catalog::Listing,
    quantity: i64,
    amount_krw: i64,
    deposit_krw: i64,
    /// The listing's own price and the promotion that took it down.
    promotion: Option<(i64, String)>,
}

/// The basket priced, by shop: each shop's lines in the order the shopper listed them, and the
/// shops in the order they first appear (their merchant orders are written in that order).
#[derive(Default)]
struct PricedBasket {
    by_shop: BTreeMap<String, Vec<PlannedLine>>,
    shop_order: Vec<String>,
}

impl PricedBasket {
    fn add(&mut self, line: PlannedLine) {
        let shop = line.listing.merchant_id.clone();
        if !self.shop_order.contains(&shop) {
            self.shop_order.push(shop.clone());
        }
        self.by_shop.entry(shop).or_default().push(line);
    }

    fn shops(&self) -> impl Iterator<Item = (&str, &[PlannedLine])> {
        self.shop_order
            .iter()
            .map(|shop| (shop.as_str(), self.by_shop[shop].as_slice()))
    }

    fn lines(&self) -> impl Iterator<Item = &PlannedLine> + Clone {
        self.by_shop.values().flatten()
    }

    /// What the basket takes in a delivery slot: one delivery per shop, and its weight and
    /// volume.
    fn size(&self) -> Load {
        Load {
            tasks: self.by_shop.len() as i64,
            ..Self::size_of(self.lines())
        }
    }

    /// The weight and volume of some lines, as one delivery.
    fn size_of<'a>(lines: impl IntoIterator<Item = &'a PlannedLine>) -> Load {
        let (grams, millilitres) = lines
            .into_iter()
            .map(|l| l.listing.size_of(l.quantity))
            .fold((0, 0), |(g, ml), (lg, lml)| (g + lg, ml + lml));
        Load {
            tasks: 1,
            grams,
            millilitres,
        }
    }
}

/// The money of an order at checkout.
struct Totals {
    delivery_fee: i64,
    /// What the coupon takes off, and the shop whose part it comes off.
    coupon: Option<(String, i64)>,
    /// A coupon worth as much as the largest shop's goods or more: refused, as a coupon
    /// needs more than its worth bought (and a payment of nothing cannot be authorised).
    coupon_exceeds: Option<(i64, i64)>,
    /// What the payment holds: goods, deposits and delivery, plus the tolerance on the
    /// estimates of weighed goods that the weighing may use.
    authorized: i64,
}

impl Totals {
    /// A coupon must be worth less than the goods it comes off.
    fn check_coupon(&self) -> Result<()> {
        match self.coupon_exceeds {
            Some((worth, goods)) => Err(ValidationErrors::single(
                "coupon_id",
                format!(
                    "is worth {worth} won: the largest shop's goods in the basket ({goods} won) must come to more"
                ),
            )
            .into()),
            None => Ok(()),
        }
    }

    fn of(
        basket: &PricedBasket,
        network: Option<&golmok_delivery_routing::network::Network>,
        refill_tolerance_pct: u32,
        coupon: Option<&crate::entities::coupon::Model>,
    ) -> Self {
        let items_total: i64 = basket.lines().map(|l| l.amount_krw).sum();
        let deposits: i64 = basket.lines().map(|l| l.deposit_krw).sum();
        // Everything the counter weighs: refill goods, and goods sold by weight or volume.
        let weighed_estimate: i64 = basket
            .lines()
            .filter(|l| l.listing.refill || l.listing.unit != golmok_catalog::Unit::Piece)
            .map(|l| l.amount_krw)
            .sum();
        let delivery_fee = match network {
            Some(n) if items_total < n.free_delivery_over_krw => n.delivery_fee_krw,
            _ => 0,
        };
        let tolerance = percent_ceil(weighed_estimate, refill_tolerance_pct).unwrap_or(0);
        let mut coupon_exceeds = None;
        let coupon = coupon.and_then(|c| {
            let (shop, lines) = basket.shops().max_by_key(|(shop, lines)| {
                // The largest part; on a tie, the shop listed first.
                let first = basket.shop_order.iter().position(|s| s == shop);
                (
                    lines.iter().map(|l| l.amount_krw).sum::<i64>(),
                    std::cmp::Reverse(first),
                )
            })?;
            let goods: i64 = lines.iter().map(|l| l.amount_krw).sum();
            if goods <= c.discount_krw {
                coupon_exceeds = Some((c.discount_krw, goods));
            }
            Some((shop.to_owned(), c.discount_krw.min(goods)))
        });
        let off = coupon.as_ref().map_or(0, |(_, krw)| *krw);
        Self {
            delivery_fee,
            coupon,
            coupon_exceeds,
            authorized: items_total + deposits + delivery_fee + tolerance - off,
        }
    }
}

/// Places an order. With an idempotency key, a retry returns the order as it was first
/// placed, unchanged.
pub async fn checkout(
    ctx: Ordering<'_>,
    shopper: &Account,
    request: Checkout,
    key: Option<&IdempotencyKey>,
) -> Result<view::Order> {
    if !shopper.role.may_act_as_any_of(&[Role::Shopper]) {
        return Err(DomainError::Forbidden("only shoppers place orders".into()));
    }
    validate(&ctx, &request)?;
    let provider = ctx.providers.require(&request.payment.provider)?;
    let request = &request;
    let order = if provider.is_local() {
        idempotency::once(ctx.db, key, |txn| async move {
            let order_id = new_id("ord");
            let payer = Payer::Local {
                key: payment_key(key, &order_id),
            };
            let order = place(&ctx, &txn, shopper, request, &order_id, payer).await?;
            Ok((txn, order))
        })
        .await?
    } else {
        match key {
            Some(key) => match idempotency::lookup(ctx.db, key).await? {
                Some(stored) => stored,
                None => pay_then_place(&ctx, shopper, request, Some(key)).await?,
            },
            None => pay_then_place(&ctx, shopper, request, None).await?,
        }
    };
    let taken: Vec<String> = request.items.iter().map(|i| i.listing_id.clone()).collect();
    catalog_listing::stock_changed(ctx.db, ctx.cache, &taken).await;
    Ok(order)
}

/// The provider's key for an order's authorisation: the shopper's own key where they sent one
/// (a stand-in or a dashboard reads it), and the order, so that no two orders share one.
fn payment_key(key: Option<&IdempotencyKey>, order_id: &str) -> String {
    match key {
        Some(k) => format!("{}:{}:{order_id}", k.account_id, k.key),
        None => order_id.to_owned(),
    }
}

/// How checkout gets its payment.
enum Payer<'a> {
    /// Asked inside the transaction: the provider never leaves the process.
    Local { key: String },
    /// Asked before the transaction with none open; the answer is recorded with the order.
    Answered {
        call: &'a golmok_payments::calls::Call,
        authorization: golmok_payments::Authorization,
    },
}

/// Checkout through a provider outside the process, with no transaction open while it is
/// asked: (1) price the basket from a snapshot, (2) write the authorisation's call (and claim
/// the shopper's key), (3) ask the provider, (4) write the order with the answer, re-checking
/// everything — stock, slot, prices — in that transaction. A refusal fails the payment; a
/// failure after the provider said yes cancels the authorisation ([`give_up`]).
async fn pay_then_place(
    ctx: &Ordering<'_>,
    shopper: &Account,
    request: &Checkout,
    key: Option<&IdempotencyKey>,
) -> Result<view::Order> {
    let provider = ctx.providers.require(&request.payment.provider)?;
    let amount = quote(ctx, shopper, request).await?;
    let order_id = new_id("ord");
    let txn = golmok_core::db::begin_write(ctx.db).await?;
    if let Some(key) = key
        && let Err(taken) = idempotency::claim(&txn, key).await
    {
        drop(txn);
        // A duplicate that lost the race: the first request's order, once it is written.
        return idempotency::lookup(ctx.db, key).await?.ok_or(taken);
    }
    let (_, call) = golmok_payments::authorize(
        &txn,
        provider,
        &order_id,
        amount,
        &payment_key(key, &order_id),
    )
    .await?;
    txn.commit().await?;
    let answer = golmok_payments::authorize_written(provider, &call).await;
    let authorization = match answer {
        Ok(authorization) => authorization,
        Err(refused) => {
            let txn = golmok_core::db::begin_write(ctx.db).await?;
            let recorded =
                golmok_payments::record_authorization(&txn, provider, &call, Err(refused)).await;
            release(&txn, key).await?;
            txn.commit().await?;
            let unavailable = recorded.err().unwrap_or_else(|| {
                DomainError::internal("an unanswered authorisation recorded as answered")
            });
            if !matches!(unavailable, DomainError::Declined(_)) {
                give_up(ctx, &call, None).await?;
            }
            return Err(unavailable);
        }
    };
    let txn = golmok_core::db::begin_write(ctx.db).await?;
    let payer = Payer::Answered {
        call: &call,
        authorization: authorization.clone(),
    };
    let placed = match place(ctx, &txn, shopper, request, &order_id, payer).await {
        Ok(order) => match key {
            Some(key) => idempotency::complete(&txn, key, &order)
                .await
                .map(|()| order),
            None => Ok(order),
        },
        Err(e) => Err(e),
    };
    match placed {
        Ok(order) => {
            txn.commit().await?;
            Ok(order)
        }
        Err(e) => {
            drop(txn);
            give_up(ctx, &call, Some(&authorization)).await?;
            let txn = golmok_core::db::begin_write(ctx.db).await?;
            release(&txn, key).await?;
            txn.commit().await?;
            Err(e)
        }
    }
}

/// What the basket will be authorised for, read from a snapshot: the same steps checkout
/// runs, without taking anything. The transaction that writes the order checks it again.
async fn quote(ctx: &Ordering<'_>, shopper: &Account, request: &Checkout) -> Result<i64> {
    let txn = golmok_core::db::begin_read(ctx.db).await?;
    let consortium = resolve_consortium(&txn, &request.consortium_id).await?;
    let network = resolve_network(&txn, &consortium, &request.fulfillment).await?;
    let basket = price_lines(&txn, &consortium, &request.items).await?;
    let coupon = chosen_coupon(&txn, shopper, request).await?;
    txn.commit().await?;
    let totals = Totals::of(
        &basket,
        network.as_ref(),
        ctx.rules.refill_tolerance_pct,
        coupon.as_ref(),
    );
    totals.check_coupon()?;
    Ok(totals.authorized)
}

/// The coupon the shopper chose, if any: theirs, of this consortium, not yet redeemed.
async fn chosen_coupon(
    txn: &DatabaseTransaction,
    shopper: &Account,
    request: &Checkout,
) -> Result<Option<crate::entities::coupon::Model>> {
    match request.coupon_id.as_deref().map(str::trim) {
        Some(id) if !id.is_empty() => Ok(Some(
            crate::coupons::chosen(txn, &shopper.id, &request.consortium_id, id).await?,
        )),
        _ => Ok(None),
    }
}

/// Cancels an authorisation whose order was not written. If the provider cannot be reached
/// now, the reconciler cancels it later.
async fn give_up(
    ctx: &Ordering<'_>,
    call: &golmok_payments::calls::Call,
    authorization: Option<&golmok_payments::Authorization>,
) -> Result<()> {
    let provider_name = golmok_payments::get_payment(ctx.db, &call.subject_id)
        .await?
        .provider;
    let provider = ctx.providers.require(&provider_name)?;
    golmok_payments::calls::abandon_authorization(ctx.db, provider, call, authorization).await?;
    Ok(())
}

/// Frees the shopper's key of a checkout that placed nothing: their retry starts afresh.
async fn release(txn: &impl ConnectionTrait, key: Option<&IdempotencyKey>) -> Result<()> {
    if let Some(key) = key {
        idempotency::release(txn, key).await?;
    }
    Ok(())
}

/// Checkout's steps, in the order they run inside the one transaction.
async fn place(
    ctx: &Ordering<'_>,
    txn: &DatabaseTransaction,
    shopper: &Account,
    request: &Checkout,
    order_id: &str,
    payer: Payer<'_>,
) -> Result<view::Order> {
    let consortium = resolve_consortium(txn, &request.consortium_id).await?;
    let network = resolve_network(txn, &consortium, &request.fulfillment).await?;
    let basket = price_lines(txn, &consortium, &request.items).await?;
    let coupon = chosen_coupon(txn, shopper, request).await?;
    check_pickup_time(txn, &basket, &request.fulfillment).await?;
    take_stock(txn, &basket).await?;
    if let Fulfillment::Delivery { slot_id, .. } = &request.fulfillment {
        golmok_delivery_routing::network::book(txn, slot_id.trim(), &basket.size()).await?;
    }
    let totals = Totals::of(
        &basket,
        network.as_ref(),
        ctx.rules.refill_tolerance_pct,
        coupon.as_ref(),
    );
    totals.check_coupon()?;
    let provider = ctx.providers.require(&request.payment.provider)?;
    let payment = pay(txn, provider, order_id, &totals, payer).await?;
    let placed = PlacedOrder {
        id: order_id.to_owned(),
        shopper_id: shopper.id.clone(),
        network_id: network.map(|n| n.id),
        // Frozen on the order: the consortium's commission, plus the provider's own fee
        // where the platform passes one on (card processing).
        commission_bps: consortium.commission_bps + provider.platform_fee_bps(),
    };
    let order = write_order(txn, &placed, &consortium.id, request, &totals, &payment.id).await?;
    let shops: Vec<(&str, &[PlannedLine])> = basket.shops().collect();
    let mut written = write_shop_parts(txn, &placed, &request.fulfillment, &shops).await?;
    for part in &mut written.parts {
        if let (Some(c), Some((shop, off))) = (&coupon, &totals.coupon)
            && *shop == part.merchant_id
        {
            crate::coupons::redeem_online(txn, c, &part.merchant_id, &part.id, *off).await?;
            merchant_order::Entity::update_many()
                .col_expr(merchant_order::Column::CouponKrw, Expr::value(*off))
                .filter(merchant_order::Column::Id.eq(part.id.as_str()))
                .exec(txn)
                .await?;
            part.coupon_krw = *off;
        }
    }
    // The order as written: nothing else can have touched it inside this transaction, and
    // reading it back would take seven more statements.
    view::OrderRows {
        order,
        asked: Vec::new(),
        parts: written.parts,
        lines: written.lines,
        events: written.events,
        payment,
        refunds: Vec::new(),
    }
    .into_view(txn)
    .await
}

/// The order's payment: authorised here (a local provider), or the answer already given
/// recorded — only if it is for what the basket costs now, and only if the reconciler has
/// not given it up meanwhile.
async fn pay(
    txn: &DatabaseTransaction,
    provider: &dyn golmok_payments::PaymentProvider,
    order_id: &str,
    totals: &Totals,
    payer: Payer<'_>,
) -> Result<golmok_payments::Payment> {
    match payer {
        Payer::Local { key } => {
            let (payment, _) =
                golmok_payments::authorize(txn, provider, order_id, totals.authorized, &key)
                    .await?;
            Ok(payment)
        }
        Payer::Answered {
            call,
            authorization,
        } => {
            if call.amount_krw != totals.authorized {
                return Err(DomainError::conflict(
                    "basket_changed",
                    format!(
                        "the basket now costs {} won, not the {} won just authorised; nothing was charged, try again",
                        totals.authorized, call.amount_krw
                    ),
                ));
            }
            golmok_payments::record_authorization(txn, provider, call, Ok(authorization))
                .await?
                .ok_or_else(|| {
                    DomainError::Unavailable {
                        code: "checkout_timed_out",
                        detail: "the payment took too long and was cancelled; nothing was charged, try again".into(),
                    }
                })
        }
    }
}

/// The consortium the basket is bought from: it must exist and be selling.
async fn resolve_consortium(
    txn: &DatabaseTransaction,
    consortium_id: &str,
) -> Result<golmok_catalog::Consortium> {
    let consortium = golmok_catalog::consortium::consortium_in(txn, consortium_id)
        .await
        .map_err(|e| e.not_found_is_invalid("consortium_id", "no such consortium"))?;
    if consortium.status != ConsortiumStatus::Active {
        return Err(DomainError::conflict(
            "consortium_not_active",
            format!("{} is still forming and cannot sell yet", consortium.name),
        ));
    }
    Ok(consortium)
}

/// For a delivery, the consortium's network: the slot must be one of its own, and the
/// address inside the area it delivers to. The slot is booked once the basket's size is known.
async fn resolve_network(
    txn: &DatabaseTransaction,
    consortium: &golmok_catalog::Consortium,
    fulfillment: &Fulfillment,
) -> Result<Option<golmok_delivery_routing::network::Network>> {
    let Fulfillment::Delivery {
        slot_id, location, ..
    } = fulfillment
    else {
        return Ok(None);
    };
    let network_id = consortium.network_id.clone().ok_or_else(|| {
        DomainError::conflict(
            "delivery_unavailable",
            "this consortium has no delivery network; choose pickup",
        )
    })?;
    let (network, _) = golmok_delivery_routing::network::slot(txn, slot_id.trim())
        .await
        .map_err(|e| e.not_found_is_invalid("fulfillment.slot_id", "no such delivery slot"))?;
    let mut errors = ValidationErrors::new();
    if network.id != network_id {
        errors.add(
            "fulfillment.slot_id",
            "is a slot of another network than this consortium's",
        );
    } else if !network.serves(*location) {
        errors.add(
            "fulfillment.location",
            "is outside the area the consortium's network delivers to",
        );
    }
    errors.into_result()?;
    Ok(Some(network))
}

/// The basket priced line by line and grouped by shop: every listing must exist and be sold
/// by a member of the consortium (each failing item is named).
async fn price_lines(
    txn: &DatabaseTransaction,
    consortium: &golmok_catalog::Consortium,
    items: &[CheckoutItem],
) -> Result<PricedBasket> {
    let ids: Vec<String> = items.iter().map(|i| i.listing_id.clone()).collect();
    let listings = catalog_listing::listings_in(txn, &ids).await?;
    let promotions =
        golmok_catalog::campaign::promotions_at(txn, &consortium.id, chrono::Utc::now()).await?;
    let mut errors = ValidationErrors::new();
    let mut basket = PricedBasket::default();
    for (i, item) in items.iter().enumerate() {
        let Some(listing) = listings.iter().find(|l| l.id == item.listing_id) else {
            errors.add(format!("items[{i}].listing_id"), "no such listing");
            continue;
        };
        if !consortium
            .members
            .iter()
            .any(|m| m.merchant_id == listing.merchant_id)
        {
            errors.add(
                format!("items[{i}].listing_id"),
                "is not sold by a member of this consortium",
            );
            continue;
        }
        let mut listing = listing.clone();
        let promotion = promotions
            .iter()
            .find(|p| p.listing_id == listing.id)
            .map(|p| {
                let own = listing.price_krw;
                listing.price_krw = p.price_krw;
                (own, p.campaign_id.clone())
            });
        let amount_krw = listing
            .price_for(item.quantity)
            .ok_or_else(|| DomainError::Internal(format!("pricing listing {}", listing.id)))?;
        let deposit_krw = match listing.container {
            Some(c) if c.policy == ContainerPolicy::Deposit => c.deposit_krw.unwrap_or(0),
            _ => 0,
        };
        basket.add(PlannedLine {
            listing,
            quantity: item.quantity,
            amount_krw,
            deposit_krw,
            promotion,
        });
    }
    errors.into_result()?;
    Ok(basket)
}

/// A pick-up at a chosen time: soon, and when every shop in the basket is open (a shop that
/// gave no hours is taken at its word). Each closed shop is named with when it opens.
async fn check_pickup_time(
    txn: &DatabaseTransaction,
    basket: &PricedBasket,
    fulfillment: &Fulfillment,
) -> Result<()> {
    let Fulfillment::Pickup {
        pickup_at: Some(at),
    } = fulfillment
    else {
        return Ok(());
    };
    const FIELD: &str = "fulfillment.pickup_at";
    let now = Utc::now();
    if *at < now - chrono::Duration::minutes(5) || *at > now + chrono::Duration::days(14) {
        return Err(ValidationErrors::single(FIELD, "must be within the next two weeks").into());
    }
    let mut errors = ValidationErrors::new();
    for (merchant_id, _) in basket.shops() {
        let shop = golmok_catalog::merchant::get_merchant(txn, merchant_id).await?;
        if let Some(golmok_catalog::hours::Openness::Closed { opens_at }) = shop.openness(*at) {
            let seoul = golmok_catalog::hours::seoul();
            errors.add(
                FIELD,
                match opens_at {
                    Some(t) => format!(
                        "{} is closed then; it opens {}",
                        shop.name,
                        t.with_timezone(&seoul).format("%Y-%m-%d %H:%M")
                    ),
                    None => format!("{} is closed then", shop.name),
                },
            );
        }
    }
    errors.into_result()?;
    Ok(())
}

/// A conditional update per line, so two baskets never share the last units.
async fn take_stock(txn: &DatabaseTransaction, basket: &PricedBasket) -> Result<()> {
    // In listing order: two baskets holding the same listings lock them in the same order,
    // so neither waits on the other in a cycle.
    let mut lines: Vec<&PlannedLine> = basket.by_shop.values().flatten().collect();
    lines.sort_by(|a, b| a.listing.id.cmp(&b.listing.id));
    for line in lines {
        if !catalog_listing::take_stock(txn, &line.listing.id, line.quantity).await? {
            return Err(DomainError::conflict(
                "out_of_stock",
                format!(
                    "{} does not have {} {} left",
                    line.listing.title,
                    line.quantity,
                    line.listing.unit.as_str()
                ),
            )
            .with_details(json!({"listing_id": line.listing.id, "requested": line.quantity})));
        }
    }
    Ok(())
}

/// What the order is written with, once paid for.
struct PlacedOrder {
    id: String,
    shopper_id: String,
    network_id: Option<String>,
    commission_bps: u32,
}

/// The order row (its first history entry is written with its shops' parts).
async fn write_order(
    txn: &DatabaseTransaction,
    placed: &PlacedOrder,
    consortium_id: &str,
    request: &Checkout,
    totals: &Totals,
    payment_id: &str,
) -> Result<order::Model> {
    let now = golmok_core::db::now();
    let (slot_id, address, location) = match &request.fulfillment {
        Fulfillment::Delivery {
            slot_id,
            address,
            location,
            ..
        } => (
            Some(slot_id.trim().to_owned()),
            Some(address.trim().to_owned()),
            Some(*location),
        ),
        Fulfillment::Pickup { .. } => (None, None, None),
    };
    let kind = match placed.network_id {
        Some(_) => FulfillmentKind::Delivery,
        None => FulfillmentKind::Pickup,
    };
    order::ActiveModel {
        id: Set(placed.id.clone()),
        shopper_id: Set(placed.shopper_id.clone()),
        consortium_id: Set(consortium_id.to_owned()),
        status: Set(OrderStatus::Placed.as_str().into()),
        fulfillment_kind: Set(kind.as_str().into()),
        slot_id: Set(slot_id),
        pickup_at: Set(match request.fulfillment {
            Fulfillment::Pickup { pickup_at } => pickup_at,
            Fulfillment::Delivery { .. } => None,
        }),
        network_id: Set(placed.network_id.clone()),
        address: Set(address),
        lat: Set(location.map(|l| l.lat)),
        lon: Set(location.map(|l| l.lon)),
        delivery_fee_krw: Set(totals.delivery_fee),
        delivery_fee_refunded_krw: Set(0),
        commission_bps: Set(placed.commission_bps as i32),
        payment_id: Set(payment_id.to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(txn)
    .await
    .map_err(Into::into)
}

/// Every shop's part: its merchant order, the order's and each part's first history entry
/// and each shop's new-order event, each shop's delivery task (for a delivery) and the lines
/// with their stock reservations. Rows of a kind go in one statement for all the shops: each
/// is a round trip inside the checkout's transaction. What was written.
async fn write_shop_parts(
    txn: &DatabaseTransaction,
    placed: &PlacedOrder,
    fulfillment: &Fulfillment,
    shops: &[(&str, &[PlannedLine])],
) -> Result<WrittenParts> {
    let now = golmok_core::db::now();
    let mut parts = Vec::with_capacity(shops.len());
    let mut told = Vec::with_capacity(shops.len());
    for (merchant_id, lines) in shops {
        let subtotal: i64 = lines.iter().map(|l| l.amount_krw).sum();
        let mo_id = new_id("mo");
        parts.push(merchant_order::ActiveModel {
            id: Set(mo_id.clone()),
            order_id: Set(placed.id.clone()),
            merchant_id: Set((*merchant_id).to_owned()),
            status: Set(MerchantOrderStatus::Pending.as_str().into()),
            subtotal_krw: Set(subtotal),
            deposits_krw: Set(lines.iter().map(|l| l.deposit_krw).sum()),
            commission_krw: Set(share_of(subtotal, placed.commission_bps).unwrap_or(0)),
            refunded_krw: Set(0),
            commission_refunded_krw: Set(0),
            coupon_krw: Set(0),
            note: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        });
        told.push((
            Topic::merchant(*merchant_id),
            Payload::NewOrder {
                order_id: placed.id.clone(),
                merchant_order_id: mo_id.clone(),
                subtotal_krw: subtotal,
            },
        ));
    }
    let written_parts = golmok_core::db::models_of(&parts)?;
    merchant_order::Entity::insert_many(parts)
        .exec_without_returning(txn)
        .await?;
    let (placed_status, pending) = (
        OrderStatus::Placed.as_str(),
        MerchantOrderStatus::Pending.as_str(),
    );
    let first = std::iter::once(history::Transition {
        order_id: &placed.id,
        merchant_order_id: None,
        from: "",
        to: placed_status,
        actor_id: &placed.shopper_id,
        note: None,
        at: None,
    });
    let transitions: Vec<history::Transition<'_>> = first
        .chain(written_parts.iter().map(|part| history::Transition {
            order_id: &placed.id,
            merchant_order_id: Some(&part.id),
            from: "",
            to: pending,
            actor_id: &placed.shopper_id,
            note: None,
            at: None,
        }))
        .collect();
    let events = history::record_all(txn, &transitions, told).await?;
    if let (Some(network_id), Fulfillment::Delivery { .. }) = (&placed.network_id, fulfillment) {
        for ((merchant_id, lines), part) in shops.iter().zip(&written_parts) {
            add_delivery_task(
                txn,
                placed,
                network_id,
                fulfillment,
                merchant_id,
                &part.id,
                lines,
            )
            .await?;
        }
    }
    let lines: Vec<(&str, &PlannedLine)> = shops
        .iter()
        .zip(&written_parts)
        .flat_map(|((_, lines), part)| lines.iter().map(move |l| (part.id.as_str(), l)))
        .collect();
    let lines = write_lines(txn, &lines).await?;
    Ok(WrittenParts {
        parts: written_parts,
        events,
        lines,
    })
}

/// The rows of every shop's part, as checkout wrote them.
struct WrittenParts {
    /// In the order of the shops.
    parts: Vec<merchant_order::Model>,
    events: Vec<crate::entities::order_event::Model>,
    lines: Vec<order_line::Model>,
}

/// The shop's part as a task for the network's next plan: from the shop to the shopper.
async fn add_delivery_task(
    txn: &DatabaseTransaction,
    placed: &PlacedOrder,
    network_id: &str,
    fulfillment: &Fulfillment,
    merchant_id: &str,
    merchant_order_id: &str,
    lines: &[PlannedLine],
) -> Result<()> {
    let Fulfillment::Delivery {
        slot_id,
        address,
        location,
        phone,
        notes,
    } = fulfillment
    else {
        return Ok(());
    };
    let said = |text: &Option<String>| {
        text.as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
    };
    let shop = golmok_catalog::merchant::get_merchant(txn, merchant_id).await?;
    let size = PricedBasket::size_of(lines);
    let contents = crate::contents(lines.iter().map(|l| {
        (
            l.listing.title.as_str(),
            l.listing.unit.as_str(),
            l.quantity,
        )
    }));
    golmok_delivery_routing::task::add_task(
        txn,
        golmok_delivery_routing::task::NewTask {
            merchant_order_id: merchant_order_id.to_owned(),
            order_id: placed.id.clone(),
            network_id: network_id.to_owned(),
            slot_id: slot_id.trim().to_owned(),
            merchant_id: merchant_id.to_owned(),
            pickup: shop.location,
            pickup_address: shop.address.clone(),
            dropoff: *location,
            dropoff_address: address.trim().to_owned(),
            size_grams: size.grams,
            size_millilitres: size.millilitres,
            contents,
            pickup_phone: shop.phone.clone(),
            dropoff_phone: said(phone),
            dropoff_notes: said(notes),
        },
    )
    .await?;
    Ok(())
}

/// Lines (with their merchant orders) with their prices frozen, and the stock each took held
/// by a reservation: two statements for all of them. The lines written.
async fn write_lines(
    txn: &DatabaseTransaction,
    lines: &[(&str, &PlannedLine)],
) -> Result<Vec<order_line::Model>> {
    let mut rows = Vec::with_capacity(lines.len());
    let mut reservations = Vec::with_capacity(lines.len());
    for (merchant_order_id, line) in lines {
        let line_id = new_id("oln");
        rows.push(order_line::ActiveModel {
            id: Set(line_id.clone()),
            merchant_order_id: Set((*merchant_order_id).to_owned()),
            listing_id: Set(line.listing.id.clone()),
            title: Set(line.listing.title.clone()),
            unit: Set(line.listing.unit.as_str().into()),
            unit_quantity: Set(line.listing.unit_quantity),
            price_krw: Set(line.listing.price_krw),
            quantity: Set(line.quantity),
            weighed_quantity: Set(None),
            amount_krw: Set(line.amount_krw),
            refill: Set(line.listing.refill),
            container_policy: Set(line.listing.container.map(|c| c.policy.as_str().to_owned())),
            deposit_krw: Set(line.deposit_krw),
            list_price_krw: Set(line.promotion.as_ref().map(|(own, _)| *own)),
            campaign_id: Set(line.promotion.as_ref().map(|(_, c)| c.clone())),
            packaging_grams: Set(if line.listing.refill {
                line.listing.packaging_grams
            } else {
                0
            }),
        });
        reservations.push(stock_reservation::ActiveModel {
            line_id: Set(line_id),
            listing_id: Set(line.listing.id.clone()),
            quantity: Set(line.quantity),
            released_at: Set(None),
        });
    }
    let written = golmok_core::db::models_of(&rows)?;
    golmok_core::db::insert_in_batches(txn, rows).await?;
    golmok_core::db::insert_in_batches(txn, reservations).await?;
    Ok(written)
}
