//! The event bus: publish to every replica, subscribe to what reaches this one.

use std::time::Duration;

use futures::StreamExt;
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

/// One event: its outbox id, the topic it concerns, and what happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub id: String,
    pub topic: String,
    pub payload: serde_json::Value,
}

impl Event {
    /// Not an event: a sign that this replica may have missed some (its subscription was
    /// down), so listeners should read the outbox after the last event they saw.
    pub fn resync() -> Self {
        Self {
            id: String::new(),
            topic: String::new(),
            payload: serde_json::Value::Null,
        }
    }

    pub fn is_resync(&self) -> bool {
        self.topic.is_empty()
    }
}

/// How many events a slow listener may fall behind before it misses some (it then resumes
/// from the outbox by the last id it saw).
const LOCAL_BUFFER: usize = 1024;

#[async_trait::async_trait]
pub trait EventBus: Send + Sync {
    /// Delivers `event` to every subscriber of every replica; an error leaves it unsent.
    async fn publish(&self, event: &Event) -> Result<(), String>;
    /// Events reaching this replica from now on.
    fn subscribe(&self) -> broadcast::Receiver<Event>;
}

/// The embedded default: one process, one broadcast channel.
pub struct InProcessBus {
    local: broadcast::Sender<Event>,
}

impl Default for InProcessBus {
    fn default() -> Self {
        Self {
            local: broadcast::channel(LOCAL_BUFFER).0,
        }
    }
}

#[async_trait::async_trait]
impl EventBus for InProcessBus {
    async fn publish(&self, event: &Event) -> Result<(), String> {
        // Nobody listening is not a failure.
        let _ = self.local.send(event.clone());
        Ok(())
    }

    fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.local.subscribe()
    }
}

/// Redis pub/sub on one channel: every replica publishes there and forwards what it hears to
/// its own listeners. A lost subscription is re-established; events published meanwhile are
/// still in the outbox for listeners that resume by id.
pub struct RedisBus {
    publisher: redis::aio::ConnectionManager,
    local: broadcast::Sender<Event>,
    channel: String,
}

impl RedisBus {
    pub async fn connect(client: redis::Client, channel: &str) -> Result<Self, redis::RedisError> {
        // Short timeouts: while Redis is away the relay learns it at once and leaves the
        // events in the outbox, rather than waiting out long reconnection back-offs.
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(1)))
            .set_response_timeout(Some(Duration::from_secs(1)))
            .set_number_of_retries(1);
        // Connected on first use: a replica starts while Redis is still coming up.
        let publisher =
            redis::aio::ConnectionManager::new_lazy_with_config(client.clone(), config)?;
        let local = broadcast::channel(LOCAL_BUFFER).0;
        tokio::spawn(listen(client, channel.to_owned(), local.clone()));
        Ok(Self {
            publisher,
            local,
            channel: channel.to_owned(),
        })
    }
}

async fn listen(client: redis::Client, channel: String, local: broadcast::Sender<Event>) {
    loop {
        match client.get_async_pubsub().await {
            Ok(mut pubsub) => match pubsub.subscribe(&channel).await {
                Ok(()) => {
                    // Whatever was published while this replica was not subscribed is only
                    // in the outbox now: tell listeners to read it from there.
                    let _ = local.send(Event::resync());
                    let mut messages = pubsub.on_message();
                    while let Some(message) = messages.next().await {
                        let Ok(text) = message.get_payload::<String>() else {
                            continue;
                        };
                        if let Ok(event) = serde_json::from_str::<Event>(&text) {
                            let _ = local.send(event);
                        }
                    }
                    tracing::warn!("lost the Redis event subscription; subscribing again");
                }
                Err(e) => tracing::warn!(error = %e, "subscribing to Redis events"),
            },
            Err(e) => tracing::warn!(error = %e, "connecting to Redis for events"),
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

#[async_trait::async_trait]
impl EventBus for RedisBus {
    async fn publish(&self, event: &Event) -> Result<(), String> {
        let text = serde_json::to_string(event).map_err(|e| e.to_string())?;
        let mut conn = self.publisher.clone();
        redis::cmd("PUBLISH")
            .arg(&self.channel)
            .arg(text)
            .query_async::<i64>(&mut conn)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.local.subscribe()
    }
}
