use sea_orm::entity::prelude::*;

use crate::calls::{CallKind, CallState};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "provider_calls")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub provider: String,
    pub kind: CallKind,
    pub payment_id: Option<String>,
    pub subject_id: String,
    pub idempotency_key: String,
    pub amount_krw: i64,
    pub request: String,
    pub state: CallState,
    pub outcome: Option<String>,
    pub error: Option<String>,
    pub attempts: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
