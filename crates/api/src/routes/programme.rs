//! HTTP for `golmok-programme`: joint projects, support sessions, festival stalls and the
//! reports that roll up to the programme.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use golmok_programme::events::{
    self, EventFigures, EventShops, NewStallSale, NewVisitorCount, StallSale,
};
use golmok_programme::projects::{
    self, JointProject, MilestonePatch, NewMilestone, NewProject, NewSpending, ProjectPatch,
};
use golmok_programme::report::{self, Period, ProgrammeReport};
use golmok_programme::support::{self, NewSupportSession, SupportSession, SupportTotals};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiQuery, Session};
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

/// A stall's sale, recorded by its shop's owner.
#[utoipa::path(post, path = "/v1/campaigns/{id}/stall-sales", tag = "programme", security(("bearer" = [])),
    request_body = NewStallSale,
    responses((status = 201, body = StallSale), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn record_stall_sale(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewStallSale>,
) -> Result<(StatusCode, Json<StallSale>), ApiError> {
    let sale =
        events::record_sale(&state.db, state.cache.as_ref(), &session.account, &id, body).await?;
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
