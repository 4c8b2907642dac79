//! Notifications through a transactional outbox (issue 11).
//!
//! Triggers write an `outbox` row in the transaction of every change that notifies someone
//! (migration 180000), so nothing here has to be remembered by the code paths that change
//! registrations, invitations or conferences; they only hand over the one-time link tokens
//! they issue (`outbox::attach_*`). The workers (`worker`) of every `serve` process claim due
//! rows, render the message from the current rows (`message`, `templates`, `calendar`) and send
//! it (`email`).

pub mod calendar;
pub mod email;
pub mod message;
pub mod outbox;
pub mod ssrf;
pub mod templates;
pub mod webhooks;
pub mod worker;

use crate::domain::common::text_enum;

text_enum! {
    /// What happened. Every value is written by a trigger of migration 180000.
    Event {
        /// A registration waiting for an organizer's approval.
        #[serde(rename = "registration.received")]
        RegistrationReceived => "registration.received",
        /// A registration that got a seat when it was made.
        #[serde(rename = "registration.confirmed")]
        RegistrationConfirmed => "registration.confirmed",
        /// A registration put on the waiting list (when made, or when approved).
        #[serde(rename = "registration.waitlisted")]
        RegistrationWaitlisted => "registration.waitlisted",
        /// A waiting registration that got a freed seat.
        #[serde(rename = "registration.promoted")]
        RegistrationPromoted => "registration.promoted",
        /// An approved registration that got a seat.
        #[serde(rename = "registration.approved")]
        RegistrationApproved => "registration.approved",
        #[serde(rename = "registration.rejected")]
        RegistrationRejected => "registration.rejected",
        #[serde(rename = "registration.cancelled")]
        RegistrationCancelled => "registration.cancelled",
        /// Another person took the seat (through the invitation link or at the door).
        #[serde(rename = "registration.substituted")]
        RegistrationSubstituted => "registration.substituted",
        /// The configured time before the start.
        #[serde(rename = "registration.reminder")]
        RegistrationReminder => "registration.reminder",
        /// An invitation to a unit; the email goes to the unit's contact.
        #[serde(rename = "invitation.created")]
        InvitationCreated => "invitation.created",
        /// An invitation's link issued again.
        #[serde(rename = "invitation.resent")]
        InvitationResent => "invitation.resent",
        /// A published conference's title, times or venue changed.
        #[serde(rename = "conference.changed")]
        ConferenceChanged => "conference.changed",
        #[serde(rename = "conference.cancelled")]
        ConferenceCancelled => "conference.cancelled",
        /// A successful entry at the door or a session (webhooks only).
        #[serde(rename = "checkin.recorded")]
        CheckinRecorded => "checkin.recorded",
    }
}

text_enum! {
    /// Where a message is in its delivery.
    OutboxState {
        /// Waiting for its time (or for SMTP to be configured).
        Pending => "pending",
        /// Claimed by a worker; if the worker dies, claimable again when the lease ends.
        Sending => "sending",
        Sent => "sent",
        /// Out of attempts or refused for good: an organizer may retry it.
        Dead => "dead",
        /// Nothing to send any more (the recipient has no address now).
        Skipped => "skipped",
    }
}

/// The `Message-ID` of an outbox row's email: the same for every attempt, so a receiver (and
/// a test) can tell a redelivery after a crash from a second message.
pub fn message_id(outbox_id: uuid::Uuid) -> String {
    format!("<{outbox_id}@hoithao>")
}
