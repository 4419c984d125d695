//! `/api/v1/numbers` (the number picker's search) and `/api/v1/admin/numbers/import` (staff fill
//! the pool from a CSV or JSON list).
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::dto::MoneySchema;
use crate::domain::shared::Money;
use crate::domain::telco::numbers::{ImportLine, ImportReport, NumberOffer};
use crate::domain::telco::sims::{Pool, PoolLine};
use crate::flows;
use crate::i18n::Tr;
use crate::web::error::{AppError, Problem};
use crate::web::extract::ApiStaff;
use crate::web::extract::CurrentLang;
use crate::web::number_query::NumbersQuery;
use crate::web::render::json_ok;
use crate::web::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct NumberDto {
    #[schema(example = "88112233")]
    pub msisdn: String,
    #[schema(example = "gold")]
    pub tier: &'static str,
    #[schema(value_type = MoneySchema)]
    pub price: Money,
    /// Extension: a gold or platinum number, which the picker makes stand out.
    pub golden: bool,
}

impl NumberDto {
    fn new(n: &NumberOffer) -> Self {
        Self { msisdn: n.msisdn.as_str().to_string(), tier: n.tier.as_str(), price: n.price, golden: n.golden }
    }
}

#[derive(Serialize, ToSchema)]
pub struct NumberPage {
    pub items: Vec<NumberDto>,
    pub page: u32,
    pub per_page: u32,
    /// Matches in all, counted up to 200.
    pub total: i64,
    /// Extension: more than `total` match (a broad search is not counted to its end).
    pub total_capped: bool,
}

/// Available numbers.
///
/// Numbers that may be bought now (not sold, not held by another cart), in order, each at its
/// tier's price. A page past the end has no items but still tells the total. Totals are counted
/// up to 200; a broader search answers `total: 200, total_capped: true`.
#[utoipa::path(get, path = "/api/v1/numbers", tag = "numbers", params(NumbersQuery),
    responses((status = 200, body = NumberPage),
        (status = 422, description = "`q`, `tier` or a page parameter is invalid", body = Problem, content_type = "application/problem+json")))]
pub async fn search_numbers(
    state: web::Data<AppState>,
    query: web::Query<NumbersQuery>,
) -> Result<HttpResponse, AppError> {
    let found = flows::numbers::search(&state.shop, query.parse()?).await?;
    json_ok(&NumberPage {
        items: found.page.items.iter().map(NumberDto::new).collect(),
        page: found.page.page,
        per_page: found.page.per_page,
        total: found.page.total,
        total_capped: found.total_capped,
    })
}

#[derive(Deserialize)]
struct JsonLine {
    #[serde(default)]
    msisdn: serde_json::Value,
    #[serde(default)]
    tier: serde_json::Value,
}

#[derive(Serialize, ToSchema)]
pub struct ImportErrorDto {
    /// 1-based: the file's line for CSV, the array position for JSON.
    pub line: usize,
    pub message: String,
    /// Extension: the field and the stable code of what is wrong.
    pub field: &'static str,
    pub code: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct ImportReportDto {
    pub imported: u64,
    pub skipped: u64,
    pub errors: Vec<ImportErrorDto>,
}

impl ImportReportDto {
    fn new(r: &ImportReport, tr: Tr) -> Self {
        Self {
            imported: r.imported,
            skipped: r.skipped,
            errors: r
                .errors
                .iter()
                .map(|e| ImportErrorDto {
                    line: e.line,
                    message: format!("{} {}", e.field, tr.field(&e.error)),
                    field: e.field,
                    code: e.error.code.as_str(),
                })
                .collect(),
        }
    }
}

fn is_json(req: &HttpRequest) -> bool {
    req.headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}

/// Reads the body: a JSON array `[{msisdn, tier}]` when it says it is JSON, else CSV.
fn import_lines(req: &HttpRequest, body: &[u8]) -> Result<Vec<ImportLine>, AppError> {
    if is_json(req) {
        let items: Vec<JsonLine> = serde_json::from_slice(body)
            .map_err(|e| AppError::BadRequest(format!("The JSON body must be an array of {{msisdn, tier}}: {e}")))?;
        let text = |v: &serde_json::Value| match v {
            serde_json::Value::String(s) => s.trim().to_string(),
            serde_json::Value::Number(n) => n.to_string(),
            _ => String::new(),
        };
        Ok(items
            .iter()
            .enumerate()
            .map(|(i, l)| ImportLine { line: i + 1, msisdn: text(&l.msisdn), tier: text(&l.tier).to_ascii_lowercase() })
            .collect())
    } else {
        let text = std::str::from_utf8(body).map_err(|_| AppError::BadRequest("The CSV must be UTF-8 text.".into()))?;
        Ok(ImportLine::from_csv(text))
    }
}

/// Import numbers into the pool (staff).
///
/// CSV `msisdn,tier` (a header line is optional) or a JSON array `[{msisdn, tier}]`. New
/// numbers are added as available; numbers already in the pool are left as they are
/// (`skipped`); each refused line is reported. Up to 32 MiB (a million numbers) per request.
#[utoipa::path(post, path = "/api/v1/admin/numbers/import", tag = "admin", security(("bearer" = [])),
    request_body(content = String, content_type = "text/csv", description = "msisdn,tier lines, or a JSON array of {msisdn, tier}"),
    responses((status = 200, body = ImportReportDto),
        (status = 400, description = "A body that is neither CSV text nor a JSON array", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn import_numbers(
    state: web::Data<AppState>,
    staff: ApiStaff,
    lang: CurrentLang,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let report = flows::numbers::import(&state.shop, import_lines(&req, &body)?, staff.0.id).await?;
    json_ok(&ImportReportDto::new(&report, Tr(lang.0)))
}

/// The largest import body.
pub const IMPORT_LIMIT: usize = 32 * 1024 * 1024;

#[derive(Deserialize)]
struct PoolJsonLine {
    #[serde(default)]
    iccid: serde_json::Value,
    #[serde(default)]
    activation_code: serde_json::Value,
}

/// Reads a pool import: a JSON array `[{iccid, activation_code}]`, or CSV `iccid,activation_code`.
fn pool_lines(req: &HttpRequest, body: &[u8]) -> Result<Vec<PoolLine>, AppError> {
    let text = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.trim().to_string(),
        serde_json::Value::Number(n) => n.to_string(),
        _ => String::new(),
    };
    if is_json(req) {
        let items: Vec<PoolJsonLine> = serde_json::from_slice(body).map_err(|e| {
            AppError::BadRequest(format!("The JSON body must be an array of {{iccid, activation_code}}: {e}"))
        })?;
        Ok(items
            .iter()
            .enumerate()
            .map(|(i, l)| PoolLine { line: i + 1, iccid: text(&l.iccid), activation_code: text(&l.activation_code) })
            .collect())
    } else {
        let text = std::str::from_utf8(body).map_err(|_| AppError::BadRequest("The CSV must be UTF-8 text.".into()))?;
        Ok(PoolLine::from_csv(text))
    }
}

async fn import_pool(
    state: &AppState,
    pool: Pool,
    staff: ApiStaff,
    lang: CurrentLang,
    req: &HttpRequest,
    body: &[u8],
) -> Result<HttpResponse, AppError> {
    let report = flows::numbers::import_pool(&state.shop, pool, pool_lines(req, body)?, staff.0.id).await?;
    json_ok(&ImportReportDto::new(&report, Tr(lang.0)))
}

/// Import physical SIM cards (staff).
///
/// A JSON array `[{iccid, activation_code}]` (or CSV `iccid,activation_code`): the ICCID (19 or
/// 20 digits starting 89 with a Luhn check digit) and the 8-digit code printed with the card,
/// which is kept only as a keyed hash. Cards already in the pool (same ICCID) are `skipped`.
#[utoipa::path(post, path = "/api/v1/admin/sim-cards/import", tag = "admin", security(("bearer" = [])),
    request_body(content = String, content_type = "application/json", description = "[{iccid, activation_code}]"),
    responses((status = 200, body = ImportReportDto),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn import_sim_cards(
    state: web::Data<AppState>,
    staff: ApiStaff,
    lang: CurrentLang,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    import_pool(&state, Pool::SimCards, staff, lang, &req, &body).await
}

/// Import eSIM profiles (staff).
///
/// A JSON array `[{iccid, activation_code}]` (or CSV): the profile's ICCID and its GSMA SGP.22
/// activation code `LPA:1$<SM-DP+ address>$<matching ID>`, kept sealed under `INVENTORY_KEY`.
#[utoipa::path(post, path = "/api/v1/admin/esim-profiles/import", tag = "admin", security(("bearer" = [])),
    request_body(content = String, content_type = "application/json", description = "[{iccid, activation_code}]"),
    responses((status = 200, body = ImportReportDto),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn import_esim_profiles(
    state: web::Data<AppState>,
    staff: ApiStaff,
    lang: CurrentLang,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    import_pool(&state, Pool::EsimProfiles, staff, lang, &req, &body).await
}

#[derive(Serialize, ToSchema)]
pub struct NumberEventDto {
    /// reminded or lapsed.
    pub event: String,
    pub account_email: Option<String>,
    pub at: chrono::DateTime<chrono::Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct NumberRecordDto {
    pub msisdn: String,
    pub tier: &'static str,
    /// available, held, reserved, sold (owned, inactive), active or retired.
    pub status: &'static str,
    pub owner_email: Option<String>,
    pub activate_by: Option<chrono::DateTime<chrono::Utc>>,
    pub events: Vec<NumberEventDto>,
}

/// One number of the pool as staff see it (an extension): state, owner, deadline and history
/// (reminders sent, lapsed activations that returned it to the pool).
#[utoipa::path(get, path = "/api/v1/admin/numbers/{msisdn}", tag = "admin", security(("bearer" = [])),
    params(("msisdn" = String, Path)),
    responses((status = 200, body = NumberRecordDto), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn number_record(state: web::Data<AppState>, msisdn: web::Path<String>) -> Result<HttpResponse, AppError> {
    let msisdn = crate::domain::telco::Msisdn::parse(&msisdn, "msisdn", &state.shop.rules.own_prefixes)
        .map_err(|_| AppError::NotFound)?;
    let record = flows::numbers::record(&state.shop, msisdn).await?.ok_or(AppError::NotFound)?;
    json_ok(&NumberRecordDto {
        msisdn: record.msisdn.as_str().to_string(),
        tier: record.tier.as_str(),
        status: record.status.as_str(),
        owner_email: record.owner_email,
        activate_by: record.activate_by,
        events: record
            .events
            .into_iter()
            .map(|e| NumberEventDto { event: e.event, account_email: e.account_email, at: e.at })
            .collect(),
    })
}
