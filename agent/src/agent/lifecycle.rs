//! Rules arriving, consent, opting out, and the start of a visit.

use crate::prelude::*;

use super::*;
use lifeline_shared::wire::cat;

impl<H: Host> Agent<H> {
    /// The rules arrived (or failed to). Bad rules: one console error naming every problem
    /// and its JSON path; the agent stays dormant and the page untouched.
    pub fn rules_loaded(&mut self, rules: Result<Rules, RuleErrors>) {
        match rules {
            Ok(rules) => self.rules_ready(rules),
            Err(errors) => self.rules_refused(&errors.to_string()),
        }
    }

    /// The rules could not be used; `problems` lists them (one per line, with their JSON
    /// paths). One console error; the agent stays dormant and the page untouched.
    pub fn rules_refused(&mut self, problems: &str) {
        if !matches!(self.phase, Phase::Loading) {
            return;
        }
        let message = cat(&[
            "lifeline: the rules are not valid, so the agent stays off:
",
            problems,
        ]);
        self.host.log(Level::Error, &message);
        self.phase = Phase::Dormant(Dormancy::BadRules);
    }

    /// Checked rules arrived.
    pub fn rules_ready(&mut self, rules: Rules) {
        if !matches!(self.phase, Phase::Loading) {
            return;
        }
        let rules = Arc::new(rules);
        if rules.privacy.honor_gpc && self.config.gpc {
            self.phase = Phase::Dormant(Dormancy::Gpc);
            return;
        }
        let consented = matches!(
            load::<H, bool>(&self.host, Area::Local, &self.keys.consent),
            Loaded::Found(true)
        );
        if rules.privacy.require_consent && !consented {
            self.phase = Phase::AwaitingConsent(rules);
            return;
        }
        self.begin(rules);
    }

    /// The page's consent call.
    pub fn consent(&mut self, given: bool) {
        if given {
            store(&mut self.host, Area::Local, &self.keys.consent, &true);
            if let Phase::AwaitingConsent(rules) = &self.phase {
                let rules = rules.clone();
                self.begin(rules);
            }
        } else {
            self.forget();
            self.phase = Phase::Dormant(Dormancy::NoConsent);
        }
    }

    /// The visitor opts out: everything stored is cleared and the agent stays off, on this
    /// page and the next ones.
    pub fn opt_out(&mut self) {
        self.forget();
        store(&mut self.host, Area::Local, &self.keys.opt_out, &true);
        self.phase = Phase::Dormant(Dormancy::OptedOut);
    }

    /// Stops for good after a panic (the platform calls this; the page is left alone).
    pub fn stop(&mut self) {
        self.host.hide();
        self.phase = Phase::Dormant(Dormancy::Stopped);
    }

    fn forget(&mut self) {
        self.host.hide();
        // Everything of this site's: the visit, profile, outbox, consent, the support
        // module's history, the cached rules.
        let prefix = cat(&["lifeline:", &self.config.site, ":"]);
        self.host.clear(&prefix);
    }

    fn begin(&mut self, rules: Arc<Rules>) {
        let now = self.host.now_ms();
        let mut profile = match load::<H, Profile>(&self.host, Area::Local, &self.keys.profile) {
            Loaded::Found(p) if p.is_current() => p,
            _ => Profile::default(),
        };
        let (id, mut session) = match self.saved_visit(&rules) {
            Some(visit) => visit,
            None => {
                profile.new_visit(now);
                let id = self.host.random_id();
                let session = Session::new(rules.clone(), &id, now);
                (id, session)
            }
        };
        // A prompt the last page left open was closed with it (a page killed before its
        // `pagehide` could not say so).
        if let Some(open) = session.open_prompt() {
            session.record(now, open, Outcome::Ignored);
        }
        // A new page load is visible; the platform says otherwise if it is not.
        session.set_visible(true);
        session.set_visitor(
            profile.returning(),
            self.tier.as_deref(),
            self.config.device,
        );
        session.set_agents_online(self.agents_online);
        session.set_last_feedback(profile.last_feedback);
        for (prompt, at) in &profile.dismissed {
            session.remember_dismissal(prompt, *at);
        }
        let outbox = match load::<H, Outbox>(&self.host, Area::Local, &self.keys.outbox) {
            Loaded::Found(o) if o.is_sound() => o,
            _ => Outbox::default(),
        };
        store(&mut self.host, Area::Local, &self.keys.profile, &profile);
        let key_prefix = self.key_prefix(&id);
        let epoch = self.claim();
        self.phase = Phase::Running(Box::new(Running {
            rules,
            session,
            id,
            key_prefix,
            outbox,
            profile,
            open: None,
            epoch,
            saved_signals: SignalSet::EMPTY,
            unsaved_views: false,
            page: String::new(),
            page_id: None,
        }));
        if let Some(page) = self.pending_page.take() {
            self.navigate(&page);
        }
    }

    /// The visit this tab saved, if it fits these rules.
    fn saved_visit(&self, rules: &Arc<Rules>) -> Option<(String, Session)> {
        match load::<H, SavedVisit>(&self.host, Area::Session, &self.keys.visit) {
            Loaded::Found(v) => Session::restore(rules.clone(), v.state).map(|s| (v.id, s)),
            _ => None,
        }
    }

    /// Makes this page the visit's newest: returns its epoch, stored for the tab.
    fn claim(&mut self) -> u32 {
        let epoch = self.stored_epoch().wrapping_add(1);
        store(&mut self.host, Area::Session, &self.keys.epoch, &epoch);
        epoch
    }

    /// The epoch of the tab's newest page.
    pub(super) fn stored_epoch(&self) -> u32 {
        match load::<H, u32>(&self.host, Area::Session, &self.keys.epoch) {
            Loaded::Found(e) => e,
            _ => 0,
        }
    }

    /// A fresh `VISIT:LOAD` prefix for this page load's report keys.
    fn key_prefix(&mut self, visit: &str) -> String {
        cat(&[visit, ":", &self.host.random_id()])
    }

    /// The page came back from the back/forward cache. The visit went on in other pages
    /// meanwhile: take up what they stored (never write this page's stale copy over it),
    /// start a new series of report keys, and count the page view.
    pub fn restored(&mut self, path_and_query: &str) {
        if matches!(
            load::<H, bool>(&self.host, Area::Local, &self.keys.opt_out),
            Loaded::Found(true)
        ) {
            self.host.hide();
            self.phase = Phase::Dormant(Dormancy::OptedOut);
            return;
        }
        let Phase::Running(run) = &self.phase else {
            return;
        };
        let rules = run.rules.clone();
        let visit = self.saved_visit(&rules);
        let outbox = match load::<H, Outbox>(&self.host, Area::Local, &self.keys.outbox) {
            Loaded::Found(o) if o.is_sound() => Some(o),
            _ => None,
        };
        let profile = match load::<H, Profile>(&self.host, Area::Local, &self.keys.profile) {
            Loaded::Found(p) if p.is_current() => Some(p),
            _ => None,
        };
        let id = visit.as_ref().map_or_else(
            || match &self.phase {
                Phase::Running(run) => run.id.clone(),
                _ => String::new(),
            },
            |(id, _)| id.clone(),
        );
        let key_prefix = self.key_prefix(&id);
        let epoch = self.claim();
        let Phase::Running(run) = &mut self.phase else {
            return;
        };
        run.epoch = epoch;
        if let Some((id, mut session)) = visit {
            if let Some(open) = session.open_prompt() {
                session.record(session.state().now(), open, Outcome::Ignored);
            }
            run.id = id;
            run.session = session;
        }
        if let Some(outbox) = outbox {
            run.outbox = outbox;
        }
        if let Some(profile) = profile {
            run.profile = profile;
        }
        run.key_prefix = key_prefix;
        run.open = None;
        run.page_id = None;
        run.session.set_visible(true);
        self.navigate(path_and_query);
    }
}
