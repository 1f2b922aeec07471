//! What couriers see and do: their batches, and completing or failing each stop. A stop's
//! outcome is handed to a [`StopEvents`] sink in the same transaction; ordering fills it in
//! (through the API), so this crate never imports ordering.

use chrono::Utc;
use golmok_accounts::{Account, Role};
use golmok_core::{ValidationErrors, db::begin_write};
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, DatabaseTransaction, QueryOrder, QuerySelect};
use serde::Deserialize;

use crate::courier::courier_of_account;
use crate::entities::{batch_handover, delivery_task, route_batch, stop};
use crate::planner::{Batch, PlannedStop, batch_view};
use crate::status::{BatchStatus, StopKind, StopStatus, TaskStatus};
use crate::{DomainError, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopOutcome {
    PickedUp,
    Delivered,
    /// Not handed over; the goods went back to the hub for another try.
    DeliveryFailed,
}

/// Told of every completed or failed stop, inside the stop's transaction.
#[async_trait::async_trait]
pub trait StopEvents: Send + Sync {
    async fn on_stop(
        &self,
        txn: &DatabaseTransaction,
        merchant_order_id: &str,
        outcome: StopOutcome,
        actor: &Account,
        at: chrono::DateTime<Utc>,
    ) -> Result<()>;
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Proof {
    /// `code` (the stop's hand-over code: the shop gives the pick-up's, the shopper the
    /// drop-off's), `photo` (where the network allows one in place of the code) or
    /// `signature`.
    pub kind: String,
    /// The code; for a photo or a signature, the id of the file taken at this stop
    /// (`POST /v1/stops/{id}/proof-files`).
    pub value: String,
    /// What the courier adds ("left at the door, behind the plant").
    #[serde(default)]
    pub note: Option<String>,
    /// With a code: a photo taken at this stop as well (its file's id), kept beside it.
    #[serde(default)]
    pub photo: Option<String>,
}

/// Which of the calling courier's batches to list.
#[derive(Debug, Clone, Default)]
pub struct BatchQuery {
    pub status: Option<BatchStatus>,
    /// Only batches of slots on this Seoul date.
    pub date: Option<chrono::NaiveDate>,
    pub limit: u64,
    pub cursor: Option<String>,
}

/// The calling courier's batches, newest first, paged. Once a batch is done, its drop-offs'
/// addresses are no longer the courier's to see.
pub async fn my_batches(
    db: &DatabaseConnection,
    actor: &Account,
    query: &BatchQuery,
) -> Result<golmok_core::Page<Batch>> {
    let Some(courier) = courier_of_account(db, &actor.id).await? else {
        return Err(DomainError::Forbidden(
            "this account does not ride for a network".into(),
        ));
    };
    let mut select = route_batch::Entity::find()
        .filter(route_batch::Column::CourierId.eq(courier.id.as_str()))
        .order_by_desc(route_batch::Column::Id);
    if let Some(status) = query.status {
        select = select.filter(route_batch::Column::Status.eq(status.as_str()));
    }
    if let Some(date) = query.date {
        select = select.filter(route_batch::Column::SlotId.ends_with(format!("@{date}")));
    }
    if let Some(cursor) = &query.cursor {
        let before: String = golmok_core::page::decode_cursor(cursor)?;
        select = select.filter(route_batch::Column::Id.lt(before));
    }
    let mut rows = select.limit(query.limit + 1).all(db).await?;
    let next_cursor = golmok_core::page::cut(&mut rows, query.limit, |b| b.id.clone());
    let mut items = Vec::with_capacity(rows.len());
    for b in rows {
        items.push(couriers_view(db, b).await?);
    }
    Ok(golmok_core::Page { items, next_cursor })
}

/// One of the calling courier's batches; another courier's is not found.
pub async fn my_batch(db: &DatabaseConnection, actor: &Account, batch_id: &str) -> Result<Batch> {
    let courier = courier_of_account(db, &actor.id).await?;
    let b = route_batch::Entity::find_by_id(batch_id)
        .one(db)
        .await?
        .filter(|b| courier.is_some_and(|c| c.id == b.courier_id))
        .ok_or_else(|| DomainError::not_found("batch", batch_id))?;
    couriers_view(db, b).await
}

/// A batch as its courier sees it: while it is under way, whom to call at each stop and the
/// shopper's notes for the door; once done, not even the drop-offs' addresses.
async fn couriers_view(db: &DatabaseConnection, b: route_batch::Model) -> Result<Batch> {
    let mut batch = batch_view(db, b).await?;
    if batch.status == BatchStatus::Started {
        let ids: Vec<String> = batch
            .stops
            .iter()
            .map(|s| s.merchant_order_id.clone())
            .collect();
        let tasks = delivery_task::Entity::find()
            .filter(delivery_task::Column::MerchantOrderId.is_in(ids))
            .all(db)
            .await?;
        for stop in batch.stops.iter_mut() {
            let Some(task) = tasks
                .iter()
                .find(|t| t.merchant_order_id == stop.merchant_order_id)
            else {
                continue;
            };
            if stop.kind == StopKind::Pickup {
                stop.phone = task.pickup_phone.clone();
            } else {
                stop.phone = task.dropoff_phone.clone();
                stop.notes = task.dropoff_notes.clone();
            }
        }
    }
    if batch.status == BatchStatus::Done {
        for stop in batch
            .stops
            .iter_mut()
            .filter(|s| s.kind == StopKind::Dropoff)
        {
            stop.address = String::new();
        }
    }
    Ok(batch)
}

/// The courier sets out on a planned batch: later plans of its slot leave it (and its
/// stops) with them.
pub async fn start_batch(
    db: &DatabaseConnection,
    actor: &Account,
    batch_id: &str,
) -> Result<Batch> {
    let txn = begin_write(db).await?;
    let b = route_batch::Entity::find_by_id(batch_id)
        .one(&txn)
        .await?
        .ok_or_else(|| DomainError::not_found("batch", batch_id))?;
    let courier = courier_of_account(&txn, &actor.id).await?;
    if courier.is_none_or(|c| c.id != b.courier_id) {
        return Err(DomainError::not_found("batch", batch_id));
    }
    if b.status == BatchStatus::Planned {
        route_batch::Entity::update_many()
            .col_expr(
                route_batch::Column::Status,
                Expr::value(BatchStatus::Started),
            )
            .filter(route_batch::Column::Id.eq(batch_id))
            .exec(&txn)
            .await?;
    }
    let fresh = route_batch::Entity::find_by_id(batch_id)
        .one(&txn)
        .await?
        .ok_or_else(|| DomainError::not_found("batch", batch_id))?;
    txn.commit().await?;
    couriers_view(db, fresh).await
}

/// A dispatcher passes a batch under way to another courier of its network (its courier fell
/// ill, the van broke down, an admin suspended them): every stop still ahead goes with it, and
/// the new courier first collects what is on board from the courier before, whom the batch
/// names. Only a started batch: a planned one is the next plan's to give. The new courier
/// must be one deliveries may be given to ([`crate::courier::may_be_given`]) and carry the
/// rest of the route at its fullest (`courier_too_small` otherwise: the load ahead shrinks as
/// stops are made). Which coordinators may is the caller's to check (the
/// network's, as for [`crate::task::bind_to_courier`]).
pub async fn hand_over(
    db: &DatabaseConnection,
    actor: &Account,
    batch_id: &str,
    courier_id: &str,
    from_courier_id: Option<&str>,
) -> Result<Batch> {
    crate::courier::require_dispatcher(actor, "hands batches over")?;
    let txn = begin_write(db).await?;
    let b = route_batch::Entity::find_by_id(batch_id)
        .one(&txn)
        .await?
        .ok_or_else(|| DomainError::not_found("batch", batch_id))?;
    if from_courier_id.is_some_and(|from| from != b.courier_id) {
        return Err(batch_moved());
    }
    if b.status != BatchStatus::Started {
        return Err(DomainError::conflict(
            "batch_not_under_way",
            format!(
                "the batch is {}; only one under way is handed over (the next plan gives a \
                 planned one)",
                b.status
            ),
        ));
    }
    if b.courier_id == courier_id {
        return Err(ValidationErrors::single("courier_id", "already carries this batch").into());
    }
    let courier = crate::courier::may_be_given(&txn, courier_id, &b.network_id).await?;
    let fullest = fullest_load_ahead(&txn, &batch_view(&txn, b.clone()).await?).await?;
    let capacity = crate::capacity::Load {
        tasks: i64::MAX,
        grams: (courier.capacity.kg * 1000.0).round() as i64,
        millilitres: (courier.capacity.liters * 1000.0).round() as i64,
    };
    if !fullest.fits_within(&capacity) {
        // The load ahead shrinks with every drop-off: the same courier may do later.
        return Err(DomainError::conflict(
            "courier_too_small",
            format!(
                "the courier carries {} kg and {} L; the rest of the route needs {} kg and {} L \
                 at once",
                courier.capacity.kg,
                courier.capacity.liters,
                fullest.grams as f64 / 1000.0,
                fullest.millilitres as f64 / 1000.0
            ),
        )
        .with_details(serde_json::json!({
            "needs_grams": fullest.grams,
            "needs_millilitres": fullest.millilitres,
        }))
        .on_field("courier_id"));
    }
    let handed_at = Utc::now();
    // The position stays: where the courier before was last seen is where the goods on board
    // wait, until the new courier's phone reports its own. Only from the courier read above:
    // two dispatchers handing it over at once do not both pass it on.
    let moved = route_batch::Entity::update_many()
        .col_expr(route_batch::Column::CourierId, Expr::value(courier_id))
        .col_expr(
            route_batch::Column::HandedOverFrom,
            Expr::value(b.courier_id.as_str()),
        )
        .col_expr(route_batch::Column::HandedOverAt, Expr::value(handed_at))
        .filter(route_batch::Column::Id.eq(batch_id))
        .filter(route_batch::Column::CourierId.eq(b.courier_id.as_str()))
        .filter(route_batch::Column::Status.eq(BatchStatus::Started))
        .exec(&txn)
        .await?;
    if moved.rows_affected != 1 {
        return Err(batch_moved());
    }
    batch_handover::ActiveModel {
        id: Set(golmok_core::new_id("bho")),
        batch_id: Set(b.id.clone()),
        from_courier_id: Set(b.courier_id.clone()),
        to_courier_id: Set(courier.id.clone()),
        by_account_id: Set(Some(actor.id.clone())),
        handed_at: Set(handed_at),
    }
    .insert(&txn)
    .await?;
    crate::position::retime_for_new_courier(&txn, &b, &courier, handed_at).await?;
    // The new courier's phone hears of the batch as of a planned one.
    golmok_events::outbox::record(
        &txn,
        &golmok_events::Topic::courier(courier.account_id.as_str()),
        &golmok_events::Payload::Batch {
            batch_id: b.id.clone(),
            slot_id: b.slot_id.clone(),
        },
    )
    .await?;
    // The network's boards redraw, and the courier it came from, if their phone is open on
    // it, is shown whom it went to.
    let handed_over = golmok_events::Payload::BatchHandedOver {
        batch_id: b.id.clone(),
        slot_id: b.slot_id.clone(),
        from_courier_id: b.courier_id.clone(),
        to_courier_id: courier.id.clone(),
    };
    golmok_events::outbox::record(
        &txn,
        &golmok_events::Topic::network(b.network_id.as_str()),
        &handed_over,
    )
    .await?;
    if let Some(before) = crate::courier::account_of(&txn, &b.courier_id).await? {
        golmok_events::outbox::record(
            &txn,
            &golmok_events::Topic::courier(before.as_str()),
            &handed_over,
        )
        .await?;
    }
    let fresh = route_batch::Entity::find_by_id(batch_id)
        .one(&txn)
        .await?
        .ok_or_else(|| DomainError::not_found("batch", batch_id))?;
    let batch = crate::planner::batch_view(&txn, fresh).await?;
    txn.commit().await?;
    Ok(batch)
}

/// Handed over or finished since the caller read the batch: the caller's choice was made on
/// what is no longer so.
fn batch_moved() -> DomainError {
    DomainError::conflict(
        "batch_moved",
        "the batch was handed over or finished meanwhile; look at the board again",
    )
}

/// A batch the calling courier had until a dispatcher handed it to another: when, and to
/// whom. Its stops are no longer theirs to see.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct HandedAway {
    pub batch_id: String,
    pub slot_id: String,
    pub to_courier_id: String,
    pub at: chrono::DateTime<Utc>,
}

/// The calling courier's batches handed to others, latest first (the last 20), each time
/// one was: a batch handed on again by the next courier stays on the list, naming the
/// courier this one handed it to.
pub async fn handed_away(db: &DatabaseConnection, actor: &Account) -> Result<Vec<HandedAway>> {
    let Some(courier) = courier_of_account(db, &actor.id).await? else {
        return Err(DomainError::Forbidden(
            "this account does not ride for a network".into(),
        ));
    };
    let handovers = batch_handover::Entity::find()
        .filter(batch_handover::Column::FromCourierId.eq(courier.id.as_str()))
        .order_by_desc(batch_handover::Column::HandedAt)
        .order_by_desc(batch_handover::Column::Id)
        .limit(20)
        .all(db)
        .await?;
    let batches = route_batch::Entity::find()
        .filter(route_batch::Column::Id.is_in(handovers.iter().map(|h| h.batch_id.as_str())))
        .all(db)
        .await?;
    Ok(handovers
        .into_iter()
        .filter_map(|h| {
            let batch = batches.iter().find(|b| b.id == h.batch_id)?;
            Some(HandedAway {
                batch_id: h.batch_id,
                slot_id: batch.slot_id.clone(),
                to_courier_id: h.to_courier_id,
                at: h.handed_at,
            })
        })
        .collect())
}

/// Who carried batch `b` at `at`: whom the last hand-over by then gave it to, or, before the
/// first, the courier that one took it from.
async fn carrier_at(
    txn: &impl ConnectionTrait,
    b: &route_batch::Model,
    at: chrono::DateTime<Utc>,
) -> Result<String> {
    let handovers = batch_handover::Entity::find()
        .filter(batch_handover::Column::BatchId.eq(b.id.as_str()))
        .order_by_asc(batch_handover::Column::HandedAt)
        .order_by_asc(batch_handover::Column::Id)
        .all(txn)
        .await?;
    Ok(match handovers.iter().rev().find(|h| h.handed_at <= at) {
        Some(h) => h.to_courier_id.clone(),
        None => handovers
            .first()
            .map_or_else(|| b.courier_id.clone(), |h| h.from_courier_id.clone()),
    })
}

/// When a stop was made, on the server's clock, from a phone's: `made_at` as the phone
/// stamped it, and `sent_at`, the phone's clock when it sent the stop. The time between the
/// two is the phone's own and holds whatever its clock is set to; the sending was now.
/// Without `sent_at`, `made_at` as it is.
pub fn made_by_phone(
    made_at: Option<chrono::DateTime<Utc>>,
    sent_at: Option<chrono::DateTime<Utc>>,
) -> Option<chrono::DateTime<Utc>> {
    let made = made_at?;
    Some(match sent_at {
        Some(sent) if sent >= made => Utc::now() - (sent - made),
        _ => made,
    })
}

/// When a stop was made, as its courier's phone says: it may have kept the stop while it
/// had no network. A time still to come is refused; none is now. (A stop is recorded no
/// earlier than its batch was planned: a phone's clock may also run far behind.)
pub(crate) fn made_when(made_at: Option<chrono::DateTime<Utc>>) -> Result<chrono::DateTime<Utc>> {
    let now = Utc::now();
    match made_at {
        // A phone's clock may run a little ahead.
        Some(at) if at > now + chrono::Duration::minutes(5) => Err(ValidationErrors::single(
            "made_at",
            "is still to come; send the time the stop was made",
        )
        .into()),
        Some(at) => Ok(at.min(now)),
        None => Ok(now),
    }
}

/// The network a batch rides for: whose coordinators may hand it over.
pub async fn network_of(db: &DatabaseConnection, batch_id: &str) -> Result<String> {
    route_batch::Entity::find_by_id(batch_id)
        .one(db)
        .await?
        .map(|b| b.network_id)
        .ok_or_else(|| DomainError::not_found("batch", batch_id))
}

/// The most a batch's courier carries at once from here on: what is on board now
/// ([`Batch::on_board_parts`]), then each stop ahead in turn.
async fn fullest_load_ahead(
    txn: &DatabaseTransaction,
    batch: &Batch,
) -> Result<crate::capacity::Load> {
    let parts = batch.stops.iter().map(|s| s.merchant_order_id.clone());
    let tasks = delivery_task::Entity::find()
        .filter(delivery_task::Column::MerchantOrderId.is_in(parts))
        .all(txn)
        .await?;
    let load = |part: &str| {
        tasks
            .iter()
            .find(|t| t.merchant_order_id == part)
            .map(crate::task::load_of)
            .unwrap_or_default()
    };
    let mut now = batch
        .on_board_parts()
        .fold(crate::capacity::Load::default(), |sum, part| {
            sum.plus(&load(part))
        });
    let mut fullest = now;
    for s in batch
        .stops
        .iter()
        .filter(|s| s.status == StopStatus::Pending)
    {
        let task = load(&s.merchant_order_id);
        now = match s.kind {
            StopKind::Pickup => now.plus(&task),
            StopKind::Dropoff => now.saturating_sub(&task),
        };
        fullest = fullest.most(&now);
    }
    Ok(fullest)
}

/// A stop of the calling courier's batches (or any, for an admin), whatever its status: what
/// a retried completion answers once the first went through.
pub async fn get_stop(
    db: &DatabaseConnection,
    actor: &Account,
    stop_id: &str,
) -> Result<PlannedStop> {
    let s = stop::Entity::find_by_id(stop_id)
        .one(db)
        .await?
        .ok_or_else(|| DomainError::not_found("stop", stop_id))?;
    if actor.role != Role::Admin {
        let b = route_batch::Entity::find_by_id(s.batch_id.as_str())
            .one(db)
            .await?
            .ok_or_else(|| DomainError::Internal(format!("stop {stop_id} without batch")))?;
        let courier = courier_of_account(db, &actor.id).await?;
        // A courier who handed the batch on may still read a stop they made before: their
        // phone's retry is answered as the first sending was.
        let carried = match &courier {
            Some(c) if c.id == b.courier_id => true,
            Some(c) => {
                batch_handover::Entity::find()
                    .filter(batch_handover::Column::BatchId.eq(b.id.as_str()))
                    .filter(batch_handover::Column::FromCourierId.eq(c.id.as_str()))
                    .count(db)
                    .await?
                    > 0
            }
            None => false,
        };
        if !carried {
            return Err(DomainError::Forbidden(
                "this stop belongs to another courier's batch".into(),
            ));
        }
    }
    Ok(PlannedStop::of(s))
}

/// The stop `stop_id` with its batch, if the actor may make it: the batch's courier, or
/// the courier who carried it when the stop was made (`made`: a stop kept on a phone with no
/// network, sent after a dispatcher handed the batch on), or an admin. The batch's courier
/// is told of a stop someone else made ([`tell_courier_of_change`]).
async fn own_stop(
    txn: &DatabaseTransaction,
    actor: &Account,
    stop_id: &str,
    made: chrono::DateTime<Utc>,
) -> Result<(stop::Model, route_batch::Model, MadeBy)> {
    let s = stop::Entity::find_by_id(stop_id)
        .one(txn)
        .await?
        .ok_or_else(|| DomainError::not_found("stop", stop_id))?;
    let b = route_batch::Entity::find_by_id(s.batch_id.as_str())
        .one(txn)
        .await?
        .ok_or_else(|| DomainError::Internal(format!("stop {stop_id} without batch")))?;
    let by = may_make_stop_of(txn, actor, &b, made).await?;
    if s.status != StopStatus::Pending {
        return Err(DomainError::conflict(
            "stop_done",
            format!("the stop is already {}", s.status),
        ));
    }
    Ok((s, b, by))
}

/// Who makes a stop, as far as the batch's courier is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MadeBy {
    ItsCourier,
    /// The courier who carried the batch before, or an admin.
    Another,
}

/// Whether `actor` may make a stop of batch `b` made at `made` (or add its photo): the
/// batch's courier, the courier who carried it then, or an admin.
pub(crate) async fn may_make_stop_of(
    db: &impl ConnectionTrait,
    actor: &Account,
    b: &route_batch::Model,
    made: chrono::DateTime<Utc>,
) -> Result<MadeBy> {
    if actor.role == Role::Admin {
        return Ok(MadeBy::Another);
    }
    let Some(courier) = courier_of_account(db, &actor.id).await? else {
        return Err(DomainError::Forbidden(
            "this stop belongs to another courier's batch".into(),
        ));
    };
    if courier.id == b.courier_id {
        return Ok(MadeBy::ItsCourier);
    }
    if carrier_at(db, b, made).await? != courier.id {
        return Err(handed_away_from(db, b, &courier.id).await?);
    }
    Ok(MadeBy::Another)
}

/// Why a courier may not make a stop of batch `b`: it passed from them to another before
/// the stop was made (`batch_handed_over`, saying when), or it was never theirs.
async fn handed_away_from(
    txn: &impl ConnectionTrait,
    b: &route_batch::Model,
    courier_id: &str,
) -> Result<DomainError> {
    let last = batch_handover::Entity::find()
        .filter(batch_handover::Column::BatchId.eq(b.id.as_str()))
        .filter(batch_handover::Column::FromCourierId.eq(courier_id))
        .order_by_desc(batch_handover::Column::HandedAt)
        .one(txn)
        .await?;
    Ok(match last {
        Some(h) => DomainError::conflict(
            "batch_handed_over",
            format!(
                "the batch passed to another courier at {}; a stop made before then is sent \
                 with the time it was made (made_at)",
                h.handed_at
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ),
        )
        .with_details(serde_json::json!({ "handed_at": h.handed_at })),
        None => DomainError::Forbidden("this stop belongs to another courier's batch".into()),
    })
}

/// A stop made by someone other than the batch's courier (the courier who had it before,
/// sending late; an admin): the batch's courier's phone redraws.
async fn tell_courier_of_change(
    txn: &DatabaseTransaction,
    by: MadeBy,
    b: &route_batch::Model,
) -> Result<()> {
    if by == MadeBy::ItsCourier {
        return Ok(());
    }
    if let Some(account) = crate::courier::account_of(txn, &b.courier_id).await? {
        golmok_events::outbox::record(
            txn,
            &golmok_events::Topic::courier(account.as_str()),
            &golmok_events::Payload::Batch {
                batch_id: b.id.clone(),
                slot_id: b.slot_id.clone(),
            },
        )
        .await?;
    }
    Ok(())
}

async fn after_stop(txn: &DatabaseTransaction, b: &route_batch::Model) -> Result<()> {
    let pending = stop::Entity::find()
        .filter(stop::Column::BatchId.eq(b.id.as_str()))
        .filter(stop::Column::Status.eq(StopStatus::Pending))
        .count(txn)
        .await?;
    let status = if pending == 0 {
        BatchStatus::Done
    } else {
        BatchStatus::Started
    }
    .as_str();
    let mut update = route_batch::Entity::update_many()
        .col_expr(route_batch::Column::Status, Expr::value(status))
        .filter(route_batch::Column::Id.eq(b.id.as_str()));
    if pending == 0 {
        // The ride is over: where the courier was is nobody's business any more.
        update = update
            .col_expr(
                route_batch::Column::CourierLat,
                Expr::value(Option::<f64>::None),
            )
            .col_expr(
                route_batch::Column::CourierLon,
                Expr::value(Option::<f64>::None),
            )
            .col_expr(
                route_batch::Column::PositionAt,
                Expr::value(Option::<chrono::DateTime<Utc>>::None),
            );
    }
    update.exec(txn).await?;
    crate::position::announce_progress(txn, b, pending as usize).await?;
    Ok(())
}

/// Completes a stop with proof: a pickup moves its merchant order to picked up, a drop-off to
/// delivered.
/// Wrong hand-over codes a stop takes before it refuses more for a while.
pub const MAX_WRONG_CODES: u64 = 5;
const WRONG_CODE_WINDOW: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// Completes a stop with proof. A hand-over code (`code`) must be the stop's own: a wrong
/// one is refused and changes nothing, and after [`MAX_WRONG_CODES`] wrong ones within 15
/// minutes the stop takes no code for a while (`too_many_attempts`). A photo stands in for
/// the code only where the network allows it (nobody home).
pub async fn complete_stop(
    db: &DatabaseConnection,
    actor: &Account,
    stop_id: &str,
    proof: Proof,
    made_at: Option<chrono::DateTime<Utc>>,
    events: &dyn StopEvents,
    wrong_codes: &dyn golmok_core::RateCounter,
) -> Result<PlannedStop> {
    validate_proof(&proof)?;
    let made = made_when(made_at)?;
    let attempts_key = format!("handover-code:{stop_id}");
    if proof.kind == "code" && wrong_codes.count(&attempts_key).await >= MAX_WRONG_CODES {
        return Err(DomainError::conflict(
            "too_many_attempts",
            "too many wrong hand-over codes for this stop; try again later",
        ));
    }
    let txn = begin_write(db).await?;
    let (s, b, by) = own_stop(&txn, actor, stop_id, made).await?;
    let task = delivery_task::Entity::find_by_id(s.task_id.as_str())
        .one(&txn)
        .await?
        .ok_or_else(|| DomainError::Internal(format!("stop {stop_id} without its task")))?;
    if !code_matches(&s, &task, &proof) {
        // Nothing is written; the wrong guess is counted outside the transaction.
        drop(txn);
        wrong_codes
            .increment(&attempts_key, WRONG_CODE_WINDOW)
            .await;
        return Err(
            ValidationErrors::single("proof.value", "is not this stop's hand-over code").into(),
        );
    }
    if proof.kind == "photo" {
        let network = crate::network::get_network(&txn, &task.network_id).await?;
        if !network.photo_proof_allowed {
            return Err(ValidationErrors::single(
                "proof.kind",
                "this network takes only the hand-over code; fail the stop if nobody is there",
            )
            .into());
        }
    }
    if (proof.kind == "photo" || proof.kind == "signature")
        && !crate::proof::is_proof_of(&txn, stop_id, &proof.kind, proof.value.trim()).await?
    {
        return Err(ValidationErrors::single(
            "proof.value",
            format!(
                "is not a {} taken at this stop; upload it first",
                proof.kind
            ),
        )
        .into());
    }
    if let Some(photo) = proof.photo.as_deref()
        && !crate::proof::is_proof_of(&txn, stop_id, "photo", photo.trim()).await?
    {
        return Err(ValidationErrors::single(
            "proof.photo",
            "is not a photo taken at this stop; upload it first",
        )
        .into());
    }
    if s.kind == StopKind::Dropoff {
        require_picked_up(&txn, &s).await?;
    }
    let (outcome, task_status) = if s.kind == StopKind::Pickup {
        (StopOutcome::PickedUp, TaskStatus::PickedUp)
    } else {
        (StopOutcome::Delivered, TaskStatus::Delivered)
    };
    let mut active: stop::ActiveModel = s.clone().into();
    active.status = Set(StopStatus::Completed);
    active.proof_kind = Set(Some(proof.kind));
    active.proof_value = Set(Some(proof.value.trim().to_owned()));
    active.proof_note = Set(proof
        .note
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty()));
    let at = made.max(b.created_at);
    active.done_at = Set(Some(at));
    let done = active.update(&txn).await?;
    set_task_status(&txn, &s.task_id, task_status).await?;
    after_stop(&txn, &b).await?;
    tell_courier_of_change(&txn, by, &b).await?;
    events
        .on_stop(&txn, &s.merchant_order_id, outcome, actor, at)
        .await?;
    txn.commit().await?;
    Ok(PlannedStop::of(done))
}

fn validate_proof(proof: &Proof) -> Result<()> {
    let mut errors = ValidationErrors::new();
    if !["photo", "signature", "code"].contains(&proof.kind.as_str()) {
        errors.add("proof.kind", "must be photo, signature or code");
    }
    if proof.value.trim().is_empty() || proof.value.chars().count() > 500 {
        errors.add("proof.value", "must be 1 to 500 characters");
    }
    if proof.note.as_ref().is_some_and(|n| n.chars().count() > 500) {
        errors.add("proof.note", "must be at most 500 characters");
    }
    Ok(errors.into_result()?)
}

/// A code given as proof must be the stop's own: the shop's pick-up code at a pick-up, the
/// shopper's at the door. Other proofs, and tasks without a code, pass.
fn code_matches(s: &stop::Model, task: &delivery_task::Model, proof: &Proof) -> bool {
    let expected = if s.kind == StopKind::Pickup {
        &task.pickup_code
    } else {
        &task.dropoff_code
    };
    match (proof.kind.as_str(), expected) {
        ("code", Some(code)) => proof.value.trim() == code,
        _ => true,
    }
}

/// Goods are dropped off only once this route picked them up.
async fn require_picked_up(txn: &DatabaseTransaction, s: &stop::Model) -> Result<()> {
    let picked = stop::Entity::find()
        .filter(stop::Column::TaskId.eq(s.task_id.as_str()))
        .filter(stop::Column::Kind.eq(StopKind::Pickup))
        .filter(stop::Column::Status.eq(StopStatus::Completed))
        .count(txn)
        .await?;
    if picked == 0 {
        return Err(DomainError::conflict(
            "not_picked_up",
            "pick the order up before dropping it off",
        ));
    }
    Ok(())
}

async fn set_task_status(
    txn: &DatabaseTransaction,
    task_id: &str,
    status: TaskStatus,
) -> Result<()> {
    delivery_task::Entity::update_many()
        .col_expr(delivery_task::Column::Status, Expr::value(status.as_str()))
        .filter(delivery_task::Column::Id.eq(task_id))
        .exec(txn)
        .await?;
    Ok(())
}

/// A completion or failure the courier sent again after the first went through (its answer
/// lost on a flaky connection) answers as the first did, instead of `stop_done`: the stop
/// changes once. Only for callers that know it is a retry (the API's `Idempotency-Key`).
pub async fn as_retry(
    db: &DatabaseConnection,
    actor: &Account,
    stop_id: &str,
    outcome: Result<PlannedStop>,
    wanted: StopStatus,
) -> Result<PlannedStop> {
    match outcome {
        Err(e) if e.conflict_code() == Some("stop_done") => {
            let stop = get_stop(db, actor, stop_id).await?;
            if stop.status == wanted {
                Ok(stop)
            } else {
                Err(DomainError::conflict(
                    "stop_done",
                    format!("the stop is already {}", stop.status),
                ))
            }
        }
        other => other,
    }
}

/// Why a stop could not be made.
pub const FAILURE_REASONS: [&str; 6] = [
    "nobody_home",
    "wrong_address",
    "refused",
    "damaged",
    "shop_closed",
    "other",
];

/// Records that a stop could not be made. A failed pickup leaves the task open for a later
/// plan from the shop; after a failed drop-off the goods wait at the hub and the task is open
/// for a later plan from there.
pub async fn fail_stop(
    db: &DatabaseConnection,
    actor: &Account,
    stop_id: &str,
    reason: &str,
    note: Option<&str>,
    made_at: Option<chrono::DateTime<Utc>>,
    events: &dyn StopEvents,
) -> Result<PlannedStop> {
    let reason = failure_of(reason, note)?;
    let made = made_when(made_at)?;
    let txn = begin_write(db).await?;
    let (s, b, by) = own_stop(&txn, actor, stop_id, made).await?;
    let mut active: stop::ActiveModel = s.clone().into();
    active.status = Set(StopStatus::Failed);
    active.failure_reason = Set(Some(reason));
    let at = made.max(b.created_at);
    active.done_at = Set(Some(at));
    let done = active.update(&txn).await?;
    if s.kind == StopKind::Pickup {
        // Its drop-off cannot happen on this route either.
        stop::Entity::update_many()
            .col_expr(stop::Column::Status, Expr::value(StopStatus::Failed))
            .col_expr(
                stop::Column::FailureReason,
                Expr::value("its pickup failed"),
            )
            .filter(stop::Column::TaskId.eq(s.task_id.as_str()))
            .filter(stop::Column::Status.eq(StopStatus::Pending))
            .exec(&txn)
            .await?;
        set_task_status(&txn, &s.task_id, TaskStatus::Open).await?;
    } else {
        back_to_hub(&txn, &b, &s.task_id).await?;
        let outcome = StopOutcome::DeliveryFailed;
        events
            .on_stop(&txn, &s.merchant_order_id, outcome, actor, at)
            .await?;
    }
    after_stop(&txn, &b).await?;
    tell_courier_of_change(&txn, by, &b).await?;
    txn.commit().await?;
    Ok(PlannedStop::of(done))
}

/// The reason as recorded: one of [`FAILURE_REASONS`], with the courier's note if any.
fn failure_of(reason: &str, note: Option<&str>) -> Result<String> {
    let mut errors = ValidationErrors::new();
    if !FAILURE_REASONS.contains(&reason) {
        errors.add(
            "reason",
            format!("must be one of {}", FAILURE_REASONS.join(", ")),
        );
    }
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    if note.is_some_and(|n| n.chars().count() > 500) {
        errors.add("note", "must be at most 500 characters");
    }
    errors.into_result()?;
    Ok(match note {
        Some(note) => format!("{reason}: {note}"),
        None => reason.to_owned(),
    })
}

/// After a failed drop-off the courier brings the goods back to the hub; the delivery waits
/// there, open, to be moved to a later slot and picked up from the hub. The merchant order
/// stays picked up.
async fn back_to_hub(
    txn: &DatabaseTransaction,
    b: &route_batch::Model,
    task_id: &str,
) -> Result<()> {
    let network = crate::network::get_network(txn, &b.network_id).await?;
    delivery_task::Entity::update_many()
        .col_expr(delivery_task::Column::Status, Expr::value(TaskStatus::Open))
        .col_expr(
            delivery_task::Column::PickupLat,
            Expr::value(network.hub.lat),
        )
        .col_expr(
            delivery_task::Column::PickupLon,
            Expr::value(network.hub.lon),
        )
        .col_expr(
            delivery_task::Column::PickupAddress,
            Expr::value(format!("{} 허브", network.name)),
        )
        .col_expr(delivery_task::Column::ReadyAt, Expr::value(Utc::now()))
        .filter(delivery_task::Column::Id.eq(task_id))
        .exec(txn)
        .await?;
    Ok(())
}

/// Where a merchant order's pick-up or drop-off stands in a plan: when the courier is due at
/// the shop (the merchant's board) or at the door (the shopper's tracking page).
#[derive(Debug, Clone, PartialEq)]
pub struct StopProgress {
    pub merchant_order_id: String,
    /// When the courier is expected.
    pub eta: chrono::DateTime<Utc>,
    pub status: StopStatus,
}

/// The planned stops of `kind` of these merchant orders, from the latest plan of each.
pub async fn stop_progress(
    db: &impl ConnectionTrait,
    merchant_order_ids: &[String],
    kind: StopKind,
) -> Result<Vec<StopProgress>> {
    let stops = stop::Entity::find()
        .filter(stop::Column::MerchantOrderId.is_in(merchant_order_ids.iter().cloned()))
        .filter(stop::Column::Kind.eq(kind.as_str()))
        .order_by_desc(stop::Column::Id)
        .all(db)
        .await?;
    let mut out: Vec<StopProgress> = Vec::new();
    for s in stops {
        if out
            .iter()
            .all(|p| p.merchant_order_id != s.merchant_order_id)
        {
            out.push(StopProgress {
                status: s.status,
                merchant_order_id: s.merchant_order_id,
                eta: s.eta,
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_phone_time_is_placed_on_the_servers_clock_by_when_the_phone_sent_it() {
        let now = Utc::now();
        let minutes = chrono::Duration::minutes;
        // No stamp: the stop is made when it arrives.
        assert_eq!(made_by_phone(None, Some(now)), None);
        // No sending time: the stamp as it is.
        assert_eq!(
            made_by_phone(Some(now - minutes(7)), None),
            Some(now - minutes(7))
        );
        // A clock an hour ahead or behind: made ten minutes before it was sent, whatever the
        // clock said.
        for off in [minutes(60), -minutes(60), minutes(0)] {
            let phone_now = Utc::now() + off;
            let made =
                made_by_phone(Some(phone_now - minutes(10)), Some(phone_now)).expect("a time");
            let ago = Utc::now() - made;
            assert!(
                ago >= minutes(10) && ago < minutes(10) + chrono::Duration::seconds(5),
                "{off}: made {ago} ago"
            );
        }
        // Sent before it was made says nothing of the clock: the stamp as it is.
        assert_eq!(made_by_phone(Some(now), Some(now - minutes(1))), Some(now));
    }
}
