//! SVG bar charts of the report, drawn with `plotters`' SVG backend. Labels are SVG `<text>`
//! (the viewer's fonts render Vietnamese; nothing is measured or embedded), bars are `<rect>`:
//! one per group for the attended count, behind it a paler one for the confirmed count.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::Labels;
use super::attendance::AttendanceReport;
use crate::error::{ApiError, ApiResult};

/// Attended bars.
pub const ATTENDED_COLOR: RGBColor = RGBColor(0x21, 0x71, 0xB5);
/// Confirmed bars, behind the attended ones.
pub const CONFIRMED_COLOR: RGBColor = RGBColor(0xC6, 0xDB, 0xEF);

const WIDTH: u32 = 960;
const LABEL_WIDTH: i32 = 340;
const ROW_HEIGHT: i32 = 30;
const TOP: i32 = 70;
const LABEL_CHARS: usize = 45;

/// One bar: its label, the attended count and, where it is known, the confirmed count.
pub struct Bar {
    pub label: String,
    pub attended: i64,
    pub confirmed: Option<i64>,
}

/// Which chart.
#[derive(Debug, Clone, Copy)]
pub enum Chart {
    Districts,
    UnitKinds,
    Sessions,
}

/// The chart's SVG document.
pub fn render(report: &AttendanceReport, chart: Chart, labels: &Labels) -> ApiResult<String> {
    let (title, bars): (&str, Vec<Bar>) = match chart {
        Chart::Districts => (
            labels.pick("Tham dự theo huyện", "Attendance by district"),
            report
                .by_district
                .iter()
                .map(|d| Bar {
                    label: d.name.clone(),
                    attended: d.figures.attended,
                    confirmed: Some(d.figures.confirmed),
                })
                .collect(),
        ),
        Chart::UnitKinds => (
            labels.pick("Tham dự theo loại đơn vị", "Attendance by unit kind"),
            report
                .by_unit_kind
                .iter()
                .map(|k| Bar {
                    label: labels.value(&k.kind),
                    attended: k.figures.attended,
                    confirmed: Some(k.figures.confirmed),
                })
                .collect(),
        ),
        Chart::Sessions => (
            labels.pick("Tham dự theo phiên", "Attendance by session"),
            report
                .by_session
                .iter()
                .map(|s| Bar {
                    label: s.title.clone(),
                    attended: s.attended,
                    confirmed: None,
                })
                .collect(),
        ),
    };
    let legend = labels.pick(
        "Màu đậm: có mặt; màu nhạt: đã xác nhận",
        "Dark: attended; light: confirmed",
    );
    bar_chart(&format!("{title} — {}", report.title), legend, &bars)
}

fn chart_error<E: std::error::Error + Send + Sync>(e: DrawingAreaErrorKind<E>) -> ApiError {
    ApiError::internal(format!("drawing a chart: {e}"))
}

fn shorten(label: &str) -> String {
    if label.chars().count() <= LABEL_CHARS {
        label.to_owned()
    } else {
        let mut short: String = label.chars().take(LABEL_CHARS - 1).collect();
        short.push('…');
        short
    }
}

/// Horizontal bars, one row per group, scaled to the largest count.
pub fn bar_chart(title: &str, legend: &str, bars: &[Bar]) -> ApiResult<String> {
    let rows = i32::try_from(bars.len()).unwrap_or(i32::MAX / ROW_HEIGHT - TOP);
    let height = u32::try_from(TOP + rows.max(1) * ROW_HEIGHT + 20).unwrap_or(200);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(chart_error)?;
        let title_style = ("sans-serif", 24).into_font().color(&BLACK);
        root.draw(&Text::new(title.to_owned(), (20, 16), title_style))
            .map_err(chart_error)?;
        let legend_style = ("sans-serif", 16).into_font().color(&BLACK);
        root.draw(&Text::new(legend.to_owned(), (20, 44), legend_style))
            .map_err(chart_error)?;

        let largest = bars
            .iter()
            .map(|b| b.confirmed.unwrap_or(0).max(b.attended))
            .max()
            .unwrap_or(0)
            .max(1);
        let span = i64::from(i32::try_from(WIDTH).unwrap_or(960) - LABEL_WIDTH - 90);
        let length = |n: i64| i32::try_from(n * span / largest).unwrap_or(0);
        // plotters' SVG backend writes `font-size` as the size / 1.24.
        let label_style = ("sans-serif", 17)
            .into_font()
            .color(&BLACK)
            .pos(Pos::new(HPos::Right, VPos::Center));
        let count_style = ("sans-serif", 16)
            .into_font()
            .color(&BLACK)
            .pos(Pos::new(HPos::Left, VPos::Center));
        for (i, bar) in (0..).zip(bars) {
            let top = TOP + i * ROW_HEIGHT;
            let middle = top + ROW_HEIGHT / 2;
            let x0 = LABEL_WIDTH;
            root.draw(&Text::new(
                shorten(&bar.label),
                (x0 - 10, middle),
                label_style.clone(),
            ))
            .map_err(chart_error)?;
            let mut end = x0 + length(bar.attended);
            if let Some(confirmed) = bar.confirmed {
                let right = x0 + length(confirmed);
                root.draw(&Rectangle::new(
                    [(x0, top + 4), (right, top + ROW_HEIGHT - 4)],
                    CONFIRMED_COLOR.filled(),
                ))
                .map_err(chart_error)?;
                end = end.max(right);
            }
            root.draw(&Rectangle::new(
                [
                    (x0, top + 4),
                    (x0 + length(bar.attended), top + ROW_HEIGHT - 4),
                ],
                ATTENDED_COLOR.filled(),
            ))
            .map_err(chart_error)?;
            let count = match bar.confirmed {
                Some(confirmed) => format!("{} / {confirmed}", bar.attended),
                None => bar.attended.to_string(),
            };
            root.draw(&Text::new(count, (end + 8, middle), count_style.clone()))
                .map_err(chart_error)?;
        }
        root.present().map_err(chart_error)?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_has_two_bars_a_row_and_its_labels_as_text() {
        let bars = [
            Bar {
                label: "Huyện Tam Đảo".to_owned(),
                attended: 2,
                confirmed: Some(3),
            },
            Bar {
                label: "Thành phố Vĩnh Yên & <các xã>".to_owned(),
                attended: 0,
                confirmed: Some(1),
            },
        ];
        let svg = bar_chart("Tham dự theo huyện", "chú thích", &bars).unwrap();
        assert_eq!(svg.matches("fill=\"#2171B5\"").count(), 2);
        assert_eq!(svg.matches("fill=\"#C6DBEF\"").count(), 2);
        assert!(svg.contains("Huyện Tam Đảo"));
        assert!(
            svg.contains("Thành phố Vĩnh Yên &amp; &lt;các xã&gt;"),
            "escaped"
        );
    }

    #[test]
    fn long_labels_are_shortened_with_an_ellipsis() {
        let long = "Phòng Tài nguyên và Môi trường thành phố Phúc Yên tỉnh Vĩnh Phúc";
        let short = shorten(long);
        assert_eq!(short.chars().count(), LABEL_CHARS);
        assert!(short.ends_with('…'));
    }
}
