//! QR codes as inline SVG (no script, no style attribute: fits the CSP).

use maud::{Markup, PreEscaped};
use qrcode::QrCode;
use qrcode::render::svg;

pub fn svg(data: &str, size_px: u32, label: &str) -> Markup {
    match QrCode::new(data.as_bytes()) {
        Ok(code) => {
            let s = code
                .render::<svg::Color>()
                .min_dimensions(size_px, size_px)
                .quiet_zone(true)
                .build();
            // Drop the XML prolog; give the image a name for screen readers.
            let s = s
                .trim_start_matches(|c| c != '<')
                .replacen("<?xml version=\"1.0\" standalone=\"yes\"?>", "", 1)
                .replacen(
                    "<svg ",
                    &format!(
                        "<svg role=\"img\" aria-label=\"{}\" class=\"qr\" ",
                        escape_attr(label)
                    ),
                    1,
                );
            PreEscaped(s)
        }
        Err(_) => PreEscaped(String::new()),
    }
}

fn escape_attr(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
}
