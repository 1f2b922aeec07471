//! Coupons a shopper holds: won off one shop's goods, redeemed once, online (in one shop's
//! part of an order) or at a stall. The consortium that issued one bears its cost: when the
//! shop is paid, the ledger moves the coupon's amount from the consortium's coupon cost to
//! what the shop is owed (`cost:coupons:consortium:{id}` → `payable:merchant:{id}`), so the
//! shop gets its full price and the shopper pays the rest.
//!
//! Issued by whatever earns them (the programme's stamp tours); this module only keeps and
//! redeems them, inside the use case's own transaction.

use chrono::{DateTime, Utc};
use golmok_core::{ValidationErrors, new_id};
use sea_orm::ActiveValue::Set;
use sea_orm::prelude::*;
use sea_orm::{QueryOrder, sea_query::Expr};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::entities::coupon;
use crate::{DomainError, Result, merchant_party};

/// What a stamp tour's completion earns.
pub const STAMP_TOUR: &str = "stamp_tour";

/// The ledger account a consortium's coupons are charged to.
pub fn cost_account(consortium_id: &str) -> String {
    format!("cost:coupons:consortium:{consortium_id}")
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Coupon {
    pub id: String,
    /// Shown at a stall; online the coupon is chosen by its id.
    pub code: String,
    pub consortium_id: String,
    /// What earned it: `stamp_tour`.
    pub source: String,
    pub source_id: String,
    pub discount_krw: i64,
    pub issued_at: DateTime<Utc>,
    pub redeemed_at: Option<DateTime<Utc>>,
    /// Where it was redeemed: the shop, and its merchant order or stall sale.
    pub merchant_id: Option<String>,
    pub merchant_order_id: Option<String>,
    pub stall_sale_id: Option<String>,
    /// What it took off (at most the goods it was redeemed on).
    pub redeemed_krw: Option<i64>,
}

impl From<coupon::Model> for Coupon {
    fn from(c: coupon::Model) -> Self {
        Self {
            id: c.id,
            code: c.code,
            consortium_id: c.consortium_id,
            source: c.source,
            source_id: c.source_id,
            discount_krw: c.discount_krw,
            issued_at: c.issued_at,
            redeemed_at: c.redeemed_at,
            merchant_id: c.merchant_id,
            merchant_order_id: c.merchant_order_id,
            stall_sale_id: c.stall_sale_id,
            redeemed_krw: c.redeemed_krw,
        }
    }
}

/// Eight characters a person reads out at a stall without mistaking one for another.
fn code_for(id: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let digest = Sha256::digest(format!("{id}:{}", new_id("code")).as_bytes());
    digest[..8]
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect()
}

/// Issues the coupon that `source_id` earns `account_id`, once: asked again, the coupon
/// already issued is returned.
pub async fn issue(
    txn: &impl ConnectionTrait,
    account_id: &str,
    consortium_id: &str,
    source: &str,
    source_id: &str,
    discount_krw: i64,
) -> Result<Coupon> {
    if let Some(existing) = coupon::Entity::find()
        .filter(coupon::Column::SourceId.eq(source_id))
        .filter(coupon::Column::AccountId.eq(account_id))
        .one(txn)
        .await?
    {
        return Ok(existing.into());
    }
    let id = new_id("cpn");
    let model = coupon::ActiveModel {
        code: Set(code_for(&id)),
        id: Set(id),
        consortium_id: Set(consortium_id.to_owned()),
        account_id: Set(account_id.to_owned()),
        source: Set(source.to_owned()),
        source_id: Set(source_id.to_owned()),
        discount_krw: Set(discount_krw),
        issued_at: Set(Utc::now()),
        redeemed_at: Set(None),
        merchant_id: Set(None),
        merchant_order_id: Set(None),
        stall_sale_id: Set(None),
        redeemed_krw: Set(None),
    }
    .insert(txn)
    .await?;
    Ok(model.into())
}

/// The coupons an account holds, newest first.
pub async fn coupons_of(db: &impl ConnectionTrait, account_id: &str) -> Result<Vec<Coupon>> {
    Ok(coupon::Entity::find()
        .filter(coupon::Column::AccountId.eq(account_id))
        .order_by_desc(coupon::Column::IssuedAt)
        .all(db)
        .await?
        .into_iter()
        .map(Coupon::from)
        .collect())
}

/// The account's coupons still to redeem in a consortium.
pub async fn usable_in(
    db: &impl ConnectionTrait,
    account_id: &str,
    consortium_id: &str,
) -> Result<Vec<Coupon>> {
    Ok(coupons_of(db, account_id)
        .await?
        .into_iter()
        .filter(|c| c.consortium_id == consortium_id && c.redeemed_at.is_none())
        .collect())
}

/// A coupon the shopper chose at checkout: theirs, of this consortium, not yet redeemed.
pub(crate) async fn chosen(
    db: &impl ConnectionTrait,
    account_id: &str,
    consortium_id: &str,
    coupon_id: &str,
) -> Result<coupon::Model> {
    let c = coupon::Entity::find_by_id(coupon_id)
        .one(db)
        .await?
        .filter(|c| c.account_id == account_id)
        .ok_or_else(|| ValidationErrors::single("coupon_id", "no such coupon of yours"))?;
    if c.consortium_id != consortium_id {
        return Err(ValidationErrors::single(
            "coupon_id",
            "is redeemable only in the consortium that issued it",
        )
        .into());
    }
    if c.redeemed_at.is_some() {
        return Err(used(&c));
    }
    Ok(c)
}

fn used(c: &coupon::Model) -> DomainError {
    DomainError::conflict(
        "coupon_used",
        format!("coupon {} has already been redeemed", c.code),
    )
}

/// Marks the coupon redeemed in a shop's part of an order, if nobody redeemed it meanwhile
/// (a guarded update: two checkouts racing for one coupon, one wins).
pub(crate) async fn redeem_online(
    txn: &impl ConnectionTrait,
    c: &coupon::Model,
    merchant_id: &str,
    merchant_order_id: &str,
    amount_krw: i64,
) -> Result<()> {
    let taken = coupon::Entity::update_many()
        .col_expr(coupon::Column::RedeemedAt, Expr::value(Utc::now()))
        .col_expr(coupon::Column::MerchantId, Expr::value(merchant_id))
        .col_expr(
            coupon::Column::MerchantOrderId,
            Expr::value(merchant_order_id),
        )
        .col_expr(coupon::Column::RedeemedKrw, Expr::value(amount_krw))
        .filter(coupon::Column::Id.eq(c.id.as_str()))
        .filter(coupon::Column::RedeemedAt.is_null())
        .exec(txn)
        .await?;
    if taken.rows_affected != 1 {
        return Err(used(c));
    }
    Ok(())
}

/// A shop's part that will not be sold gives its coupon back to the shopper.
pub(crate) async fn give_back(txn: &impl ConnectionTrait, merchant_order_id: &str) -> Result<()> {
    coupon::Entity::update_many()
        .col_expr(
            coupon::Column::RedeemedAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            coupon::Column::MerchantId,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            coupon::Column::MerchantOrderId,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            coupon::Column::RedeemedKrw,
            Expr::value(Option::<i64>::None),
        )
        .filter(coupon::Column::MerchantOrderId.eq(merchant_order_id))
        .exec(txn)
        .await?;
    Ok(())
}

/// Sets what the coupon finally took off (capped by the goods as weighed).
pub(crate) async fn settle_amount(
    txn: &impl ConnectionTrait,
    merchant_order_id: &str,
    amount_krw: i64,
) -> Result<()> {
    coupon::Entity::update_many()
        .col_expr(coupon::Column::RedeemedKrw, Expr::value(amount_krw))
        .filter(coupon::Column::MerchantOrderId.eq(merchant_order_id))
        .exec(txn)
        .await?;
    Ok(())
}

/// The consortium pays the shop what a coupon took off its sale: once per part or stall sale
/// (`reference`), however often the order is settled again while a capture is still under
/// way at the provider.
pub(crate) async fn book_cost(
    txn: &impl ConnectionTrait,
    consortium_id: &str,
    merchant_id: &str,
    amount_krw: i64,
    reference: &str,
) -> Result<()> {
    if golmok_payments::ledger::posted(txn, "coupon", reference).await? {
        return Ok(());
    }
    golmok_payments::ledger::post(
        txn,
        "coupon",
        reference,
        &[
            (cost_account(consortium_id), amount_krw),
            (
                golmok_payments::ledger::payable(&merchant_party(merchant_id)),
                -amount_krw,
            ),
        ],
    )
    .await?;
    Ok(())
}

/// A shop's part refunded in full: the consortium takes back what it paid the shop for the
/// coupon (the shopper gets back what they paid; the coupon is spent).
pub(crate) async fn reverse_cost(
    txn: &impl ConnectionTrait,
    consortium_id: &str,
    merchant_id: &str,
    amount_krw: i64,
    reference: &str,
) -> Result<()> {
    golmok_payments::ledger::post(
        txn,
        "coupon_reversal",
        reference,
        &[
            (cost_account(consortium_id), -amount_krw),
            (
                golmok_payments::ledger::payable(&merchant_party(merchant_id)),
                amount_krw,
            ),
        ],
    )
    .await?;
    Ok(())
}

/// A coupon redeemed at a stall, by the code the visitor shows: it must be of the stall's
/// consortium and not yet redeemed. Takes at most `goods_krw` off, books the consortium's
/// cost and returns what it took off.
pub async fn redeem_at_stall(
    txn: &impl ConnectionTrait,
    code: &str,
    consortium_id: &str,
    merchant_id: &str,
    stall_sale_id: &str,
    goods_krw: i64,
) -> Result<i64> {
    let code = code.trim().to_uppercase();
    let c = coupon::Entity::find()
        .filter(coupon::Column::Code.eq(code.as_str()))
        .one(txn)
        .await?
        .ok_or_else(|| ValidationErrors::single("coupon_code", "no such coupon"))?;
    if c.consortium_id != consortium_id {
        return Err(ValidationErrors::single(
            "coupon_code",
            "is redeemable only in the consortium that issued it",
        )
        .into());
    }
    let amount = c.discount_krw.min(goods_krw).max(0);
    let taken = coupon::Entity::update_many()
        .col_expr(coupon::Column::RedeemedAt, Expr::value(Utc::now()))
        .col_expr(coupon::Column::MerchantId, Expr::value(merchant_id))
        .col_expr(coupon::Column::StallSaleId, Expr::value(stall_sale_id))
        .col_expr(coupon::Column::RedeemedKrw, Expr::value(amount))
        .filter(coupon::Column::Id.eq(c.id.as_str()))
        .filter(coupon::Column::RedeemedAt.is_null())
        .exec(txn)
        .await?;
    if taken.rows_affected != 1 {
        return Err(used(&c));
    }
    book_cost(txn, consortium_id, merchant_id, amount, stall_sale_id).await?;
    Ok(amount)
}

/// Who holds a coupon from `source_id` (a tour): those who completed it.
pub async fn holders_of(db: &impl ConnectionTrait, source_id: &str) -> Result<Vec<String>> {
    Ok(coupon::Entity::find()
        .filter(coupon::Column::SourceId.eq(source_id))
        .all(db)
        .await?
        .into_iter()
        .map(|c| c.account_id)
        .collect())
}

/// When each coupon redeemed in a consortium was redeemed, and the won it took off: the
/// reports count them per period.
pub async fn redeemed_in(
    db: &impl ConnectionTrait,
    consortium_id: &str,
) -> Result<Vec<(DateTime<Utc>, i64)>> {
    Ok(coupon::Entity::find()
        .filter(coupon::Column::ConsortiumId.eq(consortium_id))
        .filter(coupon::Column::RedeemedAt.is_not_null())
        .all(db)
        .await?
        .into_iter()
        .filter_map(|c| Some((c.redeemed_at?, c.redeemed_krw.unwrap_or(0))))
        .collect())
}
