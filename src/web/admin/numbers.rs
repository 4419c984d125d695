//! `/admin/numbers`: how full the number, SIM card and eSIM pools are (with a warning when one
//! runs low), and numbers imported from a CSV after a preview of what the import will do, line
//! by line, through the same calls as `/api/v1/admin/numbers/import`.
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::nav::{AdminNav, Section};
use crate::domain::reports::{self, PoolLevels, LOW_POOL};
use crate::domain::telco::numbers::{ImportLine, ImportReport};
use crate::flows;
use crate::web::error::AppError;
use crate::web::extract::StaffUser;
use crate::web::render::{html_with, see_other, Chrome};
use crate::web::session;
use crate::web::state::AppState;

/// The largest CSV pasted into the form (about 14,000 lines; the form passes the CSRF check,
/// which reads at most this much). Bigger files go through the API.
pub const MAX_CSV: usize = 262_144;

pub struct LineProblem {
    pub line: usize,
    pub field: &'static str,
    pub message: String,
}

pub struct Preview {
    pub imported: u64,
    pub skipped: u64,
    pub problems: Vec<LineProblem>,
}

#[derive(Template)]
#[template(path = "admin/numbers.html")]
pub struct NumbersPage {
    pub ctx: Chrome,
    pub nav: AdminNav,
    pub csrf: String,
    pub notice: Option<String>,
    pub levels: PoolLevels,
    pub low: i64,
    pub csv: String,
    pub preview: Option<Preview>,
}

async fn page(
    state: &AppState,
    mut ctx: Chrome,
    session: &Session,
    staff: &StaffUser,
    csv: String,
    preview: Option<Preview>,
) -> Result<NumbersPage, AppError> {
    let levels = state.shop.db.run(|conn| Ok::<_, AppError>(reports::pool_levels(conn)?)).await?;
    Ok(NumbersPage {
        nav: AdminNav::new(&staff.0, Section::Numbers),
        csrf: ctx.form_token(session),
        notice: session::take_flash(session).map(|k| ctx.t_dynamic(&k).to_string()),
        levels,
        low: LOW_POOL,
        csv,
        preview,
        ctx,
    })
}

/// What the last import did, carried by its redirect.
#[derive(Deserialize)]
pub struct Done {
    pub imported: Option<u64>,
    pub skipped: Option<u64>,
    pub refused: Option<u64>,
}

pub async fn show_numbers(
    state: web::Data<AppState>,
    ctx: Chrome,
    session: Session,
    staff: StaffUser,
    done: web::Query<Done>,
) -> Result<HttpResponse, AppError> {
    let mut page = page(&state, ctx, &session, &staff, String::new(), None).await?;
    if let (Some(i), Some(s), Some(r)) = (done.imported, done.skipped, done.refused) {
        let n = |v: u64| v.to_string();
        page.notice = Some(
            page.ctx.fill("admin.numbers.imported", &[("imported", &n(i)), ("skipped", &n(s)), ("refused", &n(r))]),
        );
    }
    html_with(StatusCode::OK, &page)
}

#[derive(Deserialize)]
pub struct ImportForm {
    pub csv: Option<String>,
}

fn lines(form: &ImportForm) -> Result<(String, Vec<ImportLine>), AppError> {
    let csv = form.csv.clone().unwrap_or_default();
    let lines = ImportLine::from_csv(&csv);
    Ok((csv, lines))
}

fn shown(ctx: &Chrome, report: &ImportReport) -> Preview {
    Preview {
        imported: report.imported,
        skipped: report.skipped,
        problems: report
            .errors
            .iter()
            .map(|e| LineProblem { line: e.line, field: e.field, message: ctx.field(&e.error) })
            .collect(),
    }
}

/// What the import would do, line by line, with a button to do it.
pub async fn preview_import(
    state: web::Data<AppState>,
    ctx: Chrome,
    session: Session,
    staff: StaffUser,
    form: web::Form<ImportForm>,
) -> Result<HttpResponse, AppError> {
    let (csv, lines) = lines(&form)?;
    let report = flows::numbers::preview_import(&state.shop, lines).await?;
    let preview = shown(&ctx, &report);
    html_with(StatusCode::OK, &page(&state, ctx, &session, &staff, csv, Some(preview)).await?)
}

/// Imports the previewed CSV: its good lines go in, the others are skipped as shown.
pub async fn import(
    state: web::Data<AppState>,
    staff: StaffUser,
    form: web::Form<ImportForm>,
) -> Result<HttpResponse, AppError> {
    let (_, lines) = lines(&form)?;
    let report = flows::numbers::import(&state.shop, lines, staff.0.id).await?;
    Ok(see_other(&format!(
        "/admin/numbers?imported={}&skipped={}&refused={}",
        report.imported,
        report.skipped,
        report.errors.len()
    )))
}
