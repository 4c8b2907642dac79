//! Certificates of attendance (giấy chứng nhận): issued to delegates who attended by the rule
//! the organizer chooses, each with a verification code anyone can check at a public URL that
//! confirms the name, the conference and its dates, and nothing else.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use rand::Rng;
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::pdf::{A4_LANDSCAPE, Align, Canvas, MARGIN, Pdf, Weight};
use super::sheets::keep;
use super::{Labels, PAGE_ROWS, Printout, check_unit, event_dates, send, with_renderer, zone};
use crate::db::printouts::{CertificateRow, Rule};
use crate::db::{self, conferences::ConferenceRow};
use crate::domain::actor::Actor;
use crate::domain::common::{Access, Lang, Lock, load, text_enum};
use crate::domain::retrying_transaction;
use crate::error::{ApiError, ApiResult, ErrorCode, FieldCode, FieldError};

text_enum! {
    /// Who counts as having attended.
    AttendanceRule {
        /// Entered at the door (a live door check-in).
        Door => "door",
        /// Checked into at least `min_sessions` sessions.
        Sessions => "sessions",
    }
}

/// The attendance rule and the scope of a certificate run.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CertificateQuery {
    /// Language of the certificate: `vi` (default) or `en`.
    #[param(value_type = Option<Lang>)]
    pub lang: Option<String>,
    /// `door` (default) or `sessions`.
    #[param(value_type = Option<AttendanceRule>)]
    pub rule: Option<String>,
    /// With `rule=sessions` (and only then): the fewest sessions attended, 1 to 1000.
    #[param(value_type = Option<i32>, minimum = 1, maximum = 1000)]
    pub min_sessions: Option<String>,
    /// Only the delegates of this unit (not with one registration).
    pub unit_id: Option<Uuid>,
}

/// What a certificate's code confirms: no more than is printed on it.
#[derive(Debug, Serialize, ToSchema)]
pub struct VerifiedCertificate {
    /// The code, as printed.
    #[schema(example = "7K2QF-M9X4D")]
    pub code: String,
    #[schema(example = "Nguyễn Văn An")]
    pub full_name: String,
    #[schema(example = "Hội thảo sản xuất sạch hơn")]
    pub conference_title: String,
    /// First day of the conference, in its time zone.
    pub starts_on: NaiveDate,
    /// Last day of the conference, in its time zone.
    pub ends_on: NaiveDate,
    pub issued_at: DateTime<Utc>,
}

/// Crockford's base32 alphabet: no I, L, O or U, so a code read from paper is not misread.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const CODE_LENGTH: usize = 10;

/// A fresh code: 50 bits from the thread's CSPRNG.
fn new_code() -> String {
    let mut rng = rand::rng();
    (0..CODE_LENGTH)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}

/// `7K2QFM9X4D` → `7K2QF-M9X4D`, as printed.
fn display(code: &str) -> String {
    let (head, tail) = code.split_at(code.len().min(CODE_LENGTH / 2));
    format!("{head}-{tail}")
}

/// A code as typed: dashes, spaces and case ignored, `O` read as `0`, `I` and `L` as `1`.
/// `None` when it cannot be a code.
fn normalize(typed: &str) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        })
        .collect();
    (code.len() == CODE_LENGTH && code.bytes().all(|b| ALPHABET.contains(&b))).then_some(code)
}

fn parse_rule(query: &CertificateQuery) -> ApiResult<(Lang, AttendanceRule, Option<i32>)> {
    let mut errors = Vec::new();
    let lang = keep(&mut errors, Lang::from_query(query.lang.as_deref()));
    let rule = keep(
        &mut errors,
        query.rule.as_deref().map_or(Ok(AttendanceRule::Door), |v| {
            AttendanceRule::parse_field("rule", v)
        }),
    );
    let min_sessions = match (rule, query.min_sessions.as_deref()) {
        (Some(AttendanceRule::Sessions), None) => {
            errors.push(FieldError::new(
                "min_sessions",
                FieldCode::Required,
                "min_sessions is required with rule=sessions",
            ));
            None
        }
        (Some(AttendanceRule::Door), Some(_)) => {
            errors.push(FieldError::new(
                "min_sessions",
                FieldCode::NotAllowed,
                "min_sessions goes with rule=sessions only",
            ));
            None
        }
        (_, Some(value)) => match value.parse::<i32>() {
            Ok(n) if (1..=1000).contains(&n) => Some(n),
            _ => {
                errors.push(FieldError::new(
                    "min_sessions",
                    FieldCode::OutOfRange,
                    "min_sessions must be a whole number from 1 to 1000",
                ));
                None
            }
        },
        (_, None) => None,
    };
    match (lang, rule) {
        (Some(lang), Some(rule)) if errors.is_empty() => Ok((lang, rule, min_sessions)),
        _ => Err(ApiError::validation(errors)),
    }
}

/// Issues (on first generation) and prints the certificates of the delegates who attended by
/// the rule: of the conference, of a unit, or of one registration (409 `not_attended` when it
/// did not). `verify_base` is the URL a code is appended to.
pub async fn certificates(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    conference_id: Uuid,
    registration_id: Option<Uuid>,
    query: CertificateQuery,
    verify_base: &str,
) -> ApiResult<Printout> {
    let (lang, kind, min_sessions) = parse_rule(&query)?;
    if registration_id.is_some() && query.unit_id.is_some() {
        return Err(ApiError::validation(vec![FieldError::new(
            "unit_id",
            FieldCode::NotAllowed,
            "unit_id does not go with one registration",
        )]));
    }
    let conference = load(
        conn,
        conference_id,
        Some(actor),
        Access::Private,
        Lock::None,
    )
    .await?;
    check_unit(conn, "unit_id", query.unit_id).await?;
    let rule = Rule {
        kind: kind.as_str(),
        min_sessions,
    };
    let unit_id = query.unit_id;
    let labels = Labels::of(lang);
    let mut filename = format!("{} - {}", labels.certificate_file, conference.code);
    if let Some(id) = registration_id {
        let registration = db::registrations::find(conn, conference_id, id, false)
            .await?
            .ok_or_else(|| ApiError::not_found("registration not found"))?;
        filename = format!("{filename} - {}", registration.full_name);
    }
    filename.push_str(".pdf");

    issue(conn, conference_id, rule, unit_id, registration_id).await?;
    if registration_id.is_some()
        && db::printouts::certificate_page(conn, conference_id, rule, None, registration_id, 0, 1)
            .await?
            .is_empty()
    {
        return Err(ApiError::conflict(
            ErrorCode::NotAttended,
            "this registration did not attend by the rule (or is not confirmed)",
        ));
    }

    let page = CertificatePage::new(&conference, labels, verify_base);
    let bytes = with_renderer(
        move |receiver| render(page, receiver),
        async |sender| {
            conn.build_transaction()
                .read_only()
                .repeatable_read()
                .run(async |conn| {
                    produce(conn, conference_id, rule, unit_id, registration_id, sender).await
                })
                .await
        },
    )
    .await?;
    Ok(Printout { filename, bytes })
}

/// Gives every attendee without a certificate one, with a fresh code. Idempotent: one already
/// issued (here or by a concurrent request) keeps its code. A code drawn twice is skipped by the
/// insert and drawn again on the next round.
async fn issue(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
    rule: Rule<'_>,
    unit_id: Option<Uuid>,
    registration_id: Option<Uuid>,
) -> ApiResult<()> {
    for _ in 0..3 {
        let issued = retrying_transaction!(conn, async |conn| {
            let pending = db::printouts::attended_without_certificate(
                conn,
                conference_id,
                rule,
                unit_id,
                registration_id,
            )
            .await?;
            for chunk in pending.chunks(PAGE_ROWS as usize) {
                let codes: Vec<(Uuid, String)> = chunk.iter().map(|id| (*id, new_code())).collect();
                db::printouts::insert_certificates(conn, conference_id, &codes, rule).await?;
            }
            Ok(pending.len())
        })?;
        if issued == 0 {
            break;
        }
    }
    Ok(())
}

async fn produce(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
    rule: Rule<'_>,
    unit_id: Option<Uuid>,
    registration_id: Option<Uuid>,
    sender: &mpsc::Sender<Vec<CertificateRow>>,
) -> ApiResult<()> {
    let mut after = 0;
    loop {
        let page = db::printouts::certificate_page(
            conn,
            conference_id,
            rule,
            unit_id,
            registration_id,
            after,
            PAGE_ROWS,
        )
        .await?;
        let Some(last) = page.last() else { break };
        after = last.number;
        let full = page.len() as i64 == PAGE_ROWS;
        send(sender, page).await?;
        if !full {
            break;
        }
    }
    Ok(())
}

/// What every certificate of a conference shares.
struct CertificatePage {
    labels: &'static Labels,
    title: String,
    host: Option<String>,
    dates: String,
    venue: Option<String>,
    tz: Tz,
    verify_base: String,
}

impl CertificatePage {
    fn new(conference: &ConferenceRow, labels: &'static Labels, verify_base: &str) -> Self {
        let tz = zone(&conference.time_zone);
        Self {
            labels,
            title: conference.title.clone(),
            host: conference.host_organization.clone(),
            dates: event_dates(conference.starts_at, conference.ends_at, tz),
            venue: conference.venue_name.clone(),
            tz,
            verify_base: verify_base.to_owned(),
        }
    }

    fn draw(&self, canvas: &mut Canvas<'_, '_>, row: &CertificateRow) -> ApiResult<()> {
        let labels = self.labels;
        let (width, height) = (canvas.width, canvas.height);
        canvas.frame(
            MARGIN,
            MARGIN,
            width - 2.0 * MARGIN,
            height - 2.0 * MARGIN,
            2.0,
        );
        canvas.frame(
            MARGIN + 6.0,
            MARGIN + 6.0,
            width - 2.0 * MARGIN - 12.0,
            height - 2.0 * MARGIN - 12.0,
            0.6,
        );
        let (x, inner) = (MARGIN + 30.0, width - 2.0 * MARGIN - 60.0);
        if let Some(host) = &self.host {
            canvas.text(
                &host.to_uppercase(),
                x,
                90.0,
                inner,
                11.0,
                Weight::Bold,
                Align::Center,
            );
        }
        canvas.text(
            labels.certificate_title,
            x,
            150.0,
            inner,
            28.0,
            Weight::Bold,
            Align::Center,
        );
        canvas.text(
            labels.certify,
            x,
            195.0,
            inner,
            13.0,
            Weight::Regular,
            Align::Center,
        );
        canvas.text(
            &row.full_name,
            x,
            232.0,
            inner,
            24.0,
            Weight::Bold,
            Align::Center,
        );
        let affiliation: Vec<&str> = [
            row.position.as_deref(),
            row.unit_name.as_deref().or(row.organization.as_deref()),
        ]
        .into_iter()
        .flatten()
        .collect();
        canvas.text(
            &affiliation.join(", "),
            x,
            258.0,
            inner,
            12.0,
            Weight::Regular,
            Align::Center,
        );
        canvas.text(
            labels.attended,
            x,
            290.0,
            inner,
            13.0,
            Weight::Regular,
            Align::Center,
        );
        let mut y = 320.0;
        for line in canvas.fonts.wrap(&self.title, inner, 16.0, Weight::Bold, 2) {
            canvas.text(&line, x, y, inner, 16.0, Weight::Bold, Align::Center);
            y += 21.0;
        }
        let mut held = format!("{} {}", labels.held_on, self.dates);
        if let Some(venue) = &self.venue {
            held.push_str(&format!(" {} {venue}", labels.at));
        }
        canvas.text(
            &held,
            x,
            y + 8.0,
            inner,
            12.0,
            Weight::Regular,
            Align::Center,
        );

        let url = format!("{}{}", self.verify_base, row.code);
        let issued = row.issued_at.with_timezone(&self.tz).format("%d/%m/%Y");
        let issued = format!("{}: {issued}", labels.issued_on);
        canvas.text(
            &issued,
            x,
            height - 130.0,
            inner,
            11.0,
            Weight::Regular,
            Align::Right,
        );
        let code = format!("{}: {}", labels.code, display(&row.code));
        canvas.text(
            &code,
            x + 80.0,
            height - 92.0,
            inner - 80.0,
            11.0,
            Weight::Bold,
            Align::Left,
        );
        let verify = format!("{}: {url}", labels.verify_at);
        canvas.text(
            &verify,
            x + 80.0,
            height - 76.0,
            inner - 80.0,
            9.0,
            Weight::Regular,
            Align::Left,
        );
        canvas.qr(&url, x, height - 130.0, 68.0)
    }
}

fn render(
    page: CertificatePage,
    mut receiver: mpsc::Receiver<Vec<CertificateRow>>,
) -> ApiResult<Vec<u8>> {
    let mut pdf = Pdf::new(&format!(
        "{} - {}",
        page.labels.certificate_title, page.title
    ))?;
    while let Some(rows) = receiver.blocking_recv() {
        for row in &rows {
            pdf.draw_page(A4_LANDSCAPE, |canvas| page.draw(canvas, row))?;
        }
    }
    pdf.finish()
}

/// What a code stands for, to anyone: 404 for a code never issued, mistyped beyond repair, or
/// whose registration is no longer confirmed.
pub async fn verify(conn: &mut AsyncPgConnection, typed: &str) -> ApiResult<VerifiedCertificate> {
    let not_found = || ApiError::not_found("no certificate with this code");
    let code = normalize(typed).ok_or_else(not_found)?;
    let row = db::printouts::verify(conn, &code)
        .await?
        .ok_or_else(not_found)?;
    let tz = zone(&row.time_zone);
    Ok(VerifiedCertificate {
        code: display(&code),
        full_name: row.full_name,
        conference_title: row.conference_title,
        starts_on: row.starts_at.with_timezone(&tz).date_naive(),
        ends_on: row.ends_at.with_timezone(&tz).date_naive(),
        issued_at: row.issued_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_ten_crockford_characters_and_survive_retyping() {
        let code = new_code();
        assert_eq!(code.len(), 10);
        assert_eq!(normalize(&display(&code).to_lowercase()), Some(code));
        assert_eq!(normalize("7k2qf-m9x4o").as_deref(), Some("7K2QFM9X40"));
        assert_eq!(normalize("7K2QF"), None);
        assert_eq!(normalize("7K2QF-M9X4U"), None);
    }

    #[test]
    fn the_sessions_rule_needs_a_count_and_the_door_rule_refuses_one() {
        let query = |rule: &str, min: Option<&str>| CertificateQuery {
            rule: Some(rule.into()),
            min_sessions: min.map(Into::into),
            ..CertificateQuery::default()
        };
        assert!(parse_rule(&query("sessions", None)).is_err());
        assert!(parse_rule(&query("door", Some("2"))).is_err());
        assert!(parse_rule(&query("sessions", Some("0"))).is_err());
        assert!(parse_rule(&query("sessions", Some("x"))).is_err());
        assert!(parse_rule(&query("weekly", None)).is_err());
        assert!(matches!(
            parse_rule(&query("sessions", Some("2"))),
            Ok((Lang::Vi, AttendanceRule::Sessions, Some(2)))
        ));
    }
}
