//! Co-delivery networks: a service area, a hub, and the waves of each day; slots are a
//! network's waves on a date, closing at their cut-off.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, TimeZone, Utc};
use geo::{Contains, LineString, Point, Polygon};
use golmok_accounts::{Account, Role};
use golmok_core::{Coordinates, ValidationErrors, new_id};
use sea_orm::prelude::*;
use sea_orm::sea_query::{ExprTrait, LockType};
use sea_orm::{ActiveValue::Set, DatabaseBackend, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};

use crate::capacity::Load;
use crate::courier::{Courier, on_duty};
use crate::entities::{network, slot_booking, wave};
use crate::{DomainError, Result};

/// Asia/Seoul: UTC+9 all year.
pub fn seoul() -> FixedOffset {
    golmok_core::seoul::offset()
}

/// A wave as configured. Unknown fields are not refused here (as they are on the network
/// itself): a [`Wave`] flattens it beside its `id`, and its schema must allow that.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct WaveSpec {
    pub name: String,
    /// Local time in Asia/Seoul, `HH:MM`.
    pub start: String,
    pub end: String,
    /// When orders for the wave close and it is planned; at or before `start`.
    pub cutoff: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Wave {
    pub id: String,
    #[serde(flatten)]
    pub spec: WaveSpec,
    /// Retired by an admin: its slots take no new booking; those already booked are still
    /// planned and delivered.
    #[serde(default)]
    pub retired: bool,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewNetwork {
    pub name: String,
    pub hub: Coordinates,
    /// A GeoJSON Polygon: `{"type": "Polygon", "coordinates": [[[lon, lat], …]]}`.
    #[schema(value_type = Object)]
    pub area: serde_json::Value,
    pub waves: Vec<WaveSpec>,
    /// Deliveries a slot takes, overriding what the couriers on shift can make; absent, the
    /// fleet decides (see `stops_per_hour`).
    pub slot_capacity: Option<u32>,
    /// Stops a courier makes in an hour in this network's streets; 10 when absent.
    pub stops_per_hour: Option<f64>,
    /// Share of the fleet's figures kept back for detours and late shops, in percent; 10
    /// when absent.
    pub capacity_margin_pct: Option<u32>,
    /// A coordinator may move deliveries a plan left out to the next slot without asking
    /// the shopper; false when absent (the shopper agrees on the order's page).
    pub move_without_consent: Option<bool>,
    /// A courier may complete a stop nobody answers with a photo and a note instead of its
    /// hand-over code; true when absent.
    pub photo_proof_allowed: Option<bool>,
    /// One fee per order; 3,000 won when absent.
    pub delivery_fee_krw: Option<i64>,
    /// Baskets of at least this much deliver free; 40,000 won when absent.
    pub free_delivery_over_krw: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Network {
    pub id: String,
    pub name: String,
    pub hub: Coordinates,
    #[schema(value_type = Object)]
    pub area: serde_json::Value,
    pub waves: Vec<Wave>,
    /// Deliveries a slot takes when set; otherwise its couriers decide.
    pub slot_capacity: Option<u32>,
    pub stops_per_hour: f64,
    pub capacity_margin_pct: u32,
    pub move_without_consent: bool,
    pub photo_proof_allowed: bool,
    pub delivery_fee_krw: i64,
    pub free_delivery_over_krw: i64,
    pub created_at: DateTime<Utc>,
}

impl Network {
    /// Whether a point lies in the service area.
    pub fn serves(&self, at: Coordinates) -> bool {
        polygon(&self.area).is_some_and(|p| p.contains(&Point::new(at.lon, at.lat)))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Slot {
    /// `{wave id}@{YYYY-MM-DD}`.
    pub id: String,
    pub network_id: String,
    pub wave_id: String,
    pub name: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub cutoff_at: DateTime<Utc>,
    /// Deliveries the slot takes, from its fleet or the network's override.
    pub capacity: u32,
    /// Orders booked into it.
    pub booked: u32,
    /// What it can still take: deliveries, and kg and litres (absent when nothing limits
    /// them: nobody on shift yet under an explicit capacity).
    pub left: SlotRoom,
    /// Before its cut-off with room for at least one delivery.
    pub open: bool,
    #[serde(skip)]
    pub(crate) room: Load,
    /// What its fleet (or the override) can carry in all.
    #[serde(skip)]
    pub(crate) carries: Load,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SlotRoom {
    pub tasks: u32,
    pub kg: Option<f64>,
    pub liters: Option<f64>,
}

impl Slot {
    /// Whether a basket of `size` can still be booked into it.
    pub fn fits(&self, size: &Load) -> bool {
        self.open && size.fits_within(&self.room)
    }
}

/// Minutes after midnight of `HH:MM`.
pub fn minutes(hhmm: &str) -> Option<u32> {
    let t = NaiveTime::parse_from_str(hhmm, "%H:%M").ok()?;
    Some(t.hour_minutes())
}

trait HourMinutes {
    fn hour_minutes(&self) -> u32;
}

impl HourMinutes for NaiveTime {
    fn hour_minutes(&self) -> u32 {
        use chrono::Timelike;
        self.hour() * 60 + self.minute()
    }
}

fn polygon(area: &serde_json::Value) -> Option<Polygon<f64>> {
    if area.get("type")?.as_str()? != "Polygon" {
        return None;
    }
    let rings = area.get("coordinates")?.as_array()?;
    let ring = |r: &serde_json::Value| -> Option<LineString<f64>> {
        let points: Option<Vec<(f64, f64)>> = r
            .as_array()?
            .iter()
            .map(|p| Some((p.get(0)?.as_f64()?, p.get(1)?.as_f64()?)))
            .collect();
        let points = points?;
        (points.len() >= 4).then(|| LineString::from(points))
    };
    let exterior = ring(rings.first()?)?;
    let holes: Option<Vec<_>> = rings[1..].iter().map(ring).collect();
    Some(Polygon::new(exterior, holes?))
}

fn validate_waves(waves: &[WaveSpec], errors: &mut ValidationErrors) {
    if waves.is_empty() {
        errors.add("waves", "a network needs at least one wave");
    }
    for (i, w) in waves.iter().enumerate() {
        if w.name.trim().is_empty() {
            errors.add(format!("waves[{i}].name"), "must not be empty");
        }
        match (minutes(&w.start), minutes(&w.end), minutes(&w.cutoff)) {
            (Some(s), Some(e), Some(c)) => {
                if s >= e {
                    errors.add(format!("waves[{i}].end"), "must be after start");
                }
                if c > s {
                    errors.add(format!("waves[{i}].cutoff"), "must be at or before start");
                }
            }
            (s, e, c) => {
                for (field, ok) in [
                    ("start", s.is_some()),
                    ("end", e.is_some()),
                    ("cutoff", c.is_some()),
                ] {
                    if !ok {
                        errors.add(format!("waves[{i}].{field}"), "must be a local time HH:MM");
                    }
                }
            }
        }
    }
}

fn from_models(n: network::Model, waves: Vec<wave::Model>) -> Result<Network> {
    let area = serde_json::from_str(&n.area)
        .map_err(|e| DomainError::Internal(format!("network {} area: {e}", n.id)))?;
    Ok(Network {
        hub: Coordinates {
            lat: n.hub_lat,
            lon: n.hub_lon,
        },
        area,
        waves: waves
            .into_iter()
            .map(|w| Wave {
                id: w.id,
                spec: WaveSpec {
                    name: w.name,
                    start: w.start,
                    end: w.end,
                    cutoff: w.cutoff,
                },
                retired: w.retired_at.is_some(),
            })
            .collect(),
        slot_capacity: (n.slot_capacity > 0).then_some(n.slot_capacity as u32),
        stops_per_hour: n.stops_per_hour,
        capacity_margin_pct: Ord::max(n.capacity_margin_pct, 0) as u32,
        move_without_consent: n.move_without_consent,
        photo_proof_allowed: n.photo_proof_allowed,
        delivery_fee_krw: n.delivery_fee_krw,
        free_delivery_over_krw: n.free_delivery_over_krw,
        id: n.id,
        name: n.name,
        created_at: n.created_at,
    })
}

pub async fn create_network(
    db: &DatabaseConnection,
    actor: &Account,
    new: NewNetwork,
) -> Result<Network> {
    require_admin(actor, "creates networks")?;
    validate_network(&new)?;
    let name = new.name.trim().to_owned();

    let txn = golmok_core::db::begin_write(db).await?;
    let id = new_id("net");
    network::ActiveModel {
        created_at: Set(Utc::now()),
        ..row(&id, &new)
    }
    .insert(&txn)
    .await
    .map_err(|e| name_taken(e, &name))?;
    for w in &new.waves {
        wave_row(&new_id("wav"), &id, w).insert(&txn).await?;
    }
    let created = get_network_in(&txn, &id).await?;
    txn.commit().await?;
    Ok(created)
}

/// What a PATCH changes of a network: each field present replaces the current value
/// (`slot_capacity: null` gives the slot's size back to the fleet). Waves change one at a
/// time ([`add_wave`], [`change_wave`]).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NetworkChanges {
    pub name: Option<String>,
    pub hub: Option<Coordinates>,
    /// A GeoJSON Polygon, as for a new network; the hub must stay inside it.
    #[schema(value_type = Option<Object>)]
    pub area: Option<serde_json::Value>,
    #[serde(default, deserialize_with = "golmok_core::patch::nullable")]
    #[schema(value_type = Option<u32>, nullable)]
    pub slot_capacity: Option<Option<u32>>,
    pub stops_per_hour: Option<f64>,
    pub capacity_margin_pct: Option<u32>,
    pub move_without_consent: Option<bool>,
    pub photo_proof_allowed: Option<bool>,
    pub delivery_fee_krw: Option<i64>,
    pub free_delivery_over_krw: Option<i64>,
}

fn require_admin(actor: &Account, what: &str) -> Result<()> {
    if actor.role == Role::Admin {
        Ok(())
    } else {
        Err(DomainError::Forbidden(format!("only an admin {what}")))
    }
}

/// Who delivers through a network from a district: what its area must keep reaching.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServedDistrict {
    pub district: String,
    /// Whom the network serves there (a consortium's name), to say who would be left out.
    pub served: String,
}

/// Changes a network's name, place, area, capacity, fees or rules, checked as a new
/// network's are. What shoppers already booked keeps its price; the next basket pays the
/// new fee. The area as changed must still reach each of `served`'s districts: 409
/// `area_leaves_served` on `area` otherwise, naming who would be left out. Routing does not
/// know who delivers through a network; the caller says
/// (`golmok_programme::consortia::change_network`).
pub async fn update_network(
    db: &DatabaseConnection,
    actor: &Account,
    id: &str,
    changes: NetworkChanges,
    served: &[ServedDistrict],
) -> Result<Network> {
    require_admin(actor, "changes networks")?;
    let txn = golmok_core::db::begin_write(db).await?;
    let current = get_network_in(&txn, id).await?;
    let merged = NewNetwork {
        name: changes.name.unwrap_or(current.name),
        hub: changes.hub.unwrap_or(current.hub),
        area: changes.area.unwrap_or(current.area),
        waves: current.waves.iter().map(|w| w.spec.clone()).collect(),
        slot_capacity: changes.slot_capacity.unwrap_or(current.slot_capacity),
        stops_per_hour: Some(changes.stops_per_hour.unwrap_or(current.stops_per_hour)),
        capacity_margin_pct: Some(
            changes
                .capacity_margin_pct
                .unwrap_or(current.capacity_margin_pct),
        ),
        move_without_consent: changes
            .move_without_consent
            .or(Some(current.move_without_consent)),
        photo_proof_allowed: changes
            .photo_proof_allowed
            .or(Some(current.photo_proof_allowed)),
        delivery_fee_krw: changes.delivery_fee_krw.or(Some(current.delivery_fee_krw)),
        free_delivery_over_krw: changes
            .free_delivery_over_krw
            .or(Some(current.free_delivery_over_krw)),
    };
    validate_network(&merged)?;
    let reached = crate::area::districts_reached(&merged.area);
    let left_out: Vec<&ServedDistrict> = served
        .iter()
        .filter(|s| !reached.contains(&s.district.as_str()))
        .collect();
    if !left_out.is_empty() {
        let names: Vec<&str> = left_out.iter().map(|s| s.served.as_str()).collect();
        let districts: Vec<&str> = left_out.iter().map(|s| s.district.as_str()).collect();
        return Err(DomainError::conflict(
            "area_leaves_served",
            format!(
                "the area no longer reaches where it delivers for {}; move them to another \
                 network first",
                names.join(", ")
            ),
        )
        .with_details(serde_json::json!({"served": names, "districts": districts}))
        .on_field("area"));
    }
    let name = merged.name.trim().to_owned();
    row(id, &merged)
        .update(&txn)
        .await
        .map_err(|e| name_taken(e, &name))?;
    let updated = get_network_in(&txn, id).await?;
    txn.commit().await?;
    Ok(updated)
}

/// A network's row as `new` sets it, each absent setting at its default; its creation time
/// is the caller's to set (a change keeps it).
fn row(id: &str, new: &NewNetwork) -> network::ActiveModel {
    network::ActiveModel {
        id: Set(id.to_owned()),
        name: Set(new.name.trim().to_owned()),
        hub_lat: Set(new.hub.lat),
        hub_lon: Set(new.hub.lon),
        area: Set(new.area.to_string()),
        slot_capacity: Set(new.slot_capacity.map_or(0, |c| c as i32)),
        stops_per_hour: Set(new.stops_per_hour.unwrap_or(10.0)),
        capacity_margin_pct: Set(new.capacity_margin_pct.unwrap_or(10) as i32),
        move_without_consent: Set(new.move_without_consent.unwrap_or(false)),
        photo_proof_allowed: Set(new.photo_proof_allowed.unwrap_or(true)),
        delivery_fee_krw: Set(new.delivery_fee_krw.unwrap_or(3_000)),
        free_delivery_over_krw: Set(new.free_delivery_over_krw.unwrap_or(40_000)),
        created_at: sea_orm::ActiveValue::NotSet,
    }
}

fn name_taken(e: DbErr, name: &str) -> DomainError {
    golmok_core::error::unless_unique(e, || {
        DomainError::conflict(
            "network_name_taken",
            format!("a network named {name} exists"),
        )
    })
}

/// A wave's row as `spec` sets it (its name trimmed).
fn wave_row(id: &str, network_id: &str, spec: &WaveSpec) -> wave::ActiveModel {
    wave::ActiveModel {
        id: Set(id.to_owned()),
        network_id: Set(network_id.to_owned()),
        name: Set(spec.name.trim().to_owned()),
        start: Set(spec.start.clone()),
        end: Set(spec.end.clone()),
        cutoff: Set(spec.cutoff.clone()),
        ..Default::default()
    }
}

/// An admin's one wave, checked as a new network's are; the wave as it will be stored.
fn checked_wave(actor: &Account, id: &str, spec: WaveSpec) -> Result<Wave> {
    require_admin(actor, "changes networks")?;
    let mut errors = ValidationErrors::new();
    validate_waves(std::slice::from_ref(&spec), &mut errors);
    errors.into_result()?;
    Ok(Wave {
        id: id.to_owned(),
        spec: WaveSpec {
            name: spec.name.trim().to_owned(),
            ..spec
        },
        retired: false,
    })
}

/// A new wave every day from now on.
pub async fn add_wave(
    db: &DatabaseConnection,
    actor: &Account,
    network_id: &str,
    spec: WaveSpec,
) -> Result<Wave> {
    let added = checked_wave(actor, &new_id("wav"), spec)?;
    let txn = golmok_core::db::begin_write(db).await?;
    get_network_in(&txn, network_id).await?;
    wave_row(&added.id, network_id, &added.spec)
        .insert(&txn)
        .await?;
    txn.commit().await?;
    Ok(added)
}

/// A wave's name or times. Its times stay as they are while a slot of it from today on
/// holds a booking (409 `wave_booked`): those shoppers were promised that window.
pub async fn change_wave(
    db: &DatabaseConnection,
    actor: &Account,
    network_id: &str,
    wave_id: &str,
    spec: WaveSpec,
) -> Result<Wave> {
    let changed = checked_wave(actor, wave_id, spec)?;
    let spec = &changed.spec;
    let txn = golmok_core::db::begin_write(db).await?;
    let current = locked_wave(&txn, wave_id, LockType::Update)
        .await?
        .filter(|w| w.network_id == network_id)
        .ok_or_else(|| DomainError::not_found("wave", wave_id))?;
    let times_change =
        (&current.start, &current.end, &current.cutoff) != (&spec.start, &spec.end, &spec.cutoff);
    if times_change {
        let today = Utc::now().with_timezone(&seoul()).date_naive();
        // The date is compared here, not in SQL: a database's collation may not order
        // `@` and digits as bytes.
        let booked = slot_booking::Entity::find()
            .filter(slot_booking::Column::SlotId.starts_with(format!("{wave_id}@")))
            .filter(slot_booking::Column::Booked.gt(0))
            .all(&txn)
            .await?
            .into_iter()
            .find(|b| {
                b.slot_id
                    .split_once('@')
                    .and_then(|(_, d)| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                    .is_some_and(|d| d >= today)
            });
        if let Some(b) = booked {
            return Err(DomainError::conflict(
                "wave_booked",
                format!(
                    "slot {} holds bookings: the wave's times stay until its booked slots are past",
                    b.slot_id
                ),
            ));
        }
    }
    wave_row(wave_id, network_id, spec).update(&txn).await?;
    txn.commit().await?;
    Ok(Wave {
        retired: current.retired_at.is_some(),
        ..changed
    })
}

/// Retires a wave: from now on its slots take no booking (409 `wave_retired`) and shoppers
/// no longer see them; slots already booked are still planned and delivered. A network keeps
/// at least one wave shoppers can book (409 `last_wave`).
pub async fn retire_wave(
    db: &DatabaseConnection,
    actor: &Account,
    network_id: &str,
    wave_id: &str,
) -> Result<Network> {
    set_retired(db, actor, network_id, wave_id, true).await
}

/// Brings a retired wave back: its slots take bookings again from its next cut-off.
pub async fn restore_wave(
    db: &DatabaseConnection,
    actor: &Account,
    network_id: &str,
    wave_id: &str,
) -> Result<Network> {
    set_retired(db, actor, network_id, wave_id, false).await
}

async fn set_retired(
    db: &DatabaseConnection,
    actor: &Account,
    network_id: &str,
    wave_id: &str,
    retire: bool,
) -> Result<Network> {
    require_admin(actor, "changes networks")?;
    let txn = golmok_core::db::begin_write(db).await?;
    locked_wave(&txn, wave_id, LockType::Update).await?;
    let network = get_network_in(&txn, network_id).await?;
    let wave = network
        .waves
        .iter()
        .find(|w| w.id == wave_id)
        .ok_or_else(|| DomainError::not_found("wave", wave_id))?;
    if wave.retired != retire {
        if retire && !network.waves.iter().any(|w| !w.retired && w.id != wave_id) {
            return Err(DomainError::conflict(
                "last_wave",
                format!(
                    "{} is the only wave of {} shoppers can book: add another first",
                    wave.spec.name, network.name
                ),
            ));
        }
        wave::Entity::update_many()
            .col_expr(wave::Column::RetiredAt, Expr::value(retire.then(Utc::now)))
            .filter(wave::Column::Id.eq(wave_id))
            .exec(&txn)
            .await?;
    }
    let network = get_network_in(&txn, network_id).await?;
    txn.commit().await?;
    Ok(network)
}

fn validate_network(new: &NewNetwork) -> Result<()> {
    let mut errors = ValidationErrors::new();
    let name = new.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        errors.add("name", "must be 1 to 100 characters");
    }
    new.hub.validate("hub", &mut errors);
    match polygon(&new.area) {
        None => errors.add(
            "area",
            "must be a GeoJSON Polygon with rings of at least four [lon, lat] positions",
        ),
        Some(p) if !p.contains(&Point::new(new.hub.lon, new.hub.lat)) => {
            errors.add("hub", "must lie inside the area")
        }
        Some(_) => {}
    }
    validate_waves(&new.waves, &mut errors);
    if new.slot_capacity == Some(0) {
        errors.add("slot_capacity", "must be at least 1");
    }
    if new
        .stops_per_hour
        .is_some_and(|s| !(s.is_finite() && (1.0..=120.0).contains(&s)))
    {
        errors.add("stops_per_hour", "must be from 1 to 120");
    }
    if new.capacity_margin_pct.is_some_and(|m| m > 90) {
        errors.add("capacity_margin_pct", "must be from 0 to 90");
    }
    if new
        .delivery_fee_krw
        .is_some_and(|f| !(0..=100_000).contains(&f))
    {
        errors.add("delivery_fee_krw", "must be from 0 to 100000 won");
    }
    if new
        .free_delivery_over_krw
        .is_some_and(|f| !(0..=10_000_000).contains(&f))
    {
        errors.add("free_delivery_over_krw", "must be from 0 to 10000000 won");
    }
    errors.into_result()?;
    Ok(())
}

async fn get_network_in(db: &impl ConnectionTrait, id: &str) -> Result<Network> {
    let n = network::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| DomainError::not_found("network", id))?;
    let waves = wave::Entity::find()
        .filter(wave::Column::NetworkId.eq(id))
        .order_by_asc(wave::Column::Start)
        .all(db)
        .await?;
    from_models(n, waves)
}

pub async fn get_network(db: &impl ConnectionTrait, id: &str) -> Result<Network> {
    get_network_in(db, id).await
}

/// Whether network `id` may deliver for a consortium of `district`: it exists and its area
/// reaches the district ([`crate::area::districts_reached`]). Otherwise 422 on `network_id`:
/// a network drawn over another part of the city would take a consortium's orders and plan
/// none of its deliveries.
pub async fn ensure_reaches(db: &impl ConnectionTrait, id: &str, district: &str) -> Result<()> {
    let network = get_network_in(db, id)
        .await
        .map_err(|e| e.not_found_is_invalid("network_id", "no such co-delivery network"))?;
    if crate::area::districts_reached(&network.area).contains(&district) {
        Ok(())
    } else {
        Err(golmok_core::validation::ValidationErrors::single(
            "network_id",
            format!("this network's area does not reach {district}"),
        )
        .into())
    }
}

pub async fn list_networks(db: &DatabaseConnection) -> Result<Vec<Network>> {
    let mut out = Vec::new();
    for n in network::Entity::find()
        .order_by_asc(network::Column::Id)
        .all(db)
        .await?
    {
        out.push(get_network_in(db, &n.id).await?);
    }
    Ok(out)
}

fn local(date: NaiveDate, hhmm: &str) -> Result<DateTime<Utc>> {
    let time = NaiveTime::parse_from_str(hhmm, "%H:%M")
        .map_err(|e| DomainError::Internal(format!("wave time {hhmm}: {e}")))?;
    seoul()
        .from_local_datetime(&date.and_time(time))
        .single()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| DomainError::Internal(format!("{date} {hhmm} in Seoul")))
}

fn slot_of(
    network: &Network,
    wave: &Wave,
    date: NaiveDate,
    taken: &slot_booking::Model,
    fleet: &[Courier],
    now: DateTime<Utc>,
) -> Result<Slot> {
    let cutoff_at = local(date, &wave.spec.cutoff)?;
    let capacity = crate::capacity::of_wave(network, wave, fleet);
    let booked = Load {
        tasks: taken.tasks,
        grams: taken.grams,
        millilitres: taken.millilitres,
    };
    let room = capacity.saturating_sub(&booked);
    let limited = |v: i64| (v != i64::MAX).then(|| v as f64 / 1000.0);
    Ok(Slot {
        id: format!("{}@{}", wave.id, date.format("%Y-%m-%d")),
        network_id: network.id.clone(),
        wave_id: wave.id.clone(),
        name: wave.spec.name.clone(),
        starts_at: local(date, &wave.spec.start)?,
        ends_at: local(date, &wave.spec.end)?,
        cutoff_at,
        capacity: capacity.tasks.clamp(0, i64::from(u32::MAX)) as u32,
        booked: Ord::max(taken.booked, 0) as u32,
        left: SlotRoom {
            tasks: room.tasks.clamp(0, i64::from(u32::MAX)) as u32,
            kg: limited(room.grams),
            liters: limited(room.millilitres),
        },
        open: !wave.retired && now < cutoff_at && room.tasks > 0,
        room,
        carries: capacity,
    })
}

async fn taken(db: &impl ConnectionTrait, slot_id: &str) -> Result<slot_booking::Model> {
    Ok(slot_booking::Entity::find_by_id(slot_id)
        .one(db)
        .await?
        .unwrap_or(slot_booking::Model {
            slot_id: slot_id.to_owned(),
            booked: 0,
            tasks: 0,
            grams: 0,
            millilitres: 0,
        }))
}

/// A network's slots on a Seoul date.
pub async fn slots(
    db: &impl ConnectionTrait,
    network_id: &str,
    date: NaiveDate,
) -> Result<Vec<Slot>> {
    let network = get_network(db, network_id).await?;
    let fleet = on_duty(db, network_id).await?;
    let now = Utc::now();
    let mut out = Vec::new();
    for w in &network.waves {
        let id = format!("{}@{}", w.id, date.format("%Y-%m-%d"));
        let taken = taken(db, &id).await?;
        // A retired wave's slot is still there for the deliveries booked before it retired.
        if w.retired && taken.booked <= 0 {
            continue;
        }
        out.push(slot_of(&network, w, date, &taken, &fleet, now)?);
    }
    Ok(out)
}

/// The slot `slot_id` names, with its network.
pub async fn slot(db: &impl ConnectionTrait, slot_id: &str) -> Result<(Network, Slot)> {
    let unknown = || DomainError::not_found("slot", slot_id);
    let (wave_id, date) = slot_id.split_once('@').ok_or_else(unknown)?;
    let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| unknown())?;
    let w = wave::Entity::find_by_id(wave_id)
        .one(db)
        .await?
        .ok_or_else(unknown)?;
    let network = get_network(db, &w.network_id).await?;
    let wave = network
        .waves
        .iter()
        .find(|x| x.id == wave_id)
        .ok_or_else(unknown)?
        .clone();
    let fleet = on_duty(db, &network.id).await?;
    let slot = slot_of(
        &network,
        &wave,
        date,
        &taken(db, slot_id).await?,
        &fleet,
        Utc::now(),
    )?;
    Ok((network, slot))
}

/// The next slot of `network` after `after` (up to three days on) that can take `size`.
pub async fn next_slot_that_fits(
    db: &impl ConnectionTrait,
    network: &Network,
    after: DateTime<Utc>,
    size: &Load,
) -> Result<Option<Slot>> {
    let first = after.with_timezone(&seoul()).date_naive();
    for days in 0..4 {
        let date = first + chrono::Duration::days(days);
        let mut day = slots(db, &network.id, date).await?;
        day.sort_by_key(|s| s.starts_at);
        if let Some(slot) = day
            .into_iter()
            .find(|s| s.starts_at > after && s.fits(size))
        {
            return Ok(Some(slot));
        }
    }
    Ok(None)
}

/// Books one order of `size` into a slot inside the caller's transaction: refused once the
/// slot is past its cut-off or its fleet cannot carry the basket, then naming the next slot
/// that can. The room is taken by one conditional update, so concurrent checkouts never
/// overfill it.
pub async fn book(
    txn: &impl ConnectionTrait,
    slot_id: &str,
    size: &Load,
) -> Result<(Network, Slot)> {
    if let Some((wave_id, _)) = slot_id.split_once('@') {
        locked_wave(txn, wave_id, LockType::Share).await?;
    }
    let (network, slot) = slot(txn, slot_id).await?;
    if network
        .waves
        .iter()
        .any(|w| w.id == slot.wave_id && w.retired)
    {
        let next = next_slot_that_fits(txn, &network, slot.starts_at, size).await?;
        return Err(DomainError::conflict(
            "wave_retired",
            format!("the {} wave takes no more bookings", slot.name),
        )
        .with_details(next_slot_details(next)));
    }
    if Utc::now() >= slot.cutoff_at {
        return Err(DomainError::conflict(
            "slot_closed",
            format!("the {} slot closed at its cut-off", slot.name),
        ));
    }
    // Make sure a row exists, then take room only while there is enough.
    if slot_booking::Entity::find_by_id(slot_id)
        .one(txn)
        .await?
        .is_none()
    {
        let _ = slot_booking::Entity::insert(slot_booking::ActiveModel {
            slot_id: Set(slot_id.to_owned()),
            booked: Set(0),
            tasks: Set(0),
            grams: Set(0),
            millilitres: Set(0),
        })
        .on_conflict(
            sea_orm::sea_query::OnConflict::column(slot_booking::Column::SlotId)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
    }
    let fleet = slot.carries;
    let mut update = slot_booking::Entity::update_many()
        .col_expr(
            slot_booking::Column::Booked,
            Expr::col(slot_booking::Column::Booked).add(1),
        )
        .col_expr(
            slot_booking::Column::Tasks,
            Expr::col(slot_booking::Column::Tasks).add(size.tasks),
        )
        .col_expr(
            slot_booking::Column::Grams,
            Expr::col(slot_booking::Column::Grams).add(size.grams),
        )
        .col_expr(
            slot_booking::Column::Millilitres,
            Expr::col(slot_booking::Column::Millilitres).add(size.millilitres),
        )
        .filter(slot_booking::Column::SlotId.eq(slot_id))
        .filter(slot_booking::Column::Tasks.lte(fleet.tasks - size.tasks));
    if fleet.grams != i64::MAX {
        update = update.filter(slot_booking::Column::Grams.lte(fleet.grams - size.grams));
    }
    if fleet.millilitres != i64::MAX {
        update = update
            .filter(slot_booking::Column::Millilitres.lte(fleet.millilitres - size.millilitres));
    }
    if update.exec(txn).await?.rows_affected == 0 {
        let next = next_slot_that_fits(txn, &network, slot.starts_at, size).await?;
        return Err(slot_full(&slot, next));
    }
    Ok((network, slot))
}

/// Deliveries of `network` not yet made whose drop-off lies outside its area as drawn now (an
/// area redrawn smaller after they were booked): they still go out; the admin is told.
pub async fn deliveries_outside(db: &impl ConnectionTrait, network: &Network) -> Result<u64> {
    use crate::entities::delivery_task;
    use crate::status::TaskStatus;
    let Some(area) = polygon(&network.area) else {
        return Ok(0);
    };
    let under_way = delivery_task::Entity::find()
        .filter(delivery_task::Column::NetworkId.eq(network.id.as_str()))
        .filter(delivery_task::Column::Status.is_in([
            TaskStatus::Open,
            TaskStatus::Planned,
            TaskStatus::PickedUp,
        ]))
        .all(db)
        .await?;
    Ok(under_way
        .iter()
        .filter(|t| !area.contains(&Point::new(t.dropoff_lon, t.dropoff_lat)))
        .count() as u64)
}

/// Wave `id`'s row, locked on PostgreSQL until the transaction ends (SQLite's writers take
/// turns already). A booking holds it shared and a change of the wave's times or its
/// retirement exclusively, so a change never checks the bookings while one is being made
/// (each would miss the other's write).
async fn locked_wave(
    txn: &impl ConnectionTrait,
    id: &str,
    lock: LockType,
) -> Result<Option<wave::Model>> {
    let mut query = wave::Entity::find_by_id(id);
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        query = query.lock(lock);
    }
    Ok(query.one(txn).await?)
}

/// `slot_full`, with the next slot that can carry the basket (if one does soon) for the
/// shopper to pick instead.
fn slot_full(slot: &Slot, next: Option<Slot>) -> DomainError {
    let detail = format!(
        "the {} slot cannot carry this basket any more{}",
        slot.name,
        next.as_ref()
            .map(|n| format!("; the next slot that can is {}", n.id))
            .unwrap_or_default()
    );
    DomainError::conflict("slot_full", detail).with_details(next_slot_details(next))
}

/// A refusal's `next_slot`: the slot the shopper may pick instead, or null.
fn next_slot_details(next: Option<Slot>) -> serde_json::Value {
    let next_slot = next.map(|s| {
        serde_json::json!({
            "id": s.id,
            "name": s.name,
            "starts_at": s.starts_at,
            "ends_at": s.ends_at,
            "cutoff_at": s.cutoff_at,
        })
    });
    serde_json::json!({ "next_slot": next_slot })
}

/// Gives an order's place in a slot back (a cancelled or rejected delivery order).
pub async fn unbook(txn: &impl ConnectionTrait, slot_id: &str) -> Result<()> {
    slot_booking::Entity::update_many()
        .col_expr(
            slot_booking::Column::Booked,
            Expr::col(slot_booking::Column::Booked).sub(1),
        )
        .filter(slot_booking::Column::SlotId.eq(slot_id))
        .filter(slot_booking::Column::Booked.gt(0))
        .exec(txn)
        .await?;
    Ok(())
}

/// Gives back the room a delivery took in its slot (withdrawn, or moved to another slot).
pub async fn release(txn: &impl ConnectionTrait, slot_id: &str, load: &Load) -> Result<()> {
    slot_booking::Entity::update_many()
        .col_expr(
            slot_booking::Column::Tasks,
            Expr::col(slot_booking::Column::Tasks).sub(load.tasks),
        )
        .col_expr(
            slot_booking::Column::Grams,
            Expr::col(slot_booking::Column::Grams).sub(load.grams),
        )
        .col_expr(
            slot_booking::Column::Millilitres,
            Expr::col(slot_booking::Column::Millilitres).sub(load.millilitres),
        )
        .filter(slot_booking::Column::SlotId.eq(slot_id))
        .filter(slot_booking::Column::Tasks.gte(load.tasks))
        .exec(txn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn mapo() -> serde_json::Value {
        json!({"type": "Polygon", "coordinates": [[[126.88, 37.54], [126.96, 37.54], [126.96, 37.58], [126.88, 37.58], [126.88, 37.54]]]})
    }

    #[test]
    fn areas_contain_their_points() {
        let p = polygon(&mapo()).unwrap();
        assert!(p.contains(&Point::new(126.90, 37.556)));
        assert!(!p.contains(&Point::new(127.03, 37.50)));
        assert!(polygon(&json!({"type": "Point", "coordinates": [1, 2]})).is_none());
        assert!(polygon(&json!({"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]})).is_none());
    }

    #[test]
    fn waves_are_checked_field_by_field() {
        let wave = |s: &str, e: &str, c: &str| WaveSpec {
            name: "점심".into(),
            start: s.into(),
            end: e.into(),
            cutoff: c.into(),
        };
        let fields = |w: Vec<WaveSpec>| {
            let mut errors = ValidationErrors::new();
            validate_waves(&w, &mut errors);
            errors.0.into_iter().map(|e| e.field).collect::<Vec<_>>()
        };
        assert!(fields(vec![wave("11:00", "13:00", "10:00")]).is_empty());
        assert_eq!(
            fields(vec![wave("13:00", "11:00", "10:00")]),
            ["waves[0].end"]
        );
        assert_eq!(
            fields(vec![wave("11:00", "13:00", "11:30")]),
            ["waves[0].cutoff"]
        );
        assert_eq!(
            fields(vec![wave("25:00", "13:00", "10:00")]),
            ["waves[0].start"]
        );
        assert_eq!(fields(vec![]), ["waves"]);
    }

    #[test]
    fn slots_are_seoul_times() {
        let date = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        assert_eq!(
            local(date, "11:00").unwrap().to_rfc3339(),
            "2026-11-28T02:00:00+00:00"
        );
    }
}
