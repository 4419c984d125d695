//! `/admin/categories`: the categories the shop's menu is built from, added and changed in
//! place.
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;
use uuid::Uuid;

use super::nav::{AdminNav, Section};
use crate::domain::catalog::backoffice::{self, CategoryInput, CategoryLine};
use crate::domain::catalog::CatalogError;
use crate::domain::shared::{FieldError, FieldErrors};
use crate::web::error::AppError;
use crate::web::extract::{path_id, StaffUser};
use crate::web::pages::forms::FormErrors;
use crate::web::render::{html_with, see_other, Chrome};
use crate::web::session;
use crate::web::state::AppState;

#[derive(Deserialize, Default)]
pub struct CategoryForm {
    pub name_mn: Option<String>,
    pub name_en: Option<String>,
    pub slug: Option<String>,
    pub parent: Option<String>,
    pub position: Option<String>,
}

impl CategoryForm {
    fn input(&self) -> CategoryInput {
        CategoryInput {
            name_mn: self.name_mn.clone(),
            name_en: self.name_en.clone(),
            slug: self.slug.clone(),
            parent: self.parent.clone(),
            position: self.position.clone(),
        }
    }

    pub fn value<'a>(&'a self, field: &str) -> &'a str {
        let v = match field {
            "name_mn" => &self.name_mn,
            "name_en" => &self.name_en,
            "slug" => &self.slug,
            "parent" => &self.parent,
            "position" => &self.position,
            _ => return "",
        };
        v.as_deref().unwrap_or("")
    }
}

#[derive(Template)]
#[template(path = "admin/categories.html")]
pub struct CategoriesPage {
    pub ctx: Chrome,
    pub nav: AdminNav,
    pub csrf: String,
    pub notice: Option<String>,
    pub categories: Vec<CategoryLine>,
    /// The category whose change failed, with the form as sent; `None` for a new one.
    pub failed: Option<Uuid>,
    pub form: CategoryForm,
    pub errors: FormErrors,
}

impl CategoriesPage {
    /// Whether the form for `this` (a category, or `None` for a new one) is the one that failed.
    pub fn is_failed(&self, this: &Option<uuid::Uuid>) -> bool {
        *this == self.failed
    }

    /// A field of a row's form (or of the new category's), as sent when that form failed.
    pub fn value(&self, this: &Option<uuid::Uuid>, field: &str) -> String {
        let row = this.and_then(|id| self.categories.iter().find(|c| c.id == id));
        match row {
            _ if self.is_failed(this) => self.form.value(field).to_string(),
            None => String::new(),
            Some(c) => match field {
                "name_mn" => c.name_mn.clone(),
                "name_en" => c.name_en.clone(),
                "slug" => c.slug.clone(),
                "parent" => c.parent_id.map(|p| p.to_string()).unwrap_or_default(),
                "position" => c.position.to_string(),
                _ => String::new(),
            },
        }
    }

    /// A category cannot be put under itself.
    pub fn same(&self, this: &Option<uuid::Uuid>, other: &CategoryLine) -> bool {
        *this == Some(other.id)
    }

    pub fn error(&self, this: &Option<uuid::Uuid>, field: &str) -> Option<&FieldError> {
        self.is_failed(this).then(|| self.errors.get(field)).flatten()
    }

    pub fn parent_name(&self, c: &CategoryLine) -> &str {
        c.parent_id.and_then(|p| self.categories.iter().find(|o| o.id == p)).map_or("", |p| {
            if self.ctx.lang.code() == "mn" {
                &p.name_mn
            } else {
                &p.name_en
            }
        })
    }
}

async fn page(
    state: &AppState,
    mut ctx: Chrome,
    session: &Session,
    staff: &StaffUser,
    failed: Option<Uuid>,
    form: CategoryForm,
    errors: FieldErrors,
) -> Result<CategoriesPage, AppError> {
    let categories = state.shop.db.run(|conn| Ok::<_, AppError>(backoffice::list_categories(conn)?)).await?;
    Ok(CategoriesPage {
        nav: AdminNav::new(&staff.0, Section::Products),
        csrf: ctx.form_token(session),
        notice: session::take_flash(session).map(|k| ctx.t_dynamic(&k).to_string()),
        categories,
        failed,
        form,
        errors: FormErrors(errors),
        ctx,
    })
}

pub async fn list_categories(
    state: web::Data<AppState>,
    ctx: Chrome,
    session: Session,
    staff: StaffUser,
) -> Result<HttpResponse, AppError> {
    let page = page(&state, ctx, &session, &staff, None, CategoryForm::default(), FieldErrors::new()).await?;
    html_with(StatusCode::OK, &page)
}

async fn answer(
    state: &AppState,
    ctx: Chrome,
    session: &Session,
    staff: &StaffUser,
    failed: Option<Uuid>,
    form: CategoryForm,
    done: Result<(), CatalogError>,
) -> Result<HttpResponse, AppError> {
    match done {
        Ok(()) => {
            session::flash(session, "admin.categories.saved");
            Ok(see_other("/admin/categories"))
        }
        Err(CatalogError::Invalid(errors)) => {
            let page = page(state, ctx, session, staff, failed, form, errors).await?;
            html_with(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn create_category(
    state: web::Data<AppState>,
    ctx: Chrome,
    session: Session,
    staff: StaffUser,
    form: web::Form<CategoryForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let (input, who, now) = (form.input(), staff.0.id, state.shop.now());
    let done = state.shop.db.run(move |conn| backoffice::create_category(conn, &input, who, now).map(|_| ())).await;
    answer(&state, ctx, &session, &staff, None, form, done).await
}

pub async fn update_category(
    state: web::Data<AppState>,
    ctx: Chrome,
    session: Session,
    staff: StaffUser,
    id: web::Path<String>,
    form: web::Form<CategoryForm>,
) -> Result<HttpResponse, AppError> {
    let id: Uuid = path_id(&id)?;
    let form = form.into_inner();
    let (input, who, now) = (form.input(), staff.0.id, state.shop.now());
    let done = state.shop.db.run(move |conn| backoffice::update_category(conn, id, &input, who, now).map(|_| ())).await;
    answer(&state, ctx, &session, &staff, Some(id), form, done).await
}
