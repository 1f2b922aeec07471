//! Photos uploaded as the image's own bytes: a listing's (taken off again), the photos and
//! signatures a courier takes as proof at a stop, and those a shopper shows with a claim.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use golmok_accounts::Role;
use golmok_catalog::{Listing, photos};
use golmok_delivery_routing::proof::{self, ProofFile, ProofFileKind};
use golmok_ordering::claims::{self, ClaimPhoto};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, Problem};
use crate::extract::{ApiQuery, Session};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(add_photo))
        .routes(routes!(delete_photo))
        .routes(routes!(add_proof_file))
        .routes(routes!(read_proof_file))
        .routes(routes!(add_claim_photo))
        .routes(routes!(read_claim_photo))
        // A photo may be up to 10 MB. A somewhat larger one is read whole and then refused
        // with 413 as a problem (cutting the upload off mid-way would leave the client a
        // broken connection instead of an answer); only a far larger body is cut off.
        .layer(DefaultBodyLimit::max(4 * golmok_storage::photo::MAX_BYTES))
}

const PHOTO_TYPES: [&str; 3] = ["image/jpeg", "image/png", "image/webp"];

/// Only the photo's own bytes are taken, under its own content type.
fn require_photo_type(headers: &HeaderMap) -> Result<(), ApiError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if PHOTO_TYPES.iter().any(|t| content_type.starts_with(t)) {
        return Ok(());
    }
    Err(ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        "send the photo's own bytes as image/jpeg, image/png or image/webp",
    ))
}

/// Add a photo to a listing (its shop's owner, or an admin). The body is the photo itself:
/// JPEG, PNG or WebP, at most 10 MB, sent with its own content type. It is stored without
/// its metadata (no EXIF, no GPS position), in a size for lists and one for the listing's
/// page; a listing has at most 8.
#[utoipa::path(post, path = "/v1/listings/{id}/photos", tag = "catalog", security(("bearer" = [])),
    request_body(content = Vec<u8>, content_type = "image/jpeg", description = "The photo's bytes: image/jpeg, image/png or image/webp, at most 10 MB."),
    responses((status = 201, body = Listing), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 413, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem)))]
async fn add_photo(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Listing>), ApiError> {
    require_photo_type(&headers)?;
    let listing = photos::add_photo(
        &state.db,
        state.cache.as_ref(),
        state.store.as_ref(),
        &session.account,
        &id,
        body,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(listing)))
}

/// Take a photo off a listing; its files are deleted.
#[utoipa::path(delete, path = "/v1/listings/{id}/photos/{photo_id}", tag = "catalog", security(("bearer" = [])),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn delete_photo(
    State(state): State<AppState>,
    session: Session,
    Path((id, photo_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    photos::delete_photo(
        &state.db,
        state.cache.as_ref(),
        state.store.as_ref(),
        &session.account,
        &id,
        &photo_id,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ProofFileQuery {
    /// `photo` (the door, the parcel left) or `signature` (drawn on the courier's screen).
    pub kind: ProofFileKind,
    /// When it was taken, if the phone kept it without a network and sends it now, with the
    /// phone's clock as it sends (`sent_at`): as for the stop's completion, a photo taken
    /// before the batch was handed to another courier is still taken from this one.
    #[serde(default)]
    pub made_at: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(default)]
    pub sent_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// Store a photo or signature taken at a stop of the courier's batch, before completing it
/// with `{"proof": {"kind": "photo", "value": "<its id>"}}`. The body is the image itself
/// (JPEG, PNG or WebP, at most 10 MB); it is kept without its metadata and is never public.
#[utoipa::path(post, path = "/v1/stops/{id}/proof-files", tag = "delivery", security(("bearer" = [])),
    params(ProofFileQuery),
    request_body(content = Vec<u8>, content_type = "image/jpeg", description = "The image's bytes: image/jpeg, image/png or image/webp, at most 10 MB."),
    responses((status = 201, body = ProofFile), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 413, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem)))]
async fn add_proof_file(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<ProofFileQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<ProofFile>), ApiError> {
    session.require(&[Role::Courier])?;
    require_photo_type(&headers)?;
    let file = proof::add(
        &state.db,
        state.store.as_ref(),
        &session.account,
        &id,
        query.kind,
        body,
        golmok_delivery_routing::batch::made_by_phone(query.made_at, query.sent_at),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(file)))
}

/// A stop's proof photo or signature: for its courier, the network's dispatchers and
/// admins; anyone else is told it does not exist.
#[utoipa::path(get, path = "/v1/stops/{id}/proof-files/{file_id}", tag = "delivery", security(("bearer" = [])),
    responses((status = 200, content_type = "image/jpeg", body = Vec<u8>), (status = 404, body = Problem)))]
async fn read_proof_file(
    State(state): State<AppState>,
    session: Session,
    Path((id, file_id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let db = state.db.clone();
    let account = session.account.clone();
    let file = proof::read(
        &state.db,
        state.store.as_ref(),
        &session.account,
        &id,
        &file_id,
        async move |network_id: &str| match golmok_catalog::consortium::ensure_runs_network(
            &db, &account, network_id,
        )
        .await
        {
            Ok(()) => Ok(true),
            Err(golmok_core::DomainError::Forbidden(_)) => Ok(false),
            Err(e) => Err(e),
        },
    )
    .await?;
    Ok(private_file(file))
}

/// A stored file for those allowed to see it: never kept by a shared cache.
fn private_file(file: golmok_storage::Object) -> Response {
    let mut response = file.bytes.into_response();
    if let Ok(v) = header::HeaderValue::from_str(&file.content_type) {
        response.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("private, no-store"),
    );
    response
}

/// Another photo for the caller's claim while it waits for the shop's answer (at most 4 a
/// claim). The body is the image itself (JPEG, PNG or WebP, at most 10 MB); it is kept
/// without its metadata, for the shopper, the shop's owner and admins to see.
#[utoipa::path(post, path = "/v1/claims/{id}/photos", tag = "ordering", security(("bearer" = [])),
    request_body(content = Vec<u8>, content_type = "image/jpeg", description = "The image's bytes: image/jpeg, image/png or image/webp, at most 10 MB."),
    responses((status = 201, body = ClaimPhoto), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 413, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem)))]
async fn add_claim_photo(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<ClaimPhoto>), ApiError> {
    require_photo_type(&headers)?;
    let photo =
        claims::add_photo(&state.db, state.store.as_ref(), &session.account, &id, body).await?;
    Ok((StatusCode::CREATED, Json(photo)))
}

/// A claim's photo: for the claim's shopper, its shop's owner and admins; anyone else is
/// told it does not exist.
#[utoipa::path(get, path = "/v1/claims/{id}/photos/{photo_id}", tag = "ordering", security(("bearer" = [])),
    responses((status = 200, content_type = "image/jpeg", body = Vec<u8>), (status = 404, body = Problem)))]
async fn read_claim_photo(
    State(state): State<AppState>,
    session: Session,
    Path((id, photo_id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let file = claims::read_photo(
        &state.db,
        state.store.as_ref(),
        &session.account,
        &id,
        &photo_id,
    )
    .await?;
    Ok(private_file(file))
}
