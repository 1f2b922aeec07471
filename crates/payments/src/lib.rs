//! Payments: moving money, and the ledger that records it.
//!
//! Owns the payment-provider trait with its offline (embedded default) and Stripe
//! implementations, authorisations, captures, voids, refunds, merchant payouts, Stripe
//! webhooks and a double-entry ledger in integer won.
//!
//! Takes amounts and references, never orders: it does not know what was bought.
