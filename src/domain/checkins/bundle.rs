//! The offline bundle: what a device needs to admit and find delegates without the network.

use super::*;

/// What a device needs to admit and find one delegate offline.
#[derive(Debug, Serialize, ToSchema)]
pub struct BundleEntry {
    pub registration_id: Uuid,
    #[schema(example = "SXSH-0042")]
    pub reference: String,
    pub full_name: String,
    /// The full name folded for search (NFD, combining marks dropped, `đ` → `d`, lower case,
    /// words separated by one space). An exact match of the folded query ranks first.
    #[schema(example = "nguyen van an")]
    pub name_folded: String,
    /// The words an offline search matches: the folded name, unit name and reference,
    /// separated by one space. Every word of the folded query must be a prefix of one of
    /// them, in any order (see the README's search section for the whole algorithm).
    #[schema(example = "nguyen van an phong kinh te thanh pho vinh yen sxsh-0042")]
    pub search_folded: String,
    pub position: Option<String>,
    pub unit_name: Option<String>,
    pub category: Category,
    /// Only `confirmed` registrations may be admitted; others are sent so devices can say why.
    pub status: crate::domain::registrations::RegistrationStatus,
    pub session_ids: Vec<Uuid>,
    /// Hex SHA-256 of the QR secret (never the secret: a lost phone cannot mint codes). A
    /// device hashes the secret part of a scanned code and compares.
    pub qr_secret_sha256: String,
}

/// A device's offline copy of the delegate list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Bundle {
    /// Send back as `since` to get only what changed after this bundle.
    pub watermark: String,
    /// True for a full bundle, false for a delta.
    pub full: bool,
    pub registrations: Vec<BundleEntry>,
}

/// The bundle, or only what changed since `since`. The bundle is read in one repeatable-read
/// snapshot and its watermark is that snapshot: a delta holds exactly the registrations whose
/// last change that snapshot could not see, whatever order concurrent transactions commit in.
pub async fn bundle(
    conn: &mut AsyncPgConnection,
    device: &DeviceRow,
    since: Option<&str>,
) -> ApiResult<Bundle> {
    use base64::Engine;
    let invalid = || {
        ApiError::bad_request(
            ErrorCode::InvalidQueryParameter,
            "since is not a watermark this API issued",
        )
    };
    let since = match since {
        None => None,
        Some(text) => {
            let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(text)
                .map_err(|_| invalid())?;
            let snapshot = String::from_utf8(bytes).map_err(|_| invalid())?;
            // xmin:xmax:xip,... — checked here so PostgreSQL never sees a malformed snapshot.
            let parts: Vec<&str> = snapshot.split(':').collect();
            let numbers = |part: &str| {
                part.split(',').all(|n| {
                    !n.is_empty() && n.len() <= 20 && n.bytes().all(|b| b.is_ascii_digit())
                })
            };
            let well_formed = parts.len() == 3
                && numbers(parts[0])
                && numbers(parts[1])
                && (parts[2].is_empty() || numbers(parts[2]))
                && parts[0].parse::<u64>().ok() <= parts[1].parse::<u64>().ok();
            if !well_formed {
                return Err(invalid());
            }
            Some(snapshot)
        }
    };
    let conference =
        db::conferences::find_with_membership(conn, device.conference_id, None, Lock::None)
            .await?
            .ok_or_else(|| ApiError::not_found("conference not found"))?
            .0;
    let (watermark, rows) = conn
        .build_transaction()
        .repeatable_read()
        .read_only()
        .run::<_, ApiError, _>(async |conn| {
            let watermark = db::checkins::current_snapshot(conn).await?;
            let rows =
                db::checkins::bundle_rows(conn, device.conference_id, since.as_deref()).await?;
            Ok((watermark, rows))
        })
        .await?;
    let registrations = rows
        .into_iter()
        .map(|row| {
            let reference = crate::domain::registrations::reference(&conference.code, row.number);
            let name_folded = fold(&row.full_name);
            let search_folded = [
                Some(name_folded.as_str()),
                row.unit_name.as_deref(),
                Some(&reference),
            ]
            .into_iter()
            .flatten()
            .map(fold)
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
            Ok(BundleEntry {
                registration_id: row.id,
                reference,
                name_folded,
                search_folded,
                full_name: row.full_name,
                position: row.position,
                unit_name: row.unit_name,
                category: row.category.parse()?,
                status: row.status.parse()?,
                session_ids: row.session_ids,
                qr_secret_sha256: hex::encode(tokens::hash(&row.qr_secret)),
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(Bundle {
        watermark: base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(watermark),
        full: since.is_none(),
        registrations,
    })
}
