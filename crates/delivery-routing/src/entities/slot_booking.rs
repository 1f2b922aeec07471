use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "slot_bookings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub slot_id: String,
    pub booked: i32,
    pub tasks: i64,
    pub grams: i64,
    pub millilitres: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
