//! `/api/v1/me/numbers`: the caller's numbers, activating one bought for later, and an eSIM's
//! QR code for its owner.
use actix_web::http::header;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::carts::loose_text;
use crate::domain::telco::owned::OwnedNumber;
use crate::flows;
use crate::web::error::{AppError, Problem};
use crate::web::extract::{ApiAccount, Caller};
use crate::web::qr;
use crate::web::render::json_ok;
use crate::web::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct EsimDto {
    /// `LPA:1$<SM-DP+ address>$<matching ID>`.
    pub activation_code: String,
    /// The code as a QR code (SVG), for the owner's bearer token.
    pub qr_svg_url: String,
    /// Extension: the two parts, for typing in by hand.
    pub smdp_address: String,
    pub matching_id: String,
}

#[derive(Serialize, ToSchema)]
pub struct MyNumberDto {
    #[schema(example = "88112233")]
    pub msisdn: String,
    /// inactive or active.
    pub status: &'static str,
    /// null, esim or physical.
    pub sim: Option<&'static str>,
    pub esim: Option<EsimDto>,
    /// Extension: the number's tier.
    pub tier: &'static str,
    /// Extension: an inactive number must be activated by then, or it returns to the pool.
    pub activate_by: Option<chrono::DateTime<chrono::Utc>>,
    /// Extension: the SIM an activation under way puts it on (the operator confirms in seconds).
    pub activating: Option<&'static str>,
}

impl MyNumberDto {
    fn new(n: &OwnedNumber) -> Self {
        Self {
            msisdn: n.msisdn.as_str().to_string(),
            status: if n.active { "active" } else { "inactive" },
            sim: n.sim.map(|s| s.as_str()),
            esim: n.esim.as_ref().map(|code| EsimDto {
                activation_code: code.as_str().to_string(),
                qr_svg_url: format!("/api/v1/me/numbers/{}/esim.svg", n.msisdn),
                smdp_address: code.smdp_address().to_string(),
                matching_id: code.matching_id().to_string(),
            }),
            tier: n.tier.as_str(),
            activate_by: n.activate_by,
            activating: n.pending.map(|s| s.as_str()),
        }
    }
}

/// The caller's numbers: bought for later activation (inactive) or active on their SIM.
#[utoipa::path(get, path = "/api/v1/me/numbers", tag = "numbers", security(("bearer" = [])),
    responses((status = 200, body = Vec<MyNumberDto>), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn my_numbers(state: web::Data<AppState>, caller: ApiAccount) -> Result<HttpResponse, AppError> {
    let numbers = flows::numbers::my_numbers(&state.shop, caller.0.id).await?;
    json_ok(&numbers.iter().map(MyNumberDto::new).collect::<Vec<_>>())
}

#[derive(Deserialize, ToSchema)]
pub struct ActivateBody {
    /// esim or physical.
    pub sim: Option<String>,
    /// With physical: the 8-digit code printed with the SIM card.
    #[schema(value_type = Option<String>)]
    pub activation_code: Option<Value>,
}

/// Activate a number bought for later: on an eSIM from the pool, or on a SIM card by its code.
/// The operator does it in seconds; until then the number is inactive with `activating` set.
#[utoipa::path(post, path = "/api/v1/me/numbers/{msisdn}/activate", tag = "numbers", security(("bearer" = [])),
    params(("msisdn" = String, Path)), request_body = ActivateBody,
    responses((status = 200, body = MyNumberDto),
        (status = 404, description = "Not one of the caller's numbers", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "sim_code_used, number_active, out_of_stock", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Wrong code", body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json")))]
pub async fn activate(
    state: web::Data<AppState>,
    caller: ApiAccount,
    ip: Caller,
    msisdn: web::Path<String>,
    body: web::Json<ActivateBody>,
) -> Result<HttpResponse, AppError> {
    let body = body.into_inner();
    let code = loose_text(body.activation_code.as_ref());
    let number = flows::numbers::activate(&state.shop, caller.0.id, msisdn.into_inner(), body.sim, code, ip.0).await?;
    json_ok(&MyNumberDto::new(&number))
}

/// The caller's eSIM activation code as a QR code (SVG).
#[utoipa::path(get, path = "/api/v1/me/numbers/{msisdn}/esim.svg", tag = "numbers", security(("bearer" = [])),
    params(("msisdn" = String, Path)),
    responses((status = 200, content_type = "image/svg+xml", body = String),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn esim_qr(
    state: web::Data<AppState>,
    caller: ApiAccount,
    msisdn: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let number = flows::numbers::my_number(&state.shop, caller.0.id, msisdn.into_inner()).await?;
    let code = number.and_then(|n| n.esim).ok_or(AppError::NotFound)?;
    let svg = qr::svg_of(code.as_str(), 256, "eSIM").ok_or(AppError::NotFound)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "image/svg+xml"))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(format!("<?xml version=\"1.0\" standalone=\"yes\"?>{svg}")))
}
