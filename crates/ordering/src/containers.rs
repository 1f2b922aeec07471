//! Deposit containers coming back. A shopper who bought a refill in a deposit container
//! returns the container — at the shop's counter, or to a courier of the consortium's network
//! on a later delivery — and gets the deposit back: the shop's owner (or that courier)
//! records the return against the order line, and the deposit is refunded through the
//! payment provider and the ledger. A line's container comes back at most once. A courier's
//! batch lists, at each door, the containers its shopper may hand back there.

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use golmok_accounts::{Account, Role};
use golmok_delivery_routing::planner::{Batch, ContainerToCollect};
use golmok_delivery_routing::{StopKind, StopStatus};
use golmok_payments::Share;
use sea_orm::ActiveValue::Set;
use sea_orm::prelude::*;
use serde::{Deserialize, Serialize};

use crate::entities::{container_return, merchant_order, order, order_line};
use crate::state::MerchantOrderStatus;
use crate::view::status_of;
use crate::{DomainError, Ordering, Result, merchant_party};

golmok_core::stored_enum! {
    /// Who took the container back.
    pub enum ReceivedBy {
        Shop = "shop",
        Courier = "courier",
    }
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContainerReturnRequest {
    pub received_by: ReceivedBy,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ContainerReturn {
    pub line_id: String,
    pub merchant_order_id: String,
    pub order_id: String,
    pub deposit_krw: i64,
    pub received_by: ReceivedBy,
    /// The refund of the deposit.
    pub refund_id: String,
    pub created_at: chrono::DateTime<Utc>,
}

fn from_model(m: container_return::Model) -> Result<ContainerReturn> {
    Ok(ContainerReturn {
        received_by: ReceivedBy::parse(&m.received_by)
            .ok_or_else(|| DomainError::internal(format!("container return {}", m.line_id)))?,
        line_id: m.line_id,
        merchant_order_id: m.merchant_order_id,
        order_id: m.order_id,
        deposit_krw: m.deposit_krw,
        refund_id: m.refund_id,
        created_at: m.created_at,
    })
}

/// Whether `actor` may take this shop's container back: the shop's owner, an admin, or a
/// courier riding for the consortium's network.
async fn may_receive(
    db: &impl ConnectionTrait,
    actor: &Account,
    m: &merchant_order::Model,
    o: &order::Model,
    received_by: ReceivedBy,
) -> Result<bool> {
    Ok(match (actor.role, received_by) {
        (Role::Admin, _) => true,
        (Role::Merchant, ReceivedBy::Shop) => {
            crate::view::owns_any(db, actor, &[m.merchant_id.as_str()]).await?
        }
        (Role::Courier, ReceivedBy::Courier) => {
            let network = match &o.network_id {
                Some(n) => Some(n.clone()),
                None => {
                    golmok_catalog::consortium::consortium_in(db, &o.consortium_id)
                        .await?
                        .network_id
                }
            };
            let courier = golmok_delivery_routing::courier::courier_of_account(db, &actor.id).await;
            matches!((network, courier), (Some(n), Ok(Some(c))) if c.network_id == n)
        }
        _ => false,
    })
}

/// Records that the deposit container of `line_id` came back, and refunds its deposit.
pub async fn return_container(
    ctx: Ordering<'_>,
    actor: &Account,
    merchant_order_id: &str,
    line_id: &str,
    request: ContainerReturnRequest,
) -> Result<ContainerReturn> {
    let txn = golmok_core::db::begin_write(ctx.db).await?;
    let m = merchant_order::Entity::find_by_id(merchant_order_id)
        .one(&txn)
        .await?
        .ok_or_else(|| DomainError::not_found("merchant order", merchant_order_id))?;
    let o = order::Entity::find_by_id(m.order_id.as_str())
        .one(&txn)
        .await?
        .ok_or_else(|| DomainError::not_found("order", &m.order_id))?;
    if !may_receive(&txn, actor, &m, &o, request.received_by).await? {
        return Err(match actor.role {
            Role::Merchant => DomainError::not_found("merchant order", merchant_order_id),
            _ => DomainError::forbidden(
                "the shop, or a courier of the consortium's network, takes containers back",
            ),
        });
    }
    let line = order_line::Entity::find_by_id(line_id)
        .one(&txn)
        .await?
        .filter(|l| l.merchant_order_id == m.id)
        .ok_or_else(|| DomainError::not_found("order line", line_id))?;
    if line.deposit_krw <= 0 {
        return Err(DomainError::conflict(
            "no_deposit",
            format!("{} was not sold in a deposit container", line.title),
        ));
    }
    if !status_of(&m)?.is_sold() {
        return Err(DomainError::conflict(
            "not_sold",
            "the deposit is refunded once the order is paid for; this part is not",
        ));
    }
    let payment = golmok_payments::get_payment(&txn, &o.payment_id).await?;
    let provider = ctx.providers.require(&payment.provider)?;
    let now = Utc::now();
    // The row first: a second return of the same container fails here, before any refund.
    let claimed = container_return::ActiveModel {
        line_id: Set(line.id.clone()),
        merchant_order_id: Set(m.id.clone()),
        order_id: Set(o.id.clone()),
        merchant_id: Set(m.merchant_id.clone()),
        deposit_krw: Set(line.deposit_krw),
        received_by: Set(request.received_by.as_str().to_owned()),
        recorded_by: Set(actor.id.clone()),
        refund_id: Set(String::new()),
        created_at: Set(now),
    }
    .insert(&txn)
    .await;
    if let Err(e) = claimed {
        return Err(golmok_core::error::unless_unique(e, || {
            DomainError::conflict(
                "container_already_returned",
                format!("the container of {} was returned already", line.title),
            )
        }));
    }
    let share = Share {
        party: merchant_party(&m.merchant_id),
        part_reference: Some(m.id.clone()),
        gross_krw: line.deposit_krw,
        // Deposits carry no commission: none was taken on them.
        commission_krw: 0,
    };
    let refunds = golmok_payments::refund(
        &txn,
        provider,
        &payment.id,
        std::slice::from_ref(&share),
        "deposit container returned",
    )
    .await?;
    let refund_id = refunds
        .first()
        .map(|r| r.id.clone())
        .ok_or_else(|| DomainError::internal("a deposit refund wrote no refund"))?;
    let mut part: merchant_order::ActiveModel = m.clone().into();
    part.refunded_krw = Set(m.refunded_krw + line.deposit_krw);
    part.updated_at = Set(now);
    part.update(&txn).await?;
    let mut row: container_return::ActiveModel =
        container_return::Entity::find_by_id(line.id.as_str())
            .one(&txn)
            .await?
            .ok_or_else(|| DomainError::internal("the container return just written"))?
            .into();
    row.refund_id = Set(refund_id);
    let row = row.update(&txn).await?;
    crate::history::record(
        &txn,
        &o.id,
        Some(&m.id),
        &m.status,
        &m.status,
        &actor.id,
        Some(&format!("deposit container of {} returned", line.title)),
    )
    .await?;
    txn.commit().await?;
    crate::payment_calls::make(&ctx, &o.payment_id).await?;
    from_model(row)
}

/// The containers returned for an order, per line.
pub async fn returns_of(db: &impl ConnectionTrait, order_id: &str) -> Result<Vec<ContainerReturn>> {
    container_return::Entity::find()
        .filter(container_return::Column::OrderId.eq(order_id))
        .all(db)
        .await?
        .into_iter()
        .map(from_model)
        .collect()
}

/// A line sold in a deposit container, as the shop's counter sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DepositLine {
    pub merchant_order_id: String,
    pub line_id: String,
    pub title: String,
    pub deposit_krw: i64,
    pub returned: bool,
}

/// The deposit lines of a shop's sold parts whose order or part id is `reference` or ends
/// with it (the short number on the shop's cards and the shopper's order page), newest
/// first: what the counter looks up when a shopper brings bottles back.
pub async fn deposit_lines(
    db: &impl ConnectionTrait,
    actor: &Account,
    merchant_id: &str,
    reference: &str,
) -> Result<Vec<DepositLine>> {
    if actor.role != Role::Admin && !crate::view::owns_any(db, actor, &[merchant_id]).await? {
        return Err(DomainError::not_found("merchant", merchant_id));
    }
    let reference = reference.trim();
    if reference.chars().count() < 4 {
        return Ok(Vec::new());
    }
    let parts = merchant_order::Entity::find()
        .filter(merchant_order::Column::MerchantId.eq(merchant_id))
        .filter(
            sea_orm::Condition::any()
                .add(merchant_order::Column::Id.ends_with(reference))
                .add(merchant_order::Column::OrderId.ends_with(reference)),
        )
        .all(db)
        .await?;
    let mut lines = Vec::new();
    for m in parts
        .iter()
        .rev()
        .filter(|m| status_of(m).is_ok_and(|s| s.is_sold()))
    {
        for l in order_line::Entity::find()
            .filter(order_line::Column::MerchantOrderId.eq(m.id.as_str()))
            .filter(order_line::Column::DepositKrw.gt(0))
            .all(db)
            .await?
        {
            let returned = container_return::Entity::find_by_id(l.id.as_str())
                .one(db)
                .await?
                .is_some();
            lines.push(DepositLine {
                merchant_order_id: m.id.clone(),
                line_id: l.id,
                title: l.title,
                deposit_krw: l.deposit_krw,
                returned,
            });
        }
    }
    Ok(lines)
}

/// The calling courier's batches, as [`golmok_delivery_routing::batch::my_batches`] gives
/// them, with the deposit containers to take back at each door.
pub async fn courier_batches(
    db: &DatabaseConnection,
    actor: &Account,
    query: &golmok_delivery_routing::batch::BatchQuery,
) -> Result<golmok_core::Page<Batch>> {
    let mut page = golmok_delivery_routing::batch::my_batches(db, actor, query).await?;
    for batch in page.items.iter_mut() {
        add_containers_to_collect(db, batch).await?;
    }
    Ok(page)
}

/// One of the calling courier's batches, with the containers to take back at each door.
pub async fn courier_batch(db: &DatabaseConnection, actor: &Account, id: &str) -> Result<Batch> {
    let mut batch = golmok_delivery_routing::batch::my_batch(db, actor, id).await?;
    add_containers_to_collect(db, &mut batch).await?;
    Ok(batch)
}

/// Fills in, on the first pending drop-off of each basket, the deposit containers its
/// shopper still holds from earlier orders delivered or collected in the same network: the
/// courier of that network may take them back (see [`may_receive`]). Containers of the
/// orders this batch is carrying are not asked for: the shopper has not had them yet.
async fn add_containers_to_collect(db: &DatabaseConnection, batch: &mut Batch) -> Result<()> {
    let carried: HashSet<String> = batch
        .stops
        .iter()
        .map(|s| s.merchant_order_id.clone())
        .collect();
    let mut doors_seen = HashSet::new();
    let mut networks: HashMap<String, Option<String>> = HashMap::new();
    for stop in batch.stops.iter_mut() {
        if stop.kind != StopKind::Dropoff || stop.status != StopStatus::Pending {
            continue;
        }
        let Some(part) = merchant_order::Entity::find_by_id(stop.merchant_order_id.as_str())
            .one(db)
            .await?
        else {
            continue;
        };
        if !doors_seen.insert(part.order_id.clone()) {
            continue;
        }
        let Some(order) = order::Entity::find_by_id(part.order_id.as_str())
            .one(db)
            .await?
        else {
            continue;
        };
        let Some(network) = network_of(db, &order, &mut networks).await? else {
            continue;
        };
        let earlier = order::Entity::find()
            .filter(order::Column::ShopperId.eq(order.shopper_id.as_str()))
            .filter(order::Column::Id.ne(order.id.as_str()))
            .all(db)
            .await?;
        for o in earlier {
            if network_of(db, &o, &mut networks).await?.as_deref() != Some(network.as_str()) {
                continue;
            }
            stop.collect
                .extend(outstanding_containers(db, &o, &carried).await?);
        }
    }
    Ok(())
}

/// The network whose couriers serve an order: its own, or (a pick-up) its consortium's.
async fn network_of(
    db: &DatabaseConnection,
    o: &order::Model,
    known: &mut HashMap<String, Option<String>>,
) -> Result<Option<String>> {
    if let Some(n) = &o.network_id {
        return Ok(Some(n.clone()));
    }
    if let Some(n) = known.get(&o.consortium_id) {
        return Ok(n.clone());
    }
    let n = golmok_catalog::consortium::consortium_in(db, &o.consortium_id)
        .await?
        .network_id;
    known.insert(o.consortium_id.clone(), n.clone());
    Ok(n)
}

/// An order's deposit lines that reached the shopper and have not come back.
async fn outstanding_containers(
    db: &DatabaseConnection,
    o: &order::Model,
    carried: &HashSet<String>,
) -> Result<Vec<ContainerToCollect>> {
    let mut out = Vec::new();
    let parts = merchant_order::Entity::find()
        .filter(merchant_order::Column::OrderId.eq(o.id.as_str()))
        .all(db)
        .await?;
    for m in parts.iter().filter(|m| {
        !carried.contains(&m.id) && status_of(m).is_ok_and(|s| s == MerchantOrderStatus::Delivered)
    }) {
        let lines = order_line::Entity::find()
            .filter(order_line::Column::MerchantOrderId.eq(m.id.as_str()))
            .filter(order_line::Column::DepositKrw.gt(0))
            .all(db)
            .await?;
        if lines.is_empty() {
            continue;
        }
        let returned: HashSet<String> = container_return::Entity::find()
            .filter(container_return::Column::MerchantOrderId.eq(m.id.as_str()))
            .all(db)
            .await?
            .into_iter()
            .map(|r| r.line_id)
            .collect();
        let shop = golmok_catalog::merchant::get_merchant(db, &m.merchant_id)
            .await
            .map(|shop| shop.name)
            .unwrap_or_else(|_| m.merchant_id.clone());
        out.extend(
            lines
                .into_iter()
                .filter(|l| !returned.contains(&l.id))
                .map(|l| ContainerToCollect {
                    merchant_order_id: m.id.clone(),
                    line_id: l.id,
                    title: l.title,
                    shop: shop.clone(),
                    deposit_krw: l.deposit_krw,
                }),
        );
    }
    Ok(out)
}
