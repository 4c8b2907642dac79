//! Import files as rows of text: UTF-8 CSV, or the first sheet of an XLSX workbook.

use std::io::Cursor;

use calamine::{Reader, Xlsx};

use crate::error::{ApiError, ApiResult};

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The media types imports accept.
pub const MEDIA_TYPES: [&str; 4] = ["text/csv", "text/plain", "application/csv", XLSX];

/// A header row and data rows; a row that could not be read is an error message in place.
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Result<Vec<String>, String>>,
}

pub fn read(media_type: &str, body: &[u8]) -> ApiResult<Table> {
    if media_type == XLSX {
        read_xlsx(body)
    } else {
        read_csv(body)
    }
}

fn read_csv(body: &[u8]) -> ApiResult<Table> {
    let text = std::str::from_utf8(body)
        .map_err(|_| ApiError::bad_request("invalid_csv", "the file is not UTF-8 text"))?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| ApiError::bad_request("invalid_csv", e.to_string()))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_owned())
        .collect();
    let rows = reader
        .records()
        .map(|record| {
            record
                .map(|r| r.iter().map(str::to_owned).collect())
                .map_err(|e| e.to_string())
        })
        .collect();
    Ok(Table { headers, rows })
}

fn read_xlsx(body: &[u8]) -> ApiResult<Table> {
    let invalid = |e: String| {
        ApiError::bad_request("invalid_xlsx", format!("the workbook cannot be read: {e}"))
    };
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(body)).map_err(|e| invalid(e.to_string()))?;
    let range = workbook
        .worksheet_range_at(0)
        .ok_or_else(|| invalid("it has no sheet".to_owned()))?
        .map_err(|e| invalid(e.to_string()))?;
    let mut rows = range.rows().map(|row| {
        row.iter()
            .map(|cell| cell.to_string().trim().to_owned())
            .collect::<Vec<_>>()
    });
    let headers = rows
        .next()
        .ok_or_else(|| invalid("the first sheet is empty".to_owned()))?;
    Ok(Table {
        headers,
        rows: rows.map(Ok).collect(),
    })
}
