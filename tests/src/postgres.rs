//! PostgreSQL for tests: one server per machine (shared by every test process), one fresh
//! database per test, cloned from a template migrated once per set of migrations.
//!
//! The server is `GOLMOK_TEST_POSTGRES_URL` when set. Otherwise this starts a throwaway
//! cluster under the temporary directory with Debian's `postgresql` binaries (as the
//! `postgres` user when running as root, since PostgreSQL refuses root), on a free port.
//! Test processes share it through a lock file and keep a lease file fresh while they live;
//! a reaper stops the cluster and deletes its directory once the lease has gone a minute
//! without a touch, so nothing is left behind after the suite.

use std::fs::{self, File, OpenOptions};
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use golmok_migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, Statement};

const URL_VAR: &str = "GOLMOK_TEST_POSTGRES_URL";
const IDLE_SECONDS: u64 = 60;
const TEMPLATE_LOCK: i64 = 0x676f_6c6d_6f6b; // "golmok"

/// A new, migrated, empty database; returns its URL.
pub async fn fresh_database() -> String {
    let server = server_url();
    let admin = connect(&server).await;
    let template = ensure_template(&server, &admin).await;
    let name = format!("golmok_test_{}", uuid::Uuid::new_v4().simple());
    execute(
        &admin,
        &format!("CREATE DATABASE {name} TEMPLATE {template}"),
    )
    .await;
    let _ = admin.close().await;
    with_database(&server, &name)
}

async fn connect(url: &str) -> DatabaseConnection {
    let mut options = ConnectOptions::new(url.to_owned());
    options.max_connections(1).sqlx_logging(false);
    Database::connect(options)
        .await
        .unwrap_or_else(|e| panic!("connecting to test PostgreSQL at {url}: {e}"))
}

async fn execute(db: &DatabaseConnection, sql: &str) {
    db.execute_unprepared(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// The template is named after the migrations' source (hashed by this crate's build script),
/// so a server that outlives a change of schema never hands out a stale one.
async fn ensure_template(server: &str, admin: &DatabaseConnection) -> String {
    let template = format!("golmok_template_{}", env!("GOLMOK_MIGRATIONS_HASH"));
    execute(admin, &format!("SELECT pg_advisory_lock({TEMPLATE_LOCK})")).await;
    let exists = admin
        .query_one_raw(Statement::from_string(
            admin.get_database_backend(),
            format!("SELECT 1 FROM pg_database WHERE datname = '{template}'"),
        ))
        .await
        .expect("listing databases")
        .is_some();
    if !exists {
        // Built under another name and renamed, so no test ever clones a half-migrated one.
        let building = format!("{template}_building");
        execute(admin, &format!("DROP DATABASE IF EXISTS {building}")).await;
        execute(admin, &format!("CREATE DATABASE {building}")).await;
        let db = connect(&with_database(server, &building)).await;
        Migrator::up(&db, None)
            .await
            .expect("migrating the template database");
        let _ = db.close().await;
        execute(
            admin,
            &format!("ALTER DATABASE {building} RENAME TO {template}"),
        )
        .await;
    }
    execute(
        admin,
        &format!("SELECT pg_advisory_unlock({TEMPLATE_LOCK})"),
    )
    .await;
    template
}

fn with_database(server: &str, name: &str) -> String {
    let (base, query) = match server.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (server, String::new()),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    format!("{base}/{name}{query}")
}

fn server_url() -> String {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| match std::env::var(URL_VAR) {
        Ok(url) if !url.is_empty() => url,
        _ => throwaway_cluster(),
    })
    .clone()
}

fn throwaway_cluster() -> String {
    let bin = find_bin_dir();
    let home = std::env::temp_dir().join(format!("golmok-test-pg-{}", workspace_tag()));
    fs::create_dir_all(&home).expect("creating the test PostgreSQL directory");
    let lock = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(home.join("lock"))
        .expect("opening the cluster lock");
    lock.lock().expect("locking the cluster");
    touch(&home.join("lease"));
    let port = match running_port(&home) {
        Some(port) => port,
        None => start_cluster(&bin, &home),
    };
    lock.unlock().expect("unlocking the cluster");
    keep_lease_fresh(home.join("lease"));
    format!("postgres://postgres@127.0.0.1:{port}/postgres")
}

fn workspace_tag() -> String {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    env!("CARGO_MANIFEST_DIR").hash(&mut hasher);
    format!("{:012x}", hasher.finish() & 0xffff_ffff_ffff)
}

fn find_bin_dir() -> PathBuf {
    let mut candidates: Vec<PathBuf> = fs::read_dir("/usr/lib/postgresql")
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.path().join("bin"))
                .collect()
        })
        .unwrap_or_default();
    candidates.sort();
    candidates
        .into_iter()
        .rev()
        .find(|dir| dir.join("initdb").exists() && dir.join("pg_ctl").exists())
        .unwrap_or_else(|| {
            panic!(
                "PostgreSQL is needed for these tests and was not found under /usr/lib/postgresql. \
                 Install it (as root: apt-get install -y postgresql) or point {URL_VAR} at a \
                 server whose role may create databases."
            )
        })
}

fn running_port(home: &Path) -> Option<u16> {
    let port: u16 = fs::read_to_string(home.join("port"))
        .ok()?
        .trim()
        .parse()
        .ok()?;
    TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_secs(1))
        .ok()
        .map(|_| port)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// A command run as the owner of the cluster: `postgres` when we are root.
fn as_owner(program: &Path) -> Command {
    if is_root() {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

fn run(mut command: Command, what: &str) {
    let output = command
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        output.status.success(),
        "{what} failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn start_cluster(bin: &Path, home: &Path) -> u16 {
    let data = home.join("data");
    let _ = fs::remove_dir_all(&data);
    fs::create_dir_all(&data).expect("creating the data directory");
    if is_root() {
        run(
            {
                let mut c = Command::new("chown");
                c.args(["-R", "postgres:postgres"]).arg(&data);
                c
            },
            "chown of the test cluster",
        );
    }
    let mut initdb = as_owner(&bin.join("initdb"));
    initdb.arg("-D").arg(&data).args([
        "-U",
        "postgres",
        "-A",
        "trust",
        "-E",
        "UTF8",
        "--locale=C",
        "--no-sync",
    ]);
    run(initdb, "initdb");

    let port = free_port();
    let options = format!(
        "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off \
         -c full_page_writes=off -c max_connections=300",
        data.display()
    );
    let mut pg_ctl = as_owner(&bin.join("pg_ctl"));
    pg_ctl
        .arg("-D")
        .arg(&data)
        .arg("-l")
        .arg(data.join("server.log"))
        .args(["-o", &options, "-w", "start"]);
    run(pg_ctl, "starting the test PostgreSQL");
    fs::write(home.join("port"), port.to_string()).expect("recording the port");
    spawn_reaper(bin, home);
    port
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Stops the cluster once no test process has renewed the lease for a while. It takes the
/// same lock as a joining process, so it never stops a cluster someone just joined.
fn spawn_reaper(bin: &Path, home: &Path) {
    let stop = if is_root() {
        format!("runuser -u postgres -- {}/pg_ctl", bin.display())
    } else {
        format!("{}/pg_ctl", bin.display())
    };
    let script = format!(
        r#"cd "{home}" || exit 0
while :; do
  sleep 5
  exec 9>lock
  flock 9
  age=$(( $(date +%s) - $(stat -c %Y lease 2>/dev/null || echo 0) ))
  if [ "$age" -ge {IDLE_SECONDS} ]; then
    {stop} -D data -m immediate stop >/dev/null 2>&1
    rm -rf data port lease
    exit 0
  fi
  exec 9>&-
done"#,
        home = home.display()
    );
    // Started through a shell that backgrounds it and exits at once, so the reaper is
    // nobody's child and outlives this test process.
    let status = Command::new("sh")
        .args([
            "-c",
            r#"setsid sh -c "$0" </dev/null >/dev/null 2>&1 &"#,
            &script,
        ])
        .stdin(Stdio::null())
        .status()
        .expect("starting the cluster reaper");
    assert!(status.success(), "starting the cluster reaper: {status}");
}

fn touch(path: &Path) {
    let _ = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .and_then(|mut f| {
            f.write_all(b"")?;
            f.set_modified(SystemTime::now())
        });
}

fn keep_lease_fresh(lease: PathBuf) {
    static STARTED: OnceLock<()> = OnceLock::new();
    STARTED.get_or_init(|| {
        std::thread::spawn(move || {
            loop {
                touch(&lease);
                std::thread::sleep(Duration::from_secs(5));
            }
        });
    });
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn database_urls_swap_only_the_database() {
        assert_eq!(
            with_database("postgres://u:p@h:5/postgres", "t1"),
            "postgres://u:p@h:5/t1"
        );
        assert_eq!(
            with_database("postgres://u@h:5", "t1"),
            "postgres://u@h:5/t1"
        );
        assert_eq!(
            with_database("postgres://u@h/db?sslmode=disable", "t1"),
            "postgres://u@h/t1?sslmode=disable"
        );
    }
}
