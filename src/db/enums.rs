//! Enums that row structs hold instead of the text they are stored as (`stored_text!`), so a
//! value is parsed once, where it is read. The domain re-exports them under its own paths.

use crate::text_enum::{stored_text, text_enum};

text_enum! {
    /// What the door screen shows.
    Outcome {
        /// Admitted (first entry, or an exit).
        Ok => "ok",
        /// Admitted earlier; `first_checked_in_at` and `first_device` say when and where.
        AlreadyCheckedIn => "already_checked_in",
        /// The registration is cancelled or rejected.
        Cancelled => "cancelled",
        PendingApproval => "pending_approval",
        Waitlisted => "waitlisted",
        /// No registration has this code.
        UnknownCode => "unknown_code",
        /// The code belongs to another conference.
        OtherConference => "other_conference",
        /// The session requires sign-up and this delegate has not signed up.
        NotSignedUpForSession => "not_signed_up_for_session",
        /// Before doors open or after the end (with a margin of an hour).
        OutsideWindow => "outside_window",
    }
}

text_enum! {
    /// Entering or leaving.
    Direction {
        In => "in",
        Out => "out",
    }
}

text_enum! {
    /// What happens in a session.
    SessionKind {
        Opening => "opening",
        Presentation => "presentation",
        Discussion => "discussion",
        Film => "film",
        Break => "break",
        Visit => "visit",
        Other => "other",
    }
}

text_enum! {
    /// What a unit is.
    UnitKind {
        /// A department, division or other state agency.
        Agency => "agency",
        /// A district or district-level city or town (huyện, thành phố, thị xã).
        District => "district",
        /// A commune, ward or town (xã, phường, thị trấn); its parent is a district.
        Commune => "commune",
        /// A production or business facility.
        Enterprise => "enterprise",
        Other => "other",
    }
}

text_enum! {
    /// Lifecycle: `draft` → `published` ⇄ `closed`; any but `cancelled` → `cancelled`.
    ConferenceStatus {
        /// Visible only to its organizers and admins.
        Draft => "draft",
        /// Public; registration may be open.
        Published => "published",
        /// Public; no longer taking registrations. Can be reopened.
        Closed => "closed",
        /// Called off; final and read-only.
        Cancelled => "cancelled",
    }
}

text_enum! {
    /// How delegates get a seat.
    RegistrationMode {
        /// Anyone may self-register within the window.
        Open => "open",
        /// Only through unit invitations.
        InvitationOnly => "invitation_only",
        /// Self-registration waits for an organizer's approval.
        ApprovalRequired => "approval_required",
    }
}

text_enum! {
    /// `pending_approval` → `confirmed` | `waitlisted` | `rejected` | `cancelled`;
    /// `waitlisted` → `confirmed` (promotion) | `cancelled`; `confirmed` → `cancelled`.
    RegistrationStatus {
        /// Waiting for an organizer (conferences with `approval_required`).
        PendingApproval => "pending_approval",
        /// Holds a seat.
        Confirmed => "confirmed",
        /// Waiting for a seat; promoted in order when one frees up.
        Waitlisted => "waitlisted",
        Cancelled => "cancelled",
        Rejected => "rejected",
    }
}

text_enum! {
    /// How the registration was made.
    RegistrationSource {
        /// The delegate registered online.
        #[serde(rename = "self")]
        SelfService => "self",
        /// A unit's contact, through its invitation link.
        Invitation => "invitation",
        /// An organizer.
        Organizer => "organizer",
        /// A file import.
        Import => "import",
    }
}

text_enum! {
    /// The delegate's group (thành phần), used in attendance reports.
    Category {
        Guest => "guest",
        Agency => "agency",
        District => "district",
        Commune => "commune",
        Enterprise => "enterprise",
        Expert => "expert",
        Speaker => "speaker",
        Press => "press",
        Staff => "staff",
    }
}

stored_text!(RegistrationStatus);
stored_text!(RegistrationSource);
stored_text!(Category);
stored_text!(ConferenceStatus);
stored_text!(RegistrationMode);
stored_text!(Outcome);
stored_text!(Direction);
stored_text!(SessionKind);
stored_text!(UnitKind);
