//! [`guard`]: what every request passes before and after its route (one layer):
//!
//! - refused before any route: framing that two servers could read two ways
//!   (`Content-Length` and `Transfer-Encoding` both), a path that is not text once decoded,
//!   a path starting `//` (which a directory's redirect would turn into a link to another
//!   host); and an address that sent [`WRONG_TOKENS`] wrong tokens waits before it may try
//!   another;
//! - a refusal made below the routes (an extractor's, the static files', a caught panic)
//!   is answered in the JSON error shape like every other.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::{ApiError, App};

/// Wrong admin or staff tokens an address may send at once before it must wait; then a
/// try every two seconds.
pub const WRONG_TOKENS: u32 = 10;

/// Refuses what no route should see, counts an address's wrong tokens, and puts every
/// refusal in the JSON shape.
pub async fn guard<S: Send + Sync + 'static>(
    State(app): State<Arc<App<S>>>,
    request: Request,
    next: Next,
) -> Response {
    let headers = request.headers();
    if headers.contains_key(header::CONTENT_LENGTH)
        && headers.contains_key(header::TRANSFER_ENCODING)
    {
        return ApiError::BadRequest("send Content-Length or Transfer-Encoding, not both")
            .into_response();
    }
    let path = request.uri().path();
    if path.starts_with("//") {
        return ApiError::NotFound.into_response();
    }
    if path.contains('%') && std::str::from_utf8(&percent_decoded(path)).is_err() {
        return ApiError::BadRequest("the path is not UTF-8 text once decoded").into_response();
    }
    let guarded = path.starts_with("/v1/admin/") || path.starts_with("/v1/staff/");
    if !guarded {
        return one_shape(next.run(request).await).await;
    }
    let ip = super::client_ip(&app.settings, &request);
    if let Err(after) = app.token_limiter.check(ip, "token") {
        app.metrics.rejected("rate_limited");
        return ApiError::RateLimited(after).into_response();
    }
    let response = next.run(request).await;
    if response
        .extensions()
        .get::<crate::error::WrongTokenSent>()
        .is_some()
    {
        let _ = app.token_limiter.take(ip, "token");
    }
    response
}

/// `%XX` decoded (anything else kept as it is).
fn percent_decoded(path: &str) -> Vec<u8> {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                out.push((hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0)) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

/// Most of a plain refusal's text kept in the JSON shape's message.
const KEPT: usize = 200;

/// Puts a refusal that is not in the JSON error shape into it, keeping its status and (as
/// the message) its text.
async fn one_shape(response: Response) -> Response {
    let status = response.status();
    let json = (response.headers().get(header::CONTENT_TYPE))
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || json {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 4096).await.unwrap_or_default();
    let text = lifeline_shared::json::clip(String::from_utf8_lossy(&text).trim(), KEPT);
    let code = match status {
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "too_large",
        StatusCode::REQUEST_TIMEOUT => "body_timeout",
        s if s.is_server_error() => "internal",
        _ => "bad_request",
    };
    let message = if text.is_empty() {
        status.canonical_reason().unwrap_or("refused").to_owned()
    } else {
        text
    };
    let mut shaped = (
        status,
        axum::Json(serde_json::json!({"error": code, "message": message, "path": ""})),
    )
        .into_response();
    // What the refusal said of itself stays (Allow, Retry-After, WWW-Authenticate).
    for name in [header::ALLOW, header::RETRY_AFTER, header::WWW_AUTHENTICATE] {
        if let Some(v) = parts.headers.get(&name) {
            shaped.headers_mut().insert(name, v.clone());
        }
    }
    shaped
}

#[cfg(test)]
mod tests {
    use super::percent_decoded;

    #[test]
    fn paths_are_decoded_byte_by_byte() {
        assert_eq!(percent_decoded("/a%20b"), b"/a b");
        assert_eq!(percent_decoded("/%ff%fe"), [b'/', 0xff, 0xfe]);
        assert_eq!(percent_decoded("/%zz%4"), b"/%zz%4");
    }
}
