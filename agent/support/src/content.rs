//! The site owner's support content as checked (by `lifeline-shared`, with every error at
//! its JSON path) and as the support module holds it: articles, guides, personas and where
//! to refer a visitor when support does not help.

use alloc::string::String;
use alloc::vec::Vec;

use crate::page::Page;

/// Most articles.
pub const MAX_ARTICLES: usize = 200;
/// Most guides.
pub const MAX_GUIDES: usize = 32;
/// Most steps in a guide.
pub const MAX_STEPS: usize = 12;
/// Most personas.
pub const MAX_PERSONAS: usize = 8;
/// Most words counted for an article's search (its body's limit allows no more).
pub const MAX_TERMS: usize = 4096;
/// Most keywords, topics, pages, signals or tasks in one list.
pub const MAX_LIST: usize = 16;

/// Everything a support session can offer.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Support {
    /// The language of texts that name none (the rules' `language`).
    pub language: String,
    /// Answers, in the owner's order.
    pub articles: Vec<Article>,
    /// Walkthroughs on the page.
    pub guides: Vec<Guide>,
    /// Who speaks; the first is the default.
    pub personas: Vec<Persona>,
    /// When support has failed, and where a person can be reached.
    pub escalation: Escalation,
    /// The session's fixed words in each language the content speaks (the site's first),
    /// in the order of [`crate::words::KEYS`].
    pub words: Vec<Words>,
}

impl Support {
    /// The words for a session in `language` (else the site's).
    pub fn words_for(&self, language: &str) -> Option<&Words> {
        (self.words.iter())
            .find(|w| crate::plan::speaks(&w.language, language))
            .or(self.words.first())
    }
}

/// The fixed words of sessions in one language.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Words {
    /// The language tag.
    pub language: String,
    /// The words, in the order of [`crate::words::KEYS`], as the renderer takes them: a
    /// JSON list ([`crate::view::words`]), made when the content is checked.
    pub view: String,
}

/// Where an article or guide applies: any of its pages, signals or tasks (an empty list
/// does not narrow). With none of the three it applies nowhere first, and is found by
/// search.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Place {
    /// Page patterns.
    pub pages: Vec<Page>,
    /// Signal names (`repeated_action`).
    pub signals: Vec<String>,
    /// Task names.
    pub tasks: Vec<String>,
}

impl Place {
    /// Whether it names anything at all.
    pub fn is_anywhere(&self) -> bool {
        !(self.pages.is_empty() && self.signals.is_empty() && self.tasks.is_empty())
    }
}

/// An answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Article {
    /// Its id (in reports).
    pub id: String,
    /// Its language, when not the site's.
    pub language: Option<String>,
    /// What the renderer draws (its title and body), as JSON ([`crate::view::article`]),
    /// made when the content is checked: the module only copies it.
    pub view: String,
    /// Its words for search (title, keywords and body), counted when the content is
    /// checked ([`crate::rank::terms`]).
    pub terms: Vec<Term>,
    /// Topics (personas take topics).
    pub topics: Vec<String>,
    /// Where it answers first.
    pub place: Place,
}

/// A word of an article and how often it occurs there, weighted by field.
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    /// The word, folded for search ([`crate::rank::words`]).
    pub word: String,
    /// Its weighted count.
    pub count: u32,
}

/// A walkthrough on the page.
#[derive(Debug, Clone, PartialEq)]
pub struct Guide {
    /// Its id (in reports).
    pub id: String,
    /// Its language, when not the site's.
    pub language: Option<String>,
    /// Topics.
    pub topics: Vec<String>,
    /// Where it is offered first.
    pub place: Place,
    /// What the renderer draws (its title and steps), as JSON ([`crate::view::guide`]),
    /// made when the content is checked.
    pub view: String,
}

/// The element a step points at.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// A CSS selector.
    Selector(String),
    /// `[data-lifeline-step="NAME"]`, a marker the shop adds.
    Marker(String),
}

/// One step of a guide (checked, then drawn into the guide's view).
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// The element.
    pub target: Target,
    /// Heading.
    pub title: String,
    /// What to do there, plain text.
    pub body: String,
}

/// Who a persona is for.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Audience {
    /// New (`Some(false)`) or returning (`Some(true)`) visitors only.
    pub returning: Option<bool>,
    /// Customer tiers (any, when empty).
    pub tiers: Vec<String>,
    /// Language tags (any, when empty).
    pub languages: Vec<String>,
    /// Visitors whom support failed at least this often.
    pub failures_at_least: u32,
}

/// A persona speaking in one language.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Voice {
    /// The language tag.
    pub language: String,
    /// What the renderer draws of the persona in this language, as JSON
    /// ([`crate::view::persona`]: its name, role, initials or avatar, greeting and the
    /// words it asks, thanks and apologises with), made when the content is checked: the
    /// module only copies it.
    pub view: String,
}

/// Who speaks in a session.
#[derive(Debug, Clone, PartialEq)]
pub struct Persona {
    /// Its id (in reports).
    pub id: String,
    /// Topics it takes (any, when empty).
    pub skills: Vec<String>,
    /// How it looks and what it says, by language; the first is the default.
    pub voices: Vec<Voice>,
    /// Who it speaks to.
    pub audience: Audience,
}

/// Where a visitor is referred when support does not help.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// Live chat, when a person is online: `chat_url`, else the shop's widget.
    Chat,
    /// The shop's own chat widget (the `lifeline:chat` event), online or not.
    Widget,
    /// An email, prefilled with the page and what was tried.
    Email,
    /// A phone call.
    Phone,
}

impl Channel {
    /// Every channel, in code order.
    pub const ALL: [Channel; 4] = [
        Channel::Chat,
        Channel::Widget,
        Channel::Email,
        Channel::Phone,
    ];

    /// Its name in rules and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Chat => "chat",
            Channel::Widget => "widget",
            Channel::Email => "email",
            Channel::Phone => "phone",
        }
    }

    /// The channel of a name.
    pub fn from_name(name: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == name)
    }
}

/// When support has failed, and where a person can be reached.
#[derive(Debug, Clone, PartialEq)]
pub struct Escalation {
    /// A session whose effectiveness (0 to 1) is under this failed.
    pub threshold: f32,
    /// How long after a session the struggle must stay away, in ms.
    pub window_ms: u32,
    /// After this many failed sessions, a person is offered first.
    pub person_after: u32,
    /// The channels, in the order they are tried.
    pub channels: Vec<Channel>,
    /// Where chat opens (else the shop's widget).
    pub chat_url: Option<String>,
    /// The address for `email`.
    pub email: Option<String>,
    /// The number for `phone`.
    pub phone: Option<String>,
    /// What the renderer takes of it (where to refer, how long to watch) as JSON members
    /// ([`crate::view::escalation`]), made when the content is checked.
    pub view: String,
}

impl Escalation {
    /// `self` with its [`Escalation::view`] made from its fields.
    pub fn viewed(mut self) -> Escalation {
        self.view = crate::view::escalation(&self);
        self
    }
}

impl Default for Escalation {
    fn default() -> Self {
        Escalation {
            threshold: 0.5,
            window_ms: 120_000,
            person_after: 1,
            channels: Vec::new(),
            chat_url: None,
            email: None,
            phone: None,
            view: String::new(),
        }
        .viewed()
    }
}
