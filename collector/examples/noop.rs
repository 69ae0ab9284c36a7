//! The ceiling for the collector's load benchmark: the same stack (axum, tokio, the same
//! layers) answering `202` to any POST without reading it. `cargo run --example noop -- ADDR`.

// A command-line program: printing is what it is for.
#![allow(clippy::print_stderr)]

use axum::Router;
use axum::http::StatusCode;
use axum::routing::post;

// The same allocator as the collector.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8081".into());
    let app = Router::new()
        .route(
            "/v1/sites/{site}/reports",
            post(|| async { StatusCode::ACCEPTED }),
        )
        .layer(tower_http::catch_panic::CatchPanicLayer::new())
        .layer(tower_http::trace::TraceLayer::new_for_http());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    eprintln!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await
}
