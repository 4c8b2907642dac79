//! XLSX rendering of an export with `rust_xlsxwriter` in constant-memory mode: each worksheet's
//! rows go to a temporary file as they arrive (only one row is held in memory), and at the end
//! the workbook is zipped in streaming mode straight into `out`. Blocking work: run it on a
//! blocking thread.

use std::io::Write;

use chrono::{Datelike, NaiveDateTime, Timelike};
use rust_xlsxwriter::{Chart, ChartType, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

use super::{Cell, ChartSpec, Part, SheetHead};
use crate::error::{ApiError, ApiResult};

/// Excel's limit on rows per worksheet (the heading takes one).
const MAX_ROWS: u32 = 1_048_576;

struct Formats {
    header: Format,
    time: Format,
    share: Format,
}

/// Writes the parts as a workbook into `out`. Stops with the first error a part carries (the
/// export failed midway), writing nothing more.
pub fn write(
    parts: impl Iterator<Item = ApiResult<Part>>,
    out: &mut (impl Write + Send),
) -> ApiResult<()> {
    let formats = Formats {
        header: Format::new().set_bold(),
        time: Format::new().set_num_format("yyyy-mm-dd hh:mm:ss"),
        share: Format::new().set_num_format("0.0%"),
    };
    let mut workbook = Workbook::new();
    let mut sheet: Option<usize> = None;
    let mut next_row: u32 = 0;
    for part in parts {
        match part? {
            Part::Sheet(head) => {
                let worksheet = workbook
                    .add_worksheet_with_constant_memory()
                    .map_err(xlsx_error)?;
                start_sheet(worksheet, &head, &formats).map_err(xlsx_error)?;
                sheet = Some(workbook.worksheets().len() - 1);
                next_row = 1;
            }
            Part::Rows(rows) => {
                let index = sheet.ok_or_else(|| ApiError::internal("rows before a sheet"))?;
                let worksheet = workbook.worksheet_from_index(index).map_err(xlsx_error)?;
                for row in rows {
                    if next_row >= MAX_ROWS {
                        return Err(ApiError::internal("more rows than a worksheet holds"));
                    }
                    write_row(worksheet, next_row, &row, &formats).map_err(xlsx_error)?;
                    next_row += 1;
                }
            }
            Part::Charts { name, charts } => {
                // A small sheet: the normal mode, in which charts can be inserted.
                let worksheet = workbook.add_worksheet();
                worksheet.set_name(&name).map_err(xlsx_error)?;
                insert_charts(worksheet, &charts).map_err(xlsx_error)?;
                sheet = None;
            }
        }
    }
    workbook.save_to_writer(out).map_err(xlsx_error)
}

fn xlsx_error(e: XlsxError) -> ApiError {
    ApiError::internal(format!("writing XLSX: {e}"))
}

fn start_sheet(
    worksheet: &mut Worksheet,
    head: &SheetHead,
    formats: &Formats,
) -> Result<(), XlsxError> {
    worksheet.set_name(&head.name)?;
    // Widths must be set before the first row: constant-memory mode writes rows as they come.
    for (col, heading) in (0u16..).zip(&head.headers) {
        let width = u16::try_from(heading.chars().count())
            .unwrap_or(40)
            .clamp(12, 40);
        worksheet.set_column_width(col, width + 4)?;
        worksheet.write_string_with_format(0, col, heading, &formats.header)?;
    }
    worksheet.set_freeze_panes(1, 0)?;
    Ok(())
}

/// One chart below the other, each as tall as its bars need.
fn insert_charts(worksheet: &mut Worksheet, charts: &[ChartSpec]) -> Result<(), XlsxError> {
    let mut top: u32 = 0;
    for spec in charts.iter().filter(|spec| spec.rows > 0) {
        let mut chart = Chart::new(ChartType::Bar);
        chart.title().set_name(&spec.title);
        for (name, column) in &spec.series {
            chart
                .add_series()
                .set_name(name.as_str())
                .set_categories((
                    spec.sheet.as_str(),
                    1,
                    spec.label_column,
                    spec.rows,
                    spec.label_column,
                ))
                .set_values((spec.sheet.as_str(), 1, *column, spec.rows, *column));
        }
        let height = 120 + 28 * spec.rows.min(60);
        chart.set_width(720).set_height(height);
        worksheet.insert_chart(top, 0, &chart)?;
        // Default rows are 20 pixels high.
        top += height / 20 + 2;
    }
    Ok(())
}

fn write_row(
    worksheet: &mut Worksheet,
    row: u32,
    cells: &[Cell],
    formats: &Formats,
) -> Result<(), XlsxError> {
    for (col, cell) in (0u16..).zip(cells) {
        match cell {
            // Cells are typed strings: Excel never evaluates them, so no neutralising here.
            Cell::Text(text) | Cell::Phone(text) => {
                worksheet.write_string(row, col, text)?;
            }
            Cell::Int(n) => {
                // Counts and numbers stay far below 2^52: exact as f64.
                #[allow(clippy::cast_precision_loss)]
                worksheet.write_number(row, col, *n as f64)?;
            }
            Cell::Share(share) => {
                worksheet.write_number_with_format(row, col, *share, &formats.share)?;
            }
            Cell::Time(at) => {
                worksheet.write_datetime_with_format(row, col, excel_time(at)?, &formats.time)?;
            }
            Cell::Empty => {}
        }
    }
    Ok(())
}

fn excel_time(at: &NaiveDateTime) -> Result<ExcelDateTime, XlsxError> {
    let year = u16::try_from(at.year()).unwrap_or(1900);
    // Month, day, hour, minute and second are small: the conversions cannot fail.
    ExcelDateTime::from_ymd(year, at.month() as u8, at.day() as u8)?.and_hms(
        at.hour() as u16,
        at.minute() as u8,
        at.second(),
    )
}
