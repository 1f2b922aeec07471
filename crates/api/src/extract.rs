//! Request extractors whose failures are problem+json: JSON bodies with the failing field
//! named, and the bearer session of the caller.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{StatusCode, header, request::Parts};
use golmok_accounts::{Account, Role};
use serde::de::DeserializeOwned;

use crate::error::ApiError;
use crate::state::AppState;

/// A JSON body. Unlike axum's `Json`, a failure names the field at fault: syntax errors are
/// 400, well-formed JSON of the wrong shape is 422 with `errors[].field` set.
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = json_body(req, state).await?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// A JSON body together with its raw bytes, for writes whose retries are recognised by
/// their exact body (`Idempotency-Key`).
pub struct ApiJsonBytes<T>(pub T, pub Bytes);

impl<T, S> FromRequest<S> for ApiJsonBytes<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = json_body(req, state).await?;
        let value = parse_json(&bytes)?;
        Ok(ApiJsonBytes(value, bytes))
    }
}

async fn json_body<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, ApiError> {
    let is_json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|mime| {
            let mime = mime.trim().to_ascii_lowercase();
            mime == "application/json"
                || (mime.starts_with("application/") && mime.ends_with("+json"))
        })
        .unwrap_or(false);
    if !is_json {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the body as JSON with `Content-Type: application/json`",
        ));
    }
    Bytes::from_request(req, state).await.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "the request body is larger than this server accepts",
            )
        } else {
            ApiError::bad_request("unreadable_body", rejection.body_text())
        }
    })
}

/// The `Idempotency-Key` header, if sent.
pub struct IdempotencyHeader(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyHeader {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        match parts.headers.get("idempotency-key") {
            None => Ok(IdempotencyHeader(None)),
            Some(v) => v
                .to_str()
                .map(|k| IdempotencyHeader(Some(k.trim().to_owned())))
                .map_err(|_| ApiError::invalid_field("Idempotency-Key", "must be visible ASCII")),
        }
    }
}

pub(crate) fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut deserializer).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => {
                let message = strip_position(&inner.to_string());
                let field = field_of(&path, &message);
                ApiError::invalid_field(field, message)
            }
            _ => malformed(&inner),
        }
    })?;
    deserializer.end().map_err(|e| malformed(&e))?;
    Ok(value)
}

fn malformed(err: &serde_json::Error) -> ApiError {
    ApiError::bad_request(
        "malformed_json",
        format!("the body is not valid JSON: {err}"),
    )
}

/// serde_json appends " at line 1 column 42"; a client wants the field, not the column.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

/// The field a shape error is about. serde reports a missing or unknown field against the
/// object that should (not) hold it, so the field's own name is taken from the message.
fn field_of(path: &str, message: &str) -> String {
    let named = ["missing field `", "unknown field `"]
        .iter()
        .find_map(|prefix| message.strip_prefix(prefix))
        .and_then(|rest| rest.split('`').next());
    match (path, named) {
        (".", Some(name)) => name.to_owned(),
        (".", None) => String::new(),
        (path, Some(name)) if !path.ends_with(name) => format!("{path}.{name}"),
        (path, _) => path.to_owned(),
    }
}

/// Query parameters, with the same field-naming 422s as [`ApiJson`] and unknown parameters
/// refused (a typo in a filter should not silently return everything).
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let deserializer =
            serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(deserializer)
            .map(ApiQuery)
            .map_err(|err| {
                let path = err.path().to_string();
                let message = err.into_inner().to_string();
                ApiError::invalid_field(field_of(&path, &message), message)
            })
    }
}

/// The caller, from `Authorization: Bearer <token>`.
pub struct Session {
    pub account: Account,
    pub token: String,
}

impl Session {
    /// The one place roles are checked: `allowed` may act, and so may an admin.
    pub fn require(&self, allowed: &[Role]) -> Result<&Account, ApiError> {
        if self.account.role.may_act_as_any_of(allowed) {
            Ok(&self.account)
        } else {
            let names: Vec<_> = allowed.iter().map(|r| r.as_str()).collect();
            Err(ApiError::forbidden(format!(
                "this needs the role {}; you are {}",
                names.join(" or "),
                self.account.role
            )))
        }
    }
}

impl FromRequestParts<AppState> for Session {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let header = parts.headers.get(header::AUTHORIZATION).ok_or_else(|| {
            ApiError::unauthorized("missing_token", "send `Authorization: Bearer <token>`")
        })?;
        let token = header
            .to_str()
            .ok()
            .and_then(|v| {
                let (scheme, token) = v.split_once(' ')?;
                scheme
                    .eq_ignore_ascii_case("bearer")
                    .then(|| token.trim().to_owned())
            })
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                ApiError::unauthorized(
                    "missing_token",
                    "the Authorization header must be `Bearer <token>`",
                )
            })?;
        let account = golmok_accounts::authenticate(&state.db, &token).await?;
        Ok(Session { account, token })
    }
}

/// The caller if they sent a token (a public page read by a signed-in visitor shows them a
/// little more); no header is no one, a bad token is still 401.
pub struct MaybeSession(pub Option<Account>);

impl FromRequestParts<AppState> for MaybeSession {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if parts.headers.get(header::AUTHORIZATION).is_none() {
            return Ok(MaybeSession(None));
        }
        Ok(MaybeSession(Some(
            Session::from_request_parts(parts, state).await?.account,
        )))
    }
}

/// Who is asking, for the per-address sign-in and sign-up limits: the connection's peer, or
/// the address a trusted proxy forwarded (`server.trust_forwarded_for`).
pub struct Requester(pub golmok_accounts::Requester);

impl FromRequestParts<AppState> for Requester {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let address = golmok_web::client::address(parts, state.settings.server.trust_forwarded_for);
        Ok(Requester(golmok_accounts::Requester { address }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::response::IntoResponse;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        email: String,
        items: Vec<Item>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Item {
        quantity: u32,
    }

    async fn problem(err: ApiError) -> (u16, serde_json::Value) {
        let response = err.into_response();
        let status = response.status().as_u16();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        (status, serde_json::from_slice(&body).unwrap())
    }

    #[tokio::test]
    async fn syntax_errors_are_400() {
        let (status, body) = problem(parse_json::<Body>(b"{\"email\": ").unwrap_err()).await;
        assert_eq!(status, 400);
        assert_eq!(body["type"], "https://golmok.kr/problems/malformed_json");
    }

    #[tokio::test]
    async fn shape_errors_are_422_naming_the_field() {
        for (input, field) in [
            (r#"{"items": []}"#, "email"),
            (r#"{"email": 5, "items": []}"#, "email"),
            (
                r#"{"email": "a", "items": [{"quantity": -1}]}"#,
                "items[0].quantity",
            ),
            (
                r#"{"email": "a", "items": [{"quantity": 1, "colour": "red"}]}"#,
                "items[0].colour",
            ),
            (r#"{"email": "a", "items": [], "extra": true}"#, "extra"),
            (r#"{"email": "a", "items": [{}]}"#, "items[0].quantity"),
        ] {
            let (status, body) = problem(parse_json::<Body>(input.as_bytes()).unwrap_err()).await;
            assert_eq!(status, 422, "{input}");
            assert_eq!(body["errors"][0]["field"], field, "{input}: {body}");
        }
    }

    #[tokio::test]
    async fn trailing_garbage_is_malformed() {
        let (status, _) = problem(parse_json::<Item>(br#"{"quantity": 1} x"#).unwrap_err()).await;
        assert_eq!(status, 400);
    }
}
