//! Tagged tasks and the dwell outlier: a task running `time_factor` times its expected
//! duration, or `page_factor` times its expected page count, without completing.

use serde::{Deserialize, Serialize};

use crate::rules::spec::{DwellOutlierSpec, TaskState};
use crate::rules::{Marker, Rules, Task};

/// Where one task stands in this visit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct TaskProgress {
    /// When it started, while active.
    started: Option<u64>,
    pages: u32,
    completed: bool,
    outlier_fired: bool,
    /// Seconds the last completion took.
    took: u32,
    /// A signal fired while it ran (kept once it completes).
    struggled: bool,
}

impl TaskProgress {
    pub(crate) fn state(&self) -> TaskState {
        match (self.started, self.completed) {
            (Some(_), _) => TaskState::Active,
            (None, true) => TaskState::Completed,
            (None, false) => TaskState::NotStarted,
        }
    }

    /// Seconds it has run (under way) or took (completed) by `now`.
    pub(crate) fn seconds(&self, now: u64) -> u32 {
        self.started
            .map_or(self.took, |s| (now.saturating_sub(s) / 1000) as u32)
    }

    /// Whether a signal fired while it ran.
    pub(crate) fn struggled(&self) -> bool {
        self.struggled
    }
}

/// What reached the tasks: a page (with its matcher hits) or a named mark.
pub(super) enum Reached<'a> {
    Page(&'a [bool]),
    Mark(&'a str),
}

fn hit(marker: &Marker, reached: &Reached<'_>) -> bool {
    match (marker, reached) {
        (Marker::Page(m), Reached::Page(hits)) => hits.get(*m as usize).copied().unwrap_or(false),
        (Marker::Mark(name), Reached::Mark(mark)) => **name == **mark,
        _ => false,
    }
}

/// Moves tasks along; a start marker restarts a completed task (a second order).
pub(super) fn advance(
    tasks: &[Task],
    progress: &mut [TaskProgress],
    now: u64,
    reached: &Reached<'_>,
) {
    for (task, p) in tasks.iter().zip(progress.iter_mut()) {
        if p.started.is_some() && hit(&task.complete, reached) {
            *p = TaskProgress {
                completed: true,
                took: p.seconds(now),
                struggled: p.struggled,
                ..TaskProgress::default()
            };
        } else if p.started.is_none() && hit(&task.start, reached) {
            *p = TaskProgress {
                started: Some(now),
                pages: 0,
                ..TaskProgress::default()
            };
        }
        if p.started.is_some() && matches!(reached, Reached::Page(_)) {
            p.pages = p.pages.saturating_add(1);
        }
    }
}

/// A signal fired: every task under way struggled.
pub(super) fn struggled(progress: &mut [TaskProgress]) {
    for p in progress.iter_mut().filter(|p| p.started.is_some()) {
        p.struggled = true;
    }
}

/// True when an active task just became an outlier.
pub(super) fn outlier(
    rules: &Rules,
    spec: &DwellOutlierSpec,
    progress: &mut [TaskProgress],
    now: u64,
) -> bool {
    let mut fired = false;
    for (task, p) in rules.tasks.iter().zip(progress.iter_mut()) {
        let Some(started) = p.started else { continue };
        if p.outlier_fired {
            continue;
        }
        let too_long =
            now.saturating_sub(started) as f64 > task.expected_ms as f64 * spec.time_factor;
        let too_many = f64::from(p.pages) > f64::from(task.expected_pages) * spec.page_factor;
        if too_long || too_many {
            p.outlier_fired = true;
            fired = true;
        }
    }
    fired
}

crate::codec::codec!(TaskProgress {
    started,
    pages,
    completed,
    outlier_fired,
    took,
    struggled
});

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prelude::*;

    fn rules() -> Rules {
        Rules::from_json_str(
            r#"{"version": 1, "tasks": [{"name": "checkout",
                "start": {"page": {"exact": "/cart"}}, "complete": {"mark": "order-placed"},
                "expected": {"duration_s": 120, "pages": 4}}]}"#,
        )
        .unwrap()
    }

    fn hits(rules: &Rules, path: &str) -> Vec<bool> {
        rules.matchers.iter().map(|m| m.matches(path)).collect()
    }

    #[test]
    fn a_page_count_restored_at_its_maximum_does_not_overflow() {
        let rules = rules();
        let mut p = [TaskProgress {
            started: Some(0),
            pages: u32::MAX,
            ..TaskProgress::default()
        }];
        advance(
            &rules.tasks,
            &mut p,
            10,
            &Reached::Page(&hits(&rules, "/a")),
        );
        assert_eq!((p[0].state(), p[0].pages), (TaskState::Active, u32::MAX));
    }

    #[test]
    fn tasks_start_on_their_page_and_complete_on_their_mark() {
        let rules = rules();
        let mut p = [TaskProgress::default()];
        advance(&rules.tasks, &mut p, 0, &Reached::Page(&hits(&rules, "/")));
        assert_eq!(p[0].state(), TaskState::NotStarted);
        advance(
            &rules.tasks,
            &mut p,
            10,
            &Reached::Page(&hits(&rules, "/cart")),
        );
        assert_eq!(p[0].state(), TaskState::Active);
        advance(&rules.tasks, &mut p, 20, &Reached::Mark("order-placed"));
        assert_eq!(p[0].state(), TaskState::Completed);
    }

    #[test]
    fn too_long_or_too_many_pages_is_an_outlier_once() {
        let rules = rules();
        let spec = DwellOutlierSpec::default();
        let mut p = [TaskProgress::default()];
        advance(
            &rules.tasks,
            &mut p,
            0,
            &Reached::Page(&hits(&rules, "/cart")),
        );
        assert!(!outlier(&rules, &spec, &mut p, 899_000));
        assert!(outlier(&rules, &spec, &mut p, 901_000), "7.5 x 120 s");
        assert!(!outlier(&rules, &spec, &mut p, 999_000));

        let mut p = [TaskProgress::default()];
        for t in 0..41 {
            let path = if t == 0 { "/cart" } else { "/elsewhere" };
            advance(&rules.tasks, &mut p, t, &Reached::Page(&hits(&rules, path)));
        }
        assert!(outlier(&rules, &spec, &mut p, 100), "10 x 4 pages");
    }
}
