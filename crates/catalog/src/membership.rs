//! What a coordinator reads before admitting or removing a consortium's members: each member
//! with what its removal would do to the consortium's selling, the shops nearby that could
//! join, and who changed the membership when.
//!
//! Only reads. The changes are [`consortium::add_member`] and [`consortium::remove_member`],
//! which decide again inside their own transaction.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use golmok_accounts::Account;
use golmok_core::{Cache, Coordinates};
use sea_orm::prelude::*;
use sea_orm::{QueryOrder, QuerySelect};

use crate::consortium::{self, Consortium, ConsortiumStatus, Member, status_for};
use crate::entities::{membership_event, merchant};
use crate::merchant::{Merchant, from_model, merchants_in, within_radius};
use crate::{Result, agency};

/// Most shops offered to join at once; a name narrows them.
pub const CANDIDATES: usize = 30;
/// Shops this close to the members' centre are offered, nearest first: an alley's walk.
pub const NEARBY_M: f64 = 3_000.0;
/// Newest changes shown.
pub const HISTORY: usize = 50;

#[derive(Debug, Clone)]
pub struct MembershipDesk {
    pub consortium: Consortium,
    pub members: Vec<DeskMember>,
    /// Shops not yet members: near the members (or matching the name asked for), nearest
    /// first; the newest shops while the consortium has no member.
    pub candidates: Vec<Candidate>,
    /// Newest first, at most [`HISTORY`].
    pub history: Vec<MembershipChange>,
}

#[derive(Debug, Clone)]
pub struct DeskMember {
    pub member: Member,
    pub address: String,
    /// Removing it leaves the consortium outside the membership rule, so it stops selling.
    pub removal_stops_selling: bool,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Candidate {
    pub merchant: Merchant,
    /// From the members' centre; none while the consortium has no member.
    pub distance_m: Option<f64>,
    /// The consortia it already belongs to (a shop may sell in several).
    pub consortia: usize,
}

#[derive(Debug, Clone)]
pub struct MembershipChange {
    pub at: DateTime<Utc>,
    pub added: bool,
    pub merchant_id: String,
    /// The shop's name, or its id if it is gone.
    pub merchant_name: String,
    /// The coordinator's (or admin's) name.
    pub by: String,
    pub status_after: ConsortiumStatus,
}

/// The desk of consortium `id` for `actor`, who must manage it; `name` narrows the shops
/// offered to those whose name holds it.
pub async fn desk(
    db: &DatabaseConnection,
    cache: &dyn Cache,
    actor: &Account,
    id: &str,
    name: Option<&str>,
) -> Result<MembershipDesk> {
    let (consortium, member_ids, shops) = managed(db, cache, actor, id).await?;
    let kinds: Vec<_> = consortium.members.iter().map(|m| m.kind).collect();
    let selling = status_for(&kinds) == ConsortiumStatus::Active;
    let members = consortium
        .members
        .iter()
        .enumerate()
        .map(|(i, member)| {
            let mut rest = kinds.clone();
            rest.remove(i);
            DeskMember {
                address: shops
                    .get(&member.merchant_id)
                    .map(|s| s.address.clone())
                    .unwrap_or_default(),
                removal_stops_selling: selling && status_for(&rest) == ConsortiumStatus::Forming,
                member: member.clone(),
            }
        })
        .collect();
    let centre = centre_of(shops.values().map(|s| s.location));
    let candidates = candidates(db, &member_ids, centre, name).await?;
    let history = history(db, id).await?;
    Ok(MembershipDesk {
        consortium,
        members,
        candidates,
        history,
    })
}

/// Consortium `id` if `actor` manages it, with its members' ids and shops.
async fn managed(
    db: &DatabaseConnection,
    cache: &dyn Cache,
    actor: &Account,
    id: &str,
) -> Result<(Consortium, Vec<String>, HashMap<String, Merchant>)> {
    let consortium = consortium::get_consortium(db, cache, id).await?;
    agency::ensure_manages(db, actor, &consortium.agency_id).await?;
    let member_ids: Vec<String> = consortium
        .members
        .iter()
        .map(|m| m.merchant_id.clone())
        .collect();
    let shops = merchants_in(db, &member_ids)
        .await?
        .into_iter()
        .map(|m| (m.id.clone(), m))
        .collect();
    Ok((consortium, member_ids, shops))
}

/// The shops that could join consortium `id`, for `actor`, who must manage it: those within
/// [`NEARBY_M`] of its members, nearest first (the newest shops while it has none), or those
/// whose name holds `name`; at most [`CANDIDATES`].
pub async fn member_candidates(
    db: &DatabaseConnection,
    cache: &dyn Cache,
    actor: &Account,
    id: &str,
    name: Option<&str>,
) -> Result<Vec<Candidate>> {
    let (_, member_ids, shops) = managed(db, cache, actor, id).await?;
    let centre = centre_of(shops.values().map(|s| s.location));
    candidates(db, &member_ids, centre, name).await
}

/// The mean of the members' places: close enough for an alley's few kilometres.
fn centre_of(points: impl Iterator<Item = Coordinates>) -> Option<Coordinates> {
    let (mut lat, mut lon, mut n) = (0.0, 0.0, 0.0);
    for p in points {
        lat += p.lat;
        lon += p.lon;
        n += 1.0;
    }
    (n > 0.0).then(|| Coordinates {
        lat: lat / n,
        lon: lon / n,
    })
}

async fn candidates(
    db: &DatabaseConnection,
    member_ids: &[String],
    centre: Option<Coordinates>,
    name: Option<&str>,
) -> Result<Vec<Candidate>> {
    let name = name.map(str::trim).filter(|n| !n.is_empty());
    // Members are left out after the query, so ask for enough to fill the list without them.
    let wanted = (CANDIDATES + member_ids.len()) as u64;
    let shops: Vec<Merchant> = match (name, centre) {
        (Some(name), _) => merchant::Entity::find()
            .filter(merchant::Column::Name.contains(name))
            .order_by_asc(merchant::Column::Name)
            .limit(wanted.max(200))
            .all(db)
            .await?
            .into_iter()
            .map(from_model)
            .collect::<Result<_>>()?,
        (None, Some(centre)) => within_radius(db, centre, NEARBY_M)
            .await?
            .into_iter()
            .map(|n| n.merchant)
            .collect(),
        (None, None) => merchant::Entity::find()
            .order_by_desc(merchant::Column::CreatedAt)
            .limit(wanted)
            .all(db)
            .await?
            .into_iter()
            .map(from_model)
            .collect::<Result<_>>()?,
    };
    let mut offered: Vec<Candidate> = shops
        .into_iter()
        .filter(|m| !member_ids.contains(&m.id))
        .map(|merchant| Candidate {
            distance_m: centre.map(|c| (c.distance_m(&merchant.location) / 10.0).round() * 10.0),
            merchant,
            consortia: 0,
        })
        .collect();
    // Nearest first; by name while the consortium has no place yet.
    offered.sort_by(|a, b| match (a.distance_m, b.distance_m) {
        (Some(x), Some(y)) => x.total_cmp(&y),
        _ => a.merchant.name.cmp(&b.merchant.name),
    });
    offered.truncate(CANDIDATES);
    let ids: Vec<String> = offered.iter().map(|c| c.merchant.id.clone()).collect();
    let counts = consortium::memberships_of(db, &ids).await?;
    for c in &mut offered {
        c.consortia = counts.get(&c.merchant.id).copied().unwrap_or(0);
    }
    Ok(offered)
}

async fn history(db: &DatabaseConnection, id: &str) -> Result<Vec<MembershipChange>> {
    let events = membership_event::Entity::find()
        .filter(membership_event::Column::ConsortiumId.eq(id))
        .order_by_desc(membership_event::Column::At)
        .order_by_desc(membership_event::Column::Id)
        .limit(HISTORY as u64)
        .all(db)
        .await?;
    let mut shop_ids: Vec<String> = events.iter().map(|e| e.merchant_id.clone()).collect();
    shop_ids.sort();
    shop_ids.dedup();
    let shops: HashMap<String, String> = merchants_in(db, &shop_ids)
        .await?
        .into_iter()
        .map(|m| (m.id, m.name))
        .collect();
    let mut actor_ids: Vec<String> = events.iter().map(|e| e.actor_id.clone()).collect();
    actor_ids.sort();
    actor_ids.dedup();
    let actors = golmok_accounts::names_of(db, &actor_ids).await?;
    events
        .into_iter()
        .map(|e| {
            Ok(MembershipChange {
                at: e.at,
                added: e.action == "added",
                merchant_name: shops
                    .get(&e.merchant_id)
                    .cloned()
                    .unwrap_or_else(|| e.merchant_id.clone()),
                by: actors
                    .get(&e.actor_id)
                    .cloned()
                    .unwrap_or_else(|| e.actor_id.clone()),
                status_after: ConsortiumStatus::parse(&e.status_after)?,
                merchant_id: e.merchant_id,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_centre_is_the_members_mean_and_none_without_members() {
        assert!(centre_of(std::iter::empty()).is_none());
        let c = centre_of(
            [
                Coordinates {
                    lat: 37.55,
                    lon: 126.90,
                },
                Coordinates {
                    lat: 37.57,
                    lon: 126.92,
                },
            ]
            .into_iter(),
        )
        .expect("two members");
        assert!((c.lat - 37.56).abs() < 1e-9 && (c.lon - 126.91).abs() < 1e-9);
    }
}
