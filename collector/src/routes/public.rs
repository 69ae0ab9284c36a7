//! Public routes: a site's rules for its pages, health, metrics, CORS preflight.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::{allow_origin, site_for_page};
use crate::store::Store;
use crate::{ApiError, App};

/// `GET /healthz`.
pub async fn healthz() -> &'static str {
    "ok\n"
}

/// `GET /metrics`: Prometheus text.
pub async fn metrics<S: Store>(State(app): State<Arc<App<S>>>) -> Response {
    app.metrics.request("metrics");
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        app.metrics.render(app.store.queue_depth()),
    )
        .into_response()
}

/// `GET /v1/sites/{site}/rules`: the served version, compiled, with its ETag (`304` when
/// the agent's cached copy is current).
pub async fn rules<S: Store>(
    State(app): State<Arc<App<S>>>,
    Path(site): Path<String>,
    headers: HeaderMap,
) -> Response {
    app.metrics.request("rules");
    // Only a site's own pages may read its rules: CORS is given after the origin check.
    // The refusal itself is readable, so the agent can tell the site owner what to fix.
    if let Err(e) = site_for_page(&app, &site, &headers).await {
        app.metrics.rejected(e.code());
        let mut refusal = e.into_response();
        allow_origin(&mut refusal, &headers);
        return refusal;
    }
    let served = app.served_rules.get(&site, async {
        let stored = app.store.rules(&site, None).await?;
        Ok::<_, crate::store::StoreError>(stored.map(|v| Arc::new(v.current())))
    });
    let mut response = match served.await {
        Err(e) => ApiError::from(e).into_response(),
        Ok(None) => {
            app.metrics.rejected(ApiError::NoRules.code());
            ApiError::NoRules.into_response()
        }
        Ok(Some(rules)) => {
            let current = headers
                .get(header::IF_NONE_MATCH)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.split(',').any(|t| t.trim() == rules.etag));
            let mut r = if current {
                StatusCode::NOT_MODIFIED.into_response()
            } else {
                (
                    [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                    rules.compiled.clone(),
                )
                    .into_response()
            };
            if let Ok(etag) = HeaderValue::from_str(&rules.etag) {
                r.headers_mut().insert(header::ETAG, etag);
            }
            // The agent keeps its own copy and revalidates it on each page.
            r.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            r
        }
    };
    allow_origin(&mut response, &headers);
    response
}

/// `GET /v1/sites/{site}/support`: the served rules' support content in its compact form
/// (fetched whole by the support module when a session starts, and matched on the device,
/// so the collector never learns what a visitor searched for), with its ETag.
pub async fn support<S: Store>(
    State(app): State<Arc<App<S>>>,
    Path(site): Path<String>,
    headers: HeaderMap,
) -> Response {
    app.metrics.request("support");
    if let Err(e) = site_for_page(&app, &site, &headers).await {
        app.metrics.rejected(e.code());
        let mut refusal = e.into_response();
        allow_origin(&mut refusal, &headers);
        return refusal;
    }
    let served = app.served_support.get(&site, async {
        let stored = app.store.rules(&site, None).await?;
        // Checking the JSON again costs a little; it happens once per version and TTL.
        let support = stored.map(|v| tokio::task::spawn_blocking(move || v.support()));
        match support {
            None => Ok::<_, ApiError>(None),
            Some(task) => Ok(Some(Arc::new(
                task.await.map_err(|_| ApiError::Unavailable)?,
            ))),
        }
    });
    let served = match served.await {
        Ok(Some(s)) if s.bytes.is_some() => Ok(s),
        Ok(Some(_)) => Err(ApiError::NoSupport),
        Ok(None) => Err(ApiError::NoRules),
        Err(e) => Err(e),
    };
    let mut response = match served {
        Err(e) => {
            app.metrics.rejected(e.code());
            e.into_response()
        }
        Ok(s) => {
            let current = headers
                .get(header::IF_NONE_MATCH)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.split(',').any(|t| t.trim() == s.etag));
            let mut r = if current {
                StatusCode::NOT_MODIFIED.into_response()
            } else {
                (
                    [(header::CONTENT_TYPE, "application/octet-stream")],
                    s.bytes.clone().unwrap_or_default(),
                )
                    .into_response()
            };
            if let Ok(etag) = HeaderValue::from_str(&s.etag) {
                r.headers_mut().insert(header::ETAG, etag);
            }
            r.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            r
        }
    };
    allow_origin(&mut response, &headers);
    response
}

/// `OPTIONS` for the rules and reports: lets a site's pages send `If-None-Match` and post
/// JSON.
pub async fn preflight<S: Store>(
    State(app): State<Arc<App<S>>>,
    Path(site): Path<String>,
    headers: HeaderMap,
) -> Response {
    match site_for_page(&app, &site, &headers).await {
        Err(e) => {
            app.metrics.rejected(e.code());
            e.into_response()
        }
        Ok(_) => {
            let mut r = StatusCode::NO_CONTENT.into_response();
            allow_origin(&mut r, &headers);
            let h = r.headers_mut();
            h.insert(
                header::ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static("GET, POST"),
            );
            h.insert(
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                HeaderValue::from_static("If-None-Match, Content-Type"),
            );
            h.insert(
                header::ACCESS_CONTROL_MAX_AGE,
                HeaderValue::from_static("86400"),
            );
            r
        }
    }
}
