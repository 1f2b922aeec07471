use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tours")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub consortium_id: String,
    /// `alley` or `stamp_tour`.
    pub kind: String,
    pub title: String,
    pub story: String,
    pub starts_on: Option<Date>,
    pub ends_on: Option<Date>,
    pub coupon_krw: i64,
    pub published: bool,
    /// Signs the shops' stamp codes; never leaves the server.
    pub code_key: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
