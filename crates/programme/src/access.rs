//! Who may do what in the programme. Coordinators act in their own agency's consortia and
//! read nowhere else (403: "coordinators act only in their agency's districts"); the
//! metropolitan agency's coordinators read everything and edit nothing of a regional
//! agency's; a consortium's members read its projects and events; admins do everything.

use golmok_accounts::{Account, Role};
use golmok_catalog::entities::{
    agency, agency_coordinator, consortium, consortium_member, merchant,
};
use sea_orm::prelude::*;

use crate::{DomainError, Result};

/// What the actor may do in an agency's or a consortium's programme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Standing {
    /// Sees it (the metropolitan agency; a consortium's members).
    Reads,
    /// Records and changes it (the owning agency's coordinators; admins).
    Edits,
}

/// The agency a coordinator acts for, and whether it is the metropolitan one.
pub async fn coordinator_agency(
    db: &impl ConnectionTrait,
    actor: &Account,
) -> Result<Option<(String, bool)>> {
    if actor.role != Role::Coordinator {
        return Ok(None);
    }
    let Some(assignment) = agency_coordinator::Entity::find_by_id(actor.id.as_str())
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let metropolitan = agency::Entity::find_by_id(assignment.agency_id.as_str())
        .one(db)
        .await?
        .is_some_and(|a| a.kind == "metropolitan");
    Ok(Some((assignment.agency_id, metropolitan)))
}

/// The actor's standing in an agency's programme, if any.
pub async fn in_agency(
    db: &impl ConnectionTrait,
    actor: &Account,
    agency_id: &str,
) -> Result<Option<Standing>> {
    if actor.role == Role::Admin {
        return Ok(Some(Standing::Edits));
    }
    Ok(match coordinator_agency(db, actor).await? {
        Some((own, _)) if own == agency_id => Some(Standing::Edits),
        Some((_, true)) => Some(Standing::Reads),
        _ => None,
    })
}

/// The actor's standing in a consortium's programme, if any.
pub async fn in_consortium(
    db: &impl ConnectionTrait,
    actor: &Account,
    c: &consortium::Model,
) -> Result<Option<Standing>> {
    if let Some(standing) = in_agency(db, actor, &c.agency_id).await? {
        return Ok(Some(standing));
    }
    if actor.role == Role::Merchant && !members_owned_by(db, actor, &c.id).await?.is_empty() {
        return Ok(Some(Standing::Reads));
    }
    Ok(None)
}

/// The member shops of a consortium that the actor owns.
pub async fn members_owned_by(
    db: &impl ConnectionTrait,
    actor: &Account,
    consortium_id: &str,
) -> Result<Vec<String>> {
    let members: Vec<String> = consortium_member::Entity::find()
        .filter(consortium_member::Column::ConsortiumId.eq(consortium_id))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.merchant_id)
        .collect();
    Ok(merchant::Entity::find()
        .filter(merchant::Column::Id.is_in(members))
        .filter(merchant::Column::OwnerId.eq(actor.id.as_str()))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.id)
        .collect())
}

/// The consortium, when the actor stands at least at `needed` in it: otherwise 404 for a
/// consortium that does not exist and 403 for one the actor has no part in.
pub async fn require_consortium(
    db: &impl ConnectionTrait,
    actor: &Account,
    consortium_id: &str,
    needed: Standing,
) -> Result<consortium::Model> {
    let c = consortium::Entity::find_by_id(consortium_id)
        .one(db)
        .await?
        .ok_or_else(|| DomainError::not_found("consortium", consortium_id))?;
    match in_consortium(db, actor, &c).await? {
        Some(s) if s >= needed => Ok(c),
        Some(_) => Err(DomainError::forbidden(
            "only the consortium's own agency records its programme",
        )),
        None => Err(DomainError::forbidden(
            "this consortium is in a district your agency does not run",
        )),
    }
}

/// The agency, when the actor stands at least at `needed` in it (404 / 403 as above).
pub async fn require_agency(
    db: &impl ConnectionTrait,
    actor: &Account,
    agency_id: &str,
    needed: Standing,
) -> Result<agency::Model> {
    let a = agency::Entity::find_by_id(agency_id)
        .one(db)
        .await?
        .ok_or_else(|| DomainError::not_found("agency", agency_id))?;
    match in_agency(db, actor, agency_id).await? {
        Some(s) if s >= needed => Ok(a),
        _ => Err(DomainError::forbidden(
            "coordinators act only in their own agency's districts",
        )),
    }
}
