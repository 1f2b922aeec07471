//! An account's suspension as the marketplace feels it: the account kept from signing in
//! (`golmok_accounts::suspend_in`) and, in the same transaction, every listing on sale in the
//! shops it owns held off sale, so shoppers no longer buy from a shop whose owner an admin
//! stopped. Reinstatement puts exactly those listings back on sale (drafts stay drafts).
//!
//! Couriers need nothing written here: the routing crate reads the suspension itself and gives
//! a suspended courier no deliveries.

use golmok_accounts::Account;
use golmok_core::Cache;
use sea_orm::QuerySelect;
use sea_orm::prelude::*;
use sea_orm::sea_query::{Expr, ExprTrait, Query};

use crate::entities::{listing, merchant};
use crate::{ListingStatus, Result};

/// Suspends account `id` and holds its shops' listings off sale; the account as it now is.
pub async fn suspend_account(
    db: &DatabaseConnection,
    cache: &dyn Cache,
    actor: &Account,
    id: &str,
) -> Result<golmok_accounts::Account> {
    let txn = golmok_core::db::begin_write(db).await?;
    let held = if golmok_accounts::suspend_in(&txn, actor, id).await? {
        move_listings(&txn, id, ListingStatus::Active, ListingStatus::Held).await?
    } else {
        Vec::new()
    };
    txn.commit().await?;
    forget(cache, &held).await;
    golmok_accounts::find(db, id).await
}

/// Reinstates account `id` and puts its shops' held listings back on sale.
pub async fn reinstate_account(
    db: &DatabaseConnection,
    cache: &dyn Cache,
    actor: &Account,
    id: &str,
) -> Result<golmok_accounts::Account> {
    let txn = golmok_core::db::begin_write(db).await?;
    golmok_accounts::reinstate_in(&txn, actor, id).await?;
    let released = move_listings(&txn, id, ListingStatus::Held, ListingStatus::Active).await?;
    txn.commit().await?;
    forget(cache, &released).await;
    golmok_accounts::find(db, id).await
}

/// Moves the listings of `owner`'s shops from one status to another; the ids of those moved.
async fn move_listings(
    txn: &impl ConnectionTrait,
    owner: &str,
    from: ListingStatus,
    to: ListingStatus,
) -> Result<Vec<String>> {
    let shops = Query::select()
        .column(merchant::Column::Id)
        .from(merchant::Entity)
        .and_where(Expr::col(merchant::Column::OwnerId).eq(owner))
        .to_owned();
    let ids: Vec<String> = listing::Entity::find()
        .select_only()
        .column(listing::Column::Id)
        .filter(listing::Column::Status.eq(from.as_str()))
        .filter(listing::Column::MerchantId.in_subquery(shops))
        .into_tuple()
        .all(txn)
        .await?;
    // In chunks: a statement's bound parameters are limited (SQLite's most).
    for chunk in ids.chunks(500) {
        listing::Entity::update_many()
            .col_expr(listing::Column::Status, Expr::value(to.as_str()))
            .col_expr(listing::Column::UpdatedAt, Expr::value(chrono::Utc::now()))
            .filter(listing::Column::Id.is_in(chunk.iter().map(String::as_str)))
            .filter(listing::Column::Status.eq(from.as_str()))
            .exec(txn)
            .await?;
    }
    Ok(ids)
}

/// The moved listings' cached copies dropped, and the pages they were on with them.
async fn forget(cache: &dyn Cache, ids: &[String]) {
    if ids.is_empty() {
        return;
    }
    for id in ids {
        cache.invalidate(&crate::listing::cache_key(id)).await;
    }
    crate::read_cache::renew(cache).await;
}
