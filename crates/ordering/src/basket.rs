//! Baskets: what a shopper means to buy, kept between visits until checkout.
//!
//! A basket belongs to an account, or to a browser that has not signed in yet; signing in
//! moves the browser's basket to the account ([`merge`]). It holds goods of one consortium,
//! since checkout sells across the shops of one consortium and pays once: goods of another
//! consortium are refused with `basket_other_consortium` until the basket is emptied, as
//! delivery apps do with another restaurant's dishes. Nothing is reserved here; stock is
//! taken at checkout.

use chrono::Utc;
use golmok_catalog::{Consortium, ConsortiumStatus, Listing, ListingStatus, Merchant};
use golmok_core::{Cache, ValidationErrors};
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, QueryOrder};
use serde_json::json;

use crate::checkout::{CheckoutItem, MAX_ITEMS, MAX_QUANTITY};
use crate::entities::{basket, basket_line};
use crate::{DomainError, Result};

/// Whose basket: `account:{id}` or `visitor:{random}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BasketOwner(String);

impl BasketOwner {
    pub fn account(account_id: &str) -> Self {
        Self(format!("account:{account_id}"))
    }

    /// A browser's basket before sign-in; `token` is a random value the browser keeps.
    pub fn visitor(token: &str) -> Self {
        Self(format!("visitor:{token}"))
    }
}

#[derive(Debug, Clone)]
pub struct Basket {
    /// None while the basket is empty.
    pub consortium: Option<Consortium>,
    /// Grouped by shop, in the order the shops were first added to.
    pub shops: Vec<BasketShop>,
    pub items_total_krw: i64,
    pub deposits_krw: i64,
}

#[derive(Debug, Clone)]
pub struct BasketShop {
    pub merchant: Merchant,
    pub lines: Vec<BasketLine>,
    pub subtotal_krw: i64,
}

#[derive(Debug, Clone)]
pub struct BasketLine {
    pub listing: Listing,
    /// In the listing's unit; for refill goods the intended amount.
    pub quantity: i64,
    pub amount_krw: i64,
    /// Under a promotion running now: what the line would cost at the listing's own price
    /// (`amount_krw` is at the promotion's), as checkout will charge it.
    pub list_amount_krw: Option<i64>,
    /// The listing is still sold and has the stock for this quantity now.
    pub available: bool,
}

impl Basket {
    pub fn is_empty(&self) -> bool {
        self.shops.is_empty()
    }

    pub fn line_count(&self) -> usize {
        self.shops.iter().map(|s| s.lines.len()).sum()
    }

    /// What the basket takes in a delivery slot: one delivery per shop, and its weight and
    /// volume (checkout books the same from the lines it prices).
    pub fn delivery_load(&self) -> golmok_delivery_routing::capacity::Load {
        let (grams, millilitres) = self
            .shops
            .iter()
            .flat_map(|s| &s.lines)
            .map(|l| l.listing.size_of(l.quantity))
            .fold((0, 0), |(g, ml), (lg, lml)| (g + lg, ml + lml));
        golmok_delivery_routing::capacity::Load {
            tasks: self.shops.len() as i64,
            grams,
            millilitres,
        }
    }

    /// What checkout is asked to sell.
    pub fn checkout_items(&self) -> Vec<CheckoutItem> {
        self.shops
            .iter()
            .flat_map(|s| &s.lines)
            .map(|l| CheckoutItem {
                listing_id: l.listing.id.clone(),
                quantity: l.quantity,
            })
            .collect()
    }
}

fn validate_quantity(quantity: i64, allow_zero: bool) -> Result<()> {
    let low = if allow_zero { 0 } else { 1 };
    if (low..=MAX_QUANTITY).contains(&quantity) {
        Ok(())
    } else {
        Err(
            ValidationErrors::single("quantity", format!("must be from {low} to {MAX_QUANTITY}"))
                .into(),
        )
    }
}

/// The consortium a basket holding `basket_consortium` buys `listing` in, or why it cannot.
async fn consortium_for(
    txn: &impl ConnectionTrait,
    listing: &Listing,
    basket_consortium: Option<&str>,
) -> Result<String> {
    let memberships = golmok_catalog::consortium::consortia_of(txn, &listing.merchant_id).await?;
    if let Some(current) = basket_consortium {
        if memberships.iter().any(|c| c == current) {
            return Ok(current.to_owned());
        }
        return Err(DomainError::conflict(
            "basket_other_consortium",
            "the basket holds goods of another consortium; check out or empty it first",
        )
        .with_details(json!({ "consortium_id": current })));
    }
    for id in memberships {
        if golmok_catalog::consortium::consortium_in(txn, &id)
            .await?
            .status
            == ConsortiumStatus::Active
        {
            return Ok(id);
        }
    }
    Err(DomainError::conflict(
        "consortium_not_active",
        "this shop is in no consortium that sells yet",
    ))
}

/// Adds `quantity` of a listing (to what the basket already holds of it).
pub async fn add(
    db: &DatabaseConnection,
    cache: &dyn Cache,
    owner: &BasketOwner,
    listing_id: &str,
    quantity: i64,
) -> Result<()> {
    validate_quantity(quantity, false)?;
    let listing = golmok_catalog::listing::get_listing(db, cache, listing_id).await?;
    if listing.status != ListingStatus::Active {
        return Err(DomainError::conflict(
            "listing_unavailable",
            "this listing is not for sale",
        ));
    }
    let txn = golmok_core::db::begin_write(db).await?;
    let existing = basket::Entity::find_by_id(owner.0.as_str())
        .one(&txn)
        .await?;
    let mut lines = lines_of(&txn, owner).await?;
    let current = existing
        .as_ref()
        .filter(|_| !lines.is_empty())
        .map(|b| b.consortium_id.as_str());
    let consortium_id = consortium_for(&txn, &listing, current).await?;
    let now = Utc::now();
    keep_basket(&txn, owner, existing.is_some(), consortium_id, now).await?;
    add_to_line(&txn, owner, &mut lines, listing_id, quantity, now).await?;
    txn.commit().await?;
    Ok(())
}

/// Writes the basket's row: its consortium, and when it last changed.
async fn keep_basket(
    txn: &impl ConnectionTrait,
    owner: &BasketOwner,
    exists: bool,
    consortium_id: String,
    now: chrono::DateTime<Utc>,
) -> Result<()> {
    let row = basket::ActiveModel {
        owner: Set(owner.0.clone()),
        consortium_id: Set(consortium_id),
        updated_at: Set(now),
    };
    if exists {
        row.update(txn).await?;
    } else {
        row.insert(txn).await?;
    }
    Ok(())
}

/// Adds `quantity` to the basket's line of a listing, or opens one while the basket has room;
/// `lines` (the basket's lines) is kept as the database now holds them.
async fn add_to_line(
    txn: &impl ConnectionTrait,
    owner: &BasketOwner,
    lines: &mut Vec<basket_line::Model>,
    listing_id: &str,
    quantity: i64,
    now: chrono::DateTime<Utc>,
) -> Result<()> {
    match lines.iter_mut().find(|l| l.listing_id == listing_id) {
        Some(line) => {
            line.quantity = line.quantity.saturating_add(quantity).min(MAX_QUANTITY);
            let mut row: basket_line::ActiveModel = line.clone().into();
            row.quantity = Set(line.quantity);
            row.update(txn).await?;
        }
        None => {
            if lines.len() >= MAX_ITEMS {
                return Err(ValidationErrors::single(
                    "listing_id",
                    format!("a basket holds at most {MAX_ITEMS} different goods"),
                )
                .into());
            }
            let line = basket_line::ActiveModel {
                owner: Set(owner.0.clone()),
                listing_id: Set(listing_id.to_owned()),
                quantity: Set(quantity),
                added_at: Set(now),
            }
            .insert(txn)
            .await?;
            lines.push(line);
        }
    }
    Ok(())
}

/// What [`add_order_again`] put in the basket, and the goods it left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddedAgain {
    /// Different goods added (or added to).
    pub added: usize,
    /// Titles of the order's goods no longer sold in its consortium.
    pub unavailable: Vec<String>,
}

/// Puts a past order's goods in its shopper's basket again, in the amounts ordered (for
/// weighed goods the amount asked for, not the amount weighed): goods no longer sold in the
/// order's consortium are left out and named. All or nothing: a basket holding another
/// consortium's goods, or without room, takes none of them.
pub async fn add_order_again(
    db: &DatabaseConnection,
    cache: &dyn Cache,
    owner: &BasketOwner,
    actor: &golmok_accounts::Account,
    order_id: &str,
) -> Result<AddedAgain> {
    let order = crate::view::get_order(db, actor, order_id).await?;
    if order.shopper_id != actor.id {
        return Err(DomainError::not_found("order", order_id));
    }
    // The listings as sold today, read (through the cache) before the transaction.
    let mut wanted: Vec<(Listing, i64)> = Vec::new();
    let mut unavailable = Vec::new();
    for line in order.merchant_orders.iter().flat_map(|m| &m.lines) {
        match golmok_catalog::listing::get_listing(db, cache, &line.listing_id).await {
            Ok(listing) if listing.status == ListingStatus::Active => {
                match wanted.iter_mut().find(|(l, _)| l.id == listing.id) {
                    Some((_, quantity)) => *quantity += line.quantity,
                    None => wanted.push((listing, line.quantity)),
                }
            }
            Ok(_) | Err(DomainError::NotFound { .. }) => unavailable.push(line.title.clone()),
            Err(e) => return Err(e),
        }
    }
    let txn = golmok_core::db::begin_write(db).await?;
    let consortium = golmok_catalog::consortium::consortium_in(&txn, &order.consortium_id).await?;
    if consortium.status != ConsortiumStatus::Active {
        return Err(DomainError::conflict(
            "consortium_not_active",
            "the order's consortium does not sell now",
        ));
    }
    let existing = basket::Entity::find_by_id(owner.0.as_str())
        .one(&txn)
        .await?;
    let mut lines = lines_of(&txn, owner).await?;
    if let Some(current) = existing
        .as_ref()
        .filter(|_| !lines.is_empty())
        .map(|b| b.consortium_id.as_str())
        .filter(|c| *c != order.consortium_id)
    {
        return Err(DomainError::conflict(
            "basket_other_consortium",
            "the basket holds goods of another consortium; check out or empty it first",
        )
        .with_details(json!({ "consortium_id": current })));
    }
    let now = Utc::now();
    keep_basket(
        &txn,
        owner,
        existing.is_some(),
        order.consortium_id.clone(),
        now,
    )
    .await?;
    let mut added = 0;
    // Per shop, whether it still sells in the order's consortium (a shop may have left).
    let mut sells_here = std::collections::HashMap::new();
    for (listing, quantity) in wanted {
        let sells = match sells_here.get(&listing.merchant_id) {
            Some(&sells) => sells,
            None => {
                let members =
                    golmok_catalog::consortium::consortia_of(&txn, &listing.merchant_id).await?;
                let sells = members.contains(&order.consortium_id);
                sells_here.insert(listing.merchant_id.clone(), sells);
                sells
            }
        };
        if !sells {
            unavailable.push(listing.title);
            continue;
        }
        add_to_line(
            &txn,
            owner,
            &mut lines,
            &listing.id,
            quantity.clamp(1, MAX_QUANTITY),
            now,
        )
        .await?;
        added += 1;
    }
    if added == 0 {
        return Err(DomainError::conflict(
            "nothing_to_add_again",
            "none of the order's goods is sold now",
        ));
    }
    txn.commit().await?;
    Ok(AddedAgain { added, unavailable })
}

/// Sets a line's quantity; 0 takes it out.
pub async fn set_quantity(
    db: &DatabaseConnection,
    owner: &BasketOwner,
    listing_id: &str,
    quantity: i64,
) -> Result<()> {
    validate_quantity(quantity, true)?;
    let txn = golmok_core::db::begin_write(db).await?;
    let line = basket_line::Entity::find_by_id((owner.0.clone(), listing_id.to_owned()))
        .one(&txn)
        .await?
        .ok_or_else(|| DomainError::not_found("basket line", listing_id))?;
    if quantity == 0 {
        line.delete(&txn).await?;
    } else {
        let mut line: basket_line::ActiveModel = line.into();
        line.quantity = Set(quantity);
        line.update(&txn).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Empties the basket.
pub async fn clear(db: &impl ConnectionTrait, owner: &BasketOwner) -> Result<()> {
    basket_line::Entity::delete_many()
        .filter(basket_line::Column::Owner.eq(owner.0.as_str()))
        .exec(db)
        .await?;
    basket::Entity::delete_by_id(owner.0.as_str())
        .exec(db)
        .await?;
    Ok(())
}

/// At sign-in: the browser's basket joins the account's. Of two baskets of different
/// consortia the browser's, the one just filled, wins.
pub async fn merge(db: &DatabaseConnection, from: &BasketOwner, into: &BasketOwner) -> Result<()> {
    let txn = golmok_core::db::begin_write(db).await?;
    let Some(visitor) = basket::Entity::find_by_id(from.0.as_str())
        .one(&txn)
        .await?
    else {
        return Ok(());
    };
    let moving = lines_of(&txn, from).await?;
    if moving.is_empty() {
        clear(&txn, from).await?;
        return txn.commit().await.map_err(Into::into);
    }
    let target = basket::Entity::find_by_id(into.0.as_str())
        .one(&txn)
        .await?;
    let mut kept = lines_of(&txn, into).await?;
    if target
        .as_ref()
        .is_some_and(|t| t.consortium_id != visitor.consortium_id)
    {
        clear(&txn, into).await?;
        kept.clear();
    }
    let row = basket::ActiveModel {
        owner: Set(into.0.clone()),
        consortium_id: Set(visitor.consortium_id.clone()),
        updated_at: Set(Utc::now()),
    };
    if target.is_some() && !kept.is_empty() {
        row.update(&txn).await?;
    } else {
        basket::Entity::delete_by_id(into.0.as_str())
            .exec(&txn)
            .await?;
        row.insert(&txn).await?;
    }
    for line in moving {
        match kept.iter().find(|k| k.listing_id == line.listing_id) {
            Some(k) => {
                let mut k: basket_line::ActiveModel = k.clone().into();
                let total = k.quantity.as_ref().saturating_add(line.quantity);
                k.quantity = Set(total.min(MAX_QUANTITY));
                k.update(&txn).await?;
            }
            None => {
                basket_line::ActiveModel {
                    owner: Set(into.0.clone()),
                    listing_id: Set(line.listing_id),
                    quantity: Set(line.quantity),
                    added_at: Set(line.added_at),
                }
                .insert(&txn)
                .await?;
            }
        }
    }
    clear(&txn, from).await?;
    txn.commit().await?;
    Ok(())
}

async fn lines_of(
    db: &impl ConnectionTrait,
    owner: &BasketOwner,
) -> Result<Vec<basket_line::Model>> {
    Ok(basket_line::Entity::find()
        .filter(basket_line::Column::Owner.eq(owner.0.as_str()))
        .order_by_asc(basket_line::Column::AddedAt)
        .order_by_asc(basket_line::Column::ListingId)
        .all(db)
        .await?)
}

/// The basket with today's prices and stock, grouped by shop.
pub async fn load(
    db: &DatabaseConnection,
    cache: &dyn Cache,
    owner: &BasketOwner,
) -> Result<Basket> {
    let mut basket = Basket {
        consortium: None,
        shops: Vec::new(),
        items_total_krw: 0,
        deposits_krw: 0,
    };
    let Some(row) = basket::Entity::find_by_id(owner.0.as_str()).one(db).await? else {
        return Ok(basket);
    };
    let lines = lines_of(db, owner).await?;
    if lines.is_empty() {
        return Ok(basket);
    }
    basket.consortium =
        Some(golmok_catalog::consortium::get_consortium(db, cache, &row.consortium_id).await?);
    let promotions =
        golmok_catalog::campaign::promotions_at(db, &row.consortium_id, chrono::Utc::now()).await?;
    for line in lines {
        let listing = match golmok_catalog::listing::get_listing(db, cache, &line.listing_id).await
        {
            Ok(l) => l,
            Err(golmok_core::DomainError::NotFound { .. }) => continue,
            Err(e) => return Err(e),
        };
        let own_amount = listing.price_for(line.quantity).unwrap_or(0);
        let (amount_krw, list_amount_krw) =
            match promotions.iter().find(|p| p.listing_id == listing.id) {
                Some(p) => {
                    let promoted = golmok_catalog::Listing {
                        price_krw: p.price_krw,
                        ..listing.clone()
                    };
                    (
                        promoted.price_for(line.quantity).unwrap_or(0),
                        Some(own_amount),
                    )
                }
                None => (own_amount, None),
            };
        let deposit = listing.container.and_then(|c| c.deposit_krw).unwrap_or(0);
        // A shop the consortium no longer counts as a member sells nothing in it any more.
        let member = basket.consortium.as_ref().is_some_and(|c| {
            c.members
                .iter()
                .any(|m| m.merchant_id == listing.merchant_id)
        });
        let available =
            member && listing.status == ListingStatus::Active && listing.stock >= line.quantity;
        basket.items_total_krw += amount_krw;
        basket.deposits_krw += deposit;
        let i = match basket
            .shops
            .iter()
            .position(|s| s.merchant.id == listing.merchant_id)
        {
            Some(i) => i,
            None => {
                let merchant =
                    golmok_catalog::merchant::get_merchant(db, &listing.merchant_id).await?;
                basket.shops.push(BasketShop {
                    merchant,
                    lines: Vec::new(),
                    subtotal_krw: 0,
                });
                basket.shops.len() - 1
            }
        };
        let shop = &mut basket.shops[i];
        shop.subtotal_krw += amount_krw;
        shop.lines.push(BasketLine {
            listing,
            quantity: line.quantity,
            amount_krw,
            list_amount_krw,
            available,
        });
    }
    Ok(basket)
}

/// How many different goods the basket holds: the number beside the basket link.
pub async fn count(db: &DatabaseConnection, owner: &BasketOwner) -> Result<usize> {
    use sea_orm::PaginatorTrait;
    Ok(basket_line::Entity::find()
        .filter(basket_line::Column::Owner.eq(owner.0.as_str()))
        .count(db)
        .await? as usize)
}
