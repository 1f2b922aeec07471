//! The Golmok API: HTTP for every domain crate, and the `golmok` binary.
//!
//! Owns routing, authentication of requests (the bearer header; the rules live in
//! `golmok-accounts`), problem+json errors, request ids, logs and metrics, the OpenAPI
//! document, Server-Sent Events, configuration and the command line. As the composition
//! root it also owns the Redis adapters behind the core ports (`scale_out`) and the planning
//! job stream (`planning`), and the background jobs with their schedule (`jobs`). Handlers parse, check the caller, call one domain function and
//! render; no business rule lives here.

pub mod app;
pub mod backup;
pub mod config;
pub mod db;
pub mod error;
pub mod extract;
pub mod jobs;
pub mod listen;
pub mod planning;
pub mod routes;
pub mod scale_out;
pub mod state;
pub mod telemetry;

pub use app::{openapi, router, serve, shutdown_signal};
pub use config::Settings;
pub use state::AppState;
