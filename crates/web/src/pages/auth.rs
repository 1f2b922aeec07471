//! Sign-up, sign-in, sign-out and the language switch. A page session is an ordinary
//! session token in an HttpOnly cookie; the failed-login limit is the API's own.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use golmok_accounts::{IssuedToken, NewAccount, Role};
use golmok_core::DomainError;
use golmok_ordering::basket::BasketOwner;
use serde::Deserialize;

use super::{Chrome, render_with, see_other};
use crate::Pages;
use crate::error::PageError;
use crate::i18n::{Lang, Texts};
use crate::session::{CsrfForm, LANG_COOKIE, SESSION_COOKIE, Visitor, local_path, set_cookie};

#[derive(Debug, Default, Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

#[derive(Default)]
pub struct AuthErrors {
    general: Option<&'static str>,
    email: Option<&'static str>,
    password: Option<&'static str>,
    name: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "signin.html")]
struct SignInPage {
    c: Chrome,
    email: String,
    next: String,
    errors: AuthErrors,
    asked: bool,
    /// Arrived from a reset link's page, the new password set.
    reset: bool,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
    reset: Option<String>,
}

pub async fn sign_in_form(
    State(pages): State<Pages>,
    visitor: Visitor,
    Query(query): Query<NextQuery>,
) -> Result<Response, PageError> {
    let page = SignInPage {
        asked: query.next.is_some(),
        reset: query.reset.is_some(),
        email: String::new(),
        next: local_path(query.next.as_deref()),
        errors: AuthErrors::default(),
        c: Chrome::load(&pages, &visitor).await?,
    };
    render_with(StatusCode::OK, &page)
}

/// Signs the browser in: the session cookie, and the browser's basket joins the account's.
async fn start_session(
    pages: &Pages,
    visitor: &Visitor,
    account_id: &str,
    issued: IssuedToken,
    next: &str,
) -> Result<Response, PageError> {
    golmok_ordering::basket::merge(
        &pages.db,
        &BasketOwner::visitor(&visitor.visitor_id),
        &BasketOwner::account(account_id),
    )
    .await?;
    let max_age = pages.session_policy.token_ttl.as_secs();
    let mut response = see_other(next);
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, &issued.token, max_age, visitor.secure),
    );
    Ok(response)
}

pub async fn sign_in(
    State(pages): State<Pages>,
    visitor: Visitor,
    CsrfForm { form, .. }: CsrfForm<SignInForm>,
) -> Result<Response, PageError> {
    let t = visitor.lang.texts();
    let next = local_path(form.next.as_deref());
    let refused = |status: StatusCode, errors: AuthErrors| {
        SignInPage {
            asked: false,
            reset: false,
            email: form.email.clone(),
            next: next.clone(),
            errors,
            c: Chrome::of(&visitor, 0),
        }
        .render()
        .map(|html| (status, axum::response::Html(html)).into_response())
        .map_err(PageError::from)
    };
    let mut errors = AuthErrors::default();
    if form.email.trim().is_empty() {
        errors.email = Some(t.err_required);
    }
    if form.password.is_empty() {
        errors.password = Some(t.err_required);
    }
    if errors.email.is_some() || errors.password.is_some() {
        return refused(StatusCode::UNPROCESSABLE_ENTITY, errors);
    }
    let from = golmok_accounts::Requester {
        address: visitor.address,
    };
    match golmok_accounts::log_in(
        &pages.db,
        pages.login_failures.as_ref(),
        &pages.session_policy,
        from,
        &form.email,
        &form.password,
    )
    .await
    {
        Ok((account, issued)) => start_session(&pages, &visitor, &account.id, issued, &next).await,
        Err(DomainError::Unauthenticated { .. }) => refused(
            StatusCode::UNAUTHORIZED,
            AuthErrors {
                general: Some(t.bad_credentials),
                ..Default::default()
            },
        ),
        Err(DomainError::Forbidden(_)) => refused(
            StatusCode::FORBIDDEN,
            AuthErrors {
                general: Some(t.account_suspended),
                ..Default::default()
            },
        ),
        Err(DomainError::TooManyAttempts { .. }) => refused(
            StatusCode::TOO_MANY_REQUESTS,
            AuthErrors {
                general: Some(t.too_many_attempts),
                ..Default::default()
            },
        ),
        Err(DomainError::Invalid(_)) => refused(
            StatusCode::UNPROCESSABLE_ENTITY,
            AuthErrors {
                email: Some(t.err_email),
                ..Default::default()
            },
        ),
        Err(e) => Err(PageError::Internal(e.to_string())),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct SignUpForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    role: String,
    next: Option<String>,
}

#[derive(Template)]
#[template(path = "signup.html")]
struct SignUpPage {
    c: Chrome,
    name: String,
    email: String,
    role: String,
    next: String,
    errors: AuthErrors,
}

pub async fn sign_up_form(
    State(pages): State<Pages>,
    visitor: Visitor,
    Query(query): Query<NextQuery>,
) -> Result<Response, PageError> {
    let page = SignUpPage {
        name: String::new(),
        email: String::new(),
        role: "shopper".into(),
        next: local_path(query.next.as_deref()),
        errors: AuthErrors::default(),
        c: Chrome::load(&pages, &visitor).await?,
    };
    render_with(StatusCode::OK, &page)
}

/// The domain's field errors, in the page's language.
fn sign_up_errors(t: &Texts, e: &golmok_core::ValidationErrors) -> AuthErrors {
    let mut errors = AuthErrors::default();
    for f in &e.0 {
        match f.field.as_str() {
            "email" => errors.email = Some(t.err_email),
            "password" => errors.password = Some(t.err_password),
            "name" => errors.name = Some(t.err_name),
            _ => errors.general = Some(t.err_generic),
        }
    }
    errors
}

pub async fn sign_up(
    State(pages): State<Pages>,
    visitor: Visitor,
    CsrfForm { form, .. }: CsrfForm<SignUpForm>,
) -> Result<Response, PageError> {
    let t = visitor.lang.texts();
    let next = local_path(form.next.as_deref());
    let refused = |status: StatusCode, errors: AuthErrors| {
        render_with(
            status,
            &SignUpPage {
                name: form.name.clone(),
                email: form.email.clone(),
                role: form.role.clone(),
                next: next.clone(),
                errors,
                c: Chrome::of(&visitor, 0),
            },
        )
    };
    let role = match form.role.as_str() {
        "merchant" => Role::Merchant,
        "courier" => Role::Courier,
        _ => Role::Shopper,
    };
    let new = NewAccount {
        email: form.email.clone(),
        password: form.password.clone(),
        name: form.name.clone(),
        role,
    };
    let from = golmok_accounts::Requester {
        address: visitor.address,
    };
    let limits = pages.login_failures.as_ref();
    match golmok_accounts::sign_up(&pages.db, limits, &pages.session_policy, from, new).await {
        Ok((account, issued)) => start_session(&pages, &visitor, &account.id, issued, &next).await,
        Err(DomainError::Forbidden(_)) => refused(
            StatusCode::FORBIDDEN,
            AuthErrors {
                general: Some(t.account_suspended),
                ..Default::default()
            },
        ),
        Err(DomainError::TooManyAttempts { .. }) => refused(
            StatusCode::TOO_MANY_REQUESTS,
            AuthErrors {
                general: Some(t.too_many_attempts),
                ..Default::default()
            },
        ),
        Err(DomainError::Invalid(e)) => {
            refused(StatusCode::UNPROCESSABLE_ENTITY, sign_up_errors(t, &e))
        }
        Err(DomainError::Conflict {
            code: "email_taken",
            ..
        }) => refused(
            StatusCode::CONFLICT,
            AuthErrors {
                email: Some(t.email_taken),
                ..Default::default()
            },
        ),
        Err(e) => Err(PageError::Internal(e.to_string())),
    }
}

#[derive(Deserialize)]
pub struct SignOutForm {}

/// Revokes the session (everywhere it is used) and drops the cookie.
pub async fn sign_out(
    State(pages): State<Pages>,
    visitor: Visitor,
    CsrfForm { .. }: CsrfForm<SignOutForm>,
) -> Result<Response, PageError> {
    if let Some(token) = &visitor.token {
        golmok_accounts::log_out(&pages.db, token)
            .await
            .map_err(|e| PageError::Internal(e.to_string()))?;
    }
    let mut response = see_other("/");
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", 0, visitor.secure),
    );
    Ok(response)
}

#[derive(Deserialize)]
pub struct LanguageQuery {
    to: String,
    next: Option<String>,
}

/// `GET /lang?to=en&next=/basket`: remembers the language for a year and goes back. A GET,
/// since it changes only this browser's preference and must work as a plain link.
pub async fn switch_language(
    visitor: Visitor,
    Query(query): Query<LanguageQuery>,
) -> Result<Response, PageError> {
    let lang = Lang::parse(&query.to).ok_or(PageError::BadRequest)?;
    let mut response = see_other(&local_path(query.next.as_deref()));
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(LANG_COOKIE, lang.code(), 365 * 24 * 3600, visitor.secure),
    );
    Ok(response)
}

/// Signing in and out, signing up, and the language switch.
pub fn routes() -> axum::Router<crate::Pages> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/signin", get(sign_in_form).post(sign_in))
        .route("/signup", get(sign_up_form).post(sign_up))
        .route("/signout", post(sign_out))
        .route("/lang", get(switch_language))
}
