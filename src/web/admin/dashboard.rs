//! `/admin`: the staff landing page: revenue today and this week, orders by status, best
//! sellers, low stock per branch, jobs that need a look, and the catalog at a glance.
use actix_web::{web, HttpResponse};
use askama::Template;

use super::nav::{AdminNav, Section};
use crate::domain::catalog::queries;
use crate::domain::reports::{self, Dashboard};
use crate::domain::shared::Money;
use crate::web::error::AppError;
use crate::web::extract::StaffUser;
use crate::web::filters;
use crate::web::pages::views::kind_plural;
use crate::web::render::{html, Chrome};
use crate::web::state::AppState;

pub struct KindRow {
    pub label: &'static str,
    pub count: i64,
}

pub struct StatusRow {
    pub href: String,
    pub label: &'static str,
    pub count: i64,
}

pub struct TopRow {
    pub name: String,
    pub units: i64,
    pub revenue: Money,
}

pub struct LowRow {
    pub branch: String,
    pub product: String,
    pub quantity: i32,
}

#[derive(Template)]
#[template(path = "admin/dashboard.html")]
pub struct DashboardPage {
    pub ctx: Chrome,
    pub nav: AdminNav,
    pub revenue_today: Money,
    pub revenue_week: Money,
    pub orders_today: i64,
    pub orders_week: i64,
    pub statuses: Vec<StatusRow>,
    pub top: Vec<TopRow>,
    pub low: Vec<LowRow>,
    pub jobs_failed: i64,
    pub jobs_dead: i64,
    pub kinds: Vec<KindRow>,
}

/// How long a process keeps the dashboard's figures.
pub const DASHBOARD_TTL: std::time::Duration = std::time::Duration::from_secs(20);

pub async fn show_dashboard(
    state: web::Data<AppState>,
    ctx: Chrome,
    staff: StaffUser,
) -> Result<HttpResponse, AppError> {
    let now = state.shop.now();
    let kept = state.dashboard.fresh();
    let stale = kept.is_none();
    let (read, counts) = state
        .shop
        .db
        .run(move |conn| {
            let read: Option<Dashboard> = if stale { Some(reports::dashboard(conn, now)?) } else { None };
            Ok::<_, AppError>((read, queries::count_by_kind(conn)?))
        })
        .await?;
    // Figures just read are kept for the next visits.
    let figures =
        state.dashboard.settle(kept, read).ok_or_else(|| AppError::Internal("no dashboard figures".into()))?;
    let lang = ctx.lang;
    let page = DashboardPage {
        nav: AdminNav::new(&staff.0, Section::Dashboard),
        revenue_today: figures.revenue_today,
        revenue_week: figures.revenue_week,
        orders_today: figures.orders_today,
        orders_week: figures.orders_week,
        statuses: figures
            .by_status
            .iter()
            .map(|(s, n)| StatusRow {
                href: format!("/admin/orders?status={}", s.as_str()),
                label: ctx.t(&format!("order.status.{}", s.as_str())),
                count: *n,
            })
            .collect(),
        top: figures
            .top_products
            .iter()
            .map(|t| TopRow { name: t.name.get(lang).to_string(), units: t.units, revenue: t.revenue })
            .collect(),
        low: figures
            .low_stock
            .iter()
            .map(|l| LowRow {
                branch: l.branch.get(lang).to_string(),
                product: l.product.get(lang).to_string(),
                quantity: l.quantity,
            })
            .collect(),
        jobs_failed: figures.jobs_failed,
        jobs_dead: figures.jobs_dead,
        kinds: counts.iter().map(|c| KindRow { label: kind_plural(ctx.tr, c.kind), count: c.count }).collect(),
        ctx,
    };
    html(&page)
}

/// One line of the feed, as the dashboard's list shows it (one line, so one SSE data line).
fn feed_line(ctx: &Chrome, e: &crate::domain::reports::FeedEvent) -> String {
    let what = ctx.t(if e.status == crate::domain::orders::OrderStatus::Paid {
        "admin.feed.paid"
    } else {
        "admin.feed.placed"
    });
    let when = crate::domain::shared::shop_local(e.at).format("%H:%M:%S");
    format!(
        r#"<li class="feed-{}"><time>{when}</time> <a href="/admin/orders/{}">{}</a> {what} · {}</li>"#,
        e.status.as_str(),
        e.order_id,
        askama::filters::escape(&e.number, askama::filters::Html).map(|s| s.to_string()).unwrap_or_default(),
        e.total.display(),
    )
}

/// `/admin/feed`: orders placed and paid on any server process, as server-sent events
/// (`event: order`), with a comment every 15 s so a closed page is noticed.
pub async fn feed(state: web::Data<AppState>, ctx: Chrome, _staff: StaffUser) -> HttpResponse {
    use futures_util::stream;
    use tokio::sync::broadcast::error::RecvError;
    let rx = state.live.subscribe(state.shop.now());
    let events = stream::unfold((rx, ctx), |(mut rx, ctx)| async move {
        let chunk = match tokio::time::timeout(std::time::Duration::from_secs(15), rx.recv()).await {
            Ok(Ok(event)) => format!("event: order\ndata: {}\n\n", feed_line(&ctx, &event)),
            Ok(Err(RecvError::Lagged(_))) | Err(_) => ": still here\n\n".to_string(),
            Ok(Err(RecvError::Closed)) => return None,
        };
        Some((Ok::<_, actix_web::Error>(actix_web::web::Bytes::from(chunk)), (rx, ctx)))
    });
    HttpResponse::Ok()
        .insert_header((actix_web::http::header::CONTENT_TYPE, "text/event-stream"))
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        // Compressed, each event would wait in the encoder's buffer instead of reaching the page.
        .insert_header((actix_web::http::header::CONTENT_ENCODING, "identity"))
        .streaming(events)
}
