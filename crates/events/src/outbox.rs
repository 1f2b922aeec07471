//! The outbox: events written in the transaction of the change they report.

use chrono::Utc;
use golmok_core::new_id;
use sea_orm::ActiveValue::Set;
use sea_orm::prelude::*;
use sea_orm::{QueryOrder, QuerySelect};

use crate::{Event, Payload, Topic};

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
    topic: &Topic,
    payload: &Payload,
) -> Result<(), DbErr> {
    record_all(db, &[(topic.clone(), payload.clone())]).await
}

/// [`record`] for several events, in this order, in one statement: a checkout tells every
/// shop of its part in one round trip.
pub async fn record_all(
    db: &impl ConnectionTrait,
    events: &[(Topic, Payload)],
) -> Result<(), DbErr> {
    let now = Utc::now();
    let mut rows = Vec::with_capacity(events.len());
    for (topic, payload) in events {
        let payload = serde_json::to_string(payload)
            .map_err(|e| DbErr::Custom(format!("serialising an event: {e}")))?;
        rows.push(entity::ActiveModel {
            id: Set(new_id("evt")),
            topic: Set(topic.to_string()),
            payload: Set(payload),
            created_at: Set(now),
            published_at: Set(None),
        });
    }
    golmok_core::db::insert_in_batches(db, rows).await
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

/// Deletes events published before `before`: listeners resume at most that far back.
pub async fn prune(db: &impl ConnectionTrait, before: chrono::DateTime<Utc>) -> Result<u64, DbErr> {
    Ok(entity::Entity::delete_many()
        .filter(entity::Column::PublishedAt.lt(before))
        .exec(db)
        .await?
        .rows_affected)
}

#[cfg(test)]
mod tests {
    use golmok_migrations::{Migrator, MigratorTrait};
    use sea_orm::Database;

    use super::*;
    use crate::{EventBus, InProcessBus, relay};

    #[tokio::test]
    async fn events_are_relayed_once_resumed_by_id_and_pruned_after_publication() {
        let db = Database::connect("sqlite::memory:").await.unwrap();
        Migrator::up(&db, None).await.unwrap();
        let status = |order_id: &str| Payload::Status {
            order_id: order_id.into(),
            merchant_order_id: None,
            from: "placed".into(),
            to: "accepted".into(),
            note: None,
        };
        let eta = Payload::Eta {
            order_id: "ord_1".into(),
            merchant_order_id: "mo_1".into(),
            eta: Utc::now(),
        };
        record(&db, &Topic::order("ord_1"), &status("ord_1"))
            .await
            .unwrap();
        record(&db, &Topic::order("ord_2"), &status("ord_2"))
            .await
            .unwrap();
        record(&db, &Topic::order("ord_1"), &eta).await.unwrap();
        let bus = InProcessBus::default();
        let mut heard = bus.subscribe();
        assert_eq!(relay::publish_pending(&db, &bus, 100).await.unwrap(), 3);
        // Published once: a second round finds nothing left.
        assert_eq!(relay::publish_pending(&db, &bus, 100).await.unwrap(), 0);
        let first = heard.recv().await.unwrap();
        assert_eq!(first.topic, "order:ord_1");
        assert_eq!(first.payload["to"], "accepted");

        // A listener that saw the first event of ord_1 gets only the later one.
        let missed = since(&db, &["order:ord_1".to_owned()], &first.id, 10)
            .await
            .unwrap();
        assert_eq!(missed.len(), 1);
        assert_eq!(missed[0].payload["type"], "eta");

        // Only published events are pruned, and only those older than the cut.
        record(&db, &Topic::order("ord_3"), &status("ord_3"))
            .await
            .unwrap();
        assert_eq!(
            prune(&db, Utc::now() - chrono::Duration::days(1))
                .await
                .unwrap(),
            0
        );
        assert_eq!(
            prune(&db, Utc::now() + chrono::Duration::seconds(1))
                .await
                .unwrap(),
            3
        );
        assert_eq!(relay::publish_pending(&db, &bus, 100).await.unwrap(), 1);
    }
}
