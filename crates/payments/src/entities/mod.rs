//! sea-orm entities mirroring the payment and ledger tables of the migrations.

pub mod connected_account;
pub mod ledger_entry;
pub mod ledger_transaction;
pub mod payment;
pub mod payout;
pub mod provider_call;
pub mod refund;
pub mod stripe_event;
pub mod transfer;
