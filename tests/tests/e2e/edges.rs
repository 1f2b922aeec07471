//! What every endpoint shares: problem+json for every error, request ids, health,
//! readiness, metrics and the OpenAPI document.

use golmok_e2e::{Engine, TestApp, on_both_databases};
use reqwest::StatusCode;
use serde_json::json;

on_both_databases!(
    malformed_bodies_are_problems_naming_the_field,
    unknown_routes_and_methods_are_problems,
    health_and_readiness_answer,
);

async fn malformed_bodies_are_problems_naming_the_field(app: TestApp) {
    let raw = |body: &'static str, content_type: &'static str| {
        app.client()
            .post(app.url("/v1/auth/signup"))
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    let reply = TestApp::read(raw("{\"email\": ", "application/json").await.unwrap()).await;
    reply.assert_problem(400, "malformed_json");

    let reply = TestApp::read(
        raw("email=a", "application/x-www-form-urlencoded")
            .await
            .unwrap(),
    )
    .await;
    reply.assert_problem(415, "unsupported_media_type");

    let reply = app
        .post(
            "/v1/auth/signup",
            None,
            &json!({"email": "a@example.com", "name": "A", "role": "shopper"}),
        )
        .await;
    reply.assert_problem(422, "validation_failed");
    assert_eq!(reply.failed_fields(), ["password"]);

    let reply = app
        .post(
            "/v1/auth/signup",
            None,
            &json!({"email": "a@example.com", "password": 12345678, "name": "A", "role": "shopper"}),
        )
        .await;
    reply.assert_problem(422, "validation_failed");
    assert_eq!(reply.failed_fields(), ["password"]);

    let reply = app
        .post(
            "/v1/auth/login",
            None,
            &json!({"email": "a@example.com", "password": "x", "remember_me": true}),
        )
        .await;
    reply.assert_problem(422, "validation_failed");
    assert_eq!(reply.failed_fields(), ["remember_me"]);
}

async fn unknown_routes_and_methods_are_problems(app: TestApp) {
    let reply = app.get("/v1/no-such-thing", None).await;
    reply.assert_problem(404, "not_found");
    assert!(
        reply.body["detail"]
            .as_str()
            .unwrap()
            .contains("/v1/no-such-thing")
    );

    let reply = app
        .call(reqwest::Method::DELETE, "/v1/me", None, None)
        .await;
    reply.assert_problem(405, "method_not_allowed");
    assert!(reply.header("allow").is_some());
}

async fn health_and_readiness_answer(app: TestApp) {
    let health = app.get("/healthz", None).await;
    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(health.body["status"], "ok");
    let ready = app.get("/readyz", None).await;
    assert_eq!(ready.status, StatusCode::OK, "{}", ready.text);
    assert_eq!(ready.body["status"], "ready");
}

#[tokio::test]
async fn a_body_over_the_limit_is_413() {
    let app = TestApp::start_with(
        Engine::Sqlite,
        json!({"server": {"body_limit_bytes": 1024}}),
    )
    .await;
    let big = "x".repeat(4096);
    let reply = app
        .post(
            "/v1/auth/signup",
            None,
            &json!({"email": "a@example.com", "password": big, "name": "A", "role": "shopper"}),
        )
        .await;
    reply.assert_problem(413, "payload_too_large");
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = TestApp::start(Engine::Sqlite).await;
    let generated = app.get("/healthz", None).await;
    assert_eq!(generated.header("x-request-id").map(str::len), Some(36));
    let error = app.get("/nowhere", None).await;
    assert!(error.header("x-request-id").is_some());

    let reply = app
        .client()
        .get(app.url("/healthz"))
        .header("x-request-id", "trace-me-123")
        .send()
        .await
        .unwrap();
    assert_eq!(reply.headers()["x-request-id"], "trace-me-123");
}

#[tokio::test]
async fn metrics_count_requests_by_route_template_and_status() {
    let app = TestApp::start(Engine::Sqlite).await;
    let (token, _) = app.sign_up("shopper").await;
    app.get("/v1/me", Some(&token)).await;
    app.get("/v1/me", None).await;
    app.get("/nowhere", None).await;

    let reply = app.client().get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(reply.status(), StatusCode::OK);
    assert!(
        reply.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = reply.text().await.unwrap();
    for line in [
        r#"golmok_http_requests_total{method="POST",route="/v1/auth/signup",status="201"} 1"#,
        r#"golmok_http_requests_total{method="GET",route="/v1/me",status="200"} 1"#,
        r#"golmok_http_requests_total{method="GET",route="/v1/me",status="401"} 1"#,
        r#"golmok_http_requests_total{method="GET",route="unmatched",status="404"} 1"#,
    ] {
        assert!(text.contains(line), "missing {line} in\n{text}");
    }
    assert!(text.contains("golmok_http_request_duration_seconds_bucket"));
}

#[tokio::test]
async fn metrics_move_to_their_own_address_when_configured() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let app = TestApp::start_with(
        Engine::Sqlite,
        json!({"metrics": {"bind": format!("127.0.0.1:{port}")}}),
    )
    .await;
    app.get("/metrics", None)
        .await
        .assert_problem(404, "not_found");
    let mut reply = None;
    for _ in 0..50 {
        if let Ok(r) = app
            .client()
            .get(format!("http://127.0.0.1:{port}/metrics"))
            .send()
            .await
        {
            reply = Some(r);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let reply = reply.expect("the metrics address answers");
    assert_eq!(reply.status(), StatusCode::OK);
    assert!(
        reply
            .text()
            .await
            .unwrap()
            .contains("golmok_http_requests_total")
    );
}

#[tokio::test]
async fn the_openapi_document_describes_the_api_and_docs_serve_offline() {
    let app = TestApp::start(Engine::Sqlite).await;
    let spec = app.get("/openapi.json", None).await;
    assert_eq!(spec.status, StatusCode::OK);
    assert!(spec.body["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in [
        "/v1/auth/signup",
        "/v1/auth/login",
        "/v1/me",
        "/v1/admin/accounts",
        "/healthz",
        "/readyz",
    ] {
        assert!(
            spec.body["paths"].get(path).is_some(),
            "{path} missing from the OpenAPI document"
        );
    }
    assert!(spec.body["components"]["securitySchemes"]["bearer"].is_object());
    assert!(spec.body["components"]["schemas"]["Problem"].is_object());

    let docs = app.client().get(app.url("/docs/")).send().await.unwrap();
    assert_eq!(docs.status(), StatusCode::OK);
    assert!(
        docs.text()
            .await
            .unwrap()
            .to_lowercase()
            .contains("swagger")
    );
}
