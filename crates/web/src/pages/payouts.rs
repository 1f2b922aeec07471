//! Whom an admin pays next: every shop and co-delivery network owed money, most owed first,
//! each linking to its own payouts page, where the admin records the bank transfer.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use golmok_accounts::Role;

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

#[derive(Template)]
#[template(path = "payouts_due.html")]
struct DuePage {
    c: Chrome,
    parties: Vec<DueRow>,
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
    render(&DuePage {
        parties,
        c: Chrome::load(&pages, &visitor).await?,
    })
}

pub fn routes() -> axum::Router<crate::Pages> {
    axum::Router::new().route("/payouts", axum::routing::get(due))
}
