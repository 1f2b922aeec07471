//! One router per domain; each handler parses, checks who is calling, calls one domain
//! function and renders its result.

pub mod accounts;
pub mod catalog;
pub mod delivery;
pub mod lists;
pub mod live;
pub mod member_trade;
pub mod ops;
pub mod ordering;
pub mod photos;
pub mod programme;
pub mod webhooks;
