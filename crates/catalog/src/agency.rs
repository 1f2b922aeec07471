//! Support agencies: the metropolitan agency that runs the platform's programme city-wide,
//! and regional agencies that each own a set of districts and coach the consortia in them.

use chrono::{DateTime, Utc};
use golmok_accounts::{Account, Role};
use golmok_core::{ValidationErrors, new_id};
use sea_orm::DatabaseTransaction;
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, QueryOrder};
use serde::{Deserialize, Serialize};

use crate::entities::{agency, agency_coordinator, agency_district, consortium};
use crate::{DomainError, Result, district};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AgencyKind {
    /// City-wide: its coordinators may manage consortia in every district.
    Metropolitan,
    /// Owns the districts listed for it.
    Regional,
}

impl AgencyKind {
    fn as_str(self) -> &'static str {
        match self {
            AgencyKind::Metropolitan => "metropolitan",
            AgencyKind::Regional => "regional",
        }
    }

    fn parse(s: &str) -> Result<Self> {
        match s {
            "metropolitan" => Ok(AgencyKind::Metropolitan),
            "regional" => Ok(AgencyKind::Regional),
            other => Err(DomainError::Internal(format!("stored agency kind {other}"))),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Agency {
    pub id: String,
    pub name: String,
    pub kind: AgencyKind,
    /// Korean district names (마포구); empty for the metropolitan agency, which covers all.
    pub districts: Vec<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, utoipa::ToSchema, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewAgency {
    pub name: String,
    pub kind: AgencyKind,
    #[serde(default)]
    pub districts: Vec<String>,
}

fn require_admin(actor: &Account) -> Result<()> {
    if actor.role == Role::Admin {
        Ok(())
    } else {
        Err(DomainError::Forbidden(
            "only an admin manages agencies".into(),
        ))
    }
}

pub async fn create_agency(
    db: &DatabaseConnection,
    actor: &Account,
    new: NewAgency,
) -> Result<Agency> {
    require_admin(actor)?;
    let districts = validate_agency(&new)?;
    let name = new.name.trim().to_owned();
    let txn = golmok_core::db::begin_write(db).await?;
    ensure_free(&txn, new.kind, &districts).await?;
    let now = chrono::Utc::now();
    let id = new_id("agy");
    agency::ActiveModel {
        id: Set(id.clone()),
        name: Set(name.clone()),
        kind: Set(new.kind.as_str().into()),
        created_at: Set(now),
    }
    .insert(&txn)
    .await
    .map_err(|e| name_taken(e, &name))?;
    for d in &districts {
        agency_district::ActiveModel {
            district: Set((*d).to_owned()),
            agency_id: Set(id.clone()),
        }
        .insert(&txn)
        .await?;
    }
    txn.commit().await?;
    Ok(Agency {
        id,
        name,
        kind: new.kind,
        districts: districts.into_iter().map(str::to_owned).collect(),
        created_at: now,
    })
}

fn name_taken(e: DbErr, name: &str) -> DomainError {
    golmok_core::error::unless_unique(e, || {
        DomainError::conflict(
            "agency_name_taken",
            format!("an agency named {name} exists"),
        )
    })
}

/// The agency's districts by their official names: Seoul's own, each once, none for the
/// metropolitan agency and at least one for a regional one.
fn validate_agency(new: &NewAgency) -> Result<Vec<&'static str>> {
    let mut errors = ValidationErrors::new();
    let name = new.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        errors.add("name", "must be 1 to 100 characters");
    }
    let mut districts = Vec::new();
    for (i, input) in new.districts.iter().enumerate() {
        match district::resolve(input) {
            Some(d) if !districts.contains(&d.name) => districts.push(d.name),
            Some(_) => errors.add(format!("districts[{i}]"), "is listed twice"),
            None => errors.add(
                format!("districts[{i}]"),
                "is not one of Seoul's 25 districts",
            ),
        }
    }
    match new.kind {
        AgencyKind::Metropolitan if !districts.is_empty() => errors.add(
            "districts",
            "must be empty: the metropolitan agency covers every district",
        ),
        AgencyKind::Regional if districts.is_empty() && new.districts.is_empty() => {
            errors.add("districts", "a regional agency owns at least one district")
        }
        _ => {}
    }
    errors.into_result()?;
    Ok(districts)
}

/// One metropolitan agency; each district run by one agency.
async fn ensure_free(
    txn: &DatabaseTransaction,
    kind: AgencyKind,
    districts: &[&'static str],
) -> Result<()> {
    if kind == AgencyKind::Metropolitan
        && agency::Entity::find()
            .filter(agency::Column::Kind.eq(AgencyKind::Metropolitan.as_str()))
            .one(txn)
            .await?
            .is_some()
    {
        return Err(DomainError::conflict(
            "metropolitan_agency_exists",
            "there is already a metropolitan agency",
        ));
    }
    districts_free(txn, districts, None).await
}

/// None of `districts` run by an agency other than `except`.
async fn districts_free(
    txn: &DatabaseTransaction,
    districts: &[&'static str],
    except: Option<&str>,
) -> Result<()> {
    let mut taken = agency_district::Entity::find()
        .filter(agency_district::Column::District.is_in(districts.iter().copied()));
    if let Some(own) = except {
        taken = taken.filter(agency_district::Column::AgencyId.ne(own));
    }
    if let Some(t) = taken.all(txn).await?.first() {
        return Err(DomainError::conflict(
            "district_taken",
            format!("{} is already run by agency {}", t.district, t.agency_id),
        ));
    }
    Ok(())
}

async fn load(db: &impl ConnectionTrait, model: agency::Model) -> Result<Agency> {
    let districts = agency_district::Entity::find()
        .filter(agency_district::Column::AgencyId.eq(model.id.as_str()))
        .order_by_asc(agency_district::Column::District)
        .all(db)
        .await?
        .into_iter()
        .map(|d| d.district)
        .collect();
    Ok(Agency {
        kind: AgencyKind::parse(&model.kind)?,
        id: model.id,
        name: model.name,
        districts,
        created_at: model.created_at,
    })
}

/// What changes of an agency: its name, and (a regional one) the districts it runs, given
/// whole.
#[derive(Debug, Clone, Default, utoipa::ToSchema, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgencyChanges {
    pub name: Option<String>,
    pub districts: Option<Vec<String>>,
}

/// Renames an agency or changes the districts it runs (an agency taking over a neighbouring
/// district). A district another agency runs is refused (409 `district_taken`), and so is
/// giving up one where the agency still runs consortia (409 `district_has_consortia`): they
/// would be left to no agency.
pub async fn update_agency(
    db: &DatabaseConnection,
    actor: &Account,
    id: &str,
    changes: AgencyChanges,
) -> Result<Agency> {
    require_admin(actor)?;
    let txn = golmok_core::db::begin_write(db).await?;
    let model = agency::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(|| DomainError::not_found("agency", id))?;
    let current = load(&txn, model.clone()).await?;
    let wanted = NewAgency {
        name: changes.name.unwrap_or(current.name.clone()),
        kind: current.kind,
        districts: changes.districts.unwrap_or(current.districts.clone()),
    };
    let districts = validate_agency(&wanted)?;
    districts_free(&txn, &districts, Some(id)).await?;
    let given_up: Vec<&String> = current
        .districts
        .iter()
        .filter(|d| !districts.contains(&d.as_str()))
        .collect();
    if let Some(c) = consortium::Entity::find()
        .filter(consortium::Column::AgencyId.eq(id))
        .filter(consortium::Column::District.is_in(given_up.iter().map(|d| d.as_str())))
        .one(&txn)
        .await?
    {
        return Err(DomainError::conflict(
            "district_has_consortia",
            format!(
                "the agency runs consortium {} in {}: it keeps that district",
                c.name, c.district
            ),
        ));
    }
    let name = wanted.name.trim().to_owned();
    if name != current.name {
        let mut active: agency::ActiveModel = model.into();
        active.name = Set(name.clone());
        active
            .update(&txn)
            .await
            .map_err(|e| name_taken(e, &name))?;
    }
    agency_district::Entity::delete_many()
        .filter(agency_district::Column::AgencyId.eq(id))
        .exec(&txn)
        .await?;
    for d in &districts {
        agency_district::ActiveModel {
            district: Set((*d).to_owned()),
            agency_id: Set(id.to_owned()),
        }
        .insert(&txn)
        .await?;
    }
    txn.commit().await?;
    let mut districts: Vec<String> = districts.into_iter().map(str::to_owned).collect();
    districts.sort();
    Ok(Agency {
        name,
        districts,
        ..current
    })
}

pub async fn get_agency(db: &DatabaseConnection, id: &str) -> Result<Agency> {
    let model = agency::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| DomainError::not_found("agency", id))?;
    load(db, model).await
}

pub async fn list_agencies(db: &DatabaseConnection) -> Result<Vec<Agency>> {
    let mut agencies = Vec::new();
    for model in agency::Entity::find()
        .order_by_asc(agency::Column::Id)
        .all(db)
        .await?
    {
        agencies.push(load(db, model).await?);
    }
    Ok(agencies)
}

/// The coordinator accounts acting for each agency, by agency id, oldest assignment first:
/// for an admin, who assigns them.
pub async fn coordinators_by_agency(
    db: &DatabaseConnection,
    actor: &Account,
) -> Result<std::collections::HashMap<String, Vec<String>>> {
    require_admin(actor)?;
    let mut by_agency: std::collections::HashMap<String, Vec<String>> = Default::default();
    for a in agency_coordinator::Entity::find()
        .order_by_asc(agency_coordinator::Column::AssignedAt)
        .all(db)
        .await?
    {
        by_agency.entry(a.agency_id).or_default().push(a.account_id);
    }
    Ok(by_agency)
}

/// Makes a coordinator account act for an agency (moving it if it acted for another).
pub async fn assign_coordinator(
    db: &DatabaseConnection,
    actor: &Account,
    agency_id: &str,
    account_id: &str,
) -> Result<Agency> {
    require_admin(actor)?;
    let agency = get_agency(db, agency_id).await?;
    let account = golmok_accounts::find(db, account_id)
        .await
        .map_err(|e| e.not_found_is_invalid("account_id", "no such account"))?;
    if account.role != Role::Coordinator {
        return Err(ValidationErrors::single("account_id", "is not a coordinator account").into());
    }
    let txn = golmok_core::db::begin_write(db).await?;
    agency_coordinator::Entity::delete_by_id(account_id)
        .exec(&txn)
        .await?;
    agency_coordinator::ActiveModel {
        account_id: Set(account_id.to_owned()),
        agency_id: Set(agency_id.to_owned()),
        assigned_at: Set(chrono::Utc::now()),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(agency)
}

/// The agency that runs `district_name`: its regional agency, or else the metropolitan one.
pub async fn agency_for_district(
    db: &impl ConnectionTrait,
    district_name: &str,
) -> Result<Option<String>> {
    if let Some(owner) = agency_district::Entity::find_by_id(district_name)
        .one(db)
        .await?
    {
        return Ok(Some(owner.agency_id));
    }
    Ok(agency::Entity::find()
        .filter(agency::Column::Kind.eq(AgencyKind::Metropolitan.as_str()))
        .one(db)
        .await?
        .map(|a| a.id))
}

/// Whether `actor` may manage things run by `agency_id`: admins always; coordinators of
/// that agency, or of the metropolitan agency.
pub async fn ensure_manages(
    db: &impl ConnectionTrait,
    actor: &Account,
    agency_id: &str,
) -> Result<()> {
    match actor.role {
        Role::Admin => return Ok(()),
        Role::Coordinator => {}
        _ => {
            return Err(DomainError::Forbidden(
                "this needs a coordinator of the consortium's agency".into(),
            ));
        }
    }
    let Some(assignment) = agency_coordinator::Entity::find_by_id(actor.id.as_str())
        .one(db)
        .await?
    else {
        return Err(DomainError::Forbidden(
            "you act for no agency yet; an admin assigns coordinators".into(),
        ));
    };
    if assignment.agency_id == agency_id {
        return Ok(());
    }
    let own = agency::Entity::find_by_id(assignment.agency_id.as_str())
        .one(db)
        .await?;
    if own.is_some_and(|a| a.kind == AgencyKind::Metropolitan.as_str()) {
        return Ok(());
    }
    Err(DomainError::Forbidden(
        "this consortium is in a district your agency does not run".into(),
    ))
}
