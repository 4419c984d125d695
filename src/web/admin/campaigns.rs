//! `/admin/campaigns`: staff create coupon campaigns, make, assign and mail their codes, and
//! read what each did (with a chart of redemptions per day) and every code's status, as a page
//! or a CSV, through the same domain calls as `/api/v1/admin/campaigns`.
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::Duration;
use serde::Deserialize;

use super::nav::{AdminNav, Section};
use crate::domain::catalog::ProductKind;
use crate::domain::promotions::types::shown_discount;
use crate::domain::promotions::{
    commands, queries, rules, Campaign, CampaignInput, CampaignStats, CodeRecord, CodeRequest, CodeStatus,
    PromotionError, Terms,
};
use crate::domain::shared::{shop_local, CampaignId, Code, FieldErrors, Money, PageRequest};
use crate::web::chart::{self, Bar};
use crate::web::error::AppError;
use crate::web::extract::path_id;
use crate::web::extract::StaffUser;
use crate::web::filters;
use crate::web::pages::forms::FormErrors;
use crate::web::pages::views::Pager;
use crate::web::render::{html_with, see_other, Chrome};
use crate::web::session;
use crate::web::state::AppState;

fn local(at: Option<chrono::DateTime<chrono::Utc>>) -> String {
    at.map(|t| shop_local(t).format("%Y-%m-%d %H:%M").to_string()).unwrap_or_default()
}

pub struct CampaignRow {
    pub id: CampaignId,
    pub name: String,
    pub discount: String,
    pub policy: &'static str,
    pub codes: i64,
    pub uses: i32,
    pub starts: String,
    pub ends: String,
}

#[derive(Template)]
#[template(path = "admin/campaigns.html")]
pub struct CampaignsPage {
    pub ctx: Chrome,
    pub nav: AdminNav,
    pub rows: Vec<CampaignRow>,
    pub pager: Pager,
}

#[derive(Deserialize)]
pub struct PageQuery {
    pub page: Option<String>,
    pub status: Option<String>,
}

fn policy_label(ctx: &Chrome, c: &Campaign) -> &'static str {
    ctx.t(&format!("admin.campaigns.policy.{}", c.terms.policy.as_str()))
}

pub async fn list_campaigns(
    state: web::Data<AppState>,
    ctx: Chrome,
    staff: StaffUser,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let page = PageRequest::parse(query.page.as_deref(), None).unwrap_or_default();
    let campaigns = state.shop.db.run(move |conn| Ok::<_, AppError>(queries::list_campaigns(conn, page)?)).await?;
    let rows = campaigns
        .items
        .iter()
        .map(|(c, codes)| CampaignRow {
            id: c.terms.campaign_id,
            name: c.terms.name.clone(),
            discount: c.terms.shown_discount(),
            policy: policy_label(&ctx, c),
            codes: *codes,
            uses: c.terms.uses,
            starts: local(c.terms.starts_at),
            ends: local(c.terms.ends_at),
        })
        .collect();
    let pager = Pager::new(&campaigns, |n| format!("/admin/campaigns?page={n}"));
    let page = CampaignsPage { nav: AdminNav::new(&staff.0, Section::Campaigns), rows, pager, ctx };
    html_with(StatusCode::OK, &page)
}

/// The new-campaign form as sent: every value kept for a form shown again.
#[derive(Deserialize, Default)]
pub struct CampaignForm {
    pub name: Option<String>,
    pub discount_type: Option<String>,
    pub discount_value: Option<String>,
    pub code_policy: Option<String>,
    pub max_redemptions: Option<String>,
    pub budget: Option<String>,
    pub min_subtotal: Option<String>,
    pub starts_at: Option<String>,
    pub ends_at: Option<String>,
    pub stackable: Option<String>,
    pub kind_device: Option<String>,
    pub kind_number: Option<String>,
    pub kind_esim: Option<String>,
    pub kind_data_pack: Option<String>,
    pub kind_top_up: Option<String>,
    pub kind_plan: Option<String>,
    pub kind_service: Option<String>,
}

impl CampaignForm {
    fn kinds(&self) -> Vec<ProductKind> {
        [
            (&self.kind_device, ProductKind::Device),
            (&self.kind_number, ProductKind::Number),
            (&self.kind_esim, ProductKind::Esim),
            (&self.kind_data_pack, ProductKind::DataPack),
            (&self.kind_top_up, ProductKind::TopUp),
            (&self.kind_plan, ProductKind::Plan),
            (&self.kind_service, ProductKind::Service),
        ]
        .into_iter()
        .filter(|(v, _)| v.is_some())
        .map(|(_, k)| k)
        .collect()
    }

    fn input(&self) -> CampaignInput {
        let kinds: Vec<String> = self.kinds().into_iter().map(|k| k.as_str().to_string()).collect();
        CampaignInput {
            name: self.name.clone(),
            discount_type: self.discount_type.clone(),
            discount_value: self.discount_value.clone(),
            code_policy: self.code_policy.clone(),
            max_redemptions: self.max_redemptions.clone(),
            budget: self.budget.clone(),
            min_subtotal: self.min_subtotal.clone(),
            kinds: (!kinds.is_empty()).then_some(kinds),
            product_ids: None,
            stackable: Some(self.stackable.is_some()),
            starts_at: self.starts_at.clone(),
            ends_at: self.ends_at.clone(),
        }
    }

    pub fn value<'a>(&'a self, field: &str) -> &'a str {
        let v = match field {
            "name" => &self.name,
            "discount_value" => &self.discount_value,
            "max_redemptions" => &self.max_redemptions,
            "budget" => &self.budget,
            "min_subtotal" => &self.min_subtotal,
            "starts_at" => &self.starts_at,
            "ends_at" => &self.ends_at,
            _ => &None,
        };
        v.as_deref().unwrap_or("")
    }

    pub fn is(&self, field: &str, value: &str) -> bool {
        match field {
            "discount_type" => self.discount_type.as_deref().unwrap_or("percent") == value,
            "code_policy" => self.code_policy.as_deref().unwrap_or("personal") == value,
            _ => false,
        }
    }

    pub fn has_kind(&self, kind: &str) -> bool {
        self.kinds().iter().any(|k| k.as_str() == kind)
    }
}

pub struct KindChoice {
    pub value: &'static str,
    pub label: &'static str,
}

#[derive(Template)]
#[template(path = "admin/campaign_new.html")]
pub struct NewCampaignPage {
    pub ctx: Chrome,
    pub nav: AdminNav,
    pub csrf: String,
    pub form: CampaignForm,
    pub errors: FormErrors,
    pub kinds: Vec<KindChoice>,
    /// The campaign being changed; `None` for a new one.
    pub editing: Option<CampaignId>,
}

fn new_page(
    mut ctx: Chrome,
    session: &Session,
    staff: &StaffUser,
    form: CampaignForm,
    errors: FieldErrors,
) -> NewCampaignPage {
    let kinds = ProductKind::ALL
        .iter()
        .map(|k| KindChoice { value: k.as_str(), label: crate::web::pages::views::kind_plural(ctx.tr, *k) })
        .collect();
    NewCampaignPage {
        nav: AdminNav::new(&staff.0, Section::Campaigns),
        csrf: ctx.form_token(session),
        form,
        errors: FormErrors(errors),
        kinds,
        editing: None,
        ctx,
    }
}

pub async fn new_campaign(ctx: Chrome, session: Session, staff: StaffUser) -> Result<HttpResponse, AppError> {
    html_with(StatusCode::OK, &new_page(ctx, &session, &staff, CampaignForm::default(), FieldErrors::new()))
}

pub async fn create_campaign(
    state: web::Data<AppState>,
    ctx: Chrome,
    session: Session,
    staff: StaffUser,
    form: web::Form<CampaignForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let input = form.input();
    let (who, now) = (staff.0.id, state.shop.now());
    let made = state.shop.db.run(move |conn| commands::create_campaign(conn, &input, who, now)).await;
    match made {
        Ok(c) => {
            session::flash(&session, "admin.campaigns.created");
            Ok(see_other(&format!("/admin/campaigns/{}", c.terms.campaign_id)))
        }
        Err(PromotionError::Invalid(errors)) => {
            html_with(StatusCode::UNPROCESSABLE_ENTITY, &new_page(ctx, &session, &staff, form, errors))
        }
        Err(e) => Err(e.into()),
    }
}

impl CampaignForm {
    /// The form filled from a campaign's terms, times on the shop's clock as the form takes them.
    fn of(t: &Terms) -> Self {
        let kind = |k: ProductKind| t.kinds.as_ref().is_some_and(|ks| ks.contains(&k)).then(|| "on".to_string());
        let at =
            |d: Option<chrono::DateTime<chrono::Utc>>| d.map(|d| shop_local(d).format("%Y-%m-%dT%H:%M").to_string());
        let money = |m: Option<Money>| m.map(|m| m.amount().normalize().to_string());
        CampaignForm {
            name: Some(t.name.clone()),
            discount_type: Some(t.discount_type.as_str().to_string()),
            discount_value: Some(t.discount_value.normalize().to_string()),
            code_policy: Some(t.policy.as_str().to_string()),
            max_redemptions: t.max_redemptions.map(|n| n.to_string()),
            budget: money(t.budget),
            min_subtotal: money(t.min_subtotal),
            starts_at: at(t.starts_at),
            ends_at: at(t.ends_at),
            stackable: t.stackable.then(|| "on".to_string()),
            kind_device: kind(ProductKind::Device),
            kind_number: kind(ProductKind::Number),
            kind_esim: kind(ProductKind::Esim),
            kind_data_pack: kind(ProductKind::DataPack),
            kind_top_up: kind(ProductKind::TopUp),
            kind_plan: kind(ProductKind::Plan),
            kind_service: kind(ProductKind::Service),
        }
    }
}

/// The campaign's terms in the form, to change.
pub async fn edit_campaign(
    state: web::Data<AppState>,
    ctx: Chrome,
    session: Session,
    staff: StaffUser,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id: CampaignId = path_id(&id)?;
    let campaign = state.shop.db.run(move |conn| queries::find_campaign(conn, id)).await?;
    let mut page = new_page(ctx, &session, &staff, CampaignForm::of(&campaign.terms), FieldErrors::new());
    page.editing = Some(id);
    html_with(StatusCode::OK, &page)
}

pub async fn update_campaign(
    state: web::Data<AppState>,
    ctx: Chrome,
    session: Session,
    staff: StaffUser,
    id: web::Path<String>,
    form: web::Form<CampaignForm>,
) -> Result<HttpResponse, AppError> {
    let id: CampaignId = path_id(&id)?;
    let form = form.into_inner();
    // The page has no product picker: `product_ids: None` keeps the campaign's products.
    let input = form.input();
    let (who, now) = (staff.0.id, state.shop.now());
    let saved = state.shop.db.run(move |conn| commands::update_campaign(conn, id, &input, who, now)).await;
    match saved {
        Ok(_) => {
            session::flash(&session, "admin.campaigns.saved");
            Ok(see_other(&format!("/admin/campaigns/{id}")))
        }
        Err(PromotionError::Invalid(errors)) => {
            let mut page = new_page(ctx, &session, &staff, form, errors);
            page.editing = Some(id);
            html_with(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => Err(e.into()),
    }
}

pub struct CodeRow {
    pub code: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub customer: String,
    pub redeemed_at: String,
}

pub struct StatusTab {
    pub href: String,
    pub label: &'static str,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "admin/campaign.html")]
pub struct CampaignPage {
    pub ctx: Chrome,
    pub nav: AdminNav,
    pub csrf: String,
    pub notice: Option<String>,
    pub id: CampaignId,
    pub name: String,
    pub discount: String,
    pub policy: &'static str,
    pub personal: bool,
    pub terms: Vec<(&'static str, String)>,
    pub stats: CampaignStats,
    pub rate: String,
    pub chart: String,
    pub days: Vec<Bar>,
    pub tabs: Vec<StatusTab>,
    pub codes: Vec<CodeRow>,
    pub codes_total: i64,
    pub pager: Pager,
    pub errors: FormErrors,
    pub typed: CodesForm,
}

/// The last 30 days of redemptions, one bar a day (days without any too).
fn last_days(stats: &CampaignStats, today: chrono::NaiveDate) -> Vec<Bar> {
    (0..30)
        .rev()
        .map(|back| {
            let day = today - Duration::days(back);
            let value = stats.per_day.iter().find(|d| d.day == day).map_or(0, |d| d.redemptions);
            Bar { label: day.format("%m-%d").to_string(), value }
        })
        .collect()
}

fn codes_href(id: CampaignId, status: Option<CodeStatus>, page: u32) -> String {
    let mut params: Vec<(&str, String)> = Vec::new();
    if let Some(s) = status {
        params.push(("status", s.as_str().to_string()));
    }
    if page > 1 {
        params.push(("page", page.to_string()));
    }
    let q = serde_urlencoded::to_string(&params).unwrap_or_default();
    if q.is_empty() {
        format!("/admin/campaigns/{id}")
    } else {
        format!("/admin/campaigns/{id}?{q}")
    }
}

#[allow(clippy::too_many_arguments)]
async fn campaign_page(
    state: &AppState,
    mut ctx: Chrome,
    session: &Session,
    staff: &StaffUser,
    id: CampaignId,
    query: &PageQuery,
    errors: FieldErrors,
    typed: CodesForm,
) -> Result<CampaignPage, AppError> {
    let status = query.status.as_deref().and_then(CodeStatus::parse);
    let page = PageRequest::parse(query.page.as_deref(), None).unwrap_or_default();
    let (campaign, stats, codes) = state
        .shop
        .db
        .run(move |conn| {
            let campaign = queries::find_campaign(conn, id)?;
            let stats = queries::stats(conn, id)?;
            let codes = queries::list_codes(conn, id, status, page)?;
            Ok::<_, AppError>((campaign, stats, codes))
        })
        .await?;
    let t = &campaign.terms;
    let mut terms: Vec<(&'static str, String)> = Vec::new();
    if let Some(max) = t.max_redemptions {
        terms.push(("admin.campaigns.max_redemptions", max.to_string()));
    }
    if let Some(b) = t.budget {
        terms.push(("admin.campaigns.budget", format!("{} / {}", t.discount_used.display(), b.display())));
    }
    if let Some(m) = t.min_subtotal {
        terms.push(("admin.campaigns.min_subtotal", m.display()));
    }
    if let Some(kinds) = &t.kinds {
        let names: Vec<&str> = kinds.iter().map(|k| crate::web::pages::views::kind_plural(ctx.tr, *k)).collect();
        terms.push(("admin.campaigns.applies_to", names.join(", ")));
    }
    if t.starts_at.is_some() {
        terms.push(("admin.campaigns.starts_at", local(t.starts_at)));
    }
    if t.ends_at.is_some() {
        terms.push(("admin.campaigns.ends_at", local(t.ends_at)));
    }
    if t.stackable {
        terms.push(("admin.campaigns.stackable", ctx.t("admin.campaigns.yes").to_string()));
    }
    let days = last_days(&stats, shop_local(state.shop.now()).date());
    let chart = chart::bars(ctx.t("admin.campaigns.per_day"), &days);
    let mut tabs =
        vec![StatusTab { href: codes_href(id, None, 1), label: ctx.t("admin.orders.all"), current: status.is_none() }];
    tabs.extend(CodeStatus::ALL.iter().map(|s| StatusTab {
        href: codes_href(id, Some(*s), 1),
        label: ctx.t(&format!("admin.campaigns.code.{}", s.as_str())),
        current: status == Some(*s),
    }));
    let rows = codes
        .items
        .iter()
        .map(|c: &CodeRecord| CodeRow {
            code: c.code.as_str().to_string(),
            status: c.status.as_str(),
            status_label: ctx.t(&format!("admin.campaigns.code.{}", c.status.as_str())),
            customer: c.customer_email.clone().unwrap_or_default(),
            redeemed_at: local(c.redeemed_at),
        })
        .collect();
    Ok(CampaignPage {
        nav: AdminNav::new(&staff.0, Section::Campaigns),
        csrf: ctx.form_token(session),
        notice: session::take_flash(session).map(|k| ctx.t_dynamic(&k).to_string()),
        id,
        name: t.name.clone(),
        discount: shown_discount(t.discount_type, t.discount_value),
        policy: ctx.t(&format!("admin.campaigns.policy.{}", t.policy.as_str())),
        personal: t.policy == crate::domain::promotions::CodePolicy::Personal,
        terms,
        rate: format!("{:.1}%", stats.redemption_rate() * rust_decimal::Decimal::ONE_HUNDRED),
        stats,
        chart,
        days,
        tabs,
        codes: rows,
        codes_total: codes.total,
        pager: Pager::new(&codes, |n| codes_href(id, status, n)),
        errors: FormErrors(errors),
        typed,
        ctx,
    })
}

pub async fn show_campaign(
    state: web::Data<AppState>,
    ctx: Chrome,
    session: Session,
    staff: StaffUser,
    id: web::Path<String>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let id = path_id(&id)?;
    let page =
        campaign_page(&state, ctx, &session, &staff, id, &query, FieldErrors::new(), CodesForm::default()).await?;
    html_with(StatusCode::OK, &page)
}

/// Codes asked for on the campaign's page: `mode` one, generate or assign.
#[derive(Deserialize, Default)]
pub struct CodesForm {
    pub mode: Option<String>,
    pub code: Option<String>,
    pub count: Option<String>,
    pub prefix: Option<String>,
    /// Emails or account ids, one per line (a pasted CSV's first column).
    pub customers: Option<String>,
    pub send_email: Option<String>,
}

impl CodesForm {
    pub fn value<'a>(&'a self, field: &str) -> &'a str {
        let v = match field {
            "code" => &self.code,
            "count" => &self.count,
            "prefix" => &self.prefix,
            "customers" => &self.customers,
            _ => &None,
        };
        v.as_deref().unwrap_or("")
    }

    fn request(&self) -> Result<CodeRequest, FieldErrors> {
        match self.mode.as_deref() {
            Some("one") => Ok(CodeRequest::One(self.code.clone().unwrap_or_default())),
            Some("generate") => {
                let count = self.count.as_deref().unwrap_or("").trim().parse::<i64>().map_err(|_| {
                    FieldErrors::single(
                        "count",
                        crate::domain::shared::FieldError::from(Code::CodeCount)
                            .with("max", commands::MAX_CODES_PER_REQUEST),
                    )
                })?;
                Ok(CodeRequest::Generate { count, prefix: self.prefix.clone() })
            }
            Some("assign") => Ok(CodeRequest::Assign {
                customers: rules::customers_from_csv(self.customers.as_deref().unwrap_or("")),
                send_email: self.send_email.is_some(),
            }),
            _ => Err(FieldErrors::single("code", Code::CodeOrCount)),
        }
    }
}

pub async fn make_codes(
    state: web::Data<AppState>,
    ctx: Chrome,
    session: Session,
    staff: StaffUser,
    id: web::Path<String>,
    form: web::Form<CodesForm>,
) -> Result<HttpResponse, AppError> {
    let id: CampaignId = path_id(&id)?;
    let form = form.into_inner();
    let made = match form.request() {
        Ok(request) => {
            let (who, now) = (staff.0.id, state.shop.now());
            let made = state.shop.db.run(move |conn| commands::add_codes(conn, id, &request, who, now)).await;
            state.shop.wake_jobs();
            made
        }
        Err(e) => Err(PromotionError::Invalid(e)),
    };
    match made {
        Ok(codes) => {
            session::flash(
                &session,
                if codes.len() == 1 { "admin.campaigns.code_made" } else { "admin.campaigns.codes_made" },
            );
            Ok(see_other(&format!("/admin/campaigns/{id}")))
        }
        Err(PromotionError::Invalid(errors)) => {
            let query = PageQuery { page: None, status: None };
            let page = campaign_page(&state, ctx, &session, &staff, id, &query, errors, form).await?;
            html_with(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => Err(e.into()),
    }
}

/// Every code of the campaign (of the status asked) as a CSV download.
pub async fn codes_csv(
    state: web::Data<AppState>,
    _staff: StaffUser,
    id: web::Path<String>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let id: CampaignId = path_id(&id)?;
    let status = query.status.as_deref().and_then(CodeStatus::parse);
    let page = PageRequest { page: 1, per_page: queries::ALL_CODES };
    let codes = state.shop.db.run(move |conn| Ok::<_, AppError>(queries::list_codes(conn, id, status, page)?)).await?;
    let body = crate::web::csv::campaign_codes(&codes.items);
    Ok(crate::web::csv::download(&format!("campaign-{id}-codes.csv"), body))
}
