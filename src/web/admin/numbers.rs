//! `/admin/numbers`: how full the number, SIM card and eSIM pools are (with a warning when one
//! runs low), and numbers imported from a CSV after a preview of what the import will do, line
//! by line, through the same calls as `/api/v1/admin/numbers/import`.
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::nav::{AdminNav, Section};
use crate::domain::catalog::Tier;
use crate::domain::reports::{self, PoolLevels, LOW_POOL};
use crate::domain::shared::{FieldError, Page, PageRequest};
use crate::domain::telco::numbers::NumberPattern;
use crate::domain::telco::numbers::{ImportLine, ImportReport};
use crate::domain::telco::pool::{self, NumberLine, PoolError, PoolMove, PoolSearch};
use crate::domain::telco::sims::{Pool, PoolLine};
use crate::domain::telco::{Msisdn, NumberStatus};
use crate::flows;
use crate::web::error::AppError;
use crate::web::extract::StaffUser;
use crate::web::filters::{self, with_thousands};
use crate::web::pages::views::Pager;
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

/// The number search as typed, kept in its form and its links.
#[derive(Deserialize, Default, Clone)]
pub struct FindQuery {
    pub q: Option<String>,
    pub status: Option<String>,
    pub tier: Option<String>,
    pub page: Option<String>,
    pub imported: Option<u64>,
    pub skipped: Option<u64>,
    pub refused: Option<u64>,
    pub pool: Option<String>,
}

impl FindQuery {
    fn search(&self) -> (PoolSearch, Option<FieldError>) {
        let (pattern, error) = match NumberPattern::parse(self.q.as_deref().unwrap_or(""), "q") {
            Ok(p) => (p, None),
            Err(e) => (None, e.first("q").cloned()),
        };
        let search = PoolSearch {
            pattern,
            status: self.status.as_deref().and_then(NumberStatus::parse),
            tier: self.tier.as_deref().and_then(Tier::parse),
            page: PageRequest::parse(self.page.as_deref(), None).unwrap_or_default(),
        };
        (search, error)
    }

    /// The list's address with the same search, for its pages and the moves' way back.
    pub fn href(&self, page: Option<u32>) -> String {
        let mut pairs = vec![
            ("q", self.q.clone().unwrap_or_default()),
            ("status", self.status.clone().unwrap_or_default()),
            ("tier", self.tier.clone().unwrap_or_default()),
        ];
        if let Some(p) = page {
            pairs.push(("page", p.to_string()));
        }
        format!("/admin/numbers?{}#found", serde_urlencoded::to_string(pairs).unwrap_or_default())
    }

    fn searched(&self) -> bool {
        [&self.q, &self.status, &self.tier, &self.page].iter().any(|v| v.as_deref().is_some_and(|v| !v.is_empty()))
    }

    pub fn value(&self, field: &str) -> &str {
        match field {
            "q" => self.q.as_deref(),
            "status" => self.status.as_deref(),
            "tier" => self.tier.as_deref(),
            _ => None,
        }
        .unwrap_or("")
    }
}

pub struct FoundNumber {
    pub line: NumberLine,
    pub display: String,
    pub status_label: &'static str,
    pub tier_label: &'static str,
    pub can_retire: bool,
    pub can_release: bool,
}

pub struct Found {
    pub rows: Vec<FoundNumber>,
    pub count: String,
    pub pager: Pager,
    pub error: Option<FieldError>,
    pub back: String,
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
    pub cap: i64,
    pub csv: String,
    pub preview: Option<Preview>,
    pub find: FindQuery,
    pub statuses: Vec<(&'static str, &'static str)>,
    pub tiers: Vec<(&'static str, &'static str)>,
    /// The search's results, once staff searched.
    pub found: Option<Found>,
    /// The pool the import form fills.
    pub import_kind: ImportKind,
    pub import_kinds: [ImportKind; 3],
}

async fn page(
    state: &AppState,
    mut ctx: Chrome,
    session: &Session,
    staff: &StaffUser,
    csv: String,
    preview: Option<Preview>,
    find: FindQuery,
) -> Result<NumbersPage, AppError> {
    let (search, error) = find.search();
    let (searched, valid) = (find.searched(), error.is_none());
    let (levels, found) = state
        .shop
        .db
        .run(move |conn| {
            let found = if searched && valid { Some(pool::search(conn, &search)?) } else { None };
            Ok::<_, AppError>((reports::pool_levels(conn)?, found))
        })
        .await?;
    let now = state.shop.now();
    let found = match (searched, found) {
        (false, _) => None,
        (true, None) => Some(Found {
            rows: Vec::new(),
            count: String::new(),
            pager: Pager::new(&Page::<()> { items: Vec::new(), page: 1, per_page: 20, total: 0 }, |_| String::new()),
            error,
            back: find.href(None),
        }),
        (true, Some(found)) => {
            let count = if found.more_than_cap() {
                ctx.fill("admin.numbers.found_many", &[("count", &with_thousands(pool::COUNT_CAP))])
            } else {
                ctx.fill("admin.numbers.found", &[("count", &with_thousands(found.total))])
            };
            let as_page =
                Page { items: Vec::<()>::new(), page: found.page, per_page: found.per_page, total: found.total };
            let pager = Pager::new(&as_page, |n| find.href(Some(n)));
            let rows = found
                .items
                .into_iter()
                .map(|line| FoundNumber {
                    display: line.display(),
                    status_label: ctx.t(if line.hold_ended(now) {
                        "admin.numbers.status.hold_ended"
                    } else {
                        status_key(line.status)
                    }),
                    tier_label: ctx.t(&format!("product.tier.{}", line.tier.as_str())),
                    can_retire: line.can_retire(now),
                    can_release: line.can_release(),
                    line,
                })
                .collect();
            Some(Found {
                rows,
                count,
                pager,
                error: None,
                back: find.href(find.page.as_deref().and_then(|p| p.parse().ok())),
            })
        }
    };
    Ok(NumbersPage {
        statuses: NumberStatus::ALL.iter().map(|s| (s.as_str(), ctx.t(status_key(*s)))).collect(),
        tiers: Tier::ALL.iter().map(|t| (t.as_str(), ctx.t(&format!("product.tier.{}", t.as_str())))).collect(),
        found,
        find,
        import_kind: ImportKind::default(),
        import_kinds: ImportKind::ALL,
        nav: AdminNav::new(&staff.0, Section::Numbers),
        csrf: ctx.form_token(session),
        notice: session::take_flash(session).map(|k| ctx.t_dynamic(&k).to_string()),
        levels,
        low: LOW_POOL,
        cap: reports::POOL_COUNT_CAP,
        csv,
        preview,
        ctx,
    })
}

fn status_key(s: NumberStatus) -> &'static str {
    match s {
        NumberStatus::Available => "admin.numbers.status.available",
        NumberStatus::Held => "admin.numbers.status.held",
        NumberStatus::Reserved => "admin.numbers.status.reserved",
        NumberStatus::Sold => "admin.numbers.status.sold",
        NumberStatus::Active => "admin.numbers.status.active",
        NumberStatus::Retired => "admin.numbers.status.retired",
    }
}

pub async fn show_numbers(
    state: web::Data<AppState>,
    ctx: Chrome,
    session: Session,
    staff: StaffUser,
    find: web::Query<FindQuery>,
) -> Result<HttpResponse, AppError> {
    let done = find.into_inner();
    let mut page = page(&state, ctx, &session, &staff, String::new(), None, done.clone()).await?;
    if let (Some(i), Some(s), Some(r)) = (done.imported, done.skipped, done.refused) {
        let n = |v: u64| v.to_string();
        let kind = ImportKind::parse(done.pool.as_deref());
        let key = match kind {
            ImportKind::Numbers => "admin.numbers.imported",
            ImportKind::SimCards => "admin.numbers.imported_sim_cards",
            ImportKind::EsimProfiles => "admin.numbers.imported_esim_profiles",
        };
        page.notice = Some(page.ctx.fill(key, &[("imported", &n(i)), ("skipped", &n(s)), ("refused", &n(r))]));
    }
    html_with(StatusCode::OK, &page)
}

/// Which pool a CSV fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ImportKind {
    #[default]
    Numbers,
    SimCards,
    EsimProfiles,
}

impl ImportKind {
    pub const ALL: [ImportKind; 3] = [ImportKind::Numbers, ImportKind::SimCards, ImportKind::EsimProfiles];

    fn parse(s: Option<&str>) -> Self {
        Self::ALL.into_iter().find(|k| Some(k.as_str()) == s).unwrap_or_default()
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ImportKind::Numbers => "numbers",
            ImportKind::SimCards => "sim_cards",
            ImportKind::EsimProfiles => "esim_profiles",
        }
    }

    pub fn label_key(self) -> &'static str {
        match self {
            ImportKind::Numbers => "admin.numbers.import_numbers",
            ImportKind::SimCards => "admin.numbers.import_sim_cards",
            ImportKind::EsimProfiles => "admin.numbers.import_esim_profiles",
        }
    }

    pub fn preview_key(self) -> &'static str {
        match self {
            ImportKind::Numbers => "admin.numbers.preview",
            ImportKind::SimCards => "admin.numbers.preview_sim_cards",
            ImportKind::EsimProfiles => "admin.numbers.preview_esim_profiles",
        }
    }

    fn pool(self) -> Option<Pool> {
        match self {
            ImportKind::Numbers => None,
            ImportKind::SimCards => Some(Pool::SimCards),
            ImportKind::EsimProfiles => Some(Pool::EsimProfiles),
        }
    }
}

#[derive(Deserialize)]
pub struct ImportForm {
    pub csv: Option<String>,
    /// `numbers` (the default), `sim_cards` or `esim_profiles`.
    pub pool: Option<String>,
}

impl ImportForm {
    fn kind(&self) -> ImportKind {
        ImportKind::parse(self.pool.as_deref())
    }
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
    let kind = form.kind();
    let csv = form.into_inner().csv.unwrap_or_default();
    let report = match kind.pool() {
        None => flows::numbers::preview_import(&state.shop, ImportLine::from_csv(&csv)).await?,
        Some(pool) => flows::numbers::preview_pool_import(&state.shop, pool, PoolLine::from_csv(&csv)).await?,
    };
    let preview = shown(&ctx, &report);
    let mut page = page(&state, ctx, &session, &staff, csv, Some(preview), FindQuery::default()).await?;
    page.import_kind = kind;
    html_with(StatusCode::OK, &page)
}

/// Imports the previewed CSV: its good lines go in, the others are skipped as shown.
pub async fn import(
    state: web::Data<AppState>,
    staff: StaffUser,
    form: web::Form<ImportForm>,
) -> Result<HttpResponse, AppError> {
    let kind = form.kind();
    let csv = form.into_inner().csv.unwrap_or_default();
    let report = match kind.pool() {
        None => flows::numbers::import(&state.shop, ImportLine::from_csv(&csv), staff.0.id).await?,
        Some(pool) => flows::numbers::import_pool(&state.shop, pool, PoolLine::from_csv(&csv), staff.0.id).await?,
    };
    Ok(see_other(&format!(
        "/admin/numbers?imported={}&skipped={}&refused={}&pool={}",
        report.imported,
        report.skipped,
        report.errors.len(),
        kind.as_str()
    )))
}

#[derive(Deserialize)]
pub struct MoveForm {
    /// The list to go back to.
    pub back: Option<String>,
}

/// Retires a free number or releases a retired one, then goes back to the list it came from.
pub async fn move_number(
    state: web::Data<AppState>,
    session: Session,
    staff: StaffUser,
    path: web::Path<(String, String)>,
    form: web::Form<MoveForm>,
) -> Result<HttpResponse, AppError> {
    let (raw, action) = path.into_inner();
    let msisdn = Msisdn::parse(&raw, "msisdn", &state.shop.rules.own_prefixes).map_err(|_| AppError::NotFound)?;
    let (who, now) = (staff.0.id, state.shop.now());
    let mv = PoolMove::parse(&action).ok_or(AppError::NotFound)?;
    let done = state.shop.db.run(move |conn| pool::move_number(conn, &msisdn, mv, who, now)).await;
    let moved = if mv == PoolMove::Retire { "admin.numbers.retired" } else { "admin.numbers.released" };
    match done {
        Ok(()) => session::flash(&session, moved),
        Err(PoolError::WrongState(_)) => session::flash(&session, "admin.numbers.not_moved"),
        Err(PoolError::NotFound) => return Err(AppError::NotFound),
        Err(PoolError::Internal(e)) => return Err(e.into()),
    }
    let back =
        form.into_inner().back.filter(|b| b.starts_with("/admin/numbers?")).unwrap_or_else(|| "/admin/numbers".into());
    Ok(see_other(&back))
}
