//! Addresses of shop pages that other pages send the shopper to.
use crate::domain::shared::{OrderId, PaymentId};

use crate::domain::payments::sandbox::pay_path;
use crate::web::error::AppError;
use crate::web::state::AppState;

/// The tracking page, with the mail's secret when the visitor came with one.
pub fn order_href(id: OrderId, token: &str) -> String {
    if token.is_empty() {
        format!("/orders/{id}")
    } else {
        format!("/orders/{id}?{}", serde_urlencoded::to_string([("token", token)]).unwrap_or_default())
    }
}

/// Where the shopper pays: the sandbox's page is ours (a path); a real provider's is its own.
pub fn payment_page(state: &AppState, payment: PaymentId) -> Result<String, AppError> {
    let provider = state.payment_provider()?;
    Ok(if provider.is_sandbox() { pay_path(payment) } else { provider.redirect_url(payment) })
}
