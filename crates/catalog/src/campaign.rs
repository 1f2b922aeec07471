//! Campaigns of a consortium in time and, optionally, place: refill markets (채우장), alley
//! festivals (골목축제) and promotions, each featuring some of the members' listings. A
//! promotion may take a per cent or a number of won off its featured listings' prices while
//! it runs: checkout asks [`promotions_at`] and charges the lower price. A campaign is read,
//! changed and called off by the coordinators who may create it.

use chrono::{DateTime, Utc};
use golmok_accounts::Account;
use golmok_core::page::{self, Page};
use golmok_core::{Cache, Coordinates, ValidationErrors, new_id};
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, DatabaseTransaction, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};

use crate::entities::{campaign, campaign_listing, consortium, consortium_member, listing};
use crate::{DomainError, ListingStatus, Result, agency};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CampaignKind {
    RefillMarket,
    Festival,
    Promotion,
}

impl CampaignKind {
    pub const ALL: [CampaignKind; 3] = [
        CampaignKind::RefillMarket,
        CampaignKind::Festival,
        CampaignKind::Promotion,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CampaignKind::RefillMarket => "refill_market",
            CampaignKind::Festival => "festival",
            CampaignKind::Promotion => "promotion",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Campaign {
    pub id: String,
    pub consortium_id: String,
    pub kind: CampaignKind,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub location: Option<Coordinates>,
    pub place: Option<String>,
    pub listing_ids: Vec<String>,
    /// A promotion's price effect on its listings while it runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount: Option<Discount>,
    /// When it was called off; a cancelled campaign runs no more and discounts nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancelled_at: Option<DateTime<Utc>>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

/// What a promotion takes off a featured listing's price (the price of its priced unit: a
/// piece, or 100 g of a good sold by weight).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Discount {
    /// 1 to 90 per cent off, the discounted price rounded half up to the won.
    Percent { percent: u32 },
    /// A number of won off, never below zero.
    Won { krw: i64 },
}

impl Discount {
    /// The price after the discount.
    pub fn apply(self, price_krw: i64) -> i64 {
        match self {
            Discount::Percent { percent } => golmok_core::money::price_for_quantity(
                price_krw,
                100,
                100 - i64::from(percent.min(100)),
            )
            .unwrap_or(price_krw),
            Discount::Won { krw } => (price_krw - krw).max(0),
        }
    }

    fn validate(self, errors: &mut ValidationErrors) {
        match self {
            Discount::Percent { percent } if !(1..=90).contains(&percent) => {
                errors.add("discount.percent", "must be 1 to 90")
            }
            Discount::Won { krw } if !(1..=1_000_000).contains(&krw) => {
                errors.add("discount.krw", "must be 1 to 1,000,000 won")
            }
            _ => {}
        }
    }

    fn stored(self) -> (Option<i32>, Option<i64>) {
        match self {
            Discount::Percent { percent } => (Some(percent as i32), None),
            Discount::Won { krw } => (None, Some(krw)),
        }
    }

    fn of(percent: Option<i32>, krw: Option<i64>) -> Option<Self> {
        match (percent, krw) {
            (Some(p), _) => Some(Discount::Percent {
                percent: p.max(0) as u32,
            }),
            (None, Some(krw)) => Some(Discount::Won { krw }),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, utoipa::ToSchema, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewCampaign {
    pub consortium_id: String,
    pub kind: CampaignKind,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    #[serde(default)]
    pub listing_ids: Vec<String>,
    pub location: Option<Coordinates>,
    pub place: Option<String>,
    /// Promotions only.
    #[serde(default)]
    pub discount: Option<Discount>,
}

pub async fn create_campaign(
    db: &DatabaseConnection,
    actor: &Account,
    new: NewCampaign,
) -> Result<Campaign> {
    validate_campaign(&new)?;
    let txn = golmok_core::db::begin_write(db).await?;
    let consortium = consortium::Entity::find_by_id(new.consortium_id.as_str())
        .one(&txn)
        .await?
        .ok_or_else(|| ValidationErrors::single("consortium_id", "no such consortium"))?;
    agency::ensure_manages(&txn, actor, &consortium.agency_id).await?;
    let listing_ids = featured_listings(&txn, &consortium.id, &new).await?;
    let campaign = Campaign {
        id: new_id("cmp"),
        consortium_id: consortium.id,
        kind: new.kind,
        title: new.title.trim().to_owned(),
        starts_at: new.starts_at,
        ends_at: new.ends_at,
        location: new.location,
        place: new.place.map(|p| p.trim().to_owned()),
        listing_ids,
        discount: new.discount,
        cancelled_at: None,
        created_by: actor.id.clone(),
        created_at: Utc::now(),
    };
    write_campaign(&txn, &campaign).await?;
    txn.commit().await?;
    Ok(campaign)
}

fn validate_campaign(new: &NewCampaign) -> Result<()> {
    let mut errors = ValidationErrors::new();
    let title = new.title.trim();
    if title.is_empty() || title.chars().count() > 120 {
        errors.add("title", "must be 1 to 120 characters");
    }
    if new.ends_at <= new.starts_at {
        errors.add("ends_at", "must be after starts_at");
    }
    if let Some(location) = &new.location {
        location.validate("location", &mut errors);
    }
    if new
        .place
        .as_deref()
        .is_some_and(|p| p.trim().chars().count() > 200)
    {
        errors.add("place", "must be at most 200 characters");
    }
    if new.listing_ids.len() > 500 {
        errors.add("listing_ids", "may feature at most 500 listings");
    }
    if let Some(d) = new.discount {
        if new.kind != CampaignKind::Promotion {
            errors.add("discount", "only a promotion changes prices");
        }
        d.validate(&mut errors);
    }
    Ok(errors.into_result()?)
}

/// The listings a campaign features, each once: sold by a member, not archived, and refill
/// goods for a refill market (each failing one named).
async fn featured_listings(
    txn: &DatabaseTransaction,
    consortium_id: &str,
    new: &NewCampaign,
) -> Result<Vec<String>> {
    let mut listing_ids: Vec<String> = Vec::new();
    for id in &new.listing_ids {
        if !listing_ids.contains(id) {
            listing_ids.push(id.clone());
        }
    }
    let members: Vec<String> = consortium_member::Entity::find()
        .filter(consortium_member::Column::ConsortiumId.eq(consortium_id))
        .all(txn)
        .await?
        .into_iter()
        .map(|m| m.merchant_id)
        .collect();
    let found = listing::Entity::find()
        .filter(listing::Column::Id.is_in(listing_ids.iter().cloned()))
        .all(txn)
        .await?;
    let mut errors = ValidationErrors::new();
    for (i, id) in new.listing_ids.iter().enumerate() {
        let field = format!("listing_ids[{i}]");
        match found.iter().find(|l| &l.id == id) {
            None => errors.add(field, "no such listing"),
            Some(l) if !members.contains(&l.merchant_id) => {
                errors.add(field, "is not sold by a member of this consortium")
            }
            Some(l) if l.status == ListingStatus::Archived.as_str() => {
                errors.add(field, "is archived")
            }
            Some(l) if new.kind == CampaignKind::RefillMarket && !l.refill => errors.add(
                field,
                "is not a refill good; a refill market features refill goods only",
            ),
            Some(_) => {}
        }
    }
    errors.into_result()?;
    Ok(listing_ids)
}

async fn write_campaign(txn: &DatabaseTransaction, c: &Campaign) -> Result<()> {
    campaign::ActiveModel {
        id: Set(c.id.clone()),
        consortium_id: Set(c.consortium_id.clone()),
        kind: Set(c.kind.as_str().to_owned()),
        title: Set(c.title.clone()),
        starts_at: Set(c.starts_at),
        ends_at: Set(c.ends_at),
        lat: Set(c.location.map(|l| l.lat)),
        lon: Set(c.location.map(|l| l.lon)),
        place: Set(c.place.clone()),
        created_by: Set(c.created_by.clone()),
        created_at: Set(c.created_at),
        discount_percent: Set(c.discount.and_then(|d| d.stored().0)),
        discount_krw: Set(c.discount.and_then(|d| d.stored().1)),
        cancelled_at: Set(c.cancelled_at),
    }
    .insert(txn)
    .await?;
    for listing_id in &c.listing_ids {
        campaign_listing::ActiveModel {
            campaign_id: Set(c.id.clone()),
            listing_id: Set(listing_id.clone()),
        }
        .insert(txn)
        .await?;
    }
    Ok(())
}

#[derive(Debug, Clone, Default)]
pub struct CampaignQuery {
    pub consortium_id: Option<String>,
    /// Only campaigns running at this instant.
    pub active_at: Option<DateTime<Utc>>,
    pub limit: u64,
    pub cursor: Option<String>,
}

pub async fn list_campaigns(
    db: &DatabaseConnection,
    query: &CampaignQuery,
) -> Result<Page<Campaign>> {
    let mut select = campaign::Entity::find().order_by_asc(campaign::Column::Id);
    if let Some(consortium_id) = &query.consortium_id {
        select = select.filter(campaign::Column::ConsortiumId.eq(consortium_id.as_str()));
    }
    if let Some(at) = query.active_at {
        select = select
            .filter(campaign::Column::StartsAt.lte(at))
            .filter(campaign::Column::EndsAt.gt(at))
            .filter(campaign::Column::CancelledAt.is_null());
    }
    if let Some(cursor) = &query.cursor {
        let after: String = page::decode_cursor(cursor)?;
        select = select.filter(campaign::Column::Id.gt(after));
    }
    let mut rows = select.limit(query.limit + 1).all(db).await?;
    let next_cursor = page::cut(&mut rows, query.limit, |c| c.id.clone());
    let mut items = Vec::with_capacity(rows.len());
    for c in rows {
        items.push(assemble(db, c).await?);
    }
    Ok(Page { items, next_cursor })
}

async fn assemble(db: &impl ConnectionTrait, c: campaign::Model) -> Result<Campaign> {
    let listing_ids = campaign_listing::Entity::find()
        .filter(campaign_listing::Column::CampaignId.eq(c.id.as_str()))
        .order_by_asc(campaign_listing::Column::ListingId)
        .all(db)
        .await?
        .into_iter()
        .map(|cl| cl.listing_id)
        .collect();
    Ok(Campaign {
        kind: CampaignKind::parse(&c.kind)
            .ok_or_else(|| DomainError::Internal(format!("campaign {} kind {}", c.id, c.kind)))?,
        location: c.lat.zip(c.lon).map(|(lat, lon)| Coordinates { lat, lon }),
        discount: Discount::of(c.discount_percent, c.discount_krw),
        cancelled_at: c.cancelled_at,
        id: c.id,
        consortium_id: c.consortium_id,
        title: c.title,
        starts_at: c.starts_at,
        ends_at: c.ends_at,
        place: c.place,
        listing_ids,
        created_by: c.created_by,
        created_at: c.created_at,
    })
}

/// A campaign, for anyone (campaigns are public).
pub async fn get_campaign(db: &DatabaseConnection, id: &str) -> Result<Campaign> {
    let c = campaign::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| DomainError::not_found("campaign", id))?;
    assemble(db, c).await
}

/// What may change in a campaign; absent fields stay.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CampaignPatch {
    pub title: Option<String>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "golmok_core::patch::nullable")]
    pub place: Option<Option<String>>,
    /// Replaces the featured listings.
    pub listing_ids: Option<Vec<String>>,
    /// A promotion's discount; `null` takes it away.
    #[serde(default, deserialize_with = "golmok_core::patch::nullable")]
    pub discount: Option<Option<Discount>>,
    /// Where a festival or market is held, for a map; `null` takes the pin away.
    #[serde(default, deserialize_with = "golmok_core::patch::nullable")]
    pub location: Option<Option<Coordinates>>,
}

async fn managed(
    txn: &DatabaseTransaction,
    actor: &Account,
    id: &str,
) -> Result<(campaign::Model, Campaign)> {
    let model = campaign::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or_else(|| DomainError::not_found("campaign", id))?;
    let owner = consortium::Entity::find_by_id(model.consortium_id.as_str())
        .one(txn)
        .await?
        .ok_or_else(|| DomainError::internal(format!("campaign {id}'s consortium")))?;
    agency::ensure_manages(txn, actor, &owner.agency_id).await?;
    let campaign = assemble(txn, model.clone()).await?;
    Ok((model, campaign))
}

/// Changes a campaign (not one called off). New featured listings renew the catalog's
/// version: the campaign's listing pages change.
pub async fn update_campaign(
    db: &DatabaseConnection,
    cache: &dyn Cache,
    actor: &Account,
    id: &str,
    patch: CampaignPatch,
) -> Result<Campaign> {
    let features_change = patch.listing_ids.is_some();
    let txn = golmok_core::db::begin_write(db).await?;
    let (model, current) = managed(&txn, actor, id).await?;
    if current.cancelled_at.is_some() {
        return Err(DomainError::conflict(
            "campaign_cancelled",
            "a cancelled campaign does not change",
        ));
    }
    let next = NewCampaign {
        consortium_id: current.consortium_id.clone(),
        kind: current.kind,
        title: patch.title.unwrap_or(current.title),
        starts_at: patch.starts_at.unwrap_or(current.starts_at),
        ends_at: patch.ends_at.unwrap_or(current.ends_at),
        listing_ids: patch.listing_ids.unwrap_or(current.listing_ids),
        location: patch.location.unwrap_or(current.location),
        place: patch.place.unwrap_or(current.place),
        discount: patch.discount.unwrap_or(current.discount),
    };
    validate_campaign(&next)?;
    let listing_ids = featured_listings(&txn, &next.consortium_id, &next).await?;
    let (percent, krw) = next.discount.map_or((None, None), Discount::stored);
    let mut m: campaign::ActiveModel = model.into();
    m.title = Set(next.title.trim().to_owned());
    m.starts_at = Set(next.starts_at);
    m.ends_at = Set(next.ends_at);
    m.place = Set(next.place.map(|p| p.trim().to_owned()));
    m.lat = Set(next.location.map(|l| l.lat));
    m.lon = Set(next.location.map(|l| l.lon));
    m.discount_percent = Set(percent);
    m.discount_krw = Set(krw);
    m.update(&txn).await?;
    campaign_listing::Entity::delete_many()
        .filter(campaign_listing::Column::CampaignId.eq(id))
        .exec(&txn)
        .await?;
    for listing_id in &listing_ids {
        campaign_listing::ActiveModel {
            campaign_id: Set(id.to_owned()),
            listing_id: Set(listing_id.clone()),
        }
        .insert(&txn)
        .await?;
    }
    let updated = get_in(&txn, id).await?;
    txn.commit().await?;
    if features_change {
        crate::read_cache::renew(cache).await;
    }
    Ok(updated)
}

async fn get_in(txn: &DatabaseTransaction, id: &str) -> Result<Campaign> {
    let c = campaign::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or_else(|| DomainError::not_found("campaign", id))?;
    assemble(txn, c).await
}

/// Calls a campaign off: it runs no more, and a promotion's prices are the listings' own
/// again for every checkout from now. Calling it off twice is the same as once.
pub async fn cancel_campaign(
    db: &DatabaseConnection,
    actor: &Account,
    id: &str,
) -> Result<Campaign> {
    let txn = golmok_core::db::begin_write(db).await?;
    let (model, current) = managed(&txn, actor, id).await?;
    if current.cancelled_at.is_none() {
        let mut m: campaign::ActiveModel = model.into();
        m.cancelled_at = Set(Some(Utc::now()));
        m.update(&txn).await?;
    }
    let updated = get_in(&txn, id).await?;
    txn.commit().await?;
    Ok(updated)
}

/// A promotion's price on one listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromotedPrice {
    pub listing_id: String,
    pub campaign_id: String,
    pub price_krw: i64,
}

/// The promotions of the consortium running at `at` (not called off), as the price each
/// takes its featured listings down to; where two promotions feature a listing, the lower
/// price.
pub async fn promotions_at(
    db: &impl ConnectionTrait,
    consortium_id: &str,
    at: DateTime<Utc>,
) -> Result<Vec<PromotedPrice>> {
    let running = campaign::Entity::find()
        .filter(campaign::Column::ConsortiumId.eq(consortium_id))
        .filter(campaign::Column::Kind.eq(CampaignKind::Promotion.as_str()))
        .filter(campaign::Column::StartsAt.lte(at))
        .filter(campaign::Column::EndsAt.gt(at))
        .filter(campaign::Column::CancelledAt.is_null())
        .all(db)
        .await?;
    let mut out: Vec<PromotedPrice> = Vec::new();
    for c in running {
        let Some(discount) = Discount::of(c.discount_percent, c.discount_krw) else {
            continue;
        };
        let featured: Vec<String> = campaign_listing::Entity::find()
            .filter(campaign_listing::Column::CampaignId.eq(c.id.as_str()))
            .all(db)
            .await?
            .into_iter()
            .map(|cl| cl.listing_id)
            .collect();
        for l in listing::Entity::find()
            .filter(listing::Column::Id.is_in(featured))
            .all(db)
            .await?
        {
            let price_krw = discount.apply(l.price_krw);
            match out.iter_mut().find(|p| p.listing_id == l.id) {
                Some(p) if p.price_krw <= price_krw => {}
                Some(p) => {
                    p.price_krw = price_krw;
                    p.campaign_id = c.id.clone();
                }
                None => out.push(PromotedPrice {
                    listing_id: l.id,
                    campaign_id: c.id.clone(),
                    price_krw,
                }),
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discounts_round_to_the_won_and_never_go_below_zero() {
        assert_eq!(Discount::Percent { percent: 20 }.apply(3_500), 2_800);
        // 15% off 999 is 849.15 → 849.
        assert_eq!(Discount::Percent { percent: 15 }.apply(999), 849);
        // 10% off 905 is 814.5 → 815 (half up).
        assert_eq!(Discount::Percent { percent: 10 }.apply(905), 815);
        assert_eq!(Discount::Won { krw: 500 }.apply(3_500), 3_000);
        assert_eq!(Discount::Won { krw: 5_000 }.apply(3_500), 0);
    }
}
