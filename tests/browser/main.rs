//! htmx journeys in headless Chromium.
#[path = "../common/mod.rs"]
mod common;
