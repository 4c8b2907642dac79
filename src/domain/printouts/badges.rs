//! Name badges: the conference, the delegate's name, position and unit, the reference and the
//! QR code that admits them. The file carries QR secrets, so each download is recorded.

use diesel_async::AsyncPgConnection;
use serde::Deserialize;
use tokio::sync::mpsc;
use utoipa::IntoParams;
use uuid::Uuid;

use super::pdf::{A4, A4_HEIGHT, A4_WIDTH, Align, Canvas, MARGIN, Pdf, Weight};
use super::sheets::keep;
use super::{Labels, PAGE_ROWS, Printout, check_unit, send, with_renderer};
use crate::db::printouts::{BadgeRow, Disclosure};
use crate::db::{self};
use crate::domain::actor::Actor;
use crate::domain::common::{Access, Lang, Lock, load, reference, text_enum};
use crate::domain::qr::payload_of;
use crate::domain::registrations::ensure_live;
use crate::error::{ApiError, ApiResult, FieldCode, FieldError};

text_enum! {
    /// How badges are laid out.
    BadgeLayout {
        /// A4 sheets of 8 badges (2 × 4), with cut lines.
        Sheet => "sheet",
        /// One badge per page, each page the badge's size (for card printers).
        Single => "single",
    }
}

/// Which badges, and how.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BadgeQuery {
    /// Language of the file name: `vi` (default) or `en`.
    #[param(value_type = Option<Lang>)]
    pub lang: Option<String>,
    /// `sheet` (default) or `single`.
    #[param(value_type = Option<BadgeLayout>)]
    pub layout: Option<String>,
    /// Only the confirmed delegates of this unit.
    pub unit_id: Option<Uuid>,
    /// Only this registration's badge.
    pub registration_id: Option<Uuid>,
}

/// A badge on an A4 sheet: two across, four down.
const SHEET_BADGE: (f32, f32) = (
    (A4_WIDTH - 2.0 * MARGIN) / 2.0,
    (A4_HEIGHT - 2.0 * MARGIN) / 4.0,
);
const PER_SHEET: usize = 8;
/// A single badge's page: 100 × 70 mm.
const SINGLE_PAGE: (f32, f32) = (283.46, 198.43);

/// The badges of a conference's confirmed delegates, of a unit's, or of one registration.
/// Records the disclosure (who, conference, scope, how many codes) once the file is made.
pub async fn badges(
    conn: &mut AsyncPgConnection,
    actor: &Actor,
    conference_id: Uuid,
    query: BadgeQuery,
) -> ApiResult<Printout> {
    let mut errors = Vec::new();
    let lang = keep(&mut errors, Lang::from_query(query.lang.as_deref()));
    let layout = keep(
        &mut errors,
        query.layout.as_deref().map_or(Ok(BadgeLayout::Sheet), |v| {
            BadgeLayout::parse_field("layout", v)
        }),
    );
    if query.unit_id.is_some() && query.registration_id.is_some() {
        errors.push(FieldError::new(
            "registration_id",
            FieldCode::NotAllowed,
            "give unit_id or registration_id, not both",
        ));
    }
    let (Some(lang), Some(layout)) = (lang, layout) else {
        return Err(ApiError::validation(errors));
    };
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
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
    let (unit_id, registration_id) = (query.unit_id, query.registration_id);
    let scope = match (unit_id, registration_id) {
        (_, Some(id)) => {
            let registration = db::registrations::find(conn, conference_id, id, false)
                .await?
                .ok_or_else(|| ApiError::not_found("registration not found"))?;
            ensure_live(&registration)?;
            "registration"
        }
        (Some(_), None) => "unit",
        (None, None) => "conference",
    };

    let labels = Labels::of(lang);
    let code = conference.code.clone();
    let title = conference.title.clone();
    let (bytes, count) = with_renderer(
        move |receiver| render(layout, &title, &code, receiver),
        async |sender| {
            conn.build_transaction()
                .read_only()
                .repeatable_read()
                .run(async |conn| {
                    produce(conn, conference_id, unit_id, registration_id, sender).await
                })
                .await
        },
    )
    .await?;
    let codes = i32::try_from(count).unwrap_or(i32::MAX);
    db::printouts::record_disclosure(
        conn,
        &Disclosure {
            conference_id,
            account_id: actor.account_id,
            scope,
            unit_id,
            registration_id,
            codes,
        },
    )
    .await?;
    tracing::info!(
        %conference_id,
        account_id = %actor.account_id,
        scope,
        badges = codes,
        "badges with QR codes downloaded"
    );
    Ok(Printout {
        filename: format!("{} - {}.pdf", labels.badges_file, conference.code),
        bytes,
    })
}

async fn produce(
    conn: &mut AsyncPgConnection,
    conference_id: Uuid,
    unit_id: Option<Uuid>,
    registration_id: Option<Uuid>,
    sender: &mpsc::Sender<Vec<BadgeRow>>,
) -> ApiResult<()> {
    let mut after = 0;
    loop {
        let page = db::printouts::badge_page(
            conn,
            conference_id,
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

/// Draws the badges as they come; returns the file and how many badges it holds.
fn render(
    layout: BadgeLayout,
    title: &str,
    code: &str,
    mut receiver: mpsc::Receiver<Vec<BadgeRow>>,
) -> ApiResult<(Vec<u8>, usize)> {
    let mut pdf = Pdf::new(title)?;
    let mut count = 0;
    let mut sheet: Vec<BadgeRow> = Vec::with_capacity(PER_SHEET);
    let draw_sheet = |pdf: &mut Pdf, badges: &[BadgeRow]| {
        pdf.draw_page(A4, |canvas| {
            for (index, badge) in badges.iter().enumerate() {
                let (column, row) = ((index % 2) as f32, (index / 2) as f32);
                let (x, y) = (
                    MARGIN + column * SHEET_BADGE.0,
                    MARGIN + row * SHEET_BADGE.1,
                );
                draw_badge(canvas, (x, y), SHEET_BADGE, title, code, badge)?;
            }
            Ok(())
        })
    };
    while let Some(rows) = receiver.blocking_recv() {
        for badge in rows {
            count += 1;
            match layout {
                BadgeLayout::Single => pdf.draw_page(SINGLE_PAGE, |canvas| {
                    draw_badge(canvas, (0.0, 0.0), SINGLE_PAGE, title, code, &badge)
                })?,
                BadgeLayout::Sheet => {
                    sheet.push(badge);
                    if sheet.len() == PER_SHEET {
                        draw_sheet(&mut pdf, &sheet)?;
                        sheet.clear();
                    }
                }
            }
        }
    }
    if !sheet.is_empty() || count == 0 {
        draw_sheet(&mut pdf, &sheet)?;
    }
    Ok((pdf.finish()?, count))
}

/// One badge in the box at `(x, y)` of `(width, height)`: the conference across the top, the
/// person on the left, the QR code on the right, the reference under it; a thin cut line round.
fn draw_badge(
    canvas: &mut Canvas<'_, '_>,
    (x, y): (f32, f32),
    (width, height): (f32, f32),
    title: &str,
    code: &str,
    badge: &BadgeRow,
) -> ApiResult<()> {
    const PAD: f32 = 12.0;
    canvas.frame(x, y, width, height, 0.3);
    let inner = width - 2.0 * PAD;
    let mut line_y = y + PAD + 8.0;
    for line in canvas.fonts.wrap(title, inner, 8.5, Weight::Bold, 2) {
        canvas.text(
            &line,
            x + PAD,
            line_y,
            inner,
            8.5,
            Weight::Bold,
            Align::Center,
        );
        line_y += 11.0;
    }
    canvas.line((x + PAD, y + 36.0), (x + width - PAD, y + 36.0), 0.5);

    let qr_side = (height - 36.0 - 2.0 * PAD - 12.0).min(width * 0.32);
    let qr_x = x + width - PAD - qr_side;
    canvas.qr(
        &payload_of(badge.id, &badge.qr_secret),
        qr_x,
        y + 36.0 + PAD,
        qr_side,
    )?;
    let reference = reference(code, badge.number);
    canvas.text(
        &reference,
        qr_x,
        y + height - PAD,
        qr_side,
        8.0,
        Weight::Regular,
        Align::Center,
    );

    let text_width = qr_x - x - 2.0 * PAD;
    let mut text_y = y + 36.0 + PAD + 14.0;
    for line in canvas
        .fonts
        .wrap(&badge.full_name, text_width, 13.0, Weight::Bold, 2)
    {
        canvas.text(
            &line,
            x + PAD,
            text_y,
            text_width,
            13.0,
            Weight::Bold,
            Align::Left,
        );
        text_y += 17.0;
    }
    text_y += 4.0;
    if let Some(position) = &badge.position {
        for line in canvas
            .fonts
            .wrap(position, text_width, 9.0, Weight::Regular, 2)
        {
            canvas.text(
                &line,
                x + PAD,
                text_y,
                text_width,
                9.0,
                Weight::Regular,
                Align::Left,
            );
            text_y += 11.0;
        }
    }
    if let Some(unit) = badge.unit_name.as_ref().or(badge.organization.as_ref()) {
        for line in canvas.fonts.wrap(unit, text_width, 9.0, Weight::Regular, 3) {
            canvas.text(
                &line,
                x + PAD,
                text_y,
                text_width,
                9.0,
                Weight::Regular,
                Align::Left,
            );
            text_y += 11.0;
        }
    }
    Ok(())
}
