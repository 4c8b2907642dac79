//! The sign-in sheet as XLSX, in rust_xlsxwriter's constant-memory mode (each row goes to a
//! temporary file as it is written): A4, one page wide, the column headings repeated on every
//! printed page, "page x / n" in the footer, the title rows, a heading row per section and per
//! unit, bordered cells and a signature column wide enough to sign in.

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

use super::Labels;
use super::sheets::{SheetGroup, SheetHeader, SheetLine, SheetWriter};
use crate::error::{ApiError, ApiResult};

/// A4 in Excel's paper codes.
const PAPER_A4: u8 = 9;
/// Row of the column headings (0-based), under four title rows and a blank one.
const HEADER_ROW: u32 = 5;

struct Formats {
    title: Format,
    subtitle: Format,
    heading: Format,
    section: Format,
    unit: Format,
    cell: Format,
    centered: Format,
    total: Format,
}

impl Formats {
    fn new() -> Self {
        let bordered = Format::new()
            .set_border(FormatBorder::Thin)
            .set_font_size(10)
            .set_align(FormatAlign::VerticalCenter);
        Self {
            title: Format::new()
                .set_bold()
                .set_font_size(14)
                .set_align(FormatAlign::Center),
            subtitle: Format::new()
                .set_font_size(10)
                .set_align(FormatAlign::Center),
            heading: bordered
                .clone()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_background_color(0xDDEBF7),
            section: bordered.clone().set_bold().set_background_color(0xF2F2F2),
            unit: bordered.clone().set_bold().set_indent(1),
            cell: bordered.clone().set_text_wrap(),
            centered: bordered.clone().set_align(FormatAlign::Center),
            total: bordered.set_bold(),
        }
    }
}

pub(crate) struct XlsxSheet {
    workbook: Workbook,
    labels: &'static Labels,
    formats: Formats,
    groups: Vec<SheetGroup>,
    with_phone: bool,
    last_column: u16,
    row: u32,
    total: i64,
}

fn xlsx(error: XlsxError) -> ApiError {
    ApiError::internal(error)
}

impl XlsxSheet {
    pub fn new(header: SheetHeader, groups: Vec<SheetGroup>) -> ApiResult<Self> {
        let labels = header.labels;
        let mut columns: Vec<(&str, f64)> = vec![
            (labels.number, 5.0),
            (labels.full_name, 26.0),
            (labels.position, 20.0),
            (labels.unit, 28.0),
        ];
        if header.with_phone {
            columns.push((labels.phone, 14.0));
        }
        columns.push((labels.checked_in, 10.0));
        columns.push((labels.signature, 22.0));
        let last_column = u16::try_from(columns.len() - 1).map_err(ApiError::internal)?;

        let mut workbook = Workbook::new();
        let formats = Formats::new();
        let sheet = workbook
            .add_worksheet_with_constant_memory()
            .map_err(xlsx)?;
        sheet.set_name(labels.sheet_file).map_err(xlsx)?;
        sheet.set_paper_size(PAPER_A4);
        if header.with_phone {
            sheet.set_landscape();
        } else {
            sheet.set_portrait();
        }
        sheet.set_print_fit_to_pages(1, 0);
        sheet
            .set_repeat_rows(HEADER_ROW, HEADER_ROW)
            .map_err(xlsx)?;
        sheet.set_footer(format!("&C{} &P / &N", labels.page));
        for (index, (_, width)) in columns.iter().enumerate() {
            let col = u16::try_from(index).map_err(ApiError::internal)?;
            sheet.set_column_width(col, *width).map_err(xlsx)?;
        }

        let mut when_where = format!("{}: {}", labels.date, header.dates);
        if let Some(venue) = &header.venue {
            when_where.push_str(&format!(" · {}: {venue}", labels.venue));
        }
        let detail: Vec<&str> = [header.session.as_deref(), header.subtitle]
            .into_iter()
            .flatten()
            .collect();
        let titles = [
            (labels.sheet_title, &formats.title),
            (header.conference_title.as_str(), &formats.title),
            (when_where.as_str(), &formats.subtitle),
            (&detail.join(" · "), &formats.subtitle),
        ];
        for (row, (text, format)) in (0u32..).zip(titles) {
            sheet
                .merge_range(row, 0, row, last_column, text, format)
                .map_err(xlsx)?;
        }
        sheet.set_row_height(HEADER_ROW, 30).map_err(xlsx)?;
        for (index, (title, _)) in columns.iter().enumerate() {
            let col = u16::try_from(index).map_err(ApiError::internal)?;
            sheet
                .write_string_with_format(HEADER_ROW, col, *title, &formats.heading)
                .map_err(xlsx)?;
        }
        Ok(Self {
            workbook,
            labels,
            formats,
            groups,
            with_phone: header.with_phone,
            last_column,
            row: HEADER_ROW + 1,
            total: 0,
        })
    }

    fn sheet(&mut self) -> ApiResult<&mut Worksheet> {
        self.workbook.worksheet_from_index(0).map_err(xlsx)
    }

    /// A heading across the whole width.
    fn heading_row(&mut self, text: &str, section: bool) -> ApiResult<()> {
        let (row, last) = (self.row, self.last_column);
        let format = if section {
            self.formats.section.clone()
        } else {
            self.formats.unit.clone()
        };
        self.sheet()?
            .merge_range(row, 0, row, last, text, &format)
            .map_err(xlsx)?;
        self.row += 1;
        Ok(())
    }
}

impl SheetWriter for XlsxSheet {
    fn group(&mut self, index: usize) -> ApiResult<()> {
        let Some(group) = self.groups.get(index) else {
            return Ok(());
        };
        let section = group
            .section
            .map(|(title, count)| format!("{title} ({count})"));
        let unit = group
            .heading
            .as_ref()
            .map(|heading| format!("{heading} ({})", group.delegates));
        if let Some(section) = section {
            self.heading_row(&section, true)?;
        }
        match unit {
            Some(unit) => self.heading_row(&unit, false),
            None => Ok(()),
        }
    }

    fn row(&mut self, line: SheetLine) -> ApiResult<()> {
        self.total += 1;
        let row = self.row;
        let with_phone = self.with_phone;
        let cell = self.formats.cell.clone();
        let centered = self.formats.centered.clone();
        let sheet = self.sheet()?;
        sheet.set_row_height(row, 26).map_err(xlsx)?;
        sheet
            .write_number_with_format(row, 0, line.number as f64, &centered)
            .map_err(xlsx)?;
        let mut cells = vec![line.full_name, line.position, line.unit];
        if with_phone {
            cells.push(line.phone);
        }
        let mut col = 1u16;
        for text in &cells {
            sheet
                .write_string_with_format(row, col, text, &cell)
                .map_err(xlsx)?;
            col += 1;
        }
        sheet
            .write_string_with_format(row, col, &line.checked_in, &centered)
            .map_err(xlsx)?;
        sheet.write_blank(row, col + 1, &cell).map_err(xlsx)?;
        self.row += 1;
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> ApiResult<Vec<u8>> {
        let (row, last) = (self.row, self.last_column);
        let text = self.labels.total_line(self.total);
        let format = self.formats.total.clone();
        self.sheet()?
            .merge_range(row, 0, row, last, &text, &format)
            .map_err(xlsx)?;
        self.workbook.save_to_buffer().map_err(xlsx)
    }
}
