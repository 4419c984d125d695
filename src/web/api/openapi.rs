//! The OpenAPI document, generated from the handlers' annotations.
use utoipa::OpenApi;

use super::dto::{AvailabilityDto, BranchDto, CategoryDto, MoneySchema, ProductDto, ProductPage};
use super::dto::{
    CartDto, CartItemDto, DeliveryAddressDto, FulfillmentDto, OrderDto, OrderEventDto, OrderItemDto, OrderPage,
    PaymentDto, TotalsDto,
};
use super::{
    admin_audit, admin_campaigns, admin_catalog, admin_jobs, admin_orders, auth, carts, catalog, me, me_numbers,
    numbers, orders,
};
use crate::web::error::Problem;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Storefront API",
        version = "1.0.0",
        description = "The JSON API of the operator's shop for partner apps and headless clients. \
            Money is `{amount, currency}` with the amount as a decimal string in MNT. Errors are \
            RFC 9457 problem+json with a stable `code` and, for 422, `errors` per field. Names and \
            descriptions come in Mongolian unless `?lang=en` or `Accept-Language: en` asks otherwise."
    ),
    paths(
        catalog::list_categories,
        catalog::list_products,
        catalog::get_product,
        catalog::product_availability,
        catalog::list_branches,
        numbers::search_numbers,
        numbers::import_numbers,
        numbers::import_sim_cards,
        numbers::import_esim_profiles,
        numbers::number_record,
        auth::register,
        auth::issue_token,
        auth::revoke_token,
        auth::me,
        me::update_me,
        me::change_password,
        me::list_addresses,
        me::add_address,
        me::update_address,
        me::delete_address,
        me_numbers::my_numbers,
        me_numbers::activate,
        me_numbers::esim_qr,
        carts::create_cart,
        carts::get_cart,
        carts::add_item,
        carts::update_item,
        carts::remove_item,
        carts::apply_coupon,
        carts::remove_coupon,
        carts::checkout,
        orders::list_orders,
        orders::get_order,
        orders::cancel_order,
        orders::pay_order,
        orders::simulate_payment,
        orders::provider_webhook,
        admin_jobs::list_jobs,
        admin_jobs::retry_job,
        admin_orders::list_orders,
        admin_orders::get_order,
        admin_orders::transition_order,
        admin_orders::refund_order,
        admin_audit::list_audit,
        admin_catalog::create_product,
        admin_catalog::update_product,
        admin_catalog::create_branch,
        admin_catalog::set_stock,
        admin_campaigns::create_campaign,
        admin_campaigns::get_campaign,
        admin_campaigns::add_codes,
        admin_campaigns::list_codes,
        admin_campaigns::campaign_stats,
        admin_campaigns::free_code,
    ),
    components(schemas(admin_audit::AuditEntryDto, admin_audit::AuditPage, admin_catalog::ProductBody, admin_catalog::AdminProductDto, admin_catalog::LocalizedDto, admin_catalog::BranchBody, admin_catalog::AdminBranchDto, admin_catalog::StockBody, admin_catalog::StockDto, admin_campaigns::CampaignBody, admin_campaigns::DiscountBody, admin_campaigns::AppliesToBody, admin_campaigns::CampaignDto, admin_campaigns::DiscountDto, admin_campaigns::AppliesToDto, admin_campaigns::CodesBody, admin_campaigns::CodeDto, admin_campaigns::CodesDto, admin_campaigns::CodePage, admin_campaigns::StatsDto, admin_campaigns::DayDto, admin_campaigns::FreedDto, carts::ItemBody, carts::CouponBody, super::dto::CouponLineDto, super::dto::CouponProblemDto, carts::QuantityBody, carts::CheckoutBody, carts::FulfillmentBody, crate::web::address_fields::AddressFields, carts::CheckoutDto, orders::SimulateBody, admin_orders::TransitionBody, admin_orders::RefundBody, CartDto, CartItemDto, TotalsDto, OrderDto, OrderItemDto, OrderEventDto, OrderPage, FulfillmentDto, DeliveryAddressDto, PaymentDto, me::ProfileBody, me::PasswordBody, me::AddressBody, me::AddressDto, admin_jobs::JobDto, admin_jobs::JobPage, numbers::NumberDto, numbers::NumberPage, numbers::ImportReportDto, numbers::ImportErrorDto, auth::RegisterBody, auth::TokenBody, auth::AccountDto, auth::TokenDto, MoneySchema, CategoryDto, ProductDto, super::dto::ImageDto, super::dto::ImageFileDto, ProductPage, AvailabilityDto, BranchDto, Problem)),
    modifiers(&BearerAuth),
    tags(
        (name = "catalog", description = "Categories, products, stock per branch, branches"),
        (name = "numbers", description = "The number picker: available numbers by pattern and tier"),
        (name = "accounts", description = "Registration, bearer tokens, the caller's account"),
        (name = "cart", description = "Carts for guests and customers, and checkout"),
        (name = "orders", description = "The caller's orders, tracking links, cancelling, paying again"),
        (name = "payments", description = "The payment provider's side: the sandbox's simulate and signed webhook"),
        (name = "admin", description = "Staff only: a staff or admin bearer token")
    )
)]
pub struct ApiDoc;

/// Declares the `bearer` security scheme the operations refer to.
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("An opaque token from POST /api/v1/auth/token"))
                    .build(),
            ),
        );
    }
}

pub fn document_json() -> String {
    ApiDoc::openapi().to_pretty_json().unwrap_or_else(|_| "{}".into())
}
