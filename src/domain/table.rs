//! Import files as rows of text: UTF-8 CSV, or the first sheet of an XLSX workbook.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

use crate::error::{ApiError, ApiResult, ErrorCode};

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
        .map_err(|_| ApiError::bad_request(ErrorCode::InvalidCsv, "the file is not UTF-8 text"))?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| ApiError::bad_request(ErrorCode::InvalidCsv, e.to_string()))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_owned())
        .collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        if rows.len() == MAX_ROWS {
            return Err(too_large());
        }
        rows.push(
            record
                .map(|r| r.iter().map(str::to_owned).collect())
                .map_err(|e| e.to_string()),
        );
    }
    Ok(Table { headers, rows })
}

/// Streams the first sheet's cells: building a `Range` would allocate the whole rectangle the
/// used cells span, which a tiny crafted file can make astronomically large.
fn read_xlsx(body: &[u8]) -> ApiResult<Table> {
    let invalid = |e: String| {
        ApiError::bad_request(
            ErrorCode::InvalidXlsx,
            format!("the workbook cannot be read: {e}"),
        )
    };
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(body)).map_err(|e| invalid(e.to_string()))?;
    let sheet = workbook
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| invalid("it has no sheet".to_owned()))?;
    let mut cells = workbook
        .worksheet_cells_reader(&sheet)
        .map_err(|e| invalid(e.to_string()))?;
    let mut grid: Vec<Vec<String>> = Vec::new();
    while let Some(cell) = cells.next_cell().map_err(|e| invalid(e.to_string()))? {
        let (row, column) = cell.get_position();
        let (row, column) = (row as usize, column as usize);
        if row > MAX_ROWS || column >= MAX_COLUMNS {
            return Err(too_large());
        }
        if grid.len() <= row {
            grid.resize_with(row + 1, Vec::new);
        }
        let cells_of_row = &mut grid[row];
        if cells_of_row.len() <= column {
            cells_of_row.resize_with(column + 1, String::new);
        }
        cells_of_row[column] = Data::from(cell.get_value().clone())
            .to_string()
            .trim()
            .to_owned();
    }
    let mut rows = grid
        .into_iter()
        .filter(|row| row.iter().any(|cell| !cell.is_empty()));
    let headers = rows
        .next()
        .ok_or_else(|| invalid("the first sheet is empty".to_owned()))?;
    Ok(Table {
        headers,
        rows: rows.map(Ok).collect(),
    })
}

/// Data rows an import takes at most, and columns an XLSX row may use.
pub const MAX_ROWS: usize = 100_000;
const MAX_COLUMNS: usize = 32;

fn too_large() -> ApiError {
    ApiError::payload_too_large(format!(
        "an import holds at most {MAX_ROWS} rows and {MAX_COLUMNS} columns; split the file"
    ))
}
