//! What `DATABASE_URL` names: the tokio-postgres configuration plus the TLS settings that
//! tokio-postgres does not understand (`sslmode=verify-ca|verify-full`, `sslrootcert`).
//!
//! Both forms libpq accepts are read: the URL (`postgres://u@h/db?sslmode=verify-full`) and
//! key=value pairs (`host=h dbname=db sslmode=verify-full`). `sslmode` and `sslrootcert` are
//! taken out before the rest is handed to tokio-postgres, which would refuse the values it does
//! not know; the TLS mode is then set on its configuration explicitly.

use std::sync::Arc;

use rustls::ClientConfig;
use tokio_postgres::config::SslMode as WireSslMode;

use super::tls;

/// libpq's `sslmode` values, with libpq's meaning.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SslMode {
    /// Plain TCP only.
    Disable,
    /// TLS when the server offers it, without checking its certificate; plain otherwise.
    /// libpq's default, and ours when `sslmode` is absent.
    Prefer,
    /// TLS always; the certificate is not checked (unless `sslrootcert` is given, which makes
    /// it `verify-ca`, as in libpq).
    Require,
    /// TLS; the certificate chain must lead to a trusted root. The host name is not checked.
    VerifyCa,
    /// TLS; chain and host name checked.
    VerifyFull,
}

impl SslMode {
    const NAMES: &[(&str, SslMode)] = &[
        ("disable", SslMode::Disable),
        ("prefer", SslMode::Prefer),
        ("require", SslMode::Require),
        ("verify-ca", SslMode::VerifyCa),
        ("verify-full", SslMode::VerifyFull),
    ];

    pub fn parse(value: &str) -> Result<Self, String> {
        Self::NAMES
            .iter()
            .find(|(name, _)| *name == value)
            .map(|(_, mode)| *mode)
            .ok_or_else(|| {
                format!(
                    "DATABASE_URL: sslmode `{value}` is not one of disable, prefer, require, verify-ca, verify-full"
                )
            })
    }

    pub fn name(self) -> &'static str {
        Self::NAMES
            .iter()
            .find(|(_, mode)| *mode == self)
            .map(|(name, _)| *name)
            .unwrap_or("prefer")
    }
}

/// A parsed `DATABASE_URL`, with its TLS client configuration built (roots loaded) once.
#[derive(Clone)]
pub struct DbTarget {
    pub config: tokio_postgres::Config,
    pub ssl_mode: SslMode,
    /// `None` for `disable`.
    pub tls: Option<Arc<ClientConfig>>,
}

impl std::fmt::Debug for DbTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The configuration holds the password.
        write!(f, "DbTarget(sslmode={})", self.ssl_mode.name())
    }
}

impl DbTarget {
    /// Parses the URL and loads the certificates it needs. Every error is one line naming the
    /// setting at fault, never the password.
    pub fn parse(url: &str) -> Result<Self, String> {
        let (rest, ssl) = split_tls_params(url);
        let mut config: tokio_postgres::Config = rest
            .parse()
            .map_err(|e| format!("DATABASE_URL is not a valid PostgreSQL URL: {e}"))?;
        let requested = ssl
            .mode
            .as_deref()
            .map(SslMode::parse)
            .transpose()?
            .unwrap_or(SslMode::Prefer);
        // libpq: "if a root CA file exists, sslmode=require behaves like verify-ca".
        let ssl_mode = match (requested, &ssl.root_cert) {
            (SslMode::Require, Some(_)) => SslMode::VerifyCa,
            (mode, _) => mode,
        };
        config.ssl_mode(match ssl_mode {
            SslMode::Disable => WireSslMode::Disable,
            SslMode::Prefer => WireSslMode::Prefer,
            SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => WireSslMode::Require,
        });
        let tls = match ssl_mode {
            SslMode::Disable => None,
            SslMode::Prefer | SslMode::Require => Some(tls::unverified_config()?),
            SslMode::VerifyCa | SslMode::VerifyFull => {
                let roots = tls::load_roots(ssl.root_cert.as_deref())?;
                Some(tls::verifying_config(
                    roots,
                    ssl_mode == SslMode::VerifyFull,
                )?)
            }
        };
        Ok(Self {
            config,
            ssl_mode,
            tls: tls.map(Arc::new),
        })
    }
}

#[derive(Debug, Default, PartialEq, Eq)]
struct TlsParams {
    mode: Option<String>,
    root_cert: Option<String>,
}

impl TlsParams {
    /// Keeps `sslmode`/`sslrootcert`; tells whether the pair was one of them.
    fn take(&mut self, key: &str, value: String) -> bool {
        match key {
            "sslmode" => self.mode = Some(value),
            "sslrootcert" => self.root_cert = Some(value),
            _ => return false,
        }
        true
    }
}

/// The URL without `sslmode` and `sslrootcert`, as tokio-postgres can parse it.
pub fn without_tls_params(url: &str) -> String {
    split_tls_params(url).0
}

/// Splits `sslmode` and `sslrootcert` off the URL (either form); returns the rest unchanged.
fn split_tls_params(url: &str) -> (String, TlsParams) {
    let mut params = TlsParams::default();
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let Some((base, query)) = url.split_once('?') else {
            return (url.to_owned(), params);
        };
        let kept: Vec<&str> = query
            .split('&')
            .filter(|pair| {
                let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                !params.take(key, percent_decode(value))
            })
            .collect();
        let rest = if kept.is_empty() {
            base.to_owned()
        } else {
            format!("{base}?{}", kept.join("&"))
        };
        (rest, params)
    } else {
        let mut rest = String::new();
        for (key, value, text) in key_value_pairs(url) {
            if !params.take(&key, value) {
                rest.push_str(text);
                rest.push(' ');
            }
        }
        (rest.trim_end().to_owned(), params)
    }
}

/// The `key = value` pairs of a libpq connection string, each with its own text so that the
/// others can be passed on verbatim. Values may be single-quoted, with `\'` and `\\` escapes.
fn key_value_pairs(input: &str) -> Vec<(String, String, &str)> {
    let mut pairs = Vec::new();
    let bytes = input.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= bytes.len() {
            break;
        }
        let start = i;
        while i < bytes.len() && bytes[i] != b'=' && !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let key = input[start..i].to_owned();
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'=') {
            i += 1;
        }
        let mut value = String::new();
        let quoted = i < bytes.len() && bytes[i] == b'\'';
        if quoted {
            i += 1;
        }
        let mut chars = input[i..].char_indices();
        let mut end = input.len();
        while let Some((offset, c)) = chars.next() {
            match c {
                '\\' => {
                    if let Some((_, escaped)) = chars.next() {
                        value.push(escaped);
                    }
                }
                '\'' if quoted => {
                    end = i + offset + 1;
                    break;
                }
                c if c.is_whitespace() && !quoted => {
                    end = i + offset;
                    break;
                }
                c => value.push(c),
            }
        }
        pairs.push((key, value, &input[start..end]));
        i = end;
    }
    pairs
}

fn percent_decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(mode: Option<&str>, root: Option<&str>) -> TlsParams {
        TlsParams {
            mode: mode.map(str::to_owned),
            root_cert: root.map(str::to_owned),
        }
    }

    #[test]
    fn url_form_loses_only_the_tls_parameters() {
        let (rest, got) = split_tls_params(
            "postgres://u:p@db.example.vn:5432/hoithao?sslmode=verify-full&application_name=x&sslrootcert=%2Fetc%2Fca%20b.pem",
        );
        assert_eq!(
            rest,
            "postgres://u:p@db.example.vn:5432/hoithao?application_name=x"
        );
        assert_eq!(got, params(Some("verify-full"), Some("/etc/ca b.pem")));
        let (rest, got) = split_tls_params("postgresql://h/db?sslmode=require");
        assert_eq!(rest, "postgresql://h/db");
        assert_eq!(got, params(Some("require"), None));
    }

    #[test]
    fn key_value_form_loses_only_the_tls_parameters() {
        let (rest, got) = split_tls_params(
            "host=db.example.vn sslmode = verify-ca  password='a b\\'c' sslrootcert='/etc/my ca.pem' dbname=hoithao",
        );
        assert_eq!(rest, "host=db.example.vn password='a b\\'c' dbname=hoithao");
        assert_eq!(got, params(Some("verify-ca"), Some("/etc/my ca.pem")));
        let config: tokio_postgres::Config = rest.parse().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.get_password(), Some(&b"a b'c"[..]));
    }

    #[test]
    fn an_unknown_sslmode_is_one_line_naming_the_setting() {
        let error = DbTarget::parse("postgres://h/db?sslmode=verify")
            .err()
            .unwrap_or_default();
        assert!(error.contains("sslmode `verify`"), "{error}");
        assert!(!error.contains('\n'));
    }

    #[test]
    fn absent_sslmode_means_prefer_and_require_with_a_root_certificate_means_verify_ca() {
        let target = DbTarget::parse("postgres://h/db").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(target.ssl_mode, SslMode::Prefer);
        let missing = DbTarget::parse("postgres://h/db?sslmode=require&sslrootcert=/nonexistent")
            .err()
            .unwrap_or_default();
        assert!(missing.contains("sslrootcert"), "{missing}");
        assert!(missing.contains("/nonexistent"), "{missing}");
    }
}
