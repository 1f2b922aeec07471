//! The courier's phone: their route batches, a batch on a map with its numbered stops, and
//! each stop done (with proof) or failed (with a reason). One-handed, 360 px wide.
//!
//! A retried POST after a lost answer finds its stop done already and lands back on the
//! batch, so a flaky connection never completes a stop twice.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use golmok_accounts::{Account, Role};
use golmok_core::DomainError;
use golmok_delivery_routing::batch::Proof;
use golmok_delivery_routing::courier::VehicleKind;
use golmok_delivery_routing::planner::{Batch, PlannedStop};
use golmok_delivery_routing::{BatchStatus, StopKind, StopStatus};
use golmok_ordering::lifecycle::CourierEvents;
use serde::Deserialize;

use super::{Chrome, NoFields, encode, render, see_other};
use crate::Pages;
use crate::error::PageError;
use crate::format;
use crate::i18n::{Lang, Texts};
use crate::session::{CsrfForm, CsrfUpload, Visitor};

pub struct BatchRow {
    pub id: String,
    pub window: String,
    pub status: &'static str,
    pub done: usize,
    pub total: usize,
    pub distance: String,
}

#[derive(Template)]
#[template(path = "courier_batches.html")]
struct BatchesPage {
    c: Chrome,
    batches: Vec<BatchRow>,
    /// Batches a dispatcher handed from this courier to another.
    handed_away: Vec<HandedAwayRow>,
    /// A stop sent from this phone after its batch was handed on was refused.
    late_stop_refused: bool,
}

#[derive(Deserialize)]
pub struct BatchesQuery {
    #[serde(default)]
    refused: String,
}

pub struct HandedAwayRow {
    pub window: String,
    pub to: String,
    pub at: String,
}

/// A batch's status in the reader's words (the dispatch board's too).
pub(crate) fn batch_status(t: &Texts, status: BatchStatus) -> &'static str {
    match status {
        BatchStatus::Planned => t.batch_planned,
        BatchStatus::Started => t.batch_started,
        BatchStatus::Done => t.batch_done,
    }
}

/// A stop's status in the reader's words.
pub(crate) fn stop_status(t: &Texts, status: StopStatus) -> &'static str {
    match status {
        StopStatus::Completed => t.stop_completed,
        StopStatus::Failed => t.stop_failed,
        StopStatus::Pending => t.stop_pending,
    }
}

/// How a courier rides, in the reader's words.
pub(crate) fn vehicle(t: &Texts, kind: VehicleKind) -> &'static str {
    match kind {
        VehicleKind::OnFoot => t.vehicle_on_foot,
        VehicleKind::CargoBike => t.vehicle_cargo_bike,
        VehicleKind::EScooter => t.vehicle_e_scooter,
        VehicleKind::SmallVan => t.vehicle_small_van,
    }
}

/// The batch's network area, as GeoJSON for the map.
async fn area_of(pages: &Pages, slot_id: &str) -> String {
    match golmok_delivery_routing::network::slot(&pages.db, slot_id).await {
        Ok((network, _)) => network.area.to_string(),
        Err(_) => "null".into(),
    }
}

async fn window_of(pages: &Pages, lang: Lang, slot_id: &str) -> String {
    match golmok_delivery_routing::network::slot(&pages.db, slot_id).await {
        Ok((network, slot)) => format!(
            "{} · {} {} {}–{}",
            network.name,
            format::seoul_date(lang, slot.starts_at),
            slot.name,
            format::seoul_clock(slot.starts_at),
            format::seoul_clock(slot.ends_at)
        ),
        Err(_) => slot_id.to_owned(),
    }
}

async fn my_batches(pages: &Pages, account: &Account) -> Result<Vec<Batch>, PageError> {
    let recent = golmok_delivery_routing::batch::BatchQuery {
        limit: 100,
        ..Default::default()
    };
    golmok_ordering::containers::courier_batches(&pages.db, account, &recent)
        .await
        .map(|page| page.items)
        .map_err(|e| match e {
            // An account that rides for no network has no batches to see.
            DomainError::Forbidden(_) => PageError::Forbidden,
            other => other.into(),
        })
}

pub async fn batches(
    State(pages): State<Pages>,
    visitor: Visitor,
    axum::extract::Query(query): axum::extract::Query<BatchesQuery>,
) -> Result<Response, PageError> {
    let account = visitor.require(Role::Courier)?;
    let t = visitor.lang.texts();
    let mut rows = Vec::new();
    for b in my_batches(&pages, account).await? {
        rows.push(BatchRow {
            window: window_of(&pages, visitor.lang, &b.slot_id).await,
            status: batch_status(t, b.status),
            done: b
                .stops
                .iter()
                .filter(|s| s.status != StopStatus::Pending)
                .count(),
            total: b.stops.len(),
            distance: format!("{:.1} km", b.distance_m / 1000.0),
            id: b.id,
        });
    }
    let mut handed_away = Vec::new();
    for h in golmok_delivery_routing::batch::handed_away(&pages.db, account).await? {
        handed_away.push(HandedAwayRow {
            window: window_of(&pages, visitor.lang, &h.slot_id).await,
            to: courier_name(&pages, t, &h.to_courier_id).await?,
            at: format::seoul_time(visitor.lang, h.at),
        });
    }
    render(&BatchesPage {
        late_stop_refused: query.refused == "handed_over",
        handed_away,
        batches: rows,
        c: Chrome::load(&pages, &visitor).await?,
    })
}

pub struct StopCard {
    pub id: String,
    pub number: usize,
    pub kind: &'static str,
    pub pickup: bool,
    pub address: String,
    pub contents: String,
    pub eta: String,
    pub status: &'static str,
    pub pending: bool,
    pub kakao: String,
    pub naver: String,
    pub geo: String,
    /// While the batch is under way: whom to call, as a `tel:` link, and the door's notes.
    pub phone: Option<String>,
    pub tel: Option<String>,
    pub notes: Option<String>,
    /// Deposit containers the shopper may hand back at this door.
    pub collect: Vec<CollectItem>,
}

pub struct CollectItem {
    pub merchant_order_id: String,
    pub line_id: String,
    pub title: String,
    pub shop: String,
    pub deposit: String,
}

#[derive(Template)]
#[template(path = "courier_batch.html")]
struct BatchPage {
    c: Chrome,
    id: String,
    window: String,
    status: &'static str,
    stops: Vec<StopCard>,
    /// `[[lat, lon, number, "pickup"|"dropoff", done], …]` for the map.
    stops_json: String,
    area_json: String,
    tile_url: String,
    problem: Option<&'static str>,
    can_start: bool,
    /// Under way: the page may share the courier's position, if they agree.
    under_way: bool,
    /// Handed over from another courier: whom to collect the deliveries on board from.
    handed_over: Option<HandedOver>,
}

/// The courier a batch came from, and where they were last seen (while no position of the
/// new courier's has come in since).
struct HandedOver {
    from: String,
    on_board: usize,
    /// When they were last seen, and a link to the place on Kakao Map.
    last_seen: Option<(String, String)>,
}

#[derive(Deserialize)]
pub struct BatchQuery {
    problem: Option<String>,
}

pub async fn batch(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(id): Path<String>,
    axum::extract::Query(query): axum::extract::Query<BatchQuery>,
) -> Result<Response, PageError> {
    let account = visitor.require(Role::Courier)?;
    let lang = visitor.lang;
    let t = lang.texts();
    let b = match golmok_ordering::containers::courier_batch(&pages.db, account, &id).await {
        Ok(b) => b,
        // Handed to another courier (a stop this courier made before then may just have
        // reached the server): the list says to whom.
        Err(DomainError::NotFound { .. })
            if golmok_delivery_routing::batch::handed_away(&pages.db, account)
                .await?
                .iter()
                .any(|h| h.batch_id == id) =>
        {
            return Ok(see_other("/courier#handed-away"));
        }
        Err(DomainError::NotFound { .. }) => return Err(PageError::NotFound),
        Err(e) => return Err(e.into()),
    };
    let stops: Vec<StopCard> = b
        .stops
        .iter()
        .enumerate()
        .map(|(i, s)| stop_card(lang, i + 1, s))
        .collect();
    let stops_json = serde_json::to_string(
        &b.stops
            .iter()
            .enumerate()
            .map(|(i, s)| {
                serde_json::json!([
                    s.location.lat,
                    s.location.lon,
                    i + 1,
                    s.kind,
                    s.status != StopStatus::Pending
                ])
            })
            .collect::<Vec<_>>(),
    )
    .unwrap_or_else(|_| "[]".into());
    let handed_over = match &b.handed_over {
        Some(h) if b.status == BatchStatus::Started => Some(HandedOver {
            from: courier_name(&pages, t, &h.from_courier_id).await?,
            on_board: b.on_board(),
            last_seen: b
                .courier_position
                .as_ref()
                .filter(|p| p.at <= h.at)
                .map(|p| {
                    (
                        format::seoul_clock(p.at),
                        format!(
                            "https://map.kakao.com/link/map/{},{},{}",
                            // A path, not a form: a space is %20 there.
                            encode(t.handed_over_last_seen).replace('+', "%20"),
                            p.location.lat,
                            p.location.lon
                        ),
                    )
                }),
        }),
        _ => None,
    };
    render(&BatchPage {
        handed_over,
        window: window_of(&pages, lang, &b.slot_id).await,
        area_json: area_of(&pages, &b.slot_id).await,
        can_start: b.status == BatchStatus::Planned,
        under_way: b.status == BatchStatus::Started,
        status: batch_status(t, b.status),
        id: b.id,
        stops,
        stops_json,
        tile_url: pages.settings.map_tile_url.clone().unwrap_or_default(),
        problem: match query.problem.as_deref() {
            Some("code") => Some(t.err_code_wrong),
            Some("limited") => Some(t.err_code_limited),
            Some("photo") => Some(t.err_photo_not_allowed),
            Some("file") => Some(t.err_photo_type),
            Some("large") => Some(t.err_photo_size),
            _ => None,
        },
        c: Chrome::load(&pages, &visitor).await?,
    })
}

/// A courier by their account's name, riding or not (a batch names the courier it was handed
/// over from long after they stopped).
pub(crate) async fn courier_name(
    pages: &Pages,
    t: &Texts,
    courier_id: &str,
) -> Result<String, PageError> {
    let account = golmok_delivery_routing::courier::account_of(&pages.db, courier_id).await?;
    Ok(match account {
        Some(id) => match golmok_accounts::find(&pages.db, &id).await {
            Ok(a) => a.name,
            Err(_) => t.courier_gone.to_owned(),
        },
        None => t.courier_gone.to_owned(),
    })
}

/// A stop as the courier's phone shows it, with links into Kakao and Naver maps and the
/// phone's own map app.
fn stop_card(lang: Lang, number: usize, s: &PlannedStop) -> StopCard {
    let t = lang.texts();
    let label = format::map_label(&s.address);
    StopCard {
        id: s.id.clone(),
        number,
        kind: if s.kind == StopKind::Pickup {
            t.stop_pickup
        } else {
            t.stop_dropoff
        },
        pickup: s.kind == StopKind::Pickup,
        address: s.address.clone(),
        contents: s.contents.clone(),
        eta: format::seoul_clock(s.eta),
        status: stop_status(t, s.status),
        pending: s.status == StopStatus::Pending,
        tel: s.phone.as_ref().map(|p| {
            format!(
                "tel:{}",
                p.chars()
                    .filter(|c| c.is_ascii_digit() || *c == '+')
                    .collect::<String>()
            )
        }),
        phone: s.phone.clone(),
        notes: s.notes.clone(),
        collect: s
            .collect
            .iter()
            .map(|c| CollectItem {
                merchant_order_id: c.merchant_order_id.clone(),
                line_id: c.line_id.clone(),
                title: c.title.clone(),
                shop: c.shop.clone(),
                deposit: format::won(lang, c.deposit_krw),
            })
            .collect(),
        kakao: format!(
            "https://map.kakao.com/link/to/{label},{},{}",
            s.location.lat, s.location.lon
        ),
        naver: format!(
            "https://map.naver.com/p/directions/-/{},{},{label}/-/bicycle",
            s.location.lon, s.location.lat
        ),
        geo: format!(
            "geo:{},{}?q={},{}",
            s.location.lat, s.location.lon, s.location.lat, s.location.lon
        ),
    }
}

#[derive(Deserialize)]
pub struct CompleteForm {
    batch: String,
    kind: String,
    #[serde(default)]
    value: String,
    /// Stamped by the phone when the courier submits, and when it sends (see [`made_at`]).
    #[serde(default)]
    made_at: String,
    #[serde(default)]
    sent_at: String,
}

/// When the courier submitted a stop's form, as the phone stamped it and placed on the
/// server's clock by when the phone sent it
/// ([`golmok_delivery_routing::batch::made_by_phone`]): a form kept while the phone had no
/// network reaches the server later, maybe after the batch was handed on. A page without
/// script stamps nothing, and the stop is made when it arrives.
fn made_at(made: &str, sent: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    let stamp = |at: &str| {
        chrono::DateTime::parse_from_rfc3339(at.trim())
            .ok()
            .map(|at| at.with_timezone(&chrono::Utc))
    };
    golmok_delivery_routing::batch::made_by_phone(stamp(made), stamp(sent))
}

fn back_to(batch: &str) -> String {
    format!("/courier/batches/{}", encode(batch))
}

/// What a stop's POST came to: done now, or done before (a retry): back to the batch.
fn landed(
    batch: &str,
    outcome: golmok_delivery_routing::Result<impl Sized>,
) -> Result<Response, PageError> {
    match outcome {
        Ok(_)
        | Err(DomainError::Conflict {
            code: "stop_done", ..
        }) => Ok(see_other(&back_to(batch))),
        Err(DomainError::Forbidden(_)) | Err(DomainError::NotFound { .. }) => {
            Err(PageError::NotFound)
        }
        // A wrong code, too many of them, or a photo the network does not take: back to the
        // batch, saying so in the page's language.
        Err(DomainError::Conflict {
            code: "too_many_attempts",
            ..
        }) => Ok(see_other(&format!("{}?problem=limited", back_to(batch)))),
        // Made after the batch passed to another courier: theirs to make now.
        Err(DomainError::Conflict {
            code: "batch_handed_over",
            ..
        }) => Ok(see_other("/courier?refused=handed_over#handed-away")),
        Err(DomainError::Invalid(e)) => {
            let problem = if e.0.iter().any(|f| f.field == "proof.kind") {
                "photo"
            } else {
                "code"
            };
            Ok(see_other(&format!("{}?problem={problem}", back_to(batch))))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn complete(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(id): Path<String>,
    CsrfForm { form, .. }: CsrfForm<CompleteForm>,
) -> Result<Response, PageError> {
    let account = visitor.require(Role::Courier)?;
    if !matches!(form.kind.as_str(), "code" | "photo" | "signature") || form.value.trim().is_empty()
    {
        return Err(PageError::Refused {
            status: axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            detail: visitor.lang.texts().err_proof.to_owned(),
        });
    }
    let events = CourierEvents::new(pages.ordering());
    let proof = Proof {
        kind: form.kind.clone(),
        value: form.value.trim().to_owned(),
        note: None,
        photo: None,
    };
    let outcome = golmok_delivery_routing::batch::complete_stop(
        &pages.db,
        account,
        &id,
        proof,
        made_at(&form.made_at, &form.sent_at),
        &events,
        pages.login_failures.as_ref(),
    )
    .await;
    events.finish().await?;
    landed(&form.batch, outcome)
}

/// A photo at the door: beside the code the shopper gave, or (nobody home, where the network
/// allows it) in its place, with a note. The photo is stored first, then the stop completed.
pub async fn complete_with_photo(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(id): Path<String>,
    request: axum::extract::Request,
) -> Result<Response, PageError> {
    let account = visitor.require(Role::Courier)?.clone();
    let upload = match CsrfUpload::read(request, "photo", golmok_storage::photo::MAX_BYTES).await {
        Ok(upload) => upload,
        Err(PageError::TooLarge) => {
            return Ok(see_other("/courier?problem=large"));
        }
        Err(e) => return Err(e),
    };
    let batch = upload.fields.get("batch").cloned().unwrap_or_default();
    if upload.file.is_empty() {
        return Ok(see_other(&format!("{}?problem=file", back_to(&batch))));
    }
    let kind = match upload.fields.get("kind").map(String::as_str) {
        Some("signature") => golmok_delivery_routing::proof::ProofFileKind::Signature,
        _ => golmok_delivery_routing::proof::ProofFileKind::Photo,
    };
    let field = |name: &str| upload.fields.get(name).map_or("", String::as_str);
    let made = made_at(field("made_at"), field("sent_at"));
    let file = match golmok_delivery_routing::proof::add(
        &pages.db,
        pages.store.as_ref(),
        &account,
        &id,
        kind,
        upload.file,
        made,
    )
    .await
    {
        Ok(file) => file,
        Err(DomainError::Invalid(_)) => {
            return Ok(see_other(&format!("{}?problem=file", back_to(&batch))));
        }
        Err(DomainError::TooLarge(_)) => {
            return Ok(see_other(&format!("{}?problem=large", back_to(&batch))));
        }
        Err(e) => return landed(&batch, Err::<(), _>(e)),
    };
    let events = CourierEvents::new(pages.ordering());
    // With the code the photo stands beside it; without, it stands in for it.
    let code = upload
        .fields
        .get("code")
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty());
    let note = upload.fields.get("note").cloned();
    let signed = kind == golmok_delivery_routing::proof::ProofFileKind::Signature;
    let proof = match code {
        _ if signed => Proof {
            kind: "signature".into(),
            value: file.id,
            note,
            photo: None,
        },
        Some(code) => Proof {
            kind: "code".into(),
            value: code,
            note,
            photo: Some(file.id),
        },
        None => Proof {
            kind: "photo".into(),
            value: file.id,
            note,
            photo: None,
        },
    };
    let outcome = golmok_delivery_routing::batch::complete_stop(
        &pages.db,
        &account,
        &id,
        proof,
        made,
        &events,
        pages.login_failures.as_ref(),
    )
    .await;
    events.finish().await?;
    landed(&batch, outcome)
}

#[derive(Deserialize)]
pub struct FailForm {
    batch: String,
    reason: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    made_at: String,
    #[serde(default)]
    sent_at: String,
}

pub async fn fail(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(id): Path<String>,
    CsrfForm { form, .. }: CsrfForm<FailForm>,
) -> Result<Response, PageError> {
    let account = visitor.require(Role::Courier)?;
    if !golmok_delivery_routing::batch::FAILURE_REASONS.contains(&form.reason.as_str()) {
        return Err(PageError::BadRequest);
    }
    let events = CourierEvents::new(pages.ordering());
    let outcome = golmok_delivery_routing::batch::fail_stop(
        &pages.db,
        account,
        &id,
        &form.reason,
        Some(form.note.as_str()),
        made_at(&form.made_at, &form.sent_at),
        &events,
    )
    .await;
    events.finish().await?;
    landed(&form.batch, outcome)
}

#[derive(Deserialize)]
pub struct TakeBackForm {
    batch: String,
    merchant_order_id: String,
    line_id: String,
}

/// The shopper hands a deposit container back at the door: the deposit is refunded (a
/// container already taken back, for example by a retry from the offline queue, is done).
pub async fn take_back(
    State(pages): State<Pages>,
    visitor: Visitor,
    CsrfForm { form, .. }: CsrfForm<TakeBackForm>,
) -> Result<Response, PageError> {
    let account = visitor.require(Role::Courier)?;
    let outcome = golmok_ordering::containers::return_container(
        pages.ordering(),
        account,
        &form.merchant_order_id,
        &form.line_id,
        golmok_ordering::containers::ContainerReturnRequest {
            received_by: golmok_ordering::containers::ReceivedBy::Courier,
        },
    )
    .await;
    match outcome {
        Ok(_)
        | Err(DomainError::Conflict {
            code: "container_already_returned",
            ..
        }) => Ok(see_other(&back_to(&form.batch))),
        Err(DomainError::Forbidden(_)) | Err(DomainError::NotFound { .. }) => {
            Err(PageError::NotFound)
        }
        Err(e) => Err(e.into()),
    }
}

/// The courier sets out: the batch is theirs whatever later plans do.
pub async fn start(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(id): Path<String>,
    CsrfForm { .. }: CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let account = visitor.require(Role::Courier)?;
    golmok_delivery_routing::batch::start_batch(&pages.db, account, &id)
        .await
        .map_err(|e| match e {
            DomainError::NotFound { .. } => PageError::NotFound,
            other => other.into(),
        })?;
    Ok(see_other(&back_to(&id)))
}

#[derive(Deserialize)]
pub struct PositionForm {
    lat: f64,
    lon: f64,
}

/// The page shares where the courier is (they ticked the box): the stops left are re-timed.
pub async fn position(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(id): Path<String>,
    CsrfForm { form, .. }: CsrfForm<PositionForm>,
) -> Result<Response, PageError> {
    let account = visitor.require(Role::Courier)?;
    let at = golmok_core::Coordinates {
        lat: form.lat,
        lon: form.lon,
    };
    golmok_delivery_routing::position::report(&pages.db, account, &id, at)
        .await
        .map_err(|e| match e {
            DomainError::NotFound { .. } => PageError::NotFound,
            other => other.into(),
        })?;
    Ok(axum::response::IntoResponse::into_response(
        axum::http::StatusCode::NO_CONTENT,
    ))
}

/// A courier's batches and stops.
/// `GET /courier/live`: "changed" whenever one of the courier's batches is planned, planned
/// again, handed to or from them, or a stop of it made by another: their open page reloads.
pub async fn live(State(pages): State<Pages>, visitor: Visitor) -> Result<Response, PageError> {
    let account = visitor.require(Role::Courier)?;
    super::changes_of(
        &pages,
        &account.id,
        golmok_events::Topic::courier(account.id.as_str()).to_string(),
    )
}

pub fn routes() -> axum::Router<crate::Pages> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/courier", get(batches))
        .route("/courier/live", get(live))
        .route("/courier/batches/{id}", get(batch))
        .route("/courier/batches/{id}/start", post(start))
        .route("/courier/batches/{id}/position", post(position))
        .route("/courier/stops/{id}/complete", post(complete))
        .route(
            "/courier/stops/{id}/photo",
            post(complete_with_photo).layer(axum::extract::DefaultBodyLimit::max(
                4 * golmok_storage::photo::MAX_BYTES,
            )),
        )
        .route("/courier/stops/{id}/fail", post(fail))
        .route("/courier/containers", post(take_back))
}
