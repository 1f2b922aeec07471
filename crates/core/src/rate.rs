use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Counts attempts per key in fixed windows: the shape Redis gives with `INCR` + `EXPIRE`,
/// so the in-process counter and the Redis one are interchangeable behind this trait.
#[async_trait::async_trait]
pub trait RateCounter: Send + Sync {
    /// Attempts counted for `key` in its current window.
    async fn count(&self, key: &str) -> u64;
    /// Counts one more attempt; the window starts with the first attempt and lasts `window`.
    async fn increment(&self, key: &str, window: Duration) -> u64;
    /// Forgets `key`, for example after a successful login.
    async fn reset(&self, key: &str);
}

/// The embedded default: counters in this process's memory. Each API replica would count on
/// its own, which is why a scaled-out deployment configures Redis instead.
#[derive(Default)]
pub struct InProcessRateCounter {
    windows: Mutex<HashMap<String, (u64, Instant)>>,
}

impl InProcessRateCounter {
    pub fn new() -> Self {
        Self::default()
    }

    fn with_windows<T>(&self, f: impl FnOnce(&mut HashMap<String, (u64, Instant)>) -> T) -> T {
        // A poisoned lock only means another thread panicked mid-update of a counter;
        // the map is still usable.
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        windows.retain(|_, (_, ends)| *ends > now);
        f(&mut windows)
    }
}

#[async_trait::async_trait]
impl RateCounter for InProcessRateCounter {
    async fn count(&self, key: &str) -> u64 {
        self.with_windows(|w| w.get(key).map_or(0, |(n, _)| *n))
    }

    async fn increment(&self, key: &str, window: Duration) -> u64 {
        self.with_windows(|w| {
            let entry = w
                .entry(key.to_owned())
                .or_insert((0, Instant::now() + window));
            entry.0 += 1;
            entry.0
        })
    }

    async fn reset(&self, key: &str) {
        self.with_windows(|w| w.remove(key));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn counts_within_a_window_and_forgets_after_it() {
        let counter = InProcessRateCounter::new();
        assert_eq!(counter.count("k").await, 0);
        assert_eq!(counter.increment("k", Duration::from_millis(50)).await, 1);
        assert_eq!(counter.increment("k", Duration::from_millis(50)).await, 2);
        assert_eq!(counter.count("other").await, 0);
        tokio::time::sleep(Duration::from_millis(60)).await;
        assert_eq!(counter.count("k").await, 0);
    }

    #[tokio::test]
    async fn reset_forgets_a_key() {
        let counter = InProcessRateCounter::new();
        counter.increment("k", Duration::from_secs(60)).await;
        counter.reset("k").await;
        assert_eq!(counter.count("k").await, 0);
    }
}
