use sea_orm::entity::prelude::*;

use crate::approvals::ApprovalStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "weight_approvals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub line_id: String,
    pub merchant_order_id: String,
    pub order_id: String,
    pub weighed_quantity: i64,
    pub fits_quantity: i64,
    pub extra_krw: i64,
    pub status: ApprovalStatus,
    pub payment_id: Option<String>,
    pub ask_until: DateTimeUtc,
    pub answered_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
