//! The list shapes every endpoint answers with: `{items, next_cursor}`, paged by keyset
//! (`golmok_core::Page`, the same shape) or, for lists that are always short, whole
//! ([`Items::all`]).

use serde::Serialize;
use utoipa::ToSchema;

/// A list that is always whole (a network's slots, an agency list): the list shape of every
/// endpoint, with no next page.
#[derive(Debug, Serialize, ToSchema)]
pub struct Items<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> Items<T> {
    pub fn all(items: Vec<T>) -> Self {
        Self {
            items,
            next_cursor: None,
        }
    }
}
