//! Cookie sessions and CSRF.
//!
//! `golmok_session` holds the same opaque token a bearer client holds (HttpOnly,
//! SameSite=Lax, Secure behind TLS), so a page session is revoked exactly like an API one.
//! `golmok_visitor` is a random id every browser gets on its first page: the owner of its
//! basket before sign-in, and the secret an anonymous form's CSRF token derives from.
//! `golmok_lang` remembers the language chosen.
//!
//! CSRF: every form that writes carries a token derived from the session token (or the visitor
//! id when signed out) that only pages of this origin can read; a POST whose token does not
//! match is refused with 403 before anything runs. SameSite=Lax is the second line.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header, request::Parts};
use axum::middleware::Next;
use axum::response::Response;
use golmok_accounts::{Account, Role};
use golmok_ordering::basket::BasketOwner;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use crate::Pages;
use crate::error::{ErrorPage, PageError};
use crate::i18n::Lang;

pub const SESSION_COOKIE: &str = "golmok_session";
pub const VISITOR_COOKIE: &str = "golmok_visitor";
pub const LANG_COOKIE: &str = "golmok_lang";
/// The form field (and `X-CSRF-Token` header, for htmx) carrying the CSRF token.
pub const CSRF_FIELD: &str = "csrf";

/// Who is asking, as every page handler sees it.
#[derive(Debug, Clone)]
pub struct Visitor {
    pub account: Option<Account>,
    pub token: Option<String>,
    pub visitor_id: String,
    pub lang: Lang,
    pub csrf: String,
    /// Cookies should carry `Secure`.
    pub secure: bool,
    /// The path and query of this request, for "sign in and come back".
    pub here: String,
    /// The client's network address, for the sign-in and sign-up limits.
    pub address: Option<std::net::IpAddr>,
}

impl Visitor {
    pub fn basket_owner(&self) -> BasketOwner {
        match &self.account {
            Some(a) => BasketOwner::account(&a.id),
            None => BasketOwner::visitor(&self.visitor_id),
        }
    }

    /// The signed-in account when it may act as `role`; otherwise a sign-in page (when
    /// signed out) or 403.
    pub fn require(&self, role: Role) -> Result<&Account, PageError> {
        match &self.account {
            None => Err(PageError::SignIn(self.here.clone())),
            Some(a) if a.role.may_act_as_any_of(&[role]) => Ok(a),
            Some(_) => Err(PageError::Forbidden),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Visitor {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Visitor>()
            .cloned()
            .ok_or(PageError::Internal("the session layer did not run".into()))
    }
}

pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
        .filter(|v| !v.is_empty())
}

fn csrf_for(secret: &str) -> String {
    let digest = Sha256::digest(format!("golmok-csrf:{secret}").as_bytes());
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// A `Set-Cookie` value. `max_age` 0 deletes the cookie.
pub(crate) fn set_cookie(name: &str, value: &str, max_age_secs: u64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let text =
        format!("{name}={value}; Path=/; Max-Age={max_age_secs}; HttpOnly; SameSite=Lax{secure}");
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn random_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// Whether the visitor reached us over TLS: configured so, or a proxy says so.
pub(crate) fn over_tls(settings: &crate::WebSettings, headers: &axum::http::HeaderMap) -> bool {
    settings.secure_cookies
        || headers
            .get("x-forwarded-proto")
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"))
}

/// Resolves the visitor of every page request and sets the cookies a new browser needs.
pub async fn visit(State(pages): State<Pages>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let address = crate::client::address(&parts, pages.settings.trust_forwarded_for);
    let mut request = Request::from_parts(parts, body);
    let headers = request.headers();
    let secure = over_tls(&pages.settings, headers);
    let lang = cookie(headers, LANG_COOKIE)
        .and_then(Lang::parse)
        .unwrap_or_else(|| Lang::from_accept_language(headers));
    let known_visitor = cookie(headers, VISITOR_COOKIE)
        .filter(|v| v.len() == 32 && v.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(str::to_owned);
    let offered_token = cookie(headers, SESSION_COOKIE).map(str::to_owned);
    let (account, token) = match &offered_token {
        Some(token) => match golmok_accounts::authenticate(&pages.db, token).await {
            Ok(account) => (Some(account), Some(token.clone())),
            Err(_) => (None, None),
        },
        None => (None, None),
    };
    let visitor_id = known_visitor.clone().unwrap_or_else(random_id);
    let csrf = csrf_for(token.as_deref().unwrap_or(&visitor_id));
    let here = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "/".into());
    let visitor = Visitor {
        account,
        token: token.clone(),
        visitor_id: visitor_id.clone(),
        lang,
        csrf,
        secure,
        here,
        address,
    };
    request.extensions_mut().insert(visitor.clone());
    let mut response = next.run(request).await;
    if let Some(error) = response.extensions().get::<ErrorPage>().cloned() {
        response = crate::pages::error_page(&visitor, &error);
    }
    let out = response.headers_mut();
    // A cookie whose session ended (expired, revoked elsewhere) is dropped, unless the page
    // just set a new one (a sign-in).
    let ended = offered_token.is_some() && token.is_none() && !out.contains_key(header::SET_COOKIE);
    if known_visitor.is_none() {
        out.append(
            header::SET_COOKIE,
            set_cookie(VISITOR_COOKIE, &visitor_id, 30 * 24 * 3600, secure),
        );
    }
    if ended {
        out.append(
            header::SET_COOKIE,
            set_cookie(SESSION_COOKIE, "", 0, secure),
        );
    }
    response
}

/// A file sent from a form (`multipart/form-data`) with its CSRF token checked: the bytes of
/// its one file field, empty when no file was chosen. Over `limit` bytes is
/// [`PageError::TooLarge`]. A form sent URL-encoded (a page opened before its form took a
/// file) is read as one without a file.
pub struct CsrfUpload {
    pub file: Bytes,
    /// The form's other fields, as text.
    pub fields: std::collections::HashMap<String, String>,
}

impl CsrfUpload {
    /// Reads the form: its `csrf` field must match, `file_field` is the file.
    pub async fn read(request: Request, file_field: &str, limit: usize) -> Result<Self, PageError> {
        let expected = request
            .extensions()
            .get::<Visitor>()
            .map(|v| v.csrf.clone())
            .ok_or(PageError::Internal("the session layer did not run".into()))?;
        let url_encoded = request
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
        if url_encoded {
            let CsrfForm { form, .. } =
                CsrfForm::<std::collections::HashMap<String, String>>::from_request(request, &())
                    .await?;
            return Ok(Self {
                file: Bytes::new(),
                fields: form,
            });
        }
        let mut form = axum::extract::Multipart::from_request(request, &())
            .await
            .map_err(|_| PageError::BadRequest)?;
        let (mut csrf, mut file) = (None, Bytes::new());
        let mut fields = std::collections::HashMap::new();
        loop {
            let field = match form.next_field().await {
                Ok(Some(field)) => field,
                Ok(None) => break,
                Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                    return Err(PageError::TooLarge);
                }
                Err(_) => return Err(PageError::BadRequest),
            };
            let name = field.name().unwrap_or_default().to_owned();
            let bytes = field.bytes().await.map_err(|e| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    PageError::TooLarge
                } else {
                    PageError::BadRequest
                }
            })?;
            if name == CSRF_FIELD {
                csrf = Some(String::from_utf8_lossy(&bytes).into_owned());
            } else if name == file_field {
                file = bytes;
            } else if bytes.len() <= 4096 {
                fields.insert(name, String::from_utf8_lossy(&bytes).into_owned());
            }
        }
        if csrf.as_deref() != Some(expected.as_str()) {
            return Err(PageError::CsrfRefused);
        }
        if file.len() > limit {
            return Err(PageError::TooLarge);
        }
        Ok(Self { file, fields })
    }
}

/// A urlencoded form whose CSRF token was checked before it was parsed; `T` never sees the
/// token. Also keeps the raw body, which idempotent writes hash.
pub struct CsrfForm<T> {
    pub form: T,
    pub raw: Bytes,
}

impl<T, S> FromRequest<S> for CsrfForm<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = PageError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let expected = request
            .extensions()
            .get::<Visitor>()
            .map(|v| v.csrf.clone())
            .ok_or(PageError::Internal("the session layer did not run".into()))?;
        let header_token = request
            .headers()
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let raw = Bytes::from_request(request, state)
            .await
            .map_err(|_| PageError::BadRequest)?;
        let pairs: Vec<(String, String)> = form_pairs(&raw);
        let sent = pairs
            .iter()
            .find(|(k, _)| k == CSRF_FIELD)
            .map(|(_, v)| v.clone())
            .or(header_token);
        if sent.as_deref() != Some(expected.as_str()) {
            return Err(PageError::CsrfRefused);
        }
        let rest: Vec<(String, String)> =
            pairs.into_iter().filter(|(k, _)| k != CSRF_FIELD).collect();
        let encoded = serde_urlencoded::to_string(&rest).map_err(|_| PageError::BadRequest)?;
        let form = serde_urlencoded::from_str(&encoded).map_err(|_| PageError::BadRequest)?;
        Ok(CsrfForm { form, raw })
    }
}

/// Every value a form sent under `key` (its ticked checkboxes), from a [`CsrfForm`]'s raw
/// body: the struct a form parses into holds one value a field.
pub fn all_values(raw: &[u8], key: &str) -> Vec<String> {
    form_pairs(raw)
        .into_iter()
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v)
        .collect()
}

fn form_pairs(raw: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(raw).unwrap_or_default()
}

/// A path on this site to return to; anything else (another host, `//evil`) becomes `/`.
pub fn local_path(next: Option<&str>) -> String {
    match next {
        Some(p) if p.starts_with('/') && !p.starts_with("//") && !p.contains('\\') => p.to_owned(),
        _ => "/".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_read_by_exact_name() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("golmok_lang=en; golmok_session=gs_abc; x=1"),
        );
        assert_eq!(cookie(&headers, SESSION_COOKIE), Some("gs_abc"));
        assert_eq!(cookie(&headers, LANG_COOKIE), Some("en"));
        assert_eq!(cookie(&headers, "golmok"), None);
    }

    #[test]
    fn csrf_tokens_differ_per_secret_and_are_stable() {
        assert_eq!(csrf_for("a"), csrf_for("a"));
        assert_ne!(csrf_for("a"), csrf_for("b"));
        assert_eq!(csrf_for("a").len(), 32);
    }

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(local_path(Some("/checkout")), "/checkout");
        assert_eq!(local_path(Some("//evil.example")), "/");
        assert_eq!(local_path(Some("https://evil.example")), "/");
        assert_eq!(local_path(None), "/");
    }

    #[test]
    fn session_cookies_are_http_only_and_lax() {
        let c = set_cookie(SESSION_COOKIE, "t", 60, true);
        let c = c.to_str().unwrap_or_default();
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && c.contains("Secure"));
        let plain = set_cookie(SESSION_COOKIE, "t", 60, false);
        assert!(!plain.to_str().unwrap_or_default().contains("Secure"));
    }
}
