//! A shop's member-to-member trade (상호거래): buying from fellow members at their member
//! prices, the orders it placed and received with the steps its side takes, and the month's
//! statement per shop it traded with, where the seller records a payment received.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use golmok_catalog::Merchant;
use golmok_core::DomainError;
use golmok_ordering::member_trade::{
    self, MemberLine, MemberOrder, MemberOrderStatus, NewMemberOrder, NewSettlement, Statement,
    Step,
};
use serde::Deserialize;

use super::checkout::{SlotView, open_slots};
use super::programme::{Fields, one};
use super::shop::owned_shop;
use super::{Chrome, encode, render_with, see_other};
use crate::Pages;
use crate::error::PageError;
use crate::format;
use crate::session::{CsrfForm, Visitor};

/// A listing a fellow member sells: its id, and how the form names it (shop, title, price).
pub struct Offer {
    pub listing_id: String,
    pub label: String,
}

pub struct OrderRow {
    pub order: MemberOrder,
    pub total: String,
    /// The shop is the seller in it.
    pub selling: bool,
    /// A courier hands it over at the buyer's door (not collected).
    pub by_courier: bool,
    /// Its slot, as a shop reads it.
    pub slot: Option<String>,
}

#[derive(Template)]
#[template(path = "shop_trade.html")]
struct TradePage {
    c: Chrome,
    shop: Merchant,
    offers: Vec<Offer>,
    /// Open co-delivery slots of the shop's consortia's networks, today and tomorrow.
    slots: Vec<SlotView>,
    orders: Vec<OrderRow>,
    statement: Statement,
    /// Per pair: owed to the shop, still owed for the month, formatted; and the raw figure.
    balances: Vec<(String, String, String, i64)>,
    month: String,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct MonthQuery {
    month: Option<String>,
}

async fn trade_page(
    pages: &Pages,
    visitor: &Visitor,
    id: &str,
    month: Option<String>,
    error: Option<String>,
) -> Result<Response, PageError> {
    let (account, shop) = owned_shop(pages, visitor, id).await?;
    let lang = visitor.lang;
    let sellers = member_trade::sellers_for(&pages.db, &account, id).await?;
    let ids: Vec<String> = sellers.iter().map(|(s, _)| s.clone()).collect();
    let listings = golmok_catalog::listing::on_sale_by(&pages.db, &ids).await?;
    let mut offers = Vec::new();
    for (seller, name) in &sellers {
        for l in listings.iter().filter(|l| &l.merchant_id == seller) {
            let price = l.member_price_krw.unwrap_or(l.price_krw);
            offers.push(Offer {
                label: format!(
                    "{name} · {} · {} / {}",
                    l.title,
                    format::won(lang, price),
                    format::quantity(lang.texts(), l.unit, l.unit_quantity)
                ),
                listing_id: format!("{seller}|{}", l.id),
            });
        }
    }
    let mut slots = Vec::new();
    for network_id in member_trade::networks_of(&pages.db, &account, id).await? {
        let network = golmok_delivery_routing::network::get_network(&pages.db, &network_id).await?;
        let size = golmok_delivery_routing::capacity::Load {
            tasks: 1,
            grams: 0,
            millilitres: 0,
        };
        slots.extend(open_slots(pages, lang, &network, &size).await?);
    }
    let mut orders = Vec::new();
    for o in member_trade::orders_of(&pages.db, &account, id).await? {
        let slot = match &o.slot_id {
            Some(slot_id) => Some(slot_label(pages, lang, slot_id).await?),
            None => None,
        };
        orders.push(OrderRow {
            total: format::won(lang, o.total_krw),
            selling: o.seller_merchant_id == id,
            by_courier: o.delivery_status.as_deref().is_some_and(|s| s != "pickup"),
            slot,
            order: o,
        });
    }
    let month = month.unwrap_or_else(|| member_trade::month_of(chrono::Utc::now()));
    let statement = member_trade::statement(&pages.db, &account, id, &month).await?;
    let balances = statement
        .pairs
        .iter()
        .map(|p| {
            (
                format::won(lang, p.sold_krw),
                format::won(lang, p.bought_krw),
                format::won(lang, p.balance_krw),
                p.sold_krw - p.received_krw,
            )
        })
        .collect();
    let status = super::refused_if(error.is_some());
    render_with(
        status,
        &TradePage {
            shop,
            offers,
            slots,
            orders,
            statement,
            balances,
            month,
            error,
            c: Chrome::load(pages, visitor).await?,
        },
    )
}

/// `GET /shop/{id}/trade?month=2026-12`.
pub async fn page(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(id): Path<String>,
    Query(q): Query<MonthQuery>,
) -> Result<Response, PageError> {
    trade_page(&pages, &visitor, &id, q.month, None).await
}

fn back(id: &str) -> Response {
    see_other(&format!("/shop/{}/trade", encode(id)))
}

/// Refusals the shop can act on are shown on the page; anything else is an error page.
async fn refused(
    pages: &Pages,
    visitor: &Visitor,
    id: &str,
    e: DomainError,
) -> Result<Response, PageError> {
    match e {
        DomainError::Invalid(v) => trade_page(pages, visitor, id, None, Some(v.to_string())).await,
        DomainError::Conflict { detail, .. } => {
            trade_page(pages, visitor, id, None, Some(detail)).await
        }
        other => Err(other.into()),
    }
}

/// `POST /shop/{id}/trade`: an order to a fellow member (one listing and a quantity).
pub async fn buy(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(id): Path<String>,
    CsrfForm { form, .. }: CsrfForm<Fields>,
) -> Result<Response, PageError> {
    let (account, _) = owned_shop(&pages, &visitor, &id).await?;
    let t = visitor.lang.texts();
    let (Some((seller, listing)), Some(quantity)) = (
        one(&form, "offer").split_once('|'),
        one(&form, "quantity").parse::<i64>().ok(),
    ) else {
        return trade_page(&pages, &visitor, &id, None, Some(t.err_check_field.into())).await;
    };
    let new = NewMemberOrder {
        seller_merchant_id: seller.to_owned(),
        lines: vec![MemberLine {
            listing_id: listing.to_owned(),
            quantity,
        }],
        note: one(&form, "note").to_owned(),
        slot_id: Some(one(&form, "slot_id").to_owned()).filter(|s| !s.is_empty()),
    };
    match member_trade::place(&pages.db, pages.cache.as_ref(), &account, &id, new).await {
        Ok(_) => Ok(back(&id)),
        Err(e) => refused(&pages, &visitor, &id, e).await,
    }
}

/// `POST /shop/{id}/trade/{order}/{step}`: accept, reject, hand-over or cancel.
pub async fn take_step(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path((id, order, step)): Path<(String, String, String)>,
    CsrfForm { .. }: CsrfForm<Fields>,
) -> Result<Response, PageError> {
    let (account, _) = owned_shop(&pages, &visitor, &id).await?;
    let step = match step.as_str() {
        "accept" => Step::Accept,
        "reject" => Step::Reject,
        "cancel" => Step::Cancel,
        "hand-over" => Step::HandOver,
        _ => return Err(DomainError::not_found("step", &step).into()),
    };
    match member_trade::step(&pages.db, pages.cache.as_ref(), &account, &order, step).await {
        Ok(_) => Ok(back(&id)),
        Err(e) => refused(&pages, &visitor, &id, e).await,
    }
}

/// `POST /shop/{id}/trade/settlements/{buyer}`: a payment received against the month.
pub async fn settle(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path((id, buyer)): Path<(String, String)>,
    CsrfForm { form, .. }: CsrfForm<Fields>,
) -> Result<Response, PageError> {
    let (account, _) = owned_shop(&pages, &visitor, &id).await?;
    let t = visitor.lang.texts();
    let Some(amount_krw) = one(&form, "amount_krw")
        .replace(',', "")
        .parse::<i64>()
        .ok()
    else {
        return trade_page(&pages, &visitor, &id, None, Some(t.err_check_field.into())).await;
    };
    let new = NewSettlement {
        month: one(&form, "month").to_owned(),
        amount_krw,
    };
    match member_trade::settle(&pages.db, &account, &id, &buyer, new).await {
        Ok(_) => Ok(back(&id)),
        Err(e) => refused(&pages, &visitor, &id, e).await,
    }
}

/// Whether the shop's side takes `step` on an order in `status` (the page's buttons).
pub fn offers_step(row: &OrderRow, step: &&str) -> bool {
    use MemberOrderStatus as S;
    matches!(
        (row.selling, row.order.status, *step),
        (true, S::Placed, "accept")
            | (true, S::Placed | S::Accepted, "reject")
            | (false, S::Placed, "cancel")
    ) || (row.selling && row.order.status == S::Accepted && *step == "hand-over" && !row.by_courier)
}

/// A slot as the trade page names it.
async fn slot_label(
    pages: &Pages,
    lang: crate::i18n::Lang,
    slot_id: &str,
) -> Result<String, PageError> {
    let (_, s) = golmok_delivery_routing::network::slot(&pages.db, slot_id).await?;
    Ok(super::checkout::slot_label(lang, &s))
}

pub fn routes() -> axum::Router<crate::Pages> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/shop/{id}/trade", get(page).post(buy))
        .route("/shop/{id}/trade/settlements/{buyer}", post(settle))
        .route("/shop/{id}/trade/{order}/{step}", post(take_step))
}
