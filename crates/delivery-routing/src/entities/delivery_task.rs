use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "delivery_tasks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub merchant_order_id: String,
    pub order_id: String,
    pub network_id: String,
    pub slot_id: String,
    pub merchant_id: String,
    pub pickup_lat: f64,
    pub pickup_lon: f64,
    pub pickup_address: String,
    pub dropoff_lat: f64,
    pub dropoff_lon: f64,
    pub dropoff_address: String,
    pub size_grams: i64,
    pub size_millilitres: i64,
    pub contents: String,
    pub ready_at: Option<DateTimeUtc>,
    pub status: crate::status::TaskStatus,
    pub created_at: DateTimeUtc,
    pub unassigned_reason: Option<String>,
    pub pickup_code: Option<String>,
    pub dropoff_code: Option<String>,
    pub bound_courier_id: Option<String>,
    pub pickup_phone: Option<String>,
    pub dropoff_phone: Option<String>,
    pub dropoff_notes: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
