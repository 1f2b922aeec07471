//! Couriers: an account riding for one network, with a vehicle and a shift.

use chrono::{DateTime, Utc};
use golmok_accounts::{Account, Role};
use golmok_core::{ValidationErrors, new_id};
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, QueryOrder};
use serde::{Deserialize, Serialize};

use crate::entities::courier;
use crate::network::{get_network, minutes};
use crate::{DomainError, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VehicleKind {
    OnFoot,
    CargoBike,
    EScooter,
    SmallVan,
}

impl VehicleKind {
    pub const ALL: [VehicleKind; 4] = [
        VehicleKind::OnFoot,
        VehicleKind::CargoBike,
        VehicleKind::EScooter,
        VehicleKind::SmallVan,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            VehicleKind::OnFoot => "on_foot",
            VehicleKind::CargoBike => "cargo_bike",
            VehicleKind::EScooter => "e_scooter",
            VehicleKind::SmallVan => "small_van",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Metres per minute on Seoul's alleys and streets, stops at lights included.
    pub fn speed_m_per_min(self) -> f64 {
        match self {
            VehicleKind::OnFoot => 75.0,
            VehicleKind::CargoBike => 230.0,
            VehicleKind::EScooter => 300.0,
            VehicleKind::SmallVan => 330.0,
        }
    }

    /// Index of this kind's travel-time table.
    pub fn profile(self) -> usize {
        Self::ALL.iter().position(|k| *k == self).unwrap_or(0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Capacity {
    pub kg: f64,
    pub liters: f64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Shift {
    /// Local time in Asia/Seoul, `HH:MM`.
    pub start: String,
    pub end: String,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCourier {
    pub account_id: String,
    pub network_id: String,
    pub vehicle: VehicleKind,
    pub capacity: Capacity,
    pub shift: Shift,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Courier {
    pub id: String,
    pub account_id: String,
    pub network_id: String,
    pub vehicle: VehicleKind,
    pub capacity: Capacity,
    pub shift: Shift,
    pub created_at: DateTime<Utc>,
    /// An admin suspended its account: it stays on the roster, but no slot counts on it and
    /// no plan or coordinator gives it deliveries until the account is reinstated.
    #[serde(default)]
    pub suspended: bool,
}

pub(crate) fn from_model(m: courier::Model) -> Result<Courier> {
    Ok(Courier {
        vehicle: VehicleKind::parse(&m.vehicle).ok_or_else(|| {
            DomainError::Internal(format!("courier {} vehicle {}", m.id, m.vehicle))
        })?,
        capacity: Capacity {
            kg: m.capacity_grams as f64 / 1000.0,
            liters: m.capacity_millilitres as f64 / 1000.0,
        },
        shift: Shift {
            start: m.shift_start,
            end: m.shift_end,
        },
        id: m.id,
        account_id: m.account_id,
        network_id: m.network_id,
        created_at: m.created_at,
        suspended: false,
    })
}

/// Marks those of `couriers` whose accounts an admin has suspended.
async fn mark_suspended(db: &impl ConnectionTrait, couriers: &mut [Courier]) -> Result<()> {
    use golmok_accounts::entities::account;
    use sea_orm::QuerySelect;
    if couriers.is_empty() {
        return Ok(());
    }
    let suspended: Vec<String> = account::Entity::find()
        .select_only()
        .column(account::Column::Id)
        .filter(account::Column::Id.is_in(couriers.iter().map(|c| c.account_id.as_str())))
        .filter(account::Column::SuspendedAt.is_not_null())
        .into_tuple()
        .all(db)
        .await?;
    for c in couriers {
        c.suspended = suspended.contains(&c.account_id);
    }
    Ok(())
}

pub async fn create_courier(
    db: &DatabaseConnection,
    actor: &Account,
    new: NewCourier,
) -> Result<Courier> {
    // Which coordinators may sign couriers on to which network is the caller's to check
    // (consortia, and so agencies, are the catalog's).
    require_dispatcher(actor, "signs couriers on")?;
    validate_ride(&new.capacity, &new.shift)?;
    get_network(db, &new.network_id)
        .await
        .map_err(|e| e.not_found_is_invalid("network_id", "no such network"))?;
    let account = golmok_accounts::find(db, &new.account_id)
        .await
        .map_err(|e| e.not_found_is_invalid("account_id", "no such account"))?;
    if account.role != Role::Courier {
        return Err(ValidationErrors::single("account_id", "is not a courier account").into());
    }
    let model = courier::ActiveModel {
        id: Set(new_id("cou")),
        account_id: Set(account.id),
        network_id: Set(new.network_id),
        vehicle: Set(new.vehicle.as_str().into()),
        capacity_grams: Set((new.capacity.kg * 1000.0).round() as i64),
        capacity_millilitres: Set((new.capacity.liters * 1000.0).round() as i64),
        shift_start: Set(new.shift.start),
        shift_end: Set(new.shift.end),
        created_at: Set(Utc::now()),
        withdrawn_at: Set(None),
    }
    .insert(db)
    .await
    .map_err(|e| {
        golmok_core::error::unless_unique(e, || {
            DomainError::conflict(
                "already_a_courier",
                "this account already rides for a network",
            )
        })
    })?;
    from_model(model)
}

pub(crate) fn require_dispatcher(actor: &Account, what: &str) -> Result<()> {
    if matches!(actor.role, Role::Admin | Role::Coordinator) {
        Ok(())
    } else {
        Err(DomainError::Forbidden(format!(
            "only an admin or a coordinator {what}"
        )))
    }
}

/// A courier's row while they still ride for their network.
async fn riding(db: &DatabaseConnection, id: &str) -> Result<courier::Model> {
    courier::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|c| c.withdrawn_at.is_none())
        .ok_or_else(|| DomainError::not_found("courier", id))
}

/// A load within what a van carries, and a shift that ends after it starts.
fn validate_ride(capacity: &Capacity, shift: &Shift) -> Result<()> {
    let mut errors = ValidationErrors::new();
    if !(capacity.kg > 0.0 && capacity.kg <= 2_000.0) {
        errors.add("capacity.kg", "must be more than 0 and at most 2000");
    }
    if !(capacity.liters > 0.0 && capacity.liters <= 10_000.0) {
        errors.add("capacity.liters", "must be more than 0 and at most 10000");
    }
    match (minutes(&shift.start), minutes(&shift.end)) {
        (Some(s), Some(e)) if s < e => {}
        (Some(_), Some(_)) => errors.add("shift.end", "must be after the shift starts"),
        (s, _) => errors.add(
            if s.is_none() {
                "shift.start"
            } else {
                "shift.end"
            },
            "must be a local time HH:MM",
        ),
    }
    Ok(errors.into_result()?)
}

/// A courier's vehicle, load and daily shift, all given again: a new bike, a longer shift.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CourierChanges {
    pub vehicle: VehicleKind,
    pub capacity: Capacity,
    pub shift: Shift,
}

/// Changes how a courier rides from now on: slots' room and the next plans follow, batches
/// already planned or started stay as they are. Which coordinators may change which
/// network's couriers is the caller's to check, as for [`create_courier`].
pub async fn update_courier(
    db: &DatabaseConnection,
    actor: &Account,
    id: &str,
    changes: CourierChanges,
) -> Result<Courier> {
    require_dispatcher(actor, "changes couriers")?;
    validate_ride(&changes.capacity, &changes.shift)?;
    let mut active: courier::ActiveModel = riding(db, id).await?.into();
    active.vehicle = Set(changes.vehicle.as_str().into());
    active.capacity_grams = Set((changes.capacity.kg * 1000.0).round() as i64);
    active.capacity_millilitres = Set((changes.capacity.liters * 1000.0).round() as i64);
    active.shift_start = Set(changes.shift.start);
    active.shift_end = Set(changes.shift.end);
    from_model(active.update(db).await?)
}

/// Takes a courier off its network from now on: later plans and slot capacities leave them
/// out; batches they started stay theirs. Returns their network.
pub async fn withdraw_courier(
    db: &DatabaseConnection,
    actor: &Account,
    id: &str,
) -> Result<Courier> {
    require_dispatcher(actor, "withdraws couriers")?;
    let mut active: courier::ActiveModel = riding(db, id).await?.into();
    active.withdrawn_at = Set(Some(Utc::now()));
    from_model(active.update(db).await?)
}

/// A courier still on its network, by id.
pub async fn get_courier(db: &impl ConnectionTrait, id: &str) -> Result<Courier> {
    let found = courier::Entity::find_by_id(id)
        .filter(courier::Column::WithdrawnAt.is_null())
        .one(db)
        .await?
        .map(from_model)
        .transpose()?
        .ok_or_else(|| DomainError::not_found("courier", id))?;
    let mut one = [found];
    mark_suspended(db, &mut one).await?;
    let [found] = one;
    Ok(found)
}

/// The courier a dispatcher names (`courier_id`) to be given deliveries of `network_id`: one
/// still riding for that network, its account not suspended; else refused on that field.
pub(crate) async fn may_be_given(
    db: &impl ConnectionTrait,
    courier_id: &str,
    network_id: &str,
) -> Result<Courier> {
    let courier = get_courier(db, courier_id)
        .await
        .map_err(|e| e.not_found_is_invalid("courier_id", "no such courier on this network"))?;
    if courier.network_id != network_id {
        return Err(ValidationErrors::single("courier_id", "rides for another network").into());
    }
    if courier.suspended {
        return Err(
            ValidationErrors::single("courier_id", "the courier's account is suspended").into(),
        );
    }
    Ok(courier)
}

/// The account of a courier, withdrawn or not: a batch names its courier (or the one before
/// it was handed over) long after they stopped riding.
pub async fn account_of(db: &impl ConnectionTrait, courier_id: &str) -> Result<Option<String>> {
    Ok(courier::Entity::find_by_id(courier_id)
        .one(db)
        .await?
        .map(|c| c.account_id))
}

/// The couriers riding for a network now, the suspended ones marked (the roster shows them).
pub async fn couriers_of(db: &impl ConnectionTrait, network_id: &str) -> Result<Vec<Courier>> {
    let mut couriers = courier::Entity::find()
        .filter(courier::Column::NetworkId.eq(network_id))
        .filter(courier::Column::WithdrawnAt.is_null())
        .order_by_asc(courier::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(from_model)
        .collect::<Result<Vec<_>>>()?;
    mark_suspended(db, &mut couriers).await?;
    Ok(couriers)
}

/// The couriers who may be given deliveries now: riding for the network, their accounts not
/// suspended. Slots count on them and plans give them batches.
pub async fn on_duty(db: &impl ConnectionTrait, network_id: &str) -> Result<Vec<Courier>> {
    let mut couriers = couriers_of(db, network_id).await?;
    couriers.retain(|c| !c.suspended);
    Ok(couriers)
}

pub async fn courier_of_account(
    db: &impl ConnectionTrait,
    account_id: &str,
) -> Result<Option<Courier>> {
    courier::Entity::find()
        .filter(courier::Column::AccountId.eq(account_id))
        .one(db)
        .await?
        .map(from_model)
        .transpose()
}
