//! `/admin/orders`: staff see every order, ship deliveries, hand over pickups, complete, cancel
//! unpaid orders and refund, through the same domain calls as `/api/v1/admin/orders`.
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;
use uuid::Uuid;

use super::nav::{AdminNav, Section};
use crate::domain::cart::rules::parse_amount;
use crate::domain::catalog::queries as catalog;
use crate::domain::idempotency::{IdempotencyKey, Refusals};
use crate::domain::jobs::{commands as jobs, JobKind};
use crate::domain::orders::pickup::Handover;
use crate::domain::orders::OrderError;
use crate::domain::orders::{
    commands, queries, MethodFilter, Order, OrderAccess, OrderFilter, OrderStatus, StaffAction,
};
use crate::domain::payments::Refund;
use crate::domain::shared::OrderId;
use crate::domain::shared::{FieldErrors, Money, PageRequest};
use crate::domain::telco::operator::FulfilItem;
use crate::flows;
use crate::web::error::AppError;
use crate::web::extract::path_id;
use crate::web::extract::StaffUser;
use crate::web::filters;
use crate::web::pages::orders::OrderView;
use crate::web::pages::views::Pager;
use crate::web::render::{html_with, see_other, Chrome};
use crate::web::session;
use crate::web::state::AppState;

pub struct Row {
    pub id: OrderId,
    pub number: String,
    pub placed_at: String,
    pub email: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub payment_label: &'static str,
    pub method: &'static str,
    pub total: Money,
}

pub struct StatusFilter {
    pub href: String,
    pub label: &'static str,
    pub current: bool,
}

pub struct OrderList {
    pub rows: Vec<Row>,
    pub pager: Pager,
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "admin/orders.html")]
pub struct OrdersPage {
    pub ctx: Chrome,
    pub nav: AdminNav,
    pub statuses: Vec<Choice>,
    pub methods: Vec<Choice>,
    pub branches: Vec<Choice>,
    pub query: ListQuery,
    pub list: OrderList,
    pub total: i64,
}

#[derive(Deserialize, serde::Serialize, Default, Clone)]
pub struct ListQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<String>,
}

impl ListQuery {
    pub fn value<'a>(&'a self, field: &str) -> &'a str {
        let v = match field {
            "from" => &self.from,
            "to" => &self.to,
            "q" => &self.q,
            _ => &None,
        };
        v.as_deref().unwrap_or("")
    }

    /// The same filters on page `page`.
    fn href(&self, page: u32) -> String {
        let mut q = self.clone();
        q.page = (page > 1).then(|| page.to_string());
        // Empty fields of a sent form are no filters.
        for f in [&mut q.status, &mut q.method, &mut q.branch_id, &mut q.from, &mut q.to, &mut q.q] {
            if f.as_deref().is_some_and(|v| v.trim().is_empty()) {
                *f = None;
            }
        }
        let query = serde_urlencoded::to_string(&q).unwrap_or_default();
        if query.is_empty() {
            "/admin/orders".into()
        } else {
            format!("/admin/orders?{query}")
        }
    }
}

fn method_key(o: &Order) -> &'static str {
    match o.fulfillment {
        crate::domain::orders::Fulfillment::None => "admin.orders.method_none",
        crate::domain::orders::Fulfillment::Delivery { .. } => "checkout.delivery",
        crate::domain::orders::Fulfillment::Pickup { .. } => "checkout.pickup",
    }
}

pub async fn list_orders(
    state: web::Data<AppState>,
    ctx: Chrome,
    staff: StaffUser,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let status = query.status.as_deref().and_then(OrderStatus::parse);
    let page = PageRequest::parse(query.page.as_deref(), None).unwrap_or_default();
    let mut filter = OrderFilter { status, ..OrderFilter::default() };
    // A wrong filter is left out; the form shows what was sent.
    let mut ignored = FieldErrors::new();
    crate::web::order_query::read_filters(
        &mut filter,
        query.method.as_deref(),
        query.branch_id.as_deref(),
        query.from.as_deref(),
        query.to.as_deref(),
        query.q.as_deref(),
        &mut ignored,
    );
    let (orders, branches) = state
        .shop
        .db
        .run(move |conn| {
            let orders = queries::list_orders(conn, filter, page)?;
            Ok::<_, AppError>((orders, catalog::list_branches(conn)?))
        })
        .await?;
    let rows = orders
        .items
        .iter()
        .map(|o| Row {
            id: o.id,
            number: o.number.clone(),
            placed_at: ctx.tr.datetime(o.created_at),
            email: o.email.clone(),
            status: o.status.as_str(),
            status_label: ctx.t(&format!("order.status.{}", o.status.as_str())),
            payment_label: ctx.t(&format!("order.payment.{}", o.payment_status.as_str())),
            method: ctx.t(method_key(o)),
            total: o.totals.total,
        })
        .collect();
    let picked = |field: &Option<String>, value: &str| field.as_deref() == Some(value);
    let statuses = OrderStatus::ALL
        .iter()
        .map(|s| Choice {
            value: s.as_str().into(),
            label: ctx.t(&format!("order.status.{}", s.as_str())).into(),
            selected: picked(&query.status, s.as_str()),
        })
        .collect();
    let methods = MethodFilter::ALL
        .iter()
        .map(|m| Choice {
            value: m.as_str().into(),
            label: ctx.t(&format!("admin.orders.method.{}", m.as_str())).into(),
            selected: picked(&query.method, m.as_str()),
        })
        .collect();
    let branches = branches
        .iter()
        .map(|b| Choice {
            value: b.id.to_string(),
            label: b.name.get(ctx.lang).to_string(),
            selected: picked(&query.branch_id, &b.id.to_string()),
        })
        .collect();
    let pager = Pager::new(&orders, |n| query.href(n));
    let page = OrdersPage {
        nav: AdminNav::new(&staff.0, Section::Orders),
        list: OrderList { rows, pager },
        total: orders.total,
        statuses,
        methods,
        branches,
        query,
        ctx,
    };
    html_with(StatusCode::OK, &page)
}

pub struct ActionView {
    pub to: &'static str,
    pub label: &'static str,
    pub tracking: bool,
    pub pickup_code: bool,
}

#[derive(Template)]
#[template(path = "admin/order.html")]
pub struct OrderPage {
    pub ctx: Chrome,
    pub nav: AdminNav,
    pub csrf: String,
    pub order: OrderView,
    pub email: String,
    pub actions: Vec<ActionView>,
    pub refundable: Option<Money>,
    pub refund_key: String,
    pub notice: Option<String>,
    /// How the operator is doing with each line (`None`: the line needs no operator).
    pub operator: Vec<Option<OperatorLine>>,
}

/// An order line's operator job as staff see it.
pub struct OperatorLine {
    pub status: &'static str,
    pub label: &'static str,
    pub attempts: i32,
    pub error: Option<String>,
}

impl OrderPage {
    pub fn operator_of(&self, line: &usize) -> Option<&OperatorLine> {
        self.operator.get(*line).and_then(Option::as_ref)
    }
}

pub async fn show_order(
    state: web::Data<AppState>,
    mut ctx: Chrome,
    session: Session,
    staff: StaffUser,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = path_id(&id)?;
    let (order, jobs) = state
        .shop
        .db
        .run(move |conn| {
            let order = queries::get_order(conn, id, &OrderAccess::staff())?;
            let keys: Vec<String> =
                order.items.iter().filter_map(|i| FulfilItem { item_id: i.id }.dedup_key()).collect();
            Ok::<_, AppError>((order, jobs::by_keys(conn, &keys)?))
        })
        .await?;
    let operator = order
        .items
        .iter()
        .map(|i| {
            let key = FulfilItem { item_id: i.id }.dedup_key()?;
            let (_, job) = jobs.iter().find(|(k, _)| *k == key)?;
            Some(OperatorLine {
                status: job.status.as_str(),
                label: ctx.t(&format!("admin.orders.operator.{}", job.status.as_str())),
                attempts: job.attempts,
                error: job.last_error.clone(),
            })
        })
        .collect();
    let csrf = ctx.form_token(&session);
    let actions = order
        .staff_actions()
        .into_iter()
        .map(|a| ActionView {
            to: a.as_str(),
            label: ctx.t(&format!("admin.orders.action.{}", a.as_str())),
            tracking: a == StaffAction::Ship,
            pickup_code: a == StaffAction::PickedUp,
        })
        .collect();
    let refundable = Some(order.refundable()).filter(|m| *m > Money::ZERO);
    let page = OrderPage {
        nav: AdminNav::new(&staff.0, Section::Orders),
        notice: session::take_flash(&session).map(|k| ctx.t_dynamic(&k).to_string()),
        order: OrderView::new(&ctx, &order),
        email: order.email.clone(),
        actions,
        refundable,
        refund_key: Uuid::new_v4().to_string(),
        operator,
        csrf,
        ctx,
    };
    html_with(StatusCode::OK, &page)
}

fn back_to(id: OrderId) -> HttpResponse {
    see_other(&format!("/admin/orders/{id}"))
}

#[derive(Deserialize)]
pub struct TransitionForm {
    pub to: Option<String>,
    pub tracking: Option<String>,
    /// Typed at the counter when a pickup order is handed over.
    pub pickup_code: Option<String>,
}

pub async fn transition_order(
    state: web::Data<AppState>,
    session: Session,
    staff: StaffUser,
    id: web::Path<String>,
    form: web::Form<TransitionForm>,
) -> Result<HttpResponse, AppError> {
    let id = path_id(&id)?;
    let form = form.into_inner();
    let action = StaffAction::parse(form.to.as_deref().unwrap_or(""))?;
    let staff = staff.0.id;
    let (now, key) = (state.shop.now(), state.shop.rules.inventory_key.clone());
    // The page always checks the shopper's code when it hands an order over.
    let handing_over = action == StaffAction::PickedUp;
    let moved = state
        .shop
        .db
        .run(move |conn| {
            let typed = form.pickup_code.as_deref().unwrap_or("");
            let handover = handing_over.then_some(Handover { typed, key: &key });
            commands::staff_transition(conn, id, action, form.tracking.as_deref(), handover, staff, now)
        })
        .await;
    match moved {
        Ok(_) => session::flash(&session, "admin.orders.moved"),
        Err(OrderError::Invalid(e)) if e.first("pickup_code").is_some() => {
            session::flash(&session, "admin.orders.pickup_code_wrong");
            return Ok(back_to(id));
        }
        Err(e) => return Err(e.into()),
    }
    state.shop.wake_jobs();
    Ok(back_to(id))
}

#[derive(Deserialize)]
pub struct RefundForm {
    pub key: Option<String>,
    pub amount: Option<String>,
    pub reason: Option<String>,
}

/// Staff send the shopper the order's current mail again.
pub async fn resend_mail(
    state: web::Data<AppState>,
    session: Session,
    staff: StaffUser,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id: OrderId = path_id(&id)?;
    let (who, now) = (staff.0.id, state.shop.now());
    state.shop.db.run(move |conn| Ok::<_, AppError>(commands::resend_mail(conn, id, who, now)?)).await?;
    state.shop.wake_jobs();
    session::flash(&session, "admin.orders.resent");
    Ok(back_to(id))
}

pub async fn refund_order(
    state: web::Data<AppState>,
    session: Session,
    staff: StaffUser,
    id: web::Path<String>,
    form: web::Form<RefundForm>,
) -> Result<HttpResponse, AppError> {
    let order_id = path_id(&id)?;
    let form = form.into_inner();
    let amount = match form.amount.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(raw) => Some(parse_amount(raw, "amount")?),
    };
    let key = form.key.as_deref().and_then(IdempotencyKey::parse).unwrap_or_else(IdempotencyKey::random);
    let refund = Refund { order_id, amount, reason: form.reason.unwrap_or_default(), staff: staff.0.id };
    // A refused refund is not kept under the key: staff correct the form and send it again.
    flows::orders::refund_once(&state.shop, key, Refusals::Forget, refund).await?;
    session::flash(&session, "admin.orders.refunded");
    Ok(back_to(order_id))
}
