//! The visitor's support history, part of their on-device profile (`localStorage`, never
//! uploaded): each session's place, what it showed, how it ended. The next session reads
//! it: an article that failed here is not offered first again, a visitor whom support
//! failed is offered a person sooner, a guide finished is not suggested again.

use alloc::string::String;
use alloc::vec::Vec;

use crate::codec::{Codec, Reader, Writer};

/// Sessions remembered (the oldest is forgotten first).
pub const MAX_RECORDS: usize = 16;
/// Article or guide ids remembered per session.
const MAX_IDS: usize = 16;

/// How a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// Not judged yet (the window after it is still open).
    Open,
    /// It helped: the visitor said so, or the struggle stopped.
    Resolved,
    /// It did not help.
    Failed,
    /// The visitor was referred to a person.
    Escalated,
}

impl Ending {
    const ALL: [Ending; 4] = [
        Ending::Open,
        Ending::Resolved,
        Ending::Failed,
        Ending::Escalated,
    ];

    /// Whether support failed the visitor.
    pub fn failed(self) -> bool {
        matches!(self, Ending::Failed | Ending::Escalated)
    }
}

/// One session.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// When it started, ms since the epoch.
    pub at: u64,
    /// The page (as reported: path and kept parameters).
    pub page: String,
    /// The task it was about, if any.
    pub task: Option<String>,
    /// Articles shown.
    pub articles: Vec<String>,
    /// Guides finished.
    pub guides: Vec<String>,
    /// How it ended.
    pub ending: Ending,
}

/// Every session remembered, oldest first.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct History {
    /// The sessions.
    pub records: Vec<Record>,
}

impl History {
    /// Sessions that failed the visitor.
    pub fn failures(&self) -> u32 {
        self.records.iter().filter(|r| r.ending.failed()).count() as u32
    }

    /// Whether `article` was shown in a session that failed at this page or task.
    pub fn failed_here(&self, article: &str, page: &str, task: Option<&str>) -> bool {
        self.records.iter().any(|r| {
            r.ending.failed()
                && (r.page == page || task.is_some() && r.task.as_deref() == task)
                && r.articles.iter().any(|a| a == article)
        })
    }

    /// Whether the visitor finished `guide` before.
    pub fn finished(&self, guide: &str) -> bool {
        self.records
            .iter()
            .any(|r| r.guides.iter().any(|g| g == guide))
    }

    /// Starts remembering a session; returns its index.
    pub fn begin(&mut self, at: u64, page: &str, task: Option<&str>) -> usize {
        if self.records.len() >= MAX_RECORDS {
            self.records.remove(0);
        }
        self.records.push(Record {
            at,
            page: page.chars().take(crate::page::MAX_PATH_LEN).collect(),
            task: task.map(String::from),
            articles: Vec::new(),
            guides: Vec::new(),
            ending: Ending::Open,
        });
        self.records.len() - 1
    }

    /// The session being remembered (the newest), if still open.
    pub fn open(&mut self) -> Option<&mut Record> {
        self.records.last_mut().filter(|r| r.ending == Ending::Open)
    }

    /// The history as `localStorage` text (one character per byte).
    pub fn to_storable(&self) -> String {
        let mut w = Writer(Vec::new());
        w.0.push(1);
        crate::codec::put_list(&self.records, &mut w);
        w.0.iter().map(|&b| char::from(b)).collect()
    }

    /// A stored history; anything else (another version, another script's value) is a
    /// new, empty history.
    pub fn from_storable(text: &str) -> History {
        let bytes: Option<Vec<u8>> = text.chars().map(|c| u8::try_from(c).ok()).collect();
        let read = |bytes: &[u8]| {
            let mut r = Reader::new(bytes.strip_prefix(&[1])?);
            let records = crate::codec::get_list(&mut r, MAX_RECORDS);
            r.is_done().then_some(History { records })
        };
        bytes.as_deref().and_then(read).unwrap_or_default()
    }
}

impl Record {
    /// Remembers an article shown (once).
    pub fn shown(&mut self, article: &str) {
        if !self.articles.iter().any(|a| a == article) && self.articles.len() < MAX_IDS {
            self.articles.push(article.into());
        }
    }

    /// Remembers a guide finished (once).
    pub fn finished(&mut self, guide: &str) {
        if !self.guides.iter().any(|g| g == guide) && self.guides.len() < MAX_IDS {
            self.guides.push(guide.into());
        }
    }
}

impl Codec for Ending {
    fn put(&self, w: &mut Writer) {
        w.0.push(*self as u8);
    }
    fn get(r: &mut Reader<'_>) -> Self {
        Ending::ALL[r.tag(Ending::ALL.len())]
    }
}

impl Codec for u64 {
    fn put(&self, w: &mut Writer) {
        w.num(*self);
    }
    fn get(r: &mut Reader<'_>) -> Self {
        r.num()
    }
}

crate::codec::fields!(Record {
    at,
    page,
    task,
    articles: MAX_IDS,
    guides: MAX_IDS,
    ending
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_history_survives_storage_and_garbage_is_a_new_one() {
        let mut h = History::default();
        h.begin(5, "/checkout/payment", Some("checkout"));
        let r = h.open().unwrap();
        r.shown("card-declined");
        r.finished("pay-guide");
        r.ending = Ending::Failed;
        assert_eq!(History::from_storable(&h.to_storable()), h);
        assert_eq!(History::from_storable("{\"json\": 1}"), History::default());
        assert_eq!(History::from_storable("日本"), History::default());
        let text = h.to_storable();
        for cut in 0..text.chars().count() {
            let cut: String = text.chars().take(cut).collect();
            assert_eq!(History::from_storable(&cut), History::default());
        }
    }

    #[test]
    fn only_the_newest_sessions_are_kept() {
        let mut h = History::default();
        for i in 0..40 {
            h.begin(i, "/", None);
        }
        assert_eq!(h.records.len(), MAX_RECORDS);
        assert_eq!(h.records[0].at, 40 - MAX_RECORDS as u64);
    }

    #[test]
    fn failures_count_failed_and_escalated_sessions() {
        let mut h = History::default();
        for ending in [
            Ending::Resolved,
            Ending::Failed,
            Ending::Escalated,
            Ending::Open,
        ] {
            h.begin(1, "/", None);
            h.records.last_mut().unwrap().ending = ending;
        }
        assert_eq!(h.failures(), 2);
    }
}
