use std::sync::Arc;

use golmok_core::{Cache, InProcessCache, InProcessRateCounter, RateCounter};
use golmok_delivery_routing::planner::{GreatCircle, OsrmTable, TravelTimes};
use golmok_ordering::{OrderRules, Ordering, PaymentProviders};
use golmok_payments::OfflineProvider;
use golmok_payments::stripe_provider::StripeProvider;
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
    pub payment_providers: Arc<PaymentProviders>,
    pub order_rules: Arc<OrderRules>,
    pub travel_times: Arc<dyn TravelTimes>,
    pub metrics: Arc<HttpMetrics>,
}

impl AppState {
    /// Connects to the configured database (migrating it when configured to) and builds the
    /// in-process defaults for everything else.
    pub async fn new(settings: Settings) -> anyhow::Result<Self> {
        let db = crate::db::connect(&settings.database).await?;
        Self::with_database(settings, db)
    }

    pub fn with_database(settings: Settings, db: DatabaseConnection) -> anyhow::Result<Self> {
        let mut providers = PaymentProviders::default();
        for name in &settings.payments.providers {
            providers = match name.as_str() {
                "stripe" => {
                    let key = settings.stripe.secret_key.as_deref().unwrap_or_default();
                    let stripe = StripeProvider::new(
                        key,
                        &settings.stripe.api_base,
                        settings.stripe.connect.commission_bps,
                    )
                    .map_err(anyhow::Error::msg)?;
                    providers.with(Arc::new(stripe))
                }
                _ => providers.with(Arc::new(OfflineProvider)),
            };
        }
        Ok(Self {
            payment_providers: Arc::new(providers),
            order_rules: Arc::new(settings.order_rules()),
            travel_times: match &settings.routing.osrm_url {
                Some(url) => Arc::new(OsrmTable::new(url, &settings.routing.osrm_profile)),
                None => Arc::new(GreatCircle::default()),
            },
            db,
            settings: Arc::new(settings),
            login_failures: Arc::new(InProcessRateCounter::new()),
            cache: Arc::new(InProcessCache::new(10_000)),
            metrics: Arc::new(HttpMetrics::new()),
        })
    }
}

impl AppState {
    /// What the ordering use cases work with.
    pub fn ordering(&self) -> Ordering<'_> {
        Ordering {
            db: &self.db,
            cache: self.cache.as_ref(),
            providers: &self.payment_providers,
            rules: &self.order_rules,
        }
    }
}
