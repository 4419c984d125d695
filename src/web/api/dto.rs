//! Wire shapes of the API, as the contract names them.
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::catalog::{AttributesJson, Branch, BranchStock, Category, Product};
use crate::domain::shared::{Lang, Money, Page};

/// `{"amount": "12500.00", "currency": "MNT"}`
#[derive(Serialize, ToSchema)]
#[schema(as = Money)]
pub struct MoneySchema {
    /// Decimal string with two decimals.
    #[schema(example = "12500.00")]
    pub amount: String,
    #[schema(example = "MNT")]
    pub currency: String,
}

#[derive(Serialize, ToSchema)]
pub struct CategoryDto<'a> {
    pub id: Uuid,
    pub slug: &'a str,
    pub name: &'a str,
    pub parent_id: Option<Uuid>,
}

impl<'a> CategoryDto<'a> {
    pub fn new(c: &'a Category, lang: Lang) -> Self {
        Self { id: c.id, slug: &c.slug, name: c.name.get(lang), parent_id: c.parent_id }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ProductDto<'a> {
    pub id: Uuid,
    pub slug: &'a str,
    /// device, number, esim, data_pack, top_up, plan or service.
    #[schema(example = "device")]
    pub kind: &'static str,
    pub name: &'a str,
    pub description: &'a str,
    pub category_id: Uuid,
    #[schema(value_type = MoneySchema)]
    pub price: Money,
    /// By kind: device `{specs}`; number `{tier}`; esim `{}`; top_up `{free_amount, min_amount?,
    /// max_amount?}`; data_pack `{data_mb, validity_days}`; plan `{minutes, sms, data_mb, units,
    /// validity_days}`; service `{service}`.
    #[schema(value_type = Object)]
    pub attributes: &'a AttributesJson,
    /// Can be bought now: a device in stock at some branch; other kinds always.
    pub available: bool,
    /// Its first picture, if staff gave it one (an extension; absent otherwise, so a product
    /// without one keeps the contract's exact shape).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageDto<'a>>,
}

/// A product picture: its alternative text and its files, narrowest first (an extension).
#[derive(Serialize, ToSchema)]
pub struct ImageDto<'a> {
    pub alt: &'a str,
    pub width: i32,
    pub height: i32,
    pub files: Vec<ImageFileDto<'a>>,
}

#[derive(Serialize, ToSchema)]
pub struct ImageFileDto<'a> {
    pub width: i32,
    #[schema(example = "/media/3f2a….jpg")]
    pub url: &'a str,
}

impl<'a> ProductDto<'a> {
    pub fn new(p: &'a Product, lang: Lang) -> Self {
        let s = &p.summary;
        Self {
            id: s.id.into(),
            slug: &s.slug,
            kind: s.kind.as_str(),
            name: s.name.get(lang),
            description: p.description.get(lang),
            category_id: p.category_id,
            price: s.price,
            attributes: &p.attributes,
            available: s.available,
            image: s.cover.as_ref().map(|c| ImageDto {
                alt: c.alt.get(lang),
                width: c.width,
                height: c.height,
                files: c.files.iter().map(|(width, url)| ImageFileDto { width: *width, url }).collect(),
            }),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ProductPage<'a> {
    pub items: Vec<ProductDto<'a>>,
    pub page: u32,
    pub per_page: u32,
    pub total: i64,
}

impl<'a> ProductPage<'a> {
    pub fn new(page: &'a Page<Product>, lang: Lang) -> Self {
        Self {
            items: page.items.iter().map(|p| ProductDto::new(p, lang)).collect(),
            page: page.page,
            per_page: page.per_page,
            total: page.total,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AvailabilityDto<'a> {
    pub branch_id: Uuid,
    pub branch_name: &'a str,
    pub quantity: i32,
    /// Whether shoppers may collect at this branch.
    pub pickup: bool,
}

impl<'a> AvailabilityDto<'a> {
    pub fn new(s: &'a BranchStock, lang: Lang) -> Self {
        Self {
            branch_id: s.branch.id,
            branch_name: s.branch.name.get(lang),
            quantity: s.quantity,
            pickup: s.branch.pickup,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct BranchDto<'a> {
    pub id: Uuid,
    pub name: &'a str,
    pub address: &'a str,
    pub opening_hours: &'a str,
    pub pickup: bool,
    /// Exactly one branch ships home deliveries.
    pub delivery_warehouse: bool,
}

impl<'a> BranchDto<'a> {
    pub fn new(b: &'a Branch, lang: Lang) -> Self {
        Self {
            id: b.id,
            name: b.name.get(lang),
            address: b.address.get(lang),
            opening_hours: b.opening_hours.get(lang),
            pickup: b.pickup,
            delivery_warehouse: b.delivery_warehouse,
        }
    }
}

/// Cart, order and payment totals.
#[derive(Serialize, ToSchema)]
pub struct TotalsDto {
    #[schema(value_type = MoneySchema)]
    pub subtotal: Money,
    #[schema(value_type = MoneySchema)]
    pub discount: Money,
    /// The delivery fee (a cart shows it while it holds goods; pickup is free).
    #[schema(value_type = MoneySchema)]
    pub shipping: Money,
    #[schema(value_type = MoneySchema)]
    pub total: Money,
}

impl TotalsDto {
    pub fn new(t: &crate::domain::cart::Totals) -> Self {
        Self { subtotal: t.subtotal, discount: t.discount, shipping: t.shipping, total: t.total }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CartItemDto<'a> {
    pub id: Uuid,
    pub product_id: Uuid,
    #[schema(example = "device")]
    pub kind: &'static str,
    pub name: &'a str,
    pub quantity: i32,
    #[schema(value_type = MoneySchema)]
    pub unit_price: Money,
    #[schema(value_type = MoneySchema)]
    pub total: Money,
    /// The number a top-up, data pack, plan or service is for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub msisdn: Option<&'a str>,
    /// The number a number or eSIM line buys, held for this cart.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<&'a str>,
    /// A number line: `later`, `esim` or `physical` (an extension of the contract).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activation: Option<&'static str>,
    /// When the hold on `number` ends. `null` on a number line whose hold another cart took over
    /// after it ran out (checkout then answers 409 `number_lost`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hold_expires_at: Option<Option<chrono::DateTime<chrono::Utc>>>,
    /// This line's share of the codes' discount; `total` is before it (an extension).
    #[schema(value_type = MoneySchema)]
    pub discount: Money,
}

/// Why a code the cart carries takes nothing now.
#[derive(Serialize, ToSchema)]
pub struct CouponProblemDto {
    /// A stable code (`coupon_expired`, `coupon_below_minimum`, …).
    pub code: &'static str,
    /// The same in the request's language.
    pub message: String,
}

/// What one code takes off (an extension of the contract).
#[derive(Serialize, ToSchema)]
pub struct CouponLineDto<'a> {
    pub code: &'a str,
    #[schema(value_type = MoneySchema)]
    pub discount: Money,
    /// Present when the code takes nothing now (the cart or the campaign changed since it was
    /// applied): checkout then answers with the same refusal until the code is removed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<CouponProblemDto>,
}

#[derive(Serialize, ToSchema)]
pub struct CartDto<'a> {
    pub id: Uuid,
    pub items: Vec<CartItemDto<'a>>,
    /// The codes applied, upper-case.
    pub coupons: &'a [String],
    /// What each code takes off, in the order applied (an extension).
    pub coupon_details: Vec<CouponLineDto<'a>>,
    pub totals: TotalsDto,
    pub needs_shipping: bool,
}

impl<'a> CartDto<'a> {
    pub fn new(c: &'a crate::domain::cart::CartView, lang: Lang) -> Self {
        Self {
            id: c.id.into(),
            items: c
                .lines
                .iter()
                .map(|l| CartItemDto {
                    id: l.id.into(),
                    product_id: l.product_id.into(),
                    kind: l.kind.as_str(),
                    name: l.name.get(lang),
                    quantity: l.quantity,
                    unit_price: l.unit_price,
                    total: l.total,
                    msisdn: l.msisdn.as_ref().map(|m| m.as_str()),
                    number: l.number.as_ref().map(|m| m.as_str()),
                    activation: l.activation.map(|a| a.as_str()),
                    hold_expires_at: l.number.as_ref().map(|_| l.hold_expires_at),
                    discount: l.discount,
                })
                .collect(),
            coupons: &c.coupons,
            coupon_details: c
                .coupon_lines
                .iter()
                .map(|a| CouponLineDto {
                    code: a.code.as_str(),
                    discount: a.amount,
                    problem: a.refusal.map(|r| CouponProblemDto {
                        code: r.code().as_str(),
                        message: crate::i18n::Tr(lang).field(&r.field_error()),
                    }),
                })
                .collect(),
            totals: TotalsDto::new(&c.totals),
            needs_shipping: c.needs_shipping,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct OrderItemDto<'a> {
    pub id: Uuid,
    pub product_id: Uuid,
    pub kind: &'static str,
    pub name: &'a str,
    pub quantity: i32,
    #[schema(value_type = MoneySchema)]
    pub unit_price: Money,
    #[schema(value_type = MoneySchema)]
    pub total: Money,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub msisdn: Option<&'a str>,
    /// The number a number or eSIM line bought.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<&'a str>,
    /// later, esim or physical (a number line).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activation: Option<&'static str>,
    /// pending, in_progress, done or failed.
    pub fulfillment_status: &'static str,
    /// This line's share of the order's discount; `total` is before it (an extension).
    #[schema(value_type = MoneySchema)]
    pub discount: Money,
}

#[derive(Serialize, ToSchema)]
pub struct DeliveryAddressDto<'a> {
    pub name: &'a str,
    pub phone: &'a str,
    pub city: &'a str,
    pub district: &'a str,
    pub line1: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line2: Option<&'a str>,
}

/// How the goods travel: `{method: "delivery", address, branch_id (the warehouse), tracking_number}`
/// or `{method: "pickup", branch_id, branch_name, branch_address, opening_hours}`; `null` for
/// orders with nothing physical.
#[derive(Serialize, ToSchema)]
pub struct FulfillmentDto<'a> {
    /// delivery or pickup.
    pub method: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<DeliveryAddressDto<'a>>,
    pub branch_id: Uuid,
    pub branch_name: &'a str,
    pub branch_address: &'a str,
    pub opening_hours: &'a str,
    pub tracking_number: Option<&'a str>,
}

#[derive(Serialize, ToSchema)]
pub struct OrderEventDto<'a> {
    /// The state the order entered.
    pub status: &'static str,
    /// customer, staff, payment or system.
    pub actor: &'a str,
    pub note: Option<&'a str>,
    pub at: chrono::DateTime<chrono::Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct OrderDto<'a> {
    pub id: Uuid,
    /// Human-readable, `TS-001001`.
    pub number: &'a str,
    /// pending_payment, paid, fulfilling, shipped, ready_for_pickup, completed, cancelled, refunded.
    pub status: &'static str,
    pub items: Vec<OrderItemDto<'a>>,
    pub totals: TotalsDto,
    /// The coupon codes that took the discount (an extension).
    pub coupons: &'a [String],
    pub fulfillment: Option<FulfillmentDto<'a>>,
    /// unpaid, paid, partially_refunded, refunded.
    pub payment_status: &'static str,
    #[schema(value_type = MoneySchema)]
    pub refunded_total: Money,
    pub email: &'a str,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// Until when an unpaid order waits for payment.
    pub expires_at: chrono::DateTime<chrono::Utc>,
    /// Every state the order went through, oldest first (single orders only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub timeline: Vec<OrderEventDto<'a>>,
}

impl<'a> OrderDto<'a> {
    pub fn new(o: &'a crate::domain::orders::Order, lang: Lang) -> Self {
        use crate::domain::orders::Fulfillment;
        let fulfillment = match &o.fulfillment {
            Fulfillment::None => None,
            Fulfillment::Delivery { address, from } => Some(FulfillmentDto {
                method: "delivery",
                address: Some(DeliveryAddressDto {
                    name: &address.name,
                    phone: &address.phone,
                    city: &address.city,
                    district: &address.district,
                    line1: &address.line1,
                    line2: address.line2.as_deref(),
                }),
                branch_id: from.id,
                branch_name: from.name.get(lang),
                branch_address: from.address.get(lang),
                opening_hours: from.opening_hours.get(lang),
                tracking_number: o.tracking_number.as_deref(),
            }),
            Fulfillment::Pickup { branch } => Some(FulfillmentDto {
                method: "pickup",
                address: None,
                branch_id: branch.id,
                branch_name: branch.name.get(lang),
                branch_address: branch.address.get(lang),
                opening_hours: branch.opening_hours.get(lang),
                tracking_number: None,
            }),
        };
        Self {
            id: o.id.into(),
            number: &o.number,
            status: o.status.as_str(),
            items: o
                .items
                .iter()
                .map(|i| OrderItemDto {
                    id: i.id.into(),
                    product_id: i.product_id.into(),
                    kind: i.kind.as_str(),
                    name: i.name.get(lang),
                    quantity: i.quantity,
                    unit_price: i.unit_price,
                    total: i.total,
                    msisdn: i.msisdn.as_ref().map(|m| m.as_str()),
                    number: i.number.as_ref().map(|m| m.as_str()),
                    activation: i.activation.map(|a| a.as_str()),
                    fulfillment_status: i.fulfillment_status.as_str(),
                    discount: i.discount,
                })
                .collect(),
            totals: TotalsDto::new(&o.totals),
            coupons: &o.coupons,
            fulfillment,
            payment_status: o.payment_status.as_str(),
            refunded_total: o.refunded_total,
            email: &o.email,
            created_at: o.created_at,
            expires_at: o.expires_at,
            timeline: o
                .events
                .iter()
                .map(|e| OrderEventDto { status: e.to.as_str(), actor: &e.actor, note: e.note.as_deref(), at: e.at })
                .collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct OrderPage<'a> {
    pub items: Vec<OrderDto<'a>>,
    pub page: u32,
    pub per_page: u32,
    pub total: i64,
}

impl<'a> OrderPage<'a> {
    pub fn new(p: &'a Page<crate::domain::orders::Order>, lang: Lang) -> Self {
        Self {
            items: p.items.iter().map(|o| OrderDto::new(o, lang)).collect(),
            page: p.page,
            per_page: p.per_page,
            total: p.total,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PaymentDto<'a> {
    pub id: Uuid,
    pub order_id: Uuid,
    /// pending, succeeded, failed or refunded.
    pub status: &'static str,
    #[schema(value_type = MoneySchema)]
    pub amount: Money,
    #[schema(example = "sandbox")]
    pub provider: &'a str,
    /// Where to send the shopper to pay (the provider's hosted page).
    pub redirect_url: String,
}

impl<'a> PaymentDto<'a> {
    pub fn new(
        p: &'a crate::domain::payments::Payment,
        provider: &dyn crate::domain::payments::PaymentProvider,
    ) -> Self {
        Self {
            id: p.id.into(),
            order_id: p.order_id.into(),
            status: p.status.as_str(),
            amount: p.amount,
            provider: &p.provider,
            redirect_url: provider.redirect_url(p.id),
        }
    }
}
