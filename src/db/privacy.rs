//! Personal data: who a registration's people are, the erasure statements (one per table
//! group), retention, privacy notices and consent.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, Int4, Integer, Jsonb, Nullable, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::schema::{privacy_notices, registrations};

/// The people a registration holds or held (its current person and every replaced one).
#[derive(QueryableByName, Debug)]
pub struct PersonValues {
    #[diesel(sql_type = Text)]
    pub full_name: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub email: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub phone: Option<String>,
}

pub async fn people_of(
    conn: &mut AsyncPgConnection,
    registration_ids: &[Uuid],
) -> QueryResult<Vec<PersonValues>> {
    diesel::sql_query(
        "SELECT full_name, email, phone FROM registrations WHERE id = ANY($1)
         UNION ALL
         SELECT previous_name, previous_email, previous_phone FROM registration_substitutions
          WHERE registration_id = ANY($1)
         UNION ALL
         SELECT new_name, NULL, NULL FROM registration_substitutions WHERE registration_id = ANY($1)",
    )
    .bind::<Array<SqlUuid>, _>(registration_ids)
    .load(conn)
    .await
}

/// The registration row's erasure state, locked: id, version and when it was erased.
#[derive(QueryableByName, Debug)]
pub struct ErasureState {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Integer)]
    pub version: i32,
    #[diesel(sql_type = Nullable<diesel::sql_types::Timestamptz>)]
    pub erased_at: Option<DateTime<Utc>>,
}

pub async fn lock_for_erasure(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
    registration_id: Uuid,
) -> QueryResult<Option<ErasureState>> {
    diesel::sql_query(
        "SELECT id, version, erased_at FROM registrations
         WHERE id = $1 AND conference_id = $2 FOR UPDATE",
    )
    .bind::<SqlUuid, _>(registration_id)
    .bind::<SqlUuid, _>(conference_id)
    .get_result(conn)
    .await
    .optional()
}

/// Whether the registration belongs to the conference (no lock: for reads).
pub async fn belongs_to(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
    registration_id: Uuid,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        registrations::table
            .filter(registrations::id.eq(registration_id))
            .filter(registrations::conference_id.eq(conference_id)),
    ))
    .get_result(conn)
    .await
}

/// Ids of a conference's registrations that still hold personal data.
pub async fn unerased_of_conference(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
) -> QueryResult<Vec<Uuid>> {
    registrations::table
        .filter(registrations::conference_id.eq(conference_id))
        .filter(registrations::erased_at.is_null())
        .select(registrations::id)
        .order(registrations::id)
        .for_update()
        .load(conn)
        .await
}

/// Replaced and replacing people's names and contacts on the registrations' substitutions.
pub async fn erase_substitutions(
    conn: &mut AsyncPgConnection,
    registration_ids: &[Uuid],
    placeholder: &str,
) -> QueryResult<usize> {
    diesel::sql_query(
        "UPDATE registration_substitutions
         SET previous_name = $2, new_name = $2, previous_email = NULL, previous_phone = NULL,
             previous_position = NULL
         WHERE registration_id = ANY($1)",
    )
    .bind::<Array<SqlUuid>, _>(registration_ids)
    .bind::<Text, _>(placeholder)
    .execute(conn)
    .await
}

/// Undo reasons are free text an organizer typed, so they may name the person.
pub async fn erase_undo_reasons(
    conn: &mut AsyncPgConnection,
    registration_ids: &[Uuid],
    placeholder: &str,
) -> QueryResult<usize> {
    diesel::sql_query(
        "UPDATE checkins SET undo_reason = $2
         WHERE registration_id = ANY($1) AND undo_reason IS NOT NULL AND undo_reason <> $2",
    )
    .bind::<Array<SqlUuid>, _>(registration_ids)
    .bind::<Text, _>(placeholder)
    .execute(conn)
    .await
}

/// The outbox holds ids and event data, not the person; what may name them is the link token
/// waiting to be emailed and an SMTP server's error text. Emails not yet sent are skipped (the
/// address they would go to is gone), and what they carried is cleared.
pub async fn erase_outbox(
    conn: &mut AsyncPgConnection,
    registration_ids: &[Uuid],
) -> QueryResult<usize> {
    diesel::sql_query(
        "UPDATE outbox
         SET link_token = NULL, last_error = NULL,
             state = CASE WHEN state IN ('pending', 'sending', 'dead') THEN 'skipped' ELSE state END
         WHERE registration_id = ANY($1) AND channel = 'email'
           AND (link_token IS NOT NULL OR last_error IS NOT NULL
                OR state IN ('pending', 'sending', 'dead'))",
    )
    .bind::<Array<SqlUuid>, _>(registration_ids)
    .execute(conn)
    .await
}

/// Login throttle rows keyed by any of these emails (`account:` and `account-ip:` keys).
pub async fn erase_throttle_keys(
    conn: &mut AsyncPgConnection,
    emails: &[String],
) -> QueryResult<usize> {
    diesel::sql_query(
        "DELETE FROM login_throttle t USING unnest($1::text[]) AS e(email)
         WHERE t.key = 'account:' || e.email OR starts_with(t.key, 'account-ip:' || e.email || '|')",
    )
    .bind::<Array<Text>, _>(emails)
    .execute(conn)
    .await
}

/// A stored idempotent response that mentions one of `needles` (ids or personal values).
#[derive(QueryableByName, Debug)]
pub struct StoredResponse {
    #[diesel(sql_type = Text)]
    pub scope: String,
    #[diesel(sql_type = Text)]
    pub key: String,
    #[diesel(sql_type = Jsonb)]
    pub response: serde_json::Value,
}

pub async fn responses_mentioning(
    conn: &mut AsyncPgConnection,
    needles: &[String],
) -> QueryResult<Vec<StoredResponse>> {
    diesel::sql_query(
        "SELECT scope, key, response FROM idempotency_keys
         WHERE EXISTS (SELECT 1 FROM unnest($1::text[]) n WHERE strpos(response::text, n) > 0)
         FOR UPDATE",
    )
    .bind::<Array<Text>, _>(needles)
    .load(conn)
    .await
}

pub async fn rewrite_response(
    conn: &mut AsyncPgConnection,
    scope: &str,
    key: &str,
    response: &serde_json::Value,
) -> QueryResult<usize> {
    diesel::sql_query("UPDATE idempotency_keys SET response = $3 WHERE scope = $1 AND key = $2")
        .bind::<Text, _>(scope)
        .bind::<Text, _>(key)
        .bind::<Jsonb, _>(response)
        .execute(conn)
        .await
}

/// The registrations themselves: an anonymous row that keeps unit, category, status, seat and
/// number (so attendance still counts it); names to the placeholder, contacts and search text
/// gone, and the QR secret and delegate link replaced by random values nobody holds.
pub async fn erase_registrations(
    conn: &mut AsyncPgConnection,
    registration_ids: &[Uuid],
    placeholder: &str,
    placeholder_folded: &str,
    erased_by: &str,
    account_id: Option<Uuid>,
) -> QueryResult<usize> {
    diesel::sql_query(
        "UPDATE registrations
         SET full_name = $2, name_folded = $3, position = NULL, organization = NULL,
             email = NULL, phone = NULL, search_text = '',
             qr_secret = replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''),
             delegate_token_hash = sha256(convert_to(gen_random_uuid()::text || clock_timestamp()::text, 'UTF8')),
             erased_at = now(), erased_by = $4, erased_by_account = $5,
             version = version + 1, updated_at = now()
         WHERE id = ANY($1) AND erased_at IS NULL",
    )
    .bind::<Array<SqlUuid>, _>(registration_ids)
    .bind::<Text, _>(placeholder)
    .bind::<Text, _>(placeholder_folded)
    .bind::<Text, _>(erased_by)
    .bind::<Nullable<SqlUuid>, _>(account_id)
    .execute(conn)
    .await
}

/// A conference whose retention period has passed and whose personal data is still held.
#[derive(QueryableByName, Debug)]
pub struct ExpiredConference {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub code: String,
    #[diesel(sql_type = diesel::sql_types::Timestamptz)]
    pub ends_at: DateTime<Utc>,
    #[diesel(sql_type = Integer)]
    pub retention_days: i32,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub registrations: i64,
}

pub async fn expired_conferences(
    conn: &mut AsyncPgConnection,
    default_days: i32,
) -> QueryResult<Vec<ExpiredConference>> {
    diesel::sql_query(
        "SELECT c.id, c.code, c.ends_at, coalesce(c.retention_days, $1) AS retention_days,
                (SELECT count(*) FROM registrations r
                  WHERE r.conference_id = c.id AND r.erased_at IS NULL) AS registrations
         FROM conferences c
         WHERE c.personal_data_erased_at IS NULL
           AND c.ends_at + make_interval(days => coalesce(c.retention_days, $1)) <= now()
         ORDER BY c.ends_at, c.id",
    )
    .bind::<Int4, _>(default_days)
    .load(conn)
    .await
}

pub async fn mark_conference_erased(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
) -> QueryResult<usize> {
    diesel::sql_query(
        "UPDATE conferences SET personal_data_erased_at = now()
         WHERE id = $1 AND personal_data_erased_at IS NULL",
    )
    .bind::<SqlUuid, _>(conference_id)
    .execute(conn)
    .await
}

pub async fn set_retention_days(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
    days: Option<i32>,
) -> QueryResult<usize> {
    diesel::sql_query("UPDATE conferences SET retention_days = $2 WHERE id = $1")
        .bind::<SqlUuid, _>(conference_id)
        .bind::<Nullable<Int4>, _>(days)
        .execute(conn)
        .await
}

/// Throttle rows whose window ended: they count nothing any more.
pub async fn purge_stale_throttle(
    conn: &mut AsyncPgConnection,
    window_secs: i64,
) -> QueryResult<usize> {
    diesel::sql_query(
        "DELETE FROM login_throttle WHERE window_started_at <= now() - ($1 * interval '1 second')",
    )
    .bind::<diesel::sql_types::BigInt, _>(window_secs)
    .execute(conn)
    .await
}

/// Takes a session advisory lock if no other session holds it (one replica runs a job).
pub async fn try_job_lock(conn: &mut AsyncPgConnection, key: i64) -> QueryResult<bool> {
    #[derive(QueryableByName)]
    struct Locked {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        locked: bool,
    }
    let row: Locked = diesel::sql_query("SELECT pg_try_advisory_lock($1) AS locked")
        .bind::<diesel::sql_types::BigInt, _>(key)
        .get_result(conn)
        .await?;
    Ok(row.locked)
}

pub async fn job_unlock(conn: &mut AsyncPgConnection, key: i64) -> QueryResult<()> {
    diesel::sql_query("SELECT pg_advisory_unlock($1)")
        .bind::<diesel::sql_types::BigInt, _>(key)
        .execute(conn)
        .await?;
    Ok(())
}

// --- privacy notices and consent ---

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = privacy_notices)]
pub struct NoticeRow {
    pub conference_id: Uuid,
    pub version: i32,
    pub text_vi: String,
    pub text_en: Option<String>,
    pub created_at: DateTime<Utc>,
}

pub async fn current_notice(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
) -> QueryResult<Option<NoticeRow>> {
    privacy_notices::table
        .filter(privacy_notices::conference_id.eq(conference_id))
        .order(privacy_notices::version.desc())
        .select(NoticeRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn notice(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
    version: i32,
) -> QueryResult<Option<NoticeRow>> {
    privacy_notices::table
        .find((conference_id, version))
        .select(NoticeRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn insert_notice(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
    version: i32,
    text_vi: &str,
    text_en: Option<&str>,
    created_by: Uuid,
) -> QueryResult<NoticeRow> {
    diesel::insert_into(privacy_notices::table)
        .values((
            privacy_notices::conference_id.eq(conference_id),
            privacy_notices::version.eq(version),
            privacy_notices::text_vi.eq(text_vi),
            privacy_notices::text_en.eq(text_en),
            privacy_notices::created_by.eq(created_by),
        ))
        .returning(NoticeRow::as_returning())
        .get_result(conn)
        .await
}

/// Records the delegate's acceptance of a notice version on their new registration.
pub async fn record_consent(
    conn: &mut AsyncPgConnection,
    registration_id: Uuid,
    notice_version: i32,
) -> QueryResult<usize> {
    diesel::update(registrations::table.find(registration_id))
        .set((
            registrations::legal_basis.eq("consent"),
            registrations::consent_notice_version.eq(notice_version),
            registrations::consent_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await
}

/// Everything held about one registration's people, as one JSON document (see
/// `domain::privacy::export::PersonalData` for its shape).
pub async fn personal_data(
    conn: &mut AsyncPgConnection,
    registration_id: Uuid,
) -> QueryResult<Option<serde_json::Value>> {
    #[derive(QueryableByName)]
    struct Document {
        #[diesel(sql_type = Jsonb)]
        document: serde_json::Value,
    }
    let row: Option<Document> = diesel::sql_query(
        "SELECT jsonb_build_object(
           'registration', jsonb_build_object(
               'id', r.id, 'conference_id', r.conference_id, 'number', r.number,
               'full_name', r.full_name, 'position', r.position, 'unit_id', r.unit_id,
               'unit_name', u.name, 'organization', r.organization, 'category', r.category,
               'email', r.email, 'phone', r.phone, 'status', r.status, 'source', r.source,
               'created_at', r.created_at, 'updated_at', r.updated_at, 'erased_at', r.erased_at),
           'consent', jsonb_build_object(
               'legal_basis', r.legal_basis, 'notice_version', r.consent_notice_version,
               'accepted_at', r.consent_at, 'notice_text_vi', n.text_vi, 'notice_text_en', n.text_en),
           'session_signups', coalesce((
               SELECT jsonb_agg(jsonb_build_object('session_id', s.session_id,
                   'session_title', cs.title, 'signed_up_at', s.created_at) ORDER BY s.created_at)
               FROM session_signups s JOIN conference_sessions cs ON cs.id = s.session_id
               WHERE s.registration_id = r.id), '[]'),
           'checkins', coalesce((
               SELECT jsonb_agg(jsonb_build_object('id', c.id, 'session_id', c.session_id,
                   'direction', c.direction, 'outcome', c.outcome, 'method', c.method,
                   'occurred_at', c.occurred_at, 'undone_at', c.undone_at) ORDER BY c.occurred_at, c.id)
               FROM checkins c WHERE c.registration_id = r.id), '[]'),
           'substitutions', coalesce((
               SELECT jsonb_agg(jsonb_build_object('id', s.id, 'previous_name', s.previous_name,
                   'previous_position', s.previous_position, 'previous_email', s.previous_email,
                   'previous_phone', s.previous_phone, 'new_name', s.new_name,
                   'substituted_by', s.substituted_by, 'substituted_at', s.substituted_at)
                   ORDER BY s.substituted_at, s.id)
               FROM registration_substitutions s WHERE s.registration_id = r.id), '[]'),
           'notifications', coalesce((
               SELECT jsonb_agg(jsonb_build_object('id', o.id, 'channel', o.channel,
                   'event', o.event, 'state', o.state, 'attempts', o.attempts,
                   'created_at', o.created_at, 'sent_at', o.sent_at) ORDER BY o.created_at, o.id)
               FROM outbox o WHERE o.registration_id = r.id AND o.channel = 'email'), '[]')) AS document
         FROM registrations r
         LEFT JOIN units u ON u.id = r.unit_id
         LEFT JOIN privacy_notices n
           ON n.conference_id = r.conference_id AND n.version = r.consent_notice_version
         WHERE r.id = $1",
    )
    .bind::<SqlUuid, _>(registration_id)
    .get_result(conn)
    .await
    .optional()?;
    Ok(row.map(|r| r.document))
}
