//! A listing's photos: uploaded as the image's own bytes, taken off again.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use golmok_catalog::{Listing, photos};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, Problem};
use crate::extract::Session;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(add_photo))
        .routes(routes!(delete_photo))
        // A photo may be up to 10 MB. A somewhat larger one is read whole and then refused
        // with 413 as a problem (cutting the upload off mid-way would leave the client a
        // broken connection instead of an answer); only a far larger body is cut off.
        .layer(DefaultBodyLimit::max(4 * golmok_storage::photo::MAX_BYTES))
}

const PHOTO_TYPES: [&str; 3] = ["image/jpeg", "image/png", "image/webp"];

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
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !PHOTO_TYPES.iter().any(|t| content_type.starts_with(t)) {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the photo's own bytes as image/jpeg, image/png or image/webp",
        ));
    }
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
