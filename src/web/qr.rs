//! QR codes of eSIM activation codes, drawn on the server as SVG (no script, no image service):
//! the order page and `/account/numbers` put them in the page, the API serves them to owners.
use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// An SVG QR code of `text`, `size` pixels wide at least, with a title for screen readers.
pub fn svg_of(text: &str, size: u32, title: &str) -> Option<String> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).ok()?;
    let image = code
        .render::<svg::Color<'_>>()
        .min_dimensions(size, size)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build();
    // The renderer writes an XML declaration first; inside HTML only the <svg> element belongs.
    let start = image.find("<svg")?;
    let svg = &image[start..];
    let title = title.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    Some(svg.replacen('>', &format!(" role=\"img\" aria-label=\"{title}\"><title>{title}</title>"), 1))
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_activation_code_becomes_an_svg_qr_code() {
        let svg = super::svg_of("LPA:1$smdp.example.mn$ABC-123", 200, "eSIM <QR>").unwrap_or_default();
        assert!(svg.starts_with("<svg") && svg.contains("<title>eSIM &lt;QR&gt;</title>") && svg.contains("<path"));
    }
}
