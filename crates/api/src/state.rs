use std::sync::Arc;

use golmok_core::{Cache, InProcessCache, InProcessRateCounter, RateCounter};
use golmok_delivery_routing::planner::{GreatCircle, OsrmTable, TravelTimes};
use golmok_events::EventBus;
use golmok_ordering::{OrderRules, Ordering, PaymentProviders};
use golmok_payments::OfflineProvider;
use golmok_payments::stripe_provider::StripeProvider;
use sea_orm::DatabaseConnection;

use crate::config::Settings;
use crate::telemetry::HttpMetrics;

/// What every handler may reach, shared by all requests of this process. One pointer: every
/// request clones it for each layer and its handler, and cloning the fields one by one (a
/// dozen reference counts, touched from both cores) took an eighth of a cached read's time.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// [`AppState`]'s contents.
#[derive(Clone)]
pub struct Shared {
    pub db: DatabaseConnection,
    pub settings: Arc<Settings>,
    pub login_failures: Arc<dyn RateCounter>,
    /// Checkouts per shopper per minute, across replicas when Redis is configured.
    pub checkouts: Arc<dyn RateCounter>,
    pub cache: Arc<dyn Cache>,
    pub payment_providers: Arc<PaymentProviders>,
    pub order_rules: Arc<OrderRules>,
    pub travel_times: Arc<dyn TravelTimes>,
    pub metrics: Arc<HttpMetrics>,
    /// Where committed events are published and SSE listeners hear them.
    pub bus: Arc<dyn EventBus>,
    /// Wakes this process's outbox relay after a write, so events go out at once rather than
    /// at the next poll.
    pub relay_nudge: Arc<tokio::sync::Notify>,
    /// Set when `redis.url` is: for readiness and the planning job stream.
    pub redis: Option<RedisHandle>,
    /// Live event streams open per account on this replica (the API's and the pages').
    pub live_streams: golmok_web::client::LiveStreams,
    /// Where files (listing photos) are kept.
    pub store: Arc<dyn golmok_storage::ObjectStore>,
}

#[derive(Clone)]
pub struct RedisHandle {
    pub client: redis::Client,
    pub conn: redis::aio::ConnectionManager,
}

impl AppState {
    /// Connects to the configured database (migrating it when configured to) and builds the
    /// in-process defaults for everything else.
    pub async fn new(settings: Settings) -> anyhow::Result<Self> {
        let db = crate::db::connect(&settings.database).await?;
        if let Some(s3) = settings.storage.s3.as_ref().filter(|s3| s3.create_bucket)
            && settings.storage.kind == "s3"
        {
            golmok_storage::S3Bucket::new(&s3.into())
                .map_err(anyhow::Error::msg)?
                .ensure_bucket()
                .await
                .map_err(anyhow::Error::msg)?;
        }
        let mut state = Self::with_database(settings, db)?;
        if let Some(url) = state.settings.redis.url.clone() {
            state = state.with_redis(&url).await?;
        }
        Ok(state)
    }

    /// Puts Redis behind the cache, the rate counters and the event bus.
    pub async fn with_redis(mut self, url: &str) -> anyhow::Result<Self> {
        let client = redis::Client::open(url)?;
        // Before any request holds the state, so this copies nothing.
        let this = Arc::make_mut(&mut self.0);
        let conn = crate::scale_out::connect(&client)
            .await
            .map_err(|e| anyhow::anyhow!("connecting to Redis at redis.url: {e}"))?;
        this.cache = Arc::new(crate::scale_out::RedisCache::new(conn.clone()));
        this.login_failures = Arc::new(crate::scale_out::RedisRateCounter::new(
            conn.clone(),
            "login",
        ));
        this.checkouts = Arc::new(crate::scale_out::RedisRateCounter::new(
            conn.clone(),
            "checkout",
        ));
        this.bus = Arc::new(
            golmok_events::RedisBus::connect(client.clone(), "golmok:events")
                .await
                .map_err(|e| anyhow::anyhow!("subscribing to Redis events: {e}"))?,
        );
        this.redis = Some(RedisHandle { client, conn });
        Ok(self)
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
        let store: Arc<dyn golmok_storage::ObjectStore> = match &settings.storage.s3 {
            Some(s3) if settings.storage.kind == "s3" => {
                Arc::new(golmok_storage::S3Bucket::new(&s3.into()).map_err(anyhow::Error::msg)?)
            }
            _ => Arc::new(golmok_storage::LocalFolder::new(
                &settings.storage.local_dir,
            )),
        };
        Ok(Self(Arc::new(Shared {
            store,
            payment_providers: Arc::new(providers),
            order_rules: Arc::new(settings.order_rules()),
            travel_times: match &settings.routing.osrm_url {
                Some(url) => Arc::new(OsrmTable::new(url, &settings.routing.osrm_profile)),
                None => Arc::new(GreatCircle::default()),
            },
            db,
            settings: Arc::new(settings),
            login_failures: Arc::new(InProcessRateCounter::new()),
            checkouts: Arc::new(InProcessRateCounter::new()),
            cache: Arc::new(InProcessCache::new(10_000)),
            metrics: Arc::new(HttpMetrics::new()),
            bus: Arc::new(golmok_events::InProcessBus::default()),
            relay_nudge: Arc::new(tokio::sync::Notify::new()),
            redis: None,
            live_streams: golmok_web::client::LiveStreams::default(),
        })))
    }
}

impl AppState {
    /// What the pages work with: the same database, cache, limits, providers and bus.
    pub fn pages(&self) -> golmok_web::Pages {
        golmok_web::Pages {
            db: self.db.clone(),
            cache: self.cache.clone(),
            login_failures: self.login_failures.clone(),
            checkouts: self.checkouts.clone(),
            checkouts_per_minute: self.settings.ordering.checkouts_per_minute,
            providers: self.payment_providers.clone(),
            rules: self.order_rules.clone(),
            bus: self.bus.clone(),
            session_policy: self.settings.session_policy(),
            settings: Arc::new(self.settings.web_settings()),
            travel_times: self.travel_times.clone(),
            plan_budget: self.settings.routing.plan_budget(),
            live_streams: self.live_streams.clone(),
            store: self.store.clone(),
        }
    }

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
