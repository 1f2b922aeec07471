//! Core: the vocabulary every Golmok crate shares.
//!
//! Owns the one domain error every crate returns, opaque ids, money (integer won, and the one rounding rule for weighed goods),
//! coordinates and distances, field-level validation errors, keyset-paginated lists, and the
//! ports that scale out on Redis: the rate counter and the read cache (in-process
//! implementations here; the Redis ones live with the binary).
//!
//! Owns no tables and knows nothing of HTTP or of any one domain.

pub mod cache;
pub mod db;
pub mod error;
pub mod geo;
pub mod id;
pub mod money;
pub mod page;
pub mod patch;
pub mod rate;
pub mod validation;

pub use cache::{Cache, InProcessCache};
pub use error::{DomainError, Result};
pub use geo::Coordinates;
pub use id::new_id;
pub use page::Page;
pub use rate::{InProcessRateCounter, RateCounter};
pub use validation::{FieldError, ValidationErrors};
