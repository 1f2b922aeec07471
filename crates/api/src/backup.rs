//! Backups of the embedded default (a SQLite file): `golmok backup FILE` while the server runs,
//! and `golmok restore FILE`, which refuses while any server or worker has the database open.
//!
//! The copy is SQLite's `VACUUM INTO`: it reads the database in one read transaction, so the
//! file it writes is one consistent moment (every committed checkout whole, none half), while
//! the server goes on writing in WAL mode. PostgreSQL is backed up with its own tools
//! (`pg_dump`, or base backups with WAL archiving); see README.
//!
//! Who has the database open is told by an advisory lock on `<database>.lock`: every
//! `serve` and `worker` holds it shared for as long as it runs; `restore` needs it alone.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection};

/// The file of a `sqlite:` URL (`sqlite://golmok.db?mode=rwc`, `sqlite:data/golmok.db`);
/// `None` for other databases and for in-memory SQLite.
pub fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

/// Held by a running server or worker: while any holds it, the database is not replaced.
#[derive(Debug)]
pub struct InUse {
    /// The locked file: the lock lasts as long as it is open.
    _lock: Option<File>,
}

fn lock_file(database: &Path) -> anyhow::Result<File> {
    let mut name = database.as_os_str().to_owned();
    name.push(".lock");
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(PathBuf::from(&name))
        .with_context(|| format!("opening {}", PathBuf::from(name).display()))
}

/// Marks the configured database in use for as long as the returned value lives. Nothing to
/// hold for PostgreSQL.
pub fn in_use(url: &str) -> anyhow::Result<InUse> {
    let Some(database) = sqlite_file(url) else {
        return Ok(InUse { _lock: None });
    };
    let file = lock_file(&database)?;
    match file.try_lock_shared() {
        Ok(()) => Ok(InUse { _lock: Some(file) }),
        Err(TryLockError::WouldBlock) => bail!(
            "{} is being restored; start again once the restore has finished",
            database.display()
        ),
        Err(TryLockError::Error(e)) => Err(e).context("locking the database file"),
    }
}

/// Writes a consistent copy of the running database to `to`, which must not exist yet.
pub async fn backup(db: &DatabaseConnection, to: &Path) -> anyhow::Result<()> {
    if db.get_database_backend() != DatabaseBackend::Sqlite {
        bail!(
            "`golmok backup` copies the embedded SQLite database; back PostgreSQL up with pg_dump (see README)"
        );
    }
    if to.exists() {
        bail!("{} exists already; choose a new file", to.display());
    }
    let target = to.to_str().context("the backup path is not UTF-8")?;
    // A string literal in SQL: single quotes doubled.
    let sql = format!("VACUUM INTO '{}'", target.replace('\'', "''"));
    db.execute_unprepared(&sql)
        .await
        .with_context(|| format!("writing the backup to {}", to.display()))?;
    Ok(())
}

/// Replaces the configured SQLite database with the backup `from`, unless a server or worker
/// has it open.
pub fn restore(url: &str, from: &Path) -> anyhow::Result<()> {
    let Some(database) = sqlite_file(url) else {
        bail!(
            "`golmok restore` replaces the embedded SQLite database; restore PostgreSQL with pg_restore (see README)"
        );
    };
    let mut header = [0u8; 16];
    File::open(from)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut header))
        .with_context(|| format!("reading {}", from.display()))?;
    if &header != b"SQLite format 3\0" {
        bail!("{} is not a SQLite database", from.display());
    }
    let lock = lock_file(&database)?;
    match lock.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => bail!(
            "a golmok server or worker is running on {}; stop it before restoring",
            database.display()
        ),
        Err(TryLockError::Error(e)) => return Err(e).context("locking the database file"),
    }
    let mut staging = database.as_os_str().to_owned();
    staging.push(".restoring");
    let staging = PathBuf::from(staging);
    std::fs::copy(from, &staging)
        .with_context(|| format!("copying {} beside the database", from.display()))?;
    // A write-ahead log left by the replaced database would be replayed into the restored one.
    for suffix in ["-wal", "-shm"] {
        let mut side = database.as_os_str().to_owned();
        side.push(suffix);
        match std::fs::remove_file(PathBuf::from(side)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).context("removing the old write-ahead log"),
        }
    }
    std::fs::rename(&staging, &database)
        .with_context(|| format!("replacing {}", database.display()))?;
    drop(lock);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_of_a_sqlite_url() {
        assert_eq!(
            sqlite_file("sqlite://golmok.db?mode=rwc"),
            Some(PathBuf::from("golmok.db"))
        );
        assert_eq!(
            sqlite_file("sqlite:///var/lib/golmok/golmok.db"),
            Some(PathBuf::from("/var/lib/golmok/golmok.db"))
        );
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://db/golmok"), None);
    }

    #[test]
    fn a_restore_waits_for_every_server_to_stop() {
        let dir = tempfile::tempdir().unwrap();
        let database = dir.path().join("golmok.db");
        let url = format!("sqlite://{}?mode=rwc", database.display());
        let backup = dir.path().join("backup.db");
        std::fs::write(&backup, b"SQLite format 3\0rest of a database").unwrap();
        std::fs::write(&database, b"SQLite format 3\0the live one").unwrap();

        let server = in_use(&url).unwrap();
        let refused = restore(&url, &backup).unwrap_err().to_string();
        assert!(refused.contains("stop it before restoring"), "{refused}");
        assert_eq!(
            std::fs::read(&database).unwrap(),
            b"SQLite format 3\0the live one"
        );

        drop(server);
        restore(&url, &backup).unwrap();
        assert_eq!(
            std::fs::read(&database).unwrap(),
            b"SQLite format 3\0rest of a database"
        );
        let not_sqlite = dir.path().join("notes.txt");
        std::fs::write(&not_sqlite, b"hello, this is not a database").unwrap();
        assert!(restore(&url, &not_sqlite).is_err());
    }
}
