//! `signals`: the thresholds of every struggle detector. Defaults are the field's published
//! values (see the doc of each field); every one can be tuned per site.

use crate::prelude::*;

use super::super::declare::json_object;
use crate::page::PageMatch;

json_object! {
    #[defaults]
    /// Thresholds for every detector.
    pub struct SignalsSpec {
        /// Rapid repeated clicks on one spot.
        pub rage_click: RageClickSpec = RageClickSpec::default(),
        /// Clicks the page did not react to.
        pub dead_click: DeadClickSpec = DeadClickSpec::default(),
        /// Clicks followed by an uncaught script error.
        pub error_click: ErrorClickSpec = ErrorClickSpec::default(),
        /// The same few pages visited again and again.
        pub page_loop: PageLoopSpec = PageLoopSpec::default(),
        /// Back to the previous page before the usual dwell on this one.
        pub quick_back: QuickBackSpec = QuickBackSpec::default(),
        /// The same form or button tried again and again on one page.
        pub repeated_action: RepeatedActionSpec = RepeatedActionSpec::default(),
        /// A tagged task taking far longer or far more pages than usual.
        pub dwell_outlier: DwellOutlierSpec = DwellOutlierSpec::default(),
        /// Adding and removing cart items back and forth.
        pub cart_churn: CartChurnSpec = CartChurnSpec::default(),
        /// Reaching a page that means leaving (cancel, unsubscribe).
        pub cancel_intent: CancelIntentSpec = CancelIntentSpec::default(),
        /// The pointer leaving the window at the top.
        pub exit_intent: ExitIntentSpec = ExitIntentSpec::default(),
        /// No input for a while on a visible page.
        pub idle: IdleSpec = IdleSpec::default(),
    }
}

json_object! {
    #[defaults]
    /// Rage click (posthog-js: 3 clicks, each < 1000 ms and < 30 px from the previous one).
    pub struct RageClickSpec {
        /// Whether this detector runs.
        pub enabled: bool = true,
        /// Clicks in one burst.
        pub clicks: u32 [2..=20] = 3,
        /// Most time between two clicks of a burst, in ms.
        pub max_gap_ms: u32 [50..=5000] = 1000,
        /// Most distance between two clicks of a burst, |dx| + |dy| in CSS px.
        pub max_distance_px: u32 [1..=1000] = 30,
        /// Count clicks the page answered with a DOM change or a scroll before the next click
        /// (off: a stepper, a carousel or pagination pressed again and again is not rage).
        pub count_answered: bool = false,
    }
}

json_object! {
    #[defaults]
    /// Dead click (posthog-js: not dead if the DOM changed within 2500 ms, a scroll or
    /// selection change came within 100 ms, or visibility changed within 1000 ms; links and
    /// clicks with modifier keys are ignored).
    pub struct DeadClickSpec {
        /// Whether this detector runs.
        pub enabled: bool = true,
        /// A DOM change this long after the click means the page reacted, in ms.
        pub mutation_window_ms: u32 [100..=10000] = 2500,
        /// A scroll this long after the click means the page reacted, in ms.
        pub scroll_window_ms: u32 [0..=5000] = 100,
        /// A text-selection change this long after the click means it was a selection, in ms.
        pub selection_window_ms: u32 [0..=5000] = 100,
        /// A visibility change this long after the click means the click opened something, in ms.
        pub visibility_window_ms: u32 [0..=10000] = 1000,
    }
}

json_object! {
    #[defaults]
    /// Error click (FullStory, Clarity): a click followed by an uncaught error or rejection.
    pub struct ErrorClickSpec {
        /// Whether this detector runs.
        pub enabled: bool = true,
        /// An error this long after a click counts, in ms.
        pub window_ms: u32 [50..=10000] = 1000,
    }
}

json_object! {
    #[defaults]
    /// Page loop: the last `within_navigations` page views covered at most `max_pages`
    /// distinct pages (cart, shipping, cart, shipping, ...).
    pub struct PageLoopSpec {
        /// Whether this detector runs.
        pub enabled: bool = true,
        /// How many recent page views to look at.
        pub within_navigations: u32 [3..=32] = 6,
        /// At most this many distinct pages among them is a loop.
        pub max_pages: u32 [1..=8] = 3,
    }
}

json_object! {
    /// A page with its own usual dwell time, for quick back.
    pub struct PageDwellSpec {
        /// Which pages.
        pub page: PageMatch,
        /// Their usual dwell time, in ms.
        pub dwell_ms: u32 [100..=600000],
    }
}

json_object! {
    #[defaults]
    /// Quick back (Clarity): back to the previous page before this page's usual dwell time.
    pub struct QuickBackSpec {
        /// Whether this detector runs.
        pub enabled: bool = true,
        /// Usual dwell on a page, in ms, unless `pages` says otherwise.
        pub dwell_ms: u32 [100..=600000] = 5000,
        /// Pages with their own usual dwell (first match wins).
        pub pages: Vec<PageDwellSpec> = Vec::new(),
    }
}

json_object! {
    #[defaults]
    /// Repeated action: the same form submitted, or the same button pressed, again and again
    /// on one page without getting anywhere.
    pub struct RepeatedActionSpec {
        /// Whether this detector runs.
        pub enabled: bool = true,
        /// Attempts that make it a struggle.
        pub times: u32 [2..=20] = 3,
        /// Within this long, in ms.
        pub window_ms: u32 [1000..=3600000] = 60000,
        /// Attempts closer than this are one attempt (a double click), in ms.
        pub min_gap_ms: u32 [0..=10000] = 1000,
    }
}

json_object! {
    #[defaults]
    /// Dwell outlier (a patent's usage model: the average buyer completes in 2 min and
    /// 10 pages; 15 min or 100 pages without completing is a sign of difficulty).
    pub struct DwellOutlierSpec {
        /// Whether this detector runs.
        pub enabled: bool = true,
        /// A task running this many times its expected duration is an outlier.
        pub time_factor: f64 [1.0..=100.0] = 7.5,
        /// A task taking this many times its expected page count is an outlier.
        pub page_factor: f64 [1.0..=100.0] = 10.0,
    }
}

json_object! {
    #[defaults]
    /// Cart churn: the cart going back and forth (add, remove, add, ...).
    pub struct CartChurnSpec {
        /// Whether this detector runs.
        pub enabled: bool = true,
        /// Changes of direction (add after remove or remove after add) that make it churn.
        pub flips: u32 [1..=20] = 3,
        /// Within this long, in ms.
        pub window_ms: u32 [1000..=3600000] = 120000,
    }
}

json_object! {
    #[defaults]
    /// Cancel intent: arriving on a page that means leaving.
    pub struct CancelIntentSpec {
        /// Whether this detector runs.
        pub enabled: bool = true,
        /// The pages.
        pub pages: Vec<PageMatch> = vec![
            PageMatch::Glob("*cancel*".into()),
            PageMatch::Glob("*unsubscribe*".into()),
        ],
    }
}

json_object! {
    #[defaults]
    /// Exit intent (Formbricks: `mouseleave` on the body with `clientY <= 0`).
    pub struct ExitIntentSpec {
        /// Whether this detector runs.
        pub enabled: bool = true,
        /// Ignored until the visitor has been on the page this long, in ms.
        pub min_dwell_ms: u32 [0..=600000] = 2000,
    }
}

json_object! {
    #[defaults]
    /// Idle: no click, key, scroll or input on a visible page for a while.
    pub struct IdleSpec {
        /// Whether this detector runs.
        pub enabled: bool = true,
        /// Quiet time that counts as idle, in ms.
        pub after_ms: u32 [5000..=3600000] = 60000,
    }
}
