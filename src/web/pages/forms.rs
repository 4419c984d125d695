//! Form types more than one page uses: field errors as a form shows them, the address fields
//! (the address book's and checkout's delivery address), a page's `?next=`.
use serde::Deserialize;

use crate::domain::accounts::addresses::{Address, AddressInput};
use crate::domain::shared::{FieldError, FieldErrors};
use crate::i18n::Tr;
use crate::web::address_fields::AddressFields;

/// Field errors as the form shows them: the first per field (the template renders it in the
/// page's language with `ctx.field`).
#[derive(Default)]
pub struct FormErrors(pub FieldErrors);

impl FormErrors {
    pub fn get(&self, field: &str) -> Option<&FieldError> {
        self.0.first(field)
    }

    /// Each wrong field once, as the error summary lists it: a link to the field's message
    /// (`#{prefix}{field}-error`, the id `_field_error.html` gives it), its label and message.
    pub fn summary(&self, tr: Tr, prefix: &str) -> Vec<SummaryLine> {
        self.0
            .fields()
            .iter()
            .filter_map(|(field, errors)| {
                let message = tr.field(errors.first()?);
                let text = match label_key(field) {
                    Some(key) => format!("{}: {message}", tr.t(key)),
                    None => message,
                };
                Some(SummaryLine { href: format!("#{prefix}{field}-error"), text })
            })
            .collect()
    }
}

/// A line of an error summary.
pub struct SummaryLine {
    pub href: String,
    pub text: String,
}

/// The label a field is shown with, for the summary (a message alone says "is required").
fn label_key(field: &str) -> Option<&'static str> {
    Some(match field {
        "email" => "form.email",
        "password" => "form.password",
        "name" => "form.name",
        "new_password" => "account.new_password",
        "current_password" => "account.current_password",
        "method" => "checkout.how",
        "branch_id" => "checkout.pickup",
        "address_id" => "checkout.saved_address",
        "msisdn" => "buy.msisdn",
        "amount" => "buy.amount",
        "phone" => "address.phone",
        "city" => "address.city",
        "district" => "address.district",
        "line1" => "address.line1",
        "cart" => "nav.cart",
        _ => return None,
    })
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
