//! The basket: one across a consortium's shops, grouped by shop, kept between visits.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use golmok_core::DomainError;
use golmok_ordering::basket::Basket;
use serde::Deserialize;

use super::browse::{ListingPage, ListingView};
use super::{Chrome, is_htmx, render, render_with, see_other};
use crate::Pages;
use crate::error::PageError;
use crate::format;
use crate::i18n::Lang;
use crate::session::{CsrfForm, Visitor, local_path};

pub struct LineView {
    pub listing_id: String,
    pub title: String,
    pub quantity: i64,
    pub quantity_text: String,
    pub unit: &'static str,
    pub step: i64,
    pub amount: String,
    /// Under a promotion: the amount at the listing's own price, struck through beside it.
    pub list_amount: Option<String>,
    pub available: bool,
}

pub struct ShopView {
    pub id: String,
    pub name: String,
    pub subtotal: String,
    pub lines: Vec<LineView>,
}

/// The basket as its page and the checkout page show it.
pub struct BasketView {
    pub consortium_id: String,
    pub consortium_name: String,
    pub shops: Vec<ShopView>,
    pub items_total: String,
    pub deposits: Option<String>,
    pub weighed: bool,
    pub all_available: bool,
}

impl BasketView {
    pub fn of(lang: Lang, basket: &Basket) -> Self {
        let t = lang.texts();
        let shops: Vec<ShopView> = basket
            .shops
            .iter()
            .map(|s| ShopView {
                id: s.merchant.id.clone(),
                name: s.merchant.name.clone(),
                subtotal: format::won(lang, s.subtotal_krw),
                lines: s
                    .lines
                    .iter()
                    .map(|l| LineView {
                        listing_id: l.listing.id.clone(),
                        title: l.listing.title.clone(),
                        quantity: l.quantity,
                        quantity_text: format::quantity(t, l.listing.unit, l.quantity),
                        unit: format::unit_label(t, l.listing.unit),
                        step: format::quantity_step(&l.listing).0,
                        amount: format::won(lang, l.amount_krw),
                        list_amount: l.list_amount_krw.map(|a| format::won(lang, a)),
                        available: l.available,
                    })
                    .collect(),
            })
            .collect();
        BasketView {
            consortium_id: basket
                .consortium
                .as_ref()
                .map(|c| c.id.clone())
                .unwrap_or_default(),
            consortium_name: basket
                .consortium
                .as_ref()
                .map(|c| c.name.clone())
                .unwrap_or_default(),
            weighed: basket
                .shops
                .iter()
                .flat_map(|s| &s.lines)
                .any(|l| l.listing.unit != golmok_catalog::Unit::Piece),
            all_available: basket
                .shops
                .iter()
                .flat_map(|s| &s.lines)
                .all(|l| l.available),
            shops,
            items_total: format::won(lang, basket.items_total_krw),
            deposits: (basket.deposits_krw > 0).then(|| format::won(lang, basket.deposits_krw)),
        }
    }
}

#[derive(Template)]
#[template(path = "basket.html")]
struct BasketPage {
    c: Chrome,
    b: BasketView,
    empty: bool,
    error: Option<&'static str>,
    /// After a past order was added again: how many goods came, and how many were not sold.
    note: Option<String>,
    coupons: Vec<CouponView>,
}

/// A coupon the shopper can use on this basket, with what it would take off.
pub struct CouponView {
    pub id: String,
    pub code: String,
    pub off_krw: i64,
    pub off: String,
    /// Checkout takes it: the largest shop's goods come to more than it is worth.
    pub fits: bool,
}

/// The signed-in shopper's coupons usable in the basket's consortium, each with what it takes
/// off and whether the basket takes it (checkout applies it to the largest shop's part, which
/// must come to more than the coupon).
pub async fn usable_coupons(
    pages: &Pages,
    visitor: &Visitor,
    basket: &Basket,
) -> Result<Vec<CouponView>, PageError> {
    let (Some(account), Some(consortium)) = (visitor.account.as_ref(), basket.consortium.as_ref())
    else {
        return Ok(Vec::new());
    };
    let largest = basket
        .shops
        .iter()
        .map(|s| s.subtotal_krw)
        .max()
        .unwrap_or(0);
    Ok(
        golmok_ordering::coupons::usable_in(&pages.db, &account.id, &consortium.id)
            .await?
            .into_iter()
            .map(|c| {
                let off_krw = c.discount_krw;
                CouponView {
                    off: format::won(visitor.lang, off_krw),
                    fits: largest > off_krw,
                    off_krw,
                    id: c.id,
                    code: c.code,
                }
            })
            .collect(),
    )
}

#[derive(Deserialize)]
pub struct ShowQuery {
    /// Goods a past order put back in the basket, and those it could not.
    again: Option<usize>,
    missing: Option<usize>,
}

pub async fn show(
    State(pages): State<Pages>,
    visitor: Visitor,
    Query(query): Query<ShowQuery>,
) -> Result<Response, PageError> {
    let basket =
        golmok_ordering::basket::load(&pages.db, pages.cache.as_ref(), &visitor.basket_owner())
            .await?;
    let t = visitor.lang.texts();
    let note = query
        .again
        .map(|added| match query.missing.filter(|m| *m > 0) {
            Some(missing) => format!("{} {added} · {} {missing}", t.added_again, t.not_sold_now),
            None => format!("{} {added}", t.added_again),
        });
    let page = BasketPage {
        b: BasketView::of(visitor.lang, &basket),
        empty: basket.is_empty(),
        error: None,
        note,
        coupons: usable_coupons(&pages, &visitor, &basket).await?,
        c: Chrome::of(&visitor, basket.line_count()),
    };
    render(&page)
}

#[derive(Deserialize)]
pub struct AddForm {
    listing_id: String,
    quantity: String,
}

#[derive(Template)]
#[template(path = "add_result_fragment.html")]
struct AddResult {
    c: Chrome,
    l: ListingView,
    added: bool,
    error: Option<String>,
    offer_empty: bool,
}

/// Adds goods from a listing page: back to the listing with "added" (303), or only the
/// message and the new basket count when htmx asks.
pub async fn add(
    State(pages): State<Pages>,
    visitor: Visitor,
    headers: HeaderMap,
    CsrfForm { form, .. }: CsrfForm<AddForm>,
) -> Result<Response, PageError> {
    let t = visitor.lang.texts();
    let quantity = form.quantity.trim().parse::<i64>().ok().filter(|q| *q > 0);
    let outcome = match quantity {
        None => Err((StatusCode::UNPROCESSABLE_ENTITY, t.err_quantity, false)),
        Some(q) => match golmok_ordering::basket::add(
            &pages.db,
            pages.cache.as_ref(),
            &visitor.basket_owner(),
            &form.listing_id,
            q,
        )
        .await
        {
            Ok(()) => Ok(()),
            Err(DomainError::Conflict {
                code: "basket_other_consortium",
                ..
            }) => Err((StatusCode::CONFLICT, t.basket_other_consortium, true)),
            Err(DomainError::Conflict { .. }) => Err((StatusCode::CONFLICT, t.not_for_sale, false)),
            Err(DomainError::Invalid(_)) => {
                Err((StatusCode::UNPROCESSABLE_ENTITY, t.err_quantity, false))
            }
            Err(e) => return Err(e.into()),
        },
    };
    if outcome.is_ok() && !is_htmx(&headers) {
        return Ok(see_other(&format!("/listings/{}?added=1", form.listing_id)));
    }
    let listing =
        golmok_catalog::listing::get_listing(&pages.db, pages.cache.as_ref(), &form.listing_id)
            .await?;
    let view = ListingView::of(&pages, visitor.lang, &listing).await?;
    let c = Chrome::load(&pages, &visitor).await?;
    let (status, error, offer_empty) = match outcome {
        Ok(()) => (StatusCode::OK, None, false),
        Err((status, message, offer)) => (status, Some(message.to_owned()), offer),
    };
    if is_htmx(&headers) {
        // htmx swaps only 2xx answers by default; a refusal is still a message to show.
        return render(&AddResult {
            c,
            l: view,
            added: error.is_none(),
            error,
            offer_empty,
        });
    }
    render_with(
        status,
        &ListingPage {
            c,
            quantity: form.quantity,
            l: view,
            added: false,
            error,
            offer_empty,
        },
    )
}

#[derive(Deserialize)]
pub struct ChangeForm {
    quantity: String,
}

/// Changes a line's quantity (0 removes it), then back to the basket.
pub async fn change(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(listing_id): Path<String>,
    CsrfForm { form, .. }: CsrfForm<ChangeForm>,
) -> Result<Response, PageError> {
    let owner = visitor.basket_owner();
    match form.quantity.trim().parse::<i64>() {
        Ok(q) if q >= 0 => {
            golmok_ordering::basket::set_quantity(&pages.db, &owner, &listing_id, q).await?;
            Ok(see_other("/basket"))
        }
        _ => {
            let basket =
                golmok_ordering::basket::load(&pages.db, pages.cache.as_ref(), &owner).await?;
            render_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                &BasketPage {
                    b: BasketView::of(visitor.lang, &basket),
                    empty: basket.is_empty(),
                    error: Some(visitor.lang.texts().err_quantity),
                    note: None,
                    coupons: usable_coupons(&pages, &visitor, &basket).await?,
                    c: Chrome::of(&visitor, basket.line_count()),
                },
            )
        }
    }
}

#[derive(Deserialize)]
pub struct ClearForm {
    next: Option<String>,
}

pub async fn clear(
    State(pages): State<Pages>,
    visitor: Visitor,
    CsrfForm { form, .. }: CsrfForm<ClearForm>,
) -> Result<Response, PageError> {
    golmok_ordering::basket::clear(&pages.db, &visitor.basket_owner()).await?;
    Ok(see_other(&local_path(
        form.next.as_deref().or(Some("/basket")),
    )))
}

/// The basket, for visitors and shoppers alike.
pub fn routes() -> axum::Router<crate::Pages> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/basket", get(show).post(add))
        .route("/basket/lines/{listing_id}", post(change))
        .route("/basket/clear", post(clear))
}
