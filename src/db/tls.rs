//! TLS to PostgreSQL with rustls (ring provider): the client configurations for each `sslmode`
//! and the connector that tokio-postgres drives during the handshake.
//!
//! The silence bound of [`Watched`] reads the protocol's `ReadyForQuery` out of the bytes it
//! passes, so it has to sit above TLS, where it sees plaintext. tokio-postgres hands the
//! connector the watched socket; the connector unwraps it, runs TLS over the bare socket and
//! watches the TLS stream instead (the handshake itself is bounded by the connect timeout).

use std::io;
use std::sync::Arc;

use futures_util::future::BoxFuture;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use tokio_postgres::tls::{MakeTlsConnect, TlsConnect};
use tokio_postgres_rustls::MakeRustlsConnect;

use super::transport::{Socket, Watched};

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn builder() -> Result<rustls::ConfigBuilder<ClientConfig, rustls::WantsVerifier>, String> {
    ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("DATABASE_URL: cannot set up TLS: {e}"))
}

/// `prefer` and `require`: encrypted, but any certificate is accepted (libpq's meaning).
/// Handshake signatures are still checked, so the session is with whoever holds the key.
pub fn unverified_config() -> Result<ClientConfig, String> {
    let verifier = AnyCertificate {
        algorithms: provider().signature_verification_algorithms,
    };
    Ok(builder()?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth())
}

/// `verify-ca` (chain only) and `verify-full` (chain and host name).
pub fn verifying_config(
    roots: RootCertStore,
    check_host_name: bool,
) -> Result<ClientConfig, String> {
    let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider())
        .build()
        .map_err(|e| format!("DATABASE_URL: sslrootcert holds no usable certificate: {e}"))?;
    let builder = builder()?;
    Ok(if check_host_name {
        builder.with_webpki_verifier(webpki).with_no_client_auth()
    } else {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(ChainOnly(webpki)))
            .with_no_client_auth()
    })
}

/// The trust anchors: the PEM file `sslrootcert` names, or the system store
/// (`/etc/ssl/certs`, hence `ca-certificates` in the image) when it is absent or `system`.
pub fn load_roots(root_cert: Option<&str>) -> Result<RootCertStore, String> {
    let mut roots = RootCertStore::empty();
    match root_cert {
        Some(path) if path != "system" => {
            let certs = CertificateDer::pem_file_iter(path)
                .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
                .map_err(|e| format!("DATABASE_URL: sslrootcert `{path}` cannot be read: {e}"))?;
            let (added, _) = roots.add_parsable_certificates(certs);
            if added == 0 {
                return Err(format!(
                    "DATABASE_URL: sslrootcert `{path}` holds no PEM certificate"
                ));
            }
        }
        _ => {
            let found = rustls_native_certs::load_native_certs();
            roots.add_parsable_certificates(found.certs);
            if roots.is_empty() {
                return Err("DATABASE_URL: sslmode verify-ca/verify-full without sslrootcert needs the system's CA certificates (install ca-certificates) or an sslrootcert file".to_owned());
            }
        }
    }
    Ok(roots)
}

/// A TLS handshake that failed, told apart from other connection errors so that the message
/// can point at `sslmode`/`sslrootcert`.
#[derive(Debug)]
pub struct TlsHandshakeError(io::Error);

impl std::fmt::Display for TlsHandshakeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl std::error::Error for TlsHandshakeError {}

type Socketed = Socket;
type RustlsConnect = <MakeRustlsConnect as MakeTlsConnect<Socketed>>::TlsConnect;
pub type TlsStream = <MakeRustlsConnect as MakeTlsConnect<Socketed>>::Stream;

/// The connector for one host: TLS over the bare socket, then the silence watch over TLS.
pub struct WatchedTls {
    inner: RustlsConnect,
    bound: Option<std::time::Duration>,
}

impl WatchedTls {
    pub fn new(config: Arc<ClientConfig>, host: &str, bound: Option<std::time::Duration>) -> Self {
        let mut make = MakeRustlsConnect::new(Arc::unwrap_or_clone(config));
        // Infallible: a host name TLS cannot use fails the handshake instead.
        let inner = match <MakeRustlsConnect as MakeTlsConnect<Socketed>>::make_tls_connect(
            &mut make, host,
        ) {
            Ok(inner) => inner,
            Err(never) => match never {},
        };
        Self { inner, bound }
    }
}

impl TlsConnect<Watched<Socketed>> for WatchedTls {
    type Stream = Watched<TlsStream>;
    type Error = TlsHandshakeError;
    type Future = BoxFuture<'static, Result<Self::Stream, TlsHandshakeError>>;

    fn connect(self, stream: Watched<Socketed>) -> Self::Future {
        let bound = self.bound;
        let handshake = self.inner.connect(stream.into_inner());
        Box::pin(async move {
            let tls = handshake.await.map_err(TlsHandshakeError)?;
            Ok(Watched::new(tls, bound))
        })
    }
}

/// Accepts any certificate; checks the handshake signatures with the provider's algorithms.
#[derive(Debug)]
struct AnyCertificate {
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// `verify-ca`: the webpki verifier checks the chain before the name, so a name mismatch is
/// the only error that is let through, and only after the chain verified.
#[derive(Debug)]
struct ChainOnly(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}
