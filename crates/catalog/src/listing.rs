//! Listings: what a merchant sells, at a price for a quantity of a unit, with stock in units.
//! Refill goods (zero packaging) are sold by weight or volume into the shopper's container
//! or a deposit container.

use std::time::Duration;

use chrono::{DateTime, Utc};
use golmok_accounts::Account;
use golmok_core::page::{self, Page};
use golmok_core::{Cache, Coordinates, ValidationErrors, new_id};
use sea_orm::prelude::*;
use sea_orm::sea_query::ExprTrait;
use sea_orm::{ActiveValue::Set, FromQueryResult, QueryOrder};
use serde::{Deserialize, Serialize};

use crate::entities::{listing, listing_term};
use crate::sql::Sql;
use crate::{DomainError, Result, merchant, search};

const CACHE_TTL: Duration = Duration::from_secs(300);
pub const MAX_PRICE_KRW: i64 = 10_000_000;
pub const MAX_UNIT_QUANTITY: i64 = 100_000;
pub const MAX_STOCK: i64 = 100_000_000;
pub const MAX_DEPOSIT_KRW: i64 = 100_000;
pub const MAX_RADIUS_M: f64 = 50_000.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Piece,
    Gram,
    Ml,
}

impl Unit {
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Piece => "piece",
            Unit::Gram => "gram",
            Unit::Ml => "ml",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Unit::Piece, Unit::Gram, Unit::Ml]
            .into_iter()
            .find(|u| u.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ListingStatus {
    /// Visible to its owner, not for sale.
    Draft,
    Active,
    /// Withdrawn for good; still readable, since past orders point at it.
    Archived,
    /// Held off sale while an admin has its shop's owner suspended (see
    /// [`crate::suspension`]); on sale again when the owner is reinstated. Only that sets or
    /// lifts it.
    Held,
}

impl ListingStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ListingStatus::Draft => "draft",
            ListingStatus::Active => "active",
            ListingStatus::Archived => "archived",
            ListingStatus::Held => "held",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [
            ListingStatus::Draft,
            ListingStatus::Active,
            ListingStatus::Archived,
            ListingStatus::Held,
        ]
        .into_iter()
        .find(|u| u.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ContainerPolicy {
    /// The shopper brings (or hands the courier) a clean container.
    BringYourOwn,
    /// The shop fills a returnable container, charged as a deposit.
    Deposit,
}

impl ContainerPolicy {
    /// As stored on listings and order lines.
    pub fn as_str(self) -> &'static str {
        match self {
            ContainerPolicy::BringYourOwn => "bring_your_own",
            ContainerPolicy::Deposit => "deposit",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [ContainerPolicy::BringYourOwn, ContainerPolicy::Deposit]
            .into_iter()
            .find(|p| p.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Container {
    pub policy: ContainerPolicy,
    /// Required for `deposit`, absent for `bring_your_own`.
    pub deposit_krw: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Listing {
    pub id: String,
    pub merchant_id: String,
    pub title: String,
    pub description: String,
    pub category: String,
    /// The price of `unit_quantity` units, in won.
    pub price_krw: i64,
    pub unit: Unit,
    pub unit_quantity: i64,
    /// In units (pieces, grams, ml).
    pub stock: i64,
    pub refill: bool,
    pub container: Option<Container>,
    pub status: ListingStatus,
    /// What one unit weighs and takes up, for couriers' capacities; 0 when not given (then
    /// [`Listing::size_of`] assumes typical values).
    pub unit_weight_grams: i64,
    pub unit_volume_millilitres: i64,
    /// A refill good: the single-use packaging one fill replaces, in grams (0 when not
    /// given); the programme's reports add it up as packaging avoided.
    #[serde(default)]
    pub packaging_grams: i64,
    /// What fellow members of the shop's consortium pay for `unit_quantity` units in
    /// member-to-member trade (상호거래), if the shop offers them a price of their own.
    #[serde(default)]
    pub member_price_krw: Option<i64>,
    /// In the order the shop put them; the first is the one lists show.
    pub photos: Vec<ListingPhoto>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A listing's photo: its two stored sizes, where the server serves them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ListingPhoto {
    pub id: String,
    /// At most 480 pixels on its longest side: for lists.
    pub list_url: String,
    /// At most 1280 pixels on its longest side: for the listing's page.
    pub page_url: String,
    /// Of the page size.
    pub width: u32,
    pub height: u32,
}

impl Listing {
    /// Grams and millilitres of `quantity` units. Without figures from the merchant: a gram
    /// of dry goods takes about 1.3 ml, a millilitre of liquid weighs about a gram, and a
    /// piece is taken as 400 g in 600 ml.
    pub fn size_of(&self, quantity: i64) -> (i64, i64) {
        let (weight, volume) = match self.unit {
            Unit::Gram => (1.0, 1.3),
            Unit::Ml => (1.0, 1.0),
            Unit::Piece => (400.0, 600.0),
        };
        let per_unit = |given: i64, typical: f64| if given > 0 { given as f64 } else { typical };
        (
            (quantity as f64 * per_unit(self.unit_weight_grams, weight)).round() as i64,
            (quantity as f64 * per_unit(self.unit_volume_millilitres, volume)).round() as i64,
        )
    }

    /// What `quantity` units cost, by the one rounding rule for weighed goods.
    pub fn price_for(&self, quantity: i64) -> Option<i64> {
        golmok_core::money::price_for_quantity(self.price_krw, self.unit_quantity, quantity)
    }
}

#[derive(Debug, Clone, utoipa::ToSchema, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewListing {
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub category: String,
    pub price_krw: i64,
    pub unit: Unit,
    pub unit_quantity: i64,
    pub stock: i64,
    pub refill: bool,
    pub container: Option<Container>,
    pub status: Option<ListingStatus>,
    /// Grams per unit; typical values are assumed when absent.
    pub unit_weight_grams: Option<i64>,
    /// Millilitres per unit; typical values are assumed when absent.
    pub unit_volume_millilitres: Option<i64>,
    /// A refill good: grams of single-use packaging one fill replaces.
    #[serde(default)]
    pub packaging_grams: Option<i64>,
    /// The price for fellow members (at most `price_krw`).
    #[serde(default)]
    pub member_price_krw: Option<i64>,
}

/// Fields to change; `container: Some(None)` removes the container policy.
#[derive(Debug, Clone, Default, utoipa::ToSchema, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListingPatch {
    pub title: Option<String>,
    pub description: Option<String>,
    pub category: Option<String>,
    pub price_krw: Option<i64>,
    pub unit: Option<Unit>,
    pub unit_quantity: Option<i64>,
    pub stock: Option<i64>,
    pub refill: Option<bool>,
    #[serde(default, deserialize_with = "golmok_core::patch::nullable")]
    pub container: Option<Option<Container>>,
    pub status: Option<ListingStatus>,
    pub unit_weight_grams: Option<i64>,
    pub unit_volume_millilitres: Option<i64>,
    pub packaging_grams: Option<i64>,
    /// `null` takes the member price away.
    #[serde(default, deserialize_with = "golmok_core::patch::nullable")]
    #[schema(value_type = Option<i64>)]
    pub member_price_krw: Option<Option<i64>>,
}

/// The rules on a listing as a whole, checked on the state a create or an edit would leave.
fn validate(l: &Listing) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let chars = |s: &str| s.trim().chars().count();
    if chars(&l.title) == 0 || chars(&l.title) > 120 {
        errors.add("title", "must be 1 to 120 characters");
    }
    if chars(&l.description) > 2000 {
        errors.add("description", "must be at most 2000 characters");
    }
    if chars(&l.category) > 50 {
        errors.add("category", "must be at most 50 characters");
    }
    if !(1..=MAX_PRICE_KRW).contains(&l.price_krw) {
        errors.add(
            "price_krw",
            format!("must be a whole number of won from 1 to {MAX_PRICE_KRW}"),
        );
    }
    if !(1..=MAX_UNIT_QUANTITY).contains(&l.unit_quantity) {
        errors.add(
            "unit_quantity",
            format!("must be from 1 to {MAX_UNIT_QUANTITY}"),
        );
    }
    if !(0..=100_000).contains(&l.unit_weight_grams) {
        errors.add("unit_weight_grams", "must be from 0 to 100000");
    }
    if !(0..=200_000).contains(&l.unit_volume_millilitres) {
        errors.add("unit_volume_millilitres", "must be from 0 to 200000");
    }
    if !(0..=10_000).contains(&l.packaging_grams) {
        errors.add("packaging_grams", "must be from 0 to 10000");
    }
    if let Some(m) = l.member_price_krw
        && !(1..=l.price_krw).contains(&m)
    {
        errors.add(
            "member_price_krw",
            "must be from 1 won to the listing's price",
        );
    }
    if l.packaging_grams > 0 && !l.refill {
        errors.add("packaging_grams", "only a refill good replaces packaging");
    }
    if !(0..=MAX_STOCK).contains(&l.stock) {
        errors.add("stock", format!("must be from 0 to {MAX_STOCK}"));
    }
    if l.refill && l.unit == Unit::Piece {
        errors.add(
            "unit",
            "refill goods are sold by weight (gram) or volume (ml)",
        );
    }
    match (&l.container, l.refill) {
        (Some(_), false) => errors.add("container", "only refill goods have a container policy"),
        (Some(c), true) => match (c.policy, c.deposit_krw) {
            (ContainerPolicy::Deposit, Some(d)) if (1..=MAX_DEPOSIT_KRW).contains(&d) => {}
            (ContainerPolicy::Deposit, _) => errors.add(
                "container.deposit_krw",
                format!("a deposit container needs a deposit from 1 to {MAX_DEPOSIT_KRW} won"),
            ),
            (ContainerPolicy::BringYourOwn, Some(_)) => errors.add(
                "container.deposit_krw",
                "only deposit containers carry a deposit",
            ),
            (ContainerPolicy::BringYourOwn, None) => {}
        },
        (None, _) => {}
    }
    errors.into_result()
}

fn from_model(m: listing::Model) -> Result<Listing> {
    let bad = |what: &str| DomainError::Internal(format!("listing {} has {what}", m.id));
    let container = match m.container_policy.as_deref().map(ContainerPolicy::parse) {
        None => None,
        Some(Some(policy)) => Some(Container {
            policy,
            deposit_krw: m
                .container_deposit_krw
                .filter(|_| policy == ContainerPolicy::Deposit),
        }),
        Some(None) => return Err(bad("an unknown container policy")),
    };
    Ok(Listing {
        unit: Unit::parse(&m.unit).ok_or_else(|| bad("an unknown unit"))?,
        status: ListingStatus::parse(&m.status).ok_or_else(|| bad("an unknown status"))?,
        unit_weight_grams: m.unit_weight_grams,
        unit_volume_millilitres: m.unit_volume_millilitres,
        packaging_grams: m.packaging_grams,
        member_price_krw: m.member_price_krw,
        photos: serde_json::from_str(&m.photos).map_err(|_| bad("unreadable photos"))?,
        id: m.id,
        merchant_id: m.merchant_id,
        title: m.title,
        description: m.description,
        category: m.category,
        price_krw: m.price_krw,
        unit_quantity: m.unit_quantity,
        stock: m.stock,
        refill: m.refill,
        container,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

fn to_active_model(l: &Listing) -> listing::ActiveModel {
    listing::ActiveModel {
        id: Set(l.id.clone()),
        merchant_id: Set(l.merchant_id.clone()),
        title: Set(l.title.clone()),
        description: Set(l.description.clone()),
        category: Set(l.category.clone()),
        price_krw: Set(l.price_krw),
        unit: Set(l.unit.as_str().to_owned()),
        unit_quantity: Set(l.unit_quantity),
        stock: Set(l.stock),
        refill: Set(l.refill),
        container_policy: Set(l.container.map(|c| c.policy.as_str().to_owned())),
        container_deposit_krw: Set(l.container.and_then(|c| c.deposit_krw)),
        status: Set(l.status.as_str().to_owned()),
        unit_weight_grams: Set(l.unit_weight_grams),
        unit_volume_millilitres: Set(l.unit_volume_millilitres),
        packaging_grams: Set(l.packaging_grams),
        member_price_krw: Set(l.member_price_krw),
        // Photos change only through `photos`, column by column: an edit of the listing
        // never writes back the photos it read.
        photos: sea_orm::ActiveValue::NotSet,
        created_at: Set(l.created_at),
        updated_at: Set(l.updated_at),
    }
}

/// Rewrites a listing's search entries; only active listings are in the index.
async fn reindex(txn: &impl ConnectionTrait, l: &Listing) -> Result<()> {
    listing_term::Entity::delete_many()
        .filter(listing_term::Column::ListingId.eq(l.id.as_str()))
        .exec(txn)
        .await?;
    if l.status != ListingStatus::Active {
        return Ok(());
    }
    let rows: Vec<_> = search::index_terms(&l.title, &l.category, &l.description)
        .into_iter()
        .map(|(term, weight)| listing_term::ActiveModel {
            term: Set(term),
            listing_id: Set(l.id.clone()),
            weight: Set(weight),
        })
        .collect();
    golmok_core::db::insert_in_batches(txn, rows).await?;
    Ok(())
}

pub(crate) fn cache_key(id: &str) -> String {
    format!("listing:{id}")
}

/// Drops a listing's cached copy and renews every cached page, for every writer of a
/// listing, in this crate or outside it. A change of stock alone renews fewer pages
/// ([`stock_changed`]).
pub async fn invalidate(cache: &dyn Cache, id: &str) {
    cache.invalidate(&cache_key(id)).await;
    crate::read_cache::renew(cache).await;
}

/// The stock of listings `ids` changed (taken at checkout, given back, weighed), after the
/// commit: their cached copies are dropped, and the cached pages of their shops and of the
/// consortia those belong to are renewed; other consortia's pages stand. Should the shops not
/// be read, every page is renewed instead.
pub async fn stock_changed(db: &DatabaseConnection, cache: &dyn Cache, ids: &[String]) {
    if ids.is_empty() {
        return;
    }
    for id in ids {
        cache.invalidate(&cache_key(id)).await;
    }
    match shops_and_consortia(db, ids).await {
        Ok((shops, consortia)) => {
            crate::read_cache::renew_stock_of(cache, &shops, &consortia).await;
        }
        Err(e) => {
            tracing::warn!(error = %e, "stock changed: shops unread, every cached page renewed");
            crate::read_cache::renew(cache).await;
        }
    }
}

/// The shops of listings `ids`, and the consortia they belong to, each once, in one query.
async fn shops_and_consortia(
    db: &DatabaseConnection,
    ids: &[String],
) -> Result<(Vec<String>, Vec<String>)> {
    #[derive(FromQueryResult)]
    struct Member {
        shop: String,
        consortium: Option<String>,
    }
    let mut sql = Sql::new(
        db.get_database_backend(),
        "SELECT l.merchant_id AS shop, m.consortium_id AS consortium FROM listings l \
         LEFT JOIN consortium_members m ON m.merchant_id = l.merchant_id WHERE l.id IN ",
    );
    sql.bind_list(ids.iter().cloned());
    let rows = Member::find_by_statement(sql.build()).all(db).await?;
    let mut shops: Vec<String> = rows.iter().map(|r| r.shop.clone()).collect();
    let mut consortia: Vec<String> = rows.into_iter().filter_map(|r| r.consortium).collect();
    for list in [&mut shops, &mut consortia] {
        list.sort_unstable();
        list.dedup();
    }
    Ok((shops, consortia))
}

/// Listings as they stand inside the caller's transaction, bypassing the cache.
pub async fn listings_in(txn: &impl ConnectionTrait, ids: &[String]) -> Result<Vec<Listing>> {
    listing::Entity::find()
        .filter(listing::Column::Id.is_in(ids.iter().cloned()))
        .all(txn)
        .await?
        .into_iter()
        .map(from_model)
        .collect()
}

/// Takes `quantity` units of an active listing's stock if, and only if, that many are left:
/// one conditional UPDATE, so concurrent checkouts can never take the same units twice.
/// `false` when the stock (or the listing's status) does not allow it.
pub async fn take_stock(
    txn: &impl ConnectionTrait,
    listing_id: &str,
    quantity: i64,
) -> Result<bool> {
    let taken = listing::Entity::update_many()
        .col_expr(
            listing::Column::Stock,
            Expr::col(listing::Column::Stock).sub(quantity),
        )
        .col_expr(listing::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(listing::Column::Id.eq(listing_id))
        .filter(listing::Column::Status.eq(ListingStatus::Active.as_str()))
        .filter(listing::Column::Stock.gte(quantity))
        .exec(txn)
        .await?;
    Ok(taken.rows_affected == 1)
}

/// Puts units back (a cancelled, rejected or expired order, or a refill weighed light).
pub async fn return_stock(
    txn: &impl ConnectionTrait,
    listing_id: &str,
    quantity: i64,
) -> Result<()> {
    listing::Entity::update_many()
        .col_expr(
            listing::Column::Stock,
            Expr::col(listing::Column::Stock).add(quantity),
        )
        .col_expr(listing::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(listing::Column::Id.eq(listing_id))
        .exec(txn)
        .await?;
    Ok(())
}

pub async fn create_listing(
    db: &DatabaseConnection,
    actor: &Account,
    merchant_id: &str,
    new: NewListing,
) -> Result<Listing> {
    let now = Utc::now();
    let listing = Listing {
        id: new_id("lst"),
        merchant_id: merchant_id.to_owned(),
        title: new.title.trim().to_owned(),
        description: new.description.trim().to_owned(),
        category: new.category.trim().to_owned(),
        price_krw: new.price_krw,
        unit: new.unit,
        unit_quantity: new.unit_quantity,
        stock: new.stock,
        refill: new.refill,
        container: new.container,
        status: new.status.unwrap_or(ListingStatus::Active),
        unit_weight_grams: new.unit_weight_grams.unwrap_or(0),
        unit_volume_millilitres: new.unit_volume_millilitres.unwrap_or(0),
        packaging_grams: new.packaging_grams.unwrap_or(0),
        member_price_krw: new.member_price_krw,
        photos: Vec::new(),
        created_at: now,
        updated_at: now,
    };
    if matches!(
        listing.status,
        ListingStatus::Archived | ListingStatus::Held
    ) {
        return Err(ValidationErrors::single("status", "a new listing is draft or active").into());
    }
    let txn = golmok_core::db::begin_write(db).await?;
    merchant::owned_merchant(&txn, actor, merchant_id).await?;
    validate(&listing)?;
    let mut row = to_active_model(&listing);
    row.photos = Set("[]".to_owned());
    row.insert(&txn).await?;
    reindex(&txn, &listing).await?;
    txn.commit().await?;
    Ok(listing)
}

/// A listing in any status, from the cache when it holds it.
pub async fn get_listing(db: &DatabaseConnection, cache: &dyn Cache, id: &str) -> Result<Listing> {
    if let Some(hit) = cache.get(&cache_key(id)).await
        && let Ok(listing) = serde_json::from_str(&hit)
    {
        return Ok(listing);
    }
    Ok(read_and_cache(db, cache, id).await?.0)
}

/// A listing from the database, put in the cache as JSON; both returned.
async fn read_and_cache(
    db: &DatabaseConnection,
    cache: &dyn Cache,
    id: &str,
) -> Result<(Listing, String)> {
    let model = listing::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| DomainError::not_found("listing", id))?;
    let listing = from_model(model)?;
    let json = serde_json::to_string(&listing)
        .map_err(|e| DomainError::internal(format!("listing {id}: {e}")))?;
    cache.put(&cache_key(id), json.clone(), CACHE_TTL).await;
    Ok((listing, json))
}

/// A listing's JSON as `GET /v1/listings/{id}` serves it, straight from the cache when it
/// holds it.
pub async fn get_listing_json(
    db: &DatabaseConnection,
    cache: &dyn Cache,
    id: &str,
) -> Result<String> {
    if let Some(hit) = cache.get(&cache_key(id)).await {
        return Ok(hit);
    }
    Ok(read_and_cache(db, cache, id).await?.1)
}

pub(crate) async fn owned_listing(
    txn: &impl ConnectionTrait,
    actor: &Account,
    id: &str,
) -> Result<Listing> {
    let model = listing::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or_else(|| DomainError::not_found("listing", id))?;
    let listing = from_model(model)?;
    merchant::owned_merchant(txn, actor, &listing.merchant_id).await?;
    if listing.status == ListingStatus::Archived {
        return Err(DomainError::conflict(
            "listing_archived",
            "the listing is archived and can no longer change",
        ));
    }
    Ok(listing)
}

pub async fn update_listing(
    db: &DatabaseConnection,
    cache: &dyn Cache,
    actor: &Account,
    id: &str,
    patch: ListingPatch,
) -> Result<Listing> {
    match patch.status {
        Some(ListingStatus::Archived) => {
            return Err(ValidationErrors::single("status", "archive a listing with DELETE").into());
        }
        Some(ListingStatus::Held) => {
            return Err(ValidationErrors::single(
                "status",
                "a listing is held only while its shop's owner is suspended",
            )
            .into());
        }
        _ => {}
    }
    let txn = golmok_core::db::begin_write(db).await?;
    let mut l = owned_listing(&txn, actor, id).await?;
    if l.status == ListingStatus::Held && patch.status.is_some() {
        return Err(DomainError::conflict(
            "listing_held",
            "the listing is held off sale while its shop's owner is suspended",
        ));
    }
    if let Some(v) = patch.title {
        l.title = v.trim().to_owned();
    }
    if let Some(v) = patch.description {
        l.description = v.trim().to_owned();
    }
    if let Some(v) = patch.category {
        l.category = v.trim().to_owned();
    }
    if let Some(v) = patch.price_krw {
        l.price_krw = v;
    }
    if let Some(v) = patch.unit {
        l.unit = v;
    }
    if let Some(v) = patch.unit_quantity {
        l.unit_quantity = v;
    }
    if let Some(v) = patch.stock {
        l.stock = v;
    }
    if let Some(v) = patch.refill {
        l.refill = v;
    }
    if let Some(v) = patch.container {
        l.container = v;
    }
    if let Some(v) = patch.status {
        l.status = v;
    }
    if let Some(v) = patch.unit_weight_grams {
        l.unit_weight_grams = v;
    }
    if let Some(v) = patch.unit_volume_millilitres {
        l.unit_volume_millilitres = v;
    }
    if let Some(v) = patch.member_price_krw {
        l.member_price_krw = v;
    }
    if let Some(v) = patch.packaging_grams {
        l.packaging_grams = v;
    }
    l.updated_at = Utc::now();
    validate(&l)?;
    to_active_model(&l).update(&txn).await?;
    reindex(&txn, &l).await?;
    txn.commit().await?;
    invalidate(cache, id).await;
    Ok(l)
}

/// Withdraws a listing for good: out of search and lists, still readable by id.
pub async fn archive_listing(
    db: &DatabaseConnection,
    cache: &dyn Cache,
    actor: &Account,
    id: &str,
) -> Result<()> {
    let txn = golmok_core::db::begin_write(db).await?;
    let mut l = owned_listing(&txn, actor, id).await?;
    l.status = ListingStatus::Archived;
    l.updated_at = Utc::now();
    to_active_model(&l).update(&txn).await?;
    reindex(&txn, &l).await?;
    txn.commit().await?;
    invalidate(cache, id).await;
    Ok(())
}

/// The listings on sale of some merchants, by title: what anyone may buy from them.
pub async fn on_sale_by(
    db: &impl ConnectionTrait,
    merchant_ids: &[String],
) -> Result<Vec<Listing>> {
    listing::Entity::find()
        .filter(listing::Column::MerchantId.is_in(merchant_ids.iter().cloned()))
        .filter(listing::Column::Status.eq(ListingStatus::Active.as_str()))
        .order_by_asc(listing::Column::Title)
        .all(db)
        .await?
        .into_iter()
        .map(from_model)
        .collect()
}

/// Every listing of a merchant, drafts and archived ones included, newest first: what its
/// owner (or an admin) manages.
pub async fn merchant_listings(
    db: &DatabaseConnection,
    actor: &Account,
    merchant_id: &str,
    status: Option<ListingStatus>,
) -> Result<Vec<Listing>> {
    crate::merchant::owned_merchant(db, actor, merchant_id).await?;
    let mut query = listing::Entity::find()
        .filter(listing::Column::MerchantId.eq(merchant_id))
        .order_by_desc(listing::Column::Id);
    if let Some(status) = status {
        query = query.filter(listing::Column::Status.eq(status.as_str()));
    }
    query.all(db).await?.into_iter().map(from_model).collect()
}

/// Sets the stock of several listings of one merchant at once: all or none.
pub async fn set_stocks(
    db: &DatabaseConnection,
    cache: &dyn Cache,
    actor: &Account,
    merchant_id: &str,
    stocks: &[(String, i64)],
) -> Result<()> {
    let mut errors = ValidationErrors::new();
    for (i, (_, stock)) in stocks.iter().enumerate() {
        if !(0..=MAX_STOCK).contains(stock) {
            errors.add(
                format!("stocks[{i}]"),
                format!("must be from 0 to {MAX_STOCK}"),
            );
        }
    }
    errors.into_result()?;
    let txn = golmok_core::db::begin_write(db).await?;
    crate::merchant::owned_merchant(&txn, actor, merchant_id).await?;
    for (id, stock) in stocks {
        let mut l = owned_listing(&txn, actor, id).await?;
        if l.merchant_id != merchant_id {
            return Err(DomainError::not_found("listing", id));
        }
        if l.stock != *stock {
            l.stock = *stock;
            l.updated_at = Utc::now();
            to_active_model(&l).update(&txn).await?;
        }
    }
    txn.commit().await?;
    for (id, _) in stocks {
        invalidate(cache, id).await;
    }
    Ok(())
}

/// What `GET /v1/listings` filters on; every filter is optional and they combine.
#[derive(Debug, Clone, Default)]
pub struct ListingQuery {
    pub q: Option<String>,
    pub consortium_id: Option<String>,
    pub merchant_id: Option<String>,
    pub refill: Option<bool>,
    pub near: Option<(Coordinates, f64)>,
    pub campaign_id: Option<String>,
    /// Only listings featured in a campaign running at this instant.
    pub in_campaign_at: Option<DateTime<Utc>>,
    pub limit: u64,
    pub cursor: Option<String>,
}

#[derive(Debug, FromQueryResult)]
struct Hit {
    id: String,
    score: i64,
}

/// Active listings matching `query`. With `q`, ranked by relevance then id and paged by
/// (relevance, id); without, in id (creation) order. Either way a page never repeats or
/// skips a listing that existed when the first page was read.
pub async fn search_listings(
    db: &DatabaseConnection,
    query: &ListingQuery,
) -> Result<Page<Listing>> {
    let (terms, cursor) = validate_search(query)?;
    let mut sql = Sql::new(db.get_database_backend(), "SELECT l.id AS id, ");
    match &terms {
        Some(terms) => {
            sql.push("CAST(s.score AS BIGINT) AS score FROM listings l JOIN (SELECT listing_id, SUM(weight) AS score FROM listing_terms WHERE term IN ");
            sql.bind_list(terms.iter().cloned());
            sql.push(" GROUP BY listing_id HAVING COUNT(*) = ");
            sql.bind(terms.len() as i64);
            sql.push(") s ON s.listing_id = l.id");
        }
        None => {
            sql.push("CAST(0 AS BIGINT) AS score FROM listings l");
        }
    }
    sql.push(" WHERE l.status = ");
    sql.bind(ListingStatus::Active.as_str());
    filter_search(db, &mut sql, query).await?;
    page_search(&mut sql, terms.is_some(), cursor, query.limit);
    let mut hits = Hit::find_by_statement(sql.build()).all(db).await?;
    let next_cursor = page::cut(&mut hits, query.limit, |h| (h.score, h.id.clone()));
    let ids: Vec<String> = hits.iter().map(|h| h.id.clone()).collect();
    let mut models = listing::Entity::find()
        .filter(listing::Column::Id.is_in(ids.iter().cloned()))
        .all(db)
        .await?;
    // Back into the ranked order of the hits.
    models.sort_by_key(|m| ids.iter().position(|id| *id == m.id));
    let items = models.into_iter().map(from_model).collect::<Result<_>>()?;
    Ok(Page { items, next_cursor })
}

/// The search's terms and the cursor it resumes from, once the query is known to be sound.
type SearchStart = (Option<Vec<String>>, Option<(i64, String)>);

fn validate_search(query: &ListingQuery) -> Result<SearchStart> {
    let mut errors = ValidationErrors::new();
    let terms = query.q.as_deref().map(search::query_terms);
    if terms.as_ref().is_some_and(Vec::is_empty) {
        errors.add("q", "must contain a letter or digit");
    }
    if let Some((center, radius)) = &query.near {
        center.validate("near", &mut errors);
        if !(1.0..=MAX_RADIUS_M).contains(radius) {
            errors.add(
                "radius_m",
                format!("must be from 1 to {MAX_RADIUS_M} metres"),
            );
        }
    }
    let cursor = match query.cursor.as_deref().map(page::decode_cursor) {
        Some(Ok(c)) => Some(c),
        Some(Err(e)) => {
            errors.0.extend(e.0);
            None
        }
        None => None,
    };
    errors.into_result()?;
    Ok((terms, cursor))
}

/// The query's filters: shop, refill goods, consortium, campaign (one, or any running at a
/// time) and shops near a point.
async fn filter_search(db: &DatabaseConnection, sql: &mut Sql, query: &ListingQuery) -> Result<()> {
    if let Some(merchant_id) = &query.merchant_id {
        sql.push(" AND l.merchant_id = ").bind(merchant_id.clone());
    }
    if let Some(refill) = query.refill {
        sql.push(" AND l.refill = ").bind(refill);
    }
    if let Some(consortium_id) = &query.consortium_id {
        sql.push(" AND l.merchant_id IN (SELECT merchant_id FROM consortium_members WHERE consortium_id = ")
            .bind(consortium_id.clone())
            .push(")");
    }
    if let Some(campaign_id) = &query.campaign_id {
        sql.push(" AND l.id IN (SELECT listing_id FROM campaign_listings WHERE campaign_id = ")
            .bind(campaign_id.clone())
            .push(")");
    }
    if let Some(at) = query.in_campaign_at {
        sql.push(" AND l.id IN (SELECT cl.listing_id FROM campaign_listings cl JOIN campaigns c ON c.id = cl.campaign_id WHERE c.starts_at <= ")
            .bind(at)
            .push(" AND c.ends_at > ")
            .bind(at)
            .push(")");
    }
    if let Some((center, radius)) = query.near {
        let nearby = merchant::within_radius(db, center, radius).await?;
        sql.push(" AND l.merchant_id IN ");
        sql.bind_list(nearby.into_iter().map(|m| m.merchant.id));
    }
    Ok(())
}

/// Keyset paging: by score then id for a text search, by id otherwise; one more than the
/// limit, to know whether a next page exists.
fn page_search(sql: &mut Sql, ranked: bool, cursor: Option<(i64, String)>, limit: u64) {
    match (ranked, cursor) {
        (true, Some((score, id))) => {
            sql.push(" AND (s.score < ")
                .bind(score)
                .push(" OR (s.score = ")
                .bind(score);
            sql.push(" AND l.id > ").bind(id).push("))");
        }
        (false, Some((_, id))) => {
            sql.push(" AND l.id > ").bind(id);
        }
        _ => {}
    }
    sql.push(if ranked {
        " ORDER BY s.score DESC, l.id ASC"
    } else {
        " ORDER BY l.id ASC"
    });
    sql.push(" LIMIT ").bind(limit as i64 + 1);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refill_detergent() -> Listing {
        Listing {
            id: "lst_1".into(),
            merchant_id: "mer_1".into(),
            title: "친환경 주방세제".into(),
            description: String::new(),
            category: "세제".into(),
            price_krw: 800,
            unit: Unit::Ml,
            unit_quantity: 100,
            stock: 20_000,
            refill: true,
            container: Some(Container {
                policy: ContainerPolicy::BringYourOwn,
                deposit_krw: None,
            }),
            status: ListingStatus::Active,
            unit_weight_grams: 0,
            unit_volume_millilitres: 0,
            packaging_grams: 0,
            member_price_krw: None,
            photos: Vec::new(),
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    fn failed(l: &Listing) -> Vec<String> {
        validate(l)
            .err()
            .map(|e| e.0.into_iter().map(|f| f.field).collect())
            .unwrap_or_default()
    }

    #[test]
    fn a_refill_good_by_volume_is_valid() {
        assert!(failed(&refill_detergent()).is_empty());
        assert_eq!(refill_detergent().price_for(437), Some(3_496)); // 3,496.0
        assert_eq!(refill_detergent().price_for(333), Some(2_664)); // 2,664.0
    }

    #[test]
    fn bounds_and_cross_field_rules_name_their_field() {
        let mut l = refill_detergent();
        l.price_krw = 0;
        l.unit_quantity = 0;
        l.stock = -1;
        l.title = " ".into();
        assert_eq!(failed(&l), ["title", "price_krw", "unit_quantity", "stock"]);

        let mut l = refill_detergent();
        l.unit = Unit::Piece;
        assert_eq!(failed(&l), ["unit"]);

        let mut l = refill_detergent();
        l.refill = false;
        assert_eq!(failed(&l), ["container"]);

        let mut l = refill_detergent();
        l.container = Some(Container {
            policy: ContainerPolicy::Deposit,
            deposit_krw: None,
        });
        assert_eq!(failed(&l), ["container.deposit_krw"]);
        l.container = Some(Container {
            policy: ContainerPolicy::Deposit,
            deposit_krw: Some(1_000),
        });
        assert!(failed(&l).is_empty());
    }
}
