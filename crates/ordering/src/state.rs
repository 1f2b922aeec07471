//! The order state machines, with every legal transition written once.
//!
//! A merchant order: `pending → accepted → ready → picked_up → delivered`; a pickup order
//! goes from `ready` straight to `delivered` when the shopper collects it. Along the way it
//! may be `rejected` (by the merchant, before it is ready), `cancelled` (the shopper before
//! acceptance, an admin before it leaves the shop), `expired` (not accepted in time) or
//! `failed` (a delivery that could not be made).
//!
//! An order is `placed` until every merchant order has ended, then `completed` if any was
//! delivered, else `cancelled`.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MerchantOrderStatus {
    Pending,
    Accepted,
    Ready,
    PickedUp,
    Delivered,
    Rejected,
    Cancelled,
    Expired,
    Failed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Accept,
    Reject,
    MarkReady,
    PickUp,
    Deliver,
    /// The shopper collects a pickup order at the shop.
    Collect,
    Cancel,
    Expire,
    Fail,
}

impl Action {
    pub fn verb(self) -> &'static str {
        match self {
            Action::Accept => "accept",
            Action::Reject => "reject",
            Action::MarkReady => "mark ready",
            Action::PickUp => "pick up",
            Action::Deliver => "deliver",
            Action::Collect => "collect",
            Action::Cancel => "cancel",
            Action::Expire => "expire",
            Action::Fail => "fail",
        }
    }
}

impl MerchantOrderStatus {
    pub const ALL: [MerchantOrderStatus; 9] = [
        MerchantOrderStatus::Pending,
        MerchantOrderStatus::Accepted,
        MerchantOrderStatus::Ready,
        MerchantOrderStatus::PickedUp,
        MerchantOrderStatus::Delivered,
        MerchantOrderStatus::Rejected,
        MerchantOrderStatus::Cancelled,
        MerchantOrderStatus::Expired,
        MerchantOrderStatus::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MerchantOrderStatus::Pending => "pending",
            MerchantOrderStatus::Accepted => "accepted",
            MerchantOrderStatus::Ready => "ready",
            MerchantOrderStatus::PickedUp => "picked_up",
            MerchantOrderStatus::Delivered => "delivered",
            MerchantOrderStatus::Rejected => "rejected",
            MerchantOrderStatus::Cancelled => "cancelled",
            MerchantOrderStatus::Expired => "expired",
            MerchantOrderStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// The one table of legal moves.
    pub fn after(self, action: Action) -> Option<MerchantOrderStatus> {
        use Action::*;
        use MerchantOrderStatus::*;
        match (self, action) {
            (Pending, Accept) => Some(Accepted),
            (Pending | Accepted, Reject) => Some(Rejected),
            (Pending | Accepted, Cancel) => Some(Cancelled),
            (Pending, Expire) => Some(Expired),
            (Accepted, MarkReady) => Some(Ready),
            (Ready, PickUp) => Some(PickedUp),
            (Ready, Collect) => Some(Delivered),
            (PickedUp, Deliver) => Some(Delivered),
            (PickedUp, Fail) => Some(Failed),
            _ => None,
        }
    }

    /// No move leaves it.
    pub fn is_final(self) -> bool {
        Action::ALL.iter().all(|a| self.after(*a).is_none())
    }

    /// Its goods are (or will be) sold: it counts toward the capture.
    pub fn is_sold(self) -> bool {
        matches!(
            self,
            MerchantOrderStatus::Ready
                | MerchantOrderStatus::PickedUp
                | MerchantOrderStatus::Delivered
                | MerchantOrderStatus::Failed
        )
    }

    /// Ended without selling: its stock goes back and it is not charged.
    pub fn is_withdrawn(self) -> bool {
        matches!(
            self,
            MerchantOrderStatus::Rejected
                | MerchantOrderStatus::Cancelled
                | MerchantOrderStatus::Expired
        )
    }
}

impl Action {
    pub const ALL: [Action; 9] = [
        Action::Accept,
        Action::Reject,
        Action::MarkReady,
        Action::PickUp,
        Action::Deliver,
        Action::Collect,
        Action::Cancel,
        Action::Expire,
        Action::Fail,
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    Placed,
    Completed,
    Cancelled,
}

impl OrderStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Placed => "placed",
            OrderStatus::Completed => "completed",
            OrderStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            OrderStatus::Placed,
            OrderStatus::Completed,
            OrderStatus::Cancelled,
        ]
        .into_iter()
        .find(|o| o.as_str() == s)
    }

    /// What an order is, given its merchant orders.
    pub fn of(parts: &[MerchantOrderStatus]) -> OrderStatus {
        if parts.iter().any(|p| !p.is_final()) {
            OrderStatus::Placed
        } else if parts.contains(&MerchantOrderStatus::Delivered) {
            OrderStatus::Completed
        } else {
            OrderStatus::Cancelled
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Action::*;
    use super::MerchantOrderStatus::*;
    use super::*;

    #[test]
    fn the_happy_paths() {
        let delivered = [Accept, MarkReady, PickUp, Deliver]
            .into_iter()
            .try_fold(Pending, |s, a| s.after(a));
        assert_eq!(delivered, Some(Delivered));
        let collected = [Accept, MarkReady, Collect]
            .into_iter()
            .try_fold(Pending, |s, a| s.after(a));
        assert_eq!(collected, Some(Delivered));
    }

    #[test]
    fn exactly_these_moves_are_legal() {
        let mut legal = Vec::new();
        for from in MerchantOrderStatus::ALL {
            for action in Action::ALL {
                if let Some(to) = from.after(action) {
                    legal.push((from.as_str(), action.verb(), to.as_str()));
                }
            }
        }
        assert_eq!(
            legal,
            [
                ("pending", "accept", "accepted"),
                ("pending", "reject", "rejected"),
                ("pending", "cancel", "cancelled"),
                ("pending", "expire", "expired"),
                ("accepted", "reject", "rejected"),
                ("accepted", "mark ready", "ready"),
                ("accepted", "cancel", "cancelled"),
                ("ready", "pick up", "picked_up"),
                ("ready", "collect", "delivered"),
                ("picked_up", "deliver", "delivered"),
                ("picked_up", "fail", "failed"),
            ]
        );
    }

    #[test]
    fn final_states_are_sold_or_withdrawn() {
        for s in MerchantOrderStatus::ALL {
            if s.is_final() {
                assert!(s.is_sold() || s.is_withdrawn(), "{s:?}");
            }
            assert!(!(s.is_sold() && s.is_withdrawn()));
        }
        assert!(!Ready.is_final() && Ready.is_sold());
    }

    #[test]
    fn an_order_ends_with_its_last_part() {
        assert_eq!(OrderStatus::of(&[Delivered, Accepted]), OrderStatus::Placed);
        assert_eq!(
            OrderStatus::of(&[Delivered, Rejected]),
            OrderStatus::Completed
        );
        assert_eq!(
            OrderStatus::of(&[Rejected, Cancelled, Expired]),
            OrderStatus::Cancelled
        );
        assert_eq!(OrderStatus::of(&[Failed]), OrderStatus::Cancelled);
    }
}
