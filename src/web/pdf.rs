//! Printable reports as PDF: an A4 page (more when the table runs on) with a title, the period,
//! a bar chart and the table, in the page's language. Text is set in DejaVu Sans (embedded,
//! `static/fonts`), which has Cyrillic, the tögrög sign and Latin alike.
use std::io::Cursor;

use printpdf::{Color, IndirectFontRef, Mm, PdfDocument, PdfLayerReference, Rect, Rgb};

const FONT: &str = "fonts/DejaVuSans.ttf";
const PAGE_W: f32 = 210.0;
const PAGE_H: f32 = 297.0;
const MARGIN: f32 = 15.0;
const ROW: f32 = 6.0;

/// A report's content, every text already in the reader's language.
pub struct Report {
    pub title: String,
    pub period: String,
    /// The first column's heading, then the figures' headings (right-aligned).
    pub headings: [String; 4],
    pub rows: Vec<[String; 4]>,
    pub totals: [String; 4],
    /// `(label, value)` bars, drawn to the largest.
    pub bars: Vec<(String, i64)>,
}

/// Widths of text in the embedded font, to right-align figures.
struct Metrics<'a> {
    face: ttf_parser::Face<'a>,
}

impl Metrics<'_> {
    fn width_mm(&self, text: &str, size: f32) -> f32 {
        let units = f32::from(self.face.units_per_em());
        let advance: f32 = text
            .chars()
            .map(|c| {
                self.face.glyph_index(c).and_then(|g| self.face.glyph_hor_advance(g)).map_or(units / 2.0, f32::from)
            })
            .sum();
        // Points to millimetres.
        advance / units * size * 25.4 / 72.0
    }

    /// `text` cut to fit `width` millimetres, with an ellipsis when cut.
    fn fit(&self, text: &str, size: f32, width: f32) -> String {
        if self.width_mm(text, size) <= width {
            return text.to_string();
        }
        let mut out: String = text.to_string();
        while !out.is_empty() && self.width_mm(&format!("{out}…"), size) > width {
            out.pop();
        }
        format!("{}…", out.trim_end())
    }
}

struct Writer<'a> {
    font: IndirectFontRef,
    metrics: Metrics<'a>,
}

impl Writer<'_> {
    fn text(&self, layer: &PdfLayerReference, text: &str, size: f32, x: f32, y: f32) {
        layer.use_text(text, size, Mm(x), Mm(y), &self.font);
    }

    fn right(&self, layer: &PdfLayerReference, text: &str, size: f32, right_x: f32, y: f32) {
        let w = self.metrics.width_mm(text, size);
        self.text(layer, text, size, right_x - w, y);
    }

    fn row(&self, layer: &PdfLayerReference, cells: [&str; 4], y: f32, size: f32) {
        let cols = [118.0, 148.0, PAGE_W - MARGIN];
        self.text(layer, &self.metrics.fit(cells[0], size, 85.0), size, MARGIN, y);
        for (cell, right) in cells[1..].iter().zip(cols) {
            self.right(layer, cell, size, right, y);
        }
    }

    fn rule(&self, layer: &PdfLayerReference, y: f32) {
        layer.set_fill_color(Color::Rgb(Rgb::new(0.8, 0.82, 0.85, None)));
        layer.add_rect(Rect::new(Mm(MARGIN), Mm(y), Mm(PAGE_W - MARGIN), Mm(y + 0.2)));
        layer.set_fill_color(Color::Rgb(Rgb::new(0.0, 0.0, 0.0, None)));
    }
}

/// Draws the bars between `bottom` and `top` (millimetres from the page's foot).
fn chart(w: &Writer<'_>, layer: &PdfLayerReference, bars: &[(String, i64)], bottom: f32, top: f32) {
    let max = bars.iter().map(|b| b.1).max().unwrap_or(0).max(1);
    let slot = (PAGE_W - 2.0 * MARGIN) / bars.len().max(1) as f32;
    let label_every = bars.len().div_ceil(12).max(1);
    for (i, (label, value)) in bars.iter().enumerate() {
        let x = MARGIN + slot * i as f32;
        let h = (top - bottom - 6.0) * (*value as f32 / max as f32);
        layer.set_fill_color(Color::Rgb(Rgb::new(0.04, 0.34, 0.82, None)));
        layer.add_rect(Rect::new(Mm(x + slot * 0.15), Mm(bottom + 5.0), Mm(x + slot * 0.85), Mm(bottom + 5.0 + h)));
        layer.set_fill_color(Color::Rgb(Rgb::new(0.0, 0.0, 0.0, None)));
        if i % label_every == 0 {
            w.text(layer, &w.metrics.fit(label, 6.0, slot * label_every as f32 - 1.0), 6.0, x + slot * 0.1, bottom);
        }
    }
}

/// The report as a PDF file.
///
/// # Errors
/// The embedded font missing or unreadable, or the document failing to write.
pub fn report(r: &Report) -> Result<Vec<u8>, String> {
    let font_bytes = crate::web::assets::bytes(FONT).ok_or("the report font is not embedded")?;
    let face = ttf_parser::Face::parse(&font_bytes, 0).map_err(|e| e.to_string())?;
    let (doc, first_page, first_layer) = PdfDocument::new(&r.title, Mm(PAGE_W), Mm(PAGE_H), "report");
    let font = doc.add_external_font(Cursor::new(font_bytes.as_ref())).map_err(|e| e.to_string())?;
    {
        let w = Writer { font, metrics: Metrics { face } };
        let mut layer = doc.get_page(first_page).get_layer(first_layer);
        let mut y = PAGE_H - MARGIN - 5.0;
        w.text(&layer, &r.title, 16.0, MARGIN, y);
        y -= 7.0;
        w.text(&layer, &r.period, 10.0, MARGIN, y);
        y -= 6.0;
        if !r.bars.is_empty() {
            chart(&w, &layer, &r.bars, y - 60.0, y);
            y -= 68.0;
        }
        let head = |w: &Writer<'_>, layer: &PdfLayerReference, y: f32| {
            let h = &r.headings;
            w.row(layer, [&h[0], &h[1], &h[2], &h[3]], y, 9.0);
            w.rule(layer, y - 2.0);
        };
        head(&w, &layer, y);
        y -= ROW + 1.0;
        for cells in &r.rows {
            if y < MARGIN + ROW * 2.0 {
                let (page, l) = doc.add_page(Mm(PAGE_W), Mm(PAGE_H), "report");
                layer = doc.get_page(page).get_layer(l);
                y = PAGE_H - MARGIN - 5.0;
                head(&w, &layer, y);
                y -= ROW + 1.0;
            }
            w.row(&layer, [&cells[0], &cells[1], &cells[2], &cells[3]], y, 9.0);
            y -= ROW;
        }
        w.rule(&layer, y + ROW - 2.0);
        let t = &r.totals;
        w.row(&layer, [&t[0], &t[1], &t[2], &t[3]], y - 1.0, 9.5);
    }
    let written = doc.save_to_bytes().map_err(|e| e.to_string())?;
    // The embedded font is most of the file: deflate every stream (900 KB down to about 450).
    let mut out = printpdf::lopdf::Document::load_mem(&written).map_err(|e| e.to_string())?;
    out.compress();
    let mut bytes = Vec::with_capacity(written.len() / 2);
    out.save_to(&mut bytes).map_err(|e| e.to_string())?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_is_a_pdf_with_its_text_and_runs_on_to_more_pages() {
        let rows: Vec<[String; 4]> = (1..=120)
            .map(|i| [format!("2026-11-{:02} Төв салбар", i % 28 + 1), i.to_string(), "2".into(), format!("₮{i},000")])
            .collect();
        let r = Report {
            title: "Борлуулалт".into(),
            period: "2026-11-01 — 2026-11-30".into(),
            headings: ["Өдөр".into(), "Захиалга".into(), "Ширхэг".into(), "Орлого".into()],
            rows,
            totals: ["Нийт".into(), "120".into(), "240".into(), "₮7,260,000".into()],
            bars: (0..30).map(|i| (format!("11-{i:02}"), i64::from(i) * 1000)).collect(),
        };
        let pdf = report(&r).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        let doc = printpdf::lopdf::Document::load_mem(&pdf).unwrap();
        assert!(doc.get_pages().len() >= 3, "120 lines run on: {} pages", doc.get_pages().len());
    }
}
