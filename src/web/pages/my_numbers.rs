//! `/account/numbers`: the customer's numbers. Numbers bought for later show as inactive with a
//! form to activate them (eSIM, or a SIM card by its code); an activation under way refreshes
//! itself until the operator confirms; an eSIM shows its QR code, its SM-DP+ address and
//! matching ID, and a one-tap `LPA:` link.
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::forms::FormErrors;
use crate::domain::shared::{FieldErrors, Money};
use crate::domain::telco::owned::{ActivationError, OwnedNumber};
use crate::domain::telco::SimKind;
use crate::flows;
use crate::web::error::AppError;
use crate::web::extract::{Caller, Htmx, SignedIn};
use crate::web::filters;
use crate::web::qr;
use crate::web::render::{html_with, see_other, Chrome};
use crate::web::session;
use crate::web::state::AppState;

pub struct EsimView {
    pub code: String,
    pub smdp: String,
    pub matching_id: String,
    pub qr_svg: String,
}

pub struct MyNumberView {
    pub msisdn: String,
    pub display: String,
    pub tier: &'static str,
    pub active: bool,
    pub sim: Option<&'static str>,
    pub pending: Option<&'static str>,
    pub activate_by: Option<String>,
    pub esim: Option<EsimView>,
    /// The activation form's refusal, when it was this number's.
    pub errors: FormErrors,
    pub notice: Option<String>,
}

#[derive(Template)]
#[template(path = "shop/my_numbers.html")]
pub struct MyNumbersPage {
    pub ctx: Chrome,
    pub csrf: String,
    pub list: MyNumbersList,
}

#[derive(Template)]
#[template(path = "shop/_my_numbers.html")]
pub struct MyNumbersFragment {
    pub ctx: Chrome,
    pub csrf: String,
    pub list: MyNumbersList,
}

pub struct MyNumbersList {
    pub numbers: Vec<MyNumberView>,
    /// The eSIM re-issue, offered for numbers on an eSIM: its product and price.
    pub reissue: Option<(String, Money)>,
    pub notice: Option<String>,
    /// Some activation is under way: the list asks again in a moment.
    pub refreshing: bool,
}

fn sim_label(ctx: &Chrome, sim: SimKind) -> &'static str {
    ctx.t(&format!("cart.activation.{}", sim.as_str()))
}

pub(crate) fn esim_view(ctx: &Chrome, code: &crate::domain::telco::EsimCode) -> EsimView {
    EsimView {
        code: code.as_str().to_string(),
        smdp: code.smdp_address().to_string(),
        matching_id: code.matching_id().to_string(),
        qr_svg: qr::svg_of(code.as_str(), 220, ctx.t("numbers.esim_qr")).unwrap_or_default(),
    }
}

fn view(ctx: &Chrome, n: &OwnedNumber) -> MyNumberView {
    MyNumberView {
        msisdn: n.msisdn.as_str().to_string(),
        display: n.msisdn.display(),
        tier: ctx.t(&format!("product.tier.{}", n.tier.as_str())),
        active: n.active,
        sim: n.sim.map(|s| sim_label(ctx, s)),
        pending: n.pending.map(|s| sim_label(ctx, s)),
        activate_by: n.activate_by.map(|t| ctx.fill("numbers.activate_by", &[("date", &ctx.tr.date(t))])),
        esim: n.esim.as_ref().map(|c| esim_view(ctx, c)),
        errors: FormErrors(FieldErrors::new()),
        notice: None,
    }
}

async fn list(
    state: &AppState,
    ctx: &Chrome,
    account: crate::domain::shared::AccountId,
) -> Result<MyNumbersList, AppError> {
    let (numbers, reissue) = flows::numbers::my_numbers_with_reissue(&state.shop, account).await?;
    let views: Vec<MyNumberView> = numbers.iter().map(|n| view(ctx, n)).collect();
    Ok(MyNumbersList {
        refreshing: views.iter().any(|v| v.pending.is_some()),
        numbers: views,
        notice: None,
        reissue: reissue.map(|(id, price)| (id.to_string(), price)),
    })
}

pub async fn show_my_numbers(
    state: web::Data<AppState>,
    mut ctx: Chrome,
    session: Session,
    htmx: Htmx,
    user: SignedIn,
) -> Result<HttpResponse, AppError> {
    let csrf = ctx.form_token(&session);
    let mut list = list(&state, &ctx, user.0.id).await?;
    list.notice = session::take_flash(&session).map(|k| ctx.t_dynamic(&k).to_string());
    render(&ctx, csrf, list, htmx.wants_fragment(), StatusCode::OK)
}

fn render(
    ctx: &Chrome,
    csrf: String,
    list: MyNumbersList,
    fragment: bool,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    if fragment {
        html_with(status, &MyNumbersFragment { ctx: ctx.clone(), csrf, list })
    } else {
        html_with(status, &MyNumbersPage { ctx: ctx.clone(), csrf, list })
    }
}

#[derive(Deserialize)]
pub struct ActivateForm {
    pub sim: Option<String>,
    pub activation_code: Option<String>,
}

/// Activate a number from the list: the list comes back with the number activating, or with
/// the refusal beside its form.
pub async fn activate(
    state: web::Data<AppState>,
    mut ctx: Chrome,
    session: Session,
    htmx: Htmx,
    user: SignedIn,
    ip: Caller,
    (msisdn, form): (web::Path<String>, web::Form<ActivateForm>),
) -> Result<HttpResponse, AppError> {
    let msisdn = msisdn.into_inner();
    let form = form.into_inner();
    let outcome =
        flows::numbers::activate(&state.shop, user.0.id, msisdn.clone(), form.sim, form.activation_code, ip.0).await;
    let (status, errors, notice) = match outcome {
        Ok(_) => {
            if !htmx.request {
                session::flash(&session, "numbers.activating");
                return Ok(see_other("/account/numbers"));
            }
            (StatusCode::OK, FieldErrors::new(), Some(ctx.t("numbers.activating").to_string()))
        }
        Err(ActivationError::Invalid(e)) => (StatusCode::UNPROCESSABLE_ENTITY, e, None),
        Err(ActivationError::CodeWrong) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FieldErrors::single("activation_code", crate::domain::shared::Code::SimCodeWrong),
            None,
        ),
        Err(ActivationError::CodeUsed) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FieldErrors::single("activation_code", crate::domain::shared::Code::SimCodeUsed),
            None,
        ),
        Err(ActivationError::NoEsim) => {
            (StatusCode::CONFLICT, FieldErrors::new(), Some(ctx.t("numbers.no_esim").to_string()))
        }
        Err(ActivationError::AlreadyActive) => {
            (StatusCode::CONFLICT, FieldErrors::new(), Some(ctx.t("problem.number_active").to_string()))
        }
        Err(ActivationError::Throttled { .. }) => {
            (StatusCode::TOO_MANY_REQUESTS, FieldErrors::new(), Some(ctx.t("problem.rate_limited").to_string()))
        }
        Err(e) => return Err(e.into()),
    };
    let csrf = ctx.form_token(&session);
    let mut list = list(&state, &ctx, user.0.id).await?;
    if !list.numbers.iter().any(|n| n.msisdn == msisdn) {
        return Err(AppError::NotFound);
    }
    for n in list.numbers.iter_mut().filter(|n| n.msisdn == msisdn) {
        n.errors = FormErrors(errors.clone());
        n.notice = notice.clone();
    }
    // htmx swaps what it gets back only on success statuses (see its configuration).
    let status = if htmx.request && status == StatusCode::CONFLICT { StatusCode::UNPROCESSABLE_ENTITY } else { status };
    render(&ctx, csrf, list, htmx.request, status)
}
