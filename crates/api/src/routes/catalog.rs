//! HTTP for `golmok-catalog`: agencies, merchants, consortia, listings and campaigns.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use golmok_catalog::{
    Agency, Campaign, CampaignPatch, CampaignQuery, Consortium, ConsortiumPatch, Listing,
    ListingPatch, ListingQuery, MembershipEvent, Merchant, MerchantPatch, NearbyMerchant,
    NewAgency, NewCampaign, NewConsortium, NewListing, NewMerchant, agency, campaign, consortium,
    listing, merchant,
};
use golmok_core::{Coordinates, Page, page};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use golmok_catalog::membership::Candidate;

use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiQuery, Session};
use crate::routes::lists::Items;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_agency, list_agencies))
        .routes(routes!(get_agency, update_agency))
        .routes(routes!(assign_coordinator))
        .routes(routes!(create_merchant, list_merchants))
        .routes(routes!(get_merchant, update_merchant))
        .routes(routes!(create_consortium, list_consortia))
        .routes(routes!(get_consortium, update_consortium))
        .routes(routes!(add_member))
        .routes(routes!(remove_member))
        .routes(routes!(membership_history))
        .routes(routes!(member_candidates))
        .routes(routes!(create_listing, merchant_listings))
        .routes(routes!(get_listing, update_listing, archive_listing))
        .routes(routes!(list_listings))
        .routes(routes!(create_campaign, list_campaigns))
        .routes(routes!(get_campaign, update_campaign))
        .routes(routes!(cancel_campaign))
}

/// `lat,lon`, as in `?near=37.5665,126.9780`.
fn parse_near(near: &str) -> Result<Coordinates, ApiError> {
    let invalid =
        || ApiError::invalid_field("near", "must be `lat,lon`, for example 37.5665,126.9780");
    let (lat, lon) = near.split_once(',').ok_or_else(invalid)?;
    let coordinates = Coordinates {
        lat: lat.trim().parse().map_err(|_| invalid())?,
        lon: lon.trim().parse().map_err(|_| invalid())?,
    };
    let mut errors = golmok_core::ValidationErrors::new();
    coordinates.validate("near", &mut errors);
    errors.into_result()?;
    Ok(coordinates)
}

// ---- agencies -------------------------------------------------------------------------

/// Create the metropolitan agency or a regional agency with its districts.
#[utoipa::path(post, path = "/v1/agencies", tag = "catalog", security(("bearer" = [])),
    request_body = NewAgency,
    responses((status = 201, body = Agency), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create_agency(
    State(state): State<AppState>,
    session: Session,
    ApiJson(body): ApiJson<NewAgency>,
) -> Result<(StatusCode, Json<Agency>), ApiError> {
    let created = agency::create_agency(&state.db, &session.account, body).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[utoipa::path(get, path = "/v1/agencies", tag = "catalog", responses((status = 200, body = Items<Agency>)))]
async fn list_agencies(State(state): State<AppState>) -> Result<Json<Items<Agency>>, ApiError> {
    Ok(Json(Items::all(agency::list_agencies(&state.db).await?)))
}

#[utoipa::path(get, path = "/v1/agencies/{id}", tag = "catalog",
    responses((status = 200, body = Agency), (status = 404, body = Problem)))]
async fn get_agency(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Agency>, ApiError> {
    Ok(Json(agency::get_agency(&state.db, &id).await?))
}

/// Rename an agency, or change the districts a regional one runs (given whole): 409
/// `district_taken` for another agency's district, `district_has_consortia` for giving up one
/// where it still runs consortia.
#[utoipa::path(patch, path = "/v1/agencies/{id}", tag = "catalog", security(("bearer" = [])),
    request_body = agency::AgencyChanges,
    responses((status = 200, body = Agency), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update_agency(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<agency::AgencyChanges>,
) -> Result<Json<Agency>, ApiError> {
    Ok(Json(
        agency::update_agency(&state.db, &session.account, &id, body).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CoordinatorAssignment {
    pub account_id: String,
}

/// Make a coordinator account act for this agency.
#[utoipa::path(post, path = "/v1/agencies/{id}/coordinators", tag = "catalog", security(("bearer" = [])),
    request_body = CoordinatorAssignment,
    responses((status = 200, body = Agency), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn assign_coordinator(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CoordinatorAssignment>,
) -> Result<Json<Agency>, ApiError> {
    Ok(Json(
        agency::assign_coordinator(&state.db, &session.account, &id, &body.account_id).await?,
    ))
}

// ---- merchants ------------------------------------------------------------------------

/// Register a shop or social-economy enterprise owned by the calling merchant account.
#[utoipa::path(post, path = "/v1/merchants", tag = "catalog", security(("bearer" = [])),
    request_body = NewMerchant,
    responses((status = 201, body = Merchant), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn create_merchant(
    State(state): State<AppState>,
    session: Session,
    ApiJson(body): ApiJson<NewMerchant>,
) -> Result<(StatusCode, Json<Merchant>), ApiError> {
    let created = merchant::create_merchant(&state.db, &session.account, body).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[utoipa::path(get, path = "/v1/merchants/{id}", tag = "catalog",
    responses((status = 200, body = Merchant), (status = 404, body = Problem)))]
async fn get_merchant(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Merchant>, ApiError> {
    Ok(Json(merchant::get_merchant(&state.db, &id).await?))
}

/// Edit a merchant (its owner or an admin).
#[utoipa::path(patch, path = "/v1/merchants/{id}", tag = "catalog", security(("bearer" = [])),
    request_body = MerchantPatch,
    responses((status = 200, body = Merchant), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn update_merchant(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<MerchantPatch>,
) -> Result<Json<Merchant>, ApiError> {
    Ok(Json(
        merchant::update_merchant(&state.db, state.cache.as_ref(), &session.account, &id, body)
            .await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MerchantListParams {
    /// `lat,lon`: only merchants within `radius_m`, nearest first, each with `distance_m`.
    near: Option<String>,
    /// Metres around `near`, 1 to 50,000; 3,000 when absent.
    radius_m: Option<f64>,
    owner_id: Option<String>,
    limit: Option<u64>,
    cursor: Option<String>,
}

/// One list shape for both ways of listing merchants (an empty list of either is the same
/// document, so the schema must not tell them apart).
pub type MerchantList = Page<MerchantRow>;

/// A merchant, with how far it is when the list was asked for near a point.
#[derive(Debug, Serialize, ToSchema)]
pub struct MerchantRow {
    #[serde(flatten)]
    pub merchant: Merchant,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_m: Option<f64>,
}

impl From<NearbyMerchant> for MerchantRow {
    fn from(m: NearbyMerchant) -> Self {
        Self {
            merchant: m.merchant,
            distance_m: Some(m.distance_m),
        }
    }
}

impl From<Merchant> for MerchantRow {
    fn from(merchant: Merchant) -> Self {
        Self {
            merchant,
            distance_m: None,
        }
    }
}

/// Merchants: near a point (nearest first, with `distance_m`), or all in creation order.
#[utoipa::path(get, path = "/v1/merchants", tag = "catalog", params(MerchantListParams),
    responses((status = 200, body = Page<MerchantRow>), (status = 422, body = Problem)))]
async fn list_merchants(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<MerchantListParams>,
) -> Result<Json<MerchantList>, ApiError> {
    let limit = page::limit(params.limit)?;
    match params.near {
        Some(near) => {
            let center = parse_near(&near)?;
            let radius = params.radius_m.unwrap_or(3_000.0);
            if !(1.0..=listing::MAX_RADIUS_M).contains(&radius) {
                return Err(ApiError::invalid_field(
                    "radius_m",
                    "must be from 1 to 50000 metres",
                ));
            }
            let found = merchant::merchants_near(
                &state.db,
                center,
                radius,
                limit,
                params.cursor.as_deref(),
            )
            .await?;
            Ok(Json(found.map(MerchantRow::from)))
        }
        None => {
            let found = merchant::list_merchants(
                &state.db,
                params.owner_id.as_deref(),
                limit,
                params.cursor.as_deref(),
            )
            .await?;
            Ok(Json(found.map(MerchantRow::from)))
        }
    }
}

// ---- consortia ------------------------------------------------------------------------

/// Form a consortium in a district of the coordinator's agency; it starts `forming`. A
/// network named must reach the district (422 on `network_id`).
#[utoipa::path(post, path = "/v1/consortia", tag = "catalog", security(("bearer" = [])),
    request_body = NewConsortium,
    responses((status = 201, body = Consortium), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn create_consortium(
    State(state): State<AppState>,
    session: Session,
    ApiJson(body): ApiJson<NewConsortium>,
) -> Result<(StatusCode, Json<Consortium>), ApiError> {
    let created = golmok_programme::consortia::form(&state.db, &session.account, body).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ConsortiumListParams {
    /// 마포구, Mapo-gu or 11140.
    district: Option<String>,
    limit: Option<u64>,
    cursor: Option<String>,
}

#[utoipa::path(get, path = "/v1/consortia", tag = "catalog", params(ConsortiumListParams),
    responses((status = 200, body = Page<Consortium>)))]
async fn list_consortia(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<ConsortiumListParams>,
) -> Result<Json<Page<Consortium>>, ApiError> {
    let limit = page::limit(params.limit)?;
    Ok(Json(
        consortium::list_consortia(
            &state.db,
            params.district.as_deref(),
            limit,
            params.cursor.as_deref(),
        )
        .await?,
    ))
}

#[utoipa::path(get, path = "/v1/consortia/{id}", tag = "catalog",
    responses((status = 200, body = Consortium), (status = 404, body = Problem)))]
async fn get_consortium(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Consortium>, ApiError> {
    Ok(Json(
        consortium::get_consortium(&state.db, state.cache.as_ref(), &id).await?,
    ))
}

/// Rename a consortium, tie it to a co-delivery network reaching its district (422 on
/// `network_id` otherwise), or (admins) set its commission.
#[utoipa::path(patch, path = "/v1/consortia/{id}", tag = "catalog", security(("bearer" = [])),
    request_body = ConsortiumPatch,
    responses((status = 200, body = Consortium), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn update_consortium(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ConsortiumPatch>,
) -> Result<Json<Consortium>, ApiError> {
    Ok(Json(
        golmok_programme::consortia::change(
            &state.db,
            state.cache.as_ref(),
            &session.account,
            &id,
            body,
        )
        .await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMember {
    pub merchant_id: String,
}

/// Admit a merchant; the consortium becomes `active` at five members with both a small
/// business and a social-economy enterprise.
#[utoipa::path(post, path = "/v1/consortia/{id}/members", tag = "catalog", security(("bearer" = [])),
    request_body = NewMember,
    responses((status = 201, body = Consortium), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn add_member(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewMember>,
) -> Result<(StatusCode, Json<Consortium>), ApiError> {
    let updated = consortium::add_member(
        &state.db,
        state.cache.as_ref(),
        &session.account,
        &id,
        &body.merchant_id,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(updated)))
}

/// Remove a member; the consortium may fall back to `forming`.
#[utoipa::path(delete, path = "/v1/consortia/{id}/members/{merchant_id}", tag = "catalog", security(("bearer" = [])),
    responses((status = 200, body = Consortium), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn remove_member(
    State(state): State<AppState>,
    session: Session,
    Path((id, merchant_id)): Path<(String, String)>,
) -> Result<Json<Consortium>, ApiError> {
    Ok(Json(
        consortium::remove_member(
            &state.db,
            state.cache.as_ref(),
            &session.account,
            &id,
            &merchant_id,
        )
        .await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CandidateParams {
    /// Shops whose name holds this, instead of the shops near the members.
    q: Option<String>,
}

/// The shops that could join: within 3 km of the members, nearest first (the newest shops
/// while there is no member), or those a name finds; at most 30, each with how many consortia
/// it already sells in. For those who manage the consortium.
#[utoipa::path(get, path = "/v1/consortia/{id}/member-candidates", tag = "catalog", security(("bearer" = [])),
    params(CandidateParams),
    responses((status = 200, body = Items<Candidate>), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn member_candidates(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    ApiQuery(params): ApiQuery<CandidateParams>,
) -> Result<Json<Items<Candidate>>, ApiError> {
    Ok(Json(Items::all(
        golmok_catalog::membership::member_candidates(
            &state.db,
            state.cache.as_ref(),
            &session.account,
            &id,
            params.q.as_deref(),
        )
        .await?,
    )))
}

/// Who admitted or removed which member, and when.
#[utoipa::path(get, path = "/v1/consortia/{id}/membership-events", tag = "catalog",
    responses((status = 200, body = Items<MembershipEvent>), (status = 404, body = Problem)))]
async fn membership_history(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Items<MembershipEvent>>, ApiError> {
    Ok(Json(Items::all(
        consortium::membership_history(&state.db, &id).await?,
    )))
}

// ---- listings -------------------------------------------------------------------------

/// Add a listing to the owner's merchant.
#[utoipa::path(post, path = "/v1/merchants/{id}/listings", tag = "catalog", security(("bearer" = [])),
    request_body = NewListing,
    responses((status = 201, body = Listing), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn create_listing(
    State(state): State<AppState>,
    session: Session,
    Path(merchant_id): Path<String>,
    ApiJson(body): ApiJson<NewListing>,
) -> Result<(StatusCode, Json<Listing>), ApiError> {
    let created = listing::create_listing(&state.db, &session.account, &merchant_id, body).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OwnListingsParams {
    /// Only listings in this status; every status when absent.
    status: Option<golmok_catalog::ListingStatus>,
}

/// The owner's listings in every status (drafts and archived ones too), or in one: the
/// shop's own view, for its owner (or an admin).
#[utoipa::path(get, path = "/v1/merchants/{id}/listings", tag = "catalog", security(("bearer" = [])),
    params(OwnListingsParams),
    responses((status = 200, body = Items<Listing>), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn merchant_listings(
    State(state): State<AppState>,
    session: Session,
    Path(merchant_id): Path<String>,
    ApiQuery(params): ApiQuery<OwnListingsParams>,
) -> Result<Json<Items<Listing>>, ApiError> {
    let own = listing::merchant_listings(&state.db, &session.account, &merchant_id, params.status)
        .await?;
    Ok(Json(Items::all(own)))
}

/// A listing in any status; archived ones stay readable for past orders.
#[utoipa::path(get, path = "/v1/listings/{id}", tag = "catalog",
    responses((status = 200, body = Listing), (status = 404, body = Problem)))]
async fn get_listing(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<axum::response::Response, ApiError> {
    Ok(json_body(
        listing::get_listing_json(&state.db, state.cache.as_ref(), &id).await?,
    ))
}

/// JSON already serialised (kept so in the cache), as the response.
fn json_body(body: String) -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}

#[utoipa::path(patch, path = "/v1/listings/{id}", tag = "catalog", security(("bearer" = [])),
    request_body = ListingPatch,
    responses((status = 200, body = Listing), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update_listing(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ListingPatch>,
) -> Result<Json<Listing>, ApiError> {
    Ok(Json(
        listing::update_listing(&state.db, state.cache.as_ref(), &session.account, &id, body)
            .await?,
    ))
}

/// Archive a listing: out of lists and search, still readable by id.
#[utoipa::path(delete, path = "/v1/listings/{id}", tag = "catalog", security(("bearer" = [])),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn archive_listing(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    listing::archive_listing(&state.db, state.cache.as_ref(), &session.account, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListingListParams {
    /// Korean or English text; ranks by relevance.
    q: Option<String>,
    consortium_id: Option<String>,
    merchant_id: Option<String>,
    refill: Option<bool>,
    /// `lat,lon`: only listings of merchants within `radius_m`.
    near: Option<String>,
    /// Metres around `near`, 1 to 50,000; 3,000 when absent.
    radius_m: Option<f64>,
    campaign_id: Option<String>,
    /// Only listings featured in a campaign running now.
    active_campaign: Option<bool>,
    limit: Option<u64>,
    cursor: Option<String>,
}

/// Active listings: search, filter and page.
#[utoipa::path(get, path = "/v1/listings", tag = "catalog", params(ListingListParams),
    responses((status = 200, body = Page<Listing>), (status = 422, body = Problem)))]
async fn list_listings(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<ListingListParams>,
) -> Result<axum::response::Response, ApiError> {
    let near = match params.near.as_deref() {
        Some(near) => Some((parse_near(near)?, params.radius_m.unwrap_or(3_000.0))),
        None => None,
    };
    let query = ListingQuery {
        q: params.q,
        consortium_id: params.consortium_id,
        merchant_id: params.merchant_id,
        refill: params.refill,
        near,
        campaign_id: params.campaign_id,
        in_campaign_at: params.active_campaign.filter(|a| *a).map(|_| Utc::now()),
        limit: page::limit(params.limit)?,
        cursor: params.cursor,
    };
    Ok(json_body(
        golmok_catalog::read_cache::search_page(&state.db, state.cache.as_ref(), &query).await?,
    ))
}

// ---- campaigns ------------------------------------------------------------------------

/// A refill market, alley festival or promotion of a consortium.
#[utoipa::path(post, path = "/v1/campaigns", tag = "catalog", security(("bearer" = [])),
    request_body = NewCampaign,
    responses((status = 201, body = Campaign), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn create_campaign(
    State(state): State<AppState>,
    session: Session,
    ApiJson(body): ApiJson<NewCampaign>,
) -> Result<(StatusCode, Json<Campaign>), ApiError> {
    let created = campaign::create_campaign(&state.db, &session.account, body).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CampaignListParams {
    consortium_id: Option<String>,
    /// RFC 3339: only campaigns running at that instant.
    active_at: Option<DateTime<Utc>>,
    limit: Option<u64>,
    cursor: Option<String>,
}

#[utoipa::path(get, path = "/v1/campaigns", tag = "catalog", params(CampaignListParams),
    responses((status = 200, body = Page<Campaign>), (status = 422, body = Problem)))]
async fn list_campaigns(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<CampaignListParams>,
) -> Result<Json<Page<Campaign>>, ApiError> {
    let query = CampaignQuery {
        consortium_id: params.consortium_id,
        active_at: params.active_at,
        limit: page::limit(params.limit)?,
        cursor: params.cursor,
    };
    Ok(Json(campaign::list_campaigns(&state.db, &query).await?))
}

/// A campaign: its time, place, featured listings and (a promotion) its discount.
#[utoipa::path(get, path = "/v1/campaigns/{id}", tag = "catalog",
    responses((status = 200, body = Campaign), (status = 404, body = Problem)))]
async fn get_campaign(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Campaign>, ApiError> {
    Ok(Json(campaign::get_campaign(&state.db, &id).await?))
}

/// Change a campaign's title, time, place, featured listings or discount.
#[utoipa::path(patch, path = "/v1/campaigns/{id}", tag = "catalog", security(("bearer" = [])),
    request_body = CampaignPatch,
    responses((status = 200, body = Campaign), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update_campaign(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CampaignPatch>,
) -> Result<Json<Campaign>, ApiError> {
    Ok(Json(
        campaign::update_campaign(&state.db, state.cache.as_ref(), &session.account, &id, body)
            .await?,
    ))
}

/// Call a campaign off: it runs no more, and a promotion's prices are the listings' own
/// again.
#[utoipa::path(post, path = "/v1/campaigns/{id}/cancel", tag = "catalog", security(("bearer" = [])),
    responses((status = 200, body = Campaign), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn cancel_campaign(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Json<Campaign>, ApiError> {
    Ok(Json(
        campaign::cancel_campaign(&state.db, &session.account, &id).await?,
    ))
}
