//! What a code takes off a cart: pure rules, the same for the cart's view, applying a code and
//! placing the order (which weighs them again under the campaign's lock).
use chrono::{DateTime, Utc};
use rust_decimal::{Decimal, RoundingStrategy};

use super::types::{CodePolicy, CodeTerms, CouponCode, CouponRefusal, DiscountType, Terms};
use crate::domain::catalog::ProductKind;
use crate::domain::shared::{AccountId, Money, ProductId};

/// A priced line as the rules see it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Line {
    pub product_id: ProductId,
    pub kind: ProductKind,
    pub total: Money,
}

/// One code's part of a cart's discount, or why it takes nothing.
#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    pub code: CouponCode,
    pub amount: Money,
    pub refusal: Option<CouponRefusal>,
}

/// A cart's discounts: each line's share (in line order), each code's amount, the total.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Discounts {
    pub per_line: Vec<Money>,
    pub codes: Vec<Applied>,
    pub total: Money,
}

impl Discounts {
    /// The first code that cannot be used, with its refusal.
    pub fn first_refusal(&self) -> Option<(&CouponCode, CouponRefusal)> {
        self.codes.iter().find_map(|a| a.refusal.map(|r| (&a.code, r)))
    }
}

/// Whether a campaign's discount reaches this line: every line when it names no kinds and no
/// products, else a line of one of its kinds or one of its products.
pub fn reaches(terms: &Terms, line: &Line) -> bool {
    if terms.kinds.is_none() && terms.products.is_none() {
        return true;
    }
    terms.kinds.as_ref().is_some_and(|k| k.contains(&line.kind))
        || terms.products.as_ref().is_some_and(|p| p.contains(&line.product_id))
}

/// What does not depend on the cart: the campaign's dates, whose code it is, and whether its
/// limit or budget is spent.
///
/// # Errors
/// The refusal.
pub fn usable(code: &CodeTerms, caller: Option<AccountId>, now: DateTime<Utc>) -> Result<(), CouponRefusal> {
    let t = &code.terms;
    if t.starts_at.is_some_and(|s| now < s) {
        return Err(CouponRefusal::NotStarted);
    }
    if t.ends_at.is_some_and(|e| now >= e) {
        return Err(CouponRefusal::Expired);
    }
    match t.policy {
        CodePolicy::Personal if caller.is_none() || code.owner != caller => return Err(CouponRefusal::NotYours),
        CodePolicy::OncePerCustomer if caller.is_none() => return Err(CouponRefusal::SignInRequired),
        _ => {}
    }
    if t.max_redemptions.is_some_and(|max| t.uses >= max) {
        return Err(CouponRefusal::UsedUp);
    }
    if t.budget.is_some_and(|b| b.amount() <= t.discount_used.amount()) {
        return Err(CouponRefusal::UsedUp);
    }
    Ok(())
}

/// Each line's share of one campaign's discount, given what earlier codes took from each line.
/// Percentages round half up to whole tögrög; a fixed amount never exceeds what it applies to;
/// the campaign's remaining budget caps it.
///
/// # Errors
/// `BelowMinimum` under the campaign's minimum subtotal, `NotApplicable` when it reaches no
/// line (or takes nothing off).
pub fn shares(terms: &Terms, lines: &[Line], taken: &[Money]) -> Result<Vec<Money>, CouponRefusal> {
    let subtotal: Decimal = lines.iter().map(|l| l.total.amount()).sum();
    if let Some(min) = terms.min_subtotal {
        if subtotal < min.amount() {
            return Err(CouponRefusal::BelowMinimum { min: min.amount() });
        }
    }
    let bases: Vec<Decimal> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let left = l.total.amount() - taken.get(i).map_or(Decimal::ZERO, |m| m.amount());
            if reaches(terms, l) {
                left.max(Decimal::ZERO)
            } else {
                Decimal::ZERO
            }
        })
        .collect();
    let base: Decimal = bases.iter().sum();
    let mut amount = match terms.discount_type {
        DiscountType::Percent => (base * terms.discount_value / Decimal::ONE_HUNDRED)
            .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero),
        DiscountType::Fixed => terms.discount_value,
    }
    .min(base);
    if let Some(budget) = terms.budget {
        amount = amount.min((budget.amount() - terms.discount_used.amount()).max(Decimal::ZERO));
    }
    if amount <= Decimal::ZERO {
        return Err(CouponRefusal::NotApplicable);
    }
    Ok(split(amount, &bases).into_iter().map(Money::mnt).collect())
}

/// `amount` over the lines in proportion to `bases`, in whole tögrög where it can be (largest
/// remainders first, earlier lines first on a tie), no line above its base; the shares add up
/// to `amount` exactly.
fn split(amount: Decimal, bases: &[Decimal]) -> Vec<Decimal> {
    let total: Decimal = bases.iter().sum();
    if total <= Decimal::ZERO {
        return vec![Decimal::ZERO; bases.len()];
    }
    let exact: Vec<Decimal> = bases.iter().map(|b| amount * b / total).collect();
    let mut shares: Vec<Decimal> = exact.iter().map(|e| e.floor()).collect();
    let mut left = amount - shares.iter().sum::<Decimal>();
    let mut order: Vec<usize> = (0..bases.len()).filter(|&i| bases[i] > Decimal::ZERO).collect();
    order.sort_by(|&a, &b| (exact[b] - shares[b]).cmp(&(exact[a] - shares[a])).then(a.cmp(&b)));
    for &i in &order {
        if left <= Decimal::ZERO {
            break;
        }
        let step = left.min(Decimal::ONE).min(bases[i] - shares[i]);
        shares[i] += step;
        left -= step;
    }
    // What whole steps could not place (a base with a fraction) goes where there is room.
    for &i in &order {
        if left <= Decimal::ZERO {
            break;
        }
        let step = left.min(bases[i] - shares[i]);
        shares[i] += step;
        left -= step;
    }
    shares
}

/// Weighs the codes of a cart in the order they were applied: each is refused or takes its
/// shares of what is left of each line after the codes before it. Only stackable campaigns'
/// codes go together; `used` names the codes the shopper already used (once-per-customer and
/// personal ones).
pub fn weigh(
    codes: &[CodeTerms],
    lines: &[Line],
    caller: Option<AccountId>,
    used: &[CouponCode],
    now: DateTime<Utc>,
) -> Discounts {
    let mut taken = vec![Money::ZERO; lines.len()];
    let mut applied = Vec::with_capacity(codes.len());
    let mut accepted: Vec<&CodeTerms> = Vec::new();
    for code in codes {
        let verdict = usable(code, caller, now)
            .and_then(|()| {
                if used.contains(&code.code) && code.terms.policy != CodePolicy::Limited {
                    Err(CouponRefusal::AlreadyUsed)
                } else if accepted.iter().any(|a| !(a.terms.stackable && code.terms.stackable)) {
                    Err(CouponRefusal::OnePerOrder)
                } else {
                    Ok(())
                }
            })
            .and_then(|()| shares(&code.terms, lines, &taken));
        match verdict {
            Ok(parts) => {
                let amount = Money::mnt(parts.iter().map(|m| m.amount()).sum());
                for (t, p) in taken.iter_mut().zip(parts) {
                    *t = Money::mnt(t.amount() + p.amount());
                }
                accepted.push(code);
                applied.push(Applied { code: code.code.clone(), amount, refusal: None });
            }
            Err(refusal) => {
                applied.push(Applied { code: code.code.clone(), amount: Money::ZERO, refusal: Some(refusal) })
            }
        }
    }
    let total = Money::mnt(taken.iter().map(|m| m.amount()).sum());
    Discounts { per_line: taken, codes: applied, total }
}

/// The alphabet of generated codes: no 0/O, no 1/I, so a code read aloud or typed from paper is
/// never ambiguous. 32 signs, so a random byte picks one without bias.
pub const ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// Random signs of a generated code: 8 of them (40 bits) after the prefix.
pub const GENERATED_LENGTH: usize = 8;

/// A generated code from random bytes (one per sign).
pub fn generated(prefix: &str, random: &[u8]) -> String {
    let mut code = String::with_capacity(prefix.len() + random.len());
    code.push_str(prefix);
    code.extend(random.iter().map(|b| char::from(ALPHABET[usize::from(b & 31)])));
    code
}

/// The customers a CSV names: the first column of each line (an email or an account id), a
/// header line (one that names neither) and blank lines skipped.
pub fn customers_from_csv(text: &str) -> Vec<String> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i, l.split(',').next().unwrap_or("").trim().trim_matches('"').trim()))
        .filter(|(_, first)| !first.is_empty())
        .filter(|(i, first)| !(*i == 0 && !first.contains('@') && uuid::Uuid::parse_str(first).is_err()))
        .map(|(_, first)| first.to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::shared::{CampaignId, CouponCodeId};

    fn d(v: i64) -> Decimal {
        Decimal::from(v)
    }

    fn terms(discount_type: DiscountType, value: Decimal) -> Terms {
        Terms {
            campaign_id: CampaignId::random(),
            name: "test".into(),
            discount_type,
            discount_value: value,
            policy: CodePolicy::Limited,
            max_redemptions: None,
            budget: None,
            min_subtotal: None,
            kinds: None,
            products: None,
            stackable: false,
            starts_at: None,
            ends_at: None,
            uses: 0,
            discount_used: Money::ZERO,
        }
    }

    fn line(kind: ProductKind, total: Decimal) -> Line {
        Line { product_id: ProductId::random(), kind, total: Money::mnt(total) }
    }

    fn code(t: Terms) -> CodeTerms {
        CodeTerms {
            code_id: CouponCodeId::random(),
            code: CouponCode::parse("TEST10").unwrap_or_else(|| CouponCode::from_stored("TEST10".into())),
            owner: None,
            terms: t,
        }
    }

    fn amounts(v: &[Money]) -> Vec<Decimal> {
        v.iter().map(|m| m.amount()).collect()
    }

    #[test]
    fn a_percentage_rounds_half_up_to_whole_tugrik_and_splits_over_the_lines_it_reaches() {
        let t = terms(DiscountType::Percent, d(10));
        let lines = [line(ProductKind::Device, d(1005)), line(ProductKind::TopUp, d(5000))];
        // 10 % of 1,005 is 100.5: 101.
        let only_devices = Terms { kinds: Some(vec![ProductKind::Device]), ..t.clone() };
        assert_eq!(amounts(&shares(&only_devices, &lines, &[]).unwrap_or_default()), vec![d(101), d(0)]);
        // 10 % of 6,005 is 600.5: 601, split 100.5 / 500 -> the larger remainder takes the odd tögrög.
        let all = shares(&t, &lines, &[]).unwrap_or_default();
        assert_eq!(amounts(&all).iter().sum::<Decimal>(), d(601));
        assert_eq!(amounts(&all), vec![d(101), d(500)]);
    }

    #[test]
    fn a_fixed_amount_never_takes_more_than_it_reaches_and_the_budget_caps_it() {
        let lines = [line(ProductKind::TopUp, d(3000))];
        let t = terms(DiscountType::Fixed, d(5000));
        assert_eq!(amounts(&shares(&t, &lines, &[]).unwrap_or_default()), vec![d(3000)]);
        let capped = Terms { budget: Some(Money::mnt(d(10000))), discount_used: Money::mnt(d(9200)), ..t };
        assert_eq!(amounts(&shares(&capped, &lines, &[]).unwrap_or_default()), vec![d(800)]);
    }

    #[test]
    fn each_refusal_is_told() {
        let now = Utc::now();
        let lines = [line(ProductKind::Device, d(100000))];
        let t = terms(DiscountType::Percent, d(10));
        let min = Terms { min_subtotal: Some(Money::mnt(d(200000))), ..t.clone() };
        assert_eq!(shares(&min, &lines, &[]), Err(CouponRefusal::BelowMinimum { min: d(200000) }));
        let plans = Terms { kinds: Some(vec![ProductKind::Plan]), ..t.clone() };
        assert_eq!(shares(&plans, &lines, &[]), Err(CouponRefusal::NotApplicable));
        let later = code(Terms { starts_at: Some(now + chrono::Duration::hours(1)), ..t.clone() });
        assert_eq!(usable(&later, None, now), Err(CouponRefusal::NotStarted));
        let over = code(Terms { ends_at: Some(now), ..t.clone() });
        assert_eq!(usable(&over, None, now), Err(CouponRefusal::Expired));
        let spent = code(Terms { max_redemptions: Some(3), uses: 3, ..t.clone() });
        assert_eq!(usable(&spent, None, now), Err(CouponRefusal::UsedUp));
        let broke = code(Terms { budget: Some(Money::mnt(d(5000))), discount_used: Money::mnt(d(5000)), ..t.clone() });
        assert_eq!(usable(&broke, None, now), Err(CouponRefusal::UsedUp));
        let me = AccountId::random();
        let mine = CodeTerms { owner: Some(me), ..code(Terms { policy: CodePolicy::Personal, ..t.clone() }) };
        assert_eq!(usable(&mine, Some(AccountId::random()), now), Err(CouponRefusal::NotYours));
        assert_eq!(usable(&mine, None, now), Err(CouponRefusal::NotYours));
        assert_eq!(usable(&mine, Some(me), now), Ok(()));
        let shared = code(Terms { policy: CodePolicy::OncePerCustomer, ..t });
        assert_eq!(usable(&shared, None, now), Err(CouponRefusal::SignInRequired));
        let w = weigh(std::slice::from_ref(&shared), &lines, Some(me), std::slice::from_ref(&shared.code), now);
        assert_eq!(w.first_refusal().map(|(_, r)| r), Some(CouponRefusal::AlreadyUsed));
    }

    #[test]
    fn codes_stack_only_when_both_campaigns_say_so_and_the_second_takes_from_what_is_left() {
        let now = Utc::now();
        let lines = [line(ProductKind::Device, d(10000))];
        let first = code(terms(DiscountType::Fixed, d(4000)));
        let second =
            CodeTerms { code: CouponCode::from_stored("MORE".into()), ..code(terms(DiscountType::Percent, d(50))) };
        let w = weigh(&[first.clone(), second.clone()], &lines, None, &[], now);
        assert_eq!(
            w.first_refusal().map(|(c, r)| (c.as_str().to_string(), r)),
            Some(("MORE".into(), CouponRefusal::OnePerOrder))
        );
        assert_eq!(w.total.amount(), d(4000));
        let stack = |c: CodeTerms| CodeTerms { terms: Terms { stackable: true, ..c.terms.clone() }, ..c };
        let w = weigh(&[stack(first), stack(second)], &lines, None, &[], now);
        assert_eq!(w.first_refusal(), None);
        // 4,000 off, then half of the 6,000 left.
        assert_eq!(w.total.amount(), d(7000));
        assert_eq!(amounts(&w.per_line), vec![d(7000)]);
    }

    #[test]
    fn shares_always_add_up_and_never_pass_a_line() {
        for amount in [d(1), d(7), d(100), d(999)] {
            let bases = [d(333), d(333), d(334)];
            let s = split(amount, &bases);
            assert_eq!(s.iter().sum::<Decimal>(), amount);
            assert!(s.iter().zip(bases).all(|(s, b)| *s <= b && *s >= Decimal::ZERO));
        }
    }

    #[test]
    fn a_customer_list_is_read_from_its_first_column_with_or_without_a_header() {
        let csv =
            "email,name\nsaraa@example.mn,Saraa\n\n\"dorj@example.mn\", Dorj\n3f2504e0-4f89-41d3-9a0c-0305e82c3301\n";
        assert_eq!(
            customers_from_csv(csv),
            ["saraa@example.mn", "dorj@example.mn", "3f2504e0-4f89-41d3-9a0c-0305e82c3301"]
        );
        assert_eq!(customers_from_csv("bat@example.mn"), ["bat@example.mn"]);
    }

    #[test]
    fn codes_are_read_in_any_case_and_generated_without_ambiguous_signs() {
        assert_eq!(CouponCode::parse(" tsagaan 10 ").map(|c| c.as_str().to_string()), Some("TSAGAAN10".into()));
        assert_eq!(CouponCode::parse("ab"), None);
        assert_eq!(CouponCode::parse("-ABC"), None);
        assert_eq!(CouponCode::parse("ЦАГААН"), None);
        let all: Vec<u8> = (0..=255).collect();
        let code = generated("XMAS-", &all);
        assert!(code.starts_with("XMAS-"));
        assert!(!code[5..].contains(['0', 'O', '1', 'I']));
    }
}
