//! Substitutions: who replaced whom on a seat, when, and by whose hand. The post-event report
//! quotes them; organizers see them on a registration and as a filtered list per conference.

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::db::registrations::{SubstitutionActor, SubstitutionFilter, SubstitutionRow};
use crate::db::{self};
use crate::domain::actor::Actor;
use crate::domain::common::reference;
use crate::domain::common::{Access, Lock, load, text_enum};
use crate::domain::{check_query_date, pagination};
use crate::error::{ApiError, ApiResult, ErrorCode};

text_enum! {
    /// Who made a substitution.
    SubstitutedBy {
        /// The unit's contact, through the invitation link.
        Invitation => "invitation",
        /// An organizer's account (kept for rows recorded that way; no endpoint makes them today).
        Organizer => "organizer",
        /// A door device, for a walk-in.
        Door => "door",
    }
}

/// The hand behind a substitution, as the domain knows it.
#[derive(Debug, Clone, Copy)]
pub enum Substituter {
    /// The unit's contact holding this invitation's link.
    Invitation(Uuid),
    /// This door device.
    Door(Uuid),
}

impl Substituter {
    pub fn as_actor(self) -> SubstitutionActor<'static> {
        match self {
            Substituter::Invitation(id) => SubstitutionActor {
                kind: SubstitutedBy::Invitation.as_str(),
                invitation_id: Some(id),
                device_id: None,
            },
            Substituter::Door(id) => SubstitutionActor {
                kind: SubstitutedBy::Door.as_str(),
                invitation_id: None,
                device_id: Some(id),
            },
        }
    }
}

/// One substitution: the person who gave up the seat, the one who took it, when and by whom.
/// Carries no contact details of either person.
#[derive(Debug, Serialize, ToSchema)]
pub struct Substitution {
    pub id: Uuid,
    /// The registration (the seat) that changed hands.
    pub registration_id: Uuid,
    /// The registration's human reference.
    #[schema(example = "SXSH-0042")]
    pub reference: String,
    /// The person replaced.
    #[schema(example = "Nguyễn Văn An")]
    pub previous_name: String,
    /// The replaced person's position (`null` when none was given, and for substitutions
    /// recorded before positions were kept).
    #[schema(example = "Phó Chủ tịch UBND")]
    pub previous_position: Option<String>,
    /// The replaced person's unit.
    pub previous_unit_id: Option<Uuid>,
    pub previous_unit_name: Option<String>,
    /// The person who took the seat, as named at the time.
    #[schema(example = "Lê Văn Cường")]
    pub new_name: String,
    pub by: SubstitutedBy,
    /// With `by = invitation`: the invitation whose link was used.
    pub invitation_id: Option<Uuid>,
    /// With `by = door`: the device that registered the walk-in (`null` for walk-ins recorded
    /// before devices were kept).
    pub device_id: Option<Uuid>,
    #[schema(example = "Cửa chính 1")]
    pub device_name: Option<String>,
    pub substituted_at: DateTime<Utc>,
}

/// A substitution in a registration's history, with the replaced person's contact details
/// (shown only to the conference's organizers, on the registration itself).
#[derive(Debug, Serialize, ToSchema)]
pub struct RegistrationSubstitution {
    #[serde(flatten)]
    pub substitution: Substitution,
    /// The replaced person's email.
    pub previous_email: Option<String>,
    /// The replaced person's phone (E.164).
    pub previous_phone: Option<String>,
}

/// Filters of the substitution list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SubstitutionQuery {
    /// Page size (1-500, default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// Opaque cursor from a previous page's `next_cursor`: pass it back unchanged (its form
    /// may change between versions; an altered one is a 400 `invalid_cursor`).
    #[param(max_length = 200)]
    pub cursor: Option<String>,
    /// The replaced person's unit.
    pub unit_id: Option<Uuid>,
    /// A district (or any unit): substitutions on seats of it and of every unit below it.
    pub district_id: Option<Uuid>,
    /// Who made them.
    pub by: Option<SubstitutedBy>,
    /// Made on or after this date (YYYY-MM-DD, in the conference's time zone).
    pub from: Option<NaiveDate>,
    /// Made on or before this date (YYYY-MM-DD, in the conference's time zone).
    pub to: Option<NaiveDate>,
}

fn to_substitution(row: SubstitutionRow, code: &str) -> ApiResult<RegistrationSubstitution> {
    Ok(RegistrationSubstitution {
        substitution: Substitution {
            id: row.id,
            registration_id: row.registration_id,
            reference: reference(code, row.registration_number),
            previous_name: row.previous_name,
            previous_position: row.previous_position,
            previous_unit_id: row.previous_unit_id,
            previous_unit_name: row.previous_unit_name,
            new_name: row.new_name,
            by: row.substituted_by.parse()?,
            invitation_id: row.invitation_id,
            device_id: row.device_id,
            device_name: row.device_name,
            substituted_at: row.substituted_at,
        },
        previous_email: row.previous_email,
        previous_phone: row.previous_phone,
    })
}

/// A registration's substitutions, oldest first. The caller has checked access.
pub async fn of_registration(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
    conference_code: &str,
    registration_id: Uuid,
) -> ApiResult<Vec<RegistrationSubstitution>> {
    let rows = db::registrations::substitutions(
        conn,
        conference_id,
        SubstitutionFilter {
            registration_id: Some(registration_id),
            limit: i64::MAX,
            ..Default::default()
        },
    )
    .await?;
    rows.into_iter()
        .map(|row| to_substitution(row, conference_code))
        .collect()
}

/// Every substitution of a conference, oldest first, without contact details (for the
/// post-event report). The caller has checked access.
pub async fn of_conference(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
    conference_code: &str,
) -> ApiResult<Vec<Substitution>> {
    let rows = db::registrations::substitutions(
        conn,
        conference_id,
        SubstitutionFilter {
            limit: i64::MAX,
            ..Default::default()
        },
    )
    .await?;
    rows.into_iter()
        .map(|row| to_substitution(row, conference_code).map(|s| s.substitution))
        .collect()
}

/// Midnight starting `date` in the conference's time zone.
fn start_of(date: NaiveDate, time_zone: &str) -> DateTime<Utc> {
    let tz: Tz = time_zone.parse().unwrap_or(chrono_tz::Asia::Ho_Chi_Minh);
    let midnight = date.and_time(NaiveTime::MIN);
    tz.from_local_datetime(&midnight)
        .earliest()
        .map(|at| at.with_timezone(&Utc))
        // A zone that skips midnight (a DST change): the UTC reading is within an hour.
        .unwrap_or_else(|| Utc.from_utc_datetime(&midnight))
}

/// A conference's substitutions, oldest first, without contact details.
pub async fn list(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    conference_id: Uuid,
    query: SubstitutionQuery,
) -> ApiResult<(Vec<Substitution>, Option<String>)> {
    let limit = pagination::fetch_limit(query.limit)?;
    let after = pagination::decode(query.cursor.as_deref())?;
    let from = check_query_date("from", query.from)?;
    let to = check_query_date("to", query.to)?;
    if let (Some(from), Some(to)) = (from, to)
        && to < from
    {
        return Err(ApiError::bad_request(
            ErrorCode::InvalidQueryParameter,
            "to must not be before from",
        ));
    }
    let conference = load(
        conn,
        conference_id,
        Some(actor),
        Access::Private,
        Lock::None,
    )
    .await?;
    let zone = conference.time_zone.as_str();
    let rows = db::registrations::substitutions(
        conn,
        conference_id,
        SubstitutionFilter {
            registration_id: None,
            unit_id: query.unit_id,
            within_unit: query.district_id,
            kind: query.by.map(SubstitutedBy::as_str),
            from: from.map(|date| start_of(date, zone)),
            until: to
                .and_then(|date| date.succ_opt())
                .map(|date| start_of(date, zone)),
            after,
            limit,
        },
    )
    .await?;
    let (rows, next) = pagination::finish(rows, limit, |row| (row.substituted_at, row.id));
    let items = rows
        .into_iter()
        .map(|row| to_substitution(row, &conference.code).map(|s| s.substitution))
        .collect::<ApiResult<_>>()?;
    Ok((items, next))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_local_date_starts_at_local_midnight() {
        let date = NaiveDate::from_ymd_opt(2030, 7, 19).unwrap();
        assert_eq!(
            start_of(date, "Asia/Ho_Chi_Minh").to_rfc3339(),
            "2030-07-18T17:00:00+00:00"
        );
    }
}
