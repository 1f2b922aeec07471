//! Ordering: from a shopper's basket to merchant orders.
//!
//! Owns checkout (one order across several shops of one consortium, one payment, one
//! merchant order per shop), stock reservations, the order and merchant-order state
//! machines, weighing of refill lines and the idempotency of order writes.
//!
//! Does not own prices, stock levels or consortium status (asked of `golmok-catalog`),
//! money movement (done through `golmok-payments`), or routes (`golmok-delivery-routing`);
//! none of those crates call back into this one.
