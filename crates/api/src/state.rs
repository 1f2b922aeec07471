use std::sync::Arc;

use golmok_core::{Cache, InProcessCache, InProcessRateCounter, RateCounter};
use sea_orm::DatabaseConnection;

use crate::config::Settings;
use crate::telemetry::HttpMetrics;

/// What every handler may reach: cheap to clone, shared by all requests of this process.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub settings: Arc<Settings>,
    pub login_failures: Arc<dyn RateCounter>,
    pub cache: Arc<dyn Cache>,
    pub metrics: Arc<HttpMetrics>,
}

impl AppState {
    /// Connects to the configured database (migrating it when configured to) and builds the
    /// in-process defaults for everything else.
    pub async fn new(settings: Settings) -> anyhow::Result<Self> {
        let db = crate::db::connect(&settings.database).await?;
        Ok(Self::with_database(settings, db))
    }

    pub fn with_database(settings: Settings, db: DatabaseConnection) -> Self {
        Self {
            db,
            settings: Arc::new(settings),
            login_failures: Arc::new(InProcessRateCounter::new()),
            cache: Arc::new(InProcessCache::new(10_000)),
            metrics: Arc::new(HttpMetrics::new()),
        }
    }
}
