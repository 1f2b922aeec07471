//! Redis behind the ports that must hold across replicas: the read cache (one shared cache,
//! so an invalidation reaches every replica), rate counters (a login limit counts every
//! replica's attempts), and the planning job stream (each slot's cut-off becomes one job that
//! `golmok worker` processes read through a consumer group).
//!
//! A Redis that cannot be reached degrades, never stops the API: the cache misses, the
//! counters count nothing, jobs wait in the scheduler's next sweep, and `/readyz` says so.

use std::time::Duration;

use golmok_core::{Cache, RateCounter};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};

/// A connection for request paths: short timeouts, so a Redis outage costs a request about a
/// second, not a hang. It connects on first use and again whenever Redis is back, so a
/// server starts (not ready) while Redis is still coming up.
pub async fn connect(client: &redis::Client) -> redis::RedisResult<ConnectionManager> {
    let config = ConnectionManagerConfig::new()
        .set_connection_timeout(Some(Duration::from_secs(1)))
        .set_response_timeout(Some(Duration::from_secs(1)))
        .set_number_of_retries(1);
    ConnectionManager::new_lazy_with_config(client.clone(), config)
}

pub async fn ping(conn: &ConnectionManager) -> bool {
    let mut conn = conn.clone();
    redis::cmd("PING")
        .query_async::<String>(&mut conn)
        .await
        .is_ok()
}

pub struct RedisCache {
    conn: ConnectionManager,
}

impl RedisCache {
    pub fn new(conn: ConnectionManager) -> Self {
        Self { conn }
    }
}

fn cache_key(key: &str) -> String {
    format!("golmok:cache:{key}")
}

#[async_trait::async_trait]
impl Cache for RedisCache {
    async fn get(&self, key: &str) -> Option<String> {
        let mut conn = self.conn.clone();
        match redis::cmd("GET")
            .arg(cache_key(key))
            .query_async::<Option<String>>(&mut conn)
            .await
        {
            Ok(value) => value,
            Err(e) => {
                tracing::warn!(error = %e, "Redis cache read failed; reading the database");
                None
            }
        }
    }

    async fn put(&self, key: &str, value: String, ttl: Duration) {
        let mut conn = self.conn.clone();
        if let Err(e) = redis::cmd("SET")
            .arg(cache_key(key))
            .arg(value)
            .arg("PX")
            .arg(ttl.as_millis().max(1) as u64)
            .query_async::<()>(&mut conn)
            .await
        {
            tracing::warn!(error = %e, "Redis cache write failed");
        }
    }

    async fn invalidate(&self, key: &str) {
        let mut conn = self.conn.clone();
        if let Err(e) = redis::cmd("DEL")
            .arg(cache_key(key))
            .query_async::<i64>(&mut conn)
            .await
        {
            // The entry lives at most its time to live; say so loudly.
            tracing::error!(error = %e, key, "Redis cache invalidation failed");
        }
    }
}

pub struct RedisRateCounter {
    conn: ConnectionManager,
    prefix: &'static str,
}

impl RedisRateCounter {
    pub fn new(conn: ConnectionManager, prefix: &'static str) -> Self {
        Self { conn, prefix }
    }

    fn key(&self, key: &str) -> String {
        format!("golmok:rate:{}:{key}", self.prefix)
    }
}

#[async_trait::async_trait]
impl RateCounter for RedisRateCounter {
    async fn count(&self, key: &str) -> u64 {
        let mut conn = self.conn.clone();
        redis::cmd("GET")
            .arg(self.key(key))
            .query_async::<Option<u64>>(&mut conn)
            .await
            .unwrap_or_else(|e| {
                tracing::warn!(error = %e, "Redis rate counter unreachable; not limiting");
                None
            })
            .unwrap_or(0)
    }

    async fn increment(&self, key: &str, window: Duration) -> u64 {
        let mut conn = self.conn.clone();
        // The window starts with the first attempt: the expiry is set only on a new key.
        let counted = redis::pipe()
            .atomic()
            .cmd("INCR")
            .arg(self.key(key))
            .cmd("PEXPIRE")
            .arg(self.key(key))
            .arg(window.as_millis().max(1) as u64)
            .arg("NX")
            .ignore()
            .query_async::<(u64,)>(&mut conn)
            .await;
        match counted {
            Ok((n,)) => n,
            Err(e) => {
                tracing::warn!(error = %e, "Redis rate counter unreachable; not limiting");
                0
            }
        }
    }

    async fn reset(&self, key: &str) {
        let mut conn = self.conn.clone();
        let _ = redis::cmd("DEL")
            .arg(self.key(key))
            .query_async::<i64>(&mut conn)
            .await;
    }
}
