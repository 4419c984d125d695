//! `/`: featured products and what the shop sells.
use actix_web::{web, HttpResponse};
use askama::Template;

use super::views::{kind_plural, Card};
use crate::domain::catalog::queries;
use crate::web::error::AppError;
use crate::web::filters;
use crate::web::render::{html, Chrome};
use crate::web::state::AppState;

pub struct KindTile {
    pub href: String,
    pub label: &'static str,
    pub count_text: String,
}

#[derive(Template)]
#[template(path = "shop/home.html")]
pub struct HomePage {
    pub ctx: Chrome,
    pub featured: Vec<Card>,
    pub kinds: Vec<KindTile>,
}

pub async fn show_home(state: web::Data<AppState>, ctx: Chrome) -> Result<HttpResponse, AppError> {
    let (featured, counts) = state
        .shop
        .db
        .run(|conn| Ok::<_, AppError>((queries::list_featured(conn, 8)?, queries::count_by_kind(conn)?)))
        .await?;
    let lang = ctx.lang;
    let kinds = counts
        .iter()
        .map(|c| KindTile {
            href: format!("/products?kind={}", c.kind.as_str()),
            label: kind_plural(ctx.tr, c.kind),
            count_text: ctx.fill("home.kind_count", &[("count", &c.count.to_string())]),
        })
        .collect();
    html(&HomePage { featured: featured.iter().map(|p| Card::new(p, lang)).collect(), kinds, ctx })
}

pub struct BranchCard {
    pub name: String,
    pub address: String,
    pub hours: String,
    pub pickup: bool,
}

#[derive(Template)]
#[template(path = "shop/branches.html")]
pub struct BranchesPage {
    pub ctx: Chrome,
    pub branches: Vec<BranchCard>,
}

/// `/branches`: where shoppers collect orders, with addresses and hours (the footer links it).
pub async fn show_branches(state: web::Data<AppState>, ctx: Chrome) -> Result<HttpResponse, AppError> {
    let all = state.shop.db.run(|conn| Ok::<_, AppError>(queries::list_branches(conn)?)).await?;
    let branches = all
        .iter()
        .map(|b| BranchCard {
            name: b.name.get(ctx.lang).into(),
            address: b.address.get(ctx.lang).into(),
            hours: b.opening_hours.get(ctx.lang).into(),
            pickup: b.pickup,
        })
        .collect();
    html(&BranchesPage { ctx, branches })
}
