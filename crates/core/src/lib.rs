//! Core: the vocabulary every Golmok crate shares.
//!
//! Owns the one domain error every crate returns, opaque ids, money (integer won, and the one rounding rule for weighed goods),
//! Seoul's time zone and months, coordinates and distances, field-level validation errors, keyset-paginated lists, and the
//! ports that scale out on Redis: the rate counter and the read cache (in-process
//! implementations here; the Redis ones live with the binary).
//!
//! Owns no tables and knows nothing of HTTP or of any one domain.

pub mod cache;
pub mod csv;
pub mod db;
pub mod error;
pub mod geo;
pub mod id;
pub mod money;
pub mod page;
pub mod patch;
pub mod rate;
pub mod seoul;
pub mod validation;

pub use cache::{Cache, InProcessCache};
pub use error::{DomainError, Result};
pub use geo::Coordinates;
pub use id::new_id;
pub use page::Page;
pub use rate::{InProcessRateCounter, RateCounter};
pub use validation::{FieldError, ValidationErrors};

/// An enum stored as text (a status, a kind): each variant with the exact string it is
/// stored and serialised as, `as_str`, `parse` and `ALL`, and a sea-orm active enum, so an
/// entity's column can be the enum itself. A status is compared as a value and never spelled
/// twice; the database keeps the same text as before.
#[macro_export]
macro_rules! stored_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash,
            serde::Serialize, serde::Deserialize,
            sea_orm::EnumIter, sea_orm::DeriveActiveEnum,
        )]
        #[sea_orm(rs_type = "String", db_type = "Text")]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $text)] #[sea_orm(string_value = $text)] $variant ),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// As stored and serialised.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $text ),+
                }
            }

            pub fn parse(s: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s)
            }
        }

        // Written out rather than derived: the derive does not see a serde rename whose
        // text comes in through this macro, and would document the variants' Rust names.
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($text),+]))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($name))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

#[cfg(test)]
mod stored_enum_tests {
    stored_enum! {
        /// A test enum.
        pub enum Colour {
            Red = "red",
            /// Two words, stored with an underscore.
            DarkBlue = "dark_blue",
        }
    }

    #[test]
    fn stored_text_parses_back_and_serialises_the_same() {
        for c in Colour::ALL {
            assert_eq!(Colour::parse(c.as_str()), Some(*c));
            assert_eq!(serde_json::to_value(c).unwrap(), c.as_str());
        }
        assert_eq!(Colour::DarkBlue.to_string(), "dark_blue");
        assert_eq!(Colour::parse("green"), None);
        // The OpenAPI document lists what is serialised, not the Rust names.
        let schema = serde_json::to_value(<Colour as utoipa::PartialSchema>::schema()).unwrap();
        assert_eq!(schema["enum"], serde_json::json!(["red", "dark_blue"]));
        assert_eq!(<Colour as utoipa::ToSchema>::name(), "Colour");
    }
}
