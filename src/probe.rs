//! `hoithao probe`: a container health check for images without curl. One HTTP/1.1 GET to the
//! local server over a plain socket, with short timeouts; success is a 2xx status.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Duration;

/// Connect, send and receive must each finish within this.
const TIMEOUT: Duration = Duration::from_secs(3);

/// Where to probe: `http://host:port/path`, nothing else (no TLS: the probe runs beside the
/// server, in front of any proxy).
#[derive(Debug, PartialEq, Eq)]
pub struct ProbeUrl {
    pub host: String,
    pub port: u16,
    pub path: String,
}

impl ProbeUrl {
    pub fn parse(url: &str) -> Result<Self, String> {
        let rest = url
            .strip_prefix("http://")
            .ok_or_else(|| format!("--url `{url}` must start with http://"))?;
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        let (host, port) = match authority.rsplit_once(':') {
            Some((host, port)) if !port.contains(']') => (
                host,
                port.parse::<u16>()
                    .map_err(|_| format!("--url `{url}` has an invalid port"))?,
            ),
            _ => (authority, 80),
        };
        if host.is_empty() {
            return Err(format!("--url `{url}` has no host"));
        }
        Ok(Self {
            host: host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_owned(),
            port,
            path: path.to_owned(),
        })
    }

    /// The URL of the server listening on `listen`: a wildcard address is reached on loopback.
    pub fn local(listen: SocketAddr, ready: bool) -> Self {
        let host = match listen {
            SocketAddr::V4(a) if a.ip().is_unspecified() => "127.0.0.1".to_owned(),
            SocketAddr::V6(a) if a.ip().is_unspecified() => "::1".to_owned(),
            other => other.ip().to_string(),
        };
        Self {
            host,
            port: listen.port(),
            path: if ready { "/readyz" } else { "/healthz" }.to_owned(),
        }
    }
}

/// Sends the GET; `Ok` with the status line when the status is 2xx, else one line saying why.
pub fn probe(url: &ProbeUrl) -> Result<String, String> {
    let target = format!("{}:{}{}", url.host, url.port, url.path);
    let addresses: Vec<SocketAddr> = (url.host.as_str(), url.port)
        .to_socket_addrs()
        .map_err(|e| format!("{target}: cannot resolve: {e}"))?
        .collect();
    let address = addresses
        .first()
        .ok_or_else(|| format!("{target}: no address"))?;
    let mut stream = TcpStream::connect_timeout(address, TIMEOUT)
        .map_err(|e| format!("{target}: cannot connect: {e}"))?;
    stream
        .set_read_timeout(Some(TIMEOUT))
        .and_then(|()| stream.set_write_timeout(Some(TIMEOUT)))
        .map_err(|e| format!("{target}: {e}"))?;
    let host_header = if url.host.contains(':') {
        format!("[{}]:{}", url.host, url.port)
    } else {
        format!("{}:{}", url.host, url.port)
    };
    let request = format!(
        "GET {} HTTP/1.1\r\nHost: {host_header}\r\nUser-Agent: hoithao-probe\r\nConnection: close\r\n\r\n",
        url.path
    );
    stream
        .write_all(request.as_bytes())
        .map_err(|e| format!("{target}: cannot send: {e}"))?;
    // The status line is all we need; it comes first and is short.
    let mut head = Vec::new();
    let mut buf = [0u8; 512];
    while !head.contains(&b'\n') && head.len() < 4096 {
        let n = stream
            .read(&mut buf)
            .map_err(|e| format!("{target}: no answer: {e}"))?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
    }
    let status_line = String::from_utf8_lossy(&head)
        .lines()
        .next()
        .unwrap_or_default()
        .trim()
        .to_owned();
    let code = status_line
        .strip_prefix("HTTP/1.")
        .and_then(|rest| rest.get(2..5))
        .and_then(|code| code.parse::<u16>().ok())
        .ok_or_else(|| format!("{target}: not an HTTP answer"))?;
    if (200..300).contains(&code) {
        Ok(format!("{target}: {status_line}"))
    } else {
        Err(format!("{target}: {status_line}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_read_with_and_without_port_and_path() {
        assert_eq!(
            ProbeUrl::parse("http://127.0.0.1:8080/readyz"),
            Ok(ProbeUrl {
                host: "127.0.0.1".into(),
                port: 8080,
                path: "/readyz".into()
            })
        );
        assert_eq!(
            ProbeUrl::parse("http://[::1]:9000"),
            Ok(ProbeUrl {
                host: "::1".into(),
                port: 9000,
                path: "/".into()
            })
        );
        assert!(ProbeUrl::parse("https://x/healthz").is_err());
    }

    #[test]
    fn a_wildcard_listen_address_is_probed_on_loopback() {
        let url = ProbeUrl::local(
            "0.0.0.0:8080".parse().unwrap_or_else(|e| panic!("{e}")),
            true,
        );
        assert_eq!(url.host, "127.0.0.1");
        assert_eq!(url.path, "/readyz");
    }
}
