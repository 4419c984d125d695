//! HTTP: the route table, read top to bottom, and the middleware every response passes.
pub mod address_fields;
pub mod admin;
pub mod api;
pub mod assets;
pub mod catalog_query;
pub mod category_menu;
pub mod chart;
pub mod csrf;
pub mod csv;
pub mod error;
pub mod extract;
pub mod filters;
pub mod headers;
pub mod live;
pub mod media;
pub mod number_query;
pub mod order_query;
pub mod pages;
pub mod pdf;
pub mod qr;
pub mod render;
pub mod session;
pub mod state;

use actix_web::{web, Handler, Resource};

use self::error::AppError;
pub use self::headers::security_headers;

/// Request bodies above these answer 413.
pub const JSON_LIMIT: usize = 64 * 1024;
pub const FORM_LIMIT: usize = 64 * 1024;
pub const PAYLOAD_LIMIT: usize = 1024 * 1024;

async fn method_not_allowed() -> Result<actix_web::HttpResponse, AppError> {
    Err(AppError::MethodNotAllowed)
}

/// A GET resource that answers 405 to other methods instead of falling through to 404.
fn get<F, Args>(path: &str, handler: F) -> Resource
where
    F: Handler<Args>,
    Args: actix_web::FromRequest + 'static,
    F::Output: actix_web::Responder + 'static,
{
    web::resource(path).route(web::get().to(handler)).default_service(web::to(method_not_allowed))
}

/// A POST-only resource.
fn post<F, Args>(path: &str, handler: F) -> Resource
where
    F: Handler<Args>,
    Args: actix_web::FromRequest + 'static,
    F::Output: actix_web::Responder + 'static,
{
    web::resource(path).route(web::post().to(handler)).default_service(web::to(method_not_allowed))
}

/// A page with a form: GET shows it, POST submits it.
fn form_page<G, GArgs, P, PArgs>(path: &str, show: G, submit: P) -> Resource
where
    G: Handler<GArgs>,
    GArgs: actix_web::FromRequest + 'static,
    G::Output: actix_web::Responder + 'static,
    P: Handler<PArgs>,
    PArgs: actix_web::FromRequest + 'static,
    P::Output: actix_web::Responder + 'static,
{
    web::resource(path)
        .route(web::get().to(show))
        .route(web::post().to(submit))
        .default_service(web::to(method_not_allowed))
}

/// `/static/…`, served from the binary.
pub fn asset_routes(cfg: &mut web::ServiceConfig) {
    cfg.service(get("/static/{path:.*}", assets::serve))
        .service(get("/favicon.ico", assets::favicon))
        .service(get("/media/{name}", media::serve));
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    use self::admin::{
        audit as admin_audit_pages, branches as admin_branch_pages, campaigns as admin_campaign_pages,
        categories as admin_category_pages, customers as admin_customer_pages, dashboard, jobs as admin_job_pages,
        numbers as admin_number_pages, orders as admin_order_pages, products as admin_product_pages,
        reports as admin_report_pages, staff as admin_staff_pages,
    };
    use self::api::orders as api_orders;
    use self::api::{
        admin_audit, admin_campaigns, admin_catalog, admin_jobs, admin_orders, auth as api_auth, carts as api_carts,
        catalog as api_catalog, docs, me, numbers as api_numbers,
    };
    use self::pages::{
        account, addresses, cart, catalog, checkout, health, home, login, numbers, orders, password_reset, payments,
        register,
    };
    cfg.app_data(web::QueryConfig::default().error_handler(error::query_error))
        .app_data(web::JsonConfig::default().limit(JSON_LIMIT).error_handler(error::json_error))
        .app_data(web::FormConfig::default().limit(FORM_LIMIT).error_handler(error::form_error))
        .app_data(web::PayloadConfig::default().limit(PAYLOAD_LIMIT))
        .app_data(web::PathConfig::default().error_handler(error::path_error))
        // Shopper pages
        .service(get("/", home::show_home))
        .service(get("/products", catalog::list_products))
        .service(get("/numbers", numbers::list_numbers))
        .service(get("/products/{slug}", catalog::show_product))
        .service(get("/branches", home::show_branches))
        .service(get("/cart", cart::show_cart))
        .service(post("/cart/items", cart::add_item))
        .service(post("/cart/items/{id}", cart::update_item))
        .service(post("/cart/items/{id}/delete", cart::remove_item))
        .service(post("/cart/coupons", cart::apply_coupon))
        .service(post("/cart/coupons/{code}/delete", cart::remove_coupon))
        .service(form_page("/checkout", checkout::show_checkout, checkout::place_order))
        .service(get("/checkout/branches", checkout::pickup_branches))
        .service(get("/orders/{id}", orders::show_order))
        .service(post("/orders/{id}/pay", orders::pay_order))
        .service(post("/orders/{id}/cancel", orders::cancel_order))
        .service(form_page("/payments/{id}/pay", payments::show_sandbox_payment, payments::submit_sandbox_payment))
        .service(form_page("/login", login::show_login, login::login))
        .service(form_page("/register", register::show_register, register::register))
        .service(post("/logout", login::logout))
        .service(form_page("/password-reset", password_reset::show_request, password_reset::request))
        .service(form_page("/password-reset/{token}", password_reset::show_choose, password_reset::choose))
        .service(get("/account", account::show_account))
        .service(form_page("/top-up", pages::top_up::show_top_up, pages::top_up::buy_top_up))
        .service(post("/top-up/check", pages::top_up::check_msisdn))
        .service(get("/account/numbers", pages::my_numbers::show_my_numbers))
        .service(post("/account/numbers/{msisdn}/activate", pages::my_numbers::activate))
        .service(post("/account/sign-out-everywhere", account::sign_out_everywhere))
        .service(post("/account/profile", account::update_profile))
        .service(post("/account/password", account::change_password))
        .service(post("/account/addresses", addresses::add_address))
        .service(form_page("/account/addresses/{id}", addresses::show_address, addresses::update_address))
        .service(post("/account/addresses/{id}/delete", addresses::delete_address))
        // Staff pages
        .service(get("/admin", dashboard::show_dashboard))
        .service(get("/admin/feed", dashboard::feed))
        .service(
            get("/admin/products", admin_product_pages::list_products)
                .route(web::post().to(admin_product_pages::create_product)),
        )
        .service(get("/admin/products/new", admin_product_pages::new_product))
        .service(
            get("/admin/products/{id}", admin_product_pages::edit_product)
                .route(web::post().to(admin_product_pages::update_product)),
        )
        .service(post("/admin/products/{id}/visibility", admin_product_pages::set_visibility))
        .service(post("/admin/products/{id}/images", admin_product_pages::upload_image))
        .service(post("/admin/products/{id}/images/{image}/delete", admin_product_pages::remove_image))
        .service(
            get("/admin/categories", admin_category_pages::list_categories)
                .route(web::post().to(admin_category_pages::create_category)),
        )
        .service(post("/admin/categories/{id}", admin_category_pages::update_category))
        .service(
            get("/admin/branches", admin_branch_pages::list_branches)
                .route(web::post().to(admin_branch_pages::create_branch)),
        )
        .service(
            get("/admin/branches/{id}", admin_branch_pages::edit_branch)
                .route(web::post().to(admin_branch_pages::update_branch)),
        )
        .service(
            get("/admin/stock", admin_branch_pages::show_stock).route(web::post().to(admin_branch_pages::set_stock)),
        )
        .service(
            get("/admin/campaigns", admin_campaign_pages::list_campaigns)
                .route(web::post().to(admin_campaign_pages::create_campaign)),
        )
        .service(get("/admin/campaigns/new", admin_campaign_pages::new_campaign))
        .service(
            get("/admin/campaigns/{id}", admin_campaign_pages::show_campaign)
                .route(web::post().to(admin_campaign_pages::update_campaign)),
        )
        .service(get("/admin/campaigns/{id}/edit", admin_campaign_pages::edit_campaign))
        .service(post("/admin/campaigns/{id}/codes", admin_campaign_pages::make_codes))
        .service(get("/admin/campaigns/{id}/codes.csv", admin_campaign_pages::codes_csv))
        .service(get("/admin/audit", admin_audit_pages::list_audit))
        .service(
            get("/admin/staff", admin_staff_pages::list_staff).route(web::post().to(admin_staff_pages::create_staff)),
        )
        .service(post("/admin/staff/{id}", admin_staff_pages::change_staff))
        .service(get("/admin/customers", admin_customer_pages::list_customers))
        .service(get("/admin/customers/{id}", admin_customer_pages::show_customer))
        .service(get("/admin/numbers", admin_number_pages::show_numbers))
        .service(
            post("/admin/numbers/preview", admin_number_pages::preview_import)
                .app_data(web::FormConfig::default().limit(admin_number_pages::MAX_CSV)),
        )
        .service(
            post("/admin/numbers/import", admin_number_pages::import)
                .app_data(web::FormConfig::default().limit(admin_number_pages::MAX_CSV)),
        )
        .service(post("/admin/numbers/{msisdn}/{action}", admin_number_pages::move_number))
        .service(get("/admin/reports", admin_report_pages::show_reports))
        .service(get("/admin/jobs", admin_job_pages::list_jobs))
        .service(post("/admin/jobs/{id}/retry", admin_job_pages::retry_job))
        .service(get("/admin/orders", admin_order_pages::list_orders))
        .service(get("/admin/orders/{id}", admin_order_pages::show_order))
        .service(post("/admin/orders/{id}/transition", admin_order_pages::transition_order))
        .service(post("/admin/orders/{id}/refund", admin_order_pages::refund_order))
        .service(post("/admin/orders/{id}/resend", admin_order_pages::resend_mail))
        // Operations
        .service(get("/healthz", health::healthz))
        .service(get("/readyz", health::readyz))
        // API
        .service(get("/api/openapi.json", docs::openapi_json))
        .service(get("/api/docs", docs::show_docs))
        .service(get("/api/v1/categories", api_catalog::list_categories))
        .service(get("/api/v1/products", api_catalog::list_products))
        .service(get("/api/v1/numbers", api_numbers::search_numbers))
        .service(get("/api/v1/products/{id_or_slug}", api_catalog::get_product))
        .service(get("/api/v1/products/{id}/availability", api_catalog::product_availability))
        .service(get("/api/v1/branches", api_catalog::list_branches))
        .service(
            web::resource("/api/v1/auth/register")
                .route(web::post().to(api_auth::register))
                .default_service(web::to(method_not_allowed)),
        )
        .service(
            web::resource("/api/v1/auth/token")
                .route(web::post().to(api_auth::issue_token))
                .route(web::delete().to(api_auth::revoke_token))
                .default_service(web::to(method_not_allowed)),
        )
        .service(
            web::resource("/api/v1/me")
                .route(web::get().to(api_auth::me))
                .route(web::patch().to(me::update_me))
                .default_service(web::to(method_not_allowed)),
        )
        .service(post("/api/v1/me/password", me::change_password))
        .service(get("/api/v1/me/numbers", api::me_numbers::my_numbers))
        .service(post("/api/v1/me/numbers/{msisdn}/activate", api::me_numbers::activate))
        .service(get("/api/v1/me/numbers/{msisdn}/esim.svg", api::me_numbers::esim_qr))
        .service(
            web::resource("/api/v1/me/addresses")
                .route(web::get().to(me::list_addresses))
                .route(web::post().to(me::add_address))
                .default_service(web::to(method_not_allowed)),
        )
        .service(
            web::resource("/api/v1/me/addresses/{id}")
                .route(web::put().to(me::update_address))
                .route(web::delete().to(me::delete_address))
                .default_service(web::to(method_not_allowed)),
        )
        .service(post("/api/v1/carts", api_carts::create_cart))
        .service(get("/api/v1/carts/{id}", api_carts::get_cart))
        .service(post("/api/v1/carts/{id}/items", api_carts::add_item))
        .service(
            web::resource("/api/v1/carts/{id}/items/{item_id}")
                .route(web::patch().to(api_carts::update_item))
                .route(web::delete().to(api_carts::remove_item))
                .default_service(web::to(method_not_allowed)),
        )
        .service(post("/api/v1/carts/{id}/coupons", api_carts::apply_coupon))
        .service(
            web::resource("/api/v1/carts/{id}/coupons/{code}")
                .route(web::delete().to(api_carts::remove_coupon))
                .default_service(web::to(method_not_allowed)),
        )
        .service(post("/api/v1/carts/{id}/checkout", api_carts::checkout))
        .service(get("/api/v1/orders", api_orders::list_orders))
        .service(get("/api/v1/orders/{id}", api_orders::get_order))
        .service(post("/api/v1/orders/{id}/cancel", api_orders::cancel_order))
        .service(post("/api/v1/orders/{id}/payments", api_orders::pay_order))
        .service(post("/api/v1/payments/webhooks/{provider}", api_orders::provider_webhook))
        .service(post("/api/v1/payments/{id}/simulate", api_orders::simulate_payment))
        // Staff only: the guard answers 401/403 before any admin route is looked up.
        .service(
            web::scope("/api/v1/admin")
                .wrap(actix_web::middleware::from_fn(extract::auth::require_api_staff))
                .service(get("/audit", admin_audit::list_audit))
                .service(post("/products", admin_catalog::create_product))
                .service(
                    web::resource("/products/{id}")
                        .route(web::patch().to(admin_catalog::update_product))
                        .default_service(web::to(method_not_allowed)),
                )
                .service(post("/branches", admin_catalog::create_branch))
                .service(
                    web::resource("/stock")
                        .route(web::put().to(admin_catalog::set_stock))
                        .default_service(web::to(method_not_allowed)),
                )
                .service(post("/campaigns", admin_campaigns::create_campaign))
                .service(get("/campaigns/{id}", admin_campaigns::get_campaign))
                .service(
                    web::resource("/campaigns/{id}/codes")
                        .route(web::post().to(admin_campaigns::add_codes))
                        .route(web::get().to(admin_campaigns::list_codes))
                        .default_service(web::to(method_not_allowed)),
                )
                .service(get("/campaigns/{id}/stats", admin_campaigns::campaign_stats))
                .service(post("/campaigns/{id}/codes/{code}/free", admin_campaigns::free_code))
                .service(get("/jobs", admin_jobs::list_jobs))
                .service(post("/jobs/{id}/retry", admin_jobs::retry_job))
                .service(get("/orders", admin_orders::list_orders))
                .service(get("/orders/{id}", admin_orders::get_order))
                .service(post("/orders/{id}/transition", admin_orders::transition_order))
                .service(post("/orders/{id}/refund", admin_orders::refund_order))
                .service(
                    post("/numbers/import", api_numbers::import_numbers)
                        .app_data(web::PayloadConfig::default().limit(api_numbers::IMPORT_LIMIT)),
                )
                .service(
                    post("/sim-cards/import", api_numbers::import_sim_cards)
                        .app_data(web::PayloadConfig::default().limit(api_numbers::IMPORT_LIMIT)),
                )
                .service(
                    post("/esim-profiles/import", api_numbers::import_esim_profiles)
                        .app_data(web::PayloadConfig::default().limit(api_numbers::IMPORT_LIMIT)),
                )
                // After `/numbers/import`, which it would otherwise shadow.
                .service(get("/numbers/{msisdn}", api_numbers::number_record)),
        );
}
