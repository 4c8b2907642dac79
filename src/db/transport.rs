//! The socket under every pooled connection: TCP keepalive, and a client-side bound on how long
//! PostgreSQL may stay silent while a request is outstanding.
//!
//! A server that stops answering (a storage stall, a paused or wedged backend, a dead network
//! path that keepalive has not noticed yet) would otherwise hold a request, and its pooled
//! connection, for as long as the stall lasts. The server-side `statement_timeout` cannot help
//! when the server itself is stuck. So the stream watches the wire: from the first byte written
//! until the server's reply ends with `ReadyForQuery`, every gap between received bytes must be
//! shorter than the bound. When it is not, reads fail with `TimedOut`; tokio-postgres then
//! closes the connection, the waiting query fails (a 503 for the client), and the pool discards
//! the connection because it is closed.

use std::io;
use std::path::Path;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
#[cfg(unix)]
use tokio::net::UnixStream;
use tokio::time::{Instant, Sleep};
use tokio_postgres::config::Host;

/// `ReadyForQuery`: type `Z`, length 5, then the transaction status (`I`, `T` or `E`).
/// Every request cycle of the protocol ends with it.
const READY_FOR_QUERY: [u8; 5] = [b'Z', 0, 0, 0, 5];

/// Keepalive probes start after this much idle time and repeat at the interval; after the
/// retries the kernel reports the connection dead (about 60 s in all).
const KEEPALIVE_IDLE: Duration = Duration::from_secs(30);
const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(10);
const KEEPALIVE_RETRIES: u32 = 3;

/// Opens a socket to the first reachable host of `config`, within `timeout`. Returns it with
/// the host's name, which TLS checks the certificate against.
pub async fn connect(
    config: &tokio_postgres::Config,
    timeout: Duration,
) -> io::Result<(Socket, String)> {
    let ports = config.get_ports();
    let hostaddrs = config.get_hostaddrs();
    let mut last_error = io::Error::new(io::ErrorKind::InvalidInput, "no host in DATABASE_URL");
    for (i, host) in config.get_hosts().iter().enumerate() {
        let port = ports
            .get(i)
            .or_else(|| ports.first())
            .copied()
            .unwrap_or(5432);
        let attempt = match (host, hostaddrs.get(i)) {
            (_, Some(ip)) => tcp(TcpStream::connect((*ip, port)), timeout).await,
            (Host::Tcp(name), None) => {
                tcp(TcpStream::connect((name.as_str(), port)), timeout).await
            }
            #[cfg(unix)]
            (Host::Unix(dir), None) => unix(dir, port, timeout).await,
        };
        match attempt {
            Ok(socket) => return Ok((socket, host_name(host))),
            Err(e) => last_error = e,
        }
    }
    Err(last_error)
}

fn host_name(host: &Host) -> String {
    match host {
        Host::Tcp(name) => name.clone(),
        #[cfg(unix)]
        Host::Unix(dir) => dir.display().to_string(),
    }
}

/// What the watched stream (or TLS) runs over: a TCP or a Unix socket. An enum rather than a
/// trait object, so the futures built on it stay `Send` for every lifetime the pool asks about.
pub enum Socket {
    Tcp(TcpStream),
    #[cfg(unix)]
    Unix(UnixStream),
}

impl AsyncRead for Socket {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Tcp(s) => Pin::new(s).poll_read(cx, buf),
            #[cfg(unix)]
            Self::Unix(s) => Pin::new(s).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Socket {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Self::Tcp(s) => Pin::new(s).poll_write(cx, buf),
            #[cfg(unix)]
            Self::Unix(s) => Pin::new(s).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Tcp(s) => Pin::new(s).poll_flush(cx),
            #[cfg(unix)]
            Self::Unix(s) => Pin::new(s).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Tcp(s) => Pin::new(s).poll_shutdown(cx),
            #[cfg(unix)]
            Self::Unix(s) => Pin::new(s).poll_shutdown(cx),
        }
    }
}

async fn tcp(
    connect: impl Future<Output = io::Result<TcpStream>>,
    timeout: Duration,
) -> io::Result<Socket> {
    let stream = tokio::time::timeout(timeout, connect)
        .await
        .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "timed out connecting"))??;
    stream.set_nodelay(true)?;
    let keepalive = socket2::TcpKeepalive::new()
        .with_time(KEEPALIVE_IDLE)
        .with_interval(KEEPALIVE_INTERVAL)
        .with_retries(KEEPALIVE_RETRIES);
    socket2::SockRef::from(&stream).set_tcp_keepalive(&keepalive)?;
    Ok(Socket::Tcp(stream))
}

#[cfg(unix)]
async fn unix(dir: &Path, port: u16, timeout: Duration) -> io::Result<Socket> {
    let path = dir.join(format!(".s.PGSQL.{port}"));
    let stream = tokio::time::timeout(timeout, UnixStream::connect(path))
        .await
        .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "timed out connecting"))??;
    Ok(Socket::Unix(stream))
}

/// A stream that fails its reads once the server has been silent for `bound` while a request
/// is outstanding. Idle connections are never timed out.
pub struct Watched<S> {
    inner: S,
    bound: Option<Duration>,
    /// Set from the first write until the reply ends with `ReadyForQuery`.
    outstanding: bool,
    deadline: Pin<Box<Sleep>>,
    /// The last six bytes received, so a `ReadyForQuery` split across reads is still seen.
    tail: [u8; 6],
}

impl<S> Watched<S> {
    /// `bound` of `None` watches nothing (no statement timeout was configured).
    pub fn new(inner: S, bound: Option<Duration>) -> Self {
        Self {
            inner,
            bound,
            outstanding: false,
            deadline: Box::pin(tokio::time::sleep(Duration::ZERO)),
            tail: [0; 6],
        }
    }

    /// The stream underneath, for TLS to run over (see `db::tls`).
    pub fn into_inner(self) -> S {
        self.inner
    }

    fn extend_deadline(&mut self) {
        if let Some(bound) = self.bound {
            self.deadline.as_mut().reset(Instant::now() + bound);
        }
    }

    fn record_received(&mut self, bytes: &[u8]) {
        let keep = self.tail.len().saturating_sub(bytes.len());
        let mut tail = [0u8; 6];
        tail[..keep].copy_from_slice(&self.tail[self.tail.len() - keep..]);
        let take = bytes.len().min(self.tail.len());
        tail[keep..].copy_from_slice(&bytes[bytes.len() - take..]);
        self.tail = tail;
        if self.tail[..5] == READY_FOR_QUERY && matches!(self.tail[5], b'I' | b'T' | b'E') {
            self.outstanding = false;
        } else {
            self.extend_deadline();
        }
    }

    /// Registers the deadline with the task and tells whether it has passed.
    fn expired(&mut self, cx: &mut Context<'_>) -> bool {
        self.outstanding && self.bound.is_some() && self.deadline.as_mut().poll(cx).is_ready()
    }

    fn silence_error(&self) -> io::Error {
        let ms = self.bound.map(|b| b.as_millis()).unwrap_or_default();
        io::Error::new(
            io::ErrorKind::TimedOut,
            format!("PostgreSQL sent nothing for {ms} ms while a request was outstanding"),
        )
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Watched<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        let before = buf.filled().len();
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                let received = &buf.filled()[before..];
                if !received.is_empty() && this.outstanding {
                    this.record_received(received);
                }
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending if this.expired(cx) => Poll::Ready(Err(this.silence_error())),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Watched<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        let written = Pin::new(&mut this.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = written
            && n > 0
            && !this.outstanding
        {
            this.outstanding = true;
            this.tail = [0; 6];
            this.extend_deadline();
            // The connection task polls reads and writes alike, so registering the timer here
            // wakes it when the bound passes even if no read is polled in between.
            let _ = this.expired(cx);
        }
        written
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Over TLS the watched stream is the TLS stream, so channel binding comes from there.
impl<S: tokio_postgres::tls::TlsStream + Unpin> tokio_postgres::tls::TlsStream for Watched<S> {
    fn channel_binding(&self) -> tokio_postgres::tls::ChannelBinding {
        self.inner.channel_binding()
    }
}

#[cfg(test)]
mod tests {

    use super::*;

    #[tokio::test]
    async fn ready_for_query_split_across_reads_ends_the_request() {
        let mut watched = Watched::new(tokio::io::empty(), Some(Duration::from_secs(1)));
        watched.outstanding = true;
        watched.record_received(b"...data...Z\0\0");
        assert!(watched.outstanding);
        watched.record_received(b"\0\x05I");
        assert!(!watched.outstanding);
    }

    #[tokio::test]
    async fn a_reply_without_ready_for_query_keeps_the_request_outstanding() {
        let mut watched = Watched::new(tokio::io::empty(), Some(Duration::from_secs(1)));
        watched.outstanding = true;
        watched.record_received(b"T\0\0\0\x20row description");
        assert!(watched.outstanding);
        watched.record_received(b"Z\0\0\0\x05T");
        assert!(!watched.outstanding);
    }
}
