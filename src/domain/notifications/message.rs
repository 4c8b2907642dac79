//! What an outbox row says, read from the current rows at delivery time: the recipient, the
//! texts in their language, the QR code and the calendar. Nothing personal is stored in the
//! outbox; if the recipient lost their address (or was erased) meanwhile, there is nothing to send.

use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
use lettre::message::Mailbox;
use serde::Serialize;
use uuid::Uuid;

use super::Event;
use super::email::{Parts, compose};
use super::templates::Templates;
use crate::db::conferences::{ConferenceRow, Lock};
use crate::db::outbox::ClaimedRow;
use crate::db::registrations::RegistrationRow;
use crate::db::{self};
use crate::domain::common::{Lang, RegistrationStatus, reference};
use crate::domain::in_zone;
use crate::domain::qr::{qr_payload, qr_png};
use crate::error::{ApiError, ApiResult};

/// What a worker does with a claimed row.
pub enum Prepared {
    Send(Box<lettre::Message>),
    /// Nothing to send; the reason is recorded on the row.
    Skip(&'static str),
}

/// Server-wide parts of every message.
pub struct Composer {
    pub templates: Templates,
    pub default_from: Mailbox,
    /// `HOITHAO_PUBLIC_URL` without a trailing slash.
    pub public_url: String,
}

#[derive(Serialize)]
struct ConferenceView {
    title: String,
    starts: String,
    ends: String,
    venue: Option<String>,
    host: String,
}

#[derive(Serialize)]
struct PersonView {
    full_name: String,
    reference: String,
    status: String,
}

#[derive(Serialize)]
struct InvitationView {
    unit_name: String,
    seats: i32,
    expires: Option<String>,
}

#[derive(Serialize)]
struct SessionView {
    title: String,
    starts: String,
}

/// The values the templates see.
#[derive(Serialize)]
struct MessageContext {
    event: &'static str,
    conference: ConferenceView,
    person: Option<PersonView>,
    invitation: Option<InvitationView>,
    sessions: Vec<SessionView>,
    link: Option<String>,
    has_qr: bool,
    has_calendar: bool,
}

fn local(instant: DateTime<Utc>, zone: &str, lang: Lang) -> String {
    let at = in_zone(instant, zone);
    match lang {
        Lang::Vi => at.format("%H:%M ngày %d/%m/%Y").to_string(),
        Lang::En => at.format("%-d %B %Y, %H:%M").to_string(),
    }
}

fn conference_view(conference: &ConferenceRow, lang: Lang) -> ConferenceView {
    let venue = [
        conference.venue_name.as_deref(),
        conference.venue_address.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ");
    ConferenceView {
        title: conference.title.clone(),
        starts: local(conference.starts_at, &conference.time_zone, lang),
        ends: local(conference.ends_at, &conference.time_zone, lang),
        venue: (!venue.is_empty()).then_some(venue),
        host: sender_name(conference),
    }
}

/// Who the email comes from: the conference's host organization, else its title.
fn sender_name(conference: &ConferenceRow) -> String {
    conference
        .host_organization
        .clone()
        .unwrap_or_else(|| conference.title.clone())
}

impl Composer {
    /// The conference's own address when it has one (validated when it was set), else the
    /// server's; the name is always the host's.
    fn from(&self, conference: &ConferenceRow) -> Mailbox {
        let address = conference
            .sender_email
            .as_deref()
            .and_then(|email| email.parse().ok())
            .unwrap_or_else(|| self.default_from.email.clone());
        Mailbox::new(Some(sender_name(conference)), address)
    }

    /// Builds the message of a claimed email row.
    pub async fn prepare(
        &self,
        conn: &mut AsyncPgConnection,
        row: &ClaimedRow,
    ) -> ApiResult<Prepared> {
        let event: Event = row.event.parse()?;
        let Some((conference, _)) =
            db::conferences::find_with_membership(conn, row.conference_id, None, Lock::None)
                .await?
        else {
            return Ok(Prepared::Skip("the conference is gone"));
        };
        let built = match (row.registration_id, row.invitation_id) {
            (Some(id), _) => self.to_delegate(conn, row, event, &conference, id).await?,
            (None, Some(id)) => self.to_unit(conn, row, event, &conference, id).await?,
            (None, None) => None,
        };
        let Some((to, lang, ctx, qr, ics)) = built else {
            return Ok(Prepared::Skip("the recipient has no email address now"));
        };
        let rendered = self
            .templates
            .render(lang, &ctx)
            .map_err(|e| ApiError::internal(format!("email template: {e}")))?;
        let parts = Parts {
            outbox_id: row.id,
            from: self.from(&conference),
            to,
            qr_png: qr,
            ics,
        };
        let message = compose(parts, rendered).map_err(ApiError::internal)?;
        Ok(Prepared::Send(Box::new(message)))
    }

    async fn to_delegate(
        &self,
        conn: &mut AsyncPgConnection,
        row: &ClaimedRow,
        event: Event,
        conference: &ConferenceRow,
        registration_id: Uuid,
    ) -> ApiResult<Option<Built>> {
        let Some(registration) =
            db::registrations::find(conn, conference.id, registration_id, false).await?
        else {
            return Ok(None);
        };
        let Some(to) = mailbox(&registration.full_name, registration.email.as_deref()) else {
            return Ok(None);
        };
        let lang: Lang = registration.language.parse()?;
        let confirmed = registration.status == RegistrationStatus::Confirmed;
        let cancelled = event == Event::ConferenceCancelled;
        let with_pass = confirmed
            && !cancelled
            && matches!(
                event,
                Event::RegistrationConfirmed
                    | Event::RegistrationPromoted
                    | Event::RegistrationApproved
                    | Event::RegistrationSubstituted
                    | Event::RegistrationReminder
                    | Event::ConferenceChanged
            );
        let sessions = if with_pass || cancelled {
            db::outbox::signed_up_sessions(conn, registration.id).await?
        } else {
            Vec::new()
        };
        let qr = if with_pass {
            Some(qr_png(&qr_payload(&registration))?)
        } else {
            None
        };
        let ics = (with_pass || (cancelled && confirmed))
            .then(|| super::calendar::ics(conference, &sessions, cancelled));
        let ctx = MessageContext {
            event: event.as_str(),
            conference: conference_view(conference, lang),
            person: Some(person_view(&registration, &conference.code)),
            invitation: None,
            sessions: sessions
                .iter()
                .map(|s| SessionView {
                    title: s.title.clone(),
                    starts: local(s.starts_at, &conference.time_zone, lang),
                })
                .collect(),
            link: row
                .link_token
                .as_ref()
                .map(|token| format!("{}/delegate#token={token}", self.public_url)),
            has_qr: qr.is_some(),
            has_calendar: ics.is_some(),
        };
        Ok(Some((to, lang, ctx, qr, ics)))
    }

    async fn to_unit(
        &self,
        conn: &mut AsyncPgConnection,
        row: &ClaimedRow,
        event: Event,
        conference: &ConferenceRow,
        invitation_id: Uuid,
    ) -> ApiResult<Option<Built>> {
        let Some(invitation) =
            db::invitations::find(conn, conference.id, invitation_id.into()).await?
        else {
            return Ok(None);
        };
        let Some(unit) = db::units::find(conn, invitation.unit_id.into(), false).await? else {
            return Ok(None);
        };
        let name = unit.contact_person.as_deref().unwrap_or(&unit.name);
        let Some(to) = mailbox(name, unit.email.as_deref()) else {
            return Ok(None);
        };
        // Units have no language of their own: invitations are Vietnamese.
        let lang = Lang::Vi;
        let ctx = MessageContext {
            event: event.as_str(),
            conference: conference_view(conference, lang),
            person: None,
            invitation: Some(InvitationView {
                unit_name: unit.name.clone(),
                seats: invitation.seats,
                expires: invitation
                    .expires_at
                    .map(|at| local(at, &conference.time_zone, lang)),
            }),
            sessions: Vec::new(),
            link: row
                .link_token
                .as_ref()
                .map(|token| format!("{}/invitation#token={token}", self.public_url)),
            has_qr: false,
            has_calendar: false,
        };
        Ok(Some((to, lang, ctx, None, None)))
    }
}

type Built = (
    Mailbox,
    Lang,
    MessageContext,
    Option<Vec<u8>>,
    Option<String>,
);

fn person_view(registration: &RegistrationRow, code: &str) -> PersonView {
    PersonView {
        full_name: registration.full_name.clone(),
        reference: reference(code, registration.number),
        status: registration.status.as_str().to_owned(),
    }
}

/// The recipient, when the stored address is one (it was checked on the way in).
fn mailbox(name: &str, email: Option<&str>) -> Option<Mailbox> {
    let address = email?.parse().ok()?;
    Some(Mailbox::new(Some(name.to_owned()), address))
}
