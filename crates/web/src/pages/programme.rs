//! The programme's pages: for coordinators, their agency's figures (the metropolitan agency:
//! the regional agencies side by side) with a chart drawn on the server and a CSV; support
//! sessions recorded from a form; a consortium's joint projects and its festivals, with the
//! stalls and the visitors counted. For a shop owner: the quick-sale page of a stall.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use golmok_accounts::{Account, Role};
use golmok_core::DomainError;
use golmok_programme::report::{Period, ProgrammeReport};
use serde::Deserialize;

use super::shop::owned_shop;
use super::{Chrome, NoFields, encode, render, render_with, see_other};
use crate::Pages;
use crate::error::PageError;
use crate::format;
use crate::i18n::{Lang, Texts};
use crate::session::{CsrfForm, Visitor};

pub(super) fn coordinator(visitor: &Visitor) -> Result<&Account, PageError> {
    visitor.require(Role::Coordinator)
}

/// A form's fields as sent, repeated names kept (checkboxes).
pub(super) type Fields = Vec<(String, String)>;

pub(super) fn one<'a>(fields: &'a Fields, name: &str) -> &'a str {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim())
        .unwrap_or_default()
}

pub(super) fn all(fields: &Fields, name: &str) -> Vec<String> {
    fields
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .collect()
}

/// The domain's field errors, by field name, for the form to show beside each field.
pub(super) fn field_errors(e: DomainError) -> Result<BTreeMap<String, String>, PageError> {
    match e {
        DomainError::Invalid(v) => Ok(v
            .0
            .into_iter()
            .map(|f| {
                let field = f.field.split('[').next().unwrap_or_default().to_owned();
                (field, f.message)
            })
            .collect()),
        other => Err(other.into()),
    }
}

// ---- reports -------------------------------------------------------------------------------

pub struct ReportRow {
    pub name: String,
    pub link: Option<String>,
    pub online: String,
    pub in_person: String,
    pub visitors: i64,
    pub support: String,
    pub budget: String,
    pub spent: String,
    pub refill: String,
    pub containers: String,
    pub packaging: String,
    pub delivery: String,
    pub co2: String,
}

pub struct ChartBar {
    pub x: u32,
    pub online_y: u32,
    pub online_h: u32,
    pub in_person_y: u32,
    pub in_person_h: u32,
    pub label: String,
    pub title: String,
}

const CHART_HEIGHT: u32 = 120;

fn chart(lang: Lang, report: &ProgrammeReport) -> Vec<ChartBar> {
    let most = report
        .periods
        .iter()
        .map(|p| p.figures.online_sales_krw + p.figures.in_person_sales_krw)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let scale = |v: i64| ((v.max(0) as f64 / most) * f64::from(CHART_HEIGHT)).round() as u32;
    report
        .periods
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let online_h = scale(p.figures.online_sales_krw);
            let in_person_h = scale(p.figures.in_person_sales_krw);
            ChartBar {
                x: i as u32 * 44 + 8,
                online_y: CHART_HEIGHT - online_h,
                online_h,
                in_person_y: CHART_HEIGHT - online_h - in_person_h,
                in_person_h,
                label: match report.by {
                    Period::Month => p.start.format("%y.%m").to_string(),
                    Period::Week => p.start.format("%m.%d").to_string(),
                },
                title: format!(
                    "{}–{}: {} + {}",
                    p.start,
                    p.end,
                    format::won(lang, p.figures.online_sales_krw),
                    format::won(lang, p.figures.in_person_sales_krw)
                ),
            }
        })
        .collect()
}

fn row_of(
    lang: Lang,
    name: &str,
    link: Option<String>,
    f: &golmok_programme::report::Figures,
    p: &golmok_programme::report::ProjectBudgets,
) -> ReportRow {
    ReportRow {
        name: name.to_owned(),
        link,
        online: format::won(lang, f.online_sales_krw),
        in_person: format::won(lang, f.in_person_sales_krw),
        visitors: f.event_visitors,
        support: format!("{}", f.support_hours),
        budget: format::won(lang, p.budget_krw),
        spent: format::won(lang, p.spent_krw),
        refill: format!(
            "{} g",
            format::thousands(f.online_refill_grams + f.in_person_refill_grams)
        ),
        containers: format!("{} / {}", f.containers_reused, f.containers_returned),
        packaging: format!("{} g", format::thousands(f.packaging_avoided_grams)),
        delivery: format!(
            "{:.1} / {:.1} km",
            f.delivery_shared_m / 1000.0,
            f.delivery_solo_m / 1000.0
        ),
        co2: format!("{:.1} kg", f.co2_avoided_kg),
    }
}

#[derive(Template)]
#[template(path = "programme_report.html")]
struct ReportPage {
    c: Chrome,
    title: String,
    parts_label: &'static str,
    rows: Vec<ReportRow>,
    total: ReportRow,
    training: String,
    bars: Vec<ChartBar>,
    chart_width: u32,
    by_week: bool,
    here: String,
    csv: String,
    support: Option<String>,
    co2_method: String,
    /// On a regional agency's page, for those who run it: form a consortium.
    forming: Option<super::members::FormingForm>,
}

#[derive(Deserialize)]
pub struct ReportQuery {
    by: Option<String>,
}

fn period_of(q: &ReportQuery) -> Period {
    match q.by.as_deref() {
        Some("week") => Period::Week,
        _ => Period::Month,
    }
}

async fn report_page(
    pages: &Pages,
    visitor: &Visitor,
    report: ProgrammeReport,
    here: String,
    csv: String,
    support: Option<String>,
    forming: Option<super::members::FormingForm>,
) -> Result<Response, PageError> {
    let lang = visitor.lang;
    let t = lang.texts();
    let agency_scope = report.scope == "agency";
    let rows = report
        .parts
        .iter()
        .map(|p| {
            let link = Some(if agency_scope {
                format!("/programme/consortia/{}", encode(&p.id))
            } else {
                format!("/programme/agencies/{}", encode(&p.id))
            });
            row_of(lang, &p.name, link, &p.total, &p.projects)
        })
        .collect();
    let bars = chart(lang, &report);
    let status = super::refused_if(forming.as_ref().is_some_and(|f| !f.errors.is_empty()));
    render_with(
        status,
        &ReportPage {
            forming,
            title: format!("{} · {} – {}", report.name, report.from, report.to),
            parts_label: if agency_scope {
                t.consortium_col
            } else {
                t.agency_col
            },
            total: row_of(lang, t.total_row, None, &report.total, &report.projects),
            training: format!("{}", report.coordinator_training_hours),
            chart_width: bars.len() as u32 * 44 + 16,
            bars,
            rows,
            by_week: report.by == Period::Week,
            here,
            csv,
            support,
            co2_method: report.co2_method.clone(),
            c: Chrome::load(pages, visitor).await?,
        },
    )
}

/// `GET /programme`: the whole programme for the metropolitan agency and admins; a regional
/// agency's coordinator goes to their agency.
pub async fn home(
    State(pages): State<Pages>,
    visitor: Visitor,
    Query(q): Query<ReportQuery>,
) -> Result<Response, PageError> {
    let account = coordinator(&visitor)?.clone();
    if account.role != Role::Admin {
        match golmok_programme::access::coordinator_agency(&pages.db, &account).await? {
            Some((_, true)) => {}
            Some((own, false)) => {
                return Ok(see_other(&format!("/programme/agencies/{}", encode(&own))));
            }
            None => return Err(PageError::Forbidden),
        }
    }
    let by = period_of(&q);
    let report =
        golmok_programme::report::programme_report(&pages.db, &account, None, None, by).await?;
    report_page(
        &pages,
        &visitor,
        report,
        "/programme".into(),
        format!("/programme/report.csv?by={by}"),
        None,
        None,
    )
    .await
}

/// `GET /programme/agencies/{id}`: an agency, its consortia side by side.
pub async fn agency(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(id): Path<String>,
    Query(q): Query<ReportQuery>,
) -> Result<Response, PageError> {
    agency_page(&pages, &visitor, &id, period_of(&q), None).await
}

/// An agency's page; `typed` is a consortium's forming form sent back with its refusals.
pub(super) async fn agency_page(
    pages: &Pages,
    visitor: &Visitor,
    id: &str,
    by: Period,
    typed: Option<super::members::FormingForm>,
) -> Result<Response, PageError> {
    let account = coordinator(visitor)?;
    let report =
        golmok_programme::report::agency_report(&pages.db, account, id, None, None, by).await?;
    let forming = match typed {
        Some(form) => Some(form),
        None => super::members::forming_form(pages, account, id).await?,
    };
    let id = encode(id);
    report_page(
        pages,
        visitor,
        report,
        format!("/programme/agencies/{id}"),
        format!("/programme/report.csv?by={by}&agency={id}"),
        Some(format!("/programme/agencies/{id}/support")),
        forming,
    )
    .await
}

#[derive(Deserialize)]
pub struct CsvQuery {
    by: Option<String>,
    agency: Option<String>,
}

/// `GET /programme/report.csv`: the report on screen, for a spreadsheet.
pub async fn csv(
    State(pages): State<Pages>,
    visitor: Visitor,
    Query(q): Query<CsvQuery>,
) -> Result<Response, PageError> {
    let account = coordinator(&visitor)?;
    let by = period_of(&ReportQuery { by: q.by });
    let report = match &q.agency {
        Some(id) => {
            golmok_programme::report::agency_report(&pages.db, account, id, None, None, by).await?
        }
        None => {
            golmok_programme::report::programme_report(&pages.db, account, None, None, by).await?
        }
    };
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"golmok-{}-{}-{}.csv\"",
                    report.scope, report.from, report.to
                ),
            ),
        ],
        golmok_programme::report::csv(&report),
    )
        .into_response())
}

// ---- support work --------------------------------------------------------------------------

pub struct SessionRow {
    pub held_on: NaiveDate,
    pub kind: &'static str,
    pub hours: String,
    pub consortium: String,
    pub shops: usize,
    pub notes: String,
}

pub struct ConsortiumChoice {
    pub id: String,
    pub name: String,
    pub members: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "programme_support.html")]
struct SupportPage {
    c: Chrome,
    agency_id: String,
    agency_name: String,
    sessions: Vec<SessionRow>,
    consortia: Vec<ConsortiumChoice>,
    errors: BTreeMap<String, String>,
    recorded: bool,
    kinds: Vec<(&'static str, &'static str)>,
    today: NaiveDate,
}

fn support_kind(t: &Texts, kind: golmok_programme::support::SupportKind) -> &'static str {
    use golmok_programme::support::SupportKind as K;
    match kind {
        K::Education => t.kind_education,
        K::Consulting => t.kind_consulting,
        K::Pr => t.kind_pr,
        K::Marketing => t.kind_marketing,
        K::CoordinatorTraining => t.kind_coordinator_training,
    }
}

async fn consortia_of(
    pages: &Pages,
    agency_id: &str,
) -> Result<Vec<golmok_catalog::Consortium>, PageError> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page =
            golmok_catalog::consortium::list_consortia(&pages.db, None, 100, cursor.as_deref())
                .await?;
        out.extend(page.items.into_iter().filter(|c| c.agency_id == agency_id));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return Ok(out),
        }
    }
}

async fn support_page(
    pages: &Pages,
    visitor: &Visitor,
    agency_id: &str,
    errors: BTreeMap<String, String>,
    recorded: bool,
) -> Result<Response, PageError> {
    let account = coordinator(visitor)?;
    let t = visitor.lang.texts();
    let today = golmok_programme::projects::seoul_today();
    let sessions = golmok_programme::support::sessions_of(
        &pages.db,
        account,
        agency_id,
        today - chrono::Days::new(365),
        today + chrono::Days::new(30),
    )
    .await?;
    let agency = golmok_catalog::agency::get_agency(&pages.db, agency_id).await?;
    let consortia = consortia_of(pages, agency_id).await?;
    let name_of = |id: &Option<String>| {
        id.as_ref()
            .and_then(|id| consortia.iter().find(|c| &c.id == id))
            .map(|c| c.name.clone())
            .unwrap_or_default()
    };
    let rows = sessions
        .iter()
        .map(|s| SessionRow {
            held_on: s.held_on,
            kind: support_kind(t, s.kind),
            hours: format!("{}", s.hours),
            consortium: name_of(&s.consortium_id),
            shops: s.merchant_ids.len(),
            notes: s.notes.clone(),
        })
        .collect();
    use golmok_programme::support::SupportKind as K;
    let status = super::refused_if(!errors.is_empty());
    render_with(
        status,
        &SupportPage {
            agency_id: agency.id,
            agency_name: agency.name,
            sessions: rows,
            consortia: consortia
                .into_iter()
                .map(|c| ConsortiumChoice {
                    members: c
                        .members
                        .into_iter()
                        .map(|m| (m.merchant_id, m.name))
                        .collect(),
                    id: c.id,
                    name: c.name,
                })
                .collect(),
            errors,
            recorded,
            kinds: [K::Education, K::Consulting, K::Pr, K::Marketing]
                .into_iter()
                .map(|k| (k.as_str(), support_kind(t, k)))
                .collect(),
            today,
            c: Chrome::load(pages, visitor).await?,
        },
    )
}

#[derive(Deserialize)]
pub struct RecordedQuery {
    recorded: Option<String>,
}

/// `GET /programme/agencies/{id}/support`.
pub async fn support(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(id): Path<String>,
    Query(q): Query<RecordedQuery>,
) -> Result<Response, PageError> {
    support_page(&pages, &visitor, &id, BTreeMap::new(), q.recorded.is_some()).await
}

/// `POST /programme/agencies/{id}/support`: a session with the shops that took part.
pub async fn record_support(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(id): Path<String>,
    CsrfForm { form, .. }: CsrfForm<Fields>,
) -> Result<Response, PageError> {
    let account = coordinator(&visitor)?;
    let t = visitor.lang.texts();
    let mut errors = BTreeMap::new();
    let kind = golmok_programme::support::SupportKind::parse(one(&form, "kind"));
    let held_on = one(&form, "held_on").parse::<NaiveDate>().ok();
    let hours = one(&form, "hours").replace(',', ".").parse::<f64>().ok();
    if kind.is_none() {
        errors.insert("kind".into(), t.err_check_field.to_owned());
    }
    if held_on.is_none() {
        errors.insert("held_on".into(), t.err_check_field.to_owned());
    }
    if hours.is_none() {
        errors.insert("hours".into(), t.err_support_hours.to_owned());
    }
    let (Some(kind), Some(held_on), Some(hours)) = (kind, held_on, hours) else {
        return support_page(&pages, &visitor, &id, errors, false).await;
    };
    // The shops ticked under the consortium chosen.
    let consortium = one(&form, "consortium_id").to_owned();
    let merchant_ids = all(&form, &format!("merchant_ids.{consortium}"));
    let new = golmok_programme::support::NewSupportSession {
        kind,
        held_on,
        hours,
        consortium_id: (!consortium.is_empty()).then_some(consortium),
        merchant_ids,
        coordinator_ids: Vec::new(),
        notes: one(&form, "notes").to_owned(),
    };
    match golmok_programme::support::record_session(&pages.db, account, &id, new).await {
        Ok(_) => Ok(see_other(&format!(
            "/programme/agencies/{}/support?recorded=1",
            encode(&id)
        ))),
        Err(e) => {
            let errors = field_errors(e)?
                .into_iter()
                .map(|(field, message)| {
                    let text = match field.as_str() {
                        "hours" => t.err_support_hours.to_owned(),
                        "merchant_ids" | "consortium_id" => t.err_participants.to_owned(),
                        _ => message,
                    };
                    (field, text)
                })
                .collect();
            support_page(&pages, &visitor, &id, errors, false).await
        }
    }
}

// ---- a consortium's projects and events ----------------------------------------------------

pub struct ProjectCard {
    pub id: String,
    pub title: String,
    pub kind: &'static str,
    pub status: String,
    pub budget: String,
    pub spent: String,
    pub plan: String,
    pub milestones: Vec<(String, String, NaiveDate, bool)>,
    pub spending: Vec<(NaiveDate, String, String)>,
    /// (link, name, kind)
    pub files: Vec<(String, String, String)>,
}

pub struct EventRow {
    pub id: String,
    pub title: String,
    pub when: String,
}

impl EventRow {
    fn of(
        lang: Lang,
        id: String,
        title: String,
        starts_at: chrono::DateTime<chrono::Utc>,
        ends_at: chrono::DateTime<chrono::Utc>,
    ) -> Self {
        EventRow {
            when: format!(
                "{} {}–{}",
                format::seoul_date(lang, starts_at),
                format::seoul_clock(starts_at),
                format::seoul_clock(ends_at)
            ),
            id,
            title,
        }
    }
}

#[derive(Template)]
#[template(path = "programme_consortium.html")]
struct ConsortiumPage {
    c: Chrome,
    id: String,
    name: String,
    projects: Vec<ProjectCard>,
    events: Vec<EventRow>,
    kinds: Vec<(&'static str, &'static str)>,
    errors: BTreeMap<String, String>,
    can_edit: bool,
    today: NaiveDate,
}

fn project_status(t: &Texts, status: golmok_programme::projects::ProjectStatus) -> &'static str {
    use golmok_programme::projects::ProjectStatus as S;
    match status {
        S::Planned => t.project_planned,
        S::Running => t.project_running,
        S::Done => t.project_done,
        S::Cancelled => t.project_cancelled,
    }
}

fn project_kind(t: &Texts, kind: golmok_programme::projects::ProjectKind) -> &'static str {
    use golmok_programme::projects::ProjectKind as K;
    match kind {
        K::Branding => t.kind_branding,
        K::LocalTour => t.kind_local_tour,
        K::Festival => t.kind_festival,
        K::CoMarketing => t.kind_co_marketing,
        K::CoPurchasing => t.kind_co_purchasing,
        K::Training => t.kind_training,
        K::Other => t.kind_other,
    }
}

async fn consortium_page(
    pages: &Pages,
    visitor: &Visitor,
    id: &str,
    errors: BTreeMap<String, String>,
) -> Result<Response, PageError> {
    let account = visitor
        .account
        .as_ref()
        .ok_or_else(|| PageError::SignIn(visitor.here.clone()))?;
    let lang = visitor.lang;
    let t = lang.texts();
    let projects = golmok_programme::projects::projects_of(&pages.db, account, id).await?;
    let c = golmok_catalog::consortium::get_consortium(&pages.db, pages.cache.as_ref(), id).await?;
    let can_edit = golmok_programme::access::in_agency(&pages.db, account, &c.agency_id)
        .await?
        .is_some_and(|s| s == golmok_programme::access::Standing::Edits);
    let campaigns = golmok_catalog::campaign::list_campaigns(
        &pages.db,
        &golmok_catalog::CampaignQuery {
            consortium_id: Some(id.to_owned()),
            active_at: None,
            limit: 100,
            cursor: None,
        },
    )
    .await?;
    use golmok_catalog::CampaignKind;
    let events = campaigns
        .items
        .into_iter()
        .filter(|e| matches!(e.kind, CampaignKind::Festival | CampaignKind::RefillMarket))
        .map(|e| EventRow::of(lang, e.id, e.title, e.starts_at, e.ends_at))
        .collect();
    use golmok_programme::projects::ProjectKind as K;
    let status = super::refused_if(!errors.is_empty());
    render_with(
        status,
        &ConsortiumPage {
            id: c.id,
            name: c.name,
            projects: projects
                .into_iter()
                .map(|p| ProjectCard {
                    kind: project_kind(t, p.kind),
                    status: project_status(t, p.status).to_owned(),
                    budget: format::won(lang, p.budget_krw),
                    spent: format::won(lang, p.spent_krw),
                    milestones: p
                        .milestones
                        .iter()
                        .map(|m| {
                            (
                                m.id.clone(),
                                m.title.clone(),
                                m.due_on,
                                m.status == golmok_programme::projects::MilestoneStatus::Done,
                            )
                        })
                        .collect(),
                    spending: p
                        .spending
                        .iter()
                        .map(|s| (s.spent_on, s.note.clone(), format::won(lang, s.amount_krw)))
                        .collect(),
                    files: p
                        .files
                        .iter()
                        .map(|f| {
                            (
                                format!(
                                    "/programme/projects/{}/files/{}",
                                    encode(&p.id),
                                    encode(&f.id)
                                ),
                                f.name.clone(),
                                f.kind.clone(),
                            )
                        })
                        .collect(),
                    id: p.id,
                    title: p.title,
                    plan: p.plan,
                })
                .collect(),
            events,
            kinds: [
                K::Branding,
                K::LocalTour,
                K::Festival,
                K::CoMarketing,
                K::CoPurchasing,
                K::Training,
                K::Other,
            ]
            .into_iter()
            .map(|k| (k.as_str(), project_kind(t, k)))
            .collect(),
            errors,
            can_edit,
            today: golmok_programme::projects::seoul_today(),
            c: Chrome::load(pages, visitor).await?,
        },
    )
}

/// `GET /programme/consortia/{id}`: its joint projects and festivals.
pub async fn consortium(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    consortium_page(&pages, &visitor, &id, BTreeMap::new()).await
}

fn back_to_consortium(id: &str) -> Response {
    see_other(&format!("/programme/consortia/{}", encode(id)))
}

/// `POST /programme/consortia/{id}/projects`.
pub async fn create_project(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(id): Path<String>,
    CsrfForm { form, .. }: CsrfForm<Fields>,
) -> Result<Response, PageError> {
    let account = coordinator(&visitor)?;
    let t = visitor.lang.texts();
    let mut errors = BTreeMap::new();
    let kind = golmok_programme::projects::ProjectKind::parse(one(&form, "kind"));
    let budget = one(&form, "budget_krw")
        .replace(',', "")
        .parse::<i64>()
        .ok();
    if kind.is_none() {
        errors.insert("kind".into(), t.err_check_field.to_owned());
    }
    if budget.is_none() {
        errors.insert("budget_krw".into(), t.err_check_field.to_owned());
    }
    let milestone = one(&form, "milestone");
    let due = one(&form, "due_on").parse::<NaiveDate>().ok();
    if !milestone.is_empty() && due.is_none() {
        errors.insert("due_on".into(), t.err_check_field.to_owned());
    }
    let (Some(kind), Some(budget_krw), true) = (kind, budget, errors.is_empty()) else {
        return consortium_page(&pages, &visitor, &id, errors).await;
    };
    let new = golmok_programme::projects::NewProject {
        kind,
        title: one(&form, "title").to_owned(),
        plan: one(&form, "plan").to_owned(),
        budget_krw,
        milestones: match due {
            Some(due_on) if !milestone.is_empty() => {
                vec![golmok_programme::projects::NewMilestone {
                    title: milestone.to_owned(),
                    due_on,
                }]
            }
            _ => Vec::new(),
        },
    };
    match golmok_programme::projects::create_project(&pages.db, account, &id, new).await {
        Ok(_) => Ok(back_to_consortium(&id)),
        Err(e) => {
            let errors = field_errors(e)?;
            consortium_page(&pages, &visitor, &id, errors).await
        }
    }
}

/// `POST /programme/projects/{id}/spending`.
pub async fn add_spending(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(id): Path<String>,
    CsrfForm { form, .. }: CsrfForm<Fields>,
) -> Result<Response, PageError> {
    let account = coordinator(&visitor)?;
    let project = golmok_programme::projects::get_project(&pages.db, account, &id).await?;
    let t = visitor.lang.texts();
    let amount = one(&form, "amount_krw")
        .replace(',', "")
        .parse::<i64>()
        .ok();
    let spent_on = one(&form, "spent_on").parse::<NaiveDate>().ok();
    let (Some(amount_krw), Some(spent_on)) = (amount, spent_on) else {
        let errors = BTreeMap::from([("amount_krw".to_owned(), t.err_check_field.to_owned())]);
        return consortium_page(&pages, &visitor, &project.consortium_id, errors).await;
    };
    let new = golmok_programme::projects::NewSpending {
        amount_krw,
        spent_on,
        note: one(&form, "note").to_owned(),
    };
    match golmok_programme::projects::add_spending(&pages.db, account, &id, new).await {
        Ok(p) => Ok(back_to_consortium(&p.consortium_id)),
        Err(e) => {
            let errors = field_errors(e)?;
            consortium_page(&pages, &visitor, &project.consortium_id, errors).await
        }
    }
}

/// `POST /programme/projects/{id}/files`: a photo or a PDF from the project's form.
pub async fn add_file(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(id): Path<String>,
    request: axum::extract::Request,
) -> Result<Response, PageError> {
    let account = coordinator(&visitor)?.clone();
    let upload = crate::session::CsrfUpload::read(
        request,
        "file",
        golmok_programme::projects::MAX_DOCUMENT_BYTES,
    )
    .await?;
    let name = upload.fields.get("name").cloned().unwrap_or_default();
    let project = golmok_programme::projects::get_project(&pages.db, &account, &id).await?;
    match golmok_programme::projects::add_file(
        &pages.db,
        pages.store.as_ref(),
        &account,
        &id,
        &name,
        upload.file,
    )
    .await
    {
        Ok(p) => Ok(back_to_consortium(&p.consortium_id)),
        Err(DomainError::Invalid(v)) => {
            let errors =
                v.0.into_iter()
                    .map(|f| ("file".to_owned(), f.message))
                    .collect();
            consortium_page(&pages, &visitor, &project.consortium_id, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET /programme/projects/{id}/files/{file}`: for those who may read the project.
pub async fn read_file(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let account = visitor
        .account
        .as_ref()
        .ok_or_else(|| PageError::SignIn(visitor.here.clone()))?;
    let object =
        golmok_programme::projects::read_file(&pages.db, pages.store.as_ref(), account, &id, &file)
            .await?;
    Ok((
        [
            (header::CONTENT_TYPE, object.content_type),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        object.bytes,
    )
        .into_response())
}

/// `POST /programme/projects/{id}/milestones/{milestone}/done`.
pub async fn milestone_done(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path((id, milestone)): Path<(String, String)>,
    CsrfForm { .. }: CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let account = coordinator(&visitor)?;
    let p = golmok_programme::projects::update_milestone(
        &pages.db,
        account,
        &id,
        &milestone,
        golmok_programme::projects::MilestonePatch {
            status: golmok_programme::projects::MilestoneStatus::Done,
            done_on: None,
        },
    )
    .await?;
    Ok(back_to_consortium(&p.consortium_id))
}

// ---- an event ------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "programme_event.html")]
struct EventPage {
    c: Chrome,
    figures: golmok_programme::events::EventFigures,
    consortium_id: String,
    members: Vec<(String, String, bool)>,
    sales: String,
    stalls: Vec<(String, String, u64, String)>,
    can_edit: bool,
}

/// `GET /programme/events/{id}`: its stalls, its visitors, what each stall sold.
pub async fn event(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let account = coordinator(&visitor)?;
    let lang = visitor.lang;
    let figures = golmok_programme::events::figures(&pages.db, account, &id).await?;
    let c = golmok_catalog::consortium::get_consortium(
        &pages.db,
        pages.cache.as_ref(),
        &figures.consortium_id,
    )
    .await?;
    let can_edit = golmok_programme::access::in_agency(&pages.db, account, &c.agency_id)
        .await?
        .is_some_and(|s| s == golmok_programme::access::Standing::Edits);
    render(&EventPage {
        members: c
            .members
            .iter()
            .map(|m| {
                (
                    m.merchant_id.clone(),
                    m.name.clone(),
                    figures.shops.iter().any(|s| s.merchant_id == m.merchant_id),
                )
            })
            .collect(),
        sales: format::won(lang, figures.sales_krw),
        stalls: figures
            .shops
            .iter()
            .map(|s| {
                (
                    s.merchant_id.clone(),
                    s.name.clone(),
                    s.sales,
                    format::won(lang, s.sales_krw),
                )
            })
            .collect(),
        consortium_id: c.id,
        figures,
        can_edit,
        c: Chrome::load(&pages, &visitor).await?,
    })
}

fn back_to_event(id: &str) -> Response {
    see_other(&format!("/programme/events/{}", encode(id)))
}

/// `POST /programme/events/{id}/shops`: the member shops ticked keep a stall.
pub async fn event_shops(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(id): Path<String>,
    CsrfForm { form, .. }: CsrfForm<Fields>,
) -> Result<Response, PageError> {
    let account = coordinator(&visitor)?;
    golmok_programme::events::set_shops(
        &pages.db,
        account,
        &id,
        golmok_programme::events::EventShops {
            merchant_ids: all(&form, "merchant_ids"),
        },
    )
    .await?;
    Ok(back_to_event(&id))
}

/// `POST /programme/events/{id}/visitors`.
pub async fn event_visitors(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(id): Path<String>,
    CsrfForm { form, .. }: CsrfForm<Fields>,
) -> Result<Response, PageError> {
    let account = coordinator(&visitor)?;
    let visitors = one(&form, "visitors").parse::<i32>().unwrap_or(0);
    golmok_programme::events::count_visitors(
        &pages.db,
        account,
        &id,
        golmok_programme::events::NewVisitorCount {
            visitors,
            note: one(&form, "note").to_owned(),
        },
    )
    .await?;
    Ok(back_to_event(&id))
}

// ---- a shop's stall ------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "shop_stall.html")]
struct StallsPage {
    c: Chrome,
    shop: golmok_catalog::Merchant,
    events: Vec<EventRow>,
}

/// `GET /shop/{id}/stall`: the festivals and market days this shop keeps a stall at.
pub async fn stalls(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let (_, shop) = owned_shop(&pages, &visitor, &id).await?;
    let lang = visitor.lang;
    let events = golmok_programme::events::events_of_shop(&pages.db, &shop.id)
        .await?
        .into_iter()
        .map(|e| EventRow::of(lang, e.id, e.title, e.starts_at, e.ends_at))
        .collect();
    render(&StallsPage {
        shop,
        events,
        c: Chrome::load(&pages, &visitor).await?,
    })
}

#[derive(Template)]
#[template(path = "shop_stall_sales.html")]
struct QuickSalePage {
    c: Chrome,
    shop: golmok_catalog::Merchant,
    event_id: String,
    event_title: String,
    listings: Vec<(String, String)>,
    sales: Vec<(String, String, String, &'static str, String)>,
    total: String,
    error: Option<String>,
    /// This sale's key: sent twice (a queued form, a double tap), it is recorded once.
    sale_key: String,
}

async fn quick_sale_page(
    pages: &Pages,
    visitor: &Visitor,
    shop_id: &str,
    event_id: &str,
    error: Option<String>,
) -> Result<Response, PageError> {
    let (account, shop) = owned_shop(pages, visitor, shop_id).await?;
    let lang = visitor.lang;
    let t = lang.texts();
    let event =
        golmok_programme::events::figures_for_stall(&pages.db, &account, event_id, &shop.id)
            .await?;
    let sales =
        golmok_programme::events::sales_of_shop(&pages.db, &account, event_id, &shop.id).await?;
    let listings = golmok_catalog::listing::merchant_listings(
        &pages.db,
        &account,
        &shop.id,
        Some(golmok_catalog::ListingStatus::Active),
    )
    .await?
    .into_iter()
    .map(|l| {
        let label = format!("{} · {}", l.title, format::listing_price(lang, &l));
        (l.id, label)
    })
    .collect();
    use golmok_programme::events::PaymentMethod as M;
    let status = super::refused_if(error.is_some());
    render_with(
        status,
        &QuickSalePage {
            total: format::won(lang, sales.iter().map(|s| s.amount_krw).sum()),
            sales: sales
                .iter()
                .map(|s| {
                    (
                        format::seoul_clock(s.sold_at),
                        s.description.clone(),
                        format::won(lang, s.amount_krw),
                        match s.payment_method {
                            M::Cash => t.pay_cash,
                            M::Card => t.stall_pay_card,
                            M::GiftCertificate => t.pay_gift,
                        },
                        if s.coupon_krw > 0 {
                            format::won(lang, s.coupon_krw)
                        } else {
                            String::new()
                        },
                    )
                })
                .collect(),
            shop,
            event_id: event.campaign_id,
            event_title: event.title,
            listings,
            error,
            sale_key: golmok_core::new_id("stall"),
            c: Chrome::load(pages, visitor).await?,
        },
    )
}

/// `GET /shop/{id}/stall/{event}`: the quick-sale page at the stall.
pub async fn quick_sale(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path((id, event)): Path<(String, String)>,
) -> Result<Response, PageError> {
    quick_sale_page(&pages, &visitor, &id, &event, None).await
}

/// `POST /shop/{id}/stall/{event}`: an item (pieces or grams) or a free amount, and how it
/// was paid. The form carries a key: sent again from the phone's queue after the festival's
/// network came back, the sale is recorded once.
pub async fn sell(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path((id, event)): Path<(String, String)>,
    CsrfForm { form, .. }: CsrfForm<Fields>,
) -> Result<Response, PageError> {
    let (account, shop) = owned_shop(&pages, &visitor, &id).await?;
    let t = visitor.lang.texts();
    let listing = one(&form, "listing_id");
    let quantity = one(&form, "quantity").parse::<i64>().ok();
    let amount = one(&form, "amount_krw")
        .replace(',', "")
        .parse::<i64>()
        .ok();
    let Some(payment_method) =
        golmok_programme::events::PaymentMethod::parse(one(&form, "payment_method"))
    else {
        return quick_sale_page(
            &pages,
            &visitor,
            &id,
            &event,
            Some(t.err_check_field.into()),
        )
        .await;
    };
    let new = golmok_programme::events::NewStallSale {
        merchant_id: shop.id.clone(),
        lines: match (listing.is_empty(), quantity, amount) {
            (false, Some(quantity), None) => vec![golmok_programme::events::StallLine {
                listing_id: listing.to_owned(),
                quantity,
            }],
            _ => Vec::new(),
        },
        amount_krw: if listing.is_empty() { amount } else { None },
        description: Some(one(&form, "description").to_owned()).filter(|d| !d.is_empty()),
        payment_method,
        coupon_code: Some(one(&form, "coupon_code").to_owned()).filter(|c| !c.is_empty()),
    };
    let (db, cache) = (&pages.db, pages.cache.as_ref());
    let recorded = match one(&form, "key") {
        "" => golmok_programme::events::record_sale(db, cache, &account, &event, new).await,
        key => {
            golmok_programme::events::record_sale_once(db, cache, &account, &event, new, key).await
        }
    };
    match recorded {
        Ok(_) => Ok(see_other(&format!(
            "/shop/{}/stall/{}",
            encode(&id),
            encode(&event)
        ))),
        Err(DomainError::Invalid(v)) => {
            quick_sale_page(&pages, &visitor, &id, &event, Some(v.to_string())).await
        }
        Err(DomainError::Conflict { detail, .. }) => {
            quick_sale_page(&pages, &visitor, &id, &event, Some(detail)).await
        }
        Err(e) => Err(e.into()),
    }
}

pub fn routes() -> axum::Router<crate::Pages> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/programme", get(home))
        .route("/programme/report.csv", get(csv))
        .route("/programme/agencies/{id}", get(agency))
        .route(
            "/programme/agencies/{id}/support",
            get(support).post(record_support),
        )
        .route("/programme/consortia/{id}", get(consortium))
        .route("/programme/consortia/{id}/projects", post(create_project))
        .route("/programme/projects/{id}/spending", post(add_spending))
        .route(
            "/programme/projects/{id}/files",
            post(add_file).layer(axum::extract::DefaultBodyLimit::max(
                4 * golmok_programme::projects::MAX_DOCUMENT_BYTES,
            )),
        )
        .route("/programme/projects/{id}/files/{file}", get(read_file))
        .route(
            "/programme/projects/{id}/milestones/{milestone}/done",
            post(milestone_done),
        )
        .route("/programme/events/{id}", get(event))
        .route("/programme/events/{id}/shops", post(event_shops))
        .route("/programme/events/{id}/visitors", post(event_visitors))
        .route("/shop/{id}/stall", get(stalls))
        .route("/shop/{id}/stall/{event}", get(quick_sale).post(sell))
}
