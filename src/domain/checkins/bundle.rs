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

// The schema `BundleDownload::into_stream` writes, a page of entries at a time.
/// A device's offline copy of the delegate list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Bundle {
    /// Send back as `since` to get only what changed after this bundle.
    pub watermark: String,
    /// True for a full bundle, false for a delta.
    pub full: bool,
    pub registrations: Vec<BundleEntry>,
}

/// Rows read and sent at a time: bounds a download's memory whatever the conference's size.
const PAGE_ROWS: i64 = 1000;

/// A bundle download, open on its own connection in one repeatable-read snapshot: the
/// watermark, the ETag and every row come from that snapshot. Send it with `into_stream` or
/// release it with `close`; dropped half-way (the client hung up), the connection is closed
/// by the pool rather than reused with the snapshot open.
pub struct BundleDownload<C> {
    /// Quoted strong ETag: whether the bundle is full and a digest of its content, which the
    /// watermark is not part of (it moves with unrelated transactions).
    pub etag: String,
    conn: C,
    conference_id: Uuid,
    conference_code: String,
    since: Option<String>,
    watermark: String,
}

/// Opens the bundle, or only what changed since `since`. Its watermark is its snapshot: a
/// delta holds exactly the registrations whose last change that snapshot could not see,
/// whatever order concurrent transactions commit in.
pub async fn open_bundle<C>(
    mut conn: C,
    device: &DeviceRow,
    since: Option<&str>,
) -> ApiResult<BundleDownload<C>>
where
    C: std::ops::DerefMut<Target = AsyncPgConnection> + Send + 'static,
{
    use base64::Engine;
    use sha2::Digest;
    let since = since.map(parse_watermark).transpose()?;
    let conference =
        db::conferences::find_with_membership(&mut conn, device.conference_id, None, Lock::None)
            .await?
            .ok_or_else(|| ApiError::not_found("conference not found"))?
            .0;
    db::bundles::begin_snapshot(&mut conn).await?;
    let (watermark, digest) =
        db::bundles::snapshot_and_digest(&mut conn, device.conference_id, since.as_deref()).await?;
    // The reference of every entry is made of the conference code.
    let tag = sha2::Sha256::digest(format!("{}\n{digest}", conference.code));
    Ok(BundleDownload {
        etag: format!("\"{}-{}\"", since.is_none(), hex::encode(&tag[..12])),
        conn,
        conference_id: device.conference_id,
        conference_code: conference.code,
        since,
        watermark: base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(watermark),
    })
}

/// A `since` the API issued: base64 of a snapshot `xmin:xmax:xip,…`, checked here so
/// PostgreSQL never sees a malformed one.
fn parse_watermark(text: &str) -> ApiResult<String> {
    use base64::Engine;
    let invalid = || {
        ApiError::bad_request(
            ErrorCode::InvalidQueryParameter,
            "since is not a watermark this API issued",
        )
    };
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|_| invalid())?;
    let snapshot = String::from_utf8(bytes).map_err(|_| invalid())?;
    let parts: Vec<&str> = snapshot.split(':').collect();
    let numbers = |part: &str| {
        part.split(',')
            .all(|n| !n.is_empty() && n.len() <= 20 && n.bytes().all(|b| b.is_ascii_digit()))
    };
    let well_formed = parts.len() == 3
        && numbers(parts[0])
        && numbers(parts[1])
        && (parts[2].is_empty() || numbers(parts[2]))
        && parts[0].parse::<u64>().ok() <= parts[1].parse::<u64>().ok();
    if well_formed {
        Ok(snapshot)
    } else {
        Err(invalid())
    }
}

/// What the reading task hands the response: a page of rows, or the end of the bundle.
enum Page {
    Rows(Vec<db::bundles::BundleRow>),
    Done,
}

impl<C> BundleDownload<C>
where
    C: std::ops::DerefMut<Target = AsyncPgConnection> + Send + 'static,
{
    /// Ends the snapshot without sending the bundle (the device already holds it).
    pub async fn close(mut self) -> ApiResult<()> {
        db::bundles::end_snapshot(&mut self.conn).await?;
        Ok(())
    }

    /// The bundle as JSON (the `Bundle` schema), produced a page of rows at a time: memory
    /// stays bounded by a few pages whatever the conference's size. A task of its own reads
    /// the pages, one ahead of the response, so PostgreSQL reads page n + 1 while this side
    /// encodes and compresses page n. The snapshot ends with the last page; an error part-way
    /// ends the stream, so the client sees a truncated body, never a well-formed partial
    /// bundle.
    pub fn into_stream(self) -> impl futures_util::Stream<Item = ApiResult<Vec<u8>>> + 'static {
        use futures_util::StreamExt;
        let head = self.head();
        let code = self.conference_code.clone();
        // One page waiting beside the one being read and the one being encoded.
        let (pages, received) = tokio::sync::mpsc::channel(1);
        tokio::spawn(self.read_pages(pages));
        let encoder = Encoder {
            code,
            received,
            entries: 0,
            unit_words: std::collections::HashMap::new(),
        };
        futures_util::stream::once(async move { head }).chain(futures_util::stream::unfold(
            Some(encoder),
            |encoder| async move {
                let mut encoder = encoder?;
                match encoder.received.recv().await {
                    Some(Ok(Page::Rows(rows))) => {
                        let chunk = encoder.encode(rows);
                        let next = chunk.is_ok().then_some(encoder);
                        Some((chunk, next))
                    }
                    Some(Ok(Page::Done)) => Some((Ok(b"]}".to_vec()), None)),
                    Some(Err(error)) => Some((Err(error), None)),
                    // The reading task ended without `Done`: it was cut short.
                    None => Some((
                        Err(ApiError::internal("the bundle's reading task ended early")),
                        None,
                    )),
                }
            },
        ))
    }

    /// Reads every page of the snapshot in order and ends it. Stops, dropping the connection
    /// with the snapshot open (the pool then closes it), when the response is gone.
    async fn read_pages(mut self, pages: tokio::sync::mpsc::Sender<ApiResult<Page>>) {
        let mut after = 0;
        loop {
            let rows = db::bundles::bundle_page(
                &mut self.conn,
                self.conference_id,
                self.since.as_deref(),
                after,
                PAGE_ROWS,
            )
            .await;
            let rows = match rows {
                Ok(rows) => rows,
                Err(error) => {
                    let _ = pages.send(Err(error.into())).await;
                    return;
                }
            };
            let last = (rows.len() as i64 == PAGE_ROWS).then(|| rows[rows.len() - 1].number);
            if !rows.is_empty() && pages.send(Ok(Page::Rows(rows))).await.is_err() {
                return;
            }
            match last {
                Some(number) => after = number,
                None => break,
            }
        }
        let end = db::bundles::end_snapshot(&mut self.conn)
            .await
            .map(|()| Page::Done)
            .map_err(ApiError::from);
        let _ = pages.send(end).await;
    }

    fn head(&self) -> ApiResult<Vec<u8>> {
        let watermark = serde_json::to_string(&self.watermark).map_err(ApiError::internal)?;
        Ok(format!(
            "{{\"watermark\":{watermark},\"full\":{},\"registrations\":[",
            self.since.is_none()
        )
        .into_bytes())
    }
}

/// Turns pages of rows into the JSON of their entries, comma-separated.
struct Encoder {
    code: String,
    received: tokio::sync::mpsc::Receiver<ApiResult<Page>>,
    /// Entries written so far (the first has no comma before it).
    entries: usize,
    /// Folded unit names: a conference has far fewer units than delegates.
    unit_words: std::collections::HashMap<String, String>,
}

impl Encoder {
    fn encode(&mut self, rows: Vec<db::bundles::BundleRow>) -> ApiResult<Vec<u8>> {
        let mut chunk = Vec::with_capacity(rows.len() * 400);
        for row in rows {
            if self.entries > 0 {
                chunk.push(b',');
            }
            self.entries += 1;
            let unit_words = row.unit_name.as_deref().map(|name| {
                self.unit_words
                    .entry(name.to_owned())
                    .or_insert_with(|| fold(name))
                    .clone()
            });
            let entry = entry(&self.code, row, unit_words)?;
            serde_json::to_writer(&mut chunk, &entry).map_err(ApiError::internal)?;
        }
        Ok(chunk)
    }
}

/// One registration as a device needs it; `unit_words` is its unit's name folded.
fn entry(
    conference_code: &str,
    row: db::bundles::BundleRow,
    unit_words: Option<String>,
) -> ApiResult<BundleEntry> {
    let reference = crate::domain::registrations::reference(conference_code, row.number);
    let name_folded = fold(&row.full_name);
    let search_folded = [
        fold(&name_folded),
        unit_words.unwrap_or_default(),
        fold(&reference),
    ]
    .into_iter()
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
        category: row.category,
        status: row.status,
        session_ids: row.session_ids,
        qr_secret_sha256: hex::encode(tokens::hash(&row.qr_secret)),
    })
}
