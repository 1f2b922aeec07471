//! Core: the vocabulary every Golmok crate shares.
//!
//! Owns opaque ids, field-level validation errors and the rate-counter port that limits
//! repeated attempts (in-process here; Redis-backed when the scale-out path configures it).
//! Money, time windows and geo types join it as the domain crates need them.
//!
//! Owns no tables and knows nothing of HTTP or of any one domain.

pub mod id;
pub mod rate;
pub mod validation;

pub use id::new_id;
pub use rate::{InProcessRateCounter, RateCounter};
pub use validation::{FieldError, ValidationErrors};
