//! Web: the pages people use, served by the same binary as the JSON API.
//!
//! Owns page handlers, their askama templates (checked at compile time), the embedded
//! assets (htmx, Leaflet, our CSS and scripts, served under content-hashed names), cookie
//! sessions with CSRF tokens, and the Korean and English texts of every page. Today: the
//! shopper's journey from the home page to a tracked order, and the shop owner's console
//! (`/shop`: the live order board, weighing at the counter, listings), and the courier's
//! phone (`/courier`: batches, the route on a map, each stop done or failed), and the
//! dispatch board of a network's day (`/dispatch`) for its coordinators.
//!
//! Calls the domain crates directly, one hop from a page to its use case, never the JSON API
//! over HTTP; the session cookie carries the same revocable session a bearer token is, so a
//! sign-out anywhere ends both. Owns no business rule: a page parses a form, checks who is
//! asking, calls one domain function and renders, as an API handler does.
//!
//! Every page works with JavaScript off (forms POST, then 303 to the next page); with it,
//! htmx swaps fragments (a request with `HX-Request` gets the fragment only) and the order
//! page listens to the order's Server-Sent Events.

pub mod assets;
pub mod client;
mod error;
mod format;
pub mod i18n;
mod pages;
mod session;

use std::sync::Arc;

use axum::Router;
use axum::routing::get;
use golmok_accounts::SessionPolicy;
use golmok_core::{Cache, RateCounter};
use golmok_events::EventBus;
use golmok_ordering::{OrderRules, Ordering, PaymentProviders};
use sea_orm::DatabaseConnection;

pub use session::{CSRF_FIELD, SESSION_COOKIE, VISITOR_COOKIE};

/// What the pages need of the running server; the binary builds it from its own state.
#[derive(Clone)]
pub struct Pages {
    pub db: DatabaseConnection,
    pub cache: Arc<dyn Cache>,
    pub login_failures: Arc<dyn RateCounter>,
    pub checkouts: Arc<dyn RateCounter>,
    pub checkouts_per_minute: u64,
    pub providers: Arc<PaymentProviders>,
    pub rules: Arc<OrderRules>,
    pub bus: Arc<dyn EventBus>,
    pub session_policy: SessionPolicy,
    pub settings: Arc<WebSettings>,
    /// For the dispatch board's re-plans.
    pub travel_times: Arc<dyn golmok_delivery_routing::planner::TravelTimes>,
    pub plan_budget: golmok_delivery_routing::planner::PlanBudget,
    /// Live streams open per account, shared with the API's streams.
    pub live_streams: client::LiveStreams,
    /// Where listing photos are kept.
    pub store: Arc<dyn golmok_storage::ObjectStore>,
}

/// The `[web]` configuration.
#[derive(Debug, Clone, Default)]
pub struct WebSettings {
    /// Mark cookies `Secure` even when no proxy says the request came over TLS.
    pub secure_cookies: bool,
    /// A Leaflet tile URL template; without it maps draw shapes on a plain background.
    pub map_tile_url: Option<String>,
    pub map_attribution: Option<String>,
    /// Where people reach Golmok, without a trailing slash: QR posters carry it. Without it,
    /// the address the request came to.
    pub public_url: Option<String>,
    /// Stripe's publishable key, for the card element when Stripe takes payments.
    pub stripe_publishable_key: Option<String>,
    /// Where Stripe sends a merchant back after onboarding, or when its link expired.
    pub connect_return_url: String,
    pub connect_refresh_url: String,
    /// Take the client's address from `X-Forwarded-For` (a trusted proxy sets it).
    pub trust_forwarded_for: bool,
    /// Live streams one account may hold open at once (per replica).
    pub max_streams_per_account: usize,
}

impl Pages {
    fn ordering(&self) -> Ordering<'_> {
        Ordering {
            db: &self.db,
            cache: self.cache.as_ref(),
            providers: &self.providers,
            rules: &self.rules,
        }
    }
}

/// Every page and asset, for the binary to merge beside the API's routes.
pub fn router<S: Clone + Send + Sync + 'static>(pages: Pages) -> Router<S> {
    Router::new()
        .merge(pages::browse::routes())
        .merge(pages::basket::routes())
        .merge(pages::checkout::routes())
        .merge(pages::orders::routes())
        .merge(pages::dispatch::routes())
        .merge(pages::dispatch_couriers::routes())
        .merge(pages::payouts::routes())
        .merge(pages::courier::routes())
        .merge(pages::shop::routes())
        .merge(pages::listing_form::routes())
        .merge(pages::shop_profile::routes())
        .merge(pages::shop_new::routes())
        .merge(pages::shop_claims::routes())
        .merge(pages::shop_containers::routes())
        .merge(pages::shop_sales::routes())
        .merge(pages::programme::routes())
        .merge(pages::campaigns::routes())
        .merge(pages::reset::routes())
        .merge(pages::members::routes())
        .merge(pages::tours::routes())
        .merge(pages::shop_trade::routes())
        .merge(pages::auth::routes())
        .merge(pages::account::routes())
        .merge(pages::admin::routes())
        .merge(pages::admin_networks::routes())
        .layer(axum::middleware::from_fn_with_state(
            pages.clone(),
            session::visit,
        ))
        // After the session layer: assets are the same for everyone and need no session.
        .route("/assets/{name}", get(assets::serve))
        .route("/media/{*key}", get(assets::media))
        // Pages and assets go out gzipped to browsers that take it; Server-Sent Events never
        // are (tower-http's default predicate leaves text/event-stream alone).
        .layer(tower_http::compression::CompressionLayer::new().gzip(true))
        .with_state(pages)
}
