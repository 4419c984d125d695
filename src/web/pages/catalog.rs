//! `/products` (filters, search, pages; the list swaps in place with htmx) and `/products/{slug}`.
use actix_web::{web, HttpResponse};
use askama::Template;

use super::views::{kind_label, kind_plural, Card, Pager, Picture};
use crate::domain::catalog::{
    queries, BranchStock, CategoryTree, Product, ProductAttributes, ProductFilter, ProductKind, ProductRef,
    ProductSort, ProductSummary,
};
use crate::domain::shared::ProductId;
use crate::domain::shared::{Lang, Money, Page};
use crate::web::catalog_query::ProductsQuery;
use crate::web::error::AppError;
use crate::web::extract::Htmx;
use crate::web::filters;
use crate::web::render::{html, page_or_fragment, Chrome};
use crate::web::state::AppState;

pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// Cards under a heading: a kind's, when a list of every kind is shown grouped.
pub struct CardGroup {
    pub title: Option<&'static str>,
    pub cards: Vec<Card>,
}

/// Plans side by side: a row per allowance, a column per plan.
pub struct PlanComparison {
    pub plans: Vec<(String, String, Money)>,
    pub rows: Vec<(&'static str, Vec<String>)>,
}

pub struct ProductList {
    pub groups: Vec<CardGroup>,
    /// Plans listed alone: their allowances side by side.
    pub comparison: Option<PlanComparison>,
    pub count_text: String,
    pub pager: Pager,
}

#[derive(Template)]
#[template(path = "shop/products.html")]
pub struct ProductsPage {
    pub ctx: Chrome,
    pub q: String,
    pub kinds: Vec<Opt>,
    pub categories: Vec<Opt>,
    pub sorts: Vec<Opt>,
    pub min_price: String,
    pub max_price: String,
    pub in_stock: bool,
    pub filtered: bool,
    pub list: ProductList,
}

#[derive(Template)]
#[template(path = "shop/_product_list.html")]
pub struct ProductListFragment {
    pub ctx: Chrome,
    pub list: ProductList,
}

fn list_href(filter: &ProductFilter, page: u32) -> String {
    let mut params: Vec<(&str, String)> = Vec::new();
    if let Some(c) = &filter.category {
        params.push(("category", c.clone()));
    }
    if let Some(k) = filter.kind {
        params.push(("kind", k.as_str().to_string()));
    }
    if let Some(q) = &filter.q {
        params.push(("q", q.clone()));
    }
    if filter.sort != ProductSort::Shop {
        params.push(("sort", filter.sort.as_str().to_string()));
    }
    if let Some(p) = filter.min_price {
        params.push(("min_price", p.normalize().to_string()));
    }
    if let Some(p) = filter.max_price {
        params.push(("max_price", p.normalize().to_string()));
    }
    if filter.in_stock {
        params.push(("in_stock", "1".to_string()));
    }
    if filter.page.per_page != crate::domain::shared::page::DEFAULT_PER_PAGE {
        params.push(("per_page", filter.page.per_page.to_string()));
    }
    if page > 1 {
        params.push(("page", page.to_string()));
    }
    let query = serde_urlencoded::to_string(&params).unwrap_or_default();
    if query.is_empty() {
        "/products".into()
    } else {
        format!("/products?{query}")
    }
}

fn category_options(tree: &CategoryTree, selected: Option<&str>, lang: Lang) -> Vec<Opt> {
    let mut out = Vec::new();
    for root in tree.roots() {
        out.push(Opt {
            value: root.slug.clone(),
            label: root.name.get(lang).into(),
            selected: selected == Some(&root.slug),
        });
        for child in tree.children(root.id) {
            out.push(Opt {
                value: child.slug.clone(),
                label: format!("— {}", child.name.get(lang)),
                selected: selected == Some(&child.slug),
            });
        }
    }
    out
}

/// The list's cards, under their kinds' headings when every kind is listed in the shop's order.
fn groups<'a>(ctx: &Chrome, filter: &ProductFilter, items: impl Iterator<Item = &'a ProductSummary>) -> Vec<CardGroup> {
    let grouped = filter.kind.is_none() && filter.sort == ProductSort::Shop && filter.search_words().is_empty();
    if !grouped {
        return vec![CardGroup { title: None, cards: items.map(|p| Card::new(p, ctx.lang)).collect() }];
    }
    let mut out: Vec<CardGroup> = Vec::new();
    let mut last = None;
    for p in items {
        if last != Some(p.kind) {
            out.push(CardGroup { title: Some(kind_plural(ctx.tr, p.kind)), cards: Vec::new() });
            last = Some(p.kind);
        }
        if let Some(g) = out.last_mut() {
            g.cards.push(Card::new(p, ctx.lang));
        }
    }
    out
}

fn comparison(ctx: &Chrome, plans: &[Product]) -> Option<PlanComparison> {
    struct Allowances<'a> {
        plan: &'a ProductSummary,
        minutes: i64,
        sms: i64,
        data_mb: i64,
        units: i64,
        days: i64,
    }
    let details: Vec<Allowances> = plans
        .iter()
        .filter_map(|p| match p.details() {
            Some(ProductAttributes::Plan { minutes, sms, data_mb, units, validity_days }) => {
                Some(Allowances { plan: &p.summary, minutes, sms, data_mb, units, days: validity_days })
            }
            _ => None,
        })
        .collect();
    if details.len() < 2 {
        return None;
    }
    let column = |f: &dyn Fn(&Allowances) -> String| details.iter().map(f).collect();
    Some(PlanComparison {
        plans: details
            .iter()
            .map(|d| (d.plan.name.get(ctx.lang).to_string(), format!("/products/{}", d.plan.slug), d.plan.price))
            .collect(),
        rows: vec![
            (ctx.t("product.data"), column(&|d| filters::data_size_text(d.data_mb))),
            (ctx.t("product.minutes"), column(&|d| filters::with_thousands(d.minutes))),
            (ctx.t("product.sms"), column(&|d| filters::with_thousands(d.sms))),
            (ctx.t("product.units"), column(&|d| filters::with_thousands(d.units))),
            (ctx.t("product.validity"), column(&|d| ctx.fill("product.days", &[("days", &d.days.to_string())]))),
        ],
    })
}

/// What a list page reads: cards, or plans listed alone with the details their comparison
/// needs.
enum Listed {
    Cards(Page<ProductSummary>),
    Plans(Page<Product>),
}

/// The list as the page and its fragment draw it; plans listed alone are compared side by side.
fn product_list(ctx: &Chrome, filter: &ProductFilter, listed: &Listed) -> ProductList {
    match listed {
        Listed::Cards(page) => drawn(ctx, filter, page, groups(ctx, filter, page.items.iter()), None),
        Listed::Plans(page) => {
            let cards = groups(ctx, filter, page.items.iter().map(|p| &p.summary));
            drawn(ctx, filter, page, cards, comparison(ctx, &page.items))
        }
    }
}

fn drawn<T>(
    ctx: &Chrome,
    filter: &ProductFilter,
    page: &Page<T>,
    groups: Vec<CardGroup>,
    comparison: Option<PlanComparison>,
) -> ProductList {
    ProductList {
        groups,
        comparison,
        count_text: ctx.fill("products.count", &[("total", &page.total.to_string())]),
        pager: Pager::new(page, |n| list_href(filter, n)),
    }
}

pub async fn list_products(
    state: web::Data<AppState>,
    ctx: Chrome,
    htmx: Htmx,
    query: web::Query<ProductsQuery>,
) -> Result<HttpResponse, AppError> {
    let filter = query.parse()?;
    let f = filter.clone();
    let kept = state.category_menu.fresh();
    let need_menu = kept.is_none() && !htmx.wants_fragment();
    let (loaded, listed) = state
        .shop
        .db
        .run(move |conn| {
            let loaded = if need_menu { Some(queries::list_categories(conn)?) } else { None };
            // Plans alone are compared side by side: their details come with them.
            let listed = if f.kind == Some(ProductKind::Plan) {
                Listed::Plans(queries::list_products(conn, &f)?)
            } else {
                Listed::Cards(queries::list_product_cards(conn, &f)?)
            };
            Ok::<_, AppError>((loaded, listed))
        })
        .await?;
    // A fragment draws no menu: it may go without one.
    let tree = state.category_menu.settle(kept, loaded).unwrap_or_default();
    page_or_fragment(
        htmx.wants_fragment(),
        || ProductsPage {
            q: filter.q.clone().unwrap_or_default(),
            kinds: ProductKind::ALL
                .iter()
                .map(|k| Opt {
                    value: k.as_str().into(),
                    label: kind_plural(ctx.tr, *k).into(),
                    selected: filter.kind == Some(*k),
                })
                .collect(),
            categories: category_options(&tree, filter.category.as_deref(), ctx.lang),
            sorts: ProductSort::ALL
                .iter()
                .map(|s| Opt {
                    value: s.as_str().into(),
                    label: ctx
                        .t(&format!("products.sort.{}", if *s == ProductSort::Shop { "shop" } else { s.as_str() }))
                        .into(),
                    selected: filter.sort == *s,
                })
                .collect(),
            min_price: filter.min_price.map(|p| p.normalize().to_string()).unwrap_or_default(),
            max_price: filter.max_price.map(|p| p.normalize().to_string()).unwrap_or_default(),
            in_stock: filter.in_stock,
            filtered: filter.is_filtered(),
            list: product_list(&ctx, &filter, &listed),
            ctx: ctx.clone(),
        },
        || ProductListFragment { ctx: ctx.clone(), list: product_list(&ctx, &filter, &listed) },
    )
}

pub struct StockLine {
    pub branch: String,
    pub address: String,
    pub hours: String,
    pub status: String,
    pub level: &'static str,
    pub pickup: bool,
}

pub struct PlanView {
    pub minutes: i64,
    pub sms: i64,
    pub data_mb: i64,
    pub units: i64,
    pub validity: String,
}

/// What the add-to-cart form asks for, by kind.
pub struct BuyForm {
    pub product_id: ProductId,
    pub csrf: String,
    /// Devices: how many.
    pub quantity: bool,
    /// Top-ups, data packs and plans: the number to credit.
    pub msisdn: bool,
    /// Free-amount top-ups: the amount, with its bounds.
    pub amount: Option<(String, String)>,
}

#[derive(Template)]
#[template(path = "shop/product.html")]
pub struct ProductPage {
    pub ctx: Chrome,
    pub buy: Option<BuyForm>,
    pub name: String,
    pub description: String,
    pub kind: &'static str,
    pub kind_label: &'static str,
    pub price: Money,
    pub available: bool,
    pub specs: Vec<(String, String)>,
    pub stock: Vec<StockLine>,
    pub plan: Option<PlanView>,
    pub data_pack: Option<(i64, String)>,
    pub denominations: Vec<Card>,
    pub free_amount: Option<String>,
    pub tier: Option<&'static str>,
    pub hint: Option<&'static str>,
    /// Where a number, eSIM or re-issue is bought from: the number picker or the account.
    pub next: Option<(String, &'static str)>,
    pub picture: Picture,
    /// Home, the category's ancestors and the category: `(href, label)`.
    pub breadcrumbs: Vec<(String, String)>,
    /// A device's stock at a glance: `(level, text)`.
    pub stock_note: Option<(&'static str, String)>,
    /// When a device ordered now can be had: collected, delivered.
    pub when: Vec<String>,
}

fn stock_note(ctx: &Chrome, p: &Product, stock: &[BranchStock]) -> Option<(&'static str, String)> {
    if !p.summary.kind.is_physical() {
        return None;
    }
    let branches = stock.iter().filter(|s| s.collectable()).count();
    let delivered = stock.iter().any(BranchStock::deliverable);
    Some(match (branches, delivered) {
        (0, false) => ("none", ctx.t("products.out_of_stock").to_string()),
        (0, true) => ("low", ctx.t("product.delivery_only").to_string()),
        (1, _) => ("ok", ctx.t("product.in_stock_at_one").to_string()),
        (n, _) => ("ok", ctx.fill("product.in_stock_at", &[("count", &n.to_string())])),
    })
}

/// "Pick up today from 15:10 at …", "Delivered tomorrow": from stock and branch hours.
fn when_lines(ctx: &Chrome, stock: &[BranchStock]) -> Vec<String> {
    use crate::domain::catalog::hours::{self, When};
    let weekday = |d: chrono::Weekday| ctx.t(&format!("weekday.{}", d.num_days_from_monday()));
    let time = |t: chrono::NaiveTime| t.format("%H:%M").to_string();
    let mut out = Vec::new();
    if let Some((branch, when)) = hours::soonest_pickup(stock, ctx.now) {
        let name = branch.name.get(ctx.lang);
        out.push(match when {
            When::Today { from, .. } => {
                ctx.fill("product.when.pickup_today", &[("from", &time(from)), ("branch", name)])
            }
            When::Tomorrow { from } => {
                ctx.fill("product.when.pickup_tomorrow", &[("from", &time(from)), ("branch", name)])
            }
            When::On { day, from } => {
                ctx.fill("product.when.pickup_on", &[("day", weekday(day)), ("from", &time(from)), ("branch", name)])
            }
        });
    }
    if let Some(when) = hours::delivery(stock, ctx.now) {
        out.push(match when {
            When::Today { .. } => ctx.t("product.when.delivery_today").to_string(),
            When::Tomorrow { .. } => ctx.t("product.when.delivery_tomorrow").to_string(),
            When::On { day, .. } => ctx.fill("product.when.delivery_on", &[("day", weekday(day))]),
        });
    }
    out
}

fn breadcrumbs(ctx: &Chrome, tree: &CategoryTree, p: &Product) -> Vec<(String, String)> {
    let mut out = vec![("/".to_string(), ctx.t("nav.home").to_string())];
    out.extend(
        tree.path(p.category_id)
            .into_iter()
            .map(|c| (format!("/products?category={}", c.slug), c.name.get(ctx.lang).to_string())),
    );
    out
}

fn stock_line(ctx: &Chrome, s: &BranchStock) -> StockLine {
    let (status, level) = match s.quantity {
        0 => (ctx.t("product.stock_none").to_string(), "none"),
        1..=3 => (ctx.fill("product.stock_low", &[("count", &s.quantity.to_string())]), "low"),
        _ => (ctx.t("product.stock_ok").to_string(), "ok"),
    };
    StockLine {
        branch: s.branch.name.get(ctx.lang).into(),
        address: s.branch.address.get(ctx.lang).into(),
        hours: s.branch.opening_hours.get(ctx.lang).to_string(),
        status,
        level,
        pickup: s.branch.pickup,
    }
}

/// Whether the product page offers to add it to the cart (numbers, eSIMs and services come
/// with the number inventory).
fn sold_online(p: &Product) -> bool {
    matches!(p.summary.kind, ProductKind::Device | ProductKind::TopUp | ProductKind::DataPack | ProductKind::Plan)
        && p.summary.available
}

fn buy_form(p: &Product, csrf: Option<String>) -> Option<BuyForm> {
    let kind = p.summary.kind;
    let csrf = csrf.filter(|_| sold_online(p))?;
    let amount = match p.details() {
        Some(ProductAttributes::TopUp { free_amount: true, min_amount, max_amount }) => Some((
            min_amount.unwrap_or(p.summary.price).amount().trunc().to_string(),
            max_amount.map(|m| m.amount().trunc().to_string()).unwrap_or_default(),
        )),
        _ => None,
    };
    Some(BuyForm {
        product_id: p.summary.id,
        csrf,
        quantity: kind == ProductKind::Device,
        msisdn: kind != ProductKind::Device,
        amount,
    })
}

fn product_page(
    ctx: Chrome,
    p: &Product,
    stock: &[BranchStock],
    siblings: &[ProductSummary],
    csrf: Option<String>,
) -> ProductPage {
    let days = |d: i64| ctx.fill("product.days", &[("days", &d.to_string())]);
    let mut page = ProductPage {
        buy: buy_form(p, csrf),
        name: p.summary.name.get(ctx.lang).into(),
        description: p.description.get(ctx.lang).into(),
        kind: p.summary.kind.as_str(),
        kind_label: kind_label(ctx.tr, p.summary.kind),
        price: p.summary.price,
        available: p.summary.available,
        specs: Vec::new(),
        stock: stock.iter().map(|s| stock_line(&ctx, s)).collect(),
        plan: None,
        data_pack: None,
        denominations: Vec::new(),
        free_amount: None,
        tier: None,
        hint: None,
        next: None,
        picture: Picture::of(&p.summary, ctx.lang, 960),
        breadcrumbs: Vec::new(),
        stock_note: stock_note(&ctx, p, stock),
        when: when_lines(&ctx, stock),
        ctx: ctx.clone(),
    };
    match p.details() {
        Some(ProductAttributes::Device { specs }) => {
            // A yes or no reads in the page's language; other values are figures and names.
            let value = |v: &String| match v.trim().to_ascii_lowercase().as_str() {
                "yes" | "true" => ctx.t("spec.yes").to_string(),
                "no" | "false" => ctx.t("spec.no").to_string(),
                _ => v.clone(),
            };
            page.specs =
                specs.iter().map(|(k, v)| (ctx.tr.t_or(&format!("spec.{k}"), k).to_string(), value(v))).collect();
        }
        Some(ProductAttributes::Plan { minutes, sms, data_mb, units, validity_days }) => {
            page.plan = Some(PlanView { minutes, sms, data_mb, units, validity: days(validity_days) });
        }
        Some(ProductAttributes::DataPack { data_mb, validity_days }) => {
            page.data_pack = Some((data_mb, days(validity_days)))
        }
        Some(ProductAttributes::TopUp { free_amount, min_amount, max_amount }) => {
            page.denominations =
                siblings.iter().filter(|s| s.id != p.summary.id).map(|s| Card::new(s, ctx.lang)).collect();
            if free_amount {
                let min = min_amount.unwrap_or(p.summary.price).display();
                let max = max_amount.map(Money::display).unwrap_or_else(|| "—".into());
                page.free_amount = Some(ctx.fill("product.free_amount", &[("min", &min), ("max", &max)]));
            }
        }
        Some(ProductAttributes::Number { tier }) => {
            page.tier = Some(ctx.t(&format!("product.tier.{}", tier.as_str())));
            page.hint = Some(ctx.t("product.number_hint"));
            page.next = Some((format!("/numbers?tier={}", tier.as_str()), ctx.t("product.choose_number")));
        }
        Some(ProductAttributes::Esim) => {
            page.hint = Some(ctx.t("product.esim_hint"));
            page.next = Some(("/numbers".into(), ctx.t("product.choose_number")));
        }
        Some(ProductAttributes::Service { .. }) => {
            page.hint = Some(ctx.t("product.service_hint"));
            page.next = Some(("/account/numbers".into(), ctx.t("product.my_numbers")));
        }
        None => {}
    }
    page
}

pub async fn show_product(
    state: web::Data<AppState>,
    mut ctx: Chrome,
    session: actix_session::Session,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let by = ProductRef::parse(&slug.into_inner())?;
    let kept = state.category_menu.fresh();
    let need_menu = kept.is_none();
    let (product, stock, siblings, loaded) = state
        .shop
        .db
        .run(move |conn| {
            let product = queries::get_product(conn, &by)?;
            let stock = queries::availability(conn, &product)?;
            let loaded = if need_menu { Some(queries::list_categories(conn)?) } else { None };
            let siblings = if product.summary.kind == ProductKind::TopUp {
                queries::list_by_kind(conn, ProductKind::TopUp)?
            } else {
                Vec::new()
            };
            Ok::<_, AppError>((product, stock, siblings, loaded))
        })
        .await?;
    let tree = state.category_menu.settle(kept, loaded).unwrap_or_default();
    // Only a page with a form starts a session (for its CSRF token).
    let csrf = sold_online(&product).then(|| ctx.form_token(&session));
    let mut page = product_page(ctx, &product, &stock, &siblings, csrf);
    page.breadcrumbs = breadcrumbs(&page.ctx, &tree, &product);
    html(&page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_links_keep_the_filters_and_encode_the_search() -> Result<(), Box<dyn std::error::Error>> {
        let f = ProductFilter::parse(None, Some("device"), Some("5G рүүтер&x"), None, Some("5"))?;
        assert_eq!(
            list_href(&f, 2),
            "/products?kind=device&q=5G+%D1%80%D2%AF%D2%AF%D1%82%D0%B5%D1%80%26x&per_page=5&page=2"
        );
        assert_eq!(list_href(&ProductFilter::default(), 1), "/products");
        Ok(())
    }
}
