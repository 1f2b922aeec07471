//! The `golmok` binary itself: subcommands sharing one configuration, start-up errors that
//! name the key, and a clean stop on SIGTERM.

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_golmok");

/// `golmok` run in `dir` with only the given GOLMOK_ variables, so the developer's own
/// environment cannot leak into the test.
fn golmok(dir: &Path, env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(BIN);
    command.current_dir(dir);
    for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("GOLMOK_")) {
        command.env_remove(key);
    }
    command.env("GOLMOK_LOG__FILTER", "warn");
    for (key, value) in env {
        command.env(key, value);
    }
    command
}

fn run(command: &mut Command) -> Output {
    command.stdin(Stdio::null()).output().expect("golmok runs")
}

/// `golmok admin create` of an admin with the password "operator pass".
fn create_admin(dir: &Path, email: &str) -> Output {
    run(golmok(dir, &[]).args([
        "admin",
        "create",
        "--email",
        email,
        "--password",
        "operator pass",
        "--role",
        "admin",
    ]))
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn wait_until_up(base: &str) {
    wait_up_to(base, Duration::from_secs(30)).await
}

async fn wait_up_to(base: &str, limit: Duration) {
    let client = reqwest::Client::new();
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if client.get(format!("{base}/healthz")).send().await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("golmok serve did not come up at {base}");
}

/// README's first command: `serve --demo` on an empty database seeds the demo and weeks of
/// past orders, delivered and captured, before it answers.
#[tokio::test]
async fn serve_demo_starts_with_weeks_of_past_orders() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let _server = Server(
        golmok(dir.path(), &[])
            .args(["serve", "--demo", "--bind", &format!("127.0.0.1:{port}")])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let base = format!("http://127.0.0.1:{port}");
    wait_up_to(&base, Duration::from_secs(240)).await;
    let client = reqwest::Client::new();
    let login: Value = client
        .post(format!("{base}/v1/auth/login"))
        .json(&json!({"email": "admin@demo.golmok.kr", "password": "golmok-demo"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["token"].as_str().unwrap_or_default().to_owned();
    let today = (chrono::Utc::now() + chrono::Duration::hours(9)).date_naive();
    let report: Value = client
        .get(format!(
            "{base}/v1/reports/programme?from={}&to={today}&by=week",
            today - chrono::Duration::days(27)
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let weeks_with_orders = report["periods"]
        .as_array()
        .map(|p| {
            p.iter()
                .filter(|p| p["figures"]["online_orders"].as_u64().unwrap_or_default() > 0)
                .count()
        })
        .unwrap_or_default();
    assert!(weeks_with_orders >= 3, "{report}");
    assert!(
        report["total"]["online_orders"]
            .as_u64()
            .unwrap_or_default()
            >= 40,
        "{report}"
    );
}

#[tokio::test]
async fn admin_create_writes_to_the_database_serve_uses() {
    let dir = tempfile::tempdir().unwrap();
    // No database setting at all: both commands use the default SQLite file in the
    // working directory.
    let created = create_admin(dir.path(), "ops@example.com");
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    assert!(dir.path().join("golmok.db").exists());

    let port = free_port();
    let server = Server(
        golmok(dir.path(), &[])
            .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let base = format!("http://127.0.0.1:{port}");
    wait_until_up(&base).await;
    let reply = reqwest::Client::new()
        .post(format!("{base}/v1/auth/login"))
        .json(&json!({"email": "ops@example.com", "password": "operator pass"}))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    let body: Value = reply.json().await.unwrap();
    assert_eq!(body["account"]["role"], "admin");
    drop(server);

    // The same email twice is refused, and says why.
    let again = create_admin(dir.path(), "ops@example.com");
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
}

#[test]
fn a_bad_configuration_value_stops_start_up_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(golmok(
        dir.path(),
        &[("GOLMOK_SERVER__REQUEST_TIMEOUT_SECS", "soon")],
    )
    .arg("serve"));
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("server.request_timeout_secs"), "{stderr}");
    assert!(
        !dir.path().join("golmok.db").exists(),
        "nothing is created on a bad start"
    );

    let config = dir.path().join("bad.toml");
    std::fs::write(&config, "[database]\nurl = \"mysql://nope\"\n").unwrap();
    let out = run(golmok(dir.path(), &[]).args(["--config", config.to_str().unwrap(), "migrate"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("database.url"));
}

#[test]
fn seed_demo_creates_one_account_per_role_once() {
    let dir = tempfile::tempdir().unwrap();
    let first = run(golmok(dir.path(), &[]).args(["seed", "--demo"]));
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let stdout = String::from_utf8_lossy(&first.stdout);
    for role in ["admin", "coordinator", "merchant", "courier", "shopper"] {
        assert!(stdout.contains(&format!("({role})")), "{stdout}");
    }
    let second = run(golmok(dir.path(), &[]).args(["seed", "--demo"]));
    assert!(second.status.success());
    assert!(String::from_utf8_lossy(&second.stdout).contains("already present"));
}

/// SIGTERM stops new work but lets a request already in flight finish: here a login whose
/// body is still arriving when the signal lands gets its answer, then the process exits 0.
#[cfg(unix)]
#[tokio::test]
async fn sigterm_lets_in_flight_requests_finish_then_exits_cleanly() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut server = Server(
        golmok(dir.path(), &[])
            .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_until_up(&format!("http://127.0.0.1:{port}")).await;

    let body = r#"{"email": "nobody@example.com", "password": "whatever"}"#;
    let (first, rest) = body.split_at(10);
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let head = format!(
        "POST /v1/auth/login HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(first.as_bytes()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;

    let signalled = Command::new("kill")
        .args(["-TERM", &server.0.id().to_string()])
        .status()
        .unwrap();
    assert!(signalled.success());
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        server.0.try_wait().unwrap().is_none(),
        "exited with a request in flight"
    );

    stream.write_all(rest.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    assert!(response.starts_with("HTTP/1.1 401"), "{response}");

    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = server.0.try_wait().unwrap() {
            assert!(status.success(), "exit status {status}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "golmok did not stop after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[test]
fn simulate_runs_a_day_on_the_demo_data() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        golmok(dir.path(), &[("GOLMOK_ROUTING__PLAN_BUDGET_SECS", "0.3")])
            .args(["simulate", "--orders", "3"]),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    // Four consortia ride their networks' lunch and evening waves.
    let waves: Vec<&str> = stdout.lines().filter(|l| l.contains("% less")).collect();
    assert_eq!(waves.len(), 8, "{stdout}");
    assert!(waves.iter().all(|l| l.contains("3 orders")), "{stdout}");
}

#[tokio::test]
async fn backup_while_serving_and_restore_only_once_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let created = create_admin(dir.path(), "first@example.com");
    assert!(created.status.success());
    let port = free_port();
    let server = Server(
        golmok(dir.path(), &[])
            .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_until_up(&format!("http://127.0.0.1:{port}")).await;

    let backed_up = run(golmok(dir.path(), &[]).args(["backup", "copy.db"]));
    assert!(
        backed_up.status.success(),
        "{}",
        String::from_utf8_lossy(&backed_up.stderr)
    );
    // An account made after the backup, which the restore will take away.
    let later = create_admin(dir.path(), "later@example.com");
    assert!(later.status.success());

    let refused = run(golmok(dir.path(), &[]).args(["restore", "copy.db"]));
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("stop it before restoring"), "{said}");
    drop(server);

    let restored = run(golmok(dir.path(), &[]).args(["restore", "copy.db"]));
    assert!(
        restored.status.success(),
        "{}",
        String::from_utf8_lossy(&restored.stderr)
    );
    // The restored database has the first account and not the later one.
    let again = create_admin(dir.path(), "later@example.com");
    assert!(again.status.success(), "the later account is gone");
    let first = create_admin(dir.path(), "first@example.com");
    assert!(!first.status.success(), "the first account is back");
}
