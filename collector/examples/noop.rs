//! The ceilings for the collector's load benchmark, on the same stack (axum, tokio, the same
//! layers and allocator): `cargo run --example noop -- ADDR` answers `202` to any POST
//! without reading it; `cargo run --example noop -- ADDR parse` reads the body, parses and
//! checks it as the report route does, and answers in its shape, but stores nothing (what
//! any JSON route costs here before a database is involved).

// A command-line program: printing is what it is for.
#![allow(clippy::print_stderr)]

use axum::Router;
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use lifeline_shared::wire::ReportBatch;

// The same allocator as the collector.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Parsed and checked, then answered as stored.
async fn parse(body: Bytes) -> Response {
    let Ok(mut batch) = serde_json::from_slice::<ReportBatch>(&body) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let refused = batch.refuse_invalid_items();
    if batch.validate().is_err() {
        return StatusCode::BAD_REQUEST.into_response();
    }
    let answer = serde_json::json!({
        "stored": batch.items.len(), "duplicates": 0,
        "refused": refused.iter().map(|e| &e.path).collect::<Vec<_>>(),
    });
    (StatusCode::ACCEPTED, axum::Json(answer)).into_response()
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:8081".into());
    let route = match args.next().as_deref() {
        Some("parse") => post(parse),
        _ => post(|| async { StatusCode::ACCEPTED }),
    };
    let app = Router::new()
        .route("/v1/sites/{site}/reports", route)
        .layer(tower_http::catch_panic::CatchPanicLayer::new())
        .layer(tower_http::trace::TraceLayer::new_for_http());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    eprintln!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await
}
