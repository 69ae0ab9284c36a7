//! The debug switch (`data-debug` on the tag, `?lifeline-debug` in the page's URL): signals,
//! score and decisions logged to the console on that page only, so a site owner can see
//! what their rules do. Nothing of it is sent anywhere.

use lifeline_shared::wire::{cat, push_decimal};

use super::*;

impl<H: Host> Agent<H> {
    /// Logs the signals that fired on this event, if any, with the score.
    pub(super) fn debug_signals(&mut self, before: SignalSet) {
        let Phase::Running(run) = &self.phase else {
            return;
        };
        let fired = run.session.page_signals();
        if fired == before {
            return;
        }
        let mut message = String::from("lifeline: signals");
        for s in fired.iter().filter(|s| !before.contains(*s)) {
            message.push(' ');
            message.push_str(s.as_str());
        }
        score(&mut message, &run.session);
        self.host.log(Level::Info, &message);
    }

    /// Logs a decision: which rule shows which prompt, and why.
    pub(super) fn debug_decision(&mut self, d: &Decision, rule_override: Option<&str>) {
        let Phase::Running(run) = &self.phase else {
            return;
        };
        let rules = &run.rules;
        let rule = rule_override.unwrap_or_else(|| &rules.rules[d.rule as usize].id);
        let mut message = cat(&[
            "lifeline: rule \"",
            rule,
            "\" shows \"",
            &rules.prompts[d.prompt as usize].id,
            "\" (",
            d.kind.as_str(),
            ")",
        ]);
        if let Some(passed) = d.passed_over {
            message.push_str(" (nobody online for \"");
            message.push_str(&rules.rules[passed as usize].id);
            message.push_str("\")");
        }
        message.push_str("; value ");
        push_decimal(&mut message, (d.value * 100.0) as u64);
        message.push('%');
        score(&mut message, &run.session);
        self.host.log(Level::Info, &message);
    }
}

/// `; score N% (band)`.
fn score(message: &mut String, session: &Session) {
    message.push_str("; score ");
    push_decimal(message, (session.score() * 100.0) as u64);
    message.push_str("% (");
    message.push_str(session.band().as_str());
    message.push(')');
}
