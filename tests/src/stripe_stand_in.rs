//! A Stripe that keeps its books: PaymentIntents with their amounts, captures and refunds,
//! and every idempotency key's first answer, replayed for a repeat as Stripe does. It can
//! stall one request (a slow Stripe) or take one and never answer it (the server died while
//! Stripe was answering), so tests can see what Golmok leaves behind and what it repairs.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use serde_json::{Value, json};
use tokio::sync::{oneshot, watch};

/// One PaymentIntent as the stand-in holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intent {
    pub id: String,
    pub order_id: String,
    pub amount: i64,
    /// `requires_capture`, `succeeded` or `canceled`.
    pub status: String,
    pub captured: i64,
    pub refunded: i64,
    /// How many refunds were made on it (a repeated key makes none).
    pub refunds: usize,
}

#[derive(Default)]
struct Books {
    intents: Vec<Intent>,
    answers: HashMap<String, Value>,
    /// Requests whose key contains the text wait until the flag is raised before answering.
    stall: Option<(String, watch::Receiver<bool>)>,
    /// The next request whose path ends with the text is done, then never answered; the
    /// sender says it arrived.
    swallow: Option<(String, oneshot::Sender<()>)>,
    /// Stalled requests that arrived: the sender says so.
    stalled: Option<oneshot::Sender<()>>,
    /// The next request whose path ends with the text is refused with the message, undone.
    refuse: Option<(String, String)>,
    unexpected: Vec<String>,
}

/// A stall set with [`StripeStandIn::stall`]: hears when the stalled request arrives, and
/// lets it be answered.
pub struct Stall {
    pub arrived: oneshot::Receiver<()>,
    release: watch::Sender<bool>,
}

impl Stall {
    /// The stalled requests are answered.
    pub fn release(&self) {
        let _ = self.release.send(true);
    }
}

#[derive(Clone, Default)]
pub struct StripeStandIn {
    books: Arc<Mutex<Books>>,
}

impl StripeStandIn {
    /// Serves on a free port; its base URL for `stripe.api_base`.
    pub async fn start() -> (Self, String) {
        let stand_in = Self::default();
        let app = Router::new().fallback(answer).with_state(stand_in.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}/", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (stand_in, base)
    }

    /// The app's settings for Stripe (beside offline) at the stand-in's `base` URL.
    pub fn settings(base: &str) -> Value {
        json!({"payments": {"providers": ["offline", "stripe"]},
               "stripe": {"api_base": base, "secret_key": "sk_test_e2e", "webhook_secret": "whsec_e2e"}})
    }

    /// Requests whose idempotency key contains `needle` are done, then held unanswered
    /// until the stall is released (or dropped).
    pub fn stall(&self, needle: &str) -> Stall {
        let (arrived_tx, arrived) = oneshot::channel();
        let (release, held) = watch::channel(false);
        let mut books = self.books.lock().unwrap();
        books.stall = Some((needle.to_owned(), held));
        books.stalled = Some(arrived_tx);
        Stall { arrived, release }
    }

    /// The next request to a path ending with `suffix` is done and never answered; the
    /// receiver hears when it has been done.
    pub fn swallow_next(&self, suffix: &str) -> oneshot::Receiver<()> {
        let (tx, rx) = oneshot::channel();
        self.books.lock().unwrap().swallow = Some((suffix.to_owned(), tx));
        rx
    }

    /// The next request to a path ending with `suffix` is refused (402, as Stripe refuses a
    /// card) with `message`, and nothing is done.
    pub fn refuse_next(&self, suffix: &str, message: &str) {
        self.books.lock().unwrap().refuse = Some((suffix.to_owned(), message.to_owned()));
    }

    pub fn intents(&self) -> Vec<Intent> {
        self.books.lock().unwrap().intents.clone()
    }

    pub fn intents_of(&self, order_id: &str) -> Vec<Intent> {
        self.intents()
            .into_iter()
            .filter(|i| i.order_id == order_id)
            .collect()
    }

    /// Requests it has no answer for.
    pub fn unexpected(&self) -> Vec<String> {
        self.books.lock().unwrap().unexpected.clone()
    }
}

fn form(body: &str) -> HashMap<String, String> {
    form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect()
}

fn intent_json(i: &Intent) -> Value {
    json!({
        "id": i.id, "object": "payment_intent", "amount": i.amount, "amount_capturable": 0,
        "amount_received": i.captured, "capture_method": "manual",
        "confirmation_method": "automatic", "created": 1_790_000_000, "currency": "krw",
        "livemode": false, "metadata": {"order_id": i.order_id}, "payment_method_types": ["card"],
        "status": i.status, "client_secret": format!("{}_secret", i.id),
        "latest_charge": if i.captured > 0 { json!(format!("ch_{}", i.id)) } else { Value::Null },
    })
}

/// Does what the request asks, once per idempotency key.
fn act(books: &mut Books, path: &str, key: Option<&str>, body: &str) -> (StatusCode, Value) {
    if let Some(stored) = key.and_then(|k| books.answers.get(k)) {
        return (StatusCode::OK, stored.clone());
    }
    let fields = form(body);
    let amount = |name: &str| fields.get(name).and_then(|a| a.parse::<i64>().ok());
    let segment = path.split('/').nth(3).unwrap_or_default().to_owned();
    let reply = if path == "/v1/payment_intents" {
        let intent = Intent {
            id: format!("pi_standin_{}", books.intents.len() + 1),
            order_id: fields
                .get("metadata[order_id]")
                .cloned()
                .unwrap_or_default(),
            amount: amount("amount").unwrap_or(0),
            status: "requires_capture".into(),
            captured: 0,
            refunded: 0,
            refunds: 0,
        };
        let reply = intent_json(&intent);
        books.intents.push(intent);
        reply
    } else if path.ends_with("/capture") || path.ends_with("/cancel") {
        let capture = path.ends_with("/capture");
        let Some(i) = books.intents.iter_mut().find(|i| i.id == segment) else {
            return (
                StatusCode::NOT_FOUND,
                json!({"error": {"message": "no such intent"}}),
            );
        };
        if i.status != "requires_capture" {
            return (
                StatusCode::BAD_REQUEST,
                json!({"error": {"type": "invalid_request_error", "message": format!("the intent is {}", i.status)}}),
            );
        }
        if capture {
            i.captured = amount("amount_to_capture").unwrap_or(i.amount);
            i.status = "succeeded".into();
        } else {
            i.status = "canceled".into();
        }
        intent_json(i)
    } else if path == "/v1/refunds" {
        let intent_id = fields.get("payment_intent").cloned().unwrap_or_default();
        let Some(i) = books.intents.iter_mut().find(|i| i.id == intent_id) else {
            return (
                StatusCode::NOT_FOUND,
                json!({"error": {"message": "no such intent"}}),
            );
        };
        let refund = amount("amount").unwrap_or(i.captured - i.refunded);
        i.refunded += refund;
        i.refunds += 1;
        json!({"id": format!("re_{}_{}", i.id, i.refunds), "object": "refund", "amount": refund,
               "created": 1_790_000_000, "currency": "krw", "metadata": {}, "status": "succeeded"})
    } else {
        books.unexpected.push(path.to_owned());
        return (
            StatusCode::NOT_FOUND,
            json!({"error": {"type": "invalid_request_error", "message": path}}),
        );
    };
    if let Some(k) = key {
        books.answers.insert(k.to_owned(), reply.clone());
    }
    (StatusCode::OK, reply)
}

async fn answer(
    State(s): State<StripeStandIn>,
    uri: Uri,
    headers: HeaderMap,
    body: String,
) -> (StatusCode, axum::Json<Value>) {
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let path = uri.path().to_owned();
    let (stall, swallowed, reply) = {
        let mut books = s.books.lock().unwrap();
        let stall = match (&books.stall, &key) {
            (Some((needle, held)), Some(k)) if k.contains(needle.as_str()) => Some(held.clone()),
            _ => None,
        };
        if stall.is_some()
            && let Some(tx) = books.stalled.take()
        {
            let _ = tx.send(());
        }
        let swallowed = match &books.swallow {
            Some((suffix, _)) if path.ends_with(suffix.as_str()) => books.swallow.take(),
            _ => None,
        };
        let reply = match &books.refuse {
            Some((suffix, _)) if path.ends_with(suffix.as_str()) => {
                let (_, message) = books.refuse.take().unwrap_or_default();
                (
                    StatusCode::PAYMENT_REQUIRED,
                    json!({"error": {"type": "card_error", "message": message}}),
                )
            }
            _ => act(&mut books, &path, key.as_deref(), &body),
        };
        (stall, swallowed, reply)
    };
    if let Some((_, arrived)) = swallowed {
        // Done at Stripe; the answer never reaches the server (it is being killed).
        let _ = arrived.send(());
        tokio::time::sleep(Duration::from_secs(600)).await;
    }
    if let Some(mut held) = stall {
        // A dropped `Stall` releases too: the error means the sender is gone.
        let _ = held.wait_for(|released| *released).await;
    }
    (reply.0, axum::Json(reply.1))
}
