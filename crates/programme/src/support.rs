//! Support work (교육·컨설팅·홍보·마케팅): sessions an agency's coordinators held for member
//! shops, and the coordinators' own training, each with its date, length and who took part.
//! Hours are totalled per merchant, per consortium and per agency.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use golmok_accounts::Account;
use golmok_catalog::entities::{agency_coordinator, consortium, consortium_member};
use golmok_core::{ValidationErrors, new_id};
use sea_orm::ActiveValue::Set;
use sea_orm::QueryOrder;
use sea_orm::prelude::*;
use serde::{Deserialize, Serialize};

use crate::access::{self, Standing};
use crate::entities::{support_participant, support_session};
use crate::{DomainError, Result};

golmok_core::stored_enum! {
    /// What kind of support a session was.
    pub enum SupportKind {
        Education = "education",
        Consulting = "consulting",
        /// 홍보: publicity.
        Pr = "pr",
        Marketing = "marketing",
        /// The agency's coordinators trained (not a shop).
        CoordinatorTraining = "coordinator_training",
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SupportSession {
    pub id: String,
    pub agency_id: String,
    /// The consortium it was for; none for the coordinators' own training.
    pub consortium_id: Option<String>,
    pub kind: SupportKind,
    pub held_on: NaiveDate,
    pub hours: f64,
    /// The member shops that took part.
    pub merchant_ids: Vec<String>,
    /// The coordinators trained (coordinator training only).
    pub coordinator_ids: Vec<String>,
    pub notes: String,
    pub recorded_by: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSupportSession {
    pub kind: SupportKind,
    pub held_on: NaiveDate,
    /// In quarter hours: 1.5 is an hour and a half.
    pub hours: f64,
    /// Required for support of shops: a consortium of the agency's.
    #[serde(default)]
    pub consortium_id: Option<String>,
    #[serde(default)]
    pub merchant_ids: Vec<String>,
    #[serde(default)]
    pub coordinator_ids: Vec<String>,
    #[serde(default)]
    pub notes: String,
}

/// Hours of support, totalled.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SupportTotals {
    pub agency_id: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Support of shops (every kind but coordinator training), each session counted once.
    pub support_hours: f64,
    pub coordinator_training_hours: f64,
    pub sessions: u64,
    pub by_kind: BTreeMap<String, f64>,
    pub by_consortium: Vec<HoursOf>,
    /// A shop's hours are those of every session it took part in.
    pub by_merchant: Vec<HoursOf>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct HoursOf {
    pub id: String,
    pub hours: f64,
    pub sessions: u64,
}

/// Quarter hours in minutes, or the field's error.
fn minutes_of(hours: f64) -> Option<i32> {
    let quarters = hours * 4.0;
    (hours.is_finite()
        && hours > 0.0
        && hours <= 24.0
        && (quarters - quarters.round()).abs() < 1e-9)
        .then(|| (quarters.round() as i32) * 15)
}

pub(crate) fn hours_of(minutes: i64) -> f64 {
    minutes as f64 / 60.0
}

/// Records a session held by (or for) the agency's coordinators.
pub async fn record_session(
    db: &DatabaseConnection,
    actor: &Account,
    agency_id: &str,
    new: NewSupportSession,
) -> Result<SupportSession> {
    let mut errors = ValidationErrors::new();
    let minutes = minutes_of(new.hours);
    if minutes.is_none() {
        errors.add(
            "hours",
            "must be more than 0 and at most 24, in quarter hours",
        );
    }
    if new.notes.chars().count() > 5_000 {
        errors.add("notes", "must be at most 5000 characters");
    }
    let training = new.kind == SupportKind::CoordinatorTraining;
    if training {
        if new.coordinator_ids.is_empty() {
            errors.add("coordinator_ids", "name the coordinators trained");
        }
        if !new.merchant_ids.is_empty() || new.consortium_id.is_some() {
            errors.add(
                "merchant_ids",
                "coordinator training is not support of a shop",
            );
        }
    } else {
        if new.consortium_id.is_none() {
            errors.add("consortium_id", "name the consortium supported");
        }
        if new.merchant_ids.is_empty() {
            errors.add("merchant_ids", "name the member shops that took part");
        }
        if !new.coordinator_ids.is_empty() {
            errors.add("coordinator_ids", "only for coordinator training");
        }
    }
    if new.merchant_ids.len() + new.coordinator_ids.len() > 500 {
        errors.add("merchant_ids", "at most 500 participants");
    }
    errors.into_result()?;
    let txn = golmok_core::db::begin_write(db).await?;
    access::require_agency(&txn, actor, agency_id, Standing::Edits).await?;
    let mut errors = ValidationErrors::new();
    if let Some(cid) = &new.consortium_id {
        let c = consortium::Entity::find_by_id(cid.as_str())
            .one(&txn)
            .await?;
        match c {
            Some(c) if c.agency_id == agency_id => {
                let members: Vec<String> = consortium_member::Entity::find()
                    .filter(consortium_member::Column::ConsortiumId.eq(cid.as_str()))
                    .all(&txn)
                    .await?
                    .into_iter()
                    .map(|m| m.merchant_id)
                    .collect();
                for (i, m) in new.merchant_ids.iter().enumerate() {
                    if !members.contains(m) {
                        errors.add(
                            format!("merchant_ids[{i}]"),
                            "not a member of the consortium",
                        );
                    }
                }
            }
            _ => errors.add("consortium_id", "not a consortium of this agency"),
        }
    }
    for (i, c) in new.coordinator_ids.iter().enumerate() {
        let assigned = agency_coordinator::Entity::find_by_id(c.as_str())
            .one(&txn)
            .await?
            .is_some_and(|a| a.agency_id == agency_id);
        if !assigned {
            errors.add(
                format!("coordinator_ids[{i}]"),
                "not a coordinator of this agency",
            );
        }
    }
    errors.into_result()?;
    let id = new_id("sup");
    let row = support_session::ActiveModel {
        id: Set(id.clone()),
        agency_id: Set(agency_id.to_owned()),
        consortium_id: Set(new.consortium_id.clone()),
        kind: Set(new.kind.as_str().to_owned()),
        held_on: Set(new.held_on),
        minutes: Set(minutes.unwrap_or_default()),
        notes: Set(new.notes.trim().to_owned()),
        recorded_by: Set(actor.id.clone()),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    let mut merchant_ids = new.merchant_ids.clone();
    merchant_ids.sort();
    merchant_ids.dedup();
    let mut coordinator_ids = new.coordinator_ids.clone();
    coordinator_ids.sort();
    coordinator_ids.dedup();
    for (kind, ids) in [
        ("merchant", &merchant_ids),
        ("coordinator", &coordinator_ids),
    ] {
        for p in ids {
            support_participant::ActiveModel {
                session_id: Set(id.clone()),
                participant_id: Set(p.clone()),
                participant_kind: Set(kind.to_owned()),
            }
            .insert(&txn)
            .await?;
        }
    }
    txn.commit().await?;
    session_of(row, merchant_ids, coordinator_ids)
}

fn session_of(
    row: support_session::Model,
    merchant_ids: Vec<String>,
    coordinator_ids: Vec<String>,
) -> Result<SupportSession> {
    Ok(SupportSession {
        kind: SupportKind::parse(&row.kind)
            .ok_or_else(|| DomainError::internal("stored support kind"))?,
        hours: hours_of(i64::from(row.minutes)),
        id: row.id,
        agency_id: row.agency_id,
        consortium_id: row.consortium_id,
        held_on: row.held_on,
        merchant_ids,
        coordinator_ids,
        notes: row.notes,
        recorded_by: row.recorded_by,
        created_at: row.created_at,
    })
}

/// The agency's sessions held in `[from, to]`, newest first.
pub async fn sessions_of(
    db: &DatabaseConnection,
    actor: &Account,
    agency_id: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<SupportSession>> {
    access::require_agency(db, actor, agency_id, Standing::Reads).await?;
    sessions_between(db, agency_id, from, to).await
}

pub(crate) async fn sessions_between(
    db: &impl ConnectionTrait,
    agency_id: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<SupportSession>> {
    let rows = support_session::Entity::find()
        .filter(support_session::Column::AgencyId.eq(agency_id))
        .filter(support_session::Column::HeldOn.gte(from))
        .filter(support_session::Column::HeldOn.lte(to))
        .order_by_desc(support_session::Column::HeldOn)
        .order_by_desc(support_session::Column::Id)
        .all(db)
        .await?;
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let participants = support_participant::Entity::find()
        .filter(support_participant::Column::SessionId.is_in(ids))
        .all(db)
        .await?;
    rows.into_iter()
        .map(|r| {
            let of = |kind: &str| -> Vec<String> {
                let mut ids: Vec<String> = participants
                    .iter()
                    .filter(|p| p.session_id == r.id && p.participant_kind == kind)
                    .map(|p| p.participant_id.clone())
                    .collect();
                ids.sort();
                ids
            };
            let (m, c) = (of("merchant"), of("coordinator"));
            session_of(r, m, c)
        })
        .collect()
}

/// The agency's support hours in `[from, to]`, per kind, consortium and shop.
pub async fn totals(
    db: &DatabaseConnection,
    actor: &Account,
    agency_id: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<SupportTotals> {
    access::require_agency(db, actor, agency_id, Standing::Reads).await?;
    let sessions = sessions_between(db, agency_id, from, to).await?;
    Ok(totals_of(agency_id, from, to, &sessions))
}

/// Totals of these sessions: a pure sum, so the report and this agree by construction.
pub fn totals_of(
    agency_id: &str,
    from: NaiveDate,
    to: NaiveDate,
    sessions: &[SupportSession],
) -> SupportTotals {
    let mut by_kind: BTreeMap<String, i64> = BTreeMap::new();
    let mut by_consortium: BTreeMap<String, (i64, u64)> = BTreeMap::new();
    let mut by_merchant: BTreeMap<String, (i64, u64)> = BTreeMap::new();
    let (mut support, mut training) = (0i64, 0i64);
    for s in sessions {
        let minutes = (s.hours * 60.0).round() as i64;
        *by_kind.entry(s.kind.as_str().to_owned()).or_default() += minutes;
        if s.kind == SupportKind::CoordinatorTraining {
            training += minutes;
            continue;
        }
        support += minutes;
        if let Some(c) = &s.consortium_id {
            let e = by_consortium.entry(c.clone()).or_default();
            e.0 += minutes;
            e.1 += 1;
        }
        for m in &s.merchant_ids {
            let e = by_merchant.entry(m.clone()).or_default();
            e.0 += minutes;
            e.1 += 1;
        }
    }
    let list = |map: BTreeMap<String, (i64, u64)>| {
        map.into_iter()
            .map(|(id, (minutes, sessions))| HoursOf {
                id,
                hours: hours_of(minutes),
                sessions,
            })
            .collect()
    };
    SupportTotals {
        agency_id: agency_id.to_owned(),
        from,
        to,
        support_hours: hours_of(support),
        coordinator_training_hours: hours_of(training),
        sessions: sessions.len() as u64,
        by_kind: by_kind.into_iter().map(|(k, m)| (k, hours_of(m))).collect(),
        by_consortium: list(by_consortium),
        by_merchant: list(by_merchant),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_come_in_quarters() {
        assert_eq!(minutes_of(1.5), Some(90));
        assert_eq!(minutes_of(0.25), Some(15));
        assert_eq!(minutes_of(24.0), Some(1440));
        assert_eq!(minutes_of(0.0), None);
        assert_eq!(minutes_of(-1.0), None);
        assert_eq!(minutes_of(1.1), None);
        assert_eq!(minutes_of(24.25), None);
        assert_eq!(minutes_of(f64::NAN), None);
    }

    fn session(
        kind: SupportKind,
        hours: f64,
        consortium: Option<&str>,
        merchants: &[&str],
    ) -> SupportSession {
        SupportSession {
            id: "sup".into(),
            agency_id: "agc".into(),
            consortium_id: consortium.map(str::to_owned),
            kind,
            held_on: NaiveDate::from_ymd_opt(2026, 11, 30).unwrap_or_default(),
            hours,
            merchant_ids: merchants.iter().map(|m| (*m).to_owned()).collect(),
            coordinator_ids: Vec::new(),
            notes: String::new(),
            recorded_by: "acc".into(),
            created_at: Utc::now(),
        }
    }

    #[test]
    fn a_session_counts_once_for_its_consortium_and_for_each_shop_in_it() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap_or_default();
        let t = totals_of(
            "agc",
            day,
            day,
            &[
                session(SupportKind::Education, 2.0, Some("c1"), &["m1", "m2"]),
                session(SupportKind::Marketing, 1.5, Some("c1"), &["m1"]),
                session(SupportKind::Consulting, 1.0, Some("c2"), &["m3"]),
                session(SupportKind::CoordinatorTraining, 3.0, None, &[]),
            ],
        );
        assert_eq!(t.support_hours, 4.5);
        assert_eq!(t.coordinator_training_hours, 3.0);
        assert_eq!(t.by_consortium[0].hours, 3.5);
        assert_eq!(t.by_consortium[1].hours, 1.0);
        assert_eq!(
            t.by_merchant[0],
            HoursOf {
                id: "m1".into(),
                hours: 3.5,
                sessions: 2
            }
        );
        assert_eq!(t.by_merchant[1].hours, 2.0);
        assert_eq!(t.by_kind["coordinator_training"], 3.0);
    }
}
