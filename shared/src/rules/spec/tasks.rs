//! `tasks`: tagged tasks (checkout, sign-up), with the model the dwell-outlier signal uses.

use crate::prelude::*;

use super::super::declare::json_object;
use super::super::read::{FromJson, Reader};
use crate::json::Json;
use crate::page::PageMatch;

json_object! {
    /// One tagged task.
    pub struct TaskSpec {
        /// A unique name (used by `when.task` and `data-lifeline-task` markers).
        pub name: String,
        /// What starts it.
        pub start: TaskMarkerSpec,
        /// What completes it.
        pub complete: TaskMarkerSpec,
        /// How long and how many pages it usually takes.
        pub expected: ExpectedSpec = ExpectedSpec::default(),
        /// Whether to ask for feedback when it completes.
        pub ask_feedback: bool = false,
        /// The feedback prompt to show (required when `ask_feedback` is true).
        pub feedback_prompt: Option<String> = None,
    }
}

json_object! {
    #[defaults]
    /// A task's usual duration and page count.
    pub struct ExpectedSpec {
        /// Usual duration, in seconds.
        pub duration_s: u32 [1..=86400] = 120,
        /// Usual number of page views.
        pub pages: u32 [1..=1000] = 10,
    }
}

/// What starts or completes a task: arriving on a page, or a named mark from the page
/// (`data-lifeline-task="NAME"` or `lifeline.track("NAME")`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum TaskMarkerSpec {
    /// Arriving on a matching page.
    Page(PageMatch),
    /// A named mark.
    Mark(String),
}

impl FromJson for TaskMarkerSpec {
    fn read(v: &Json, r: &mut Reader) -> Option<Self> {
        match r.one_of(v, &["page", "mark"])? {
            ("page", inner) => r
                .field("page", |r| PageMatch::read(inner, r))
                .map(Self::Page),
            (_, inner) => r.field("mark", |r| String::read(inner, r)).map(Self::Mark),
        }
    }
}
