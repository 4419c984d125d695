//! `/admin/branches` and `/admin/stock`: branches with their address and opening hours, and the
//! devices each holds, edited cell by cell in place (htmx) with why; every change is a stock
//! movement and an audit record, listed under the grid.
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;
use uuid::Uuid;

use super::nav::{AdminNav, Section};
use crate::domain::catalog::admin::{self, BranchInput};
use crate::domain::catalog::backoffice::{self, Movement, StockLine};
use crate::domain::catalog::model::BranchRow;
use crate::domain::catalog::CatalogError;
use crate::domain::shared::{shop_local, FieldError, FieldErrors, PageRequest, ProductId};
use crate::web::error::AppError;
use crate::web::extract::{path_id, Htmx, StaffUser};
use crate::web::pages::forms::FormErrors;
use crate::web::pages::views::Pager;
use crate::web::render::{html_with, see_other, Chrome};
use crate::web::session;
use crate::web::state::AppState;

#[derive(Deserialize, Default)]
pub struct BranchForm {
    pub name_mn: Option<String>,
    pub name_en: Option<String>,
    pub address_mn: Option<String>,
    pub address_en: Option<String>,
    pub opening_hours_mn: Option<String>,
    pub opening_hours_en: Option<String>,
    pub slug: Option<String>,
    pub pickup: Option<String>,
    pub delivery_warehouse: Option<String>,
    pub open_days: Option<String>,
    pub opens_at: Option<String>,
    pub closes_at: Option<String>,
}

impl BranchForm {
    fn of(b: &BranchRow) -> Self {
        BranchForm {
            name_mn: Some(b.name_mn.clone()),
            name_en: Some(b.name_en.clone()),
            address_mn: Some(b.address_mn.clone()),
            address_en: Some(b.address_en.clone()),
            opening_hours_mn: Some(b.opening_hours_mn.clone()),
            opening_hours_en: Some(b.opening_hours_en.clone()),
            slug: Some(b.slug.clone()),
            pickup: b.pickup.then(|| "on".into()),
            delivery_warehouse: b.delivery_warehouse.then(|| "on".into()),
            open_days: Some(b.open_days.to_string()),
            opens_at: Some(b.opens_at.map(|t| t.format("%H:%M").to_string()).unwrap_or_default()),
            closes_at: Some(b.closes_at.map(|t| t.format("%H:%M").to_string()).unwrap_or_default()),
        }
    }

    fn input(&self) -> BranchInput {
        BranchInput {
            name_mn: self.name_mn.clone(),
            name_en: self.name_en.clone(),
            address_mn: self.address_mn.clone(),
            address_en: self.address_en.clone(),
            opening_hours_mn: self.opening_hours_mn.clone(),
            opening_hours_en: self.opening_hours_en.clone(),
            slug: self.slug.clone(),
            pickup: Some(self.pickup.is_some()),
            delivery_warehouse: Some(self.delivery_warehouse.is_some()),
            open_days: self.open_days.clone(),
            // The form always sends both: empty clears them.
            opens_at: Some(self.opens_at.clone().unwrap_or_default()),
            closes_at: Some(self.closes_at.clone().unwrap_or_default()),
        }
    }

    pub fn value<'a>(&'a self, field: &str) -> &'a str {
        let v = match field {
            "name_mn" => &self.name_mn,
            "name_en" => &self.name_en,
            "address_mn" => &self.address_mn,
            "address_en" => &self.address_en,
            "opening_hours_mn" => &self.opening_hours_mn,
            "opening_hours_en" => &self.opening_hours_en,
            "slug" => &self.slug,
            "open_days" => &self.open_days,
            "opens_at" => &self.opens_at,
            "closes_at" => &self.closes_at,
            _ => return "",
        };
        v.as_deref().unwrap_or("")
    }

    pub fn checked(&self, field: &str) -> bool {
        match field {
            "pickup" => self.pickup.is_some(),
            "delivery_warehouse" => self.delivery_warehouse.is_some(),
            _ => false,
        }
    }
}

#[derive(Template)]
#[template(path = "admin/branches.html")]
pub struct BranchesPage {
    pub ctx: Chrome,
    pub nav: AdminNav,
    pub csrf: String,
    pub notice: Option<String>,
    pub branches: Vec<BranchRow>,
    /// The branch being changed; `None` on the list with its new-branch form.
    pub editing: Option<Uuid>,
    pub form: BranchForm,
    pub errors: FormErrors,
}

async fn branches_page(
    state: &AppState,
    mut ctx: Chrome,
    session: &Session,
    staff: &StaffUser,
    editing: Option<Uuid>,
    form: BranchForm,
    errors: FieldErrors,
) -> Result<BranchesPage, AppError> {
    let branches = state.shop.db.run(|conn| Ok::<_, AppError>(backoffice::branches(conn)?)).await?;
    Ok(BranchesPage {
        nav: AdminNav::new(&staff.0, Section::Branches),
        csrf: ctx.form_token(session),
        notice: session::take_flash(session).map(|k| ctx.t_dynamic(&k).to_string()),
        branches,
        editing,
        form,
        errors: FormErrors(errors),
        ctx,
    })
}

pub async fn list_branches(
    state: web::Data<AppState>,
    ctx: Chrome,
    session: Session,
    staff: StaffUser,
) -> Result<HttpResponse, AppError> {
    let form = BranchForm { pickup: Some("on".into()), ..BranchForm::default() };
    html_with(StatusCode::OK, &branches_page(&state, ctx, &session, &staff, None, form, FieldErrors::new()).await?)
}

pub async fn edit_branch(
    state: web::Data<AppState>,
    ctx: Chrome,
    session: Session,
    staff: StaffUser,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id: Uuid = path_id(&id)?;
    let branch = state.shop.db.run(move |conn| backoffice::branch(conn, id)).await?;
    let page = branches_page(&state, ctx, &session, &staff, Some(id), BranchForm::of(&branch), FieldErrors::new());
    html_with(StatusCode::OK, &page.await?)
}

async fn saved(
    state: &AppState,
    ctx: Chrome,
    session: &Session,
    staff: &StaffUser,
    editing: Option<Uuid>,
    form: BranchForm,
    done: Result<BranchRow, CatalogError>,
) -> Result<HttpResponse, AppError> {
    match done {
        Ok(_) => {
            session::flash(session, "admin.branches.saved");
            Ok(see_other("/admin/branches"))
        }
        Err(CatalogError::Invalid(errors)) => {
            let page = branches_page(state, ctx, session, staff, editing, form, errors).await?;
            html_with(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn create_branch(
    state: web::Data<AppState>,
    ctx: Chrome,
    session: Session,
    staff: StaffUser,
    form: web::Form<BranchForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let (input, who, now) = (form.input(), staff.0.id, state.shop.now());
    let done = state.shop.db.run(move |conn| admin::create_branch(conn, &input, who, now)).await;
    saved(&state, ctx, &session, &staff, None, form, done).await
}

pub async fn update_branch(
    state: web::Data<AppState>,
    ctx: Chrome,
    session: Session,
    staff: StaffUser,
    id: web::Path<String>,
    form: web::Form<BranchForm>,
) -> Result<HttpResponse, AppError> {
    let id: Uuid = path_id(&id)?;
    let form = form.into_inner();
    let (input, who, now) = (form.input(), staff.0.id, state.shop.now());
    let done = state.shop.db.run(move |conn| admin::update_branch(conn, id, &input, who, now)).await;
    saved(&state, ctx, &session, &staff, Some(id), form, done).await
}

/// One cell of the grid: a device at a branch, as a small form of its own.
pub struct Cell {
    pub product_id: ProductId,
    pub branch_id: Uuid,
    /// "Galaxy A55 at Төв салбар", for the input's label.
    pub label: String,
    pub quantity: String,
    pub saved: bool,
    pub error: Option<FieldError>,
}

impl Cell {
    pub fn dom_id(&self) -> String {
        format!("stock-{}-{}", self.product_id, self.branch_id)
    }
}

#[derive(Template)]
#[template(path = "admin/_stock_cell.html")]
pub struct CellFragment {
    pub ctx: Chrome,
    pub csrf: String,
    pub cell: Cell,
}

pub struct GridRow {
    pub line: StockLine,
    pub name: String,
    pub cells: Vec<Cell>,
}

#[derive(Template)]
#[template(path = "admin/stock.html")]
pub struct StockPage {
    pub ctx: Chrome,
    pub nav: AdminNav,
    pub csrf: String,
    pub notice: Option<String>,
    pub q: String,
    pub branch_names: Vec<String>,
    pub rows: Vec<GridRow>,
    pub pager: Pager,
    pub movements: Vec<(Movement, String)>,
    pub moves_pager: Pager,
}

#[derive(Deserialize)]
pub struct StockQuery {
    pub q: Option<String>,
    pub page: Option<String>,
    /// The page of stock changes.
    pub moves: Option<String>,
}

pub async fn show_stock(
    state: web::Data<AppState>,
    mut ctx: Chrome,
    session: Session,
    staff: StaffUser,
    query: web::Query<StockQuery>,
) -> Result<HttpResponse, AppError> {
    let q = query.q.clone().unwrap_or_default().chars().take(100).collect::<String>();
    let page = PageRequest::parse(query.page.as_deref(), None).unwrap_or_default();
    let moves_page = PageRequest::parse(query.moves.as_deref(), Some("30")).unwrap_or_default();
    let search = q.clone();
    let (grid, moves) = state
        .shop
        .db
        .run(move |conn| {
            let grid = backoffice::stock_grid(conn, Some(&search), page)?;
            let moves = backoffice::movements(conn, moves_page)?;
            Ok::<_, AppError>((grid, moves))
        })
        .await?;
    let mn = ctx.lang.code() == "mn";
    let pick = |mn_text: &str, en_text: &str| if mn { mn_text.to_string() } else { en_text.to_string() };
    let branch_names: Vec<String> = grid.branches.iter().map(|b| pick(&b.name_mn, &b.name_en)).collect();
    let encoded = serde_urlencoded::to_string([("q", q.as_str())]).unwrap_or_default();
    let pager = Pager::new(&grid.lines, |n| format!("/admin/stock?{encoded}&page={n}"));
    let moves_pager = Pager::new(&moves, |n| format!("/admin/stock?{encoded}&moves={n}#movements"));
    let rows = grid
        .lines
        .items
        .into_iter()
        .map(|line| {
            let name = pick(&line.name_mn, &line.name_en);
            let cells = grid
                .branches
                .iter()
                .zip(&line.quantities)
                .zip(&branch_names)
                .map(|((b, q), branch)| Cell {
                    product_id: line.product_id,
                    branch_id: b.id,
                    label: ctx.fill("admin.stock.cell", &[("product", &name), ("branch", branch)]),
                    quantity: q.to_string(),
                    saved: false,
                    error: None,
                })
                .collect();
            GridRow { line, name, cells }
        })
        .collect();
    let movements = moves
        .items
        .into_iter()
        .map(|m| (shop_local(m.at).format("%Y-%m-%d %H:%M").to_string(), m))
        .map(|(when, m)| (m, when))
        .collect();
    let page = StockPage {
        nav: AdminNav::new(&staff.0, Section::Branches),
        csrf: ctx.form_token(&session),
        notice: session::take_flash(&session).map(|k| ctx.t_dynamic(&k).to_string()),
        q,
        branch_names,
        rows,
        pager,
        movements,
        moves_pager,
        ctx,
    };
    html_with(StatusCode::OK, &page)
}

#[derive(Deserialize)]
pub struct StockForm {
    pub product_id: Option<String>,
    pub branch_id: Option<String>,
    pub quantity: Option<String>,
    pub reason: Option<String>,
    /// The cell's label, sent back so a re-drawn cell keeps it.
    pub label: Option<String>,
}

/// Sets one cell. htmx gets the cell back (saved, or with its error); a plain form post goes
/// back to the grid.
pub async fn set_stock(
    state: web::Data<AppState>,
    mut ctx: Chrome,
    session: Session,
    staff: StaffUser,
    htmx: Htmx,
    form: web::Form<StockForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let (who, now) = (staff.0.id, state.shop.now());
    let (product, branch, quantity) = (form.product_id.clone(), form.branch_id.clone(), form.quantity.clone());
    let reason = form.reason.clone().unwrap_or_default();
    let done = state
        .shop
        .db
        .run(move |conn| {
            admin::set_stock(conn, product.as_deref(), branch.as_deref(), quantity.as_deref(), &reason, who, now)
        })
        .await;
    let (product_id, branch_id) = match (
        form.product_id.as_deref().and_then(ProductId::parse),
        form.branch_id.as_deref().and_then(|b| Uuid::parse_str(b).ok()),
    ) {
        (Some(p), Some(b)) => (p, b),
        _ => return Err(AppError::NotFound),
    };
    let mut cell = Cell {
        product_id,
        branch_id,
        label: form.label.clone().unwrap_or_default().chars().take(300).collect(),
        quantity: form.quantity.clone().unwrap_or_default().chars().take(20).collect(),
        saved: false,
        error: None,
    };
    let status = match done {
        Ok(level) => {
            cell.quantity = level.quantity.to_string();
            cell.saved = true;
            StatusCode::OK
        }
        // A cell of a device or branch that is gone is no cell at all.
        Err(CatalogError::Invalid(errors)) if errors.first("product_id").or(errors.first("branch_id")).is_some() => {
            return Err(AppError::NotFound);
        }
        Err(CatalogError::Invalid(errors)) => {
            cell.error = errors.first("quantity").or(errors.first("reason")).cloned();
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(e) => return Err(e.into()),
    };
    if !htmx.wants_fragment() {
        if status == StatusCode::OK {
            session::flash(&session, "admin.stock.saved");
        } else {
            session::flash(&session, "admin.stock.not_saved");
        }
        return Ok(see_other("/admin/stock"));
    }
    let csrf = ctx.form_token(&session);
    html_with(status, &CellFragment { ctx, csrf, cell })
}
