//! The end-to-end harness: each test gets the real Golmok app on a free port, on a fresh
//! database of its own (a new SQLite file, or a new PostgreSQL database cloned from a
//! migrated template), and speaks HTTP to it.
//!
//! PostgreSQL comes from `GOLMOK_TEST_POSTGRES_URL` (a role that may create databases) or,
//! when that is unset, from a throwaway cluster this harness starts itself with Debian's
//! `postgresql` binaries; see [`postgres`].

pub mod demo;
pub mod pages;
pub mod postgres;
pub mod processes;
pub mod stripe_stand_in;

use std::time::Duration;

use figment::providers::Serialized;
use golmok_api::{AppState, Settings};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::sync::oneshot;

/// The two engines every end-to-end case runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// Declares one test per engine for each named `async fn(TestApp)` case:
/// `on_both_databases!(signup_then_me, duplicate_email);`
#[macro_export]
macro_rules! on_both_databases {
    ($($case:ident),+ $(,)?) => {
        $(
            mod $case {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$case($crate::TestApp::start($crate::Engine::Sqlite).await).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$case($crate::TestApp::start($crate::Engine::Postgres).await).await;
                }
            }
        )+
    };
}

/// As [`on_both_databases!`], for cases that start their own app (with their own settings)
/// from the engine: each named `async fn(Engine)`.
#[macro_export]
macro_rules! on_both_engines {
    ($($case:ident),+ $(,)?) => {
        $(
            mod $case {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$case($crate::Engine::Sqlite).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$case($crate::Engine::Postgres).await;
                }
            }
        )+
    };
}

/// A running app and a client for it. Dropping it stops the app.
pub struct TestApp {
    pub base_url: String,
    pub engine: Engine,
    pub state: AppState,
    client: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    _sqlite_dir: Option<tempfile::TempDir>,
    _media_dir: tempfile::TempDir,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts this is a problem+json of `status` whose `type` ends in `/code`, and returns it.
    #[track_caller]
    pub fn assert_problem(&self, status: u16, code: &str) -> &Value {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.text);
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "body: {}",
            self.text
        );
        let kind = self.body["type"].as_str().unwrap_or_default();
        assert!(
            kind.ends_with(&format!("/{code}")),
            "type {kind}, wanted {code}"
        );
        assert_eq!(self.body["status"], status);
        assert!(self.body["title"].is_string());
        assert!(self.body["detail"].is_string());
        &self.body
    }

    /// The field names in a problem's `errors`.
    pub fn failed_fields(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .filter_map(|e| e["field"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }
}

pub const PASSWORD: &str = "correct horse battery";

impl TestApp {
    pub async fn start(engine: Engine) -> Self {
        Self::start_with(engine, json!({})).await
    }

    /// Starts the app with configuration `overrides` (nested like config/default.toml) on
    /// top of the defaults and the test's own database.
    pub async fn start_with(engine: Engine, overrides: Value) -> Self {
        let (url, sqlite_dir) = match engine {
            Engine::Sqlite => {
                let dir = tempfile::tempdir().expect("a temporary directory");
                let url = format!("sqlite://{}/golmok.db?mode=rwc", dir.path().display());
                (url, Some(dir))
            }
            Engine::Postgres => (postgres::fresh_database().await, None),
        };
        let media = tempfile::tempdir().expect("a temporary directory");
        let settings = Settings::defaults_with(
            figment::Figment::new()
                .merge(Serialized::defaults(json!({
                    "database": { "url": url, "max_connections": 5 },
                    "log": { "filter": "warn" },
                    "storage": { "local_dir": media.path() },
                })))
                .merge(Serialized::defaults(overrides)),
        )
        .expect("test settings are valid");
        let state = AppState::new(settings)
            .await
            .expect("the app connects to its database");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port");
        let base_url = format!("http://{}", listener.local_addr().expect("bound address"));
        let (stop, stopped) = oneshot::channel::<()>();
        let serving = state.clone();
        tokio::spawn(async move {
            let shutdown = async {
                let _ = stopped.await;
            };
            if let Err(e) = golmok_api::serve(serving, listener, shutdown).await {
                panic!("the app stopped with an error: {e:#}");
            }
        });
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("an HTTP client");
        TestApp {
            base_url,
            engine,
            state,
            client,
            stop: Some(stop),
            _sqlite_dir: sqlite_dir,
            _media_dir: media,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// Sends a request and reads the whole reply. `body` is sent as JSON when given.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Reply {
        let mut request = self.client.request(method, self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        Self::read(request.send().await.expect("the app answers")).await
    }

    pub async fn read(response: reqwest::Response) -> Reply {
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.expect("a readable body");
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            body,
            text,
        }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        self.call(Method::GET, path, token, None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> Reply {
        self.call(Method::POST, path, token, Some(body)).await
    }

    /// A POST carrying an `Idempotency-Key`, as a client retrying it sends it.
    pub async fn post_with_key(&self, path: &str, token: &str, key: &str, body: &Value) -> Reply {
        let response = self
            .client
            .post(self.url(path))
            .bearer_auth(token)
            .header("idempotency-key", key)
            .json(body)
            .send()
            .await
            .expect("the app answers");
        Self::read(response).await
    }

    pub async fn put(&self, path: &str, token: Option<&str>, body: &Value) -> Reply {
        self.call(Method::PUT, path, token, Some(body)).await
    }

    pub async fn patch(&self, path: &str, token: Option<&str>, body: &Value) -> Reply {
        self.call(Method::PATCH, path, token, Some(body)).await
    }

    /// Signs up a fresh account of a self-service `role` and returns (token, account).
    pub async fn sign_up(&self, role: &str) -> (String, Value) {
        let email = format!("{role}-{}@example.com", uuid::Uuid::new_v4().simple());
        let reply = self
            .post(
                "/v1/auth/signup",
                None,
                &json!({"email": email, "password": PASSWORD, "name": format!("Test {role}"), "role": role}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
        (
            reply.body["token"].as_str().expect("a token").to_owned(),
            reply.body["account"].clone(),
        )
    }

    /// An admin account made the way an operator makes the first one (the domain function
    /// behind `golmok admin create`), logged in over HTTP. Returns its token.
    pub async fn admin(&self) -> String {
        let email = format!("admin-{}@example.com", uuid::Uuid::new_v4().simple());
        golmok_accounts::register(
            &self.state.db,
            golmok_accounts::NewAccount {
                email: email.clone(),
                password: PASSWORD.into(),
                name: "Test admin".into(),
                role: golmok_accounts::Role::Admin,
            },
            golmok_accounts::Registration::Privileged,
        )
        .await
        .expect("an admin account");
        let reply = self
            .post(
                "/v1/auth/login",
                None,
                &json!({"email": email, "password": PASSWORD}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
        reply.body["token"].as_str().expect("a token").to_owned()
    }
}

/// Reads a Server-Sent Events stream until `needle` appears (within 15 s); returns what was
/// read.
pub async fn read_events_until(response: &mut reqwest::Response, needle: &str) -> String {
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while !seen.contains(needle) {
        let chunk = tokio::time::timeout_at(deadline, response.chunk())
            .await
            .unwrap_or_else(|_| panic!("no event containing {needle} in 15 s; saw {seen}"))
            .expect("the event stream")
            .expect("the event stream ended");
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    seen
}
