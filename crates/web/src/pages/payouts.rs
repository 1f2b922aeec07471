//! Whom an admin pays next: every shop and co-delivery network owed money, most owed first,
//! each linking to its own payouts page, where the admin records the bank transfer; the
//! newest calls the payment provider refused, money that did not move as the books say; and
//! shoppers' claims no shop has answered yet, each linking the order, where support refunds.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use golmok_accounts::Role;
use golmok_payments::calls::CallKind;

use super::{Chrome, encode, render};
use crate::Pages;
use crate::error::PageError;
use crate::format;
use crate::session::Visitor;

pub struct DueRow {
    pub name: String,
    pub kind: &'static str,
    pub href: String,
    pub owed: String,
    /// Of it, what waits to leave as card-sale transfers.
    pub awaiting: Option<String>,
}

/// A call the payment provider refused, as the admin reads it.
pub struct RefusedRow {
    pub at: String,
    pub kind: &'static str,
    pub amount: String,
    /// The provider's own words.
    pub error: String,
    pub order_id: Option<String>,
}

/// How many refused calls the page shows (the API pages through them all).
const REFUSED_SHOWN: u64 = 20;

/// A shopper's claim no shop has answered yet, oldest first: where support steps in.
pub struct WaitingClaim {
    pub at: String,
    pub shop: String,
    pub reason: String,
    pub asked: Option<String>,
    pub order_id: String,
}

#[derive(Template)]
#[template(path = "payouts_due.html")]
struct DuePage {
    c: Chrome,
    parties: Vec<DueRow>,
    refused: Vec<RefusedRow>,
    claims: Vec<WaitingClaim>,
}

pub async fn due(State(pages): State<Pages>, visitor: Visitor) -> Result<Response, PageError> {
    let account = visitor.require(Role::Admin)?;
    let (lang, t) = (visitor.lang, visitor.lang.texts());
    let parties = golmok_ordering::payouts::owed_parties(&pages.db, account)
        .await?
        .into_iter()
        .map(|p| {
            let (kind, href) = if p.kind == "network" {
                (
                    t.party_network,
                    format!("/dispatch/{}/payouts", encode(&p.id)),
                )
            } else {
                (t.party_shop, format!("/shop/{}/payouts", encode(&p.id)))
            };
            DueRow {
                name: p.name,
                kind,
                href,
                owed: format::won(lang, p.owed_krw),
                awaiting: (p.awaiting_transfer_krw > 0)
                    .then(|| format::won(lang, p.awaiting_transfer_krw)),
            }
        })
        .collect();
    let refused =
        golmok_ordering::payment_calls::refused_calls(&pages.db, account, REFUSED_SHOWN, None)
            .await?
            .items
            .into_iter()
            .map(|r| RefusedRow {
                at: format::seoul_time(lang, r.call.refused_at),
                kind: match r.call.kind {
                    CallKind::Capture => t.call_capture,
                    CallKind::Void => t.call_void,
                    CallKind::Refund => t.call_refund,
                    _ => t.entry_payout,
                },
                amount: format::won(lang, r.call.amount_krw),
                error: r.call.error,
                order_id: r.order_id,
            })
            .collect();
    let waiting = golmok_ordering::claims::waiting(&pages.db, account).await?;
    let shop_ids: Vec<String> = waiting.iter().map(|c| c.merchant_id.clone()).collect();
    let shops: std::collections::HashMap<String, String> =
        golmok_catalog::merchant::merchants_in(&pages.db, &shop_ids)
            .await?
            .into_iter()
            .map(|m| (m.id, m.name))
            .collect();
    let claims = waiting
        .into_iter()
        .map(|c| WaitingClaim {
            at: format::seoul_time(lang, c.created_at),
            shop: shops.get(&c.merchant_id).cloned().unwrap_or_default(),
            asked: c.asked_krw.map(|a| format::won(lang, a)),
            reason: c.reason,
            order_id: c.order_id,
        })
        .collect();
    render(&DuePage {
        parties,
        refused,
        claims,
        c: Chrome::load(&pages, &visitor).await?,
    })
}

pub fn routes() -> axum::Router<crate::Pages> {
    axum::Router::new().route("/payouts", axum::routing::get(due))
}
