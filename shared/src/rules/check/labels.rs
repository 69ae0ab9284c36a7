//! The rules' `labels`: checked (a language tag each, texts bounded, the star naming its
//! number) and compiled into one JSON object per language the prompts speak.

use crate::prelude::*;

use super::super::error::RuleErrorKind as E;
use super::super::labels::{self, MAX_LABEL_TEXT};
use super::super::read::{PathSeg, Reader};
use super::super::spec::{LabelsSpec, RulesSpec};
use super::values::{bounded_text, language_tag};
use alloc::collections::BTreeMap;

pub(super) fn check(spec: &BTreeMap<String, LabelsSpec>, r: &mut Reader) -> bool {
    let mut ok = true;
    for (tag, set) in spec {
        r.at(PathSeg::Key(tag.clone()), |r| {
            ok &= language_tag(tag, r);
            for (key, text) in set.given() {
                r.field(key, |r| {
                    ok &= bounded_text(text, MAX_LABEL_TEXT, false, r);
                    // A window search: `str::contains` would bring a substring searcher into the
                    // browser's checker.
                    if key == "star" && !text.as_bytes().windows(3).any(|w| w == b"{n}") {
                        r.error(E::Inconsistent(
                            "`star` names one star of five and must say which: write {n} for its number, as in \"{n} of 5\"",
                        ));
                        ok = false;
                    }
                });
            }
        });
    }
    ok
}

/// One JSON object of labels per language the prompts speak (the site's language first,
/// then every translation's and every `labels` entry's), defaults under the site's own.
pub(super) fn compile(spec: &RulesSpec, language: &str) -> Vec<(String, String)> {
    let mut tags: Vec<&str> = vec![language];
    let more = (spec.prompts.values())
        .flat_map(|p| p.translations.keys())
        .chain(spec.labels.keys());
    for tag in more {
        if !tags.iter().any(|t| t.eq_ignore_ascii_case(tag)) {
            tags.push(tag);
        }
    }
    tags.into_iter()
        .map(|tag| {
            // A regional tag takes its language's labels, then its own.
            let primary = tag.split('-').next().unwrap_or(tag);
            let mut overrides: Vec<(&str, &str)> = Vec::new();
            let from = if primary.len() < tag.len() {
                vec![primary, tag]
            } else {
                vec![tag]
            };
            for t in from {
                let sets = spec
                    .labels
                    .iter()
                    .filter(|(k, _)| k.eq_ignore_ascii_case(t));
                overrides.extend(sets.flat_map(|(_, set)| set.given()));
            }
            (tag.to_owned(), labels::compile(tag, overrides.into_iter()))
        })
        .collect()
}
