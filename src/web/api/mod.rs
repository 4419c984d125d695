//! `/api/v1`: handlers, request and response DTOs, the OpenAPI document and its reference page.
pub mod admin_jobs;
pub mod auth;
pub mod catalog;
pub mod docs;
pub mod dto;
pub mod me;
pub mod openapi;
