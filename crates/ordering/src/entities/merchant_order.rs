use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "merchant_orders")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub order_id: String,
    pub merchant_id: String,
    pub status: String,
    pub subtotal_krw: i64,
    pub deposits_krw: i64,
    pub commission_krw: i64,
    pub refunded_krw: i64,
    pub commission_refunded_krw: i64,
    /// What a coupon took off this part: the shopper did not pay it, the consortium does.
    pub coupon_krw: i64,
    pub note: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
