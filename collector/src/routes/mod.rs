//! The HTTP API.
//!
//! - [`public`]: the agent's files, a site's compiled rules and its support content (ETag,
//!   CORS for its origins),
//!   `/healthz`, `/metrics`.
//! - [`reports`]: `POST /v1/sites/{site}/reports`, answered 202 once stored.
//! - [`admin`]: `/v1/admin/sites/{site}/...`, behind the site's Bearer token.
//! - [`staff`]: `/v1/staff/sites/{site}/...` (presence, live events), each member of staff
//!   with their own token; `GET /v1/sites/{site}/availability` for pages.
//! - [`triage`]: `/v1/admin/sites/{site}/triage`, `problems`, `coupons` (redeem, revoke).
//! - [`chat`]: conversations between a visitor and the staff: opened by a page, a
//!   WebSocket for both sides, the staff's inbox and transcripts.
//! - [`filters`]: the admin API's query string, read strictly.
//! - [`guard`]: what every request passes: ambiguous framing and odd paths refused,
//!   wrong tokens limited, every refusal in the one JSON shape.

pub mod admin;
pub mod chat;
pub mod filters;
pub mod guard;
pub mod public;
pub mod reports;
pub mod staff;
pub mod triage;

use lifeline_shared::json::clip;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, HeaderValue, Request, header};
use axum::response::Response;
use axum::routing::{get, post};

use crate::store::{Site, Store};
use crate::{ApiError, App};

/// The collector's routes over `app`.
pub fn router<S: Store>(app: Arc<App<S>>) -> Router {
    let mut router = Router::new()
        .route("/healthz", get(public::healthz))
        .route("/metrics", get(public::metrics::<S>))
        .route(
            "/v1/sites/{site}/rules",
            get(public::rules::<S>).options(public::preflight::<S>),
        )
        .route(
            "/v1/sites/{site}/support",
            get(public::support::<S>).options(public::preflight::<S>),
        )
        .route(
            "/v1/sites/{site}/availability",
            get(staff::availability::<S>).options(public::preflight::<S>),
        )
        .route(
            "/v1/staff/sites/{site}/presence",
            get(staff::presence::<S>).post(staff::heartbeat::<S>),
        )
        .route("/v1/staff/sites/{site}/events", get(staff::events::<S>))
        .route(
            "/v1/staff/sites/{site}/push",
            get(staff::push_key::<S>)
                .post(staff::push_subscribe::<S>)
                .delete(staff::push_unsubscribe::<S>),
        )
        .route("/v1/staff/sites/{site}/alerts", get(staff::alerts::<S>))
        .route(
            "/v1/staff/sites/{site}/alerts/{id}/ack",
            post(staff::ack::<S>),
        )
        .route(
            "/v1/sites/{site}/conversations",
            post(chat::start::<S>).options(public::preflight::<S>),
        )
        .route(
            "/v1/sites/{site}/conversations/{id}/socket",
            get(chat::socket::<S>),
        )
        .route(
            "/v1/staff/sites/{site}/conversations",
            get(chat::inbox::<S>),
        )
        .route(
            "/v1/staff/sites/{site}/conversations/{id}/transcript",
            get(chat::transcript::<S>),
        )
        .route(
            "/v1/sites/{site}/reports",
            post(reports::ingest::<S>).options(public::preflight::<S>),
        )
        .route(
            "/v1/admin/sites/{site}/rules",
            get(admin::rules::<S>).put(admin::put_rules::<S>),
        )
        .route(
            "/v1/admin/sites/{site}/rules/versions/{version}/activate",
            post(admin::activate::<S>),
        )
        .route(
            "/v1/admin/sites/{site}/decisions",
            get(admin::decisions::<S>),
        )
        .route("/v1/admin/sites/{site}/feedback", get(admin::feedback::<S>))
        .route("/v1/admin/sites/{site}/support", get(admin::support::<S>))
        .route("/v1/admin/sites/{site}/stats", get(admin::stats::<S>))
        .route("/v1/admin/sites/{site}/series", get(admin::series::<S>))
        .route("/v1/admin/sites/{site}/triage", get(triage::triage::<S>))
        .route(
            "/v1/admin/sites/{site}/problems",
            get(triage::problems::<S>),
        )
        .route("/v1/admin/sites/{site}/coupons", get(triage::coupons::<S>))
        .route(
            "/v1/admin/sites/{site}/coupons/{code}/redeem",
            post(triage::redeem::<S>),
        )
        .route(
            "/v1/admin/sites/{site}/coupons/{code}/revoke",
            post(triage::revoke::<S>),
        );
    for name in app.assets.names() {
        let name = name.to_owned();
        router = router.route(
            &format!("/{name}"),
            get(
                move |axum::extract::State(app): axum::extract::State<Arc<App<S>>>,
                      headers: HeaderMap| async move {
                    app.metrics.request("agent");
                    app.assets.serve(&name, &headers)
                },
            ),
        );
    }
    router = match &app.settings.www {
        // The demo shop and the dashboard; a method they do not take is refused in the
        // JSON shape too (by `one_shape`).
        Some(www) => router.fallback_service(
            tower_http::services::ServeDir::new(www)
                .not_found_service(axum::routing::any(not_found)),
        ),
        None => router.fallback(not_found),
    };
    router
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            guard::guard::<S>,
        ))
        .with_state(app)
}

/// Any other path: `404` in the JSON error shape.
pub async fn not_found() -> Response {
    use axum::response::IntoResponse;
    ApiError::NotFound.into_response()
}

async fn method_not_allowed() -> Response {
    use axum::response::IntoResponse;
    ApiError::MethodNotAllowed.into_response()
}

/// The client's address: the peer's (`0.0.0.0` when unknown, as in handler tests), or the
/// one a trusted proxy forwarded.
pub(crate) fn client_ip(settings: &crate::Settings, request: &Request<Body>) -> IpAddr {
    let peer = (request.extensions().get::<ConnectInfo<SocketAddr>>())
        .map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0.ip());
    settings.trusted_proxies.client(peer, request.headers())
}

/// The request's `Origin`, if any.
pub(crate) fn origin(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::ORIGIN).and_then(|v| v.to_str().ok())
}

/// The site, if it exists and the request's origin (if any) is one of its own or the
/// collector's.
pub(crate) async fn site_for_page<S: Store>(
    app: &App<S>,
    name: &str,
    headers: &HeaderMap,
) -> Result<Arc<Site>, ApiError> {
    let site = app.site(name).await?.ok_or(ApiError::UnknownSite)?;
    if let Some(origin) = origin(headers) {
        let own = app
            .settings
            .public_url
            .as_deref()
            .and_then(crate::site::origin_of);
        let normal = origin.trim_end_matches('/').to_ascii_lowercase();
        if !site.origins.contains(&normal) && own.as_deref() != Some(normal.as_str()) {
            return Err(ApiError::OriginNotAllowed(origin.to_owned()));
        }
    }
    Ok(site)
}

/// A page's POST (`what` in the metrics): rate-limited by address and site, refused unless
/// the site takes pages from the request's origin; then `handle` gets the site, the
/// headers, the body and the address. Its answer, or its refusal, may be read by that
/// origin; a refusal is counted by its code.
pub(crate) async fn from_page<S, F, Fut>(
    app: &App<S>,
    site: &str,
    what: &'static str,
    request: Request<Body>,
    handle: F,
) -> Response
where
    S: Store,
    F: FnOnce(Arc<Site>, HeaderMap, Body, IpAddr) -> Fut,
    Fut: std::future::Future<Output = Result<Response, ApiError>>,
{
    use axum::response::IntoResponse;
    app.metrics.request(what);
    let ip = client_ip(&app.settings, &request);
    let (parts, body) = request.into_parts();
    let refused = |e: ApiError| {
        app.metrics.rejected(e.code());
        e.into_response()
    };
    if let Err(after) = app.limiter.take(ip, site) {
        return refused(ApiError::RateLimited(after));
    }
    let row = match site_for_page(app, site, &parts.headers).await {
        Ok(row) => row,
        Err(e) => return refused(e),
    };
    // The origin is all that is read of the headers afterwards: kept, not the whole map.
    let origin = parts.headers.get(header::ORIGIN).cloned();
    let mut response = handle(row, parts.headers, body, ip)
        .await
        .unwrap_or_else(refused);
    allow(&mut response, origin);
    response
}

/// Lets the request's origin (already checked) read the response.
pub(crate) fn allow_origin(response: &mut Response, headers: &HeaderMap) {
    allow(response, headers.get(header::ORIGIN).cloned());
}

/// Lets `origin`, the request's (already checked), read the response.
fn allow(response: &mut Response, origin: Option<HeaderValue>) {
    if let Some(origin) = origin.filter(|o| o.to_str().is_ok()) {
        let h = response.headers_mut();
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        h.insert(header::VARY, HeaderValue::from_static("Origin"));
        h.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("ETag, Retry-After"),
        );
    }
}

/// The body, at most `limit` bytes.
pub(crate) async fn read_body(
    body: Body,
    headers: &HeaderMap,
    limit: usize,
) -> Result<Bytes, ApiError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(ApiError::TooLarge(limit));
    }
    axum::body::to_bytes(body, limit).await.map_err(|e| {
        let e = e.into_inner();
        // The cause may be wrapped (by the body's own error type): look down the chain.
        let chain = std::iter::successors(Some(&*e as &(dyn std::error::Error + 'static)), |e| {
            e.source()
        });
        let mut refusal = ApiError::BadBody;
        for cause in chain {
            if cause.is::<http_body_util::LengthLimitError>() {
                refusal = ApiError::TooLarge(limit);
            } else if cause.is::<tower_http::timeout::TimeoutError>() {
                refusal = ApiError::BodyTimeout;
            }
        }
        refusal
    })
}

/// Parses JSON into `T`, with the path of the first problem.
pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    // The usual case first; only a body that fails is read again to find where.
    if let Ok(value) = serde_json::from_slice(bytes) {
        return Ok(value);
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        // Clipped: a message quotes what was sent, and a path its keys.
        let path = clip(&e.path().to_string(), 200);
        ApiError::BadJson {
            path: if path == "." { String::new() } else { path },
            message: clip(&e.into_inner().to_string(), 200),
        }
    })?;
    de.end().map_err(|e| ApiError::BadJson {
        path: String::new(),
        message: clip(&e.to_string(), 200),
    })?;
    Ok(value)
}
