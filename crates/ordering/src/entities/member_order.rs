use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "member_orders")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// The consortium the trade counts in (the seller's, where both are members).
    pub consortium_id: String,
    pub buyer_id: String,
    pub seller_id: String,
    pub status: String,
    pub total_krw: i64,
    pub note: String,
    pub placed_by: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub handed_over_at: Option<DateTimeUtc>,
    /// The co-delivery slot that carries it; none when the buyer collects.
    pub slot_id: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
