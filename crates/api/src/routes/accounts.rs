use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use golmok_accounts::{Account, NewAccount, Registration, Role};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiQuery, Requester, Session};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(sign_up))
        .routes(routes!(log_in))
        .routes(routes!(log_out))
        .routes(routes!(me, rename))
        .routes(routes!(change_password))
        .routes(routes!(change_email))
        .routes(routes!(create_account, list_accounts))
        .routes(routes!(suspend_account))
        .routes(routes!(reinstate_account))
        .routes(routes!(issue_password_reset))
        .routes(routes!(reset_password))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccountView {
    pub id: String,
    pub email: String,
    pub name: String,
    /// `shopper`, `merchant`, `courier`, `coordinator` or `admin`.
    pub role: String,
    pub created_at: DateTime<Utc>,
    /// Since when an admin has kept it from signing in; absent for an account in use.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suspended_at: Option<DateTime<Utc>>,
}

impl From<Account> for AccountView {
    fn from(a: Account) -> Self {
        Self {
            id: a.id,
            email: a.email,
            name: a.name,
            role: a.role.as_str().to_owned(),
            created_at: a.created_at,
            suspended_at: a.suspended_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAccountRequest {
    pub email: String,
    /// 8 to 128 characters.
    pub password: String,
    pub name: String,
    /// At signup: `shopper`, `merchant` or `courier`. An admin may also create `coordinator`
    /// and `admin` accounts.
    pub role: String,
}

impl NewAccountRequest {
    fn into_new_account(self) -> Result<NewAccount, ApiError> {
        let role: Role = self.role.parse().map_err(|_| {
            ApiError::invalid_field(
                "role",
                "must be one of shopper, merchant, courier, coordinator, admin",
            )
        })?;
        Ok(NewAccount {
            email: self.email,
            password: self.password,
            name: self.name,
            role,
        })
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionView {
    pub account: AccountView,
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// Create a shopper, merchant or courier account and sign in.
#[utoipa::path(post, path = "/v1/auth/signup", tag = "accounts",
    request_body = NewAccountRequest,
    responses(
        (status = 201, body = SessionView),
        (status = 409, description = "email already registered", body = Problem),
        (status = 422, body = Problem),
        (status = 429, description = "too many sign-ups from this address", body = Problem),
    ))]
async fn sign_up(
    State(state): State<AppState>,
    Requester(from): Requester,
    ApiJson(body): ApiJson<NewAccountRequest>,
) -> Result<(StatusCode, Json<SessionView>), ApiError> {
    let new = body.into_new_account()?;
    let (account, issued) = golmok_accounts::sign_up(
        &state.db,
        state.login_failures.as_ref(),
        &state.settings.session_policy(),
        from,
        new,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(SessionView {
            account: account.into(),
            token: issued.token,
            expires_at: issued.expires_at,
        }),
    ))
}

/// Sign in with email and password.
#[utoipa::path(post, path = "/v1/auth/login", tag = "accounts",
    request_body = LoginRequest,
    responses(
        (status = 200, body = SessionView),
        (status = 401, description = "email or password wrong (indistinguishable)", body = Problem),
        (status = 403, description = "the right password for an account an admin suspended", body = Problem),
        (status = 429, description = "too many failed attempts for this email or from this address", body = Problem),
    ))]
async fn log_in(
    State(state): State<AppState>,
    Requester(from): Requester,
    ApiJson(body): ApiJson<LoginRequest>,
) -> Result<Json<SessionView>, ApiError> {
    let (account, issued) = golmok_accounts::log_in(
        &state.db,
        state.login_failures.as_ref(),
        &state.settings.session_policy(),
        from,
        &body.email,
        &body.password,
    )
    .await?;
    Ok(Json(SessionView {
        account: account.into(),
        token: issued.token,
        expires_at: issued.expires_at,
    }))
}

/// Revoke the token this request carries.
#[utoipa::path(post, path = "/v1/auth/logout", tag = "accounts",
    security(("bearer" = [])),
    responses((status = 204), (status = 401, body = Problem)))]
async fn log_out(State(state): State<AppState>, session: Session) -> Result<StatusCode, ApiError> {
    golmok_accounts::log_out(&state.db, &session.token).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The calling account.
#[utoipa::path(get, path = "/v1/me", tag = "accounts",
    security(("bearer" = [])),
    responses((status = 200, body = AccountView), (status = 401, body = Problem)))]
async fn me(session: Session) -> Json<AccountView> {
    Json(session.account.into())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rename {
    pub name: String,
}

/// A new name for the signed-in account.
#[utoipa::path(patch, path = "/v1/me", tag = "accounts",
    security(("bearer" = [])),
    request_body = Rename,
    responses((status = 200, body = AccountView), (status = 401, body = Problem), (status = 422, body = Problem)))]
async fn rename(
    State(state): State<AppState>,
    session: Session,
    ApiJson(body): ApiJson<Rename>,
) -> Result<Json<AccountView>, ApiError> {
    Ok(Json(
        golmok_accounts::rename(&state.db, &session.account, &body.name)
            .await?
            .into(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

/// A new password, given the current one; every other session of the account is signed out
/// (this one stays). A wrong current password is a 422 on `current_password` and counts as a
/// failed login.
#[utoipa::path(post, path = "/v1/me/password", tag = "accounts",
    security(("bearer" = [])),
    request_body = PasswordChange,
    responses((status = 204), (status = 401, body = Problem), (status = 422, body = Problem), (status = 429, body = Problem)))]
async fn change_password(
    State(state): State<AppState>,
    session: Session,
    ApiJson(body): ApiJson<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    golmok_accounts::change_password(
        &state.db,
        state.login_failures.as_ref(),
        &state.settings.session_policy(),
        &session.account,
        &session.token,
        &body.current_password,
        &body.new_password,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailChange {
    pub current_password: String,
    /// The email to sign in with from now on.
    pub email: String,
}

/// A new email to sign in with, given the current password (a wrong one is a 422 on
/// `current_password` and counts as a failed login); another account's email is a 409
/// `email_taken`. Sessions stay signed in.
#[utoipa::path(post, path = "/v1/me/email", tag = "accounts",
    security(("bearer" = [])),
    request_body = EmailChange,
    responses((status = 200, body = AccountView), (status = 401, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem), (status = 429, body = Problem)))]
async fn change_email(
    State(state): State<AppState>,
    session: Session,
    ApiJson(body): ApiJson<EmailChange>,
) -> Result<Json<AccountView>, ApiError> {
    let changed = golmok_accounts::change_email(
        &state.db,
        state.login_failures.as_ref(),
        &state.settings.session_policy(),
        &session.account,
        &body.current_password,
        &body.email,
    )
    .await?;
    Ok(Json(changed.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetRequest {
    /// The email of the account whose owner forgot the password.
    pub email: String,
}

/// A one-time link, to be handed over by the admin (Golmok sends no mail).
#[derive(Debug, Serialize, ToSchema)]
pub struct IssuedPasswordReset {
    pub account_id: String,
    /// The link's secret: `POST /v1/password-resets/{token}` sets a password with it.
    pub token: String,
    /// The page a person opens to set the password: `/reset/{token}`.
    pub path: String,
    pub expires_at: DateTime<Utc>,
}

/// Issue a one-time password reset link for an account (admin); it works for a day, and
/// replaces the account's earlier links.
#[utoipa::path(post, path = "/v1/admin/password-resets", tag = "accounts",
    security(("bearer" = [])),
    request_body = PasswordResetRequest,
    responses((status = 201, body = IssuedPasswordReset), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn issue_password_reset(
    State(state): State<AppState>,
    session: Session,
    ApiJson(body): ApiJson<PasswordResetRequest>,
) -> Result<(StatusCode, Json<IssuedPasswordReset>), ApiError> {
    let issued = golmok_accounts::reset::issue(&state.db, &session.account, &body.email).await?;
    Ok((
        StatusCode::CREATED,
        Json(IssuedPasswordReset {
            account_id: issued.account.id,
            path: format!("/reset/{}", issued.token),
            token: issued.token,
            expires_at: issued.expires_at,
        }),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPassword {
    pub password: String,
}

/// Set a new password with a reset link, once: every session of the account is signed out.
/// 409 `reset_link_spent` when the link was used, replaced or has expired.
#[utoipa::path(post, path = "/v1/password-resets/{token}", tag = "accounts",
    request_body = NewPassword,
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn reset_password(
    State(state): State<AppState>,
    Path(token): Path<String>,
    ApiJson(body): ApiJson<NewPassword>,
) -> Result<StatusCode, ApiError> {
    golmok_accounts::reset::set_password(
        &state.db,
        state.login_failures.as_ref(),
        &token,
        &body.password,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AccountListParams {
    /// Part of the email or the name.
    q: Option<String>,
    /// `shopper`, `merchant`, `courier`, `coordinator` or `admin`.
    role: Option<String>,
    limit: Option<u64>,
    cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccountPage {
    pub items: Vec<AccountView>,
    pub next_cursor: Option<String>,
}

/// Accounts, newest first, found by part of an email or a name and by role (admin).
#[utoipa::path(get, path = "/v1/admin/accounts", tag = "accounts",
    security(("bearer" = [])), params(AccountListParams),
    responses((status = 200, body = AccountPage), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn list_accounts(
    State(state): State<AppState>,
    session: Session,
    ApiQuery(params): ApiQuery<AccountListParams>,
) -> Result<Json<AccountPage>, ApiError> {
    let role = match params.role.as_deref() {
        None => None,
        Some(r) => Some(r.parse::<Role>().map_err(|_| {
            golmok_core::ValidationErrors::single(
                "role",
                "must be shopper, merchant, courier, coordinator or admin",
            )
        })?),
    };
    let query = golmok_accounts::AccountQuery {
        q: params.q,
        role,
        limit: golmok_core::page::limit(params.limit)?,
        cursor: params.cursor,
    };
    let page = golmok_accounts::list(&state.db, &session.account, &query).await?;
    Ok(Json(AccountPage {
        items: page.items.into_iter().map(AccountView::from).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// Keep an account from signing in until reinstated; its sessions end now (admin). 409
/// `suspending_yourself` for the admin's own account.
#[utoipa::path(post, path = "/v1/admin/accounts/{id}/suspend", tag = "accounts",
    security(("bearer" = [])),
    responses((status = 200, body = AccountView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn suspend_account(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Json<AccountView>, ApiError> {
    Ok(Json(
        golmok_catalog::suspension::suspend_account(
            &state.db,
            state.cache.as_ref(),
            &session.account,
            &id,
        )
        .await?
        .into(),
    ))
}

/// Let a suspended account sign in again (admin).
#[utoipa::path(post, path = "/v1/admin/accounts/{id}/reinstate", tag = "accounts",
    security(("bearer" = [])),
    responses((status = 200, body = AccountView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn reinstate_account(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Json<AccountView>, ApiError> {
    Ok(Json(
        golmok_catalog::suspension::reinstate_account(
            &state.db,
            state.cache.as_ref(),
            &session.account,
            &id,
        )
        .await?
        .into(),
    ))
}

/// Create an account of any role, coordinators and admins included.
#[utoipa::path(post, path = "/v1/admin/accounts", tag = "accounts",
    security(("bearer" = [])),
    request_body = NewAccountRequest,
    responses(
        (status = 201, body = AccountView),
        (status = 403, body = Problem),
        (status = 409, body = Problem),
        (status = 422, body = Problem),
    ))]
async fn create_account(
    State(state): State<AppState>,
    session: Session,
    ApiJson(body): ApiJson<NewAccountRequest>,
) -> Result<(StatusCode, Json<AccountView>), ApiError> {
    session.require(&[Role::Admin])?;
    let new = body.into_new_account()?;
    let account = golmok_accounts::register(&state.db, new, Registration::Privileged).await?;
    Ok((StatusCode::CREATED, Json(account.into())))
}
