//! Typed events: what the agent's observation layer turns DOM events into.
//!
//! They are content-free by construction: an element is a [`ElementKey`] (a hash the agent
//! derives from the element's tag, id and position, never its text or value), a page is its
//! path, a field edit carries no value. Time is not in the event; it is passed alongside.

use serde::{Deserialize, Serialize};

use crate::signals::SignalSet;

/// A content-free identity of an element (never its text or value).
pub type ElementKey = u64;

/// Facts about a clicked element that change how detectors read the click.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ClickFlags(u8);

impl ClickFlags {
    /// A link: navigation is its reaction, so it is never a dead click.
    pub const LINK: ClickFlags = ClickFlags(1);
    /// A modifier key was held (open in new tab...): never a dead click.
    pub const MODIFIER: ClickFlags = ClickFlags(1 << 1);
    /// A form field, label or native control (steppers, date pickers, checkboxes): repeated
    /// clicks there are normal, so it is never a rage or dead click.
    pub const FIELD: ClickFlags = ClickFlags(1 << 2);
    /// A button (or a link that goes nowhere, or an element with `role=button`).
    pub const BUTTON: ClickFlags = ClickFlags(1 << 3);
    /// The click selected text (the second or third click of a double or triple click that
    /// left a selection): neither a rage nor a dead click, and it answers the clicks of its
    /// gesture before it.
    pub const SELECT: ClickFlags = ClickFlags(1 << 4);
    /// A surface that answers in its own way, without changing the DOM: a video or audio
    /// player (playback), a canvas (a 3D viewer, a drawing), an embed or object (a plugin).
    /// Neither a rage nor a dead click (posthog-js skips them for dead clicks too).
    pub const MEDIA: ClickFlags = ClickFlags(1 << 5);
    /// A button that submits its form (a submit or image button with a form): pressing it
    /// again and again is a repeated action, also when the browser stops the submit to say a
    /// field is missing. Another button's press is an attempt only when the page did not
    /// answer it: a quantity stepper, a carousel's Next, Load more or a toggle answered are
    /// shopping when pressed again.
    pub const SUBMITS: ClickFlags = ClickFlags(1 << 6);
    /// No flags.
    pub const NONE: ClickFlags = ClickFlags(0);

    /// Whether every flag of `other` is set.
    pub fn has(self, other: ClickFlags) -> bool {
        self.0 & other.0 == other.0 && other.0 != 0
    }

    /// The raw bits.
    pub fn bits(self) -> u8 {
        self.0
    }

    /// From raw bits (unknown bits are dropped).
    pub fn from_bits(bits: u8) -> ClickFlags {
        ClickFlags(bits & 0b111_1111)
    }
}

impl core::ops::BitOr for ClickFlags {
    type Output = ClickFlags;
    fn bitor(self, rhs: ClickFlags) -> ClickFlags {
        ClickFlags(self.0 | rhs.0)
    }
}

/// A click.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Click {
    /// Which element.
    pub key: ElementKey,
    /// Viewport x, CSS px.
    pub x: i32,
    /// Viewport y, CSS px.
    pub y: i32,
    /// What kind of element.
    pub flags: ClickFlags,
    /// Signals the element opts out of (`data-lifeline-ignore`).
    pub ignore: SignalSet,
}

/// Whether an item went into the cart or out of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CartChange {
    /// An item added.
    Add,
    /// An item removed.
    Remove,
}

/// One observation. Borrowed strings keep the per-event path allocation-free.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Event<'a> {
    /// A click.
    Click(Click),
    /// A page view: a load, a restore from the back/forward cache, or an SPA route change.
    Navigate {
        /// The URL path and query (`/product?id=2`). Page patterns match the path; the
        /// page's identity for detection (loops, quick backs) includes the query, hashed.
        path: &'a str,
    },
    /// A form submitted.
    Submit {
        /// Which form.
        key: ElementKey,
        /// Signals the form opts out of.
        ignore: SignalSet,
    },
    /// The visitor typed in a field (the value is never seen).
    Input {
        /// Which field.
        key: ElementKey,
    },
    /// The DOM changed (a reaction to a click).
    DomChange,
    /// The page scrolled.
    Scroll,
    /// The text selection changed.
    Selection,
    /// The page became visible or hidden.
    Visibility {
        /// Whether it is now visible.
        visible: bool,
    },
    /// The window gained or lost focus (a dialog, another window, a native picker).
    Focus,
    /// An uncaught error or unhandled rejection.
    Error,
    /// A named mark from the page (`data-lifeline-task`, `lifeline.track`).
    Mark {
        /// Its name.
        name: &'a str,
    },
    /// The cart changed.
    Cart {
        /// Add or remove.
        change: CartChange,
        /// The cart total after the change, if the page knows it.
        total: Option<f64>,
    },
    /// The pointer left the window at the top.
    ExitIntent,
    /// A timer tick (about once a second) so time-based signals can fire.
    Tick,
}

impl Event<'_> {
    /// Whether the visitor did something (for idle).
    pub fn is_activity(&self) -> bool {
        matches!(
            self,
            Event::Click(_)
                | Event::Navigate { .. }
                | Event::Submit { .. }
                | Event::Input { .. }
                | Event::Scroll
                | Event::Selection
                | Event::Cart { .. }
        )
    }
}

crate::codec::codec_enum!(CartChange: [CartChange::Add, CartChange::Remove]);
