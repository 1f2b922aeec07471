//! Every error the API returns, as RFC 9457 `application/problem+json`.
//!
//! Domain errors are mapped to statuses here, one domain at a time and case by case; there
//! is deliberately no blanket conversion that would turn any `?` into a 500.

use std::time::Duration;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use golmok_accounts::AccountError;
use golmok_core::{FieldError, ValidationErrors};
use serde::Serialize;
use utoipa::ToSchema;

pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";
const TYPE_BASE: &str = "https://golmok.kr/problems/";

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A stable URI naming the kind of problem; its last segment is a snake_case code.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Fields that failed validation, as the client named them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<ProblemField>)]
    pub errors: Vec<FieldError>,
    /// Extension members of some problems: the numbers behind a conflict, such as
    /// `authorized_krw` and `required_krw` when a weighed order exceeds its authorisation.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub extensions: Option<serde_json::Value>,
}

/// One failed field of a request.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemField {
    pub field: String,
    pub message: String,
}

/// An error on its way to becoming a problem response. Boxed: handlers return it in every
/// `Result`, and most of its fields are rarely set.
#[derive(Debug)]
pub struct ApiError(Box<Details>);

#[derive(Debug)]
struct Details {
    status: StatusCode,
    code: &'static str,
    detail: String,
    errors: Vec<FieldError>,
    retry_after: Option<Duration>,
    challenge: Option<&'static str>,
    extensions: Option<serde_json::Value>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        Self(Box::new(Details {
            status,
            code,
            detail: detail.into(),
            errors: Vec::new(),
            retry_after: None,
            challenge: None,
            extensions: None,
        }))
    }

    /// Adds extension members (an object) to the problem body.
    pub fn with_extensions(mut self, extensions: Option<serde_json::Value>) -> Self {
        self.0.extensions = extensions.filter(serde_json::Value::is_object);
        self
    }

    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, detail)
    }

    pub fn unauthorized(code: &'static str, detail: impl Into<String>) -> Self {
        let mut err = Self::new(StatusCode::UNAUTHORIZED, code, detail);
        err.0.challenge = Some(if code == "invalid_token" {
            "Bearer error=\"invalid_token\""
        } else {
            "Bearer"
        });
        err
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", detail)
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", detail)
    }

    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, detail)
    }

    pub fn invalid(errors: ValidationErrors) -> Self {
        let mut err = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            "some fields are not valid; see `errors`",
        );
        err.0.errors = errors.0;
        err
    }

    pub fn invalid_field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::invalid(ValidationErrors::single(field, message))
    }

    pub fn too_many_requests(detail: impl Into<String>, retry_after: Duration) -> Self {
        let mut err = Self::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", detail);
        err.0.retry_after = Some(retry_after);
        err
    }

    /// A failure that is ours, not the client's: logged in full, told in general terms.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "request failed");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "something went wrong on our side; it has been logged",
        )
    }

    pub fn with_field(mut self, field: impl Into<String>, message: impl Into<String>) -> Self {
        self.0.errors.push(FieldError {
            field: field.into(),
            message: message.into(),
        });
        self
    }

    pub fn status(&self) -> StatusCode {
        self.0.status
    }
}

/// A problem response for a bare status, used when something other than a handler (axum's
/// router, a timeout, a body limit) answered with an empty error.
pub fn problem_for_status(status: StatusCode, detail: impl Into<String>) -> Response {
    let code = match status {
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::REQUEST_TIMEOUT => "request_timeout",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        s if s.is_server_error() => "internal",
        _ => "bad_request",
    };
    ApiError::new(status, code, detail).into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let this = *self.0;
        let problem = Problem {
            kind: format!("{TYPE_BASE}{}", this.code),
            title: this.status.canonical_reason().unwrap_or("Error").to_owned(),
            status: this.status.as_u16(),
            detail: this.detail,
            errors: this.errors,
            extensions: this.extensions,
        };
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        let mut response = (this.status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(PROBLEM_CONTENT_TYPE),
        );
        if let Some(retry_after) = this.retry_after
            && let Ok(v) = HeaderValue::from_str(&retry_after.as_secs().max(1).to_string())
        {
            headers.insert(header::RETRY_AFTER, v);
        }
        if let Some(challenge) = this.challenge {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(challenge),
            );
        }
        response
    }
}

impl From<ValidationErrors> for ApiError {
    fn from(errors: ValidationErrors) -> Self {
        Self::invalid(errors)
    }
}

impl From<AccountError> for ApiError {
    fn from(err: AccountError) -> Self {
        match err {
            AccountError::Invalid(errors) => Self::invalid(errors),
            AccountError::EmailTaken => Self::conflict("email_taken", err.to_string())
                .with_field("email", "is already registered"),
            AccountError::BadCredentials => Self::unauthorized("bad_credentials", err.to_string()),
            AccountError::TooManyAttempts { retry_after } => {
                Self::too_many_requests(err.to_string(), retry_after)
            }
            AccountError::Unauthenticated(_) => {
                Self::unauthorized("invalid_token", err.to_string())
            }
            AccountError::NotFound(_) => Self::not_found(err.to_string()),
            AccountError::Database(_) | AccountError::Internal(_) => Self::internal(err),
        }
    }
}

impl From<golmok_catalog::CatalogError> for ApiError {
    fn from(err: golmok_catalog::CatalogError) -> Self {
        use golmok_catalog::CatalogError;
        match err {
            CatalogError::Invalid(errors) => Self::invalid(errors),
            CatalogError::NotFound { .. } => Self::not_found(err.to_string()),
            CatalogError::Forbidden(detail) => Self::forbidden(detail),
            CatalogError::Conflict { code, detail } => Self::conflict(code, detail),
            CatalogError::Database(_) | CatalogError::Internal(_) => Self::internal(err),
        }
    }
}

impl From<golmok_ordering::OrderError> for ApiError {
    fn from(err: golmok_ordering::OrderError) -> Self {
        use golmok_ordering::OrderError;
        use golmok_payments::PaymentError;
        match err {
            OrderError::Invalid(errors) => Self::invalid(errors),
            OrderError::NotFound { .. } => Self::not_found(err.to_string()),
            OrderError::Forbidden(detail) => Self::forbidden(detail),
            OrderError::Conflict {
                code,
                detail,
                details,
            } => Self::conflict(code, detail).with_extensions(details),
            OrderError::Payment(PaymentError::Declined(e)) => Self::new(
                StatusCode::PAYMENT_REQUIRED,
                "payment_declined",
                e.to_string(),
            ),
            OrderError::Payment(PaymentError::Unavailable(e)) => {
                tracing::warn!(error = %e, "payment provider unavailable");
                Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "payment_provider_unavailable",
                    "the payment provider did not answer; nothing was charged, try again",
                )
            }
            OrderError::Payment(PaymentError::NotFound(id)) => {
                Self::not_found(format!("no payment {id}"))
            }
            OrderError::Payment(PaymentError::Conflict { code, detail }) => {
                Self::conflict(code, detail)
            }
            OrderError::Payment(e @ (PaymentError::Database(_) | PaymentError::Internal(_))) => {
                Self::internal(e)
            }
            OrderError::Database(_) | OrderError::Internal(_) => Self::internal(err),
        }
    }
}

impl From<golmok_delivery_routing::RoutingError> for ApiError {
    fn from(err: golmok_delivery_routing::RoutingError) -> Self {
        use golmok_delivery_routing::RoutingError;
        match err {
            RoutingError::Invalid(errors) => Self::invalid(errors),
            RoutingError::NotFound { .. } => Self::not_found(err.to_string()),
            RoutingError::Forbidden(detail) => Self::forbidden(detail),
            RoutingError::Conflict { code, detail } => Self::conflict(code, detail),
            // With the next slot that can carry the basket, as checkout answers it.
            RoutingError::SlotFull { .. } => golmok_ordering::OrderError::from(err).into(),
            RoutingError::Database(_) | RoutingError::Internal(_) => Self::internal(err),
        }
    }
}
