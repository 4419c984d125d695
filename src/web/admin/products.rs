//! `/admin/products`: staff list every product (hidden ones too), add one of any kind with the
//! fields that kind has, in both languages, change it and hide or show it, through the same
//! commands as `/api/v1/admin/products`.
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::nav::{AdminNav, Section};
use crate::domain::catalog::admin::{self, AdminProduct, ProductInput};
use crate::domain::catalog::backoffice::{self, CategoryLine, ProductLine, Shown};
use crate::domain::catalog::images::{self, ProductImage};
use crate::domain::catalog::{CatalogError, ProductKind, Tier};
use crate::domain::shared::{Code, FieldError, FieldErrors, Money, PageRequest, ProductId};
use crate::web::error::AppError;
use crate::web::extract::{path_id, StaffUser};
use crate::web::filters;
use crate::web::pages::forms::FormErrors;
use crate::web::pages::views::{kind_label, Pager};
use crate::web::render::{html_with, see_other, Chrome};
use crate::web::session;
use crate::web::state::AppState;

#[derive(Deserialize)]
pub struct ListQuery {
    pub q: Option<String>,
    pub kind: Option<String>,
    pub shown: Option<String>,
    pub page: Option<String>,
}

pub struct KindOption {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "admin/products.html")]
pub struct ProductsPage {
    pub ctx: Chrome,
    pub nav: AdminNav,
    pub notice: Option<String>,
    pub q: String,
    pub kinds: Vec<KindOption>,
    pub shown: &'static str,
    pub rows: Vec<(ProductLine, &'static str, Money)>,
    pub total: i64,
    pub pager: Pager,
}

fn kind_options(ctx: &Chrome, chosen: Option<ProductKind>) -> Vec<KindOption> {
    ProductKind::ALL
        .into_iter()
        .map(|k| KindOption { value: k.as_str(), label: kind_label(ctx.tr, k), selected: chosen == Some(k) })
        .collect()
}

pub async fn list_products(
    state: web::Data<AppState>,
    ctx: Chrome,
    session: Session,
    staff: StaffUser,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let q = query.q.clone().unwrap_or_default().chars().take(100).collect::<String>();
    let kind = query.kind.as_deref().and_then(ProductKind::parse);
    let shown = Shown::parse(query.shown.as_deref().unwrap_or(""));
    let page = PageRequest::parse(query.page.as_deref(), None).unwrap_or_default();
    let search = q.clone();
    let found = state
        .shop
        .db
        .run(move |conn| Ok::<_, AppError>(backoffice::list_products(conn, Some(&search), kind, shown, page)?))
        .await?;
    let encoded = serde_urlencoded::to_string([
        ("q", q.as_str()),
        ("kind", kind.map_or("", ProductKind::as_str)),
        ("shown", shown.as_str()),
    ])
    .unwrap_or_default();
    let pager = Pager::new(&found, |n| format!("/admin/products?{encoded}&page={n}"));
    let page = ProductsPage {
        nav: AdminNav::new(&staff.0, Section::Products),
        notice: session::take_flash(&session).map(|k| ctx.t_dynamic(&k).to_string()),
        kinds: kind_options(&ctx, kind),
        q,
        shown: shown.as_str(),
        rows: found
            .items
            .into_iter()
            .map(|p| {
                let (label, price) = (kind_label(ctx.tr, p.kind), Money::mnt(p.price));
                (p, label, price)
            })
            .collect(),
        total: found.total,
        pager,
        ctx,
    };
    html_with(StatusCode::OK, &page)
}

/// The product form as posted: the common fields and every kind's own fields (only the chosen
/// kind's are read).
#[derive(Deserialize, Default, Clone)]
pub struct ProductForm {
    pub kind: Option<String>,
    pub name_mn: Option<String>,
    pub name_en: Option<String>,
    pub slug: Option<String>,
    pub category: Option<String>,
    pub price: Option<String>,
    pub description_mn: Option<String>,
    pub description_en: Option<String>,
    pub position: Option<String>,
    pub featured: Option<String>,
    pub active: Option<String>,
    /// A device's specs, one `name: value` a line.
    pub specs: Option<String>,
    pub tier: Option<String>,
    pub minutes: Option<String>,
    pub sms: Option<String>,
    pub data_mb: Option<String>,
    pub units: Option<String>,
    pub validity_days: Option<String>,
    pub free_amount: Option<String>,
    pub min_amount: Option<String>,
    pub max_amount: Option<String>,
}

impl ProductForm {
    /// The form filled from a stored product.
    fn of(p: &AdminProduct) -> Self {
        let attr = |k: &str| {
            p.attributes.get(k).map(|v| match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
        };
        let specs = p.attributes.get("specs").and_then(Value::as_object).map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k}: {}", v.as_str().map_or_else(|| v.to_string(), str::to_string)))
                .collect::<Vec<_>>()
                .join("\n")
        });
        let money = |k: &str| attr(k).map(|s| s.strip_suffix(".00").map_or(s.clone(), str::to_string));
        ProductForm {
            kind: Some(p.kind.as_str().to_string()),
            name_mn: Some(p.name_mn.clone()),
            name_en: Some(p.name_en.clone()),
            slug: Some(p.slug.clone()),
            category: Some(p.category_id.to_string()),
            price: Some(Money::mnt(p.price).amount().normalize().to_string()),
            description_mn: Some(p.description_mn.clone()),
            description_en: Some(p.description_en.clone()),
            position: Some(p.position.to_string()),
            featured: p.featured.then(|| "on".into()),
            active: p.active.then(|| "on".into()),
            specs,
            tier: attr("tier"),
            minutes: attr("minutes"),
            sms: attr("sms"),
            data_mb: attr("data_mb"),
            units: attr("units"),
            validity_days: attr("validity_days"),
            free_amount: (p.attributes.get("free_amount") == Some(&Value::Bool(true))).then(|| "on".into()),
            min_amount: money("min_amount"),
            max_amount: money("max_amount"),
        }
    }

    pub fn value<'a>(&'a self, field: &str) -> &'a str {
        let v = match field {
            "name_mn" => &self.name_mn,
            "name_en" => &self.name_en,
            "slug" => &self.slug,
            "category" => &self.category,
            "price" => &self.price,
            "description_mn" => &self.description_mn,
            "description_en" => &self.description_en,
            "position" => &self.position,
            "specs" => &self.specs,
            "tier" => &self.tier,
            "minutes" => &self.minutes,
            "sms" => &self.sms,
            "data_mb" => &self.data_mb,
            "units" => &self.units,
            "validity_days" => &self.validity_days,
            "min_amount" => &self.min_amount,
            "max_amount" => &self.max_amount,
            _ => return "",
        };
        v.as_deref().unwrap_or("")
    }

    pub fn checked(&self, field: &str) -> bool {
        match field {
            "featured" => self.featured.is_some(),
            "active" => self.active.is_some(),
            "free_amount" => self.free_amount.is_some(),
            _ => false,
        }
    }

    /// The kind's attributes over what was stored before (keys the form does not show are kept).
    fn attributes(&self, kind: ProductKind, before: Option<&Value>) -> Value {
        let mut out: Map<String, Value> = before.and_then(Value::as_object).cloned().unwrap_or_default();
        let whole = |raw: &Option<String>| {
            let raw = raw.as_deref().map(str::trim).unwrap_or("");
            match raw.parse::<i64>() {
                Ok(n) => Value::from(n),
                // Left for the catalog's check to name.
                Err(_) if raw.is_empty() => Value::Null,
                Err(_) => Value::String(raw.to_string()),
            }
        };
        let mut put = |k: &str, v: Value| {
            if v.is_null() {
                out.remove(k);
            } else {
                out.insert(k.to_string(), v);
            }
        };
        match kind {
            ProductKind::Device => {
                put("specs", Value::String(self.specs.clone().unwrap_or_default()));
            }
            ProductKind::Number => {
                put("tier", self.tier.clone().map_or(Value::Null, Value::String));
            }
            ProductKind::Esim => {}
            ProductKind::DataPack => {
                put("data_mb", whole(&self.data_mb));
                put("validity_days", whole(&self.validity_days));
            }
            ProductKind::Plan => {
                for (k, v) in [
                    ("minutes", &self.minutes),
                    ("sms", &self.sms),
                    ("data_mb", &self.data_mb),
                    ("units", &self.units),
                    ("validity_days", &self.validity_days),
                ] {
                    put(k, whole(v));
                }
            }
            ProductKind::TopUp => {
                put("free_amount", Value::Bool(self.free_amount.is_some()));
                for (k, v) in [("min_amount", &self.min_amount), ("max_amount", &self.max_amount)] {
                    let v = v.as_deref().map(str::trim).filter(|s| !s.is_empty());
                    put(k, v.map_or(Value::Null, |s| Value::String(s.to_string())));
                }
            }
            ProductKind::Service => {
                put("service", Value::String("esim_reissue".into()));
            }
        }
        Value::Object(out)
    }

    fn input(&self, kind: ProductKind, before: Option<&Value>) -> ProductInput {
        ProductInput {
            name_mn: self.name_mn.clone(),
            name_en: self.name_en.clone(),
            slug: self.slug.clone().filter(|s| !s.trim().is_empty()),
            kind: Some(kind.as_str().to_string()),
            category: self.category.clone(),
            price: self.price.clone(),
            description_mn: Some(self.description_mn.clone().unwrap_or_default()),
            description_en: Some(self.description_en.clone().unwrap_or_default()),
            attributes: Some(self.attributes(kind, before)),
            active: Some(self.active.is_some()),
            featured: Some(self.featured.is_some()),
            position: self.position.clone().filter(|p| !p.trim().is_empty()),
        }
    }
}

#[derive(Template)]
#[template(path = "admin/product.html")]
pub struct ProductPage {
    pub ctx: Chrome,
    pub nav: AdminNav,
    pub csrf: String,
    pub notice: Option<String>,
    /// `None` while a new product is being written.
    pub id: Option<ProductId>,
    pub kind: ProductKind,
    pub kind_name: &'static str,
    pub kinds: Vec<KindOption>,
    pub tiers: Vec<(&'static str, &'static str)>,
    pub categories: Vec<CategoryLine>,
    pub form: ProductForm,
    pub errors: FormErrors,
    pub shop_href: Option<String>,
    pub images: Vec<ProductImage>,
    /// What the failed upload said, kept for its form.
    pub upload: Upload,
}

/// The picture form's texts as sent, and what was wrong.
#[derive(Default)]
pub struct Upload {
    pub alt_mn: String,
    pub alt_en: String,
    pub errors: FormErrors,
}

impl ProductPage {
    pub fn is(&self, kind: &str) -> bool {
        self.kind.as_str() == kind
    }
}

struct FormState {
    id: Option<ProductId>,
    kind: ProductKind,
    form: ProductForm,
    errors: FieldErrors,
    shop_href: Option<String>,
    upload: Upload,
}

async fn form_page(
    state: &AppState,
    mut ctx: Chrome,
    session: &Session,
    staff: &StaffUser,
    shown: FormState,
) -> Result<ProductPage, AppError> {
    let id = shown.id;
    let (categories, images) = state
        .shop
        .db
        .run(move |conn| {
            let images = match id {
                Some(id) => images::images_of(conn, &[id])?,
                None => Vec::new(),
            };
            Ok::<_, AppError>((backoffice::list_categories(conn)?, images))
        })
        .await?;
    Ok(ProductPage {
        nav: AdminNav::new(&staff.0, Section::Products),
        csrf: ctx.form_token(session),
        notice: session::take_flash(session).map(|k| ctx.t_dynamic(&k).to_string()),
        id: shown.id,
        kind: shown.kind,
        kind_name: kind_label(ctx.tr, shown.kind),
        kinds: kind_options(&ctx, Some(shown.kind)),
        tiers: Tier::ALL.iter().map(|t| (t.as_str(), ctx.t(&format!("product.tier.{}", t.as_str())))).collect(),
        categories,
        form: shown.form,
        errors: FormErrors(shown.errors),
        shop_href: shown.shop_href,
        images,
        upload: shown.upload,
        ctx,
    })
}

#[derive(Deserialize)]
pub struct NewQuery {
    pub kind: Option<String>,
}

/// An empty form for a product of the chosen kind (a device unless another is asked for).
pub async fn new_product(
    state: web::Data<AppState>,
    ctx: Chrome,
    session: Session,
    staff: StaffUser,
    query: web::Query<NewQuery>,
) -> Result<HttpResponse, AppError> {
    let kind = query.kind.as_deref().and_then(ProductKind::parse).unwrap_or(ProductKind::Device);
    let form = ProductForm { active: Some("on".into()), ..ProductForm::default() };
    let shown =
        FormState { id: None, kind, form, errors: FieldErrors::new(), shop_href: None, upload: Upload::default() };
    html_with(StatusCode::OK, &form_page(&state, ctx, &session, &staff, shown).await?)
}

pub async fn create_product(
    state: web::Data<AppState>,
    ctx: Chrome,
    session: Session,
    staff: StaffUser,
    form: web::Form<ProductForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let Some(kind) = form.kind.as_deref().and_then(ProductKind::parse) else {
        return Ok(see_other("/admin/products/new"));
    };
    let input = form.input(kind, None);
    let (who, now) = (staff.0.id, state.shop.now());
    let made = state.shop.db.run(move |conn| admin::create_product(conn, &input, who, now)).await;
    match made {
        Ok(p) => {
            session::flash(&session, "admin.products.created");
            Ok(see_other(&format!("/admin/products/{}", p.id)))
        }
        Err(CatalogError::Invalid(errors)) => {
            let shown = FormState { id: None, kind, form, errors, shop_href: None, upload: Upload::default() };
            html_with(StatusCode::UNPROCESSABLE_ENTITY, &form_page(&state, ctx, &session, &staff, shown).await?)
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn edit_product(
    state: web::Data<AppState>,
    ctx: Chrome,
    session: Session,
    staff: StaffUser,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id: ProductId = path_id(&id)?;
    let p = state.shop.db.run(move |conn| backoffice::product(conn, id)).await?;
    let shown = FormState {
        id: Some(id),
        kind: p.kind,
        form: ProductForm::of(&p),
        errors: FieldErrors::new(),
        shop_href: p.active.then(|| format!("/products/{}", p.slug)),
        upload: Upload::default(),
    };
    html_with(StatusCode::OK, &form_page(&state, ctx, &session, &staff, shown).await?)
}

/// Saves the whole form over the product; its kind stays what it is.
pub async fn update_product(
    state: web::Data<AppState>,
    ctx: Chrome,
    session: Session,
    staff: StaffUser,
    id: web::Path<String>,
    form: web::Form<ProductForm>,
) -> Result<HttpResponse, AppError> {
    let id: ProductId = path_id(&id)?;
    let form = form.into_inner();
    let before = state.shop.db.run(move |conn| backoffice::product(conn, id)).await?;
    let input = form.input(before.kind, Some(&before.attributes));
    let (who, now) = (staff.0.id, state.shop.now());
    let saved = state.shop.db.run(move |conn| admin::update_product(conn, id, &input, who, now)).await;
    match saved {
        Ok(_) => {
            session::flash(&session, "admin.products.saved");
            Ok(see_other(&format!("/admin/products/{id}")))
        }
        Err(CatalogError::Invalid(errors)) => {
            let shop_href = before.active.then(|| format!("/products/{}", before.slug));
            let shown =
                FormState { id: Some(id), kind: before.kind, form, errors, shop_href, upload: Upload::default() };
            html_with(StatusCode::UNPROCESSABLE_ENTITY, &form_page(&state, ctx, &session, &staff, shown).await?)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct VisibilityForm {
    /// `hide` or `show`.
    pub to: Option<String>,
}

/// Hides a product from the shop (it stays in orders that have it) or shows it again.
pub async fn set_visibility(
    state: web::Data<AppState>,
    session: Session,
    staff: StaffUser,
    id: web::Path<String>,
    form: web::Form<VisibilityForm>,
) -> Result<HttpResponse, AppError> {
    let id: ProductId = path_id(&id)?;
    let active = form.to.as_deref() == Some("show");
    let input = ProductInput { active: Some(active), ..ProductInput::default() };
    let (who, now) = (staff.0.id, state.shop.now());
    state.shop.db.run(move |conn| admin::update_product(conn, id, &input, who, now)).await?;
    session::flash(&session, if active { "admin.products.shown" } else { "admin.products.hidden" });
    Ok(see_other(&format!("/admin/products/{id}")))
}

/// Reads a multipart field into memory, refusing more than `cap` bytes.
async fn read_field(field: &mut actix_multipart::Field, cap: usize) -> Result<Option<Vec<u8>>, AppError> {
    use futures_util::StreamExt;
    let mut out = Vec::new();
    while let Some(chunk) = field.next().await {
        let chunk = chunk.map_err(|_| AppError::BadRequest("The upload could not be read.".into()))?;
        if out.len() + chunk.len() > cap {
            return Ok(None);
        }
        out.extend_from_slice(&chunk);
    }
    Ok(Some(out))
}

/// A picture added to a product from its page: checked, written at its widths off the
/// request's thread, then stored.
pub async fn upload_image(
    state: web::Data<AppState>,
    ctx: Chrome,
    session: Session,
    staff: StaffUser,
    id: web::Path<String>,
    mut parts: actix_multipart::Multipart,
) -> Result<HttpResponse, AppError> {
    use futures_util::StreamExt;
    let id: ProductId = path_id(&id)?;
    let product = state.shop.db.run(move |conn| backoffice::product(conn, id)).await?;
    let (mut bytes, mut too_big, mut alt_mn, mut alt_en) = (Vec::new(), false, String::new(), String::new());
    while let Some(field) = parts.next().await {
        let mut field = field.map_err(|_| AppError::BadRequest("The upload could not be read.".into()))?;
        let name = field.name().unwrap_or_default().to_string();
        let cap = if name == "image" { images::MAX_BYTES } else { 4096 };
        let read = read_field(&mut field, cap).await?;
        match (name.as_str(), read) {
            ("image", Some(b)) => bytes = b,
            ("image", None) => too_big = true,
            ("alt_mn", Some(b)) => alt_mn = String::from_utf8_lossy(&b).into_owned(),
            ("alt_en", Some(b)) => alt_en = String::from_utf8_lossy(&b).into_owned(),
            _ => {}
        }
    }
    let checked = if too_big {
        Err(FieldErrors::single("image", FieldError::from(Code::ImageTooBig).with("max", "3 MB")))
    } else {
        web::block(move || images::check(&bytes, "image"))
            .await
            .map_err(|e| AppError::Internal(format!("image work: {e}")))?
    };
    let (who, now) = (staff.0.id, state.shop.now());
    let (mn, en) = (alt_mn.clone(), alt_en.clone());
    let added = match checked {
        Ok(image) => state.shop.db.run(move |conn| images::add(conn, id, &image, &mn, &en, who, now)).await,
        Err(errors) => Err(CatalogError::Invalid(errors)),
    };
    match added {
        Ok(_) => {
            session::flash(&session, "admin.images.added");
            Ok(see_other(&format!("/admin/products/{id}#images")))
        }
        Err(CatalogError::Invalid(errors)) => {
            let shown = FormState {
                id: Some(id),
                kind: product.kind,
                form: ProductForm::of(&product),
                errors: FieldErrors::new(),
                shop_href: product.active.then(|| format!("/products/{}", product.slug)),
                upload: Upload { alt_mn, alt_en, errors: FormErrors(errors) },
            };
            html_with(StatusCode::UNPROCESSABLE_ENTITY, &form_page(&state, ctx, &session, &staff, shown).await?)
        }
        Err(e) => Err(e.into()),
    }
}

/// Takes a picture off a product.
pub async fn remove_image(
    state: web::Data<AppState>,
    session: Session,
    staff: StaffUser,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (product, image) = path.into_inner();
    let (id, image): (ProductId, uuid::Uuid) = (path_id(&product)?, path_id(&image)?);
    let (who, now) = (staff.0.id, state.shop.now());
    state.shop.db.run(move |conn| images::remove(conn, id, image, who, now)).await?;
    session::flash(&session, "admin.images.removed");
    Ok(see_other(&format!("/admin/products/{id}#images")))
}
