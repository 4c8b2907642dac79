//! The scan functions of migration 140000 called directly against the database: the typed
//! contract (`checkin_outcome`) every outcome, replay, door day, batch order and supersede rule
//! must keep, whatever binary calls it. Rows are set up with plain SQL; the conference is in
//! the past (July 2026) so that offline door times are not flagged as in the future.

use tokio_postgres::Client;

use crate::helpers::TestDatabase;

const CONFERENCE: &str = "00000000-0000-4000-8000-0000000000c1";
const OTHER_CONFERENCE: &str = "00000000-0000-4000-8000-0000000000c2";
const SIGNUP_SESSION: &str = "00000000-0000-4000-8000-0000000000e1";
const OPEN_SESSION: &str = "00000000-0000-4000-8000-0000000000e2";
/// Confirmed; registration ids sort A < B < ….
const DELEGATE_A: &str = "00000000-0000-4000-8000-0000000000a1";
const DELEGATE_B: &str = "00000000-0000-4000-8000-0000000000b1";
const CANCELLED: &str = "00000000-0000-4000-8000-0000000000d1";
const REJECTED: &str = "00000000-0000-4000-8000-0000000000d2";
const PENDING: &str = "00000000-0000-4000-8000-0000000000d3";
const WAITLISTED: &str = "00000000-0000-4000-8000-0000000000d4";
const OF_OTHER_CONFERENCE: &str = "00000000-0000-4000-8000-0000000000d5";
/// The main door's token; `SIDE_DOOR` serves only `OPEN_SESSION`; `OTHER_DOOR` is the other
/// conference's.
const MAIN_DOOR: &str = "tok-main";
const SIDE_DOOR: &str = "tok-side";
const OTHER_DOOR: &str = "tok-other";

const SETUP: &str = "
INSERT INTO conferences (id, code, title, starts_at, ends_at, search_text, time_zone) VALUES
  ('00000000-0000-4000-8000-0000000000c1', 'sxsh', 'Hội thảo', '2026-07-19 08:00+07', '2026-07-20 17:00+07', 'hoi thao', 'Asia/Ho_Chi_Minh'),
  ('00000000-0000-4000-8000-0000000000c2', 'khac', 'Hội thảo khác', '2026-07-19 08:00+07', '2026-07-20 17:00+07', 'hoi thao khac', 'Asia/Ho_Chi_Minh');
INSERT INTO units (id, name, kind, search_name) VALUES
  ('00000000-0000-4000-8000-0000000000f1', 'Sở Tài nguyên và Môi trường', 'agency', 'so tai nguyen va moi truong');
INSERT INTO conference_sessions (id, conference_id, title, kind, starts_at, ends_at, signup_required) VALUES
  ('00000000-0000-4000-8000-0000000000e1', '00000000-0000-4000-8000-0000000000c1', 'Tham quan', 'visit', '2026-07-19 09:00+07', '2026-07-19 10:00+07', true),
  ('00000000-0000-4000-8000-0000000000e2', '00000000-0000-4000-8000-0000000000c1', 'Khai mạc', 'opening', '2026-07-19 09:00+07', '2026-07-19 10:00+07', false);
INSERT INTO registrations (id, conference_id, number, full_name, position, unit_id, category, phone, status, waitlisted_at, source, qr_secret, delegate_token_hash, search_text, name_folded)
SELECT id::uuid, conference_id::uuid, n, full_name, 'Chuyên viên', unit_id::uuid, 'agency', '+8491234567' || n, status,
       CASE WHEN status = 'waitlisted' THEN now() END, 'organizer', 'secret-of-' || id, sha256(id::bytea), lower(full_name), lower(full_name)
FROM (VALUES
  ('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-0000000000c1', 1, 'Nguyễn Văn An', '00000000-0000-4000-8000-0000000000f1', 'confirmed'),
  ('00000000-0000-4000-8000-0000000000b1', '00000000-0000-4000-8000-0000000000c1', 2, 'Trần Thị Bình', NULL, 'confirmed'),
  ('00000000-0000-4000-8000-0000000000d1', '00000000-0000-4000-8000-0000000000c1', 3, 'Lê Văn Cường', NULL, 'cancelled'),
  ('00000000-0000-4000-8000-0000000000d2', '00000000-0000-4000-8000-0000000000c1', 4, 'Phạm Văn Dũng', NULL, 'rejected'),
  ('00000000-0000-4000-8000-0000000000d3', '00000000-0000-4000-8000-0000000000c1', 5, 'Hoàng Thị Em', NULL, 'pending_approval'),
  ('00000000-0000-4000-8000-0000000000d4', '00000000-0000-4000-8000-0000000000c1', 6, 'Vũ Văn Giang', NULL, 'waitlisted'),
  ('00000000-0000-4000-8000-0000000000d5', '00000000-0000-4000-8000-0000000000c2', 7, 'Đỗ Thị Hà', NULL, 'confirmed')
) AS t(id, conference_id, n, full_name, unit_id, status);
INSERT INTO checkin_devices (id, conference_id, name, session_ids, token_hash) VALUES
  ('00000000-0000-4000-8000-000000000011', '00000000-0000-4000-8000-0000000000c1', 'Cửa chính', '{}', sha256('tok-main')),
  ('00000000-0000-4000-8000-000000000012', '00000000-0000-4000-8000-0000000000c1', 'Cửa phụ', '{00000000-0000-4000-8000-0000000000e2}', sha256('tok-side')),
  ('00000000-0000-4000-8000-000000000013', '00000000-0000-4000-8000-0000000000c2', 'Cửa khác', '{}', sha256('tok-other'));
";

/// The columns of `checkin_outcome` a test asserts on, as text.
const OUTCOME: &str = "SELECT o.error, o.outcome, o.replayed, o.conflict, (o.delegate).full_name,
    (o.delegate).unit_name, to_char(o.first_checked_in_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD HH24:MI'),
    o.first_device, o.checkin_id::text";

#[derive(Debug, Default, PartialEq)]
struct Outcome {
    error: Option<String>,
    outcome: Option<String>,
    replayed: Option<bool>,
    conflict: Option<String>,
    full_name: Option<String>,
    unit_name: Option<String>,
    first_checked_in_at: Option<String>,
    first_device: Option<String>,
    checkin_id: Option<String>,
}

impl Outcome {
    fn from_row(row: &tokio_postgres::Row) -> Self {
        Self {
            error: row.get(0),
            outcome: row.get(1),
            replayed: row.get(2),
            conflict: row.get(3),
            full_name: row.get(4),
            unit_name: row.get(5),
            first_checked_in_at: row.get(6),
            first_device: row.get(7),
            checkin_id: row.get(8),
        }
    }

    fn outcome(&self) -> &str {
        self.outcome
            .as_deref()
            .unwrap_or_else(|| panic!("{self:?}"))
    }
}

/// One scan: who holds the device, what the code says, where and when.
struct Scan<'a> {
    token: &'a str,
    conference: &'a str,
    registration: Option<&'a str>,
    /// The code's secret; `None` for a check-in by registration id.
    secret: Option<String>,
    session: Option<&'a str>,
    direction: &'a str,
    at: &'a str,
    nonce: String,
}

fn nonce() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A scan of `registration`'s real code at the main door at `at` (Hà Nội time).
fn code<'a>(registration: &'a str, at: &'a str) -> Scan<'a> {
    Scan {
        token: MAIN_DOOR,
        conference: CONFERENCE,
        registration: Some(registration),
        secret: Some(format!("secret-of-{registration}")),
        session: None,
        direction: "in",
        at,
        nonce: nonce(),
    }
}

struct Db {
    client: Client,
    db: TestDatabase,
}

async fn setup() -> Db {
    let db = TestDatabase::create().await;
    let client = db.client().await;
    client.batch_execute(SETUP).await.unwrap();
    Db { client, db }
}

impl Db {
    async fn scan(&self, scan: &Scan<'_>) -> Outcome {
        let sql = format!(
            "{OUTCOME} FROM checkin_scan_v2(
                 p_token_hash => sha256(convert_to($1::text, 'UTF8')), p_conference_id => $2::text::uuid,
                 p_id => gen_random_uuid(), p_nonce => $3::text::uuid, p_registration_id => $4::text::uuid,
                 p_secret_sha256 => sha256(convert_to($5::text, 'UTF8')), p_session_id => $6::text::uuid,
                 p_direction => $7::text, p_method => 'scan', p_occurred_at => ($8::text || '+07')::timestamptz,
                 p_window_margin_secs => 3600) o"
        );
        let row = self
            .client
            .query_one(
                &sql,
                &[
                    &scan.token,
                    &scan.conference,
                    &scan.nonce,
                    &scan.registration,
                    &scan.secret,
                    &scan.session,
                    &scan.direction,
                    &scan.at,
                ],
            )
            .await
            .unwrap();
        Outcome::from_row(&row)
    }

    /// An offline batch from the main door: one outcome per scan, in the order returned.
    async fn batch(&self, scans: &[Scan<'_>]) -> Vec<Outcome> {
        let list = |f: &dyn Fn(&Scan<'_>) -> String, ty: &str| {
            let items: Vec<String> = scans.iter().map(f).collect();
            format!("ARRAY[{}]::{ty}[]", items.join(", "))
        };
        let quoted = |value: Option<&str>| value.map_or("NULL".to_owned(), |v| format!("'{v}'"));
        let sql = format!(
            "{OUTCOME} FROM checkin_record_batch_v2(
                 p_conference_id => '{CONFERENCE}', p_device_id => '00000000-0000-4000-8000-000000000011',
                 p_device_sessions => '{{}}', p_ids => {ids}, p_nonces => {nonces},
                 p_registration_ids => {registrations}, p_secret_sha256s => {secrets},
                 p_session_ids => {sessions}, p_directions => {directions}, p_occurred_ats => {ats},
                 p_window_margin_secs => 3600) WITH ORDINALITY o ORDER BY o.ordinality",
            ids = list(&|_| "gen_random_uuid()".to_owned(), "uuid"),
            nonces = list(&|s| format!("'{}'", s.nonce), "uuid"),
            registrations = list(&|s| quoted(s.registration), "uuid"),
            secrets = list(
                &|s| s.secret.as_ref().map_or("NULL".to_owned(), |v| format!("sha256('{v}')")),
                "bytea"
            ),
            sessions = list(&|s| quoted(s.session), "uuid"),
            directions = list(&|s| format!("'{}'", s.direction), "text"),
            ats = list(&|s| format!("'{}+07'", s.at), "timestamptz"),
        );
        self.client
            .query(&sql, &[])
            .await
            .unwrap()
            .iter()
            .map(Outcome::from_row)
            .collect()
    }

    async fn count(&self, sql: &str) -> i64 {
        self.client.query_one(sql, &[]).await.unwrap().get(0)
    }
}

#[actix_web::test]
async fn a_first_scan_is_ok_with_the_card_and_a_second_is_already_checked_in_with_the_first_entry()
{
    let db = setup().await;
    let first = db.scan(&code(DELEGATE_A, "2026-07-19 08:05")).await;
    assert_eq!(first.error, None);
    assert_eq!(first.outcome(), "ok");
    assert_eq!(first.replayed, Some(false));
    assert_eq!(first.full_name.as_deref(), Some("Nguyễn Văn An"));
    assert_eq!(
        first.unit_name.as_deref(),
        Some("Sở Tài nguyên và Môi trường")
    );
    assert_eq!(first.first_checked_in_at, None);

    let second = db.scan(&code(DELEGATE_A, "2026-07-19 08:20")).await;
    assert_eq!(second.outcome(), "already_checked_in");
    assert_eq!(second.full_name.as_deref(), Some("Nguyễn Văn An"));
    assert_eq!(
        second.first_checked_in_at.as_deref(),
        Some("2026-07-19 08:05")
    );
    assert_eq!(second.first_device.as_deref(), Some("Cửa chính"));
    assert_eq!(second.conflict, None, "online scans carry no conflict");
}

#[actix_web::test]
async fn each_refused_delegate_gets_its_outcome_without_a_greeting_and_is_recorded() {
    let db = setup().await;
    let mut wrong_secret = code(DELEGATE_A, "2026-07-19 08:05");
    wrong_secret.secret = Some("not-the-secret".to_owned());
    let mut unknown = code(DELEGATE_A, "2026-07-19 08:05");
    unknown.registration = Some("00000000-0000-4000-8000-000000000999");
    let cases = [
        (code(CANCELLED, "2026-07-19 08:05"), "cancelled"),
        (code(REJECTED, "2026-07-19 08:05"), "cancelled"),
        (code(PENDING, "2026-07-19 08:05"), "pending_approval"),
        (code(WAITLISTED, "2026-07-19 08:05"), "waitlisted"),
        (wrong_secret, "unknown_code"),
        (unknown, "unknown_code"),
        (
            code(OF_OTHER_CONFERENCE, "2026-07-19 08:05"),
            "other_conference",
        ),
        (code(DELEGATE_A, "2026-07-18 06:59"), "outside_window"),
        (code(DELEGATE_A, "2026-07-20 18:01"), "outside_window"),
    ];
    for (scan, expected) in &cases {
        let result = db.scan(scan).await;
        assert_eq!(result.error, None);
        assert_eq!(result.outcome(), *expected, "{:?}", scan.registration);
        assert_eq!(result.full_name, None, "{expected} greets nobody");
    }
    assert_eq!(
        db.count("SELECT count(*) FROM checkins").await,
        i64::try_from(cases.len()).unwrap()
    );
    assert_eq!(
        db.count(
            "SELECT count(*) FROM checkins WHERE registration_id IS NULL \
             AND outcome IN ('unknown_code', 'other_conference')"
        )
        .await,
        3,
        "no link to an unknown code or another conference's registration"
    );
}

#[actix_web::test]
async fn sessions_refuse_delegates_not_signed_up_and_scans_outside_their_window() {
    let db = setup().await;
    let at_session = |at| Scan {
        session: Some(SIGNUP_SESSION),
        ..code(DELEGATE_A, at)
    };
    assert_eq!(
        db.scan(&at_session("2026-07-19 09:10")).await.outcome(),
        "not_signed_up_for_session"
    );
    db.client
        .batch_execute(&format!(
            "INSERT INTO session_signups (registration_id, session_id) VALUES ('{DELEGATE_A}', '{SIGNUP_SESSION}')"
        ))
        .await
        .unwrap();
    assert_eq!(
        db.scan(&at_session("2026-07-19 11:01")).await.outcome(),
        "outside_window",
        "an hour after the session's end"
    );
    assert_eq!(
        db.scan(&at_session("2026-07-19 09:10")).await.outcome(),
        "ok"
    );
    assert_eq!(
        db.scan(&code(DELEGATE_A, "2026-07-19 09:15"))
            .await
            .outcome(),
        "ok",
        "the door counts apart from sessions"
    );
    let open = Scan {
        token: SIDE_DOOR,
        session: Some(OPEN_SESSION),
        ..code(DELEGATE_B, "2026-07-19 09:05")
    };
    assert_eq!(
        db.scan(&open).await.outcome(),
        "ok",
        "no sign-up needed, and the side door serves it"
    );
}

#[actix_web::test]
async fn a_replayed_nonce_answers_the_first_result_and_records_nothing() {
    let db = setup().await;
    let scan = code(DELEGATE_A, "2026-07-19 08:05");
    let first = db.scan(&scan).await;
    let again = db.scan(&scan).await;
    assert_eq!(again.replayed, Some(true));
    assert_eq!(again.checkin_id, first.checkin_id);
    assert_eq!(again.outcome(), "ok");
    assert_eq!(again.full_name.as_deref(), Some("Nguyễn Văn An"));
    assert_eq!(db.count("SELECT count(*) FROM checkins").await, 1);

    let elsewhere = Scan {
        token: OTHER_DOOR,
        conference: OTHER_CONFERENCE,
        ..code(OF_OTHER_CONFERENCE, "2026-07-19 08:05")
    };
    let reused = db
        .scan(&Scan {
            nonce: scan.nonce.clone(),
            ..elsewhere
        })
        .await;
    assert_eq!(
        reused,
        Outcome {
            error: Some("nonce_reused".to_owned()),
            ..Outcome::default()
        }
    );
    assert_eq!(db.count("SELECT count(*) FROM checkins").await, 1);
}

#[actix_web::test]
async fn requests_the_api_refuses_are_an_error_column_and_record_nothing() {
    let db = setup().await;
    let cases = [
        (
            Scan {
                token: "tok-unknown",
                ..code(DELEGATE_A, "2026-07-19 08:05")
            },
            "invalid_token",
        ),
        (
            Scan {
                conference: OTHER_CONFERENCE,
                ..code(OF_OTHER_CONFERENCE, "2026-07-19 08:05")
            },
            "conference_not_found",
        ),
        (
            Scan {
                token: SIDE_DOOR,
                session: Some(SIGNUP_SESSION),
                ..code(DELEGATE_A, "2026-07-19 09:05")
            },
            "session_not_served",
        ),
        (
            Scan {
                session: Some("00000000-0000-4000-8000-000000000999"),
                ..code(DELEGATE_A, "2026-07-19 09:05")
            },
            "unknown_session",
        ),
    ];
    for (scan, expected) in &cases {
        let result = db.scan(scan).await;
        assert_eq!(
            result,
            Outcome {
                error: Some((*expected).to_owned()),
                ..Outcome::default()
            }
        );
    }
    assert_eq!(db.count("SELECT count(*) FROM checkins").await, 0);
}

#[actix_web::test]
async fn the_door_counts_once_per_local_day_across_midnight_in_ho_chi_minh() {
    let db = setup().await;
    // 23:59 and 00:01 in Hà Nội are both 19 July in UTC: the local day decides.
    assert_eq!(
        db.scan(&code(DELEGATE_A, "2026-07-19 23:59"))
            .await
            .outcome(),
        "ok"
    );
    assert_eq!(
        db.scan(&code(DELEGATE_A, "2026-07-20 00:01"))
            .await
            .outcome(),
        "ok"
    );
    let later = db.scan(&code(DELEGATE_A, "2026-07-20 06:59")).await;
    assert_eq!(later.outcome(), "already_checked_in");
    assert_eq!(
        later.first_checked_in_at.as_deref(),
        Some("2026-07-20 00:01")
    );
    assert_eq!(
        db.count("SELECT count(DISTINCT local_day) FROM live_checkins")
            .await,
        2
    );
}

#[actix_web::test]
async fn a_batch_answers_in_upload_order_and_records_in_registration_session_door_time_order() {
    let db = setup().await;
    let results = db
        .batch(&[
            code(DELEGATE_B, "2026-07-19 09:00"),
            code(DELEGATE_A, "2026-07-19 10:00"),
            code(DELEGATE_A, "2026-07-19 09:30"),
        ])
        .await;
    let outcomes: Vec<(&str, Option<&str>)> = results
        .iter()
        .map(|r| (r.outcome(), r.conflict.as_deref()))
        .collect();
    // Had A's 10:00 scan been recorded first, the 09:30 one would have superseded it.
    assert_eq!(
        outcomes,
        [
            ("ok", None),
            ("already_checked_in", Some("already_checked_in")),
            ("ok", None),
        ]
    );
    let recorded: Vec<String> = db
        .client
        .query(
            "SELECT registration_id::text || ' ' || to_char(occurred_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'HH24:MI') \
             FROM checkins ORDER BY ctid",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert_eq!(
        recorded,
        [
            format!("{DELEGATE_A} 09:30"),
            format!("{DELEGATE_A} 10:00"),
            format!("{DELEGATE_B} 09:00"),
        ]
    );
}

#[actix_web::test]
async fn an_earlier_offline_scan_supersedes_a_later_live_entry_and_becomes_the_first_entry() {
    let db = setup().await;
    let live = db.scan(&code(DELEGATE_A, "2026-07-19 08:05")).await;
    assert_eq!(live.outcome(), "ok");
    let uploaded = db.batch(&[code(DELEGATE_A, "2026-07-19 08:01")]).await;
    assert_eq!(uploaded[0].outcome(), "ok");
    assert_eq!(uploaded[0].conflict, None);

    let rows: Vec<(String, String, Option<String>)> = db
        .client
        .query(
            "SELECT to_char(occurred_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'HH24:MI'), outcome, conflict \
             FROM checkins ORDER BY occurred_at",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|row| (row.get(0), row.get(1), row.get(2)))
        .collect();
    assert_eq!(
        rows,
        [
            ("08:01".to_owned(), "ok".to_owned(), None),
            (
                "08:05".to_owned(),
                "already_checked_in".to_owned(),
                Some("superseded_by_earlier_scan".to_owned())
            ),
        ]
    );
    let next = db.scan(&code(DELEGATE_A, "2026-07-19 08:30")).await;
    assert_eq!(
        next.first_checked_in_at.as_deref(),
        Some("2026-07-19 08:01")
    );

    // An online scan never displaces an entry, however early its door time.
    let early = db.scan(&code(DELEGATE_A, "2026-07-19 07:30")).await;
    assert_eq!(early.outcome(), "already_checked_in");
}

#[actix_web::test]
async fn the_json_functions_answer_as_before_for_binaries_still_calling_them() {
    let db = setup().await;
    let text: String = db
        .client
        .query_one(
            &format!(
                "SELECT checkin_scan(sha256('{MAIN_DOOR}'), '{CONFERENCE}', gen_random_uuid(), gen_random_uuid(),
                     '{DELEGATE_A}', sha256('secret-of-{DELEGATE_A}'), NULL, 'in', 'scan', '2026-07-19 08:05+07', 3600)"
            ),
            &[],
        )
        .await
        .unwrap()
        .get(0);
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["outcome"], "ok");
    assert_eq!(json["replayed"], false);
    assert_eq!(json["delegate"]["registration_id"], DELEGATE_A);
    assert_eq!(json["delegate"]["full_name"], "Nguyễn Văn An");
    assert_eq!(json["delegate"]["category"], "agency");
    assert!(json["first_checked_in_at"].is_null());

    let refused: String = db
        .client
        .query_one(
            &format!(
                "SELECT checkin_scan(sha256('tok-unknown'), '{CONFERENCE}', gen_random_uuid(), gen_random_uuid(),
                     NULL, NULL, NULL, 'in', 'scan', '2026-07-19 08:05+07', 3600)"
            ),
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&refused).unwrap(),
        serde_json::json!({"error": "invalid_token"})
    );

    let batch: Vec<Option<String>> = db
        .client
        .query_one(
            &format!(
                "SELECT checkin_record_batch('{CONFERENCE}', '00000000-0000-4000-8000-000000000011', '{{}}',
                     ARRAY[gen_random_uuid(), gen_random_uuid()], ARRAY[gen_random_uuid(), gen_random_uuid()],
                     ARRAY['{DELEGATE_B}', '{CANCELLED}']::uuid[], ARRAY[NULL, NULL]::bytea[], ARRAY[NULL, NULL]::uuid[],
                     ARRAY['in', 'in'], ARRAY['2026-07-19 08:10+07', '2026-07-19 08:11+07']::timestamptz[], 3600)"
            ),
            &[],
        )
        .await
        .unwrap()
        .get(0);
    let outcomes: Vec<String> = batch
        .iter()
        .map(|text| {
            serde_json::from_str::<serde_json::Value>(text.as_deref().unwrap()).unwrap()["outcome"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(outcomes, ["ok", "cancelled"]);
}

#[actix_web::test]
async fn a_device_whose_row_is_locked_is_still_authenticated_without_waiting() {
    let db = setup().await;
    db.client
        .batch_execute(
            "UPDATE checkin_devices SET last_seen_at = now() - interval '1 minute' WHERE name = 'Cửa chính'",
        )
        .await
        .unwrap();
    let holder = db.db.client().await;
    holder
        .batch_execute(
            "BEGIN; SELECT 1 FROM checkin_devices WHERE name = 'Cửa chính' FOR NO KEY UPDATE",
        )
        .await
        .unwrap();
    db.client
        .batch_execute("SET statement_timeout = '2s'")
        .await
        .unwrap();
    let name: String = db
        .client
        .query_one(
            &format!("SELECT name FROM checkin_device_seen(sha256('{MAIN_DOOR}'))"),
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(name, "Cửa chính");
    holder.batch_execute("ROLLBACK").await.unwrap();

    let refreshed = db
        .count(&format!(
            "SELECT count(*) FROM checkin_device_seen(sha256('{MAIN_DOOR}')) WHERE last_seen_at > now() - interval '5 seconds'"
        ))
        .await;
    assert_eq!(refreshed, 1, "refreshed once the row is free");
}
