//! Form types more than one page uses: field errors as a form shows them, the address fields
//! (the address book's and checkout's delivery address), a page's `?next=`.
use serde::Deserialize;

use crate::domain::accounts::addresses::{Address, AddressInput};
use crate::domain::shared::{FieldError, FieldErrors};

/// Field errors as the form shows them: the first per field (the template renders it in the
/// page's language with `ctx.field`).
pub struct FormErrors(pub FieldErrors);

impl FormErrors {
    pub fn get(&self, field: &str) -> Option<&FieldError> {
        self.0.first(field)
    }
}

#[derive(Default, Deserialize)]
pub struct AddressForm {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub city: Option<String>,
    pub district: Option<String>,
    pub line1: Option<String>,
    pub line2: Option<String>,
    pub is_default: Option<String>,
}

impl AddressForm {
    pub fn input(&self) -> AddressInput {
        AddressInput {
            name: self.name.clone(),
            phone: self.phone.clone(),
            city: self.city.clone(),
            district: self.district.clone(),
            line1: self.line1.clone(),
            line2: self.line2.clone(),
            is_default: self.is_default.is_some(),
        }
    }

    pub fn from_address(a: &Address) -> Self {
        AddressForm {
            name: Some(a.name.clone()),
            phone: Some(a.phone.clone()),
            city: Some(a.city.clone()),
            district: Some(a.district.clone()),
            line1: Some(a.line1.clone()),
            line2: a.line2.clone(),
            is_default: a.is_default.then(|| "on".into()),
        }
    }

    pub fn value(&self, field: &str) -> &str {
        let v = match field {
            "name" => &self.name,
            "phone" => &self.phone,
            "city" => &self.city,
            "district" => &self.district,
            "line1" => &self.line1,
            "line2" => &self.line2,
            _ => &None,
        };
        v.as_deref().unwrap_or("")
    }
}

#[derive(Deserialize)]
pub struct NextQuery {
    pub next: Option<String>,
}
