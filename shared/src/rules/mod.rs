//! A site's rules: read from JSON ([`spec`]), checked once into [`Rules`].
//!
//! The spec types are declared once (`declare`) as type, schema and reader. Reading
//! (`read`) reports every structural problem (unknown fields, wrong types, values
//! out of range); checking (`check`) every semantic one (unknown prompt ids, duplicate
//! ids, bad links or colours). Both name the JSON path. The hot path only sees [`Rules`]:
//! page patterns compiled into one matcher table, ids resolved to indices, times in ms.

use crate::prelude::*;

mod check;
mod compiled;
pub mod contrast;
pub(crate) mod declare;
pub mod error;
pub mod labels;
pub(crate) mod read;
pub mod spec;
pub mod view;

pub use error::{RuleError, RuleErrorKind, RuleErrors};

use crate::json::Json;
use crate::page::Matcher;
use crate::signals::{Signal, SignalSet};
use crate::wire::cat;
use spec::{
    Band, CartConditionSpec, Device, LimitsSpec, PagesSpec, PrivacySpec, PromptKind, RuleLimitSpec,
    RulesSpec, SignalsSpec, TaskState, TaskWent, ThemeSpec, VisitorKind,
};

/// The rules format version this build reads.
pub const VERSION: u32 = 1;
/// Most prompts in one file.
pub const MAX_PROMPTS: usize = 64;
/// Most rules in one file (task feedback rules included).
pub const MAX_RULES: usize = 128;
/// Most tagged tasks in one file.
pub const MAX_TASKS: usize = 16;
/// The id of the support prompt made for rules with a `support` section and no support
/// prompt of their own (what `lifeline.help()` opens).
pub const SUPPORT_PROMPT: &str = "support";
/// Most customer tiers.
pub const MAX_TIERS: usize = 32;

/// Index of a prompt in [`Rules::prompts`].
pub type PromptIdx = u16;
/// Index of a rule in [`Rules::rules`].
pub type RuleIdx = u16;
/// Index of a task in [`Rules::tasks`].
pub type TaskIdx = u8;
/// Index of a page matcher in the rules' matcher table.
pub type MatcherIdx = u16;

/// A site's checked rules.
#[derive(Debug, Clone, PartialEq)]
pub struct Rules {
    /// Language of the prompts' default text.
    pub language: String,
    /// Detector thresholds.
    pub signals: SignalsSpec,
    /// Scoring and decision value.
    pub scoring: Scoring,
    /// The prompts, ordered by id.
    pub prompts: Vec<Prompt>,
    /// The rules, in file order, then one per task that asks for feedback.
    pub rules: Vec<Rule>,
    /// The global throttle.
    pub limits: LimitsSpec,
    /// Tagged tasks.
    pub tasks: Vec<Task>,
    /// Privacy settings.
    pub privacy: PrivacySpec,
    /// What counts as a page view.
    pub pages: PagesSpec,
    /// Every page pattern, compiled; referenced by [`MatcherIdx`].
    pub matchers: Vec<Matcher>,
    /// Pages with their own usual dwell for quick back, in order.
    pub quick_back_pages: Vec<(MatcherIdx, u64)>,
    /// Pages that mean cancel intent.
    pub cancel_pages: Vec<MatcherIdx>,
    /// The fixed words of prompts for each language the prompts speak: (tag, JSON object
    /// of every label), the site's language first.
    pub labels: Vec<(String, String)>,
    /// A Help button on every page (`support.launcher`).
    pub launcher: bool,
}

/// Checked scoring settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Scoring {
    /// Score added per firing, by [`Signal::index`].
    pub weights: [f32; Signal::COUNT],
    /// Half-life of each signal's part of the score, in ms.
    pub half_life_ms: f64,
    /// Lower bounds of `low`, `medium`, `high`.
    pub bands: [f32; 3],
    /// Weights of frustration, business, opportunity, availability; summing to 1.
    pub value_weights: [f32; 4],
    /// Customer tiers and their value, in name order.
    pub tiers: Vec<(String, f32)>,
    /// Cart value that counts as full business value.
    pub cart_value_full: f64,
}

impl Scoring {
    /// The coarse band of a score.
    pub fn band(&self, score: f32) -> Band {
        match self.bands {
            [_, _, high] if score >= high => Band::High,
            [_, medium, _] if score >= medium => Band::Medium,
            [low, _, _] if score >= low => Band::Low,
            _ => Band::None,
        }
    }

    /// The index of a tier by name.
    pub fn tier(&self, name: &str) -> Option<usize> {
        self.tiers.iter().position(|(n, _)| n == name)
    }
}

/// A checked prompt.
#[derive(Debug, Clone, PartialEq)]
pub struct Prompt {
    /// Its id.
    pub id: String,
    /// What it offers.
    pub kind: PromptKind,
    /// A help prompt whose action opens a support session.
    pub opens_support: bool,
    /// Colours and position.
    pub theme: ThemeSpec,
    /// Its views as the renderer reads them (texts, steps, links, the action, feedback
    /// controls, the theme), by language tag, the site's language first (see [`view`]).
    pub views: Vec<(String, String)>,
}

impl Prompt {
    /// Whether showing it needs a person online (chat or call).
    pub fn needs_person(&self) -> bool {
        matches!(self.kind, PromptKind::ChatOffer | PromptKind::CallOffer)
    }
}

/// A rules file as checked: the rules every page decodes, and the support content served
/// apart from them.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    /// The rules.
    pub rules: Rules,
    /// The `support` section, when the file has one.
    pub support: Option<lifeline_support::Support>,
    /// The `feedback` section, when the file has one (the collector's alone).
    #[cfg(feature = "collector")]
    pub triage: Option<Triage>,
    /// The `staff` section, when the file has one (the collector's alone).
    #[cfg(feature = "collector")]
    pub staff: Option<spec::StaffSpec>,
}

/// The checked `feedback` section: how the collector triages feedback.
#[cfg(feature = "collector")]
#[derive(Debug, Clone, PartialEq)]
pub struct Triage {
    /// The section as written.
    pub spec: spec::TriageSpec,
    /// The catalogue of known problems, in order.
    pub problems: Vec<Problem>,
    /// `scoring.value.tiers`: each tier's value to the shop, 0 to 1.
    pub tiers: Vec<(String, f64)>,
}

/// A known problem, with its page patterns checked.
#[cfg(feature = "collector")]
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// As written.
    pub spec: spec::ProblemSpec,
    /// Its `pages`.
    pub pages: Vec<Matcher>,
}

impl Checked {
    /// Reads and checks a rules file from JSON text, reporting every problem.
    pub fn from_json_str(text: &str) -> Result<Checked, RuleErrors> {
        let json = Json::parse(text).map_err(|e| {
            RuleErrors(vec![RuleError {
                path: String::new(),
                kind: RuleErrorKind::Syntax {
                    line: e.line,
                    column: e.column,
                    message: e.message,
                },
            }])
        })?;
        Checked::from_json(&json)
    }

    /// Reads and checks a rules file from a JSON tree, reporting every problem.
    #[expect(
        clippy::float_cmp,
        reason = "a version is an exact integer; 1.5 is another version"
    )]
    pub fn from_json(json: &Json) -> Result<Checked, RuleErrors> {
        use read::FromJson as _;
        let mut r = read::Reader::default();
        // A file for another version is judged by that version alone.
        if let Json::Object(entries) = json
            && let Some((_, Json::Number(v))) = entries.iter().find(|(k, _)| k == "version")
            && *v != f64::from(VERSION)
        {
            r.field("version", |r| {
                r.error(RuleErrorKind::UnsupportedVersion {
                    found: *v,
                    supported: VERSION,
                })
            });
            return Err(RuleErrors(r.finish()));
        }
        let spec = RulesSpec::read(json, &mut r);
        if spec.is_none() {
            // The checker needs a whole file; the prompt references can be told now.
            check::prompt_references(json, &mut r);
        }
        let checked = spec.and_then(|spec| check::check(&spec, &mut r));
        match checked {
            Some(checked) if r.errors.is_empty() => Ok(checked),
            _ => Err(RuleErrors(r.finish())),
        }
    }
}

/// A checked rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// Its id (`task:NAME` for a task's feedback rule).
    pub id: String,
    /// Its conditions.
    pub when: Condition,
    /// The prompt it shows.
    pub prompt: PromptIdx,
    /// Higher wins.
    pub priority: i32,
    /// Least decision value.
    pub min_value: f32,
    /// How often it may fire.
    pub limit: RuleLimitSpec,
    /// Alert the staff when it fires with at least this decision value; and the seconds
    /// they have to acknowledge.
    pub alert: Option<(f32, u32)>,
}

/// Checked conditions of a rule.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Condition {
    /// Least score.
    pub score_at_least: Option<f32>,
    /// Least band.
    pub band_at_least: Option<Band>,
    /// At least one of these signals active (if not empty).
    pub signals_any: SignalSet,
    /// All of these signals active.
    pub signals_all: SignalSet,
    /// The page.
    pub page: Option<MatcherIdx>,
    /// New or returning.
    pub visitor: Option<VisitorKind>,
    /// Tier bits (bit `i` is `scoring.tiers[i]`); 0 means any tier.
    pub tiers: u32,
    /// Device bits (bit `i` is `Device::ALL[i]`); 0 means any device.
    pub devices: u8,
    /// The cart.
    pub cart: Option<CartConditionSpec>,
    /// Least time on site, in ms.
    pub min_time_on_site_ms: u64,
    /// Most time on site, in ms.
    pub max_time_on_site_ms: Option<u64>,
    /// A task's state.
    pub task: Option<(TaskIdx, TaskState)>,
    /// How that task went.
    pub task_went: Option<TaskWent>,
    /// Whether a person is online.
    pub agents_online: Option<bool>,
    /// No feedback from the visitor for at least this many days.
    pub feedback_stale_days: Option<u32>,
}

impl Condition {
    /// Whether `device` is allowed.
    pub fn allows_device(&self, device: Device) -> bool {
        self.devices == 0 || self.devices & (1 << device as u8) != 0
    }
}

/// A checked tagged task.
#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    /// Its name.
    pub name: String,
    /// What starts it.
    pub start: Marker,
    /// What completes it.
    pub complete: Marker,
    /// Usual duration, in ms.
    pub expected_ms: u64,
    /// Usual page views.
    pub expected_pages: u32,
    /// The feedback prompt shown on completion.
    pub feedback_prompt: Option<PromptIdx>,
}

/// What starts or completes a task.
#[derive(Debug, Clone, PartialEq)]
pub enum Marker {
    /// Arriving on a matching page.
    Page(MatcherIdx),
    /// A named mark from the page.
    Mark(Box<str>),
}

impl Rules {
    /// Reads and checks rules from JSON text, reporting every problem.
    pub fn from_json_str(text: &str) -> Result<Rules, RuleErrors> {
        Checked::from_json_str(text).map(|c| c.rules)
    }

    /// Reads and checks rules from a JSON tree, reporting every problem.
    pub fn from_json(json: &Json) -> Result<Rules, RuleErrors> {
        Checked::from_json(json).map(|c| c.rules)
    }

    /// Checks rules built in code.
    pub fn from_spec(spec: &RulesSpec) -> Result<Rules, RuleErrors> {
        let mut r = read::Reader::default();
        match check::check(spec, &mut r) {
            Some(c) if r.errors.is_empty() => Ok(c.rules),
            _ => Err(RuleErrors(r.finish())),
        }
    }

    /// The labels (a JSON object) of a language the rules speak, as they write its tag (a
    /// prompt's translation, or the site's language); `{}` for rules without labels.
    pub fn labels_for(&self, tag: &str) -> &str {
        (self.labels.iter())
            .find(|(t, _)| t == tag)
            .or(self.labels.first())
            .map_or("{}", |(_, json)| json.as_str())
    }

    /// Prompt `index`'s view for a visitor whose browser prefers `language` (`fr-CA` falls
    /// back to `fr`, then to the site's language) as the renderer reads it, with the fixed
    /// words of its language; and that language's tag.
    pub fn view(&self, index: usize, language: &str) -> Option<(&str, String)> {
        let views = &self.prompts.get(index)?.views;
        let primary = language.split('-').next().unwrap_or(language);
        let find = |tag: &str| views.iter().find(|(t, _)| t.eq_ignore_ascii_case(tag));
        let (tag, tail) = find(language).or_else(|| find(primary)).or(views.first())?;
        Some((tag, cat(&["{\"labels\":", self.labels_for(tag), tail])))
    }

    /// The prompt with this id.
    pub fn prompt_index(&self, id: &str) -> Option<PromptIdx> {
        self.prompts
            .iter()
            .position(|p| p.id == id)
            .map(|i| i as PromptIdx)
    }

    /// The rule with this id.
    pub fn rule_index(&self, id: &str) -> Option<RuleIdx> {
        self.rules
            .iter()
            .position(|r| r.id == id)
            .map(|i| i as RuleIdx)
    }

    /// The JSON Schema of the rules file, as pretty JSON (the checked-in
    /// `rules.schema.json`).
    #[cfg(feature = "schema")]
    pub fn json_schema() -> String {
        let schema = schemars::schema_for!(RulesSpec);
        let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
        text.push('\n');
        text
    }
}
