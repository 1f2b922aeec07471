//! Shoppers' claims on the shop's board: what went wrong with a delivered part, what the
//! shopper asks back, and the shop's answer (a refund, at most what is still refundable, or a
//! decline saying why), each from one form. `/shop/{id}/claims` keeps them all: the waiting
//! ones, then the answered ones with what the shop said and refunded.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use golmok_accounts::Account;
use golmok_catalog::Merchant;
use golmok_ordering::DomainError;
use golmok_ordering::claims::{ClaimAnswer, ClaimStatus};
use serde::Deserialize;

use super::shop::owned_shop;
use super::{Chrome, encode, render, see_other};
use crate::Pages;
use crate::error::PageError;
use crate::format;
use crate::i18n::Lang;
use crate::session::{CsrfForm, Visitor};

/// An open claim as the board shows it.
pub struct ShopClaim {
    /// The shopper's photos' addresses.
    pub photos: Vec<String>,
    pub id: String,
    /// The order's last six characters, as the shopper reads them too.
    pub order_number: String,
    pub at: String,
    pub reason: String,
    pub asked: Option<String>,
    pub refundable: String,
    /// The refund the form offers: what was asked, or all that is refundable.
    pub offer_krw: i64,
    pub refundable_krw: i64,
}

/// The last six characters of an order's id: its number as the shopper and the shop read it.
fn order_number(order_id: &str) -> String {
    order_id
        .chars()
        .skip(order_id.chars().count().saturating_sub(6))
        .collect()
}

/// The shop's claims waiting for an answer, oldest first.
pub async fn open_claims(
    pages: &Pages,
    lang: Lang,
    account: &Account,
    shop_id: &str,
) -> Result<Vec<ShopClaim>, PageError> {
    Ok(
        golmok_ordering::claims::waiting_at_shop(&pages.db, account, shop_id)
            .await?
            .into_iter()
            .map(|c| ShopClaim {
                photos: super::orders::photo_links(&c),
                order_number: order_number(&c.order_id),
                at: format::seoul_time(lang, c.created_at),
                asked: c.asked_krw.map(|a| format::won(lang, a)),
                refundable: format::won(lang, c.refundable_krw),
                offer_krw: c
                    .asked_krw
                    .unwrap_or(c.refundable_krw)
                    .min(c.refundable_krw),
                refundable_krw: c.refundable_krw,
                reason: c.reason,
                id: c.id,
            })
            .collect(),
    )
}

#[derive(Deserialize)]
pub struct AnswerFields {
    /// `refund` or `decline`: the button pressed.
    decision: String,
    #[serde(default)]
    refund_krw: String,
    #[serde(default)]
    answer: String,
}

/// `POST /shop/{id}/claims/{claim}/answer`: back to the board, saying it is answered or why
/// not.
pub async fn answer(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path((id, claim)): Path<(String, String)>,
    CsrfForm { form, .. }: CsrfForm<AnswerFields>,
) -> Result<Response, PageError> {
    let (account, _) = owned_shop(&pages, &visitor, &id).await?;
    let board = format!("/shop/{}/orders", encode(&id));
    let refused = |why: &str| see_other(&format!("{board}?claim_error={why}"));
    let refund_krw = if form.decision == "refund" {
        match super::typed_won(&form.refund_krw) {
            Ok(Some(won)) => Some(won),
            _ => return Ok(refused("refund_krw")),
        }
    } else {
        None
    };
    let answer = ClaimAnswer {
        refund_krw,
        answer: form.answer,
    };
    match golmok_ordering::claims::resolve(pages.ordering(), &account, &claim, answer).await {
        Ok(_) => Ok(see_other(&format!("{board}?claim_answered=1"))),
        Err(DomainError::Conflict { code, .. }) => Ok(refused(code)),
        Err(DomainError::Invalid(v)) => {
            Ok(refused(v.0.first().map_or(
                "invalid",
                |f| match f.field.as_str() {
                    "answer" => "answer",
                    _ => "refund_krw",
                },
            )))
        }
        Err(e) => Err(e.into()),
    }
}

/// A claim in the shop's record.
pub struct ClaimRow {
    /// The shopper's photos' addresses.
    pub photos: Vec<String>,
    pub order_number: String,
    pub at: String,
    pub reason: String,
    pub asked: Option<String>,
    /// Waiting, refunded (how much) or declined.
    pub outcome: String,
    pub waiting: bool,
    pub answer: Option<String>,
    pub answered_at: Option<String>,
}

#[derive(Template)]
#[template(path = "shop_claims.html")]
struct ClaimsPage {
    c: Chrome,
    shop: Merchant,
    rows: Vec<ClaimRow>,
}

/// `GET /shop/{id}/claims`: every waiting claim, oldest first, then the newest answered.
pub async fn claims(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let (account, shop) = owned_shop(&pages, &visitor, &id).await?;
    let lang = visitor.lang;
    let t = lang.texts();
    let rows = golmok_ordering::claims::of_shop(&pages.db, &account, &id)
        .await?
        .into_iter()
        .map(|c| ClaimRow {
            photos: super::orders::photo_links(&c),
            order_number: order_number(&c.order_id),
            at: format::seoul_time(lang, c.created_at),
            asked: c.asked_krw.map(|a| format::won(lang, a)),
            outcome: match c.status {
                ClaimStatus::Open => t.claim_open.to_owned(),
                ClaimStatus::Refunded => {
                    format!("{} {}", t.claim_refunded, format::won(lang, c.refunded_krw))
                }
                ClaimStatus::Declined => t.claim_declined.to_owned(),
            },
            waiting: c.status == ClaimStatus::Open,
            answer: c.answer.filter(|a| !a.is_empty()),
            answered_at: c.resolved_at.map(|at| format::seoul_time(lang, at)),
            reason: c.reason,
        })
        .collect();
    render(&ClaimsPage {
        rows,
        shop,
        c: Chrome::load(&pages, &visitor).await?,
    })
}

pub fn routes() -> axum::Router<crate::Pages> {
    axum::Router::new()
        .route("/shop/{id}/claims", axum::routing::get(claims))
        .route(
            "/shop/{id}/claims/{claim}/answer",
            axum::routing::post(answer),
        )
}
