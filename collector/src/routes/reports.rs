//! `POST /v1/sites/{site}/reports`: a batch of decisions and feedback from a site's page.
//!
//! Checked in order: rate, site, origin, size, JSON shape (with the path of the first
//! problem), the format's bounds; then stored, repeats dropped by idempotency key, and
//! answered `202` only once the batch is committed to disk. A report the format refuses is
//! left out and named in the answer (`refused`), and the rest stored: one bad report (the
//! page's storage can hold anything) never keeps good ones out. A batch with no good report
//! is refused whole, with the first problem. The body is never logged: it may
//! hold what a visitor typed.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{Request, StatusCode};
use axum::response::{IntoResponse, Response};
use lifeline_shared::wire::{MAX_BATCH_BYTES, ReportBatch};

use super::{allow_origin, client_ip, parse_json, read_body, site_for_page};
use crate::store::Store;
use crate::{ApiError, App};

/// Handles one batch.
pub async fn ingest<S: Store>(
    State(app): State<Arc<App<S>>>,
    Path(site): Path<String>,
    request: Request<Body>,
) -> Response {
    app.metrics.request("reports");
    let ip = client_ip(&request);
    let (parts, body) = request.into_parts();
    let headers = parts.headers;
    if let Err(after) = app.limiter.take(ip, &site) {
        app.metrics.rejected("rate_limited");
        return ApiError::RateLimited(after).into_response();
    }
    let mut allowed = false;
    let result = async {
        site_for_page(&app, &site, &headers).await?;
        allowed = true;
        let bytes = read_body(body, &headers, MAX_BATCH_BYTES).await?;
        let mut batch: ReportBatch = parse_json(&bytes)?;
        let refused = batch.refuse_invalid_items();
        let invalid = |e: lifeline_shared::wire::WireError| ApiError::Invalid {
            path: e.path,
            message: e.message,
        };
        if batch.items.is_empty()
            && let Some(first) = refused.first()
        {
            return Err(invalid(first.clone()));
        }
        batch.validate().map_err(invalid)?;
        let done = app.store.ingest(&site, batch, crate::now_ms()).await?;
        Ok::<_, ApiError>((done, refused))
    }
    .await;
    let mut response = match result {
        Ok((done, refused)) => {
            app.metrics.ingested(done.stored, done.duplicates);
            let refused: Vec<_> = (refused.iter())
                .map(|e| serde_json::json!({"path": e.path, "message": e.message}))
                .collect();
            let answer = serde_json::json!({"stored": done.stored, "duplicates": done.duplicates, "refused": refused});
            (StatusCode::ACCEPTED, axum::Json(answer)).into_response()
        }
        Err(e) => {
            app.metrics.rejected(e.code());
            e.into_response()
        }
    };
    if allowed {
        allow_origin(&mut response, &headers);
    }
    response
}
