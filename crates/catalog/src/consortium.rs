//! Consortia (협업체): five or more merchants, small businesses together with social-economy
//! enterprises, that sell and campaign together. One below five, or without both sides, is
//! `forming` and cannot sell.

use std::time::Duration;

use chrono::{DateTime, Utc};
use golmok_accounts::{Account, Role};
use golmok_core::page::{self, Page};
use golmok_core::{Cache, ValidationErrors, new_id};
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};

use crate::entities::{consortium, consortium_member, membership_event, merchant};
use crate::merchant::MerchantKind;
use crate::{DomainError, Result, agency, district};

/// Fewest members a consortium sells with.
pub const MIN_MEMBERS: usize = 5;
pub const DEFAULT_COMMISSION_BPS: u32 = 300;
pub const MAX_COMMISSION_BPS: u32 = 3_000;
const CACHE_TTL: Duration = Duration::from_secs(300);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConsortiumStatus {
    Forming,
    Active,
}

impl ConsortiumStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ConsortiumStatus::Forming => "forming",
            ConsortiumStatus::Active => "active",
        }
    }

    pub(crate) fn parse(s: &str) -> Result<Self> {
        match s {
            "forming" => Ok(ConsortiumStatus::Forming),
            "active" => Ok(ConsortiumStatus::Active),
            other => Err(DomainError::Internal(format!(
                "stored consortium status {other}"
            ))),
        }
    }
}

/// The membership rule, written once: active with at least [`MIN_MEMBERS`] members of
/// which at least one is a small business and at least one a social-economy enterprise.
pub fn status_for(member_kinds: &[MerchantKind]) -> ConsortiumStatus {
    let small_business = member_kinds.iter().any(|k| !k.is_social_economy());
    let social_economy = member_kinds.iter().any(|k| k.is_social_economy());
    if member_kinds.len() >= MIN_MEMBERS && small_business && social_economy {
        ConsortiumStatus::Active
    } else {
        ConsortiumStatus::Forming
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Member {
    pub merchant_id: String,
    pub name: String,
    pub kind: MerchantKind,
    pub joined_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Consortium {
    pub id: String,
    pub name: String,
    pub district: String,
    pub agency_id: String,
    pub network_id: Option<String>,
    pub status: ConsortiumStatus,
    /// The platform's commission on the consortium's sales, in basis points (300 = 3%).
    pub commission_bps: u32,
    /// Its members may also trade with members of the other consortia of its district.
    #[serde(default)]
    pub member_trade_district_wide: bool,
    pub members: Vec<Member>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct MembershipEvent {
    pub id: String,
    pub merchant_id: String,
    /// `added` or `removed`.
    pub action: String,
    pub actor_id: String,
    pub status_after: ConsortiumStatus,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, utoipa::ToSchema, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewConsortium {
    pub name: String,
    pub district: String,
    pub network_id: Option<String>,
}

fn cache_key(id: &str) -> String {
    format!("consortium:{id}")
}

pub(crate) async fn invalidate(cache: &dyn Cache, id: &str) {
    cache.invalidate(&cache_key(id)).await;
    // Its members' listings are on its pages.
    crate::read_cache::renew(cache).await;
}

pub async fn create_consortium(
    db: &DatabaseConnection,
    actor: &Account,
    new: NewConsortium,
) -> Result<Consortium> {
    if !actor.role.may_act_as_any_of(&[Role::Coordinator]) {
        return Err(DomainError::Forbidden(
            "only coordinators form consortia".into(),
        ));
    }
    let mut errors = ValidationErrors::new();
    let name = new.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 100 {
        errors.add("name", "must be 1 to 100 characters");
    }
    let district = district::resolve(&new.district);
    if district.is_none() {
        errors.add("district", "is not one of Seoul's 25 districts");
    }
    if new
        .network_id
        .as_deref()
        .is_some_and(|n| n.trim().is_empty())
    {
        errors.add("network_id", "must not be empty");
    }
    errors.into_result()?;
    let district = district.map(|d| d.name).unwrap_or_default();

    let txn = golmok_core::db::begin_write(db).await?;
    let agency_id = agency::agency_for_district(&txn, district)
        .await?
        .ok_or_else(|| {
            DomainError::Invalid(ValidationErrors::single(
                "district",
                "no support agency runs this district yet",
            ))
        })?;
    agency::ensure_manages(&txn, actor, &agency_id).await?;
    let now = Utc::now();
    let model = consortium::ActiveModel {
        id: Set(new_id("con")),
        name: Set(name),
        district: Set(district.to_owned()),
        agency_id: Set(agency_id),
        network_id: Set(new.network_id),
        status: Set(ConsortiumStatus::Forming.as_str().into()),
        commission_bps: Set(DEFAULT_COMMISSION_BPS as i32),
        member_trade_district_wide: Set(false),
        created_by: Set(actor.id.clone()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let created = assemble(&txn, model).await?;
    txn.commit().await?;
    Ok(created)
}

async fn assemble(db: &impl ConnectionTrait, model: consortium::Model) -> Result<Consortium> {
    let rows = consortium_member::Entity::find()
        .filter(consortium_member::Column::ConsortiumId.eq(model.id.as_str()))
        .find_also_related_via_merchant()
        .order_by_asc(consortium_member::Column::JoinedAt)
        .all(db)
        .await?;
    let members = rows
        .into_iter()
        .filter_map(|(member, merchant)| merchant.map(|m| (member, m)))
        .map(|(member, m)| {
            Ok(Member {
                kind: MerchantKind::parse(&m.kind).ok_or_else(|| {
                    DomainError::Internal(format!("merchant {} kind {}", m.id, m.kind))
                })?,
                merchant_id: m.id,
                name: m.name,
                joined_at: member.joined_at,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Consortium {
        status: ConsortiumStatus::parse(&model.status)?,
        id: model.id,
        name: model.name,
        district: model.district,
        agency_id: model.agency_id,
        network_id: model.network_id,
        member_trade_district_wide: model.member_trade_district_wide,
        commission_bps: u32::try_from(model.commission_bps).map_err(|_| {
            DomainError::Internal(format!("consortium commission {}", model.commission_bps))
        })?,
        members,
        created_at: model.created_at,
        updated_at: model.updated_at,
    })
}

/// Members joined with their merchants, without declaring a relation on the entities.
trait MembersWithMerchants {
    fn find_also_related_via_merchant(
        self,
    ) -> sea_orm::SelectTwo<consortium_member::Entity, merchant::Entity>;
}

impl MembersWithMerchants for sea_orm::Select<consortium_member::Entity> {
    fn find_also_related_via_merchant(
        self,
    ) -> sea_orm::SelectTwo<consortium_member::Entity, merchant::Entity> {
        let to_merchant: sea_orm::RelationDef =
            consortium_member::Entity::belongs_to(merchant::Entity)
                .from(consortium_member::Column::MerchantId)
                .to(merchant::Column::Id)
                .into();
        self.select_also(merchant::Entity)
            .join(sea_orm::JoinType::LeftJoin, to_merchant)
    }
}

/// A consortium with its members, from the cache when it holds it.
pub async fn get_consortium(
    db: &DatabaseConnection,
    cache: &dyn Cache,
    id: &str,
) -> Result<Consortium> {
    if let Some(hit) = cache.get(&cache_key(id)).await
        && let Ok(consortium) = serde_json::from_str(&hit)
    {
        return Ok(consortium);
    }
    let model = consortium::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| DomainError::not_found("consortium", id))?;
    let consortium = assemble(db, model).await?;
    if let Ok(json) = serde_json::to_string(&consortium) {
        cache.put(&cache_key(id), json, CACHE_TTL).await;
    }
    Ok(consortium)
}

pub async fn list_consortia(
    db: &DatabaseConnection,
    district_filter: Option<&str>,
    limit: u64,
    cursor: Option<&str>,
) -> Result<Page<Consortium>> {
    let mut query = consortium::Entity::find().order_by_asc(consortium::Column::Id);
    if let Some(input) = district_filter {
        let d = district::resolve(input).ok_or_else(|| {
            ValidationErrors::single("district", "is not one of Seoul's 25 districts")
        })?;
        query = query.filter(consortium::Column::District.eq(d.name));
    }
    if let Some(cursor) = cursor {
        let after: String = page::decode_cursor(cursor)?;
        query = query.filter(consortium::Column::Id.gt(after));
    }
    let mut rows = query.limit(limit + 1).all(db).await?;
    let next_cursor = page::cut(&mut rows, limit, |m| m.id.clone());
    let mut items = Vec::with_capacity(rows.len());
    for model in rows {
        items.push(assemble(db, model).await?);
    }
    Ok(Page { items, next_cursor })
}

/// A consortium as it stands inside the caller's transaction, bypassing the cache: what
/// checkout decides on.
pub async fn consortium_in(txn: &impl ConnectionTrait, id: &str) -> Result<Consortium> {
    let model = consortium::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or_else(|| DomainError::not_found("consortium", id))?;
    assemble(txn, model).await
}

/// Whether `actor` may manage (and see the figures of) a consortium: its agency's
/// coordinators, the metropolitan agency's, and admins.
pub async fn ensure_can_manage(db: &DatabaseConnection, actor: &Account, id: &str) -> Result<()> {
    let model = consortium::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| DomainError::not_found("consortium", id))?;
    agency::ensure_manages(db, actor, &model.agency_id).await
}

/// What an admin or the consortium's coordinator may change after forming it.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsortiumPatch {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "golmok_core::patch::nullable")]
    pub network_id: Option<Option<String>>,
    /// Basis points, 0 to 3,000; only an admin sets the platform's commission.
    pub commission_bps: Option<u32>,
    /// Let its members trade with members of the other consortia of its district.
    pub member_trade_district_wide: Option<bool>,
}

pub async fn update_consortium(
    db: &DatabaseConnection,
    cache: &dyn Cache,
    actor: &Account,
    id: &str,
    patch: ConsortiumPatch,
) -> Result<Consortium> {
    let mut errors = ValidationErrors::new();
    if let Some(name) = &patch.name
        && (name.trim().is_empty() || name.trim().chars().count() > 100)
    {
        errors.add("name", "must be 1 to 100 characters");
    }
    if patch.commission_bps.is_some_and(|b| b > MAX_COMMISSION_BPS) {
        errors.add(
            "commission_bps",
            format!("must be from 0 to {MAX_COMMISSION_BPS}"),
        );
    }
    errors.into_result()?;
    if patch.commission_bps.is_some() && actor.role != Role::Admin {
        return Err(DomainError::Forbidden(
            "only an admin sets the platform's commission".into(),
        ));
    }
    let txn = golmok_core::db::begin_write(db).await?;
    let current = lock(&txn, id).await?;
    agency::ensure_manages(&txn, actor, &current.agency_id).await?;
    let mut active: consortium::ActiveModel = current.into();
    if let Some(name) = patch.name {
        active.name = Set(name.trim().to_owned());
    }
    if let Some(network_id) = patch.network_id {
        active.network_id = Set(network_id);
    }
    if let Some(wide) = patch.member_trade_district_wide {
        active.member_trade_district_wide = Set(wide);
    }
    if let Some(bps) = patch.commission_bps {
        active.commission_bps = Set(bps as i32);
    }
    let updated = assemble(&txn, active.update(&txn).await?).await?;
    txn.commit().await?;
    invalidate(cache, id).await;
    Ok(updated)
}

/// Takes the consortium's row for the rest of the transaction. Writing first makes
/// concurrent membership changes of one consortium queue up (a row lock on PostgreSQL, the
/// write lock on SQLite), so each recounts the members the previous one left.
async fn lock(txn: &impl ConnectionTrait, id: &str) -> Result<consortium::Model> {
    let touched = consortium::Entity::update_many()
        .col_expr(consortium::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(consortium::Column::Id.eq(id))
        .exec(txn)
        .await?;
    if touched.rows_affected == 0 {
        return Err(DomainError::not_found("consortium", id));
    }
    consortium::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or_else(|| DomainError::not_found("consortium", id))
}

/// Recounts members and stores the status the membership rule gives.
pub(crate) async fn refresh_status(
    txn: &impl ConnectionTrait,
    id: &str,
) -> Result<ConsortiumStatus> {
    let kinds: Vec<MerchantKind> = consortium_member::Entity::find()
        .filter(consortium_member::Column::ConsortiumId.eq(id))
        .find_also_related_via_merchant()
        .all(txn)
        .await?
        .into_iter()
        .filter_map(|(_, m)| m.and_then(|m| MerchantKind::parse(&m.kind)))
        .collect();
    let status = status_for(&kinds);
    consortium::Entity::update_many()
        .col_expr(consortium::Column::Status, Expr::value(status.as_str()))
        .filter(consortium::Column::Id.eq(id))
        .exec(txn)
        .await?;
    Ok(status)
}

async fn record(
    txn: &impl ConnectionTrait,
    consortium_id: &str,
    merchant_id: &str,
    action: &str,
    actor: &Account,
    status_after: ConsortiumStatus,
) -> Result<()> {
    membership_event::ActiveModel {
        id: Set(new_id("mev")),
        consortium_id: Set(consortium_id.to_owned()),
        merchant_id: Set(merchant_id.to_owned()),
        action: Set(action.to_owned()),
        actor_id: Set(actor.id.clone()),
        status_after: Set(status_after.as_str().to_owned()),
        at: Set(Utc::now()),
    }
    .insert(txn)
    .await?;
    Ok(())
}

pub async fn add_member(
    db: &DatabaseConnection,
    cache: &dyn Cache,
    actor: &Account,
    consortium_id: &str,
    merchant_id: &str,
) -> Result<Consortium> {
    let txn = golmok_core::db::begin_write(db).await?;
    let current = lock(&txn, consortium_id).await?;
    agency::ensure_manages(&txn, actor, &current.agency_id).await?;
    if merchant::Entity::find_by_id(merchant_id)
        .one(&txn)
        .await?
        .is_none()
    {
        return Err(ValidationErrors::single("merchant_id", "no such merchant").into());
    }
    let already =
        consortium_member::Entity::find_by_id((consortium_id.to_owned(), merchant_id.to_owned()))
            .one(&txn)
            .await?;
    if already.is_some() {
        return Err(DomainError::conflict(
            "already_member",
            format!("merchant {merchant_id} is already a member"),
        ));
    }
    consortium_member::ActiveModel {
        consortium_id: Set(consortium_id.to_owned()),
        merchant_id: Set(merchant_id.to_owned()),
        joined_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    let status = refresh_status(&txn, consortium_id).await?;
    record(&txn, consortium_id, merchant_id, "added", actor, status).await?;
    let model = consortium::Entity::find_by_id(consortium_id)
        .one(&txn)
        .await?
        .ok_or_else(|| DomainError::not_found("consortium", consortium_id))?;
    let updated = assemble(&txn, model).await?;
    txn.commit().await?;
    invalidate(cache, consortium_id).await;
    Ok(updated)
}

pub async fn remove_member(
    db: &DatabaseConnection,
    cache: &dyn Cache,
    actor: &Account,
    consortium_id: &str,
    merchant_id: &str,
) -> Result<Consortium> {
    let txn = golmok_core::db::begin_write(db).await?;
    let current = lock(&txn, consortium_id).await?;
    agency::ensure_manages(&txn, actor, &current.agency_id).await?;
    let removed =
        consortium_member::Entity::delete_by_id((consortium_id.to_owned(), merchant_id.to_owned()))
            .exec(&txn)
            .await?;
    if removed.rows_affected == 0 {
        return Err(DomainError::not_found("member", merchant_id));
    }
    let status = refresh_status(&txn, consortium_id).await?;
    record(&txn, consortium_id, merchant_id, "removed", actor, status).await?;
    let model = consortium::Entity::find_by_id(consortium_id)
        .one(&txn)
        .await?
        .ok_or_else(|| DomainError::not_found("consortium", consortium_id))?;
    let updated = assemble(&txn, model).await?;
    txn.commit().await?;
    invalidate(cache, consortium_id).await;
    Ok(updated)
}

/// Who changed the membership, and when, oldest first.
pub async fn membership_history(
    db: &DatabaseConnection,
    consortium_id: &str,
) -> Result<Vec<MembershipEvent>> {
    if consortium::Entity::find_by_id(consortium_id)
        .one(db)
        .await?
        .is_none()
    {
        return Err(DomainError::not_found("consortium", consortium_id));
    }
    membership_event::Entity::find()
        .filter(membership_event::Column::ConsortiumId.eq(consortium_id))
        .order_by_asc(membership_event::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|e| {
            Ok(MembershipEvent {
                status_after: ConsortiumStatus::parse(&e.status_after)?,
                id: e.id,
                merchant_id: e.merchant_id,
                action: e.action,
                actor_id: e.actor_id,
                at: e.at,
            })
        })
        .collect()
}

/// Whether `actor` runs a network: admins, and the coordinators of an agency one of whose
/// consortia the network delivers for.
pub async fn ensure_runs_network(
    db: &DatabaseConnection,
    actor: &Account,
    network_id: &str,
) -> Result<()> {
    if actor.role == Role::Admin {
        return Ok(());
    }
    let served = consortium::Entity::find()
        .filter(consortium::Column::NetworkId.eq(network_id))
        .all(db)
        .await?;
    for c in served {
        if agency::ensure_manages(db, actor, &c.agency_id)
            .await
            .is_ok()
        {
            return Ok(());
        }
    }
    Err(DomainError::Forbidden(
        "only an admin or a coordinator of a consortium this network serves may do this".into(),
    ))
}

/// The consortia delivering through a network: each one's name and district, by id.
pub async fn served_by_network(
    db: &impl ConnectionTrait,
    network_id: &str,
) -> Result<Vec<(String, String)>> {
    Ok(consortium::Entity::find()
        .select_only()
        .column(consortium::Column::Name)
        .column(consortium::Column::District)
        .filter(consortium::Column::NetworkId.eq(network_id))
        .order_by_asc(consortium::Column::Id)
        .into_tuple()
        .all(db)
        .await?)
}

/// The consortia `merchant_id` belongs to, oldest membership first: where a shopper who
/// starts a basket at this shop will be buying.
pub async fn consortia_of(db: &impl ConnectionTrait, merchant_id: &str) -> Result<Vec<String>> {
    Ok(consortium_member::Entity::find()
        .filter(consortium_member::Column::MerchantId.eq(merchant_id))
        .order_by_asc(consortium_member::Column::JoinedAt)
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.consortium_id)
        .collect())
}

/// How many consortia each of `merchant_ids` belongs to (those in none are left out).
pub async fn memberships_of(
    db: &impl ConnectionTrait,
    merchant_ids: &[String],
) -> Result<std::collections::HashMap<String, usize>> {
    let mut counts = std::collections::HashMap::new();
    if merchant_ids.is_empty() {
        return Ok(counts);
    }
    for m in consortium_member::Entity::find()
        .filter(consortium_member::Column::MerchantId.is_in(merchant_ids.iter().cloned()))
        .all(db)
        .await?
    {
        *counts.entry(m.merchant_id).or_insert(0) += 1;
    }
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use MerchantKind::*;

    #[test]
    fn five_members_of_both_sides_make_an_active_consortium() {
        assert_eq!(
            status_for(&[
                SmallBusiness,
                SmallBusiness,
                SmallBusiness,
                SmallBusiness,
                Cooperative
            ]),
            ConsortiumStatus::Active
        );
        assert_eq!(
            status_for(&[
                SmallBusiness,
                SocialEnterprise,
                Cooperative,
                VillageEnterprise,
                SelfSufficiencyEnterprise
            ]),
            ConsortiumStatus::Active
        );
    }

    #[test]
    fn fewer_than_five_or_one_sided_stays_forming() {
        assert_eq!(status_for(&[]), ConsortiumStatus::Forming);
        assert_eq!(
            status_for(&[SmallBusiness, SmallBusiness, Cooperative, SocialEnterprise]),
            ConsortiumStatus::Forming
        );
        assert_eq!(status_for(&[SmallBusiness; 5]), ConsortiumStatus::Forming);
        assert_eq!(
            status_for(&[
                Cooperative,
                SocialEnterprise,
                VillageEnterprise,
                SelfSufficiencyEnterprise,
                Cooperative
            ]),
            ConsortiumStatus::Forming
        );
        assert_eq!(
            status_for(&[SmallBusiness, Cooperative].repeat(20)),
            ConsortiumStatus::Active
        );
    }
}
