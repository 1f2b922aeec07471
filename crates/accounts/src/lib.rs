//! Accounts: who is calling, and what they may do.
//!
//! Owns accounts (email, name, role, an argon2id password hash), bearer sessions (random
//! tokens stored as SHA-256 digests, with an expiry and a revocation time) and the login
//! throttle, and the one-time password reset links an admin hands over ([`reset`]). Roles
//! are checked with [`Role::may_act_as_any_of`], the one place that says an admin may act as
//! anyone.
//!
//! Does not own what a role's holder owns (merchants, consortia, couriers): those crates
//! keep the account id. Knows nothing of HTTP: the API crate turns a bearer header into a
//! call to [`authenticate`].
//!
//! This crate is not in DESIGN.md's list: identity is needed by every domain and belongs to
//! none of them, so it stands on its own rather than inside `api` (which would put rules in
//! handlers) or `core` (which owns no tables).

pub mod entities;
mod password;
pub mod reset;
mod role;
mod token;

use std::time::Duration;

use chrono::{DateTime, Utc};
use golmok_core::{RateCounter, ValidationErrors, new_id};
use sea_orm::ActiveValue::Set;
use sea_orm::prelude::*;
use serde::Serialize;

use entities::{account, session};
pub use role::{Role, UnknownRole};

pub use golmok_core::{DomainError, Result};

/// A taken email: the conflict a sign-up form shows beside its email field.
pub fn email_taken() -> DomainError {
    DomainError::conflict("email_taken", "an account with this email already exists")
        .on_field("email")
}

/// Deliberately the same for an unknown email and a wrong password.
pub fn bad_credentials() -> DomainError {
    DomainError::Unauthenticated {
        code: "bad_credentials",
        detail: "email or password is wrong".into(),
    }
}

/// The right password for an account an admin suspended: said as such (the person knows
/// their password, and needs to know whom to ask).
pub fn suspended() -> DomainError {
    DomainError::forbidden("this account is suspended; ask the admin to reinstate it")
}

fn token_refused(problem: TokenProblem) -> DomainError {
    DomainError::Unauthenticated {
        code: "invalid_token",
        detail: format!("the token is {problem}"),
    }
}

/// Why a bearer token was refused; told to the client, since it only says what the client
/// already holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenProblem {
    Unknown,
    Expired,
    Revoked,
}

impl std::fmt::Display for TokenProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TokenProblem::Unknown => "not recognised",
            TokenProblem::Expired => "expired",
            TokenProblem::Revoked => "revoked",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Account {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    /// Since when an admin has kept it from signing in; `None` for an account in use.
    pub suspended_at: Option<DateTime<Utc>>,
}

impl TryFrom<account::Model> for Account {
    type Error = DomainError;

    fn try_from(m: account::Model) -> Result<Self, Self::Error> {
        let role = m
            .role
            .parse()
            .map_err(|e: UnknownRole| DomainError::Internal(format!("account {}: {e}", m.id)))?;
        Ok(Account {
            id: m.id,
            email: m.email,
            name: m.name,
            role,
            created_at: m.created_at,
            suspended_at: m.suspended_at,
        })
    }
}

#[derive(Debug, Clone)]
pub struct NewAccount {
    pub email: String,
    pub password: String,
    pub name: String,
    pub role: Role,
}

/// Who is creating an account, which decides the roles it may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Registration {
    /// Anyone at signup: shoppers, merchants and couriers only.
    SelfService,
    /// An admin (over the API) or an operator (with the CLI): any role.
    Privileged,
}

/// The knobs of sessions and the sign-in and sign-up throttles, read from configuration by
/// the caller.
#[derive(Debug, Clone, Copy)]
pub struct SessionPolicy {
    pub token_ttl: Duration,
    /// Failed sign-ins per email within the window.
    pub max_failed_logins: u64,
    pub failed_login_window: Duration,
    /// Failed sign-ins from one network address within the same window, whatever the
    /// emails: guessing across many accounts from one place.
    pub max_failed_logins_per_address: u64,
    /// Sign-ups from one network address within `sign_up_window`.
    pub max_sign_ups_per_address: u64,
    pub sign_up_window: Duration,
}

/// Who is asking, as far as the throttles care: the network address of the request, when the
/// caller knows it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Requester {
    pub address: Option<std::net::IpAddr>,
}

fn too_many(detail: &str, retry_after: Duration) -> DomainError {
    DomainError::TooManyAttempts {
        detail: detail.to_owned(),
        retry_after,
    }
}

/// A token handed to the client once; only its digest is kept.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

const MIN_PASSWORD_CHARS: usize = 8;
const MAX_PASSWORD_CHARS: usize = 128;
const MAX_NAME_CHARS: usize = 100;
const MAX_EMAIL_CHARS: usize = 254;
const TOKEN_PREFIX: &str = "gmk_";

/// The throttle's key for an account's failed sign-ins.
pub(crate) fn failed_logins_key(email: &str) -> String {
    format!("login-failures:{email}")
}

fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

fn validate(new: &NewAccount, registration: Registration) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::new();
    check_email(&new.email, &mut errors);
    check_password("password", &new.password, &mut errors);
    check_name(&new.name, &mut errors);
    if registration == Registration::SelfService && !new.role.is_self_service() {
        errors.add(
            "role",
            "signup may create shopper, merchant or courier accounts; an admin creates the others",
        );
    }
    errors.into_result()
}

fn check_email(email: &str, errors: &mut ValidationErrors) {
    let email = normalise_email(email);
    let well_formed = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.chars().any(char::is_whitespace)
                && !domain.contains('@')
        }
        None => false,
    };
    if !well_formed || email.len() > MAX_EMAIL_CHARS {
        errors.add("email", "must be an email address such as name@example.com");
    }
}

pub(crate) fn check_password(field: &str, password: &str, errors: &mut ValidationErrors) {
    let password_chars = password.chars().count();
    if password_chars < MIN_PASSWORD_CHARS {
        errors.add(
            field,
            format!("must be at least {MIN_PASSWORD_CHARS} characters"),
        );
    } else if password_chars > MAX_PASSWORD_CHARS {
        errors.add(
            field,
            format!("must be at most {MAX_PASSWORD_CHARS} characters"),
        );
    }
}

fn check_name(name: &str, errors: &mut ValidationErrors) {
    let name = name.trim();
    if name.is_empty() {
        errors.add("name", "must not be empty");
    } else if name.chars().count() > MAX_NAME_CHARS {
        errors.add(
            "name",
            format!("must be at most {MAX_NAME_CHARS} characters"),
        );
    }
}

/// Creates an account. A taken email (compared case-insensitively) is [`email_taken`].
pub async fn register(
    db: &DatabaseConnection,
    new: NewAccount,
    registration: Registration,
) -> Result<Account> {
    validate(&new, registration)?;
    let password_hash = password::hash(new.password.clone()).await?;
    insert_account(db, &new, password_hash).await
}

/// One password hashed once, for registering many accounts that share it: the demo's, whose
/// password is published. Argon2 costs tens of milliseconds an account, which made seeding
/// the demo's seventy accounts take seconds.
pub struct SharedPassword {
    password: String,
    hash: String,
}

impl SharedPassword {
    pub async fn hash(password: &str) -> Result<Self> {
        Ok(Self {
            password: password.to_owned(),
            hash: password::hash(password.to_owned()).await?,
        })
    }
}

/// [`register`], with the password's hash made once by [`SharedPassword`]; the account's
/// password must be that one.
pub async fn register_sharing(
    db: &DatabaseConnection,
    new: NewAccount,
    registration: Registration,
    shared: &SharedPassword,
) -> Result<Account> {
    validate(&new, registration)?;
    if new.password != shared.password {
        return Err(DomainError::Internal(
            "an account registered with a shared password has another password".into(),
        ));
    }
    insert_account(db, &new, shared.hash.clone()).await
}

async fn insert_account(
    db: &impl ConnectionTrait,
    new: &NewAccount,
    password_hash: String,
) -> Result<Account> {
    account::ActiveModel {
        id: Set(new_id("acc")),
        email: Set(normalise_email(&new.email)),
        name: Set(new.name.trim().to_owned()),
        role: Set(new.role.as_str().to_owned()),
        password_hash: Set(password_hash),
        created_at: Set(Utc::now()),
        suspended_at: Set(None),
    }
    .insert(db)
    .await
    .map_err(|e| golmok_core::error::unless_unique(e, email_taken))?
    .try_into()
}

/// Registers an account and opens its first session in one transaction, so a signup that
/// fails half-way leaves no account without a way in.
pub async fn sign_up(
    db: &DatabaseConnection,
    attempts: &dyn RateCounter,
    policy: &SessionPolicy,
    from: Requester,
    new: NewAccount,
) -> Result<(Account, IssuedToken)> {
    validate(&new, Registration::SelfService)?;
    if let Some(address) = from.address {
        let key = format!("sign-ups-from:{address}");
        if attempts.count(&key).await >= policy.max_sign_ups_per_address {
            return Err(too_many(
                "too many sign-ups from this address; try again later",
                policy.sign_up_window,
            ));
        }
        attempts.increment(&key, policy.sign_up_window).await;
    }
    let password_hash = password::hash(new.password.clone()).await?;
    let txn = golmok_core::db::begin_write(db).await?;
    let account = insert_account(&txn, &new, password_hash).await?;
    let token = open_session(&txn, &account.id, policy.token_ttl).await?;
    txn.commit().await?;
    Ok((account, token))
}

async fn open_session(
    db: &impl ConnectionTrait,
    account_id: &str,
    ttl: Duration,
) -> Result<IssuedToken> {
    let token = format!("{TOKEN_PREFIX}{}", token::random_secret());
    let now = Utc::now();
    let ttl = chrono::Duration::from_std(ttl)
        .map_err(|e| DomainError::Internal(format!("token lifetime: {e}")))?;
    let expires_at = now + ttl;
    session::ActiveModel {
        id: Set(new_id("ses")),
        account_id: Set(account_id.to_owned()),
        token_hash: Set(token::digest(&token)),
        created_at: Set(now),
        expires_at: Set(expires_at),
        revoked_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok(IssuedToken { token, expires_at })
}

/// Checks a password and opens a session. Failed attempts are counted per email and per
/// network address; past either limit in the window every attempt is refused until it ends,
/// right or wrong, so guessing cannot continue by spreading attempts around the lock-out, nor
/// by trying many accounts from one place.
pub async fn log_in(
    db: &DatabaseConnection,
    failures: &dyn RateCounter,
    policy: &SessionPolicy,
    from: Requester,
    email: &str,
    password: &str,
) -> Result<(Account, IssuedToken)> {
    let email = normalise_email(email);
    let throttle_key = failed_logins_key(&email);
    let address_key = from.address.map(|a| format!("login-failures-from:{a}"));
    if failures.count(&throttle_key).await >= policy.max_failed_logins {
        return Err(too_many(
            "too many failed logins for this account; try again later",
            policy.failed_login_window,
        ));
    }
    if let Some(key) = &address_key
        && failures.count(key).await >= policy.max_failed_logins_per_address
    {
        return Err(too_many(
            "too many failed logins from this address; try again later",
            policy.failed_login_window,
        ));
    }
    let found = account::Entity::find()
        .filter(account::Column::Email.eq(email.as_str()))
        .one(db)
        .await?;
    let stored = match &found {
        Some(m) => m.password_hash.clone(),
        None => password::decoy_hash().await?,
    };
    let matches = password::verify(password.to_owned(), stored).await?;
    let Some(model) = found.filter(|_| matches) else {
        failures
            .increment(&throttle_key, policy.failed_login_window)
            .await;
        if let Some(key) = &address_key {
            failures.increment(key, policy.failed_login_window).await;
        }
        return Err(bad_credentials());
    };
    failures.reset(&throttle_key).await;
    let account: Account = model.try_into()?;
    if account.suspended_at.is_some() {
        return Err(suspended());
    }
    let token = open_session(db, &account.id, policy.token_ttl).await?;
    Ok((account, token))
}

/// The account a bearer token belongs to, if the token is live.
pub async fn authenticate(db: &DatabaseConnection, token: &str) -> Result<Account> {
    let unknown = token_refused(TokenProblem::Unknown);
    if !token.starts_with(TOKEN_PREFIX) {
        return Err(unknown);
    }
    let found = session::Entity::find()
        .filter(session::Column::TokenHash.eq(token::digest(token)))
        .find_also_related(account::Entity)
        .one(db)
        .await?;
    let Some((session, Some(account))) = found else {
        return Err(unknown);
    };
    if session.revoked_at.is_some() {
        return Err(token_refused(TokenProblem::Revoked));
    }
    if session.expires_at <= Utc::now() {
        return Err(token_refused(TokenProblem::Expired));
    }
    // Suspending revokes the sessions too; this holds even for one opened in the same instant.
    if account.suspended_at.is_some() {
        return Err(token_refused(TokenProblem::Revoked));
    }
    account.try_into()
}

/// Revokes the session of this token. Revoking an already revoked token changes nothing.
pub async fn log_out(db: &DatabaseConnection, token: &str) -> Result<()> {
    session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(session::Column::TokenHash.eq(token::digest(token)))
        .filter(session::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

pub async fn find_by_email(db: &DatabaseConnection, email: &str) -> Result<Account> {
    let email = normalise_email(email);
    account::Entity::find()
        .filter(account::Column::Email.eq(email.as_str()))
        .one(db)
        .await?
        .ok_or_else(|| DomainError::not_found("account", &email))?
        .try_into()
}

pub async fn find(db: &DatabaseConnection, id: &str) -> Result<Account> {
    account::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| DomainError::not_found("account", id))?
        .try_into()
}

/// A new password for `account`, which proves it knows the current one. A wrong current
/// password counts as a failed login of the account (a stolen session cannot guess on
/// unthrottled), and is refused beside its field. Every other session of the account is
/// revoked, the one asking (`keep_token`) kept: whoever else held one is out.
pub async fn change_password(
    db: &DatabaseConnection,
    failures: &dyn RateCounter,
    policy: &SessionPolicy,
    account: &Account,
    keep_token: &str,
    current: &str,
    new: &str,
) -> Result<()> {
    let mut errors = ValidationErrors::new();
    check_password("new_password", new, &mut errors);
    if new == current {
        errors.add("new_password", "must differ from the current password");
    }
    errors.into_result()?;
    let throttle_key = confirm_password(db, failures, policy, account, current).await?;
    let hash = password::hash(new.to_owned()).await?;
    let txn = golmok_core::db::begin_write(db).await?;
    account::Entity::update_many()
        .col_expr(account::Column::PasswordHash, Expr::value(hash))
        .filter(account::Column::Id.eq(account.id.as_str()))
        .exec(&txn)
        .await?;
    session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(session::Column::AccountId.eq(account.id.as_str()))
        .filter(session::Column::TokenHash.ne(token::digest(keep_token)))
        .filter(session::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    txn.commit().await?;
    failures.reset(&throttle_key).await;
    Ok(())
}

/// Checks the account's current password before a change of its credentials, counting a
/// wrong one as a failed sign-in (and refusing once there have been too many); the key the
/// failures are counted under, to forget them once the change is made.
async fn confirm_password(
    db: &DatabaseConnection,
    failures: &dyn RateCounter,
    policy: &SessionPolicy,
    account: &Account,
    current: &str,
) -> Result<String> {
    let throttle_key = failed_logins_key(&account.email);
    if failures.count(&throttle_key).await >= policy.max_failed_logins {
        return Err(too_many(
            "too many failed logins for this account; try again later",
            policy.failed_login_window,
        ));
    }
    let stored = account::Entity::find_by_id(account.id.as_str())
        .one(db)
        .await?
        .ok_or_else(|| DomainError::not_found("account", &account.id))?;
    if !password::verify(current.to_owned(), stored.password_hash).await? {
        failures
            .increment(&throttle_key, policy.failed_login_window)
            .await;
        return Err(
            ValidationErrors::single("current_password", "is not this account's password").into(),
        );
    }
    Ok(throttle_key)
}

/// A new email to sign in with, given the current password: refused when malformed, when it
/// is already this account's, or when another account has it ([`email_taken`]). Sessions
/// stay signed in: the password, not the email, is what proves who someone is.
pub async fn change_email(
    db: &DatabaseConnection,
    failures: &dyn RateCounter,
    policy: &SessionPolicy,
    account: &Account,
    current_password: &str,
    email: &str,
) -> Result<Account> {
    let mut errors = ValidationErrors::new();
    check_email(email, &mut errors);
    let email = normalise_email(email);
    if email == account.email {
        errors.add("email", "is already this account's email");
    }
    errors.into_result()?;
    let throttle_key = confirm_password(db, failures, policy, account, current_password).await?;
    account::Entity::update_many()
        .col_expr(account::Column::Email, Expr::value(email.as_str()))
        .filter(account::Column::Id.eq(account.id.as_str()))
        .exec(db)
        .await
        .map_err(|e| golmok_core::error::unless_unique(e, email_taken))?;
    failures.reset(&throttle_key).await;
    find(db, &account.id).await
}

/// What an admin looks accounts up by; every filter optional.
#[derive(Debug, Clone, Default)]
pub struct AccountQuery {
    /// Part of the email or the name.
    pub q: Option<String>,
    pub role: Option<Role>,
    pub limit: u64,
    pub cursor: Option<String>,
}

/// Accounts for an admin, newest first.
pub async fn list(
    db: &DatabaseConnection,
    actor: &Account,
    query: &AccountQuery,
) -> Result<golmok_core::page::Page<Account>> {
    use sea_orm::sea_query::{ExprTrait, Func, LikeExpr};
    use sea_orm::{Condition, QueryOrder, QuerySelect};
    require_admin(actor)?;
    let mut select = account::Entity::find().order_by_desc(account::Column::Id);
    if let Some(q) = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        // Either engine's LIKE, without case, and with `%` and `_` typed meaning themselves.
        let escaped: String = q
            .to_lowercase()
            .chars()
            .flat_map(|c| match c {
                '%' | '_' | '\\' => vec!['\\', c],
                c => vec![c],
            })
            .collect();
        let part = || LikeExpr::new(format!("%{escaped}%")).escape('\\');
        let lower = |c: account::Column| Expr::expr(Func::lower(Expr::col(c)));
        select = select.filter(
            Condition::any()
                .add(lower(account::Column::Email).like(part()))
                .add(lower(account::Column::Name).like(part())),
        );
    }
    if let Some(role) = query.role {
        select = select.filter(account::Column::Role.eq(role.as_str()));
    }
    if let Some(cursor) = &query.cursor {
        let before: String = golmok_core::page::decode_cursor(cursor)?;
        select = select.filter(account::Column::Id.lt(before));
    }
    let mut rows = select.limit(query.limit + 1).all(db).await?;
    let next_cursor = golmok_core::page::cut(&mut rows, query.limit, |a| a.id.clone());
    let items = rows
        .into_iter()
        .map(Account::try_from)
        .collect::<Result<Vec<_>>>()?;
    Ok(golmok_core::page::Page { items, next_cursor })
}

fn require_admin(actor: &Account) -> Result<()> {
    if actor.role == Role::Admin {
        Ok(())
    } else {
        Err(DomainError::forbidden("only an admin manages accounts"))
    }
}

/// Keeps an account from signing in until reinstated, and signs its sessions out, inside the
/// caller's transaction (the catalog's `suspension` holds the account's shops off sale in the
/// same one); what it did (orders, shops, routes) stays. An admin does not suspend themselves
/// (409 `suspending_yourself`): someone must be left to reinstate. Whether it was suspended
/// just now (false: it already was).
pub async fn suspend_in(txn: &impl ConnectionTrait, actor: &Account, id: &str) -> Result<bool> {
    require_admin(actor)?;
    if actor.id == id {
        return Err(DomainError::conflict(
            "suspending_yourself",
            "an admin does not suspend their own account",
        ));
    }
    let now = Utc::now();
    let found = account::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or_else(|| DomainError::not_found("account", id))?;
    if found.suspended_at.is_some() {
        return Ok(false);
    }
    account::Entity::update_many()
        .col_expr(account::Column::SuspendedAt, Expr::value(now))
        .filter(account::Column::Id.eq(id))
        .exec(txn)
        .await?;
    session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(now))
        .filter(session::Column::AccountId.eq(id))
        .filter(session::Column::RevokedAt.is_null())
        .exec(txn)
        .await?;
    Ok(true)
}

/// Lets a suspended account sign in again (with its password as it was), inside the caller's
/// transaction.
pub async fn reinstate_in(txn: &impl ConnectionTrait, actor: &Account, id: &str) -> Result<()> {
    require_admin(actor)?;
    let result = account::Entity::update_many()
        .col_expr(
            account::Column::SuspendedAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(account::Column::Id.eq(id))
        .exec(txn)
        .await?;
    if result.rows_affected == 0 {
        return Err(DomainError::not_found("account", id));
    }
    Ok(())
}

/// A new name for `account`: what shops, couriers and coordinators see it by.
pub async fn rename(db: &DatabaseConnection, account: &Account, name: &str) -> Result<Account> {
    let mut errors = ValidationErrors::new();
    check_name(name, &mut errors);
    errors.into_result()?;
    account::Entity::update_many()
        .col_expr(account::Column::Name, Expr::value(name.trim()))
        .filter(account::Column::Id.eq(account.id.as_str()))
        .exec(db)
        .await?;
    find(db, &account.id).await
}

/// The names of the accounts of `ids` that exist, by id: for pages saying who did what.
pub async fn names_of(
    db: &DatabaseConnection,
    ids: &[String],
) -> Result<std::collections::HashMap<String, String>> {
    if ids.is_empty() {
        return Ok(Default::default());
    }
    Ok(account::Entity::find()
        .filter(account::Column::Id.is_in(ids.iter().cloned()))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect())
}

/// Whether any account exists: a database without one has never been used.
pub async fn any_exist(db: &DatabaseConnection) -> Result<bool> {
    use sea_orm::{PaginatorTrait, QuerySelect};
    Ok(account::Entity::find().limit(1).count(db).await? > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new(email: &str, password: &str, name: &str, role: Role) -> NewAccount {
        NewAccount {
            email: email.into(),
            password: password.into(),
            name: name.into(),
            role,
        }
    }

    fn failed_fields(result: Result<(), ValidationErrors>) -> Vec<String> {
        result
            .err()
            .map(|e| e.0.into_iter().map(|f| f.field).collect())
            .unwrap_or_default()
    }

    #[test]
    fn a_well_formed_shopper_passes() {
        let ok = new("Kim@Example.KR", "long enough", "김민지", Role::Shopper);
        assert_eq!(validate(&ok, Registration::SelfService), Ok(()));
        assert_eq!(normalise_email(" Kim@Example.KR "), "kim@example.kr");
    }

    #[test]
    fn every_bad_field_is_named() {
        let bad = new("not-an-email", "short", "  ", Role::Shopper);
        assert_eq!(
            failed_fields(validate(&bad, Registration::SelfService)),
            ["email", "password", "name"]
        );
        for email in [
            "a@b",
            "@example.com",
            "a b@example.com",
            "a@.com",
            "a@x.com.",
        ] {
            let bad = new(email, "long enough", "n", Role::Shopper);
            assert_eq!(
                failed_fields(validate(&bad, Registration::SelfService)),
                ["email"],
                "{email}"
            );
        }
    }

    #[test]
    fn signup_cannot_make_coordinators_or_admins_but_an_admin_can() {
        for role in [Role::Coordinator, Role::Admin] {
            let account = new("c@example.com", "long enough", "n", role);
            assert_eq!(
                failed_fields(validate(&account, Registration::SelfService)),
                ["role"]
            );
            assert_eq!(validate(&account, Registration::Privileged), Ok(()));
        }
    }

    #[test]
    fn passwords_are_bounded_in_characters_not_bytes() {
        // Eight Hangul syllables are 24 bytes but eight characters: long enough.
        let hangul = new("k@example.com", "비밀번호비밀번호", "n", Role::Shopper);
        assert_eq!(validate(&hangul, Registration::SelfService), Ok(()));
        let long = new("k@example.com", &"x".repeat(129), "n", Role::Shopper);
        assert_eq!(
            failed_fields(validate(&long, Registration::SelfService)),
            ["password"]
        );
    }
}
