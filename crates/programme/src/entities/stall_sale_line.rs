use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "stall_sale_lines")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub sale_id: String,
    pub listing_id: String,
    pub title: String,
    pub quantity: i64,
    pub unit: String,
    pub refill: bool,
    pub amount_krw: i64,
    pub packaging_grams: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
