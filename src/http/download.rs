//! Responses that are files a person saves: exports, sheets, certificates. They carry personal
//! data, so no intermediary may keep them, and their name says what they are.

use actix_web::HttpResponse;
use actix_web::HttpResponseBuilder;
use actix_web::http::header::{
    self, Charset, ContentDisposition, DispositionParam, DispositionType, ExtendedValue,
};

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
pub const CSV: &str = "text/csv; charset=utf-8";
pub const PDF: &str = "application/pdf";
pub const SVG: &str = "image/svg+xml";

/// A 200 whose body is saved as `filename` (RFC 6266: an ASCII fallback plus the UTF-8 name,
/// so `Danh sách đại biểu.xlsx` survives) and is never stored by caches or proxies.
pub fn attachment(filename: &str, content_type: &str) -> HttpResponseBuilder {
    let mut builder = HttpResponse::Ok();
    builder
        .content_type(content_type)
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            ContentDisposition {
                disposition: DispositionType::Attachment,
                parameters: vec![
                    DispositionParam::Filename(ascii_fallback(filename)),
                    DispositionParam::FilenameExt(ExtendedValue {
                        charset: Charset::Ext("UTF-8".to_owned()),
                        language_tag: None,
                        value: filename.as_bytes().to_vec(),
                    }),
                ],
            },
        ));
    builder
}

/// The name with diacritics removed (`đ` → `d`) and anything else outside printable ASCII, or
/// a quote or backslash, replaced by `_`: for clients that ignore `filename*`.
fn ascii_fallback(filename: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    use unicode_normalization::char::is_combining_mark;
    filename
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .map(|c| match c {
            'đ' => 'd',
            'Đ' => 'D',
            ' '..='~' if c != '"' && c != '\\' => c,
            _ => '_',
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fallback_names_are_plain_ascii() {
        assert_eq!(
            ascii_fallback("Danh sách đại biểu \"A\".xlsx"),
            "Danh sach dai bieu _A_.xlsx"
        );
    }
}
