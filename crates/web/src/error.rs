//! What a page answers when it cannot show what was asked: an HTML page in the visitor's
//! language (rendered by the session layer, which knows the language), or a trip to the
//! sign-in page. Each domain error is mapped here, deliberately: a stranger's order is "not
//! found", never "forbidden", and a database failure is logged and shown as a 500.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use golmok_core::DomainError;

#[derive(Debug)]
pub enum PageError {
    /// Signed out: sign in, then come back to this path.
    SignIn(String),
    Forbidden,
    NotFound,
    BadRequest,
    CsrfRefused,
    /// An upload over its size.
    TooLarge,
    /// A domain refusal worth showing as it is (409/422).
    Refused {
        status: StatusCode,
        detail: String,
    },
    Internal(String),
}

/// Put on an error response for the session layer to render in the visitor's language.
#[derive(Debug, Clone)]
pub struct ErrorPage {
    pub status: StatusCode,
    pub detail: Option<String>,
}

impl PageError {
    pub fn status(&self) -> StatusCode {
        match self {
            PageError::SignIn(_) => StatusCode::SEE_OTHER,
            PageError::Forbidden | PageError::CsrfRefused => StatusCode::FORBIDDEN,
            PageError::NotFound => StatusCode::NOT_FOUND,
            PageError::BadRequest => StatusCode::BAD_REQUEST,
            PageError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            PageError::Refused { status, .. } => *status,
            PageError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status = self.status();
        let detail = match self {
            PageError::SignIn(next) => {
                let target = format!(
                    "/signin?next={}",
                    serde_urlencoded::to_string([("", next.as_str())])
                        .map(|s| s.trim_start_matches('=').to_owned())
                        .unwrap_or_default()
                );
                return (StatusCode::SEE_OTHER, [(header::LOCATION, target)]).into_response();
            }
            PageError::Internal(e) => {
                tracing::error!(error = %e, "page failed");
                None
            }
            PageError::Refused { detail, .. } => Some(detail),
            PageError::CsrfRefused => Some("csrf".to_owned()),
            _ => None,
        };
        let mut response = status.into_response();
        response
            .extensions_mut()
            .insert(ErrorPage { status, detail });
        response
    }
}

impl From<DomainError> for PageError {
    fn from(e: DomainError) -> Self {
        let refused = |status: StatusCode, detail: String| PageError::Refused { status, detail };
        match e {
            DomainError::NotFound { .. } => PageError::NotFound,
            DomainError::Forbidden(_) => PageError::Forbidden,
            DomainError::Invalid(v) => refused(StatusCode::UNPROCESSABLE_ENTITY, v.to_string()),
            DomainError::Conflict { detail, .. } => refused(StatusCode::CONFLICT, detail),
            DomainError::Unauthenticated { detail, .. } => {
                refused(StatusCode::UNAUTHORIZED, detail)
            }
            DomainError::Declined(detail) => refused(StatusCode::PAYMENT_REQUIRED, detail),
            DomainError::TooManyAttempts { detail, .. } => {
                refused(StatusCode::TOO_MANY_REQUESTS, detail)
            }
            DomainError::Unavailable { detail, .. } => {
                refused(StatusCode::SERVICE_UNAVAILABLE, detail)
            }
            DomainError::TooLarge(detail) => refused(StatusCode::PAYLOAD_TOO_LARGE, detail),
            DomainError::Database(e) => PageError::Internal(e.to_string()),
            DomainError::Internal(e) => PageError::Internal(e),
        }
    }
}

impl From<askama::Error> for PageError {
    fn from(e: askama::Error) -> Self {
        PageError::Internal(format!("rendering a template: {e}"))
    }
}

impl From<sea_orm::DbErr> for PageError {
    fn from(e: sea_orm::DbErr) -> Self {
        PageError::Internal(e.to_string())
    }
}
