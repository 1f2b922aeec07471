use anyhow::Context;
use golmok_migrations::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::SqliteSynchronous;
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseBackend, DatabaseConnection};

use crate::config::{DatabaseSettings, SqliteSync};

/// Opens the configured database; a SQLite file is created if missing. Migrates it when
/// `database.migrate_on_start` is set.
pub async fn connect(settings: &DatabaseSettings) -> anyhow::Result<DatabaseConnection> {
    let mut options = ConnectOptions::new(settings.url.clone());
    let sync = match settings.sqlite_sync {
        SqliteSync::Full => SqliteSynchronous::Full,
        SqliteSync::Normal => SqliteSynchronous::Normal,
    };
    options
        .max_connections(settings.max_connections)
        .sqlx_logging(false)
        // A ping on every acquire is a round trip per use case (per read outside one): only
        // a connection idle long enough for a proxy or the server to have dropped it is
        // checked before use.
        .test_before_acquire_if_idle_for(std::time::Duration::from_secs(30))
        .map_sqlx_sqlite_opts(move |o| o.synchronous(sync));
    let db = Database::connect(options)
        .await
        .with_context(|| format!("connecting to the database at {}", redact(&settings.url)))?;
    if db.get_database_backend() == DatabaseBackend::Sqlite {
        // WAL lets readers work while a writer commits; the setting lives in the file.
        db.execute_unprepared("PRAGMA journal_mode = WAL")
            .await
            .context("switching SQLite to WAL")?;
    }
    if settings.migrate_on_start {
        migrate(&db).await?;
    }
    Ok(db)
}

pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    Migrator::up(db, None)
        .await
        .context("migrating the database")
}

/// The URL without its password, for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_never_reach_the_logs() {
        assert_eq!(
            redact("postgres://golmok:secret@db:5432/golmok"),
            "postgres://golmok:***@db:5432/golmok"
        );
        assert_eq!(
            redact("sqlite://golmok.db?mode=rwc"),
            "sqlite://golmok.db?mode=rwc"
        );
        assert_eq!(
            redact("postgres://golmok@db/golmok"),
            "postgres://golmok@db/golmok"
        );
    }
}
