use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "route_batches")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub plan_id: String,
    pub network_id: String,
    pub slot_id: String,
    pub courier_id: String,
    pub status: crate::status::BatchStatus,
    pub distance_m: f64,
    pub created_at: DateTimeUtc,
    pub courier_lat: Option<f64>,
    pub courier_lon: Option<f64>,
    pub position_at: Option<DateTimeUtc>,
    pub handed_over_from: Option<String>,
    pub handed_over_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
