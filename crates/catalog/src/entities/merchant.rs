use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "merchants")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub owner_id: String,
    pub name: String,
    pub kind: String,
    pub lat: f64,
    pub lon: f64,
    pub address: String,
    pub opening_hours: Option<String>,
    pub hours_exceptions: Option<String>,
    pub phone: Option<String>,
    pub pickup_instructions: Option<String>,
    pub approval_wait_minutes: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
