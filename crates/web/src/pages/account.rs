//! The signed-in person's own account, whatever their role: the name others see them by, the
//! email they sign in with, and a new password (which signs out every other browser and app
//! of theirs).

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use golmok_accounts::Account;
use golmok_core::DomainError;
use serde::Deserialize;

use super::{Chrome, refused_if, render_with, see_other};
use crate::Pages;
use crate::error::PageError;
use crate::i18n::Texts;
use crate::session::{CsrfForm, Visitor};

#[derive(Default)]
pub struct AccountErrors {
    name: Option<&'static str>,
    email: Option<&'static str>,
    /// The current password, as typed to change the email.
    email_password: Option<&'static str>,
    current_password: Option<&'static str>,
    new_password: Option<&'static str>,
    general: Option<String>,
}

impl AccountErrors {
    fn any(&self) -> bool {
        self.name.is_some()
            || self.email.is_some()
            || self.email_password.is_some()
            || self.current_password.is_some()
            || self.new_password.is_some()
            || self.general.is_some()
    }

    fn of(t: &Texts, e: DomainError) -> Result<Self, PageError> {
        let v = match e {
            DomainError::Invalid(v) => v,
            DomainError::Conflict {
                code: "email_taken",
                ..
            } => {
                return Ok(Self {
                    email: Some(t.email_taken),
                    ..Self::default()
                });
            }
            other => return Err(other.into()),
        };
        let mut errors = Self::default();
        for f in &v.0 {
            match f.field.as_str() {
                "name" => errors.name = Some(t.err_name),
                "email" => errors.email = Some(t.err_new_email),
                "current_password" => errors.current_password = Some(t.err_current_password),
                "new_password" => errors.new_password = Some(t.err_new_password),
                _ => errors.general = Some(format!("{}: {}", f.field, f.message)),
            }
        }
        Ok(errors)
    }
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    c: Chrome,
    email: String,
    role: &'static str,
    name: String,
    /// The new email as typed (empty until one is).
    new_email: String,
    errors: AccountErrors,
    flash: Option<&'static str>,
}

/// The account page; `typed` is the name and the new email as typed.
async fn page(
    pages: &Pages,
    visitor: &Visitor,
    account: &Account,
    typed: (String, String),
    errors: AccountErrors,
    flash: Option<&'static str>,
) -> Result<Response, PageError> {
    let t = visitor.lang.texts();
    let (name, new_email) = typed;
    render_with(
        refused_if(errors.any()),
        &AccountPage {
            email: account.email.clone(),
            role: crate::format::role(t, account.role),
            name,
            new_email,
            errors,
            flash,
            c: Chrome::load(pages, visitor).await?,
        },
    )
}

fn signed_in(visitor: &Visitor) -> Result<&Account, PageError> {
    visitor
        .account
        .as_ref()
        .ok_or_else(|| PageError::SignIn(visitor.here.clone()))
}

#[derive(Deserialize)]
pub struct Saved {
    renamed: Option<String>,
    password: Option<String>,
    email: Option<String>,
}

/// `GET /account`.
pub async fn show(
    State(pages): State<Pages>,
    visitor: Visitor,
    Query(saved): Query<Saved>,
) -> Result<Response, PageError> {
    let account = signed_in(&visitor)?;
    let t = visitor.lang.texts();
    let flash = if saved.password.is_some() {
        Some(t.password_changed)
    } else if saved.email.is_some() {
        Some(t.email_changed)
    } else {
        saved.renamed.map(|_| t.name_changed)
    };
    page(
        &pages,
        &visitor,
        account,
        (account.name.clone(), String::new()),
        AccountErrors::default(),
        flash,
    )
    .await
}

#[derive(Deserialize)]
pub struct NameForm {
    #[serde(default)]
    name: String,
}

/// `POST /account/name`.
pub async fn rename(
    State(pages): State<Pages>,
    visitor: Visitor,
    CsrfForm { form, .. }: CsrfForm<NameForm>,
) -> Result<Response, PageError> {
    let account = signed_in(&visitor)?;
    match golmok_accounts::rename(&pages.db, account, &form.name).await {
        Ok(_) => Ok(see_other("/account?renamed=1")),
        Err(e) => {
            let errors = AccountErrors::of(visitor.lang.texts(), e)?;
            let typed = (form.name, String::new());
            page(&pages, &visitor, account, typed, errors, None).await
        }
    }
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

/// `POST /account/password`: changed (every other session signed out), or the page again
/// with the refusal beside its field; the passwords are never sent back.
pub async fn change_password(
    State(pages): State<Pages>,
    visitor: Visitor,
    CsrfForm { form, .. }: CsrfForm<PasswordForm>,
) -> Result<Response, PageError> {
    let account = signed_in(&visitor)?;
    let token = visitor.token.clone().unwrap_or_default();
    let changed = golmok_accounts::change_password(
        &pages.db,
        pages.login_failures.as_ref(),
        &pages.session_policy,
        account,
        &token,
        &form.current_password,
        &form.new_password,
    )
    .await;
    match changed {
        Ok(()) => Ok(see_other("/account?password=1")),
        Err(e) => {
            let errors = AccountErrors::of(visitor.lang.texts(), e)?;
            let typed = (account.name.clone(), String::new());
            page(&pages, &visitor, account, typed, errors, None).await
        }
    }
}

#[derive(Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    current_password: String,
}

/// `POST /account/email`: the email to sign in with from now on, given the current password;
/// or the page again with the refusal beside its field (the email as typed, the password not).
pub async fn change_email(
    State(pages): State<Pages>,
    visitor: Visitor,
    CsrfForm { form, .. }: CsrfForm<EmailForm>,
) -> Result<Response, PageError> {
    let account = signed_in(&visitor)?;
    let changed = golmok_accounts::change_email(
        &pages.db,
        pages.login_failures.as_ref(),
        &pages.session_policy,
        account,
        &form.current_password,
        &form.email,
    )
    .await;
    match changed {
        Ok(_) => Ok(see_other("/account?email=1")),
        Err(e) => {
            let mut errors = AccountErrors::of(visitor.lang.texts(), e)?;
            errors.email_password = errors.current_password.take();
            let typed = (account.name.clone(), form.email);
            page(&pages, &visitor, account, typed, errors, None).await
        }
    }
}

pub fn routes() -> axum::Router<crate::Pages> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/account", get(show))
        .route("/account/name", post(rename))
        .route("/account/password", post(change_password))
        .route("/account/email", post(change_email))
}
