//! The cart a browser session holds: finding it, remembering it (and the header's count) in
//! the session, and joining a guest's cart to the customer's at sign-in.
use actix_session::Session;

use crate::domain::cart::{commands, queries, CartView};
use crate::domain::shared::AccountId;
use crate::web::error::AppError;
use crate::web::session;
use crate::web::state::AppState;

/// The session's cart, if it still has an open one.
pub async fn load_session_cart(
    state: &AppState,
    session: &Session,
    account: Option<AccountId>,
) -> Result<Option<CartView>, AppError> {
    let remembered = session::cart(session);
    if remembered.is_none() && account.is_none() {
        return Ok(None);
    }
    let (rules, now) = (state.shop.rules.clone(), state.shop.now());
    let cart = state
        .shop
        .db
        .run(move |conn| Ok::<_, AppError>(queries::current_cart(conn, remembered, account, &rules, now)?))
        .await?;
    remember(session, cart.as_ref());
    Ok(cart)
}

pub fn remember(session: &Session, cart: Option<&CartView>) {
    session::set_cart(session, cart.map(|c| c.id), cart.map_or(0, CartView::item_count));
}

/// At sign-in: the guest's cart joins the customer's.
pub async fn adopt_cart(state: &AppState, session: &Session, account: AccountId) -> Result<(), AppError> {
    let guest = session::cart(session);
    let (rules, now) = (state.shop.rules.clone(), state.shop.now());
    let cart = state
        .shop
        .db
        .run(move |conn| {
            let id = commands::merge_on_sign_in(conn, guest, account)?;
            Ok::<_, AppError>(match id {
                Some(id) => Some(queries::get_cart(conn, id, Some(account), &rules, now)?),
                None => None,
            })
        })
        .await?;
    remember(session, cart.as_ref());
    Ok(())
}
