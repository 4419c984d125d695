//! Form types more than one page uses: field errors as a form shows them, the address fields
//! (the address book's and checkout's delivery address), a page's `?next=`.
use serde::Deserialize;

use crate::domain::accounts::addresses::{Address, AddressInput};
use crate::domain::shared::{FieldError, FieldErrors};
use crate::web::address_fields::AddressFields;

/// Field errors as the form shows them: the first per field (the template renders it in the
/// page's language with `ctx.field`).
#[derive(Default)]
pub struct FormErrors(pub FieldErrors);

impl FormErrors {
    pub fn get(&self, field: &str) -> Option<&FieldError> {
        self.0.first(field)
    }
}

/// The address fields of a page's form, and the address book's "make it the default" box.
#[derive(Default, Deserialize)]
pub struct AddressForm {
    #[serde(flatten)]
    pub fields: AddressFields,
    pub is_default: Option<String>,
}

impl AddressForm {
    pub fn input(&self) -> AddressInput {
        self.fields.input(self.is_default.is_some())
    }

    pub fn from_address(a: &Address) -> Self {
        AddressForm { fields: AddressFields::of(a), is_default: a.is_default.then(|| "on".into()) }
    }

    pub fn value(&self, field: &str) -> &str {
        self.fields.value(field)
    }
}

#[derive(Deserialize)]
pub struct NextQuery {
    pub next: Option<String>,
}
