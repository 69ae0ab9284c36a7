//! Page loop: the last `within_navigations` page views covered at most `max_pages` distinct
//! pages. Fires once per loop, then starts counting afresh.

use serde::{Deserialize, Serialize};

use crate::ring::Ring;
use crate::rules::spec::PageLoopSpec;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct PageLoop {
    /// Hashes of recent page paths.
    views: Ring<u64>,
}

impl PageLoop {
    pub(super) fn new(spec: &PageLoopSpec) -> PageLoop {
        PageLoop {
            views: Ring::new(spec.within_navigations as usize),
        }
    }

    pub(super) fn navigated(&mut self, spec: &PageLoopSpec, page: u64) -> bool {
        self.views.push(page);
        if !self.views.is_full() {
            return false;
        }
        // Count distinct pages: n is at most 32, so a quadratic scan beats any set.
        let distinct = self
            .views
            .iter()
            .enumerate()
            .filter(|(i, p)| !self.views.iter().take(*i).any(|q| q == *p))
            .count();
        let looping = distinct <= spec.max_pages as usize;
        if looping {
            self.views.clear();
        }
        looping
    }

    /// The page viewed last is known by a new address from now on.
    pub(super) fn renamed(&mut self, page: u64) {
        if let Some(last) = self.views.newest_mut() {
            *last = page;
        }
    }

    pub(super) fn is_sound(&self, spec: &PageLoopSpec) -> bool {
        self.views.is_sound() && self.views.capacity() == spec.within_navigations as usize
    }
}

crate::codec::codec!(PageLoop { views });

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prelude::*;

    fn run(pages: &[u64]) -> Vec<usize> {
        let spec = PageLoopSpec::default();
        let mut d = PageLoop::new(&spec);
        pages
            .iter()
            .enumerate()
            .filter(|(_, p)| d.navigated(&spec, **p))
            .map(|(i, _)| i)
            .collect()
    }

    #[test]
    fn going_back_and_forth_between_cart_and_shipping_is_a_loop() {
        // home, cart, shipping, cart, shipping, cart: 3 pages in 6 views.
        assert_eq!(run(&[1, 2, 3, 2, 3, 2, 3, 2]), [5]);
    }

    #[test]
    fn browsing_a_catalogue_is_not_a_loop() {
        // category, product, category, product, ... with different products.
        assert!(run(&[1, 10, 1, 11, 1, 12, 1, 13, 1, 14]).is_empty());
    }

    #[test]
    fn reloading_one_page_again_and_again_is_a_loop() {
        assert_eq!(run(&[7; 6]), [5]);
    }
}
