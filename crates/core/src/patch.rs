//! Partial updates: in a PATCH body a field left out keeps its value, and `null` clears it.

use serde::{Deserialize, Deserializer};

/// For `Option<Option<T>>` fields with `#[serde(default, deserialize_with = "golmok_core::patch::nullable")]`:
/// absent → `None`, `null` → `Some(None)`, a value → `Some(Some(v))`.
pub fn nullable<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct Patch {
        #[serde(default, deserialize_with = "super::nullable")]
        note: Option<Option<String>>,
    }

    #[test]
    fn absent_null_and_value_are_three_things() {
        let p = |s: &str| serde_json::from_str::<Patch>(s).unwrap().note;
        assert_eq!(p("{}"), None);
        assert_eq!(p(r#"{"note": null}"#), Some(None));
        assert_eq!(p(r#"{"note": "x"}"#), Some(Some("x".into())));
    }
}
