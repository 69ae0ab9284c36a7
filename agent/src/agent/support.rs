//! What the support module (lazy, `agent/support`) needs from the agent: a session started
//! at the visitor's request, where the visitor is (page, signals, tasks, who they are),
//! and its steps queued as reports — ids only, through the one outbox. The chat module
//! reads where the visitor is the same way.

use crate::prelude::*;

use lifeline_shared::rules::spec::TaskState;
use lifeline_shared::wire::{SupportEvent, cat};

use super::*;

/// The rule id reported for sessions the visitor asked for (`lifeline.help()`, the Help
/// button); a help prompt's "More help" reports its own rule.
pub const VISITOR_RULE: &str = "visitor";

fn some(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_owned())
}

impl<H: Host> Agent<H> {
    /// Starts a support session at the visitor's request; false when the rules have no
    /// support content.
    pub fn help(&mut self) -> bool {
        self.help_from(VISITOR_RULE)
    }

    /// Starts a support session, reported as shown by `rule`.
    pub(super) fn help_from(&mut self, rule: &str) -> bool {
        let Phase::Running(run) = &self.phase else {
            return false;
        };
        let Some(index) = (run.rules.prompts.iter()).position(|p| p.kind == PromptKind::Support)
        else {
            self.host.log(
                Level::Warn,
                "lifeline: help() needs a `support` section in the rules",
            );
            return false;
        };
        self.show_as(index as u16, rule)
    }

    /// Where the visitor is, for the support module, as lines (plain text is the least
    /// code here): site, the open prompt's rule and prompt, page, language, tier, `r` if
    /// returning and `o` if a person is online, the active signals (space-separated),
    /// `task=state` for each task under way or completed (space-separated), then the
    /// difficulty score in hundredths (it only rises when a signal fires, so a score above
    /// an earlier one says the struggle came back), the band and the visit's random id
    /// (space-separated; the chat module opens a conversation with what a decision carries).
    /// Empty while the agent is not running.
    pub fn support_context(&self) -> String {
        let Phase::Running(run) = &self.phase else {
            return String::new();
        };
        let open = run.open.as_ref();
        let mut out = cat(&[
            self.config.site.as_str(),
            "\n",
            open.map_or("", |o| o.rule.as_str()),
            "\n",
            open.map_or("", |o| o.prompt.as_str()),
            "\n",
            run.page.as_str(),
            "\n",
            self.config.language.as_str(),
            "\n",
            self.tier.as_deref().unwrap_or(""),
            "\n",
            match (run.profile.returning(), self.agents_online) {
                (true, true) => "ro\n",
                (true, false) => "r\n",
                (false, true) => "o\n",
                (false, false) => "\n",
            },
        ]);
        for s in run.session.active_signals().iter() {
            out.push_str(s.as_str());
            out.push(' ');
        }
        out.push('\n');
        for (i, task) in run.rules.tasks.iter().enumerate() {
            let state = run.session.task_state(i);
            if state != TaskState::NotStarted {
                out.push_str(&task.name);
                out.push('=');
                out.push_str(state.as_str());
                out.push(' ');
            }
        }
        out.push('\n');
        lifeline_shared::wire::push_decimal(&mut out, (run.session.score() * 100.0) as u64);
        out.push(' ');
        out.push_str(run.session.band().as_str());
        out.push(' ');
        out.push_str(&run.id);
        out
    }

    /// Queues a step of a support session, given as lines: rule, prompt, event, persona,
    /// article, guide, step (from 1), channel; an empty line is none. An unknown event is
    /// dropped.
    pub fn support_step(&mut self, lines: &str) {
        let now = self.host.now_ms();
        let Phase::Running(run) = &mut self.phase else {
            return;
        };
        #[expect(
            clippy::manual_pattern_char_comparison,
            reason = "a char pattern brings memchr into the agent: bytes on every page"
        )]
        let mut f = lines.split(|c| c == '\n');
        let mut next = || f.next().unwrap_or_default();
        let (rule, prompt) = (next().to_owned(), next().to_owned());
        let Some(event) = SupportEvent::from_name(next()) else {
            return;
        };
        let (persona, article, guide) = (some(next()), some(next()), some(next()));
        let step = next().parse().ok().filter(|s| *s > 0);
        // The collector checks each report and refuses a bad one alone (the rest of its batch
        // is stored): the agent does not carry that check.
        let report = Report::Support {
            rule,
            prompt,
            event,
            persona,
            article,
            guide,
            step,
            channel: some(next()),
        };
        run.outbox.push(&run.key_prefix, now, &run.page, report);
        self.save();
    }
}
