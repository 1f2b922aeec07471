//! Delivery routing: co-delivery networks and the routes their couriers ride.
//!
//! Owns networks (service area, hub, waves) and their slots with bookings, couriers and
//! their vehicles, delivery tasks, the pickup-and-delivery route [`solver`], the [`planner`]
//! that feeds it and writes route batches, and what couriers do at each stop ([`batch`]).
//!
//! Does not own merchant orders: ordering creates and updates tasks through [`task`] inside
//! its own transactions, and learns of completed stops through the [`batch::StopEvents`] port
//! that the API fills in, so this crate never imports `golmok-ordering`.

pub mod batch;
pub mod benchmark;
pub mod capacity;
pub mod courier;
pub mod entities;
pub mod network;
pub mod planner;
pub mod solver;
pub mod task;

use golmok_core::ValidationErrors;
use sea_orm::DbErr;

#[derive(Debug, thiserror::Error)]
pub enum RoutingError {
    #[error(transparent)]
    Invalid(#[from] ValidationErrors),
    #[error("no {what} {id}")]
    NotFound { what: &'static str, id: String },
    #[error("{0}")]
    Forbidden(String),
    #[error("{detail}")]
    Conflict { code: &'static str, detail: String },
    /// The slot's fleet cannot carry the basket; `next_slot` can, if any does soon.
    #[error("{detail}")]
    SlotFull {
        detail: String,
        next_slot: Option<Box<network::Slot>>,
    },
    #[error(transparent)]
    Database(#[from] DbErr),
    #[error("{0}")]
    Internal(String),
}

impl RoutingError {
    pub(crate) fn not_found(what: &'static str, id: &str) -> Self {
        RoutingError::NotFound {
            what,
            id: id.to_owned(),
        }
    }
}

pub type Result<T, E = RoutingError> = std::result::Result<T, E>;
