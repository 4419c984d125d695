//! Shopper HTML pages: content, htmx fragments, languages, errors, headers, assets.
#[path = "../common/mod.rs"]
mod common;
