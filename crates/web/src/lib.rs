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
mod error;
mod format;
pub mod i18n;
mod pages;
mod session;

use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};
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
    pub plan_budget: std::time::Duration,
}

/// The `[web]` configuration.
#[derive(Debug, Clone, Default)]
pub struct WebSettings {
    /// Mark cookies `Secure` even when no proxy says the request came over TLS.
    pub secure_cookies: bool,
    /// A Leaflet tile URL template; without it maps draw shapes on a plain background.
    pub map_tile_url: Option<String>,
    pub map_attribution: Option<String>,
    /// Stripe's publishable key, for the card element when Stripe takes payments.
    pub stripe_publishable_key: Option<String>,
    /// Where Stripe sends a merchant back after onboarding, or when its link expired.
    pub connect_return_url: String,
    pub connect_refresh_url: String,
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
        .route("/", get(pages::browse::home))
        .route("/consortia/{id}", get(pages::browse::consortium))
        .route("/shops/{id}", get(pages::browse::shop))
        .route("/listings/{id}", get(pages::browse::listing))
        .route("/search", get(pages::browse::search))
        .route("/basket", get(pages::basket::show).post(pages::basket::add))
        .route("/basket/lines/{listing_id}", post(pages::basket::change))
        .route("/basket/clear", post(pages::basket::clear))
        .route(
            "/checkout",
            get(pages::checkout::form).post(pages::checkout::place),
        )
        .route("/orders", get(pages::orders::history))
        .route("/orders/{id}", get(pages::orders::tracking))
        .route("/orders/{id}/live", get(pages::orders::live))
        .route(
            "/orders/{id}/parts/{part}/move",
            post(pages::orders::move_part),
        )
        .route(
            "/orders/{id}/parts/{part}/pickup",
            post(pages::orders::collect_part),
        )
        .route("/dispatch", get(pages::dispatch::networks))
        .route("/dispatch/{network}", get(pages::dispatch::board))
        .route(
            "/dispatch/{network}/slots/{slot}/plan",
            post(pages::dispatch::plan),
        )
        .route(
            "/dispatch/{network}/tasks/{part}/courier",
            post(pages::dispatch::move_to_courier),
        )
        .route(
            "/dispatch/{network}/tasks/{part}/pickup",
            post(pages::dispatch::pickup),
        )
        .route("/courier", get(pages::courier::batches))
        .route("/courier/batches/{id}", get(pages::courier::batch))
        .route("/courier/batches/{id}/start", post(pages::courier::start))
        .route(
            "/courier/stops/{id}/complete",
            post(pages::courier::complete),
        )
        .route("/courier/stops/{id}/fail", post(pages::courier::fail))
        .route("/shop", get(pages::shop::choose))
        .route("/shop/{id}/orders", get(pages::shop::board))
        .route("/shop/{id}/live", get(pages::shop::live))
        .route(
            "/shop/{id}/orders/{order}/accept",
            post(pages::shop::accept),
        )
        .route(
            "/shop/{id}/orders/{order}/refuse",
            post(pages::shop::refuse),
        )
        .route("/shop/{id}/orders/{order}/ready", post(pages::shop::ready))
        .route(
            "/shop/{id}/orders/{order}/weigh",
            get(pages::shop::weigh_form).post(pages::shop::weigh),
        )
        .route("/shop/{id}/listings", get(pages::shop::listings))
        .route("/shop/{id}/payouts", get(pages::shop::payouts))
        .route("/shop/{id}/payouts/onboard", post(pages::shop::onboard))
        .route("/merchant/payouts/done", get(pages::shop::back_from_stripe))
        .route(
            "/merchant/payouts/refresh",
            get(pages::shop::back_from_stripe),
        )
        .route("/shop/{id}/listings/stock", post(pages::shop::save_stock))
        .route(
            "/shop/{id}/listings/{listing}/toggle",
            post(pages::shop::toggle),
        )
        .route(
            "/signin",
            get(pages::auth::sign_in_form).post(pages::auth::sign_in),
        )
        .route(
            "/signup",
            get(pages::auth::sign_up_form).post(pages::auth::sign_up),
        )
        .route("/signout", post(pages::auth::sign_out))
        .route("/lang", get(pages::auth::switch_language))
        .layer(axum::middleware::from_fn_with_state(
            pages.clone(),
            session::visit,
        ))
        // After the session layer: assets are the same for everyone and need no session.
        .route("/assets/{name}", get(assets::serve))
        // Pages and assets go out gzipped to browsers that take it; Server-Sent Events never
        // are (tower-http's default predicate leaves text/event-stream alone).
        .layer(tower_http::compression::CompressionLayer::new().gzip(true))
        .with_state(pages)
}
