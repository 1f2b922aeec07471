//! Merchants: shops and social-economy enterprises, each owned by a merchant account.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use golmok_accounts::{Account, Role};
use golmok_core::page::{self, Page};
use golmok_core::{Cache, Coordinates, ValidationErrors, new_id};
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};

use crate::entities::{consortium_member, merchant};
use crate::hours::{HoursException, Openness, WEEKDAYS};
use crate::{DomainError, Result, consortium};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MerchantKind {
    /// 소상공인
    SmallBusiness,
    /// 사회적기업
    SocialEnterprise,
    /// 협동조합
    Cooperative,
    /// 마을기업
    VillageEnterprise,
    /// 자활기업
    SelfSufficiencyEnterprise,
}

impl MerchantKind {
    pub const ALL: [MerchantKind; 5] = [
        MerchantKind::SmallBusiness,
        MerchantKind::SocialEnterprise,
        MerchantKind::Cooperative,
        MerchantKind::VillageEnterprise,
        MerchantKind::SelfSufficiencyEnterprise,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MerchantKind::SmallBusiness => "small_business",
            MerchantKind::SocialEnterprise => "social_enterprise",
            MerchantKind::Cooperative => "cooperative",
            MerchantKind::VillageEnterprise => "village_enterprise",
            MerchantKind::SelfSufficiencyEnterprise => "self_sufficiency_enterprise",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// 사회적경제기업: every kind but the small business.
    pub fn is_social_economy(self) -> bool {
        self != MerchantKind::SmallBusiness
    }
}

/// Weekly opening hours in Asia/Seoul local time: `{"mon": [["09:00", "13:00"], ["14:00", "19:00"]]}`.
/// A day left out is a day closed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OpeningHours(pub BTreeMap<String, Vec<[String; 2]>>);

impl OpeningHours {
    fn validate(&self, errors: &mut ValidationErrors) {
        for (day, spans) in &self.0 {
            if !WEEKDAYS.contains(&day.as_str()) {
                errors.add(
                    format!("opening_hours.{day}"),
                    "days are mon, tue, wed, thu, fri, sat, sun",
                );
                continue;
            }
            crate::hours::validate_spans(&format!("opening_hours.{day}"), spans, errors);
        }
    }
}

/// A phone number as people write it in Korea: digits with optional hyphens or spaces, and
/// an optional leading `+`.
fn validate_phone(phone: &str, errors: &mut ValidationErrors) {
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    let fine = (8..=15).contains(&digits)
        && phone.chars().count() <= 20
        && phone
            .chars()
            .enumerate()
            .all(|(i, c)| c.is_ascii_digit() || c == '-' || c == ' ' || (i == 0 && c == '+'));
    if !fine {
        errors.add("phone", "must be a phone number such as 02-335-1234");
    }
}

/// The shop's profile fields a shopper reads: checked together on create and edit.
/// The longest a shop may keep a weighed line waiting for the shopper's answer.
pub const MAX_APPROVAL_WAIT_MINUTES: u32 = 180;
/// What a shop waits unless it says otherwise.
pub const DEFAULT_APPROVAL_WAIT_MINUTES: u32 = 15;

fn validate_approval_wait(minutes: Option<u32>, errors: &mut ValidationErrors) {
    if minutes.is_some_and(|m| !(1..=MAX_APPROVAL_WAIT_MINUTES).contains(&m)) {
        errors.add(
            "approval_wait_minutes",
            format!("must be from 1 to {MAX_APPROVAL_WAIT_MINUTES} minutes"),
        );
    }
}

fn validate_profile(
    phone: Option<&str>,
    pickup_instructions: Option<&str>,
    exceptions: Option<&[HoursException]>,
    errors: &mut ValidationErrors,
) {
    if let Some(phone) = phone {
        validate_phone(phone.trim(), errors);
    }
    if pickup_instructions.is_some_and(|p| p.trim().chars().count() > 500) {
        errors.add("pickup_instructions", "must be at most 500 characters");
    }
    if let Some(exceptions) = exceptions {
        crate::hours::validate_exceptions(exceptions, errors);
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Merchant {
    pub id: String,
    pub owner_id: String,
    pub name: String,
    pub kind: MerchantKind,
    pub location: Coordinates,
    pub address: String,
    pub opening_hours: Option<OpeningHours>,
    /// Days whose hours differ from the week's (holidays), in date order.
    pub hours_exceptions: Vec<HoursException>,
    pub phone: Option<String>,
    /// Where and how a shopper collects a pick-up order ("뒷문 냉장고 옆 선반").
    pub pickup_instructions: Option<String>,
    /// How long the shop waits for a shopper to approve a weighed line that came to more than
    /// the payment holds; after it, what was authorised is weighed out.
    pub approval_wait_minutes: u32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Merchant {
    /// Open or closed at `at`; `None` when the shop gave no hours.
    pub fn openness(&self, at: DateTime<Utc>) -> Option<Openness> {
        self.opening_hours
            .as_ref()
            .map(|h| crate::hours::openness(h, &self.hours_exceptions, at))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct NearbyMerchant {
    #[serde(flatten)]
    pub merchant: Merchant,
    pub distance_m: f64,
}

#[derive(Debug, Clone, utoipa::ToSchema, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewMerchant {
    pub name: String,
    pub kind: MerchantKind,
    pub location: Coordinates,
    pub address: String,
    pub opening_hours: Option<OpeningHours>,
    #[serde(default)]
    pub hours_exceptions: Option<Vec<HoursException>>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub pickup_instructions: Option<String>,
    /// Minutes, 1 to 180; 15 when not given.
    #[serde(default)]
    pub approval_wait_minutes: Option<u32>,
}

#[derive(Debug, Clone, Default, utoipa::ToSchema, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MerchantPatch {
    pub name: Option<String>,
    pub kind: Option<MerchantKind>,
    pub location: Option<Coordinates>,
    pub address: Option<String>,
    #[serde(default, deserialize_with = "golmok_core::patch::nullable")]
    pub opening_hours: Option<Option<OpeningHours>>,
    pub hours_exceptions: Option<Vec<HoursException>>,
    #[serde(default, deserialize_with = "golmok_core::patch::nullable")]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "golmok_core::patch::nullable")]
    pub pickup_instructions: Option<Option<String>>,
    pub approval_wait_minutes: Option<u32>,
}

pub(crate) fn from_model(m: merchant::Model) -> Result<Merchant> {
    let kind = MerchantKind::parse(&m.kind)
        .ok_or_else(|| DomainError::Internal(format!("merchant {} has kind {}", m.id, m.kind)))?;
    let opening_hours = m
        .opening_hours
        .as_deref()
        .map(serde_json::from_str)
        .transpose()
        .map_err(|e| DomainError::Internal(format!("merchant {} opening hours: {e}", m.id)))?;
    let mut hours_exceptions: Vec<HoursException> = m
        .hours_exceptions
        .as_deref()
        .map(serde_json::from_str)
        .transpose()
        .map_err(|e| DomainError::Internal(format!("merchant {} exceptions: {e}", m.id)))?
        .unwrap_or_default();
    hours_exceptions.sort_by_key(|e| e.date);
    Ok(Merchant {
        hours_exceptions,
        phone: m.phone,
        pickup_instructions: m.pickup_instructions,
        approval_wait_minutes: m.approval_wait_minutes.max(0) as u32,
        id: m.id,
        owner_id: m.owner_id,
        name: m.name,
        kind,
        location: Coordinates {
            lat: m.lat,
            lon: m.lon,
        },
        address: m.address,
        opening_hours,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

fn validate_text(field: &str, value: &str, max: usize, errors: &mut ValidationErrors) {
    let n = value.trim().chars().count();
    if n == 0 || n > max {
        errors.add(field, format!("must be 1 to {max} characters"));
    }
}

fn exceptions_json(exceptions: &Vec<HoursException>) -> String {
    serde_json::to_string(exceptions).unwrap_or_else(|_| "[]".into())
}

/// A text kept only when it says something.
fn trimmed(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty())
}

fn opening_hours_json(hours: &Option<OpeningHours>) -> Option<String> {
    hours
        .as_ref()
        .map(|h| serde_json::to_string(h).unwrap_or_default())
}

pub async fn create_merchant(
    db: &DatabaseConnection,
    actor: &Account,
    new: NewMerchant,
) -> Result<Merchant> {
    if !actor.role.may_act_as_any_of(&[Role::Merchant]) {
        return Err(DomainError::Forbidden(
            "only merchant accounts register shops".into(),
        ));
    }
    let mut errors = ValidationErrors::new();
    validate_text("name", &new.name, 100, &mut errors);
    validate_text("address", &new.address, 200, &mut errors);
    new.location.validate("location", &mut errors);
    if let Some(h) = &new.opening_hours {
        h.validate(&mut errors);
    }
    validate_profile(
        new.phone.as_deref(),
        new.pickup_instructions.as_deref(),
        new.hours_exceptions.as_deref(),
        &mut errors,
    );
    validate_approval_wait(new.approval_wait_minutes, &mut errors);
    errors.into_result()?;
    let now = Utc::now();
    let model = merchant::ActiveModel {
        id: Set(new_id("mer")),
        owner_id: Set(actor.id.clone()),
        name: Set(new.name.trim().to_owned()),
        kind: Set(new.kind.as_str().to_owned()),
        lat: Set(new.location.lat),
        lon: Set(new.location.lon),
        address: Set(new.address.trim().to_owned()),
        opening_hours: Set(opening_hours_json(&new.opening_hours)),
        hours_exceptions: Set(new.hours_exceptions.as_ref().map(exceptions_json)),
        phone: Set(trimmed(new.phone)),
        pickup_instructions: Set(trimmed(new.pickup_instructions)),
        approval_wait_minutes: Set(new
            .approval_wait_minutes
            .unwrap_or(DEFAULT_APPROVAL_WAIT_MINUTES) as i32),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    from_model(model)
}

pub async fn get_merchant(db: &impl ConnectionTrait, id: &str) -> Result<Merchant> {
    let model = merchant::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| DomainError::not_found("merchant", id))?;
    from_model(model)
}

/// The merchants of `ids` that exist, in one query: for pages listing goods of many shops.
pub async fn merchants_in(db: &impl ConnectionTrait, ids: &[String]) -> Result<Vec<Merchant>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    merchant::Entity::find()
        .filter(merchant::Column::Id.is_in(ids.iter().cloned()))
        .all(db)
        .await?
        .into_iter()
        .map(from_model)
        .collect()
}

/// The merchant, if `actor` owns it (or is an admin).
pub async fn owned_merchant(
    db: &impl ConnectionTrait,
    actor: &Account,
    id: &str,
) -> Result<Merchant> {
    let merchant = get_merchant(db, id).await?;
    if actor.role == Role::Admin || merchant.owner_id == actor.id {
        Ok(merchant)
    } else {
        Err(DomainError::Forbidden(
            "only the merchant's owner may do this".into(),
        ))
    }
}

/// Edits a merchant. A change of kind can make or break the membership rule of every
/// consortium the merchant belongs to, so their statuses are recomputed in the same
/// transaction.
pub async fn update_merchant(
    db: &DatabaseConnection,
    cache: &dyn Cache,
    actor: &Account,
    id: &str,
    patch: MerchantPatch,
) -> Result<Merchant> {
    let mut errors = ValidationErrors::new();
    if let Some(name) = &patch.name {
        validate_text("name", name, 100, &mut errors);
    }
    if let Some(address) = &patch.address {
        validate_text("address", address, 200, &mut errors);
    }
    if let Some(location) = &patch.location {
        location.validate("location", &mut errors);
    }
    if let Some(Some(h)) = &patch.opening_hours {
        h.validate(&mut errors);
    }
    validate_profile(
        patch.phone.as_ref().and_then(|p| p.as_deref()),
        patch
            .pickup_instructions
            .as_ref()
            .and_then(|p| p.as_deref()),
        patch.hours_exceptions.as_deref(),
        &mut errors,
    );
    validate_approval_wait(patch.approval_wait_minutes, &mut errors);
    errors.into_result()?;

    let txn = golmok_core::db::begin_write(db).await?;
    let current = owned_merchant(&txn, actor, id).await?;
    let kind_changed = patch.kind.is_some_and(|k| k != current.kind);
    // Searches near a point find the shop's listings where the shop is.
    let moved = patch
        .location
        .is_some_and(|l| l.lat != current.location.lat || l.lon != current.location.lon);
    let mut model = merchant::ActiveModel {
        id: Set(id.to_owned()),
        updated_at: Set(Utc::now()),
        ..Default::default()
    };
    if let Some(name) = patch.name {
        model.name = Set(name.trim().to_owned());
    }
    if let Some(kind) = patch.kind {
        model.kind = Set(kind.as_str().to_owned());
    }
    if let Some(location) = patch.location {
        model.lat = Set(location.lat);
        model.lon = Set(location.lon);
    }
    if let Some(address) = patch.address {
        model.address = Set(address.trim().to_owned());
    }
    if let Some(hours) = patch.opening_hours {
        model.opening_hours = Set(opening_hours_json(&hours));
    }
    if let Some(exceptions) = &patch.hours_exceptions {
        model.hours_exceptions = Set(Some(exceptions_json(exceptions)));
    }
    if let Some(phone) = patch.phone {
        model.phone = Set(trimmed(phone));
    }
    if let Some(instructions) = patch.pickup_instructions {
        model.pickup_instructions = Set(trimmed(instructions));
    }
    if let Some(minutes) = patch.approval_wait_minutes {
        model.approval_wait_minutes = Set(minutes as i32);
    }
    let updated = from_model(model.update(&txn).await?)?;
    let mut touched = Vec::new();
    if kind_changed {
        let memberships = consortium_member::Entity::find()
            .filter(consortium_member::Column::MerchantId.eq(id))
            .all(&txn)
            .await?;
        for m in memberships {
            consortium::refresh_status(&txn, &m.consortium_id).await?;
            touched.push(m.consortium_id);
        }
    }
    txn.commit().await?;
    for consortium_id in touched {
        consortium::invalidate(cache, &consortium_id).await;
    }
    if moved {
        crate::read_cache::renew(cache).await;
    }
    Ok(updated)
}

/// Merchants within `radius_m` of `center`, nearest first (ties by id), keyset-paginated by
/// (distance, id). The database narrows to a bounding box on the indexed latitude; the exact
/// great-circle distance is computed here.
pub async fn merchants_near(
    db: &DatabaseConnection,
    center: Coordinates,
    radius_m: f64,
    limit: u64,
    cursor: Option<&str>,
) -> Result<Page<NearbyMerchant>> {
    let mut ranked = within_radius(db, center, radius_m).await?;
    if let Some(cursor) = cursor {
        let (d, id): (f64, String) = page::decode_cursor(cursor)?;
        ranked.retain(|m| (m.distance_m, m.merchant.id.as_str()) > (d, id.as_str()));
    }
    let next_cursor = page::cut(&mut ranked, limit, |m| {
        (m.distance_m, m.merchant.id.clone())
    });
    Ok(Page {
        items: ranked,
        next_cursor,
    })
}

pub(crate) async fn within_radius(
    db: &impl ConnectionTrait,
    center: Coordinates,
    radius_m: f64,
) -> Result<Vec<NearbyMerchant>> {
    let b = center.bounding_box(radius_m);
    let candidates = merchant::Entity::find()
        .filter(merchant::Column::Lat.between(b.min_lat, b.max_lat))
        .filter(merchant::Column::Lon.between(b.min_lon, b.max_lon))
        .all(db)
        .await?;
    let mut ranked = Vec::with_capacity(candidates.len());
    for model in candidates {
        let merchant = from_model(model)?;
        let distance_m = (center.distance_m(&merchant.location) * 10.0).round() / 10.0;
        if distance_m <= radius_m {
            ranked.push(NearbyMerchant {
                merchant,
                distance_m,
            });
        }
    }
    ranked.sort_by(|a, b| {
        a.distance_m
            .total_cmp(&b.distance_m)
            .then_with(|| a.merchant.id.cmp(&b.merchant.id))
    });
    Ok(ranked)
}

/// All merchants by id (creation order), or those of one owner.
pub async fn list_merchants(
    db: &DatabaseConnection,
    owner_id: Option<&str>,
    limit: u64,
    cursor: Option<&str>,
) -> Result<Page<Merchant>> {
    let mut query = merchant::Entity::find().order_by_asc(merchant::Column::Id);
    if let Some(owner) = owner_id {
        query = query.filter(merchant::Column::OwnerId.eq(owner));
    }
    if let Some(cursor) = cursor {
        let after: String = page::decode_cursor(cursor)?;
        query = query.filter(merchant::Column::Id.gt(after));
    }
    let mut rows = query.limit(limit + 1).all(db).await?;
    let next_cursor = page::cut(&mut rows, limit, |m| m.id.clone());
    let items = rows.into_iter().map(from_model).collect::<Result<_>>()?;
    Ok(Page { items, next_cursor })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_small_businesses_are_not_social_economy() {
        let social: Vec<_> = MerchantKind::ALL
            .into_iter()
            .filter(|k| k.is_social_economy())
            .collect();
        assert_eq!(social.len(), 4);
        assert!(!MerchantKind::SmallBusiness.is_social_economy());
        for k in MerchantKind::ALL {
            assert_eq!(MerchantKind::parse(k.as_str()), Some(k));
        }
    }

    #[test]
    fn opening_hours_are_checked_span_by_span() {
        let hours = |json: &str| -> Vec<String> {
            let h: OpeningHours = serde_json::from_str(json).unwrap();
            let mut errors = ValidationErrors::new();
            h.validate(&mut errors);
            errors.0.into_iter().map(|e| e.field).collect()
        };
        assert!(
            hours(r#"{"mon": [["09:00", "13:00"], ["14:00", "24:00"]], "sat": []}"#).is_empty()
        );
        assert_eq!(
            hours(r#"{"mon": [["13:00", "09:00"]]}"#),
            ["opening_hours.mon[0]"]
        );
        assert_eq!(
            hours(r#"{"mon": [["09:00", "13:00"], ["12:00", "14:00"]]}"#),
            ["opening_hours.mon[1]"]
        );
        assert_eq!(
            hours(r#"{"tue": [["9:00", "25:00"]]}"#),
            ["opening_hours.tue[0]"]
        );
        assert_eq!(hours(r#"{"monday": []}"#), ["opening_hours.monday"]);
    }
}
