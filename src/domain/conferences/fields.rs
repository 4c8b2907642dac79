//! A conference's fields and their rules: validated and normalised once, for a create and for
//! a patch applied to the stored conference alike.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::{ConferencePatch, NewConference, RegistrationMode};
use crate::db::{self, conferences::ConferenceRow};
use crate::domain::text::{Validator, fold};
use crate::domain::{DEFAULT_TIME_ZONE, check_timestamp, in_zone};
use crate::error::{ApiResult, FieldCode};

/// Validated, normalised conference fields, ready to be written.
pub(super) struct ConferenceFields {
    code: String,
    title: String,
    description: Option<String>,
    venue_name: Option<String>,
    venue_address: Option<String>,
    pub(super) starts_at: DateTime<Utc>,
    pub(super) ends_at: DateTime<Utc>,
    time_zone: String,
    registration_opens_at: Option<DateTime<Utc>>,
    registration_closes_at: Option<DateTime<Utc>>,
    pub(super) capacity: Option<i32>,
    waitlist_enabled: bool,
    registration_mode: RegistrationMode,
    host_organization: Option<String>,
    co_host_organizations: Vec<String>,
    sender_email: Option<String>,
    search_text: String,
}

const MAX_CONFERENCE_DAYS: i64 = 366;

impl ConferenceFields {
    pub(super) fn validate(input: &NewConference) -> ApiResult<Self> {
        let mut v = Validator::new();
        let code = input.code.clone();
        let code_ok = (2..=64).contains(&code.len())
            && code.split('-').all(|part| {
                !part.is_empty()
                    && part
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            });
        if !code_ok {
            v.push(
                "code",
                FieldCode::InvalidFormat,
                "code must be 2-64 lower-case letters, digits and single hyphens",
            );
        }
        let title = v.required_line("title", &input.title, 300);
        let description =
            v.optional_text("description", input.description.as_deref(), 10_000, true);
        let venue_name = v.optional_text("venue_name", input.venue_name.as_deref(), 300, false);
        let venue_address =
            v.optional_text("venue_address", input.venue_address.as_deref(), 500, true);
        let host_organization = v.optional_text(
            "host_organization",
            input.host_organization.as_deref(),
            300,
            false,
        );
        let co_host_organizations = v.string_list(
            "co_host_organizations",
            input.co_host_organizations.as_deref().unwrap_or_default(),
            20,
            300,
        );
        let sender_email = crate::domain::contact::check_email(
            &mut v,
            "sender_email".to_owned(),
            input.sender_email.as_deref(),
        );

        let time_zone = input
            .time_zone
            .as_deref()
            .map(str::trim)
            .unwrap_or(DEFAULT_TIME_ZONE)
            .to_owned();
        if time_zone.len() > 64 || Tz::from_str(&time_zone).is_err() {
            v.push(
                "time_zone",
                FieldCode::UnknownTimeZone,
                "time_zone must be an IANA time zone such as Asia/Ho_Chi_Minh",
            );
        }
        let starts_at = check_timestamp(&mut v, "starts_at", &input.starts_at);
        let ends_at = check_timestamp(&mut v, "ends_at", &input.ends_at);
        if ends_at <= starts_at {
            v.push(
                "ends_at",
                FieldCode::MustBeAfterStart,
                "ends_at must be after starts_at",
            );
        } else if (ends_at - starts_at).num_days() > MAX_CONFERENCE_DAYS {
            v.push(
                "ends_at",
                FieldCode::TooLong,
                format!("a conference lasts at most {MAX_CONFERENCE_DAYS} days"),
            );
        }
        let opens = input
            .registration_opens_at
            .as_ref()
            .map(|t| check_timestamp(&mut v, "registration_opens_at", t));
        let closes = input
            .registration_closes_at
            .as_ref()
            .map(|t| check_timestamp(&mut v, "registration_closes_at", t));
        if let (Some(opens), Some(closes)) = (opens, closes)
            && closes <= opens
        {
            v.push(
                "registration_closes_at",
                FieldCode::MustBeAfterOpen,
                "registration_closes_at must be after registration_opens_at",
            );
        }
        if opens.is_some_and(|opens| opens >= ends_at) {
            v.push(
                "registration_opens_at",
                FieldCode::AfterConferenceEnd,
                "registration must open before the conference ends",
            );
        }
        if closes.is_some_and(|closes| closes > ends_at) {
            v.push(
                "registration_closes_at",
                FieldCode::AfterConferenceEnd,
                "registration must close by the end of the conference",
            );
        }
        if let Some(capacity) = input.capacity
            && !(1..=1_000_000).contains(&capacity)
        {
            v.push(
                "capacity",
                FieldCode::OutOfRange,
                "capacity must be between 1 and 1000000",
            );
        }
        let waitlist_enabled = input.waitlist_enabled.unwrap_or(false);
        if waitlist_enabled && input.capacity.is_none() {
            v.push(
                "waitlist_enabled",
                FieldCode::RequiresCapacity,
                "a waitlist needs a capacity",
            );
        }
        v.finish()?;
        let search_text = fold(&format!("{title} {code}"));
        Ok(ConferenceFields {
            code,
            title,
            description,
            venue_name,
            venue_address,
            starts_at,
            ends_at,
            time_zone,
            registration_opens_at: opens,
            registration_closes_at: closes,
            capacity: input.capacity,
            waitlist_enabled,
            registration_mode: input.registration_mode.unwrap_or(RegistrationMode::Open),
            host_organization,
            co_host_organizations,
            sender_email,
            search_text,
        })
    }

    pub(super) fn write(&self) -> db::conferences::ConferenceWrite<'_> {
        db::conferences::ConferenceWrite {
            code: &self.code,
            title: &self.title,
            description: self.description.as_deref(),
            venue_name: self.venue_name.as_deref(),
            venue_address: self.venue_address.as_deref(),
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            time_zone: &self.time_zone,
            registration_opens_at: self.registration_opens_at,
            registration_closes_at: self.registration_closes_at,
            capacity: self.capacity,
            waitlist_enabled: self.waitlist_enabled,
            registration_mode: self.registration_mode.as_str(),
            host_organization: self.host_organization.as_deref(),
            co_host_organizations: &self.co_host_organizations,
            sender_email: self.sender_email.as_deref(),
            search_text: &self.search_text,
        }
    }
}

impl NewConference {
    /// The current state of a stored conference, as input to apply a patch to.
    pub(super) fn from_row(row: &ConferenceRow) -> ApiResult<Self> {
        let tz = row.time_zone.as_str();
        Ok(NewConference {
            code: row.code.clone(),
            title: row.title.clone(),
            description: row.description.clone(),
            venue_name: row.venue_name.clone(),
            venue_address: row.venue_address.clone(),
            starts_at: in_zone(row.starts_at, tz),
            ends_at: in_zone(row.ends_at, tz),
            time_zone: Some(row.time_zone.clone()),
            registration_opens_at: row.registration_opens_at.map(|t| in_zone(t, tz)),
            registration_closes_at: row.registration_closes_at.map(|t| in_zone(t, tz)),
            capacity: row.capacity,
            waitlist_enabled: Some(row.waitlist_enabled),
            registration_mode: Some(row.registration_mode),
            host_organization: row.host_organization.clone(),
            co_host_organizations: Some(
                row.co_host_organizations
                    .iter()
                    .flatten()
                    .cloned()
                    .collect(),
            ),
            sender_email: row.sender_email.clone(),
        })
    }

    pub(super) fn apply(mut self, patch: ConferencePatch) -> Self {
        macro_rules! set {
            ($($field:ident),*) => { $(if let Some(value) = patch.$field { self.$field = value; })* };
        }
        macro_rules! set_some {
            ($($field:ident),*) => { $(if let Some(value) = patch.$field { self.$field = Some(value); })* };
        }
        set!(
            code,
            title,
            starts_at,
            ends_at,
            description,
            venue_name,
            venue_address,
            registration_opens_at,
            registration_closes_at,
            capacity,
            host_organization,
            sender_email
        );
        set_some!(
            time_zone,
            waitlist_enabled,
            registration_mode,
            co_host_organizations
        );
        self
    }
}
