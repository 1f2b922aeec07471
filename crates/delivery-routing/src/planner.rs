//! The planner: at a slot's cut-off (or on demand) it turns the slot's delivery tasks and
//! the network's couriers into a solver problem, solves it, and writes route batches with
//! ordered stops and ETAs in one transaction. Planning a slot again replaces the batches no
//! courier has started; started batches stay as they are and their couriers sit it out.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use golmok_core::{Coordinates, db::begin_write, new_id};
use golmok_events::{Payload, Topic};
use sea_orm::ActiveValue::Set;
use sea_orm::prelude::*;
use sea_orm::{DatabaseTransaction, QueryOrder};
use serde::Serialize;

use crate::courier::{Courier, VehicleKind, on_duty};
use crate::entities::{delivery_task, plan, route_batch, stop};
use crate::network::{Slot, minutes, seoul, slot};
use crate::solver::{self, Budget, Problem, Stop, Task, TravelMatrix, Vehicle, VisitKind};
use crate::status::TaskStatus;
use crate::status::{BatchStatus, StopKind, StopStatus};
use crate::{DomainError, Result};

/// Minutes at the shop counter and at the shopper's door.
pub(crate) const PICKUP_SERVICE_MIN: f64 = 3.0;
pub(crate) const DROPOFF_SERVICE_MIN: f64 = 4.0;
/// A task not yet ready is assumed ready this long before the wave starts (shops promise it).
const PROMISED_LEAD_MIN: f64 = 45.0;

/// Distances and travel times between places, for every vehicle kind.
#[async_trait::async_trait]
pub trait TravelTimes: Send + Sync {
    /// Metres between every pair of `points`, and minutes per [`VehicleKind::profile`].
    async fn matrix(&self, points: &[Coordinates]) -> Result<TravelMatrix>;
}

/// The default: great-circle distance times a detour factor for the street grid, at each
/// vehicle kind's speed.
#[derive(Debug, Clone, Copy)]
pub struct GreatCircle {
    pub detour: f64,
}

impl Default for GreatCircle {
    fn default() -> Self {
        Self { detour: 1.3 }
    }
}

#[async_trait::async_trait]
impl TravelTimes for GreatCircle {
    async fn matrix(&self, points: &[Coordinates]) -> Result<TravelMatrix> {
        let n = points.len();
        let mut distance = vec![0.0; n * n];
        for a in 0..n {
            for b in 0..n {
                distance[a * n + b] = points[a].distance_m(&points[b]) * self.detour;
            }
        }
        let times = VehicleKind::ALL
            .iter()
            .map(|k| distance.iter().map(|d| d / k.speed_m_per_min()).collect())
            .collect();
        Ok(TravelMatrix {
            size: n,
            distance,
            times,
        })
    }
}

/// Road distances from an OSRM server's table service (`/table/v1/{profile}/…`), when one is
/// configured. Times follow from each vehicle kind's own speed: OSRM's durations are for the
/// profile it was built with (usually cars), which cargo bikes and couriers on foot do not
/// share.
#[derive(Debug, Clone)]
pub struct OsrmTable {
    pub base_url: String,
    pub profile: String,
    client: reqwest::Client,
}

impl OsrmTable {
    pub fn new(base_url: &str, profile: &str) -> Self {
        Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            profile: profile.to_owned(),
            client: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(30))
                .build()
                .unwrap_or_default(),
        }
    }
}

#[async_trait::async_trait]
impl TravelTimes for OsrmTable {
    async fn matrix(&self, points: &[Coordinates]) -> Result<TravelMatrix> {
        #[derive(serde::Deserialize)]
        struct Table {
            code: String,
            distances: Option<Vec<Vec<Option<f64>>>>,
        }
        let n = points.len();
        let coordinates: Vec<String> = points
            .iter()
            .map(|p| format!("{:.6},{:.6}", p.lon, p.lat))
            .collect();
        let url = format!(
            "{}/table/v1/{}/{}?annotations=distance",
            self.base_url,
            self.profile,
            coordinates.join(";")
        );
        let unavailable = |e: String| DomainError::Internal(format!("OSRM table service: {e}"));
        let table: Table = self
            .client
            .get(&url)
            .send()
            .await
            .and_then(|r| r.error_for_status())
            .map_err(|e| unavailable(e.to_string()))?
            .json()
            .await
            .map_err(|e| unavailable(e.to_string()))?;
        let rows = match (table.code.as_str(), table.distances) {
            ("Ok", Some(rows)) if rows.len() == n && rows.iter().all(|r| r.len() == n) => rows,
            (code, _) => {
                return Err(unavailable(format!(
                    "answered {code} without an {n}×{n} distance table"
                )));
            }
        };
        let mut distance = Vec::with_capacity(n * n);
        for (a, row) in rows.into_iter().enumerate() {
            for (b, d) in row.into_iter().enumerate() {
                // An unroutable pair (an island, a closed street) falls back to the crow's
                // flight with the detour factor, rather than failing the whole wave.
                distance.push(d.unwrap_or_else(|| {
                    points[a].distance_m(&points[b]) * GreatCircle::default().detour
                }));
            }
        }
        let times = VehicleKind::ALL
            .iter()
            .map(|k| distance.iter().map(|d| d / k.speed_m_per_min()).collect())
            .collect();
        Ok(TravelMatrix {
            size: n,
            distance,
            times,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PlannedStop {
    pub id: String,
    /// `pickup` or `dropoff`.
    pub kind: StopKind,
    pub merchant_order_id: String,
    pub location: Coordinates,
    pub address: String,
    /// What to pick up (or hand over): "손두부 ×2, 유기농 현미 310 g".
    pub contents: String,
    pub eta: DateTime<Utc>,
    /// `pending`, `completed` or `failed`.
    pub status: StopStatus,
    /// How a completed stop was proved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proof: Option<StopProof>,
    /// Whom to call here (the shop at a pick-up, the shopper at the door): in the courier's
    /// own view, while the batch is under way, and never after.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// The shopper's notes for the door, on the same terms.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// At a pending drop-off, in the courier's view: deposit containers from the shopper's
    /// earlier orders that the courier may take back here (filled in by ordering, which owns
    /// them). Listed on the first drop-off of a basket only.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub collect: Vec<ContainerToCollect>,
}

/// A deposit container the shopper still has, to be taken back at the door.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ContainerToCollect {
    /// The earlier shop order the container was sold with, and its line: what
    /// `POST /v1/merchant-orders/{id}/lines/{line_id}/container-return` takes.
    pub merchant_order_id: String,
    pub line_id: String,
    /// What was sold in it ("병 콩물 리필"), and by which shop.
    pub title: String,
    pub shop: String,
    /// Refunded to the shopper when the courier takes it back.
    pub deposit_krw: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct StopProof {
    /// `code`, `photo` or `signature`.
    pub kind: String,
    /// For a photo or a signature: where its file is read (by the courier, the network's
    /// dispatchers and admins).
    pub file_url: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Batch {
    pub id: String,
    pub courier_id: String,
    pub slot_id: String,
    /// `planned`, `started` or `done`.
    pub status: BatchStatus,
    pub distance_m: f64,
    pub stops: Vec<PlannedStop>,
    /// Where the courier last was, while the batch is under way and their phone shares it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub courier_position: Option<CourierPosition>,
    /// The batch passed to its courier while under way: what is on board is first collected
    /// from the courier before.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handed_over: Option<Handover>,
}

impl Batch {
    /// The merchant orders on board: dropped off not yet, and picked up (or carried from the
    /// start).
    pub fn on_board_parts(&self) -> impl Iterator<Item = &str> {
        self.stops
            .iter()
            .filter(|d| d.kind == StopKind::Dropoff && d.status == StopStatus::Pending)
            .filter(|d| {
                self.stops
                    .iter()
                    .find(|p| {
                        p.kind == StopKind::Pickup && p.merchant_order_id == d.merchant_order_id
                    })
                    .is_none_or(|p| p.status == StopStatus::Completed)
            })
            .map(|d| d.merchant_order_id.as_str())
    }

    /// How many deliveries are on board ([`Batch::on_board_parts`]).
    pub fn on_board(&self) -> usize {
        self.on_board_parts().count()
    }
}

/// Who had a batch before it was handed over, and when.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Handover {
    pub from_courier_id: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CourierPosition {
    pub location: Coordinates,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Unassigned {
    pub merchant_order_id: String,
    /// `too_large`, `out_of_time`, `no_capacity_left` or `no_courier`.
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PlanMetrics {
    pub couriers: usize,
    pub distance_m: f64,
    /// What the shops would have driven delivering alone the same deliveries the plan
    /// carries (those left out count in neither figure).
    pub solo_distance_m: f64,
    /// Deliveries the plan left out, listed with their reasons in `unassigned`.
    pub unassigned: usize,
    pub seconds: f64,
}

/// What a plan did to one delivery, as ordering records it in the order's history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanOutcome<'a> {
    /// Left out, for this reason (`too_large`, `out_of_time`, `no_capacity_left`,
    /// `no_courier`).
    LeftOut(&'a str),
    /// Carried by this plan after an earlier one left it out.
    CarriedAfterAll,
}

/// Told of each delivery a plan leaves out or takes back in, inside the plan's
/// transaction; ordering fills it in (through the API), as it does [`crate::batch::StopEvents`].
#[async_trait::async_trait]
pub trait PlanEvents: Send + Sync {
    async fn on_delivery(
        &self,
        txn: &sea_orm::DatabaseTransaction,
        merchant_order_id: &str,
        outcome: PlanOutcome<'_>,
    ) -> Result<()>;
}

/// For plans nobody records (benchmarks, tests of the planner alone).
pub struct NoPlanEvents;

#[async_trait::async_trait]
impl PlanEvents for NoPlanEvents {
    async fn on_delivery(
        &self,
        _txn: &sea_orm::DatabaseTransaction,
        _merchant_order_id: &str,
        _outcome: PlanOutcome<'_>,
    ) -> Result<()> {
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Plan {
    pub id: String,
    pub slot_id: String,
    pub batches: Vec<Batch>,
    pub unassigned: Vec<Unassigned>,
    pub metrics: PlanMetrics,
}

fn minute_of(origin: DateTime<Utc>, t: DateTime<Utc>) -> f64 {
    (t - origin).num_milliseconds() as f64 / 60_000.0
}

/// Plans a slot of `network_id` (again, when asked by hand). The answer lists every batch of
/// the slot, started ones too.
pub async fn plan_slot(
    db: &DatabaseConnection,
    travel: &dyn TravelTimes,
    events: &dyn PlanEvents,
    network_id: &str,
    slot_id: &str,
    budget: PlanBudget,
) -> Result<Plan> {
    plan(
        db,
        travel,
        events,
        network_id,
        slot_id,
        budget,
        Replan::Always,
    )
    .await?
    .ok_or_else(|| DomainError::Internal("a plan asked for by hand was skipped".into()))
}

/// Plans a slot at its cut-off, unless a plan made since `since` (the cut-off when absent)
/// stands: two schedulers or workers racing for the same slot plan it once. On PostgreSQL
/// the second waits on an advisory lock held by the first's transaction, then finds its
/// plan; on SQLite the write lock does the same. `None` when the slot was planned already.
pub async fn plan_slot_at_cutoff(
    db: &DatabaseConnection,
    travel: &dyn TravelTimes,
    events: &dyn PlanEvents,
    network_id: &str,
    slot_id: &str,
    budget: PlanBudget,
    since: Option<DateTime<Utc>>,
) -> Result<Option<Plan>> {
    plan(
        db,
        travel,
        events,
        network_id,
        slot_id,
        budget,
        Replan::UnlessPlannedSince(since),
    )
    .await
}

/// Whether a plan replaces one already made.
#[derive(Debug, Clone, Copy)]
enum Replan {
    /// Asked for by hand: plan again.
    Always,
    /// At the cut-off: a plan made since this time (the cut-off when absent) stands.
    UnlessPlannedSince(Option<DateTime<Utc>>),
}

/// Planning's steps: read the slot (what couriers ride, the open tasks, the free couriers),
/// ask for travel times and solve with no transaction open, then, holding the slot, write the
/// batches, each delivery's outcome and the plan, unless the slot changed while solving: then
/// it plans again from what it is now. A checkout into the slot meanwhile is never held up by
/// a solve.
async fn plan(
    db: &DatabaseConnection,
    travel: &dyn TravelTimes,
    events: &dyn PlanEvents,
    network_id: &str,
    slot_id: &str,
    budget: PlanBudget,
    replan: Replan,
) -> Result<Option<Plan>> {
    let started = Instant::now();
    let (network, slot) = slot(db, slot_id).await?;
    if network.id != network_id {
        return Err(DomainError::not_found("slot", slot_id));
    }
    let mut attempt = 1;
    loop {
        if already_planned(db, replan, &slot).await? {
            return Ok(None);
        }
        let clock = SlotClock::of(&slot)?;
        let seen = SlotState::read(db, &network.id, slot_id).await?;
        let problem = routing_problem(travel, network.hub, &seen, &clock).await?;
        let (problem, solution) = solve_off_the_runtime(problem, budget, slot_id).await?;
        let txn = begin_write(db).await?;
        hold_slot(&txn, slot_id).await?;
        if already_planned(&txn, replan, &slot).await? {
            return Ok(None);
        }
        let now = SlotState::read(&txn, &network.id, slot_id).await?;
        if now != seen {
            drop(txn);
            tracing::info!(
                slot = slot_id,
                attempt,
                "the slot changed while solving; planning again"
            );
            attempt += 1;
            if attempt > MAX_PLAN_ATTEMPTS {
                return Err(DomainError::conflict(
                    "slot_busy",
                    "the slot kept changing while it was planned; try again shortly",
                ));
            }
            continue;
        }
        let written = WrittenPlan {
            id: new_id("pln"),
            network_id: network.id.clone(),
            slot_id: slot_id.to_owned(),
            origin: clock.origin,
            at: Utc::now(),
        };
        delete_unstarted_batches(&txn, slot_id).await?;
        let plan = write_plan(&txn, events, &written, &seen, &problem, &solution, started).await?;
        txn.commit().await?;
        tracing::info!(
            slot = slot_id,
            couriers = plan.metrics.couriers,
            distance_m = plan.metrics.distance_m,
            solo_distance_m = plan.metrics.solo_distance_m,
            seconds = plan.metrics.seconds,
            tasks = problem.tasks.len(),
            iterations = solution.iterations,
            solve_seconds = solution.time_to_stop.as_secs_f64(),
            best_at_seconds = solution.time_to_best.as_secs_f64(),
            "planned a slot"
        );
        return Ok(Some(plan));
    }
}

/// How many times a slot is solved again because it changed during the solve, before the
/// planner gives up for now (the next sweep, or the dispatcher, tries again).
const MAX_PLAN_ATTEMPTS: u32 = 4;

/// Everything a plan of the slot is made from. Read before solving and again, in the write
/// transaction, before writing: a plan is written only if the two are the same.
#[derive(Debug, PartialEq)]
struct SlotState {
    riding: Riding,
    tasks: Vec<delivery_task::Model>,
    couriers: Vec<Courier>,
}

impl SlotState {
    async fn read(db: &impl ConnectionTrait, network_id: &str, slot_id: &str) -> Result<Self> {
        let riding = riding_in(db, slot_id).await?;
        let tasks = tasks_to_plan(db, slot_id, &riding).await?;
        let couriers: Vec<Courier> = on_duty(db, network_id)
            .await?
            .into_iter()
            .filter(|c| !riding.couriers.contains(&c.id))
            .collect();
        Ok(Self {
            riding,
            tasks,
            couriers,
        })
    }
}

/// The batches, every delivery's outcome and the plan row, from a solution of `state`.
async fn write_plan(
    txn: &DatabaseTransaction,
    events: &dyn PlanEvents,
    written: &WrittenPlan,
    state: &SlotState,
    problem: &Problem,
    solution: &solver::Solution,
    started: Instant,
) -> Result<Plan> {
    let (tasks, couriers) = (&state.tasks, &state.couriers);
    for route in &solution.routes {
        write_batch(txn, written, &couriers[route.vehicle], route, tasks).await?;
    }
    let reasons = left_out_reasons(solution, couriers.is_empty());
    let unassigned = record_outcomes(txn, events, tasks, &reasons).await?;
    // Like with like: the shops alone would have carried only what the plan carries.
    let carried: Vec<usize> = (0..tasks.len())
        .filter(|i| !reasons.contains_key(i))
        .collect();
    let metrics = PlanMetrics {
        couriers: solution.vehicles,
        distance_m: solution.distance,
        solo_distance_m: solo_distance(problem, tasks, &carried),
        unassigned: unassigned.len(),
        seconds: started.elapsed().as_secs_f64(),
    };
    write_plan_row(txn, written, &metrics, &unassigned).await?;
    Ok(Plan {
        id: written.id.clone(),
        slot_id: written.slot_id.clone(),
        batches: slot_batches(txn, &written.slot_id).await?,
        metrics,
        unassigned,
    })
}

/// How long a plan may search at most (it stops sooner once settled), and on how many
/// threads.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlanBudget {
    pub time_limit: Duration,
    pub threads: usize,
    /// A folder to write each problem solved into, as `SLOT.json`, for
    /// `routing-bench --problem` to search again (`golmok simulate --save-problems DIR`).
    /// Static: the budget is copied into every plan, and only a one-off command sets it.
    pub save_problems: Option<&'static std::path::Path>,
}

/// [`solve_checked`] on tokio's blocking threads: a search keeps its threads busy for up to
/// the whole budget, and an async worker it held would stall every request and job queued
/// behind it (on a two-core machine, half the server).
async fn solve_off_the_runtime(
    problem: Problem,
    budget: PlanBudget,
    slot_id: &str,
) -> Result<(Problem, solver::Solution)> {
    let slot_id = slot_id.to_owned();
    tokio::task::spawn_blocking(move || {
        let solution = solve_checked(&problem, budget, &slot_id)?;
        Ok((problem, solution))
    })
    .await
    .map_err(|e| DomainError::internal(format!("the route solver stopped: {e}")))?
}

/// The solver's answer within `budget`, checked by the independent verifier before anything
/// of it is written (the problem saved first, when asked).
fn solve_checked(problem: &Problem, budget: PlanBudget, slot_id: &str) -> Result<solver::Solution> {
    if let Some(folder) = budget.save_problems {
        save_problem(problem, &folder.join(format!("{slot_id}.json")))?;
    }
    let solution = solver::solve(
        problem,
        Budget {
            time_limit: budget.time_limit,
            iterations: None,
            seed: 1,
            stop_when_settled: true,
            threads: budget.threads,
        },
    );
    solver::verify(problem, &solution).map_err(|e| {
        DomainError::Internal(format!("the solver returned an infeasible plan: {e}"))
    })?;
    Ok(solution)
}

fn save_problem(problem: &Problem, file: &std::path::Path) -> Result<()> {
    let json = serde_json::to_vec(problem)
        .map_err(|e| DomainError::internal(format!("a routing problem as JSON: {e}")))?;
    std::fs::write(file, json)
        .map_err(|e| DomainError::internal(format!("saving {}: {e}", file.display())))
}

/// On PostgreSQL, one planner per slot at a time: a second waits on an advisory lock held by
/// the first's transaction. SQLite's write lock does the same by itself.
async fn hold_slot(txn: &DatabaseTransaction, slot_id: &str) -> Result<()> {
    if txn.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        txn.execute_raw(sea_orm::Statement::from_sql_and_values(
            sea_orm::DatabaseBackend::Postgres,
            "SELECT pg_advisory_xact_lock(hashtext($1))::text",
            [format!("plan:{slot_id}").into()],
        ))
        .await?;
    }
    Ok(())
}

/// At the cut-off, whether a plan made since (by another scheduler or worker) stands.
async fn already_planned(txn: &impl ConnectionTrait, replan: Replan, slot: &Slot) -> Result<bool> {
    let Replan::UnlessPlannedSince(since) = replan else {
        return Ok(false);
    };
    let plans = plan::Entity::find()
        .filter(plan::Column::SlotId.eq(slot.id.as_str()))
        .filter(plan::Column::PlannedAt.gte(since.unwrap_or(slot.cutoff_at)))
        .count(txn)
        .await?;
    Ok(plans > 0)
}

/// What couriers are already riding: their started batches, and the stops still ahead of
/// them there.
#[derive(Debug, PartialEq)]
struct Riding {
    couriers: Vec<String>,
    tasks: Vec<String>,
}

/// Started batches keep their couriers and the tasks still ahead of them; planned ones are
/// the next plan's to replace.
async fn riding_in(db: &impl ConnectionTrait, slot_id: &str) -> Result<Riding> {
    let batches = route_batch::Entity::find()
        .filter(route_batch::Column::SlotId.eq(slot_id))
        .filter(route_batch::Column::Status.ne(BatchStatus::Planned))
        .order_by_asc(route_batch::Column::Id)
        .all(db)
        .await?;
    let mut riding = Riding {
        couriers: Vec::new(),
        tasks: Vec::new(),
    };
    for b in &batches {
        if b.status == BatchStatus::Started {
            riding.couriers.push(b.courier_id.clone());
        }
        let ahead = stop::Entity::find()
            .filter(stop::Column::BatchId.eq(b.id.as_str()))
            .filter(stop::Column::Status.eq(StopStatus::Pending))
            .order_by_asc(stop::Column::Id)
            .all(db)
            .await?;
        riding.tasks.extend(ahead.into_iter().map(|st| st.task_id));
    }
    Ok(riding)
}

/// The slot's unstarted batches, which the new plan replaces.
async fn delete_unstarted_batches(txn: &DatabaseTransaction, slot_id: &str) -> Result<()> {
    let planned = route_batch::Entity::find()
        .filter(route_batch::Column::SlotId.eq(slot_id))
        .filter(route_batch::Column::Status.eq(BatchStatus::Planned))
        .all(txn)
        .await?;
    for b in &planned {
        stop::Entity::delete_many()
            .filter(stop::Column::BatchId.eq(b.id.as_str()))
            .exec(txn)
            .await?;
        route_batch::Entity::delete_by_id(b.id.as_str())
            .exec(txn)
            .await?;
        // A phone open on the batch learns it is gone.
        if let Some(account) = crate::courier::account_of(txn, &b.courier_id).await? {
            golmok_events::outbox::record(
                txn,
                &Topic::courier(account.as_str()),
                &Payload::BatchReplaced {
                    batch_id: b.id.clone(),
                    slot_id: b.slot_id.clone(),
                },
            )
            .await?;
        }
    }
    Ok(())
}

/// The slot's open and planned tasks that no courier is riding with yet.
async fn tasks_to_plan(
    txn: &impl ConnectionTrait,
    slot_id: &str,
    riding: &Riding,
) -> Result<Vec<delivery_task::Model>> {
    Ok(delivery_task::Entity::find()
        .filter(delivery_task::Column::SlotId.eq(slot_id))
        .filter(delivery_task::Column::Status.is_in([TaskStatus::Open, TaskStatus::Planned]))
        .order_by_asc(delivery_task::Column::Id)
        .all(txn)
        .await?
        .into_iter()
        .filter(|t| !riding.tasks.contains(&t.id))
        .collect())
}

/// The solver counts minutes from the slot's day, 00:00 in Seoul.
struct SlotClock {
    origin: DateTime<Utc>,
    now: f64,
    start: f64,
    end: f64,
}

impl SlotClock {
    fn of(slot: &Slot) -> Result<Self> {
        use chrono::TimeZone;
        let midnight = slot
            .starts_at
            .with_timezone(&seoul())
            .date_naive()
            .and_hms_opt(0, 0, 0)
            .and_then(|d| seoul().from_local_datetime(&d).single())
            .map(|t| t.with_timezone(&Utc))
            .ok_or_else(|| DomainError::Internal("the slot's day".into()))?;
        Ok(Self {
            origin: midnight,
            now: minute_of(midnight, Utc::now()).max(0.0),
            start: minute_of(midnight, slot.starts_at),
            end: minute_of(midnight, slot.ends_at),
        })
    }
}

/// The slot as the solver sees it: the hub, each task's pick-up and drop-off with their time
/// windows, and each free courier's shift and capacity.
async fn routing_problem(
    travel: &dyn TravelTimes,
    hub: Coordinates,
    state: &SlotState,
    clock: &SlotClock,
) -> Result<Problem> {
    let (tasks, couriers) = (&state.tasks, &state.couriers);
    let mut points = vec![hub];
    let mut problem_tasks = Vec::with_capacity(tasks.len());
    for t in tasks {
        points.push(Coordinates {
            lat: t.pickup_lat,
            lon: t.pickup_lon,
        });
        points.push(Coordinates {
            lat: t.dropoff_lat,
            lon: t.dropoff_lon,
        });
        let ready = match t.ready_at {
            Some(r) => minute_of(clock.origin, r),
            None => clock.start - PROMISED_LEAD_MIN,
        }
        .max(clock.now);
        let k = points.len();
        problem_tasks.push(Task {
            pickup: Some(Stop {
                location: k - 2,
                window: (ready, clock.end),
                service: PICKUP_SERVICE_MIN,
            }),
            delivery: Stop {
                location: k - 1,
                window: (clock.start, clock.end),
                service: DROPOFF_SERVICE_MIN,
            },
            size: [t.size_grams, t.size_millilitres],
            // A dispatcher's move stands; a courier since withdrawn frees the task again.
            vehicle: t
                .bound_courier_id
                .as_ref()
                .and_then(|id| couriers.iter().position(|c| &c.id == id)),
        });
    }
    let vehicles = couriers.iter().map(|c| vehicle_of(c, clock.now)).collect();
    Ok(Problem {
        tasks: problem_tasks,
        vehicles,
        matrix: travel.matrix(&points).await?,
    })
}

/// A courier as the solver's vehicle: from the hub and back, within the rest of their shift.
fn vehicle_of(c: &Courier, now: f64) -> Vehicle {
    Vehicle {
        start: 0,
        end: 0,
        shift: (
            f64::from(minutes(&c.shift.start).unwrap_or(0)).max(now),
            f64::from(minutes(&c.shift.end).unwrap_or(24 * 60)),
        ),
        capacity: [
            (c.capacity.kg * 1000.0) as i64,
            (c.capacity.liters * 1000.0) as i64,
        ],
        profile: c.vehicle.profile(),
        max_duration: None,
    }
}

/// What every row of one plan shares.
struct WrittenPlan {
    id: String,
    network_id: String,
    slot_id: String,
    origin: DateTime<Utc>,
    at: DateTime<Utc>,
}

/// One courier's route as a batch of numbered stops, each shopper told when to expect them,
/// and the courier told of the batch.
async fn write_batch(
    txn: &DatabaseTransaction,
    plan: &WrittenPlan,
    courier: &Courier,
    route: &solver::PlannedRoute,
    tasks: &[delivery_task::Model],
) -> Result<()> {
    let batch_id = new_id("bat");
    route_batch::ActiveModel {
        id: Set(batch_id.clone()),
        plan_id: Set(plan.id.clone()),
        network_id: Set(plan.network_id.clone()),
        slot_id: Set(plan.slot_id.clone()),
        courier_id: Set(courier.id.clone()),
        status: Set(BatchStatus::Planned),
        distance_m: Set(route.distance),
        created_at: Set(plan.at),
        courier_lat: Set(None),
        courier_lon: Set(None),
        position_at: Set(None),
        handed_over_from: Set(None),
        handed_over_at: Set(None),
    }
    .insert(txn)
    .await?;
    for (position, visit) in route.visits.iter().enumerate() {
        let t = &tasks[visit.task];
        let eta = plan.origin + chrono::Duration::milliseconds((visit.start * 60_000.0) as i64);
        if visit.kind == VisitKind::Delivery {
            golmok_events::outbox::record(
                txn,
                &Topic::order(t.order_id.as_str()),
                &Payload::Eta {
                    order_id: t.order_id.clone(),
                    merchant_order_id: t.merchant_order_id.clone(),
                    eta,
                },
            )
            .await?;
        }
        write_stop(txn, &batch_id, position, visit.kind, t, eta).await?;
    }
    golmok_events::outbox::record(
        txn,
        &Topic::courier(courier.account_id.as_str()),
        &Payload::Batch {
            batch_id,
            slot_id: plan.slot_id.clone(),
        },
    )
    .await?;
    Ok(())
}

async fn write_stop(
    txn: &DatabaseTransaction,
    batch_id: &str,
    position: usize,
    kind: VisitKind,
    t: &delivery_task::Model,
    eta: DateTime<Utc>,
) -> Result<()> {
    let (kind, lat, lon, address) = match kind {
        VisitKind::Pickup => (
            StopKind::Pickup,
            t.pickup_lat,
            t.pickup_lon,
            t.pickup_address.clone(),
        ),
        VisitKind::Delivery => (
            StopKind::Dropoff,
            t.dropoff_lat,
            t.dropoff_lon,
            t.dropoff_address.clone(),
        ),
    };
    stop::ActiveModel {
        id: Set(new_id("stp")),
        batch_id: Set(batch_id.to_owned()),
        position: Set(position as i32),
        kind: Set(kind),
        task_id: Set(t.id.clone()),
        merchant_order_id: Set(t.merchant_order_id.clone()),
        lat: Set(lat),
        lon: Set(lon),
        address: Set(address),
        contents: Set(t.contents.clone()),
        eta: Set(eta),
        status: Set(StopStatus::Pending),
        proof_kind: Set(None),
        proof_value: Set(None),
        proof_note: Set(None),
        failure_reason: Set(None),
        done_at: Set(None),
    }
    .insert(txn)
    .await?;
    Ok(())
}

/// Why the solver left each task out, by the task's index; with no courier on shift, that.
fn left_out_reasons(solution: &solver::Solution, no_courier: bool) -> BTreeMap<usize, String> {
    solution
        .unassigned
        .iter()
        .map(|(index, reason)| {
            let reason = if no_courier {
                "no_courier"
            } else {
                reason.as_str()
            };
            (*index, reason.to_owned())
        })
        .collect()
}

/// Every task's outcome recorded (and told); the ones left out, for the plan.
async fn record_outcomes(
    txn: &DatabaseTransaction,
    events: &dyn PlanEvents,
    tasks: &[delivery_task::Model],
    reasons: &BTreeMap<usize, String>,
) -> Result<Vec<Unassigned>> {
    let mut unassigned = Vec::new();
    for (i, t) in tasks.iter().enumerate() {
        let left_out = reasons.get(&i);
        record_outcome(txn, events, t, left_out.map(String::as_str)).await?;
        if let Some(reason) = left_out {
            unassigned.push(Unassigned {
                merchant_order_id: t.merchant_order_id.clone(),
                reason: reason.clone(),
            });
        }
    }
    Ok(unassigned)
}

async fn write_plan_row(
    txn: &DatabaseTransaction,
    written: &WrittenPlan,
    metrics: &PlanMetrics,
    unassigned: &[Unassigned],
) -> Result<()> {
    plan::ActiveModel {
        id: Set(written.id.clone()),
        network_id: Set(written.network_id.clone()),
        slot_id: Set(written.slot_id.clone()),
        couriers: Set(metrics.couriers as i32),
        distance_m: Set(metrics.distance_m),
        solo_distance_m: Set(metrics.solo_distance_m),
        unassigned: Set(serde_json::to_string(unassigned).unwrap_or_default()),
        seconds: Set(metrics.seconds),
        planned_at: Set(written.at),
    }
    .insert(txn)
    .await?;
    // The network's dispatch boards redraw, whoever planned (a dispatcher, or the cut-off).
    golmok_events::outbox::record(
        txn,
        &Topic::network(written.network_id.as_str()),
        &Payload::SlotPlanned {
            slot_id: written.slot_id.clone(),
            plan_id: written.id.clone(),
            couriers: metrics.couriers,
            unassigned: unassigned.len(),
        },
    )
    .await?;
    Ok(())
}

/// A delivery's status and reason after a plan, and the shop and shopper told when it is
/// left out (or taken back in).
async fn record_outcome(
    txn: &sea_orm::DatabaseTransaction,
    events: &dyn PlanEvents,
    t: &delivery_task::Model,
    left_out: Option<&str>,
) -> Result<()> {
    delivery_task::Entity::update_many()
        .col_expr(
            delivery_task::Column::Status,
            Expr::value(if left_out.is_some() {
                TaskStatus::Open
            } else {
                TaskStatus::Planned
            }),
        )
        .col_expr(
            delivery_task::Column::UnassignedReason,
            Expr::value(left_out.map(str::to_owned)),
        )
        .filter(delivery_task::Column::Id.eq(t.id.as_str()))
        .exec(txn)
        .await?;
    let outcome = match (left_out, t.unassigned_reason.as_deref()) {
        (Some(now), before) if before != Some(now) => PlanOutcome::LeftOut(now),
        (None, Some(_)) => PlanOutcome::CarriedAfterAll,
        _ => return Ok(()),
    };
    events
        .on_delivery(txn, &t.merchant_order_id, outcome)
        .await?;
    let payload = match outcome {
        PlanOutcome::LeftOut(reason) => Payload::DeliveryLeftOut {
            order_id: t.order_id.clone(),
            merchant_order_id: t.merchant_order_id.clone(),
            slot_id: t.slot_id.clone(),
            reason: reason.to_owned(),
        },
        PlanOutcome::CarriedAfterAll => Payload::DeliveryPlanned {
            order_id: t.order_id.clone(),
            merchant_order_id: t.merchant_order_id.clone(),
            slot_id: t.slot_id.clone(),
        },
    };
    golmok_events::outbox::record(txn, &Topic::order(t.order_id.as_str()), &payload).await?;
    golmok_events::outbox::record(txn, &Topic::merchant(t.merchant_id.as_str()), &payload).await?;
    Ok(())
}

/// What the shops would drive delivering the `carried` tasks alone: from each shop, a
/// nearest-neighbour round of its own drop-offs and back.
fn solo_distance(problem: &Problem, tasks: &[delivery_task::Model], carried: &[usize]) -> f64 {
    let mut by_shop: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for &i in carried {
        by_shop
            .entry(tasks[i].merchant_id.as_str())
            .or_default()
            .push(i);
    }
    let m = &problem.matrix;
    let mut total = 0.0;
    for indexes in by_shop.values() {
        let shop = problem.tasks[indexes[0]].pickup.map_or(0, |p| p.location);
        let mut left: Vec<usize> = indexes
            .iter()
            .map(|&i| problem.tasks[i].delivery.location)
            .collect();
        let mut at = shop;
        while !left.is_empty() {
            let (k, _) = left
                .iter()
                .enumerate()
                .min_by(|a, b| m.distance(at, *a.1).total_cmp(&m.distance(at, *b.1)))
                .unwrap_or((0, &at));
            let next = left.swap_remove(k);
            total += m.distance(at, next);
            at = next;
        }
        total += m.distance(at, shop);
    }
    total
}

impl PlannedStop {
    pub(crate) fn of(s: stop::Model) -> Self {
        let proof = s.proof_kind.clone().map(|kind| StopProof {
            file_url: (kind != "code")
                .then_some(s.proof_value.as_ref())
                .flatten()
                .map(|file| format!("/v1/stops/{}/proof-files/{file}", s.id)),
            note: s.proof_note.clone(),
            kind,
        });
        PlannedStop {
            proof,
            phone: None,
            notes: None,
            collect: Vec::new(),
            kind: s.kind,
            status: s.status,
            id: s.id,
            merchant_order_id: s.merchant_order_id,
            location: Coordinates {
                lat: s.lat,
                lon: s.lon,
            },
            address: s.address,
            contents: s.contents,
            eta: s.eta,
        }
    }
}

pub(crate) async fn batch_view(db: &impl ConnectionTrait, b: route_batch::Model) -> Result<Batch> {
    let stops = stop::Entity::find()
        .filter(stop::Column::BatchId.eq(b.id.as_str()))
        .order_by_asc(stop::Column::Position)
        .all(db)
        .await?
        .into_iter()
        .map(PlannedStop::of)
        .collect();
    let courier_position = match (b.courier_lat, b.courier_lon, b.position_at) {
        (Some(lat), Some(lon), Some(at)) => Some(CourierPosition {
            location: Coordinates { lat, lon },
            at,
        }),
        _ => None,
    };
    let handed_over = match (b.handed_over_from, b.handed_over_at) {
        (Some(from_courier_id), Some(at)) => Some(Handover {
            from_courier_id,
            at,
        }),
        _ => None,
    };
    Ok(Batch {
        courier_position,
        handed_over,
        status: b.status,
        id: b.id,
        courier_id: b.courier_id,
        slot_id: b.slot_id,
        distance_m: b.distance_m,
        stops,
    })
}

async fn slot_batches(db: &impl ConnectionTrait, slot_id: &str) -> Result<Vec<Batch>> {
    let mut out = Vec::new();
    for b in route_batch::Entity::find()
        .filter(route_batch::Column::SlotId.eq(slot_id))
        .order_by_asc(route_batch::Column::Id)
        .all(db)
        .await?
    {
        out.push(batch_view(db, b).await?);
    }
    Ok(out)
}

/// The slot's plan as it stands, without planning again: its batches (started ones with
/// their progress), what the latest plan left out and its figures. None before any plan.
pub async fn current_plan(db: &DatabaseConnection, slot_id: &str) -> Result<Option<Plan>> {
    let Some(latest) = plan::Entity::find()
        .filter(plan::Column::SlotId.eq(slot_id))
        .order_by_desc(plan::Column::PlannedAt)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    #[derive(serde::Deserialize)]
    struct Stored {
        merchant_order_id: String,
        reason: String,
    }
    let unassigned: Vec<Unassigned> = serde_json::from_str::<Vec<Stored>>(&latest.unassigned)
        .unwrap_or_default()
        .into_iter()
        .map(|u| Unassigned {
            merchant_order_id: u.merchant_order_id,
            reason: u.reason,
        })
        .collect();
    Ok(Some(Plan {
        id: latest.id,
        slot_id: slot_id.to_owned(),
        batches: slot_batches(db, slot_id).await?,
        metrics: PlanMetrics {
            couriers: Ord::max(latest.couriers, 0) as usize,
            distance_m: latest.distance_m,
            solo_distance_m: latest.solo_distance_m,
            unassigned: unassigned.len(),
            seconds: latest.seconds,
        },
        unassigned,
    }))
}

/// Shared and solo distance of the latest plan of each of `slot_ids`, summed, with the
/// deliveries they left out: for reports.
pub async fn delivery_figures(db: &DatabaseConnection, slot_ids: &[String]) -> Result<SlotFigures> {
    let mut total = SlotFigures::default();
    for slot_id in slot_ids {
        if let Some(p) = plan::Entity::find()
            .filter(plan::Column::SlotId.eq(slot_id.as_str()))
            .order_by_desc(plan::Column::PlannedAt)
            .one(db)
            .await?
        {
            total.distance_m += p.distance_m;
            total.solo_distance_m += p.solo_distance_m;
            total.unassigned += serde_json::from_str::<Vec<serde_json::Value>>(&p.unassigned)
                .map_or(0, |u| u.len());
        }
    }
    Ok(total)
}

/// A slot's latest plan figures with the merchant order of every stop on the slot's
/// batches: what a report apportions a slot shared by several consortia by (each its share
/// of the stops, so that no consortium is counted the whole route). None before any plan.
pub async fn slot_stops(
    db: &DatabaseConnection,
    slot_id: &str,
) -> Result<Option<(SlotFigures, Vec<String>)>> {
    let figures = delivery_figures(db, &[slot_id.to_owned()]).await?;
    let batches: Vec<String> = route_batch::Entity::find()
        .filter(route_batch::Column::SlotId.eq(slot_id))
        .all(db)
        .await?
        .into_iter()
        .map(|b| b.id)
        .collect();
    if batches.is_empty() && figures == SlotFigures::default() {
        return Ok(None);
    }
    let stops = stop::Entity::find()
        .filter(stop::Column::BatchId.is_in(batches))
        .all(db)
        .await?
        .into_iter()
        .map(|s| s.merchant_order_id)
        .collect();
    Ok(Some((figures, stops)))
}

/// Shared and solo distance over the deliveries the latest plans carried, and how many
/// those plans left out.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SlotFigures {
    pub distance_m: f64,
    pub solo_distance_m: f64,
    pub unassigned: usize,
}

/// Slots past their cut-off, not yet over, and not planned since the cut-off: what the
/// scheduler plans next, as (network id, slot id).
pub async fn slots_due(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
) -> Result<Vec<(String, String)>> {
    let today = now.with_timezone(&seoul()).date_naive();
    let mut due = Vec::new();
    for network in crate::network::list_networks(db).await? {
        for s in crate::network::slots(db, &network.id, today).await? {
            if s.cutoff_at > now || now >= s.ends_at {
                continue;
            }
            let planned = plan::Entity::find()
                .filter(plan::Column::SlotId.eq(s.id.as_str()))
                .filter(plan::Column::PlannedAt.gte(s.cutoff_at))
                .count(db)
                .await?;
            if planned == 0 {
                due.push((network.id.clone(), s.id));
            }
        }
    }
    Ok(due)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stop(part: &str, kind: StopKind, status: StopStatus) -> PlannedStop {
        PlannedStop {
            id: format!("{part}-{kind}"),
            kind,
            merchant_order_id: part.into(),
            location: points()[0],
            address: String::new(),
            contents: String::new(),
            eta: Utc::now(),
            status,
            proof: None,
            phone: None,
            notes: None,
            collect: Vec::new(),
        }
    }

    /// On board: picked up or carried from the start, and not yet dropped off. Not what is
    /// still at its shop, nor what was delivered or failed at the door.
    #[test]
    fn a_batch_has_on_board_what_it_picked_up_and_has_not_dropped_off() {
        use StopKind::{Dropoff, Pickup};
        use StopStatus::{Completed, Failed, Pending};
        let batch = Batch {
            id: "bat".into(),
            courier_id: "cou".into(),
            slot_id: "slot".into(),
            status: BatchStatus::Started,
            distance_m: 0.0,
            courier_position: None,
            handed_over: None,
            stops: vec![
                stop("picked", Pickup, Completed),
                stop("at-shop", Pickup, Pending),
                stop("delivered", Pickup, Completed),
                stop("picked", Dropoff, Pending),
                stop("at-shop", Dropoff, Pending),
                stop("delivered", Dropoff, Completed),
                stop("from-the-hub", Dropoff, Pending),
                stop("nobody-home", Pickup, Completed),
                stop("nobody-home", Dropoff, Failed),
            ],
        };
        assert_eq!(batch.on_board(), 2, "picked and from-the-hub");
    }

    fn points() -> Vec<Coordinates> {
        vec![
            Coordinates {
                lat: 37.5559,
                lon: 126.9060,
            },
            Coordinates {
                lat: 37.5664,
                lon: 126.9306,
            },
        ]
    }

    /// On a runtime of one thread, a wave being solved leaves the thread to the rest: a
    /// timer set after the search began fires while it still runs.
    #[tokio::test(flavor = "current_thread")]
    async fn a_search_leaves_the_async_runtime_free() {
        let problem = crate::benchmark::synthetic_wave(100, 1);
        let budget = PlanBudget {
            time_limit: Duration::from_secs(1),
            threads: 1,
            save_problems: None,
        };
        let solved = std::sync::atomic::AtomicBool::new(false);
        let search = async {
            let answer = solve_off_the_runtime(problem, budget, "slot").await;
            solved.store(true, std::sync::atomic::Ordering::SeqCst);
            answer
        };
        let timer = async {
            tokio::time::sleep(Duration::from_millis(20)).await;
            solved.load(std::sync::atomic::Ordering::SeqCst)
        };
        let (answer, solved_when_the_timer_fired) = tokio::join!(search, timer);
        let (problem, solution) = answer.unwrap();
        assert!(solver::verify(&problem, &solution).is_ok());
        assert!(
            !solved_when_the_timer_fired,
            "the timer waited for the search"
        );
    }

    #[tokio::test]
    async fn great_circle_times_follow_each_vehicles_speed() {
        let m = GreatCircle::default().matrix(&points()).await.unwrap();
        let d = m.distance(0, 1);
        assert!((2_800.0..3_300.0).contains(&d), "{d}");
        let bike = m.time(VehicleKind::CargoBike.profile(), 0, 1);
        let foot = m.time(VehicleKind::OnFoot.profile(), 0, 1);
        assert!((bike - d / 230.0).abs() < 1e-9 && foot > bike * 3.0);
    }

    #[tokio::test]
    async fn osrm_tables_are_read_and_gaps_filled() {
        use axum::{Json, Router, extract::Path, routing::get};
        // What the stand-in was asked, checked by the test itself (an assertion in the handler
        // would only drop the connection).
        let asked = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let seen = asked.clone();
        let app = Router::new().route(
            "/table/v1/{profile}/{coordinates}",
            get(move |Path(path): Path<(String, String)>| {
                let seen = seen.clone();
                async move {
                    seen.lock().unwrap().push(path);
                    Json(serde_json::json!({"code": "Ok", "distances": [[0.0, 3500.0], [null, 0.0]]}))
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        let m = OsrmTable::new(&base, "bike")
            .matrix(&points())
            .await
            .unwrap();
        assert_eq!(
            asked.lock().unwrap().as_slice(),
            [(
                "bike".to_owned(),
                "126.906000,37.555900;126.930600,37.566400".to_owned()
            )]
        );
        assert_eq!(m.distance(0, 1), 3500.0);
        let filled = m.distance(1, 0);
        assert!((2_800.0..3_300.0).contains(&filled), "{filled}");
        assert!((m.time(VehicleKind::SmallVan.profile(), 0, 1) - 3500.0 / 330.0).abs() < 1e-9);
        // A server that is down is an error, not a silent fallback for the whole wave.
        assert!(
            OsrmTable::new("http://127.0.0.1:9", "bike")
                .matrix(&points())
                .await
                .is_err()
        );
    }
}
