//! Live updates as Server-Sent Events: a shopper's order, a courier's batches, a merchant's
//! new orders. Each stream carries the events committed for its topic, each with its outbox
//! id; a client that reconnects with `Last-Event-ID` first gets what it missed from the
//! outbox, so a dropped connection or a Redis outage loses nothing.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use futures::Stream;
use golmok_accounts::Role;
use golmok_events::Event;
use tokio::sync::broadcast::error::RecvError;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::error::ApiError;
use crate::extract::Session;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(order_events))
        .routes(routes!(courier_events))
        .routes(routes!(merchant_events))
}

/// How many missed events a reconnecting client is sent at most.
const CATCH_UP: u64 = 500;
/// How many recently sent event ids a stream remembers to send each once.
const RECENT: usize = 256;

type Events = std::pin::Pin<Box<dyn Stream<Item = Result<SseEvent, Infallible>> + Send>>;
type EventStream = Sse<axum::response::sse::KeepAliveStream<Events>>;

fn sse_of(event: &Event) -> SseEvent {
    SseEvent::default()
        .id(event.id.clone())
        .event(event.payload["type"].as_str().unwrap_or("message"))
        .data(event.payload.to_string())
}

/// Subscribes first, then reads what the client missed, so nothing falls between the two;
/// an event in both is sent once.
async fn stream(
    state: &AppState,
    account_id: &str,
    topic: String,
    headers: &HeaderMap,
) -> Result<EventStream, ApiError> {
    // Held by the stream's task: the place frees itself when the client goes away.
    let slot = state
        .live_streams
        .open(account_id, state.settings.server.max_streams_per_account)
        .ok_or_else(|| {
            ApiError::too_many_requests(
                "this account has too many live streams open; close one first",
                std::time::Duration::from_secs(10),
            )
        })?;
    let mut live = state.bus.subscribe();
    let last_seen = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let missed = match &last_seen {
        Some(after) => {
            golmok_events::outbox::since(&state.db, std::slice::from_ref(&topic), after, CATCH_UP)
                .await
                .map_err(ApiError::internal)?
        }
        None => Vec::new(),
    };
    let db = state.db.clone();
    let events = async_stream(move |tx| async move {
        let _slot = slot;
        let mut out = Listener {
            tx,
            last: last_seen.unwrap_or_else(|| golmok_core::new_id("evt")),
            sent: VecDeque::with_capacity(RECENT),
        };
        if !out.send_all(missed).await {
            return;
        }
        loop {
            let gap = match live.recv().await {
                Ok(e) if e.is_resync() => true,
                Ok(e) if e.topic == topic => {
                    if !out.send(&e).await {
                        return;
                    }
                    false
                }
                Ok(_) => false,
                // Fell behind the local buffer.
                Err(RecvError::Lagged(_)) => true,
                Err(RecvError::Closed) => return,
            };
            if gap {
                let topics = std::slice::from_ref(&topic);
                let Ok(missed) =
                    golmok_events::outbox::since(&db, topics, &out.last, CATCH_UP).await
                else {
                    return;
                };
                if !out.send_all(missed).await {
                    return;
                }
            }
        }
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

/// One client's stream. `last`: where to read the outbox from after a gap (a new id sorts
/// after every event committed so far). `sent`: recent ids, so an event read from the outbox
/// and also heard live goes out once.
struct Listener {
    tx: tokio::sync::mpsc::Sender<SseEvent>,
    last: String,
    sent: VecDeque<String>,
}

impl Listener {
    /// Sends `e` unless it was sent already; false once the client has left.
    async fn send(&mut self, e: &Event) -> bool {
        if self.sent.contains(&e.id) {
            return true;
        }
        if self.sent.len() == RECENT {
            self.sent.pop_front();
        }
        self.sent.push_back(e.id.clone());
        if e.id > self.last {
            self.last = e.id.clone();
        }
        self.tx.send(sse_of(e)).await.is_ok()
    }

    async fn send_all(&mut self, events: Vec<Event>) -> bool {
        for e in &events {
            if !self.send(e).await {
                return false;
            }
        }
        true
    }
}

/// A stream fed by `produce` through a small channel; it stops when the client leaves.
fn async_stream<F, Fut>(produce: F) -> Events
where
    F: FnOnce(tokio::sync::mpsc::Sender<SseEvent>) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let (tx, rx) = tokio::sync::mpsc::channel(64);
    // The producer stops as soon as the client goes away, not at the next event it would
    // have sent: what it holds (the stream's place among the account's) is freed at once.
    let gone = tx.clone();
    let producing = produce(tx);
    tokio::spawn(async move {
        tokio::select! {
            () = producing => {}
            () = gone.closed() => {}
        }
    });
    Box::pin(futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|e| (Ok(e), rx))
    }))
}

/// The order's status changes and its courier's ETA; for the shopper who placed it (or an
/// admin).
#[utoipa::path(get, path = "/v1/orders/{id}/events", tag = "ordering", security(("bearer" = [])),
    responses((status = 200, content_type = "text/event-stream", body = String), (status = 404, body = crate::error::Problem)))]
async fn order_events(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<EventStream, ApiError> {
    // Someone else's order is not found, as for reading it.
    golmok_ordering::view::get_order(&state.db, &session.account, &id).await?;
    stream(
        &state,
        &session.account.id,
        golmok_events::Topic::order(id).to_string(),
        &headers,
    )
    .await
}

/// New or changed route batches of the calling courier: `batch` (planned, handed to them, or
/// a stop of it made by the courier before), `batch_handed_over` (handed from them to
/// another), `batch_replaced` (a planned one replaced by a new plan).
#[utoipa::path(get, path = "/v1/couriers/me/events", tag = "delivery", security(("bearer" = [])),
    responses((status = 200, content_type = "text/event-stream", body = String), (status = 403, body = crate::error::Problem)))]
async fn courier_events(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
) -> Result<EventStream, ApiError> {
    session.require(&[Role::Courier])?;
    stream(
        &state,
        &session.account.id,
        golmok_events::Topic::courier(session.account.id.as_str()).to_string(),
        &headers,
    )
    .await
}

/// New orders for the merchant; for its owner (or an admin).
#[utoipa::path(get, path = "/v1/merchants/{id}/events", tag = "ordering", security(("bearer" = [])),
    responses((status = 200, content_type = "text/event-stream", body = String), (status = 403, body = crate::error::Problem)))]
async fn merchant_events(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<EventStream, ApiError> {
    golmok_catalog::merchant::owned_merchant(&state.db, &session.account, &id).await?;
    stream(
        &state,
        &session.account.id,
        golmok_events::Topic::merchant(id).to_string(),
        &headers,
    )
    .await
}
