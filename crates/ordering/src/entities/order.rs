use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "orders")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub shopper_id: String,
    pub consortium_id: String,
    pub status: String,
    pub fulfillment_kind: String,
    pub slot_id: Option<String>,
    pub pickup_at: Option<DateTimeUtc>,
    pub network_id: Option<String>,
    pub address: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub delivery_fee_krw: i64,
    pub delivery_fee_refunded_krw: i64,
    pub commission_bps: i32,
    pub payment_id: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
