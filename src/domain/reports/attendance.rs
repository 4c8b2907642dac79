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

use super::{Cell, ChartSpec, Labels, Row, SheetHead};
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

const FIGURE_HEADERS: &[(&str, &str)] = &[
    ("Số chỗ được mời", "Invited seats"),
    ("Đăng ký", "Registered"),
    ("Đã xác nhận", "Confirmed"),
    ("Có mặt", "Attended"),
];

fn figure_cells(f: &Figures) -> [Cell; 4] {
    [
        Cell::Int(f.invited_seats),
        Cell::Int(f.registered),
        Cell::Int(f.confirmed),
        Cell::Int(f.attended),
    ]
}

fn head(
    labels: &Labels,
    name: (&'static str, &'static str),
    first: &[(&'static str, &'static str)],
    figures: bool,
) -> SheetHead {
    let mut headers = labels.headers(first);
    if figures {
        headers.extend(labels.headers(FIGURE_HEADERS));
    }
    SheetHead {
        name: labels.pick(name.0, name.1).to_owned(),
        headers,
    }
}

/// The report as sheets: summary, by unit, by district, by session, no-shows, substitutions
/// (the last one always last: the package moves it behind the long lists).
pub fn sheets(report: &AttendanceReport, labels: &Labels) -> Vec<(SheetHead, Vec<Row>)> {
    let mut summary: Vec<Row> = vec![vec![
        Cell::Text(labels.pick("Hội thảo", "Conference").to_owned()),
        Cell::Text(report.title.clone()),
    ]];
    let pairs: [(&str, &str, i64); 4] = [
        (
            "Số chỗ được mời",
            "Invited seats",
            report.totals.invited_seats,
        ),
        ("Đăng ký", "Registered", report.totals.registered),
        ("Đã xác nhận", "Confirmed", report.totals.confirmed),
        ("Có mặt", "Attended", report.totals.attended),
    ];
    for (vi, en, n) in pairs {
        summary.push(vec![
            Cell::Text(labels.pick(vi, en).to_owned()),
            Cell::Int(n),
        ]);
    }
    let c = &report.coverage;
    summary.push(vec![
        Cell::Text(
            labels
                .pick("Đơn vị được mời có mặt", "Invited units present")
                .to_owned(),
        ),
        Cell::Share(c.invited_units_share),
    ]);
    summary.push(vec![
        Cell::Text(
            labels
                .pick("Huyện được mời có mặt", "Invited districts present")
                .to_owned(),
        ),
        Cell::Share(c.invited_districts_share),
    ]);
    for day in &report.by_day {
        let what = labels.pick("Có mặt ngày", "Attended on");
        summary.push(vec![
            Cell::Text(format!("{what} {}", day.date)),
            Cell::Int(day.attended),
        ]);
    }
    let kinds = report
        .by_unit_kind
        .iter()
        .map(|k| {
            let mut row = vec![Cell::Text(labels.value(&k.kind))];
            row.extend(figure_cells(&k.figures));
            row
        })
        .collect();

    let units = report
        .by_unit
        .iter()
        .map(|u| {
            let mut row = vec![
                Cell::opt_text(u.district_name.clone()),
                Cell::Text(u.name.clone()),
                Cell::Text(labels.value(&u.kind)),
            ];
            row.extend(figure_cells(&u.figures));
            row
        })
        .collect();
    let districts = report
        .by_district
        .iter()
        .map(|d| {
            let mut row = vec![Cell::Text(d.name.clone()), Cell::Int(d.units)];
            row.extend(figure_cells(&d.figures));
            row
        })
        .collect();
    let sessions = report
        .by_session
        .iter()
        .map(|s| vec![Cell::Text(s.title.clone()), Cell::Int(s.attended)])
        .collect();
    let no_shows = report
        .no_shows
        .iter()
        .map(|n| {
            vec![
                Cell::Text(n.reference.clone()),
                Cell::Text(n.full_name.clone()),
                Cell::opt_text(n.position.clone()),
                Cell::opt_text(n.unit_name.clone()),
                Cell::opt_text(n.district_name.clone()),
            ]
        })
        .collect();
    let substitutions = report
        .substitutions
        .iter()
        .map(|s| {
            vec![
                super::time_cell(labels, Some(s.substituted_at)),
                Cell::Text(s.reference.clone()),
                Cell::Text(s.previous_name.clone()),
                Cell::opt_text(s.previous_unit_name.clone()),
                Cell::Text(s.new_name.clone()),
                Cell::Text(labels.value(s.by.as_str())),
                Cell::opt_text(s.device_name.clone()),
            ]
        })
        .collect();
    vec![
        (
            head(
                labels,
                ("Tổng hợp", "Summary"),
                &[("Mục", "Item"), ("Giá trị", "Value")],
                false,
            ),
            summary,
        ),
        (
            head(
                labels,
                ("Theo đơn vị", "By unit"),
                &[
                    ("Huyện", "District"),
                    ("Đơn vị", "Unit"),
                    ("Loại đơn vị", "Unit kind"),
                ],
                true,
            ),
            units,
        ),
        (
            head(
                labels,
                ("Theo loại đơn vị", "By unit kind"),
                &[("Loại đơn vị", "Unit kind")],
                true,
            ),
            kinds,
        ),
        (
            head(
                labels,
                ("Theo huyện", "By district"),
                &[("Huyện", "District"), ("Số đơn vị", "Units")],
                true,
            ),
            districts,
        ),
        (
            head(
                labels,
                ("Theo phiên", "By session"),
                &[("Phiên", "Session"), ("Có mặt", "Attended")],
                false,
            ),
            sessions,
        ),
        (
            head(
                labels,
                ("Vắng mặt", "No-shows"),
                &[
                    ("Mã đăng ký", "Reference"),
                    ("Họ và tên", "Full name"),
                    ("Chức vụ", "Position"),
                    ("Đơn vị", "Unit"),
                    ("Huyện", "District"),
                ],
                false,
            ),
            no_shows,
        ),
        (
            head(
                labels,
                ("Thay thế", "Substitutions"),
                &[
                    ("Thời điểm", "When"),
                    ("Mã đăng ký", "Reference"),
                    ("Người được thay", "Replaced"),
                    ("Đơn vị", "Unit"),
                    ("Người thay", "Replaced by"),
                    ("Thực hiện qua", "By"),
                    ("Thiết bị", "Device"),
                ],
                false,
            ),
            substitutions,
        ),
    ]
}

/// Bar charts of the by-district, by-unit-kind and by-session sheets (their names and columns
/// as [`sheets`] writes them), the same three as the SVG charts.
pub fn charts(report: &AttendanceReport, labels: &Labels) -> Vec<ChartSpec> {
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    let confirmed = labels.pick("Đã xác nhận", "Confirmed").to_owned();
    let attended = labels.pick("Có mặt", "Attended").to_owned();
    vec![
        ChartSpec {
            title: labels
                .pick("Tham dự theo huyện", "Attendance by district")
                .to_owned(),
            sheet: labels.pick("Theo huyện", "By district").to_owned(),
            rows: count(report.by_district.len()),
            label_column: 0,
            series: vec![(confirmed.clone(), 4), (attended.clone(), 5)],
        },
        ChartSpec {
            title: labels
                .pick("Tham dự theo loại đơn vị", "Attendance by unit kind")
                .to_owned(),
            sheet: labels.pick("Theo loại đơn vị", "By unit kind").to_owned(),
            rows: count(report.by_unit_kind.len()),
            label_column: 0,
            series: vec![(confirmed, 3), (attended.clone(), 4)],
        },
        ChartSpec {
            title: labels
                .pick("Tham dự theo phiên", "Attendance by session")
                .to_owned(),
            sheet: labels.pick("Theo phiên", "By session").to_owned(),
            rows: count(report.by_session.len()),
            label_column: 0,
            series: vec![(attended, 1)],
        },
    ]
}
