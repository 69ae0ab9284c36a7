//! The outbox: decisions and feedback waiting to reach the collector.
//!
//! Bounded (when full, the oldest reports are dropped and counted), persisted by the agent
//! after each change so a reload or a dead network loses nothing, sent in batches, retried
//! with exponential backoff. Each report has a key unique in its visit, so the collector
//! keeps it once however often it arrives (a beacon on page hide, then a retry).

use crate::prelude::*;

use alloc::collections::VecDeque;

use lifeline_shared::wire::{MAX_ITEMS, Report, ReportItem, batch_json, push_decimal};

/// Most reports kept waiting.
pub const CAPACITY: usize = 200;
/// Send when this many reports wait...
pub const BATCH_AT: usize = 10;
/// ...or when the oldest has waited this long, in ms.
pub const BATCH_AFTER_MS: u64 = 3_000;
/// The first retry waits this long, in ms; each failure doubles it...
pub const RETRY_FIRST_MS: u64 = 2_000;
/// ...up to this.
pub const RETRY_MAX_MS: u64 = 5 * 60 * 1000;

/// A batch to send: the first `len` reports waiting, as JSON (written from the outbox's
/// own reports, never copied).
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    /// The batch as the collector reads it.
    pub json: String,
    /// How many reports it holds.
    pub len: usize,
}

/// Reports waiting to be sent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outbox {
    items: VecDeque<ReportItem>,
    /// Reports dropped because the outbox was full.
    dropped: u32,
    /// Next report number in this visit (for keys).
    seq: u64,
    /// Reports in the batch being sent by `fetch`, if any (not stored: a new page starts
    /// with nothing in flight).
    in_flight: Option<usize>,
    /// No fetch before this time (backoff).
    next_try: u64,
    failures: u32,
    /// A report waits that should go at once (feedback, whose answer the visitor awaits);
    /// not stored: a new page sends what waits when due.
    urgent: bool,
}

impl lifeline_shared::codec::Codec for Outbox {
    fn put(&self, w: &mut lifeline_shared::codec::Writer) {
        self.items.put(w);
        self.dropped.put(w);
        self.seq.put(w);
        self.next_try.put(w);
        self.failures.put(w);
    }
    fn get(r: &mut lifeline_shared::codec::Reader<'_>) -> Self {
        use lifeline_shared::codec::Codec;
        Outbox {
            items: Codec::get(r),
            dropped: Codec::get(r),
            seq: Codec::get(r),
            in_flight: None,
            next_try: Codec::get(r),
            failures: Codec::get(r),
            urgent: false,
        }
    }
}

impl Outbox {
    /// Queues a report made at `at` on `page`; keys it `PREFIX:N` (the prefix names the
    /// visit and the page load, so keys never repeat).
    pub fn push(&mut self, prefix: &str, at: u64, page: &str, report: Report) {
        // Wrapping: the count comes from storage, which another script can set anywhere; the
        // prefix keeps keys apart across page loads.
        self.seq = self.seq.wrapping_add(1);
        if self.items.len() >= CAPACITY {
            self.items.pop_front();
            self.dropped = self.dropped.saturating_add(1);
            // A batch in flight no longer starts where it did: let its answer be ignored.
            self.in_flight = None;
        }
        self.items.push_back(ReportItem {
            key: {
                let mut key = String::with_capacity(prefix.len() + 8);
                key.push_str(prefix);
                key.push(':');
                push_decimal(&mut key, self.seq);
                key
            },
            at,
            page: page.to_owned(),
            report,
        });
    }

    /// Sends what waits at the next chance (now, or when the batch in flight is answered),
    /// not when the batch would be due.
    pub fn hurry(&mut self) {
        self.urgent = true;
    }

    /// The batch to send now, if one is due: `force` (page hiding) sends whatever waits.
    /// Reports stay queued until [`Outbox::sent`] says they arrived.
    pub fn batch(&mut self, session: &str, now: u64, force: bool) -> Option<Batch> {
        // A retry time further away than the longest backoff came from storage, not from
        // here: it does not hold reports back.
        let backing_off = now < self.next_try && self.next_try - now <= RETRY_MAX_MS;
        if self.items.is_empty() || (!force && (self.in_flight.is_some() || backing_off)) {
            return None;
        }
        let oldest = self.items.front().map_or(now, |i| i.at);
        let due = force
            || self.urgent
            || self.items.len() >= BATCH_AT
            || now.saturating_sub(oldest) >= BATCH_AFTER_MS;
        if !due {
            return None;
        }
        self.urgent = false;
        let n = self.items.len().min(MAX_ITEMS);
        if !force {
            self.in_flight = Some(n);
        }
        Some(Batch {
            json: batch_json(session, self.items.iter().take(n)),
            len: n,
        })
    }

    /// The answer to the batch in flight: on success its reports leave the outbox; on
    /// failure the next try waits (2 s, 4 s, ... up to 5 min).
    pub fn sent(&mut self, ok: bool, now: u64) {
        let Some(n) = self.in_flight.take() else {
            return;
        };
        if ok {
            for _ in 0..n.min(self.items.len()) {
                self.items.pop_front();
            }
            self.failures = 0;
            self.next_try = now;
        } else {
            self.failures = self.failures.saturating_add(1);
            let wait = RETRY_FIRST_MS.saturating_mul(1 << self.failures.min(20).saturating_sub(1));
            self.next_try = now + wait.min(RETRY_MAX_MS);
        }
    }

    /// The first `n` reports went by beacon: the browser delivers them, so they leave.
    /// A fetch still in flight is forgotten: its reports may have been among them.
    pub fn beaconed(&mut self, n: usize) {
        for _ in 0..n.min(self.items.len()) {
            self.items.pop_front();
        }
        self.in_flight = None;
    }

    /// Reports waiting.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether nothing waits.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Reports dropped because the outbox was full.
    pub fn dropped(&self) -> u32 {
        self.dropped
    }

    /// Whether a stored outbox can be used as is.
    pub fn is_sound(&self) -> bool {
        self.items.len() <= CAPACITY
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lifeline_shared::SignalSet;
    use lifeline_shared::rules::spec::{Band, PromptKind};
    use lifeline_shared::wire::ReportBatch;

    fn report() -> Report {
        Report::Decision {
            rule: "r".into(),
            prompt: "p".into(),
            kind: PromptKind::Help,
            outcome: None,
            band: Band::Low,
            signals: SignalSet::EMPTY,
            value: None,
        }
    }

    /// What the collector reads of a batch.
    fn read(b: Batch) -> ReportBatch {
        let read: ReportBatch = serde_json::from_str(&b.json).expect("a batch is JSON");
        assert_eq!(read.items.len(), b.len);
        read
    }

    #[test]
    fn reports_wait_for_a_batch_then_leave_only_when_sent() {
        let mut o = Outbox::default();
        o.push("s", 0, "/", report());
        assert!(o.batch("s", 1000, false).is_none(), "not due yet");
        let b = read(o.batch("s", 3000, false).expect("due after 3 s"));
        assert_eq!(b.items[0].key, "s:1");
        assert!(
            o.batch("s", 3001, false).is_none(),
            "one batch in flight at a time"
        );
        o.sent(true, 3100);
        assert!(o.is_empty());
    }

    #[test]
    fn a_stored_count_or_retry_time_set_anywhere_neither_overflows_nor_holds_reports() {
        // Found by make fuzz (agent_storage): a stored count at u64::MAX overflowed on the
        // next report; a retry time far ahead would have kept every report for ever.
        let mut o = Outbox {
            seq: u64::MAX,
            next_try: u64::MAX,
            ..Outbox::default()
        };
        o.push("s", 0, "/", report());
        o.push("s", 0, "/", report());
        let b = read(
            o.batch("s", 5000, false)
                .expect("due: the far retry time is ignored"),
        );
        assert_eq!(
            b.items.iter().map(|i| i.key.as_str()).collect::<Vec<_>>(),
            ["s:0", "s:1"]
        );
    }

    #[test]
    fn failures_back_off_and_keep_the_reports() {
        let mut o = Outbox::default();
        for i in 0..10 {
            o.push("s", i, "/", report());
        }
        assert!(
            o.batch("s", 10, false).is_some(),
            "ten reports are due at once"
        );
        o.sent(false, 100);
        assert!(o.batch("s", 2099, false).is_none());
        assert!(o.batch("s", 2100, false).is_some());
        o.sent(false, 2100);
        assert!(o.batch("s", 6099, false).is_none(), "the wait doubles");
        assert_eq!(o.batch("s", 6100, false).map(|b| b.len), Some(10));
        o.sent(true, 6100);
        assert!(o.is_empty());
    }

    #[test]
    fn a_full_outbox_drops_the_oldest_and_counts_them() {
        let mut o = Outbox::default();
        for i in 0..(CAPACITY as u64 + 5) {
            o.push("s", i, "/", report());
        }
        assert_eq!((o.len(), o.dropped()), (CAPACITY, 5));
        let b = read(o.batch("s", 10_000, true).unwrap());
        assert_eq!(b.items[0].key, "s:6", "the oldest five went");
        assert_eq!(b.items.len(), MAX_ITEMS);
    }

    #[test]
    fn a_page_going_away_sends_everything_by_beacon_once() {
        let mut o = Outbox::default();
        o.push("s", 0, "/", report());
        o.push("s", 0, "/", report());
        let b = o.batch("s", 1, true).unwrap();
        assert_eq!(o.len(), 2, "kept until the browser took the beacon");
        o.beaconed(b.len);
        assert!(o.is_empty());
        assert!(o.batch("s", 2, true).is_none(), "nothing goes twice");
    }
}
