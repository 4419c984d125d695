//! Admins run the staff: new staff accounts, roles, and disabling an account (its sessions and
//! tokens end at once). Nobody changes or disables their own account here, so the shop always
//! keeps the admin doing it. Every change is in the audit log.
use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::model::{AccountRow, NewAccountRow};
use super::types::{Account, Email, Role};
use super::AccountError;
use crate::db::schema::{accounts, api_tokens, browser_sessions};
use crate::domain::audit::{self, AuditAction, Subject};
use crate::domain::shared::{AccountId, Code, FieldErrors};

/// A staff member as the staff page lists them.
#[derive(Debug, Clone, PartialEq)]
pub struct StaffMember {
    pub account: Account,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
}

/// Staff and admins, enabled first, then by email; and accounts that were staff and are
/// disabled.
///
/// # Errors
/// A database failure.
pub fn list(conn: &mut PgConnection) -> Result<Vec<StaffMember>, AccountError> {
    let rows: Vec<(AccountRow, Option<DateTime<Utc>>, DateTime<Utc>)> = accounts::table
        .filter(accounts::role.ne(Role::Customer))
        .select((AccountRow::as_select(), accounts::disabled_at, accounts::created_at))
        .order((accounts::disabled_at.is_not_null(), accounts::email))
        .limit(500)
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(row, disabled, created_at)| StaffMember {
            account: row.into_account(),
            disabled: disabled.is_some(),
            created_at,
        })
        .collect())
}

fn staff_role(raw: &str) -> Result<Role, FieldErrors> {
    match Role::parse(raw.trim()) {
        Some(r @ (Role::Staff | Role::Admin)) => Ok(r),
        _ => Err(FieldErrors::single("role", Code::StaffRole)),
    }
}

/// An admin opens a staff account (`password_hash` made by the caller off the request's core).
///
/// # Errors
/// `Invalid` for a wrong role; `EmailTaken` when an account with that email exists.
pub fn create(
    conn: &mut PgConnection,
    email: &Email,
    name: &str,
    password_hash: &str,
    role: &str,
    admin: AccountId,
    now: DateTime<Utc>,
) -> Result<Account, AccountError> {
    let role = staff_role(role)?;
    conn.transaction(|conn| {
        let row: Option<AccountRow> = diesel::insert_into(accounts::table)
            .values(NewAccountRow { email: email.as_str(), name, password_hash, role })
            .on_conflict(accounts::email)
            .do_nothing()
            .returning(AccountRow::as_returning())
            .get_result(conn)
            .optional()?;
        let account = row.map(AccountRow::into_account).ok_or(AccountError::EmailTaken)?;
        let after = serde_json::json!({"email": account.email, "name": account.name, "role": role.as_str()});
        audit::record(
            conn,
            admin,
            AuditAction::StaffCreated,
            &Subject::new("account", account.id),
            None,
            Some(after),
            now,
        )?;
        Ok(account)
    })
}

fn lock_other(conn: &mut PgConnection, target: AccountId, admin: AccountId) -> Result<(Role, bool), AccountError> {
    if target == admin {
        return Err(FieldErrors::single("account", Code::NotYourself).into());
    }
    let found: Option<(Role, Option<DateTime<Utc>>)> = accounts::table
        .find(target)
        .select((accounts::role, accounts::disabled_at))
        .for_update()
        .first(conn)
        .optional()?;
    match found {
        Some((role, disabled)) if role != Role::Customer => Ok((role, disabled.is_some())),
        _ => Err(AccountError::NotFound),
    }
}

/// An admin makes a staff member an admin, or an admin staff.
///
/// # Errors
/// `NotFound` (no such staff member), `Invalid` for a wrong role or one's own account.
pub fn set_role(
    conn: &mut PgConnection,
    target: AccountId,
    role: &str,
    admin: AccountId,
    now: DateTime<Utc>,
) -> Result<(), AccountError> {
    let role = staff_role(role)?;
    conn.transaction(|conn| {
        let (before, _) = lock_other(conn, target, admin)?;
        diesel::update(accounts::table.find(target))
            .set((accounts::role.eq(role), accounts::updated_at.eq(now)))
            .execute(conn)?;
        let subject = Subject::new("account", target);
        let (b, a) = (serde_json::json!({"role": before.as_str()}), serde_json::json!({"role": role.as_str()}));
        audit::record(conn, admin, AuditAction::StaffRoleChanged, &subject, Some(b), Some(a), now)?;
        Ok(())
    })
}

/// An admin disables a staff account (it signs in no more; its sessions and tokens end now) or
/// enables it again.
///
/// # Errors
/// `NotFound` (no such staff member), `Invalid` for one's own account.
pub fn set_disabled(
    conn: &mut PgConnection,
    target: AccountId,
    disabled: bool,
    admin: AccountId,
    now: DateTime<Utc>,
) -> Result<(), AccountError> {
    conn.transaction(|conn| {
        let (_, was) = lock_other(conn, target, admin)?;
        if was == disabled {
            return Ok(());
        }
        diesel::update(accounts::table.find(target))
            .set((
                accounts::disabled_at.eq(disabled.then_some(now)),
                accounts::session_epoch.eq(accounts::session_epoch + 1),
                accounts::updated_at.eq(now),
            ))
            .execute(conn)?;
        if disabled {
            diesel::update(browser_sessions::table.filter(browser_sessions::account_id.eq(target)))
                .filter(browser_sessions::ended_at.is_null())
                .set(browser_sessions::ended_at.eq(now))
                .execute(conn)?;
            diesel::update(api_tokens::table.filter(api_tokens::account_id.eq(target)))
                .filter(api_tokens::revoked_at.is_null())
                .set(api_tokens::revoked_at.eq(now))
                .execute(conn)?;
        }
        let action = if disabled { AuditAction::StaffDisabled } else { AuditAction::StaffEnabled };
        let (b, a) = (serde_json::json!({"disabled": was}), serde_json::json!({"disabled": disabled}));
        audit::record(conn, admin, action, &Subject::new("account", target), Some(b), Some(a), now)?;
        Ok(())
    })
}
