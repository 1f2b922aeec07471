//! Delivery routing: co-delivery networks and the routes their couriers ride.
//!
//! Owns networks (service area, hub, waves) and their slots with bookings, couriers and
//! their vehicles, delivery tasks, the pickup-and-delivery route [`solver`], the [`planner`]
//! that feeds it and writes route batches, and what couriers do at each stop ([`batch`]).
//!
//! Does not own merchant orders: ordering creates and updates tasks through [`task`] inside
//! its own transactions, and learns of completed stops through the [`batch::StopEvents`] port
//! that the API fills in, so this crate never imports `golmok-ordering`.

pub mod area;
pub mod batch;
pub mod benchmark;
pub mod capacity;
pub mod courier;
pub mod entities;
pub mod network;
pub mod planner;
pub mod position;
pub mod proof;
pub mod solver;
pub mod status;
pub mod task;

pub use golmok_core::{DomainError, Result};
pub use status::{BatchStatus, StopKind, StopStatus, TaskStatus};
