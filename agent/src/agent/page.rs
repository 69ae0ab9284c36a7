//! Page views, observed events and the visitor's context.

use crate::prelude::*;

use super::*;

/// The page at `path_and_query` as `run` tells pages apart (without hash routes, the
/// fragment is not part of the page) and its identity; `None` when it is the page on screen.
fn another_page<'a>(run: &Running, path_and_query: &'a str) -> Option<(&'a str, u64)> {
    let path_and_query = if run.rules.pages.hash_routes {
        path_and_query
    } else {
        lifeline_shared::page::cut(path_and_query, b'#').0
    };
    let id = PageId::of(path_and_query).hash;
    (run.page_id != Some(id)).then_some((path_and_query, id))
}

impl<H: Host> Agent<H> {
    /// A page view: a load or an SPA route change to `path_and_query` (with the fragment
    /// when the rules count hash routes). A route change to the same page (the same path,
    /// query and fragment, or `index.html` of the same directory) is not a new page view.
    pub fn navigate(&mut self, path_and_query: &str) {
        let Phase::Running(run) = &mut self.phase else {
            self.pending_page = Some(path_and_query.to_owned());
            return;
        };
        let Some((path_and_query, id)) = another_page(run, path_and_query) else {
            return;
        };
        let first_view = run.page_id.is_none();
        // A prompt about the page the visitor left no longer applies.
        if run.open.is_some() {
            self.close(Outcome::Ignored);
        }
        let Phase::Running(run) = &mut self.phase else {
            return;
        };
        run.page = report_path(path_and_query, &run.rules.privacy.keep_query);
        run.page_id = Some(id);
        run.saved_signals = SignalSet::EMPTY;
        self.observe(&Event::Navigate {
            path: path_and_query,
        });
        // A page load's (or restore's) first view is stored at once: the next page, or one
        // restored by Back, may start before this one hears that it is being left. An SPA
        // route change is stored on the next tick: at most a second later, and not on the
        // path of every route change.
        if first_view {
            self.save();
        } else if let Phase::Running(run) = &mut self.phase {
            run.unsaved_views = true;
        }
    }

    /// The page on screen got a new address in place (its query replaced: a variant
    /// picked): the same page view, known by that address from now on, so Back to it is
    /// Back to this page.
    pub fn renamed(&mut self, path_and_query: &str) {
        let Phase::Running(run) = &mut self.phase else {
            if let Some(page) = &mut self.pending_page {
                path_and_query.clone_into(page);
            }
            return;
        };
        let Some((path_and_query, id)) = another_page(run, path_and_query) else {
            return;
        };
        run.page = report_path(path_and_query, &run.rules.privacy.keep_query);
        run.page_id = Some(id);
        run.session.renamed(path_and_query);
        run.unsaved_views = true;
    }

    /// One observed event, now.
    pub fn observe(&mut self, event: &Event<'_>) {
        let now = self.host.now_ms();
        self.event(now, event);
    }

    /// One observed event at `now` (ms since the epoch, as the page's observer read it):
    /// the per-event path, which allocates nothing unless a prompt is decided.
    pub fn event(&mut self, now: u64, event: &Event<'_>) {
        let Phase::Running(run) = &mut self.phase else {
            return;
        };
        let decision = run.session.observe(now, event);
        if let Some(decision) = decision {
            self.decided(decision, None);
        }
    }

    /// The customer tier from `identify` (the collector verifies the signed attributes
    /// that go with feedback).
    pub fn identify(&mut self, tier: Option<String>) {
        self.tier = tier;
        self.refresh_context();
    }

    /// Whether a person is online for chat or calls.
    pub fn set_agents_online(&mut self, online: bool) {
        self.agents_online = online;
        self.refresh_context();
    }

    fn refresh_context(&mut self) {
        let (tier, device, online) = (self.tier.clone(), self.config.device, self.agents_online);
        let Phase::Running(run) = &mut self.phase else {
            return;
        };
        if !run
            .session
            .set_visitor(run.profile.returning(), tier.as_deref(), device)
        {
            self.host.log(
                Level::Warn,
                "lifeline: identify() named a tier the rules do not define",
            );
        }
        let Phase::Running(run) = &mut self.phase else {
            return;
        };
        run.session.set_agents_online(online);
        if let Some(d) = run.session.decide() {
            self.decided(d, None);
        }
    }
}
