use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "networks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub name: String,
    pub hub_lat: f64,
    pub hub_lon: f64,
    pub area: String,
    pub slot_capacity: i32,
    pub delivery_fee_krw: i64,
    pub free_delivery_over_krw: i64,
    pub created_at: DateTimeUtc,
    pub stops_per_hour: f64,
    pub capacity_margin_pct: i32,
    pub move_without_consent: bool,
    pub photo_proof_allowed: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
