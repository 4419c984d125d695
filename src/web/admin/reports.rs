//! `/admin/reports`: sales by day, product or kind for a chosen period (days on the shop's
//! calendar), as a table, a chart drawn on the server, and `?format=csv`.
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::{Duration, NaiveDate};
use rust_decimal::prelude::ToPrimitive;
use serde::Deserialize;

use super::nav::{AdminNav, Section};
use crate::domain::reports::{self, SalesBy, SalesRow};
use crate::domain::shared::{shop_local, Money};
use crate::web::chart::{self, Bar};
use crate::web::error::AppError;
use crate::web::extract::StaffUser;
use crate::web::filters::{self, with_thousands};
use crate::web::pages::views::kind_plural;
use crate::web::pdf;
use crate::web::render::{html_with, Chrome};
use crate::web::state::AppState;

#[derive(Deserialize)]
pub struct ReportQuery {
    pub from: Option<String>,
    pub to: Option<String>,
    pub by: Option<String>,
    pub format: Option<String>,
}

pub struct RowView {
    pub label: String,
    pub orders: i64,
    pub units: i64,
    pub revenue: Money,
}

pub struct ByChoice {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "admin/reports.html")]
pub struct ReportsPage {
    pub ctx: Chrome,
    pub nav: AdminNav,
    pub from: String,
    pub to: String,
    pub by: Vec<ByChoice>,
    pub rows: Vec<RowView>,
    pub chart: String,
    pub csv_href: String,
    pub pdf_href: String,
    pub total: Money,
}

fn day(raw: Option<&str>) -> Option<NaiveDate> {
    raw.and_then(|d| NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok())
}

fn label(ctx: &Chrome, by: SalesBy, row: &SalesRow) -> String {
    match by {
        SalesBy::Day => row.key.clone(),
        SalesBy::Product => row.name.get(ctx.lang).to_string(),
        SalesBy::Kind => crate::domain::catalog::ProductKind::parse(&row.key)
            .map_or_else(|| row.key.clone(), |k| kind_plural(ctx.tr, k).to_string()),
    }
}

pub async fn show_reports(
    state: web::Data<AppState>,
    ctx: Chrome,
    staff: StaffUser,
    query: web::Query<ReportQuery>,
) -> Result<HttpResponse, AppError> {
    let today = shop_local(state.shop.now()).date();
    // The last 30 days unless asked otherwise; a wrong day falls back to them.
    let to = day(query.to.as_deref()).unwrap_or(today);
    let from = day(query.from.as_deref()).filter(|f| *f <= to).unwrap_or(to - Duration::days(29));
    let by = query.by.as_deref().and_then(SalesBy::parse).unwrap_or(SalesBy::Day);
    let midnight =
        |d: NaiveDate| d.and_hms_opt(0, 0, 0).map_or_else(chrono::Utc::now, |m| m.and_utc() - Duration::hours(8));
    let (start, end) = (midnight(from), midnight(to + Duration::days(1)));
    let rows = state.shop.db.run(move |conn| Ok::<_, AppError>(reports::sales(conn, start, end, by)?)).await?;
    let views: Vec<RowView> = rows
        .iter()
        .map(|r| RowView { label: label(&ctx, by, r), orders: r.orders, units: r.units, revenue: r.revenue })
        .collect();
    let query_of = |format: Option<&str>| {
        let mut q = vec![("from", from.to_string()), ("to", to.to_string()), ("by", by.as_str().to_string())];
        if let Some(f) = format {
            q.push(("format", f.to_string()));
        }
        serde_urlencoded::to_string(q).unwrap_or_default()
    };
    if query.format.as_deref() == Some("csv") {
        let mut body = crate::web::csv::row(&[by.as_str(), "orders", "units", "revenue"]);
        for v in &views {
            body.push_str(&crate::web::csv::row(&[
                &v.label,
                &v.orders.to_string(),
                &v.units.to_string(),
                &v.revenue.amount_string(),
            ]));
        }
        return Ok(crate::web::csv::download(&format!("sales-{from}-{to}-by-{}.csv", by.as_str()), body));
    }
    let total = Money::mnt(views.iter().map(|v| v.revenue.amount()).sum());
    if query.format.as_deref() == Some("pdf") {
        let by_label = ctx.t(&format!("admin.reports.by.{}", by.as_str()));
        let report = pdf::Report {
            title: ctx.t("admin.nav.reports").to_string(),
            period: format!("{from} — {to} · {}: {by_label}", ctx.t("admin.reports.by")),
            headings: [by_label, ctx.t("admin.nav.orders"), ctx.t("admin.dash.units"), ctx.t("admin.dash.revenue")]
                .map(String::from),
            rows: views
                .iter()
                .map(|v| [v.label.clone(), with_thousands(v.orders), with_thousands(v.units), v.revenue.display()])
                .collect(),
            totals: [
                ctx.t("cart.total").to_string(),
                with_thousands(views.iter().map(|v| v.orders).sum()),
                with_thousands(views.iter().map(|v| v.units).sum()),
                total.display(),
            ],
            bars: views
                .iter()
                .take(60)
                .map(|v| (v.label.clone(), v.revenue.amount().trunc().to_i64().unwrap_or(0)))
                .collect(),
        };
        let file = web::block(move || pdf::report(&report))
            .await
            .map_err(|e| AppError::Internal(format!("report pdf: {e}")))?
            .map_err(|e| AppError::Internal(format!("report pdf: {e}")))?;
        return Ok(HttpResponse::Ok()
            .content_type("application/pdf")
            .insert_header((
                actix_web::http::header::CONTENT_DISPOSITION,
                format!("inline; filename=\"sales-{from}-{to}-by-{}.pdf\"", by.as_str()),
            ))
            .body(file));
    }
    let bars: Vec<Bar> = views
        .iter()
        .take(60)
        .map(|v| Bar {
            // A day's bar is named by its month and day; others by the start of their name.
            label: if by == SalesBy::Day {
                v.label.chars().skip(5).collect()
            } else {
                v.label.chars().take(10).collect()
            },
            value: v.revenue.amount().trunc().to_i64().unwrap_or(0),
        })
        .collect();
    let page = ReportsPage {
        nav: AdminNav::new(&staff.0, Section::Reports),
        from: from.to_string(),
        to: to.to_string(),
        by: SalesBy::ALL
            .iter()
            .map(|b| ByChoice {
                value: b.as_str(),
                label: ctx.t(&format!("admin.reports.by.{}", b.as_str())),
                selected: *b == by,
            })
            .collect(),
        chart: chart::bars(ctx.t("admin.reports.chart"), &bars),
        csv_href: format!("/admin/reports?{}", query_of(Some("csv"))),
        pdf_href: format!("/admin/reports?{}", query_of(Some("pdf"))),
        total,
        rows: views,
        ctx,
    };
    html_with(StatusCode::OK, &page)
}
