//! An order's history: every transition, who made it and when, kept with the order and
//! told to the shopper's live view through the outbox.

use chrono::SubsecRound;
use golmok_core::new_id;
use golmok_events::{Payload, Topic};
use sea_orm::ActiveValue::Set;
use sea_orm::prelude::*;

use crate::Result;
use crate::entities::order_event;

/// One transition: who moved what, from where to where.
pub(crate) struct Transition<'a> {
    pub order_id: &'a str,
    pub merchant_order_id: Option<&'a str>,
    pub from: &'a str,
    pub to: &'a str,
    pub actor_id: &'a str,
    pub note: Option<&'a str>,
    /// When it happened, if not now: a courier's stop kept on a phone without network
    /// happened when the courier made it, not when it reached us.
    pub at: Option<DateTimeUtc>,
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
    let transition = Transition {
        order_id,
        merchant_order_id,
        from,
        to,
        actor_id,
        note,
        at: None,
    };
    record_all(txn, &[transition], Vec::new()).await?;
    Ok(())
}

/// Records transitions, in this order, with `also` (other events for the outbox) in two
/// statements: a checkout's order and every shop's part at once. The rows written, for a
/// caller that shows them.
pub(crate) async fn record_all(
    txn: &impl ConnectionTrait,
    transitions: &[Transition<'_>],
    also: Vec<(Topic, Payload)>,
) -> Result<Vec<order_event::Model>> {
    let now = golmok_core::db::now();
    let rows: Vec<order_event::ActiveModel> = transitions
        .iter()
        .map(|t| order_event::ActiveModel {
            id: Set(new_id("oev")),
            order_id: Set(t.order_id.to_owned()),
            merchant_order_id: Set(t.merchant_order_id.map(str::to_owned)),
            from_status: Set(t.from.to_owned()),
            to_status: Set(t.to.to_owned()),
            actor_id: Set(t.actor_id.to_owned()),
            note: Set(t.note.map(str::to_owned)),
            // To the microsecond, as `now` is: the row written reads back equal.
            at: Set(t.at.map_or(now, |at| at.trunc_subsecs(6))),
        })
        .collect();
    let written = golmok_core::db::models_of(&rows)?;
    golmok_core::db::insert_in_batches(txn, rows).await?;
    // Told to the shopper's live view after commit (the outbox relays it).
    let mut events: Vec<(Topic, Payload)> = transitions
        .iter()
        .map(|t| {
            (
                Topic::order(t.order_id),
                Payload::Status {
                    order_id: t.order_id.to_owned(),
                    merchant_order_id: t.merchant_order_id.map(str::to_owned),
                    from: t.from.to_owned(),
                    to: t.to.to_owned(),
                    note: t.note.map(str::to_owned),
                },
            )
        })
        .collect();
    events.extend(also);
    golmok_events::outbox::record_all(txn, &events).await?;
    Ok(written)
}
