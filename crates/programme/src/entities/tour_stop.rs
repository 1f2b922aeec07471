use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tour_stops")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tour_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub merchant_id: String,
    /// 1 for the first shop of the walk.
    pub position: i32,
    pub note: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
