use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "coupons")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// What the holder shows at a stall.
    pub code: String,
    pub consortium_id: String,
    pub account_id: String,
    /// What earned it (`stamp_tour`) and which one.
    pub source: String,
    pub source_id: String,
    pub discount_krw: i64,
    pub issued_at: DateTimeUtc,
    pub redeemed_at: Option<DateTimeUtc>,
    pub merchant_id: Option<String>,
    pub merchant_order_id: Option<String>,
    pub stall_sale_id: Option<String>,
    /// What it took off (at most the goods it was redeemed on).
    pub redeemed_krw: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
