//! The shop's counter when a shopper brings deposit bottles back: find the order by the short
//! number on its page, and take each container back, which refunds its deposit.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use golmok_catalog::Merchant;
use golmok_ordering::containers::{self, ContainerReturnRequest, DepositLine, ReceivedBy};
use serde::Deserialize;

use super::shop::owned_shop;
use super::{Chrome, render, see_other};
use crate::Pages;
use crate::error::PageError;
use crate::format;
use crate::session::{CsrfForm, Visitor};

#[derive(Deserialize, Default)]
pub struct Lookup {
    #[serde(default)]
    order: String,
    returned: Option<String>,
}

pub struct Row {
    pub line: DepositLine,
    pub deposit: String,
}

#[derive(Template)]
#[template(path = "shop_containers.html")]
struct ContainersPage {
    c: Chrome,
    shop: Merchant,
    order: String,
    rows: Vec<Row>,
    searched: bool,
    returned: bool,
}

/// `GET /shop/{id}/containers?order=…`.
pub async fn page(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path(id): Path<String>,
    Query(q): Query<Lookup>,
) -> Result<Response, PageError> {
    let (account, shop) = owned_shop(&pages, &visitor, &id).await?;
    let lines = containers::deposit_lines(&pages.db, &account, &id, &q.order).await?;
    let rows = lines
        .into_iter()
        .map(|line| Row {
            deposit: format::won(visitor.lang, line.deposit_krw),
            line,
        })
        .collect();
    render(&ContainersPage {
        c: Chrome::load(&pages, &visitor).await?,
        shop,
        searched: !q.order.trim().is_empty(),
        order: q.order,
        rows,
        returned: q.returned.is_some(),
    })
}

#[derive(Deserialize)]
pub struct Back {
    #[serde(default)]
    order: String,
}

/// `POST /shop/{id}/containers/{part}/{line}`: taken back at the counter.
pub async fn take_back(
    State(pages): State<Pages>,
    visitor: Visitor,
    Path((id, part, line)): Path<(String, String, String)>,
    CsrfForm { form, .. }: CsrfForm<Back>,
) -> Result<Response, PageError> {
    let (account, _) = owned_shop(&pages, &visitor, &id).await?;
    containers::return_container(
        pages.ordering(),
        &account,
        &part,
        &line,
        ContainerReturnRequest {
            received_by: ReceivedBy::Shop,
        },
    )
    .await?;
    let order = serde_urlencoded::to_string([("order", form.order.as_str())]).unwrap_or_default();
    Ok(see_other(&format!(
        "/shop/{id}/containers?{order}&returned=1"
    )))
}

pub fn routes() -> axum::Router<crate::Pages> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/shop/{id}/containers", get(page))
        .route("/shop/{id}/containers/{part}/{line}", post(take_back))
}
