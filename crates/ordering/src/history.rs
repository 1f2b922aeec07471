//! An order's history: every transition, who made it and when, kept with the order and
//! told to the shopper's live view through the outbox.

use chrono::Utc;
use golmok_core::new_id;
use golmok_events::{Payload, Topic};
use sea_orm::ActiveValue::Set;
use sea_orm::prelude::*;

use crate::Result;
use crate::entities::order_event;

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
