//! Weeks of past online orders for the demo, so the reports' weeks and charts have something
//! to show. Each past day is a simulated day ([`crate::simulate::day`]: baskets, weighing,
//! plans, rides, captures, all through the domain's own use cases) on tomorrow's slots, as
//! checkout books only slots before their cut-off and the domain reads the clock itself;
//! then that day is moved back to its own date: its slots, bookings, plans, batches and
//! stops to that day, and its orders with their parts, history and delivery tasks to the
//! day before (as a shopper orders for tomorrow's slot today), and the money the day moved
//! (payments, the ledger, refunds, transfers, the calls to the provider) and what its shops
//! weighed and took back with them, so a statement's lines fall on their days. Moving rows
//! back in time is the one thing here no user could do, and it only shifts dates: amounts,
//! stock, the ledger and the payments stay as the use cases wrote them.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use golmok_delivery_routing::entities::{delivery_task, plan, route_batch, slot_booking, stop};
use golmok_ordering::entities::{merchant_order, order, order_event};
use sea_orm::ActiveValue::Set;
use sea_orm::DatabaseTransaction;
use sea_orm::prelude::*;

use crate::simulate::{self, Simulation};

/// Days before today the demo's history fills: two or three a week over the last three weeks.
pub const PAST_DAYS: [i64; 8] = [2, 4, 7, 9, 12, 15, 17, 20];

/// Simulates `orders_per_wave` baskets per consortium and wave on each of `days_ago` (days
/// before today, Seoul), each moved back to its own date. Returns the orders made.
pub async fn past_days(
    sim: &Simulation<'_>,
    days_ago: &[i64],
    orders_per_wave: usize,
) -> anyhow::Result<usize> {
    let today = golmok_programme::projects::seoul_today();
    let tomorrow = today + Duration::days(1);
    let mut made = 0;
    for ago in days_ago {
        let day = today - Duration::days(*ago);
        let since = Utc::now();
        simulate::day_like(sim, tomorrow, day, orders_per_wave).await?;
        // Reads, then writes: on SQLite the write lock must be taken at `BEGIN`, or another
        // writer (the outbox relay) in between makes the first update fail as locked.
        let txn = golmok_core::db::begin_write(sim.ordering.db).await?;
        made += move_back(&txn, since, tomorrow, day).await?;
        txn.commit().await?;
    }
    Ok(made)
}

/// `wave@2026-12-03` as the same wave on `day`.
fn slot_on(slot_id: &str, from: NaiveDate, day: NaiveDate) -> String {
    slot_id.replace(&format!("@{from}"), &format!("@{day}"))
}

/// Moves what the simulation made since `since` on `from`'s slots back to `day`.
async fn move_back(
    txn: &DatabaseTransaction,
    since: DateTime<Utc>,
    from: NaiveDate,
    day: NaiveDate,
) -> anyhow::Result<usize> {
    let shift = from - day;
    let suffix = format!("@{from}");
    let orders = order::Entity::find()
        .filter(order::Column::CreatedAt.gte(since))
        .all(txn)
        .await?;
    let ids: Vec<String> = orders.iter().map(|o| o.id.clone()).collect();
    for o in orders {
        let mut a: order::ActiveModel = o.clone().into();
        a.slot_id = Set(o.slot_id.as_deref().map(|s| slot_on(s, from, day)));
        a.pickup_at = Set(o.pickup_at.map(|t| t - shift));
        a.created_at = Set(o.created_at - shift);
        a.updated_at = Set(o.updated_at - shift);
        a.update(txn).await?;
    }
    for m in merchant_order::Entity::find()
        .filter(merchant_order::Column::OrderId.is_in(ids.clone()))
        .all(txn)
        .await?
    {
        let mut a: merchant_order::ActiveModel = m.clone().into();
        a.created_at = Set(m.created_at - shift);
        a.updated_at = Set(m.updated_at - shift);
        a.update(txn).await?;
    }
    for e in order_event::Entity::find()
        .filter(order_event::Column::OrderId.is_in(ids.clone()))
        .all(txn)
        .await?
    {
        let mut a: order_event::ActiveModel = e.clone().into();
        a.at = Set(e.at - shift);
        a.update(txn).await?;
    }
    for t in delivery_task::Entity::find()
        .filter(delivery_task::Column::OrderId.is_in(ids.clone()))
        .all(txn)
        .await?
    {
        let mut a: delivery_task::ActiveModel = t.clone().into();
        a.slot_id = Set(slot_on(&t.slot_id, from, day));
        a.created_at = Set(t.created_at - shift);
        a.ready_at = Set(t.ready_at.map(|r| r - shift));
        a.update(txn).await?;
    }
    for p in plan::Entity::find()
        .filter(plan::Column::SlotId.ends_with(suffix.as_str()))
        .filter(plan::Column::PlannedAt.gte(since))
        .all(txn)
        .await?
    {
        let mut a: plan::ActiveModel = p.clone().into();
        a.slot_id = Set(slot_on(&p.slot_id, from, day));
        a.planned_at = Set(p.planned_at - shift);
        a.update(txn).await?;
    }
    let batches = route_batch::Entity::find()
        .filter(route_batch::Column::SlotId.ends_with(suffix.as_str()))
        .filter(route_batch::Column::CreatedAt.gte(since))
        .all(txn)
        .await?;
    let batch_ids: Vec<String> = batches.iter().map(|b| b.id.clone()).collect();
    for b in batches {
        let mut a: route_batch::ActiveModel = b.clone().into();
        a.slot_id = Set(slot_on(&b.slot_id, from, day));
        a.created_at = Set(b.created_at - shift);
        a.position_at = Set(b.position_at.map(|t| t - shift));
        a.update(txn).await?;
    }
    for s in stop::Entity::find()
        .filter(stop::Column::BatchId.is_in(batch_ids))
        .all(txn)
        .await?
    {
        // Ridden in the slot: each stop done when it was due.
        let mut a: stop::ActiveModel = s.clone().into();
        a.eta = Set(s.eta - shift);
        a.done_at = Set(s.done_at.map(|_| s.eta - shift));
        a.update(txn).await?;
    }
    shift_written_since(txn, since, shift).await?;
    // The bookings go with them: tomorrow's slots are free again for today's shoppers.
    for b in slot_booking::Entity::find()
        .filter(slot_booking::Column::SlotId.ends_with(suffix.as_str()))
        .all(txn)
        .await?
    {
        slot_booking::Entity::delete_by_id(b.slot_id.clone())
            .exec(txn)
            .await?;
        slot_booking::ActiveModel {
            slot_id: Set(slot_on(&b.slot_id, from, day)),
            ..b.into()
        }
        .insert(txn)
        .await?;
    }
    Ok(ids.len())
}

/// Moves back every row of `$entity` written since `$since` (by `$written`): each of its
/// `$time`s and optional `$maybe`s by the shift given beside it.
macro_rules! shift_rows {
    ($txn:expr, $since:expr, $entity:ident, $written:ident,
     [$($time:ident: $by:expr),*], [$($maybe:ident: $maybe_by:expr),*]) => {{
        use $entity::{ActiveModel, Column, Entity};
        for row in Entity::find()
            .filter(Column::$written.gte($since))
            .all($txn)
            .await?
        {
            let mut a: ActiveModel = row.clone().into();
            $(a.$time = Set(row.$time - $by);)*
            $(a.$maybe = Set(row.$maybe.map(|t| t - $maybe_by));)*
            a.update($txn).await?;
        }
    }};
}

/// The money a day moved, and what its shops weighed and took back: written only by the day
/// being moved (the demo is loaded alone), so every row since it began is that day's. What
/// checkout wrote goes back by `shift`, with the orders; what the shops and couriers did goes
/// to the slots' own day, a day later.
async fn shift_written_since(
    txn: &DatabaseTransaction,
    since: DateTime<Utc>,
    shift: Duration,
) -> anyhow::Result<()> {
    use golmok_ordering::entities::{container_return, weight_approval};
    use golmok_payments::entities::{
        ledger_entry, ledger_transaction, payment, provider_call, refund, transfer,
    };
    let on_the_day = shift - Duration::days(1);
    shift_rows!(
        txn,
        since,
        payment,
        CreatedAt,
        [created_at: shift, updated_at: on_the_day],
        [received_at: on_the_day]
    );
    shift_rows!(txn, since, ledger_transaction, CreatedAt, [created_at: on_the_day], []);
    shift_rows!(txn, since, ledger_entry, CreatedAt, [created_at: on_the_day], []);
    shift_rows!(txn, since, refund, CreatedAt, [created_at: on_the_day], []);
    shift_rows!(
        txn,
        since,
        transfer,
        CreatedAt,
        [created_at: on_the_day, updated_at: on_the_day],
        []
    );
    shift_rows!(
        txn,
        since,
        provider_call,
        CreatedAt,
        [created_at: shift, updated_at: shift],
        []
    );
    shift_rows!(
        txn,
        since,
        weight_approval,
        CreatedAt,
        [created_at: on_the_day, ask_until: on_the_day],
        [answered_at: on_the_day]
    );
    shift_rows!(txn, since, container_return, CreatedAt, [created_at: on_the_day], []);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slot_moves_to_the_same_wave_on_its_day() {
        let from = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap_or_default();
        let day = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap_or_default();
        assert_eq!(
            slot_on("wav_lunch@2026-12-03", from, day),
            "wav_lunch@2026-11-20"
        );
        assert_eq!(
            slot_on("wav_lunch@2026-12-04", from, day),
            "wav_lunch@2026-12-04"
        );
    }
}
