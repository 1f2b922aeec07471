//! The dispatch board of a network's day, for its coordinators and admins: each slot's room,
//! its plan on a map (each courier's route in its own colour), what the plan left out and
//! why, and the dispatcher's moves: plan again, give a delivery to a courier (kept by later
//! plans), or make it a pick-up.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use chrono::NaiveDate;
use golmok_accounts::{Account, Role};
use golmok_delivery_routing::network::Network;
use serde::Deserialize;

use super::{
    Chrome, NoFields, STATEMENT_LINES, StatementRow, after_payout, encode, payout_flash, render,
    see_other, statement_rows,
};
use crate::Pages;
use crate::error::PageError;
use crate::format;
use crate::i18n::{Lang, Texts};
use crate::session::{CsrfForm, Visitor};

/// Route colours, one a courier, in turn.
const COLOURS: [&str; 6] = [
    "#2f6b3f", "#b3261e", "#0f6e7a", "#8a5a00", "#6b3fa0", "#333333",
];

async fn runs(pages: &Pages, account: &Account, network_id: &str) -> Result<bool, PageError> {
    match golmok_catalog::consortium::ensure_runs_network(&pages.db, account, network_id).await {
        Ok(()) => Ok(true),
        Err(golmok_core::DomainError::Forbidden(_)) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

fn dispatcher(visitor: &Visitor) -> Result<&Account, PageError> {
    let account = visitor.require(Role::Coordinator)?;
    Ok(account)
}

#[derive(Template)]
#[template(path = "dispatch_networks.html")]
struct NetworksPage {
    c: Chrome,
    networks: Vec<(String, String)>,
}

pub async fn networks(State(pages): State<Pages>, visitor: Visitor) -> Result<Response, PageError> {
    let account = dispatcher(&visitor)?;
    let mut mine = Vec::new();
    for n in golmok_delivery_routing::network::list_networks(&pages.db).await? {
        if runs(&pages, account, &n.id).await? {
            mine.push((n.id, n.name));
        }
    }
    render(&NetworksPage {
        networks: mine,
        c: Chrome::load(&pages, &visitor).await?,
    })
}

pub struct StopDot {
    pub address: String,
    pub kind: &'static str,
    pub status: &'static str,
    /// A drop-off of a batch not yet under way: its delivery may be given to another courier.
    pub movable: Option<String>,
}

pub struct BatchView {
    pub id: String,
    pub courier_id: String,
    pub courier: String,
    /// The courier no longer rides (suspended or withdrawn): why, and what to do, as a tag.
    pub courier_off: Option<&'static str>,
    /// Under way: the rest of it may be handed over to another courier.
    pub under_way: bool,
    /// Whom it was handed over from, and when.
    pub handed_over: Option<String>,
    /// Why the last attempt to hand it over was refused.
    pub refused: Option<&'static str>,
    pub colour: &'static str,
    pub status: &'static str,
    pub distance: String,
    pub stops: Vec<StopDot>,
    /// "3 / 6" stops made.
    pub progress: String,
    /// When the courier's phone last said where they were.
    pub position_at: Option<String>,
}

pub struct LeftOutRow {
    pub merchant_order_id: String,
    pub reason: &'static str,
}

pub struct SlotView {
    pub id: String,
    pub label: String,
    pub cutoff: String,
    pub capacity: u32,
    pub booked: u32,
    pub left: u32,
    pub planned: bool,
    pub figures: String,
    pub batches: Vec<BatchView>,
    pub left_out: Vec<LeftOutRow>,
}

#[derive(Template)]
#[template(path = "dispatch_board.html")]
struct BoardPage {
    c: Chrome,
    network: Network,
    date: String,
    slots: Vec<SlotView>,
    couriers: Vec<(String, String)>,
    /// A delivery whose move to a courier was refused, and why: shown beside its form.
    move_refused: Option<(String, &'static str)>,
    /// `{"area": GeoJSON, "routes": [{"colour", "stops": [[lat, lon, n], …]}, …]}`.
    map_json: String,
}

#[derive(Deserialize)]
pub struct BoardQuery {
    date: Option<String>,
    /// A batch whose hand-over was refused, or a delivery (`part`) whose move was, and why
    /// (`refused`).
    batch: Option<String>,
    part: Option<String>,
    refused: Option<String>,
}

pub async fn board(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(network_id): Path<String>,
    Query(query): Query<BoardQuery>,
) -> Result<Response, PageError> {
    let account = dispatcher(&visitor)?;
    if !runs(&pages, account, &network_id).await? {
        return Err(PageError::Forbidden);
    }
    let network = golmok_delivery_routing::network::get_network(&pages.db, &network_id).await?;
    let date = query
        .date
        .as_deref()
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .unwrap_or_else(|| {
            chrono::Utc::now()
                .with_timezone(&golmok_delivery_routing::network::seoul())
                .date_naive()
        });
    let riding = courier_names(&pages, visitor.lang.texts(), &network_id).await?;
    let names: HashMap<String, (String, bool)> = riding
        .iter()
        .map(|(id, name, suspended)| (id.clone(), (name.clone(), *suspended)))
        .collect();
    // Deliveries are given only to couriers on duty.
    let couriers: Vec<(String, String)> = riding
        .into_iter()
        .filter(|(_, _, suspended)| !suspended)
        .map(|(id, name, _)| (id, name))
        .collect();
    let why = query.refused.as_deref().map(|why| {
        let t = visitor.lang.texts();
        match why {
            "not_under_way" => t.err_hand_over_not_under_way,
            "too_small" => t.err_hand_over_too_small,
            "under_way" => t.err_move_under_way,
            "moved" => t.err_hand_over_moved,
            _ => t.err_hand_over_courier,
        }
    });
    let refused = query.batch.zip(why);
    let move_refused = query.part.zip(why);
    let mut slots = Vec::new();
    let mut routes = Vec::new();
    for s in golmok_delivery_routing::network::slots(&pages.db, &network_id, date).await? {
        let view = slot_view(&pages, visitor.lang, s, &names, &refused, &mut routes).await?;
        slots.push(view);
    }
    let map_json = serde_json::json!({"area": network.area, "routes": routes}).to_string();
    render(&BoardPage {
        move_refused,
        date: date.to_string(),
        network,
        slots,
        couriers,
        map_json,
        c: Chrome::load(&pages, &visitor).await?,
    })
}

/// The network's riding couriers by id, named as the dispatcher knows them (name and
/// vehicle), and whether an admin has suspended their account.
async fn courier_names(
    pages: &Pages,
    t: &Texts,
    network_id: &str,
) -> Result<Vec<(String, String, bool)>, PageError> {
    let mut couriers = Vec::new();
    for c in golmok_delivery_routing::courier::couriers_of(&pages.db, network_id).await? {
        let name = match golmok_accounts::find(&pages.db, &c.account_id).await {
            Ok(a) => format!("{} ({})", a.name, super::courier::vehicle(t, c.vehicle)),
            Err(_) => c.id.clone(),
        };
        couriers.push((c.id, name, c.suspended));
    }
    Ok(couriers)
}

/// One slot on the board: its load, its current plan's batches (each route added to the map
/// in its colour) and what the plan left out.
async fn slot_view(
    pages: &Pages,
    lang: Lang,
    s: golmok_delivery_routing::network::Slot,
    names: &HashMap<String, (String, bool)>,
    refused: &Option<(String, &'static str)>,
    routes: &mut Vec<serde_json::Value>,
) -> Result<SlotView, PageError> {
    let t = lang.texts();
    let plan = golmok_delivery_routing::planner::current_plan(&pages.db, &s.id).await?;
    let left_out = golmok_delivery_routing::task::left_out_in_slot(&pages.db, &s.id).await?;
    let mut batches = Vec::new();
    for b in plan.iter().flat_map(|p| &p.batches) {
        let colour = COLOURS[routes.len() % COLOURS.len()];
        routes.push(serde_json::json!({
            "colour": colour,
            "stops": b.stops.iter().enumerate()
                .map(|(n, st)| serde_json::json!([st.location.lat, st.location.lon, n + 1]))
                .collect::<Vec<_>>(),
            "courier": b.courier_position.as_ref()
                .map(|p| serde_json::json!([p.location.lat, p.location.lon])),
            "goods_only": goods_only(b),
        }));
        let mut view = batch_view(pages, t, b, colour, names).await?;
        view.refused = refused
            .as_ref()
            .filter(|(batch, _)| *batch == b.id)
            .map(|(_, why)| *why);
        batches.push(view);
    }
    Ok(SlotView {
        label: format!(
            "{} {}–{}",
            s.name,
            format::seoul_clock(s.starts_at),
            format::seoul_clock(s.ends_at)
        ),
        cutoff: format::seoul_time(lang, s.cutoff_at),
        capacity: s.capacity,
        booked: s.booked,
        left: s.left.tasks,
        planned: plan.is_some(),
        figures: plan
            .as_ref()
            .map(|p| {
                format!(
                    "{:.1} km / {:.1} km",
                    p.metrics.distance_m / 1000.0,
                    p.metrics.solo_distance_m / 1000.0
                )
            })
            .unwrap_or_default(),
        batches,
        left_out: left_out
            .into_iter()
            .map(|l| LeftOutRow {
                reason: format::left_out_reason(t, &l.reason),
                merchant_order_id: l.merchant_order_id,
            })
            .collect(),
        id: s.id,
    })
}

/// Whether a batch's last position was reported by the courier it was handed over from:
/// where the goods on board wait, not where its courier is.
fn goods_only(b: &golmok_delivery_routing::planner::Batch) -> bool {
    match (&b.handed_over, &b.courier_position) {
        (Some(h), Some(p)) => p.at <= h.at,
        _ => false,
    }
}

async fn batch_view(
    pages: &Pages,
    t: &Texts,
    b: &golmok_delivery_routing::planner::Batch,
    colour: &'static str,
    names: &HashMap<String, (String, bool)>,
) -> Result<BatchView, PageError> {
    let under_way = b.status == golmok_delivery_routing::BatchStatus::Started;
    // Not on the roster: withdrawn from the network.
    let (courier, off) = match names.get(&b.courier_id) {
        Some((name, suspended)) => (name.clone(), *suspended),
        None => (
            super::courier::courier_name(pages, t, &b.courier_id).await?,
            true,
        ),
    };
    let handed_over = match &b.handed_over {
        Some(h) => Some(format!(
            "{} {} · {}",
            t.handed_over_from,
            super::courier::courier_name(pages, t, &h.from_courier_id).await?,
            format::seoul_clock(h.at)
        )),
        None => None,
    };
    Ok(BatchView {
        id: b.id.clone(),
        courier_id: b.courier_id.clone(),
        courier,
        courier_off: off.then_some(if under_way {
            t.courier_off_hand_over
        } else {
            t.courier_suspended_replan
        }),
        under_way,
        handed_over,
        refused: None,
        colour,
        status: super::courier::batch_status(t, b.status),
        distance: format!("{:.1} km", b.distance_m / 1000.0),
        progress: format!(
            "{} / {}",
            b.stops
                .iter()
                .filter(|st| st.status != golmok_delivery_routing::StopStatus::Pending)
                .count(),
            b.stops.len()
        ),
        position_at: b.courier_position.as_ref().map(|p| {
            let label = if goods_only(b) {
                t.goods_wait_at
            } else {
                t.position_at
            };
            format!("{label} {}", format::seoul_clock(p.at))
        }),
        stops: b
            .stops
            .iter()
            .map(|st| StopDot {
                // A batch under way keeps its stops whatever a re-plan would do: it passes on
                // whole, by hand-over.
                movable: (!under_way
                    && st.kind == golmok_delivery_routing::StopKind::Dropoff
                    && st.status == golmok_delivery_routing::StopStatus::Pending)
                    .then(|| st.merchant_order_id.clone()),
                address: st.address.clone(),
                kind: if st.kind == golmok_delivery_routing::StopKind::Pickup {
                    t.stop_pickup
                } else {
                    t.stop_dropoff
                },
                status: super::courier::stop_status(t, st.status),
            })
            .collect(),
    })
}

/// `GET /dispatch/{network}/live`: "changed" whenever a plan, a stop or a courier's position
/// moves in the network, for the board to redraw itself.
pub async fn live(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(network_id): Path<String>,
) -> Result<Response, PageError> {
    let account = dispatcher(&visitor)?;
    if !runs(&pages, account, &network_id).await? {
        return Err(PageError::Forbidden);
    }
    super::changes_of(
        &pages,
        &account.id,
        golmok_events::Topic::network(network_id).to_string(),
    )
}

fn board_path(network: &str, date: Option<&str>) -> String {
    match date {
        Some(d) if !d.is_empty() => format!("/dispatch/{}?date={}", encode(network), encode(d)),
        _ => format!("/dispatch/{}", encode(network)),
    }
}

#[derive(Deserialize)]
pub struct DateForm {
    #[serde(default)]
    date: String,
}

pub async fn plan(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path((network_id, slot_id)): Path<(String, String)>,
    CsrfForm { form, .. }: CsrfForm<DateForm>,
) -> Result<Response, PageError> {
    let account = dispatcher(&visitor)?;
    if !runs(&pages, account, &network_id).await? {
        return Err(PageError::Forbidden);
    }
    golmok_delivery_routing::planner::plan_slot(
        &pages.db,
        pages.travel_times.as_ref(),
        &golmok_ordering::delivery::PlanHistory,
        &network_id,
        &slot_id,
        pages.plan_budget,
    )
    .await?;
    Ok(see_other(&board_path(&network_id, Some(&form.date))))
}

#[derive(Deserialize)]
pub struct CourierForm {
    courier_id: String,
    #[serde(default)]
    date: String,
    /// A hand-over's: the courier the board showed the batch with.
    #[serde(default)]
    from_courier_id: String,
}

pub async fn move_to_courier(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path((network_id, part)): Path<(String, String)>,
    CsrfForm { form, .. }: CsrfForm<CourierForm>,
) -> Result<Response, PageError> {
    let account = dispatcher(&visitor)?;
    let task = golmok_delivery_routing::task::task_of(&pages.db, &part).await?;
    if task.network_id != network_id || !runs(&pages, account, &network_id).await? {
        return Err(PageError::NotFound);
    }
    let board = board_path(&network_id, Some(&form.date));
    if let Err(e) =
        golmok_delivery_routing::task::bind_to_courier(&pages.db, &part, &form.courier_id).await
    {
        let why = refusal(e)?;
        return Ok(refused_back(
            &board,
            "part",
            &part,
            why,
            &format!("task-{part}"),
        ));
    }
    golmok_delivery_routing::planner::plan_slot(
        &pages.db,
        pages.travel_times.as_ref(),
        &golmok_ordering::delivery::PlanHistory,
        &network_id,
        &task.slot_id,
        pages.plan_budget,
    )
    .await?;
    Ok(see_other(&board))
}

/// Hands the rest of a batch under way to another courier; a refusal is shown beside the
/// batch's form.
pub async fn hand_over(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path((network_id, batch_id)): Path<(String, String)>,
    CsrfForm { form, .. }: CsrfForm<CourierForm>,
) -> Result<Response, PageError> {
    let account = dispatcher(&visitor)?;
    let network = golmok_delivery_routing::batch::network_of(&pages.db, &batch_id).await?;
    if network != network_id || !runs(&pages, account, &network_id).await? {
        return Err(PageError::NotFound);
    }
    let board = board_path(&network_id, Some(&form.date));
    let refused = match golmok_delivery_routing::batch::hand_over(
        &pages.db,
        account,
        &batch_id,
        &form.courier_id,
        Some(form.from_courier_id.as_str()).filter(|from| !from.is_empty()),
    )
    .await
    {
        Ok(_) => return Ok(see_other(&board)),
        Err(e) => refusal(e)?,
    };
    Ok(refused_back(
        &board,
        "batch",
        &batch_id,
        refused,
        &format!("batch-{batch_id}"),
    ))
}

/// Why a move to a courier (of a delivery or of a batch under way) was refused, as the board
/// says it beside the form ([`board`] reads it back); any other error is the page's.
fn refusal(e: golmok_core::DomainError) -> Result<&'static str, PageError> {
    Ok(match e.conflict_code() {
        Some("batch_not_under_way") => "not_under_way",
        Some("batch_moved") => "moved",
        Some("courier_too_small") => "too_small",
        Some("delivery_under_way" | "batch_under_way") => "under_way",
        _ if matches!(e, golmok_core::DomainError::Invalid(_)) => "courier",
        _ => return Err(e.into()),
    })
}

/// Back to the board, saying why the move of `id` (a `batch` or a `part`) was refused, at
/// its form (`anchor`).
fn refused_back(board: &str, key: &str, id: &str, why: &str, anchor: &str) -> Response {
    let sep = if board.contains('?') { '&' } else { '?' };
    see_other(&format!(
        "{board}{sep}{key}={}&refused={why}#{}",
        encode(id),
        encode(anchor)
    ))
}

pub async fn pickup(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path((network_id, part)): Path<(String, String)>,
    CsrfForm { form, .. }: CsrfForm<DateForm>,
) -> Result<Response, PageError> {
    let account = dispatcher(&visitor)?;
    if golmok_ordering::member_trade::is_member_order(&part) {
        golmok_ordering::member_trade::turn_into_pickup(&pages.db, account, &part).await?;
    } else {
        golmok_ordering::delivery::turn_into_pickup(pages.ordering(), account, &part).await?;
    }
    Ok(see_other(&board_path(&network_id, Some(&form.date))))
}

#[derive(Template)]
#[template(path = "dispatch_payouts.html")]
struct PayoutsPage {
    c: Chrome,
    network_id: String,
    network_name: String,
    owed: String,
    paid: String,
    owes: bool,
    /// Only an admin pays a network out.
    may_pay: bool,
    lines: Vec<StatementRow>,
    /// Older lines are not shown.
    more: bool,
    /// Every line, for the books.
    statement_csv: String,
    /// The month the statement form offers first: this one, in Seoul.
    this_month: String,
    flash: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct PayoutsQuery {
    paid: Option<String>,
    nothing: Option<String>,
}

/// What the network is owed in delivery fees and was paid, with every movement, newest
/// first; an admin records a bank transfer of what is owed from here.
pub async fn payouts(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(network_id): Path<String>,
    Query(query): Query<PayoutsQuery>,
) -> Result<Response, PageError> {
    let account = dispatcher(&visitor)?;
    let p = golmok_ordering::payouts::network_payouts(&pages.db, account, &network_id).await?;
    let (lang, t) = (visitor.lang, visitor.lang.texts());
    let lines = statement_rows(lang, &p.statement, t.entry_capture);
    let flash = payout_flash(t, query.paid.is_some(), query.nothing.is_some());
    render(&PayoutsPage {
        owed: format::won(lang, p.owed_krw),
        paid: format::won(lang, p.paid_krw),
        owes: p.owed_krw > 0,
        may_pay: account.role == Role::Admin,
        lines,
        more: p.statement.len() > STATEMENT_LINES,
        statement_csv: format!("/dispatch/{}/payouts/statement.csv", encode(&network_id)),
        this_month: golmok_core::seoul::Month::of(chrono::Utc::now()).to_string(),
        flash,
        network_name: p.network_name,
        network_id: p.network_id,
        c: Chrome::load(&pages, &visitor).await?,
    })
}

/// `GET /dispatch/{network}/payouts/statement.csv`: every line of the network's statement,
/// with the balance after each.
pub async fn statement_csv(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(network_id): Path<String>,
    Query(query): Query<super::StatementQuery>,
) -> Result<Response, PageError> {
    let account = dispatcher(&visitor)?;
    let p = golmok_ordering::payouts::network_payouts(&pages.db, account, &network_id).await?;
    super::statement_download(&p.statement, &network_id, query)
}

/// An admin records a bank transfer of everything the network is owed. A second press (the
/// first already paid it all) says nothing is owed.
pub async fn pay(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(network_id): Path<String>,
    CsrfForm { .. }: CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let account = visitor.require(Role::Admin)?;
    let paid = golmok_ordering::payouts::pay_network(
        pages.ordering(),
        account,
        &network_id,
        "offline",
        None,
    )
    .await;
    after_payout(paid, &format!("/dispatch/{}/payouts", encode(&network_id)))
}

/// The dispatcher's board of a network: slots, plans and moves.
pub fn routes() -> axum::Router<crate::Pages> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/dispatch", get(networks))
        .route("/dispatch/{network}", get(board))
        .route("/dispatch/{network}/live", get(live))
        .route("/dispatch/{network}/slots/{slot}/plan", post(plan))
        .route(
            "/dispatch/{network}/tasks/{part}/courier",
            post(move_to_courier),
        )
        .route("/dispatch/{network}/tasks/{part}/pickup", post(pickup))
        .route(
            "/dispatch/{network}/batches/{batch}/courier",
            post(hand_over),
        )
        .route("/dispatch/{network}/payouts", get(payouts))
        .route("/dispatch/{network}/payouts/pay", post(pay))
        .route(
            "/dispatch/{network}/payouts/statement.csv",
            get(statement_csv),
        )
}
