//! Browsing: the home page, a consortium, a shop, a listing, search.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use chrono::Utc;
use golmok_catalog::{
    CampaignKind, CampaignQuery, Consortium, ConsortiumStatus, ContainerPolicy, Listing,
    ListingQuery, ListingStatus, Merchant,
};
use golmok_core::Coordinates;
use serde::Deserialize;

use super::{Chrome, render};
use crate::Pages;
use crate::error::PageError;
use crate::format;
use crate::i18n::Lang;
use crate::session::Visitor;

/// A consortium as the home page lists it.
pub struct ConsortiumCard {
    pub id: String,
    pub name: String,
    pub district: String,
    pub active: bool,
    pub members: usize,
    pub distance: Option<String>,
}

pub struct CampaignCard {
    pub title: String,
    pub kind: &'static str,
    pub refill: bool,
    pub consortium_name: String,
    pub until: String,
    pub link: String,
    /// Where a festival or market is held, and its map app page when pinned.
    pub place: Option<String>,
    pub map_link: Option<String>,
}

/// A listing in a grid of goods.
pub struct ListingCard {
    pub id: String,
    pub title: String,
    pub shop_id: String,
    pub shop_name: String,
    pub price: String,
    pub per_hundred: Option<String>,
    pub refill: bool,
    pub sold_out: bool,
    /// The first photo's list size, when the shop added one.
    pub photo: Option<String>,
}

/// Shop names for a page of listings, one lookup per shop.
async fn listing_cards(
    pages: &Pages,
    lang: Lang,
    listings: &[Listing],
) -> Result<Vec<ListingCard>, PageError> {
    let mut ids: Vec<String> = listings.iter().map(|l| l.merchant_id.clone()).collect();
    ids.sort();
    ids.dedup();
    let names: HashMap<String, String> = golmok_catalog::merchant::merchants_in(&pages.db, &ids)
        .await?
        .into_iter()
        .map(|m| (m.id, m.name))
        .collect();
    let mut out = Vec::with_capacity(listings.len());
    for l in listings {
        out.push(ListingCard {
            id: l.id.clone(),
            title: l.title.clone(),
            shop_id: l.merchant_id.clone(),
            shop_name: names.get(&l.merchant_id).cloned().unwrap_or_default(),
            price: format::listing_price(lang, l),
            per_hundred: format::per_hundred(lang, l),
            refill: l.refill,
            sold_out: l.stock <= 0,
            photo: l.photos.first().map(|p| p.list_url.clone()),
        });
    }
    Ok(out)
}

#[derive(Deserialize)]
pub struct HomeQuery {
    /// `lat,lon` from the browser's location, when the shopper asks for nearby consortia.
    near: Option<String>,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    c: Chrome,
    consortia: Vec<ConsortiumCard>,
    campaigns: Vec<CampaignCard>,
    near: bool,
}

fn parse_near(near: Option<&str>) -> Option<Coordinates> {
    let (lat, lon) = near?.split_once(',')?;
    let at = Coordinates {
        lat: lat.trim().parse().ok()?,
        lon: lon.trim().parse().ok()?,
    };
    let mut errors = golmok_core::ValidationErrors::new();
    at.validate("near", &mut errors);
    errors.0.is_empty().then_some(at)
}

/// Consortia that sell first; with the shopper's location, the nearest (by its nearest
/// member shop) first; then the larger.
async fn ranked_consortia(
    pages: &Pages,
    near: Option<Coordinates>,
) -> Result<Vec<ConsortiumCard>, PageError> {
    let consortia = golmok_catalog::consortium::list_consortia(&pages.db, None, 100, None).await?;
    let distances: HashMap<String, f64> = match near {
        Some(at) => golmok_catalog::merchant::merchants_near(&pages.db, at, 20_000.0, 100, None)
            .await?
            .items
            .into_iter()
            .map(|m| (m.merchant.id, m.distance_m))
            .collect(),
        None => HashMap::new(),
    };
    let mut cards: Vec<(ConsortiumCard, Option<f64>)> = consortia
        .items
        .into_iter()
        .map(|c| {
            let nearest = c
                .members
                .iter()
                .filter_map(|m| distances.get(&m.merchant_id).copied())
                .reduce(f64::min);
            let card = ConsortiumCard {
                distance: nearest.map(|d| format!("{:.1} km", d / 1000.0)),
                active: c.status == ConsortiumStatus::Active,
                members: c.members.len(),
                id: c.id,
                name: c.name,
                district: c.district,
            };
            (card, nearest)
        })
        .collect();
    cards.sort_by(|(a, da), (b, db)| {
        b.active
            .cmp(&a.active)
            .then(da.unwrap_or(f64::MAX).total_cmp(&db.unwrap_or(f64::MAX)))
            .then(b.members.cmp(&a.members))
            .then(a.name.cmp(&b.name))
    });
    Ok(cards.into_iter().map(|(c, _)| c).collect())
}

/// Campaigns running now, refill markets first.
async fn current_campaigns(
    pages: &Pages,
    lang: Lang,
    consortium_id: Option<&str>,
) -> Result<Vec<CampaignCard>, PageError> {
    let t = lang.texts();
    let campaigns = golmok_catalog::campaign::list_campaigns(
        &pages.db,
        &CampaignQuery {
            consortium_id: consortium_id.map(str::to_owned),
            active_at: Some(Utc::now()),
            limit: 50,
            cursor: None,
        },
    )
    .await?;
    let mut names: HashMap<String, String> = HashMap::new();
    let mut cards = Vec::new();
    for c in campaigns.items {
        if !names.contains_key(&c.consortium_id) {
            let consortium = golmok_catalog::consortium::get_consortium(
                &pages.db,
                pages.cache.as_ref(),
                &c.consortium_id,
            )
            .await?;
            names.insert(consortium.id, consortium.name);
        }
        cards.push(CampaignCard {
            kind: format::campaign_kind(t, c.kind),
            refill: c.kind == CampaignKind::RefillMarket,
            consortium_name: names.get(&c.consortium_id).cloned().unwrap_or_default(),
            until: match lang {
                Lang::Ko => format!("{}{}", format::seoul_time(lang, c.ends_at), t.until),
                Lang::En => format!("{} {}", t.until, format::seoul_time(lang, c.ends_at)),
            },
            link: format!("/search?campaign={}", c.id),
            map_link: c
                .location
                .map(|at| format::kakao_map(c.place.as_deref().unwrap_or(&c.title), at)),
            place: c.place,
            title: c.title,
        });
    }
    cards.sort_by_key(|c| !c.refill);
    Ok(cards)
}

pub async fn home(
    State(pages): State<Pages>,
    visitor: Visitor,
    Query(query): Query<HomeQuery>,
) -> Result<Response, PageError> {
    let near = parse_near(query.near.as_deref());
    let page = HomePage {
        consortia: ranked_consortia(&pages, near).await?,
        campaigns: current_campaigns(&pages, visitor.lang, None).await?,
        near: near.is_some(),
        c: Chrome::load(&pages, &visitor).await?,
    };
    render(&page)
}

pub struct MemberCard {
    pub id: String,
    pub name: String,
    pub kind: &'static str,
}

#[derive(Template)]
#[template(path = "consortium.html")]
struct ConsortiumPage {
    c: Chrome,
    consortium: Consortium,
    active: bool,
    members: Vec<MemberCard>,
    campaigns: Vec<CampaignCard>,
    goods: Vec<ListingCard>,
}

async fn active_listings(pages: &Pages, query: ListingQuery) -> Result<Vec<Listing>, PageError> {
    Ok(golmok_catalog::listing::search_listings(&pages.db, &query)
        .await?
        .items)
}

pub async fn consortium(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let t = visitor.lang.texts();
    let consortium =
        golmok_catalog::consortium::get_consortium(&pages.db, pages.cache.as_ref(), &id).await?;
    let listings = active_listings(
        &pages,
        ListingQuery {
            consortium_id: Some(id.clone()),
            limit: 100,
            ..Default::default()
        },
    )
    .await?;
    let page = ConsortiumPage {
        members: consortium
            .members
            .iter()
            .map(|m| MemberCard {
                id: m.merchant_id.clone(),
                name: m.name.clone(),
                kind: format::merchant_kind(t, m.kind),
            })
            .collect(),
        active: consortium.status == ConsortiumStatus::Active,
        campaigns: current_campaigns(&pages, visitor.lang, Some(&id)).await?,
        goods: listing_cards(&pages, visitor.lang, &listings).await?,
        consortium,
        c: Chrome::load(&pages, &visitor).await?,
    };
    render(&page)
}

pub struct HoursLine {
    pub day: String,
    pub hours: String,
}

#[derive(Template)]
#[template(path = "shop.html")]
struct ShopPage {
    c: Chrome,
    merchant: Merchant,
    kind: &'static str,
    hours: Vec<HoursLine>,
    /// Open now or when it opens.
    openness: Option<String>,
    /// The days ahead whose hours differ: date and what they are.
    exceptions: Vec<HoursLine>,
    consortia: Vec<(String, String)>,
    goods: Vec<ListingCard>,
    /// Its owner's account is suspended: its goods are held off sale.
    held: bool,
}

fn opening_hours(lang: Lang, m: &Merchant) -> Vec<HoursLine> {
    let Some(hours) = &m.opening_hours else {
        return Vec::new();
    };
    let days = [
        ("mon", "월", "Mon"),
        ("tue", "화", "Tue"),
        ("wed", "수", "Wed"),
        ("thu", "목", "Thu"),
        ("fri", "금", "Fri"),
        ("sat", "토", "Sat"),
        ("sun", "일", "Sun"),
    ];
    days.iter()
        .map(|(key, ko, en)| HoursLine {
            day: match lang {
                Lang::Ko => (*ko).to_owned(),
                Lang::En => (*en).to_owned(),
            },
            hours: spans_text(lang, hours.0.get(*key).map_or(&[][..], Vec::as_slice)),
        })
        .collect()
}

/// `10:00–13:00, 14:00–19:00`, or closed.
fn spans_text(lang: Lang, spans: &[[String; 2]]) -> String {
    if spans.is_empty() {
        return lang.texts().closed.to_owned();
    }
    spans
        .iter()
        .map(|[from, to]| format!("{from}–{to}"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub async fn shop(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let merchant = golmok_catalog::merchant::get_merchant(&pages.db, &id).await?;
    let mut consortia = Vec::new();
    for cid in golmok_catalog::consortium::consortia_of(&pages.db, &id).await? {
        let c = golmok_catalog::consortium::get_consortium(&pages.db, pages.cache.as_ref(), &cid)
            .await?;
        consortia.push((c.id, c.name));
    }
    let listings = active_listings(
        &pages,
        ListingQuery {
            merchant_id: Some(id.clone()),
            limit: 100,
            ..Default::default()
        },
    )
    .await?;
    let now = chrono::Utc::now();
    let today = now
        .with_timezone(&golmok_catalog::hours::seoul())
        .date_naive();
    let exceptions = merchant
        .hours_exceptions
        .iter()
        .filter(|e| e.date >= today && e.date <= today + chrono::Duration::days(60))
        .map(|e| HoursLine {
            day: match visitor.lang {
                Lang::Ko => e.date.format("%-m월 %-d일").to_string(),
                Lang::En => e.date.format("%-d %b").to_string(),
            },
            hours: spans_text(visitor.lang, &e.spans)
                + &e.note
                    .as_ref()
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default(),
        })
        .collect();
    let page = ShopPage {
        kind: format::merchant_kind(visitor.lang.texts(), merchant.kind),
        hours: opening_hours(visitor.lang, &merchant),
        openness: format::openness(visitor.lang, &merchant, now),
        exceptions,
        goods: listing_cards(&pages, visitor.lang, &listings).await?,
        held: golmok_accounts::find(&pages.db, &merchant.owner_id)
            .await
            .is_ok_and(|owner| owner.suspended_at.is_some()),
        consortia,
        merchant,
        c: Chrome::load(&pages, &visitor).await?,
    };
    render(&page)
}

/// What the listing page's form and texts need.
pub struct ListingView {
    pub id: String,
    pub title: String,
    pub description: String,
    pub shop_id: String,
    pub shop_name: String,
    pub price: String,
    pub per_hundred: Option<String>,
    pub refill: bool,
    pub weighed: bool,
    pub container: Option<String>,
    pub for_sale: bool,
    pub stock: String,
    pub sold_out: bool,
    pub unit: &'static str,
    pub step: i64,
    pub start: i64,
    /// Its photos' page sizes with their width and height, in the shop's order.
    pub photos: Vec<(String, u32, u32)>,
    /// Whether the shop is open now.
    pub openness: Option<String>,
}

impl ListingView {
    pub async fn of(pages: &Pages, lang: Lang, l: &Listing) -> Result<Self, PageError> {
        let t = lang.texts();
        let shop = golmok_catalog::merchant::get_merchant(&pages.db, &l.merchant_id).await?;
        let (step, start) = format::quantity_step(l);
        let openness = format::openness(lang, &shop, chrono::Utc::now());
        Ok(ListingView {
            openness,
            id: l.id.clone(),
            title: l.title.clone(),
            description: l.description.clone(),
            shop_id: shop.id,
            shop_name: shop.name,
            price: format::listing_price(lang, l),
            per_hundred: format::per_hundred(lang, l),
            refill: l.refill,
            weighed: l.unit != golmok_catalog::Unit::Piece,
            container: l.container.map(|c| match c.policy {
                ContainerPolicy::BringYourOwn => t.container_own.to_owned(),
                ContainerPolicy::Deposit => format!(
                    "{} ({} {})",
                    t.container_deposit,
                    t.deposit,
                    format::won(lang, c.deposit_krw.unwrap_or(0))
                ),
            }),
            for_sale: l.status == ListingStatus::Active,
            stock: format::quantity(t, l.unit, l.stock),
            sold_out: l.stock <= 0,
            unit: format::unit_label(t, l.unit),
            step,
            start,
            photos: l
                .photos
                .iter()
                .map(|p| (p.page_url.clone(), p.width, p.height))
                .collect(),
        })
    }
}

#[derive(Template)]
#[template(path = "listing.html")]
pub struct ListingPage {
    pub c: Chrome,
    pub l: ListingView,
    pub added: bool,
    pub error: Option<String>,
    /// Offer to empty the basket (it holds another consortium's goods).
    pub offer_empty: bool,
    pub quantity: String,
}

#[derive(Deserialize)]
pub struct ListingQueryParams {
    added: Option<String>,
}

pub async fn listing(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(id): Path<String>,
    Query(query): Query<ListingQueryParams>,
) -> Result<Response, PageError> {
    let l = golmok_catalog::listing::get_listing(&pages.db, pages.cache.as_ref(), &id).await?;
    if l.status == ListingStatus::Draft {
        return Err(PageError::NotFound);
    }
    let view = ListingView::of(&pages, visitor.lang, &l).await?;
    let page = ListingPage {
        quantity: view.start.to_string(),
        l: view,
        added: query.added.is_some(),
        error: None,
        offer_empty: false,
        c: Chrome::load(&pages, &visitor).await?,
    };
    render(&page)
}

#[derive(Deserialize, Default)]
pub struct SearchParams {
    q: Option<String>,
    refill: Option<String>,
    consortium: Option<String>,
    campaign: Option<String>,
    cursor: Option<String>,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    c: Chrome,
    q: String,
    refill: bool,
    consortium: String,
    campaign: String,
    searched: bool,
    goods: Vec<ListingCard>,
    error: Option<&'static str>,
    next: Option<String>,
}

pub async fn search(
    State(pages): State<Pages>,
    visitor: Visitor,
    Query(params): Query<SearchParams>,
) -> Result<Response, PageError> {
    let t = visitor.lang.texts();
    let q = params.q.clone().unwrap_or_default().trim().to_owned();
    let refill = params
        .refill
        .as_deref()
        .is_some_and(|r| !r.is_empty() && r != "0");
    let non_empty = |s: &Option<String>| s.clone().filter(|s| !s.trim().is_empty());
    let searched =
        !q.is_empty() || refill || params.campaign.is_some() || params.consortium.is_some();
    let query = ListingQuery {
        q: (!q.is_empty()).then(|| q.clone()),
        refill: refill.then_some(true),
        consortium_id: non_empty(&params.consortium),
        campaign_id: non_empty(&params.campaign),
        cursor: non_empty(&params.cursor),
        limit: 30,
        ..Default::default()
    };
    let (goods, next, error) = if searched {
        match golmok_catalog::listing::search_listings(&pages.db, &query).await {
            Ok(found) => {
                let next = found.next_cursor.map(|cursor| {
                    let pairs = [
                        ("q", q.as_str()),
                        ("refill", if refill { "1" } else { "" }),
                        ("consortium", params.consortium.as_deref().unwrap_or("")),
                        ("campaign", params.campaign.as_deref().unwrap_or("")),
                        ("cursor", cursor.as_str()),
                    ];
                    format!(
                        "/search?{}",
                        serde_urlencoded::to_string(pairs).unwrap_or_default()
                    )
                });
                (
                    listing_cards(&pages, visitor.lang, &found.items).await?,
                    next,
                    None,
                )
            }
            Err(golmok_core::DomainError::Invalid(_)) => (Vec::new(), None, Some(t.err_generic)),
            Err(e) => return Err(e.into()),
        }
    } else {
        (Vec::new(), None, None)
    };
    let page = SearchPage {
        q,
        refill,
        consortium: params.consortium.unwrap_or_default(),
        campaign: params.campaign.unwrap_or_default(),
        searched,
        goods,
        error,
        next,
        c: Chrome::load(&pages, &visitor).await?,
    };
    render(&page)
}

/// What anyone may browse: home, consortia, shops, listings and search.
pub fn routes() -> axum::Router<crate::Pages> {
    use axum::routing::get;
    axum::Router::new()
        .route("/", get(home))
        .route("/consortia/{id}", get(consortium))
        .route("/shops/{id}", get(shop))
        .route("/listings/{id}", get(listing))
        .route("/search", get(search))
}
