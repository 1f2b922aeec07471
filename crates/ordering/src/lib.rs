//! Ordering: from a shopper's basket to merchant orders.
//!
//! Owns checkout (one order across several shops of one active consortium, one payment, one
//! merchant order per shop, prices frozen on the lines), stock reservations, the order and
//! merchant-order state machines ([`state`]), weighing of refill lines, refunds of orders,
//! shoppers' claims about delivered goods and the shops' answers ([`claims`]), coupons a
//! shopper holds and spends once ([`coupons`]: issued by the programme's stamp tours, borne
//! by the consortium), member-to-member trade on account with monthly statements per pair of
//! shops ([`member_trade`]), the consortium sales report, and the idempotency of retried
//! writes.
//!
//! Asks `golmok-catalog` for prices, stock and consortium status, moves money through
//! `golmok-payments` (which it hands amounts and parties, never orders), and will ask
//! `golmok-delivery-routing` for slots; none of those crates call back into this one.
//!
//! Every use case is one database transaction: a failure anywhere leaves nothing written. A
//! payment provider that leaves the process is never called inside it: the call is written
//! with the use case and made after it commits ([`payment_calls`]); checkout with such a
//! provider writes its authorisation, asks, then writes the order with the answer.
//! Money is integer won; a line's price is [`golmok_core::money::price_for_quantity`].

pub mod approvals;
pub mod basket;
pub mod checkout;
pub mod claims;
pub mod containers;
pub mod coupons;
pub mod delivery;
pub mod entities;
mod history;
pub mod idempotency;
pub mod lifecycle;
pub mod member_trade;
pub mod payment_calls;
pub mod payouts;
pub mod refunds;
pub mod report;
pub mod sales;
pub mod state;
pub mod view;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use golmok_core::Cache;
use golmok_payments::PaymentProvider;
use sea_orm::DatabaseConnection;

pub use checkout::{Checkout, CheckoutItem, Fulfillment, PaymentChoice};
pub use state::{Action, MerchantOrderStatus, OrderStatus};
pub use view::{MerchantOrder, Order, OrderEvent, OrderLine};

pub use golmok_core::{DomainError, Result};

/// The rules of checkout that an operator sets. Delivery fees are the network's.
#[derive(Debug, Clone, Copy)]
pub struct OrderRules {
    /// Refill lines are authorised at their estimate plus this share, for the weighing.
    pub refill_tolerance_pct: u32,
    /// Merchant orders not accepted within this long expire and give their stock back.
    pub acceptance_timeout: Duration,
}

impl Default for OrderRules {
    fn default() -> Self {
        Self {
            refill_tolerance_pct: 15,
            acceptance_timeout: Duration::from_secs(2 * 3600),
        }
    }
}

/// The payment providers this server is configured with, by name.
#[derive(Clone, Default)]
pub struct PaymentProviders(HashMap<&'static str, Arc<dyn PaymentProvider>>);

impl PaymentProviders {
    pub fn with(mut self, provider: Arc<dyn PaymentProvider>) -> Self {
        self.0.insert(provider.name(), provider);
        self
    }

    pub fn get(&self, name: &str) -> Option<&dyn PaymentProvider> {
        self.0.get(name).map(|p| p.as_ref())
    }

    pub fn all(&self) -> impl Iterator<Item = &dyn PaymentProvider> {
        self.0.values().map(|p| p.as_ref())
    }

    pub(crate) fn require(&self, name: &str) -> Result<&dyn PaymentProvider> {
        self.get(name).ok_or_else(|| {
            DomainError::Internal(format!("payment provider {name} is not configured"))
        })
    }
}

/// What every ordering use case works with.
#[derive(Clone, Copy)]
pub struct Ordering<'a> {
    pub db: &'a DatabaseConnection,
    pub cache: &'a dyn Cache,
    pub providers: &'a PaymentProviders,
    pub rules: &'a OrderRules,
}

/// A courier's reading of what a merchant order holds: "손두부 ×2, 유기농 현미 310 g".
pub(crate) fn contents<'a>(lines: impl IntoIterator<Item = (&'a str, &'a str, i64)>) -> String {
    lines
        .into_iter()
        .map(|(title, unit, quantity)| match unit {
            "gram" => format!("{title} {quantity} g"),
            "ml" => format!("{title} {quantity} ml"),
            _ => format!("{title} ×{quantity}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The ledger party of a merchant or a network.
pub fn merchant_party(merchant_id: &str) -> String {
    format!("merchant:{merchant_id}")
}

pub fn network_party(network_id: &str) -> String {
    format!("network:{network_id}")
}
