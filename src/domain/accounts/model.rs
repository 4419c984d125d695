//! Diesel rows of `accounts`.
use diesel::prelude::*;

use super::types::Role;
use crate::db::schema::accounts;
use crate::domain::shared::AccountId;

#[derive(Queryable, Selectable)]
#[diesel(table_name = accounts, check_for_backend(diesel::pg::Pg))]
pub struct AccountRow {
    pub id: AccountId,
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub role: Role,
    pub session_epoch: i32,
}

#[derive(Insertable)]
#[diesel(table_name = accounts)]
pub struct NewAccountRow<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub password_hash: &'a str,
    pub role: Role,
}
