//! A shopper's address book: delivery addresses kept for checkout. Every call names the owner;
//! another account's address is simply not found.
use diesel::prelude::*;
use uuid::Uuid;

use super::AccountError;
use crate::db::schema::{accounts, addresses};
use crate::db::DbError;
use crate::domain::shared::AccountId;
use crate::domain::shared::FieldErrors;
use crate::domain::shared::{Code, FieldError};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = addresses, check_for_backend(diesel::pg::Pg))]
pub struct Address {
    pub id: Uuid,
    pub name: String,
    pub phone: String,
    pub city: String,
    pub district: String,
    pub line1: String,
    pub line2: Option<String>,
    pub is_default: bool,
}

/// An address as a form or a JSON body gives it, before checking.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct AddressInput {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub city: Option<String>,
    pub district: Option<String>,
    pub line1: Option<String>,
    pub line2: Option<String>,
    pub is_default: bool,
}

/// A checked address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAddress {
    pub name: String,
    pub phone: String,
    pub city: String,
    pub district: String,
    pub line1: String,
    pub line2: Option<String>,
    pub is_default: bool,
}

/// A contact phone: 8 national digits, written as `88112233`, `8811 2233` or `+976 8811-2233`.
///
/// # Errors
/// A field error on `field`.
pub fn parse_phone(raw: &str, field: &str) -> Result<String, FieldErrors> {
    let compact: String = raw.chars().filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '.')).collect();
    let digits = compact
        .strip_prefix("+976")
        .or_else(|| compact.strip_prefix("976").filter(|d| d.len() == 8))
        .unwrap_or(&compact);
    if digits.len() == 8 && digits.bytes().all(|b| b.is_ascii_digit()) {
        Ok(digits.to_string())
    } else {
        Err(FieldErrors::single(field, Code::Phone))
    }
}

impl AddressInput {
    /// # Errors
    /// Every field that is missing or too long, and a phone that is not 8 digits.
    pub fn parse(&self) -> Result<NewAddress, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut text = |value: &Option<String>, field: &str, max: usize, required: bool| -> Option<String> {
            let v = value.as_deref().map(str::trim).unwrap_or("");
            if v.is_empty() {
                if required {
                    errors.add(field, Code::Required);
                }
                return None;
            }
            if v.chars().count() > max || v.chars().any(char::is_control) {
                errors.add(field, FieldError::from(Code::TooLong).with("max", max));
                return None;
            }
            Some(v.to_string())
        };
        let name = text(&self.name, "name", 200, true);
        let city = text(&self.city, "city", 100, true);
        let district = text(&self.district, "district", 100, true);
        let line1 = text(&self.line1, "line1", 300, true);
        let line2 = text(&self.line2, "line2", 300, false);
        let phone = match self.phone.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
            None => {
                errors.add("phone", Code::Required);
                None
            }
            Some(p) => parse_phone(p, "phone").map_err(|e| errors.extend(e)).ok(),
        };
        match (name, phone, city, district, line1) {
            (Some(name), Some(phone), Some(city), Some(district), Some(line1)) if errors.is_empty() => {
                Ok(NewAddress { name, phone, city, district, line1, line2, is_default: self.is_default })
            }
            _ => Err(errors),
        }
    }
}

/// The owner's addresses, the default first.
pub fn list(conn: &mut PgConnection, owner: AccountId) -> Result<Vec<Address>, AccountError> {
    Ok(addresses::table
        .filter(addresses::account_id.eq(owner))
        .select(Address::as_select())
        .order((addresses::is_default.desc(), addresses::created_at, addresses::id))
        .load(conn)?)
}

/// One of the owner's addresses (`None` for another account's).
pub fn find(conn: &mut PgConnection, owner: AccountId, id: Uuid) -> Result<Option<Address>, DbError> {
    Ok(addresses::table
        .filter(addresses::id.eq(id).and(addresses::account_id.eq(owner)))
        .select(Address::as_select())
        .first(conn)
        .optional()?)
}

pub const MAX_ADDRESSES: i64 = 20;

/// Adds an address; the first one, or one marked default, becomes the default.
///
/// # Errors
/// `Invalid` when the book is full.
pub fn add(conn: &mut PgConnection, owner: AccountId, input: &NewAddress) -> Result<Address, AccountError> {
    conn.transaction(|conn| {
        lock_book(conn, owner)?;
        let count: i64 = addresses::table.filter(addresses::account_id.eq(owner)).count().get_result(conn)?;
        if count >= MAX_ADDRESSES {
            return Err(AccountError::Invalid(FieldErrors::single(
                "addresses",
                FieldError::from(Code::TooManyAddresses).with("max", 20),
            )));
        }
        let make_default = input.is_default || count == 0;
        if make_default {
            clear_default(conn, owner)?;
        }
        Ok(diesel::insert_into(addresses::table)
            .values((
                addresses::account_id.eq(owner),
                addresses::name.eq(&input.name),
                addresses::phone.eq(&input.phone),
                addresses::city.eq(&input.city),
                addresses::district.eq(&input.district),
                addresses::line1.eq(&input.line1),
                addresses::line2.eq(&input.line2),
                addresses::is_default.eq(make_default),
            ))
            .returning(Address::as_returning())
            .get_result(conn)?)
    })
}

/// Changes to one customer's address book take turns (the account row's lock): two first
/// addresses or two "make default" edits at once would otherwise both set a default, and the
/// book's limit could be passed.
fn lock_book(conn: &mut PgConnection, owner: AccountId) -> Result<(), AccountError> {
    accounts::table.find(owner).select(accounts::id).for_no_key_update().first::<AccountId>(conn).optional()?;
    Ok(())
}

fn clear_default(conn: &mut PgConnection, owner: AccountId) -> Result<(), AccountError> {
    diesel::update(addresses::table.filter(addresses::account_id.eq(owner).and(addresses::is_default.eq(true))))
        .set(addresses::is_default.eq(false))
        .execute(conn)?;
    Ok(())
}

/// Replaces an address of the owner's.
///
/// # Errors
/// `NotFound` when the owner has no such address.
pub fn update(
    conn: &mut PgConnection,
    owner: AccountId,
    id: Uuid,
    input: &NewAddress,
) -> Result<Address, AccountError> {
    conn.transaction(|conn| {
        lock_book(conn, owner)?;
        if input.is_default {
            clear_default(conn, owner)?;
        }
        diesel::update(addresses::table.filter(addresses::id.eq(id).and(addresses::account_id.eq(owner))))
            .set((
                addresses::name.eq(&input.name),
                addresses::phone.eq(&input.phone),
                addresses::city.eq(&input.city),
                addresses::district.eq(&input.district),
                addresses::line1.eq(&input.line1),
                addresses::line2.eq(&input.line2),
                addresses::updated_at.eq(diesel::dsl::now),
            ))
            .returning(Address::as_returning())
            .get_result(conn)
            .optional()?
            .map(|a| if input.is_default { set_default_flag(conn, a) } else { Ok(a) })
            .transpose()?
            .ok_or(AccountError::NotFound)
    })
}

fn set_default_flag(conn: &mut PgConnection, a: Address) -> Result<Address, AccountError> {
    Ok(diesel::update(addresses::table.find(a.id))
        .set(addresses::is_default.eq(true))
        .returning(Address::as_returning())
        .get_result(conn)?)
}

/// Removes an address of the owner's; if it was the default, the oldest remaining one becomes it.
///
/// # Errors
/// `NotFound` when the owner has no such address.
pub fn remove(conn: &mut PgConnection, owner: AccountId, id: Uuid) -> Result<(), AccountError> {
    conn.transaction(|conn| {
        lock_book(conn, owner)?;
        let was_default: bool =
            diesel::delete(addresses::table.filter(addresses::id.eq(id).and(addresses::account_id.eq(owner))))
                .returning(addresses::is_default)
                .get_result(conn)
                .optional()?
                .ok_or(AccountError::NotFound)?;
        if was_default {
            let next: Option<Uuid> = addresses::table
                .filter(addresses::account_id.eq(owner))
                .order((addresses::created_at, addresses::id))
                .select(addresses::id)
                .first(conn)
                .optional()?;
            if let Some(next) = next {
                diesel::update(addresses::table.find(next)).set(addresses::is_default.eq(true)).execute(conn)?;
            }
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_accept_the_usual_spellings() -> Result<(), Box<dyn std::error::Error>> {
        for ok in ["88112233", "8811 2233", "+976 8811-2233", "976 88112233", "(8811) 2233"] {
            assert_eq!(parse_phone(ok, "phone")?, "88112233", "{ok}");
        }
        for bad in ["8811223", "881122334", "+7 8811 2233", "8811-22a3", ""] {
            assert!(parse_phone(bad, "phone").is_err(), "{bad}");
        }
        Ok(())
    }

    #[test]
    fn addresses_report_every_missing_field() -> Result<(), Box<dyn std::error::Error>> {
        let e = AddressInput::default().parse().unwrap_err();
        let fields: Vec<_> = e.fields().keys().map(String::as_str).collect();
        assert_eq!(fields, ["city", "district", "line1", "name", "phone"]);
        let ok = AddressInput {
            name: Some(" Бат ".into()),
            phone: Some("9911 2233".into()),
            city: Some("Улаанбаатар".into()),
            district: Some("Сүхбаатар".into()),
            line1: Some("8-р хороо, 12-р байр, 34 тоот".into()),
            line2: Some("  ".into()),
            is_default: false,
        }
        .parse()?;
        assert_eq!((ok.name.as_str(), ok.phone.as_str(), ok.line2), ("Бат", "99112233", None));
        Ok(())
    }
}
