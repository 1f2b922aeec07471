use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "member_order_lines")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub member_order_id: String,
    pub listing_id: String,
    pub title: String,
    pub unit: String,
    pub quantity: i64,
    /// What the goods cost a shopper: the member price's saving is the difference.
    pub list_price_krw: i64,
    pub amount_krw: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
