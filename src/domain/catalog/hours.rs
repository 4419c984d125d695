//! When a shopper can have a device: collected at a branch that holds it (today, if the branch
//! is still open long enough to get it ready) or delivered.
use chrono::{DateTime, Datelike, Duration, NaiveDateTime, NaiveTime, Utc, Weekday};

use super::types::{Branch, BranchStock, Hours};
use crate::domain::shared::clock::shop_local;

/// How long a branch takes to get a paid order ready for collection.
pub const READY_IN: Duration = Duration::hours(1);
/// Orders paid before this hour (Ulaanbaatar time) on a warehouse working day are delivered
/// the same day; later ones the next working day.
pub const SAME_DAY_DELIVERY_BEFORE: u32 = 12;

/// The first moment something can be had.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    Today { from: NaiveTime, until: NaiveTime },
    Tomorrow { from: NaiveTime },
    On { day: Weekday, from: NaiveTime },
}

impl Hours {
    /// `None` for values the database would refuse (no days, closing before opening).
    pub fn new(open_days: i16, opens: NaiveTime, closes: NaiveTime) -> Option<Self> {
        let open_days = u8::try_from(open_days).ok().filter(|d| (1..=7).contains(d))?;
        (opens < closes).then_some(Hours { open_days, opens, closes })
    }

    fn open_on(&self, day: Weekday) -> bool {
        day.num_days_from_monday() < u32::from(self.open_days)
    }

    /// When an order paid at `now` can be collected here.
    pub fn collection(&self, now: DateTime<Utc>) -> When {
        let local = shop_local(now);
        let ready = local + READY_IN;
        if self.open_on(local.weekday()) && ready.date() == local.date() && ready.time() < self.closes {
            return When::Today { from: ready.time().max(self.opens), until: self.closes };
        }
        self.next_open_day(local)
    }

    /// When an order paid at `now` is delivered, this being the warehouse's hours.
    pub fn delivery(&self, now: DateTime<Utc>) -> When {
        let local = shop_local(now);
        let cutoff = NaiveTime::from_hms_opt(SAME_DAY_DELIVERY_BEFORE, 0, 0).unwrap_or(self.closes);
        if self.open_on(local.weekday()) && local.time() < cutoff.min(self.closes) {
            return When::Today { from: local.time().max(self.opens), until: self.closes };
        }
        self.next_open_day(local)
    }

    fn next_open_day(&self, local: NaiveDateTime) -> When {
        let mut day = local.date();
        for ahead in 1..=7 {
            day = day.succ_opt().unwrap_or(day);
            if self.open_on(day.weekday()) {
                return if ahead == 1 {
                    When::Tomorrow { from: self.opens }
                } else {
                    When::On { day: day.weekday(), from: self.opens }
                };
            }
        }
        When::Tomorrow { from: self.opens }
    }
}

impl When {
    /// Sooner first: today, then tomorrow, then a later day of the week.
    fn rank(self) -> u8 {
        match self {
            When::Today { .. } => 0,
            When::Tomorrow { .. } => 1,
            When::On { .. } => 2,
        }
    }
}

/// The branch a device can be collected from soonest if ordered at `now`: among those that take
/// collections, hold at least one, and have hours set; on a tie the first in the shop's order.
pub fn soonest_pickup(stock: &[BranchStock], now: DateTime<Utc>) -> Option<(&Branch, When)> {
    stock
        .iter()
        .filter(|s| s.collectable())
        .filter_map(|s| s.branch.hours.map(|h| (&s.branch, h.collection(now))))
        .min_by_key(|(_, when)| when.rank())
}

/// When a device ordered at `now` is delivered: from the delivery warehouse, if it holds one.
pub fn delivery(stock: &[BranchStock], now: DateTime<Utc>) -> Option<When> {
    stock.iter().find(|s| s.deliverable())?.branch.hours.map(|h| h.delivery(now))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    /// A moment given on Ulaanbaatar's clock.
    fn ub(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap() - Duration::hours(8)
    }

    #[test]
    fn an_order_is_collected_today_while_the_branch_has_an_hour_left() {
        let central = Hours::new(7, t(9, 0), t(21, 0)).unwrap();
        // Monday 30 November 2026.
        assert_eq!(central.collection(ub(2026, 11, 30, 7, 30)), When::Today { from: t(9, 0), until: t(21, 0) });
        assert_eq!(central.collection(ub(2026, 11, 30, 14, 10)), When::Today { from: t(15, 10), until: t(21, 0) });
        assert_eq!(central.collection(ub(2026, 11, 30, 19, 59)), When::Today { from: t(20, 59), until: t(21, 0) });
        assert_eq!(central.collection(ub(2026, 11, 30, 20, 0)), When::Tomorrow { from: t(9, 0) });
        assert_eq!(central.collection(ub(2026, 11, 30, 23, 30)), When::Tomorrow { from: t(9, 0) });
    }

    #[test]
    fn a_branch_closed_at_the_weekend_hands_over_on_its_next_working_day() {
        let weekdays = Hours::new(5, t(8, 0), t(18, 0)).unwrap();
        // Friday evening, Saturday, Sunday: Monday.
        assert_eq!(weekdays.collection(ub(2026, 12, 4, 17, 30)), When::On { day: Weekday::Mon, from: t(8, 0) });
        assert_eq!(weekdays.collection(ub(2026, 12, 5, 10, 0)), When::On { day: Weekday::Mon, from: t(8, 0) });
        assert_eq!(weekdays.collection(ub(2026, 12, 6, 10, 0)), When::Tomorrow { from: t(8, 0) });
        let six = Hours::new(6, t(9, 0), t(20, 0)).unwrap();
        assert_eq!(six.collection(ub(2026, 12, 5, 12, 0)), When::Today { from: t(13, 0), until: t(20, 0) });
    }

    #[test]
    fn delivery_is_the_same_day_before_noon_on_a_working_day() {
        let warehouse = Hours::new(5, t(8, 0), t(18, 0)).unwrap();
        assert_eq!(warehouse.delivery(ub(2026, 11, 30, 11, 59)), When::Today { from: t(11, 59), until: t(18, 0) });
        assert_eq!(warehouse.delivery(ub(2026, 11, 30, 12, 0)), When::Tomorrow { from: t(8, 0) });
        assert_eq!(warehouse.delivery(ub(2026, 12, 4, 15, 0)), When::On { day: Weekday::Mon, from: t(8, 0) });
    }

    fn stock(slug: &str, quantity: i32, pickup: bool, warehouse: bool, hours: Option<Hours>) -> BranchStock {
        use crate::domain::shared::Localized;
        let text = Localized { mn: slug.into(), en: slug.into() };
        BranchStock {
            branch: Branch {
                id: uuid::Uuid::new_v4(),
                slug: slug.into(),
                name: text.clone(),
                address: text.clone(),
                opening_hours: text,
                pickup,
                delivery_warehouse: warehouse,
                hours,
            },
            quantity,
        }
    }

    #[test]
    fn the_soonest_branch_holds_one_takes_collections_and_is_open_long_enough() {
        let early = Hours::new(7, t(9, 0), t(18, 0));
        let late = Hours::new(7, t(10, 0), t(21, 0));
        let branches = [
            stock("empty", 0, true, false, late),
            stock("early", 2, true, false, early),
            stock("late", 1, true, false, late),
            stock("warehouse", 9, false, true, Hours::new(5, t(8, 0), t(18, 0))),
        ];
        // Monday 10:00: the first in order that is open today.
        let (b, when) = soonest_pickup(&branches, ub(2026, 11, 30, 10, 0)).unwrap();
        assert_eq!((b.slug.as_str(), when), ("early", When::Today { from: t(11, 0), until: t(18, 0) }));
        // Monday 17:30: only the late branch still has an hour.
        let (b, when) = soonest_pickup(&branches, ub(2026, 11, 30, 17, 30)).unwrap();
        assert_eq!((b.slug.as_str(), when), ("late", When::Today { from: t(18, 30), until: t(21, 0) }));
        assert_eq!(delivery(&branches, ub(2026, 11, 30, 10, 0)), Some(When::Today { from: t(10, 0), until: t(18, 0) }));
        // Nothing in stock anywhere promises nothing; nor do branches without hours.
        let none =
            [stock("a", 0, true, false, early), stock("b", 3, true, false, None), stock("w", 0, false, true, early)];
        assert_eq!(soonest_pickup(&none, ub(2026, 11, 30, 10, 0)), None);
        assert_eq!(delivery(&none, ub(2026, 11, 30, 10, 0)), None);
    }

    #[test]
    fn impossible_hours_are_none() {
        assert_eq!(Hours::new(0, t(9, 0), t(18, 0)), None);
        assert_eq!(Hours::new(8, t(9, 0), t(18, 0)), None);
        assert_eq!(Hours::new(5, t(18, 0), t(9, 0)), None);
    }
}
