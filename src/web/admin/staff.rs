//! `/admin/staff` (admins only; 403 for staff): staff accounts, their roles, and disabling one,
//! each asked first where it cannot be taken back lightly.
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::nav::{AdminNav, Section};
use crate::domain::accounts::{commands::parse_name, Password};
use crate::domain::accounts::{password, staff, AccountError, Email, Role};
use crate::domain::shared::{AccountId, Code, FieldErrors};
use crate::web::error::AppError;
use crate::web::extract::path_id;
use crate::web::extract::AdminUser;
use crate::web::pages::forms::FormErrors;
use crate::web::render::{html_with, see_other, Chrome};
use crate::web::session;
use crate::web::state::AppState;

pub struct MemberRow {
    pub id: AccountId,
    pub email: String,
    pub name: String,
    pub admin: bool,
    pub role_label: &'static str,
    pub disabled: bool,
    pub is_me: bool,
}

#[derive(Deserialize, Default)]
pub struct NewStaffForm {
    pub email: Option<String>,
    pub name: Option<String>,
    pub password: Option<String>,
    pub role: Option<String>,
}

impl NewStaffForm {
    pub fn value<'a>(&'a self, field: &str) -> &'a str {
        match field {
            "email" => self.email.as_deref().unwrap_or(""),
            "name" => self.name.as_deref().unwrap_or(""),
            _ => "",
        }
    }

    pub fn admin(&self) -> bool {
        self.role.as_deref() == Some("admin")
    }
}

#[derive(Template)]
#[template(path = "admin/staff.html")]
pub struct StaffPage {
    pub ctx: Chrome,
    pub nav: AdminNav,
    pub csrf: String,
    pub notice: Option<String>,
    pub members: Vec<MemberRow>,
    pub form: NewStaffForm,
    pub errors: FormErrors,
}

async fn page(
    state: &AppState,
    mut ctx: Chrome,
    session: &Session,
    admin: &AdminUser,
    form: NewStaffForm,
    errors: FieldErrors,
) -> Result<StaffPage, AppError> {
    let members = state.shop.db.run(|conn| Ok::<_, AppError>(staff::list(conn)?)).await?;
    let members = members
        .into_iter()
        .map(|m| MemberRow {
            id: m.account.id,
            is_me: m.account.id == admin.0.id,
            admin: m.account.role == Role::Admin,
            role_label: ctx.t(if m.account.role == Role::Admin { "admin.role.admin" } else { "admin.role.staff" }),
            email: m.account.email,
            name: m.account.name,
            disabled: m.disabled,
        })
        .collect();
    Ok(StaffPage {
        nav: AdminNav::new(&admin.0, Section::Staff),
        csrf: ctx.form_token(session),
        notice: session::take_flash(session).map(|k| ctx.t_dynamic(&k).to_string()),
        members,
        form,
        errors: FormErrors(errors),
        ctx,
    })
}

pub async fn list_staff(
    state: web::Data<AppState>,
    ctx: Chrome,
    session: Session,
    admin: AdminUser,
) -> Result<HttpResponse, AppError> {
    let page = page(&state, ctx, &session, &admin, NewStaffForm::default(), FieldErrors::new()).await?;
    html_with(StatusCode::OK, &page)
}

/// An admin opens a staff account with a first password to hand over.
pub async fn create_staff(
    state: web::Data<AppState>,
    ctx: Chrome,
    session: Session,
    admin: AdminUser,
    form: web::Form<NewStaffForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let mut errors = FieldErrors::new();
    let email = Email::parse(form.email.as_deref().unwrap_or(""), "email").map_err(|e| errors.extend(e)).ok();
    let name = parse_name(form.name.as_deref().unwrap_or(""), "name").map_err(|e| errors.extend(e)).ok();
    let password = Password::parse(form.password.as_deref().unwrap_or(""), "password", email.as_ref())
        .map_err(|e| errors.extend(e))
        .ok();
    let role = form.role.clone().unwrap_or_default();
    let (Some(email), Some(name), Some(password), true) = (email, name, password, errors.is_empty()) else {
        let page = page(&state, ctx, &session, &admin, form, errors).await?;
        return html_with(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let hash = state.shop.password_work.run(move || password::hash(password.expose())).await??;
    let (who, now) = (admin.0.id, state.shop.now());
    let made = state.shop.db.run(move |conn| staff::create(conn, &email, &name, &hash, &role, who, now)).await;
    match made {
        Ok(_) => {
            session::flash(&session, "admin.staff.created");
            Ok(see_other("/admin/staff"))
        }
        Err(AccountError::EmailTaken) => {
            let page =
                page(&state, ctx, &session, &admin, form, FieldErrors::single("email", Code::EmailTaken)).await?;
            html_with(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(AccountError::Invalid(errors)) => {
            let page = page(&state, ctx, &session, &admin, form, errors).await?;
            html_with(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct ChangeForm {
    /// `staff`, `admin`, `disable` or `enable`.
    pub change: Option<String>,
}

/// An admin changes another staff member's role, or disables or enables the account.
pub async fn change_staff(
    state: web::Data<AppState>,
    session: Session,
    admin: AdminUser,
    id: web::Path<String>,
    form: web::Form<ChangeForm>,
) -> Result<HttpResponse, AppError> {
    let target: AccountId = path_id(&id)?;
    let change = form.into_inner().change.unwrap_or_default();
    let (who, now) = (admin.0.id, state.shop.now());
    let done = state
        .shop
        .db
        .run(move |conn| match change.as_str() {
            "disable" => staff::set_disabled(conn, target, true, who, now),
            "enable" => staff::set_disabled(conn, target, false, who, now),
            role => staff::set_role(conn, target, role, who, now),
        })
        .await;
    match done {
        Ok(()) => session::flash(&session, "admin.staff.changed"),
        Err(AccountError::Invalid(_)) => session::flash(&session, "admin.staff.not_changed"),
        Err(e) => return Err(e.into()),
    }
    Ok(see_other("/admin/staff"))
}
