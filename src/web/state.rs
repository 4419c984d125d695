//! What every handler can reach: the shop the flows work with, the configuration, start-up-built
//! documents.
use std::sync::Arc;

use actix_web::web::Bytes;

use super::category_menu::CategoryMenu;
use crate::config::Config;
use crate::flows::Shop;

pub struct AppState {
    pub shop: Shop,
    pub config: Arc<Config>,
    /// The OpenAPI document, serialized once at start-up.
    pub openapi_json: Bytes,
    pub category_menu: CategoryMenu,
}
