//! sea-orm entities mirroring the ordering tables of the migrations.

pub mod basket;
pub mod basket_line;
pub mod claim;
pub mod claim_photo;
pub mod container_return;
pub mod coupon;
pub mod idempotency_key;
pub mod member_order;
pub mod member_order_line;
pub mod member_settlement;
pub mod merchant_order;
pub mod order;
pub mod order_event;
pub mod order_line;
pub mod stock_reservation;
pub mod weight_approval;
