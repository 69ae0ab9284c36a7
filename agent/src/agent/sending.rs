//! Sending what the outbox holds, and saving the visit between pages.

use super::*;

impl<H: Host> Agent<H> {
    /// About once a second: time-based signals, sending what is due, and saving the visit
    /// when page views or signals came since it was last saved.
    pub fn tick(&mut self) {
        self.observe(&Event::Tick);
        self.flush(false);
        if matches!(&self.phase, Phase::Running(run)
            if run.unsaved_views || run.session.page_signals() != run.saved_signals)
        {
            self.save();
        }
    }

    /// Sends a due batch; `page_going` sends everything by beacon. A beacon the browser
    /// queued has no answer and is delivered by the browser: its reports leave the outbox,
    /// so they go out once (a `visibilitychange` then a `pagehide` do not send them twice).
    pub fn flush(&mut self, page_going: bool) {
        let now = self.host.now_ms();
        let Phase::Running(run) = &mut self.phase else {
            return;
        };
        if let Some(batch) = run.outbox.batch(&run.id, now, page_going)
            && self.host.send(&batch.json, page_going)
            && page_going
        {
            run.outbox.beaconed(batch.len);
        }
    }

    /// The collector's answer to the last `fetch`.
    pub fn sent(&mut self, ok: bool) {
        let now = self.host.now_ms();
        let Phase::Running(run) = &mut self.phase else {
            return;
        };
        run.outbox.sent(ok, now);
        let outbox = codec::encode(&run.outbox);
        self.host.set(Area::Local, &self.keys.outbox, &outbox);
    }

    /// The page is being hidden (another tab, the app switcher, or on its way out): send
    /// everything by beacon, save everything.
    pub fn page_hidden(&mut self) {
        self.observe(&Event::Visibility { visible: false });
        self.flush(true);
        self.save();
    }

    /// The page is being left (`pagehide`: a link, Back, a reload, the tab closed, or into
    /// the back/forward cache). A prompt still open was ignored: reported once as such, and
    /// gone if the page is ever restored.
    pub fn page_left(&mut self) {
        if matches!(&self.phase, Phase::Running(run) if run.open.is_some()) {
            self.close(Outcome::Ignored);
        }
        self.page_hidden();
    }

    /// Stores the visit, the profile and the outbox, unless a newer page of this tab has
    /// taken the visit up (see `Running::epoch`).
    pub(super) fn save(&mut self) {
        let newest = self.stored_epoch();
        let Phase::Running(run) = &mut self.phase else {
            return;
        };
        if newest > run.epoch {
            return;
        }
        run.saved_signals = run.session.page_signals();
        run.unsaved_views = false;
        // The same stored form as `SavedVisit`, without cloning the state first.
        let visit = codec::encode_pair(&run.id, run.session.state());
        let (profile, outbox) = (codec::encode(&run.profile), codec::encode(&run.outbox));
        self.host.set(Area::Session, &self.keys.visit, &visit);
        self.host.set(Area::Local, &self.keys.profile, &profile);
        self.host.set(Area::Local, &self.keys.outbox, &outbox);
    }

    /// Reports waiting in the outbox.
    pub fn waiting(&self) -> usize {
        match &self.phase {
            Phase::Running(run) => run.outbox.len(),
            _ => 0,
        }
    }
}
