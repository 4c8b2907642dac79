//! Email over SMTP with lettre: the transport from `HOITHAO_SMTP_URL` and the MIME message.
//!
//! A message is `multipart/mixed`: the text and HTML alternatives with the QR code as an
//! inline PNG (`cid:qr`, in a `multipart/related`), then the `.ics`. Its `Message-ID` is the
//! outbox row's, the same on every attempt.

use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::AsyncSmtpTransport;
use lettre::{AsyncTransport, Message, Tokio1Executor};
use uuid::Uuid;

use super::templates::Rendered;

/// The SMTP client and the server's default sender.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    pub default_from: Mailbox,
}

/// What went wrong sending: `permanent` when the server refused for good (5xx), so retrying
/// the same message cannot help.
#[derive(Debug)]
pub struct SendError {
    pub permanent: bool,
    pub message: String,
}

impl Mailer {
    /// From lettre's URL form: `smtp://host:port` (plain), `?tls=required` or `?tls=opportunistic`
    /// (STARTTLS), `smtps://` (TLS from the start), with optional `user:password@`. The error
    /// never repeats the URL, which may hold a password.
    pub fn from_url(url: &str, default_from: &str) -> Result<Self, String> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("HOITHAO_SMTP_URL is not a valid SMTP URL ({e})"))?
            .timeout(Some(std::time::Duration::from_secs(30)))
            .build();
        Ok(Self {
            transport,
            default_from: parse_sender(default_from)?,
        })
    }

    pub async fn send(&self, message: &Message) -> Result<(), SendError> {
        self.transport
            .send(message.clone())
            .await
            .map(|_| ())
            .map_err(|e| SendError {
                permanent: e.is_permanent(),
                message: e.to_string(),
            })
    }
}

/// `HOITHAO_MAIL_FROM`: `Name <address>` or an address.
pub fn parse_sender(value: &str) -> Result<Mailbox, String> {
    value
        .parse::<Mailbox>()
        .map_err(|e| format!("HOITHAO_MAIL_FROM is not a valid sender ({e})"))
}

/// Everything a message carries besides its texts.
pub struct Parts {
    pub outbox_id: Uuid,
    pub from: Mailbox,
    pub to: Mailbox,
    pub qr_png: Option<Vec<u8>>,
    pub ics: Option<String>,
}

pub fn compose(parts: Parts, rendered: Rendered) -> Result<Message, String> {
    let png_type = ContentType::parse("image/png").map_err(|e| e.to_string())?;
    let ics_type = ContentType::parse("text/calendar; charset=utf-8; method=PUBLISH")
        .map_err(|e| e.to_string())?;
    let alternative = MultiPart::alternative_plain_html(rendered.text, rendered.html);
    let body = match parts.qr_png {
        Some(png) => MultiPart::related()
            .multipart(alternative)
            .singlepart(Attachment::new_inline("qr".to_owned()).body(png, png_type)),
        None => alternative,
    };
    let body = match parts.ics {
        Some(ics) => MultiPart::mixed().multipart(body).singlepart(
            SinglePart::builder()
                .header(ics_type)
                .header(lettre::message::header::ContentDisposition::attachment(
                    "hoithao.ics",
                ))
                .body(ics),
        ),
        None => body,
    };
    Message::builder()
        .message_id(Some(super::message_id(parts.outbox_id)))
        .from(parts.from)
        .to(parts.to)
        .subject(rendered.subject)
        .multipart(body)
        .map_err(|e| e.to_string())
}
