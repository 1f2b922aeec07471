use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub reference: String,
    pub provider: String,
    pub provider_ref: Option<String>,
    pub status: crate::PaymentStatus,
    pub authorized_krw: i64,
    pub captured_krw: i64,
    pub refunded_krw: i64,
    pub client_secret: Option<String>,
    pub charge_ref: Option<String>,
    pub received_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
