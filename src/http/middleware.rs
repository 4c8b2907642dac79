//! Middleware of our own: request bodies with a deadline (and JSON bodies that must be objects),
//! and `Connection: close` on every response once shutdown has begun.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::ConnectionType;
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::web::{self, Bytes};
use actix_web::{Error, HttpMessage};
use futures_util::Stream;
use tokio::time::Sleep;

use crate::state::AppState;

/// How long a client may take to send a request body once its headers have arrived.
#[derive(Clone, Copy, Debug)]
pub struct BodyTimeout(pub Duration);

/// Guards request bodies: a deadline for the whole body, so a client that sends its headers
/// and then trickles (or withholds) the body gets a 408 instead of holding a connection and a
/// worker forever; and for JSON, a check that the body is an object, since serde would read an
/// array into a struct field by field (`["email", "password"]` as a login).
pub async fn guard_body(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let timeout = req.app_data::<web::Data<BodyTimeout>>().map(|t| t.0);
    if let Some(timeout) = timeout
        && has_body(&req)
    {
        let expect_object = is_json(&req);
        let payload = req.take_payload();
        let guarded: Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>> =
            Box::pin(GuardedBody {
                inner: payload,
                sleep: Box::pin(tokio::time::sleep(timeout)),
                timeout,
                expect_object,
                done: false,
            });
        req.set_payload(Payload::from(guarded));
    }
    next.call(req).await
}

fn has_body(req: &ServiceRequest) -> bool {
    let headers = req.headers();
    headers.contains_key(header::TRANSFER_ENCODING)
        || headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim() != "0")
}

fn is_json(req: &ServiceRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .is_some_and(|v| v == "application/json" || v.ends_with("+json"))
}

/// The body stream, failing once the deadline passes or when a JSON body does not start with
/// `{`. The body is always polled first, so a body that has fully arrived is never refused for
/// time.
struct GuardedBody {
    inner: Payload,
    sleep: Pin<Box<Sleep>>,
    timeout: Duration,
    /// Set until the first non-blank byte of a JSON body has been seen.
    expect_object: bool,
    done: bool,
}

#[derive(Debug, thiserror::Error)]
#[error("the request body did not arrive within {0} s")]
struct BodyTooSlow(u64);

#[derive(Debug, thiserror::Error)]
#[error("the body must be a JSON object")]
struct NotAnObject;

impl GuardedBody {
    fn fail(&mut self, error: io::Error) -> Poll<Option<Result<Bytes, PayloadError>>> {
        self.done = true;
        Poll::Ready(Some(Err(PayloadError::Io(error))))
    }
}

impl Stream for GuardedBody {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.done {
            return Poll::Ready(None);
        }
        match Pin::new(&mut this.inner).poll_next(cx) {
            Poll::Ready(Some(Ok(chunk))) => {
                if this.expect_object
                    && let Some(first) = chunk.iter().find(|b| !b.is_ascii_whitespace())
                {
                    this.expect_object = false;
                    if *first != b'{' {
                        return this.fail(io::Error::new(io::ErrorKind::InvalidData, NotAnObject));
                    }
                }
                Poll::Ready(Some(Ok(chunk)))
            }
            Poll::Ready(other) => Poll::Ready(other),
            Poll::Pending if this.sleep.as_mut().poll(cx).is_ready() => {
                let secs = this.timeout.as_secs();
                this.fail(io::Error::new(io::ErrorKind::TimedOut, BodyTooSlow(secs)))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

fn io_cause<T: std::error::Error + 'static>(error: &PayloadError) -> bool {
    matches!(error, PayloadError::Io(e) if e.get_ref().is_some_and(|inner| inner.is::<T>()))
}

/// Whether a body read failed because its deadline passed.
pub fn is_body_timeout(error: &PayloadError) -> bool {
    io_cause::<BodyTooSlow>(error)
}

/// Whether a JSON body was refused for not being an object.
pub fn is_not_an_object(error: &PayloadError) -> bool {
    io_cause::<NotAnObject>(error)
}

/// Once shutdown has begun, every response tells the client to close the connection, so a
/// request queued on a keep-alive connection is served and the client then reconnects
/// (to another replica) instead of finding the connection gone.
pub async fn close_when_draining(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let mut response = next.call(req).await?;
    if state.is_some_and(|s| s.shutdown.is_draining()) {
        response
            .response_mut()
            .head_mut()
            .set_connection_type(ConnectionType::Close);
    }
    Ok(response)
}
