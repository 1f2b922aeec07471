//! Where a courier under way is, and when they will reach each stop still to make.
//!
//! The courier's phone may share its position (the courier consents on the page) while a
//! batch is started. Each report re-times the stops left, in their order, from where the
//! courier is, at the speed of the courier's vehicle with the plan's service times, and
//! tells the shoppers whose drop-off moved (their tracking page redraws) and the network's
//! dispatch board. Nothing is kept once the batch is done.

use chrono::{DateTime, Utc};
use golmok_accounts::Account;
use golmok_core::Coordinates;
use golmok_core::db::begin_write;
use golmok_events::{Payload, Topic};
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, QueryOrder};

use crate::courier::courier_of_account;
use crate::entities::{delivery_task, route_batch, stop};
use crate::planner::{Batch, DROPOFF_SERVICE_MIN, GreatCircle, PICKUP_SERVICE_MIN};
use crate::status::{BatchStatus, StopKind, StopStatus};
use crate::{DomainError, Result};

/// A stop's new time moves the shopper's page only when it moved this much.
const RETELL_AFTER_MIN: i64 = 2;

/// The calling courier reports where they are on a started batch of theirs: the stops left
/// are re-timed from there. Returns the batch as its courier sees it.
pub async fn report(
    db: &DatabaseConnection,
    actor: &Account,
    batch_id: &str,
    at: Coordinates,
) -> Result<Batch> {
    let mut errors = golmok_core::ValidationErrors::new();
    at.validate("location", &mut errors);
    errors.into_result()?;
    let now = Utc::now();
    let txn = begin_write(db).await?;
    let b = route_batch::Entity::find_by_id(batch_id)
        .one(&txn)
        .await?
        .ok_or_else(|| DomainError::not_found("batch", batch_id))?;
    let courier = courier_of_account(&txn, &actor.id)
        .await?
        .filter(|c| c.id == b.courier_id)
        .ok_or_else(|| DomainError::not_found("batch", batch_id))?;
    if b.status != BatchStatus::Started {
        return Err(DomainError::conflict(
            "batch_not_started",
            format!(
                "positions are shared only while a batch is under way; it is {}",
                b.status
            ),
        ));
    }
    let mut active: route_batch::ActiveModel = b.clone().into();
    active.courier_lat = Set(Some(at.lat));
    active.courier_lon = Set(Some(at.lon));
    active.position_at = Set(Some(now));
    let b = active.update(&txn).await?;
    let left = retime(&txn, &b, at, now, courier.vehicle).await?;
    announce_progress(&txn, &b, left).await?;
    txn.commit().await?;
    crate::batch::my_batch(db, actor, batch_id).await
}

/// Batch `b` just passed to `courier`: its stops left are re-timed for them, who first ride
/// from where they are (their position on another batch under way, else the network's hub)
/// to where the courier before was last seen, to take what is on board, then on along the
/// route. Without a last position the route is timed from where the new courier is. The
/// shoppers whose drop-off moved are told. Returns how many stops are left.
pub(crate) async fn retime_for_new_courier(
    txn: &impl ConnectionTrait,
    b: &route_batch::Model,
    courier: &crate::courier::Courier,
    now: DateTime<Utc>,
) -> Result<usize> {
    let riding = route_batch::Entity::find()
        .filter(route_batch::Column::CourierId.eq(courier.id.as_str()))
        .filter(route_batch::Column::Status.eq(BatchStatus::Started))
        .filter(route_batch::Column::Id.ne(b.id.as_str()))
        .order_by_desc(route_batch::Column::PositionAt)
        .all(txn)
        .await?
        .into_iter()
        .find_map(|other| {
            Some(Coordinates {
                lat: other.courier_lat?,
                lon: other.courier_lon?,
            })
        });
    let start = match riding {
        Some(at) => at,
        None => crate::network::get_network(txn, &b.network_id).await?.hub,
    };
    let goods = b
        .courier_lat
        .zip(b.courier_lon)
        .map(|(lat, lon)| Coordinates { lat, lon });
    let (from, at) = match goods {
        Some(goods) => (
            goods,
            now + ride(start, goods, courier.vehicle) + minutes(PICKUP_SERVICE_MIN),
        ),
        None => (start, now),
    };
    retime(txn, b, from, at, courier.vehicle).await
}

/// How long `vehicle` rides from `a` to `b`, by the planner's detour over the straight line.
fn ride(a: Coordinates, b: Coordinates, vehicle: crate::courier::VehicleKind) -> chrono::Duration {
    let detour = GreatCircle::default().detour;
    minutes(a.distance_m(&b) * detour / vehicle.speed_m_per_min())
}

fn minutes(m: f64) -> chrono::Duration {
    chrono::Duration::seconds((m * 60.0).round() as i64)
}

/// The pending stops of the batch, in order, timed from `from` at `now`: each is reached
/// after the ride from the last and the service at it. Returns how many are left.
async fn retime(
    txn: &impl ConnectionTrait,
    b: &route_batch::Model,
    from: Coordinates,
    now: DateTime<Utc>,
    vehicle: crate::courier::VehicleKind,
) -> Result<usize> {
    let pending = stop::Entity::find()
        .filter(stop::Column::BatchId.eq(b.id.as_str()))
        .filter(stop::Column::Status.eq(StopStatus::Pending))
        .order_by_asc(stop::Column::Position)
        .all(txn)
        .await?;
    let (mut here, mut clock) = (from, now);
    for s in &pending {
        let there = Coordinates {
            lat: s.lat,
            lon: s.lon,
        };
        let eta = clock + ride(here, there, vehicle);
        let service = if s.kind == StopKind::Pickup {
            PICKUP_SERVICE_MIN
        } else {
            DROPOFF_SERVICE_MIN
        };
        if s.kind == StopKind::Dropoff && (eta - s.eta).num_minutes().abs() >= RETELL_AFTER_MIN {
            tell_shopper(txn, s, eta).await?;
        }
        let mut active: stop::ActiveModel = s.clone().into();
        active.eta = Set(eta);
        active.update(txn).await?;
        clock = eta + minutes(service);
        here = there;
    }
    Ok(pending.len())
}

async fn tell_shopper(
    txn: &impl ConnectionTrait,
    s: &stop::Model,
    eta: DateTime<Utc>,
) -> Result<()> {
    let Some(task) = delivery_task::Entity::find_by_id(s.task_id.as_str())
        .one(txn)
        .await?
    else {
        return Ok(());
    };
    golmok_events::outbox::record(
        txn,
        &Topic::order(task.order_id.as_str()),
        &Payload::Eta {
            order_id: task.order_id.clone(),
            merchant_order_id: task.merchant_order_id.clone(),
            eta,
        },
    )
    .await?;
    Ok(())
}

/// Tells the network's dispatch board how a batch under way stands.
pub(crate) async fn announce_progress(
    txn: &impl ConnectionTrait,
    b: &route_batch::Model,
    stops_left: usize,
) -> Result<()> {
    let shared = stops_left > 0;
    golmok_events::outbox::record(
        txn,
        &Topic::network(b.network_id.as_str()),
        &Payload::CourierProgress {
            batch_id: b.id.clone(),
            lat: b.courier_lat.filter(|_| shared),
            lon: b.courier_lon.filter(|_| shared),
            stops_left,
            at: Utc::now(),
        },
    )
    .await?;
    Ok(())
}
