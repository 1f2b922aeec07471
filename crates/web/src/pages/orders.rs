//! A shopper's orders: the history, and each order's tracking page, which follows the
//! order's Server-Sent Events and redraws itself when something happens.

use golmok_delivery_routing::{StopKind, StopStatus};
use golmok_ordering::checkout::FulfillmentKind;
use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use golmok_accounts::Role;
use golmok_ordering::approvals::{ApprovalStatus, Decision};
use golmok_ordering::claims::{Claim, ClaimStatus};
use golmok_ordering::{DomainError, MerchantOrderStatus, Order, OrderStatus};
use serde::Deserialize;

use super::{Chrome, NoFields, encode, is_htmx, render, see_other};
use crate::Pages;
use crate::error::PageError;
use crate::format;
use crate::i18n::Lang;
use crate::session::{CsrfForm, CsrfUpload, Visitor};

pub struct OrderRow {
    pub id: String,
    pub placed_at: String,
    pub status: &'static str,
    pub total: String,
    pub shops: usize,
}

#[derive(Template)]
#[template(path = "orders.html")]
struct HistoryPage {
    c: Chrome,
    orders: Vec<OrderRow>,
    next: Option<String>,
}

#[derive(Deserialize)]
pub struct HistoryQuery {
    cursor: Option<String>,
}

pub async fn history(
    State(pages): State<Pages>,
    visitor: Visitor,
    Query(query): Query<HistoryQuery>,
) -> Result<Response, PageError> {
    let account = visitor.require(Role::Shopper)?;
    let lang = visitor.lang;
    let page = golmok_ordering::view::list_orders(
        &pages.db,
        account,
        None,
        20,
        query.cursor.as_deref().filter(|c| !c.is_empty()),
    )
    .await?;
    let view = HistoryPage {
        orders: page
            .items
            .iter()
            .map(|o| OrderRow {
                id: o.id.clone(),
                placed_at: format::seoul_time(lang, o.created_at),
                status: format::order_status(lang.texts(), o.status),
                total: format::won(lang, o.total_krw),
                shops: o.merchant_orders.len(),
            })
            .collect(),
        next: page
            .next_cursor
            .map(|c| format!("/orders?cursor={}", super::encode(&c))),
        c: Chrome::load(&pages, &visitor).await?,
    };
    render(&view)
}

pub struct TrackedLine {
    pub id: String,
    pub title: String,
    pub ordered: String,
    pub weighed: Option<String>,
    pub amount: String,
    /// Where the question about this line's weighing stands, when the shop asked one.
    pub approval: Option<String>,
    /// The shop asks, and the shopper may still answer: what approving costs and what the
    /// line is cut to otherwise.
    pub question: Option<Question>,
}

pub struct Question {
    pub weighed: String,
    pub extra: String,
    pub cut_to: String,
}

pub struct TrackedShop {
    pub merchant_order_id: String,
    pub name: String,
    /// Why the delivery plan left this part out, when it did.
    pub left_out: Option<&'static str>,
    /// Turned into a pick-up at the shop.
    pub pickup_instead: bool,
    /// The code the shopper tells the courier at the door, until it is delivered.
    pub handover_code: Option<String>,
    pub status: &'static str,
    /// For the status badge's colour.
    pub state: &'static str,
    pub note: Option<String>,
    pub eta: Option<String>,
    pub lines: Vec<TrackedLine>,
    /// The shopper's claims about this part and the shop's answers, oldest first.
    pub claims: Vec<ClaimRow>,
    /// Delivered, no claim waiting, and still in time: the shopper may claim.
    pub claim_form: Option<ClaimForm>,
    /// Why the last claim sent about this part was not taken.
    pub claim_error: Option<&'static str>,
}

pub struct ClaimRow {
    /// Its photos' addresses on these pages.
    pub photos: Vec<String>,
    /// Where its shopper adds another photo, while the claim waits and has room for one.
    pub add_photo: Option<String>,
    pub at: String,
    pub reason: String,
    pub asked: Option<String>,
    pub status: &'static str,
    pub refunded: Option<String>,
    pub answer: Option<String>,
}

pub struct ClaimForm {
    /// The last day a claim is taken.
    pub until: String,
    /// The most that can be asked back.
    pub refundable: String,
    pub refundable_krw: i64,
}

pub struct RefundRow {
    pub amount: String,
    pub reason: String,
    pub at: String,
}

pub struct TrackedOrder {
    pub id: String,
    /// The order's last six characters: what the shopper tells a shop's counter.
    pub number: String,
    pub status: &'static str,
    pub placed_at: String,
    pub delivery: bool,
    pub address: String,
    pub window: Option<String>,
    pub planned: bool,
    pub shops: Vec<TrackedShop>,
    pub items_total: String,
    pub deposits: Option<String>,
    pub delivery_fee: String,
    pub total: String,
    pub authorized: String,
    pub charged: Option<String>,
    pub refunds: Vec<RefundRow>,
    pub client_secret: Option<String>,
    /// The one code the shopper tells the courier at the door, while something is on its way.
    pub handover_code: Option<String>,
    /// No shop has accepted yet: the shopper may still cancel.
    pub cancellable: bool,
    /// Completed or cancelled: offered to the basket again.
    pub finished: bool,
    /// What the last button pressed on this page came to, when it needs saying.
    pub flash: Option<&'static str>,
    /// What the last button pressed did, when it went well.
    pub notice: Option<&'static str>,
    /// An admin reads it: the support refund form shows, with the parts to refund from.
    pub support_refund: Option<Vec<(String, String)>>,
}

#[derive(Template)]
#[template(path = "order.html")]
struct TrackingPage {
    c: Chrome,
    o: TrackedOrder,
    stripe_key: String,
}

#[derive(Template)]
#[template(path = "order.html", block = "tracking")]
struct TrackingFragment {
    c: Chrome,
    o: TrackedOrder,
}

fn state_of(s: MerchantOrderStatus) -> &'static str {
    use MerchantOrderStatus as S;
    match s {
        S::Rejected | S::Cancelled | S::Expired | S::Failed => "stopped",
        S::Delivered => "done",
        S::Pending => "waiting",
        _ => "moving",
    }
}

/// The order as its page shows it; `claims` are the shopper's claims about its parts, and
/// `own` whether the order is the visitor's (only they may claim).
async fn tracked(
    pages: &Pages,
    lang: Lang,
    order: Order,
    claims: &[Claim],
    own: bool,
) -> Result<TrackedOrder, PageError> {
    let t = lang.texts();
    let delivery = Delivery::of(pages, &order).await?;
    let window = match &order.fulfillment.slot_id {
        Some(slot_id) => slot_window(pages, lang, slot_id).await,
        None => None,
    };
    let shop_ids: Vec<String> = order
        .merchant_orders
        .iter()
        .map(|m| m.merchant_id.clone())
        .collect();
    let names: HashMap<String, String> =
        golmok_catalog::merchant::merchants_in(&pages.db, &shop_ids)
            .await?
            .into_iter()
            .map(|m| (m.id, m.name))
            .collect();
    let shops: Vec<TrackedShop> = order
        .merchant_orders
        .iter()
        .map(|m| {
            let mut shop = tracked_shop(lang, &order, m, &delivery, &names);
            let mine: Vec<&Claim> = claims
                .iter()
                .filter(|c| c.merchant_order_id == m.id)
                .collect();
            shop.claim_form = claim_form(lang, &order, m, &mine).filter(|_| own);
            shop.claims = mine
                .into_iter()
                .map(|c| ClaimRow {
                    add_photo: (own
                        && c.status == ClaimStatus::Open
                        && (c.photos.len() as u64) < golmok_ordering::claims::MAX_PHOTOS)
                        .then(|| {
                            format!(
                                "/orders/{}/parts/{}/claims/{}/photos",
                                encode(&order.id),
                                encode(&m.id),
                                encode(&c.id)
                            )
                        }),
                    ..claim_row(lang, c)
                })
                .collect();
            shop
        })
        .collect();
    let handover_code = shops
        .iter()
        .find_map(|s| s.handover_code.clone().filter(|_| !s.pickup_instead));
    let statuses = || order.merchant_orders.iter().map(|m| m.status);
    let cancellable = statuses().all(|s| s == MerchantOrderStatus::Pending || s.is_withdrawn())
        && statuses().any(|s| s == MerchantOrderStatus::Pending);
    Ok(TrackedOrder {
        cancellable,
        finished: order.status != OrderStatus::Placed,
        flash: None,
        notice: None,
        support_refund: None,
        number: order
            .id
            .chars()
            .skip(order.id.chars().count().saturating_sub(6))
            .collect(),
        handover_code,
        status: format::order_status(t, order.status),
        placed_at: format::seoul_time(lang, order.created_at),
        delivery: order.fulfillment.kind == FulfillmentKind::Delivery,
        address: order.fulfillment.address.clone().unwrap_or_default(),
        window,
        planned: !delivery.etas.is_empty(),
        shops,
        items_total: format::won(lang, order.items_total_krw),
        deposits: (order.deposits_krw > 0).then(|| format::won(lang, order.deposits_krw)),
        delivery_fee: format::won(lang, order.delivery_fee_krw),
        total: format::won(lang, order.total_krw),
        authorized: format::won(lang, order.authorized_krw),
        charged: (order.charged_krw > 0).then(|| format::won(lang, order.charged_krw)),
        refunds: order
            .refunds
            .iter()
            .map(|r| RefundRow {
                amount: format::won(lang, r.amount_krw),
                reason: r.reason.clone(),
                at: format::seoul_time(lang, r.created_at),
            })
            .collect(),
        client_secret: card_to_confirm(&order),
        id: order.id,
    })
}

fn claim_status(t: &crate::i18n::Texts, status: ClaimStatus) -> &'static str {
    match status {
        ClaimStatus::Open => t.claim_open,
        ClaimStatus::Refunded => t.claim_refunded,
        ClaimStatus::Declined => t.claim_declined,
    }
}

/// Where the pages show a claim's photos (to those who may see them).
pub(crate) fn photo_links(c: &Claim) -> Vec<String> {
    c.photos
        .iter()
        .map(|p| format!("/claims/{}/photos/{}", encode(&c.id), encode(&p.id)))
        .collect()
}

pub(crate) fn claim_row(lang: Lang, c: &Claim) -> ClaimRow {
    let t = lang.texts();
    ClaimRow {
        photos: photo_links(c),
        add_photo: None,
        at: format::seoul_time(lang, c.created_at),
        reason: c.reason.clone(),
        asked: c.asked_krw.map(|a| format::won(lang, a)),
        status: claim_status(t, c.status),
        refunded: (c.refunded_krw > 0).then(|| format::won(lang, c.refunded_krw)),
        answer: c.answer.clone(),
    }
}

/// The claim form of a delivered part, while a claim is still taken and none waits.
fn claim_form(
    lang: Lang,
    order: &Order,
    m: &golmok_ordering::MerchantOrder,
    claims: &[&Claim],
) -> Option<ClaimForm> {
    let until = golmok_ordering::claims::claimable_until(order, m)?;
    let refundable_krw = golmok_ordering::refunds::refundable_krw(
        m.subtotal_krw,
        m.deposits_krw,
        m.coupon_krw,
        m.refunded_krw,
    );
    let waiting = claims.iter().any(|c| c.status == ClaimStatus::Open);
    (until > chrono::Utc::now() && !waiting && refundable_krw > 0).then(|| ClaimForm {
        until: format::seoul_date(lang, until),
        refundable: format::won(lang, refundable_krw),
        refundable_krw,
    })
}

/// A card authorisation waiting for the shopper to confirm it: the checkout's, or the second
/// one for a weighed difference they approved.
fn card_to_confirm(order: &Order) -> Option<String> {
    let waiting = |p: &golmok_payments::Payment| {
        (p.provider == "stripe" && p.status == golmok_payments::PaymentStatus::Pending)
            .then(|| p.client_secret.clone())
            .flatten()
    };
    waiting(&order.payment).or_else(|| {
        order
            .merchant_orders
            .iter()
            .flat_map(|m| &m.lines)
            .filter_map(|l| l.approval.as_ref()?.payment.as_ref())
            .find_map(waiting)
    })
}

/// Where each shop's part of the order stands on the road: its drop-off in the latest plan,
/// left out of it (and why), or turned into a pick-up.
struct Delivery {
    etas: HashMap<String, golmok_delivery_routing::batch::StopProgress>,
    left_out: HashMap<String, String>,
    pickups: Vec<String>,
}

impl Delivery {
    async fn of(pages: &Pages, order: &Order) -> Result<Self, PageError> {
        let ids: Vec<String> = order.merchant_orders.iter().map(|m| m.id.clone()).collect();
        let etas =
            golmok_delivery_routing::batch::stop_progress(&pages.db, &ids, StopKind::Dropoff)
                .await?
                .into_iter()
                .map(|p| (p.merchant_order_id.clone(), p))
                .collect();
        let left_out = golmok_delivery_routing::task::left_out(&pages.db, &ids)
            .await?
            .into_iter()
            .map(|l| (l.merchant_order_id, l.reason))
            .collect();
        let pickups = golmok_delivery_routing::task::pickups_among(&pages.db, &ids).await?;
        Ok(Self {
            etas,
            left_out,
            pickups,
        })
    }
}

/// "12월 3일 (목) 14:00–16:00": the delivery slot as the shopper reads it.
async fn slot_window(pages: &Pages, lang: Lang, slot_id: &str) -> Option<String> {
    let (_, slot) = golmok_delivery_routing::network::slot(&pages.db, slot_id)
        .await
        .ok()?;
    Some(format!(
        "{} {}–{}",
        format::seoul_date(lang, slot.starts_at),
        format::seoul_clock(slot.starts_at),
        format::seoul_clock(slot.ends_at)
    ))
}

fn tracked_shop(
    lang: Lang,
    order: &Order,
    m: &golmok_ordering::MerchantOrder,
    delivery: &Delivery,
    names: &HashMap<String, String>,
) -> TrackedShop {
    let t = lang.texts();
    TrackedShop {
        merchant_order_id: m.id.clone(),
        left_out: delivery
            .left_out
            .get(&m.id)
            .map(|r| format::left_out_reason(t, r)),
        pickup_instead: delivery.pickups.contains(&m.id),
        handover_code: m.handover_code.clone().filter(|_| {
            !m.status.is_final() && order.fulfillment.kind == FulfillmentKind::Delivery
        }),
        name: names.get(&m.merchant_id).cloned().unwrap_or_default(),
        // A pick-up (or a delivery turned into one) ends in the shopper's hands at the shop.
        status: match m.status {
            MerchantOrderStatus::Delivered
                if order.fulfillment.kind != FulfillmentKind::Delivery
                    || delivery.pickups.contains(&m.id) =>
            {
                t.mo_collected
            }
            other => format::merchant_order_status(t, other),
        },
        state: state_of(m.status),
        note: m.note.as_deref().map(|n| super::shop::refusal_text(t, n)),
        eta: delivery
            .etas
            .get(&m.id)
            .filter(|p| p.status == StopStatus::Pending)
            .map(|p| format::seoul_clock(p.eta)),
        claims: Vec::new(),
        claim_form: None,
        claim_error: None,
        lines: m
            .lines
            .iter()
            .map(|l| {
                let unit = format::unit_from_str(&l.unit);
                TrackedLine {
                    id: l.id.clone(),
                    title: l.title.clone(),
                    ordered: format::quantity(t, unit, l.quantity),
                    weighed: l.weighed_quantity.map(|w| format::quantity(t, unit, w)),
                    amount: format::won(lang, l.amount_krw),
                    approval: super::shop::approval_text(lang, l),
                    question: l
                        .approval
                        .as_ref()
                        .filter(|a| a.status == ApprovalStatus::Asked)
                        .map(|a| Question {
                            weighed: format::quantity(t, unit, a.weighed_quantity),
                            extra: format::won(lang, a.extra_krw),
                            cut_to: format::quantity(t, unit, a.fits_quantity),
                        }),
                }
            })
            .collect(),
    }
}

/// The order's page: whole, or only its tracking part when htmx redraws it after an event.
#[derive(Deserialize)]
pub struct TrackingQuery {
    /// The shopper pressed cancel, but a shop had accepted meanwhile.
    not_cancelled: Option<String>,
    /// Why the order's goods could not go in the basket again.
    not_again: Option<String>,
    /// A claim was sent about a part.
    claimed: Option<String>,
    /// A photo went with a claim already sent.
    photo_added: Option<String>,
    /// A claim about this part was not taken, and `why`.
    not_claimed: Option<String>,
    why: Option<String>,
    /// An admin's refund went through, or why not.
    refunded: Option<String>,
    not_refunded: Option<String>,
}

pub async fn tracking(
    State(pages): State<Pages>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(query): Query<TrackingQuery>,
) -> Result<Response, PageError> {
    let account = visitor.require(Role::Shopper)?;
    let order = golmok_ordering::view::get_order(&pages.db, account, &id).await?;
    if account.role == Role::Shopper && order.shopper_id != account.id {
        return Err(PageError::NotFound);
    }
    let own = order.shopper_id == account.id;
    let claims = golmok_ordering::claims::of_order(&pages.db, account, &id).await?;
    let mut o = tracked(&pages, visitor.lang, order, &claims, own).await?;
    // Another's order (an admin reading it) is not theirs to put in their basket.
    o.finished &= own;
    let t = visitor.lang.texts();
    o.flash = match (query.not_cancelled.is_some(), query.not_again.as_deref()) {
        (true, _) => Some(t.not_cancelled),
        (_, Some("basket_other_consortium")) => Some(t.again_other_basket),
        (_, Some("nothing_to_add_again")) => Some(t.again_nothing),
        (_, Some("consortium_not_active")) => Some(t.again_not_selling),
        _ => None,
    };
    o.notice = if query.claimed.is_some() {
        Some(t.claim_sent)
    } else if query.photo_added.is_some() {
        Some(t.claim_photo_added)
    } else {
        query.refunded.is_some().then_some(t.support_refunded)
    };
    if let Some(code) = query.not_refunded.as_deref() {
        o.flash = Some(match code {
            "exceeds_refundable" => t.claim_too_much,
            "payment_not_refundable" => t.support_not_captured,
            _ => t.err_check_field,
        });
    }
    if account.role == Role::Admin {
        o.support_refund = Some(
            o.shops
                .iter()
                .map(|s| (s.merchant_order_id.clone(), s.name.clone()))
                .collect(),
        );
    }
    if let Some(part) = &query.not_claimed
        && let Some(shop) = o.shops.iter_mut().find(|s| &s.merchant_order_id == part)
    {
        shop.claim_error = Some(match query.why.as_deref() {
            Some("exceeds_refundable") => t.claim_too_much,
            Some("claim_too_late") => t.claim_too_late,
            Some("claim_open") => t.claim_waiting,
            Some("not_paid_yet") => t.claim_not_paid,
            Some("reason") => t.claim_reason_needed,
            Some("photo") => t.claim_photo_refused,
            Some("photo_large") => t.claim_photo_large,
            Some("photo_missing") => t.claim_photo_missing,
            Some("too_many_photos") => t.claim_photo_too_many,
            Some("claim_answered") => t.claim_photo_answered,
            _ => t.err_check_field,
        });
    }
    let c = Chrome::load(&pages, &visitor).await?;
    if is_htmx(&headers) {
        return render(&TrackingFragment { c, o });
    }
    render(&TrackingPage {
        stripe_key: pages
            .settings
            .stripe_publishable_key
            .clone()
            .unwrap_or_default(),
        c,
        o,
    })
}

/// `GET /orders/{id}/live`: an SSE stream that says "changed" whenever the order's topic
/// hears an event (or when events may have been missed), for the page to redraw itself. The
/// page redraws on every (re)connect too, so nothing said while it was away is lost.
pub async fn live(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let account = visitor.require(Role::Shopper)?;
    let order = golmok_ordering::view::get_order(&pages.db, account, &id).await?;
    if account.role == Role::Shopper && order.shopper_id != account.id {
        return Err(PageError::NotFound);
    }
    super::changes_of(
        &pages,
        &account.id,
        golmok_events::Topic::order(id).to_string(),
    )
}

/// The signed-in shopper, if `part` is a part of their order `id`.
async fn shoppers_part<'v>(
    pages: &Pages,
    visitor: &'v Visitor,
    id: &str,
    part: &str,
) -> Result<&'v golmok_accounts::Account, PageError> {
    let account = visitor.require(Role::Shopper)?;
    let order = golmok_ordering::view::get_order(&pages.db, account, id).await?;
    if order.merchant_orders.iter().any(|m| m.id == part) {
        Ok(account)
    } else {
        Err(PageError::NotFound)
    }
}

/// The shopper moves a part the plan left out to the next slot that can carry it (their
/// consent), then back to the order.
pub async fn move_part(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path((id, part)): Path<(String, String)>,
    crate::session::CsrfForm { .. }: crate::session::CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let account = shoppers_part(&pages, &visitor, &id, &part).await?;
    let task = golmok_delivery_routing::task::task_of(&pages.db, &part).await?;
    let network =
        golmok_delivery_routing::network::get_network(&pages.db, &task.network_id).await?;
    let (_, slot) = golmok_delivery_routing::network::slot(&pages.db, &task.slot_id).await?;
    let load = golmok_delivery_routing::task::load_of(&task);
    let next = golmok_delivery_routing::network::next_slot_that_fits(
        &pages.db,
        &network,
        slot.starts_at,
        &load,
    )
    .await?
    .ok_or(PageError::Refused {
        status: axum::http::StatusCode::CONFLICT,
        detail: visitor.lang.texts().no_slots.to_owned(),
    })?;
    golmok_ordering::delivery::move_to_slot(pages.ordering(), account, &part, &next.id).await?;
    Ok(super::see_other(&format!("/orders/{id}")))
}

/// The shopper cancels the order before any shop has accepted it: stock goes back and the
/// payment's hold is released. A shop that accepted in the meantime keeps it: the page says
/// so.
pub async fn cancel(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(id): Path<String>,
    crate::session::CsrfForm { .. }: crate::session::CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let account = visitor.require(Role::Shopper)?;
    match golmok_ordering::lifecycle::cancel(pages.ordering(), account, &id).await {
        Ok(_) => Ok(super::see_other(&format!("/orders/{id}"))),
        Err(golmok_core::DomainError::Conflict {
            code: "illegal_transition",
            ..
        }) => Ok(super::see_other(&format!("/orders/{id}?not_cancelled=1"))),
        Err(e) => Err(e.into()),
    }
}

/// The shopper puts the order's goods in the basket again (see
/// `golmok_ordering::basket::add_order_again`): on to the basket, which says how many came;
/// or back to the order, which says why none did.
pub async fn add_again(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(id): Path<String>,
    crate::session::CsrfForm { .. }: crate::session::CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let account = visitor.require(Role::Shopper)?;
    match golmok_ordering::basket::add_order_again(
        &pages.db,
        pages.cache.as_ref(),
        &visitor.basket_owner(),
        account,
        &id,
    )
    .await
    {
        Ok(again) => Ok(super::see_other(&format!(
            "/basket?again={}&missing={}",
            again.added,
            again.unavailable.len()
        ))),
        Err(golmok_core::DomainError::Conflict { code, .. })
            if matches!(
                code,
                "basket_other_consortium" | "nothing_to_add_again" | "consortium_not_active"
            ) =>
        {
            Ok(super::see_other(&format!("/orders/{id}?not_again={code}")))
        }
        Err(e) => Err(e.into()),
    }
}

/// The shopper will collect a part the plan left out at its shop.
pub async fn collect_part(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path((id, part)): Path<(String, String)>,
    crate::session::CsrfForm { .. }: crate::session::CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let account = shoppers_part(&pages, &visitor, &id, &part).await?;
    golmok_ordering::delivery::turn_into_pickup(pages.ordering(), account, &part).await?;
    Ok(super::see_other(&format!("/orders/{id}")))
}

#[derive(Deserialize)]
pub struct ApprovalForm {
    pub decision: String,
}

/// The shopper approves or declines what the shop weighed, then back to the order.
pub async fn answer_approval(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path((id, part, line)): Path<(String, String, String)>,
    crate::session::CsrfForm { form, .. }: crate::session::CsrfForm<ApprovalForm>,
) -> Result<Response, PageError> {
    let account = shoppers_part(&pages, &visitor, &id, &part).await?;
    let decision = match form.decision.as_str() {
        "approve" => Decision::Approve,
        "decline" => Decision::Decline,
        _ => return Err(PageError::NotFound),
    };
    match golmok_ordering::approvals::answer(pages.ordering(), account, &part, &line, decision)
        .await
    {
        Ok(_) => Ok(super::see_other(&format!("/orders/{id}"))),
        Err(DomainError::Conflict { .. }) => Err(PageError::Refused {
            status: axum::http::StatusCode::CONFLICT,
            detail: visitor.lang.texts().approval_closed.to_owned(),
        }),
        Err(e) => Err(e.into()),
    }
}

/// Back to the order's page, saying beside the part's claim why a claim or its photo was
/// not taken (the page opens at that line).
fn not_claimed(order: &str, part: &str, why: &str) -> Response {
    see_other(&format!(
        "/orders/{}?not_claimed={}&why={why}#claim-error-{}",
        encode(order),
        encode(part),
        encode(part)
    ))
}

/// A claim's form with its photo, CSRF checked; `None` when the photo is over the limit, which
/// the page says beside the part rather than on an error page.
async fn claim_photo_form(
    request: axum::extract::Request,
) -> Result<Option<CsrfUpload>, PageError> {
    match CsrfUpload::read(request, "photo", golmok_storage::photo::MAX_BYTES).await {
        Ok(upload) => Ok(Some(upload)),
        Err(PageError::TooLarge) => Ok(None),
        Err(e) => Err(e),
    }
}

/// `POST /orders/{id}/parts/{part}/claim`: the shopper claims about a delivered part, with a
/// photo of what went wrong if they have one; the page says it was sent, or beside the
/// part's form why not.
pub async fn claim(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path((id, part)): Path<(String, String)>,
    request: axum::extract::Request,
) -> Result<Response, PageError> {
    let account = shoppers_part(&pages, &visitor, &id, &part).await?.clone();
    let back = |why: &str| not_claimed(&id, &part, why);
    let Some(upload) = claim_photo_form(request).await? else {
        return Ok(back("photo_large"));
    };
    let field = |name: &str| upload.fields.get(name).cloned().unwrap_or_default();
    let Ok(asked_krw) = super::typed_won(&field("asked_krw")) else {
        return Ok(back("asked_krw"));
    };
    let new = golmok_ordering::claims::NewClaim {
        reason: field("reason"),
        asked_krw,
    };
    let opened = if upload.file.is_empty() {
        golmok_ordering::claims::open(pages.ordering(), &account, &part, new).await
    } else {
        golmok_ordering::claims::open_with_photo(
            pages.ordering(),
            pages.store.as_ref(),
            &account,
            &part,
            new,
            upload.file,
        )
        .await
    };
    match opened {
        Ok(_) => Ok(see_other(&format!("/orders/{}?claimed=1", encode(&id)))),
        Err(DomainError::Conflict { code, .. }) => Ok(back(code)),
        Err(DomainError::TooLarge(_)) => Ok(back("photo_large")),
        Err(DomainError::Invalid(v)) => {
            Ok(back(v.0.first().map_or(
                "invalid",
                |f| match f.field.as_str() {
                    "reason" => "reason",
                    "photo" => "photo",
                    _ => "asked_krw",
                },
            )))
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /orders/{id}/parts/{part}/claims/{claim}/photos`: another photo for a claim still
/// waiting for the shop's answer, from the order's page; the page says it went with the claim,
/// or beside the part why not.
pub async fn add_claim_photo(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path((id, part, claim)): Path<(String, String, String)>,
    request: axum::extract::Request,
) -> Result<Response, PageError> {
    let account = shoppers_part(&pages, &visitor, &id, &part).await?.clone();
    let back = |why: &str| not_claimed(&id, &part, why);
    let Some(upload) = claim_photo_form(request).await? else {
        return Ok(back("photo_large"));
    };
    if upload.file.is_empty() {
        return Ok(back("photo_missing"));
    }
    match golmok_ordering::claims::add_photo(
        &pages.db,
        pages.store.as_ref(),
        &account,
        &claim,
        upload.file,
    )
    .await
    {
        Ok(_) => Ok(see_other(&format!("/orders/{}?photo_added=1", encode(&id)))),
        Err(DomainError::Conflict { code, .. }) => Ok(back(code)),
        Err(DomainError::TooLarge(_)) => Ok(back("photo_large")),
        Err(DomainError::Invalid(_)) => Ok(back("photo")),
        Err(e) => Err(e.into()),
    }
}

/// `GET /claims/{id}/photos/{photo}`: a claim's photo, for its shopper, its shop's owner and
/// admins (anyone else: not found); never kept by a shared cache.
pub async fn claim_photo(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path((claim, photo)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let account = visitor
        .account
        .as_ref()
        .ok_or_else(|| PageError::SignIn(visitor.here.clone()))?;
    let file = golmok_ordering::claims::read_photo(
        &pages.db,
        pages.store.as_ref(),
        account,
        &claim,
        &photo,
    )
    .await?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, file.content_type),
            (
                axum::http::header::CACHE_CONTROL,
                "private, no-store".to_owned(),
            ),
        ],
        file.bytes,
    )
        .into_response())
}

#[derive(Deserialize)]
pub struct SupportRefundFields {
    /// A part's id, or empty for the whole order (its delivery fee included).
    #[serde(default)]
    part: String,
    #[serde(default)]
    amount_krw: String,
    #[serde(default)]
    reason: String,
}

/// `POST /orders/{id}/refund`: an admin's refund from the order's page (support), of a part
/// or of the whole order, all or an amount; back to the page saying what happened.
pub async fn support_refund(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(id): Path<String>,
    CsrfForm { form, .. }: CsrfForm<SupportRefundFields>,
) -> Result<Response, PageError> {
    let account = visitor.require(Role::Admin)?;
    let back = |query: &str| see_other(&format!("/orders/{}?{query}", encode(&id)));
    let Ok(amount_krw) = super::typed_won(&form.amount_krw) else {
        return Ok(back("not_refunded=amount_krw"));
    };
    let request = golmok_ordering::refunds::RefundRequest {
        merchant_order_id: Some(form.part.trim().to_owned()).filter(|p| !p.is_empty()),
        amount_krw,
        reason: form.reason,
    };
    match golmok_ordering::refunds::refund(pages.ordering(), account, &id, request, None).await {
        Ok(_) => Ok(back("refunded=1")),
        Err(DomainError::Conflict { code, .. }) => Ok(back(&format!("not_refunded={code}"))),
        Err(DomainError::Invalid(v)) => Ok(back(&format!(
            "not_refunded={}",
            v.0.first().map_or("invalid", |f| f.field.as_str())
        ))),
        Err(e) => Err(e.into()),
    }
}

pub fn routes() -> axum::Router<crate::Pages> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/orders", get(history))
        .route("/orders/{id}", get(tracking))
        .route("/orders/{id}/live", get(live))
        .route("/orders/{id}/cancel", post(cancel))
        .route("/orders/{id}/again", post(add_again))
        .route("/orders/{id}/refund", post(support_refund))
        .route("/orders/{id}/parts/{part}/move", post(move_part))
        .route("/orders/{id}/parts/{part}/pickup", post(collect_part))
        .route(
            "/orders/{id}/parts/{part}/claim",
            // A photo somewhat over 10 MB is read whole and refused beside the form.
            post(claim).layer(axum::extract::DefaultBodyLimit::max(
                4 * golmok_storage::photo::MAX_BYTES,
            )),
        )
        .route(
            "/orders/{id}/parts/{part}/claims/{claim}/photos",
            post(add_claim_photo).layer(axum::extract::DefaultBodyLimit::max(
                4 * golmok_storage::photo::MAX_BYTES,
            )),
        )
        .route("/claims/{id}/photos/{photo}", get(claim_photo))
        .route(
            "/orders/{id}/parts/{part}/lines/{line}/approval",
            post(answer_approval),
        )
}
