//! Lifeline's support sessions: automated help for the page the visitor is on.
//!
//! `no_std` (with `alloc`), so the support module, fetched only when a session starts,
//! stays small; the same code runs natively in tests and in `lifeline-shared`, which
//! checks a rules file's `support` section into [`Support`] and encodes it.
//!
//! ## Layout
//! - [`content`]: the checked content: articles, guides, personas, escalation.
//! - [`markup`]: the small safe markup of article bodies, as blocks of text.
//! - [`page`]: page patterns, matched as the rules match them.
//! - [`codec`]: the compact form the collector serves.
//! - [`rank`]: BM25 search over the articles, on the device (their words counted when
//!   the content is checked).
//! - [`plan`]: a session's first screen for a place, a visitor and their history.
//! - [`effect`]: whether a session helped.
//! - [`history`]: the visitor's past sessions, kept on their device.
//! - [`words`]: the session's fixed words, by language.
//! - [`view`]: what the renderer draws, as JSON ([`json`]: strings and numbers written by
//!   hand, which the agent's reports use too).
//!
//! ## Data flow
//! rules file `support` -> `lifeline-shared` check -> [`Support`] -> [`codec::encode`] ->
//! collector -> support module (`agent/support/module`): [`codec::decode`] -> [`plan::plan`] (+ [`rank::search`]
//! for searches) -> the renderer; [`effect::judge`] -> [`history::History`].

// no_std in the browser module; natively (tests, the collector) std is there anyway.
#![cfg_attr(target_arch = "wasm32", no_std)]

extern crate alloc;

pub mod codec;
pub mod content;
pub mod effect;
pub mod history;
pub mod json;
pub mod markup;
pub mod page;
pub mod plan;
pub mod rank;
pub mod view;
pub mod words;

#[cfg(test)]
mod testing;

pub use content::Support;

/// Sorts a short list in place, stably (an insertion sort: the lists here hold at most a
/// few hundred items, and core's sorts cost the browser module kilobytes per use).
pub(crate) fn sort_by<T>(list: &mut [T], mut before: impl FnMut(&T, &T) -> bool) {
    for i in 1..list.len() {
        let mut j = i;
        while j > 0 && before(&list[j], &list[j - 1]) {
            list.swap(j, j - 1);
            j -= 1;
        }
    }
}
