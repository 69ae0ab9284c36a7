//! `prompts` and `theme`: what the agent can show, as plain text.

use crate::prelude::*;

use alloc::collections::BTreeMap;

use super::super::declare::{json_enum, json_object};

json_enum! {
    /// What a prompt offers.
    pub enum PromptKind {
        /// Help for the page: title, text, numbered steps, links.
        Help = "help",
        /// A request for a rating and an optional comment.
        Feedback = "feedback",
        /// An offer of live chat (shown only when a person is online).
        ChatOffer = "chat_offer",
        /// An offer of a phone call (shown only when a person is online).
        CallOffer = "call_offer",
        /// A compensation offer after a bad experience (the collector mints any code).
        Offer = "offer",
        /// An automated support session for where the visitor is: answers and guides for
        /// this page, a persona, a person when it does not help (needs a `support` section;
        /// one with the id `support` is made for `lifeline.help()` when the rules have none).
        Support = "support",
    }
}

json_enum! {
    /// Where a prompt sits on the screen (small screens always use the bottom).
    pub enum Position {
        /// Bottom right corner.
        BottomRight = "bottom_right",
        /// Bottom left corner.
        BottomLeft = "bottom_left",
        /// Top right corner.
        TopRight = "top_right",
        /// Top left corner.
        TopLeft = "top_left",
    }
}

json_enum! {
    /// How a feedback prompt asks.
    pub enum FeedbackScale {
        /// 1 to 5 stars.
        Rating = "rating",
        /// Thumbs up or down.
        Thumbs = "thumbs",
    }
}

json_object! {
    /// One prompt.
    pub struct PromptSpec {
        /// What it offers.
        pub kind: PromptKind,
        /// Its text in the site's `language`.
        pub text: PromptTextSpec,
        /// The same text in other languages, by tag (`fr`, `pt-BR`).
        pub translations: BTreeMap<String, PromptTextSpec> = BTreeMap::new(),
        /// For `feedback`: how to ask.
        pub feedback: Option<FeedbackSpec> = None,
        /// For `call_offer`: the number the visitor calls (`tel:`); without one, the visitor
        /// is asked for their number and a time, and the shop's staff call back.
        pub phone: Option<String> = None,
        /// For `chat_offer`: where chat opens; without one, the page's own chat widget may
        /// take it (the `lifeline:chat` event), else Lifeline's chat with the shop's staff.
        pub chat_url: Option<String> = None,
        /// For `help`: its action (`text.action` names it, "More help") opens a support
        /// session for where the visitor is; needs a `support` section.
        pub support: bool = false,
        /// Colours and position for this prompt only (else the top-level `theme`).
        pub theme: Option<ThemeSpec> = None,
    }
}

json_object! {
    /// The words of a prompt, shown as plain text (never HTML).
    pub struct PromptTextSpec {
        /// Heading, at most 120 characters.
        pub title: String,
        /// Body, at most 1000 characters.
        pub body: String = String::new(),
        /// Numbered steps (help), at most 10 of 300 characters.
        pub steps: Vec<String> = Vec::new(),
        /// Links (help), at most 5.
        pub links: Vec<LinkSpec> = Vec::new(),
        /// Label of the main button ("Chat with us", "Send").
        pub action: Option<String> = None,
    }
}

json_object! {
    /// A link in a prompt.
    pub struct LinkSpec {
        /// Its text, at most 80 characters.
        pub label: String,
        /// `https:`, `http:`, `mailto:`, `tel:` or a path on the site starting with `/`.
        pub url: String,
    }
}

json_object! {
    #[defaults]
    /// How a feedback prompt asks.
    pub struct FeedbackSpec {
        /// Stars or thumbs.
        pub scale: FeedbackScale = FeedbackScale::Rating,
        /// Whether a comment box is offered.
        pub comment: bool = true,
        /// The longest comment, in characters.
        pub comment_max: u32 [1..=1000] = 1000,
    }
}

json_object! {
    #[defaults]
    /// Colours (`#rgb` or `#rrggbb`) and position of prompts.
    pub struct ThemeSpec {
        /// Buttons and focus ring.
        pub accent: String = "#2563eb".into(),
        /// Panel background.
        pub background: String = "#ffffff".into(),
        /// Panel text.
        pub text: String = "#111827".into(),
        /// Where on the screen.
        pub position: Position = Position::BottomRight,
    }
}

json_object! {
    /// The fixed words of prompts in one language, each at most 200 characters; any left
    /// out keep their defaults (English, German, French, Spanish, Italian, Dutch,
    /// Portuguese, Swedish, Danish, Norwegian, Polish and Finnish are built in).
    pub struct LabelsSpec {
        /// The close button ("Close").
        pub close: Option<String> = None,
        /// The name of the star rating ("Your rating").
        pub rating: Option<String> = None,
        /// One star; `{n}` is its number ("{n} of 5").
        pub star: Option<String> = None,
        /// The name of the Yes/No question ("Was this helpful?").
        pub helpful: Option<String> = None,
        /// Thumbs up ("Yes").
        pub yes: Option<String> = None,
        /// Thumbs down ("No").
        pub no: Option<String> = None,
        /// The comment box ("Anything to add? (optional)").
        pub comment: Option<String> = None,
        /// Sending feedback, unless the prompt names its action ("Send").
        pub send: Option<String> = None,
        /// A chat offer's action ("Chat with us").
        pub chat: Option<String> = None,
        /// A call offer's action ("Call us").
        pub call: Option<String> = None,
        /// An offer's action ("Claim my offer").
        pub claim: Option<String> = None,
        /// Said when Send is pressed with nothing chosen or written.
        pub need: Option<String> = None,
        /// Said when Escape is pressed with a comment not yet sent.
        pub discard: Option<String> = None,
        /// Said after feedback is sent.
        pub thanks: Option<String> = None,
        /// Said after an offer is claimed.
        pub noted: Option<String> = None,
    }
}

impl LabelsSpec {
    /// The labels given, as (name, text).
    pub fn given(&self) -> impl Iterator<Item = (&'static str, &str)> + Clone {
        [
            ("close", &self.close),
            ("rating", &self.rating),
            ("star", &self.star),
            ("helpful", &self.helpful),
            ("yes", &self.yes),
            ("no", &self.no),
            ("comment", &self.comment),
            ("send", &self.send),
            ("chat", &self.chat),
            ("call", &self.call),
            ("claim", &self.claim),
            ("need", &self.need),
            ("discard", &self.discard),
            ("thanks", &self.thanks),
            ("noted", &self.noted),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.as_deref().map(|v| (k, v)))
    }
}
