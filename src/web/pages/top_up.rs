//! `/top-up`: one page to credit a number: the number (checked as it is typed: 8 digits, one of
//! ours), a denomination, an amount of one's own within the bounds, a data pack or a plan, and
//! pay. No address, no stock: the order is placed for this one line and the shopper goes to pay.
use super::forms::SummaryLine;
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::forms::FormErrors;
use super::links::payment_page;
use crate::domain::cart::{CartError, ItemInput};
use crate::domain::catalog::{queries as catalog, Product, ProductAttributes, ProductKind};
use crate::domain::checkout::CheckoutError;
use crate::domain::idempotency::IdempotencyKey;
use crate::domain::shared::{FieldErrors, Money};
use crate::domain::telco::Msisdn;
use crate::flows;
use crate::web::error::AppError;
use crate::web::extract::{Caller, Visitor};
use crate::web::filters;
use crate::web::render::{html_with, see_other, Chrome};
use crate::web::state::AppState;

pub struct Offer {
    pub id: String,
    pub name: String,
    pub price: Money,
    pub detail: Option<String>,
    pub checked: bool,
}

/// The amount of one's own: its product and bounds.
pub struct FreeAmount {
    pub id: String,
    pub min: String,
    pub max: String,
    pub hint: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "shop/top_up.html")]
pub struct TopUpPage {
    pub ctx: Chrome,
    pub csrf: String,
    pub key: String,
    pub msisdn: String,
    pub amount: String,
    pub email: String,
    pub guest: bool,
    pub top_ups: Vec<Offer>,
    pub free: Option<FreeAmount>,
    pub packs: Vec<Offer>,
    pub plans: Vec<Offer>,
    pub errors: FormErrors,
    pub notice: Option<String>,
}

impl TopUpPage {
    /// What the error summary at the top of the form lists.
    pub fn error_summary(&self) -> Vec<SummaryLine> {
        self.errors.summary(self.ctx.tr, "")
    }
}

#[derive(Deserialize, Default)]
pub struct TopUpForm {
    pub msisdn: Option<String>,
    pub product_id: Option<String>,
    /// `product` in a link (`/top-up?product=data-5gb-30d`): a slug or an id to preselect.
    pub product: Option<String>,
    pub amount: Option<String>,
    pub email: Option<String>,
    pub key: Option<String>,
}

fn offers(
    ctx: &Chrome,
    products: &[Product],
    form: &TopUpForm,
) -> (Vec<Offer>, Option<FreeAmount>, Vec<Offer>, Vec<Offer>) {
    let chosen = |p: &Product| {
        let id = p.summary.id.to_string();
        form.product_id.as_deref() == Some(id.as_str())
            || form.product.as_deref().is_some_and(|x| x == p.summary.slug || x == id)
    };
    let days = |d: i64| ctx.fill("product.days", &[("days", &d.to_string())]);
    let offer = |p: &Product, detail: Option<String>| Offer {
        id: p.summary.id.to_string(),
        name: p.summary.name.get(ctx.lang).to_string(),
        price: p.summary.price,
        detail,
        checked: chosen(p),
    };
    let (mut top_ups, mut free, mut packs, mut plans) = (Vec::new(), None, Vec::new(), Vec::new());
    for p in products {
        match (p.summary.kind, p.details()) {
            (ProductKind::TopUp, Some(ProductAttributes::TopUp { free_amount: true, min_amount, max_amount })) => {
                let min = min_amount.unwrap_or(p.summary.price);
                let max = max_amount.map(|m| m.amount().trunc().to_string()).unwrap_or_default();
                free = Some(FreeAmount {
                    id: p.summary.id.to_string(),
                    hint: ctx.fill(
                        "product.free_amount",
                        &[
                            ("min", &min.display()),
                            ("max", &max_amount.map(Money::display).unwrap_or_else(|| "—".into())),
                        ],
                    ),
                    min: min.amount().trunc().to_string(),
                    max,
                    checked: chosen(p),
                });
            }
            (ProductKind::TopUp, _) => top_ups.push(offer(p, None)),
            (ProductKind::DataPack, Some(ProductAttributes::DataPack { data_mb, validity_days })) => {
                packs.push(offer(p, Some(format!("{} MB · {}", data_mb, days(validity_days)))));
            }
            (ProductKind::Plan, Some(ProductAttributes::Plan { validity_days, .. })) => {
                plans.push(offer(p, Some(days(validity_days))));
            }
            _ => {}
        }
    }
    (top_ups, free, packs, plans)
}

/// How the page answers: its status, the fields' messages and a notice.
struct Verdict {
    status: StatusCode,
    errors: FieldErrors,
    notice: Option<String>,
}

async fn page(
    state: &AppState,
    mut ctx: Chrome,
    session: &Session,
    visitor: &Visitor,
    form: TopUpForm,
    verdict: Verdict,
) -> Result<HttpResponse, AppError> {
    let Verdict { status, errors, notice } = verdict;
    let csrf = ctx.form_token(session);
    let products = state.shop.db.run(|conn| Ok::<_, AppError>(catalog::recharge_offers(conn)?)).await?;
    let (top_ups, free, packs, plans) = offers(&ctx, &products, &form);
    let page = TopUpPage {
        csrf,
        // A refused form is sent again under a new key (its cart was thrown away).
        key: IdempotencyKey::random().as_str().to_string(),
        msisdn: form.msisdn.unwrap_or_default(),
        amount: form.amount.unwrap_or_default(),
        email: form.email.unwrap_or_default(),
        guest: visitor.0.is_none(),
        top_ups,
        free,
        packs,
        plans,
        errors: FormErrors(errors),
        notice,
        ctx,
    };
    html_with(status, &page)
}

pub async fn show_top_up(
    state: web::Data<AppState>,
    ctx: Chrome,
    session: Session,
    visitor: Visitor,
    query: web::Query<TopUpForm>,
) -> Result<HttpResponse, AppError> {
    let fine = Verdict { status: StatusCode::OK, errors: FieldErrors::new(), notice: None };
    page(&state, ctx, &session, &visitor, query.into_inner(), fine).await
}

/// Places the order for the chosen line and sends the shopper to pay; a refusal comes back on
/// the page, each message beside its field.
pub async fn buy_top_up(
    state: web::Data<AppState>,
    ctx: Chrome,
    session: Session,
    visitor: Visitor,
    ip: Caller,
    form: web::Form<TopUpForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let key = form.key.as_deref().and_then(IdempotencyKey::parse).unwrap_or_else(IdempotencyKey::random);
    let item = ItemInput {
        product_id: form.product_id.clone(),
        msisdn: form.msisdn.clone(),
        amount: form.amount.clone(),
        ..ItemInput::default()
    };
    let caller = visitor.0.as_ref().map(|a| a.id);
    let outcome = flows::orders::buy_now(&state.shop, key, caller, item, form.email.clone(), ctx.lang, ip.0).await;
    let (status, errors, notice) = match outcome {
        Ok(placed) => {
            if let Some(link) = &placed.link {
                crate::web::session::remember_order_link(&session, placed.order.id, link.as_str());
            }
            return Ok(see_other(&payment_page(&state, placed.payment.id)?));
        }
        Err(CheckoutError::Invalid(e) | CheckoutError::Cart(CartError::Invalid(e))) => {
            (StatusCode::UNPROCESSABLE_ENTITY, e, None)
        }
        Err(e) => {
            let e = AppError::from(e);
            if !matches!(e, AppError::Conflict { .. } | AppError::Coded { .. } | AppError::TooManyRequests { .. }) {
                return Err(e);
            }
            let notice = Some(ctx.t(&format!("problem.{}", e.code())).to_string());
            (actix_web::ResponseError::status_code(&e), FieldErrors::new(), notice)
        }
    };
    page(&state, ctx, &session, &visitor, form, Verdict { status, errors, notice }).await
}

#[derive(Deserialize)]
pub struct CheckForm {
    pub msisdn: Option<String>,
}

#[derive(Template)]
#[template(path = "shop/_msisdn_check.html")]
pub struct MsisdnCheck {
    pub ctx: Chrome,
    pub errors: FormErrors,
    pub ok: Option<String>,
}

/// The number as it is typed (htmx): the message for the field, or that it is one of ours.
pub async fn check_msisdn(
    state: web::Data<AppState>,
    ctx: Chrome,
    form: web::Form<CheckForm>,
) -> Result<HttpResponse, AppError> {
    let raw = form.msisdn.as_deref().map(str::trim).unwrap_or("");
    let (errors, ok) = if raw.is_empty() {
        (FieldErrors::new(), None)
    } else {
        match Msisdn::parse(raw, "msisdn", &state.shop.rules.own_prefixes) {
            Ok(m) => (FieldErrors::new(), Some(ctx.fill("top_up.number_ok", &[("number", &m.display())]))),
            Err(e) => (e, None),
        }
    };
    html_with(StatusCode::OK, &MsisdnCheck { ctx, errors: FormErrors(errors), ok })
}
