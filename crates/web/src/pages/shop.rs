//! The shop owner's console: the live order board (accept, refuse with a reason, weigh,
//! mark ready), weighing at the counter, and the shop's listings (on/off, stock).
//!
//! Every page is the owner's (or an admin's): another shop's owner gets 403, as the domain
//! decides. The board listens to the shop's events and redraws itself; a new order flashes
//! and chimes.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use golmok_accounts::{Account, Role};
use golmok_catalog::{ListingPatch, ListingStatus, Merchant};
use golmok_ordering::lifecycle::{IfOver, WeighedLine, Weighing};
use golmok_ordering::{DomainError, MerchantOrder, MerchantOrderStatus};
use serde::Deserialize;

use super::{
    Chrome, NoFields, STATEMENT_LINES, StatementRow, after_payout, encode, is_htmx, payout_flash,
    render, render_with, see_other, statement_rows,
};
use crate::Pages;
use crate::error::PageError;
use crate::format;
use crate::i18n::{Lang, Texts};
use crate::session::{CsrfForm, Visitor};

/// The shop, if the visitor owns it (or is an admin).
pub(super) async fn owned_shop(
    pages: &Pages,
    visitor: &Visitor,
    id: &str,
) -> Result<(Account, Merchant), PageError> {
    let account = visitor.require(Role::Merchant)?.clone();
    let shop = golmok_catalog::merchant::owned_merchant(&pages.db, &account, id).await?;
    Ok((account, shop))
}

#[derive(Template)]
#[template(path = "shop_choose.html")]
struct ChoosePage {
    c: Chrome,
    shops: Vec<(String, String)>,
}

/// `/shop`: straight to the board of the owner's one shop, or a choice among several.
pub async fn choose(State(pages): State<Pages>, visitor: Visitor) -> Result<Response, PageError> {
    let account = visitor.require(Role::Merchant)?;
    let shops =
        golmok_catalog::merchant::list_merchants(&pages.db, Some(&account.id), 100, None).await?;
    if let [only] = shops.items.as_slice() {
        return Ok(see_other(&format!("/shop/{}/orders", only.id)));
    }
    render(&ChoosePage {
        shops: shops.items.into_iter().map(|m| (m.id, m.name)).collect(),
        c: Chrome::load(&pages, &visitor).await?,
    })
}

pub struct CardLine {
    pub title: String,
    pub quantity: String,
    pub weighed: Option<String>,
    pub weighable: bool,
    /// Where the question about a line weighed over the authorisation stands.
    pub approval: Option<String>,
}

/// Where the question about a line weighed over the payment stands, in a few words.
pub(crate) fn approval_text(lang: Lang, l: &golmok_ordering::OrderLine) -> Option<String> {
    use golmok_ordering::approvals::ApprovalStatus as S;
    let t = lang.texts();
    let a = l.approval.as_ref()?;
    let unit = format::unit_from_str(&l.unit);
    let cut_to = format::quantity(t, unit, a.fits_quantity);
    Some(match a.status {
        S::Asked => format!(
            "{} ({} {}, {} {})",
            t.approval_waiting,
            t.approval_more,
            format::won(lang, a.extra_krw),
            format::seoul_clock(a.ask_until),
            t.approval_until
        ),
        S::Approved
            if a.payment
                .as_ref()
                .is_some_and(|p| p.status == golmok_payments::PaymentStatus::Pending) =>
        {
            t.approval_confirm_card.to_owned()
        }
        S::Approved => format!(
            "{} (+{})",
            t.approval_approved,
            format::won(lang, a.extra_krw)
        ),
        S::Declined => format!("{} {cut_to}", t.approval_declined),
        S::Lapsed => format!("{} {cut_to}", t.approval_lapsed),
        S::Withdrawn => return None,
    })
}

/// A merchant order as a card on the board.
pub struct Card {
    pub id: String,
    pub short_id: String,
    pub placed_at: String,
    pub total: String,
    pub lines: Vec<CardLine>,
    pub when: String,
    pub courier_due: Option<String>,
    pub needs_weighing: bool,
    /// A weighed line waits for the shopper's answer, so the order cannot be marked ready.
    pub awaits_shopper: bool,
    /// The code the shop tells the courier at pick-up.
    pub pickup_code: Option<String>,
    /// Ready for the shopper to collect at the counter.
    pub collectable: bool,
}

pub struct Column {
    pub key: &'static str,
    pub title: &'static str,
    pub cards: Vec<Card>,
}

#[derive(Template)]
#[template(path = "shop_board.html")]
struct BoardPage {
    c: Chrome,
    shop: Merchant,
    columns: Vec<Column>,
    new_count: usize,
    claims: Vec<super::shop_claims::ShopClaim>,
    /// What the last answer to a claim came to.
    claim_flash: Option<&'static str>,
    claim_error: Option<&'static str>,
    /// In no consortium yet: no shopper can order, and the board says why.
    no_consortium: bool,
}

#[derive(Template)]
#[template(path = "shop_board.html", block = "board")]
struct BoardFragment {
    c: Chrome,
    shop: Merchant,
    columns: Vec<Column>,
    new_count: usize,
    claims: Vec<super::shop_claims::ShopClaim>,
}

fn weighable(unit: &str) -> bool {
    unit == "gram" || unit == "ml"
}

/// Which column a merchant order stands in, if any (refused and lapsed ones leave the board).
fn column_of(m: &MerchantOrder) -> Option<usize> {
    use MerchantOrderStatus as S;
    match m.status {
        S::Pending => Some(0),
        S::Accepted => {
            let refills: Vec<_> = m.lines.iter().filter(|l| l.refill).collect();
            let weighed =
                !refills.is_empty() && refills.iter().all(|l| l.weighed_quantity.is_some());
            Some(if weighed { 2 } else { 1 })
        }
        S::Ready => Some(3),
        S::PickedUp | S::Delivered => Some(4),
        S::Rejected | S::Cancelled | S::Expired | S::Failed => None,
    }
}

/// What a card needs of the orders on a board, read once for all of them: how each is
/// fulfilled, its slot's window, and which parts were turned into pick-ups.
struct BoardContext {
    fulfillments: HashMap<String, golmok_ordering::view::FulfillmentView>,
    windows: HashMap<String, String>,
    pickups: std::collections::HashSet<String>,
}

impl BoardContext {
    async fn of(pages: &Pages, lang: Lang, parts: &[MerchantOrder]) -> Result<Self, PageError> {
        let t = lang.texts();
        let mut order_ids: Vec<String> = parts.iter().map(|m| m.order_id.clone()).collect();
        order_ids.sort();
        order_ids.dedup();
        let fulfillments = golmok_ordering::view::fulfillments_of(&pages.db, &order_ids).await?;
        let mut windows = HashMap::new();
        for slot_id in fulfillments.values().filter_map(|f| f.slot_id.as_ref()) {
            if windows.contains_key(slot_id) {
                continue;
            }
            let window = match golmok_delivery_routing::network::slot(&pages.db, slot_id).await {
                Ok((_, slot)) => format!(
                    "{} {} {}–{}",
                    t.delivery_window,
                    format::seoul_date(lang, slot.starts_at),
                    format::seoul_clock(slot.starts_at),
                    format::seoul_clock(slot.ends_at)
                ),
                Err(_) => t.delivery.to_owned(),
            };
            windows.insert(slot_id.clone(), window);
        }
        let ids: Vec<String> = parts.iter().map(|m| m.id.clone()).collect();
        let pickups = golmok_delivery_routing::task::pickups_among(&pages.db, &ids)
            .await?
            .into_iter()
            .collect();
        Ok(Self {
            fulfillments,
            windows,
            pickups,
        })
    }
}

fn card(
    lang: Lang,
    board: &BoardContext,
    m: &MerchantOrder,
    due: Option<String>,
) -> Result<Card, PageError> {
    let t = lang.texts();
    let fulfillment = board
        .fulfillments
        .get(&m.order_id)
        .ok_or_else(|| PageError::from(DomainError::not_found("order", &m.order_id)))?;
    let when = match &fulfillment.slot_id {
        Some(slot_id) => board
            .windows
            .get(slot_id)
            .cloned()
            .unwrap_or_else(|| t.delivery.to_owned()),
        None => match fulfillment.pickup_at {
            Some(at) => format!("{} {}", t.pickup_at_shop, format::seoul_time(lang, at)),
            None => t.pickup_at_shop.to_owned(),
        },
    };
    let delivered_by_network =
        fulfillment.kind == golmok_ordering::checkout::FulfillmentKind::Delivery;
    // Handed over at the counter: a pick-up, or a delivery the network turned into one.
    let collectable = m.status == MerchantOrderStatus::Ready
        && (!delivered_by_network || board.pickups.contains(&m.id));
    Ok(Card {
        collectable,
        // The order's number, as the shopper's page shows it and says it at the counter.
        short_id: m
            .order_id
            .chars()
            .skip(m.order_id.chars().count().saturating_sub(6))
            .collect(),
        id: m.id.clone(),
        placed_at: format::seoul_time(lang, m.created_at),
        total: format::won(lang, m.subtotal_krw + m.deposits_krw),
        lines: m
            .lines
            .iter()
            .map(|l| {
                let unit = format::unit_from_str(&l.unit);
                CardLine {
                    title: l.title.clone(),
                    quantity: format::quantity(t, unit, l.quantity),
                    weighed: l.weighed_quantity.map(|w| format::quantity(t, unit, w)),
                    weighable: is_weighed(l),
                    approval: approval_text(lang, l),
                }
            })
            .collect(),
        needs_weighing: m.status == MerchantOrderStatus::Accepted && m.lines.iter().any(is_weighed),
        awaits_shopper: m
            .lines
            .iter()
            .any(|l| l.approval.as_ref().is_some_and(|a| a.awaits_shopper())),
        when,
        pickup_code: m.pickup_code.clone().filter(|_| delivered_by_network),
        courier_due: due,
    })
}

async fn columns(
    pages: &Pages,
    lang: Lang,
    account: &Account,
    shop_id: &str,
) -> Result<Vec<Column>, PageError> {
    let t = lang.texts();
    let orders =
        golmok_ordering::view::list_merchant_orders(&pages.db, account, shop_id, None, 60, None)
            .await?;
    let ids: Vec<String> = orders.items.iter().map(|m| m.id.clone()).collect();
    let due: HashMap<String, String> = golmok_delivery_routing::batch::stop_progress(
        &pages.db,
        &ids,
        golmok_delivery_routing::StopKind::Pickup,
    )
    .await?
    .into_iter()
    .filter(|p| p.status == golmok_delivery_routing::StopStatus::Pending)
    .map(|p| (p.merchant_order_id, format::seoul_clock(p.eta)))
    .collect();
    let mut columns = vec![
        Column {
            key: "new",
            title: t.col_new,
            cards: Vec::new(),
        },
        Column {
            key: "accepted",
            title: t.col_accepted,
            cards: Vec::new(),
        },
        Column {
            key: "weighed",
            title: t.col_weighed,
            cards: Vec::new(),
        },
        Column {
            key: "ready",
            title: t.col_ready,
            cards: Vec::new(),
        },
        Column {
            key: "handed",
            title: t.col_handed,
            cards: Vec::new(),
        },
    ];
    let board = BoardContext::of(pages, lang, &orders.items).await?;
    for m in &orders.items {
        if let Some(i) = column_of(m) {
            columns[i]
                .cards
                .push(card(lang, &board, m, due.get(&m.id).cloned())?);
        }
    }
    // Oldest first where work waits, so the next to do is on top.
    for column in columns.iter_mut().take(4) {
        column.cards.reverse();
    }
    Ok(columns)
}

#[derive(Deserialize)]
pub struct BoardQuery {
    claim_answered: Option<String>,
    /// Why the last answer to a claim was not taken.
    claim_error: Option<String>,
}

/// The board; only the board itself when htmx redraws it after an event.
pub async fn board(
    State(pages): State<Pages>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(query): Query<BoardQuery>,
) -> Result<Response, PageError> {
    let (account, shop) = owned_shop(&pages, &visitor, &id).await?;
    let columns = columns(&pages, visitor.lang, &account, &id).await?;
    let claims = super::shop_claims::open_claims(&pages, visitor.lang, &account, &id).await?;
    let new_count = columns[0].cards.len();
    let c = Chrome::load(&pages, &visitor).await?;
    if is_htmx(&headers) {
        return render(&BoardFragment {
            c,
            shop,
            columns,
            new_count,
            claims,
        });
    }
    let t = visitor.lang.texts();
    let claim_error = query.claim_error.as_deref().map(|code| match code {
        "claim_answered" => t.claim_already_answered,
        "exceeds_refundable" => t.claim_too_much,
        "answer" => t.claim_decline_needs_answer,
        _ => t.err_check_field,
    });
    let no_consortium = golmok_catalog::consortium::consortia_of(&pages.db, &shop.id)
        .await?
        .is_empty();
    render(&BoardPage {
        c,
        shop,
        columns,
        new_count,
        no_consortium,
        claims,
        claim_flash: query.claim_answered.is_some().then_some(t.claim_answered),
        claim_error,
    })
}

/// `GET /shop/{id}/live`: "changed" whenever the shop's topic hears an event.
pub async fn live(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let (account, _) = owned_shop(&pages, &visitor, &id).await?;
    super::changes_of(
        &pages,
        &account.id,
        golmok_events::Topic::merchant(id).to_string(),
    )
}

fn board_path(id: &str) -> String {
    format!("/shop/{id}/orders")
}

pub async fn accept(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path((id, order)): Path<(String, String)>,
    CsrfForm { .. }: CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let (account, _) = owned_shop(&pages, &visitor, &id).await?;
    golmok_ordering::lifecycle::accept(pages.ordering(), &account, &order).await?;
    Ok(see_other(&board_path(&id)))
}

/// The shopper collected a pick-up at the counter.
pub async fn collect(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path((id, order)): Path<(String, String)>,
    CsrfForm { .. }: CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let (account, _) = owned_shop(&pages, &visitor, &id).await?;
    golmok_ordering::lifecycle::collect(pages.ordering(), &account, &order).await?;
    Ok(see_other(&board_path(&id)))
}

pub async fn ready(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path((id, order)): Path<(String, String)>,
    CsrfForm { .. }: CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let (account, _) = owned_shop(&pages, &visitor, &id).await?;
    golmok_ordering::lifecycle::mark_ready(pages.ordering(), &account, &order).await?;
    Ok(see_other(&board_path(&id)))
}

#[derive(Deserialize)]
pub struct RefuseForm {
    reason: String,
    #[serde(default)]
    note: String,
}

/// The reason codes a shop refuses with; the shopper reads them in their own language.
pub const REFUSALS: [&str; 4] = ["sold_out", "closing", "cannot_deliver", "other"];

/// How a stored refusal reads: a known code in the reader's language, `other: …` as typed.
pub fn refusal_text(t: &Texts, stored: &str) -> String {
    let (code, note) = stored.split_once(": ").unwrap_or((stored, ""));
    let label = match code {
        "sold_out" => t.refuse_sold_out,
        "closing" => t.refuse_closing,
        "cannot_deliver" => t.refuse_cannot_deliver,
        "other" => t.refuse_other,
        _ => return stored.to_owned(),
    };
    if note.is_empty() {
        label.to_owned()
    } else {
        format!("{label}: {note}")
    }
}

pub async fn refuse(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path((id, order)): Path<(String, String)>,
    CsrfForm { form, .. }: CsrfForm<RefuseForm>,
) -> Result<Response, PageError> {
    let (account, _) = owned_shop(&pages, &visitor, &id).await?;
    if !REFUSALS.contains(&form.reason.as_str()) {
        return Err(PageError::BadRequest);
    }
    let note: String = form.note.trim().chars().take(300).collect();
    let reason = if note.is_empty() {
        form.reason.clone()
    } else {
        format!("{}: {note}", form.reason)
    };
    golmok_ordering::lifecycle::reject(pages.ordering(), &account, &order, &reason).await?;
    Ok(see_other(&board_path(&id)))
}

pub struct WeighLine {
    pub id: String,
    pub title: String,
    pub unit: &'static str,
    pub estimate: String,
    pub price: i64,
    pub unit_quantity: i64,
    pub limit_krw: i64,
    pub limit: String,
    pub max_quantity: i64,
    pub net: String,
    pub gross: String,
    pub tare: String,
}

#[derive(Template)]
#[template(path = "shop_weigh.html")]
struct WeighPage {
    c: Chrome,
    shop: Merchant,
    order_id: String,
    lines: Vec<WeighLine>,
    error: Option<&'static str>,
    offer_cut: bool,
}

/// Each refill line with the most its weighing may cost: its estimate plus the tolerance the
/// payment was authorised with.
fn weigh_lines(
    pages: &Pages,
    lang: Lang,
    m: &MerchantOrder,
    entered: &HashMap<String, String>,
) -> Vec<WeighLine> {
    let t = lang.texts();
    let tolerance = pages.rules.refill_tolerance_pct;
    m.lines
        .iter()
        .filter(|l| is_weighed(l))
        .map(|l| {
            let unit = format::unit_from_str(&l.unit);
            let limit_krw = golmok_core::money::percent_ceil(l.amount_krw, 100 + tolerance)
                .unwrap_or(l.amount_krw);
            let max_quantity = if l.price_krw > 0 {
                limit_krw * l.unit_quantity / l.price_krw
            } else {
                0
            };
            let field = |name: &str| {
                entered
                    .get(&format!("{name}_{}", l.id))
                    .cloned()
                    .unwrap_or_default()
            };
            WeighLine {
                id: l.id.clone(),
                title: l.title.clone(),
                unit: format::unit_label(t, unit),
                estimate: format::quantity(t, unit, l.quantity),
                price: l.price_krw,
                unit_quantity: l.unit_quantity,
                limit_krw,
                limit: format::won(lang, limit_krw),
                max_quantity,
                net: field("net"),
                gross: field("gross"),
                tare: field("tare"),
            }
        })
        .collect()
}

async fn shop_order(
    pages: &Pages,
    account: &Account,
    shop_id: &str,
    order: &str,
) -> Result<MerchantOrder, PageError> {
    Ok(golmok_ordering::view::get_merchant_order(&pages.db, account, shop_id, order).await?)
}

pub async fn weigh_form(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path((id, order)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let (account, shop) = owned_shop(&pages, &visitor, &id).await?;
    let m = shop_order(&pages, &account, &id, &order).await?;
    render(&WeighPage {
        lines: weigh_lines(&pages, visitor.lang, &m, &HashMap::new()),
        order_id: m.id,
        shop,
        error: None,
        offer_cut: false,
        c: Chrome::load(&pages, &visitor).await?,
    })
}

/// A line weighed at the counter: refill goods, and goods sold by weight or volume.
fn is_weighed(l: &golmok_ordering::OrderLine) -> bool {
    l.refill || weighable(&l.unit)
}

/// Whether anything was typed for the line.
fn typed_any(form: &HashMap<String, String>, line_id: &str) -> bool {
    ["net", "gross", "tare"].iter().any(|name| {
        form.get(&format!("{name}_{line_id}"))
            .is_some_and(|v| !v.trim().is_empty())
    })
}

/// The net amount of a line from what was typed: the net, or gross less tare.
fn net_of(form: &HashMap<String, String>, line_id: &str) -> Option<i64> {
    let number = |name: &str| {
        form.get(&format!("{name}_{line_id}"))
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
            .map(|v| v.parse::<i64>().ok())
    };
    match (number("net"), number("gross"), number("tare")) {
        (Some(net), _, _) => net.filter(|n| *n > 0),
        (None, Some(Some(gross)), tare) => {
            let tare = tare.flatten().unwrap_or(0);
            (gross > tare && tare >= 0).then_some(gross - tare)
        }
        _ => None,
    }
}

/// The weighing form again, with what was typed and why it was refused.
struct WeighAgain<'a> {
    pages: &'a Pages,
    visitor: &'a Visitor,
    shop: Merchant,
    m: &'a MerchantOrder,
    form: &'a HashMap<String, String>,
}

impl WeighAgain<'_> {
    async fn refused(
        self,
        status: StatusCode,
        error: &'static str,
        offer_cut: bool,
    ) -> Result<Response, PageError> {
        let page = WeighPage {
            lines: weigh_lines(self.pages, self.visitor.lang, self.m, self.form),
            order_id: self.m.id.clone(),
            shop: self.shop,
            error: Some(error),
            offer_cut,
            c: Chrome::load(self.pages, self.visitor).await?,
        };
        render_with(status, &page)
    }
}

pub async fn weigh(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path((id, order)): Path<(String, String)>,
    CsrfForm { form, .. }: CsrfForm<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let t = visitor.lang.texts();
    let (account, shop) = owned_shop(&pages, &visitor, &id).await?;
    let m = shop_order(&pages, &account, &id, &order).await?;
    let mut weighed = Vec::new();
    let mut missing = false;
    for l in m.lines.iter().filter(|l| is_weighed(l)) {
        match net_of(&form, &l.id) {
            Some(net) => weighed.push(WeighedLine {
                line_id: l.id.clone(),
                net_quantity: net,
            }),
            // Goods sold by weight that are not refills may keep the amount ordered.
            None if !l.refill && !typed_any(&form, &l.id) => {}
            None => missing = true,
        }
    }
    let if_over = if form.get("if_over").map(String::as_str) == Some("ask") {
        IfOver::Ask
    } else {
        IfOver::Refuse
    };
    let again = WeighAgain {
        pages: &pages,
        visitor: &visitor,
        shop,
        m: &m,
        form: &form,
    };
    if missing || weighed.is_empty() {
        return again
            .refused(StatusCode::UNPROCESSABLE_ENTITY, t.err_weight, false)
            .await;
    }
    match golmok_ordering::lifecycle::weigh(
        pages.ordering(),
        &account,
        &order,
        Weighing {
            lines: weighed,
            if_over,
        },
    )
    .await
    {
        Ok(_) => Ok(see_other(&board_path(&id))),
        Err(DomainError::Conflict {
            code: "exceeds_authorization",
            ..
        }) => {
            again
                .refused(StatusCode::CONFLICT, t.err_over_authorization_ask, true)
                .await
        }
        Err(DomainError::Invalid(_)) => {
            again
                .refused(StatusCode::UNPROCESSABLE_ENTITY, t.err_weight, false)
                .await
        }
        Err(e) => Err(e.into()),
    }
}

pub struct ListingRow {
    pub id: String,
    pub title: String,
    pub price: String,
    pub stock: i64,
    pub unit: &'static str,
    pub status: &'static str,
    pub active: bool,
    pub archived: bool,
}

#[derive(Template)]
#[template(path = "shop_listings.html")]
struct ListingsPage {
    c: Chrome,
    shop: Merchant,
    tab: String,
    rows: Vec<ListingRow>,
    flash: Option<&'static str>,
    error: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct ListingsQuery {
    status: Option<String>,
    saved: Option<String>,
}

fn parse_status(s: Option<&str>) -> Option<ListingStatus> {
    match s {
        Some("active") => Some(ListingStatus::Active),
        Some("draft") => Some(ListingStatus::Draft),
        Some("archived") => Some(ListingStatus::Archived),
        Some("held") => Some(ListingStatus::Held),
        _ => None,
    }
}

async fn listings_page(
    pages: &Pages,
    visitor: &Visitor,
    account: &Account,
    shop: Merchant,
    tab: Option<&str>,
    flash: Option<&'static str>,
    error: Option<&'static str>,
) -> Result<ListingsPage, PageError> {
    let lang = visitor.lang;
    let t = lang.texts();
    let listings =
        golmok_catalog::listing::merchant_listings(&pages.db, account, &shop.id, parse_status(tab))
            .await?;
    Ok(ListingsPage {
        rows: listings
            .iter()
            .map(|l| ListingRow {
                id: l.id.clone(),
                title: l.title.clone(),
                price: format::listing_price(lang, l),
                stock: l.stock,
                unit: format::unit_label(t, l.unit),
                status: match l.status {
                    ListingStatus::Active => t.tab_active,
                    ListingStatus::Draft => t.status_draft,
                    ListingStatus::Archived => t.status_archived,
                    ListingStatus::Held => t.status_held,
                },
                active: l.status == ListingStatus::Active,
                archived: l.status == ListingStatus::Archived,
            })
            .collect(),
        tab: tab.unwrap_or("all").to_owned(),
        shop,
        flash,
        error,
        c: Chrome::load(pages, visitor).await?,
    })
}

pub async fn listings(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(id): Path<String>,
    Query(query): Query<ListingsQuery>,
) -> Result<Response, PageError> {
    let (account, shop) = owned_shop(&pages, &visitor, &id).await?;
    let t = visitor.lang.texts();
    let flash = match query.saved.as_deref() {
        Some("listing") => Some(t.listing_saved),
        Some(_) => Some(t.stock_saved),
        None => None,
    };
    let page = listings_page(
        &pages,
        &visitor,
        &account,
        shop,
        query.status.as_deref(),
        flash,
        None,
    )
    .await?;
    render(&page)
}

/// Saves every stock field of the listings form in one transaction.
pub async fn save_stock(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(id): Path<String>,
    CsrfForm { form, .. }: CsrfForm<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let (account, shop) = owned_shop(&pages, &visitor, &id).await?;
    let mut stocks = Vec::new();
    for (key, value) in &form {
        let Some(listing_id) = key.strip_prefix("stock_") else {
            continue;
        };
        match value.trim().parse::<i64>() {
            Ok(stock) if stock >= 0 => stocks.push((listing_id.to_owned(), stock)),
            _ => {
                let t = visitor.lang.texts();
                let page = listings_page(
                    &pages,
                    &visitor,
                    &account,
                    shop,
                    form.get("tab").map(String::as_str),
                    None,
                    Some(t.err_stock),
                )
                .await?;
                return render_with(StatusCode::UNPROCESSABLE_ENTITY, &page);
            }
        }
    }
    stocks.sort();
    golmok_catalog::listing::set_stocks(&pages.db, pages.cache.as_ref(), &account, &id, &stocks)
        .await?;
    let tab = form
        .get("tab")
        .filter(|t| *t != "all")
        .map(|t| format!("&status={t}"))
        .unwrap_or_default();
    Ok(see_other(&format!("/shop/{id}/listings?saved=1{tab}")))
}

/// On sale ⇄ off (a draft) in one click.
pub async fn toggle(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path((id, listing)): Path<(String, String)>,
    CsrfForm { form, .. }: CsrfForm<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let (account, _) = owned_shop(&pages, &visitor, &id).await?;
    let current =
        golmok_catalog::listing::get_listing(&pages.db, pages.cache.as_ref(), &listing).await?;
    if current.merchant_id != id {
        return Err(PageError::NotFound);
    }
    let status = match current.status {
        ListingStatus::Active => ListingStatus::Draft,
        ListingStatus::Draft => ListingStatus::Active,
        ListingStatus::Archived | ListingStatus::Held => {
            return Err(PageError::Refused {
                status: StatusCode::CONFLICT,
                detail: current.status.as_str().into(),
            });
        }
    };
    golmok_catalog::listing::update_listing(
        &pages.db,
        pages.cache.as_ref(),
        &account,
        &listing,
        ListingPatch {
            status: Some(status),
            ..Default::default()
        },
    )
    .await?;
    let tab = form
        .get("tab")
        .filter(|t| *t != "all")
        .map(|t| format!("?status={t}"))
        .unwrap_or_default();
    Ok(see_other(&format!("/shop/{id}/listings{tab}")))
}

pub struct TransferRow {
    pub amount: String,
    pub status: String,
    pub at: String,
    pub problem: Option<String>,
}

#[derive(Template)]
#[template(path = "shop_payouts.html")]
struct PayoutsPage {
    c: Chrome,
    shop: Merchant,
    owed: String,
    paid: String,
    awaiting: String,
    transfers: Vec<TransferRow>,
    /// None: no account; Some(true): ready for transfers; Some(false): being verified.
    account: Option<bool>,
    stripe: bool,
    back: bool,
    lines: Vec<StatementRow>,
    /// Older lines are not shown.
    more: bool,
    /// Every line, for the books.
    statement_csv: String,
    /// The month the statement form offers first: this one, in Seoul.
    this_month: String,
    /// An admin records a bank transfer of what is owed (less what waits for transfers).
    may_pay: bool,
    flash: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct PayoutsQuery {
    back: Option<String>,
    paid: Option<String>,
    nothing: Option<String>,
}

/// What the shop sold, was paid and waits for, and its Stripe payout account.
pub async fn payouts(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(id): Path<String>,
    Query(query): Query<PayoutsQuery>,
) -> Result<Response, PageError> {
    let (account, shop) = owned_shop(&pages, &visitor, &id).await?;
    let lang = visitor.lang;
    let p = golmok_ordering::payouts::merchant_payouts(&pages.db, &account, &id).await?;
    let t = lang.texts();
    let flash = payout_flash(t, query.paid.is_some(), query.nothing.is_some());
    render(&PayoutsPage {
        lines: statement_rows(lang, &p.statement, t.entry_sale),
        more: p.statement.len() > STATEMENT_LINES,
        statement_csv: format!("/shop/{}/payouts/statement.csv", encode(&id)),
        this_month: golmok_core::seoul::Month::of(chrono::Utc::now()).to_string(),
        may_pay: account.role == Role::Admin && p.owed_krw > p.awaiting_transfer_krw,
        flash,
        owed: format::won(lang, p.owed_krw),
        paid: format::won(lang, p.paid_krw),
        awaiting: format::won(lang, p.awaiting_transfer_krw),
        transfers: p
            .transfers
            .iter()
            .map(|t| TransferRow {
                amount: format::won(lang, t.amount_krw - t.reversed_krw),
                status: format!("{:?}", t.status).to_lowercase(),
                at: format::seoul_time(lang, t.created_at),
                problem: t.last_error.clone(),
            })
            .collect(),
        account: p.connected_account.as_ref().map(|a| a.transfers_enabled),
        stripe: pages.providers.get("stripe").is_some(),
        back: query.back.is_some(),
        shop,
        c: Chrome::load(&pages, &visitor).await?,
    })
}

/// `GET /shop/{id}/payouts/statement.csv`: every line of the shop's statement, with the
/// balance after each, for its bookkeeping.
pub async fn statement_csv(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(id): Path<String>,
    Query(query): Query<super::StatementQuery>,
) -> Result<Response, PageError> {
    let (account, _) = owned_shop(&pages, &visitor, &id).await?;
    let p = golmok_ordering::payouts::merchant_payouts(&pages.db, &account, &id).await?;
    super::statement_download(&p.statement, &id, query)
}

/// An admin records a bank transfer of everything the shop is owed but what waits to leave
/// as transfers. A second press (the first already paid it) says nothing is owed.
pub async fn pay(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(id): Path<String>,
    CsrfForm { .. }: CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let account = visitor.require(Role::Admin)?;
    let paid =
        golmok_ordering::payouts::pay_merchant(pages.ordering(), account, &id, "offline", None)
            .await;
    after_payout(paid, &format!("/shop/{}/payouts", encode(&id)))
}

/// Opens (or reopens) the shop's Stripe onboarding and sends the owner there.
pub async fn onboard(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(id): Path<String>,
    CsrfForm { .. }: CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let (account, _) = owned_shop(&pages, &visitor, &id).await?;
    let link = golmok_ordering::payouts::onboard_merchant(
        pages.ordering(),
        &account,
        &id,
        "stripe",
        &pages.settings.connect_refresh_url,
        &pages.settings.connect_return_url,
    )
    .await?;
    Ok(see_other(&link.onboarding_url))
}

/// Where Stripe sends the owner back (onboarding done, or its link expired): their shop's
/// payouts page, which says whether transfers can start.
pub async fn back_from_stripe(
    State(pages): State<Pages>,
    visitor: Visitor,
) -> Result<Response, PageError> {
    let account = visitor.require(Role::Merchant)?;
    let shops =
        golmok_catalog::merchant::list_merchants(&pages.db, Some(&account.id), 100, None).await?;
    match shops.items.as_slice() {
        [only] => Ok(see_other(&format!("/shop/{}/payouts?back=1", only.id))),
        _ => Ok(see_other("/shop")),
    }
}

/// A shop owner's console: the order board, weighing, listings and payouts.
pub fn routes() -> axum::Router<crate::Pages> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/shop", get(choose))
        .route("/shop/{id}/orders", get(board))
        .route("/shop/{id}/live", get(live))
        .route("/shop/{id}/orders/{order}/accept", post(accept))
        .route("/shop/{id}/orders/{order}/refuse", post(refuse))
        .route("/shop/{id}/orders/{order}/ready", post(ready))
        .route("/shop/{id}/orders/{order}/collect", post(collect))
        .route(
            "/shop/{id}/orders/{order}/weigh",
            get(weigh_form).post(weigh),
        )
        .route("/shop/{id}/listings", get(listings))
        .route("/shop/{id}/payouts", get(payouts))
        .route("/shop/{id}/payouts/onboard", post(onboard))
        .route("/shop/{id}/payouts/pay", post(pay))
        .route("/shop/{id}/payouts/statement.csv", get(statement_csv))
        .route("/merchant/payouts/done", get(back_from_stripe))
        .route("/merchant/payouts/refresh", get(back_from_stripe))
        .route("/shop/{id}/listings/stock", post(save_stock))
        .route("/shop/{id}/listings/{listing}/toggle", post(toggle))
}
