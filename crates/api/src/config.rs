//! Configuration: `config/default.toml` (built into the binary, so it runs from anywhere),
//! then the file named by `--config` or `GOLMOK_CONFIG`, then `GOLMOK_*` environment
//! variables, later sources winning.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use figment::Figment;
use figment::providers::{Env, Format, Toml};
use serde::Deserialize;

const DEFAULTS: &str = include_str!("../../../config/default.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub log: LogSettings,
    pub auth: AuthSettings,
    pub ordering: OrderingSettings,
    pub routing: RoutingSettings,
    pub payments: PaymentSettings,
    pub stripe: StripeSettings,
    pub redis: RedisSettings,
    pub storage: StorageSettings,
    #[serde(default)]
    pub metrics: MetricsSettings,
    #[serde(default)]
    pub web: WebSettings,
}

/// The `[web]` section: the pages beside the API.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebSettings {
    /// Mark cookies `Secure` although no proxy says the request came over TLS.
    #[serde(default)]
    pub secure_cookies: bool,
    /// A Leaflet tile URL template (`https://tile.example/{z}/{x}/{y}.png`); maps draw
    /// shapes on a plain background without one.
    pub map_tile_url: Option<String>,
    pub map_attribution: Option<String>,
    /// Where people reach Golmok (`https://golmok.example`), for addresses that leave the
    /// screen: the QR posters of a stamp tour. Without it, the address the request came to.
    pub public_url: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedisSettings {
    /// Several replicas share events, rate limits, the cache and planning jobs through it;
    /// in-process equivalents serve one process when absent.
    pub url: Option<String>,
    /// A planning job a worker took and has not finished after this long goes to another.
    pub job_claim_idle_secs: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentSettings {
    /// `offline` and/or `stripe`.
    pub providers: Vec<String>,
    /// How often the reconciler finishes what a crash left between a provider call and its
    /// record (it also runs at start).
    pub reconcile_every_secs: u64,
    /// A provider call still unanswered after this long is made again by the reconciler.
    pub settle_calls_after_secs: u64,
    /// A checkout's authorisation still unanswered after this long is cancelled: the
    /// checkout is over and its order will not be written.
    pub abandon_checkouts_after_secs: u64,
}

/// The `[storage]` section: where files (listing photos) are kept.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StorageSettings {
    /// `local` (a folder) or `s3` (an S3-compatible bucket).
    pub kind: String,
    /// For `local`: the folder, created when missing.
    pub local_dir: String,
    pub s3: Option<S3StorageSettings>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct S3StorageSettings {
    pub endpoint: String,
    pub bucket: String,
    pub region: String,
    pub access_key: String,
    pub secret_key: String,
    /// `endpoint/bucket/key` URLs (MinIO and most self-hosted stores); false for
    /// `bucket.endpoint/key`.
    pub path_style: bool,
    /// Make the bucket at start when it is missing.
    #[serde(default)]
    pub create_bucket: bool,
}

impl From<&S3StorageSettings> for golmok_storage::S3Settings {
    fn from(s3: &S3StorageSettings) -> Self {
        Self {
            endpoint: s3.endpoint.clone(),
            bucket: s3.bucket.clone(),
            region: s3.region.clone(),
            access_key: s3.access_key.clone(),
            secret_key: s3.secret_key.clone(),
            path_style: s3.path_style,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StripeSettings {
    pub api_base: String,
    pub secret_key: Option<String>,
    /// `pk_…`: the shopper's browser confirms card payments with it (Stripe's card element).
    pub publishable_key: Option<String>,
    pub webhook_secret: Option<String>,
    pub connect: ConnectSettings,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectSettings {
    /// The platform's fee on card sales, in basis points, on top of each consortium's
    /// commission; kept from every merchant's transfer.
    pub commission_bps: u32,
    /// Where Stripe sends a merchant whose onboarding link expired, and one who finished.
    pub refresh_url: String,
    pub return_url: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoutingSettings {
    pub plan_budget_secs: f64,
    /// Searches a plan runs side by side, sharing their best answer.
    #[serde(default = "default_plan_threads")]
    pub plan_threads: usize,
    pub planner_sweep_secs: u64,
    /// An OSRM server for road distances; great-circle distance with a detour factor when
    /// absent.
    pub osrm_url: Option<String>,
    #[serde(default = "default_osrm_profile")]
    pub osrm_profile: String,
}

fn default_plan_threads() -> usize {
    2
}

impl RoutingSettings {
    pub fn plan_budget(&self) -> golmok_delivery_routing::planner::PlanBudget {
        golmok_delivery_routing::planner::PlanBudget {
            time_limit: std::time::Duration::from_secs_f64(self.plan_budget_secs),
            threads: self.plan_threads,
            save_problems: None,
        }
    }
}

fn default_osrm_profile() -> String {
    "bike".to_owned()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderingSettings {
    pub refill_tolerance_pct: u32,
    pub acceptance_timeout_mins: u64,
    pub expiry_sweep_secs: u64,
    /// Checkouts one account may attempt per minute (across replicas with Redis).
    pub checkouts_per_minute: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    pub bind: SocketAddr,
    pub request_timeout_secs: u64,
    pub body_limit_bytes: usize,
    /// A client must send a request's headers within this long, or the connection is closed.
    pub header_read_timeout_secs: u64,
    /// Behind a proxy that sets `X-Forwarded-For` (nginx in docker/): the client's address is
    /// its first entry. Off, the address is the connection's peer.
    pub trust_forwarded_for: bool,
    /// Live event streams one account may hold open at once on one replica.
    pub max_streams_per_account: usize,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    pub url: String,
    pub max_connections: u32,
    pub migrate_on_start: bool,
    /// When a SQLite commit waits for the disk (PostgreSQL has its own `synchronous_commit`).
    pub sqlite_sync: SqliteSync,
}

/// SQLite's `synchronous` setting, in WAL mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SqliteSync {
    /// Every commit is on disk before it returns.
    Full,
    /// The log reaches the disk at checkpoints: a crash of the process loses nothing, a power
    /// cut may lose the last commits, and the file is never corrupted either way.
    Normal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    pub format: LogFormat,
    pub filter: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSettings {
    pub token_ttl_secs: u64,
    pub max_failed_logins: u64,
    pub failed_login_window_secs: u64,
    pub max_failed_logins_per_address: u64,
    pub max_sign_ups_per_address: u64,
    pub sign_up_window_secs: u64,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsSettings {
    pub bind: Option<SocketAddr>,
}

/// A configuration that cannot be used; the message names every offending key.
#[derive(Debug, thiserror::Error)]
#[error("bad configuration: {0}")]
pub struct ConfigError(String);

impl Settings {
    /// Reads defaults, the optional file and the environment.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        let mut figment = Figment::from(Toml::string(DEFAULTS));
        if let Some(path) = file {
            if !path.exists() {
                return Err(ConfigError(format!(
                    "configuration file {} does not exist",
                    path.display()
                )));
            }
            figment = figment.merge(Toml::file_exact(path));
        }
        // Only SECTION__KEY variables are configuration; GOLMOK_CONFIG and the like are not.
        // The filter sees the key before `split` turns `__` into `.`.
        figment = figment.merge(
            Env::prefixed("GOLMOK_")
                .filter(|key| key.as_str().contains("__"))
                .split("__"),
        );
        Self::extract(figment)
    }

    /// The defaults with `overrides` on top and nothing read from files or the environment:
    /// what tests use to run the real app on a database of their own.
    pub fn defaults_with(overrides: impl figment::Provider) -> Result<Self, ConfigError> {
        Self::extract(Figment::from(Toml::string(DEFAULTS)).merge(overrides))
    }

    fn extract(figment: Figment) -> Result<Self, ConfigError> {
        let settings: Settings = figment.extract().map_err(|errors| {
            ConfigError(
                errors
                    .into_iter()
                    .map(|e| {
                        let key = e.path.join(".");
                        let source = e
                            .metadata
                            .as_ref()
                            .map(|m| format!(" (from {})", m.name))
                            .unwrap_or_default();
                        if key.is_empty() {
                            format!("{}{source}", e.kind)
                        } else {
                            format!("key `{key}`: {}{source}", e.kind)
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        })?;
        settings.check()?;
        Ok(settings)
    }

    /// Rules serde cannot express.
    fn check(&self) -> Result<(), ConfigError> {
        let mut problems = Vec::new();
        let url = &self.database.url;
        if !(url.starts_with("sqlite:")
            || url.starts_with("postgres://")
            || url.starts_with("postgresql://"))
        {
            problems.push(
                "key `database.url`: must start with sqlite:, postgres:// or postgresql://"
                    .to_owned(),
            );
        }
        if self.database.max_connections == 0 {
            problems.push("key `database.max_connections`: must be at least 1".to_owned());
        }
        if self.server.request_timeout_secs == 0 {
            problems.push("key `server.request_timeout_secs`: must be at least 1".to_owned());
        }
        if self.auth.token_ttl_secs == 0 {
            problems.push("key `auth.token_ttl_secs`: must be at least 1".to_owned());
        }
        if self.auth.max_failed_logins == 0 {
            problems.push("key `auth.max_failed_logins`: must be at least 1".to_owned());
        }
        if self.ordering.refill_tolerance_pct > 100 {
            problems.push("key `ordering.refill_tolerance_pct`: must be from 0 to 100".to_owned());
        }
        if !(self.routing.plan_budget_secs > 0.0 && self.routing.plan_budget_secs <= 600.0) {
            problems.push(
                "key `routing.plan_budget_secs`: must be more than 0 and at most 600".to_owned(),
            );
        }
        for (i, provider) in self.payments.providers.iter().enumerate() {
            if !["offline", "stripe"].contains(&provider.as_str()) {
                problems.push(format!(
                    "key `payments.providers[{i}]`: must be offline or stripe"
                ));
            }
        }
        match (self.storage.kind.as_str(), &self.storage.s3) {
            ("local", _) | ("s3", Some(_)) => {}
            ("s3", None) => problems.push(
                "key `storage.s3`: storage.kind is s3 but [storage.s3] is not set".to_owned(),
            ),
            _ => problems.push("key `storage.kind`: must be local or s3".to_owned()),
        }
        if self.payments.reconcile_every_secs == 0 {
            problems.push("key `payments.reconcile_every_secs`: must be at least 1".to_owned());
        }
        if self.payments.abandon_checkouts_after_secs < self.payments.settle_calls_after_secs {
            problems.push(
                "key `payments.abandon_checkouts_after_secs`: must be at least settle_calls_after_secs"
                    .to_owned(),
            );
        }
        if self.payments.providers.is_empty() {
            problems.push("key `payments.providers`: name at least one provider".to_owned());
        }
        if self.payments.providers.iter().any(|p| p == "stripe")
            && self.stripe.secret_key.as_deref().is_none_or(str::is_empty)
        {
            problems.push("key `stripe.secret_key`: stripe is a payment provider but has no secret key (GOLMOK_STRIPE__SECRET_KEY)".to_owned());
        }
        if self.stripe.connect.commission_bps > 3000 {
            problems.push(
                "key `stripe.connect.commission_bps`: must be from 0 to 3000 (30 %)".to_owned(),
            );
        }
        if let Some(url) = &self.redis.url
            && redis::Client::open(url.as_str()).is_err()
        {
            problems.push("key `redis.url`: not a Redis URL (redis://host:port)".to_owned());
        }
        if self.redis.job_claim_idle_secs == 0 {
            problems.push("key `redis.job_claim_idle_secs`: must be at least 1".to_owned());
        }
        if !(1..=64).contains(&self.routing.plan_threads) {
            problems.push("key `routing.plan_threads`: must be from 1 to 64".to_owned());
        }
        if self.routing.planner_sweep_secs == 0 {
            problems.push("key `routing.planner_sweep_secs`: must be at least 1".to_owned());
        }
        if self.ordering.expiry_sweep_secs == 0 {
            problems.push("key `ordering.expiry_sweep_secs`: must be at least 1".to_owned());
        }
        if let Some(url) = &self.web.public_url
            && public_base(url).is_none()
        {
            problems.push(
                "key `web.public_url`: must be an http:// or https:// address without a query, for example https://golmok.example".to_owned(),
            );
        }
        if let Err(e) = tracing_subscriber::EnvFilter::try_new(&self.log.filter) {
            problems.push(format!("key `log.filter`: {e}"));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ConfigError(problems.join("; ")))
        }
    }

    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.server.request_timeout_secs)
    }

    pub fn order_rules(&self) -> golmok_ordering::OrderRules {
        golmok_ordering::OrderRules {
            refill_tolerance_pct: self.ordering.refill_tolerance_pct,
            acceptance_timeout: Duration::from_secs(self.ordering.acceptance_timeout_mins * 60),
        }
    }

    /// What the pages take of the configuration.
    pub fn web_settings(&self) -> golmok_web::WebSettings {
        golmok_web::WebSettings {
            secure_cookies: self.web.secure_cookies,
            map_tile_url: self.web.map_tile_url.clone(),
            map_attribution: self.web.map_attribution.clone(),
            public_url: self.web.public_url.as_deref().and_then(public_base),
            stripe_publishable_key: self.stripe.publishable_key.clone(),
            connect_return_url: self.stripe.connect.return_url.clone(),
            connect_refresh_url: self.stripe.connect.refresh_url.clone(),
            trust_forwarded_for: self.server.trust_forwarded_for,
            max_streams_per_account: self.server.max_streams_per_account,
        }
    }

    pub fn session_policy(&self) -> golmok_accounts::SessionPolicy {
        golmok_accounts::SessionPolicy {
            token_ttl: Duration::from_secs(self.auth.token_ttl_secs),
            max_failed_logins: self.auth.max_failed_logins,
            failed_login_window: Duration::from_secs(self.auth.failed_login_window_secs),
            max_failed_logins_per_address: self.auth.max_failed_logins_per_address,
            max_sign_ups_per_address: self.auth.max_sign_ups_per_address,
            sign_up_window: Duration::from_secs(self.auth.sign_up_window_secs),
        }
    }
}

/// `web.public_url` without its trailing slash, if it is an http(s) address with a host and
/// no query or fragment (a path is kept: Golmok may live under one).
fn public_base(url: &str) -> Option<String> {
    let url = url.trim().trim_end_matches('/');
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let host = rest.split('/').next().unwrap_or_default();
    let fine = !host.is_empty() && !rest.contains(['?', '#', ' ']) && !host.contains('@');
    fine.then(|| url.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use figment::providers::Serialized;

    #[test]
    fn the_public_address_is_an_http_base_without_its_trailing_slash() {
        assert_eq!(
            public_base("https://golmok.example/").as_deref(),
            Some("https://golmok.example")
        );
        assert_eq!(
            public_base("http://10.0.0.5:8080/golmok").as_deref(),
            Some("http://10.0.0.5:8080/golmok")
        );
        for bad in [
            "golmok.example",
            "ftp://golmok.example",
            "https://",
            "https://x/?a=1",
            "https://u@x",
        ] {
            assert_eq!(public_base(bad), None, "{bad}");
        }
        let err = Settings::defaults_with(Serialized::default("web.public_url", "golmok.example"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("web.public_url"), "{err}");
    }

    #[test]
    fn the_defaults_are_the_embedded_default() {
        let s = Settings::defaults_with(Figment::new()).unwrap();
        assert_eq!(s.server.bind.to_string(), "127.0.0.1:8080");
        assert!(s.database.url.starts_with("sqlite:"));
        assert_eq!(s.log.format, LogFormat::Text);
        assert_eq!(s.metrics.bind, None);
        assert_eq!(s.routing.plan_budget().threads, 2);
    }

    #[test]
    fn a_bad_value_names_its_key() {
        let err = Settings::defaults_with(Serialized::default("server.bind", "not an address"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("server.bind"), "{err}");

        let err = Settings::defaults_with(Serialized::default("database.url", "mysql://x"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("database.url"), "{err}");

        let err = Settings::defaults_with(Serialized::default("routing.plan_threads", 0))
            .unwrap_err()
            .to_string();
        assert!(err.contains("routing.plan_threads"), "{err}");
    }

    #[test]
    fn stripe_without_a_key_is_refused_naming_the_key() {
        let err = Settings::defaults_with(Serialized::default(
            "payments.providers",
            ["offline", "stripe"],
        ))
        .unwrap_err()
        .to_string();
        assert!(err.contains("stripe.secret_key"), "{err}");
        let ok = Settings::defaults_with(
            Figment::new()
                .merge(Serialized::default(
                    "payments.providers",
                    ["offline", "stripe"],
                ))
                .merge(Serialized::default("stripe.secret_key", "sk_test_x")),
        );
        assert!(ok.is_ok());
    }

    #[test]
    fn an_unknown_key_is_refused_by_name() {
        let err = Settings::defaults_with(Serialized::default("server.bnid", "127.0.0.1:1"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("bnid"), "{err}");
    }
}
