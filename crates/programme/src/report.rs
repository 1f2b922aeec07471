//! Reports that roll up: a consortium's figures per week or month; a regional agency's are
//! the sums of its consortia'; the programme's the sums of its agencies'. Every figure is
//! counted at the consortium it belongs to and only added up above it, so nothing is
//! counted twice on the way up. Online sales come from ordering's figures, kept apart from
//! in-person sales at stalls.

use std::ops::AddAssign;

use chrono::{Datelike, Days, Months, NaiveDate};
use golmok_accounts::{Account, Role};
use golmok_catalog::entities::{agency, campaign, consortium};
use golmok_core::ValidationErrors;
use sea_orm::QueryOrder;
use sea_orm::prelude::*;
use serde::Serialize;

use crate::access::{self, Standing};
use crate::entities::{
    event_visitor_count, joint_project, project_spending, stall_sale, stall_sale_line,
    support_session,
};
use crate::support::{SupportKind, hours_of};
use crate::{DomainError, Result};

golmok_core::stored_enum! {
    /// How a report's span is cut.
    pub enum Period {
        /// Monday to Sunday.
        Week = "week",
        Month = "month",
    }
}

/// What a consortium (or, summed, an agency or the programme) did in a span.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Figures {
    /// Captured online, less refunds.
    pub online_sales_krw: i64,
    pub online_orders: u64,
    pub online_refill_lines: u64,
    /// Weighed out by refill lines sold online.
    pub online_refill_grams: i64,
    pub online_refill_millilitres: i64,
    /// Online refills filled into a reused container (the shopper's own or a deposit one),
    /// and deposit containers brought back.
    pub containers_reused: u64,
    pub containers_returned: u64,
    /// Single-use packaging the refills sold online and at stalls replaced, in grams.
    pub packaging_avoided_grams: i64,
    /// The consortium's share of its delivery slots' shared routes, and of what its shops
    /// would have driven alone (each slot apportioned by stops).
    pub delivery_shared_m: f64,
    pub delivery_solo_m: f64,
    /// Estimated from the distance not driven; see [`CO2_KG_PER_KM`].
    pub co2_avoided_kg: f64,
    /// Sold in person at festival and market-day stalls.
    pub in_person_sales_krw: i64,
    pub in_person_sales: u64,
    /// Grams of refills weighed out at stalls.
    pub in_person_refill_grams: i64,
    pub event_visitors: i64,
    /// Support of the consortium's shops (education, consulting, PR, marketing).
    pub support_hours: f64,
    /// Spent on joint projects.
    pub project_spent_krw: i64,
    /// Stamp tours: visitors who took a stamp in the period (each once per consortium),
    /// stamps taken, tours completed.
    pub tour_visitors: u64,
    pub tour_stamps: u64,
    pub tour_completions: u64,
    /// Coupons redeemed online or at stalls, and the won they took off (the consortium's
    /// cost).
    pub coupons_redeemed: u64,
    pub coupon_krw: i64,
    /// Member-to-member trade handed over (상호거래), counted in the seller's consortium.
    pub member_trade_orders: u64,
    pub member_trade_krw: i64,
}

impl AddAssign<&Figures> for Figures {
    fn add_assign(&mut self, o: &Figures) {
        self.online_sales_krw += o.online_sales_krw;
        self.online_orders += o.online_orders;
        self.online_refill_lines += o.online_refill_lines;
        self.online_refill_grams += o.online_refill_grams;
        self.online_refill_millilitres += o.online_refill_millilitres;
        self.containers_reused += o.containers_reused;
        self.containers_returned += o.containers_returned;
        self.packaging_avoided_grams += o.packaging_avoided_grams;
        self.delivery_shared_m += o.delivery_shared_m;
        self.delivery_solo_m += o.delivery_solo_m;
        self.co2_avoided_kg += o.co2_avoided_kg;
        self.in_person_sales_krw += o.in_person_sales_krw;
        self.in_person_sales += o.in_person_sales;
        self.in_person_refill_grams += o.in_person_refill_grams;
        self.event_visitors += o.event_visitors;
        self.support_hours += o.support_hours;
        self.project_spent_krw += o.project_spent_krw;
        self.tour_visitors += o.tour_visitors;
        self.tour_stamps += o.tour_stamps;
        self.tour_completions += o.tour_completions;
        self.coupons_redeemed += o.coupons_redeemed;
        self.coupon_krw += o.coupon_krw;
        self.member_trade_orders += o.member_trade_orders;
        self.member_trade_krw += o.member_trade_krw;
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PeriodFigures {
    /// First and last day of the period (clipped to the report's span).
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub figures: Figures,
}

/// Joint projects' budgets against what was spent on them (all of it, to the report's end).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ProjectBudgets {
    pub projects: u64,
    pub budget_krw: i64,
    pub spent_krw: i64,
}

impl AddAssign<&ProjectBudgets> for ProjectBudgets {
    fn add_assign(&mut self, o: &ProjectBudgets) {
        self.projects += o.projects;
        self.budget_krw += o.budget_krw;
        self.spent_krw += o.spent_krw;
    }
}

/// A report: a consortium's, an agency's (its consortia side by side) or the programme's
/// (the regional agencies side by side).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ProgrammeReport {
    /// `consortium`, `agency` or `programme`.
    pub scope: String,
    pub id: String,
    pub name: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub by: Period,
    pub periods: Vec<PeriodFigures>,
    pub total: Figures,
    pub projects: ProjectBudgets,
    /// Coordinators' own training (not support of shops, so in no consortium's figures).
    pub coordinator_training_hours: f64,
    /// What this one is the sum of: an agency's consortia, the programme's agencies.
    pub parts: Vec<ReportPart>,
    /// How `co2_avoided_kg` is estimated.
    pub co2_method: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ReportPart {
    pub id: String,
    pub name: String,
    pub total: Figures,
    pub projects: ProjectBudgets,
}

/// The CO2 estimate's factor: kilograms per kilometre of a small delivery van (1.5 t class,
/// diesel), the vehicle a shop delivering alone would use. The estimate is the distance the
/// shops no longer drive alone (their solo distance less the shared routes) times this
/// factor; the shared routes are charged at the same factor although couriers ride cargo
/// bikes and electric scooters, so it errs low.
pub const CO2_KG_PER_KM: f64 = 0.171;

/// The method, as the report states it.
pub const CO2_METHOD: &str = "(solo distance − shared distance) × 0.171 kg CO2/km (small diesel van); shared routes charged at the same factor, so the estimate errs low";

fn co2_avoided_kg(solo_m: f64, shared_m: f64) -> f64 {
    ((solo_m - shared_m).max(0.0) / 1000.0 * CO2_KG_PER_KM * 1000.0).round() / 1000.0
}

/// The periods of `[from, to]`, each clipped to it.
pub fn periods(from: NaiveDate, to: NaiveDate, by: Period) -> Vec<(NaiveDate, NaiveDate)> {
    let mut out = Vec::new();
    let mut start = from;
    while start <= to {
        let next = match by {
            Period::Week => {
                let monday = start - Days::new(u64::from(start.weekday().num_days_from_monday()));
                monday + Days::new(7)
            }
            Period::Month => {
                let first = start.with_day(1).unwrap_or(start);
                first + Months::new(1)
            }
        };
        let end = (next - Days::new(1)).min(to);
        out.push((start, end));
        start = next;
    }
    out
}

/// The span asked for, or the last eight weeks / six months to today (Seoul).
fn span(
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    by: Period,
) -> Result<(NaiveDate, NaiveDate)> {
    let to = to.unwrap_or_else(crate::projects::seoul_today);
    let from = from.unwrap_or_else(|| match by {
        Period::Week => {
            let monday = to - Days::new(u64::from(to.weekday().num_days_from_monday()));
            monday - Days::new(7 * 7)
        }
        Period::Month => to.with_day(1).unwrap_or(to) - Months::new(5),
    });
    if from > to {
        return Err(ValidationErrors::single("from", "must not be after `to`").into());
    }
    if periods(from, to, by).len() > 120 {
        return Err(ValidationErrors::single("from", "at most 120 periods in one report").into());
    }
    Ok((from, to))
}

/// A consortium's events and joint projects: read once for all the periods of a report.
struct Owned {
    events: Vec<String>,
    projects: Vec<String>,
    stamps: crate::tours::StampLog,
    redemptions: Vec<(chrono::DateTime<chrono::Utc>, i64)>,
}

async fn owned_by(db: &DatabaseConnection, consortium_id: &str) -> Result<Owned> {
    Ok(Owned {
        events: campaign::Entity::find()
            .filter(campaign::Column::ConsortiumId.eq(consortium_id))
            .all(db)
            .await?
            .into_iter()
            .map(|c| c.id)
            .collect(),
        projects: joint_project::Entity::find()
            .filter(joint_project::Column::ConsortiumId.eq(consortium_id))
            .all(db)
            .await?
            .into_iter()
            .map(|p| p.id)
            .collect(),
        stamps: crate::tours::stamp_log(db, consortium_id).await?,
        redemptions: golmok_ordering::coupons::redeemed_in(db, consortium_id).await?,
    })
}

/// One consortium's figures for one span of days.
async fn consortium_figures(
    db: &DatabaseConnection,
    consortium_id: &str,
    owned: &Owned,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Figures> {
    let online = golmok_ordering::report::figures_between(db, consortium_id, from, to).await?;
    let (start, end) = (
        golmok_ordering::report::day_start(from)?,
        golmok_ordering::report::day_start(to + Days::new(1))?,
    );
    let sales = stall_sale::Entity::find()
        .filter(stall_sale::Column::ConsortiumId.eq(consortium_id))
        .filter(stall_sale::Column::SoldAt.gte(start))
        .filter(stall_sale::Column::SoldAt.lt(end))
        .all(db)
        .await?;
    let sale_ids: Vec<String> = sales.iter().map(|s| s.id.clone()).collect();
    let refills = stall_sale_line::Entity::find()
        .filter(stall_sale_line::Column::SaleId.is_in(sale_ids))
        .filter(stall_sale_line::Column::Refill.eq(true))
        .all(db)
        .await?;
    let grams: i64 = refills
        .iter()
        .filter(|l| l.unit == "gram")
        .map(|l| l.quantity)
        .sum();
    let stall_packaging: i64 = refills.iter().map(|l| l.packaging_grams).sum();
    let visitors: i64 = event_visitor_count::Entity::find()
        .filter(event_visitor_count::Column::CampaignId.is_in(owned.events.iter().cloned()))
        .filter(event_visitor_count::Column::CountedAt.gte(start))
        .filter(event_visitor_count::Column::CountedAt.lt(end))
        .all(db)
        .await?
        .iter()
        .map(|v| i64::from(v.visitors))
        .sum();
    let minutes: i64 = support_session::Entity::find()
        .filter(support_session::Column::ConsortiumId.eq(consortium_id))
        .filter(support_session::Column::Kind.ne(SupportKind::CoordinatorTraining.as_str()))
        .filter(support_session::Column::HeldOn.gte(from))
        .filter(support_session::Column::HeldOn.lte(to))
        .all(db)
        .await?
        .iter()
        .map(|s| i64::from(s.minutes))
        .sum();
    let spent: i64 = project_spending::Entity::find()
        .filter(project_spending::Column::ProjectId.is_in(owned.projects.iter().cloned()))
        .filter(project_spending::Column::SpentOn.gte(from))
        .filter(project_spending::Column::SpentOn.lte(to))
        .all(db)
        .await?
        .iter()
        .map(|s| s.amount_krw)
        .sum();
    let within = |at: &chrono::DateTime<chrono::Utc>| *at >= start && *at < end;
    let stamps: Vec<&(String, _)> = owned
        .stamps
        .stamps
        .iter()
        .filter(|(_, at)| within(at))
        .collect();
    let mut visitors_stamping: Vec<&str> = stamps.iter().map(|(v, _)| v.as_str()).collect();
    visitors_stamping.sort_unstable();
    visitors_stamping.dedup();
    let redeemed: Vec<i64> = owned
        .redemptions
        .iter()
        .filter(|(at, _)| within(at))
        .map(|(_, krw)| *krw)
        .collect();
    let (member_trade_orders, member_trade_krw) =
        golmok_ordering::member_trade::volume_in(db, consortium_id, start, end).await?;
    Ok(Figures {
        member_trade_orders,
        member_trade_krw,
        online_sales_krw: online.sales_krw,
        online_orders: online.orders,
        online_refill_lines: online.refill.lines,
        online_refill_grams: online.refill.grams,
        online_refill_millilitres: online.refill.millilitres,
        containers_reused: online.refill.containers_reused,
        containers_returned: online.refill.containers_returned,
        packaging_avoided_grams: online.refill.packaging_avoided_grams + stall_packaging,
        delivery_shared_m: online.delivery.distance_m,
        delivery_solo_m: online.delivery.solo_distance_m,
        co2_avoided_kg: co2_avoided_kg(online.delivery.solo_distance_m, online.delivery.distance_m),
        in_person_sales_krw: sales.iter().map(|s| s.amount_krw).sum(),
        in_person_sales: sales.len() as u64,
        in_person_refill_grams: grams,
        event_visitors: visitors,
        support_hours: hours_of(minutes),
        project_spent_krw: spent,
        tour_visitors: visitors_stamping.len() as u64,
        tour_stamps: stamps.len() as u64,
        tour_completions: owned
            .stamps
            .completions
            .iter()
            .filter(|at| within(at))
            .count() as u64,
        coupons_redeemed: redeemed.len() as u64,
        coupon_krw: redeemed.iter().sum(),
    })
}

async fn budgets_of(
    db: &DatabaseConnection,
    consortium_id: &str,
    to: NaiveDate,
) -> Result<ProjectBudgets> {
    let projects: Vec<joint_project::Model> = joint_project::Entity::find()
        .filter(joint_project::Column::ConsortiumId.eq(consortium_id))
        .filter(joint_project::Column::Status.ne("cancelled"))
        .all(db)
        .await?;
    let ids: Vec<String> = projects.iter().map(|p| p.id.clone()).collect();
    let spent = project_spending::Entity::find()
        .filter(project_spending::Column::ProjectId.is_in(ids))
        .filter(project_spending::Column::SpentOn.lte(to))
        .all(db)
        .await?
        .iter()
        .map(|s| s.amount_krw)
        .sum();
    Ok(ProjectBudgets {
        projects: projects.len() as u64,
        budget_krw: projects.iter().map(|p| p.budget_krw).sum(),
        spent_krw: spent,
    })
}

async fn consortium_report_in(
    db: &DatabaseConnection,
    c: &consortium::Model,
    from: NaiveDate,
    to: NaiveDate,
    by: Period,
) -> Result<ProgrammeReport> {
    let mut out = Vec::new();
    let mut total = Figures::default();
    let owned = owned_by(db, &c.id).await?;
    for (start, end) in periods(from, to, by) {
        let figures = consortium_figures(db, &c.id, &owned, start, end).await?;
        total += &figures;
        out.push(PeriodFigures {
            start,
            end,
            figures,
        });
    }
    Ok(ProgrammeReport {
        scope: "consortium".into(),
        id: c.id.clone(),
        name: c.name.clone(),
        from,
        to,
        by,
        periods: out,
        total,
        projects: budgets_of(db, &c.id, to).await?,
        coordinator_training_hours: 0.0,
        parts: Vec::new(),
        co2_method: CO2_METHOD.into(),
    })
}

/// Adds `parts` up, period by period, into a report of `scope`.
fn roll_up(
    scope: &str,
    id: &str,
    name: &str,
    (from, to, by): (NaiveDate, NaiveDate, Period),
    parts: &[ProgrammeReport],
    training_hours: f64,
) -> ProgrammeReport {
    let mut periods_out: Vec<PeriodFigures> = periods(from, to, by)
        .into_iter()
        .map(|(start, end)| PeriodFigures {
            start,
            end,
            figures: Figures::default(),
        })
        .collect();
    let mut total = Figures::default();
    let mut projects = ProjectBudgets::default();
    let mut training = training_hours;
    for p in parts {
        for (mine, theirs) in periods_out.iter_mut().zip(&p.periods) {
            mine.figures += &theirs.figures;
        }
        total += &p.total;
        projects += &p.projects;
        training += p.coordinator_training_hours;
    }
    ProgrammeReport {
        scope: scope.into(),
        id: id.into(),
        name: name.into(),
        from,
        to,
        by,
        periods: periods_out,
        total,
        projects,
        coordinator_training_hours: training,
        parts: parts
            .iter()
            .map(|p| ReportPart {
                id: p.id.clone(),
                name: p.name.clone(),
                total: p.total.clone(),
                projects: p.projects.clone(),
            })
            .collect(),
        co2_method: CO2_METHOD.into(),
    }
}

async fn agency_report_in(
    db: &DatabaseConnection,
    a: &agency::Model,
    from: NaiveDate,
    to: NaiveDate,
    by: Period,
) -> Result<ProgrammeReport> {
    let consortia = consortium::Entity::find()
        .filter(consortium::Column::AgencyId.eq(a.id.as_str()))
        .order_by_asc(consortium::Column::Name)
        .all(db)
        .await?;
    let mut parts = Vec::with_capacity(consortia.len());
    for c in &consortia {
        parts.push(consortium_report_in(db, c, from, to, by).await?);
    }
    let training: i64 = support_session::Entity::find()
        .filter(support_session::Column::AgencyId.eq(a.id.as_str()))
        .filter(support_session::Column::Kind.eq(SupportKind::CoordinatorTraining.as_str()))
        .filter(support_session::Column::HeldOn.gte(from))
        .filter(support_session::Column::HeldOn.lte(to))
        .all(db)
        .await?
        .iter()
        .map(|s| i64::from(s.minutes))
        .sum();
    Ok(roll_up(
        "agency",
        &a.id,
        &a.name,
        (from, to, by),
        &parts,
        hours_of(training),
    ))
}

/// A consortium's report: for its agency's coordinators and the metropolitan agency's.
pub async fn consortium_report(
    db: &DatabaseConnection,
    actor: &Account,
    consortium_id: &str,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    by: Period,
) -> Result<ProgrammeReport> {
    let c = consortium::Entity::find_by_id(consortium_id)
        .one(db)
        .await?
        .ok_or_else(|| DomainError::not_found("consortium", consortium_id))?;
    access::require_agency(db, actor, &c.agency_id, Standing::Reads).await?;
    let (from, to) = span(from, to, by)?;
    consortium_report_in(db, &c, from, to, by).await
}

/// An agency's report, its consortia side by side.
pub async fn agency_report(
    db: &DatabaseConnection,
    actor: &Account,
    agency_id: &str,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    by: Period,
) -> Result<ProgrammeReport> {
    let a = access::require_agency(db, actor, agency_id, Standing::Reads).await?;
    let (from, to) = span(from, to, by)?;
    agency_report_in(db, &a, from, to, by).await
}

/// The whole programme, its regional agencies side by side: for the metropolitan agency and
/// admins.
pub async fn programme_report(
    db: &DatabaseConnection,
    actor: &Account,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    by: Period,
) -> Result<ProgrammeReport> {
    let metropolitan = match actor.role {
        Role::Admin => None,
        _ => match access::coordinator_agency(db, actor).await? {
            Some((id, true)) => Some(id),
            _ => {
                return Err(DomainError::forbidden(
                    "the programme's report is the metropolitan agency's",
                ));
            }
        },
    };
    let (from, to) = span(from, to, by)?;
    let agencies = agency::Entity::find()
        .order_by_asc(agency::Column::Name)
        .all(db)
        .await?;
    let mut parts = Vec::new();
    let mut training = 0.0;
    for a in &agencies {
        let report = agency_report_in(db, a, from, to, by).await?;
        if a.kind == "metropolitan" {
            // It runs no consortium; its coordinators' training still counts.
            training += report.coordinator_training_hours;
            continue;
        }
        parts.push(report);
    }
    let name = match metropolitan {
        Some(id) => agencies
            .iter()
            .find(|a| a.id == id)
            .map(|a| a.name.clone())
            .unwrap_or_default(),
        None => "Golmok".into(),
    };
    Ok(roll_up(
        "programme",
        "programme",
        &name,
        (from, to, by),
        &parts,
        training,
    ))
}

/// The report as CSV: one row per part (or the report itself when it has none) and period,
/// then the totals.
pub fn csv(report: &ProgrammeReport) -> String {
    let mut out = String::from(
        "scope,id,name,period_start,period_end,online_sales_krw,online_orders,online_refill_lines,\
         in_person_sales_krw,in_person_sales,in_person_refill_grams,event_visitors,support_hours,\
         project_spent_krw,online_refill_grams,online_refill_millilitres,containers_reused,\
         containers_returned,delivery_shared_m,delivery_solo_m,co2_avoided_kg,\
         packaging_avoided_grams,tour_visitors,tour_stamps,tour_completions,coupons_redeemed,\
         coupon_krw,member_trade_orders,member_trade_krw\n",
    );
    let row = |out: &mut String, id: &str, name: &str, start: &str, end: &str, f: &Figures| {
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{:.0},{:.0},{},{},{},{},{},{},{},{},{}\n",
            report.scope,
            golmok_core::csv::field(id),
            golmok_core::csv::field(name),
            start,
            end,
            f.online_sales_krw,
            f.online_orders,
            f.online_refill_lines,
            f.in_person_sales_krw,
            f.in_person_sales,
            f.in_person_refill_grams,
            f.event_visitors,
            f.support_hours,
            f.project_spent_krw,
            f.online_refill_grams,
            f.online_refill_millilitres,
            f.containers_reused,
            f.containers_returned,
            f.delivery_shared_m,
            f.delivery_solo_m,
            f.co2_avoided_kg,
            f.packaging_avoided_grams,
            f.tour_visitors,
            f.tour_stamps,
            f.tour_completions,
            f.coupons_redeemed,
            f.coupon_krw,
            f.member_trade_orders,
            f.member_trade_krw
        ));
    };
    for p in &report.periods {
        row(
            &mut out,
            &report.id,
            &report.name,
            &p.start.to_string(),
            &p.end.to_string(),
            &p.figures,
        );
    }
    for part in &report.parts {
        row(
            &mut out,
            &part.id,
            &part.name,
            &report.from.to_string(),
            &report.to.to_string(),
            &part.total,
        );
    }
    row(
        &mut out,
        &report.id,
        &format!("{} (total)", report.name),
        &report.from.to_string(),
        &report.to.to_string(),
        &report.total,
    );
    out
}

/// A CSV field: quoted when it holds a comma, a quote or a line break; a leading formula
/// character is defused so a spreadsheet does not run it.
#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    #[test]
    fn weeks_start_on_monday_and_months_on_the_first_clipped_to_the_span() {
        // 2026-11-25 is a Wednesday.
        assert_eq!(
            periods(day(2026, 11, 25), day(2026, 12, 8), Period::Week),
            vec![
                (day(2026, 11, 25), day(2026, 11, 29)),
                (day(2026, 11, 30), day(2026, 12, 6)),
                (day(2026, 12, 7), day(2026, 12, 8)),
            ]
        );
        assert_eq!(
            periods(day(2026, 11, 15), day(2027, 1, 3), Period::Month),
            vec![
                (day(2026, 11, 15), day(2026, 11, 30)),
                (day(2026, 12, 1), day(2026, 12, 31)),
                (day(2027, 1, 1), day(2027, 1, 3)),
            ]
        );
    }

    #[test]
    fn co2_is_the_distance_not_driven_at_a_vans_rate() {
        // 12 km alone against 4 km shared: 8 km not driven × 0.171 kg/km.
        assert_eq!(co2_avoided_kg(12_000.0, 4_000.0), 1.368);
        // Sharing that drove further saves nothing (and costs nothing in the estimate).
        assert_eq!(co2_avoided_kg(3_000.0, 4_000.0), 0.0);
    }

    fn figures() -> impl Strategy<Value = Figures> {
        (
            0i64..10_000_000,
            0u64..500,
            0i64..1_000_000,
            0u64..200,
            0i64..5_000,
            0u32..200,
        )
            .prop_map(
                |(online, orders, stall, sales, visitors, quarters)| Figures {
                    online_sales_krw: online,
                    online_orders: orders,
                    online_refill_lines: orders / 2,
                    online_refill_grams: online / 100,
                    online_refill_millilitres: 0,
                    containers_reused: orders / 3,
                    containers_returned: orders / 5,
                    packaging_avoided_grams: stall / 50,
                    delivery_shared_m: 0.0,
                    delivery_solo_m: 0.0,
                    co2_avoided_kg: 0.0,
                    in_person_sales_krw: stall,
                    in_person_sales: sales,
                    in_person_refill_grams: stall / 10,
                    event_visitors: visitors,
                    support_hours: f64::from(quarters) / 4.0,
                    project_spent_krw: stall / 3,
                    tour_visitors: sales / 2,
                    tour_stamps: sales,
                    tour_completions: sales / 3,
                    coupons_redeemed: sales / 4,
                    coupon_krw: stall / 20,
                    member_trade_orders: orders / 4,
                    member_trade_krw: online / 30,
                },
            )
    }

    proptest! {
        /// The periods of the span tile it exactly: every day in one period, none twice.
        #[test]
        fn periods_tile_the_span(start in 0u64..3_000, len in 0u64..400, weekly in any::<bool>()) {
            let from = day(2024, 1, 1) + Days::new(start);
            let to = from + Days::new(len);
            let by = if weekly { Period::Week } else { Period::Month };
            let cut = periods(from, to, by);
            prop_assert_eq!(cut.first().map(|p| p.0), Some(from));
            prop_assert_eq!(cut.last().map(|p| p.1), Some(to));
            for pair in cut.windows(2) {
                prop_assert_eq!(pair[0].1 + Days::new(1), pair[1].0);
            }
        }

        /// A rolled-up report is its parts' sum, period by period and in total.
        #[test]
        fn a_roll_up_is_the_sum_of_its_parts(
            parts in proptest::collection::vec(proptest::collection::vec(figures(), 3), 0..6)
        ) {
            let span = (day(2026, 11, 2), day(2026, 11, 22), Period::Week);
            let reports: Vec<ProgrammeReport> = parts.iter().enumerate().map(|(i, weeks)| {
                let mut total = Figures::default();
                for w in weeks { total += w; }
                ProgrammeReport {
                    scope: "consortium".into(), id: format!("c{i}"), name: format!("c{i}"),
                    from: span.0, to: span.1, by: span.2,
                    periods: periods(span.0, span.1, span.2).into_iter().zip(weeks)
                        .map(|((start, end), f)| PeriodFigures { start, end, figures: f.clone() })
                        .collect(),
                    total, projects: ProjectBudgets::default(),
                    coordinator_training_hours: 0.0, parts: Vec::new(),
                    co2_method: String::new(),
                }
            }).collect();
            let up = roll_up("agency", "a", "a", span, &reports, 1.5);
            let mut sum = Figures::default();
            for r in &reports { sum += &r.total; }
            prop_assert_eq!(&up.total, &sum);
            let mut by_period = Figures::default();
            for p in &up.periods { by_period += &p.figures; }
            prop_assert_eq!(up.total.online_sales_krw, by_period.online_sales_krw);
            prop_assert_eq!(up.total.in_person_sales_krw, by_period.in_person_sales_krw);
            prop_assert_eq!(up.total.support_hours, by_period.support_hours);
            prop_assert_eq!(up.parts.len(), reports.len());
        }
    }
}
