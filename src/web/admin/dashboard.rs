//! `/admin`: the staff landing page with the catalog at a glance.
use actix_web::{web, HttpResponse};
use askama::Template;

use crate::domain::catalog::queries;
use crate::web::error::AppError;
use crate::web::extract::StaffUser;
use crate::web::pages::views::kind_plural;
use crate::web::render::{html, Chrome};
use crate::web::state::AppState;

pub struct KindRow {
    pub label: &'static str,
    pub href: String,
    pub count: i64,
}

#[derive(Template)]
#[template(path = "admin/dashboard.html")]
pub struct DashboardPage {
    pub ctx: Chrome,
    pub name: String,
    pub role: &'static str,
    pub kinds: Vec<KindRow>,
}

pub async fn show_dashboard(
    state: web::Data<AppState>,
    ctx: Chrome,
    staff: StaffUser,
) -> Result<HttpResponse, AppError> {
    let counts = state.shop.db.run(|conn| Ok::<_, AppError>(queries::count_by_kind(conn)?)).await?;
    let kinds = counts
        .iter()
        .map(|c| KindRow {
            label: kind_plural(ctx.tr, c.kind),
            href: format!("/products?kind={}", c.kind.as_str()),
            count: c.count,
        })
        .collect();
    html(&DashboardPage { ctx, name: staff.0.display_name().to_string(), role: staff.0.role.as_str(), kinds })
}
