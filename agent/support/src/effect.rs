//! Did the session help? Asked ("Did this solve it?") and watched: did the struggle stay
//! away from that page or task for the owner's window, did the task complete. A session
//! whose effectiveness (0 to 1) is under the owner's threshold failed.

use crate::content::Escalation;
use crate::history::Ending;

/// What is known about a session after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Evidence {
    /// The visitor's answer to "Did this solve it?", if they gave one.
    pub answer: Option<bool>,
    /// New difficulty signals on the session's page or task since it.
    pub struggled_again: bool,
    /// The session was about a task: whether it has completed since.
    pub task_completed: Option<bool>,
    /// The owner's window since the session has passed.
    pub window_over: bool,
}

/// Effectiveness from 0 to 1, or `None` while there is nothing to judge by yet.
///
/// - "Yes": 1, or 0.5 when the struggle came back anyway.
/// - "No": 0.
/// - No answer, once the window is over (or the task completed, or the struggle came
///   back, which settle it sooner): for a task, half for the struggle staying away and
///   half for the task completing; otherwise all for the struggle staying away.
pub fn effectiveness(e: &Evidence) -> Option<f32> {
    let stayed_away = if e.struggled_again { 0.0 } else { 1.0 };
    match e.answer {
        Some(true) => Some(if e.struggled_again { 0.5 } else { 1.0 }),
        Some(false) => Some(0.0),
        None => match e.task_completed {
            Some(true) => Some(0.5 * stayed_away + 0.5),
            Some(false) if e.window_over || e.struggled_again => Some(0.5 * stayed_away),
            None if e.window_over || e.struggled_again => Some(stayed_away),
            _ => None,
        },
    }
}

/// How the session ended, by the owner's threshold; `Open` while undecided.
pub fn judge(e: &Evidence, escalation: &Escalation) -> Ending {
    match effectiveness(e) {
        None => Ending::Open,
        Some(v) if v >= escalation.threshold => Ending::Resolved,
        Some(_) => Ending::Failed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(threshold: f32) -> Escalation {
        Escalation {
            threshold,
            ..Escalation::default()
        }
    }

    #[test]
    fn the_visitors_word_counts_unless_the_struggle_came_back() {
        let yes = Evidence {
            answer: Some(true),
            ..Evidence::default()
        };
        assert_eq!(judge(&yes, &at(0.5)), Ending::Resolved);
        let yes_but = Evidence {
            struggled_again: true,
            ..yes
        };
        assert_eq!(effectiveness(&yes_but), Some(0.5));
        assert_eq!(judge(&yes_but, &at(0.6)), Ending::Failed);
        let no = Evidence {
            answer: Some(false),
            ..Evidence::default()
        };
        assert_eq!(judge(&no, &at(0.1)), Ending::Failed);
    }

    #[test]
    fn silence_is_judged_by_behaviour_not_taken_as_success() {
        let open = Evidence::default();
        assert_eq!(judge(&open, &at(0.5)), Ending::Open, "too early to say");
        let quiet = Evidence {
            window_over: true,
            ..open
        };
        assert_eq!(judge(&quiet, &at(0.5)), Ending::Resolved);
        let again = Evidence {
            struggled_again: true,
            ..open
        };
        assert_eq!(judge(&again, &at(0.5)), Ending::Failed, "settled at once");
    }

    #[test]
    fn a_task_counts_half_for_completing() {
        let done = Evidence {
            task_completed: Some(true),
            ..Evidence::default()
        };
        assert_eq!(effectiveness(&done), Some(1.0));
        let stuck = Evidence {
            task_completed: Some(false),
            window_over: true,
            ..Evidence::default()
        };
        assert_eq!(effectiveness(&stuck), Some(0.5));
        assert_eq!(judge(&stuck, &at(0.75)), Ending::Failed);
        let waiting = Evidence {
            task_completed: Some(false),
            ..Evidence::default()
        };
        assert_eq!(effectiveness(&waiting), None);
    }
}
