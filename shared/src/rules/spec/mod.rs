//! The rules JSON as written (`version: 1`): one type per object, read with every error
//! reported and described by the checked-in JSON Schema.

use crate::prelude::*;

#[cfg(feature = "collector")]
pub mod feedback;
pub mod privacy;
pub mod prompts;
pub mod scoring;
pub mod signals;
#[cfg(feature = "collector")]
pub mod staff;
pub mod support;
pub mod targeting;
pub mod tasks;

use alloc::collections::BTreeMap;

use super::declare::json_object;
#[cfg(feature = "collector")]
pub use feedback::*;
pub use privacy::*;
pub use prompts::*;
pub use scoring::*;
pub use signals::*;
#[cfg(feature = "collector")]
pub use staff::*;
pub use support::*;
pub use targeting::*;
pub use tasks::*;
#[cfg(not(feature = "collector"))]
pub use unread::StaffSpec;
#[cfg(not(feature = "collector"))]
pub use unread::TriageSpec;

/// The sections only the collector reads, where they are not read (the in-page checker):
/// any object.
#[cfg(not(feature = "collector"))]
mod unread {
    use super::super::read::{FromJson, Reader};
    use crate::json::Json;

    /// The `feedback` section, accepted unread: only the collector triages feedback, and it
    /// checks the section when the rules are stored.
    #[derive(Debug, Clone, PartialEq, serde::Serialize)]
    pub struct TriageSpec;

    /// The `staff` section, accepted unread: only the collector tells staff of alerts.
    #[derive(Debug, Clone, PartialEq, serde::Serialize)]
    pub struct StaffSpec;

    fn object(v: &Json, r: &mut Reader) -> Option<()> {
        match v {
            Json::Object(_) => Some(()),
            other => r.wrong_type("an object", other),
        }
    }

    impl FromJson for TriageSpec {
        fn read(v: &Json, r: &mut Reader) -> Option<Self> {
            object(v, r).map(|()| TriageSpec)
        }
    }

    impl FromJson for StaffSpec {
        fn read(v: &Json, r: &mut Reader) -> Option<Self> {
            object(v, r).map(|()| StaffSpec)
        }
    }
}

json_object! {
    /// A site's rules file.
    pub struct RulesSpec {
        /// The format version; this build reads version 1.
        pub version: u32,
        /// Language of the prompts' `text` (a tag like `en`); `translations` add others.
        pub language: Option<String> = None,
        /// Detector thresholds.
        pub signals: SignalsSpec = SignalsSpec::default(),
        /// How signals make a score and decisions are valued.
        pub scoring: ScoringSpec = ScoringSpec::default(),
        /// The prompts, by id.
        pub prompts: BTreeMap<String, PromptSpec> = BTreeMap::new(),
        /// The rules, in order.
        pub rules: Vec<RuleSpec> = Vec::new(),
        /// One throttle across every kind of prompt.
        pub limits: LimitsSpec = LimitsSpec::default(),
        /// Tagged tasks.
        pub tasks: Vec<TaskSpec> = Vec::new(),
        /// What leaves the page, and consent.
        pub privacy: PrivacySpec = PrivacySpec::default(),
        /// What counts as a page view.
        pub pages: PagesSpec = PagesSpec::default(),
        /// Colours and position of every prompt.
        pub theme: ThemeSpec = ThemeSpec::default(),
        /// The fixed words of prompts (Close, Send, Yes, No...) by language tag, over the
        /// built-in defaults.
        pub labels: BTreeMap<String, LabelsSpec> = BTreeMap::new(),
        /// Automated support sessions: articles, guides, personas, escalation (served
        /// apart from the rules, fetched only when a session starts).
        pub support: Option<SupportSpec> = None,
        /// What the collector does with feedback: triage, known problems, compensation
        /// (read by the collector only, never sent to pages).
        pub feedback: Option<TriageSpec> = None,
        /// How the shop's staff hear of alerts (webhooks, a digest past a rate), read by the
        /// collector only.
        pub staff: Option<StaffSpec> = None,
    }
}
