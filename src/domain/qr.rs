//! QR codes: the payload of a registration and its SVG and PNG renderings. Pure functions that
//! registrations, notifications, check-in pairing and printouts share.

use uuid::Uuid;

use crate::db::registrations::RegistrationRow;
use crate::error::{ApiError, ApiResult};

/// Prefix of QR payloads: `hoithao:1:<registration id>:<secret>`.
pub const QR_PREFIX: &str = "hoithao:1:";

pub fn qr_payload(row: &RegistrationRow) -> String {
    payload_of(row.id, &row.qr_secret)
}

/// The QR payload of a registration id and its secret (badges print it too).
pub fn payload_of(id: Uuid, secret: &str) -> String {
    format!("{QR_PREFIX}{id}:{secret}")
}

/// A QR code as an SVG document.
pub fn qr_svg(payload: &str) -> ApiResult<String> {
    Ok(qr_code(payload)?
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(256, 256)
        .quiet_zone(true)
        .build())
}

/// A QR code as a greyscale PNG image (8 pixels a module, 4-module quiet zone).
pub fn qr_png(payload: &str) -> ApiResult<Vec<u8>> {
    const SCALE: usize = 8;
    const QUIET: usize = 4;
    let code = qr_code(payload)?;
    let modules = code.width();
    let side = (modules + 2 * QUIET) * SCALE;
    let colors = code.to_colors();
    let mut pixels = vec![255u8; side * side];
    for (index, color) in colors.iter().enumerate() {
        if *color == qrcode::Color::Dark {
            let (x, y) = (
                (index % modules + QUIET) * SCALE,
                (index / modules + QUIET) * SCALE,
            );
            for row in y..y + SCALE {
                pixels[row * side + x..row * side + x + SCALE].fill(0);
            }
        }
    }
    let side = u32::try_from(side).map_err(ApiError::internal)?;
    let mut png = Vec::new();
    let mut encoder = png::Encoder::new(&mut png, side, side);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(ApiError::internal)?;
    writer
        .write_image_data(&pixels)
        .map_err(ApiError::internal)?;
    writer.finish().map_err(ApiError::internal)?;
    Ok(png)
}

fn qr_code(payload: &str) -> ApiResult<qrcode::QrCode> {
    qrcode::QrCode::with_error_correction_level(payload.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| ApiError::internal(e.to_string()))
}
