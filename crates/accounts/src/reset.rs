//! Password resets for people who forgot theirs. Golmok sends no mail, so an admin issues a
//! one-time link (valid a day) and hands it over themselves, by phone or text: the way shop
//! owners in the programme already reach their agency. The link's secret is stored as its
//! SHA-256 digest, as sessions are; a new link withdraws the person's older ones, and setting
//! a password with it signs every session of the account out.

use chrono::{DateTime, Utc};
use golmok_core::RateCounter;
use sea_orm::ActiveValue::Set;
use sea_orm::prelude::*;

use crate::entities::{account, password_reset, session};
use crate::{Account, DomainError, Result, Role, ValidationErrors, password, token};

/// How long a reset link works.
pub const LIFETIME: chrono::TimeDelta = chrono::TimeDelta::hours(24);

const PREFIX: &str = "gmr_";

/// A link issued: its secret (shown once, to the admin), whose account it resets, until when.
#[derive(Debug, Clone)]
pub struct IssuedReset {
    pub token: String,
    pub account: Account,
    pub expires_at: DateTime<Utc>,
}

/// A reset link for the account with `email`, issued by an admin.
pub async fn issue(db: &DatabaseConnection, actor: &Account, email: &str) -> Result<IssuedReset> {
    if actor.role != Role::Admin {
        return Err(DomainError::forbidden(
            "only an admin issues password reset links",
        ));
    }
    let account = crate::find_by_email(db, email)
        .await
        .map_err(|e| e.not_found_is_invalid("email", "no account has this email"))?;
    let token = format!("{PREFIX}{}", token::random_secret());
    let now = Utc::now();
    let expires_at = now + LIFETIME;
    let txn = golmok_core::db::begin_write(db).await?;
    password_reset::Entity::update_many()
        .col_expr(password_reset::Column::UsedAt, Expr::value(now))
        .filter(password_reset::Column::AccountId.eq(account.id.as_str()))
        .filter(password_reset::Column::UsedAt.is_null())
        .exec(&txn)
        .await?;
    password_reset::ActiveModel {
        token_hash: Set(token::digest(&token)),
        account_id: Set(account.id.clone()),
        issued_by: Set(actor.id.clone()),
        created_at: Set(now),
        expires_at: Set(expires_at),
        used_at: Set(None),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(IssuedReset {
        token,
        account,
        expires_at,
    })
}

/// The live link of `token`: not found when unknown, 409 `reset_link_spent` when used,
/// replaced or expired.
async fn live(db: &impl ConnectionTrait, token: &str) -> Result<password_reset::Model> {
    let found = password_reset::Entity::find_by_id(token::digest(token))
        .one(db)
        .await?
        .ok_or_else(|| DomainError::not_found("password reset link", "given"))?;
    if found.used_at.is_some() || found.expires_at <= Utc::now() {
        return Err(DomainError::conflict(
            "reset_link_spent",
            "this reset link was used, replaced by a newer one, or has expired",
        ));
    }
    Ok(found)
}

/// Whose password a link resets, for the page that asks for the new one.
pub async fn account_of(db: &DatabaseConnection, token: &str) -> Result<Account> {
    let reset = live(db, token).await?;
    crate::find(db, &reset.account_id).await
}

/// Sets a new password with a link, once: the link is spent and every session of the
/// account signed out (whoever held one is out). The account's failed sign-ins are forgotten:
/// someone who forgot their password has usually just been locked out guessing it.
pub async fn set_password(
    db: &DatabaseConnection,
    failures: &dyn RateCounter,
    token: &str,
    new: &str,
) -> Result<Account> {
    let mut errors = ValidationErrors::new();
    crate::check_password("password", new, &mut errors);
    errors.into_result()?;
    // Hashed before the transaction: argon2 takes its time on a blocking thread.
    let hash = password::hash(new.to_owned()).await?;
    let txn = golmok_core::db::begin_write(db).await?;
    let reset = live(&txn, token).await?;
    let now = Utc::now();
    // Spent here, only if still unspent: of two pages sent at once, one sets the password.
    let spent = password_reset::Entity::update_many()
        .col_expr(password_reset::Column::UsedAt, Expr::value(now))
        .filter(password_reset::Column::TokenHash.eq(reset.token_hash.as_str()))
        .filter(password_reset::Column::UsedAt.is_null())
        .exec(&txn)
        .await?;
    if spent.rows_affected != 1 {
        return Err(DomainError::conflict(
            "reset_link_spent",
            "this reset link was used just now",
        ));
    }
    account::Entity::update_many()
        .col_expr(account::Column::PasswordHash, Expr::value(hash))
        .filter(account::Column::Id.eq(reset.account_id.as_str()))
        .exec(&txn)
        .await?;
    session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(now))
        .filter(session::Column::AccountId.eq(reset.account_id.as_str()))
        .filter(session::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    txn.commit().await?;
    let account = crate::find(db, &reset.account_id).await?;
    failures
        .reset(&crate::failed_logins_key(&account.email))
        .await;
    Ok(account)
}
