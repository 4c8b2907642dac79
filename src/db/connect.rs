//! One PostgreSQL session, opened the same way for the pool, the migrations and the bootstrap:
//! our own socket (`transport`), TLS as `sslmode` asks (`tls`), and the silence watch.

use std::error::Error as _;
use std::time::Duration;

use tokio_postgres::Client;

use super::target::DbTarget;
use super::tls::{TlsHandshakeError, WatchedTls};
use super::transport::{self, Watched};

/// Why a session could not be opened.
#[derive(Debug)]
pub enum OpenError {
    /// No host answered on TCP (or the Unix socket).
    Unreachable(std::io::Error),
    /// The whole connect (TCP, TLS, startup, authentication) took longer than the timeout.
    TimedOut(Duration),
    /// The TLS handshake failed: most often a certificate that does not verify.
    Tls(String),
    /// PostgreSQL refused: authentication, a missing database, `pg_hba.conf`.
    Refused(tokio_postgres::Error),
}

impl OpenError {
    pub fn is_missing_database(&self) -> bool {
        matches!(self, Self::Refused(e)
            if e.code() == Some(&tokio_postgres::error::SqlState::INVALID_CATALOG_NAME))
    }

    /// One line; names the setting to look at, never the password.
    pub fn describe(&self, target: &DbTarget) -> String {
        match self {
            Self::Unreachable(e) => format!("cannot reach PostgreSQL: {e}"),
            Self::TimedOut(timeout) => {
                format!(
                    "no answer from PostgreSQL within {} ms",
                    timeout.as_millis()
                )
            }
            Self::Tls(reason) => format!(
                "TLS to PostgreSQL failed under DATABASE_URL sslmode={}: {reason}; check sslmode and sslrootcert",
                target.ssl_mode.name()
            ),
            Self::Refused(e) => one_line(e),
        }
    }
}

/// Opens a session to `target` (with `config`, which may name another database) and spawns the
/// task that drives it. `bound` is the silence bound of the watched stream.
pub async fn open(
    target: &DbTarget,
    config: &tokio_postgres::Config,
    timeout: Duration,
    bound: Option<Duration>,
) -> Result<Client, OpenError> {
    let attempt = async {
        let (socket, host) = transport::connect(config, timeout)
            .await
            .map_err(OpenError::Unreachable)?;
        let stream: Watched<transport::Socket> = Watched::new(socket, bound);
        match &target.tls {
            Some(tls) => {
                let connector = WatchedTls::new(tls.clone(), &host, bound);
                let (client, connection) = config
                    .connect_raw(stream, connector)
                    .await
                    .map_err(classify)?;
                tokio::spawn(drive(connection));
                Ok(client)
            }
            None => {
                let (client, connection) = config
                    .connect_raw(stream, tokio_postgres::NoTls)
                    .await
                    .map_err(classify)?;
                tokio::spawn(drive(connection));
                Ok(client)
            }
        }
    };
    tokio::time::timeout(timeout, attempt)
        .await
        .map_err(|_| OpenError::TimedOut(timeout))?
}

/// The connection task ends when the socket closes; the client then reports itself closed and
/// the pool discards it.
async fn drive(connection: impl Future<Output = Result<(), tokio_postgres::Error>>) {
    if let Err(e) = connection.await {
        tracing::warn!(cause = %e, "database connection lost");
    }
}

fn classify(error: tokio_postgres::Error) -> OpenError {
    if let Some(tls) = error
        .source()
        .and_then(|s| s.downcast_ref::<TlsHandshakeError>())
    {
        return OpenError::Tls(tls.to_string().replace('\n', " "));
    }
    OpenError::Refused(error)
}

pub fn one_line(error: &tokio_postgres::Error) -> String {
    let mut text = error.to_string();
    if let Some(source) = error.source() {
        text = format!("{text}: {source}");
    }
    text.replace('\n', " ")
}
