//! The ledger: double-entry, integer won, append-only.
//!
//! Each transaction is a set of entries on named accounts that sums to zero (debits
//! positive, credits negative). Accounts:
//!
//! | account | kind | moves when |
//! |---|---|---|
//! | `holds:shopper` / `holds:authorized` | memorandum pair | an authorisation is placed (debit / credit) and released at capture or void |
//! | `clearing:{provider}` | asset: captured money at the provider | capture and transfer reversal (debit); refund, payout and transfer (credit) |
//! | `payable:merchant:{id}` | liability: what a merchant is owed | capture of its share and transfer reversal (credit); refund, payout and transfer (debit) |
//! | `payable:network:{id}` | liability: delivery fees owed to a co-delivery network | as for merchants |
//! | `revenue:commission` | income: the platform's commission | capture (credit); refund of commissioned sales (debit) |
//! | `cost:coupons:consortium:{id}` | expense: coupons a consortium bears | a shop paid for a coupon's part of its sale (debit, posted by ordering); that part refunded in full (credit) |

use std::collections::BTreeMap;

use chrono::Utc;
use golmok_core::new_id;
use golmok_core::seoul::Month;
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, QueryOrder};
use serde::Serialize;

use crate::DomainError;
use crate::entities::{ledger_entry, ledger_transaction};

pub const HOLDS_SHOPPER: &str = "holds:shopper";
pub const HOLDS_AUTHORIZED: &str = "holds:authorized";
pub const COMMISSION: &str = "revenue:commission";

pub fn clearing(provider: &str) -> String {
    format!("clearing:{provider}")
}

/// The liability account of a party (`merchant:mer_…`, `network:net_…`).
pub fn payable(party: &str) -> String {
    format!("payable:{party}")
}

/// Appends one balanced transaction. Zero entries are dropped; an unbalanced set is a bug in
/// the caller and refused.
pub async fn post(
    db: &impl ConnectionTrait,
    kind: &str,
    reference: &str,
    entries: &[(String, i64)],
) -> Result<String, DomainError> {
    let sum: i64 = entries.iter().map(|(_, a)| a).sum();
    if sum != 0 {
        return Err(DomainError::Internal(format!(
            "unbalanced ledger transaction {kind} for {reference}: {entries:?}"
        )));
    }
    let now = Utc::now();
    let id = new_id("ltx");
    ledger_transaction::ActiveModel {
        id: Set(id.clone()),
        kind: Set(kind.to_owned()),
        reference: Set(reference.to_owned()),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    let rows: Vec<ledger_entry::ActiveModel> = entries
        .iter()
        .filter(|(_, a)| *a != 0)
        .map(|(account, amount)| ledger_entry::ActiveModel {
            id: Set(new_id("len")),
            transaction_id: Set(id.clone()),
            account: Set(account.clone()),
            amount_krw: Set(*amount),
            created_at: Set(now),
        })
        .collect();
    // One statement for the whole transaction's entries.
    golmok_core::db::insert_in_batches(db, rows).await?;
    Ok(id)
}

/// The balance of every account (debits minus credits).
/// Whether a transaction of `kind` was posted for `reference`: for postings that must happen
/// once per thing whatever retries the use case that posts them.
pub async fn posted(
    db: &impl ConnectionTrait,
    kind: &str,
    reference: &str,
) -> Result<bool, DomainError> {
    Ok(ledger_transaction::Entity::find()
        .filter(ledger_transaction::Column::Kind.eq(kind))
        .filter(ledger_transaction::Column::Reference.eq(reference))
        .one(db)
        .await?
        .is_some())
}

pub async fn balances(db: &impl ConnectionTrait) -> Result<BTreeMap<String, i64>, DomainError> {
    let mut balances = BTreeMap::new();
    for e in ledger_entry::Entity::find().all(db).await? {
        *balances.entry(e.account).or_insert(0) += e.amount_krw;
    }
    Ok(balances)
}

#[derive(Debug, sea_orm::FromQueryResult)]
struct PartyBalance {
    account: String,
    balance: i64,
}

/// What every party is owed (credits minus debits of each `payable:` account), in one
/// grouped query; parties owed nothing are left out.
pub async fn owed_by_party(
    db: &impl ConnectionTrait,
) -> Result<BTreeMap<String, i64>, DomainError> {
    // `SUM` of a bigint is a numeric on PostgreSQL: cast back. No bound values.
    let sql = "SELECT account, CAST(SUM(amount_krw) AS BIGINT) AS balance FROM ledger_entries \
               WHERE account LIKE 'payable:%' GROUP BY account";
    let rows = <PartyBalance as sea_orm::FromQueryResult>::find_by_statement(
        sea_orm::Statement::from_string(db.get_database_backend(), sql),
    )
    .all(db)
    .await?;
    Ok(rows
        .into_iter()
        .filter(|r| r.balance < 0)
        .filter_map(|r| {
            let party = r.account.strip_prefix("payable:")?.to_owned();
            Some((party, -r.balance))
        })
        .collect())
}

/// Debits minus credits of one account, summed by the database (a shop's account holds a
/// line for every sale it ever made).
pub async fn balance(db: &impl ConnectionTrait, account: &str) -> Result<i64, DomainError> {
    use sea_orm::QuerySelect;
    use sea_orm::sea_query::Expr;
    // `SUM` of a bigint is a numeric on PostgreSQL: cast back; no entries sum to 0.
    let sum: Option<i64> = ledger_entry::Entity::find()
        .select_only()
        .column_as(
            Expr::cust("CAST(COALESCE(SUM(amount_krw), 0) AS BIGINT)"),
            "balance",
        )
        .filter(ledger_entry::Column::Account.eq(account))
        .into_tuple()
        .one(db)
        .await?;
    Ok(sum.unwrap_or(0))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct StatementLine {
    pub transaction_id: String,
    /// `capture`, `refund`, `payout`; for a merchant also `transfer`, `transfer_reversal`,
    /// `coupon` and `coupon_reversal`.
    pub kind: String,
    /// The order, refund or payout it belongs to.
    pub reference: String,
    /// Positive: the party is owed more; negative: less (refunded or paid out).
    pub amount_krw: i64,
    pub at: chrono::DateTime<Utc>,
}

/// A statement for a spreadsheet, oldest first, with the balance after each line: what a
/// shop's or a network's bookkeeper files (amounts in won; times in Seoul). Cut to a `month`,
/// it opens with the balance brought forward from before it (an `opening_balance` line at
/// its first instant), so each month's file carries on from the last.
pub fn statement_csv(lines: &[StatementLine], month: Option<Month>) -> String {
    let seoul = golmok_core::seoul::offset();
    let mut out = String::from("at,kind,reference,amount_krw,balance_krw\n");
    let (from, to) = month.map_or((None, None), |m| {
        let (start, end) = m.span();
        (Some(start), Some(end))
    });
    let brought_forward: i64 = from.map_or(0, |start| {
        lines
            .iter()
            .filter(|l| l.at < start)
            .map(|l| l.amount_krw)
            .sum()
    });
    if let Some(start) = from {
        out.push_str(&format!(
            "{},opening_balance,,0,{brought_forward}\n",
            start.with_timezone(&seoul).format("%Y-%m-%dT%H:%M:%S%:z"),
        ));
    }
    let mut balance = brought_forward;
    let within = |l: &&StatementLine| {
        from.is_none_or(|start| l.at >= start) && to.is_none_or(|end| l.at < end)
    };
    for l in lines.iter().filter(within) {
        balance += l.amount_krw;
        out.push_str(&format!(
            "{},{},{},{},{}\n",
            l.at.with_timezone(&seoul).format("%Y-%m-%dT%H:%M:%S%:z"),
            golmok_core::csv::field(&l.kind),
            golmok_core::csv::field(&l.reference),
            l.amount_krw,
            balance
        ));
    }
    out
}

/// Every movement on a party's payable account, oldest first, from the party's side. Two
/// reads whatever its length: the entries, then their transactions (a network's statement
/// holds every delivery it ever carried).
pub async fn statement(
    db: &impl ConnectionTrait,
    party: &str,
) -> Result<Vec<StatementLine>, DomainError> {
    let entries = ledger_entry::Entity::find()
        .filter(ledger_entry::Column::Account.eq(payable(party)))
        .order_by_asc(ledger_entry::Column::Id)
        .all(db)
        .await?;
    let ids: std::collections::BTreeSet<&str> =
        entries.iter().map(|e| e.transaction_id.as_str()).collect();
    let mut transactions = std::collections::HashMap::with_capacity(ids.len());
    // Bound parameters per statement are limited (SQLite's is the smallest).
    let ids: Vec<&str> = ids.into_iter().collect();
    for chunk in ids.chunks(500) {
        for txn in ledger_transaction::Entity::find()
            .filter(ledger_transaction::Column::Id.is_in(chunk.iter().copied()))
            .all(db)
            .await?
        {
            transactions.insert(txn.id.clone(), txn);
        }
    }
    entries
        .into_iter()
        .map(|e| {
            let txn = transactions.get(&e.transaction_id).ok_or_else(|| {
                DomainError::Internal(format!("ledger entry {} without transaction", e.id))
            })?;
            Ok(StatementLine {
                transaction_id: txn.id.clone(),
                kind: txn.kind.clone(),
                reference: txn.reference.clone(),
                amount_krw: -e.amount_krw,
                at: e.created_at,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn a_statement_csv_keeps_a_running_balance_in_seoul_time() {
        let line = |kind: &str, reference: &str, amount_krw: i64, hour: u32| StatementLine {
            transaction_id: format!("txn_{hour}"),
            kind: kind.into(),
            reference: reference.into(),
            amount_krw,
            at: Utc.with_ymd_and_hms(2026, 12, 4, hour, 30, 0).unwrap(),
        };
        let csv = statement_csv(
            &[
                line("capture", "ord_1", 9_700, 1),
                line("refund", "ref_1", -3_500, 2),
                line("payout", "pay_1", -6_200, 15),
            ],
            None,
        );
        assert_eq!(
            csv,
            "at,kind,reference,amount_krw,balance_krw\n\
             2026-12-04T10:30:00+09:00,capture,ord_1,9700,9700\n\
             2026-12-04T11:30:00+09:00,refund,ref_1,-3500,6200\n\
             2026-12-05T00:30:00+09:00,payout,pay_1,-6200,0\n"
        );
    }

    #[test]
    fn a_month_s_statement_brings_the_balance_forward_and_stops_at_its_end() {
        let line = |reference: &str, amount_krw: i64, at: chrono::DateTime<Utc>| StatementLine {
            transaction_id: format!("txn_{reference}"),
            kind: "capture".into(),
            reference: reference.into(),
            amount_krw,
            at,
        };
        // 23:59 on 30 November in UTC is already December in Seoul; midnight of 1 January in
        // Seoul is next year's.
        let lines = [
            line(
                "utc_nov",
                5_000,
                Utc.with_ymd_and_hms(2026, 11, 30, 23, 59, 0).unwrap(),
            ),
            line(
                "dec_first",
                2_000,
                Utc.with_ymd_and_hms(2026, 11, 30, 15, 0, 0).unwrap(),
            ),
            line(
                "dec_last",
                -1_000,
                Utc.with_ymd_and_hms(2026, 12, 31, 14, 59, 0).unwrap(),
            ),
            line(
                "jan",
                7_000,
                Utc.with_ymd_and_hms(2026, 12, 31, 15, 0, 0).unwrap(),
            ),
        ];
        let mut ordered = lines.clone();
        ordered.sort_by_key(|l| l.at);
        let csv = statement_csv(&ordered, golmok_core::seoul::Month::parse("2026-12"));
        assert_eq!(
            csv,
            "at,kind,reference,amount_krw,balance_krw\n\
             2026-12-01T00:00:00+09:00,opening_balance,,0,0\n\
             2026-12-01T00:00:00+09:00,capture,dec_first,2000,2000\n\
             2026-12-01T08:59:00+09:00,capture,utc_nov,5000,7000\n\
             2026-12-31T23:59:00+09:00,capture,dec_last,-1000,6000\n"
        );
        let january = statement_csv(&ordered, golmok_core::seoul::Month::parse("2027-01"));
        assert_eq!(
            january.lines().nth(1),
            Some("2027-01-01T00:00:00+09:00,opening_balance,,0,6000")
        );
        assert!(january.ends_with("capture,jan,7000,13000\n"));
    }
}
