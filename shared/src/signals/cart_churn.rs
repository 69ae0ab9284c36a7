//! Cart churn: the cart changing direction (add after remove, remove after add) `flips`
//! times within `window_ms`.

use serde::{Deserialize, Serialize};

use crate::event::CartChange;
use crate::ring::Ring;
use crate::rules::spec::CartChurnSpec;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct CartChurn {
    last: Option<CartChange>,
    flips: Ring<u64>,
}

impl CartChurn {
    pub(super) fn new(spec: &CartChurnSpec) -> CartChurn {
        CartChurn {
            last: None,
            flips: Ring::new(spec.flips as usize),
        }
    }

    pub(super) fn changed(&mut self, spec: &CartChurnSpec, now: u64, change: CartChange) -> bool {
        let flipped = self.last.is_some_and(|last| last != change);
        self.last = Some(change);
        if !flipped {
            return false;
        }
        self.flips.push(now);
        let since = now.saturating_sub(u64::from(spec.window_ms));
        let churn = self.flips.is_full() && self.flips.iter().all(|t| t >= since);
        if churn {
            self.flips.clear();
        }
        churn
    }

    pub(super) fn is_sound(&self, spec: &CartChurnSpec) -> bool {
        self.flips.is_sound() && self.flips.capacity() == spec.flips as usize
    }
}

crate::codec::codec!(CartChurn { last, flips });

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prelude::*;
    use CartChange::{Add, Remove};

    #[test]
    fn adding_and_removing_back_and_forth_is_churn() {
        let spec = CartChurnSpec::default();
        let mut d = CartChurn::new(&spec);
        let fired: Vec<bool> = [Add, Remove, Add, Remove, Add]
            .iter()
            .enumerate()
            .map(|(i, c)| d.changed(&spec, i as u64 * 1000, *c))
            .collect();
        assert_eq!(fired, [false, false, false, true, false]);
    }

    #[test]
    fn filling_a_cart_or_slow_changes_are_not() {
        let spec = CartChurnSpec::default();
        let mut d = CartChurn::new(&spec);
        assert!(!(0..10).any(|i| d.changed(&spec, i * 1000, Add)));
        let mut d = CartChurn::new(&spec);
        assert!(
            ![Add, Remove, Add, Remove]
                .iter()
                .enumerate()
                .any(|(i, c)| d.changed(&spec, i as u64 * 100_000, *c))
        );
    }
}
