//! CSV written for staff's spreadsheets: fields quoted where they must be, and a field that a
//! spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) kept as text.
use actix_web::http::header;
use actix_web::HttpResponse;

fn field(raw: &str) -> String {
    let guarded = if raw.starts_with(['=', '+', '-', '@']) { format!("'{raw}") } else { raw.to_string() };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

/// One line, ended.
pub fn row(fields: &[&str]) -> String {
    let mut line = fields.iter().map(|f| field(f)).collect::<Vec<_>>().join(",");
    line.push_str("\r\n");
    line
}

/// A campaign's codes, one line each, under a header.
pub fn campaign_codes(codes: &[crate::domain::promotions::CodeRecord]) -> String {
    let mut body = row(&["code", "status", "customer_id", "customer_email", "redeemed_at"]);
    for c in codes {
        let customer = c.customer_id.map(|a| a.to_string()).unwrap_or_default();
        let at = c.redeemed_at.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)).unwrap_or_default();
        body.push_str(&row(&[
            c.code.as_str(),
            c.status.as_str(),
            &customer,
            c.customer_email.as_deref().unwrap_or(""),
            &at,
        ]));
    }
    body
}

/// A CSV download named `filename`.
pub fn download(filename: &str, body: String) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")))
        .body(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_and_formulas_kept_as_text() {
        assert_eq!(row(&["CODE-1", "a@b.mn", ""]), "CODE-1,a@b.mn,\r\n");
        assert_eq!(row(&["say \"hi\", then", "=1+1"]), "\"say \"\"hi\"\", then\",'=1+1\r\n");
    }
}
