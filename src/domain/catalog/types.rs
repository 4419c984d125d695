//! Catalog read models and parsed inputs.
use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde_json::Value;
use std::str::FromStr;
use uuid::Uuid;

use super::CatalogError;
use crate::domain::shared::ProductId;
use crate::domain::shared::{Code, FieldError};
use crate::domain::shared::{FieldErrors, Localized, Money, PageRequest};

/// What a product is; decides what the buyer must give and how it is fulfilled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum ProductKind {
    Device,
    Number,
    Esim,
    DataPack,
    TopUp,
    Plan,
    Service,
}

impl ProductKind {
    pub const ALL: [ProductKind; 7] = [
        ProductKind::Device,
        ProductKind::Number,
        ProductKind::Esim,
        ProductKind::DataPack,
        ProductKind::TopUp,
        ProductKind::Plan,
        ProductKind::Service,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ProductKind::Device => "device",
            ProductKind::Number => "number",
            ProductKind::Esim => "esim",
            ProductKind::DataPack => "data_pack",
            ProductKind::TopUp => "top_up",
            ProductKind::Plan => "plan",
            ProductKind::Service => "service",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Physical goods have stock per branch and are delivered or picked up.
    pub fn is_physical(self) -> bool {
        self == ProductKind::Device
    }
}

crate::db::text_enum!(ProductKind, "product kind");

/// Number tiers, each with its own price (the tier's number product).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, diesel::expression::AsExpression, diesel::deserialize::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum Tier {
    Ordinary,
    Silver,
    Gold,
    Platinum,
}

impl Tier {
    pub const ALL: [Tier; 4] = [Tier::Ordinary, Tier::Silver, Tier::Gold, Tier::Platinum];

    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Ordinary => "ordinary",
            Tier::Silver => "silver",
            Tier::Gold => "gold",
            Tier::Platinum => "platinum",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

crate::db::text_enum!(Tier, "number tier");

/// The kind-specific details of a product, parsed from its `attributes`.
#[derive(Debug, Clone, PartialEq)]
pub enum ProductAttributes {
    Device { specs: BTreeMap<String, String> },
    Number { tier: Tier },
    Esim,
    DataPack { data_mb: i64, validity_days: i64 },
    TopUp { free_amount: bool, min_amount: Option<Money>, max_amount: Option<Money> },
    Plan { minutes: i64, sms: i64, data_mb: i64, units: i64, validity_days: i64 },
    Service { service: String },
}

impl ProductAttributes {
    /// Reads the stored JSON for a product of `kind`.
    ///
    /// # Errors
    /// The first field that is missing or of the wrong type.
    pub fn from_json(kind: ProductKind, v: &Value) -> Result<Self, FieldErrors> {
        let int = |k: &str| -> Result<i64, FieldErrors> {
            v.get(k)
                .and_then(Value::as_i64)
                .filter(|n| *n >= 0)
                .ok_or_else(|| FieldErrors::single(&format!("attributes.{k}"), Code::WholeNumber))
        };
        let money = |k: &str| -> Result<Option<Money>, FieldErrors> {
            match v.get(k) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => s.parse().map(|d| Some(Money::mnt(d))).map_err(|_| bad_amount(k)),
                Some(Value::Number(n)) => n.to_string().parse().map(|d| Some(Money::mnt(d))).map_err(|_| bad_amount(k)),
                Some(_) => Err(bad_amount(k)),
            }
        };
        Ok(match kind {
            ProductKind::Device => {
                let specs = match v.get("specs") {
                    None | Some(Value::Null) => BTreeMap::new(),
                    Some(Value::Object(map)) => map
                        .iter()
                        .map(|(k, val)| {
                            let text = match val {
                                Value::String(s) => s.clone(),
                                other => other.to_string(),
                            };
                            (k.clone(), text)
                        })
                        .collect(),
                    Some(_) => return Err(FieldErrors::single("attributes.specs", Code::JsonObject)),
                };
                ProductAttributes::Device { specs }
            }
            ProductKind::Number => {
                let tier = v
                    .get("tier")
                    .and_then(Value::as_str)
                    .and_then(Tier::parse)
                    .ok_or_else(|| FieldErrors::single("attributes.tier", Code::Tier))?;
                ProductAttributes::Number { tier }
            }
            ProductKind::Esim => ProductAttributes::Esim,
            ProductKind::DataPack => {
                ProductAttributes::DataPack { data_mb: int("data_mb")?, validity_days: int("validity_days")? }
            }
            ProductKind::TopUp => ProductAttributes::TopUp {
                free_amount: v.get("free_amount").and_then(Value::as_bool).unwrap_or(false),
                min_amount: money("min_amount")?,
                max_amount: money("max_amount")?,
            },
            ProductKind::Plan => ProductAttributes::Plan {
                minutes: int("minutes")?,
                sms: int("sms")?,
                data_mb: int("data_mb")?,
                units: int("units")?,
                validity_days: int("validity_days")?,
            },
            ProductKind::Service => ProductAttributes::Service {
                service: v
                    .get("service")
                    .and_then(Value::as_str)
                    .filter(|s| *s == "esim_reissue")
                    .ok_or_else(|| FieldErrors::single("attributes.service", Code::Service))?
                    .to_string(),
            },
        })
    }
}

fn bad_amount(k: &str) -> FieldErrors {
    FieldErrors::single(&format!("attributes.{k}"), Code::Decimal)
}

#[derive(Debug, Clone, PartialEq)]
pub struct Category {
    pub id: Uuid,
    pub slug: String,
    pub parent_id: Option<Uuid>,
    pub name: Localized,
}

/// All categories, in display order, with the walk from a category to its descendants.
#[derive(Debug, Clone, Default)]
pub struct CategoryTree {
    pub categories: Vec<Category>,
}

impl CategoryTree {
    pub fn find(&self, slug: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.slug == slug)
    }

    /// The category with `id` and its ancestors, the root first.
    pub fn path(&self, id: Uuid) -> Vec<&Category> {
        let mut out = Vec::new();
        let mut next = Some(id);
        while let Some(id) = next {
            // A loop in the parents (only a hand edit could make one) ends the walk.
            let Some(c) = self.categories.iter().find(|c| c.id == id).filter(|_| out.len() < 8) else { break };
            out.push(c);
            next = c.parent_id;
        }
        out.reverse();
        out
    }

    pub fn roots(&self) -> impl Iterator<Item = &Category> {
        self.categories.iter().filter(|c| c.parent_id.is_none())
    }

    pub fn children<'a>(&'a self, id: Uuid) -> impl Iterator<Item = &'a Category> + 'a {
        self.categories.iter().filter(move |c| c.parent_id == Some(id))
    }
}

/// What a product card shows: enough to list it, nothing more.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductSummary {
    pub id: ProductId,
    pub slug: String,
    pub kind: ProductKind,
    pub name: Localized,
    pub price: Money,
    pub featured: bool,
    /// Can be bought now: a device with stock somewhere; other kinds always.
    pub available: bool,
    /// Its first picture, if staff gave it one.
    pub cover: Option<super::images::ProductImage>,
}

/// A product with its description and kind-specific attributes.
#[derive(Debug, Clone, PartialEq)]
pub struct Product {
    pub summary: ProductSummary,
    pub category_id: Uuid,
    pub description: Localized,
    pub attributes: AttributesJson,
}

impl Product {
    /// The typed details, or `None` when the stored JSON does not fit the kind (shown without them).
    pub fn details(&self) -> Option<ProductAttributes> {
        self.attributes.parse(self.summary.kind).ok()
    }
}

/// A product's `attributes` as stored: the text of a JSON object. The API passes it through
/// untouched; only a page that shows the details parses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributesJson(String);

impl AttributesJson {
    pub fn new(json_text: String) -> Self {
        Self(json_text)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// # Errors
    /// The first field that does not fit `kind`, or `attributes` itself when it is not JSON.
    pub fn parse(&self, kind: ProductKind) -> Result<ProductAttributes, FieldErrors> {
        let value: Value =
            serde_json::from_str(&self.0).map_err(|_| FieldErrors::single("attributes", Code::JsonObject))?;
        ProductAttributes::from_json(kind, &value)
    }
}

impl serde::Serialize for AttributesJson {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let raw: &serde_json::value::RawValue = serde_json::from_str(&self.0).map_err(serde::ser::Error::custom)?;
        raw.serialize(serializer)
    }
}

/// A product named by its UUID or its slug, as `/products/{id or slug}` allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProductRef {
    Id(ProductId),
    Slug(String),
}

/// Whether `s` could be a slug at all: lower-case letters, digits and single hyphens.
pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 100
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
}

impl ProductRef {
    /// A UUID or a well-formed slug.
    ///
    /// # Errors
    /// `ProductNotFound` for anything else: no product can have that name.
    pub fn parse(s: &str) -> Result<Self, CatalogError> {
        match Uuid::parse_str(s) {
            Ok(id) => Ok(ProductRef::Id(ProductId::from_uuid(id))),
            Err(_) if is_slug(s) => Ok(ProductRef::Slug(s.to_string())),
            Err(_) => Err(CatalogError::ProductNotFound),
        }
    }
}

pub const MAX_QUERY_CHARS: usize = 100;

/// The order a list is shown in; `Shop` (the default) is the staff's order, or nearest first
/// for a search.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProductSort {
    #[default]
    Shop,
    PriceAsc,
    PriceDesc,
    Newest,
    Popular,
}

impl ProductSort {
    pub const ALL: [ProductSort; 5] =
        [ProductSort::Shop, ProductSort::PriceAsc, ProductSort::PriceDesc, ProductSort::Newest, ProductSort::Popular];

    pub fn as_str(self) -> &'static str {
        match self {
            ProductSort::Shop => "",
            ProductSort::PriceAsc => "price_asc",
            ProductSort::PriceDesc => "price_desc",
            ProductSort::Newest => "newest",
            ProductSort::Popular => "popular",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }
}

/// A parsed `/products` query: filters, search, order and the page wanted.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProductFilter {
    pub category: Option<String>,
    pub kind: Option<ProductKind>,
    pub q: Option<String>,
    pub page: PageRequest,
    pub sort: ProductSort,
    /// Prices (VAT included) from and to, in tögrög.
    pub min_price: Option<Decimal>,
    pub max_price: Option<Decimal>,
    /// Only what can be bought now (a device in stock somewhere).
    pub in_stock: bool,
}

/// The refinements of a list as the query string gives them.
#[derive(Debug, Clone, Copy, Default)]
pub struct RawRefinements<'a> {
    pub sort: Option<&'a str>,
    pub min_price: Option<&'a str>,
    pub max_price: Option<&'a str>,
    pub in_stock: Option<&'a str>,
}

impl ProductFilter {
    /// Parses the raw query values; empty values mean "no filter".
    ///
    /// # Errors
    /// Every field that is malformed: an unknown kind, a category that is no slug,
    /// a search of more than 100 characters, a page out of range.
    pub fn parse(
        category: Option<&str>,
        kind: Option<&str>,
        q: Option<&str>,
        page: Option<&str>,
        per_page: Option<&str>,
    ) -> Result<Self, FieldErrors> {
        Self::parse_refined(category, kind, q, page, per_page, RawRefinements::default())
    }

    /// [`parse`](Self::parse) with the order, the price range and "in stock only".
    ///
    /// # Errors
    /// Those of `parse`, and `sort` (`sort_order`), `min_price`/`max_price` (`decimal` for no
    /// whole amount of 0 or more, `price_range` for a top below the bottom), `in_stock`.
    pub fn parse_refined(
        category: Option<&str>,
        kind: Option<&str>,
        q: Option<&str>,
        page: Option<&str>,
        per_page: Option<&str>,
        refine: RawRefinements<'_>,
    ) -> Result<Self, FieldErrors> {
        fn blank(s: Option<&str>) -> Option<&str> {
            s.map(str::trim).filter(|s| !s.is_empty())
        }
        let mut errors = FieldErrors::new();
        let sort = match blank(refine.sort) {
            None => ProductSort::Shop,
            Some(raw) => ProductSort::parse(raw).unwrap_or_else(|| {
                errors.add("sort", Code::SortOrder);
                ProductSort::Shop
            }),
        };
        let mut price = |raw: Option<&str>, field: &str| {
            let raw = blank(raw)?;
            match Decimal::from_str(raw.replace([',', ' '], "").trim_start_matches('₮')) {
                Ok(d) if d >= Decimal::ZERO => Some(d),
                _ => {
                    errors.add(field, Code::Decimal);
                    None
                }
            }
        };
        let (min_price, max_price) = (price(refine.min_price, "min_price"), price(refine.max_price, "max_price"));
        if let (Some(lo), Some(hi)) = (min_price, max_price) {
            if hi < lo {
                errors.add("max_price", Code::PriceRange);
            }
        }
        let in_stock = match blank(refine.in_stock) {
            None | Some("0" | "false" | "off") => false,
            Some("1" | "true" | "on") => true,
            Some(_) => {
                errors.add("in_stock", Code::Format);
                false
            }
        };
        let category = blank(category).map(str::to_string);
        if let Some(c) = &category {
            if !is_slug(c) {
                errors.add("category", Code::UnknownCategory);
            }
        }
        let kind = match blank(kind) {
            None => None,
            Some(k) => {
                let parsed = ProductKind::parse(k);
                if parsed.is_none() {
                    errors.add("kind", Code::UnknownKind);
                }
                parsed
            }
        };
        let q = blank(q).map(str::to_string);
        if q.as_ref().is_some_and(|q| q.chars().count() > MAX_QUERY_CHARS) {
            errors.add("q", FieldError::from(Code::TooLong).with("max", MAX_QUERY_CHARS));
        } else if q.as_ref().is_some_and(|q| q.chars().any(char::is_control)) {
            errors.add("q", Code::ControlCharacters);
        }
        let page = match PageRequest::parse(page, per_page) {
            Ok(p) => p,
            Err(e) => {
                for (field, msgs) in e.fields() {
                    for m in msgs {
                        errors.add(field, m.clone());
                    }
                }
                PageRequest::default()
            }
        };
        errors.into_result().map(|()| Self { category, kind, q, page, sort, min_price, max_price, in_stock })
    }

    /// The search words, lower-cased (at most eight).
    pub fn search_words(&self) -> Vec<String> {
        let Some(q) = &self.q else { return Vec::new() };
        q.split_whitespace().take(8).map(str::to_lowercase).collect()
    }

    pub fn is_filtered(&self) -> bool {
        self.category.is_some()
            || self.kind.is_some()
            || self.q.is_some()
            || self.sort != ProductSort::Shop
            || self.min_price.is_some()
            || self.max_price.is_some()
            || self.in_stock
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Branch {
    pub id: Uuid,
    pub slug: String,
    pub name: Localized,
    pub address: Localized,
    pub opening_hours: Localized,
    pub pickup: bool,
    pub delivery_warehouse: bool,
    /// The hours as a program reads them; `None` where staff have not set them.
    pub hours: Option<Hours>,
}

/// A branch's working week as a program reads it: open the first `open_days` days of the week
/// counted from Monday, from `opens` to `closes`, Ulaanbaatar time (rules in `hours`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hours {
    pub open_days: u8,
    pub opens: chrono::NaiveTime,
    pub closes: chrono::NaiveTime,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BranchStock {
    pub branch: Branch,
    pub quantity: i32,
}

impl BranchStock {
    /// A shopper can collect one here: the branch takes collections and holds one.
    pub fn collectable(&self) -> bool {
        self.quantity > 0 && self.branch.pickup
    }

    /// One can be delivered from here: the delivery warehouse, holding one.
    pub fn deliverable(&self) -> bool {
        self.quantity > 0 && self.branch.delivery_warehouse
    }
}

/// How many products of a kind the shop lists (home page tiles).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindCount {
    pub kind: ProductKind,
    pub count: i64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn kinds_round_trip() {
        for k in ProductKind::ALL {
            assert_eq!(ProductKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(ProductKind::parse("Device"), None);
        assert!(ProductKind::Device.is_physical() && !ProductKind::TopUp.is_physical());
    }

    #[test]
    fn filter_parses_and_reports_every_bad_field() -> Result<(), Box<dyn std::error::Error>> {
        let f = ProductFilter::parse(Some("routers"), Some("device"), Some(" 5G "), Some("2"), Some("10"))?;
        assert_eq!(f.kind, Some(ProductKind::Device));
        assert_eq!(f.q.as_deref(), Some("5G"));
        assert_eq!(f.page, PageRequest { page: 2, per_page: 10 });
        let empty = ProductFilter::parse(Some(""), Some(""), Some("  "), None, None)?;
        assert!(!empty.is_filtered());
        let e = ProductFilter::parse(Some("Bad Slug"), Some("toaster"), Some(&"x".repeat(101)), Some("0"), Some("500"))
            .unwrap_err();
        let fields: Vec<_> = e.fields().keys().map(String::as_str).collect();
        assert_eq!(fields, ["category", "kind", "page", "per_page", "q"]);
        Ok(())
    }

    #[test]
    fn product_refs_are_ids_or_well_formed_slugs() {
        assert!(matches!(ProductRef::parse("zte-mf286"), Ok(ProductRef::Slug(_))));
        assert!(matches!(ProductRef::parse("00000000-0000-0000-0000-000000000001"), Ok(ProductRef::Id(_))));
        for bad in ["", "Bad", "a\u{0}b", "-a", "a-", "a--b", "рүүтер", &"a".repeat(101)] {
            assert!(ProductRef::parse(bad).is_err(), "{bad:?}");
        }
        let e = ProductFilter::parse(None, None, Some("a\u{0}b"), None, None).unwrap_err();
        assert!(e.fields().contains_key("q"));
    }

    #[test]
    fn search_words_are_lower_cased_and_at_most_eight() {
        let f = ProductFilter { q: Some("5G Роутер 100%_".into()), ..Default::default() };
        assert_eq!(f.search_words(), ["5g", "роутер", "100%_"]);
        let long = ProductFilter { q: Some("a b c d e f g h i j".into()), ..Default::default() };
        assert_eq!(long.search_words().len(), 8);
    }

    #[test]
    fn attributes_parse_by_kind() -> Result<(), Box<dyn std::error::Error>> {
        let plan = ProductAttributes::from_json(
            ProductKind::Plan,
            &json!({"minutes": 300, "sms": 300, "data_mb": 5120, "units": 5000, "validity_days": 30}),
        )?;
        assert!(matches!(plan, ProductAttributes::Plan { data_mb: 5120, .. }));
        let e = ProductAttributes::from_json(ProductKind::Plan, &json!({"minutes": "many"})).unwrap_err();
        assert!(e.fields().contains_key("attributes.minutes"));
        let top = ProductAttributes::from_json(
            ProductKind::TopUp,
            &json!({"free_amount": true, "min_amount": "500", "max_amount": 500000}),
        )?;
        assert!(matches!(
            top,
            ProductAttributes::TopUp { free_amount: true, min_amount: Some(_), max_amount: Some(_) }
        ));
        assert!(ProductAttributes::from_json(ProductKind::Number, &json!({"tier": "diamond"})).is_err());
        Ok(())
    }
}
