//! The admin API of triaged feedback and coupons, behind the site's token:
//!
//! - `GET /v1/admin/sites/{site}/triage`: feedback with its verdict, newest first; `queue`
//!   (`negative`, `invalid`, `fraud`, `compensated`), `problem`, `from`, `to`, `limit`,
//!   `cursor`, `format=csv`.
//! - `GET /v1/admin/sites/{site}/problems`: known problems by visitors hit, with what they
//!   cost and the coupons minted for them; `from`, `to`.
//! - `GET /v1/admin/sites/{site}/coupons`: the ledger with totals by state; `state`
//!   (`active`, `redeemed`, `expired`, `revoked`), `from`, `to` (minted), `limit`,
//!   `cursor`, `format=csv`.
//! - `POST /v1/admin/sites/{site}/coupons/{code}/redeem`: once; then `409`.
//! - `POST /v1/admin/sites/{site}/coupons/{code}/revoke`: an active coupon; then `409`.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};

use super::admin::{admin, authorize, every_page, field};
use super::filters::{DEFAULT_LIMIT, MAX_LIMIT, bad, pairs, unknown};
use crate::store::{Coupon, CouponFilter, CouponState, Queue, Store, TriageFilter, TriageRecord};
use crate::{ApiError, App};

/// What a triage or coupon listing asks for.
#[derive(Debug, Default)]
struct Asked {
    queue: Option<Queue>,
    problem: Option<String>,
    state: Option<CouponState>,
    from: Option<u64>,
    to: Option<u64>,
    limit: Option<u32>,
    cursor: Option<String>,
    csv: bool,
}

/// Reads the query strictly: only `allowed` names, each once.
fn asked(query: Option<&str>, allowed: &[&str]) -> Result<Asked, ApiError> {
    let mut a = Asked::default();
    for (name, value) in pairs(query)? {
        if !allowed.contains(&name.as_str()) {
            return Err(unknown(&name));
        }
        let millis = |v: &str| super::filters::millis(&name, v);
        match name.as_str() {
            "queue" => {
                a.queue = Some(Queue::from_name(&value).ok_or_else(|| {
                    bad("queue", "expected negative, invalid, fraud or compensated")
                })?)
            }
            "problem" => a.problem = Some(lifeline_shared::json::clip(&value, 64)),
            "state" => {
                a.state =
                    Some(CouponState::from_name(&value).ok_or_else(|| {
                        bad("state", "expected active, redeemed, expired or revoked")
                    })?)
            }
            "from" => a.from = Some(millis(&value)?),
            "to" => a.to = Some(millis(&value)?),
            "limit" => {
                a.limit = Some(
                    value
                        .parse()
                        .ok()
                        .filter(|n| (1..=MAX_LIMIT).contains(n))
                        .ok_or_else(|| bad("limit", "expected 1 to 500"))?,
                )
            }
            "cursor" => {
                if value.is_empty() || value.len() > 200 {
                    return Err(bad("cursor", "expected the `next` of an earlier page"));
                }
                a.cursor = Some(value)
            }
            "format" => {
                a.csv = match value.as_str() {
                    "json" => false,
                    "csv" => true,
                    _ => return Err(bad("format", "expected json or csv")),
                }
            }
            _ => return Err(unknown(&name)),
        }
    }
    Ok(a)
}

pub(super) fn csv_response(site: &str, what: &str, body: String) -> Response {
    let mut r = body.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{site}-{what}.csv\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

pub(super) fn csv_line(out: &mut String, cells: &[String]) {
    for (i, c) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        field(out, c);
    }
    out.push_str("\r\n");
}

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(ToString::to_string).unwrap_or_default()
}

/// Triaged feedback as CSV.
pub fn triage_csv(rows: &[TriageRecord]) -> String {
    let mut out = String::from(
        "id,received,page,rule,rating,thumbs,comment,sentiment,valid,fraud,reasons,problem,disclosed,signed,tier,worth,coupon,outcome\r\n",
    );
    for r in rows {
        csv_line(
            &mut out,
            &[
                r.id.to_string(),
                r.received.to_string(),
                r.page.clone(),
                r.rule.clone(),
                opt(&r.rating),
                r.thumbs
                    .map(|t| if t { "up" } else { "down" }.to_owned())
                    .unwrap_or_default(),
                opt(&r.comment),
                r.sentiment.clone(),
                r.valid.to_string(),
                r.fraud.to_string(),
                r.reasons.join(" "),
                opt(&r.problem),
                r.disclosed.to_string(),
                r.signed.clone(),
                opt(&r.tier),
                opt(&r.worth),
                opt(&r.coupon),
                r.outcome.clone(),
            ],
        );
    }
    out
}

/// Coupons as CSV.
pub fn coupons_csv(rows: &[Coupon]) -> String {
    let mut out = String::from(
        "code,state,problem,kind,value,currency,minted,expires,redeemed,revoked,key\r\n",
    );
    for c in rows {
        csv_line(
            &mut out,
            &[
                c.code.clone(),
                c.state.as_str().into(),
                c.problem.clone(),
                c.kind.clone(),
                c.value.to_string(),
                opt(&c.currency),
                c.minted.to_string(),
                c.expires.to_string(),
                opt(&c.redeemed),
                opt(&c.revoked),
                c.key.clone(),
            ],
        );
    }
    out
}

/// `GET .../triage`.
pub async fn triage<S: Store>(
    State(app): State<Arc<App<S>>>,
    Path(site): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    admin(&app, "admin", async {
        authorize(&app, &site, &headers).await?;
        let a = asked(
            query.as_deref(),
            &[
                "queue", "problem", "from", "to", "limit", "cursor", "format",
            ],
        )?;
        let filter = TriageFilter {
            queue: a.queue,
            problem: a.problem,
            from: a.from,
            to: a.to,
        };
        let cursor = match a.cursor {
            Some(c) => Some(
                c.parse::<i64>()
                    .ok()
                    .filter(|c| *c > 0)
                    .ok_or_else(|| bad("cursor", "expected the `next` of an earlier page"))?,
            ),
            None => None,
        };
        if !a.csv {
            let limit = a.limit.unwrap_or(DEFAULT_LIMIT);
            let page = app.store.triage(&site, filter, cursor, limit).await?;
            return Ok(axum::Json(page).into_response());
        }
        let rows = every_page(cursor, |cursor| {
            let (app, site, filter) = (app.clone(), site.clone(), filter.clone());
            async move {
                let page = app.store.triage(&site, filter, cursor, MAX_LIMIT).await?;
                Ok((page.items, page.next.and_then(|n| n.parse().ok())))
            }
        })
        .await?;
        Ok(csv_response(&site, "triage", triage_csv(&rows)))
    })
    .await
}

/// `GET .../problems`.
pub async fn problems<S: Store>(
    State(app): State<Arc<App<S>>>,
    Path(site): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    admin(&app, "admin", async {
        authorize(&app, &site, &headers).await?;
        let a = asked(query.as_deref(), &["from", "to"])?;
        let filter = TriageFilter {
            from: a.from,
            to: a.to,
            ..TriageFilter::default()
        };
        let list = app.store.problems(&site, filter).await?;
        Ok(axum::Json(serde_json::json!({ "problems": list })).into_response())
    })
    .await
}

/// `GET .../coupons`.
pub async fn coupons<S: Store>(
    State(app): State<Arc<App<S>>>,
    Path(site): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    admin(&app, "admin", async {
        authorize(&app, &site, &headers).await?;
        let a = asked(
            query.as_deref(),
            &["state", "from", "to", "limit", "cursor", "format"],
        )?;
        let filter = CouponFilter {
            state: a.state,
            from: a.from,
            to: a.to,
        };
        let now = crate::now_ms();
        if !a.csv {
            let limit = a.limit.unwrap_or(DEFAULT_LIMIT);
            let page = app
                .store
                .coupons(&site, filter, a.cursor, limit, now)
                .await?;
            return Ok(axum::Json(page).into_response());
        }
        let rows = every_page(a.cursor, |cursor| {
            let (app, site, filter) = (app.clone(), site.clone(), filter.clone());
            async move {
                let page = (app.store)
                    .coupons(&site, filter, cursor, MAX_LIMIT, now)
                    .await?;
                Ok((page.items, page.next))
            }
        })
        .await?;
        Ok(csv_response(&site, "coupons", coupons_csv(&rows)))
    })
    .await
}

/// `POST .../coupons/{code}/redeem`.
pub async fn redeem<S: Store>(
    State(app): State<Arc<App<S>>>,
    Path((site, code)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    settle(app, site, code, headers, true).await
}

/// `POST .../coupons/{code}/revoke`.
pub async fn revoke<S: Store>(
    State(app): State<Arc<App<S>>>,
    Path((site, code)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    settle(app, site, code, headers, false).await
}

/// Redeems (or revokes) an active coupon, once.
async fn settle<S: Store>(
    app: Arc<App<S>>,
    site: String,
    code: String,
    headers: HeaderMap,
    redeem: bool,
) -> Response {
    admin(&app, "admin", async {
        authorize(&app, &site, &headers).await?;
        let code = lifeline_shared::json::clip(&code, 64);
        let now = crate::now_ms();
        let coupon = if redeem {
            app.store.redeem(&site, &code, now).await?
        } else {
            app.store.revoke(&site, &code, now).await?
        };
        Ok(axum::Json(coupon).into_response())
    })
    .await
}
