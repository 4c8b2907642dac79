//! Delegate imports from CSV or XLSX: every row checked and every error reported at once (dry run),
//! then applied all-or-nothing in one transaction, seats assigned in file order.

use std::collections::{HashMap, HashSet};

use diesel_async::AsyncConnection;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::db::registrations::NewRegistration;
use crate::db::{self};
use crate::domain::actor::Actor;
use crate::domain::common::{Access, Lock, ensure_editable, load};
use crate::domain::registrations::{
    Category, PersonInput, RegistrationSource, check_person, provisional_waitlisted_at, reference,
};
use crate::domain::seats::{Approval, SeatCount, SeatDecision};
use crate::domain::text::{Validator, fold};
use crate::domain::tokens;
use crate::domain::units::{ImportReport, map_headers};
use crate::error::{ApiError, ApiResult, ErrorCode, FieldCode};

/// Column names accepted in delegate CSVs, Vietnamese or English.
const DELEGATE_COLUMNS: [(&str, &[&str]); 7] = [
    ("full_name", &["ho va ten", "ho ten", "full_name", "name"]),
    ("position", &["chuc vu", "position"]),
    ("unit", &["don vi", "unit"]),
    ("organization", &["to chuc", "co quan", "organization"]),
    ("category", &["thanh phan", "category"]),
    ("phone", &["dien thoai", "so dien thoai", "phone"]),
    ("email", &["email", "thu dien tu"]),
];

const INSERT_CHUNK: usize = 1000;

/// Imports delegates into a conference. Units are matched by name (accents and case ignored);
/// a name that is not in the directory is an error (use the `Tổ chức`/`organization` column
/// for people outside it). Duplicates inside the file or with live registrations are errors.
pub async fn import_delegates(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    conference_id: Uuid,
    media_type: &str,
    body: &[u8],
    dry_run: bool,
) -> ApiResult<ImportReport> {
    let table = crate::domain::table::read(media_type, body)?;
    let columns = map_headers(&table.headers, &DELEGATE_COLUMNS);
    for required in ["full_name", "category"] {
        if !columns.contains_key(required) {
            return Err(ApiError::bad_request(
                ErrorCode::InvalidCsv,
                format!("the header has no `{required}` column"),
            ));
        }
    }

    conn.transaction::<_, ApiError, _>(async |conn| {
        let conference = load(
            conn,
            conference_id,
            Some(actor),
            Access::Private,
            Lock::Update,
        )
        .await?;
        ensure_editable(&conference)?;
        let mut units: HashMap<String, Vec<(Uuid, String)>> = HashMap::new();
        for (id, _, _, folded) in db::units::directory(conn).await? {
            units.entry(folded).or_default().push((id, String::new()));
        }
        let names: HashMap<Uuid, String> = db::registrations::unit_names(
            conn,
            &units
                .values()
                .flatten()
                .map(|(id, _)| *id)
                .collect::<Vec<_>>(),
        )
        .await?
        .into_iter()
        .collect();
        let mut taken_emails = HashSet::new();
        let mut taken_phones = HashSet::new();
        for (email, phone) in db::registrations::live_contacts(conn, conference_id).await? {
            taken_emails.extend(email);
            taken_phones.extend(phone);
        }

        let mut v = Validator::new();
        let mut people = Vec::new();
        let mut rows = 0;
        for (index, record) in table.rows.into_iter().enumerate() {
            rows += 1;
            let prefix = format!("rows[{}].", index + 1);
            let record = match record {
                Ok(record) => record,
                Err(e) => {
                    v.push(
                        format!("rows[{}]", index + 1),
                        FieldCode::InvalidCsv,
                        e.to_string(),
                    );
                    continue;
                }
            };
            let cell = |name: &str| {
                columns
                    .get(name)
                    .and_then(|&i| record.get(i))
                    .map(|s| s.trim())
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
            };
            let before = v.len();
            let category_text = cell("category").unwrap_or_default();
            let category = Category::parse_loose(&category_text);
            if category.is_none() {
                v.push(
                    format!("{prefix}category"),
                    FieldCode::UnknownCategory,
                    format!("unknown category {category_text:?}"),
                );
            }
            let unit_id = match cell("unit") {
                None => None,
                Some(unit) => match units.get(&fold(&unit)).map(Vec::as_slice) {
                    Some([(id, _)]) => Some(*id),
                    Some([_, _, ..]) => {
                        v.push(
                            format!("{prefix}unit"),
                            FieldCode::AmbiguousUnit,
                            format!("several units are named {unit:?}"),
                        );
                        None
                    }
                    _ => {
                        v.push(
                            format!("{prefix}unit"),
                            FieldCode::UnknownUnit,
                            format!("no unit named {unit:?}"),
                        );
                        None
                    }
                },
            };
            let input = PersonInput {
                full_name: cell("full_name").unwrap_or_default(),
                position: cell("position"),
                unit_id,
                organization: cell("organization"),
                category: category.unwrap_or(Category::Guest),
                email: cell("email"),
                phone: cell("phone"),
                language: None,
            };
            let person = check_person(
                &input,
                unit_id.and_then(|id| names.get(&id).cloned()),
                &mut v,
                &prefix,
            );
            if let Some(email) = &person.write.email
                && !taken_emails.insert(email.clone())
            {
                v.push(
                    format!("{prefix}email"),
                    FieldCode::Duplicate,
                    "this email is already registered or appears earlier in the file",
                );
            }
            if let Some(phone) = &person.write.phone
                && !taken_phones.insert(phone.clone())
            {
                v.push(
                    format!("{prefix}phone"),
                    FieldCode::Duplicate,
                    "this phone is already registered or appears earlier in the file",
                );
            }
            if v.len() == before {
                people.push(person);
            }
        }

        // Seats in file order, by the same rule as every other registration.
        let seats = db::seats::lock(conn, conference_id).await?;
        let mut count = SeatCount::from(&seats);
        let decisions: Vec<SeatDecision> = people
            .iter()
            .map(|_| count.take(Approval::Granted))
            .collect();
        if decisions.contains(&SeatDecision::Refuse) {
            let free = seats
                .capacity
                .map(|c| usize::try_from(c - seats.confirmed_count).unwrap_or(0));
            v.push(
                "rows",
                FieldCode::CapacityReached,
                format!(
                    "only {} seats are free for {} delegates",
                    free.unwrap_or(0),
                    people.len()
                ),
            );
        }
        let errors = v.into_errors();
        if dry_run {
            return Ok(ImportReport {
                dry_run,
                rows,
                created: 0,
                errors,
            });
        }
        if !errors.is_empty() {
            return Err(ApiError::validation(errors));
        }

        let mut number = seats.registration_seq;
        let mut new_rows = Vec::with_capacity(people.len());
        let mut links = Vec::with_capacity(people.len());
        for (person, decision) in people.into_iter().zip(decisions) {
            number += 1;
            let status = decision.status()?;
            let link = tokens::random_secret();
            new_rows.push(NewRegistration {
                id: Uuid::now_v7(),
                conference_id,
                number,
                person: person.with_reference(&reference(&conference.code, number)),
                status,
                source: RegistrationSource::Import,
                invitation_id: None,
                qr_secret: tokens::random_secret(),
                // Imported delegates get their link by email (when they have an address);
                // no one else ever holds it.
                delegate_token_hash: tokens::hash(&link),
                waitlisted_at: provisional_waitlisted_at(status),
            });
            links.push(link);
        }
        for chunk in new_rows.chunks(INSERT_CHUNK) {
            db::registrations::insert_many(conn, chunk).await?;
        }
        let waitlisted: Vec<Uuid> = new_rows
            .iter()
            .filter(|row| row.waitlisted_at.is_some())
            .map(|row| row.id)
            .collect();
        db::registrations::stamp_waitlisted(conn, &waitlisted).await?;
        let ids: Vec<Uuid> = new_rows.iter().map(|row| row.id).collect();
        crate::domain::notifications::outbox::attach_delegate_links(conn, &ids, &links).await?;
        db::seats::set_counters(conn, conference_id, count.confirmed, number).await?;
        Ok(ImportReport {
            dry_run,
            rows,
            created: new_rows.len(),
            errors,
        })
    })
    .await
}
