//! Delivery tasks: each merchant order for delivery is a pickup at its shop and a drop-off at
//! its shopper, with a size in grams and millilitres. Ordering creates and updates them inside
//! its own transactions through these functions.

use chrono::{DateTime, Utc};
use golmok_core::{Coordinates, new_id};
use sea_orm::ActiveValue::Set;
use sea_orm::prelude::*;

use crate::Result;
use crate::entities::delivery_task;

#[derive(Debug, Clone)]
pub struct NewTask {
    pub merchant_order_id: String,
    pub order_id: String,
    pub network_id: String,
    pub slot_id: String,
    pub merchant_id: String,
    pub pickup: Coordinates,
    pub pickup_address: String,
    pub dropoff: Coordinates,
    pub dropoff_address: String,
    pub size_grams: i64,
    pub size_millilitres: i64,
    /// What is picked up, as the courier reads it.
    pub contents: String,
}

pub(crate) const OPEN: &str = "open";
pub(crate) const PLANNED: &str = "planned";
pub(crate) const PICKED_UP: &str = "picked_up";
pub(crate) const DELIVERED: &str = "delivered";
pub(crate) const WITHDRAWN: &str = "withdrawn";

pub async fn add_task(txn: &impl ConnectionTrait, new: NewTask) -> Result<()> {
    delivery_task::ActiveModel {
        id: Set(new_id("tsk")),
        merchant_order_id: Set(new.merchant_order_id),
        order_id: Set(new.order_id),
        network_id: Set(new.network_id),
        slot_id: Set(new.slot_id),
        merchant_id: Set(new.merchant_id),
        pickup_lat: Set(new.pickup.lat),
        pickup_lon: Set(new.pickup.lon),
        pickup_address: Set(new.pickup_address),
        dropoff_lat: Set(new.dropoff.lat),
        dropoff_lon: Set(new.dropoff.lon),
        dropoff_address: Set(new.dropoff_address),
        size_grams: Set(new.size_grams),
        size_millilitres: Set(new.size_millilitres),
        contents: Set(new.contents),
        ready_at: Set(None),
        status: Set(OPEN.into()),
        created_at: Set(Utc::now()),
    }
    .insert(txn)
    .await?;
    Ok(())
}

/// The shop has packed (and weighed) the order: it can be picked up from `ready_at`, at its
/// final size and contents.
pub async fn mark_ready(
    txn: &impl ConnectionTrait,
    merchant_order_id: &str,
    ready_at: DateTime<Utc>,
    size: (i64, i64),
    contents: &str,
) -> Result<()> {
    delivery_task::Entity::update_many()
        .col_expr(delivery_task::Column::Contents, Expr::value(contents))
        .col_expr(delivery_task::Column::ReadyAt, Expr::value(ready_at))
        .col_expr(delivery_task::Column::SizeGrams, Expr::value(size.0))
        .col_expr(delivery_task::Column::SizeMillilitres, Expr::value(size.1))
        .filter(delivery_task::Column::MerchantOrderId.eq(merchant_order_id))
        .exec(txn)
        .await?;
    Ok(())
}

/// The merchant order will not be delivered (rejected, cancelled, expired): its task leaves
/// the plan. Returns the task's slot, if it had one.
pub async fn withdraw(
    txn: &impl ConnectionTrait,
    merchant_order_id: &str,
) -> Result<Option<String>> {
    let task = delivery_task::Entity::find()
        .filter(delivery_task::Column::MerchantOrderId.eq(merchant_order_id))
        .one(txn)
        .await?;
    let Some(task) = task else { return Ok(None) };
    delivery_task::Entity::update_many()
        .col_expr(delivery_task::Column::Status, Expr::value(WITHDRAWN))
        .filter(delivery_task::Column::Id.eq(task.id.as_str()))
        .exec(txn)
        .await?;
    Ok(Some(task.slot_id))
}

/// Moves a task nobody carries (left unassigned, or back after a failed pickup) to another
/// slot of its network, for the next plan of that slot.
pub async fn reschedule(
    db: &sea_orm::DatabaseConnection,
    actor: &golmok_accounts::Account,
    merchant_order_id: &str,
    slot_id: &str,
) -> Result<()> {
    use crate::RoutingError;
    if actor.role != golmok_accounts::Role::Admin {
        return Err(RoutingError::Forbidden(
            "only an admin moves deliveries between slots".into(),
        ));
    }
    let txn = golmok_core::db::begin_write(db).await?;
    let task = delivery_task::Entity::find()
        .filter(delivery_task::Column::MerchantOrderId.eq(merchant_order_id))
        .one(&txn)
        .await?
        .ok_or_else(|| RoutingError::not_found("delivery", merchant_order_id))?;
    if task.status != OPEN {
        return Err(RoutingError::Conflict {
            code: "delivery_not_open",
            detail: format!(
                "the delivery is {}; only an open one moves to another slot",
                task.status
            ),
        });
    }
    let (network, _) = crate::network::book(&txn, slot_id)
        .await
        .map_err(|e| match e {
            RoutingError::NotFound { .. } => {
                golmok_core::ValidationErrors::single("slot_id", "no such slot").into()
            }
            other => other,
        })?;
    if network.id != task.network_id {
        return Err(golmok_core::ValidationErrors::single(
            "slot_id",
            "is a slot of another network",
        )
        .into());
    }
    crate::network::unbook(&txn, &task.slot_id).await?;
    delivery_task::Entity::update_many()
        .col_expr(delivery_task::Column::SlotId, Expr::value(slot_id))
        .filter(delivery_task::Column::Id.eq(task.id.as_str()))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}
