//! Whom an admin pays next: every shop and co-delivery network owed money, most owed first,
//! each linking to its own payouts page, where the admin records the bank transfer; and the
//! newest calls the payment provider refused, money that did not move as the books say.

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

#[derive(Template)]
#[template(path = "payouts_due.html")]
struct DuePage {
    c: Chrome,
    parties: Vec<DueRow>,
    refused: Vec<RefusedRow>,
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
    render(&DuePage {
        parties,
        refused,
        c: Chrome::load(&pages, &visitor).await?,
    })
}

pub fn routes() -> axum::Router<crate::Pages> {
    axum::Router::new().route("/payouts", axum::routing::get(due))
}
