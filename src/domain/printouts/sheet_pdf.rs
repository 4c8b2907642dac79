//! The sign-in sheet as PDF: A4 (landscape with the phone column), the title block and the
//! column headings on every page, a heading row per section and per unit, rows tall enough to
//! sign in, and "page x of n" at the foot. Rows are fixed-height, so the number of pages is
//! known from the group counts before the first page is drawn; a page's rows are held only
//! until the page is drawn.

use super::Labels;
use super::pdf::{A4, A4_LANDSCAPE, Align, Canvas, MARGIN, Pdf, Weight};
use super::sheets::{SheetGroup, SheetHeader, SheetLine, SheetWriter};
use crate::error::ApiResult;

const TITLE_BLOCK: f32 = 66.0;
const HEADER_ROW: f32 = 20.0;
const ROW: f32 = 22.0;
const SECTION_ROW: f32 = 18.0;
const UNIT_ROW: f32 = 16.0;
const TOTAL_ROW: f32 = 20.0;
const TEXT: f32 = 8.5;
/// The size of a cell's text when it needs three lines to fit in `ROW`.
const SMALL_TEXT: f32 = 6.6;

/// What takes a place on a page.
#[derive(Clone, Copy)]
enum Block {
    Section,
    Unit,
    Row,
    Total,
}

impl Block {
    fn height(self) -> f32 {
        match self {
            Block::Section => SECTION_ROW,
            Block::Unit => UNIT_ROW,
            Block::Row => ROW,
            Block::Total => TOTAL_ROW,
        }
    }

    /// Room a block needs where it starts: a heading is never the last line of a page.
    fn keep_with_next(self) -> f32 {
        match self {
            Block::Section => SECTION_ROW + UNIT_ROW + ROW,
            Block::Unit => UNIT_ROW + ROW,
            other => other.height(),
        }
    }
}

/// Decides where pages break; run once over the counts to number the pages, and again while
/// drawing, so both agree.
struct Paginator {
    capacity: f32,
    used: f32,
    pages: usize,
}

impl Paginator {
    fn new(capacity: f32) -> Self {
        Self {
            capacity,
            used: 0.0,
            pages: 1,
        }
    }

    /// Places a block; `true` when it starts a new page.
    fn place(&mut self, block: Block) -> bool {
        if self.used > 0.0 && self.used + block.keep_with_next() > self.capacity {
            self.pages += 1;
            self.used = block.height();
            true
        } else {
            self.used += block.height();
            false
        }
    }
}

/// A drawn line of the table.
enum Line {
    Section(String),
    Unit(String),
    Row(SheetLine),
    Total(String),
}

pub(crate) struct PdfSheet {
    pdf: Pdf,
    header: SheetHeader,
    groups: Vec<SheetGroup>,
    size: (f32, f32),
    columns: Vec<(&'static str, f32)>,
    paginator: Paginator,
    pages: usize,
    page: usize,
    pending: Vec<Line>,
    total: i64,
}

impl PdfSheet {
    pub fn new(header: SheetHeader, groups: Vec<SheetGroup>) -> ApiResult<Self> {
        let labels = header.labels;
        let (size, columns) = if header.with_phone {
            (
                A4_LANDSCAPE,
                vec![
                    (labels.number, 28.0),
                    (labels.full_name, 160.0),
                    (labels.position, 130.0),
                    (labels.unit, 170.0),
                    (labels.phone, 80.0),
                    (labels.checked_in, 52.0),
                    (labels.signature, 0.0),
                ],
            )
        } else {
            (
                A4,
                vec![
                    // Portrait A4 leaves about 96 pt (34 mm) to sign in: enough, and the unit
                    // and position, which people check, are cut short less often.
                    (labels.number, 24.0),
                    (labels.full_name, 115.0),
                    (labels.position, 100.0),
                    (labels.unit, 140.0),
                    (labels.checked_in, 48.0),
                    (labels.signature, 0.0),
                ],
            )
        };
        let mut columns = columns;
        // The signature column takes what the others leave.
        let used: f32 = columns.iter().map(|(_, w)| w).sum();
        if let Some(last) = columns.last_mut() {
            last.1 = size.0 - 2.0 * MARGIN - used;
        }
        let capacity = size.1 - 2.0 * MARGIN - TITLE_BLOCK - HEADER_ROW;
        let mut count = Paginator::new(capacity);
        for group in &groups {
            if group.section.is_some() {
                count.place(Block::Section);
            }
            if group.heading.is_some() {
                count.place(Block::Unit);
            }
            for _ in 0..group.delegates {
                count.place(Block::Row);
            }
        }
        count.place(Block::Total);
        let title = format!("{} - {}", labels.sheet_title, header.conference_title);
        Ok(Self {
            pdf: Pdf::new(&title)?,
            header,
            groups,
            size,
            columns,
            paginator: Paginator::new(capacity),
            pages: count.pages,
            page: 0,
            pending: Vec::new(),
            total: 0,
        })
    }

    fn push(&mut self, block: Block, line: Line) -> ApiResult<()> {
        if self.paginator.place(block) {
            self.flush()?;
        }
        self.pending.push(line);
        Ok(())
    }

    /// Draws the page of the pending lines.
    fn flush(&mut self) -> ApiResult<()> {
        self.page += 1;
        let lines = std::mem::take(&mut self.pending);
        let (page, pages) = (self.page, self.pages.max(self.page));
        let header = &self.header;
        let columns = &self.columns;
        self.pdf.draw_page(self.size, |canvas| {
            title_block(canvas, header);
            let mut y = MARGIN + TITLE_BLOCK;
            heading_row(canvas, columns, y);
            y += HEADER_ROW;
            for line in &lines {
                y += draw_line(canvas, columns, y, line);
            }
            let footer_y = canvas.height - MARGIN + 16.0;
            let footer = header.labels.page_of(page, pages);
            canvas.text(
                &footer,
                MARGIN,
                footer_y,
                canvas.width - 2.0 * MARGIN,
                8.0,
                Weight::Regular,
                Align::Right,
            );
            Ok(())
        })
    }
}

impl SheetWriter for PdfSheet {
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
            self.push(Block::Section, Line::Section(section))?;
        }
        match unit {
            Some(unit) => self.push(Block::Unit, Line::Unit(unit)),
            None => Ok(()),
        }
    }

    fn row(&mut self, line: SheetLine) -> ApiResult<()> {
        self.total += 1;
        self.push(Block::Row, Line::Row(line))
    }

    fn finish(mut self: Box<Self>) -> ApiResult<Vec<u8>> {
        let total = self.header.labels.total_line(self.total);
        self.push(Block::Total, Line::Total(total))?;
        self.flush()?;
        self.pdf.finish()
    }
}

fn title_block(canvas: &mut Canvas<'_, '_>, header: &SheetHeader) {
    let labels: &Labels = header.labels;
    let width = canvas.width - 2.0 * MARGIN;
    let x = MARGIN;
    canvas.text(
        labels.sheet_title,
        x,
        MARGIN + 13.0,
        width,
        13.0,
        Weight::Bold,
        Align::Center,
    );
    canvas.text(
        &header.conference_title,
        x,
        MARGIN + 29.0,
        width,
        11.0,
        Weight::Bold,
        Align::Center,
    );
    let mut when_where = format!("{}: {}", labels.date, header.dates);
    if let Some(venue) = &header.venue {
        when_where.push_str(&format!(" · {}: {venue}", labels.venue));
    }
    canvas.text(
        &when_where,
        x,
        MARGIN + 43.0,
        width,
        9.0,
        Weight::Regular,
        Align::Center,
    );
    let detail: Vec<&str> = [header.session.as_deref(), header.subtitle]
        .into_iter()
        .flatten()
        .collect();
    canvas.text(
        &detail.join(" · "),
        x,
        MARGIN + 56.0,
        width,
        9.0,
        Weight::Regular,
        Align::Center,
    );
}

fn heading_row(canvas: &mut Canvas<'_, '_>, columns: &[(&'static str, f32)], y: f32) {
    let mut x = MARGIN;
    for (title, width) in columns {
        canvas.frame(x, y, *width, HEADER_ROW, 0.8);
        canvas.text(
            title,
            x + 2.0,
            y + 13.0,
            width - 4.0,
            TEXT,
            Weight::Bold,
            Align::Center,
        );
        x += width;
    }
}

/// Draws one line at `y`; returns its height.
fn draw_line(
    canvas: &mut Canvas<'_, '_>,
    columns: &[(&'static str, f32)],
    y: f32,
    line: &Line,
) -> f32 {
    let full = canvas.width - 2.0 * MARGIN;
    match line {
        Line::Section(text) => {
            canvas.frame(MARGIN, y, full, SECTION_ROW, 0.5);
            canvas.text(
                text,
                MARGIN + 4.0,
                y + 12.5,
                full - 8.0,
                9.5,
                Weight::Bold,
                Align::Left,
            );
            SECTION_ROW
        }
        Line::Unit(text) => {
            canvas.frame(MARGIN, y, full, UNIT_ROW, 0.5);
            canvas.text(
                text,
                MARGIN + 12.0,
                y + 11.0,
                full - 16.0,
                TEXT,
                Weight::Bold,
                Align::Left,
            );
            UNIT_ROW
        }
        Line::Total(text) => {
            canvas.frame(MARGIN, y, full, TOTAL_ROW, 0.8);
            canvas.text(
                text,
                MARGIN + 4.0,
                y + 13.5,
                full - 8.0,
                9.5,
                Weight::Bold,
                Align::Left,
            );
            TOTAL_ROW
        }
        Line::Row(row) => {
            let number = row.number.to_string();
            let with_phone = columns.len() == 7;
            let mut cells: Vec<(&str, Align)> = vec![
                (&number, Align::Center),
                (&row.full_name, Align::Left),
                (&row.position, Align::Left),
                (&row.unit, Align::Left),
            ];
            if with_phone {
                cells.push((&row.phone, Align::Left));
            }
            cells.push((&row.checked_in, Align::Center));
            cells.push(("", Align::Left));
            let mut x = MARGIN;
            for ((_, width), (text, align)) in columns.iter().zip(cells) {
                canvas.frame(x, y, *width, ROW, 0.5);
                // A long name, position or unit takes a second line rather than being cut:
                // people check those against the person signing. Rows keep one height so
                // that pages can be counted before the first one is drawn.
                let (lines, size) = cell_lines(canvas, text, width - 6.0);
                let baselines: &[f32] = match lines.len() {
                    0 | 1 => &[14.0],
                    2 => &[9.5, 19.0],
                    _ => &[7.2, 14.0, 20.8],
                };
                for (line, baseline) in lines.iter().zip(baselines) {
                    canvas.text(
                        line,
                        x + 3.0,
                        y + baseline,
                        width - 6.0,
                        size,
                        Weight::Regular,
                        align,
                    );
                }
                x += width;
            }
            ROW
        }
    }
}

/// A cell's text as lines that fit `width`: one or two lines at the table's size, else up
/// to three at a smaller one (only the rest of a very long name is cut).
fn cell_lines(canvas: &Canvas<'_, '_>, text: &str, width: f32) -> (Vec<String>, f32) {
    let fonts = canvas.fonts;
    let lines = fonts.wrap(text, width, TEXT, Weight::Regular, usize::MAX);
    if lines.len() <= 2 {
        return (lines, TEXT);
    }
    (
        fonts.wrap(text, width, SMALL_TEXT, Weight::Regular, 3),
        SMALL_TEXT,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_heading_never_ends_a_page() {
        let mut pages = Paginator::new(ROW * 3.0 + UNIT_ROW);
        assert!(!pages.place(Block::Unit));
        assert!(!pages.place(Block::Row));
        assert!(!pages.place(Block::Row));
        // Room for one more row, but not for a heading with its first row.
        assert!(pages.place(Block::Unit));
        assert_eq!(pages.pages, 2);
    }
}
