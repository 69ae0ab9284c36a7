//! Page views, observed events and the visitor's context.

use super::*;

impl<H: Host> Agent<H> {
    /// A page view: a load or an SPA route change to `path_and_query`.
    pub fn navigate(&mut self, path_and_query: &str) {
        let Phase::Running(run) = &mut self.phase else {
            self.pending_page = Some(path_and_query.to_owned());
            return;
        };
        let path = path_and_query.split(['?', '#']).next().unwrap_or("/");
        let path = if path.is_empty() { "/" } else { path };
        if run.path == path && !run.path.is_empty() {
            return; // a hash or query change on the same page is not a new page view
        }
        // A prompt about the page the visitor left no longer applies.
        if run.open.is_some() {
            self.close(Outcome::Ignored);
        }
        let Phase::Running(run) = &mut self.phase else {
            return;
        };
        run.page = report_path(path_and_query, &run.rules.privacy.keep_query);
        run.path = path.to_owned();
        let path = run.path.clone();
        self.observe(&Event::Navigate { path: &path });
    }

    /// One observed event.
    pub fn observe(&mut self, event: &Event<'_>) {
        let now = self.host.now_ms();
        let Phase::Running(run) = &mut self.phase else {
            return;
        };
        if let Some(decision) = run.session.observe(now, event) {
            self.decided(decision, None);
        }
    }

    /// The customer tier from `identify` (the collector verifies its signature).
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
