//! The admin's own frame: its sections, the signed-in staff member and their role, a way back
//! to the shop. Every admin page carries one, naming the section it belongs to.
use crate::domain::accounts::{Account, Role};

/// A section of the admin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Dashboard,
    Orders,
    Products,
    Branches,
    Customers,
    Numbers,
    Campaigns,
    Jobs,
    Reports,
    Audit,
    /// Admins only.
    Staff,
}

impl Section {
    const ALL: [Section; 11] = [
        Section::Dashboard,
        Section::Orders,
        Section::Products,
        Section::Branches,
        Section::Customers,
        Section::Numbers,
        Section::Campaigns,
        Section::Jobs,
        Section::Reports,
        Section::Audit,
        Section::Staff,
    ];

    fn href(self) -> &'static str {
        match self {
            Section::Dashboard => "/admin",
            Section::Orders => "/admin/orders",
            Section::Products => "/admin/products",
            Section::Branches => "/admin/branches",
            Section::Customers => "/admin/customers",
            Section::Numbers => "/admin/numbers",
            Section::Campaigns => "/admin/campaigns",
            Section::Jobs => "/admin/jobs",
            Section::Reports => "/admin/reports",
            Section::Audit => "/admin/audit",
            Section::Staff => "/admin/staff",
        }
    }

    fn key(self) -> &'static str {
        match self {
            Section::Dashboard => "admin.nav.dashboard",
            Section::Orders => "admin.nav.orders",
            Section::Products => "admin.nav.products",
            Section::Branches => "admin.nav.branches",
            Section::Customers => "admin.nav.customers",
            Section::Numbers => "admin.nav.numbers",
            Section::Campaigns => "admin.nav.campaigns",
            Section::Jobs => "admin.nav.jobs",
            Section::Reports => "admin.nav.reports",
            Section::Audit => "admin.nav.audit",
            Section::Staff => "admin.nav.staff",
        }
    }
}

pub struct NavLink {
    pub href: &'static str,
    pub key: &'static str,
    pub current: bool,
}

/// Who is signed in, and where in the admin they are.
pub struct AdminNav {
    pub name: String,
    /// `staff` or `admin`.
    pub role: &'static str,
    /// The role's name's text key.
    pub role_key: &'static str,
    pub links: Vec<NavLink>,
}

impl AdminNav {
    pub fn new(staff: &Account, here: Section) -> Self {
        Self {
            name: staff.display_name().to_string(),
            role: staff.role.as_str(),
            role_key: if staff.role == Role::Admin { "admin.role.admin" } else { "admin.role.staff" },
            links: Section::ALL
                .into_iter()
                // Only admins run the staff.
                .filter(|s| *s != Section::Staff || staff.role == Role::Admin)
                .map(|s| NavLink { href: s.href(), key: s.key(), current: s == here })
                .collect(),
        }
    }
}
