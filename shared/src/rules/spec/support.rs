//! `support`: the content of automated support sessions (articles, guides on the page,
//! personas, escalation to a person). Served apart from the rules and fetched only when a
//! session starts, so pages that never need help do not pay for it.

use crate::prelude::*;

use alloc::collections::BTreeMap;

use super::super::declare::{json_enum, json_object};
use super::VisitorKind;
use crate::page::PageMatch;
use crate::signals::Signal;

json_object! {
    #[defaults]
    /// Automated support for the page the visitor is on.
    pub struct SupportSpec {
        /// Answers, at most 200.
        pub articles: Vec<ArticleSpec> = Vec::new(),
        /// Step-by-step walkthroughs on the page, at most 32.
        pub guides: Vec<GuideSpec> = Vec::new(),
        /// Who speaks (the first that fits the visitor), at most 8.
        pub personas: Vec<PersonaSpec> = Vec::new(),
        /// When support has failed, and where a person can be reached.
        pub escalation: EscalationSpec = EscalationSpec::default(),
        /// A Help button on every page, in a corner clear of what the visitor is working
        /// with, that starts a session (as `lifeline.help()` does).
        pub launcher: bool = false,
        /// The session's fixed words by language tag, each at most 200 characters, over
        /// the built-in defaults (English, German, French, Spanish): `help`, `search`,
        /// `answers`, `results`, `nothing`, `guide`, `step` (`{n}` of `{m}`), `back`, `next`,
        /// `done`, `ask`, `yes`, `no`, `glad`, `sorry`, `person`, `chat`, `email`, `phone`,
        /// `close`.
        pub labels: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new(),
    }
}

json_object! {
    #[defaults]
    /// Where an article or guide answers first: any of these pages, and (when signals or
    /// tasks are listed) with one of those signals active or one of those tasks under way.
    /// Content with none is found by search.
    pub struct AppliesSpec {
        /// Page patterns, at most 16.
        pub pages: Vec<PageMatch> = Vec::new(),
        /// Struggle signals, at most 16.
        pub signals: Vec<Signal> = Vec::new(),
        /// Task names from `tasks`, at most 16.
        pub tasks: Vec<String> = Vec::new(),
    }
}

json_object! {
    /// An answer.
    pub struct ArticleSpec {
        /// A unique id (in reports).
        pub id: String,
        /// Its language tag, when not the rules' `language`.
        pub language: Option<String> = None,
        /// Heading, at most 120 characters.
        pub title: String,
        /// At most 4000 characters: paragraphs (a blank line between), `- ` list items,
        /// `**bold**` and `[label](url)` links; anything else is text.
        pub body: String,
        /// Words a visitor may search with, at most 16 of 40 characters.
        pub keywords: Vec<String> = Vec::new(),
        /// Topics (ids personas' `skills` name), at most 16.
        pub topics: Vec<String> = Vec::new(),
        /// Where it answers first.
        pub applies: AppliesSpec = AppliesSpec::default(),
    }
}

json_object! {
    /// A walkthrough on the page.
    pub struct GuideSpec {
        /// A unique id (in reports).
        pub id: String,
        /// Its language tag, when not the rules' `language`.
        pub language: Option<String> = None,
        /// Heading, at most 120 characters.
        pub title: String,
        /// Topics, at most 16.
        pub topics: Vec<String> = Vec::new(),
        /// Where it is offered first.
        pub applies: AppliesSpec = AppliesSpec::default(),
        /// The steps, 1 to 12.
        pub steps: Vec<StepSpec>,
    }
}

json_object! {
    /// One step of a guide: its element (a CSS `selector`, or the `marker` of a
    /// `data-lifeline-step="NAME"` attribute the shop adds), highlighted and scrolled into
    /// view. A step whose element is missing is skipped.
    pub struct StepSpec {
        /// A CSS selector, at most 200 characters.
        pub selector: Option<String> = None,
        /// The name in `data-lifeline-step`.
        pub marker: Option<String> = None,
        /// Heading, at most 120 characters.
        pub title: String,
        /// What to do there, at most 500 characters of text.
        pub body: String = String::new(),
    }
}

json_object! {
    /// Who speaks in a session.
    pub struct PersonaSpec {
        /// A unique id (in reports).
        pub id: String,
        /// Name, at most 60 characters.
        pub name: String,
        /// Role ("Checkout help"), at most 60 characters.
        pub role: String = String::new(),
        /// Topics it takes (any, when empty), at most 16.
        pub skills: Vec<String> = Vec::new(),
        /// Up to 3 characters shown without an avatar (else the name's initials).
        pub initials: Option<String> = None,
        /// An `https:` URL of a picture.
        pub avatar: Option<String> = None,
        /// Its words by language tag; the rules' `language` is required.
        pub voices: BTreeMap<String, VoiceSpec> = BTreeMap::new(),
        /// Who it speaks to (everyone, when left out).
        pub audience: AudienceSpec = AudienceSpec::default(),
    }
}

json_object! {
    /// A persona's words in one language, each at most 300 characters.
    pub struct VoiceSpec {
        /// Said first.
        pub greeting: String,
        /// Asks whether it helped (else "Did this solve it?").
        pub ask: Option<String> = None,
        /// Said when it helped.
        pub glad: Option<String> = None,
        /// Said when it did not, before referring to a person.
        pub sorry: Option<String> = None,
    }
}

json_object! {
    #[defaults]
    /// Who a persona speaks to: every condition given must hold.
    pub struct AudienceSpec {
        /// New or returning visitors.
        pub visitor: Option<VisitorKind> = None,
        /// Customer tiers (from `scoring.value.tiers`).
        pub tiers: Vec<String> = Vec::new(),
        /// Language tags.
        pub languages: Vec<String> = Vec::new(),
        /// Visitors whom support failed at least this often.
        pub failures_at_least: u32 [0..=100] = 0,
    }
}

json_enum! {
    /// Where a visitor is referred when support does not help.
    pub enum ChannelSpec {
        /// Live chat, when a person is online (`chat_url`, else the shop's widget).
        Chat = "chat",
        /// The shop's own chat widget (the `lifeline:chat` event), online or not.
        Widget = "widget",
        /// An email prefilled with the page and what was tried (`email`).
        Email = "email",
        /// A phone call (`phone`).
        Phone = "phone",
    }
}

json_object! {
    #[defaults]
    /// When support has failed, and where a person can be reached.
    pub struct EscalationSpec {
        /// A session whose effectiveness (0 to 1: the visitor's answer, the struggle
        /// staying away, the task completing) is under this failed.
        pub threshold: f64 [0..=1] = 0.5,
        /// How long the struggle must stay away after a session, in seconds.
        pub window_s: u32 [10..=3600] = 120,
        /// After this many failed sessions a person is offered first.
        pub person_after: u32 [0..=100] = 1,
        /// The channels, in the order they are offered.
        pub channels: Vec<ChannelSpec> = Vec::new(),
        /// Where chat opens (else the shop's widget opens).
        pub chat_url: Option<String> = None,
        /// The address for `email`.
        pub email: Option<String> = None,
        /// The number for `phone`.
        pub phone: Option<String> = None,
    }
}
