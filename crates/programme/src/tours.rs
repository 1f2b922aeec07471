//! Alley pages and stamp tours (골목특화 콘텐츠, 지역형 로컬여행): a consortium's public page
//! for an alley or a tour, with its story, photos and a walking route of member shops in
//! order; for a stamp tour, the stamps visitors collect by scanning each shop's QR code and
//! the coupon the last stamp earns (kept and redeemed by `golmok-ordering`'s coupons).
//!
//! A shop's code is signed with the tour's own key (HMAC-SHA-256, the key never leaves the
//! server): a forged code, or one for another shop or tour, is refused; one stamp per shop
//! per visitor per tour (the table's key refuses the second), so a code scanned again stamps
//! nothing new.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use golmok_accounts::Account;
use golmok_catalog::entities::{consortium, consortium_member, merchant};
use golmok_core::{Coordinates, ValidationErrors, new_id};
use golmok_ordering::coupons::{self, Coupon};
use hmac::{Hmac, KeyInit, Mac};
use sea_orm::ActiveValue::Set;
use sea_orm::QueryOrder;
use sea_orm::prelude::*;
use serde::{Deserialize, Serialize};
use sha2_hmac::Sha256;

use crate::access::{self, Standing};
use crate::entities::{tour, tour_photo, tour_stamp, tour_stop};
use crate::projects::seoul_today;
use crate::{DomainError, Result};

golmok_core::stored_enum! {
    /// What a tour page is.
    pub enum TourKind {
        /// An alley's page: its story and its shops, no stamps.
        Alley = "alley",
        /// A walking tour whose visitors collect a stamp at each shop for a coupon.
        StampTour = "stamp_tour",
    }
}

/// A tour's coupon is at most this many won.
pub const MAX_COUPON_KRW: i64 = 100_000;
/// A tour has at most this many stops.
pub const MAX_STOPS: usize = 30;
/// And at most this many photos.
pub const MAX_PHOTOS: u64 = 12;

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTour {
    pub kind: TourKind,
    pub title: String,
    #[serde(default)]
    pub story: String,
    /// The days a stamp tour runs (Seoul dates, both included); none: always.
    #[serde(default)]
    pub starts_on: Option<NaiveDate>,
    #[serde(default)]
    pub ends_on: Option<NaiveDate>,
    /// What completing a stamp tour earns, in won off one shop's goods (0 for an alley page).
    #[serde(default)]
    pub coupon_krw: i64,
    /// The walking route: member shops in the order to visit them.
    pub stops: Vec<NewStop>,
    /// Shown on the public pages (default yes).
    #[serde(default = "yes")]
    pub published: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewStop {
    pub merchant_id: String,
    /// What to see or try there.
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TourPatch {
    pub title: Option<String>,
    pub story: Option<String>,
    #[serde(default, deserialize_with = "golmok_core::patch::nullable")]
    #[schema(value_type = Option<NaiveDate>)]
    pub starts_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "golmok_core::patch::nullable")]
    #[schema(value_type = Option<NaiveDate>)]
    pub ends_on: Option<Option<NaiveDate>>,
    pub coupon_krw: Option<i64>,
    pub stops: Option<Vec<NewStop>>,
    pub published: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Tour {
    pub id: String,
    pub consortium_id: String,
    pub consortium_name: String,
    pub kind: TourKind,
    pub title: String,
    pub story: String,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub coupon_krw: i64,
    pub published: bool,
    /// A stamp tour takes stamps today.
    pub running: bool,
    pub stops: Vec<TourStop>,
    pub photos: Vec<TourPhoto>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct TourStop {
    pub position: i32,
    pub merchant_id: String,
    pub name: String,
    pub address: String,
    pub location: Coordinates,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct TourPhoto {
    pub id: String,
    pub caption: String,
    pub url: String,
}

/// A shop's stamp code, for its poster or counter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct StampCode {
    pub merchant_id: String,
    pub name: String,
    /// What the QR code carries, after `/tours/{id}/stamp/`.
    pub code: String,
    /// The page a visitor's phone opens.
    pub path: String,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StampRequest {
    /// The code read off the shop's QR code.
    pub code: String,
}

/// A visitor's stamps on a tour.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Progress {
    pub tour_id: String,
    /// The shops stamped, in the tour's order.
    pub stamped: Vec<String>,
    pub stamps_needed: usize,
    pub complete: bool,
    /// Earned by the last stamp.
    pub coupon: Option<Coupon>,
}

/// A tour's counts: visitors (who stamped at least once), stamps, completions, and the
/// coupons redeemed with the won they took off.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct TourFigures {
    pub visitors: u64,
    pub stamps: u64,
    pub completions: u64,
    pub coupons_redeemed: u64,
    pub coupon_krw: i64,
}

fn random_key() -> String {
    // Two v7 ids carry 148 random bits between them: enough for a signing key.
    format!("{}{}", new_id("k"), new_id("k"))
}

fn signature(key: &str, tour_id: &str, merchant_id: &str) -> Result<Hmac<Sha256>> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes())
        .map_err(|e| DomainError::internal(format!("a tour's key: {e}")))?;
    mac.update(format!("stamp:{tour_id}:{merchant_id}").as_bytes());
    Ok(mac)
}

/// Bytes of the MAC a code carries: 80 bits, short enough for a small QR code.
const CODE_MAC_BYTES: usize = 10;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || !s.is_ascii() {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

fn sign(key: &str, tour_id: &str, merchant_id: &str) -> Result<String> {
    let mac = signature(key, tour_id, merchant_id)?
        .finalize()
        .into_bytes();
    Ok(format!("{merchant_id}.{}", hex(&mac[..CODE_MAC_BYTES])))
}

/// The shop a code was signed for, if it was signed with this tour's key.
fn verify(key: &str, tour_id: &str, code: &str) -> Result<Option<String>> {
    let Some((merchant_id, mac)) = code.trim().rsplit_once('.') else {
        return Ok(None);
    };
    let Some(mac) = unhex(mac).filter(|m| m.len() == CODE_MAC_BYTES) else {
        return Ok(None);
    };
    Ok(signature(key, tour_id, merchant_id)?
        .verify_truncated_left(&mac)
        .is_ok()
        .then(|| merchant_id.to_owned()))
}

fn forged() -> DomainError {
    ValidationErrors::single("code", "this is not a stamp code of this tour").into()
}

async fn tour_row(db: &impl ConnectionTrait, id: &str) -> Result<tour::Model> {
    tour::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| DomainError::not_found("tour", id))
}

/// A tour any visitor may see: published, or the actor reads its consortium's programme.
async fn visible_row(
    db: &impl ConnectionTrait,
    actor: Option<&Account>,
    id: &str,
) -> Result<tour::Model> {
    let row = tour_row(db, id).await?;
    if row.published {
        return Ok(row);
    }
    match actor {
        Some(actor) => {
            access::require_consortium(db, actor, &row.consortium_id, Standing::Reads)
                .await
                .map_err(|_| DomainError::not_found("tour", id))?;
            Ok(row)
        }
        None => Err(DomainError::not_found("tour", id)),
    }
}

fn running(row: &tour::Model, today: NaiveDate) -> bool {
    row.kind == TourKind::StampTour.as_str()
        && row.starts_on.is_none_or(|d| d <= today)
        && row.ends_on.is_none_or(|d| today <= d)
}

async fn tour_in(db: &impl ConnectionTrait, row: tour::Model) -> Result<Tour> {
    let id = row.id.clone();
    tours_in(db, vec![row])
        .await?
        .pop()
        .ok_or_else(|| DomainError::internal(format!("tour {id} read but not assembled")))
}

/// Tours with their consortium's name, stops and photos, in the order of `rows`: one query
/// for each of those for all the tours, not four a tour (the public list holds every one).
async fn tours_in(db: &impl ConnectionTrait, rows: Vec<tour::Model>) -> Result<Vec<Tour>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids = || rows.iter().map(|r| r.id.clone());
    let consortium_ids: BTreeSet<&str> = rows.iter().map(|r| r.consortium_id.as_str()).collect();
    let consortia = consortium::Entity::find()
        .filter(consortium::Column::Id.is_in(consortium_ids))
        .all(db)
        .await?;
    let stop_rows = tour_stop::Entity::find()
        .filter(tour_stop::Column::TourId.is_in(ids()))
        .order_by_asc(tour_stop::Column::Position)
        .all(db)
        .await?;
    // A shop on many tours is read once.
    let shop_ids: BTreeSet<&str> = stop_rows.iter().map(|s| s.merchant_id.as_str()).collect();
    let shops = merchant::Entity::find()
        .filter(merchant::Column::Id.is_in(shop_ids))
        .all(db)
        .await?;
    let photo_rows = tour_photo::Entity::find()
        .filter(tour_photo::Column::TourId.is_in(ids()))
        .order_by_asc(tour_photo::Column::Id)
        .all(db)
        .await?;
    // Each tour's stops (in position order) and photos, each shop and consortium by id: a
    // long list looks each up once rather than scanning every row for every tour.
    let mut stops_of: HashMap<&str, Vec<&tour_stop::Model>> = HashMap::new();
    for s in &stop_rows {
        stops_of.entry(s.tour_id.as_str()).or_default().push(s);
    }
    let mut photos_of: HashMap<&str, Vec<&tour_photo::Model>> = HashMap::new();
    for p in &photo_rows {
        photos_of.entry(p.tour_id.as_str()).or_default().push(p);
    }
    let shops: HashMap<&str, &merchant::Model> = shops.iter().map(|m| (m.id.as_str(), m)).collect();
    let consortia: HashMap<&str, &str> = consortia
        .iter()
        .map(|c| (c.id.as_str(), c.name.as_str()))
        .collect();
    let today = seoul_today();
    rows.into_iter()
        .map(|row| {
            let stops = stops_of
                .get(row.id.as_str())
                .into_iter()
                .flatten()
                .filter_map(|s| {
                    let shop = shops.get(s.merchant_id.as_str())?;
                    Some(TourStop {
                        position: s.position,
                        name: shop.name.clone(),
                        address: shop.address.clone(),
                        location: Coordinates {
                            lat: shop.lat,
                            lon: shop.lon,
                        },
                        merchant_id: s.merchant_id.clone(),
                        note: s.note.clone(),
                    })
                })
                .collect();
            let photos = photos_of
                .get(row.id.as_str())
                .into_iter()
                .flatten()
                .map(|p| TourPhoto {
                    url: format!("/v1/tours/{}/photos/{}", p.tour_id, p.id),
                    id: p.id.clone(),
                    caption: p.caption.clone(),
                })
                .collect();
            Ok(Tour {
                running: running(&row, today),
                kind: TourKind::parse(&row.kind).ok_or_else(|| {
                    DomainError::internal(format!("tour {} of kind {}", row.id, row.kind))
                })?,
                consortium_name: consortia
                    .get(row.consortium_id.as_str())
                    .map(|name| (*name).to_owned())
                    .unwrap_or_default(),
                id: row.id,
                consortium_id: row.consortium_id,
                title: row.title,
                story: row.story,
                starts_on: row.starts_on,
                ends_on: row.ends_on,
                coupon_krw: row.coupon_krw,
                published: row.published,
                stops,
                photos,
            })
        })
        .collect()
}

struct Checked {
    title: String,
    story: String,
    starts_on: Option<NaiveDate>,
    ends_on: Option<NaiveDate>,
    coupon_krw: i64,
    stops: Vec<NewStop>,
}

async fn check(
    db: &impl ConnectionTrait,
    consortium_id: &str,
    kind: TourKind,
    t: Checked,
) -> Result<Checked> {
    let mut errors = ValidationErrors::new();
    let title = t.title.trim().to_owned();
    if title.is_empty() || title.chars().count() > 120 {
        errors.add("title", "must be 1 to 120 characters");
    }
    if t.story.chars().count() > 10_000 {
        errors.add("story", "must be at most 10,000 characters");
    }
    if let (Some(s), Some(e)) = (t.starts_on, t.ends_on)
        && e < s
    {
        errors.add("ends_on", "must not be before starts_on");
    }
    match kind {
        TourKind::StampTour if !(1..=MAX_COUPON_KRW).contains(&t.coupon_krw) => {
            errors.add("coupon_krw", "a stamp tour's coupon is 1 to 100,000 won");
        }
        TourKind::Alley if t.coupon_krw != 0 => {
            errors.add("coupon_krw", "an alley page earns no coupon: 0");
        }
        _ => {}
    }
    let needed = if kind == TourKind::StampTour { 2 } else { 1 };
    if t.stops.len() < needed || t.stops.len() > MAX_STOPS {
        errors.add(
            "stops",
            format!("name {needed} to {MAX_STOPS} member shops in walking order"),
        );
    }
    let members: Vec<String> = consortium_member::Entity::find()
        .filter(consortium_member::Column::ConsortiumId.eq(consortium_id))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.merchant_id)
        .collect();
    for (i, s) in t.stops.iter().enumerate() {
        if !members.contains(&s.merchant_id) {
            errors.add(
                format!("stops[{i}].merchant_id"),
                "not a member of the consortium",
            );
        } else if t.stops[..i].iter().any(|o| o.merchant_id == s.merchant_id) {
            errors.add(format!("stops[{i}].merchant_id"), "is already on the route");
        }
        if s.note.chars().count() > 500 {
            errors.add(format!("stops[{i}].note"), "must be at most 500 characters");
        }
    }
    errors.into_result()?;
    Ok(Checked { title, ..t })
}

async fn write_stops(db: &impl ConnectionTrait, tour_id: &str, stops: &[NewStop]) -> Result<()> {
    tour_stop::Entity::delete_many()
        .filter(tour_stop::Column::TourId.eq(tour_id))
        .exec(db)
        .await?;
    for (i, s) in stops.iter().enumerate() {
        tour_stop::ActiveModel {
            tour_id: Set(tour_id.to_owned()),
            position: Set(i as i32 + 1),
            merchant_id: Set(s.merchant_id.clone()),
            note: Set(s.note.trim().to_owned()),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// A new alley page or stamp tour of the consortium, by its agency's coordinators.
pub async fn create_tour(
    db: &DatabaseConnection,
    actor: &Account,
    consortium_id: &str,
    new: NewTour,
) -> Result<Tour> {
    let txn = golmok_core::db::begin_write(db).await?;
    access::require_consortium(&txn, actor, consortium_id, Standing::Edits).await?;
    let t = check(
        &txn,
        consortium_id,
        new.kind,
        Checked {
            title: new.title,
            story: new.story,
            starts_on: new.starts_on,
            ends_on: new.ends_on,
            coupon_krw: new.coupon_krw,
            stops: new.stops,
        },
    )
    .await?;
    let id = new_id("tour");
    let now = Utc::now();
    let row = tour::ActiveModel {
        id: Set(id.clone()),
        consortium_id: Set(consortium_id.to_owned()),
        kind: Set(new.kind.as_str().to_owned()),
        title: Set(t.title),
        story: Set(t.story.trim().to_owned()),
        starts_on: Set(t.starts_on),
        ends_on: Set(t.ends_on),
        coupon_krw: Set(t.coupon_krw),
        published: Set(new.published),
        code_key: Set(random_key()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    write_stops(&txn, &id, &t.stops).await?;
    let tour = tour_in(&txn, row).await?;
    txn.commit().await?;
    Ok(tour)
}

/// Changes a tour. Stamps already given stay; a shop taken off the route no longer stamps.
pub async fn update_tour(
    db: &DatabaseConnection,
    actor: &Account,
    tour_id: &str,
    patch: TourPatch,
) -> Result<Tour> {
    let txn = golmok_core::db::begin_write(db).await?;
    let row = tour_row(&txn, tour_id).await?;
    access::require_consortium(&txn, actor, &row.consortium_id, Standing::Edits).await?;
    let kind = TourKind::parse(&row.kind)
        .ok_or_else(|| DomainError::internal(format!("tour {tour_id} of kind {}", row.kind)))?;
    let current_stops = tour_in(&txn, row.clone())
        .await?
        .stops
        .into_iter()
        .map(|s| NewStop {
            merchant_id: s.merchant_id,
            note: s.note,
        })
        .collect();
    let stops_changed = patch.stops.is_some();
    let t = check(
        &txn,
        &row.consortium_id,
        kind,
        Checked {
            title: patch.title.unwrap_or_else(|| row.title.clone()),
            story: patch.story.unwrap_or_else(|| row.story.clone()),
            starts_on: patch.starts_on.unwrap_or(row.starts_on),
            ends_on: patch.ends_on.unwrap_or(row.ends_on),
            coupon_krw: patch.coupon_krw.unwrap_or(row.coupon_krw),
            stops: patch.stops.unwrap_or(current_stops),
        },
    )
    .await?;
    let mut active: tour::ActiveModel = row.clone().into();
    active.title = Set(t.title);
    active.story = Set(t.story.trim().to_owned());
    active.starts_on = Set(t.starts_on);
    active.ends_on = Set(t.ends_on);
    active.coupon_krw = Set(t.coupon_krw);
    active.published = Set(patch.published.unwrap_or(row.published));
    active.updated_at = Set(Utc::now());
    let row = active.update(&txn).await?;
    if stops_changed {
        write_stops(&txn, tour_id, &t.stops).await?;
    }
    let tour = tour_in(&txn, row).await?;
    txn.commit().await?;
    Ok(tour)
}

/// A tour: published ones for anyone, drafts for those who read the consortium's programme.
pub async fn get_tour(db: &DatabaseConnection, actor: Option<&Account>, id: &str) -> Result<Tour> {
    let row = visible_row(db, actor, id).await?;
    tour_in(db, row).await
}

/// A consortium's tours: the published ones, and drafts too for its programme's readers.
pub async fn tours_of(
    db: &DatabaseConnection,
    actor: Option<&Account>,
    consortium_id: &str,
) -> Result<Vec<Tour>> {
    let c = consortium::Entity::find_by_id(consortium_id)
        .one(db)
        .await?
        .ok_or_else(|| DomainError::not_found("consortium", consortium_id))?;
    let reader = match actor {
        Some(a) => access::in_consortium(db, a, &c).await?.is_some(),
        None => false,
    };
    let rows = tour::Entity::find()
        .filter(tour::Column::ConsortiumId.eq(consortium_id))
        .order_by_asc(tour::Column::CreatedAt)
        .all(db)
        .await?
        .into_iter()
        .filter(|row| row.published || reader)
        .collect();
    tours_in(db, rows).await
}

/// Every published tour, newest first: the public list.
pub async fn published_tours(db: &DatabaseConnection) -> Result<Vec<Tour>> {
    let rows = tour::Entity::find()
        .filter(tour::Column::Published.eq(true))
        .order_by_desc(tour::Column::CreatedAt)
        .all(db)
        .await?;
    tours_in(db, rows).await
}

/// The shops' stamp codes: all of them for the consortium's coordinators, its own for a
/// member shop's owner.
pub async fn stamp_codes(
    db: &DatabaseConnection,
    actor: &Account,
    tour_id: &str,
) -> Result<Vec<StampCode>> {
    let row = tour_row(db, tour_id).await?;
    if row.kind != TourKind::StampTour.as_str() {
        return Err(not_a_stamp_tour());
    }
    let edits = access::require_consortium(db, actor, &row.consortium_id, Standing::Edits)
        .await
        .is_ok();
    let own = access::members_owned_by(db, actor, &row.consortium_id).await?;
    if !edits && own.is_empty() {
        return Err(DomainError::forbidden(
            "a tour's stamp codes are for its consortium's coordinators and shops",
        ));
    }
    let key = row.code_key.clone();
    let tour = tour_in(db, row).await?;
    tour.stops
        .into_iter()
        .filter(|s| edits || own.contains(&s.merchant_id))
        .map(|s| {
            let code = sign(&key, tour_id, &s.merchant_id)?;
            Ok(StampCode {
                path: format!("/tours/{tour_id}/stamp/{code}"),
                code,
                merchant_id: s.merchant_id,
                name: s.name,
            })
        })
        .collect()
}

fn not_a_stamp_tour() -> DomainError {
    DomainError::conflict(
        "not_a_stamp_tour",
        "this page is an alley's, with no stamps",
    )
}

/// A visitor's stamp at a shop, from the code on its QR code. The last stamp of the tour
/// issues the coupon, in the same transaction.
pub async fn stamp(
    db: &DatabaseConnection,
    visitor: &Account,
    tour_id: &str,
    request: StampRequest,
) -> Result<Progress> {
    let txn = golmok_core::db::begin_write(db).await?;
    let row = visible_row(&txn, Some(visitor), tour_id).await?;
    if row.kind != TourKind::StampTour.as_str() {
        return Err(not_a_stamp_tour());
    }
    let merchant_id = verify(&row.code_key, tour_id, &request.code)?.ok_or_else(forged)?;
    let on_route = tour_stop::Entity::find_by_id((tour_id.to_owned(), merchant_id.clone()))
        .one(&txn)
        .await?
        .is_some();
    if !on_route {
        return Err(forged());
    }
    if !running(&row, seoul_today()) {
        return Err(DomainError::conflict(
            "tour_not_running",
            "this stamp tour is not running today",
        ));
    }
    let already = tour_stamp::Entity::find_by_id((
        tour_id.to_owned(),
        visitor.id.clone(),
        merchant_id.clone(),
    ))
    .one(&txn)
    .await?;
    if already.is_some() {
        return Err(DomainError::conflict(
            "already_stamped",
            "you already have this shop's stamp on this tour",
        ));
    }
    tour_stamp::ActiveModel {
        tour_id: Set(tour_id.to_owned()),
        account_id: Set(visitor.id.clone()),
        merchant_id: Set(merchant_id),
        stamped_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await
    .map_err(|e| match golmok_core::error::is_unique_violation(&e) {
        true => DomainError::conflict(
            "already_stamped",
            "you already have this shop's stamp on this tour",
        ),
        false => e.into(),
    })?;
    let progress = progress_in(&txn, &row, &visitor.id, true).await?;
    txn.commit().await?;
    Ok(progress)
}

/// The visitor's stamps on a tour.
pub async fn progress(
    db: &DatabaseConnection,
    visitor: &Account,
    tour_id: &str,
) -> Result<Progress> {
    let row = visible_row(db, Some(visitor), tour_id).await?;
    progress_in(db, &row, &visitor.id, false).await
}

async fn progress_in(
    db: &impl ConnectionTrait,
    row: &tour::Model,
    account_id: &str,
    issue: bool,
) -> Result<Progress> {
    let route: Vec<String> = tour_stop::Entity::find()
        .filter(tour_stop::Column::TourId.eq(row.id.as_str()))
        .order_by_asc(tour_stop::Column::Position)
        .all(db)
        .await?
        .into_iter()
        .map(|s| s.merchant_id)
        .collect();
    let mine: Vec<String> = tour_stamp::Entity::find()
        .filter(tour_stamp::Column::TourId.eq(row.id.as_str()))
        .filter(tour_stamp::Column::AccountId.eq(account_id))
        .all(db)
        .await?
        .into_iter()
        .map(|s| s.merchant_id)
        .collect();
    let stamped: Vec<String> = route.iter().filter(|m| mine.contains(m)).cloned().collect();
    let complete = !route.is_empty() && stamped.len() == route.len();
    let coupon = if complete && issue {
        Some(
            coupons::issue(
                db,
                account_id,
                &row.consortium_id,
                coupons::STAMP_TOUR,
                &row.id,
                row.coupon_krw,
            )
            .await?,
        )
    } else {
        coupons::coupons_of(db, account_id)
            .await?
            .into_iter()
            .find(|c| c.source_id == row.id)
    };
    Ok(Progress {
        tour_id: row.id.clone(),
        stamped,
        stamps_needed: route.len(),
        complete: complete || coupon.is_some(),
        coupon,
    })
}

/// Adds a photo to a tour's page (JPEG, PNG or WebP, kept as JPEG without its metadata).
pub async fn add_photo(
    db: &DatabaseConnection,
    store: &dyn golmok_storage::ObjectStore,
    actor: &Account,
    tour_id: &str,
    caption: &str,
    upload: bytes::Bytes,
) -> Result<Tour> {
    let row = tour_row(db, tour_id).await?;
    access::require_consortium(db, actor, &row.consortium_id, Standing::Edits).await?;
    let caption = caption.trim().to_owned();
    if caption.chars().count() > 200 {
        return Err(ValidationErrors::single("caption", "must be at most 200 characters").into());
    }
    let page = golmok_storage::photo::page_size(upload).await?;
    let id = new_id("tph");
    let key = format!("tours/{}/{}.jpg", tour_id.to_lowercase(), id.to_lowercase());
    store.put(&key, page.bytes, "image/jpeg").await?;
    let txn = golmok_core::db::begin_write(db).await?;
    let count = tour_photo::Entity::find()
        .filter(tour_photo::Column::TourId.eq(tour_id))
        .count(&txn)
        .await?;
    if count >= MAX_PHOTOS {
        drop(txn);
        let _ = store.delete(&key).await;
        return Err(DomainError::conflict(
            "too_many_photos",
            format!("a tour keeps at most {MAX_PHOTOS} photos"),
        ));
    }
    tour_photo::ActiveModel {
        id: Set(id),
        tour_id: Set(tour_id.to_owned()),
        caption: Set(caption),
        object_key: Set(key),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    let tour = tour_in(&txn, row).await?;
    txn.commit().await?;
    Ok(tour)
}

/// A tour's photo, for whoever may see the tour.
pub async fn read_photo(
    db: &DatabaseConnection,
    store: &dyn golmok_storage::ObjectStore,
    actor: Option<&Account>,
    tour_id: &str,
    photo_id: &str,
) -> Result<golmok_storage::Object> {
    visible_row(db, actor, tour_id).await?;
    let photo = tour_photo::Entity::find_by_id(photo_id)
        .one(db)
        .await?
        .filter(|p| p.tour_id == tour_id)
        .ok_or_else(|| DomainError::not_found("tour photo", photo_id))?;
    store
        .get(&photo.object_key)
        .await?
        .ok_or_else(|| DomainError::internal(format!("tour photo {photo_id} is not in the store")))
}

/// A consortium's tour stamps, for the reports: (tour, visitor, when) of each stamp, and when
/// each visitor completed each tour (their last stamp on it).
pub(crate) struct StampLog {
    pub stamps: Vec<(String, DateTime<Utc>)>,
    pub completions: Vec<DateTime<Utc>>,
}

pub(crate) async fn stamp_log(db: &impl ConnectionTrait, consortium_id: &str) -> Result<StampLog> {
    let tours = tour::Entity::find()
        .filter(tour::Column::ConsortiumId.eq(consortium_id))
        .all(db)
        .await?;
    let mut log = StampLog {
        stamps: Vec::new(),
        completions: Vec::new(),
    };
    for t in tours {
        let route = tour_stop::Entity::find()
            .filter(tour_stop::Column::TourId.eq(t.id.as_str()))
            .count(db)
            .await? as usize;
        let stamps = tour_stamp::Entity::find()
            .filter(tour_stamp::Column::TourId.eq(t.id.as_str()))
            .order_by_asc(tour_stamp::Column::StampedAt)
            .all(db)
            .await?;
        let mut by_visitor: std::collections::BTreeMap<&str, Vec<DateTime<Utc>>> =
            Default::default();
        for s in &stamps {
            by_visitor
                .entry(&s.account_id)
                .or_default()
                .push(s.stamped_at);
            log.stamps.push((s.account_id.clone(), s.stamped_at));
        }
        let issued: Vec<String> = golmok_ordering::coupons::holders_of(db, &t.id).await?;
        for (visitor, at) in by_visitor {
            if route > 0
                && (at.len() >= route || issued.iter().any(|h| h == visitor))
                && let Some(last) = at.last()
            {
                log.completions.push(*last);
            }
        }
    }
    Ok(log)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_accepted_only_with_its_own_tour_and_key() {
        let code = sign("key-a", "tour_1", "mer_1").unwrap();
        assert_eq!(
            verify("key-a", "tour_1", &code).unwrap().as_deref(),
            Some("mer_1")
        );
        assert_eq!(verify("key-b", "tour_1", &code).unwrap(), None);
        assert_eq!(verify("key-a", "tour_2", &code).unwrap(), None);
        // Another shop's name on this shop's signature.
        let (_, mac) = code.rsplit_once('.').unwrap();
        assert_eq!(
            verify("key-a", "tour_1", &format!("mer_2.{mac}")).unwrap(),
            None
        );
        for junk in ["", "mer_1", "mer_1.", "mer_1.zz", "mer_1.00ff", "é.éé"] {
            assert_eq!(verify("key-a", "tour_1", junk).unwrap(), None, "{junk}");
        }
    }

    #[test]
    fn a_tour_runs_on_its_days_and_only_if_it_stamps() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 12, d).unwrap();
        let mut row = tour::Model {
            id: "tour_1".into(),
            consortium_id: "con_1".into(),
            kind: "stamp_tour".into(),
            title: "t".into(),
            story: String::new(),
            starts_on: Some(day(5)),
            ends_on: Some(day(6)),
            coupon_krw: 3000,
            published: true,
            code_key: "k".into(),
            created_at: Utc::now(),
            updated_at: Utc::now(),
        };
        assert!(!running(&row, day(4)));
        assert!(running(&row, day(5)));
        assert!(running(&row, day(6)));
        assert!(!running(&row, day(7)));
        row.starts_on = None;
        row.ends_on = None;
        assert!(running(&row, day(1)));
        row.kind = "alley".into();
        assert!(!running(&row, day(1)));
    }
}
