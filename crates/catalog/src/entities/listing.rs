use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "listings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub merchant_id: String,
    pub title: String,
    pub description: String,
    pub category: String,
    pub price_krw: i64,
    pub unit: String,
    pub unit_quantity: i64,
    pub stock: i64,
    pub refill: bool,
    pub container_policy: Option<String>,
    pub container_deposit_krw: Option<i64>,
    pub status: String,
    pub unit_weight_grams: i64,
    pub unit_volume_millilitres: i64,
    pub photos: String,
    pub packaging_grams: i64,
    pub member_price_krw: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
