//! Middleware of our own: a deadline for reading request bodies, and `Connection: close` on
//! every response once shutdown has begun.

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

/// Gives the body of the request a deadline: a client that sends its headers and then trickles
/// (or withholds) the body gets a 408 instead of holding a connection and a worker forever.
pub async fn body_deadline(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let timeout = req.app_data::<web::Data<BodyTimeout>>().map(|t| t.0);
    if let Some(timeout) = timeout
        && has_body(&req)
    {
        let payload = req.take_payload();
        let limited: Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>> =
            Box::pin(Deadline {
                inner: payload,
                sleep: Box::pin(tokio::time::sleep(timeout)),
                timeout,
                done: false,
            });
        req.set_payload(Payload::from(limited));
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

/// The body stream, failing with `TimedOut` once the deadline passes. The body is always polled
/// first, so a body that has fully arrived is never refused.
struct Deadline {
    inner: Payload,
    sleep: Pin<Box<Sleep>>,
    timeout: Duration,
    done: bool,
}

impl Stream for Deadline {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.done {
            return Poll::Ready(None);
        }
        if let Poll::Ready(item) = Pin::new(&mut this.inner).poll_next(cx) {
            return Poll::Ready(item);
        }
        if this.sleep.as_mut().poll(cx).is_ready() {
            this.done = true;
            return Poll::Ready(Some(Err(PayloadError::Io(io::Error::new(
                io::ErrorKind::TimedOut,
                format!(
                    "the request body did not arrive within {} s",
                    this.timeout.as_secs()
                ),
            )))));
        }
        Poll::Pending
    }
}

/// Whether a body read failed because its deadline passed.
pub fn is_body_timeout(error: &PayloadError) -> bool {
    matches!(error, PayloadError::Io(e) if e.kind() == io::ErrorKind::TimedOut)
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
