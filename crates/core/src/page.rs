//! Lists: `{items, next_cursor}` with a limit and an opaque keyset cursor, so a page never
//! loses or repeats an item when others are added meanwhile.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::ValidationErrors;

pub const DEFAULT_LIMIT: u64 = 20;
pub const MAX_LIMIT: u64 = 100;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next_cursor: self.next_cursor,
        }
    }
}

/// The `?limit=` of a list, checked: 1 to 100, 20 when absent.
pub fn limit(requested: Option<u64>) -> Result<u64, ValidationErrors> {
    match requested {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        Some(_) => Err(ValidationErrors::single(
            "limit",
            format!("must be between 1 and {MAX_LIMIT}"),
        )),
    }
}

/// Cuts rows fetched with `LIMIT limit + 1` down to one page, and returns the cursor after
/// its last row when more rows follow. `key` gives the row's position in the list's order.
pub fn cut<T, K: Serialize>(
    rows: &mut Vec<T>,
    limit: u64,
    key: impl Fn(&T) -> K,
) -> Option<String> {
    let has_more = rows.len() as u64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    if has_more {
        rows.last().map(|r| encode_cursor(&key(r)))
    } else {
        None
    }
}

/// Encodes the position after the last item of a page.
pub fn encode_cursor<K: Serialize>(key: &K) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(key).unwrap_or_default())
}

/// Decodes a cursor made by [`encode_cursor`] for the same kind of list.
pub fn decode_cursor<K: DeserializeOwned>(cursor: &str) -> Result<K, ValidationErrors> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(|| ValidationErrors::single("cursor", "is not a cursor this list handed out"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_foreign_ones_are_refused() {
        let key = (42i64, "lst_1".to_owned());
        let cursor = encode_cursor(&key);
        assert_eq!(decode_cursor::<(i64, String)>(&cursor).unwrap(), key);
        assert!(decode_cursor::<(i64, String)>("garbage!").is_err());
        assert!(decode_cursor::<(i64, String)>(&encode_cursor(&"other")).is_err());
    }

    #[test]
    fn a_page_ends_with_a_cursor_only_when_more_follow() {
        let mut rows = vec![1, 2, 3];
        assert_eq!(cut(&mut rows, 2, |r| *r), Some(encode_cursor(&2)));
        assert_eq!(rows, [1, 2]);
        let mut rows = vec![1, 2];
        assert_eq!(cut(&mut rows, 2, |r| *r), None);
        assert_eq!(rows, [1, 2]);
    }

    #[test]
    fn limits_default_and_are_bounded() {
        assert_eq!(limit(None).unwrap(), 20);
        assert_eq!(limit(Some(100)).unwrap(), 100);
        assert!(limit(Some(0)).is_err());
        assert!(limit(Some(101)).is_err());
    }
}
