//! The page a reset link opens: whose account it is, and a new password for it. Set once,
//! it signs every session of the account out and sends the person to sign in with it. A
//! link used, replaced or expired says so and who to ask (the admin who issues them:
//! [`super::admin`]).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use golmok_core::DomainError;
use serde::Deserialize;

use super::{Chrome, render_with, see_other};
use crate::Pages;
use crate::error::PageError;
use crate::session::{CsrfForm, Visitor};

#[derive(Template)]
#[template(path = "reset.html")]
struct ResetPage {
    c: Chrome,
    token: String,
    /// The account's name and email, while the link works.
    whose: Option<(String, String)>,
    error: Option<&'static str>,
}

async fn page(
    pages: &Pages,
    visitor: &Visitor,
    token: &str,
    error: Option<&'static str>,
) -> Result<Response, PageError> {
    let (status, whose) = match golmok_accounts::reset::account_of(&pages.db, token).await {
        Ok(a) => (
            if error.is_some() {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::OK
            },
            Some((a.name, a.email)),
        ),
        Err(DomainError::NotFound { .. }) => (StatusCode::NOT_FOUND, None),
        Err(DomainError::Conflict { .. }) => (StatusCode::GONE, None),
        Err(e) => return Err(e.into()),
    };
    render_with(
        status,
        &ResetPage {
            token: token.to_owned(),
            whose,
            error,
            c: Chrome::load(pages, visitor).await?,
        },
    )
}

/// `GET /reset/{token}`.
pub async fn form(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    page(&pages, &visitor, &token, None).await
}

#[derive(Deserialize)]
pub struct NewPasswordForm {
    #[serde(default)]
    password: String,
}

/// `POST /reset/{token}`: the password set, then on to sign in; or the form again.
pub async fn set(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(token): Path<String>,
    CsrfForm { form, .. }: CsrfForm<NewPasswordForm>,
) -> Result<Response, PageError> {
    let t = visitor.lang.texts();
    let failures = pages.login_failures.as_ref();
    match golmok_accounts::reset::set_password(&pages.db, failures, &token, &form.password).await {
        Ok(_) => Ok(see_other("/signin?reset=1")),
        Err(DomainError::Invalid(_)) => page(&pages, &visitor, &token, Some(t.err_password)).await,
        // Unknown or spent: the page says which.
        Err(DomainError::NotFound { .. } | DomainError::Conflict { .. }) => {
            page(&pages, &visitor, &token, None).await
        }
        Err(e) => Err(e.into()),
    }
}

pub fn routes() -> axum::Router<crate::Pages> {
    axum::Router::new().route("/reset/{token}", axum::routing::get(form).post(set))
}
