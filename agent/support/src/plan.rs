//! What a session shows first, for where the visitor is ([`Location`]: the page, the
//! signals and the task that fired), who they are ([`Visitor`], from the on-device
//! profile) and what they tried before ([`History`]).
//!
//! - Content in the visitor's language when the site has any, else in the site's.
//! - Articles and guides for this place first, the most specific first (page, signal and
//!   task each count); an article shown in a session that failed here goes last.
//! - The persona: the first whose audience fits the visitor and whose skills take the
//!   first answer's topics; else the first whose audience fits; else the first.
//! - A guide is suggested unless the visitor finished it before.
//! - A person first when support failed this visitor `person_after` times.

use alloc::vec::Vec;

use crate::content::{Article, Audience, Channel, Guide, Persona, Place, Support};
use crate::history::History;

/// Where the visitor is.
#[derive(Debug, Clone, Copy, Default)]
pub struct Location<'a> {
    /// The page, as reported (path and kept parameters).
    pub page: &'a str,
    /// Names of the signals active when the session started.
    pub signals: &'a [&'a str],
    /// The task under way (or failing), if any.
    pub task: Option<&'a str>,
}

/// Who the visitor is, from their on-device profile.
#[derive(Debug, Clone, Copy, Default)]
pub struct Visitor<'a> {
    /// Came before.
    pub returning: bool,
    /// Customer tier, when the shop told the agent.
    pub tier: Option<&'a str>,
    /// The browser's language (`fr-CA`).
    pub language: &'a str,
    /// Whether a person is online to chat.
    pub agents_online: bool,
}

/// A session's first screen.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Plan {
    /// The persona (index into the content's personas), if there are any.
    pub persona: Option<usize>,
    /// Its voice for the visitor's language.
    pub voice: Option<usize>,
    /// The language the session speaks.
    pub language: alloc::string::String,
    /// Articles for this place, best first (indices).
    pub articles: Vec<usize>,
    /// Guides for this place (indices).
    pub guides: Vec<usize>,
    /// The guide to suggest, if any.
    pub suggested_guide: Option<usize>,
    /// Offer a person before the articles.
    pub person_first: bool,
    /// Where a person can be reached now, in order.
    pub channels: Vec<Channel>,
}

/// Whether `tag` is `language` or its primary subtag (`fr` for `fr-CA`), any case.
#[expect(
    clippy::manual_pattern_char_comparison,
    reason = "a char pattern brings memchr: bytes in the support module"
)]
pub fn speaks(tag: &str, language: &str) -> bool {
    let primary = language.split(|c| c == '-').next().unwrap_or(language);
    tag.eq_ignore_ascii_case(language) || tag.eq_ignore_ascii_case(primary)
}

/// How well a place fits the location: 0 not at all (a page listed must match, and a
/// signal or a task listed must be there), else 1 + one per kind that matched.
fn fit(place: &Place, at: &Location<'_>) -> u32 {
    let page = place.pages.iter().any(|p| p.matches(at.page));
    let signal = (place.signals.iter()).any(|s| at.signals.contains(&s.as_str()));
    let task = (place.tasks.iter()).any(|t| Some(t.as_str()) == at.task);
    let struggle_any = place.signals.is_empty() && place.tasks.is_empty();
    let fits =
        place.is_anywhere() && (place.pages.is_empty() || page) && (struggle_any || signal || task);
    if fits {
        1 + u32::from(page) + u32::from(signal) + u32::from(task)
    } else {
        0
    }
}

/// Whether an audience takes this visitor.
fn takes(a: &Audience, v: &Visitor<'_>, failures: u32) -> bool {
    a.returning.is_none_or(|r| r == v.returning)
        && (a.tiers.is_empty() || v.tier.is_some_and(|t| a.tiers.iter().any(|x| x == t)))
        && (a.languages.is_empty() || a.languages.iter().any(|l| speaks(l, v.language)))
        && failures >= a.failures_at_least
}

/// Whether a persona's skills take any of these topics.
fn skilled(p: &Persona, topics: &[alloc::string::String]) -> bool {
    p.skills.is_empty() || p.skills.iter().any(|s| topics.contains(s))
}

/// The channels that can reach a person now, in the owner's order.
pub fn channels(support: &Support, visitor: &Visitor<'_>) -> Vec<Channel> {
    let e = &support.escalation;
    (e.channels.iter().copied())
        .filter(|c| match c {
            Channel::Chat => visitor.agents_online,
            Channel::Widget => true,
            Channel::Email => e.email.is_some(),
            Channel::Phone => e.phone.is_some(),
        })
        .collect()
}

/// The first screen of a session.
pub fn plan(
    support: &Support,
    at: &Location<'_>,
    visitor: &Visitor<'_>,
    history: &History,
) -> Plan {
    // The language: the visitor's, when the site wrote anything in it.
    let site = support.language.as_str();
    fn written<'a>(lang: &'a Option<alloc::string::String>, site: &'a str) -> &'a str {
        lang.as_deref().unwrap_or(site)
    }
    let visitors = (support.articles.iter().map(|a| written(&a.language, site)))
        .chain(support.guides.iter().map(|g| written(&g.language, site)))
        .find(|l| speaks(l, visitor.language));
    let language = visitors.unwrap_or(site);
    let in_language = |lang: &Option<alloc::string::String>| written(lang, site) == language;

    let mut articles: Vec<(usize, u32, bool)> = (support.articles.iter().enumerate())
        .filter(|(_, a)| in_language(&a.language))
        .map(|(i, a): (usize, &Article)| {
            let failed = history.failed_here(&a.id, at.page, at.task);
            (i, fit(&a.place, at), failed)
        })
        .filter(|(_, f, _)| *f > 0)
        .collect();
    // Not failed before, then most specific, then the owner's order.
    crate::sort_by(&mut articles, |a, b| {
        (a.2, u32::MAX - a.1, a.0) < (b.2, u32::MAX - b.1, b.0)
    });
    let mut guides: Vec<(usize, u32)> = (support.guides.iter().enumerate())
        .filter(|(_, g)| in_language(&g.language))
        .map(|(i, g): (usize, &Guide)| (i, fit(&g.place, at)))
        .filter(|(_, f)| *f > 0)
        .collect();
    crate::sort_by(&mut guides, |a, b| {
        (u32::MAX - a.1, a.0) < (u32::MAX - b.1, b.0)
    });
    let suggested_guide = (guides.iter())
        .map(|&(i, _)| i)
        .find(|&i| !history.finished(&support.guides[i].id));

    // The persona.
    let failures = history.failures();
    let topics = (articles.first().map(|&(i, ..)| &support.articles[i].topics))
        .or(guides.first().map(|&(i, _)| &support.guides[i].topics));
    let fitting = |p: &&Persona| takes(&p.audience, visitor, failures);
    let persona = (support.personas.iter())
        .position(|p| fitting(&p) && topics.is_none_or(|t| skilled(p, t)))
        .or_else(|| support.personas.iter().position(|p| fitting(&p)))
        .or((!support.personas.is_empty()).then_some(0));
    let voice = persona.and_then(|p| {
        let voices = &support.personas[p].voices;
        (voices.iter())
            .position(|v| speaks(&v.language, visitor.language))
            .or((!voices.is_empty()).then_some(0))
    });

    let channels = channels(support, visitor);
    Plan {
        persona,
        voice,
        language: language.into(),
        articles: articles.into_iter().map(|(i, ..)| i).collect(),
        guides: guides.into_iter().map(|(i, _)| i).collect(),
        suggested_guide,
        person_first: !channels.is_empty() && failures >= support.escalation.person_after,
        channels,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::Channel;
    use crate::history::Ending;
    use crate::testing::content;
    use alloc::string::String;

    fn ids(s: &Support, p: &Plan) -> Vec<String> {
        p.articles
            .iter()
            .map(|&i| s.articles[i].id.clone())
            .collect()
    }

    const PAYMENT: Location<'static> = Location {
        page: "/payment/",
        signals: &["repeated_action"],
        task: Some("checkout"),
    };

    fn visitor() -> Visitor<'static> {
        Visitor {
            language: "en-GB",
            agents_online: true,
            ..Visitor::default()
        }
    }

    #[test]
    fn a_visitor_struggling_on_payment_gets_the_payment_answers_first() {
        let s = content();
        let p = plan(&s, &PAYMENT, &visitor(), &History::default());
        assert_eq!(ids(&s, &p), ["card-declined", "payment-security"]);
        assert_eq!(p.suggested_guide, Some(0));
        assert_eq!(
            s.personas[p.persona.unwrap()].id,
            "ana",
            "skilled in payment"
        );
        assert!(!p.person_first);
        assert_eq!(p.channels, [Channel::Chat, Channel::Email]);
    }

    #[test]
    fn the_place_decides_the_answers_and_the_persona() {
        let s = content();
        let shipping = Location {
            page: "/shipping/",
            ..Location::default()
        };
        let p = plan(&s, &shipping, &visitor(), &History::default());
        assert_eq!(ids(&s, &p), ["delivery-times"]);
        assert_eq!(s.personas[p.persona.unwrap()].id, "max");
        assert_eq!(p.suggested_guide, None);
        // The promo answer is for struggle on the cart, not for every cart visit.
        let browsing = Location {
            page: "/cart/",
            ..Location::default()
        };
        assert!(
            plan(&s, &browsing, &visitor(), &History::default())
                .articles
                .is_empty()
        );
        let raging = Location {
            signals: &["rage_click"],
            ..browsing
        };
        let p = plan(&s, &raging, &visitor(), &History::default());
        assert_eq!(ids(&s, &p), ["promo-codes"]);
    }

    #[test]
    fn a_second_session_after_a_failure_differs_from_the_first() {
        let s = content();
        let first = plan(&s, &PAYMENT, &visitor(), &History::default());
        let mut history = History::default();
        history.begin(1, "/payment/", Some("checkout"));
        let r = history.open().unwrap();
        r.shown("card-declined");
        r.finished("pay-guide");
        r.ending = Ending::Failed;
        let second = plan(&s, &PAYMENT, &visitor(), &history);
        assert_ne!(first, second);
        assert_eq!(
            ids(&s, &second),
            ["payment-security", "card-declined"],
            "the article that failed is not first again"
        );
        assert_eq!(
            second.suggested_guide, None,
            "a guide finished is not replayed"
        );
        assert!(second.person_first, "a person is offered first");
        assert_eq!(
            s.personas[second.persona.unwrap()].id,
            "lea",
            "the persona for visitors support failed"
        );
    }

    #[test]
    fn no_person_first_when_nobody_can_be_reached() {
        let mut s = content();
        s.escalation.email = None;
        let mut history = History::default();
        history.begin(1, "/payment/", None);
        history.records[0].ending = Ending::Escalated;
        let offline = Visitor {
            agents_online: false,
            ..visitor()
        };
        let p = plan(&s, &PAYMENT, &offline, &history);
        assert!(p.channels.is_empty());
        assert!(!p.person_first);
    }

    #[test]
    fn the_visitors_language_is_used_when_the_site_wrote_in_it() {
        let mut s = content();
        let mut fr = s.articles[2].clone();
        fr.id = "carte-refusee".into();
        fr.language = Some("fr".into());
        s.articles.push(fr);
        let french = Visitor {
            language: "fr-CA",
            ..visitor()
        };
        let p = plan(&s, &PAYMENT, &french, &History::default());
        assert_eq!(p.language, "fr");
        assert_eq!(ids(&s, &p), ["carte-refusee"]);
        let persona = &s.personas[p.persona.unwrap()];
        assert_eq!(persona.voices[p.voice.unwrap()].language, "fr");
        let german = Visitor {
            language: "de",
            ..visitor()
        };
        let p = plan(&s, &PAYMENT, &german, &History::default());
        assert_eq!(p.language, "en");
        assert_eq!(ids(&s, &p), ["card-declined", "payment-security"]);
    }

    #[test]
    fn audiences_pick_personas_by_tier_and_visit() {
        let mut s = content();
        s.personas[2].audience.tiers = alloc::vec!["gold".into()];
        s.personas[2].skills.clear();
        s.personas[1].audience.returning = Some(false);
        let gold = Visitor {
            tier: Some("gold"),
            returning: true,
            ..visitor()
        };
        let p = plan(&s, &PAYMENT, &gold, &History::default());
        assert_eq!(s.personas[p.persona.unwrap()].id, "max");
        let new = plan(&s, &PAYMENT, &visitor(), &History::default());
        assert_eq!(s.personas[new.persona.unwrap()].id, "ana");
    }
}
