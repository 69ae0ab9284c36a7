//! The chat's frames ([`crate::routes::chat`] carries them over a WebSocket): what either
//! side may send, read strictly and checked before anything is stored. A frame is JSON
//! with a `type`; a visitor may write, type, read, take up a card, ask for a call and close;
//! staff may also send offers (from the rules' `staff.offers`) and products (links on the
//! site). Every text is bounded, a phone number is a phone number, a product link stays on
//! the site; anything else gets a [`Refusal`] that says what is wrong and where.

use lifeline_shared::rules::spec::{CouponSpec, OfferSpec};
use serde::Deserialize;

use crate::ApiError;
use crate::store::chat::{MAX_CLIENT_ID, MAX_TEXT};
use crate::store::{Card, NewMessage, Side};

/// A frame as either side sends it.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[allow(missing_docs)]
pub enum Incoming {
    Hello {
        token: String,
        #[serde(default)]
        after: i64,
    },
    Message {
        text: String,
        #[serde(default)]
        client_id: Option<String>,
    },
    Typing,
    Read {
        upto: i64,
    },
    Accept {
        message: i64,
    },
    Call {
        phone: String,
        #[serde(default)]
        when: String,
        #[serde(default)]
        client_id: Option<String>,
    },
    Offer {
        offer: String,
        #[serde(default)]
        text: String,
        #[serde(default)]
        client_id: Option<String>,
    },
    Product {
        url: String,
        title: String,
        price: String,
        #[serde(default)]
        text: String,
        #[serde(default)]
        client_id: Option<String>,
    },
    Close,
}

/// A refusal told over the socket: a stable code, what is wrong and where, and when to
/// try again (rate limits).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The code (`bad_json`, `invalid`, `too_large`, `not_allowed`, `rate_limited`, or an
    /// API error's).
    pub error: &'static str,
    /// What is wrong, after where (`text: ...`).
    pub message: String,
    /// Seconds to wait (rate limits).
    pub retry_after: Option<u64>,
}

impl From<ApiError> for Refusal {
    fn from(e: ApiError) -> Refusal {
        Refusal {
            error: e.code(),
            message: e.explain(),
            retry_after: None,
        }
    }
}

/// A refusal with `error` and `message`.
pub fn refuse(error: &'static str, message: impl Into<String>) -> Refusal {
    Refusal {
        error,
        message: message.into(),
        retry_after: None,
    }
}

/// What a frame asks for, checked.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// Tell the other side this one is typing.
    Typing,
    /// This side has read up to a message.
    Read {
        /// The message.
        upto: i64,
    },
    /// End the conversation.
    Close,
    /// The visitor takes up the card in a message.
    Accept {
        /// The message.
        message: i64,
    },
    /// Store a message (and mint the coupon of an offer's card with it).
    Post {
        /// The message.
        message: Box<NewMessage>,
        /// The coupon to mint for an offer.
        mint: Option<CouponSpec>,
    },
}

/// What checking a frame needs of the site: its origins (product links) and the offers
/// its staff may send.
#[derive(Debug, Clone, Copy, Default)]
pub struct Site<'a> {
    /// The site's page origins.
    pub origins: &'a [String],
    /// The rules' `staff.offers`.
    pub offers: &'a [OfferSpec],
}

/// Reads a frame (at most [`crate::routes::chat::MAX_FRAME`] bytes, which the socket holds).
pub fn parse(text: &str) -> Result<Incoming, Refusal> {
    serde_json::from_str(text)
        .map_err(|e| refuse("bad_json", lifeline_shared::json::clip(&e.to_string(), 200)))
}

impl Incoming {
    /// Whether checking it needs the site's origins or offers.
    pub fn needs_site(&self) -> bool {
        matches!(self, Incoming::Offer { .. } | Incoming::Product { .. })
    }
}

/// Checks a frame from `side` (a member of staff: `author`) against `site`.
pub fn check(
    incoming: Incoming,
    side: Side,
    author: Option<&str>,
    site: Site<'_>,
) -> Result<Request, Refusal> {
    let staff_only = || {
        refuse(
            "not_allowed",
            "only the site's staff send offers and products",
        )
    };
    let visitor_only = || {
        refuse(
            "not_allowed",
            "only the visitor takes up cards and asks for a call",
        )
    };
    let post = |text: String, card: Option<Card>, client_id: Option<String>| {
        Ok::<_, Refusal>(Box::new(NewMessage {
            from: side,
            author: author.map(str::to_owned),
            text,
            card,
            client_id: client_id_checked(client_id)?,
        }))
    };
    Ok(match incoming {
        Incoming::Hello { .. } => return Err(refuse("bad_json", "hello was said already")),
        Incoming::Typing => Request::Typing,
        Incoming::Read { upto } => Request::Read { upto },
        Incoming::Close => Request::Close,
        Incoming::Accept { .. } | Incoming::Call { .. } if side != Side::Visitor => {
            return Err(visitor_only());
        }
        Incoming::Offer { .. } | Incoming::Product { .. } if side != Side::Staff => {
            return Err(staff_only());
        }
        Incoming::Accept { message } => Request::Accept { message },
        Incoming::Message { text, client_id } => Request::Post {
            message: post(message_text(&text, false)?, None, client_id)?,
            mint: None,
        },
        Incoming::Call {
            phone,
            when,
            client_id,
        } => {
            let card = Card::Call {
                phone: phone_number(&phone)?,
                when: short(&when, "when", 80, true)?,
            };
            Request::Post {
                message: post(String::new(), Some(card), client_id)?,
                mint: None,
            }
        }
        Incoming::Offer {
            offer,
            text,
            client_id,
        } => {
            let spec = (site.offers.iter())
                .find(|o| o.id == offer)
                .ok_or_else(|| {
                    refuse(
                        "invalid",
                        format!(
                            "offer: no offer `{}` in the rules' staff.offers",
                            lifeline_shared::json::clip(&offer, 64)
                        ),
                    )
                })?;
            let card = Card::Offer {
                offer: spec.id.clone(),
                title: spec.title.clone(),
                code: spec.code.clone().unwrap_or_default(),
                value: None,
                expires: None,
            };
            Request::Post {
                message: post(message_text(&text, true)?, Some(card), client_id)?,
                mint: spec.coupon.clone(),
            }
        }
        Incoming::Product {
            url,
            title,
            price,
            text,
            client_id,
        } => {
            let card = Card::Product {
                url: product_url(&url, site.origins)?,
                title: short(&title, "title", 120, false)?,
                price: short(&price, "price", 40, false)?,
            };
            Request::Post {
                message: post(message_text(&text, true)?, Some(card), client_id)?,
                mint: None,
            }
        }
    })
}

fn message_text(text: &str, may_be_empty: bool) -> Result<String, Refusal> {
    let text = text.trim();
    if text.is_empty() && !may_be_empty {
        return Err(refuse("invalid", "text: a message needs some text"));
    }
    if text.chars().count() > MAX_TEXT {
        return Err(refuse(
            "too_large",
            format!("text: a message is at most {MAX_TEXT} characters"),
        ));
    }
    Ok(text.to_owned())
}

fn short(text: &str, name: &str, max: usize, may_be_empty: bool) -> Result<String, Refusal> {
    let text = text.trim();
    if (text.is_empty() && !may_be_empty)
        || text.chars().count() > max
        || text.chars().any(char::is_control)
    {
        return Err(refuse(
            "invalid",
            format!(
                "{name}: expected {}at most {max} characters of text",
                if may_be_empty { "" } else { "1 to " }
            ),
        ));
    }
    Ok(text.to_owned())
}

fn client_id_checked(id: Option<String>) -> Result<Option<String>, Refusal> {
    match id {
        Some(id) if id.is_empty() || id.len() > MAX_CLIENT_ID => Err(refuse(
            "invalid",
            format!("client_id: 1 to {MAX_CLIENT_ID} bytes"),
        )),
        other => Ok(other),
    }
}

/// A phone number as a visitor types it: digits with `+`, spaces, dots, dashes, brackets;
/// 6 to 20 digits.
fn phone_number(phone: &str) -> Result<String, Refusal> {
    let phone = phone.trim();
    let digits = phone.bytes().filter(u8::is_ascii_digit).count();
    let good = phone.len() <= 32
        && (6..=20).contains(&digits)
        && phone
            .bytes()
            .all(|b| b.is_ascii_digit() || b" +-.()/".contains(&b));
    if !good {
        return Err(refuse(
            "invalid",
            "phone: expected a phone number (6 to 20 digits; + - . ( ) and spaces allowed)",
        ));
    }
    Ok(phone.to_owned())
}

/// A product link: a path of the site, or an `https://` URL of one of its origins.
fn product_url(url: &str, origins: &[String]) -> Result<String, Refusal> {
    let url = url.trim();
    let own = (url.starts_with('/') && !url.starts_with("//"))
        || origins.iter().any(|o| {
            url.to_ascii_lowercase()
                .strip_prefix(o.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        });
    if !own || url.len() > 1024 || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(refuse(
            "invalid",
            "url: expected a path of the site (/products/boots) or a URL of one of its origins",
        ));
    }
    Ok(url.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_product_links_and_texts_are_checked() {
        assert!(phone_number("+49 (30) 123-4567").is_ok());
        assert!(phone_number("12345").is_err(), "too few digits");
        assert!(phone_number("call me").is_err());
        let origins = vec!["https://shop.example".to_owned()];
        assert!(product_url("/p/boots", &origins).is_ok());
        assert!(product_url("https://shop.example/p/boots", &origins).is_ok());
        assert!(product_url("https://shop.example.evil/p", &origins).is_err());
        assert!(product_url("//evil.example/p", &origins).is_err());
        assert!(product_url("javascript:alert(1)", &origins).is_err());
        assert!(message_text("  ", false).is_err());
        assert!(message_text(&"x".repeat(MAX_TEXT + 1), false).is_err());
        assert_eq!(message_text(" hi ", false).ok().as_deref(), Some("hi"));
    }
}
