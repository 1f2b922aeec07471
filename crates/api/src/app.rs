//! The HTTP application: routes, the layers every request passes, and serving.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use tokio::net::TcpListener;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_swagger_ui::SwaggerUi;

use crate::error::{PROBLEM_CONTENT_TYPE, problem_for_status};
use crate::routes;
use crate::state::AppState;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Golmok API",
        description = "Local-commerce marketplace with shared delivery: consortia of neighbourhood shops, one basket across shops, refill goods by weight, co-delivery routes. Errors are RFC 9457 problem+json.",
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "accounts", description = "Signup, login, sessions and admin-made accounts"),
        (name = "catalog", description = "Agencies, merchants, consortia, listings, search and campaigns"),
        (name = "delivery", description = "Co-delivery networks, slots, couriers, planning and stops"),
        (name = "ordering", description = "Checkout, orders, weighing, refunds, payouts and reports"),
        (name = "programme", description = "Joint projects, support work, festival stalls and the reports that roll up to the programme"),
        (name = "operations", description = "Health, readiness and metrics"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// The OpenAPI document of every route, as served at `/openapi.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    documented(api_routes(true).split_for_parts().1)
}

/// The document as the routes declare it, completed with the error responses every route
/// shares (added once all routes are in it).
fn documented(mut openapi: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    ProblemResponses.modify(&mut openapi);
    openapi
}

fn api_routes(with_metrics: bool) -> OpenApiRouter<AppState> {
    let routes = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(routes::accounts::router())
        .merge(routes::catalog::router())
        .merge(routes::photos::router())
        .merge(routes::ordering::router())
        .merge(routes::delivery::router())
        .merge(routes::programme::router())
        .merge(routes::programme::files_router())
        .merge(routes::programme::tours_router())
        .merge(routes::member_trade::router())
        .merge(routes::programme::tour_photos_router())
        .merge(routes::webhooks::router())
        .merge(routes::live::router())
        .merge(routes::ops::router());
    if with_metrics {
        routes.merge(routes::ops::metrics_router())
    } else {
        routes
    }
}

/// The whole application for `state`. `/metrics` is on it unless `metrics.bind` puts it on
/// an address of its own.
pub fn router(state: AppState) -> Router {
    let metrics_here = state.settings.metrics.bind.is_none();
    let (routes, openapi) = api_routes(metrics_here).split_for_parts();
    let routes = routes
        .merge(SwaggerUi::new("/docs").url("/openapi.json", documented(openapi)))
        .merge(golmok_web::router(state.pages()));
    with_edges(routes, state)
}

/// The router of a separate metrics address.
pub fn metrics_router(state: AppState) -> Router {
    let (routes, _) = routes::ops::metrics_router().split_for_parts();
    with_edges(routes, state)
}

fn with_edges(routes: Router<AppState>, state: AppState) -> Router {
    let settings = state.settings.clone();
    // One stack, added once: every `Router::layer` call boxes each route's service and its
    // futures again, so eight calls cost eight allocations a request (a tenth of a cached
    // read by id). Listed outermost first; the metrics, innermost, see the matched route
    // and the final status.
    let edges = tower::ServiceBuilder::new()
        .layer(SetRequestIdLayer::new(REQUEST_ID, RequestIds::new()))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request| {
                    let request_id = request
                        .headers()
                        .get(&REQUEST_ID)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-");
                    tracing::info_span!(
                        "request",
                        method = %request.method(),
                        path = %loggable_path(request.uri().path()),
                        request_id = %request_id,
                    )
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        // Outside the timeout, so its 408 is a problem too.
        .layer(middleware::from_fn(problems_for_bare_errors))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            settings.request_timeout(),
        ))
        .layer(DefaultBodyLimit::max(settings.server.body_limit_bytes))
        .layer(middleware::from_fn_with_state(state.clone(), after_a_write))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::telemetry::record,
        ));
    routes
        .fallback(unknown_route)
        .layer(edges)
        .with_state(state)
}

/// Request ids in the UUID format: this process's random half and a counter. Unique like a
/// random UUID, without asking the kernel for randomness on every request (a tenth of a
/// cached read's time went there).
#[derive(Clone)]
struct RequestIds {
    process: u64,
    next: Arc<std::sync::atomic::AtomicU64>,
}

impl RequestIds {
    fn new() -> Self {
        Self {
            process: std::hash::BuildHasher::hash_one(
                &std::collections::hash_map::RandomState::new(),
                std::process::id(),
            ),
            next: Arc::default(),
        }
    }
}

impl MakeRequestId for RequestIds {
    fn make_request_id<B>(&mut self, _request: &Request<B>) -> Option<RequestId> {
        let n = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let (p, n) = (self.process, n);
        let id = format!(
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            p >> 32,
            (p >> 16) & 0xffff,
            p & 0xffff,
            n >> 48,
            n & 0xffff_ffff_ffff
        );
        HeaderValue::from_str(&id).ok().map(RequestId::new)
    }
}

async fn unknown_route(method: Method, uri: axum::http::Uri) -> Response {
    problem_for_status(
        StatusCode::NOT_FOUND,
        format!("there is no route for {method} {}", uri.path()),
    )
}

/// A request's path as the log keeps it: a password reset link's secret is cut off, since
/// whoever reads the logs must not be able to use it.
fn loggable_path(path: &str) -> std::borrow::Cow<'_, str> {
    for secret_after in ["/reset/", "/v1/password-resets/"] {
        if path.starts_with(secret_after) && path.len() > secret_after.len() {
            return format!("{secret_after}…").into();
        }
    }
    path.into()
}

/// Turns the empty error responses axum and tower produce themselves (405, 408, 413, …)
/// into problem+json, so a client parses every error the same way.
async fn problems_for_bare_errors(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    let status = response.status();
    // Problems, and the pages' own HTML error pages, are already what their reader expects.
    let answered = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| {
            v.as_bytes().starts_with(PROBLEM_CONTENT_TYPE.as_bytes())
                || v.as_bytes().starts_with(b"text/html")
        });
    if !(status.is_client_error() || status.is_server_error()) || answered {
        return response;
    }
    let detail = match status {
        StatusCode::METHOD_NOT_ALLOWED => format!("{path} does not accept {method}"),
        StatusCode::REQUEST_TIMEOUT => "the request took too long and was abandoned".to_owned(),
        StatusCode::PAYLOAD_TOO_LARGE => {
            "the request body is larger than this server accepts".to_owned()
        }
        _ => format!("{method} {path} failed"),
    };
    let mut problem = problem_for_status(status, detail);
    if let Some(allow) = response.headers().get(header::ALLOW) {
        problem.headers_mut().insert(header::ALLOW, allow.clone());
    }
    problem
}

/// Serves `state` on `listener` until `shutdown` resolves, then lets in-flight requests
/// finish. When `metrics.bind` is set, `/metrics` is served there meanwhile.
pub async fn serve(
    state: AppState,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    // Alone, a server plans its own slots; with Redis, `--with-worker` makes it a worker too.
    serve_with(state, listener, shutdown, false).await
}

/// [`serve`], also taking planning jobs from Redis when `with_worker`.
pub async fn serve_with(
    state: AppState,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
    with_worker: bool,
) -> anyhow::Result<()> {
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let metrics_task = match state.settings.metrics.bind {
        Some(addr) => {
            let metrics_listener = TcpListener::bind(addr).await?;
            tracing::info!(address = %metrics_listener.local_addr()?, "serving /metrics");
            let app = metrics_router(state.clone());
            let mut stop = stop_rx.clone();
            Some(tokio::spawn(async move {
                axum::serve(metrics_listener, app)
                    .with_graceful_shutdown(async move {
                        let _ = stop.wait_for(|s| *s).await;
                    })
                    .await
            }))
        }
        None => None,
    };
    let jobs = crate::jobs::spawn_all(&state, &stop_rx);
    let relay = tokio::spawn(relay_events(state.clone(), stop_rx.clone()));
    let worker = with_worker.then(|| {
        tokio::spawn(crate::planning::work(
            state.clone(),
            worker_name(),
            stop_rx.clone(),
        ))
    });
    tracing::info!(address = %listener.local_addr()?, "golmok listening");
    let header_read_timeout = Duration::from_secs(state.settings.server.header_read_timeout_secs);
    let app = router(state);
    crate::listen::serve(listener, app, header_read_timeout, async move {
        shutdown.await;
        tracing::info!("shutting down: finishing in-flight requests");
        let _ = stop_tx.send(true);
    })
    .await?;
    if let Some(task) = metrics_task {
        task.await??;
    }
    for job in jobs {
        let _ = job.await;
    }
    let _ = relay.await;
    if let Some(worker) = worker {
        let _ = worker.await;
    }
    Ok(())
}

/// This process's name in the planners group: host and pid, unique while it runs.
pub fn worker_name() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "golmok".to_owned());
    format!("{host}-{}", std::process::id())
}

/// `golmok worker`: reads planning jobs from the Redis Stream and relays the events its
/// plans write, until `shutdown`.
pub async fn run_worker(
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    if state.redis.is_none() {
        anyhow::bail!(
            "key `redis.url`: `golmok worker` takes jobs from Redis; set GOLMOK_REDIS__URL"
        );
    }
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let relay = tokio::spawn(relay_events(state.clone(), stop_rx.clone()));
    let worker = tokio::spawn(crate::planning::work(state, worker_name(), stop_rx));
    shutdown.await;
    tracing::info!("worker stopping");
    let _ = stop_tx.send(true);
    let _ = worker.await;
    let _ = relay.await;
    Ok(())
}

/// Publishes committed events from the outbox: at once when a write nudges it, and every
/// half second regardless (events written by other processes, or left by a bus outage).
pub async fn relay_events(state: AppState, mut stop: tokio::sync::watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = state.relay_nudge.notified() => {}
            _ = tokio::time::sleep(std::time::Duration::from_millis(500)) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
        loop {
            match golmok_events::relay::publish_pending(&state.db, state.bus.as_ref(), 200).await {
                Ok(200) => continue,
                Ok(_) => break,
                Err(e) => {
                    tracing::warn!(error = %e, "relaying events");
                    break;
                }
            }
        }
    }
}

/// After a request that wrote (anything but GET and HEAD that succeeded): wakes the relay so
/// its events go out now. (Cached listing pages are renewed by the catalog's own writers,
/// not here: a sign-in or a courier's position shapes no page.)
async fn after_a_write(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let writes = request.method() != Method::GET && request.method() != Method::HEAD;
    let response = next.run(request).await;
    if writes && response.status().is_success() {
        state.relay_nudge.notify_one();
    }
    response
}

/// Resolves at SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
}

/// Every error an operation can answer, documented as what it is: `application/problem+json`
/// with the `Problem` schema. Handlers document their own domain refusals (409, 402, …); the
/// statuses every route shares by construction are added here, from what the operation is:
/// a bearer route can answer 401 and 403, a route with path parameters 404, a route with a
/// body 400, 413, 415 and 422, a route with parameters 400 and 422, and every route 408 (the
/// request timeout) and 500.
struct ProblemResponses;

impl Modify for ProblemResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
        let problem = || {
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build()
        };
        for (path, item) in openapi.paths.paths.iter_mut() {
            let operations = [
                item.get.as_mut(),
                item.post.as_mut(),
                item.put.as_mut(),
                item.patch.as_mut(),
                item.delete.as_mut(),
            ];
            for operation in operations.into_iter().flatten() {
                // Problems are problem+json, not plain JSON.
                for response in operation.responses.responses.values_mut() {
                    if let RefOr::T(response) = response
                        && let Some(RefOr::T(json)) = response.content.get("application/json")
                        && json.schema.as_ref().is_some_and(
                            |s| matches!(s, RefOr::Ref(r) if r.ref_location.ends_with("/Problem")),
                        )
                    {
                        let content = response.content.shift_remove("application/json");
                        if let Some(content) = content {
                            response
                                .content
                                .insert(PROBLEM_CONTENT_TYPE.to_owned(), content);
                        }
                    }
                }
                let secured = operation.security.as_ref().is_some_and(|s| !s.is_empty());
                let has_body = operation.request_body.is_some();
                let has_params = operation.parameters.as_ref().is_some_and(|p| !p.is_empty());
                let mut statuses: Vec<(&str, &str)> = vec![
                    ("408", "The request took longer than the server allows"),
                    ("500", "A failure on our side, logged"),
                ];
                if secured {
                    statuses.push((
                        "401",
                        "No token, or one that is unknown, expired or revoked",
                    ));
                    statuses.push(("403", "The caller may not do this"));
                }
                if path.contains('{') {
                    statuses.push(("404", "Nothing by that id, or nothing the caller may see"));
                }
                if has_body {
                    statuses.push(("400", "The body is not well-formed JSON"));
                    statuses.push(("413", "The body is larger than the server accepts"));
                    statuses.push(("415", "The body is not application/json"));
                }
                if has_body || has_params {
                    statuses.push(("400", "A malformed request"));
                    statuses.push(("422", "Fields that are not valid, each named"));
                }
                for (status, description) in statuses {
                    operation
                        .responses
                        .responses
                        .entry(status.to_owned())
                        .or_insert_with(|| {
                            RefOr::T(
                                ResponseBuilder::new()
                                    .description(description)
                                    .content(PROBLEM_CONTENT_TYPE, problem())
                                    .build(),
                            )
                        });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::loggable_path;

    #[test]
    fn a_reset_links_secret_stays_out_of_the_log() {
        assert_eq!(loggable_path("/reset/gmr_abc"), "/reset/…");
        assert_eq!(
            loggable_path("/v1/password-resets/gmr_abc"),
            "/v1/password-resets/…"
        );
        assert_eq!(loggable_path("/v1/orders/ord_1"), "/v1/orders/ord_1");
        assert_eq!(loggable_path("/reset/"), "/reset/");
    }
}
