//! Who an event is for ([`Topic`]) and what it says ([`Payload`]): typed here, serialised in
//! one place, so the crates that write events and the streams that read them agree.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A stream of events one kind of listener may hear: a shopper's order, a shop's board, a
/// courier's batches.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Topic {
    Order(String),
    Merchant(String),
    /// By the courier's account id: what their phone listens to.
    Courier(String),
    /// A co-delivery network's day: what its dispatch board listens to.
    Network(String),
}

impl Topic {
    pub fn order(id: impl Into<String>) -> Self {
        Topic::Order(id.into())
    }

    pub fn merchant(id: impl Into<String>) -> Self {
        Topic::Merchant(id.into())
    }

    pub fn courier(account_id: impl Into<String>) -> Self {
        Topic::Courier(account_id.into())
    }

    pub fn network(id: impl Into<String>) -> Self {
        Topic::Network(id.into())
    }
}

/// Stored and published as `order:{id}`, `merchant:{id}`, `courier:{account id}`,
/// `network:{id}`.
impl std::fmt::Display for Topic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Topic::Order(id) => write!(f, "order:{id}"),
            Topic::Merchant(id) => write!(f, "merchant:{id}"),
            Topic::Courier(id) => write!(f, "courier:{id}"),
            Topic::Network(id) => write!(f, "network:{id}"),
        }
    }
}

/// What happened. Serialised with its kind in `type` (`status`, `new_order`, …), as live
/// listeners receive it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Payload {
    /// An order or one shop's part of it moved from one status to another.
    Status {
        order_id: String,
        merchant_order_id: Option<String>,
        from: String,
        to: String,
        note: Option<String>,
    },
    /// A shop has a new order to accept.
    NewOrder {
        order_id: String,
        merchant_order_id: String,
        subtotal_krw: i64,
    },
    /// A plan put the drop-off in a courier's route, due at `eta`.
    Eta {
        order_id: String,
        merchant_order_id: String,
        eta: DateTime<Utc>,
    },
    /// A courier has a new route batch, or one of theirs changed without them (a stop of it
    /// made by the courier who had it before).
    Batch { batch_id: String, slot_id: String },
    /// A planned batch was replaced by a new plan of its slot: the courier's new one, if any,
    /// comes as `batch`.
    BatchReplaced { batch_id: String, slot_id: String },
    /// The latest plan could not carry a delivery (`reason` says why).
    DeliveryLeftOut {
        order_id: String,
        merchant_order_id: String,
        slot_id: String,
        reason: String,
    },
    /// A delivery left out before is carried by the latest plan.
    DeliveryPlanned {
        order_id: String,
        merchant_order_id: String,
        slot_id: String,
    },
    /// A delivery was moved to another slot.
    DeliveryMoved {
        order_id: String,
        merchant_order_id: String,
        slot_id: String,
    },
    /// A delivery became a pick-up at the shop.
    DeliveryTurnedIntoPickup {
        order_id: String,
        merchant_order_id: String,
    },
    /// A slot of the network was planned (again): its batches changed.
    SlotPlanned {
        slot_id: String,
        plan_id: String,
        couriers: usize,
        unassigned: usize,
    },
    /// A batch under way passed from one courier to another (its first could not go on).
    BatchHandedOver {
        batch_id: String,
        slot_id: String,
        from_courier_id: String,
        to_courier_id: String,
    },
    /// A courier under way: where they are (when they share it) and how many stops are left.
    CourierProgress {
        batch_id: String,
        lat: Option<f64>,
        lon: Option<f64>,
        stops_left: usize,
        at: DateTime<Utc>,
    },
    /// A member order (상호거래) to or from the shop was placed or moved on: `status` is where
    /// it stands now. Told to the shop on the other side of the step.
    MemberOrder {
        member_order_id: String,
        status: String,
    },
    /// A shopper claimed about a shop's delivered part, or the shop answered (`status`: open,
    /// refunded, declined).
    Claim {
        claim_id: String,
        order_id: String,
        merchant_order_id: String,
        status: String,
    },
    /// A weighed line over the authorisation was put to the shopper, or answered (`status`:
    /// asked, approved, declined, lapsed).
    WeightApproval {
        order_id: String,
        merchant_order_id: String,
        line_id: String,
        status: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topics_are_stored_as_they_always_were() {
        assert_eq!(Topic::order("ord_1").to_string(), "order:ord_1");
        assert_eq!(Topic::merchant("mer_1").to_string(), "merchant:mer_1");
        assert_eq!(Topic::courier("acc_1").to_string(), "courier:acc_1");
    }

    #[test]
    fn payloads_carry_their_kind_in_type() {
        let p = Payload::Batch {
            batch_id: "bat_1".into(),
            slot_id: "s".into(),
        };
        assert_eq!(
            serde_json::to_value(&p).unwrap(),
            serde_json::json!({"type": "batch", "batch_id": "bat_1", "slot_id": "s"})
        );
        let p = Payload::DeliveryTurnedIntoPickup {
            order_id: "o".into(),
            merchant_order_id: "m".into(),
        };
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json["type"], "delivery_turned_into_pickup");
        assert_eq!(serde_json::from_value::<Payload>(json).unwrap(), p);
    }
}
