//! `storefront`: a mobile operator's own web shop. One process renders the shop and the staff
//! pages and serves the JSON API, over PostgreSQL.
pub mod config;
pub mod db;
pub mod domain;
pub mod flows;
pub mod i18n;
pub mod mail;
pub mod operator_client;
pub mod services;
pub mod startup;
pub mod telemetry;
pub mod web;
pub mod worker;
