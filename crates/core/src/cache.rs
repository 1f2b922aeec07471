use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A read cache of serialised values with explicit invalidation. Writers invalidate the keys
/// they change after their transaction commits; readers fall back to the database on a
/// miss. In-process by default; the scale-out path puts Redis behind the same trait so that
/// every replica sees an invalidation.
#[async_trait::async_trait]
pub trait Cache: Send + Sync {
    async fn get(&self, key: &str) -> Option<String>;
    async fn put(&self, key: &str, value: String, ttl: Duration);
    async fn invalidate(&self, key: &str);
}

/// The embedded default: a bounded map in this process.
pub struct InProcessCache {
    entries: Mutex<HashMap<String, (String, Instant)>>,
    capacity: usize,
}

impl InProcessCache {
    pub fn new(capacity: usize) -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
            capacity: capacity.max(1),
        }
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<String, (String, Instant)>> {
        // A poisoned lock means a panic mid-insert; a cache may always start over.
        self.entries.lock().unwrap_or_else(|p| {
            let mut guard = p.into_inner();
            guard.clear();
            guard
        })
    }
}

#[async_trait::async_trait]
impl Cache for InProcessCache {
    async fn get(&self, key: &str) -> Option<String> {
        let mut entries = self.entries();
        match entries.get(key) {
            Some((value, expires)) if *expires > Instant::now() => Some(value.clone()),
            Some(_) => {
                entries.remove(key);
                None
            }
            None => None,
        }
    }

    async fn put(&self, key: &str, value: String, ttl: Duration) {
        let mut entries = self.entries();
        if entries.len() >= self.capacity && !entries.contains_key(key) {
            let now = Instant::now();
            entries.retain(|_, (_, expires)| *expires > now);
            if entries.len() >= self.capacity {
                // Still full of live entries: drop the ones closest to expiry.
                let mut by_expiry: Vec<_> =
                    entries.iter().map(|(k, (_, e))| (*e, k.clone())).collect();
                by_expiry.sort();
                for (_, k) in by_expiry.into_iter().take(self.capacity / 4 + 1) {
                    entries.remove(&k);
                }
            }
        }
        entries.insert(key.to_owned(), (value, Instant::now() + ttl));
    }

    async fn invalidate(&self, key: &str) {
        self.entries().remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn serves_until_invalidated_or_expired() {
        let cache = InProcessCache::new(10);
        cache.put("a", "1".into(), Duration::from_secs(60)).await;
        assert_eq!(cache.get("a").await.as_deref(), Some("1"));
        cache.invalidate("a").await;
        assert_eq!(cache.get("a").await, None);
        cache.put("b", "2".into(), Duration::from_millis(10)).await;
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert_eq!(cache.get("b").await, None);
    }

    #[tokio::test]
    async fn stays_within_its_capacity() {
        let cache = InProcessCache::new(8);
        for i in 0..100 {
            cache
                .put(&i.to_string(), "v".into(), Duration::from_secs(60))
                .await;
        }
        assert!(cache.entries().len() <= 8);
        assert_eq!(cache.get("99").await.as_deref(), Some("v"));
    }
}
