//! A fixed-capacity ring: allocated once, sized by the rules, never grows.

use crate::prelude::*;

use serde::{Deserialize, Serialize};

/// The last `capacity` items pushed, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Ring<T> {
    items: Vec<T>,
    capacity: usize,
    /// Index of the oldest item once the ring is full.
    head: usize,
}

impl<T: Copy> Ring<T> {
    /// An empty ring that holds `capacity` items (at least 1).
    pub(crate) fn new(capacity: usize) -> Ring<T> {
        let capacity = capacity.max(1);
        Ring {
            items: Vec::with_capacity(capacity),
            capacity,
            head: 0,
        }
    }

    /// Adds an item, dropping the oldest when full. Never allocates.
    pub(crate) fn push(&mut self, item: T) {
        if self.items.len() < self.capacity {
            self.items.push(item);
        } else {
            // `get_mut` and `checked_rem`: a restored ring is checked by `is_sound`, and no
            // panic path (with its formatting) comes into the wasm.
            if let Some(slot) = self.items.get_mut(self.head) {
                *slot = item;
            }
            self.head = (self.head + 1).checked_rem(self.capacity).unwrap_or(0);
        }
    }

    /// The newest item, to change in place.
    pub(crate) fn newest_mut(&mut self) -> Option<&mut T> {
        let newest = if self.is_full() {
            self.head.checked_sub(1).unwrap_or(self.capacity - 1)
        } else {
            self.items.len().checked_sub(1)?
        };
        self.items.get_mut(newest)
    }

    /// The items, oldest first.
    pub(crate) fn iter(&self) -> impl Iterator<Item = T> + '_ {
        let (newer, older) = self
            .items
            .split_at_checked(self.head)
            .unwrap_or((&self.items, &[]));
        older.iter().chain(newer).copied()
    }

    /// Whether it holds `capacity` items.
    pub(crate) fn is_full(&self) -> bool {
        self.items.len() == self.capacity
    }

    /// Empties it, keeping its storage.
    pub(crate) fn clear(&mut self) {
        self.items.clear();
        self.head = 0;
    }

    /// Its capacity.
    pub(crate) fn capacity(&self) -> usize {
        self.capacity
    }

    /// Whether it is well formed (for state restored from storage).
    pub(crate) fn is_sound(&self) -> bool {
        self.items.len() <= self.capacity && (self.head == 0 || self.head < self.items.len())
    }
}

impl<T: crate::codec::Codec> crate::codec::Codec for Ring<T> {
    fn put(&self, w: &mut crate::codec::Writer) {
        self.items.put(w);
        self.capacity.put(w);
        self.head.put(w);
    }
    fn get(r: &mut crate::codec::Reader<'_>) -> Self {
        Ring {
            items: Vec::get(r),
            capacity: usize::get(r),
            head: usize::get(r),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_newest_items_in_order() {
        let mut ring = Ring::new(3);
        for i in 1..=5 {
            ring.push(i);
        }
        assert_eq!(ring.iter().collect::<Vec<_>>(), [3, 4, 5]);
        assert!(ring.is_full());
        ring.clear();
        assert_eq!(ring.iter().count(), 0);
        ring.push(9);
        assert_eq!(ring.iter().collect::<Vec<_>>(), [9]);
    }

    #[test]
    fn the_newest_item_changes_in_place_full_or_not() {
        let mut ring = Ring::new(3);
        assert!(ring.newest_mut().is_none());
        for i in 1..=4 {
            ring.push(i);
            if let Some(n) = ring.newest_mut() {
                *n *= 10;
            }
        }
        assert_eq!(ring.iter().collect::<Vec<_>>(), [20, 30, 40]);
        ring.push(5);
        ring.push(6);
        *ring.newest_mut().unwrap() = 60;
        assert_eq!(ring.iter().collect::<Vec<_>>(), [40, 5, 60]);
    }
}
