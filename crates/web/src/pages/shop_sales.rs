//! Sales at a glance on the shop's console: today and the week as numbers, the week as a
//! small bar chart drawn on the server (an SVG, no script), the best sellers and the refill
//! counter's figures.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use golmok_catalog::Merchant;
use golmok_ordering::sales::{ShopSales, shop_sales};

use super::shop::owned_shop;
use super::{Chrome, render};
use crate::Pages;
use crate::error::PageError;
use crate::format;
use crate::i18n::Lang;

/// One bar of the week's chart.
pub struct Bar {
    pub x: u32,
    pub y: u32,
    pub height: u32,
    pub label: String,
    pub amount: String,
}

const CHART_HEIGHT: u32 = 80;

fn bars(lang: Lang, sales: &ShopSales) -> Vec<Bar> {
    let most = sales
        .days
        .iter()
        .map(|d| d.sales_krw)
        .max()
        .unwrap_or(0)
        .max(1);
    sales
        .days
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let height = ((d.sales_krw.max(0) as f64 / most as f64) * f64::from(CHART_HEIGHT))
                .round() as u32;
            Bar {
                x: i as u32 * 40 + 5,
                y: CHART_HEIGHT - height,
                height,
                label: match lang {
                    Lang::Ko => d.day.format("%-d일").to_string(),
                    Lang::En => d.day.format("%-d").to_string(),
                },
                amount: format::won(lang, d.sales_krw),
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "shop_sales.html")]
struct SalesPage {
    c: Chrome,
    shop: Merchant,
    today_orders: u64,
    today_sales: String,
    week_orders: u64,
    week_sales: String,
    bars: Vec<Bar>,
    top: Vec<(String, String)>,
    refill_grams: String,
    refill_millilitres: String,
    containers_reused: u64,
}

/// `GET /shop/{id}/sales`.
pub async fn page(
    State(pages): State<Pages>,
    visitor: crate::session::Visitor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let (account, shop) = owned_shop(&pages, &visitor, &id).await?;
    let lang = visitor.lang;
    let sales = shop_sales(&pages.db, &account, &id, chrono::Utc::now()).await?;
    let today = sales.days.last().cloned().unwrap_or_default();
    render(&SalesPage {
        c: Chrome::load(&pages, &visitor).await?,
        shop,
        today_orders: today.orders,
        today_sales: format::won(lang, today.sales_krw),
        week_orders: sales.week_orders,
        week_sales: format::won(lang, sales.week_sales_krw),
        bars: bars(lang, &sales),
        top: sales
            .top
            .iter()
            .map(|t| (t.title.clone(), format::won(lang, t.sales_krw)))
            .collect(),
        refill_grams: format::thousands(sales.refill_grams),
        refill_millilitres: format::thousands(sales.refill_millilitres),
        containers_reused: sales.containers_reused,
    })
}

pub fn routes() -> axum::Router<crate::Pages> {
    axum::Router::new().route("/shop/{id}/sales", axum::routing::get(page))
}
