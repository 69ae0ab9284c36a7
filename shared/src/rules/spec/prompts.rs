//! `prompts` and `theme`: what the agent can show, as plain text.

use std::collections::BTreeMap;

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
        /// For `call_offer`: the number to call.
        pub phone: Option<String> = None,
        /// For `chat_offer`: where chat opens (else the agent asks the page's chat to open).
        pub chat_url: Option<String> = None,
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
