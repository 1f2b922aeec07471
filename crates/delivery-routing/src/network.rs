//! Co-delivery networks: a service area, a hub, and the waves of each day; slots are a
//! network's waves on a date, closing at their cut-off.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, TimeZone, Utc};
use geo::{Contains, LineString, Point, Polygon};
use golmok_accounts::{Account, Role};
use golmok_core::{Coordinates, ValidationErrors, new_id};
use sea_orm::prelude::*;
use sea_orm::sea_query::ExprTrait;
use sea_orm::{ActiveValue::Set, QueryOrder};
use serde::{Deserialize, Serialize};

use crate::entities::{network, slot_booking, wave};
use crate::{Result, RoutingError};

/// Asia/Seoul: UTC+9 all year.
pub fn seoul() -> FixedOffset {
    FixedOffset::east_opt(9 * 3600).expect("a valid offset")
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
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
    /// Orders a slot takes before it closes early; 40 when absent.
    pub slot_capacity: Option<u32>,
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
    pub slot_capacity: u32,
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
    pub capacity: u32,
    pub booked: u32,
    pub open: bool,
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
        .map_err(|e| RoutingError::Internal(format!("network {} area: {e}", n.id)))?;
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
            })
            .collect(),
        slot_capacity: Ord::max(n.slot_capacity, 0) as u32,
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
    if actor.role != Role::Admin {
        return Err(RoutingError::Forbidden(
            "only an admin creates networks".into(),
        ));
    }
    let mut errors = ValidationErrors::new();
    let name = new.name.trim().to_owned();
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
        .delivery_fee_krw
        .is_some_and(|f| !(0..=100_000).contains(&f))
    {
        errors.add("delivery_fee_krw", "must be from 0 to 100000 won");
    }
    errors.into_result()?;

    let txn = golmok_core::db::begin_write(db).await?;
    let id = new_id("net");
    let now = Utc::now();
    network::ActiveModel {
        id: Set(id.clone()),
        name: Set(name.clone()),
        hub_lat: Set(new.hub.lat),
        hub_lon: Set(new.hub.lon),
        area: Set(new.area.to_string()),
        slot_capacity: Set(new.slot_capacity.unwrap_or(40) as i32),
        delivery_fee_krw: Set(new.delivery_fee_krw.unwrap_or(3_000)),
        free_delivery_over_krw: Set(new.free_delivery_over_krw.unwrap_or(40_000)),
        created_at: Set(now),
    }
    .insert(&txn)
    .await
    .map_err(|e| match e.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => RoutingError::Conflict {
            code: "network_name_taken",
            detail: format!("a network named {name} exists"),
        },
        _ => e.into(),
    })?;
    for w in &new.waves {
        wave::ActiveModel {
            id: Set(new_id("wav")),
            network_id: Set(id.clone()),
            name: Set(w.name.trim().to_owned()),
            start: Set(w.start.clone()),
            end: Set(w.end.clone()),
            cutoff: Set(w.cutoff.clone()),
        }
        .insert(&txn)
        .await?;
    }
    let created = get_network_in(&txn, &id).await?;
    txn.commit().await?;
    Ok(created)
}

async fn get_network_in(db: &impl ConnectionTrait, id: &str) -> Result<Network> {
    let n = network::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| RoutingError::not_found("network", id))?;
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
        .map_err(|e| RoutingError::Internal(format!("wave time {hhmm}: {e}")))?;
    seoul()
        .from_local_datetime(&date.and_time(time))
        .single()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| RoutingError::Internal(format!("{date} {hhmm} in Seoul")))
}

fn slot_of(
    network: &Network,
    wave: &Wave,
    date: NaiveDate,
    booked: u32,
    now: DateTime<Utc>,
) -> Result<Slot> {
    let cutoff_at = local(date, &wave.spec.cutoff)?;
    Ok(Slot {
        id: format!("{}@{}", wave.id, date.format("%Y-%m-%d")),
        network_id: network.id.clone(),
        wave_id: wave.id.clone(),
        name: wave.spec.name.clone(),
        starts_at: local(date, &wave.spec.start)?,
        ends_at: local(date, &wave.spec.end)?,
        cutoff_at,
        capacity: network.slot_capacity,
        booked,
        open: now < cutoff_at && booked < network.slot_capacity,
    })
}

async fn booked(db: &impl ConnectionTrait, slot_id: &str) -> Result<u32> {
    Ok(slot_booking::Entity::find_by_id(slot_id)
        .one(db)
        .await?
        .map_or(0, |b| Ord::max(b.booked, 0) as u32))
}

/// A network's slots on a Seoul date.
pub async fn slots(
    db: &DatabaseConnection,
    network_id: &str,
    date: NaiveDate,
) -> Result<Vec<Slot>> {
    let network = get_network(db, network_id).await?;
    let now = Utc::now();
    let mut out = Vec::new();
    for w in &network.waves {
        let id = format!("{}@{}", w.id, date.format("%Y-%m-%d"));
        out.push(slot_of(&network, w, date, booked(db, &id).await?, now)?);
    }
    Ok(out)
}

/// The slot `slot_id` names, with its network.
pub async fn slot(db: &impl ConnectionTrait, slot_id: &str) -> Result<(Network, Slot)> {
    let unknown = || RoutingError::not_found("slot", slot_id);
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
    let slot = slot_of(
        &network,
        &wave,
        date,
        booked(db, slot_id).await?,
        Utc::now(),
    )?;
    Ok((network, slot))
}

/// Books one order into a slot inside the caller's transaction: refused once the slot is past
/// its cut-off or full. The count is taken by a conditional update, so concurrent checkouts
/// never overfill it.
pub async fn book(txn: &impl ConnectionTrait, slot_id: &str) -> Result<(Network, Slot)> {
    let (network, slot) = slot(txn, slot_id).await?;
    if Utc::now() >= slot.cutoff_at {
        return Err(RoutingError::Conflict {
            code: "slot_closed",
            detail: format!("the {} slot closed at its cut-off", slot.name),
        });
    }
    // Make sure a row exists, then take a place only while there is one.
    if slot_booking::Entity::find_by_id(slot_id)
        .one(txn)
        .await?
        .is_none()
    {
        let _ = slot_booking::Entity::insert(slot_booking::ActiveModel {
            slot_id: Set(slot_id.to_owned()),
            booked: Set(0),
        })
        .on_conflict(
            sea_orm::sea_query::OnConflict::column(slot_booking::Column::SlotId)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
    }
    let taken = slot_booking::Entity::update_many()
        .col_expr(
            slot_booking::Column::Booked,
            Expr::col(slot_booking::Column::Booked).add(1),
        )
        .filter(slot_booking::Column::SlotId.eq(slot_id))
        .filter(slot_booking::Column::Booked.lt(network.slot_capacity as i32))
        .exec(txn)
        .await?;
    if taken.rows_affected == 0 {
        return Err(RoutingError::Conflict {
            code: "slot_full",
            detail: format!("the {} slot is full", slot.name),
        });
    }
    Ok((network, slot))
}

/// Gives a slot's place back (a cancelled or rejected delivery order).
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
