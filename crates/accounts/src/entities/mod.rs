//! sea-orm entities mirroring the `accounts`, `sessions` and `password_resets` tables of the
//! migrations.
//! Kept apart from the rules in the rest of this crate, which use them.

pub mod account;
pub mod password_reset;
pub mod session;
