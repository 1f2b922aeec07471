//! sea-orm entities mirroring the `accounts` and `sessions` tables of the migrations.
//! Kept apart from the rules in the rest of this crate, which use them.

pub mod account;
pub mod session;
