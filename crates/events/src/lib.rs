//! Events: what happened, told to whoever listens.
//!
//! Owns the outbox table and the event bus port. A use case writes its events into the outbox
//! inside its own transaction ([`outbox::record`]), so an event exists exactly when the change
//! it reports committed; the [`relay`] publishes unsent rows on the bus afterwards, and again
//! after a crash or while the bus is down, so nothing is lost (listeners may see an event
//! twice and recognise it by id). The bus is an in-process broadcast by default and Redis
//! pub/sub across replicas when configured.
//!
//! Owns what events say, typed: [`Topic`] (`order:{id}`, `merchant:{id}`, `courier:{account
//! id}`) and [`Payload`]. Does not decide who may hear them: the API and pages check listeners.

pub mod bus;
pub mod outbox;
pub mod relay;
pub mod topic;

pub use bus::{Event, EventBus, InProcessBus, RedisBus};
pub use topic::{Payload, Topic};
