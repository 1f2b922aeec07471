//! Real `golmok` processes for the scale-out tests and the load benchmark: API replicas and
//! workers started from the binary Cargo built beside them, and a Redis of their own.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::StatusCode;

/// The `golmok` binary Cargo built for this workspace: beside this executable (a binary in
/// target/<profile>) or one level up (a test in target/<profile>/deps).
pub fn golmok_binary() -> std::path::PathBuf {
    let exe = std::env::current_exe().expect("this executable's path");
    let bin = exe
        .ancestors()
        .skip(1)
        .take(2)
        .map(|dir| dir.join("golmok"))
        .find(|bin| bin.exists());
    bin.unwrap_or_else(|| {
        panic!(
            "no golmok binary near {}: build it with `cargo build --bin golmok` (the README's test command does)",
            exe.display()
        )
    })
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A child process killed when the test ends, however it ends.
pub struct Process(pub Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Process {
    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.0.id().to_string())
            .status()
            .unwrap();
        assert!(status.success(), "kill -{signal}");
    }
}

pub struct Redis {
    _process: Process,
    pub port: u16,
}

impl Redis {
    pub fn start_on(port: u16) -> Process {
        let child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server (Debian's redis-server package) to start");
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "redis-server did not listen on {port}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Process(child)
    }

    pub fn start() -> Self {
        let port = free_port();
        Self {
            _process: Self::start_on(port),
            port,
        }
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    pub async fn conn(&self) -> redis::aio::MultiplexedConnection {
        redis::Client::open(self.url())
            .unwrap()
            .get_multiplexed_async_connection()
            .await
            .unwrap()
    }
}

/// Runs `golmok` with `args` against the database and Redis; env overrides on top.
pub fn golmok(args: &[&str], database: &str, redis: &str, env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(golmok_binary());
    command
        .args(args)
        .env("GOLMOK_DATABASE__URL", database)
        .env("GOLMOK_REDIS__URL", redis)
        .env("GOLMOK_LOG__FILTER", "warn")
        .stdout(Stdio::null());
    for (k, v) in env {
        command.env(k, v);
    }
    command
}

pub struct Replica {
    _process: Process,
    pub base: String,
}

pub async fn replica(database: &str, redis: &str, env: &[(&str, &str)]) -> Replica {
    replica_with(database, redis, env, &[]).await
}

/// A replica started with `golmok serve --bind … {extra}` (`--with-worker`, say).
pub async fn replica_with(
    database: &str,
    redis: &str,
    env: &[(&str, &str)],
    extra: &[&str],
) -> Replica {
    let port = free_port();
    let bind = format!("127.0.0.1:{port}");
    let log =
        std::fs::File::create(std::env::temp_dir().join(format!("golmok-replica-{port}.log")))
            .unwrap();
    let mut args = vec!["serve", "--bind", &bind];
    args.extend_from_slice(extra);
    let child = golmok(&args, database, redis, env)
        .env(
            "GOLMOK_LOG__FILTER",
            "info,sqlx=warn,sea_orm=warn,tower_http=warn",
        )
        .env("NO_COLOR", "1")
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap();
    let process = Process(child);
    let base = format!("http://{bind}");
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(r) = client.get(format!("{base}/readyz")).send().await
            && r.status() == StatusCode::OK
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "replica on {bind} never became ready"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Replica {
        _process: process,
        base,
    }
}
