//! A shop's sales at a glance: today and the last seven Seoul days, day by day, its best
//! sellers, and what its refill counter sold (grams, millilitres, containers reused).
//! Counted on sold parts (accepted through collected or delivered), less refunds.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use golmok_accounts::{Account, Role};
use sea_orm::prelude::*;
use serde::Serialize;

use crate::entities::{merchant_order, order_line};
use crate::view::status_of;
use crate::{DomainError, Result};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DaySales {
    #[schema(value_type = String, format = Date)]
    pub day: NaiveDate,
    pub orders: u64,
    pub sales_krw: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct TopListing {
    pub title: String,
    pub sales_krw: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ShopSales {
    /// The last seven Seoul days, oldest first; the last is today.
    pub days: Vec<DaySales>,
    pub week_orders: u64,
    pub week_sales_krw: i64,
    /// This week's best sellers by sales, at most five.
    pub top: Vec<TopListing>,
    /// Refill goods sold this week, as weighed.
    pub refill_grams: i64,
    pub refill_millilitres: i64,
    pub containers_reused: u64,
}

fn seoul_day(at: DateTime<Utc>) -> NaiveDate {
    (at + Duration::hours(9)).date_naive()
}

/// The shop's week up to `now`, for its owner (or an admin).
pub async fn shop_sales(
    db: &impl ConnectionTrait,
    actor: &Account,
    merchant_id: &str,
    now: DateTime<Utc>,
) -> Result<ShopSales> {
    if actor.role != Role::Admin && !crate::view::owns_any(db, actor, &[merchant_id]).await? {
        return Err(DomainError::not_found("merchant", merchant_id));
    }
    let today = seoul_day(now);
    let first = today - Duration::days(6);
    let mut sales = ShopSales {
        days: (0..7)
            .map(|d| DaySales {
                day: first + Duration::days(d),
                ..DaySales::default()
            })
            .collect(),
        ..ShopSales::default()
    };
    // Seoul midnight of the first day is 15:00 UTC the day before.
    let since = first
        .and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc() - Duration::hours(9))
        .ok_or_else(|| DomainError::internal("the week's start"))?;
    let parts = merchant_order::Entity::find()
        .filter(merchant_order::Column::MerchantId.eq(merchant_id))
        .filter(merchant_order::Column::CreatedAt.gte(since))
        .all(db)
        .await?;
    let sold: Vec<&merchant_order::Model> = parts
        .iter()
        .filter(|m| status_of(m).is_ok_and(|s| s.is_sold()))
        .collect();
    // Every sold part's lines in one query, grouped by part.
    let mut lines_of: BTreeMap<String, Vec<order_line::Model>> = BTreeMap::new();
    for l in order_line::Entity::find()
        .filter(order_line::Column::MerchantOrderId.is_in(sold.iter().map(|m| m.id.clone())))
        .all(db)
        .await?
    {
        lines_of
            .entry(l.merchant_order_id.clone())
            .or_default()
            .push(l);
    }
    let mut top: BTreeMap<String, i64> = BTreeMap::new();
    for m in sold {
        let amount = m.subtotal_krw + m.deposits_krw - m.refunded_krw;
        if let Some(day) = sales
            .days
            .iter_mut()
            .find(|d| d.day == seoul_day(m.created_at))
        {
            day.orders += 1;
            day.sales_krw += amount;
        }
        sales.week_orders += 1;
        sales.week_sales_krw += amount;
        for l in lines_of.remove(&m.id).unwrap_or_default() {
            *top.entry(l.title.clone()).or_default() += l.amount_krw;
            if l.refill {
                let sold = l.weighed_quantity.unwrap_or(l.quantity);
                match l.unit.as_str() {
                    "gram" => sales.refill_grams += sold,
                    "ml" => sales.refill_millilitres += sold,
                    _ => {}
                }
                if l.container_policy.is_some() {
                    sales.containers_reused += 1;
                }
            }
        }
    }
    let mut top: Vec<TopListing> = top
        .into_iter()
        .map(|(title, sales_krw)| TopListing { title, sales_krw })
        .collect();
    top.sort_by(|a, b| b.sales_krw.cmp(&a.sales_krw).then(a.title.cmp(&b.title)));
    top.truncate(5);
    sales.top = top;
    Ok(sales)
}
