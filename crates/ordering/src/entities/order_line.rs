use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "order_lines")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub merchant_order_id: String,
    pub listing_id: String,
    pub title: String,
    pub unit: String,
    pub unit_quantity: i64,
    pub price_krw: i64,
    pub quantity: i64,
    pub weighed_quantity: Option<i64>,
    pub amount_krw: i64,
    pub refill: bool,
    pub container_policy: Option<String>,
    pub deposit_krw: i64,
    /// Under a promotion: the listing's own price (`price_krw` is what was charged).
    pub list_price_krw: Option<i64>,
    pub campaign_id: Option<String>,
    /// A refill: the single-use packaging this fill replaced, as the listing said then.
    pub packaging_grams: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
