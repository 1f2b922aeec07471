//! Delivery routing: co-delivery networks and the routes their couriers ride.
//!
//! Owns networks (service area, hub, waves), slots, couriers and their vehicles, delivery
//! tasks, the pickup-and-delivery route [`solver`], route batches and stop events (pickup and
//! drop-off with proof, failures).
//!
//! Does not own merchant orders: when a courier completes a stop it records an event that
//! ordering reacts to, so this crate never imports `golmok-ordering`.
//!
//! Today it holds the solver and the benchmark reader; networks, couriers and the planner that
//! feeds the solver arrive with the co-delivery work.

pub mod benchmark;
pub mod solver;
