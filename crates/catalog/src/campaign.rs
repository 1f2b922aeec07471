//! Campaigns of a consortium in time and, optionally, place: refill markets (채우장), alley
//! festivals (골목축제) and promotions, each featuring some of the members' listings.

use chrono::{DateTime, Utc};
use golmok_accounts::Account;
use golmok_core::page::{self, Page};
use golmok_core::{Coordinates, ValidationErrors, new_id};
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
    pub fn as_str(self) -> &'static str {
        match self {
            CampaignKind::RefillMarket => "refill_market",
            CampaignKind::Festival => "festival",
            CampaignKind::Promotion => "promotion",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [
            CampaignKind::RefillMarket,
            CampaignKind::Festival,
            CampaignKind::Promotion,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
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
    pub created_by: String,
    pub created_at: DateTime<Utc>,
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
            .filter(campaign::Column::EndsAt.gt(at));
    }
    if let Some(cursor) = &query.cursor {
        let after: String = page::decode_cursor(cursor)?;
        select = select.filter(campaign::Column::Id.gt(after));
    }
    let mut rows = select.limit(query.limit + 1).all(db).await?;
    let next_cursor = page::cut(&mut rows, query.limit, |c| c.id.clone());
    let mut items = Vec::with_capacity(rows.len());
    for c in rows {
        let listing_ids = campaign_listing::Entity::find()
            .filter(campaign_listing::Column::CampaignId.eq(c.id.as_str()))
            .order_by_asc(campaign_listing::Column::ListingId)
            .all(db)
            .await?
            .into_iter()
            .map(|cl| cl.listing_id)
            .collect();
        items.push(Campaign {
            kind: CampaignKind::parse(&c.kind).ok_or_else(|| {
                DomainError::Internal(format!("campaign {} kind {}", c.id, c.kind))
            })?,
            location: c.lat.zip(c.lon).map(|(lat, lon)| Coordinates { lat, lon }),
            id: c.id,
            consortium_id: c.consortium_id,
            title: c.title,
            starts_at: c.starts_at,
            ends_at: c.ends_at,
            place: c.place,
            listing_ids,
            created_by: c.created_by,
            created_at: c.created_at,
        });
    }
    Ok(Page { items, next_cursor })
}
