//! View models shared by several shopper pages (product cards, the pager).
use crate::domain::catalog::{ProductKind, ProductSummary};
use crate::domain::shared::{Lang, Money, Page};
use crate::i18n::Tr;

pub fn kind_label(tr: Tr, kind: ProductKind) -> &'static str {
    tr.t(&format!("kind.{}.one", kind.as_str()))
}

pub fn kind_plural(tr: Tr, kind: ProductKind) -> &'static str {
    tr.t(&format!("kind.{}", kind.as_str()))
}

/// A product's picture where it is shown: staff's first picture, else the illustration drawn
/// for a demo product, else its kind's.
pub struct Picture {
    pub src: String,
    /// Empty for an illustration, which is drawn to any size.
    pub srcset: String,
    pub width: i32,
    pub height: i32,
    /// Empty for an illustration: the product's name beside it says what it shows.
    pub alt: String,
}

impl Picture {
    /// For a place about `width` CSS pixels wide.
    pub fn of(p: &ProductSummary, lang: Lang, width: i32) -> Self {
        if let Some(img) = &p.cover {
            let height = if img.width > 0 { img.height * width / img.width } else { width };
            return Picture {
                src: img.src(width).to_string(),
                srcset: img.srcset(),
                width,
                height,
                alt: img.alt.get(lang).to_string(),
            };
        }
        let src = crate::web::assets::url_if_present(&format!("img/demo/{}.svg", p.slug))
            .unwrap_or_else(|| crate::web::assets::url(&format!("img/kinds/{}.svg", p.kind.as_str())));
        Picture { src, srcset: String::new(), width, height: width, alt: String::new() }
    }
}

/// A product as a card in a grid.
pub struct Card {
    pub picture: Picture,
    pub href: String,
    pub name: String,
    pub kind: &'static str,
    pub kind_label: &'static str,
    pub price: Money,
    pub available: bool,
}

impl Card {
    pub fn new(p: &ProductSummary, lang: Lang) -> Self {
        Card {
            picture: Picture::of(p, lang, 240),
            href: format!("/products/{}", p.slug),
            name: p.name.get(lang).to_string(),
            kind: p.kind.as_str(),
            kind_label: kind_label(Tr(lang), p.kind),
            price: p.price,
            available: p.available,
        }
    }
}

pub struct PageLink {
    pub number: u32,
    pub href: String,
    pub current: bool,
}

/// Previous / numbered / next links for a page of results; `href(n)` builds page n's URL.
pub struct Pager {
    pub prev: Option<String>,
    pub next: Option<String>,
    pub links: Vec<PageLink>,
    pub page: u32,
    pub pages: u32,
}

impl Pager {
    pub fn new<T>(page: &Page<T>, href: impl Fn(u32) -> String) -> Self {
        let pages = page.total_pages();
        let current = page.page;
        // A window of pages around the current one keeps the bar short on long lists.
        let first = current.saturating_sub(2).max(1);
        let last = (current + 2).min(pages);
        Pager {
            prev: page.has_prev().then(|| href(current - 1)),
            next: page.has_next().then(|| href(current + 1)),
            links: (first..=last).map(|n| PageLink { number: n, href: href(n), current: n == current }).collect(),
            page: current,
            pages,
        }
    }

    pub fn is_needed(&self) -> bool {
        self.pages > 1 || self.prev.is_some()
    }
}
