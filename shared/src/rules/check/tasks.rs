//! Checking tagged tasks: their names, markers and the feedback they ask for.

use super::super::error::RuleErrorKind as E;
use super::super::read::Reader;
use super::super::spec::{PromptKind, RulesSpec, TaskMarkerSpec, TaskSpec};
use super::super::{Marker, Task};
use super::values::{id_like, unique};
use super::{Table, find_prompt};

/// Checks task `t`; `before` are the names of the tasks before it.
pub(super) fn task(
    spec: &RulesSpec,
    t: &TaskSpec,
    before: &[&str],
    table: &mut Table,
    r: &mut Reader,
) -> Option<Task> {
    let mut ok = r.field("name", |r| {
        id_like(&t.name, r) && unique(&t.name, before, "tasks", r)
    });
    let start = r.field("start", |r| marker(&t.start, table, r));
    let complete = r.field("complete", |r| marker(&t.complete, table, r));
    let feedback_prompt = match (&t.feedback_prompt, t.ask_feedback) {
        (None, false) => None,
        (None, true) => {
            r.field("feedback_prompt", |r| {
                r.error(E::Inconsistent(
                    "`ask_feedback` is true: name the feedback prompt to show",
                ))
            });
            ok = false;
            None
        }
        (Some(_), false) => {
            r.field("ask_feedback", |r| {
                r.error(E::Inconsistent(
                    "a `feedback_prompt` is given: set `ask_feedback` to true",
                ))
            });
            ok = false;
            None
        }
        (Some(id), true) => r.field("feedback_prompt", |r| {
            let idx = find_prompt(spec, id, r)?;
            let kind = spec.prompts[id].kind;
            if kind != PromptKind::Feedback {
                r.error(E::WrongPromptKind {
                    id: id.clone(),
                    kind: kind.as_str(),
                    expected: "feedback",
                });
                ok = false;
            }
            Some(idx)
        }),
    };
    ok.then_some(())?;
    Some(Task {
        name: t.name.clone(),
        start: start?,
        complete: complete?,
        expected_ms: u64::from(t.expected.duration_s) * 1000,
        expected_pages: t.expected.pages,
        feedback_prompt,
    })
}

pub(super) fn marker(spec: &TaskMarkerSpec, table: &mut Table, r: &mut Reader) -> Option<Marker> {
    match spec {
        TaskMarkerSpec::Page(p) => r.field("page", |r| table.add(p, r)).map(Marker::Page),
        TaskMarkerSpec::Mark(name) => r
            .field("mark", |r| id_like(name, r))
            .then(|| Marker::Mark(name.as_str().into())),
    }
}
