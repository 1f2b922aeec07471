//! Joint projects (공동프로젝트) of a consortium: a plan with a budget in won, milestones with
//! dates, what was spent, what came of it, and its photos and documents (kept in the object
//! store under `projects/`, never public). The owning agency's coordinators edit; the
//! consortium's members and the metropolitan agency read.

use chrono::{DateTime, NaiveDate, Utc};
use golmok_accounts::Account;
use golmok_core::{ValidationErrors, new_id};
use sea_orm::ActiveValue::Set;
use sea_orm::QueryOrder;
use sea_orm::prelude::*;
use serde::{Deserialize, Serialize};

use crate::access::{self, Standing};
use crate::entities::{joint_project, project_file, project_milestone, project_spending};
use crate::{DomainError, Result};

golmok_core::stored_enum! {
    /// What a joint project is for.
    pub enum ProjectKind {
        /// Alley branding (골목 브랜딩).
        Branding = "branding",
        /// Local-tour content tying people, places and activities together.
        LocalTour = "local_tour",
        Festival = "festival",
        CoMarketing = "co_marketing",
        CoPurchasing = "co_purchasing",
        Training = "training",
        Other = "other",
    }
}

golmok_core::stored_enum! {
    /// Where a project stands.
    pub enum ProjectStatus {
        Planned = "planned",
        Running = "running",
        Done = "done",
        Cancelled = "cancelled",
    }
}

golmok_core::stored_enum! {
    /// Where a milestone stands.
    pub enum MilestoneStatus {
        Planned = "planned",
        Done = "done",
        Dropped = "dropped",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct JointProject {
    pub id: String,
    pub consortium_id: String,
    pub kind: ProjectKind,
    pub title: String,
    pub plan: String,
    pub budget_krw: i64,
    /// The sum of `spending`.
    pub spent_krw: i64,
    pub status: ProjectStatus,
    pub outcome: Option<String>,
    pub milestones: Vec<Milestone>,
    pub spending: Vec<Spending>,
    /// Photos and documents, oldest first.
    pub files: Vec<ProjectFile>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Milestone {
    pub id: String,
    pub title: String,
    pub due_on: NaiveDate,
    pub status: MilestoneStatus,
    pub done_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Spending {
    pub id: String,
    pub amount_krw: i64,
    pub spent_on: NaiveDate,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ProjectFile {
    pub id: String,
    /// `photo` (stored as JPEG without its metadata) or `document` (a PDF, as sent).
    pub kind: String,
    pub name: String,
    pub content_type: String,
    pub size_bytes: i64,
    /// Where those who may read the project read it.
    pub url: String,
}

/// A project keeps at most this many photos and documents.
pub const MAX_FILES_PER_PROJECT: u64 = 30;

/// A document may be this large (a photo: [`golmok_storage::photo::MAX_BYTES`]).
pub const MAX_DOCUMENT_BYTES: usize = 10 * 1024 * 1024;

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProject {
    pub kind: ProjectKind,
    pub title: String,
    #[serde(default)]
    pub plan: String,
    pub budget_krw: i64,
    #[serde(default)]
    pub milestones: Vec<NewMilestone>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMilestone {
    pub title: String,
    pub due_on: NaiveDate,
}

/// What may change after a project is set up; absent fields stay.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectPatch {
    pub title: Option<String>,
    pub plan: Option<String>,
    pub budget_krw: Option<i64>,
    pub status: Option<ProjectStatus>,
    pub outcome: Option<String>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MilestonePatch {
    pub status: MilestoneStatus,
    /// When it was reached; today (Seoul) if not given for a milestone marked done.
    #[serde(default)]
    pub done_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSpending {
    pub amount_krw: i64,
    pub spent_on: NaiveDate,
    pub note: String,
}

const MAX_BUDGET_KRW: i64 = 10_000_000_000;

fn check_title(errors: &mut ValidationErrors, field: &str, title: &str) {
    let n = title.trim().chars().count();
    if n == 0 || n > 120 {
        errors.add(field, "must be 1 to 120 characters");
    }
}

fn check_budget(errors: &mut ValidationErrors, budget: i64) {
    if !(0..=MAX_BUDGET_KRW).contains(&budget) {
        errors.add("budget_krw", "must be 0 to 10,000,000,000 won");
    }
}

fn check_text(errors: &mut ValidationErrors, field: &str, text: &str, max: usize) {
    if text.chars().count() > max {
        errors.add(field, format!("must be at most {max} characters"));
    }
}

/// Sets up a joint project of the consortium, with its first milestones.
pub async fn create_project(
    db: &DatabaseConnection,
    actor: &Account,
    consortium_id: &str,
    new: NewProject,
) -> Result<JointProject> {
    let mut errors = ValidationErrors::new();
    check_title(&mut errors, "title", &new.title);
    check_budget(&mut errors, new.budget_krw);
    check_text(&mut errors, "plan", &new.plan, 10_000);
    for (i, m) in new.milestones.iter().enumerate() {
        check_title(&mut errors, &format!("milestones[{i}].title"), &m.title);
    }
    if new.milestones.len() > 50 {
        errors.add("milestones", "at most 50");
    }
    errors.into_result()?;
    let txn = golmok_core::db::begin_write(db).await?;
    let c = access::require_consortium(&txn, actor, consortium_id, Standing::Edits).await?;
    let now = Utc::now();
    let id = new_id("prj");
    joint_project::ActiveModel {
        id: Set(id.clone()),
        consortium_id: Set(c.id),
        kind: Set(new.kind.as_str().to_owned()),
        title: Set(new.title.trim().to_owned()),
        plan: Set(new.plan.trim().to_owned()),
        budget_krw: Set(new.budget_krw),
        status: Set(ProjectStatus::Planned.as_str().to_owned()),
        outcome: Set(None),
        created_by: Set(actor.id.clone()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    for m in new.milestones {
        insert_milestone(&txn, &id, m).await?;
    }
    let project = project_in(&txn, &id).await?;
    txn.commit().await?;
    Ok(project)
}

async fn insert_milestone(
    txn: &impl ConnectionTrait,
    project_id: &str,
    m: NewMilestone,
) -> Result<()> {
    project_milestone::ActiveModel {
        id: Set(new_id("mst")),
        project_id: Set(project_id.to_owned()),
        title: Set(m.title.trim().to_owned()),
        due_on: Set(m.due_on),
        status: Set(MilestoneStatus::Planned.as_str().to_owned()),
        done_on: Set(None),
    }
    .insert(txn)
    .await?;
    Ok(())
}

/// The project, for whoever stands in its consortium.
pub async fn get_project(
    db: &DatabaseConnection,
    actor: &Account,
    project_id: &str,
) -> Result<JointProject> {
    let row = project_row(db, project_id).await?;
    access::require_consortium(db, actor, &row.consortium_id, Standing::Reads).await?;
    project_in(db, project_id).await
}

/// The consortium's projects, newest first.
pub async fn projects_of(
    db: &DatabaseConnection,
    actor: &Account,
    consortium_id: &str,
) -> Result<Vec<JointProject>> {
    access::require_consortium(db, actor, consortium_id, Standing::Reads).await?;
    let rows = joint_project::Entity::find()
        .filter(joint_project::Column::ConsortiumId.eq(consortium_id))
        .order_by_desc(joint_project::Column::CreatedAt)
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(project_in(db, &r.id).await?);
    }
    Ok(out)
}

/// Changes the project's plan, budget, status or outcome.
pub async fn update_project(
    db: &DatabaseConnection,
    actor: &Account,
    project_id: &str,
    patch: ProjectPatch,
) -> Result<JointProject> {
    let mut errors = ValidationErrors::new();
    if let Some(t) = &patch.title {
        check_title(&mut errors, "title", t);
    }
    if let Some(b) = patch.budget_krw {
        check_budget(&mut errors, b);
    }
    if let Some(p) = &patch.plan {
        check_text(&mut errors, "plan", p, 10_000);
    }
    if let Some(o) = &patch.outcome {
        check_text(&mut errors, "outcome", o, 10_000);
    }
    errors.into_result()?;
    let txn = golmok_core::db::begin_write(db).await?;
    let row = project_row(&txn, project_id).await?;
    access::require_consortium(&txn, actor, &row.consortium_id, Standing::Edits).await?;
    let mut m: joint_project::ActiveModel = row.into();
    if let Some(t) = patch.title {
        m.title = Set(t.trim().to_owned());
    }
    if let Some(p) = patch.plan {
        m.plan = Set(p.trim().to_owned());
    }
    if let Some(b) = patch.budget_krw {
        m.budget_krw = Set(b);
    }
    if let Some(s) = patch.status {
        m.status = Set(s.as_str().to_owned());
    }
    if let Some(o) = patch.outcome {
        let o = o.trim().to_owned();
        m.outcome = Set((!o.is_empty()).then_some(o));
    }
    m.updated_at = Set(Utc::now());
    m.update(&txn).await?;
    let project = project_in(&txn, project_id).await?;
    txn.commit().await?;
    Ok(project)
}

/// Adds a milestone to the project.
pub async fn add_milestone(
    db: &DatabaseConnection,
    actor: &Account,
    project_id: &str,
    new: NewMilestone,
) -> Result<JointProject> {
    let mut errors = ValidationErrors::new();
    check_title(&mut errors, "title", &new.title);
    errors.into_result()?;
    let txn = golmok_core::db::begin_write(db).await?;
    let row = project_row(&txn, project_id).await?;
    access::require_consortium(&txn, actor, &row.consortium_id, Standing::Edits).await?;
    insert_milestone(&txn, project_id, new).await?;
    touch(&txn, project_id).await?;
    let project = project_in(&txn, project_id).await?;
    txn.commit().await?;
    Ok(project)
}

/// Marks a milestone reached, dropped, or planned again.
pub async fn update_milestone(
    db: &DatabaseConnection,
    actor: &Account,
    project_id: &str,
    milestone_id: &str,
    patch: MilestonePatch,
) -> Result<JointProject> {
    let txn = golmok_core::db::begin_write(db).await?;
    let row = project_row(&txn, project_id).await?;
    access::require_consortium(&txn, actor, &row.consortium_id, Standing::Edits).await?;
    let milestone = project_milestone::Entity::find_by_id(milestone_id)
        .one(&txn)
        .await?
        .filter(|m| m.project_id == project_id)
        .ok_or_else(|| DomainError::not_found("milestone", milestone_id))?;
    let mut m: project_milestone::ActiveModel = milestone.into();
    m.status = Set(patch.status.as_str().to_owned());
    m.done_on = Set(match patch.status {
        MilestoneStatus::Done => Some(patch.done_on.unwrap_or_else(seoul_today)),
        _ => None,
    });
    m.update(&txn).await?;
    touch(&txn, project_id).await?;
    let project = project_in(&txn, project_id).await?;
    txn.commit().await?;
    Ok(project)
}

/// Records money spent on the project.
pub async fn add_spending(
    db: &DatabaseConnection,
    actor: &Account,
    project_id: &str,
    new: NewSpending,
) -> Result<JointProject> {
    let mut errors = ValidationErrors::new();
    if !(1..=MAX_BUDGET_KRW).contains(&new.amount_krw) {
        errors.add("amount_krw", "must be 1 to 10,000,000,000 won");
    }
    let note = new.note.trim();
    if note.is_empty() || note.chars().count() > 500 {
        errors.add("note", "say what it was spent on (at most 500 characters)");
    }
    errors.into_result()?;
    let txn = golmok_core::db::begin_write(db).await?;
    let row = project_row(&txn, project_id).await?;
    access::require_consortium(&txn, actor, &row.consortium_id, Standing::Edits).await?;
    project_spending::ActiveModel {
        id: Set(new_id("spd")),
        project_id: Set(project_id.to_owned()),
        amount_krw: Set(new.amount_krw),
        spent_on: Set(new.spent_on),
        note: Set(note.to_owned()),
        recorded_by: Set(actor.id.clone()),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    touch(&txn, project_id).await?;
    let project = project_in(&txn, project_id).await?;
    txn.commit().await?;
    Ok(project)
}

/// Today in Seoul (UTC+9, no daylight saving).
pub fn seoul_today() -> NaiveDate {
    (Utc::now() + chrono::Duration::hours(9)).date_naive()
}

async fn touch(txn: &impl ConnectionTrait, project_id: &str) -> Result<()> {
    joint_project::Entity::update_many()
        .col_expr(joint_project::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(joint_project::Column::Id.eq(project_id))
        .exec(txn)
        .await?;
    Ok(())
}

async fn project_row(db: &impl ConnectionTrait, id: &str) -> Result<joint_project::Model> {
    joint_project::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| DomainError::not_found("project", id))
}

fn stored<T>(parsed: Option<T>, what: &str) -> Result<T> {
    parsed.ok_or_else(|| DomainError::internal(format!("stored {what}")))
}

async fn project_in(db: &impl ConnectionTrait, id: &str) -> Result<JointProject> {
    let row = project_row(db, id).await?;
    let mut milestones = Vec::new();
    for m in project_milestone::Entity::find()
        .filter(project_milestone::Column::ProjectId.eq(id))
        .order_by_asc(project_milestone::Column::DueOn)
        .order_by_asc(project_milestone::Column::Id)
        .all(db)
        .await?
    {
        milestones.push(Milestone {
            status: stored(MilestoneStatus::parse(&m.status), "milestone status")?,
            id: m.id,
            title: m.title,
            due_on: m.due_on,
            done_on: m.done_on,
        });
    }
    let spending: Vec<Spending> = project_spending::Entity::find()
        .filter(project_spending::Column::ProjectId.eq(id))
        .order_by_asc(project_spending::Column::SpentOn)
        .order_by_asc(project_spending::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|s| Spending {
            id: s.id,
            amount_krw: s.amount_krw,
            spent_on: s.spent_on,
            note: s.note,
        })
        .collect();
    let files = project_file::Entity::find()
        .filter(project_file::Column::ProjectId.eq(id))
        .order_by_asc(project_file::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|f| ProjectFile {
            url: format!("/v1/projects/{}/files/{}", f.project_id, f.id),
            id: f.id,
            kind: f.kind,
            name: f.name,
            content_type: f.content_type,
            size_bytes: f.size_bytes,
        })
        .collect();
    Ok(JointProject {
        files,
        kind: stored(ProjectKind::parse(&row.kind), "project kind")?,
        status: stored(ProjectStatus::parse(&row.status), "project status")?,
        spent_krw: spending.iter().map(|s| s.amount_krw).sum(),
        id: row.id,
        consortium_id: row.consortium_id,
        title: row.title,
        plan: row.plan,
        budget_krw: row.budget_krw,
        outcome: row.outcome,
        milestones,
        spending,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

/// Adds a photo (JPEG, PNG or WebP: stored as JPEG without its metadata) or a PDF document to
/// the project, named `name`. The file is stored first and written down after, so a failed
/// write leaves at most an unnamed file in the store, never a name without its file.
pub async fn add_file(
    db: &DatabaseConnection,
    store: &dyn golmok_storage::ObjectStore,
    actor: &Account,
    project_id: &str,
    name: &str,
    upload: bytes::Bytes,
) -> Result<JointProject> {
    let row = project_row(db, project_id).await?;
    access::require_consortium(db, actor, &row.consortium_id, Standing::Edits).await?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 120 {
        return Err(ValidationErrors::single("name", "must be 1 to 120 characters").into());
    }
    let id = new_id("pfl");
    let (kind, content_type, extension, bytes) = if upload.starts_with(b"%PDF-") {
        if upload.len() > MAX_DOCUMENT_BYTES {
            return Err(DomainError::TooLarge("a document is at most 10 MB".into()));
        }
        ("document", "application/pdf", "pdf", upload)
    } else {
        let page = golmok_storage::photo::page_size(upload).await?;
        ("photo", "image/jpeg", "jpg", page.bytes)
    };
    let key = format!(
        "projects/{}/{}.{extension}",
        project_id.to_lowercase(),
        id.to_lowercase()
    );
    let size = bytes.len() as i64;
    store.put(&key, bytes, content_type).await?;
    let txn = golmok_core::db::begin_write(db).await?;
    let count = project_file::Entity::find()
        .filter(project_file::Column::ProjectId.eq(project_id))
        .count(&txn)
        .await?;
    if count >= MAX_FILES_PER_PROJECT {
        drop(txn);
        let _ = store.delete(&key).await;
        return Err(DomainError::conflict(
            "too_many_files",
            format!("a project keeps at most {MAX_FILES_PER_PROJECT} photos and documents"),
        ));
    }
    project_file::ActiveModel {
        id: Set(id),
        project_id: Set(project_id.to_owned()),
        kind: Set(kind.to_owned()),
        name: Set(name.to_owned()),
        object_key: Set(key),
        content_type: Set(content_type.to_owned()),
        size_bytes: Set(size),
        created_by: Set(actor.id.clone()),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    touch(&txn, project_id).await?;
    let project = project_in(&txn, project_id).await?;
    txn.commit().await?;
    Ok(project)
}

/// A project's file, for whoever may read the project.
pub async fn read_file(
    db: &DatabaseConnection,
    store: &dyn golmok_storage::ObjectStore,
    actor: &Account,
    project_id: &str,
    file_id: &str,
) -> Result<golmok_storage::Object> {
    let row = project_row(db, project_id).await?;
    access::require_consortium(db, actor, &row.consortium_id, Standing::Reads).await?;
    let file = project_file::Entity::find_by_id(file_id)
        .one(db)
        .await?
        .filter(|f| f.project_id == project_id)
        .ok_or_else(|| DomainError::not_found("project file", file_id))?;
    store
        .get(&file.object_key)
        .await?
        .ok_or_else(|| DomainError::internal(format!("project file {file_id} is not in the store")))
}
