//! The one error every domain crate returns. Each variant says what went wrong in the
//! domain's terms; the API and the pages decide what status, body or page that becomes (one
//! mapping each, in `crates/api/src/error.rs` and `crates/web/src/error.rs`).

use std::time::Duration;

use sea_orm::{DbErr, SqlErr};

use crate::validation::ValidationErrors;

#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// Input that can never succeed as it is, field by field.
    #[error(transparent)]
    Invalid(#[from] ValidationErrors),
    #[error("no {what} {id}")]
    NotFound { what: &'static str, id: String },
    /// The caller is known but may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// The caller is not known: bad credentials, or a token that is unknown, expired or
    /// revoked (`code` says which kind, for the client).
    #[error("{detail}")]
    Unauthenticated { code: &'static str, detail: String },
    /// Well-formed, but the current state does not allow it. `code` is stable for clients;
    /// `details` carries numbers a client can show; `field` names the input at fault, if one is.
    #[error("{detail}")]
    Conflict {
        code: &'static str,
        detail: String,
        details: Option<serde_json::Value>,
        field: Option<&'static str>,
    },
    /// The shopper's payment was refused by the payment provider.
    #[error("{0}")]
    Declined(String),
    /// Too many attempts; try again after `retry_after`.
    #[error("{detail}")]
    TooManyAttempts {
        detail: String,
        retry_after: Duration,
    },
    /// What was sent is larger than this kind of thing may be (a photo over 10 MB).
    #[error("{0}")]
    TooLarge(String),
    /// A service we depend on did not answer; nothing was done, the caller may retry.
    #[error("{detail}")]
    Unavailable { code: &'static str, detail: String },
    #[error(transparent)]
    Database(#[from] DbErr),
    /// A broken invariant of ours, never the caller's fault.
    #[error("{0}")]
    Internal(String),
}

pub type Result<T, E = DomainError> = std::result::Result<T, E>;

impl DomainError {
    pub fn not_found(what: &'static str, id: &str) -> Self {
        DomainError::NotFound {
            what,
            id: id.to_owned(),
        }
    }

    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        DomainError::Conflict {
            code,
            detail: detail.into(),
            details: None,
            field: None,
        }
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        DomainError::Forbidden(detail.into())
    }

    pub fn internal(detail: impl Into<String>) -> Self {
        DomainError::Internal(detail.into())
    }

    /// Adds the numbers behind a conflict (an object); other variants are left as they are.
    pub fn with_details(mut self, value: serde_json::Value) -> Self {
        if let DomainError::Conflict { details, .. } = &mut self {
            *details = Some(value);
        }
        self
    }

    /// Names the input a conflict is about, so a form can show it beside that field.
    pub fn on_field(mut self, name: &'static str) -> Self {
        if let DomainError::Conflict { field, .. } = &mut self {
            *field = Some(name);
        }
        self
    }

    /// A thing the request names that does not exist is the request's fault: the field that
    /// named it is invalid (a 422 beside the field rather than a 404 for the whole request).
    pub fn not_found_is_invalid(self, field: &str, message: &str) -> Self {
        match self {
            DomainError::NotFound { .. } => ValidationErrors::single(field, message).into(),
            other => other,
        }
    }

    /// The conflict's code, if this is one: what pages and callers branch on.
    pub fn conflict_code(&self) -> Option<&'static str> {
        match self {
            DomainError::Conflict { code, .. } => Some(code),
            _ => None,
        }
    }
}

/// A database error, unless it is a unique-constraint violation: then `taken`, the conflict
/// the constraint stands for in the domain (an email already registered, a key already used).
pub fn unless_unique(err: DbErr, taken: impl FnOnce() -> DomainError) -> DomainError {
    if is_unique_violation(&err) {
        taken()
    } else {
        DomainError::Database(err)
    }
}

pub fn is_unique_violation(err: &DbErr) -> bool {
    matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_and_field_stay_on_conflicts_only() {
        let e = DomainError::conflict("email_taken", "taken")
            .on_field("email")
            .with_details(serde_json::json!({"n": 1}));
        match e {
            DomainError::Conflict {
                code,
                field,
                details,
                ..
            } => {
                assert_eq!(code, "email_taken");
                assert_eq!(field, Some("email"));
                assert_eq!(details, Some(serde_json::json!({"n": 1})));
            }
            other => panic!("not a conflict: {other:?}"),
        }
        let e = DomainError::forbidden("no").on_field("email");
        assert!(matches!(e, DomainError::Forbidden(_)));
        assert_eq!(e.conflict_code(), None);
    }

    #[test]
    fn a_plain_database_error_is_not_a_conflict() {
        let e = unless_unique(DbErr::Custom("disk".into()), || {
            DomainError::conflict("taken", "taken")
        });
        assert!(matches!(e, DomainError::Database(_)));
    }
}
