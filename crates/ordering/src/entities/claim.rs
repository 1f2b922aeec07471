use sea_orm::entity::prelude::*;

use crate::claims::ClaimStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "claims")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub order_id: String,
    pub merchant_order_id: String,
    pub merchant_id: String,
    pub shopper_id: String,
    pub reason: String,
    pub asked_krw: Option<i64>,
    pub status: ClaimStatus,
    pub refunded_krw: i64,
    pub answer: Option<String>,
    pub resolved_by: Option<String>,
    pub created_at: DateTimeUtc,
    pub resolved_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
