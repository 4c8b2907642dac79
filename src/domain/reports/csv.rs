//! CSV rendering of an export's rows, page by page: UTF-8 with a byte-order mark (so Excel reads
//! Vietnamese correctly), comma or semicolon, and text that a spreadsheet cannot run as a formula.

use super::{Cell, Row, SheetHead};
use crate::domain::common::text_enum;
use crate::error::{ApiError, ApiResult};

text_enum! {
    /// The CSV field separator: `semicolon` for spreadsheets set to a locale whose decimal
    /// separator is a comma.
    Delimiter {
        Comma => "comma",
        Semicolon => "semicolon",
    }
}

impl Delimiter {
    /// `?delimiter=` as sent: absent is a comma, anything unknown a 422 naming `delimiter`.
    pub fn from_query(value: Option<&str>) -> Result<Self, crate::error::FieldError> {
        value.map_or(Ok(Delimiter::Comma), |v| {
            Delimiter::parse_field("delimiter", v)
        })
    }

    fn byte(self) -> u8 {
        match self {
            Delimiter::Comma => b',',
            Delimiter::Semicolon => b';',
        }
    }
}

const BOM: &[u8] = "\u{feff}".as_bytes();

/// Writes one sheet: the byte-order mark and headings first, then rows. Only the first sheet's
/// head is written; a CSV export has one sheet.
pub struct CsvRenderer {
    delimiter: Delimiter,
    started: bool,
}

impl CsvRenderer {
    pub fn new(delimiter: Delimiter) -> Self {
        CsvRenderer {
            delimiter,
            started: false,
        }
    }

    pub fn head(&mut self, head: &SheetHead) -> ApiResult<Vec<u8>> {
        if self.started {
            return Ok(Vec::new());
        }
        self.started = true;
        let mut out = BOM.to_vec();
        out.extend(self.render(std::iter::once(
            head.headers.iter().map(|h| neutralise(h)).collect(),
        ))?);
        Ok(out)
    }

    pub fn rows(&mut self, rows: &[Row]) -> ApiResult<Vec<u8>> {
        self.render(
            rows.iter()
                .map(|row| row.iter().map(field).collect::<Vec<String>>()),
        )
    }

    fn render(&self, rows: impl Iterator<Item = Vec<String>>) -> ApiResult<Vec<u8>> {
        let mut writer = ::csv::WriterBuilder::new()
            .delimiter(self.delimiter.byte())
            .terminator(::csv::Terminator::CRLF)
            .from_writer(Vec::new());
        for row in rows {
            writer.write_record(&row).map_err(ApiError::internal)?;
        }
        writer
            .into_inner()
            .map_err(|e| ApiError::internal(e.to_string()))
    }
}

fn field(cell: &Cell) -> String {
    match cell {
        Cell::Text(text) => neutralise(text),
        Cell::Phone(phone) => neutralise(&readable_phone(phone)),
        Cell::Int(n) => n.to_string(),
        Cell::Share(share) => format!("{:.1}%", share * 100.0),
        Cell::Time(at) => at.format("%Y-%m-%d %H:%M:%S").to_string(),
        Cell::Empty => String::new(),
    }
}

/// Text a spreadsheet would read as a formula (starting with `=`, `+`, `-`, `@`, a tab or a
/// carriage return) gets a leading `'`, so it is shown, never run (OWASP, CSV injection).
pub fn neutralise(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

/// A Vietnamese number as people write it (`0912 345 678`: the spaces keep spreadsheets from
/// reading it as a number and dropping the 0); any other in international format.
pub fn readable_phone(e164: &str) -> String {
    use phonenumber::Mode;
    match phonenumber::parse(None, e164) {
        Ok(number) if number.code().value() == 84 => {
            number.format().mode(Mode::National).to_string()
        }
        Ok(number) => number.format().mode(Mode::International).to_string(),
        Err(_) => e164.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_shown_not_run() {
        assert_eq!(neutralise("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralise("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralise("-2+3"), "'-2+3");
        assert_eq!(neutralise("Nguyễn Văn An"), "Nguyễn Văn An");
    }

    #[test]
    fn vietnamese_phones_read_as_written_at_home() {
        assert_eq!(readable_phone("+84912345678"), "0912 345 678");
        assert!(!neutralise(&readable_phone("+12025550100")).starts_with('+'));
    }
}
