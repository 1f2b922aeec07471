//! The consortium report: what a consortium sold over a span of Seoul days.

use chrono::{DateTime, Days, FixedOffset, NaiveDate, TimeZone, Utc};
use golmok_accounts::Account;
use golmok_core::ValidationErrors;
use sea_orm::prelude::*;
use serde::Serialize;

use crate::entities::{merchant_order, order, order_line};
use crate::view::status_of;
use crate::{DomainError, Result};

/// Asia/Seoul has no daylight saving: UTC+9 all year.
fn seoul() -> FixedOffset {
    golmok_core::seoul::offset()
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ConsortiumReport {
    pub consortium_id: String,
    /// First and last Seoul day included.
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Captured money less refunds.
    pub sales_krw: i64,
    /// Orders placed in the span that sold something.
    pub orders: u64,
    pub merchants: Vec<MerchantSales>,
    pub refill: RefillFigures,
    pub delivery: DeliveryFigures,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MerchantSales {
    pub merchant_id: String,
    pub sales_krw: i64,
    pub orders: u64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RefillFigures {
    /// Refill lines sold.
    pub lines: u64,
    /// What those lines weighed out (as weighed, else as ordered): grams, and millilitres.
    pub grams: i64,
    pub millilitres: i64,
    /// The single-use packaging those fills replaced, in grams (each refill listing says
    /// what one fill replaces).
    pub packaging_avoided_grams: i64,
    /// Containers filled instead of new packaging: the shopper's own or a deposit container.
    pub containers_reused: u64,
    /// Deposit containers brought back (and their deposits refunded).
    pub containers_returned: u64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DeliveryFigures {
    /// Metres driven on the shared routes of the slots the consortium's orders rode in, and
    /// what the shops would have driven delivering those orders alone: each slot's figures
    /// times the consortium's share of its stops, so consortia sharing a slot add up to it.
    pub distance_m: f64,
    /// Over the same deliveries as `distance_m`: those the plans carried.
    pub solo_distance_m: f64,
    /// Deliveries the latest plans of those slots left out (in neither distance).
    pub unassigned: usize,
}

/// The report for `[from, to]` (Seoul days, inclusive; the last 30 days by default). For the
/// consortium's coordinators and admins.
pub async fn consortium_report(
    db: &DatabaseConnection,
    actor: &Account,
    consortium_id: &str,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<ConsortiumReport> {
    golmok_catalog::consortium::ensure_can_manage(db, actor, consortium_id).await?;
    let today = Utc::now().with_timezone(&seoul()).date_naive();
    let to = to.unwrap_or(today);
    let from = from.unwrap_or_else(|| to - Days::new(29));
    if from > to {
        return Err(ValidationErrors::single("from", "must not be after `to`").into());
    }
    figures_between(db, consortium_id, from, to).await
}

/// The consortium's online figures for `[from, to]` (Seoul days, inclusive), without asking
/// who wants them: for callers that decided that already (the programme's reports).
pub async fn figures_between(
    db: &DatabaseConnection,
    consortium_id: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<ConsortiumReport> {
    let orders = order::Entity::find()
        .filter(order::Column::ConsortiumId.eq(consortium_id))
        .filter(order::Column::CreatedAt.gte(day_start(from)?))
        .filter(order::Column::CreatedAt.lt(day_start(to + Days::new(1))?))
        .all(db)
        .await?;
    let mut report = ConsortiumReport {
        consortium_id: consortium_id.to_owned(),
        from,
        to,
        sales_krw: 0,
        orders: 0,
        merchants: Vec::new(),
        refill: RefillFigures {
            lines: 0,
            grams: 0,
            millilitres: 0,
            packaging_avoided_grams: 0,
            containers_reused: 0,
            containers_returned: 0,
        },
        delivery: DeliveryFigures {
            distance_m: 0.0,
            solo_distance_m: 0.0,
            unassigned: 0,
        },
    };
    let mut slots: Vec<String> = Vec::new();
    for o in orders {
        if let Some(slot) = &o.slot_id
            && !slots.contains(slot)
        {
            slots.push(slot.clone());
        }
        count_order(db, &mut report, &o).await?;
    }
    use crate::entities::member_order;
    for slot in member_order::Entity::find()
        .filter(member_order::Column::ConsortiumId.eq(consortium_id))
        .filter(member_order::Column::SlotId.is_not_null())
        .filter(member_order::Column::CreatedAt.gte(day_start(from)?))
        .filter(member_order::Column::CreatedAt.lt(day_start(to + Days::new(1))?))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|o| o.slot_id)
    {
        if !slots.contains(&slot) {
            slots.push(slot);
        }
    }
    report.delivery = delivery_share(db, consortium_id, &slots).await?;
    report.merchants.sort_by(|a, b| {
        b.sales_krw
            .cmp(&a.sales_krw)
            .then(a.merchant_id.cmp(&b.merchant_id))
    });
    Ok(report)
}

/// The consortium's share of the slots its orders rode in: each slot's shared and solo
/// distance times the share of the slot's stops that are the consortium's (a slot the
/// consortium had to itself counts whole); the deliveries the latest plans left out are the
/// consortium's own.
async fn delivery_share(
    db: &DatabaseConnection,
    consortium_id: &str,
    slots: &[String],
) -> Result<DeliveryFigures> {
    let mut out = DeliveryFigures {
        distance_m: 0.0,
        solo_distance_m: 0.0,
        unassigned: 0,
    };
    for slot in slots {
        let Some((figures, stops)) = golmok_delivery_routing::planner::slot_stops(db, slot).await?
        else {
            continue;
        };
        let parts = merchant_order::Entity::find()
            .filter(merchant_order::Column::Id.is_in(stops.iter().cloned()))
            .all(db)
            .await?;
        let ours: std::collections::HashSet<String> = order::Entity::find()
            .filter(order::Column::SlotId.eq(slot.as_str()))
            .filter(order::Column::ConsortiumId.eq(consortium_id))
            .all(db)
            .await?
            .into_iter()
            .map(|o| o.id)
            .collect();
        // Member trade carried in the slot is the consortium's it counts in.
        let member_orders: Vec<String> = crate::entities::member_order::Entity::find()
            .filter(crate::entities::member_order::Column::Id.is_in(stops.iter().cloned()))
            .filter(crate::entities::member_order::Column::ConsortiumId.eq(consortium_id))
            .all(db)
            .await?
            .into_iter()
            .map(|o| o.id)
            .collect();
        let our_parts: std::collections::HashSet<&str> = parts
            .iter()
            .filter(|m| ours.contains(&m.order_id))
            .map(|m| m.id.as_str())
            .chain(member_orders.iter().map(String::as_str))
            .collect();
        let mine = stops
            .iter()
            .filter(|s| our_parts.contains(s.as_str()))
            .count();
        let share = if stops.is_empty() {
            0.0
        } else {
            mine as f64 / stops.len() as f64
        };
        out.distance_m += figures.distance_m * share;
        out.solo_distance_m += figures.solo_distance_m * share;
        out.unassigned += golmok_delivery_routing::task::left_out_in_slot(db, slot)
            .await?
            .iter()
            .filter(|t| ours.contains(&t.order_id) || member_orders.contains(&t.order_id))
            .count();
    }
    Ok(out)
}

/// An order counts once its money was captured: net of refunds, and each shop's part that
/// sold towards that shop's sales and the refill figures.
async fn count_order(
    db: &DatabaseConnection,
    report: &mut ConsortiumReport,
    o: &order::Model,
) -> Result<()> {
    let payment = golmok_payments::get_payment(db, &o.payment_id).await?;
    if payment.captured_krw == 0 {
        return Ok(());
    }
    report.orders += 1;
    report.sales_krw += payment.captured_krw - payment.refunded_krw;
    let parts = merchant_order::Entity::find()
        .filter(merchant_order::Column::OrderId.eq(o.id.as_str()))
        .all(db)
        .await?;
    for m in parts {
        if !status_of(&m)?.is_sold() {
            continue;
        }
        let sales = m.subtotal_krw + m.deposits_krw - m.refunded_krw;
        match report
            .merchants
            .iter_mut()
            .find(|s| s.merchant_id == m.merchant_id)
        {
            Some(s) => {
                s.sales_krw += sales;
                s.orders += 1;
            }
            None => report.merchants.push(MerchantSales {
                merchant_id: m.merchant_id.clone(),
                sales_krw: sales,
                orders: 1,
            }),
        }
        let refills = order_line::Entity::find()
            .filter(order_line::Column::MerchantOrderId.eq(m.id.as_str()))
            .filter(order_line::Column::Refill.eq(true))
            .all(db)
            .await?;
        report.refill.lines += refills.len() as u64;
        for l in &refills {
            report.refill.packaging_avoided_grams += l.packaging_grams;
            let quantity = l.weighed_quantity.unwrap_or(l.quantity);
            match l.unit.as_str() {
                "gram" => report.refill.grams += quantity,
                "ml" => report.refill.millilitres += quantity,
                _ => {}
            }
        }
        report.refill.containers_reused += refills
            .iter()
            .filter(|l| l.container_policy.is_some())
            .count() as u64;
        report.refill.containers_returned += crate::entities::container_return::Entity::find()
            .filter(crate::entities::container_return::Column::MerchantOrderId.eq(m.id.as_str()))
            .count(db)
            .await?;
    }
    Ok(())
}

/// The instant a Seoul day begins.
pub fn day_start(day: NaiveDate) -> Result<DateTime<Utc>> {
    let midnight = day
        .and_hms_opt(0, 0, 0)
        .ok_or_else(|| DomainError::Internal(format!("midnight of {day}")))?;
    seoul()
        .from_local_datetime(&midnight)
        .single()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| DomainError::Internal(format!("start of {day} in Seoul")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seoul_days_start_at_fifteen_hundred_utc_the_day_before() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        assert_eq!(
            day_start(day).unwrap().to_rfc3339(),
            "2026-11-26T15:00:00+00:00"
        );
    }
}
