//! Products as this process last read them, for a write that names a product and checks, in
//! its own statement, that the product is still on sale as remembered (its kind and details):
//! a memory gone stale costs that write a second try with the product read afresh, never a
//! line checked against old terms. Several processes each keep their own; none is trusted.
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use super::Product;
use crate::domain::shared::ProductId;

/// At most this many products are kept; past it the memory starts over (a catalog is smaller).
const MOST: usize = 4096;

#[derive(Debug, Default)]
pub struct ProductMemory {
    products: RwLock<HashMap<ProductId, Arc<Product>>>,
}

impl ProductMemory {
    /// The product as last read, if it was.
    pub fn recall(&self, id: ProductId) -> Option<Arc<Product>> {
        // A poisoned lock only means a panic elsewhere while holding it: the map is still whole.
        self.products.read().unwrap_or_else(std::sync::PoisonError::into_inner).get(&id).cloned()
    }

    /// Keeps a product just read from the database.
    pub fn keep(&self, product: &Product) {
        let mut products = self.products.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        if products.len() >= MOST {
            products.clear();
        }
        products.insert(product.summary.id, Arc::new(product.clone()));
    }
}
