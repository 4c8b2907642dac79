//! The guard against server-side request forgery for webhook URLs: only `https`, only hosts
//! that resolve, and only to public addresses (unless an operator allows private ones); the
//! caller connects to exactly the addresses checked here.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use crate::error::{FieldCode, FieldError};

/// Whether an address is on the public internet: not private, loopback, link-local,
/// unspecified, multicast, broadcast, shared (CGNAT), documentation or unique-local.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(a) => {
            let [first, second, ..] = a.octets();
            !(a.is_private()
                || a.is_loopback()
                || a.is_link_local()
                || a.is_unspecified()
                || a.is_broadcast()
                || a.is_multicast()
                || a.is_documentation()
                || first == 0
                || (first == 100 && (second & 0xc0) == 64))
        }
        IpAddr::V6(a) => {
            if let Some(v4) = a.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let first = a.segments()[0];
            !(a.is_loopback()
                || a.is_unspecified()
                || a.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80)
        }
    }
}

/// Checks an endpoint URL and resolves it: `https` (or `http` when private addresses are
/// allowed), a host that resolves, and only to public addresses unless allowed. Returns the
/// host and the addresses to connect to, so that the connection goes to what was checked.
pub async fn check_url(
    value: &str,
    allow_private: bool,
) -> Result<(url::Url, String, Vec<SocketAddr>), FieldError> {
    let field = |code: FieldCode, message: &str| FieldError::new("url", code, message);
    let url = url::Url::parse(value.trim())
        .map_err(|_| field(FieldCode::InvalidUrl, "url must be an absolute http(s) URL"))?;
    match url.scheme() {
        "https" => {}
        "http" if allow_private => {}
        _ => return Err(field(FieldCode::MustBeHttps, "url must use https")),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(field(
            FieldCode::CredentialsInUrl,
            "url must not carry a user or password",
        ));
    }
    let host = url
        .host_str()
        .ok_or_else(|| field(FieldCode::InvalidUrl, "url must name a host"))?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    let port = url.port_or_known_default().unwrap_or(443);
    let addrs: Vec<SocketAddr> = tokio::time::timeout(
        Duration::from_secs(5),
        tokio::net::lookup_host((host.as_str(), port)),
    )
    .await
    .ok()
    .and_then(Result::ok)
    .map(Iterator::collect)
    .unwrap_or_default();
    if addrs.is_empty() {
        return Err(field(
            FieldCode::Unresolvable,
            "url's host does not resolve",
        ));
    }
    if !allow_private && addrs.iter().any(|a| !is_public(a.ip())) {
        return Err(field(
            FieldCode::PrivateAddress,
            "url resolves to a private, loopback or link-local address",
        ));
    }
    Ok((url, host, addrs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_loopback_and_link_local_addresses_are_not_public() {
        for ip in [
            "10.0.0.1",
            "172.16.5.4",
            "192.168.1.1",
            "127.0.0.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(
                !is_public(ip.parse().unwrap_or_else(|e| panic!("{e}"))),
                "{ip}"
            );
        }
        for ip in ["203.113.0.1", "8.8.8.8", "2001:4860:4860::8888"] {
            assert!(
                is_public(ip.parse().unwrap_or_else(|e| panic!("{e}"))),
                "{ip}"
            );
        }
    }
}
