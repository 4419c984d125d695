//! `static/` embedded in the binary: served with a content-hash ETag, and with a year-long
//! immutable cache when asked for by the versioned URL the templates use.
use std::collections::HashMap;
use std::sync::OnceLock;

use actix_web::http::header::{self, HeaderValue};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};
use sha2::Digest;

#[derive(rust_embed::Embed)]
#[folder = "static/"]
struct Static;

pub struct Asset {
    body: Bytes,
    content_type: HeaderValue,
    etag: HeaderValue,
    /// The first 16 hex digits of the content's SHA-256, used as `?v=` in URLs.
    version: String,
}

fn index() -> &'static HashMap<String, Asset> {
    static INDEX: OnceLock<HashMap<String, Asset>> = OnceLock::new();
    INDEX.get_or_init(|| {
        Static::iter()
            .filter_map(|path| {
                let file = Static::get(&path)?;
                let data = branded(&path, file.data.into_owned());
                let hash: String = sha2::Sha256::digest(&data).iter().take(8).map(|b| format!("{b:02x}")).collect();
                let mime = mime_guess::from_path(path.as_ref()).first_or_octet_stream();
                let content_type = match mime.type_() {
                    mime_guess::mime::TEXT | mime_guess::mime::APPLICATION if mime.subtype() != "octet-stream" => {
                        format!("{mime}; charset=utf-8")
                    }
                    _ => mime.to_string(),
                };
                let asset = Asset {
                    body: Bytes::from(data),
                    content_type: HeaderValue::from_str(&content_type).ok()?,
                    etag: HeaderValue::from_str(&format!("\"{hash}\"")).ok()?,
                    version: hash,
                };
                Some((path.into_owned(), asset))
            })
            .collect()
    })
}

/// The stylesheet and the logo in the operator's colour (the files hold the demo's).
fn branded(path: &str, data: Vec<u8>) -> Vec<u8> {
    const DEMO: &str = "#0b5fff";
    const DEMO_DARK: &str = "#0846bd";
    let brand = crate::i18n::brand::get();
    if brand.colour == DEMO || !matches!(path, "css/app.css" | "img/logo.svg") {
        return data;
    }
    String::from_utf8(data)
        .map(|text| text.replace(DEMO_DARK, &brand.colour_dark()).replace(DEMO, &brand.colour).into_bytes())
        .unwrap_or_else(|e| e.into_bytes())
}

/// Loads the index at start-up so the first request does not pay for it.
pub fn warm() -> usize {
    index().len()
}

/// An embedded file's bytes (the report font).
pub fn bytes(path: &str) -> Option<Bytes> {
    index().get(path).map(|a| a.body.clone())
}

/// The versioned URL of an asset if there is one at `path`.
pub fn url_if_present(path: &str) -> Option<String> {
    index().get(path).map(|a| format!("/static/{path}?v={}", a.version))
}

/// The versioned URL of an asset, e.g. `/static/css/app.css?v=1a2b…`.
pub fn url(path: &str) -> String {
    url_if_present(path).unwrap_or_else(|| format!("/static/{path}"))
}

pub async fn serve(req: HttpRequest) -> HttpResponse {
    let path = req.match_info().get("path").unwrap_or_default().to_string();
    answer(&req, &path)
}

/// `/favicon.ico`, which browsers ask for by that name whatever the page links.
pub async fn favicon(req: HttpRequest) -> HttpResponse {
    answer(&req, "img/favicon.ico")
}

fn answer(req: &HttpRequest, path: &str) -> HttpResponse {
    let Some(asset) = index().get(path) else {
        return HttpResponse::NotFound()
            .insert_header((header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
            .content_type("text/plain; charset=utf-8")
            .body("not found");
    };
    let versioned = req.query_string().strip_prefix("v=") == Some(asset.version.as_str());
    let cache = if versioned { "public, max-age=31536000, immutable" } else { "public, max-age=300" };
    let fresh =
        req.headers().get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()).is_some_and(|v| {
            v.split(',').any(|t| t.trim() == asset.etag.to_str().unwrap_or_default() || t.trim() == "*")
        });
    let mut res = if fresh { HttpResponse::NotModified() } else { HttpResponse::Ok() };
    res.insert_header((header::ETAG, asset.etag.clone()))
        .insert_header((header::CACHE_CONTROL, HeaderValue::from_static(cache)))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")));
    if fresh {
        return res.finish();
    }
    res.insert_header((header::CONTENT_TYPE, asset.content_type.clone())).body(asset.body.clone())
}
