//! Every error the API returns, as RFC 9457 `application/problem+json`.
//!
//! Domain errors are mapped to statuses here, one domain at a time and case by case; there
//! is deliberately no blanket conversion that would turn any `?` into a 500.

use std::time::Duration;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use golmok_core::{DomainError, FieldError, ValidationErrors};
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

/// The one mapping from a domain error to a problem: every route and the webhooks use it.
impl From<DomainError> for ApiError {
    fn from(err: DomainError) -> Self {
        match err {
            DomainError::Invalid(errors) => Self::invalid(errors),
            DomainError::NotFound { .. } => Self::not_found(err.to_string()),
            DomainError::Forbidden(detail) => Self::forbidden(detail),
            DomainError::Unauthenticated { code, detail } => Self::unauthorized(code, detail),
            DomainError::Conflict {
                code,
                detail,
                details,
                field,
            } => {
                // The field at fault carries the conflict's own words: a taken email and a
                // courier too small for a route are refused for different reasons.
                let message = detail.clone();
                let err = Self::conflict(code, detail).with_extensions(details);
                match field {
                    Some(field) => err.with_field(field, message),
                    None => err,
                }
            }
            DomainError::Declined(detail) => {
                Self::new(StatusCode::PAYMENT_REQUIRED, "payment_declined", detail)
            }
            DomainError::TooManyAttempts {
                detail,
                retry_after,
            } => Self::too_many_requests(detail, retry_after),
            DomainError::Unavailable { code, detail } => {
                Self::new(StatusCode::SERVICE_UNAVAILABLE, code, detail)
            }
            DomainError::TooLarge(detail) => {
                Self::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", detail)
            }
            DomainError::Database(_) | DomainError::Internal(_) => Self::internal(err),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    async fn problem_of(err: DomainError) -> (StatusCode, HeaderValue, serde_json::Value) {
        let response = ApiError::from(err).into_response();
        let status = response.status();
        let content_type = response.headers()[header::CONTENT_TYPE].clone();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, content_type, serde_json::from_slice(&body).unwrap())
    }

    /// Every variant of the domain error, with the status, problem type and members it must
    /// become. A new variant fails to compile in `From` and must be added here too.
    #[tokio::test]
    async fn every_domain_error_maps_to_its_problem() {
        let cases: Vec<(DomainError, u16, &str, serde_json::Value)> = vec![
            (
                ValidationErrors::single("email", "must be an email address").into(),
                422,
                "validation_failed",
                serde_json::json!({"errors": [{"field": "email", "message": "must be an email address"}]}),
            ),
            (
                DomainError::not_found("order", "ord_1"),
                404,
                "not_found",
                serde_json::json!({"detail": "no order ord_1"}),
            ),
            (
                DomainError::forbidden("not your shop"),
                403,
                "forbidden",
                serde_json::json!({"detail": "not your shop"}),
            ),
            (
                DomainError::Unauthenticated {
                    code: "bad_credentials",
                    detail: "email or password is wrong".into(),
                },
                401,
                "bad_credentials",
                serde_json::json!({}),
            ),
            (
                DomainError::conflict("out_of_stock", "two left")
                    .with_details(serde_json::json!({"available": 2})),
                409,
                "out_of_stock",
                serde_json::json!({"detail": "two left", "available": 2}),
            ),
            (
                DomainError::conflict("email_taken", "taken").on_field("email"),
                409,
                "email_taken",
                serde_json::json!({"errors": [{"field": "email", "message": "taken"}]}),
            ),
            (
                DomainError::Declined("payment declined: card".into()),
                402,
                "payment_declined",
                serde_json::json!({"detail": "payment declined: card"}),
            ),
            (
                DomainError::TooManyAttempts {
                    detail: "slow down".into(),
                    retry_after: Duration::from_secs(60),
                },
                429,
                "rate_limited",
                serde_json::json!({}),
            ),
            (
                DomainError::Unavailable {
                    code: "payment_provider_unavailable",
                    detail: "try again".into(),
                },
                503,
                "payment_provider_unavailable",
                serde_json::json!({}),
            ),
            (
                DomainError::TooLarge("the photo is larger than 10 MB".into()),
                413,
                "payload_too_large",
                serde_json::json!({"detail": "the photo is larger than 10 MB"}),
            ),
            (
                DomainError::Database(sea_orm::DbErr::Custom("disk full".into())),
                500,
                "internal",
                serde_json::json!({"detail": "something went wrong on our side; it has been logged"}),
            ),
            (
                DomainError::internal("invariant"),
                500,
                "internal",
                serde_json::json!({"detail": "something went wrong on our side; it has been logged"}),
            ),
        ];
        for (err, status, code, members) in cases {
            let label = format!("{err:?}");
            let (got_status, content_type, body) = problem_of(err).await;
            assert_eq!(got_status.as_u16(), status, "{label}");
            assert_eq!(content_type, PROBLEM_CONTENT_TYPE, "{label}");
            assert_eq!(body["type"], format!("{TYPE_BASE}{code}"), "{label}");
            assert_eq!(body["status"], status, "{label}");
            for (k, v) in members.as_object().unwrap() {
                assert_eq!(&body[k], v, "{label}: member {k}");
            }
        }
    }

    #[tokio::test]
    async fn a_refusal_to_wait_says_how_long_and_a_refused_token_challenges() {
        let response = ApiError::from(DomainError::TooManyAttempts {
            detail: "slow down".into(),
            retry_after: Duration::from_secs(900),
        })
        .into_response();
        assert_eq!(response.headers()[header::RETRY_AFTER], "900");
        let response = ApiError::from(DomainError::Unauthenticated {
            code: "invalid_token",
            detail: "the token is expired".into(),
        })
        .into_response();
        assert_eq!(
            response.headers()[header::WWW_AUTHENTICATE],
            "Bearer error=\"invalid_token\""
        );
    }
}
