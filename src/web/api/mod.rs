//! `/api/v1`: handlers, request and response DTOs, the OpenAPI document and its reference page.
pub mod admin_audit;
pub mod admin_campaigns;
pub mod admin_catalog;
pub mod admin_jobs;
pub mod admin_orders;
pub mod auth;
pub mod carts;
pub mod catalog;
pub mod docs;
pub mod dto;
pub mod me;
pub mod me_numbers;
pub mod numbers;
pub mod openapi;
pub mod orders;
