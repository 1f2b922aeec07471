//! Alley pages and stamp tours: the public pages (a tour's story, photos and walking route on
//! a map; a visitor's stamps and coupon), the page a shop's QR code opens to take its stamp,
//! and for coordinators the consortium's tours with a form for a new one and the shops' QR
//! posters.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use golmok_core::DomainError;
use golmok_programme::tours::{self, NewStop, NewTour, Progress, StampCode, Tour, TourKind};

use super::programme::{Fields, coordinator, field_errors, one};
use super::{Chrome, encode, render_with, see_other};
use crate::Pages;
use crate::error::PageError;
use crate::format;
use crate::session::{CsrfForm, Visitor};

#[derive(Template)]
#[template(path = "tours.html")]
struct ToursPage {
    c: Chrome,
    tours: Vec<Tour>,
}

/// `GET /tours`: every published alley page and stamp tour.
pub async fn list(State(pages): State<Pages>, visitor: Visitor) -> Result<Response, PageError> {
    let tours = tours::published_tours(&pages.db).await?;
    render_with(
        axum::http::StatusCode::OK,
        &ToursPage {
            tours,
            c: Chrome::load(&pages, &visitor).await?,
        },
    )
}

#[derive(Template)]
#[template(path = "tour.html")]
struct TourPage {
    c: Chrome,
    tour: Tour,
    /// `[lat, lon, number, "pickup", stamped]` per stop, for the route map.
    stops_json: String,
    tile_url: String,
    progress: Option<Progress>,
    coupon: String,
    days: String,
}

/// `GET /tours/{id}`: the public page.
pub async fn show(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let tour = tours::get_tour(&pages.db, visitor.account.as_ref(), &id).await?;
    let progress = match (&visitor.account, tour.kind) {
        (Some(a), TourKind::StampTour) => Some(tours::progress(&pages.db, a, &id).await?),
        _ => None,
    };
    let stamped = |m: &str| {
        progress
            .as_ref()
            .is_some_and(|p| p.stamped.iter().any(|s| s == m))
    };
    let stops_json = serde_json::to_string(
        &tour
            .stops
            .iter()
            .map(|s| {
                serde_json::json!([
                    s.location.lat,
                    s.location.lon,
                    s.position,
                    "pickup",
                    stamped(&s.merchant_id)
                ])
            })
            .collect::<Vec<_>>(),
    )
    .unwrap_or_default();
    let lang = visitor.lang;
    let days = match (tour.starts_on, tour.ends_on) {
        (Some(s), Some(e)) => format!("{s} – {e}"),
        (Some(s), None) => format!("{s} –"),
        (None, Some(e)) => format!("– {e}"),
        (None, None) => String::new(),
    };
    render_with(
        axum::http::StatusCode::OK,
        &TourPage {
            coupon: format::won(lang, tour.coupon_krw),
            stops_json,
            tile_url: pages.settings.map_tile_url.clone().unwrap_or_default(),
            progress,
            tour,
            days,
            c: Chrome::load(&pages, &visitor).await?,
        },
    )
}

#[derive(Template)]
#[template(path = "tour_stamp.html")]
struct StampPage {
    c: Chrome,
    tour: Tour,
    code: String,
    shop: Option<String>,
    error: Option<String>,
    signed_in: bool,
}

/// The shop a code names, if it is on the route (whether the code is genuine is checked when
/// the stamp is taken).
fn shop_named(tour: &Tour, code: &str) -> Option<String> {
    let (merchant_id, _) = code.rsplit_once('.')?;
    tour.stops
        .iter()
        .find(|s| s.merchant_id == merchant_id)
        .map(|s| s.name.clone())
}

async fn stamp_page(
    pages: &Pages,
    visitor: &Visitor,
    id: &str,
    code: String,
    error: Option<String>,
) -> Result<Response, PageError> {
    let tour = tours::get_tour(&pages.db, visitor.account.as_ref(), id).await?;
    let status = super::refused_if(error.is_some());
    render_with(
        status,
        &StampPage {
            shop: shop_named(&tour, &code),
            tour,
            code,
            error,
            signed_in: visitor.account.is_some(),
            c: Chrome::load(pages, visitor).await?,
        },
    )
}

/// `GET /tours/{id}/stamp/{code}`: what a shop's QR code opens; taking the stamp is a POST.
pub async fn stamp_form(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path((id, code)): Path<(String, String)>,
) -> Result<Response, PageError> {
    stamp_page(&pages, &visitor, &id, code, None).await
}

/// `POST /tours/{id}/stamp/{code}`: the stamp taken; back to the tour's page with it.
pub async fn take_stamp(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path((id, code)): Path<(String, String)>,
    CsrfForm { .. }: CsrfForm<Fields>,
) -> Result<Response, PageError> {
    let account = visitor
        .account
        .as_ref()
        .ok_or_else(|| PageError::SignIn(visitor.here.clone()))?;
    let request = tours::StampRequest { code: code.clone() };
    match tours::stamp(&pages.db, account, &id, request).await {
        Ok(_) => Ok(see_other(&format!("/tours/{}#progress", encode(&id)))),
        Err(DomainError::Invalid(v)) => {
            stamp_page(&pages, &visitor, &id, code, Some(v.to_string())).await
        }
        Err(DomainError::Conflict { detail, .. }) => {
            stamp_page(&pages, &visitor, &id, code, Some(detail)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "programme_tours.html")]
struct ProgrammeToursPage {
    c: Chrome,
    consortium_id: String,
    consortium_name: String,
    tours: Vec<Tour>,
    members: Vec<(String, String)>,
    errors: BTreeMap<String, String>,
}

async fn programme_tours_page(
    pages: &Pages,
    visitor: &Visitor,
    id: &str,
    errors: BTreeMap<String, String>,
) -> Result<Response, PageError> {
    let account = coordinator(visitor)?;
    golmok_programme::access::require_consortium(
        &pages.db,
        account,
        id,
        golmok_programme::access::Standing::Reads,
    )
    .await?;
    let c = golmok_catalog::consortium::get_consortium(&pages.db, pages.cache.as_ref(), id).await?;
    let tours = tours::tours_of(&pages.db, Some(account), id).await?;
    let status = super::refused_if(!errors.is_empty());
    render_with(
        status,
        &ProgrammeToursPage {
            consortium_id: c.id,
            consortium_name: c.name,
            members: c
                .members
                .into_iter()
                .map(|m| (m.merchant_id, m.name))
                .collect(),
            tours,
            errors,
            c: Chrome::load(pages, visitor).await?,
        },
    )
}

/// `GET /programme/consortia/{id}/tours`.
pub async fn programme_tours(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    programme_tours_page(&pages, &visitor, &id, BTreeMap::new()).await
}

/// `POST /programme/consortia/{id}/tours`: the route is the shops given a number, in the
/// order of their numbers.
pub async fn create(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(id): Path<String>,
    CsrfForm { form, .. }: CsrfForm<Fields>,
) -> Result<Response, PageError> {
    let account = coordinator(&visitor)?;
    let t = visitor.lang.texts();
    let mut errors = BTreeMap::new();
    let kind = TourKind::parse(one(&form, "kind"));
    if kind.is_none() {
        errors.insert("kind".into(), t.err_check_field.to_owned());
    }
    let coupon = match one(&form, "coupon_krw").replace(',', "") {
        empty if empty.is_empty() => Some(0),
        typed => typed.parse::<i64>().ok(),
    };
    if coupon.is_none() {
        errors.insert("coupon_krw".into(), t.err_check_field.to_owned());
    }
    let date = |name: &str, errors: &mut BTreeMap<String, String>| match one(&form, name) {
        "" => None,
        typed => {
            let parsed = typed.parse::<chrono::NaiveDate>().ok();
            if parsed.is_none() {
                errors.insert(name.into(), t.err_check_field.to_owned());
            }
            parsed
        }
    };
    let starts_on = date("starts_on", &mut errors);
    let ends_on = date("ends_on", &mut errors);
    let mut numbered: Vec<(i64, String)> = form
        .iter()
        .filter_map(|(k, v)| {
            let merchant = k.strip_prefix("order_")?;
            let n = v.trim().parse::<i64>().ok()?;
            Some((n, merchant.to_owned()))
        })
        .collect();
    numbered.sort();
    let (Some(kind), Some(coupon_krw), true) = (kind, coupon, errors.is_empty()) else {
        return programme_tours_page(&pages, &visitor, &id, errors).await;
    };
    let new = NewTour {
        kind,
        title: one(&form, "title").to_owned(),
        story: one(&form, "story").to_owned(),
        starts_on,
        ends_on,
        coupon_krw,
        stops: numbered
            .into_iter()
            .map(|(_, merchant_id)| NewStop {
                note: one(&form, &format!("note_{merchant_id}")).to_owned(),
                merchant_id,
            })
            .collect(),
        published: true,
    };
    match tours::create_tour(&pages.db, account, &id, new).await {
        Ok(tour) => Ok(see_other(&format!("/tours/{}", encode(&tour.id)))),
        Err(e) => {
            let errors = field_errors(e)?;
            programme_tours_page(&pages, &visitor, &id, errors).await
        }
    }
}

#[derive(Template)]
#[template(path = "tour_codes.html")]
struct CodesPage {
    c: Chrome,
    tour: Tour,
    codes: Vec<Poster>,
}

/// One shop's poster: the address its code opens (whole, and the path on this server), and
/// the code drawn as SVG.
struct Poster {
    name: String,
    path: String,
    address: String,
    svg: String,
}

fn qr_svg(text: &str) -> Result<String, PageError> {
    let code = qrcode::QrCode::new(text.as_bytes())
        .map_err(|e| PageError::from(DomainError::internal(format!("a QR code: {e}"))))?;
    Ok(code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(180, 180)
        .quiet_zone(true)
        .build())
}

/// `GET /tours/{id}/codes`: the shops' QR posters, to print (the consortium's coordinators:
/// every shop; a member shop's owner: its own).
pub async fn codes(
    State(pages): State<Pages>,
    visitor: Visitor,
    headers: axum::http::HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let account = visitor
        .account
        .as_ref()
        .ok_or_else(|| PageError::SignIn(visitor.here.clone()))?;
    let tour = tours::get_tour(&pages.db, Some(account), &id).await?;
    let signed: Vec<StampCode> = tours::stamp_codes(&pages.db, account, &id).await?;
    // The poster carries the whole address a phone's camera opens.
    let base = super::public_base(&pages, &headers);
    let mut codes = Vec::new();
    for s in signed {
        let address = format!("{base}{}", s.path);
        let svg = qr_svg(&address)?;
        codes.push(Poster {
            name: s.name,
            path: s.path,
            address,
            svg,
        });
    }
    render_with(
        axum::http::StatusCode::OK,
        &CodesPage {
            tour,
            codes,
            c: Chrome::load(&pages, &visitor).await?,
        },
    )
}

pub fn routes() -> axum::Router<crate::Pages> {
    use axum::routing::get;
    axum::Router::new()
        .route("/tours", get(list))
        .route("/tours/{id}", get(show))
        .route("/tours/{id}/codes", get(codes))
        .route("/tours/{id}/stamp/{code}", get(stamp_form).post(take_stamp))
        .route(
            "/programme/consortia/{id}/tours",
            get(programme_tours).post(create),
        )
}
