//! `/api/v1/admin/campaigns…`: staff create coupon campaigns, make and assign their codes, and
//! read each code's status and the campaign's statistics.
use actix_web::http::header;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use super::carts::loose_text;
use super::dto::MoneySchema;
use crate::domain::promotions::{
    self, commands, queries, Campaign, CampaignInput, CampaignStats, CodeRecord, CodeRequest, CodeStatus,
};
use crate::domain::shared::{Code, FieldErrors, Money, Page, PageRequest};
use crate::web::error::{AppError, Problem};
use crate::web::extract::path_id;
use crate::web::extract::ApiStaff;
use crate::web::render::{json, json_ok};
use crate::web::state::AppState;

#[derive(Deserialize, ToSchema)]
pub struct DiscountBody {
    /// `percent` or `fixed`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// A percentage above 0 and at most 100, or whole tögrög; a string or a number.
    #[schema(value_type = String)]
    pub value: Option<Value>,
}

#[derive(Deserialize, ToSchema, Default)]
pub struct AppliesToBody {
    /// Product kinds the discount reaches (`device`, `plan`, …).
    pub kinds: Option<Vec<String>>,
    /// Products the discount reaches. With neither, every line; with both, a line of either.
    pub product_ids: Option<Vec<String>>,
}

#[derive(Deserialize, ToSchema)]
pub struct CampaignBody {
    pub name: Option<String>,
    pub discount: Option<DiscountBody>,
    /// `personal`, `once_per_customer` or `limited`.
    pub code_policy: Option<String>,
    /// Uses by orders placed and not cancelled, at most.
    #[schema(value_type = Option<i32>)]
    pub max_redemptions: Option<Value>,
    /// The sum of discounts, at most (whole tögrög); the last order gets what is left.
    #[schema(value_type = Option<String>)]
    pub budget: Option<Value>,
    /// The cart's subtotal, at least (whole tögrög).
    #[schema(value_type = Option<String>)]
    pub min_subtotal: Option<Value>,
    pub applies_to: Option<AppliesToBody>,
    /// Whether an order may carry this code beside another stackable campaign's (an extension;
    /// default false: one code per order).
    pub stackable: Option<bool>,
    /// RFC 3339, or a date and time on the shop's clock (Ulaanbaatar).
    pub starts_at: Option<String>,
    pub ends_at: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct DiscountDto {
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Two decimals: a percentage or tögrög.
    pub value: String,
}

#[derive(Serialize, ToSchema)]
pub struct AppliesToDto {
    pub kinds: Option<Vec<&'static str>>,
    pub product_ids: Option<Vec<Uuid>>,
}

#[derive(Serialize, ToSchema)]
pub struct CampaignDto {
    pub id: Uuid,
    pub name: String,
    pub discount: DiscountDto,
    pub code_policy: &'static str,
    pub max_redemptions: Option<i32>,
    #[schema(value_type = Option<MoneySchema>)]
    pub budget: Option<Money>,
    #[schema(value_type = Option<MoneySchema>)]
    pub min_subtotal: Option<Money>,
    pub applies_to: AppliesToDto,
    pub stackable: bool,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    /// Uses by orders placed and not cancelled or expired (what the limit counts).
    pub uses: i32,
    /// The discount those orders took (what the budget counts).
    #[schema(value_type = MoneySchema)]
    pub discount_used: Money,
    pub created_at: DateTime<Utc>,
}

impl CampaignDto {
    pub fn new(c: &Campaign) -> Self {
        let t = &c.terms;
        Self {
            id: t.campaign_id.into(),
            name: t.name.clone(),
            discount: DiscountDto {
                kind: t.discount_type.as_str(),
                value: Money::mnt(t.discount_value).amount_string(),
            },
            code_policy: t.policy.as_str(),
            max_redemptions: t.max_redemptions,
            budget: t.budget,
            min_subtotal: t.min_subtotal,
            applies_to: AppliesToDto {
                kinds: t.kinds.as_ref().map(|k| k.iter().map(|k| k.as_str()).collect()),
                product_ids: t.products.as_ref().map(|p| p.iter().map(|p| (*p).into()).collect()),
            },
            stackable: t.stackable,
            starts_at: t.starts_at,
            ends_at: t.ends_at,
            uses: t.uses,
            discount_used: t.discount_used,
            created_at: c.created_at,
        }
    }
}

/// Create a campaign. Its codes are made with `POST …/codes`.
#[utoipa::path(post, path = "/api/v1/admin/campaigns", tag = "admin", request_body = CampaignBody,
    security(("bearer" = [])),
    responses((status = 201, body = CampaignDto), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_campaign(
    state: web::Data<AppState>,
    staff: ApiStaff,
    body: web::Json<CampaignBody>,
) -> Result<HttpResponse, AppError> {
    let body = body.into_inner();
    let applies = body.applies_to.unwrap_or_default();
    let input = CampaignInput {
        name: body.name,
        discount_type: body.discount.as_ref().and_then(|d| d.kind.clone()),
        discount_value: body.discount.as_ref().and_then(|d| loose_text(d.value.as_ref())),
        code_policy: body.code_policy,
        max_redemptions: loose_text(body.max_redemptions.as_ref()),
        budget: loose_text(body.budget.as_ref()),
        min_subtotal: loose_text(body.min_subtotal.as_ref()),
        kinds: applies.kinds,
        product_ids: applies.product_ids,
        stackable: body.stackable,
        starts_at: body.starts_at,
        ends_at: body.ends_at,
    };
    let (staff, now) = (staff.0.id, state.shop.now());
    let campaign =
        state.shop.db.run(move |conn| Ok::<_, AppError>(commands::create_campaign(conn, &input, staff, now)?)).await?;
    json(StatusCode::CREATED, &CampaignDto::new(&campaign))
}

/// One campaign (an extension of the contract).
#[utoipa::path(get, path = "/api/v1/admin/campaigns/{id}", tag = "admin", params(("id" = Uuid, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = CampaignDto), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_campaign(state: web::Data<AppState>, id: web::Path<String>) -> Result<HttpResponse, AppError> {
    let id = path_id(&id)?;
    let campaign = state.shop.db.run(move |conn| Ok::<_, AppError>(queries::find_campaign(conn, id)?)).await?;
    json_ok(&CampaignDto::new(&campaign))
}

/// One of: `{code}` a shared code of the staff's choosing; `{count, prefix?}` that many
/// generated codes (1 to 10,000; no 0/O or 1/I in them); `{assign_to, send_email?}` one
/// generated code for each customer named by id or email (personal campaigns), mailed to them
/// when `send_email`.
#[derive(Deserialize, ToSchema)]
pub struct CodesBody {
    pub code: Option<String>,
    #[schema(value_type = Option<i64>)]
    pub count: Option<Value>,
    pub prefix: Option<String>,
    pub assign_to: Option<Vec<String>>,
    pub send_email: Option<bool>,
}

#[derive(Serialize, ToSchema)]
pub struct CodeDto {
    /// Upper-case; shoppers may type it in any case.
    pub code: String,
    /// `unused`, `assigned` or `redeemed` (used by an order placed and not cancelled).
    pub status: &'static str,
    pub customer_id: Option<Uuid>,
    pub customer_email: Option<String>,
    pub redeemed_at: Option<DateTime<Utc>>,
}

impl CodeDto {
    fn new(c: &CodeRecord) -> Self {
        Self {
            code: c.code.as_str().to_string(),
            status: c.status.as_str(),
            customer_id: c.customer_id.map(Into::into),
            customer_email: c.customer_email.clone(),
            redeemed_at: c.redeemed_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CodesDto {
    pub codes: Vec<CodeDto>,
}

fn code_request(body: CodesBody) -> Result<CodeRequest, FieldErrors> {
    let code = body.code.filter(|c| !c.trim().is_empty());
    let count = loose_text(body.count.as_ref());
    let assign = body.assign_to;
    match (code, count, assign) {
        (Some(code), None, None) => Ok(CodeRequest::One(code)),
        (None, Some(raw), None) => {
            let count = raw.trim().parse::<i64>().map_err(|_| {
                FieldErrors::single(
                    "count",
                    crate::domain::shared::FieldError::from(Code::CodeCount)
                        .with("max", commands::MAX_CODES_PER_REQUEST),
                )
            })?;
            Ok(CodeRequest::Generate { count, prefix: body.prefix })
        }
        (None, None, Some(customers)) => {
            Ok(CodeRequest::Assign { customers, send_email: body.send_email.unwrap_or(false) })
        }
        _ => Err(FieldErrors::single("code", Code::CodeOrCount)),
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AssignQuery {
    /// With a CSV body: mail each customer their code.
    pub send_email: Option<bool>,
}

/// Make codes for a campaign. Besides the JSON bodies, a `text/csv` body names customers to
/// assign codes to (personal campaigns): an email or account id in the first column of each
/// line, a header line allowed; `?send_email=true` mails them.
#[utoipa::path(post, path = "/api/v1/admin/campaigns/{id}/codes", tag = "admin", params(("id" = Uuid, Path), AssignQuery),
    request_body(content(
        (CodesBody = "application/json"),
        (String = "text/csv", example = "email\nsaraa@example.mn\ndorj@example.mn\n"))),
    security(("bearer" = [])),
    responses((status = 201, body = CodesDto), (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn add_codes(
    state: web::Data<AppState>,
    staff: ApiStaff,
    req: HttpRequest,
    id: web::Path<String>,
    query: web::Query<AssignQuery>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let id = path_id(&id)?;
    let csv = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/csv"));
    let request = if csv {
        let text = std::str::from_utf8(&body).map_err(|_| AppError::BadRequest("The CSV is not UTF-8 text.".into()))?;
        CodeRequest::Assign {
            customers: promotions::rules::customers_from_csv(text),
            send_email: query.send_email.unwrap_or(false),
        }
    } else {
        let body: CodesBody = serde_json::from_slice(&body)
            .map_err(|e| AppError::BadRequest(format!("The JSON body could not be read: {e}")))?;
        code_request(body)?
    };
    let (staff, now) = (staff.0.id, state.shop.now());
    let codes =
        state.shop.db.run(move |conn| Ok::<_, AppError>(commands::add_codes(conn, id, &request, staff, now)?)).await?;
    state.shop.wake_jobs();
    json(StatusCode::CREATED, &CodesDto { codes: codes.iter().map(CodeDto::new).collect() })
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CodesQuery {
    /// `unused`, `assigned` or `redeemed`.
    pub status: Option<String>,
    /// `csv`: every code (of the status) as a CSV download, not a page.
    pub format: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CodePage {
    pub items: Vec<CodeDto>,
    pub page: u32,
    pub per_page: u32,
    pub total: i64,
}

impl CodePage {
    fn new(p: &Page<CodeRecord>) -> Self {
        Self { items: p.items.iter().map(CodeDto::new).collect(), page: p.page, per_page: p.per_page, total: p.total }
    }
}

/// A campaign's codes, oldest first: a personal code with its customer; a shared code once per
/// customer who used it, or once as `unused` while nobody has. `?format=csv` downloads them all.
#[utoipa::path(get, path = "/api/v1/admin/campaigns/{id}/codes", tag = "admin", params(("id" = Uuid, Path), CodesQuery),
    security(("bearer" = [])),
    responses((status = 200, body = CodePage), (status = 200, content_type = "text/csv", body = String), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn list_codes(
    state: web::Data<AppState>,
    id: web::Path<String>,
    query: web::Query<CodesQuery>,
) -> Result<HttpResponse, AppError> {
    let id = path_id(&id)?;
    let mut errors = FieldErrors::new();
    let status = match query.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => CodeStatus::parse(s).or_else(|| {
            errors.add("status", Code::CodeStatus);
            None
        }),
    };
    let csv = match query.format.as_deref().map(str::trim).filter(|f| !f.is_empty()) {
        None | Some("json") => false,
        Some("csv") => true,
        Some(_) => {
            errors.add("format", Code::Format);
            false
        }
    };
    let page = PageRequest::parse(query.page.as_deref(), query.per_page.as_deref()).unwrap_or_else(|e| {
        errors.extend(e);
        PageRequest::default()
    });
    errors.into_result()?;
    // A download holds every code, not a page of them.
    let page = if csv { PageRequest { page: 1, per_page: queries::ALL_CODES } } else { page };
    let codes = state.shop.db.run(move |conn| Ok::<_, AppError>(queries::list_codes(conn, id, status, page)?)).await?;
    if csv {
        let body = crate::web::csv::campaign_codes(&codes.items);
        return Ok(crate::web::csv::download(&format!("campaign-{id}-codes.csv"), body));
    }
    json_ok(&CodePage::new(&codes))
}

#[derive(Serialize, ToSchema)]
pub struct DayDto {
    /// A day on the shop's calendar (Ulaanbaatar).
    pub date: NaiveDate,
    pub redemptions: i64,
}

#[derive(Serialize, ToSchema)]
pub struct StatsDto {
    pub codes_issued: i64,
    pub codes_assigned: i64,
    /// Paid orders that used a code (an order refunded in full no longer counts).
    pub redemptions: i64,
    /// Redemptions per code issued, 0 to 1 (an extension).
    pub redemption_rate: String,
    /// Orders placed with a code and not paid yet (an extension).
    pub reserved: i64,
    pub unique_customers: i64,
    #[schema(value_type = MoneySchema)]
    pub discount_total: Money,
    /// What the redeeming orders were paid, less refunds.
    #[schema(value_type = MoneySchema)]
    pub revenue: Money,
    /// Redemptions per day (an extension).
    pub per_day: Vec<DayDto>,
}

impl StatsDto {
    fn new(s: &CampaignStats) -> Self {
        Self {
            codes_issued: s.codes_issued,
            codes_assigned: s.codes_assigned,
            redemptions: s.redemptions,
            redemption_rate: s.redemption_rate().to_string(),
            reserved: s.reserved,
            unique_customers: s.unique_customers,
            discount_total: s.discount_total,
            revenue: s.revenue,
            per_day: s.per_day.iter().map(|d| DayDto { date: d.day, redemptions: d.redemptions }).collect(),
        }
    }
}

/// What a campaign did.
#[utoipa::path(get, path = "/api/v1/admin/campaigns/{id}/stats", tag = "admin", params(("id" = Uuid, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = StatsDto), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn campaign_stats(state: web::Data<AppState>, id: web::Path<String>) -> Result<HttpResponse, AppError> {
    let id = path_id(&id)?;
    let stats = state.shop.db.run(move |conn| Ok::<_, AppError>(queries::stats(conn, id)?)).await?;
    json_ok(&StatsDto::new(&stats))
}

#[derive(Serialize, ToSchema)]
pub struct FreedDto {
    /// Uses by refunded orders released.
    pub freed: i64,
}

/// Free a code that orders refunded in full kept used (an extension): the customers may use it
/// again, and the campaign's limit and budget get the uses back. 404 for a code not in the
/// campaign.
#[utoipa::path(post, path = "/api/v1/admin/campaigns/{id}/codes/{code}/free", tag = "admin",
    params(("id" = Uuid, Path), ("code" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = FreedDto), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn free_code(
    state: web::Data<AppState>,
    staff: ApiStaff,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (id, code) = path.into_inner();
    let id = path_id(&id)?;
    let code = promotions::CouponCode::parse(&code).ok_or(AppError::NotFound)?;
    let (staff, now) = (staff.0.id, state.shop.now());
    let freed =
        state.shop.db.run(move |conn| Ok::<_, AppError>(commands::free_code(conn, id, &code, staff, now)?)).await?;
    json_ok(&FreedDto { freed })
}
