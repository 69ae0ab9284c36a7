//! `rules` and `limits`: when which prompt shows, and how often prompts may show at all.

use crate::prelude::*;

use super::super::declare::{json_enum, json_object};
use super::scoring::Band;
use crate::page::PageMatch;
use crate::signals::Signal;

json_object! {
    /// One rule: when the conditions hold, show a prompt.
    pub struct RuleSpec {
        /// A unique id, reported with every decision.
        pub id: String,
        /// Conditions, all of which must hold (none: always).
        pub when: WhenSpec = WhenSpec::default(),
        /// The prompt to show.
        pub then: ThenSpec,
        /// How often this rule may fire.
        pub limit: RuleLimitSpec = RuleLimitSpec::default(),
    }
}

json_object! {
    #[defaults]
    /// Conditions of a rule; all given ones must hold.
    pub struct WhenSpec {
        /// The difficulty score is at least this.
        pub score_at_least: Option<f64> [0.0..=1.0] = None,
        /// The difficulty band is at least this.
        pub band_at_least: Option<Band> = None,
        /// Signals active now: fired within three score half-lives or, when `page` is
        /// also given, fired on this page view.
        pub signals: SignalsConditionSpec = SignalsConditionSpec::default(),
        /// The page the visitor is on.
        pub page: Option<PageMatch> = None,
        /// New or returning visitor.
        pub visitor: Option<VisitorKind> = None,
        /// The customer tier is one of these (names from `scoring.value.tiers`).
        pub tier: Vec<String> = Vec::new(),
        /// The device class is one of these.
        pub device: Vec<Device> = Vec::new(),
        /// The cart.
        pub cart: Option<CartConditionSpec> = None,
        /// Time since the visit started.
        pub time_on_site_s: Option<SecondsRangeSpec> = None,
        /// A tagged task's state.
        pub task: Option<TaskConditionSpec> = None,
        /// Whether a person is online for chat or calls.
        pub agents_online: Option<bool> = None,
        /// The visitor has sent no feedback for at least this many days (or never): ask
        /// those not heard from lately.
        pub feedback_stale_days: Option<u32> [1..=3650] = None,
    }
}

json_object! {
    #[defaults]
    /// Which signals must be active.
    pub struct SignalsConditionSpec {
        /// At least one of these (if any are listed).
        pub any: Vec<Signal> = Vec::new(),
        /// All of these.
        pub all: Vec<Signal> = Vec::new(),
    }
}

json_enum! {
    /// New or returning visitor.
    pub enum VisitorKind {
        /// First visit.
        New = "new",
        /// Visited before.
        Returning = "returning",
    }
}

json_enum! {
    /// Device class.
    pub enum Device {
        /// Phone.
        Mobile = "mobile",
        /// Tablet.
        Tablet = "tablet",
        /// Desktop or laptop.
        Desktop = "desktop",
    }
}

json_enum! {
    /// Whether the cart has items.
    pub enum CartState {
        /// No items.
        Empty = "empty",
        /// At least one item.
        HasItems = "has_items",
    }
}

json_object! {
    #[defaults]
    /// Conditions on the cart.
    pub struct CartConditionSpec {
        /// Empty or not.
        pub state: Option<CartState> = None,
        /// Cart value at least this (shop currency).
        pub min_value: Option<f64> [0.0..=1000000000.0] = None,
        /// Cart value at most this (shop currency).
        pub max_value: Option<f64> [0.0..=1000000000.0] = None,
    }
}

json_object! {
    #[defaults]
    /// A range of seconds.
    pub struct SecondsRangeSpec {
        /// At least this many seconds.
        pub min: u32 [0..=604800] = 0,
        /// At most this many seconds.
        pub max: Option<u32> [0..=604800] = None,
    }
}

json_enum! {
    /// Where a tagged task stands in this visit.
    pub enum TaskState {
        /// Not started.
        NotStarted = "not_started",
        /// Started, not completed.
        Active = "active",
        /// Completed.
        Completed = "completed",
    }
}

json_object! {
    /// A condition on a tagged task.
    pub struct TaskConditionSpec {
        /// The task's name in `tasks`.
        pub name: String,
        /// Its state.
        pub state: TaskState,
        /// How it went (under way or completed): feedback is most useful after a task that
        /// went slowly or with struggle.
        pub went: Option<TaskWent> = None,
    }
}

json_enum! {
    /// How a tagged task went.
    pub enum TaskWent {
        /// Within twice its expected duration, no signal while it ran.
        Smoothly = "smoothly",
        /// Longer than twice its expected duration.
        Slowly = "slowly",
        /// A struggle signal fired while it ran.
        WithStruggle = "with_struggle",
        /// Slowly, or with struggle.
        NotSmoothly = "not_smoothly",
    }
}

json_object! {
    /// What a rule shows.
    pub struct ThenSpec {
        /// A prompt id from `prompts`.
        pub prompt: String,
        /// Higher wins when several rules match at once; ties go to the earlier rule.
        pub priority: i32 [-1000..=1000] = 0,
        /// Fire only when the decision value is at least this.
        pub min_value: f64 [0.0..=1.0] = 0.0,
        /// Alert the shop's staff at once, in real time, when it fires with at least this
        /// decision value.
        pub alert: Option<AlertSpec> = None,
    }
}

json_object! {
    #[defaults]
    /// An alert to the shop's staff.
    pub struct AlertSpec {
        /// Only when the decision value is at least this.
        pub min_value: f64 [0.0..=1.0] = 0.0,
        /// Seconds a member of staff has to acknowledge it before it goes to the next.
        pub window_s: u32 [10..=3600] = 60,
    }
}

json_object! {
    #[defaults]
    /// How often one rule may fire.
    pub struct RuleLimitSpec {
        /// At most this many times per visit.
        pub max_per_session: u32 [1..=100] = 1,
        /// At least this long between two firings, in seconds.
        pub cooldown_s: u32 [0..=2592000] = 0,
        /// Only this percent of visits (chosen by the session id) see this rule.
        pub sample_percent: u32 [0..=100] = 100,
    }
}

json_object! {
    #[defaults]
    /// One throttle across every kind of prompt.
    pub struct LimitsSpec {
        /// At most this many prompts per visit.
        pub max_per_session: u32 [0..=100] = 2,
        /// At most this many prompts per page view.
        pub max_per_page: u32 [0..=20] = 1,
        /// At least this long between two prompts, in seconds.
        pub min_gap_s: u32 [0..=86400] = 60,
        /// A dismissed prompt stays away this many days (0: for the rest of the visit).
        pub dismissed_days: u32 [0..=365] = 7,
    }
}
