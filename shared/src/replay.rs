//! Recorded sessions: events as JSON lines (`{"t": 1200, "event": "click", "key": "apply",
//! "x": 10, "y": 20}`), replayed through a [`Session`]. Used by tests, benchmarks and rule
//! dry-runs. Element keys are names here, hashed as the agent would.

use crate::prelude::*;

use alloc::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::decide::{Decision, Outcome};
use crate::event::{CartChange, Click, ClickFlags, Event};
use crate::hash::fnv1a;
use crate::rules::Rules;
use crate::rules::spec::Device;
use crate::session::Session;
use crate::signals::{Signal, SignalSet};

/// One recorded line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Line {
    /// Time since the visit started, in ms.
    pub t: u64,
    /// What happened.
    #[serde(flatten)]
    pub event: Recorded,
}

/// A recorded event, or a change of context, or the visitor's answer to the open prompt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case", deny_unknown_fields)]
#[allow(missing_docs)]
pub enum Recorded {
    Click {
        key: String,
        x: i32,
        y: i32,
        #[serde(default)]
        link: bool,
        #[serde(default)]
        modifier: bool,
        #[serde(default)]
        field: bool,
        #[serde(default)]
        button: bool,
        /// A button that submits its form (a repeated action when pressed again and again).
        #[serde(default)]
        submits: bool,
        /// The click selected text (a double or triple click).
        #[serde(default)]
        select: bool,
        /// On a video, audio, canvas, embed or object.
        #[serde(default)]
        media: bool,
        #[serde(default)]
        ignore: Vec<Signal>,
    },
    Navigate {
        path: String,
    },
    /// The page on screen got a new address in place (`history.replaceState` of its query:
    /// a variant picked); not a page view.
    Replaced {
        path: String,
    },
    Submit {
        key: String,
    },
    Input {
        key: String,
    },
    DomChange,
    Scroll,
    Selection,
    Visibility {
        visible: bool,
    },
    Focus,
    Error,
    Mark {
        name: String,
    },
    Cart {
        change: CartChange,
        total: Option<f64>,
    },
    ExitIntent,
    Tick,
    /// Sets the context.
    Context {
        #[serde(default)]
        returning: bool,
        #[serde(default)]
        tier: Option<String>,
        #[serde(default)]
        device: Option<Device>,
        #[serde(default)]
        agents_online: bool,
    },
    /// The visitor's answer to the prompt on screen.
    Outcome {
        outcome: Outcome,
    },
}

impl Recorded {
    /// The engine event, or `None` for context, outcome and replaced-address lines.
    pub fn event(&self) -> Option<Event<'_>> {
        let key = |k: &str| fnv1a(0, k.as_bytes());
        Some(match self {
            Recorded::Click {
                key: k,
                x,
                y,
                link,
                modifier,
                field,
                button,
                submits,
                select,
                media,
                ignore,
            } => {
                let mut flags = ClickFlags::NONE;
                for (on, f) in [
                    (link, ClickFlags::LINK),
                    (modifier, ClickFlags::MODIFIER),
                    (field, ClickFlags::FIELD),
                    (button, ClickFlags::BUTTON),
                    (submits, ClickFlags::SUBMITS | ClickFlags::BUTTON),
                    (select, ClickFlags::SELECT),
                    (media, ClickFlags::MEDIA),
                ] {
                    if *on {
                        flags = flags | f;
                    }
                }
                let ignore: SignalSet = ignore.iter().copied().collect();
                Event::Click(Click {
                    key: key(k),
                    x: *x,
                    y: *y,
                    flags,
                    ignore,
                })
            }
            Recorded::Navigate { path } => Event::Navigate { path },
            Recorded::Submit { key: k } => Event::Submit {
                key: key(k),
                ignore: SignalSet::EMPTY,
            },
            Recorded::Input { key: k } => Event::Input { key: key(k) },
            Recorded::DomChange => Event::DomChange,
            Recorded::Scroll => Event::Scroll,
            Recorded::Selection => Event::Selection,
            Recorded::Visibility { visible } => Event::Visibility { visible: *visible },
            Recorded::Focus => Event::Focus,
            Recorded::Error => Event::Error,
            Recorded::Mark { name } => Event::Mark { name },
            Recorded::Cart { change, total } => Event::Cart {
                change: *change,
                total: *total,
            },
            Recorded::ExitIntent => Event::ExitIntent,
            Recorded::Tick => Event::Tick,
            Recorded::Context { .. } | Recorded::Outcome { .. } | Recorded::Replaced { .. } => {
                return None;
            }
        })
    }
}

/// A problem in a recording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordingError {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column in that line where the problem was found.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

impl core::fmt::Display for RecordingError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

impl core::error::Error for RecordingError {}

/// Parses JSON lines (blank lines and lines starting with `//` are skipped).
pub fn parse(text: &str) -> Result<Vec<Line>, RecordingError> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with("//"))
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|e| {
                // serde_json ends its message with its own position (always line 1 here).
                let message = e.to_string();
                let message = match message.rsplit_once(" at line ") {
                    Some((what, _)) => what.to_string(),
                    None => message,
                };
                RecordingError {
                    line: i + 1,
                    column: e.column().max(1),
                    message,
                }
            })
        })
        .collect()
}

/// Plays recorded lines into a session: events are observed, context lines set the context
/// and ask the rules, outcome lines answer the last decision. Allocation-free per line.
#[derive(Debug, Clone)]
pub struct Player {
    session: Session,
    last: Option<Decision>,
}

impl Player {
    /// A player for `session`.
    pub fn new(session: Session) -> Player {
        Player {
            session,
            last: None,
        }
    }

    /// A player going on with a restored session whose last decision was `last`.
    pub fn resume(session: Session, last: Option<Decision>) -> Player {
        Player { session, last }
    }

    /// Plays one recorded line at time `t`; returns the decision it caused, if any.
    pub fn play(&mut self, t: u64, recorded: &Recorded) -> Option<Decision> {
        let decided = match recorded {
            Recorded::Context {
                returning,
                tier,
                device,
                agents_online,
            } => {
                let s = &mut self.session;
                s.set_visitor(
                    *returning,
                    tier.as_deref(),
                    device.unwrap_or(Device::Desktop),
                );
                s.set_agents_online(*agents_online);
                s.decide()
            }
            Recorded::Outcome { outcome } => {
                if let Some(last) = self.last {
                    self.session.record(t, last.prompt, *outcome);
                }
                None
            }
            Recorded::Replaced { path } => {
                self.session.renamed(path);
                None
            }
            other => other.event().and_then(|e| self.session.observe(t, &e)),
        };
        if decided.is_some() {
            self.last = decided;
        }
        decided
    }

    /// The session being played.
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// The session being played, to change it between lines.
    pub fn session_mut(&mut self) -> &mut Session {
        &mut self.session
    }
}

/// Replays `lines` through a new session; returns every decision.
pub fn replay(rules: Arc<Rules>, session_id: &str, lines: &[Line]) -> Vec<Decision> {
    let mut player = Player::new(Session::new(rules, session_id, 0));
    lines
        .iter()
        .filter_map(|line| player.play(line.t, &line.event))
        .collect()
}

/// What happened at one moment of a dry run.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// A page view.
    Page(String),
    /// Signals fired (new on this page view), with the score after.
    Signals {
        /// The signals.
        fired: SignalSet,
        /// The score, in [0, 1].
        score: f32,
    },
    /// A prompt would show.
    Shows(Decision),
}

/// A recorded session tried against rules: what would happen, when, and at the end every
/// rule's verdict (why the others did not show). For `lifeline-collector rules try`.
#[derive(Debug, Clone)]
pub struct Trial {
    /// `(time, step)`, in order.
    pub steps: Vec<(u64, Step)>,
    /// Every rule's verdict when the session ends.
    pub verdicts: Vec<crate::Verdict>,
    /// The score when the session ends.
    pub score: f32,
}

/// Plays `lines` through a new session of `rules` and tells what would happen.
pub fn trial(rules: Arc<Rules>, session_id: &str, lines: &[Line]) -> Trial {
    let mut player = Player::new(Session::new(rules, session_id, 0));
    let mut steps = Vec::new();
    for line in lines {
        // A page view starts a new page's signals.
        let before = match &line.event {
            Recorded::Navigate { path } => {
                steps.push((line.t, Step::Page(path.clone())));
                SignalSet::EMPTY
            }
            _ => player.session().page_signals(),
        };
        let decided = player.play(line.t, &line.event);
        let after = player.session().page_signals();
        let fired: SignalSet = after.iter().filter(|s| !before.contains(*s)).collect();
        if !fired.is_empty() {
            let score = player.session().score();
            steps.push((line.t, Step::Signals { fired, score }));
        }
        if let Some(d) = decided {
            steps.push((line.t, Step::Shows(d)));
        }
    }
    Trial {
        steps,
        verdicts: player.session().verdicts(),
        score: player.session().score(),
    }
}
