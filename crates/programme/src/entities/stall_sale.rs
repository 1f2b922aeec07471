use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "stall_sales")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub campaign_id: String,
    pub consortium_id: String,
    pub merchant_id: String,
    pub amount_krw: i64,
    /// Of `amount_krw`, what a coupon paid (the consortium's cost).
    pub coupon_krw: i64,
    pub payment_method: String,
    pub description: String,
    pub recorded_by: String,
    pub sold_at: DateTimeUtc,
    /// The key the sale was first sent with, if any: a second sending is the same sale.
    pub client_key: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
