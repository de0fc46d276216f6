//! Database connection: SQLite (WAL, busy timeout, foreign keys) or PostgreSQL.

use std::time::Duration;

use anyhow::Context;
use migrations::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection};

pub async fn connect(url: &str, max_connections: u32) -> anyhow::Result<DatabaseConnection> {
    // Each SQLite connection keeps its own page cache and thread; a few
    // serve two cores well (writes serialise on the file anyway).
    let max_connections = if url.starts_with("sqlite:") {
        max_connections.min(6)
    } else {
        max_connections
    };
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(max_connections)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(5))
        // A full pool waits this long, then the request gets a 503.
        .acquire_timeout(Duration::from_secs(5))
        .idle_timeout(Duration::from_secs(300))
        .test_before_acquire(false)
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|opts| {
            opts.journal_mode(SqliteJournalMode::Wal)
                // WAL + NORMAL: a committed transaction survives a process crash.
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
        });
    Database::connect(options)
        .await
        .with_context(|| format!("connecting to the database at {}", redact_url(url)))
}

pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    Migrator::up(db, None)
        .await
        .context("applying database migrations")
}

/// A database URL for messages: the password, if any, is hidden.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}{}:***{}", &url[..scheme_end + 3], user, &url[at..])
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_hidden() {
        assert_eq!(
            super::redact_url("postgres://u:secret@host/db"),
            "postgres://u:***@host/db"
        );
        assert_eq!(super::redact_url("sqlite://x.db"), "sqlite://x.db");
    }
}
