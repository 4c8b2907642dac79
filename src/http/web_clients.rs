//! The reference web clients: static files from `web/` embedded in the binary (release builds;
//! debug builds read the checkout's `web/` so pages can be edited without a rebuild), served
//! with their content type, a content-hash `ETag`, `no-cache` (names are not hashed, so every
//! use revalidates: a 304 costs one round trip) and a strict Content-Security-Policy.
//!
//! - `/app/{path}` serves `web/{path}`; a path ending in `/` serves its `index.html`.
//! - `/r/{conference-code}` is the self-registration page, `/delegate` the delegate's own page
//!   and `/invitation` the unit's invitation page; the two link pages take their token from the
//!   URL fragment (`#token=…`), which never reaches the server.
//!
//! These are pages, not API: they are outside `/api/v1` and outside the OpenAPI document.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use rust_embed::RustEmbed;

use crate::error::ApiError;

#[derive(RustEmbed)]
#[folder = "web/"]
struct Assets;

/// No inline script or style, nothing from another origin; images may be data/blob URLs
/// (QR codes drawn in the page, camera frames); the check-in app's service worker is ours.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; \
     font-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none'; \
     base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/r/{code}", web::get().to(registration_page))
        .route("/delegate", web::get().to(delegate_page))
        .route("/invitation", web::get().to(invitation_page))
        .route("/app/{path:.*}", web::get().to(asset));
}

async fn registration_page(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    serve(&req, "delegate/register.html")
}

async fn delegate_page(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    serve(&req, "delegate/self-service.html")
}

async fn invitation_page(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    serve(&req, "delegate/invitation.html")
}

async fn asset(req: HttpRequest, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let path = path.into_inner();
    if path.is_empty() || path.ends_with('/') {
        return serve(&req, &format!("{path}index.html"));
    }
    // `/app/checkin` → `/app/checkin/`, so the page's relative URLs and its service worker's
    // scope are those of the folder.
    if Assets::get(&format!("{path}/index.html")).is_some() {
        return Ok(HttpResponse::MovedPermanently()
            .insert_header((header::LOCATION, format!("/app/{path}/")))
            .finish());
    }
    serve(&req, &path)
}

/// One embedded file, or a 404 problem. rust-embed refuses paths that leave the folder.
fn serve(req: &HttpRequest, path: &str) -> Result<HttpResponse, ApiError> {
    let file = Assets::get(path).ok_or_else(|| ApiError::not_found("no such page or file"))?;
    // Weak: the compress middleware may send a gzip representation of the same content.
    let etag = format!("W/\"{}\"", hex::encode(&file.metadata.sha256_hash()[..16]));
    let unchanged = not_modified(req, &etag);
    let mut response = if unchanged {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header((header::X_FRAME_OPTIONS, "DENY"));
    if unchanged {
        return Ok(response.finish());
    }
    Ok(response
        .insert_header((
            header::CONTENT_TYPE,
            content_type(path, file.metadata.mimetype()),
        ))
        .body(file.data.into_owned()))
}

fn not_modified(req: &HttpRequest, etag: &str) -> bool {
    let tag = etag.trim_start_matches("W/");
    req.headers()
        .get_all(header::IF_NONE_MATCH)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|v| v.trim())
        .any(|v| v == "*" || v.trim_start_matches("W/") == tag)
}

/// Text types with their charset; the rest as rust-embed guesses from the extension.
fn content_type(path: &str, guessed: &str) -> HeaderValue {
    let extension = path.rsplit('.').next().unwrap_or_default();
    let value = match extension {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "webmanifest" => "application/manifest+json",
        "svg" => "image/svg+xml",
        "txt" => "text/plain; charset=utf-8",
        _ => {
            return HeaderValue::from_str(guessed)
                .unwrap_or(HeaderValue::from_static("application/octet-stream"));
        }
    };
    HeaderValue::from_static(value)
}
