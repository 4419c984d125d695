//! The catalog: categories, products of every kind, branches and device stock per branch.
pub mod admin;
pub mod backoffice;
pub mod demo;
pub mod error;
pub mod hours;
pub mod images;
pub mod memory;
pub mod model;
pub mod queries;
pub mod types;

pub use error::CatalogError;
pub use memory::ProductMemory;
pub use types::{
    AttributesJson, Branch, BranchStock, Category, CategoryTree, KindCount, Product, ProductAttributes, ProductFilter,
    ProductKind, ProductRef, ProductSort, ProductSummary, RawRefinements, Tier,
};
