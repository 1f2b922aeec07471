//! The outbox: events written in the transaction of the change they report.

use chrono::Utc;
use golmok_core::new_id;
use sea_orm::ActiveValue::Set;
use sea_orm::prelude::*;
use sea_orm::{QueryOrder, QuerySelect};

use crate::Event;

pub mod entity {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "outbox")]
    pub struct Model {
        /// Time-ordered: listeners resume after the last id they saw.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub topic: String,
        pub payload: String,
        pub created_at: DateTimeUtc,
        pub published_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Writes an event for `topic` in the caller's transaction.
pub async fn record(
    db: &impl ConnectionTrait,
    topic: &str,
    payload: serde_json::Value,
) -> Result<(), DbErr> {
    entity::ActiveModel {
        id: Set(new_id("evt")),
        topic: Set(topic.to_owned()),
        payload: Set(payload.to_string()),
        created_at: Set(Utc::now()),
        published_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok(())
}

pub(crate) fn event_of(m: entity::Model) -> Event {
    Event {
        payload: serde_json::from_str(&m.payload).unwrap_or(serde_json::Value::Null),
        id: m.id,
        topic: m.topic,
    }
}

/// Events of `topics` after the event `after` (oldest first, at most `limit`): what a
/// listener missed while disconnected.
pub async fn since(
    db: &impl ConnectionTrait,
    topics: &[String],
    after: &str,
    limit: u64,
) -> Result<Vec<Event>, DbErr> {
    Ok(entity::Entity::find()
        .filter(entity::Column::Topic.is_in(topics.iter().cloned()))
        .filter(entity::Column::Id.gt(after))
        .order_by_asc(entity::Column::Id)
        .limit(limit)
        .all(db)
        .await?
        .into_iter()
        .map(event_of)
        .collect())
}
