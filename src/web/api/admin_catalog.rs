//! `/api/v1/admin/products`, `/branches`, `/stock`: a headless back office keeps the catalog,
//! the branches and their stock. Every change is in the audit log.
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use super::carts::loose_text;
use super::dto::MoneySchema;
use crate::domain::catalog::admin::{self, AdminBranch, AdminProduct, BranchInput, ProductInput, StockLevel};
use crate::domain::shared::{Lang, Money};
use crate::web::error::{AppError, Problem};
use crate::web::extract::path_id;
use crate::web::extract::{ApiStaff, CurrentLang};
use crate::web::render::{json, json_ok};
use crate::web::state::AppState;

/// A text in both languages, or one text for both: `"Galaxy A55"` or `{"mn": "…", "en": "…"}`.
fn both(v: Option<&Value>) -> (Option<String>, Option<String>) {
    match v {
        None | Some(Value::Null) => (None, None),
        Some(Value::String(s)) => (Some(s.clone()), Some(s.clone())),
        Some(Value::Object(m)) => (
            m.get("mn").and_then(Value::as_str).map(String::from),
            m.get("en").and_then(Value::as_str).map(String::from),
        ),
        Some(other) => (Some(other.to_string()), Some(other.to_string())),
    }
}

#[derive(Deserialize, ToSchema, Default)]
pub struct ProductBody {
    /// `{"mn", "en"}`, or one text for both languages.
    #[schema(value_type = Option<Object>)]
    pub name: Option<Value>,
    /// Lower-case letters, digits and hyphens; made from the English name when absent.
    pub slug: Option<String>,
    /// device, number, esim, data_pack, top_up, plan or service.
    pub kind: Option<String>,
    /// The category's slug or id.
    pub category: Option<String>,
    /// Whole tögrög, as a string or a number.
    #[schema(value_type = Option<String>)]
    pub price: Option<Value>,
    /// `{"mn", "en"}`, or one text for both languages.
    #[schema(value_type = Option<Object>)]
    pub description: Option<Value>,
    /// By kind, as `Product.attributes` describes; a device's `specs` may also be text, one
    /// `name: value` a line (an extension).
    #[schema(value_type = Option<Object>)]
    pub attributes: Option<Value>,
    /// false hides it from the shop (an extension).
    pub active: Option<bool>,
    /// Shown on the home page (an extension).
    pub featured: Option<bool>,
    /// Order in lists, smaller first (an extension).
    #[schema(value_type = Option<i32>)]
    pub position: Option<Value>,
}

impl ProductBody {
    fn input(self) -> ProductInput {
        let (name_mn, name_en) = both(self.name.as_ref());
        let (description_mn, description_en) = both(self.description.as_ref());
        ProductInput {
            name_mn,
            name_en,
            slug: self.slug,
            kind: self.kind,
            category: self.category,
            price: loose_text(self.price.as_ref()),
            description_mn,
            description_en,
            attributes: self.attributes,
            active: self.active,
            featured: self.featured,
            position: loose_text(self.position.as_ref()),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct LocalizedDto {
    pub mn: String,
    pub en: String,
}

/// A product as staff see it: the shop's fields (`name` and `description` in the request's
/// language) and, as extensions, both languages and whether it is shown.
#[derive(Serialize, ToSchema)]
pub struct AdminProductDto {
    pub id: Uuid,
    pub slug: String,
    pub kind: &'static str,
    pub name: String,
    pub description: String,
    pub category_id: Uuid,
    #[schema(value_type = MoneySchema)]
    pub price: Money,
    #[schema(value_type = Object)]
    pub attributes: Value,
    pub names: LocalizedDto,
    pub descriptions: LocalizedDto,
    pub active: bool,
    pub featured: bool,
    pub position: i32,
}

impl AdminProductDto {
    fn new(p: AdminProduct, lang: Lang) -> Self {
        let pick = |mn: &str, en: &str| if lang == Lang::En { en.to_string() } else { mn.to_string() };
        Self {
            id: p.id.into(),
            kind: p.kind.as_str(),
            name: pick(&p.name_mn, &p.name_en),
            description: pick(&p.description_mn, &p.description_en),
            category_id: p.category_id,
            price: Money::mnt(p.price),
            names: LocalizedDto { mn: p.name_mn, en: p.name_en },
            descriptions: LocalizedDto { mn: p.description_mn, en: p.description_en },
            slug: p.slug,
            attributes: p.attributes,
            active: p.active,
            featured: p.featured,
            position: p.position,
        }
    }
}

/// Add a product of any kind.
#[utoipa::path(post, path = "/api/v1/admin/products", tag = "admin", request_body = ProductBody, security(("bearer" = [])),
    responses((status = 201, body = AdminProductDto), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_product(
    state: web::Data<AppState>,
    staff: ApiStaff,
    lang: CurrentLang,
    body: web::Json<ProductBody>,
) -> Result<HttpResponse, AppError> {
    let input = body.into_inner().input();
    let (staff, now) = (staff.0.id, state.shop.now());
    let product =
        state.shop.db.run(move |conn| Ok::<_, AppError>(admin::create_product(conn, &input, staff, now)?)).await?;
    json(StatusCode::CREATED, &AdminProductDto::new(product, lang.0))
}

/// Change a product: only the fields sent. `active: false` hides it from the shop.
#[utoipa::path(patch, path = "/api/v1/admin/products/{id}", tag = "admin", params(("id" = Uuid, Path)),
    request_body = ProductBody, security(("bearer" = [])),
    responses((status = 200, body = AdminProductDto), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update_product(
    state: web::Data<AppState>,
    staff: ApiStaff,
    lang: CurrentLang,
    id: web::Path<String>,
    body: web::Json<ProductBody>,
) -> Result<HttpResponse, AppError> {
    let id = path_id(&id)?;
    let input = body.into_inner().input();
    let (staff, now) = (staff.0.id, state.shop.now());
    let product =
        state.shop.db.run(move |conn| Ok::<_, AppError>(admin::update_product(conn, id, &input, staff, now)?)).await?;
    json_ok(&AdminProductDto::new(product, lang.0))
}

#[derive(Deserialize, ToSchema)]
pub struct BranchBody {
    /// `{"mn", "en"}`, or one text for both languages.
    #[schema(value_type = Object)]
    pub name: Option<Value>,
    #[schema(value_type = Object)]
    pub address: Option<Value>,
    /// As shown to shoppers, e.g. `Даваа–Ням 09:00–21:00`: `{"mn", "en"}`, or one text for both
    /// languages.
    #[schema(value_type = Object)]
    pub opening_hours: Option<Value>,
    /// Made from the English name when absent (an extension).
    pub slug: Option<String>,
    /// Shoppers may collect here (default true).
    pub pickup: Option<bool>,
    /// Ships home deliveries (default false; setting it moves the flag from the branch that had it).
    pub delivery_warehouse: Option<bool>,
    /// The days it opens counted from Monday: 5, 6 or 7 (default 7; an extension).
    pub open_days: Option<u8>,
    /// `HH:MM`, Ulaanbaatar time; with `closes_at`, shoppers are told when they can collect an
    /// order. `""` for both clears them (an extension).
    #[schema(example = "09:00")]
    pub opens_at: Option<String>,
    #[schema(example = "21:00")]
    pub closes_at: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AdminBranchDto {
    pub id: Uuid,
    pub name: String,
    pub address: String,
    pub opening_hours: String,
    pub pickup: bool,
    pub delivery_warehouse: bool,
    pub slug: String,
    pub names: LocalizedDto,
    pub addresses: LocalizedDto,
    /// Both languages (an extension).
    pub opening_hours_both: LocalizedDto,
    /// The days it opens counted from Monday (an extension).
    pub open_days: i16,
    /// `HH:MM` or null (an extension).
    pub opens_at: Option<String>,
    pub closes_at: Option<String>,
}

impl AdminBranchDto {
    fn new(b: AdminBranch, lang: Lang) -> Self {
        let pick = |mn: &str, en: &str| if lang == Lang::En { en.to_string() } else { mn.to_string() };
        Self {
            id: b.id,
            name: pick(&b.name_mn, &b.name_en),
            address: pick(&b.address_mn, &b.address_en),
            opening_hours: pick(&b.opening_hours_mn, &b.opening_hours_en),
            pickup: b.pickup,
            delivery_warehouse: b.delivery_warehouse,
            slug: b.slug,
            names: LocalizedDto { mn: b.name_mn, en: b.name_en },
            addresses: LocalizedDto { mn: b.address_mn, en: b.address_en },
            opening_hours_both: LocalizedDto { mn: b.opening_hours_mn, en: b.opening_hours_en },
            open_days: b.open_days,
            opens_at: b.opens_at.map(|t| t.format("%H:%M").to_string()),
            closes_at: b.closes_at.map(|t| t.format("%H:%M").to_string()),
        }
    }
}

/// Open a branch.
#[utoipa::path(post, path = "/api/v1/admin/branches", tag = "admin", request_body = BranchBody, security(("bearer" = [])),
    responses((status = 201, body = AdminBranchDto), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_branch(
    state: web::Data<AppState>,
    staff: ApiStaff,
    lang: CurrentLang,
    body: web::Json<BranchBody>,
) -> Result<HttpResponse, AppError> {
    let body = body.into_inner();
    let (name_mn, name_en) = both(body.name.as_ref());
    let (address_mn, address_en) = both(body.address.as_ref());
    let (opening_hours_mn, opening_hours_en) = both(body.opening_hours.as_ref());
    let input = BranchInput {
        name_mn,
        name_en,
        address_mn,
        address_en,
        opening_hours_mn,
        opening_hours_en,
        slug: body.slug,
        pickup: body.pickup,
        delivery_warehouse: body.delivery_warehouse,
        open_days: body.open_days.map(|d| d.to_string()),
        opens_at: body.opens_at,
        closes_at: body.closes_at,
    };
    let (staff, now) = (staff.0.id, state.shop.now());
    let branch =
        state.shop.db.run(move |conn| Ok::<_, AppError>(admin::create_branch(conn, &input, staff, now)?)).await?;
    json(StatusCode::CREATED, &AdminBranchDto::new(branch, lang.0))
}

#[derive(Deserialize, ToSchema)]
pub struct StockBody {
    pub product_id: Option<String>,
    pub branch_id: Option<String>,
    /// A whole number from 0 to 1,000,000.
    #[schema(value_type = i32)]
    pub quantity: Option<Value>,
    /// Why it changed (a count, a delivery): kept with the stock movement (an extension).
    pub reason: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct StockDto {
    pub product_id: Uuid,
    pub branch_id: Uuid,
    pub quantity: i32,
}

impl From<StockLevel> for StockDto {
    fn from(s: StockLevel) -> Self {
        Self { product_id: s.product_id.into(), branch_id: s.branch_id, quantity: s.quantity }
    }
}

/// Set how many of a device a branch holds.
#[utoipa::path(put, path = "/api/v1/admin/stock", tag = "admin", request_body = StockBody, security(("bearer" = [])),
    responses((status = 200, body = StockDto), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn set_stock(
    state: web::Data<AppState>,
    staff: ApiStaff,
    body: web::Json<StockBody>,
) -> Result<HttpResponse, AppError> {
    let body = body.into_inner();
    let quantity = loose_text(body.quantity.as_ref());
    let (staff, now) = (staff.0.id, state.shop.now());
    let level = state
        .shop
        .db
        .run(move |conn| {
            Ok::<_, AppError>(admin::set_stock(
                conn,
                body.product_id.as_deref(),
                body.branch_id.as_deref(),
                quantity.as_deref(),
                body.reason.as_deref().unwrap_or(""),
                staff,
                now,
            )?)
        })
        .await?;
    json_ok(&StockDto::from(level))
}
