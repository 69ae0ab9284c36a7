//! `lifeline-collector rules try RULES SESSION.jsonl...`: recorded sessions replayed against
//! a rules file, told as a site owner reads it: the pages, the signals that fired with the
//! score, the prompts that would show and why, and at the end why every other rule did not.

use std::fmt::Write;

use lifeline_shared::Rules;
use lifeline_shared::replay::{Step, Trial};

/// Seconds, as `12.3 s`.
fn seconds(ms: u64) -> String {
    format!("{:>7.1} s", ms as f64 / 1000.0)
}

/// The trial of one session (`name`) as text.
pub fn render(rules: &Rules, name: &str, trial: &Trial) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{name}");
    let mut shown = 0;
    for (t, step) in &trial.steps {
        let _ = match step {
            Step::Page(path) => writeln!(out, "  {}  page {path}", seconds(*t)),
            Step::Signals { fired, score } => {
                let names: Vec<&str> = fired.iter().map(|s| s.as_str()).collect();
                writeln!(
                    out,
                    "  {}    signals {} (score {score:.2}, {})",
                    seconds(*t),
                    names.join(", "),
                    rules.scoring.band(*score).as_str()
                )
            }
            Step::Shows(d) => {
                shown += 1;
                writeln!(out, "  {}    SHOWS {}", seconds(*t), d.explain(rules))
            }
        };
    }
    if shown == 0 {
        let _ = writeln!(out, "  no prompt would show");
    }
    let _ = writeln!(
        out,
        "  at the end (score {:.2}, {}), each rule:",
        trial.score,
        rules.scoring.band(trial.score).as_str()
    );
    let width = rules.rules.iter().map(|r| r.id.len()).max().unwrap_or(0);
    for (rule, verdict) in rules.rules.iter().zip(&trial.verdicts) {
        let _ = writeln!(
            out,
            "    {:<width$}  {}",
            rule.id,
            verdict.describe(),
            width = width
        );
    }
    out
}
