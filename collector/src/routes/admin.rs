//! Admin routes, each behind the site's token (`Authorization: Bearer TOKEN`, compared in
//! constant time with the stored hash):
//!
//! - `GET /v1/admin/sites/{site}/rules[?version=N]`: the served (or one) version, as JSON,
//!   and the list of versions.
//! - `PUT /v1/admin/sites/{site}/rules`: checks the JSON (every problem with its path),
//!   stores it as a new version and serves it.
//! - `POST /v1/admin/sites/{site}/rules/versions/{N}/activate`: serves version N again.
//! - `GET /v1/admin/sites/{site}/decisions`, `.../feedback` and `.../support` (the steps of
//!   support sessions): filters `from`, `to`
//!   (received, ms since the epoch), `rule`, `page`, `kind`; pages of `limit` (at most 500)
//!   newest first with a `cursor`; `format=csv` for every match as CSV.
//! - `GET /v1/admin/sites/{site}/stats`: shown, dismissed, engaged, completed, ignored,
//!   feedback and average rating per rule and per page, with the same filters.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use lifeline_shared::Rules;
use serde_json::json;

use super::filters::{MAX_LIMIT, bad, listing, pairs, unknown};
use super::read_body;
use crate::store::{ReportPage, ReportType, Site, Store, StoredReport};
use crate::{ApiError, App};

/// Most reports in one CSV export.
pub const MAX_CSV_ROWS: usize = 100_000;

/// The site, if the request carries its token. A site that does not exist answers as a
/// wrong token does (after the same work), so the answer never says which sites exist.
pub(super) async fn authorize<S: Store>(
    app: &App<S>,
    name: &str,
    headers: &HeaderMap,
) -> Result<Site, ApiError> {
    let token = crate::token::bearer(headers).ok_or(ApiError::MissingToken)?;
    let site = app.store.site(name).await?;
    let stored = site.as_ref().map_or([0; 32], |s| s.token_hash);
    match site {
        Some(site) if crate::token::matches(token, &stored) => Ok(site),
        _ => Err(ApiError::WrongToken),
    }
}

/// Runs an admin handler: counts it, and answers refusals in the JSON error shape.
pub(super) async fn admin<S: Store>(
    app: &App<S>,
    route: &'static str,
    f: impl Future<Output = Result<Response, ApiError>>,
) -> Response {
    app.metrics.request(route);
    match f.await {
        Ok(r) => r,
        Err(e) => {
            app.metrics.rejected(e.code());
            e.into_response()
        }
    }
}

/// `GET .../rules`.
pub async fn rules<S: Store>(
    State(app): State<Arc<App<S>>>,
    Path(site): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    admin(&app, "admin", async {
        let s = authorize(&app, &site, &headers).await?;
        let mut version = None;
        for (name, value) in pairs(query.as_deref())? {
            match name.as_str() {
                "version" => {
                    version = Some(
                        value
                            .parse()
                            .map_err(|_| bad("version", "expected a number"))?,
                    )
                }
                _ => return Err(unknown(&name)),
            }
        }
        let versions = app.store.rules_versions(&site).await?;
        let chosen = match version {
            Some(v) => Some(
                app.store
                    .rules(&site, Some(v))
                    .await?
                    .ok_or(ApiError::UnknownVersion(v))?,
            ),
            None => app.store.rules(&site, None).await?,
        };
        let rules: serde_json::Value = chosen
            .as_ref()
            .and_then(|r| serde_json::from_str(&r.json).ok())
            .unwrap_or(serde_json::Value::Null);
        Ok(axum::Json(json!({
            "site": s.name,
            "active": s.active_rules,
            "version": chosen.as_ref().map(|r| r.version),
            "etag": chosen.as_ref().map(|r| r.etag.clone()),
            "rules": rules,
            "versions": versions,
        }))
        .into_response())
    })
    .await
}

/// `PUT .../rules`.
pub async fn put_rules<S: Store>(
    State(app): State<Arc<App<S>>>,
    Path(site): Path<String>,
    request: Request<Body>,
) -> Response {
    let (parts, body) = request.into_parts();
    admin(&app, "admin", async {
        authorize(&app, &site, &parts.headers).await?;
        let bytes = read_body(body, &parts.headers, app.settings.max_rules_bytes).await?;
        let text = std::str::from_utf8(&bytes).map_err(|_| ApiError::BadJson {
            path: String::new(),
            message: "the rules are not UTF-8 text".into(),
        })?;
        let rules = Rules::from_json_str(text).map_err(|errors| {
            ApiError::InvalidRules(
                errors
                    .0
                    .iter()
                    .map(|e| (e.path.clone(), e.kind.to_string()))
                    .collect(),
            )
        })?;
        let version = app
            .store
            .put_rules(&site, text.to_owned(), rules.to_compiled())
            .await?;
        app.forget(&site);
        let etag = app.store.rules(&site, Some(version)).await?.map(|r| r.etag);
        let warnings: Vec<_> = (rules.contrast_warnings().into_iter())
            .map(|w| json!({"path": w.path, "message": w.message}))
            .collect();
        Ok((
            StatusCode::CREATED,
            axum::Json(
                json!({"version": version, "active": version, "etag": etag, "warnings": warnings}),
            ),
        )
            .into_response())
    })
    .await
}

/// `POST .../rules/versions/{version}/activate`.
pub async fn activate<S: Store>(
    State(app): State<Arc<App<S>>>,
    Path((site, version)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    admin(&app, "admin", async {
        authorize(&app, &site, &headers).await?;
        let version: u32 = version.parse().map_err(|_| ApiError::BadQuery {
            name: "version".into(),
            message: "expected a version number".into(),
        })?;
        app.store.activate_rules(&site, version).await?;
        app.forget(&site);
        Ok(axum::Json(json!({"active": version})).into_response())
    })
    .await
}

/// `GET .../decisions`.
pub async fn decisions<S: Store>(
    State(app): State<Arc<App<S>>>,
    Path(site): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    list(app, site, query, headers, ReportType::Decision).await
}

/// `GET .../feedback`.
pub async fn feedback<S: Store>(
    State(app): State<Arc<App<S>>>,
    Path(site): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    list(app, site, query, headers, ReportType::Feedback).await
}

/// `GET .../support`.
pub async fn support<S: Store>(
    State(app): State<Arc<App<S>>>,
    Path(site): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    list(app, site, query, headers, ReportType::Support).await
}

async fn list<S: Store>(
    app: Arc<App<S>>,
    site: String,
    query: Option<String>,
    headers: HeaderMap,
    report_type: ReportType,
) -> Response {
    admin(&app, "admin", async {
        authorize(&app, &site, &headers).await?;
        let mut l = listing(query.as_deref(), true)?;
        l.filter.report_type = Some(report_type);
        if !l.csv {
            let page: ReportPage = app
                .store
                .reports(&site, l.filter, l.cursor, l.limit)
                .await?;
            return Ok(axum::Json(page).into_response());
        }
        let rows = every_page(l.cursor, |cursor| {
            let (app, site, filter) = (app.clone(), site.clone(), l.filter.clone());
            async move {
                let page = app.store.reports(&site, filter, cursor, MAX_LIMIT).await?;
                Ok((page.items, page.next.and_then(|n| n.parse().ok())))
            }
        })
        .await?;
        let mut r = csv(report_type, &rows).into_response();
        let h = r.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/csv; charset=utf-8"),
        );
        if let Ok(v) = HeaderValue::from_str(&format!(
            "attachment; filename=\"{site}-{}.csv\"",
            report_type.as_str()
        )) {
            h.insert(header::CONTENT_DISPOSITION, v);
        }
        Ok(r)
    })
    .await
}

/// Every row a listing matches, page after page from `cursor`, at most [`MAX_CSV_ROWS`]
/// (for CSV).
pub(super) async fn every_page<T, C, F, Fut>(
    mut cursor: Option<C>,
    mut page: F,
) -> Result<Vec<T>, ApiError>
where
    F: FnMut(Option<C>) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, Option<C>), ApiError>>,
{
    let mut rows = Vec::new();
    loop {
        let (items, next) = page(cursor).await?;
        rows.extend(items);
        cursor = next;
        if cursor.is_none() || rows.len() >= MAX_CSV_ROWS {
            break;
        }
    }
    rows.truncate(MAX_CSV_ROWS);
    Ok(rows)
}

/// A CSV field: quoted when needed; a leading `= + - @` is defused so a spreadsheet never
/// runs a visitor's comment as a formula.
pub(super) fn field(out: &mut String, value: &str) {
    // Spreadsheets skip leading spaces and read full-width signs as formulas too.
    let defuse = value.starts_with(['\t', '\r'])
        || (value.trim_start()).starts_with(['=', '+', '-', '@', '＝', '＋', '－', '＠']);
    if defuse || value.contains([',', '"', '\n', '\r']) {
        out.push('"');
        if defuse {
            out.push('\'');
        }
        out.push_str(&value.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(value);
    }
}

/// Reports as CSV, one line each.
pub fn csv(report_type: ReportType, rows: &[StoredReport]) -> String {
    let mut out = String::from(match report_type {
        ReportType::Decision => {
            "id,received,at,session,page,rule,prompt,kind,outcome,band,signals\r\n"
        }
        ReportType::Feedback => "id,received,at,session,page,rule,prompt,rating,thumbs,comment\r\n",
        ReportType::Support => {
            "id,received,at,session,page,rule,prompt,event,persona,article,guide,step,channel\r\n"
        }
    });
    for r in rows {
        let mut cells: Vec<String> = vec![
            r.id.to_string(),
            r.received.to_string(),
            r.at.to_string(),
            r.session.clone(),
            r.page.clone(),
            r.rule.clone(),
            r.prompt.clone(),
        ];
        match report_type {
            ReportType::Decision => cells.extend([
                r.kind.clone().unwrap_or_default(),
                r.outcome.clone().unwrap_or_else(|| "shown".into()),
                r.band.clone().unwrap_or_default(),
                r.signals.as_ref().map(|s| s.join(" ")).unwrap_or_default(),
            ]),
            ReportType::Feedback => cells.extend([
                r.rating.map(|n| n.to_string()).unwrap_or_default(),
                r.thumbs
                    .map(|t| if t { "up" } else { "down" }.to_owned())
                    .unwrap_or_default(),
                r.comment.clone().unwrap_or_default(),
            ]),
            ReportType::Support => cells.extend([
                r.outcome.clone().unwrap_or_default(),
                r.persona.clone().unwrap_or_default(),
                r.article.clone().unwrap_or_default(),
                r.guide.clone().unwrap_or_default(),
                r.step.map(|n| n.to_string()).unwrap_or_default(),
                r.channel.clone().unwrap_or_default(),
            ]),
        }
        for (i, c) in cells.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            field(&mut out, c);
        }
        out.push_str("\r\n");
    }
    out
}

/// `GET .../stats`.
pub async fn stats<S: Store>(
    State(app): State<Arc<App<S>>>,
    Path(site): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    admin(&app, "admin", async {
        authorize(&app, &site, &headers).await?;
        let l = listing(query.as_deref(), false)?;
        Ok(axum::Json(app.store.stats(&site, l.filter).await?).into_response())
    })
    .await
}

/// Most points on a chart's time axis (a month of hours).
const MAX_POINTS: u64 = 744;
/// Most lines on a chart: the rules or pages with the most prompts and feedback.
const MAX_LINES: usize = 8;

/// `GET .../series`: decisions shown, prompts used or answered and feedback over time, one
/// line per rule or page (the busiest [`MAX_LINES`]), zero where nothing happened. Without
/// `from`, the last 48 hours by the hour or 30 days by the day.
pub async fn series<S: Store>(
    State(app): State<Arc<App<S>>>,
    Path(site): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    admin(&app, "admin", async {
        authorize(&app, &site, &headers).await?;
        let mut c = super::filters::chart(query.as_deref())?;
        let b = c.bucket_ms;
        let to = c.filter.to.unwrap_or_else(|| crate::now_ms() + 1);
        let span = if b == super::filters::HOUR { 48 } else { 30 } * b;
        let from = c.filter.from.unwrap_or(to.saturating_sub(span)) / b * b;
        if to.saturating_sub(from) / b > MAX_POINTS {
            return Err(super::filters::bad(
                "from",
                &format!("at most {MAX_POINTS} points: narrow from and to, or use bucket=day"),
            ));
        }
        (c.filter.from, c.filter.to) = (Some(from), Some(to));
        let points = app.store.series(&site, c.filter, c.by, b).await?;
        let at: Vec<u64> = (0..).map(|i| from + i * b).take_while(|t| *t < to).collect();
        let mut names: Vec<(String, u64)> = Vec::new();
        for p in &points {
            match names.iter_mut().find(|(n, _)| *n == p.name) {
                Some((_, total)) => *total += p.shown + p.feedback,
                None => names.push((p.name.clone(), p.shown + p.feedback)),
            }
        }
        names.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        names.truncate(MAX_LINES);
        let lines: Vec<serde_json::Value> = (names.iter())
            .map(|(name, _)| {
                let mut sums = [vec![0u64; at.len()], vec![0u64; at.len()], vec![0u64; at.len()]];
                for p in points.iter().filter(|p| p.name == *name) {
                    let i = ((p.at - from) / b) as usize;
                    if i < at.len() {
                        (sums[0][i], sums[1][i], sums[2][i]) = (p.shown, p.engaged, p.feedback);
                    }
                }
                let [shown, engaged, feedback] = sums;
                serde_json::json!({"name": name, "shown": shown, "engaged": engaged, "feedback": feedback})
            })
            .collect();
        let bucket = if b == super::filters::HOUR { "hour" } else { "day" };
        Ok(axum::Json(serde_json::json!({"bucket": bucket, "by": c.by, "at": at, "lines": lines}))
            .into_response())
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        let mut out = String::new();
        field(&mut out, "plain");
        out.push('|');
        field(&mut out, "a, \"b\"\nc");
        out.push('|');
        field(&mut out, "=HYPERLINK(\"x\")");
        assert_eq!(out, "plain|\"a, \"\"b\"\"\nc\"|\"'=HYPERLINK(\"\"x\"\")\"");
        for formula in [" =1+1", "\u{3000}=1", "＝1+1", " ＋1", "\t=1"] {
            let mut out = String::new();
            field(&mut out, formula);
            assert!(out.starts_with("\"'"), "{formula:?} became {out:?}");
        }
    }
}
