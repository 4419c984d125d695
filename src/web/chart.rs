//! Small bar charts drawn on the server as SVG: no script, no library, readable by a screen
//! reader through its title and a table beside it.
use std::fmt::Write;

/// One bar: its label under the axis and its value.
pub struct Bar {
    pub label: String,
    pub value: i64,
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A bar chart `title`d, bars left to right; every label is shown when there are few bars,
/// every few otherwise.
pub fn bars(title: &str, bars: &[Bar]) -> String {
    let (width, height, top, bottom, left) = (640.0_f64, 200.0_f64, 16.0_f64, 28.0_f64, 36.0_f64);
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    let n = bars.len().max(1) as f64;
    let slot = (width - left) / n;
    let plot = height - top - bottom;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{t}" xmlns="http://www.w3.org/2000/svg"><title>{t}</title>"#,
        t = escape(title)
    );
    let _ = write!(
        svg,
        r#"<line x1="{left}" y1="{y}" x2="{width}" y2="{y}" stroke="currentColor" stroke-opacity=".3"/><text x="{x}" y="{ty}" text-anchor="end">{max}</text><text x="{x}" y="{y}" text-anchor="end">0</text>"#,
        y = height - bottom,
        x = left - 4.0,
        ty = top + 4.0,
    );
    let every = (bars.len() / 10).max(1);
    for (i, b) in bars.iter().enumerate() {
        let h = plot * b.value as f64 / max as f64;
        let x = left + slot * i as f64 + slot * 0.15;
        let _ = write!(
            svg,
            r#"<rect class="bar-fill" x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}"><title>{label}: {v}</title></rect>"#,
            y = height - bottom - h,
            w = slot * 0.7,
            label = escape(&b.label),
            v = b.value,
        );
        if i % every == 0 {
            let _ = write!(
                svg,
                r#"<text x="{cx:.1}" y="{ly}" text-anchor="middle">{label}</text>"#,
                cx = x + slot * 0.35,
                ly = height - bottom + 16.0,
                label = escape(&b.label),
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tallest_bar_fills_the_plot_and_text_is_escaped() {
        let svg =
            bars("Uses <per> day", &[Bar { label: "11-29".into(), value: 2 }, Bar { label: "11-30".into(), value: 4 }]);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("Uses &lt;per&gt; day"));
        assert!(svg.contains(r#"height="156.0""#), "{svg}");
        assert!(svg.contains("11-30: 4"));
    }
}
