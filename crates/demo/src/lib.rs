//! Demo: the data a fresh server starts with, and a simulated day on it.
//!
//! Owns the demo marketplace ([`seed`]: agencies, consortia on real district boundaries,
//! shops and listings, pilot co-delivery networks with couriers, sign-ins for every role) and
//! `golmok simulate` ([`simulate`]: baskets, weighing, planning and rides through the domain
//! crates' own use cases). Owns no tables and no rules: everything it writes goes through the
//! same functions the API calls, so the demo cannot hold what a user could not have made.
//! The one exception is [`history`]: weeks of past orders, made by simulated days and then
//! moved back to their dates.

pub mod history;
pub mod seed;
pub mod simulate;
