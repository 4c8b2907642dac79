//! The `.ics` attached to a delegate's emails: the conference, or the sessions they signed up
//! for. UIDs are stable (the conference's or session's id), so a calendar updates the entry it
//! already has when the conference moves, and a cancellation removes it.

use icalendar::{Calendar, Component, Event, EventLike, EventStatus};

use crate::db::conferences::ConferenceRow;
use crate::db::sessions::SessionRow;

pub fn ics(conference: &ConferenceRow, sessions: &[SessionRow], cancelled: bool) -> String {
    let status = if cancelled {
        EventStatus::Cancelled
    } else {
        EventStatus::Confirmed
    };
    let location = [
        conference.venue_name.as_deref(),
        conference.venue_address.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ");
    let mut calendar = Calendar::new();
    calendar.name(&conference.title);
    calendar.append_property(("METHOD", "PUBLISH"));
    let entries: Vec<Event> = if sessions.is_empty() {
        vec![
            Event::new()
                .uid(&format!("{}@hoithao", conference.id))
                .summary(&conference.title)
                .starts(conference.starts_at)
                .ends(conference.ends_at)
                .status(status)
                .done(),
        ]
    } else {
        sessions
            .iter()
            .map(|session| {
                Event::new()
                    .uid(&format!("{}@hoithao", session.id))
                    .summary(&format!("{}: {}", conference.title, session.title))
                    .starts(session.starts_at)
                    .ends(session.ends_at)
                    .status(status)
                    .done()
            })
            .collect()
    };
    for mut entry in entries {
        if !location.is_empty() {
            entry.location(&location);
        }
        entry.add_property("SEQUENCE", conference.version.to_string());
        calendar.push(entry);
    }
    calendar.done().to_string()
}
