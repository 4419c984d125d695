//! Field errors: what a 422 answer or a re-rendered form says about each input, as stable codes
//! with parameters. Pages, mail and the API render them in the visitor's language from the
//! catalogs' `field.<code>` texts; rewording a text never loses its translation.
use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// What is wrong with a field. Each code has a text in both catalogs (`field.<code>`), with a
/// `{name}` placeholder for each of its parameters (`params()`); a test holds the three together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Code {
    Required,
    Email,
    EmailTaken,
    TooShort,
    TooLong,
    PasswordCommon,
    PasswordHasEmail,
    NotCurrentPassword,
    Phone,
    NotOurNumber,
    TooManyAddresses,
    EmailForOrder,
    ChooseMethod,
    Method,
    ChooseBranch,
    NotPickupBranch,
    NotYourAddress,
    NoDelivery,
    CartEmpty,
    CartFull,
    ProductId,
    NotOnSale,
    NotSoldOnline,
    OnlyOne,
    QuantityRange,
    QuantityMax,
    MsisdnRequired,
    AmountRequired,
    AmountFixed,
    WholeTugrik,
    AmountAtLeast,
    AmountRange,
    RefundRange,
    ControlCharacters,
    UnknownCategory,
    UnknownKind,
    PageNumber,
    PerPage,
    WholeNumber,
    Decimal,
    JsonObject,
    Tier,
    Service,
    JobStatus,
    OrderStatus,
    StaffAction,
    Outcome,
    NotAnEvent,
    KeyReused,
    NumberPattern,
    DuplicateLine,
    SimCode,
    SimCodeWrong,
    Iccid,
    IccidCheck,
    EsimCode,
    NumberUnknown,
    NumberTier,
    Activation,
    NumberInCart,
    TooManyNumbers,
    CodeInPool,
    SimCodeUsed,
    NotYourEsim,
    CouponUnknown,
    CouponNotStarted,
    CouponExpired,
    CouponNotYours,
    CouponSignIn,
    CouponUsed,
    CouponUsedUp,
    CouponNotApplicable,
    CouponBelowMinimum,
    CouponOnePerOrder,
    CouponCode,
    CodePolicy,
    DiscountType,
    PercentRange,
    EndsBeforeStart,
    Timestamp,
    TimeOfDay,
    OpenDays,
    SortOrder,
    PriceRange,
    CustomerUnknown,
    CodeTaken,
    CodeCount,
    PersonalOnly,
    SharedOnly,
    CodeOrCount,
    UnknownProduct,
    CodeStatus,
    Format,
    Slug,
    SlugTaken,
    NotStocked,
    UnknownBranch,
    UnknownAction,
    StaffRole,
    NotYourself,
    SpecLine,
    ImageTooBig,
    ImageFormat,
    ImageSize,
    TooManyImages,
    PickupCode,
    PolicyFixed,
}

impl Code {
    pub const ALL: [Code; 107] = [
        Code::Required,
        Code::Email,
        Code::EmailTaken,
        Code::TooShort,
        Code::TooLong,
        Code::PasswordCommon,
        Code::PasswordHasEmail,
        Code::NotCurrentPassword,
        Code::Phone,
        Code::NotOurNumber,
        Code::TooManyAddresses,
        Code::EmailForOrder,
        Code::ChooseMethod,
        Code::Method,
        Code::ChooseBranch,
        Code::NotPickupBranch,
        Code::NotYourAddress,
        Code::NoDelivery,
        Code::CartEmpty,
        Code::CartFull,
        Code::ProductId,
        Code::NotOnSale,
        Code::NotSoldOnline,
        Code::OnlyOne,
        Code::QuantityRange,
        Code::QuantityMax,
        Code::MsisdnRequired,
        Code::AmountRequired,
        Code::AmountFixed,
        Code::WholeTugrik,
        Code::AmountAtLeast,
        Code::AmountRange,
        Code::RefundRange,
        Code::ControlCharacters,
        Code::UnknownCategory,
        Code::UnknownKind,
        Code::PageNumber,
        Code::PerPage,
        Code::WholeNumber,
        Code::Decimal,
        Code::JsonObject,
        Code::Tier,
        Code::Service,
        Code::JobStatus,
        Code::OrderStatus,
        Code::StaffAction,
        Code::Outcome,
        Code::NotAnEvent,
        Code::KeyReused,
        Code::NumberPattern,
        Code::DuplicateLine,
        Code::SimCode,
        Code::SimCodeWrong,
        Code::Iccid,
        Code::IccidCheck,
        Code::EsimCode,
        Code::NumberUnknown,
        Code::NumberTier,
        Code::Activation,
        Code::NumberInCart,
        Code::TooManyNumbers,
        Code::CodeInPool,
        Code::SimCodeUsed,
        Code::NotYourEsim,
        Code::CouponUnknown,
        Code::CouponNotStarted,
        Code::CouponExpired,
        Code::CouponNotYours,
        Code::CouponSignIn,
        Code::CouponUsed,
        Code::CouponUsedUp,
        Code::CouponNotApplicable,
        Code::CouponBelowMinimum,
        Code::CouponOnePerOrder,
        Code::CouponCode,
        Code::CodePolicy,
        Code::DiscountType,
        Code::PercentRange,
        Code::EndsBeforeStart,
        Code::Timestamp,
        Code::TimeOfDay,
        Code::OpenDays,
        Code::SortOrder,
        Code::PriceRange,
        Code::CustomerUnknown,
        Code::CodeTaken,
        Code::CodeCount,
        Code::PersonalOnly,
        Code::SharedOnly,
        Code::CodeOrCount,
        Code::UnknownProduct,
        Code::CodeStatus,
        Code::Format,
        Code::Slug,
        Code::SlugTaken,
        Code::NotStocked,
        Code::UnknownBranch,
        Code::UnknownAction,
        Code::StaffRole,
        Code::NotYourself,
        Code::SpecLine,
        Code::ImageTooBig,
        Code::ImageFormat,
        Code::ImageSize,
        Code::TooManyImages,
        Code::PickupCode,
        Code::PolicyFixed,
    ];

    /// The stable name clients see and the catalog key's last part.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Required => "required",
            Code::Email => "email",
            Code::EmailTaken => "email_taken",
            Code::TooShort => "too_short",
            Code::TooLong => "too_long",
            Code::PasswordCommon => "password_common",
            Code::PasswordHasEmail => "password_has_email",
            Code::NotCurrentPassword => "not_current_password",
            Code::Phone => "phone",
            Code::NotOurNumber => "not_our_number",
            Code::TooManyAddresses => "too_many_addresses",
            Code::EmailForOrder => "email_for_order",
            Code::ChooseMethod => "choose_method",
            Code::Method => "method",
            Code::ChooseBranch => "choose_branch",
            Code::NotPickupBranch => "not_pickup_branch",
            Code::NotYourAddress => "not_your_address",
            Code::NoDelivery => "no_delivery",
            Code::CartEmpty => "cart_empty",
            Code::CartFull => "cart_full",
            Code::ProductId => "product_id",
            Code::NotOnSale => "not_on_sale",
            Code::NotSoldOnline => "not_sold_online",
            Code::OnlyOne => "only_one",
            Code::QuantityRange => "quantity_range",
            Code::QuantityMax => "quantity_max",
            Code::MsisdnRequired => "msisdn_required",
            Code::AmountRequired => "amount_required",
            Code::AmountFixed => "amount_fixed",
            Code::WholeTugrik => "whole_tugrik",
            Code::AmountAtLeast => "amount_at_least",
            Code::AmountRange => "amount_range",
            Code::RefundRange => "refund_range",
            Code::ControlCharacters => "control_characters",
            Code::UnknownCategory => "unknown_category",
            Code::UnknownKind => "unknown_kind",
            Code::PageNumber => "page_number",
            Code::PerPage => "per_page",
            Code::WholeNumber => "whole_number",
            Code::Decimal => "decimal",
            Code::JsonObject => "json_object",
            Code::Tier => "tier",
            Code::Service => "service",
            Code::JobStatus => "job_status",
            Code::OrderStatus => "order_status",
            Code::StaffAction => "staff_action",
            Code::Outcome => "outcome",
            Code::NotAnEvent => "not_an_event",
            Code::KeyReused => "key_reused",
            Code::NumberPattern => "number_pattern",
            Code::DuplicateLine => "duplicate_line",
            Code::SimCode => "sim_code",
            Code::SimCodeWrong => "sim_code_wrong",
            Code::Iccid => "iccid",
            Code::IccidCheck => "iccid_check",
            Code::EsimCode => "esim_code",
            Code::NumberUnknown => "number_unknown",
            Code::NumberTier => "number_tier",
            Code::Activation => "activation",
            Code::NumberInCart => "number_in_cart",
            Code::TooManyNumbers => "too_many_numbers",
            Code::CodeInPool => "code_in_pool",
            Code::SimCodeUsed => "sim_code_used",
            Code::NotYourEsim => "not_your_esim",
            Code::CouponUnknown => "coupon_unknown",
            Code::CouponNotStarted => "coupon_not_started",
            Code::CouponExpired => "coupon_expired",
            Code::CouponNotYours => "coupon_not_yours",
            Code::CouponSignIn => "coupon_sign_in",
            Code::CouponUsed => "coupon_used",
            Code::CouponUsedUp => "coupon_used_up",
            Code::CouponNotApplicable => "coupon_not_applicable",
            Code::CouponBelowMinimum => "coupon_below_minimum",
            Code::CouponOnePerOrder => "coupon_one_per_order",
            Code::CouponCode => "coupon_code",
            Code::CodePolicy => "code_policy",
            Code::DiscountType => "discount_type",
            Code::PercentRange => "percent_range",
            Code::EndsBeforeStart => "ends_before_start",
            Code::Timestamp => "timestamp",
            Code::TimeOfDay => "time_of_day",
            Code::OpenDays => "open_days",
            Code::SortOrder => "sort_order",
            Code::PriceRange => "price_range",
            Code::CustomerUnknown => "customer_unknown",
            Code::CodeTaken => "code_taken",
            Code::CodeCount => "code_count",
            Code::PersonalOnly => "personal_only",
            Code::SharedOnly => "shared_only",
            Code::CodeOrCount => "code_or_count",
            Code::UnknownProduct => "unknown_product",
            Code::CodeStatus => "code_status",
            Code::Format => "format",
            Code::Slug => "slug",
            Code::SlugTaken => "slug_taken",
            Code::NotStocked => "not_stocked",
            Code::UnknownBranch => "unknown_branch",
            Code::UnknownAction => "unknown_action",
            Code::StaffRole => "staff_role",
            Code::NotYourself => "not_yourself",
            Code::SpecLine => "spec_line",
            Code::ImageTooBig => "image_too_big",
            Code::ImageFormat => "image_format",
            Code::ImageSize => "image_size",
            Code::TooManyImages => "too_many_images",
            Code::PickupCode => "pickup_code",
            Code::PolicyFixed => "policy_fixed",
        }
    }

    /// The parameters its text names.
    pub fn params(self) -> &'static [&'static str] {
        match self {
            Code::TooShort => &["min"],
            Code::TooLong
            | Code::TooManyAddresses
            | Code::QuantityRange
            | Code::QuantityMax
            | Code::PerPage
            | Code::CartFull => &["max"],
            Code::RefundRange | Code::ImageTooBig | Code::TooManyImages => &["max"],
            Code::ImageSize => &["min", "max"],
            Code::AmountAtLeast => &["min"],
            Code::AmountRange => &["min", "max"],
            Code::NotOurNumber => &["prefixes"],
            Code::TooManyNumbers => &["max"],
            Code::CouponBelowMinimum => &["min"],
            Code::CodeCount => &["max"],
            _ => &[],
        }
    }
}

/// One thing wrong with a field: its code and the values of the code's parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub code: Code,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, String>,
}

impl FieldError {
    /// `code` with the value of one of its parameters.
    #[must_use]
    pub fn with(mut self, name: &str, value: impl ToString) -> Self {
        self.params.insert(name.to_string(), value.to_string());
        self
    }
}

impl From<Code> for FieldError {
    fn from(code: Code) -> Self {
        FieldError { code, params: BTreeMap::new() }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code.as_str())?;
        for (name, value) in &self.params {
            write!(f, " {name}={value}")?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FieldErrors(BTreeMap<String, Vec<FieldError>>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn single(field: &str, error: impl Into<FieldError>) -> Self {
        let mut e = Self::new();
        e.add(field, error);
        e
    }

    pub fn add(&mut self, field: &str, error: impl Into<FieldError>) {
        self.0.entry(field.to_string()).or_default().push(error.into());
    }

    /// Adds every error of `other`.
    pub fn extend(&mut self, other: FieldErrors) {
        for (field, errors) in other.0 {
            self.0.entry(field).or_default().extend(errors);
        }
    }

    /// The same errors under other names (`address.phone` → `fulfillment.address.phone`).
    #[must_use]
    pub fn renamed(self, rename: impl Fn(&str) -> String) -> Self {
        Self(self.0.into_iter().map(|(field, errors)| (rename(&field), errors)).collect())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn fields(&self) -> &BTreeMap<String, Vec<FieldError>> {
        &self.0
    }

    /// The first error of `field`, as a form shows it.
    pub fn first(&self, field: &str) -> Option<&FieldError> {
        self.0.get(field).and_then(|e| e.first())
    }

    /// `Ok(())` when nothing was added, else the collected errors.
    pub fn into_result(self) -> Result<(), FieldErrors> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(self)
        }
    }
}

/// Codes only: for logs and command-line messages, never shown to shoppers.
impl fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|(field, errors)| {
                let codes: Vec<String> = errors.iter().map(ToString::to_string).collect();
                format!("{field}: {}", codes.join(", "))
            })
            .collect();
        f.write_str(&parts.join("; "))
    }
}

impl std::error::Error for FieldErrors {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_its_own_name() {
        let mut names: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Code::ALL.len());
    }

    #[test]
    fn errors_keep_their_code_and_parameters_through_storage() -> Result<(), serde_json::Error> {
        let mut e = FieldErrors::single("name", FieldError::from(Code::TooLong).with("max", 200));
        e.add("email", Code::Required);
        let json = serde_json::to_string(&e)?;
        assert_eq!(json, r#"{"email":[{"code":"required"}],"name":[{"code":"too_long","params":{"max":"200"}}]}"#);
        assert_eq!(serde_json::from_str::<FieldErrors>(&json)?, e);
        Ok(())
    }
}
