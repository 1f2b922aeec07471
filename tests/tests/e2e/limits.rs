//! Abuse limits: sign-in failures and sign-ups counted per network address as well as per
//! email, live streams per account, and requests a slow client drips out cut off. Each
//! refusal is a problem+json, with Retry-After where waiting helps.

use std::time::{Duration, Instant};

use golmok_e2e::{Engine, TestApp};
use reqwest::StatusCode;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn sign_up_body(n: usize) -> serde_json::Value {
    json!({"email": format!("shopper{n}@example.com"), "password": "correct horse battery",
           "name": "손님", "role": "shopper"})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_ins_and_sign_ups_are_limited_per_address() {
    let app = TestApp::start_with(
        Engine::Sqlite,
        json!({"auth": {"max_failed_logins_per_address": 3, "max_sign_ups_per_address": 4},
               "server": {"trust_forwarded_for": true}}),
    )
    .await;
    let from = |address: &'static str| {
        move |request: reqwest::RequestBuilder| request.header("x-forwarded-for", address)
    };
    let send = |path: &str, body: serde_json::Value, address: &'static str| {
        let request = app.client().post(app.url(path)).json(&body);
        async move { TestApp::read(from(address)(request).send().await.unwrap()).await }
    };
    for n in 0..4 {
        let made = send("/v1/auth/signup", sign_up_body(n), "198.51.100.1").await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    }
    let fifth = send("/v1/auth/signup", sign_up_body(4), "198.51.100.1").await;
    fifth.assert_problem(429, "rate_limited");
    assert!(fifth.headers.contains_key("retry-after"));
    // Another address signs up as usual.
    let elsewhere = send("/v1/auth/signup", sign_up_body(5), "203.0.113.7").await;
    assert_eq!(elsewhere.status, StatusCode::CREATED, "{}", elsewhere.text);

    // Wrong passwords for three different accounts from one address...
    for n in 0..3 {
        let wrong = send(
            "/v1/auth/login",
            json!({"email": format!("shopper{n}@example.com"), "password": "wrong password"}),
            "192.0.2.50",
        )
        .await;
        wrong.assert_problem(401, "bad_credentials");
    }
    // ...and that address is refused even the right password of a fourth.
    let right = json!({"email": "shopper3@example.com", "password": "correct horse battery"});
    let refused = send("/v1/auth/login", right.clone(), "192.0.2.50").await;
    refused.assert_problem(429, "rate_limited");
    assert!(refused.headers.contains_key("retry-after"));
    // The account itself is not locked: from its owner's own address it signs in.
    let owner = send("/v1/auth/login", right, "203.0.113.7").await;
    assert_eq!(owner.status, StatusCode::OK, "{}", owner.text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_streams_are_limited_per_account() {
    let app = TestApp::start_with(
        Engine::Sqlite,
        json!({"server": {"max_streams_per_account": 2}}),
    )
    .await;
    let (courier, _) = app.sign_up("courier").await;
    let open = || {
        app.client()
            .get(app.url("/v1/couriers/me/events"))
            .bearer_auth(&courier)
            .send()
    };
    let first = open().await.unwrap();
    let second = open().await.unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(second.status(), StatusCode::OK);
    let third = TestApp::read(open().await.unwrap()).await;
    third.assert_problem(429, "rate_limited");
    assert!(third.headers.contains_key("retry-after"));
    // Another account has its own.
    let (other, _) = app.sign_up("courier").await;
    let theirs = app
        .client()
        .get(app.url("/v1/couriers/me/events"))
        .bearer_auth(&other)
        .send()
        .await
        .unwrap();
    assert_eq!(theirs.status(), StatusCode::OK);
    // Closing a stream gives its place back (once the server notices the client left).
    drop(first);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let again = open().await.unwrap();
        if again.status() == StatusCode::OK {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the closed stream's place came back"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A connection to the app, to write a request by hand.
async fn raw(app: &TestApp) -> tokio::net::TcpStream {
    let address = app.base_url.trim_start_matches("http://");
    tokio::net::TcpStream::connect(address).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_dripped_slowly_is_cut_off_with_408() {
    let app = TestApp::start_with(
        Engine::Sqlite,
        json!({"server": {"request_timeout_secs": 1}}),
    )
    .await;
    let mut conn = raw(&app).await;
    conn.write_all(
        b"POST /v1/auth/login HTTP/1.1\r\nHost: golmok\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{",
    )
    .await
    .unwrap();
    let started = Instant::now();
    let dripping = async {
        for _ in 0..30 {
            tokio::time::sleep(Duration::from_millis(300)).await;
            if conn.write_all(b" ").await.is_err() {
                break;
            }
        }
    };
    tokio::time::timeout(Duration::from_millis(2500), dripping)
        .await
        .ok();
    let mut answer = vec![0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(5), conn.read(&mut answer))
        .await
        .expect("an answer before the client finished")
        .unwrap_or(0);
    let answer = String::from_utf8_lossy(&answer[..n]);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("application/problem+json"), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(8));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headers_dripped_slowly_are_cut_off() {
    let app = TestApp::start_with(
        Engine::Sqlite,
        json!({"server": {"header_read_timeout_secs": 2}}),
    )
    .await;
    let mut conn = raw(&app).await;
    conn.write_all(b"GET /healthz HTTP/1.1\r\nHost: golmok\r\n")
        .await
        .unwrap();
    let started = Instant::now();
    // One header byte every second: the request never ends, the server does not wait for it.
    let mut closed = false;
    while started.elapsed() < Duration::from_secs(15) {
        tokio::time::sleep(Duration::from_secs(1)).await;
        if conn.write_all(b"x").await.is_err() {
            closed = true;
            break;
        }
        let mut byte = [0u8; 1];
        if let Ok(Ok(0)) =
            tokio::time::timeout(Duration::from_millis(10), conn.read(&mut byte)).await
        {
            closed = true;
            break;
        }
    }
    assert!(
        closed,
        "the server closed a connection whose headers never ended"
    );
    assert!(started.elapsed() < Duration::from_secs(10));
}
