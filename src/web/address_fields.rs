//! The fields of a postal address as a form or a JSON body sends them, `{name, phone, city,
//! district, line1, line2?}`: the address book's and checkout's delivery address, on the pages
//! and in the API alike.
use serde::Deserialize;
use utoipa::ToSchema;

use crate::domain::accounts::addresses::{Address, AddressInput};

/// A postal address as the contract writes it, unchecked.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct AddressFields {
    pub name: Option<String>,
    /// 8 digits; `8811 2233` and `+976 8811-2233` are accepted too.
    pub phone: Option<String>,
    pub city: Option<String>,
    pub district: Option<String>,
    pub line1: Option<String>,
    pub line2: Option<String>,
}

impl AddressFields {
    /// For the domain to check.
    pub fn input(&self, is_default: bool) -> AddressInput {
        AddressInput {
            name: self.name.clone(),
            phone: self.phone.clone(),
            city: self.city.clone(),
            district: self.district.clone(),
            line1: self.line1.clone(),
            line2: self.line2.clone(),
            is_default,
        }
    }

    /// A saved address, to edit.
    pub fn of(a: &Address) -> Self {
        Self {
            name: Some(a.name.clone()),
            phone: Some(a.phone.clone()),
            city: Some(a.city.clone()),
            district: Some(a.district.clone()),
            line1: Some(a.line1.clone()),
            line2: a.line2.clone(),
        }
    }

    /// A field's value as a form shows it again (empty when not given).
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
