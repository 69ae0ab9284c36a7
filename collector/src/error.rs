//! [`ApiError`]: every 4xx and 5xx the collector answers, in one JSON shape:
//! `{"error": "code", "message": "what is wrong", "path": "where in the body"}`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::store::StoreError;

/// What went wrong with a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// The body is not JSON of the expected shape; `path` is where.
    BadJson {
        /// JSON path of the problem (`items[2].report.kind`), empty for the whole body.
        path: String,
        /// What the parser said.
        message: String,
    },
    /// The body is well formed but breaks a rule of the format.
    Invalid {
        /// JSON path of the bad value.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// Rules that do not check: every problem with its path.
    InvalidRules(Vec<(String, String)>),
    /// No such site.
    UnknownSite,
    /// No such rules version.
    UnknownVersion(u32),
    /// The site has no rules yet.
    NoRules,
    /// The served rules have no `support` section.
    NoSupport,
    /// The request's `Origin` is not one of the site's.
    OriginNotAllowed(String),
    /// No `Authorization: Bearer` token.
    MissingToken,
    /// A token that is not this site's.
    WrongToken,
    /// The body is over the limit, in bytes.
    TooLarge(usize),
    /// The body could not be read: it ended before its length, or its chunks are malformed.
    BadBody,
    /// The body did not arrive in time.
    BodyTimeout,
    /// The request is ambiguous (both `Content-Length` and `Transfer-Encoding`) or its path
    /// is not text.
    BadRequest(&'static str),
    /// A query parameter is wrong.
    BadQuery {
        /// The parameter.
        name: String,
        /// What is wrong.
        message: String,
    },
    /// Too many requests: retry after this many seconds.
    RateLimited(u64),
    /// Nothing here.
    NotFound,
    /// The route exists, not with this method.
    MethodNotAllowed,
    /// The store failed; the request had no effect (nothing acknowledged was lost).
    Unavailable,
    /// No such coupon for this site.
    UnknownCoupon,
    /// The coupon was redeemed, revoked or has expired.
    CouponNotActive(&'static str),
    /// No such alert for this site.
    UnknownAlert,
    /// The alert was taken up or expired already.
    AlertClosed,
    /// No such conversation for this site, or not this caller's.
    UnknownConversation,
    /// The conversation was closed.
    ConversationClosed,
    /// No card to take up in that message.
    NoCard,
}

#[derive(Serialize)]
struct Body<'a> {
    error: &'a str,
    message: String,
    path: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    problems: Vec<Problem<'a>>,
}

#[derive(Serialize)]
struct Problem<'a> {
    path: &'a str,
    message: &'a str,
}

impl ApiError {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadJson { .. }
            | ApiError::BadQuery { .. }
            | ApiError::BadBody
            | ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::BodyTimeout => StatusCode::REQUEST_TIMEOUT,
            ApiError::Invalid { .. } | ApiError::InvalidRules(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            ApiError::UnknownSite
            | ApiError::UnknownVersion(_)
            | ApiError::NoRules
            | ApiError::NoSupport
            | ApiError::NotFound
            | ApiError::UnknownCoupon
            | ApiError::UnknownAlert
            | ApiError::UnknownConversation
            | ApiError::NoCard => StatusCode::NOT_FOUND,
            ApiError::CouponNotActive(_) | ApiError::AlertClosed | ApiError::ConversationClosed => {
                StatusCode::CONFLICT
            }
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::OriginNotAllowed(_) => StatusCode::FORBIDDEN,
            ApiError::MissingToken | ApiError::WrongToken => StatusCode::UNAUTHORIZED,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The stable code in `error` (also the `reason` label of rejected requests in metrics).
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::BadJson { .. } => "bad_json",
            ApiError::Invalid { .. } => "invalid",
            ApiError::InvalidRules(_) => "invalid_rules",
            ApiError::UnknownSite => "unknown_site",
            ApiError::UnknownVersion(_) => "unknown_version",
            ApiError::NoRules => "no_rules",
            ApiError::NoSupport => "no_support",
            ApiError::OriginNotAllowed(_) => "origin_not_allowed",
            ApiError::MissingToken => "missing_token",
            ApiError::WrongToken => "wrong_token",
            ApiError::TooLarge(_) => "too_large",
            ApiError::BadBody => "bad_body",
            ApiError::BodyTimeout => "body_timeout",
            ApiError::BadRequest(_) => "bad_request",
            ApiError::BadQuery { .. } => "bad_query",
            ApiError::RateLimited(_) => "rate_limited",
            ApiError::NotFound => "not_found",
            ApiError::MethodNotAllowed => "method_not_allowed",
            ApiError::Unavailable => "unavailable",
            ApiError::UnknownCoupon => "unknown_coupon",
            ApiError::CouponNotActive(_) => "coupon_not_active",
            ApiError::UnknownAlert => "unknown_alert",
            ApiError::AlertClosed => "alert_closed",
            ApiError::UnknownConversation => "unknown_conversation",
            ApiError::ConversationClosed => "conversation_closed",
            ApiError::NoCard => "no_card",
        }
    }

    /// What is wrong, after where (`text: a message needs some text`), as one line.
    pub fn explain(&self) -> String {
        match self.message_and_path() {
            (message, path) if path.is_empty() => message,
            (message, path) => format!("{path}: {message}"),
        }
    }

    fn message_and_path(&self) -> (String, String) {
        match self {
            ApiError::BadJson { path, message } | ApiError::Invalid { path, message } => {
                (message.clone(), path.clone())
            }
            ApiError::InvalidRules(problems) => (
                format!(
                    "the rules have {} problem{}; see `problems`",
                    problems.len(),
                    if problems.len() == 1 { "" } else { "s" }
                ),
                problems.first().map(|p| p.0.clone()).unwrap_or_default(),
            ),
            ApiError::UnknownSite => ("no such site".into(), String::new()),
            ApiError::UnknownVersion(v) => (format!("no rules version {v}"), String::new()),
            ApiError::NoRules => ("this site has no rules yet".into(), String::new()),
            ApiError::NoSupport => (
                "this site's rules have no support content: add a `support` section".into(),
                String::new(),
            ),
            ApiError::OriginNotAllowed(origin) => (
                format!("origin {origin} is not one of this site's origins"),
                String::new(),
            ),
            ApiError::MissingToken => (
                "send the site's admin token as `Authorization: Bearer TOKEN`".into(),
                String::new(),
            ),
            ApiError::WrongToken => ("that is not this site's admin token".into(), String::new()),
            ApiError::TooLarge(limit) => (
                format!("the body is over the limit of {limit} bytes"),
                String::new(),
            ),
            ApiError::BadBody => (
                "the body could not be read: it ended before its Content-Length, or its chunks are malformed".into(),
                String::new(),
            ),
            ApiError::BodyTimeout => (
                "the body did not arrive in time; send it again".into(),
                String::new(),
            ),
            ApiError::BadRequest(what) => ((*what).to_owned(), String::new()),
            ApiError::BadQuery { name, message } => (message.clone(), name.clone()),
            ApiError::RateLimited(after) => (
                format!("too many requests; retry after {after} s"),
                String::new(),
            ),
            ApiError::NotFound => ("nothing here".into(), String::new()),
            ApiError::MethodNotAllowed => {
                ("this route does not take that method".into(), String::new())
            }
            ApiError::Unavailable => (
                "the store could not answer (the collector's log says why); nothing was changed, retry later".into(),
                String::new(),
            ),
            ApiError::UnknownCoupon => ("no such coupon for this site".into(), String::new()),
            ApiError::UnknownAlert => ("no such alert for this site".into(), String::new()),
            ApiError::AlertClosed => (
                "the alert was taken up or expired already".into(),
                String::new(),
            ),
            ApiError::CouponNotActive(state) => (
                format!("the coupon is {state}: it was not changed"),
                String::new(),
            ),
            ApiError::UnknownConversation => (
                "no such conversation for this site, or the token is not its visitor's or its staff's".into(),
                String::new(),
            ),
            ApiError::ConversationClosed => (
                "the conversation was closed: nothing more can be added".into(),
                String::new(),
            ),
            ApiError::NoCard => (
                "that message has no card of staff's to take up".into(),
                String::new(),
            ),
        }
    }
}

/// Marks the answer to a wrong token (for the per-address limit on guesses).
#[derive(Debug, Clone, Copy)]
pub struct WrongTokenSent;

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (message, path) = self.message_and_path();
        let problems = match &self {
            ApiError::InvalidRules(problems) => problems
                .iter()
                .map(|(path, message)| Problem { path, message })
                .collect(),
            _ => Vec::new(),
        };
        let body = Body {
            error: self.code(),
            message,
            path,
            problems,
        };
        let mut response = (self.status(), axum::Json(body)).into_response();
        if let ApiError::RateLimited(after) = self {
            response.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from_str(&after.max(1).to_string())
                    .unwrap_or(HeaderValue::from_static("1")),
            );
        }
        if self == ApiError::WrongToken {
            response.extensions_mut().insert(WrongTokenSent);
        }
        if matches!(self, ApiError::MissingToken | ApiError::WrongToken) {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        match e {
            StoreError::UnknownSite => ApiError::UnknownSite,
            StoreError::UnknownVersion(v) => ApiError::UnknownVersion(v),
            StoreError::UnknownCoupon => ApiError::UnknownCoupon,
            // A member of staff removed while signed in.
            StoreError::UnknownStaff => ApiError::WrongToken,
            StoreError::UnknownAlert => ApiError::UnknownAlert,
            StoreError::AlertClosed(_) => ApiError::AlertClosed,
            StoreError::UnknownConversation => ApiError::UnknownConversation,
            StoreError::ConversationClosed => ApiError::ConversationClosed,
            StoreError::NoCard => ApiError::NoCard,
            StoreError::CouponNotActive(state) => ApiError::CouponNotActive(state.as_str()),
            other => {
                tracing::error!(error = %other, "storage failed");
                ApiError::Unavailable
            }
        }
    }
}
