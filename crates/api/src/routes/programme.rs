//! HTTP for `golmok-programme`: joint projects, support sessions, festival stalls, alley
//! pages and stamp tours, and the reports that roll up to the programme.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use golmok_ordering::coupons::Coupon;
use golmok_programme::events::{
    self, EventFigures, EventShops, NewStallSale, NewVisitorCount, StallSale,
};
use golmok_programme::projects::{
    self, JointProject, MilestonePatch, NewMilestone, NewProject, NewSpending, ProjectPatch,
};
use golmok_programme::report::{self, Period, ProgrammeReport};
use golmok_programme::support::{self, NewSupportSession, SupportSession, SupportTotals};
use golmok_programme::tours::{self, NewTour, Progress, StampCode, StampRequest, Tour, TourPatch};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiQuery, IdempotencyHeader, MaybeSession, Session};
use crate::routes::lists::Items;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_project, list_projects))
        .routes(routes!(get_project, update_project))
        .routes(routes!(add_milestone))
        .routes(routes!(update_milestone))
        .routes(routes!(add_spending))
        .routes(routes!(record_support_session, list_support_sessions))
        .routes(routes!(support_totals))
        .routes(routes!(set_event_shops))
        .routes(routes!(record_stall_sale, list_stall_sales))
        .routes(routes!(count_visitors))
        .routes(routes!(event_figures))
        .routes(routes!(programme_report))
        .routes(routes!(agency_report))
        .routes(routes!(consortium_programme_report))
}

/// A project's photos and documents, sent as their own bytes (up to 10 MB, read whole and
/// then refused with 413 when larger, as listing photos are).
pub fn files_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(add_project_file))
        .routes(routes!(read_project_file))
        .layer(axum::extract::DefaultBodyLimit::max(
            4 * golmok_storage::photo::MAX_BYTES,
        ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ProjectFileParams {
    /// What the file is ("골목 지도 시안"), 1 to 120 characters.
    name: String,
}

/// Add a photo (image/jpeg, image/png or image/webp: kept as JPEG without its metadata) or a
/// document (application/pdf) to a project, the body being the file itself, sent with its
/// own content type or as application/octet-stream (what it is is read from its bytes).
#[utoipa::path(post, path = "/v1/projects/{id}/files", tag = "programme", security(("bearer" = [])),
    params(ProjectFileParams),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The file's bytes, at most 10 MB: a PDF, JPEG, PNG or WebP, sent as application/octet-stream or with its own content type (application/pdf, image/jpeg, image/png, image/webp)."),
    responses((status = 201, body = JointProject), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 413, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem)))]
async fn add_project_file(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    ApiQuery(params): ApiQuery<ProjectFileParams>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<JointProject>), ApiError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let declared_pdf = content_type.starts_with("application/pdf");
    let declared_image = ["image/jpeg", "image/png", "image/webp"]
        .iter()
        .any(|t| content_type.starts_with(t));
    if !declared_pdf && !declared_image && !content_type.starts_with("application/octet-stream") {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the file's own bytes as application/pdf, image/jpeg, image/png, image/webp or application/octet-stream",
        ));
    }
    let is_pdf = body.starts_with(b"%PDF-");
    if (declared_pdf && !is_pdf) || (declared_image && is_pdf) {
        return Err(ApiError::invalid_field(
            "body",
            "the file is not what its content type says",
        ));
    }
    let project = projects::add_file(
        &state.db,
        state.store.as_ref(),
        &session.account,
        &id,
        &params.name,
        body,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(project)))
}

/// A project's photo or document, for those who may read the project.
#[utoipa::path(get, path = "/v1/projects/{id}/files/{file_id}", tag = "programme", security(("bearer" = [])),
    responses((status = 200, content((Vec<u8> = "application/pdf"), (Vec<u8> = "image/jpeg"))), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn read_project_file(
    State(state): State<AppState>,
    session: Session,
    Path((id, file_id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let file = projects::read_file(
        &state.db,
        state.store.as_ref(),
        &session.account,
        &id,
        &file_id,
    )
    .await?;
    let mut response = file.bytes.into_response();
    if let Ok(v) = header::HeaderValue::from_str(&file.content_type) {
        response.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("private, no-store"),
    );
    Ok(response)
}

// ---- joint projects -------------------------------------------------------------------

/// Set up a joint project of the consortium (its agency's coordinators).
#[utoipa::path(post, path = "/v1/consortia/{id}/projects", tag = "programme", security(("bearer" = [])),
    request_body = NewProject,
    responses((status = 201, body = JointProject), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn create_project(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewProject>,
) -> Result<(StatusCode, Json<JointProject>), ApiError> {
    let created = projects::create_project(&state.db, &session.account, &id, body).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// The consortium's joint projects: for its agency, the metropolitan agency and its members.
#[utoipa::path(get, path = "/v1/consortia/{id}/projects", tag = "programme", security(("bearer" = [])),
    responses((status = 200, body = Items<JointProject>), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn list_projects(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Json<Items<JointProject>>, ApiError> {
    Ok(Json(Items::all(
        projects::projects_of(&state.db, &session.account, &id).await?,
    )))
}

#[utoipa::path(get, path = "/v1/projects/{id}", tag = "programme", security(("bearer" = [])),
    responses((status = 200, body = JointProject), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn get_project(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Json<JointProject>, ApiError> {
    Ok(Json(
        projects::get_project(&state.db, &session.account, &id).await?,
    ))
}

/// Change a project's plan, budget, status or outcome.
#[utoipa::path(patch, path = "/v1/projects/{id}", tag = "programme", security(("bearer" = [])),
    request_body = ProjectPatch,
    responses((status = 200, body = JointProject), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn update_project(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ProjectPatch>,
) -> Result<Json<JointProject>, ApiError> {
    Ok(Json(
        projects::update_project(&state.db, &session.account, &id, body).await?,
    ))
}

#[utoipa::path(post, path = "/v1/projects/{id}/milestones", tag = "programme", security(("bearer" = [])),
    request_body = NewMilestone,
    responses((status = 201, body = JointProject), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn add_milestone(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewMilestone>,
) -> Result<(StatusCode, Json<JointProject>), ApiError> {
    let project = projects::add_milestone(&state.db, &session.account, &id, body).await?;
    Ok((StatusCode::CREATED, Json(project)))
}

/// Mark a milestone reached, dropped or planned again.
#[utoipa::path(patch, path = "/v1/projects/{id}/milestones/{milestone_id}", tag = "programme", security(("bearer" = [])),
    request_body = MilestonePatch,
    responses((status = 200, body = JointProject), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn update_milestone(
    State(state): State<AppState>,
    session: Session,
    Path((id, milestone_id)): Path<(String, String)>,
    ApiJson(body): ApiJson<MilestonePatch>,
) -> Result<Json<JointProject>, ApiError> {
    Ok(Json(
        projects::update_milestone(&state.db, &session.account, &id, &milestone_id, body).await?,
    ))
}

#[utoipa::path(post, path = "/v1/projects/{id}/spending", tag = "programme", security(("bearer" = [])),
    request_body = NewSpending,
    responses((status = 201, body = JointProject), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn add_spending(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewSpending>,
) -> Result<(StatusCode, Json<JointProject>), ApiError> {
    let project = projects::add_spending(&state.db, &session.account, &id, body).await?;
    Ok((StatusCode::CREATED, Json(project)))
}

// ---- support work ---------------------------------------------------------------------

/// Record a support session of the agency (or its coordinators' training).
#[utoipa::path(post, path = "/v1/agencies/{id}/support-sessions", tag = "programme", security(("bearer" = [])),
    request_body = NewSupportSession,
    responses((status = 201, body = SupportSession), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn record_support_session(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewSupportSession>,
) -> Result<(StatusCode, Json<SupportSession>), ApiError> {
    let recorded = support::record_session(&state.db, &session.account, &id, body).await?;
    Ok((StatusCode::CREATED, Json(recorded)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SpanParams {
    /// First Seoul day, inclusive; 30 days before `to` when absent.
    from: Option<NaiveDate>,
    /// Last Seoul day, inclusive; today when absent.
    to: Option<NaiveDate>,
}

fn span_of(params: &SpanParams) -> Result<(NaiveDate, NaiveDate), ApiError> {
    let to = params.to.unwrap_or_else(projects::seoul_today);
    let from = params.from.unwrap_or(to - chrono::Days::new(29));
    if from > to || (to - from).num_days() > 3_660 {
        return Err(ApiError::invalid_field(
            "from",
            "must not be after `to`, nor more than ten years before it",
        ));
    }
    Ok((from, to))
}

/// The agency's sessions held in a span, newest first.
#[utoipa::path(get, path = "/v1/agencies/{id}/support-sessions", tag = "programme", security(("bearer" = [])),
    params(SpanParams),
    responses((status = 200, body = Items<SupportSession>), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn list_support_sessions(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    ApiQuery(params): ApiQuery<SpanParams>,
) -> Result<Json<Items<SupportSession>>, ApiError> {
    let (from, to) = span_of(&params)?;
    Ok(Json(Items::all(
        support::sessions_of(&state.db, &session.account, &id, from, to).await?,
    )))
}

/// The agency's support hours in a span: per kind, consortium and shop.
#[utoipa::path(get, path = "/v1/agencies/{id}/support-totals", tag = "programme", security(("bearer" = [])),
    params(SpanParams),
    responses((status = 200, body = SupportTotals), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn support_totals(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    ApiQuery(params): ApiQuery<SpanParams>,
) -> Result<Json<SupportTotals>, ApiError> {
    let (from, to) = span_of(&params)?;
    Ok(Json(
        support::totals(&state.db, &session.account, &id, from, to).await?,
    ))
}

// ---- festivals and market days ----------------------------------------------------------

/// Name the member shops keeping a stall at a festival or market day (replaces the list).
#[utoipa::path(put, path = "/v1/campaigns/{id}/shops", tag = "programme", security(("bearer" = [])),
    request_body = EventShops,
    responses((status = 200, body = EventFigures), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn set_event_shops(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<EventShops>,
) -> Result<Json<EventFigures>, ApiError> {
    Ok(Json(
        events::set_shops(&state.db, &session.account, &id, body).await?,
    ))
}

/// A stall's sale, recorded by its shop's owner. Sent again with the same `Idempotency-Key`
/// (a phone that lost the festival's network), the sale first recorded answers, once.
#[utoipa::path(post, path = "/v1/campaigns/{id}/stall-sales", tag = "programme", security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "A retry records the sale once")),
    request_body = NewStallSale,
    responses((status = 201, body = StallSale), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn record_stall_sale(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    IdempotencyHeader(key): IdempotencyHeader,
    ApiJson(body): ApiJson<NewStallSale>,
) -> Result<(StatusCode, Json<StallSale>), ApiError> {
    let (db, cache, actor) = (&state.db, state.cache.as_ref(), &session.account);
    let sale = match key {
        Some(key) => events::record_sale_once(db, cache, actor, &id, body, &key).await?,
        None => events::record_sale(db, cache, actor, &id, body).await?,
    };
    Ok((StatusCode::CREATED, Json(sale)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StallParams {
    /// The shop whose stall it is.
    merchant_id: String,
}

/// A stall's sales at the event, newest first: for its owner and the organisers.
#[utoipa::path(get, path = "/v1/campaigns/{id}/stall-sales", tag = "programme", security(("bearer" = [])),
    params(StallParams),
    responses((status = 200, body = Items<StallSale>), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn list_stall_sales(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    ApiQuery(params): ApiQuery<StallParams>,
) -> Result<Json<Items<StallSale>>, ApiError> {
    Ok(Json(Items::all(
        events::sales_of_shop(&state.db, &session.account, &id, &params.merchant_id).await?,
    )))
}

/// The organisers count visitors.
#[utoipa::path(post, path = "/v1/campaigns/{id}/visitors", tag = "programme", security(("bearer" = [])),
    request_body = NewVisitorCount,
    responses((status = 201, body = EventFigures), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn count_visitors(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewVisitorCount>,
) -> Result<(StatusCode, Json<EventFigures>), ApiError> {
    let figures = events::count_visitors(&state.db, &session.account, &id, body).await?;
    Ok((StatusCode::CREATED, Json(figures)))
}

/// An event's visitors and its stalls' sales so far.
#[utoipa::path(get, path = "/v1/campaigns/{id}/figures", tag = "programme", security(("bearer" = [])),
    responses((status = 200, body = EventFigures), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn event_figures(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Json<EventFigures>, ApiError> {
    Ok(Json(
        events::figures(&state.db, &session.account, &id).await?,
    ))
}

// ---- reports ----------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReportFormat {
    #[default]
    Json,
    Csv,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ProgrammeReportParams {
    /// First Seoul day; the last eight weeks or six months when absent.
    from: Option<NaiveDate>,
    /// Last Seoul day, inclusive; today when absent.
    to: Option<NaiveDate>,
    /// `week` (Monday to Sunday) or `month`; `month` when absent.
    by: Option<Period>,
    /// `json` (the default) or `csv`.
    #[param(inline)]
    format: Option<ReportFormat>,
}

fn rendered(report: ProgrammeReport, format: Option<ReportFormat>) -> Response {
    match format.unwrap_or_default() {
        ReportFormat::Json => Json(report).into_response(),
        ReportFormat::Csv => {
            let name = format!(
                "attachment; filename=\"golmok-{}-{}-{}.csv\"",
                report.scope, report.from, report.to
            );
            (
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                    (header::CONTENT_DISPOSITION, name),
                ],
                report::csv(&report),
            )
                .into_response()
        }
    }
}

/// The whole programme, its regional agencies side by side (the metropolitan agency).
#[utoipa::path(get, path = "/v1/reports/programme", tag = "programme", security(("bearer" = [])),
    params(ProgrammeReportParams),
    responses((status = 200, content((ProgrammeReport = "application/json"), (String = "text/csv"))), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn programme_report(
    State(state): State<AppState>,
    session: Session,
    ApiQuery(params): ApiQuery<ProgrammeReportParams>,
) -> Result<Response, ApiError> {
    let report = report::programme_report(
        &state.db,
        &session.account,
        params.from,
        params.to,
        params.by.unwrap_or(Period::Month),
    )
    .await?;
    Ok(rendered(report, params.format))
}

/// A regional agency, its consortia side by side.
#[utoipa::path(get, path = "/v1/reports/agencies/{id}", tag = "programme", security(("bearer" = [])),
    params(ProgrammeReportParams),
    responses((status = 200, content((ProgrammeReport = "application/json"), (String = "text/csv"))), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn agency_report(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    ApiQuery(params): ApiQuery<ProgrammeReportParams>,
) -> Result<Response, ApiError> {
    let report = report::agency_report(
        &state.db,
        &session.account,
        &id,
        params.from,
        params.to,
        params.by.unwrap_or(Period::Month),
    )
    .await?;
    Ok(rendered(report, params.format))
}

/// A consortium's programme figures per week or month: online and in-person sales, events,
/// support, projects.
#[utoipa::path(get, path = "/v1/reports/consortia/{id}/programme", tag = "programme", security(("bearer" = [])),
    params(ProgrammeReportParams),
    responses((status = 200, content((ProgrammeReport = "application/json"), (String = "text/csv"))), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn consortium_programme_report(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    ApiQuery(params): ApiQuery<ProgrammeReportParams>,
) -> Result<Response, ApiError> {
    let report = report::consortium_report(
        &state.db,
        &session.account,
        &id,
        params.from,
        params.to,
        params.by.unwrap_or(Period::Month),
    )
    .await?;
    Ok(rendered(report, params.format))
}

// ---- alley pages and stamp tours --------------------------------------------------------

/// A tour's photos, sent as their own bytes (read whole, then refused with 413 when larger
/// than a photo may be).
pub fn tour_photos_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(add_tour_photo))
        .routes(routes!(read_tour_photo))
        .layer(axum::extract::DefaultBodyLimit::max(
            2 * golmok_storage::photo::MAX_BYTES,
        ))
}

pub fn tours_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_tour, list_consortium_tours))
        .routes(routes!(list_tours))
        .routes(routes!(get_tour, update_tour))
        .routes(routes!(stamp_codes))
        .routes(routes!(take_stamp, my_stamps))
        .routes(routes!(my_coupons))
}

/// Set up an alley page or a stamp tour of the consortium (its agency's coordinators).
#[utoipa::path(post, path = "/v1/consortia/{id}/tours", tag = "programme", security(("bearer" = [])),
    request_body = NewTour,
    responses((status = 201, body = Tour), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn create_tour(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewTour>,
) -> Result<(StatusCode, Json<Tour>), ApiError> {
    let created = tours::create_tour(&state.db, &session.account, &id, body).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// The consortium's published tours, for anyone; with drafts, for its programme's readers.
#[utoipa::path(get, path = "/v1/consortia/{id}/tours", tag = "programme", security((), ("bearer" = [])),
    responses((status = 200, body = Items<Tour>), (status = 401, body = Problem), (status = 404, body = Problem)))]
async fn list_consortium_tours(
    State(state): State<AppState>,
    MaybeSession(actor): MaybeSession,
    Path(id): Path<String>,
) -> Result<Json<Items<Tour>>, ApiError> {
    Ok(Json(Items::all(
        tours::tours_of(&state.db, actor.as_ref(), &id).await?,
    )))
}

/// Every published alley page and stamp tour, newest first.
#[utoipa::path(get, path = "/v1/tours", tag = "programme",
    responses((status = 200, body = Items<Tour>)))]
async fn list_tours(State(state): State<AppState>) -> Result<Json<Items<Tour>>, ApiError> {
    Ok(Json(Items::all(tours::published_tours(&state.db).await?)))
}

/// A tour's page: its story, photos and walking route.
#[utoipa::path(get, path = "/v1/tours/{id}", tag = "programme", security((), ("bearer" = [])),
    responses((status = 200, body = Tour), (status = 401, body = Problem), (status = 404, body = Problem)))]
async fn get_tour(
    State(state): State<AppState>,
    MaybeSession(actor): MaybeSession,
    Path(id): Path<String>,
) -> Result<Json<Tour>, ApiError> {
    Ok(Json(tours::get_tour(&state.db, actor.as_ref(), &id).await?))
}

/// Change a tour: its story, days, coupon, route, or whether it is published.
#[utoipa::path(patch, path = "/v1/tours/{id}", tag = "programme", security(("bearer" = [])),
    request_body = TourPatch,
    responses((status = 200, body = Tour), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn update_tour(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<TourPatch>,
) -> Result<Json<Tour>, ApiError> {
    Ok(Json(
        tours::update_tour(&state.db, &session.account, &id, body).await?,
    ))
}

/// The shops' signed stamp codes, for their QR posters: all of them for the consortium's
/// coordinators, its own for a member shop.
#[utoipa::path(get, path = "/v1/tours/{id}/codes", tag = "programme", security(("bearer" = [])),
    responses((status = 200, body = Items<StampCode>), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn stamp_codes(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Json<Items<StampCode>>, ApiError> {
    Ok(Json(Items::all(
        tours::stamp_codes(&state.db, &session.account, &id).await?,
    )))
}

/// Take a shop's stamp with the code read off its QR code. The last stamp of the tour issues
/// its coupon. A forged code, or another tour's, is 422; a shop stamped already, 409.
#[utoipa::path(post, path = "/v1/tours/{id}/stamps", tag = "programme", security(("bearer" = [])),
    request_body = StampRequest,
    responses((status = 201, body = Progress), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn take_stamp(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<StampRequest>,
) -> Result<(StatusCode, Json<Progress>), ApiError> {
    let progress = tours::stamp(&state.db, &session.account, &id, body).await?;
    Ok((StatusCode::CREATED, Json(progress)))
}

/// The caller's stamps on the tour, and its coupon once earned.
#[utoipa::path(get, path = "/v1/tours/{id}/stamps", tag = "programme", security(("bearer" = [])),
    responses((status = 200, body = Progress), (status = 404, body = Problem)))]
async fn my_stamps(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Json<Progress>, ApiError> {
    Ok(Json(
        tours::progress(&state.db, &session.account, &id).await?,
    ))
}

/// The caller's coupons, redeemed or not, newest first.
#[utoipa::path(get, path = "/v1/me/coupons", tag = "programme", security(("bearer" = [])),
    responses((status = 200, body = Items<Coupon>), (status = 401, body = Problem)))]
async fn my_coupons(
    State(state): State<AppState>,
    session: Session,
) -> Result<Json<Items<Coupon>>, ApiError> {
    Ok(Json(Items::all(
        golmok_ordering::coupons::coupons_of(&state.db, &session.account.id).await?,
    )))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TourPhotoParams {
    /// What the photo shows, at most 200 characters.
    #[serde(default)]
    caption: String,
}

/// Add a photo to a tour's page (image/jpeg, image/png or image/webp, kept as JPEG without its
/// metadata), the body being the image itself.
#[utoipa::path(post, path = "/v1/tours/{id}/photos", tag = "programme", security(("bearer" = [])),
    params(TourPhotoParams),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The image's bytes: JPEG, PNG or WebP."),
    responses((status = 201, body = Tour), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)))]
async fn add_tour_photo(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    ApiQuery(params): ApiQuery<TourPhotoParams>,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<Tour>), ApiError> {
    let tour = tours::add_photo(
        &state.db,
        state.store.as_ref(),
        &session.account,
        &id,
        &params.caption,
        body,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(tour)))
}

/// A tour's photo: public with the tour.
#[utoipa::path(get, path = "/v1/tours/{id}/photos/{photo_id}", tag = "programme", security((), ("bearer" = [])),
    responses((status = 200, content((Vec<u8> = "image/jpeg"))), (status = 401, body = Problem), (status = 404, body = Problem)))]
async fn read_tour_photo(
    State(state): State<AppState>,
    MaybeSession(actor): MaybeSession,
    Path((id, photo_id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let photo = tours::read_photo(
        &state.db,
        state.store.as_ref(),
        actor.as_ref(),
        &id,
        &photo_id,
    )
    .await?;
    let mut response = photo.bytes.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("image/jpeg"),
    );
    Ok(response)
}
