//! `/checkout`: email (guests), delivery or pickup when the cart holds goods, then the payment
//! provider's page. The pickup list shows only branches holding every device line and is
//! refreshed with htmx whenever the cart changes (`cart-changed`). A hidden idempotency key makes
//! a double submit place one order.
use super::forms::SummaryLine;
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;
use uuid::Uuid;

use super::cart::CartSection;
use super::cart_session::{load_session_cart, remember};
use super::forms::{AddressForm, FormErrors};
use super::links::payment_page;
use crate::domain::accounts::addresses::{self, Address, AddressInput};
use crate::domain::cart::{queries as cart_queries, PickupOption};
use crate::domain::checkout::{CheckoutError, FulfillmentInput, PlaceOrder};
use crate::domain::idempotency::{IdempotencyKey, Refusals};
use crate::domain::shared::FieldErrors;
use crate::flows;
use crate::web::error::AppError;
use crate::web::extract::Visitor;
use crate::web::filters;
use crate::web::render::{html_with, see_other, Chrome};
use crate::web::state::AppState;

pub struct BranchChoice {
    pub id: Uuid,
    pub name: String,
    pub address: String,
    pub hours: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "shop/_pickup_branches.html")]
pub struct PickupBranches {
    pub ctx: Chrome,
    pub branches: Vec<BranchChoice>,
}

fn branch_choices(ctx: &Chrome, options: &[PickupOption], selected: Option<&str>) -> Vec<BranchChoice> {
    options
        .iter()
        .filter(|o| o.has_stock)
        .map(|o| BranchChoice {
            id: o.branch.id,
            name: o.branch.name.get(ctx.lang).to_string(),
            address: o.branch.address.get(ctx.lang).to_string(),
            hours: o.branch.opening_hours.get(ctx.lang).to_string(),
            selected: selected == Some(o.branch.id.to_string().as_str()),
        })
        .collect()
}

#[derive(Deserialize, Default)]
pub struct CheckoutForm {
    pub key: Option<String>,
    /// The cart the page showed (`CartView::version`).
    pub cart_version: Option<String>,
    pub email: Option<String>,
    pub method: Option<String>,
    pub address_id: Option<String>,
    pub branch_id: Option<String>,
    /// A typed delivery address, in the address book's fields.
    #[serde(flatten)]
    pub address: AddressForm,
}

#[derive(Template)]
#[template(path = "shop/checkout.html")]
pub struct CheckoutPage {
    pub ctx: Chrome,
    pub csrf: String,
    pub cart: CartSection,
    pub key: String,
    pub guest: bool,
    pub email: String,
    pub method: String,
    pub addresses: Vec<Address>,
    pub address_id: String,
    pub address: AddressForm,
    pub address_errors: FormErrors,
    pub errors: FormErrors,
    pub pickup: PickupBranches,
    pub notice: Option<String>,
}

impl CheckoutPage {
    /// What the error summary at the top of the form lists.
    pub fn error_summary(&self) -> Vec<SummaryLine> {
        let mut lines = self.errors.summary(self.ctx.tr, "");
        lines.extend(self.address_errors.summary(self.ctx.tr, "address-"));
        lines
    }
}

/// The form's field errors, and the address's under their own names for the shared fields.
fn split_errors(errors: FieldErrors) -> (FormErrors, FormErrors) {
    let mut address = FieldErrors::new();
    let mut rest = FieldErrors::new();
    for (field, messages) in errors.fields() {
        for m in messages {
            match field.strip_prefix("fulfillment.address.") {
                Some(f) => address.add(f, m.clone()),
                None => rest.add(field.strip_prefix("fulfillment.").unwrap_or(field), m.clone()),
            }
        }
    }
    (FormErrors(rest), FormErrors(address))
}

/// How the form comes back: its status, field errors and a message about the whole order.
struct Verdict {
    status: StatusCode,
    errors: FieldErrors,
    notice: Option<String>,
}

impl Verdict {
    fn fresh() -> Self {
        Verdict { status: StatusCode::OK, errors: FieldErrors::new(), notice: None }
    }
}

async fn render(
    state: &AppState,
    mut ctx: Chrome,
    session: &Session,
    visitor: &Visitor,
    form: CheckoutForm,
    verdict: Verdict,
) -> Result<HttpResponse, AppError> {
    let Verdict { status, errors, notice } = verdict;
    let account = visitor.0.as_ref().map(|a| a.id);
    let Some(cart) = load_session_cart(state, session, account).await?.filter(|c| !c.is_empty()) else {
        return Ok(see_other("/cart"));
    };
    let cart_id = cart.id;
    let needs_shipping = cart.needs_shipping;
    let (book, options) = state
        .shop
        .db
        .run(move |conn| {
            let book = match account {
                Some(a) => addresses::list(conn, a)?,
                None => Vec::new(),
            };
            let options = if needs_shipping { cart_queries::pickup_options(conn, cart_id)? } else { Vec::new() };
            Ok::<_, AppError>((book, options))
        })
        .await?;
    let csrf = ctx.form_token(session);
    ctx.cart_count = crate::web::session::cart_count(session);
    let (errors, address_errors) = split_errors(errors);
    let default_address = book.iter().find(|a| a.is_default).map(|a| a.id.to_string()).unwrap_or_default();
    let page = CheckoutPage {
        cart: CartSection::new(&ctx, Some(&cart), csrf.clone()),
        pickup: PickupBranches {
            ctx: ctx.clone(),
            branches: branch_choices(&ctx, &options, form.branch_id.as_deref()),
        },
        csrf,
        key: form.key.clone().filter(|k| !k.is_empty()).unwrap_or_else(|| Uuid::new_v4().to_string()),
        guest: account.is_none(),
        email: form.email.clone().unwrap_or_default(),
        method: form.method.clone().unwrap_or_else(|| "delivery".into()),
        address_id: form.address_id.clone().unwrap_or(default_address),
        addresses: book,
        address: AddressForm { is_default: None, ..form.address },
        address_errors,
        errors,
        notice,
        ctx,
    };
    html_with(status, &page)
}

pub async fn show_checkout(
    state: web::Data<AppState>,
    ctx: Chrome,
    session: Session,
    visitor: Visitor,
) -> Result<HttpResponse, AppError> {
    render(&state, ctx, &session, &visitor, CheckoutForm::default(), Verdict::fresh()).await
}

#[derive(Deserialize)]
pub struct BranchQuery {
    pub branch_id: Option<String>,
}

/// The pickup list alone, for htmx to refresh after the cart changed.
pub async fn pickup_branches(
    state: web::Data<AppState>,
    ctx: Chrome,
    session: Session,
    visitor: Visitor,
    query: web::Query<BranchQuery>,
) -> Result<HttpResponse, AppError> {
    let account = visitor.0.map(|a| a.id);
    let options = match load_session_cart(&state, &session, account).await? {
        Some(cart) => {
            state.shop.db.run(move |conn| Ok::<_, AppError>(cart_queries::pickup_options(conn, cart.id)?)).await?
        }
        None => Vec::new(),
    };
    let branches = branch_choices(&ctx, &options, query.branch_id.as_deref());
    html_with(StatusCode::OK, &PickupBranches { ctx, branches })
}

/// Places the order and sends the shopper to the payment provider's page.
pub async fn place_order(
    state: web::Data<AppState>,
    ctx: Chrome,
    session: Session,
    visitor: Visitor,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let form: CheckoutForm =
        serde_urlencoded::from_bytes(&body).map_err(|_| AppError::BadRequest("The form could not be read.".into()))?;
    let account = visitor.0.as_ref().map(|a| a.id);
    let cart_id = match load_session_cart(&state, &session, account).await? {
        // The cart changed since the page was shown (another tab, or an old form sent again
        // after an order): the shopper checks it again, under a new key.
        Some(cart) if form.cart_version.as_deref() != Some(cart.version().as_str()) => {
            let notice = Some(ctx.t("checkout.cart_changed").to_string());
            let form = CheckoutForm { key: None, ..form };
            let verdict = Verdict { status: StatusCode::CONFLICT, errors: FieldErrors::new(), notice };
            return render(&state, ctx, &session, &visitor, form, verdict).await;
        }
        Some(cart) => cart.id,
        None => match crate::web::session::placed_cart(&session) {
            Some(placed) => placed,
            None => return Ok(see_other("/cart")),
        },
    };
    let key = form.key.as_deref().and_then(IdempotencyKey::parse).unwrap_or_else(IdempotencyKey::random);
    let input = PlaceOrder {
        cart_id,
        caller: account,
        email: form.email.clone(),
        fulfillment: FulfillmentInput {
            method: form.method.clone(),
            address: Some(AddressInput { is_default: false, ..form.address.input() }),
            address_id: form.address_id.clone(),
            branch_id: form.branch_id.clone(),
        },
        lang: ctx.lang,
    };
    // Refusals are not kept under the key: the shopper corrects the form and sends it again.
    let verdict = match flows::orders::place_order_once(&state.shop, key, Refusals::Forget, input).await {
        Ok(placed) => {
            remember(&session, None);
            if let Some(link) = &placed.link {
                crate::web::session::remember_order_link(&session, placed.order.id, link.as_str());
            }
            crate::web::session::set_placed_cart(&session, cart_id);
            return Ok(see_other(&payment_page(&state, placed.payment.id)?));
        }
        Err(CheckoutError::Invalid(errors)) => {
            Verdict { status: StatusCode::UNPROCESSABLE_ENTITY, errors, notice: None }
        }
        // A code that no longer goes: its reason, for the whole cart (the code stays to remove).
        Err(CheckoutError::Coupon(refusal)) => {
            let notice = Some(ctx.field(&refusal.field_error()));
            Verdict { status: StatusCode::UNPROCESSABLE_ENTITY, errors: FieldErrors::new(), notice }
        }
        Err(e) => {
            let e = AppError::from(e);
            if !matches!(e, AppError::Conflict { .. } | AppError::Coded { .. }) {
                return Err(e);
            }
            let notice = Some(ctx.t(&format!("problem.{}", e.code())).to_string());
            Verdict { status: actix_web::ResponseError::status_code(&e), errors: FieldErrors::new(), notice }
        }
    };
    render(&state, ctx, &session, &visitor, form, verdict).await
}
