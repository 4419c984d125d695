//! The demo catalog: what a Mongolian operator's shop sells, in both languages.
//! Loading it is idempotent: rows are matched by slug and never duplicated.
use crate::domain::telco::inventory::luhn_complete;
use crate::domain::telco::sims::{self, Pool, PoolLine};
use crate::domain::telco::InventoryKey;
use std::collections::HashMap;
use std::str::FromStr;

use chrono::Utc;
use diesel::prelude::*;
use rust_decimal::Decimal;
use serde_json::{json, Value};
use uuid::Uuid;

use super::model::{NewBranchRow, NewCategoryRow, NewProductRow, NewStockRow};
use super::CatalogError;
use crate::db::schema::{branches, categories, products, stock};
use crate::domain::shared::ProductId;

/// What a load added (0s when everything was there already).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SeedReport {
    pub categories: usize,
    pub products: usize,
    pub branches: usize,
    pub stock_rows: usize,
    pub numbers: usize,
    pub sim_cards: u64,
    pub esim_profiles: u64,
}

/// The demo's number pool: a few hundred numbers of every prefix, the golden ones among them
/// tiered as an operator would (one digit eight times: platinum; a repeated half or pair, or
/// a run: gold; a repeated last half: silver).
pub fn demo_numbers() -> Vec<(String, &'static str)> {
    let mut state: u64 = 0x5eed_1234_abcd;
    let mut out = Vec::new();
    for prefix in ["80", "86", "88", "89"] {
        for _ in 0..150 {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            out.push(format!("{prefix}{:06}", (state >> 33) % 1_000_000));
        }
    }
    out.extend(
        ["88888888", "89898989", "89118911", "80001234", "88001100", "86668666", "88112211", "80808080", "86000086"]
            .map(String::from),
    );
    out.sort();
    out.dedup();
    out.into_iter()
        .map(|n| {
            let tier = tier_of(&n);
            (n, tier)
        })
        .collect()
}

fn tier_of(n: &str) -> &'static str {
    let b = n.as_bytes();
    let (head, tail) = n.split_at(4);
    if b.iter().all(|&d| d == b[0]) {
        "platinum"
    } else if head == tail || n[..2].repeat(4) == n || n.ends_with("1234") || n[4..].bytes().all(|d| d == b[4]) {
        "gold"
    } else if n[4..6] == n[6..] || n[2..4] == n[6..] {
        "silver"
    } else {
        "ordinary"
    }
}

struct Cat(&'static str, Option<&'static str>, &'static str, &'static str);
struct Prod {
    slug: &'static str,
    kind: &'static str,
    category: &'static str,
    name: (&'static str, &'static str),
    description: (&'static str, &'static str),
    price: &'static str,
    attributes: Value,
    featured: bool,
}
/// slug, names, addresses, hours as shown, pickup, warehouse, and the hours as a program reads
/// them: open days from Monday, opening and closing hour.
struct Br(
    &'static str,
    (&'static str, &'static str),
    (&'static str, &'static str),
    (&'static str, &'static str),
    bool,
    bool,
    (i16, u32, u32),
);

const CATEGORIES: &[Cat] = &[
    Cat("devices", None, "Төхөөрөмж", "Devices"),
    Cat("routers", Some("devices"), "Рүүтер", "Routers"),
    Cat("phones", Some("devices"), "Гар утас", "Phones"),
    Cat("numbers", None, "Дугаар", "Numbers"),
    Cat("esim", None, "eSIM", "eSIM"),
    Cat("data", None, "Дата багц", "Data packs"),
    Cat("top-up", None, "Нэгж цэнэглэх", "Top-up"),
    Cat("plans", None, "Үйлчилгээний багц", "Plans"),
    Cat("services", None, "Үйлчилгээ", "Services"),
];

const BRANCHES: &[Br] = &[
    Br(
        "central",
        ("Төв салбар", "Central branch"),
        (
            "Сүхбаатар дүүрэг, Энхтайвны өргөн чөлөө 10, Улаанбаатар",
            "Peace Avenue 10, Sükhbaatar district, Ulaanbaatar",
        ),
        ("Даваа–Ням 09:00–21:00", "Mon–Sun 09:00–21:00"),
        true,
        false,
        (7, 9, 21),
    ),
    Br(
        "zaisan",
        ("Зайсан салбар", "Zaisan branch"),
        (
            "Хан-Уул дүүрэг, 11-р хороо, Зайсан худалдааны төв, Улаанбаатар",
            "Zaisan Mall, 11th khoroo, Khan-Uul district, Ulaanbaatar",
        ),
        ("Даваа–Ням 10:00–20:00", "Mon–Sun 10:00–20:00"),
        true,
        false,
        (7, 10, 20),
    ),
    Br(
        "3-4-khoroolol",
        ("3, 4-р хороолол салбар", "3rd & 4th microdistrict branch"),
        (
            "Баянгол дүүрэг, 3-р хороолол, Энхтайвны өргөн чөлөө 45, Улаанбаатар",
            "Peace Avenue 45, 3rd microdistrict, Bayangol district, Ulaanbaatar",
        ),
        ("Даваа–Бямба 09:00–20:00", "Mon–Sat 09:00–20:00"),
        true,
        false,
        (6, 9, 20),
    ),
    Br(
        "13-khoroolol",
        ("13-р хороолол салбар", "13th microdistrict branch"),
        (
            "Баянзүрх дүүрэг, 13-р хороолол, Их Монгол улсын гудамж 7, Улаанбаатар",
            "Ikh Mongol Ulsyn street 7, 13th microdistrict, Bayanzürkh district, Ulaanbaatar",
        ),
        ("Даваа–Бямба 10:00–19:00", "Mon–Sat 10:00–19:00"),
        true,
        false,
        (6, 10, 19),
    ),
    Br(
        "warehouse",
        ("Хүргэлтийн агуулах", "Delivery warehouse"),
        ("Сонгинохайрхан дүүрэг, 20-р хороо, Улаанбаатар", "20th khoroo, Songinokhairkhan district, Ulaanbaatar"),
        ("Даваа–Баасан 08:00–18:00 (зөвхөн хүргэлт)", "Mon–Fri 08:00–18:00 (deliveries only)"),
        false,
        true,
        (5, 8, 18),
    ),
];

/// Units per branch for each device: (product slug, [central, zaisan, 3-4, 13, warehouse]).
const STOCK: &[(&str, [i32; 5])] = &[
    ("huawei-5g-cpe-pro-5", [4, 0, 2, 1, 20]),
    ("zte-mf286-4g-router", [12, 6, 0, 5, 40]),
    ("tp-link-m7350-pocket-wifi", [0, 3, 2, 0, 15]),
    ("samsung-galaxy-a55", [5, 2, 3, 0, 25]),
    ("iphone-16-128gb", [2, 1, 0, 0, 8]),
    ("xiaomi-redmi-note-13", [9, 4, 6, 3, 30]),
    ("huawei-b311-4g-router", [0, 0, 0, 0, 0]),
];

fn products() -> Vec<Prod> {
    let device = |slug, category, name, description, price, specs: Value, featured| Prod {
        slug,
        kind: "device",
        category,
        name,
        description,
        price,
        attributes: json!({ "specs": specs }),
        featured,
    };
    let mut all = vec![
        device(
            "huawei-5g-cpe-pro-5",
            "routers",
            ("Huawei 5G CPE Pro 5 рүүтер", "Huawei 5G CPE Pro 5 router"),
            (
                "Гэр, оффисын 5G рүүтер: 3.6 Гбит/с хүртэлх хурд, Wi‑Fi 6, 128 төхөөрөмж зэрэг холбоно.",
                "5G home and office router: up to 3.6 Gbit/s, Wi‑Fi 6, connects up to 128 devices.",
            ),
            "749000",
            json!({"network": "5G SA/NSA", "wifi": "Wi‑Fi 6 (AX3000)", "ports": "2 × 1 Gbps LAN", "max_devices": "128"}),
            true,
        ),
        device(
            "zte-mf286-4g-router",
            "routers",
            ("ZTE MF286 4G рүүтер", "ZTE MF286 4G router"),
            (
                "Суурин 4G рүүтер: SIM карт хийгээд л интернэттэй болно. 32 төхөөрөмж хүртэл.",
                "Plug-in 4G router: insert a SIM and you are online. Up to 32 devices.",
            ),
            "189000",
            json!({"network": "4G LTE Cat 6", "wifi": "Wi‑Fi 5 (AC1200)", "ports": "4 × 1 Gbps LAN", "max_devices": "32"}),
            true,
        ),
        device(
            "huawei-b311-4g-router",
            "routers",
            ("Huawei B311 4G рүүтер", "Huawei B311 4G router"),
            ("Энгийн, хямд 4G рүүтер.", "A simple, affordable 4G router."),
            "129000",
            json!({"network": "4G LTE Cat 4", "wifi": "Wi‑Fi 4 (N300)", "ports": "1 × LAN", "max_devices": "32"}),
            false,
        ),
        device(
            "tp-link-m7350-pocket-wifi",
            "routers",
            ("TP-Link M7350 зөөврийн Wi‑Fi", "TP-Link M7350 pocket Wi‑Fi"),
            (
                "Халаасны 4G Wi‑Fi: 2000 мАц батерей, 10 төхөөрөмж хүртэл, аялалд тохиромжтой.",
                "Pocket 4G Wi‑Fi: 2000 mAh battery, up to 10 devices, made for travel.",
            ),
            "139000",
            json!({"network": "4G LTE Cat 4", "wifi": "Wi‑Fi 5", "battery": "2000 mAh", "max_devices": "10"}),
            false,
        ),
        device(
            "samsung-galaxy-a55",
            "phones",
            ("Samsung Galaxy A55 5G 128GB", "Samsung Galaxy A55 5G 128GB"),
            (
                "6.6\" Super AMOLED дэлгэц, 50 МП камер, 5000 мАц батерей.",
                "6.6\" Super AMOLED screen, 50 MP camera, 5000 mAh battery.",
            ),
            "1399000",
            json!({"network": "5G", "screen": "6.6\" Super AMOLED", "storage": "128 GB", "battery": "5000 mAh", "esim": "yes"}),
            true,
        ),
        device(
            "iphone-16-128gb",
            "phones",
            ("Apple iPhone 16 128GB", "Apple iPhone 16 128GB"),
            ("A18 чип, 48 МП камер, eSIM дэмжинэ.", "A18 chip, 48 MP camera, eSIM ready."),
            "3799000",
            json!({"network": "5G", "screen": "6.1\" OLED", "storage": "128 GB", "esim": "yes"}),
            true,
        ),
        device(
            "xiaomi-redmi-note-13",
            "phones",
            ("Xiaomi Redmi Note 13 256GB", "Xiaomi Redmi Note 13 256GB"),
            (
                "Өдөр тутмын найдвартай ухаалаг утас, 108 МП камер.",
                "A dependable everyday smartphone with a 108 MP camera.",
            ),
            "699000",
            json!({"network": "4G LTE", "screen": "6.67\" AMOLED", "storage": "256 GB", "battery": "5000 mAh"}),
            false,
        ),
    ];
    let number = |tier: &'static str, mn: &'static str, en: &'static str, dmn, den, price| Prod {
        slug: match tier {
            "ordinary" => "number-ordinary",
            "silver" => "number-silver",
            "gold" => "number-gold",
            _ => "number-platinum",
        },
        kind: "number",
        category: "numbers",
        name: (mn, en),
        description: (dmn, den),
        price,
        attributes: json!({ "tier": tier }),
        featured: tier == "gold",
    };
    all.extend([
        number(
            "ordinary",
            "Энгийн дугаар",
            "Ordinary number",
            "Өөрийн сонгосон энгийн дугаар.",
            "A number of your choice.",
            "10000",
        ),
        number(
            "silver",
            "Мөнгөн дугаар",
            "Silver number",
            "Цээжлэхэд амар, давтагдсан цифртэй дугаар.",
            "Easy to remember, with repeating digits.",
            "50000",
        ),
        number(
            "gold",
            "Алтан дугаар",
            "Gold number",
            "Гоё хосолсон алтан дугаар, жишээ нь 89118911.",
            "A golden number such as 89118911.",
            "300000",
        ),
        number(
            "platinum",
            "Платинум дугаар",
            "Platinum number",
            "Хамгийн онцгой дугаар, жишээ нь 88888888.",
            "The rarest numbers, such as 88888888.",
            "1500000",
        ),
    ]);
    all.push(Prod {
        slug: "esim",
        kind: "esim",
        category: "esim",
        name: ("eSIM сонгосон дугаартай", "eSIM with a number of your choice"),
        description: (
            "Физик SIM картгүйгээр QR кодоор идэвхжүүлнэ. Үнэд сонгосон дугаарын ангиллын үнэ нэмэгдэнэ.",
            "Activate by QR code, no plastic SIM. The chosen number's tier price is added.",
        ),
        price: "5000",
        attributes: json!({}),
        featured: true,
    });
    let data = |slug, mn, en, mb: i64, days: i64, price| Prod {
        slug,
        kind: "data_pack",
        category: "data",
        name: (mn, en),
        description: (
            "Таны дугаарт нэмэлт дата. Хугацаа нь идэвхжсэнээс хойш тоологдоно.",
            "Extra data for your number, counted from activation.",
        ),
        price,
        attributes: json!({ "data_mb": mb, "validity_days": days }),
        featured: false,
    };
    all.extend([
        data("data-1gb-7d", "Дата 1 ГБ (7 хоног)", "Data 1 GB (7 days)", 1024, 7, "3000"),
        data("data-5gb-30d", "Дата 5 ГБ (30 хоног)", "Data 5 GB (30 days)", 5120, 30, "10000"),
        data("data-20gb-30d", "Дата 20 ГБ (30 хоног)", "Data 20 GB (30 days)", 20480, 30, "25000"),
    ]);
    let topup = |slug, amount: &'static str, mn, en| Prod {
        slug,
        kind: "top_up",
        category: "top-up",
        name: (mn, en),
        description: ("Дурын дугаарт нэгж цэнэглэнэ.", "Airtime units for any of our numbers."),
        price: amount,
        attributes: json!({ "free_amount": false }),
        featured: false,
    };
    all.extend([
        topup("top-up-1000", "1000", "Нэгж ₮1,000", "Top-up ₮1,000"),
        topup("top-up-3000", "3000", "Нэгж ₮3,000", "Top-up ₮3,000"),
        topup("top-up-5000", "5000", "Нэгж ₮5,000", "Top-up ₮5,000"),
        topup("top-up-10000", "10000", "Нэгж ₮10,000", "Top-up ₮10,000"),
        topup("top-up-20000", "20000", "Нэгж ₮20,000", "Top-up ₮20,000"),
    ]);
    all.push(Prod {
        slug: "top-up-any-amount",
        kind: "top_up",
        category: "top-up",
        name: ("Дурын дүнгээр цэнэглэх", "Top-up of any amount"),
        description: (
            "₮500-аас ₮500,000 хүртэл дүнгээ өөрөө сонгоно.",
            "Choose your own amount from ₮500 to ₮500,000.",
        ),
        price: "500",
        attributes: json!({ "free_amount": true, "min_amount": "500.00", "max_amount": "500000.00" }),
        featured: true,
    });
    let plan = |slug, mn, en, price, minutes: i64, sms: i64, data_mb: i64, units: i64, featured| Prod {
        slug,
        kind: "plan",
        category: "plans",
        name: (mn, en),
        description: (
            "Сар бүрийн үндсэн багц: яриа, мессеж, дата, нэгж нэг дор.",
            "A monthly base plan: minutes, SMS, data and units in one.",
        ),
        price,
        attributes: json!({ "minutes": minutes, "sms": sms, "data_mb": data_mb, "units": units, "validity_days": 30 }),
        featured,
    };
    all.extend([
        plan("plan-smart-15", "Смарт 15", "Smart 15", "15000", 200, 200, 5120, 3000, false),
        plan("plan-smart-25", "Смарт 25", "Smart 25", "25000", 500, 500, 15360, 5000, true),
        plan("plan-smart-45", "Смарт 45", "Smart 45", "45000", 1500, 1000, 51200, 10000, false),
        plan("plan-unlimited-75", "Хязгааргүй 75", "Unlimited 75", "75000", 5000, 3000, 153600, 20000, false),
    ]);
    all.push(Prod {
        slug: "esim-reissue",
        kind: "service",
        category: "services",
        name: ("eSIM дахин олгох", "eSIM re-issue"),
        description: (
            "Утсаа солисон эсвэл eSIM устсан бол өөрийн дугаарт шинэ eSIM авна.",
            "Changed phones or lost your eSIM? Get a new eSIM for a number you own.",
        ),
        price: "5000",
        attributes: json!({ "service": "esim_reissue" }),
        featured: false,
    });
    all
}

/// Loads the demo catalog; rows that exist already (by slug) are left as they are.
///
/// # Errors
/// A database error; nothing is written then (one transaction).
pub fn seed_demo(conn: &mut PgConnection, key: &InventoryKey) -> Result<SeedReport, CatalogError> {
    let report = conn.transaction(|conn| {
        let mut report = SeedReport::default();
        for (position, c) in (0i32..).zip(CATEGORIES) {
            let parent_id = match c.1 {
                Some(parent) => {
                    Some(categories::table.filter(categories::slug.eq(parent)).select(categories::id).first(conn)?)
                }
                None => None,
            };
            report.categories += diesel::insert_into(categories::table)
                .values(NewCategoryRow {
                    id: Uuid::new_v4(),
                    slug: c.0,
                    parent_id,
                    name_mn: c.2,
                    name_en: c.3,
                    position,
                })
                .on_conflict(categories::slug)
                .do_nothing()
                .execute(conn)?;
        }
        let category_ids: HashMap<String, Uuid> = categories::table
            .select((categories::slug, categories::id))
            .load::<(String, Uuid)>(conn)?
            .into_iter()
            .collect();
        for (position, p) in (0i32..).zip(products()) {
            let Some(category_id) = category_ids.get(p.category).copied() else { continue };
            let price = Decimal::from_str(p.price).unwrap_or_default();
            report.products += diesel::insert_into(products::table)
                .values(NewProductRow {
                    id: ProductId::random(),
                    slug: p.slug,
                    kind: p.kind,
                    category_id,
                    name_mn: p.name.0,
                    name_en: p.name.1,
                    description_mn: p.description.0,
                    description_en: p.description.1,
                    price,
                    attributes: p.attributes,
                    featured: p.featured,
                    position: position * 10,
                })
                .on_conflict(products::slug)
                .do_nothing()
                .execute(conn)?;
        }
        let has_warehouse: bool =
            diesel::select(diesel::dsl::exists(branches::table.filter(branches::delivery_warehouse.eq(true))))
                .get_result(conn)?;
        for (position, b) in (0i32..).zip(BRANCHES) {
            report.branches += diesel::insert_into(branches::table)
                .values(NewBranchRow {
                    id: Uuid::new_v4(),
                    slug: b.0,
                    name_mn: b.1 .0,
                    name_en: b.1 .1,
                    address_mn: b.2 .0,
                    address_en: b.2 .1,
                    opening_hours_mn: b.3 .0,
                    opening_hours_en: b.3 .1,
                    pickup: b.4,
                    open_days: b.6 .0,
                    opens_at: chrono::NaiveTime::from_hms_opt(b.6 .1, 0, 0),
                    closes_at: chrono::NaiveTime::from_hms_opt(b.6 .2, 0, 0),
                    // Keep an operator's own warehouse if one is set already.
                    delivery_warehouse: b.5 && !has_warehouse,
                    position: position * 10,
                })
                .on_conflict(branches::slug)
                .do_nothing()
                .execute(conn)?;
        }
        let branch_ids: HashMap<String, Uuid> =
            branches::table.select((branches::slug, branches::id)).load::<(String, Uuid)>(conn)?.into_iter().collect();
        let product_ids: HashMap<String, ProductId> = products::table
            .select((products::slug, products::id))
            .load::<(String, ProductId)>(conn)?
            .into_iter()
            .collect();
        let now = Utc::now();
        let mut rows = Vec::new();
        for (slug, quantities) in STOCK {
            let Some(product_id) = product_ids.get(*slug).copied() else { continue };
            for (b, quantity) in BRANCHES.iter().zip(quantities) {
                if let Some(branch_id) = branch_ids.get(b.0).copied() {
                    rows.push(NewStockRow { product_id, branch_id, quantity: *quantity, updated_at: now });
                }
            }
        }
        report.stock_rows += diesel::insert_into(stock::table).values(&rows).on_conflict_do_nothing().execute(conn)?;
        let numbers = demo_numbers();
        let (msisdns, tiers): (Vec<&str>, Vec<&str>) = numbers.iter().map(|(n, t)| (n.as_str(), *t)).unzip();
        report.numbers = diesel::sql_query(
            "INSERT INTO numbers (msisdn, tier) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING",
        )
        .bind::<diesel::sql_types::Array<diesel::sql_types::Text>, _>(msisdns)
        .bind::<diesel::sql_types::Array<diesel::sql_types::Text>, _>(tiers)
        .execute(conn)?;
        let now = chrono::Utc::now();
        report.sim_cards = sims::import(conn, Pool::SimCards, &demo_sim_cards(), key, now)?.imported;
        report.esim_profiles = sims::import(conn, Pool::EsimProfiles, &demo_esim_profiles(), key, now)?.imported;
        Ok::<_, CatalogError>(report)
    })?;
    // The planner learns the catalog's size now rather than at autovacuum's next round: until
    // then its generic plans take the freshly filled tables for empty. Only the tables filled
    // here: carts and orders are empty, and statistics saying so would outlive their filling.
    diesel::sql_query(
        "ANALYZE categories, products, branches, stock, numbers, sim_cards, esim_profiles, search_synonyms",
    )
    .execute(conn)?;
    Ok(report)
}

/// The demo's physical SIM cards: the code printed with card `n` (1 to 50) is `2026` followed
/// by `n` in four digits (`20260001`), so a demo shopper can activate a number with one.
pub fn demo_sim_cards() -> Vec<PoolLine> {
    (1..=50)
        .map(|n| PoolLine {
            line: n,
            iccid: luhn_complete(&format!("8997601{n:011}")),
            activation_code: format!("2026{n:04}"),
        })
        .collect()
}

/// The demo's eSIM profiles, at the demo operator's SM-DP+ server.
pub fn demo_esim_profiles() -> Vec<PoolLine> {
    (1..=200)
        .map(|n| PoolLine {
            line: n,
            iccid: luhn_complete(&format!("8997602{n:011}")),
            activation_code: format!(
                "LPA:1$smdp.demo.storefront.mn$DEMO-{n:04}-{:08X}",
                (n as u64).wrapping_mul(2_654_435_761) & 0xffff_ffff
            ),
        })
        .collect()
}

/// Whether the catalog is empty (the server seeds the demo catalog only then).
pub fn is_empty(conn: &mut PgConnection) -> Result<bool, CatalogError> {
    Ok(!diesel::select(diesel::dsl::exists(products::table.select(products::id))).get_result::<bool>(conn)?)
}
