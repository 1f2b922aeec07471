//! Deliveries a plan left out: nothing is dropped in silence.
//!
//! When a slot's plan cannot carry a delivery (a courier withdrawn after the cut-off, goods
//! weighed heavier than estimated), routing tells ordering through the
//! [`golmok_delivery_routing::planner::PlanEvents`] port, and the order's history says so
//! ([`PlanHistory`]); the shop and the shopper hear it as an event. Each left-out delivery
//! then ends one of three ways, each on the order's history:
//! - a coordinator adds a courier and plans the slot again, which carries it after all;
//! - it moves to another slot: the shopper agrees on their order's page, or the network's
//!   policy lets the coordinator move it ([`move_to_slot`]);
//! - it becomes a pick-up at the shop ([`turn_into_pickup`]).

use golmok_accounts::{Account, Role};
use golmok_delivery_routing::planner::{PlanEvents, PlanOutcome};
use sea_orm::prelude::*;

use crate::entities::{merchant_order, order};
use crate::history::record;
use crate::view::{self, status_of};
use crate::{DomainError, Ordering, Result};
use golmok_events::{Payload, Topic};

/// Fills routing's plan port: each delivery left out, or taken back in, goes on the
/// order's history.
pub struct PlanHistory;

/// Who records what the planner decided.
pub const PLANNER_ACTOR: &str = "planner";

#[async_trait::async_trait]
impl PlanEvents for PlanHistory {
    async fn on_delivery(
        &self,
        txn: &sea_orm::DatabaseTransaction,
        merchant_order_id: &str,
        outcome: PlanOutcome<'_>,
    ) -> golmok_delivery_routing::Result<()> {
        if crate::member_trade::is_member_order(merchant_order_id) {
            // A member order keeps no shopper's history; the dispatch board shows it left out.
            return Ok(());
        }
        let noted = async {
            let m = merchant_order::Entity::find_by_id(merchant_order_id)
                .one(txn)
                .await?
                .ok_or_else(|| DomainError::not_found("merchant order", merchant_order_id))?;
            let status = status_of(&m)?;
            let note = match outcome {
                PlanOutcome::LeftOut(reason) => format!("left out of the delivery plan: {reason}"),
                PlanOutcome::CarriedAfterAll => "carried by a new delivery plan".to_owned(),
            };
            record(
                txn,
                &m.order_id,
                Some(merchant_order_id),
                status.as_str(),
                status.as_str(),
                PLANNER_ACTOR,
                Some(&note),
            )
            .await
        };
        noted
            .await
            .map_err(|e| golmok_core::DomainError::Internal(e.to_string()))
    }
}

/// The merchant order and its order, for a use case on a delivery the plan left out.
async fn left_out(
    txn: &impl ConnectionTrait,
    merchant_order_id: &str,
) -> Result<(merchant_order::Model, order::Model)> {
    let m = merchant_order::Entity::find_by_id(merchant_order_id)
        .one(txn)
        .await?
        .ok_or_else(|| DomainError::not_found("merchant order", merchant_order_id))?;
    let o = order::Entity::find_by_id(m.order_id.as_str())
        .one(txn)
        .await?
        .ok_or_else(|| DomainError::Internal(format!("merchant order {} has no order", m.id)))?;
    Ok((m, o))
}

/// Whether `actor` runs the order's consortium (its agency's coordinators, admins).
async fn runs_consortium(ctx: &Ordering<'_>, actor: &Account, consortium_id: &str) -> Result<bool> {
    if actor.role == Role::Admin {
        return Ok(true);
    }
    if actor.role != Role::Coordinator {
        return Ok(false);
    }
    match golmok_catalog::consortium::ensure_can_manage(ctx.db, actor, consortium_id).await {
        Ok(()) => Ok(true),
        Err(golmok_core::DomainError::Forbidden(_)) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Moves an open delivery (left out by a plan, or back at the hub) to another slot of its
/// network. The shopper may (that is their consent); the consortium's coordinators and
/// admins may when the network's policy lets them move deliveries without asking.
pub async fn move_to_slot(
    ctx: Ordering<'_>,
    actor: &Account,
    merchant_order_id: &str,
    slot_id: &str,
) -> Result<view::Order> {
    let (_, o) = left_out(ctx.db, merchant_order_id).await?;
    let by_shopper = o.shopper_id == actor.id;
    if !by_shopper {
        if !runs_consortium(&ctx, actor, &o.consortium_id).await? {
            return Err(DomainError::not_found("merchant order", merchant_order_id));
        }
        let task = golmok_delivery_routing::task::task_of(ctx.db, merchant_order_id).await?;
        let network =
            golmok_delivery_routing::network::get_network(ctx.db, &task.network_id).await?;
        if !network.move_without_consent && actor.role != Role::Admin {
            return Err(DomainError::conflict(
                "shopper_consent_needed",
                "this network moves deliveries to another slot only with the shopper's consent; they can move it from their order's page",
            ));
        }
    }
    let txn = golmok_core::db::begin_write(ctx.db).await?;
    let (m, _) = left_out(&txn, merchant_order_id).await?;
    let from =
        golmok_delivery_routing::task::move_to_slot(&txn, merchant_order_id, slot_id).await?;
    let status = status_of(&m)?;
    let who = if by_shopper {
        "with the shopper's consent"
    } else {
        "by the network's policy"
    };
    record(
        &txn,
        &m.order_id,
        Some(merchant_order_id),
        status.as_str(),
        status.as_str(),
        &actor.id,
        Some(&format!(
            "delivery moved from slot {from} to slot {slot_id}, {who}"
        )),
    )
    .await?;
    golmok_events::outbox::record(
        &txn,
        &Topic::merchant(m.merchant_id.as_str()),
        &Payload::DeliveryMoved {
            order_id: m.order_id.clone(),
            merchant_order_id: m.id.clone(),
            slot_id: slot_id.to_owned(),
        },
    )
    .await?;
    let order = view::load(&txn, &m.order_id).await?;
    txn.commit().await?;
    Ok(order)
}

/// The shop keeps the goods for the shopper to collect instead of a courier delivering
/// them: the delivery leaves its slot, and the shop marks the order collected when the
/// shopper comes. For the shopper, the consortium's coordinators and admins.
pub async fn turn_into_pickup(
    ctx: Ordering<'_>,
    actor: &Account,
    merchant_order_id: &str,
) -> Result<view::Order> {
    let (_, o) = left_out(ctx.db, merchant_order_id).await?;
    if o.shopper_id != actor.id && !runs_consortium(&ctx, actor, &o.consortium_id).await? {
        return Err(DomainError::not_found("merchant order", merchant_order_id));
    }
    let txn = golmok_core::db::begin_write(ctx.db).await?;
    let (m, _) = left_out(&txn, merchant_order_id).await?;
    let status = status_of(&m)?;
    if status.is_final() {
        return Err(DomainError::conflict(
            "illegal_transition",
            format!("the merchant order is {} already", status.as_str()),
        ));
    }
    golmok_delivery_routing::task::turn_into_pickup(&txn, merchant_order_id).await?;
    record(
        &txn,
        &m.order_id,
        Some(merchant_order_id),
        status.as_str(),
        status.as_str(),
        &actor.id,
        Some("turned into a pick-up at the shop"),
    )
    .await?;
    golmok_events::outbox::record(
        &txn,
        &Topic::merchant(m.merchant_id.as_str()),
        &Payload::DeliveryTurnedIntoPickup {
            order_id: m.order_id.clone(),
            merchant_order_id: m.id.clone(),
        },
    )
    .await?;
    let order = view::load(&txn, &m.order_id).await?;
    txn.commit().await?;
    Ok(order)
}
