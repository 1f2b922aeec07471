use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "stops")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub batch_id: String,
    pub position: i32,
    pub kind: crate::status::StopKind,
    pub task_id: String,
    pub merchant_order_id: String,
    pub lat: f64,
    pub lon: f64,
    pub address: String,
    pub contents: String,
    pub eta: DateTimeUtc,
    pub status: crate::status::StopStatus,
    pub proof_kind: Option<String>,
    pub proof_value: Option<String>,
    pub proof_note: Option<String>,
    pub failure_reason: Option<String>,
    pub done_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
