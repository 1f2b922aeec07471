//! What a page answers when it cannot show what was asked: an HTML page in the visitor's
//! language (rendered by the session layer, which knows the language), or a trip to the
//! sign-in page. Each domain error is mapped here, deliberately: a stranger's order is "not
//! found", never "forbidden", and a database failure is logged and shown as a 500.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use golmok_catalog::CatalogError;
use golmok_delivery_routing::RoutingError;
use golmok_ordering::OrderError;

#[derive(Debug)]
pub enum PageError {
    /// Signed out: sign in, then come back to this path.
    SignIn(String),
    Forbidden,
    NotFound,
    BadRequest,
    CsrfRefused,
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

impl From<CatalogError> for PageError {
    fn from(e: CatalogError) -> Self {
        match e {
            CatalogError::NotFound { .. } => PageError::NotFound,
            CatalogError::Forbidden(_) => PageError::Forbidden,
            CatalogError::Invalid(v) => PageError::Refused {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                detail: v.to_string(),
            },
            CatalogError::Conflict { detail, .. } => PageError::Refused {
                status: StatusCode::CONFLICT,
                detail,
            },
            CatalogError::Database(e) => PageError::Internal(e.to_string()),
            CatalogError::Internal(e) => PageError::Internal(e),
        }
    }
}

impl From<OrderError> for PageError {
    fn from(e: OrderError) -> Self {
        match e {
            OrderError::NotFound { .. } => PageError::NotFound,
            OrderError::Forbidden(_) => PageError::Forbidden,
            OrderError::Invalid(v) => PageError::Refused {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                detail: v.to_string(),
            },
            OrderError::Conflict { detail, .. } => PageError::Refused {
                status: StatusCode::CONFLICT,
                detail,
            },
            OrderError::Payment(e) => PageError::Refused {
                status: StatusCode::PAYMENT_REQUIRED,
                detail: e.to_string(),
            },
            OrderError::Database(e) => PageError::Internal(e.to_string()),
            OrderError::Internal(e) => PageError::Internal(e),
        }
    }
}

impl From<RoutingError> for PageError {
    fn from(e: RoutingError) -> Self {
        match e {
            RoutingError::NotFound { .. } => PageError::NotFound,
            RoutingError::Forbidden(_) => PageError::Forbidden,
            RoutingError::Invalid(v) => PageError::Refused {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                detail: v.to_string(),
            },
            RoutingError::Conflict { detail, .. } => PageError::Refused {
                status: StatusCode::CONFLICT,
                detail,
            },
            RoutingError::SlotFull { detail, .. } => PageError::Refused {
                status: StatusCode::CONFLICT,
                detail,
            },
            RoutingError::Database(e) => PageError::Internal(e.to_string()),
            RoutingError::Internal(e) => PageError::Internal(e),
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
