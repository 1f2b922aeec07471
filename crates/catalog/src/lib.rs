//! Catalog: what Golmok sells and who sells it.
//!
//! Owns support agencies and their districts, consortia (협업체) and the membership rule
//! that makes one `active` (five or more members, small businesses together with
//! social-economy enterprises), merchants, listings with their stock and prices (including
//! refill goods sold by weight), campaigns (refill markets, alley festivals, promotions)
//! and listing search.
//!
//! Does not own baskets, orders or reservations (`golmok-ordering` reserves stock through
//! functions of this crate), payments, or delivery.
