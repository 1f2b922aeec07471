//! sea-orm entities mirroring the delivery tables of the migrations.

pub mod batch_handover;
pub mod courier;
pub mod delivery_task;
pub mod network;
pub mod plan;
pub mod route_batch;
pub mod slot_booking;
pub mod stop;
pub mod stop_proof_file;
pub mod wave;
