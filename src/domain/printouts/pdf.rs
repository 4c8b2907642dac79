//! Layout primitives shared by every printed PDF (sign-in sheets, badges, certificates): A4
//! pages, lines of text in the embedded DejaVu Sans (it covers every Vietnamese letter, so names
//! print as they are stored), text measured to fit a width, ruled boxes, and QR codes drawn as
//! vector squares. krilla subsets the font to the glyphs used and embeds it with a ToUnicode map,
//! so the text can be searched and extracted again.

use krilla::Document;
use krilla::geom::{PathBuilder, Point, Rect, Size};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};
use skrifa::instance::{LocationRef, Size as FontSize};
use skrifa::{FontRef, MetadataProvider};

use crate::error::{ApiError, ApiResult};

static REGULAR: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans-Bold.ttf");

/// A4 in PDF points (1/72 inch).
pub const A4_WIDTH: f32 = 595.28;
pub const A4_HEIGHT: f32 = 841.89;
pub const A4: (f32, f32) = (A4_WIDTH, A4_HEIGHT);
pub const A4_LANDSCAPE: (f32, f32) = (A4_HEIGHT, A4_WIDTH);
/// Margin on every side of every page.
pub const MARGIN: f32 = 36.0;

/// Regular or bold.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    Regular,
    Bold,
}

/// Horizontal placement of text within a width.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
    Right,
}

/// The two faces, for drawing (krilla) and for measuring (skrifa, the same font data).
pub struct Fonts {
    regular: Font,
    bold: Font,
    regular_ref: FontRef<'static>,
    bold_ref: FontRef<'static>,
}

impl Fonts {
    pub fn load() -> ApiResult<Self> {
        let font = |data: &'static [u8]| {
            Font::new(data.into(), 0).ok_or_else(|| ApiError::internal("embedded font unreadable"))
        };
        let measure = |data: &'static [u8]| FontRef::new(data).map_err(ApiError::internal);
        Ok(Self {
            regular: font(REGULAR)?,
            bold: font(BOLD)?,
            regular_ref: measure(REGULAR)?,
            bold_ref: measure(BOLD)?,
        })
    }

    fn face(&self, weight: Weight) -> (&Font, &FontRef<'static>) {
        match weight {
            Weight::Regular => (&self.regular, &self.regular_ref),
            Weight::Bold => (&self.bold, &self.bold_ref),
        }
    }

    /// The width of `text` set in `size` points: the sum of its characters' advances (names
    /// are NFC, and the font has a precomposed glyph for every Vietnamese letter).
    pub fn width(&self, text: &str, size: f32, weight: Weight) -> f32 {
        let (_, font) = self.face(weight);
        let charmap = font.charmap();
        let metrics = font.glyph_metrics(FontSize::new(size), LocationRef::default());
        text.chars()
            .map(|c| {
                charmap
                    .map(c)
                    .and_then(|glyph| metrics.advance_width(glyph))
                    .unwrap_or(size * 0.5)
            })
            .sum()
    }

    /// `text` cut to fit `width`, with an ellipsis where it was cut.
    pub fn fit(&self, text: &str, width: f32, size: f32, weight: Weight) -> String {
        if self.width(text, size, weight) <= width {
            return text.to_owned();
        }
        let mut kept: String = text.to_owned();
        while !kept.is_empty() && self.width(&format!("{kept}…"), size, weight) > width {
            kept.pop();
        }
        format!("{}…", kept.trim_end())
    }

    /// `text` broken into lines at spaces so that each fits `width` (a word longer than the
    /// width is cut), at most `max_lines` lines (the last one cut with an ellipsis).
    pub fn wrap(
        &self,
        text: &str,
        width: f32,
        size: f32,
        weight: Weight,
        max_lines: usize,
    ) -> Vec<String> {
        let mut lines: Vec<String> = Vec::new();
        let mut current = String::new();
        for word in text.split_whitespace() {
            let candidate = if current.is_empty() {
                word.to_owned()
            } else {
                format!("{current} {word}")
            };
            if current.is_empty() || self.width(&candidate, size, weight) <= width {
                current = candidate;
            } else {
                lines.push(std::mem::replace(&mut current, word.to_owned()));
            }
        }
        if !current.is_empty() {
            lines.push(current);
        }
        if lines.len() > max_lines {
            let rest = lines.split_off(max_lines - 1).join(" ");
            lines.push(rest);
        }
        lines
            .into_iter()
            .map(|line| self.fit(&line, width, size, weight))
            .collect()
    }
}

/// A document being written page by page.
pub struct Pdf {
    document: Document,
    pub fonts: Fonts,
}

impl Pdf {
    pub fn new(title: &str) -> ApiResult<Self> {
        let mut document = Document::new();
        document.set_metadata(
            krilla::metadata::Metadata::new()
                .title(title.to_owned())
                .creator("hoithao".to_owned()),
        );
        Ok(Self {
            document,
            fonts: Fonts::load()?,
        })
    }

    /// Starts a page of `(width, height)` points and hands it, with the fonts, to `draw`.
    pub fn draw_page(
        &mut self,
        (width, height): (f32, f32),
        draw: impl FnOnce(&mut Canvas<'_, '_>) -> ApiResult<()>,
    ) -> ApiResult<()> {
        let size = Size::from_wh(width, height).ok_or_else(|| ApiError::internal("page size"))?;
        let mut page = self.document.start_page_with(PageSettings::new(size));
        let mut surface = page.surface();
        let mut canvas = Canvas {
            surface: &mut surface,
            fonts: &self.fonts,
            width,
            height,
        };
        let drawn = draw(&mut canvas);
        surface.finish();
        page.finish();
        drawn
    }

    /// The finished file.
    pub fn finish(self) -> ApiResult<Vec<u8>> {
        self.document
            .finish()
            .map_err(|e| ApiError::internal(format!("PDF: {e:?}")))
    }
}

/// One page's drawing surface. Coordinates in points from the top left corner; text is placed
/// by its baseline.
pub struct Canvas<'s, 'p> {
    surface: &'s mut Surface<'p>,
    pub fonts: &'s Fonts,
    pub width: f32,
    pub height: f32,
}

impl Canvas<'_, '_> {
    /// One line of text, its baseline at `y`, placed within `[x, x + width]` as aligned (cut
    /// with an ellipsis when it does not fit).
    #[allow(clippy::too_many_arguments)]
    pub fn text(
        &mut self,
        text: &str,
        x: f32,
        y: f32,
        width: f32,
        size: f32,
        weight: Weight,
        align: Align,
    ) {
        if text.is_empty() {
            return;
        }
        let line = self.fonts.fit(text, width, size, weight);
        let used = self.fonts.width(&line, size, weight);
        let left = match align {
            Align::Left => x,
            Align::Center => x + (width - used) / 2.0,
            Align::Right => x + width - used,
        };
        let (font, _) = self.fonts.face(weight);
        self.surface.set_fill(Some(Fill::default()));
        self.surface.draw_text(
            Point::from_xy(left, y),
            font.clone(),
            size,
            &line,
            false,
            TextDirection::LeftToRight,
        );
    }

    /// A rectangle's outline.
    pub fn frame(&mut self, x: f32, y: f32, width: f32, height: f32, line_width: f32) {
        let Some(rect) = Rect::from_xywh(x, y, width, height) else {
            return;
        };
        let mut builder = PathBuilder::new();
        builder.push_rect(rect);
        if let Some(path) = builder.finish() {
            self.surface.set_fill(None);
            self.surface.set_stroke(Some(Stroke {
                width: line_width,
                ..Stroke::default()
            }));
            self.surface.draw_path(&path);
            self.surface.set_stroke(None);
        }
    }

    /// A straight line.
    pub fn line(&mut self, from: (f32, f32), to: (f32, f32), line_width: f32) {
        let mut builder = PathBuilder::new();
        builder.move_to(from.0, from.1);
        builder.line_to(to.0, to.1);
        if let Some(path) = builder.finish() {
            self.surface.set_fill(None);
            self.surface.set_stroke(Some(Stroke {
                width: line_width,
                ..Stroke::default()
            }));
            self.surface.draw_path(&path);
            self.surface.set_stroke(None);
        }
    }

    /// A QR code of `payload`, `side` points wide with its top left corner at (`x`, `y`): one
    /// filled path of its dark modules (the caller leaves the quiet zone around it).
    pub fn qr(&mut self, payload: &str, x: f32, y: f32, side: f32) -> ApiResult<()> {
        let code =
            qrcode::QrCode::with_error_correction_level(payload.as_bytes(), qrcode::EcLevel::M)
                .map_err(|e| ApiError::internal(e.to_string()))?;
        let modules = code.width();
        let module = side / modules as f32;
        let mut builder = PathBuilder::new();
        for (index, color) in code.to_colors().iter().enumerate() {
            if *color == qrcode::Color::Dark {
                let (column, row) = ((index % modules) as f32, (index / modules) as f32);
                if let Some(rect) =
                    Rect::from_xywh(x + column * module, y + row * module, module, module)
                {
                    builder.push_rect(rect);
                }
            }
        }
        if let Some(path) = builder.finish() {
            self.surface.set_stroke(None);
            self.surface.set_fill(Some(Fill::default()));
            self.surface.draw_path(&path);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_letters_have_their_own_glyphs() {
        let fonts = Fonts::load().unwrap();
        let font = fonts.face(Weight::Regular).1;
        for c in "ĐđƯưƠơẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳẴẵẶặẸẹẺẻẼẽẾếỀềỂểỄễỆệỈỉỊịỌọỎỏỐốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợỤụỦủỨứỪừỬửỮữỰựỲỳỴỵỶỷỸỹ".chars() {
            assert!(font.charmap().map(c).is_some(), "no glyph for {c}");
        }
    }

    #[test]
    fn text_is_cut_to_fit_with_an_ellipsis() {
        let fonts = Fonts::load().unwrap();
        let cut = fonts.fit(
            "Trung tâm Khuyến công và Tư vấn phát triển công nghiệp",
            100.0,
            10.0,
            Weight::Regular,
        );
        assert!(cut.ends_with('…'));
        assert!(fonts.width(&cut, 10.0, Weight::Regular) <= 100.0);
        assert_eq!(fonts.fit("Nguyễn", 100.0, 10.0, Weight::Regular), "Nguyễn");
    }

    #[test]
    fn wrapped_lines_fit_and_keep_the_words() {
        let fonts = Fonts::load().unwrap();
        let lines = fonts.wrap(
            "Hội thảo sản xuất sạch hơn trong công nghiệp",
            90.0,
            10.0,
            Weight::Bold,
            5,
        );
        assert!(lines.len() > 1);
        assert_eq!(
            lines.join(" "),
            "Hội thảo sản xuất sạch hơn trong công nghiệp"
        );
    }
}
