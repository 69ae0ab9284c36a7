//! Showing prompts, closing them, and the visitor's feedback.

use crate::prelude::*;

use super::*;
use lifeline_shared::wire::cat;

impl<H: Host> Agent<H> {
    /// Shows a prompt by id, for testing rules by hand (`lifeline.show(id)`).
    pub fn show(&mut self, prompt_id: &str) -> bool {
        let Phase::Running(run) = &self.phase else {
            return false;
        };
        let Some(index) = run.rules.prompt_index(prompt_id) else {
            let message = cat(&["lifeline: no prompt \"", prompt_id, "\" in the rules"]);
            self.host.log(Level::Warn, &message);
            return false;
        };
        self.show_as(index, MANUAL_RULE)
    }

    /// Shows prompt `index` outside the rules, reported as shown by `rule`.
    pub(super) fn show_as(&mut self, index: PromptIdx, rule: &str) -> bool {
        if matches!(&self.phase, Phase::Running(run) if run.open.is_some()) {
            self.close(Outcome::Ignored);
        }
        let Phase::Running(run) = &self.phase else {
            return false;
        };
        let decision = Decision {
            rule: 0,
            prompt: index,
            kind: run.rules.prompts[index as usize].kind,
            score: run.session.score(),
            band: run.session.band(),
            signals: run.session.active_signals(),
            value: 0.0,
            at_ms: self.host.now_ms(),
            passed_over: None,
        };
        self.decided(decision, Some(rule));
        true
    }

    pub(super) fn decided(&mut self, d: Decision, rule_override: Option<&str>) {
        // One prompt at a time: one still open (shown by hand) ends before the next.
        if matches!(&self.phase, Phase::Running(run) if run.open.is_some()) {
            self.close(Outcome::Ignored);
        }
        let now = self.host.now_ms();
        let language = self.config.language.clone();
        let Phase::Running(run) = &mut self.phase else {
            return;
        };
        let view = run.rules.view(d.prompt as usize, &language);
        // A prompt that could not be shown (no page body yet) is not reported as shown.
        let Some(lang) = view
            .filter(|(_, v)| self.host.show(v))
            .map(|(l, _)| l.to_owned())
        else {
            let Phase::Running(run) = &mut self.phase else {
                return;
            };
            run.session.record(now, d.prompt, Outcome::Ignored);
            return;
        };
        let Phase::Running(run) = &mut self.phase else {
            return;
        };
        let rule = rule_override.map_or_else(
            || run.rules.rules[d.rule as usize].id.clone(),
            str::to_owned,
        );
        let open = Open {
            rule,
            prompt: run.rules.prompts[d.prompt as usize].id.clone(),
            prompt_index: d.prompt,
            kind: d.kind,
            band: d.band,
            signals: d.signals,
            shown_at: now,
            lang,
        };
        // A rule that alerts the shop's staff: its decision value goes too, at once.
        let alert = rule_override.is_none()
            && (run.rules.rules.get(d.rule as usize))
                .and_then(|r| r.alert)
                .is_some_and(|(least, _)| d.value >= least);
        run.outbox.push(
            &run.key_prefix,
            now,
            &run.page,
            Report::Decision {
                rule: open.rule.clone(),
                prompt: open.prompt.clone(),
                kind: open.kind,
                outcome: None,
                band: open.band,
                signals: open.signals,
                value: alert.then_some((d.value * 100.0) as u8),
            },
        );
        if alert {
            run.outbox.hurry();
        }
        run.profile.shown = run.profile.shown.saturating_add(1);
        if d.passed_over.is_some() {
            // The visitor needed a person and none was online.
            run.profile.support_failures = run.profile.support_failures.saturating_add(1);
        }
        run.open = Some(open);
        self.save();
    }

    /// The prompt on screen ended (closed, used, answered, or left behind).
    pub fn close(&mut self, outcome: Outcome) {
        let now = self.host.now_ms();
        let Phase::Running(run) = &mut self.phase else {
            return;
        };
        let Some(open) = run.open.take() else { return };
        run.session.record(now, open.prompt_index, outcome);
        match outcome {
            Outcome::Dismissed => run.profile.dismissed(&open.prompt, now),
            Outcome::Engaged => run.profile.engaged = run.profile.engaged.saturating_add(1),
            Outcome::Completed | Outcome::Ignored => {}
        }
        run.outbox.push(
            &run.key_prefix,
            now,
            &run.page,
            Report::Decision {
                rule: open.rule,
                prompt: open.prompt,
                kind: open.kind,
                outcome: Some(outcome),
                band: open.band,
                signals: open.signals,
                value: None,
            },
        );
        self.host.hide();
        self.save();
    }

    /// The visitor used the open prompt's main button: feedback sent from a feedback
    /// prompt, or the help, chat, call or offer taken up.
    pub fn act(&mut self, feedback: Feedback) {
        let Phase::Running(run) = &self.phase else {
            return;
        };
        let Some(open) = run.open.as_ref() else {
            return;
        };
        if open.kind == PromptKind::Feedback {
            return self.feedback(feedback);
        }
        // A help prompt's "More help": a support session, reported as its rule's.
        let more = (run.rules.prompts[open.prompt_index as usize].opens_support)
            .then(|| open.rule.clone());
        self.close(Outcome::Engaged);
        if let Some(rule) = more {
            self.help_from(&rule);
        }
    }

    /// The visitor submitted feedback in the open prompt. The comment is cut to 1000
    /// characters; empty feedback is not sent. It carries the visit's evidence, and is sent
    /// at once: the collector answers it (thanks, what went wrong, a coupon) while the
    /// prompt still shows its thank-you.
    pub fn feedback(&mut self, feedback: Feedback) {
        let now = self.host.now_ms();
        let Phase::Running(run) = &mut self.phase else {
            return;
        };
        let Some(open) = &run.open else { return };
        let comment = feedback
            .comment
            .map(|c| c.trim().chars().take(MAX_COMMENT).collect::<String>())
            .filter(|c| !c.is_empty());
        let rating = feedback.rating.filter(|r| (1..=5).contains(r));
        if rating.is_none() && feedback.thumbs.is_none() && comment.is_none() {
            return;
        }
        let report = Report::Feedback {
            rule: open.rule.clone(),
            prompt: open.prompt.clone(),
            rating,
            thumbs: feedback.thumbs,
            comment,
            evidence: Some(run.session.evidence(
                now,
                &open.lang,
                now.saturating_sub(open.shown_at).min(u64::from(u32::MAX)) as u32,
            )),
        };
        run.outbox.push(&run.key_prefix, now, &run.page, report);
        run.outbox.hurry();
        run.profile.last_feedback = Some(now);
        run.session.set_last_feedback(Some(now));
        self.close(Outcome::Completed);
        self.flush(false);
    }
}
