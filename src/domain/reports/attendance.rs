//! The attendance and coverage report: who was invited, registered, confirmed and came, per
//! unit, unit kind, district (communes and district offices rolled up), session and day; who
//! did not come; how much of the invited units and districts was reached; who replaced whom.
//!
//! "Attended" is the live summary's "checked in" (confirmed, with a live entry at the door),
//! read through the same view and the same district rule, so the two always agree.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use diesel_async::AsyncPgConnection;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db;
use crate::domain::actor::Actor;
use crate::domain::common::reference;
use crate::domain::substitutions::{self, Substitution};
use crate::error::ApiResult;

/// Seats and people of one group (a unit, a unit kind, a district, or the whole conference).
#[derive(Debug, Default, Clone, Serialize, ToSchema)]
pub struct Figures {
    /// Seats offered by live (not revoked) invitations.
    pub invited_seats: i64,
    /// Registrations pending approval, confirmed or waitlisted.
    pub registered: i64,
    pub confirmed: i64,
    /// Confirmed delegates with a live entry at the door (the live summary's `checked_in`).
    pub attended: i64,
}

impl Figures {
    fn add(&mut self, other: &Figures) {
        self.invited_seats += other.invited_seats;
        self.registered += other.registered;
        self.confirmed += other.confirmed;
        self.attended += other.attended;
    }
}

/// Delegates of a unit with a live entry in a session.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionCount {
    pub session_id: Uuid,
    pub attended: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitAttendance {
    pub unit_id: Uuid,
    #[schema(example = "UBND xã Hợp Thịnh")]
    pub name: String,
    pub kind: String,
    /// The district it rolls up to (itself for a district), if any.
    pub district_id: Option<Uuid>,
    pub district_name: Option<String>,
    #[serde(flatten)]
    pub figures: Figures,
    /// Per session, sessions with at least one of its delegates.
    pub sessions: Vec<SessionCount>,
}

/// A unit kind (`none`: registrations without a unit).
#[derive(Debug, Serialize, ToSchema)]
pub struct KindAttendance {
    pub kind: String,
    #[serde(flatten)]
    pub figures: Figures,
}

/// A district with its communes and district-level offices rolled up.
#[derive(Debug, Serialize, ToSchema)]
pub struct DistrictAttendance {
    pub district_id: Uuid,
    #[schema(example = "Huyện Tam Dương")]
    pub name: String,
    /// Units counted here (the district itself, its communes and offices).
    pub units: i64,
    #[serde(flatten)]
    pub figures: Figures,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionReport {
    pub session_id: Uuid,
    pub title: String,
    /// Delegates with a live entry (the live summary's `checked_in`).
    pub attended: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DayReport {
    /// A local date of the conference.
    pub date: NaiveDate,
    /// Confirmed delegates with a live entry at the door that day.
    pub attended: i64,
}

/// A confirmed delegate who never came through the door.
#[derive(Debug, Serialize, ToSchema)]
pub struct NoShow {
    pub registration_id: Uuid,
    #[schema(example = "SXSH-0042")]
    pub reference: String,
    pub full_name: String,
    pub position: Option<String>,
    pub unit_name: Option<String>,
    pub district_name: Option<String>,
}

/// How much of what was invited was reached.
#[derive(Debug, Serialize, ToSchema)]
pub struct Coverage {
    /// Units with a live invitation.
    pub invited_units: i64,
    /// Of those, units with at least one delegate present.
    pub invited_units_present: i64,
    /// `invited_units_present / invited_units` (0 when nothing was invited).
    pub invited_units_share: f64,
    /// Districts with a live invitation to themselves or a unit below them.
    pub invited_districts: i64,
    /// Of those, districts with at least one delegate present (from any unit of theirs).
    pub invited_districts_present: i64,
    pub invited_districts_share: f64,
}

/// The attendance and coverage report of a conference.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttendanceReport {
    pub conference_id: Uuid,
    pub title: String,
    /// The conference's time zone, in which days and times are given.
    #[schema(example = "Asia/Ho_Chi_Minh")]
    pub time_zone: String,
    pub totals: Figures,
    pub by_unit: Vec<UnitAttendance>,
    pub by_unit_kind: Vec<KindAttendance>,
    pub by_district: Vec<DistrictAttendance>,
    pub by_session: Vec<SessionReport>,
    pub by_day: Vec<DayReport>,
    pub coverage: Coverage,
    pub no_shows: Vec<NoShow>,
    pub substitutions: Vec<Substitution>,
}

fn share(part: i64, whole: i64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        // Counts stay far below 2^52, so the conversion is exact.
        #[allow(clippy::cast_precision_loss)]
        let share = part as f64 / whole as f64;
        share
    }
}

/// Computes the report. A 404 for a conference the caller does not organize.
pub async fn report(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    conference_id: Uuid,
) -> ApiResult<AttendanceReport> {
    let conference = super::organizer_view(conn, actor, conference_id).await?;
    let unit_rows = db::reports::units(conn, conference_id).await?;
    let mut unit_sessions: HashMap<Option<Uuid>, Vec<SessionCount>> = HashMap::new();
    for row in db::reports::unit_sessions(conn, conference_id).await? {
        unit_sessions
            .entry(row.unit_id)
            .or_default()
            .push(SessionCount {
                session_id: row.session_id,
                attended: row.attended,
            });
    }
    let by_session = db::attendance::sessions(conn, conference_id)
        .await?
        .into_iter()
        .map(|s| SessionReport {
            session_id: s.id,
            title: s.title,
            attended: s.checked_in,
        })
        .collect();
    let by_day = db::reports::days(conn, conference_id)
        .await?
        .into_iter()
        .map(|d| DayReport {
            date: d.day,
            attended: d.attended,
        })
        .collect();
    let no_shows = db::reports::no_shows(conn, conference_id)
        .await?
        .into_iter()
        .map(|r| NoShow {
            registration_id: r.id,
            reference: reference(&conference.code, r.number),
            full_name: r.full_name,
            position: r.position,
            unit_name: r.unit_name,
            district_name: r.district_name,
        })
        .collect();
    let substitutions = substitutions::of_conference(conn, conference_id, &conference.code).await?;

    let mut totals = Figures::default();
    let mut kinds: BTreeMap<String, Figures> = BTreeMap::new();
    let mut districts: BTreeMap<Uuid, (String, i64, Figures)> = BTreeMap::new();
    let mut invited_districts: HashSet<Uuid> = HashSet::new();
    let mut by_unit = Vec::new();
    let (mut invited_units, mut invited_units_present) = (0, 0);
    for row in unit_rows {
        let figures = Figures {
            invited_seats: row.invited_seats,
            registered: row.registered,
            confirmed: row.confirmed,
            attended: row.attended,
        };
        totals.add(&figures);
        let kind = row.kind.clone().unwrap_or_else(|| "none".to_owned());
        kinds.entry(kind.clone()).or_default().add(&figures);
        if let (Some(id), Some(name)) = (row.district_id, row.district_name.clone()) {
            let entry = districts
                .entry(id)
                .or_insert_with(|| (name, 0, Figures::default()));
            entry.1 += 1;
            entry.2.add(&figures);
            if figures.invited_seats > 0 {
                invited_districts.insert(id);
            }
        }
        if figures.invited_seats > 0 {
            invited_units += 1;
            if figures.attended > 0 {
                invited_units_present += 1;
            }
        }
        if let Some(unit_id) = row.unit_id {
            by_unit.push(UnitAttendance {
                unit_id,
                name: row.name.unwrap_or_default(),
                kind,
                district_id: row.district_id,
                district_name: row.district_name,
                figures,
                sessions: unit_sessions.remove(&Some(unit_id)).unwrap_or_default(),
            });
        }
    }
    let invited_districts_present = invited_districts
        .iter()
        .filter(|id| districts.get(id).is_some_and(|d| d.2.attended > 0))
        .count();
    let invited_districts_present = i64::try_from(invited_districts_present).unwrap_or(i64::MAX);
    let invited_districts = i64::try_from(invited_districts.len()).unwrap_or(i64::MAX);
    let mut by_district: Vec<DistrictAttendance> = districts
        .into_iter()
        .map(|(district_id, (name, units, figures))| DistrictAttendance {
            district_id,
            name,
            units,
            figures,
        })
        .collect();
    by_district.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(AttendanceReport {
        conference_id,
        title: conference.title,
        time_zone: conference.time_zone,
        totals,
        by_unit,
        by_unit_kind: kinds
            .into_iter()
            .map(|(kind, figures)| KindAttendance { kind, figures })
            .collect(),
        by_district,
        by_session,
        by_day,
        coverage: Coverage {
            invited_units,
            invited_units_present,
            invited_units_share: share(invited_units_present, invited_units),
            invited_districts,
            invited_districts_present,
            invited_districts_share: share(invited_districts_present, invited_districts),
        },
        no_shows,
        substitutions,
    })
}
