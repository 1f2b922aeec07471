//! Delivery tasks: each merchant order for delivery is a pickup at its shop and a drop-off at
//! its shopper, with a size in grams and millilitres. Ordering creates and updates them inside
//! its own transactions through these functions.

use chrono::{DateTime, Utc};
use golmok_core::{Coordinates, new_id};
use sea_orm::ActiveValue::Set;
use sea_orm::prelude::*;

use crate::Result;
use crate::entities::delivery_task;
use crate::status::TaskStatus;

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
    /// The shop's phone, for the courier at the pick-up.
    pub pickup_phone: Option<String>,
    /// The shopper's phone and notes for the door, for the courier at the drop-off.
    pub dropoff_phone: Option<String>,
    pub dropoff_notes: Option<String>,
}

pub async fn add_task(txn: &impl ConnectionTrait, new: NewTask) -> Result<()> {
    // One code at the door for the whole basket, however many shops it came from.
    let door_code = match delivery_task::Entity::find()
        .filter(delivery_task::Column::OrderId.eq(new.order_id.as_str()))
        .one(txn)
        .await?
        .and_then(|t| t.dropoff_code)
    {
        Some(code) => code,
        None => handover_code(),
    };
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
        status: Set(TaskStatus::Open),
        created_at: Set(Utc::now()),
        unassigned_reason: Set(None),
        pickup_code: Set(Some(handover_code())),
        dropoff_code: Set(Some(door_code)),
        bound_courier_id: Set(None),
        pickup_phone: Set(new.pickup_phone),
        dropoff_phone: Set(new.dropoff_phone),
        dropoff_notes: Set(new.dropoff_notes),
    }
    .insert(txn)
    .await?;
    Ok(())
}

/// Four random digits: short enough to read out at a door, and a wrong guess costs an
/// attempt (the API limits them).
fn handover_code() -> String {
    let n = u32::from_le_bytes(
        uuid::Uuid::new_v4().as_bytes()[..4]
            .try_into()
            .unwrap_or([0; 4]),
    );
    format!("{:04}", n % 10_000)
}

/// The hand-over codes of these merchant orders' deliveries: (merchant order, pick-up code,
/// drop-off code). Ordering shows the drop-off code to the shopper only and the pick-up code
/// to the shop only.
pub async fn handover_codes(
    db: &impl ConnectionTrait,
    merchant_order_ids: &[String],
) -> Result<Vec<(String, Option<String>, Option<String>)>> {
    Ok(delivery_task::Entity::find()
        .filter(delivery_task::Column::MerchantOrderId.is_in(merchant_order_ids.iter().cloned()))
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.merchant_order_id, t.pickup_code, t.dropoff_code))
        .collect())
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
    if task.status == TaskStatus::Withdrawn {
        return Ok(Some(task.slot_id));
    }
    delivery_task::Entity::update_many()
        .col_expr(
            delivery_task::Column::Status,
            Expr::value(TaskStatus::Withdrawn),
        )
        .col_expr(
            delivery_task::Column::UnassignedReason,
            Expr::value(Option::<String>::None),
        )
        .filter(delivery_task::Column::Id.eq(task.id.as_str()))
        .exec(txn)
        .await?;
    // Its room in the slot is free for another basket.
    crate::network::release(txn, &task.slot_id, &load_of(&task)).await?;
    Ok(Some(task.slot_id))
}

/// An open delivery becomes a pick-up at the shop, inside the caller's transaction: it
/// leaves its slot (and frees its room there).
pub async fn turn_into_pickup(txn: &impl ConnectionTrait, merchant_order_id: &str) -> Result<()> {
    let task = task_of(txn, merchant_order_id).await?;
    if task.status != TaskStatus::Open {
        return Err(crate::DomainError::conflict(
            "delivery_not_open",
            format!(
                "the delivery is {}; only one no courier carries becomes a pick-up",
                task.status
            ),
        ));
    }
    delivery_task::Entity::update_many()
        .col_expr(
            delivery_task::Column::Status,
            Expr::value(TaskStatus::Pickup),
        )
        .col_expr(
            delivery_task::Column::UnassignedReason,
            Expr::value(Option::<String>::None),
        )
        .filter(delivery_task::Column::Id.eq(task.id.as_str()))
        .exec(txn)
        .await?;
    crate::network::release(txn, &task.slot_id, &load_of(&task)).await
}

/// Which of these merchant orders were turned into pick-ups.
pub async fn pickups_among(
    db: &impl ConnectionTrait,
    merchant_order_ids: &[String],
) -> Result<Vec<String>> {
    Ok(delivery_task::Entity::find()
        .filter(delivery_task::Column::MerchantOrderId.is_in(merchant_order_ids.iter().cloned()))
        .filter(delivery_task::Column::Status.eq(TaskStatus::Pickup))
        .all(db)
        .await?
        .into_iter()
        .map(|t| t.merchant_order_id)
        .collect())
}

/// Whether a merchant order of a delivery order was turned into a pick-up.
pub async fn is_pickup(txn: &impl ConnectionTrait, merchant_order_id: &str) -> Result<bool> {
    Ok(delivery_task::Entity::find()
        .filter(delivery_task::Column::MerchantOrderId.eq(merchant_order_id))
        .filter(delivery_task::Column::Status.eq(TaskStatus::Pickup))
        .one(txn)
        .await?
        .is_some())
}

/// A dispatcher gives a delivery of a slot to one of its network's couriers: every later plan
/// of the slot keeps it on that courier's route. Only while no courier has set out with it:
/// plans keep a batch under way as it is, so a delivery bound out of one would stay put.
pub async fn bind_to_courier(
    db: &sea_orm::DatabaseConnection,
    merchant_order_id: &str,
    courier_id: &str,
) -> Result<delivery_task::Model> {
    let txn = golmok_core::db::begin_write(db).await?;
    let task = task_of(&txn, merchant_order_id).await?;
    if task.status != TaskStatus::Open && task.status != TaskStatus::Planned {
        return Err(crate::DomainError::conflict(
            "delivery_under_way",
            format!(
                "the delivery is {}; only one not yet picked up moves",
                task.status
            ),
        ));
    }
    if rides_under_way(&txn, &task.id).await? {
        return Err(crate::DomainError::conflict(
            "batch_under_way",
            "the delivery rides in a batch under way, which plans keep as it is; hand the batch \
             over to move it",
        ));
    }
    crate::courier::may_be_given(&txn, courier_id, &task.network_id).await?;
    delivery_task::Entity::update_many()
        .col_expr(
            delivery_task::Column::BoundCourierId,
            Expr::value(courier_id),
        )
        .filter(delivery_task::Column::Id.eq(task.id.as_str()))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(task)
}

/// Whether a task's stops ride in a batch its courier has set out on.
async fn rides_under_way(txn: &impl ConnectionTrait, task_id: &str) -> Result<bool> {
    use crate::entities::{route_batch, stop};
    use sea_orm::QuerySelect;
    let batches: Vec<String> = stop::Entity::find()
        .select_only()
        .column(stop::Column::BatchId)
        .filter(stop::Column::TaskId.eq(task_id))
        .into_tuple()
        .all(txn)
        .await?;
    Ok(route_batch::Entity::find()
        .filter(route_batch::Column::Id.is_in(batches))
        .filter(route_batch::Column::Status.eq(crate::status::BatchStatus::Started))
        .one(txn)
        .await?
        .is_some())
}

/// The room a task takes in its slot.
pub fn load_of(task: &delivery_task::Model) -> crate::capacity::Load {
    crate::capacity::Load {
        tasks: 1,
        grams: task.size_grams,
        millilitres: task.size_millilitres,
    }
}

/// A delivery the latest plan of its slot left out, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftOut {
    pub merchant_order_id: String,
    pub order_id: String,
    pub merchant_id: String,
    pub slot_id: String,
    pub reason: String,
}

/// Which of these merchant orders' deliveries the latest plan left out.
pub async fn left_out(
    db: &impl ConnectionTrait,
    merchant_order_ids: &[String],
) -> Result<Vec<LeftOut>> {
    Ok(delivery_task::Entity::find()
        .filter(delivery_task::Column::MerchantOrderId.is_in(merchant_order_ids.iter().cloned()))
        .filter(delivery_task::Column::Status.eq(TaskStatus::Open))
        .filter(delivery_task::Column::UnassignedReason.is_not_null())
        .all(db)
        .await?
        .into_iter()
        .map(|t| LeftOut {
            reason: t.unassigned_reason.clone().unwrap_or_default(),
            merchant_order_id: t.merchant_order_id,
            order_id: t.order_id,
            merchant_id: t.merchant_id,
            slot_id: t.slot_id,
        })
        .collect())
}

/// Every delivery of a network's slot that its latest plan left out: what a coordinator
/// resolves.
pub async fn left_out_in_slot(db: &impl ConnectionTrait, slot_id: &str) -> Result<Vec<LeftOut>> {
    let ids: Vec<String> = delivery_task::Entity::find()
        .filter(delivery_task::Column::SlotId.eq(slot_id))
        .filter(delivery_task::Column::UnassignedReason.is_not_null())
        .all(db)
        .await?
        .into_iter()
        .map(|t| t.merchant_order_id)
        .collect();
    left_out(db, &ids).await
}

/// The delivery of a merchant order, for the use cases that move or withdraw it.
pub async fn task_of(
    db: &impl ConnectionTrait,
    merchant_order_id: &str,
) -> Result<delivery_task::Model> {
    delivery_task::Entity::find()
        .filter(delivery_task::Column::MerchantOrderId.eq(merchant_order_id))
        .one(db)
        .await?
        .ok_or_else(|| crate::DomainError::not_found("delivery", merchant_order_id))
}

/// Moves an open delivery (left out by a plan, or back at the hub after a failed drop-off)
/// to another slot of its network inside the caller's transaction, booking its room there
/// and freeing it in the old slot. Returns the old slot.
pub async fn move_to_slot(
    txn: &impl ConnectionTrait,
    merchant_order_id: &str,
    slot_id: &str,
) -> Result<String> {
    use crate::DomainError;
    let task = task_of(txn, merchant_order_id).await?;
    if task.status != TaskStatus::Open {
        return Err(DomainError::conflict(
            "delivery_not_open",
            format!(
                "the delivery is {}; only an open one moves to another slot",
                task.status
            ),
        ));
    }
    if task.slot_id == slot_id {
        return Err(
            golmok_core::ValidationErrors::single("slot_id", "is the slot it is in").into(),
        );
    }
    let load = load_of(&task);
    let (network, _) = crate::network::book(txn, slot_id, &load)
        .await
        .map_err(|e| e.not_found_is_invalid("slot_id", "no such slot"))?;
    if network.id != task.network_id {
        return Err(golmok_core::ValidationErrors::single(
            "slot_id",
            "is a slot of another network",
        )
        .into());
    }
    crate::network::release(txn, &task.slot_id, &load).await?;
    delivery_task::Entity::update_many()
        .col_expr(delivery_task::Column::SlotId, Expr::value(slot_id))
        .col_expr(
            delivery_task::Column::UnassignedReason,
            Expr::value(Option::<String>::None),
        )
        .filter(delivery_task::Column::Id.eq(task.id.as_str()))
        .exec(txn)
        .await?;
    Ok(task.slot_id)
}
