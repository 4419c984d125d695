//! Every key in one catalog is in the other, and every key the templates and code name exists.
use std::collections::BTreeSet;

use storefront::domain::shared::Lang;
use storefront::i18n::catalog;

fn keys(lang: Lang) -> BTreeSet<&'static str> {
    catalog(lang).keys().copied().collect()
}

#[test]
fn both_catalogs_have_the_same_keys() {
    let mn = keys(Lang::Mn);
    let en = keys(Lang::En);
    let only_mn: Vec<_> = mn.difference(&en).collect();
    let only_en: Vec<_> = en.difference(&mn).collect();
    assert!(only_mn.is_empty() && only_en.is_empty(), "missing in en: {only_mn:?}; missing in mn: {only_en:?}");
    assert!(catalog(Lang::Mn).values().all(|v| !v.is_empty()) && catalog(Lang::En).values().all(|v| !v.is_empty()));
}

/// Literal keys in `.t("…")`, `.fill("…"` and `.t_or("…"` calls across templates and sources.
fn used_keys() -> BTreeSet<String> {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut files = Vec::new();
    let mut stack = vec![format!("{root}/templates").into(), std::path::PathBuf::from(format!("{root}/src"))];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "html" || x == "rs") {
                files.push(p);
            }
        }
    }
    let mut found = BTreeSet::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for call in [".t(\"", ".fill(\"", ".t_or(\""] {
            for (i, _) in text.match_indices(call) {
                let rest = &text[i + call.len()..];
                let key = &rest[..rest.find('"').unwrap()];
                if !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_') {
                    found.insert(key.to_string());
                }
            }
        }
    }
    found
}

#[test]
fn every_key_used_exists_in_both_languages() {
    let used = used_keys();
    assert!(used.len() > 50, "the scan finds the keys ({})", used.len());
    for lang in Lang::ALL {
        let missing: Vec<_> = used.iter().filter(|k| !catalog(lang).contains_key(k.as_str())).collect();
        assert!(missing.is_empty(), "{lang:?} lacks {missing:?}");
    }
}

#[test]
fn every_job_state_has_its_operator_label() {
    for lang in Lang::ALL {
        for s in storefront::domain::jobs::JobStatus::ALL {
            let key = format!("admin.orders.operator.{}", s.as_str());
            assert!(catalog(lang).contains_key(key.as_str()), "{lang:?} {key}");
        }
    }
}

#[test]
fn keys_built_at_run_time_exist_for_every_kind_and_tier() {
    use storefront::domain::catalog::{ProductKind, Tier};
    for lang in Lang::ALL {
        for k in ProductKind::ALL {
            for key in [format!("kind.{}", k.as_str()), format!("kind.{}.one", k.as_str())] {
                assert!(catalog(lang).contains_key(key.as_str()), "{lang:?} {key}");
            }
        }
        for t in Tier::ALL {
            let key = format!("product.tier.{}", t.as_str());
            assert!(catalog(lang).contains_key(key.as_str()), "{lang:?} {key}");
        }
    }
}

#[test]
fn keys_built_at_run_time_exist_for_every_order_payment_and_fulfilment_state() {
    use storefront::domain::orders::{FulfillmentStatus, OrderStatus, PaymentStatus};
    use storefront::domain::payments::PaymentState;
    let mut keys: Vec<String> = Vec::new();
    keys.extend(OrderStatus::ALL.iter().map(|s| format!("order.status.{}", s.as_str())));
    keys.extend(PaymentStatus::ALL.iter().map(|s| format!("order.payment.{}", s.as_str())));
    keys.extend(FulfillmentStatus::ALL.iter().map(|s| format!("order.fulfillment.{}", s.as_str())));
    keys.extend(PaymentState::ALL.iter().map(|s| format!("payment.status.{}", s.as_str())));
    // The timeline notes the system writes, and the refusals checkout explains on the page.
    for note in ["expired", "picked_up", "late_payment_refunded"] {
        keys.push(format!("order.note.{note}"));
    }
    for action in ["shipped", "ready_for_pickup", "picked_up", "completed", "cancelled"] {
        keys.push(format!("admin.orders.action.{action}"));
    }
    for code in ["out_of_stock", "product_unavailable", "cart_closed", "account_required"] {
        keys.push(format!("problem.{code}"));
    }
    for lang in Lang::ALL {
        for key in &keys {
            assert!(catalog(lang).contains_key(key.as_str()), "{lang:?} {key}");
        }
    }
}

/// A field error code without a text in either language, or whose text does not name exactly
/// its parameters, fails here (rewording a text never drops its translation: codes are the keys).
#[test]
fn every_field_error_code_has_a_text_with_its_parameters_in_both_languages() {
    use storefront::domain::shared::Code;
    for lang in Lang::ALL {
        for code in Code::ALL {
            let key = format!("field.{}", code.as_str());
            let text = catalog(lang).get(key.as_str()).unwrap_or_else(|| panic!("{lang:?} {key}"));
            let mut named: Vec<&str> = text.split('{').skip(1).filter_map(|s| s.split('}').next()).collect();
            named.sort_unstable();
            let mut wanted = code.params().to_vec();
            wanted.sort_unstable();
            assert_eq!(named, wanted, "{lang:?} {key}: {text}");
        }
    }
}

#[test]
fn every_problem_code_has_a_page_text_in_both_languages() {
    for lang in Lang::ALL {
        for code in storefront::web::error::PROBLEM_CODES {
            assert!(catalog(lang).contains_key(format!("problem.{code}").as_str()), "{lang:?} problem.{code}");
        }
    }
}
