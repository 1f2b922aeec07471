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

use crate::entities::{merchant_order, order, order_event, order_line, stock_reservation};
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
    },
    /// Collected by the shopper at each shop.
    Pickup,
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
    } = &request.fulfillment
    {
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

struct PlannedLine {
    listing: golmok_catalog::Listing,
    quantity: i64,
    amount_krw: i64,
    deposit_krw: i64,
}

/// What a basket takes in a delivery slot: one delivery per shop, and its weight and volume.
fn basket_size(planned: &BTreeMap<String, Vec<PlannedLine>>) -> Load {
    let (grams, millilitres) = planned
        .values()
        .flatten()
        .map(|l| l.listing.size_of(l.quantity))
        .fold((0, 0), |(g, ml), (lg, lml)| (g + lg, ml + lml));
    Load {
        tasks: planned.len() as i64,
        grams,
        millilitres,
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
    let listing_ids: Vec<String> = request.items.iter().map(|i| i.listing_id.clone()).collect();
    let order = idempotency::once(ctx.db, key, |txn| async move {
        let order = place(&ctx, &txn, shopper, &request, key).await?;
        Ok((txn, order))
    })
    .await?;
    for id in &listing_ids {
        catalog_listing::invalidate(ctx.cache, id).await;
    }
    Ok(order)
}

async fn place(
    ctx: &Ordering<'_>,
    txn: &DatabaseTransaction,
    shopper: &Account,
    request: &Checkout,
    key: Option<&IdempotencyKey>,
) -> Result<view::Order> {
    let consortium = golmok_catalog::consortium::consortium_in(txn, &request.consortium_id)
        .await
        .map_err(|e| e.not_found_is_invalid("consortium_id", "no such consortium"))?;
    if consortium.status != ConsortiumStatus::Active {
        return Err(DomainError::conflict(
            "consortium_not_active",
            format!("{} is still forming and cannot sell yet", consortium.name),
        ));
    }
    let network = match &request.fulfillment {
        Fulfillment::Delivery {
            slot_id, location, ..
        } => {
            let network_id = consortium.network_id.clone().ok_or_else(|| {
                DomainError::conflict(
                    "delivery_unavailable",
                    "this consortium has no delivery network; choose pickup",
                )
            })?;
            // Booked below, once the basket's size is known.
            let (network, _) = golmok_delivery_routing::network::slot(txn, slot_id.trim())
                .await
                .map_err(|e| {
                    e.not_found_is_invalid("fulfillment.slot_id", "no such delivery slot")
                })?;
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
            Some(network)
        }
        Fulfillment::Pickup => None,
    };
    let network_id = network.as_ref().map(|n| n.id.clone());

    let ids: Vec<String> = request.items.iter().map(|i| i.listing_id.clone()).collect();
    let listings = catalog_listing::listings_in(txn, &ids).await?;
    let mut errors = ValidationErrors::new();
    let mut planned: BTreeMap<String, Vec<PlannedLine>> = BTreeMap::new();
    let mut merchant_order_ids: Vec<String> = Vec::new();
    for (i, item) in request.items.iter().enumerate() {
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
        let amount_krw = listing
            .price_for(item.quantity)
            .ok_or_else(|| DomainError::Internal(format!("pricing listing {}", listing.id)))?;
        let deposit_krw = match listing.container {
            Some(c) if c.policy == ContainerPolicy::Deposit => c.deposit_krw.unwrap_or(0),
            _ => 0,
        };
        if !merchant_order_ids.contains(&listing.merchant_id) {
            merchant_order_ids.push(listing.merchant_id.clone());
        }
        planned
            .entry(listing.merchant_id.clone())
            .or_default()
            .push(PlannedLine {
                listing: listing.clone(),
                quantity: item.quantity,
                amount_krw,
                deposit_krw,
            });
    }
    errors.into_result()?;

    // Stock first: a conditional update per line, so two baskets never share the last units.
    for lines in planned.values() {
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
    }

    if let Fulfillment::Delivery { slot_id, .. } = &request.fulfillment {
        golmok_delivery_routing::network::book(txn, slot_id.trim(), &basket_size(&planned)).await?;
    }

    let all = planned.values().flatten();
    let items_total: i64 = all.clone().map(|l| l.amount_krw).sum();
    let deposits: i64 = all.clone().map(|l| l.deposit_krw).sum();
    let refill_estimate: i64 = all.filter(|l| l.listing.refill).map(|l| l.amount_krw).sum();
    let delivery_fee = match &network {
        Some(n) if items_total < n.free_delivery_over_krw => n.delivery_fee_krw,
        _ => 0,
    };
    let tolerance = percent_ceil(refill_estimate, ctx.rules.refill_tolerance_pct).unwrap_or(0);
    let authorized = items_total + deposits + delivery_fee + tolerance;

    let order_id = new_id("ord");
    let provider = ctx.providers.require(&request.payment.provider)?;
    // Frozen on the order: the consortium's commission, plus the provider's own fee where
    // the platform passes one on (card processing).
    let commission_bps = consortium.commission_bps + provider.platform_fee_bps();
    let payment_key = key.map_or_else(
        || order_id.clone(),
        |k| format!("{}:{}", k.account_id, k.key),
    );
    let payment =
        golmok_payments::authorize(txn, provider, &order_id, authorized, &payment_key).await?;

    let now = Utc::now();
    let (slot_id, address, location) = match &request.fulfillment {
        Fulfillment::Delivery {
            slot_id,
            address,
            location,
        } => (
            Some(slot_id.trim().to_owned()),
            Some(address.trim().to_owned()),
            Some(*location),
        ),
        Fulfillment::Pickup => (None, None, None),
    };
    order::ActiveModel {
        id: Set(order_id.clone()),
        shopper_id: Set(shopper.id.clone()),
        consortium_id: Set(consortium.id.clone()),
        status: Set(OrderStatus::Placed.as_str().into()),
        fulfillment_kind: Set(if network_id.is_some() {
            "delivery"
        } else {
            "pickup"
        }
        .into()),
        slot_id: Set(slot_id),
        network_id: Set(network_id.clone()),
        address: Set(address),
        lat: Set(location.map(|l| l.lat)),
        lon: Set(location.map(|l| l.lon)),
        delivery_fee_krw: Set(delivery_fee),
        delivery_fee_refunded_krw: Set(0),
        commission_bps: Set(commission_bps as i32),
        payment_id: Set(payment.id.clone()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(txn)
    .await?;
    record(
        txn,
        &order_id,
        None,
        "",
        OrderStatus::Placed.as_str(),
        &shopper.id,
        None,
    )
    .await?;

    for merchant_id in &merchant_order_ids {
        let lines = &planned[merchant_id];
        let subtotal: i64 = lines.iter().map(|l| l.amount_krw).sum();
        let mo_id = new_id("mo");
        merchant_order::ActiveModel {
            id: Set(mo_id.clone()),
            order_id: Set(order_id.clone()),
            merchant_id: Set(merchant_id.clone()),
            status: Set(MerchantOrderStatus::Pending.as_str().into()),
            subtotal_krw: Set(subtotal),
            deposits_krw: Set(lines.iter().map(|l| l.deposit_krw).sum()),
            commission_krw: Set(share_of(subtotal, commission_bps).unwrap_or(0)),
            refunded_krw: Set(0),
            commission_refunded_krw: Set(0),
            note: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(txn)
        .await?;
        record(
            txn,
            &order_id,
            Some(&mo_id),
            "",
            MerchantOrderStatus::Pending.as_str(),
            &shopper.id,
            None,
        )
        .await?;
        golmok_events::outbox::record(
            txn,
            &Topic::merchant(merchant_id.as_str()),
            &Payload::NewOrder {
                order_id: order_id.clone(),
                merchant_order_id: mo_id.clone(),
                subtotal_krw: subtotal,
            },
        )
        .await?;
        if let (
            Some(network_id),
            Fulfillment::Delivery {
                slot_id,
                address,
                location,
            },
        ) = (&network_id, &request.fulfillment)
        {
            let shop = golmok_catalog::merchant::get_merchant(txn, merchant_id).await?;
            let (grams, millilitres) = lines.iter().fold((0, 0), |(g, ml), l| {
                let (lg, lml) = l.listing.size_of(l.quantity);
                (g + lg, ml + lml)
            });
            golmok_delivery_routing::task::add_task(
                txn,
                golmok_delivery_routing::task::NewTask {
                    merchant_order_id: mo_id.clone(),
                    order_id: order_id.clone(),
                    network_id: network_id.clone(),
                    slot_id: slot_id.trim().to_owned(),
                    merchant_id: merchant_id.clone(),
                    pickup: shop.location,
                    pickup_address: shop.address.clone(),
                    dropoff: *location,
                    dropoff_address: address.trim().to_owned(),
                    size_grams: grams,
                    size_millilitres: millilitres,
                    contents: crate::contents(lines.iter().map(|l| {
                        (
                            l.listing.title.as_str(),
                            l.listing.unit.as_str(),
                            l.quantity,
                        )
                    })),
                },
            )
            .await?;
        }
        for line in lines {
            let line_id = new_id("oln");
            order_line::ActiveModel {
                id: Set(line_id.clone()),
                merchant_order_id: Set(mo_id.clone()),
                listing_id: Set(line.listing.id.clone()),
                title: Set(line.listing.title.clone()),
                unit: Set(line.listing.unit.as_str().into()),
                unit_quantity: Set(line.listing.unit_quantity),
                price_krw: Set(line.listing.price_krw),
                quantity: Set(line.quantity),
                weighed_quantity: Set(None),
                amount_krw: Set(line.amount_krw),
                refill: Set(line.listing.refill),
                container_policy: Set(line.listing.container.map(|c| match c.policy {
                    ContainerPolicy::Deposit => "deposit".to_owned(),
                    ContainerPolicy::BringYourOwn => "bring_your_own".to_owned(),
                })),
                deposit_krw: Set(line.deposit_krw),
            }
            .insert(txn)
            .await?;
            stock_reservation::ActiveModel {
                line_id: Set(line_id),
                listing_id: Set(line.listing.id.clone()),
                quantity: Set(line.quantity),
                released_at: Set(None),
            }
            .insert(txn)
            .await?;
        }
    }
    view::load(txn, &order_id).await
}

/// Records one transition: who moved what, from where to where, and when.
pub(crate) async fn record(
    txn: &impl ConnectionTrait,
    order_id: &str,
    merchant_order_id: Option<&str>,
    from: &str,
    to: &str,
    actor_id: &str,
    note: Option<&str>,
) -> Result<()> {
    order_event::ActiveModel {
        id: Set(new_id("oev")),
        order_id: Set(order_id.to_owned()),
        merchant_order_id: Set(merchant_order_id.map(str::to_owned)),
        from_status: Set(from.to_owned()),
        to_status: Set(to.to_owned()),
        actor_id: Set(actor_id.to_owned()),
        note: Set(note.map(str::to_owned)),
        at: Set(Utc::now()),
    }
    .insert(txn)
    .await?;
    // Told to the shopper's live view after commit (the outbox relays it).
    golmok_events::outbox::record(
        txn,
        &Topic::order(order_id),
        &Payload::Status {
            order_id: order_id.to_owned(),
            merchant_order_id: merchant_order_id.map(str::to_owned),
            from: from.to_owned(),
            to: to.to_owned(),
            note: note.map(str::to_owned),
        },
    )
    .await?;
    Ok(())
}
