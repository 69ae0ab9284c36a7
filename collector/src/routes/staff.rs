//! The shop's staff at work, each with their own token (`lifeline-collector staff add`; the
//! site's admin token works as an owner's):
//!
//! - `GET /v1/staff/sites/{site}/presence`: who is online, busy, away or offline.
//! - `POST /v1/staff/sites/{site}/presence` (`{"status": "online" | "busy" | "away"}`): a
//!   heartbeat, about every 30 s from the dashboard; present while it holds (60 s).
//! - `GET /v1/staff/sites/{site}/events`: live events as server-sent events (decisions as
//!   visitors struggle, staff coming and going), each with its `id`; a comment every 15 s
//!   keeps proxies from closing it.
//!
//! - `GET /v1/staff/sites/{site}/push`: the site's VAPID public key; `POST` a browser's
//!   push subscription (the caller's phone hears of their alerts), `DELETE` it.
//!
//! And for pages, `GET /v1/sites/{site}/availability` (public, cached 15 s): whether
//! someone is online to chat or call.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, Request, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tokio::sync::broadcast::error::RecvError;

use super::admin::admin;
use super::{allow_origin, parse_json, read_body, site_for_page};
use crate::live::LiveEvent;
use crate::store::{Role, Status, Store};
use crate::{ApiError, App};

/// Who is calling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// Their name; `None` for the site's admin token.
    pub name: Option<String>,
    /// What they may do.
    pub role: Role,
}

/// The caller, if the request carries the token of one of the site's staff (or its admin
/// token); every token is compared in constant time. A site that does not exist answers
/// as a wrong token does.
pub async fn staff_caller<S: Store>(
    app: &App<S>,
    site: &str,
    headers: &HeaderMap,
) -> Result<Caller, ApiError> {
    let token = crate::token::bearer(headers).ok_or(ApiError::MissingToken)?;
    // A site that does not exist answers as a wrong token does.
    let s = app.store.site(site).await?.ok_or(ApiError::WrongToken)?;
    if crate::token::matches(token, &s.token_hash) {
        return Ok(Caller {
            name: None,
            role: Role::Owner,
        });
    }
    let staff = app.store.staff(site, crate::now_ms()).await?;
    // Every hash compared, so the time taken says nothing of which matched.
    let mut found = None;
    for (member, hash) in staff {
        if crate::token::matches(token, &hash) {
            found = Some(member);
        }
    }
    found
        .map(|m| Caller {
            name: Some(m.name),
            role: m.role,
        })
        .ok_or(ApiError::WrongToken)
}

/// A member of staff's request with a JSON body of at most `limit` bytes: the caller (the
/// token checked first) and the body, read strictly.
async fn staff_body<S: Store, T: serde::de::DeserializeOwned>(
    app: &App<S>,
    site: &str,
    parts: axum::http::request::Parts,
    body: Body,
    limit: usize,
) -> Result<(Caller, T), ApiError> {
    let caller = staff_caller(app, site, &parts.headers).await?;
    let bytes = read_body(body, &parts.headers, limit).await?;
    Ok((caller, parse_json(&bytes)?))
}

/// `GET .../presence`.
pub async fn presence<S: Store>(
    State(app): State<Arc<App<S>>>,
    Path(site): Path<String>,
    headers: HeaderMap,
) -> Response {
    admin(&app, "staff", async {
        staff_caller(&app, &site, &headers).await?;
        let staff: Vec<_> = (app.store.staff(&site, crate::now_ms()).await?)
            .into_iter()
            .map(|(m, _)| m)
            .collect();
        Ok(axum::Json(serde_json::json!({ "staff": staff })).into_response())
    })
    .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Heartbeat {
    status: String,
}

/// `POST .../presence`.
pub async fn heartbeat<S: Store>(
    State(app): State<Arc<App<S>>>,
    Path(site): Path<String>,
    request: Request<Body>,
) -> Response {
    let (parts, body) = request.into_parts();
    admin(&app, "staff", async {
        let (caller, beat): (_, Heartbeat) = staff_body(&app, &site, parts, body, 1024).await?;
        let name = person(caller, "presence")?;
        let status = Status::from_name(&beat.status).ok_or_else(|| ApiError::Invalid {
            path: "status".into(),
            message: "expected online, busy or away".into(),
        })?;
        app.store
            .heartbeat(&site, &name, status, crate::now_ms())
            .await?;
        app.live.publish(
            &site,
            LiveEvent::Presence {
                staff: name,
                status: status.as_str().into(),
            },
        );
        Ok(axum::Json(serde_json::json!({ "status": status })).into_response())
    })
    .await
}

/// `GET .../events`.
pub async fn events<S: Store>(
    State(app): State<Arc<App<S>>>,
    Path(site): Path<String>,
    headers: HeaderMap,
) -> Response {
    admin(&app, "staff", async {
        staff_caller(&app, &site, &headers).await?;
        let rx = app.live.subscribe(&site);
        let stopping = app.stopping.subscribe();
        let stream =
            futures_util::stream::unfold((rx, stopping), |(mut rx, mut stopping)| async move {
                // The collector stopping ends the stream (the dashboard connects again).
                let received = tokio::select! {
                    r = rx.recv() => r,
                    () = crate::stopped(&mut stopping) => return None,
                };
                let event = match received {
                    Ok(n) => {
                        let kind = match n.event {
                            LiveEvent::Decision { .. } => "decision",
                            LiveEvent::Alert { .. } => "alert",
                            LiveEvent::Chat { .. } => "chat",
                            LiveEvent::Presence { .. } => "presence",
                        };
                        Event::default()
                            .id(n.id.to_string())
                            .event(kind)
                            .json_data(&n.event)
                            .unwrap_or_default()
                    }
                    // Too slow to keep up: told how many it missed (the dashboard reloads).
                    Err(RecvError::Lagged(missed)) => {
                        Event::default().event("lagged").data(missed.to_string())
                    }
                    Err(RecvError::Closed) => return None,
                };
                Some((Ok::<_, Infallible>(event), (rx, stopping)))
            });
        let keep = KeepAlive::new().interval(Duration::from_secs(15));
        Ok(Sse::new(stream).keep_alive(keep).into_response())
    })
    .await
}

/// `GET .../alerts` (`?open` for the open ones only).
pub async fn alerts<S: Store>(
    State(app): State<Arc<App<S>>>,
    Path(site): Path<String>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
    headers: HeaderMap,
) -> Response {
    admin(&app, "staff", async {
        staff_caller(&app, &site, &headers).await?;
        let open = super::filters::open_only(query.as_deref())?;
        let list = app.store.alerts(&site, open).await?;
        Ok(axum::Json(serde_json::json!({ "alerts": list })).into_response())
    })
    .await
}

/// `POST .../alerts/{id}/ack`: the caller takes the alert up (once).
pub async fn ack<S: Store>(
    State(app): State<Arc<App<S>>>,
    Path((site, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    admin(&app, "staff", async {
        let caller = staff_caller(&app, &site, &headers).await?;
        let id: i64 = id.parse().map_err(|_| ApiError::NotFound)?;
        let by = caller.name.unwrap_or_else(|| "owner".into());
        let alert = app.store.ack_alert(&site, id, &by, crate::now_ms()).await?;
        tell_staff(&app, &site, alert.clone()).await;
        Ok(axum::Json(alert).into_response())
    })
    .await
}

/// Moves every site's alerts past their window on (or expires them), and tells the staff;
/// run every few seconds by `serve`.
pub async fn escalate<S: Store>(app: &App<S>, now: u64) -> Result<usize, ApiError> {
    let changed = app.store.escalate(now).await?;
    let n = changed.len();
    for (site, alert) in changed {
        tell_staff(app, &site, alert).await;
    }
    crate::webhook::digests(app, now).await;
    Ok(n)
}

/// The served rules' alerting rules and `staff` section (cached a few seconds); `None`
/// without rules.
pub(crate) async fn alert_rules<S: Store>(
    app: &App<S>,
    site: &str,
) -> Result<Option<Arc<crate::store::AlertRules>>, ApiError> {
    app.served_alerts
        .get(site, async {
            let stored = app.store.rules(site, None).await?;
            let rules = stored.map(|v| tokio::task::spawn_blocking(move || v.alert_rules()));
            match rules {
                None => Ok::<_, ApiError>(None),
                Some(task) => Ok(Some(Arc::new(
                    task.await.map_err(|_| ApiError::Unavailable)?,
                ))),
            }
        })
        .await
}

/// Tells the site's staff of an alert raised or moved on (escalated, acknowledged,
/// expired): the live dashboard, the rules' webhooks, their phones (Web Push).
pub(crate) async fn tell_staff<S: Store>(app: &App<S>, site: &str, alert: crate::store::Alert) {
    let row = app.site(site).await;
    let rules = alert_rules(app, site).await.ok().flatten();
    let staff = rules.as_ref().map(|r| r.staff.clone()).unwrap_or_default();
    // Past the minute's rate, a new alert waits for the digest (webhooks and phones); the
    // dashboard hears of every one.
    let new = alert.state == crate::store::AlertState::Open && alert.escalations == 0;
    if !new
        || app
            .notices
            .admit(site, &staff, &alert.page, crate::now_ms())
    {
        if let Ok(Some(s)) = row {
            crate::webhook::alert(&s, &staff, &alert);
        }
        crate::push::alert(app, site, &alert).await;
    }
    app.live.publish(site, LiveEvent::Alert { alert });
}

/// A person's name from the caller (the admin token is nobody in particular).
fn person(caller: Caller, what: &str) -> Result<String, ApiError> {
    caller.name.ok_or_else(|| ApiError::BadQuery {
        name: "authorization".into(),
        message: format!(
            "{what} is a person's: use a member of staff's token, not the admin token"
        ),
    })
}

/// `GET .../push`: the site's VAPID public key (the dashboard's `applicationServerKey`).
pub async fn push_key<S: Store>(
    State(app): State<Arc<App<S>>>,
    Path(site): Path<String>,
    headers: HeaderMap,
) -> Response {
    admin(&app, "staff", async {
        staff_caller(&app, &site, &headers).await?;
        let key = app.store.push_key(&site).await?;
        let key = p256::SecretKey::from_slice(&key).map_err(|_| ApiError::Unavailable)?;
        let public = crate::push::public_b64(&key.public_key());
        Ok(axum::Json(serde_json::json!({ "public_key": public })).into_response())
    })
    .await
}

/// `POST .../push` (a `PushSubscription` as JSON): the caller's phone or desktop hears of
/// their alerts.
pub async fn push_subscribe<S: Store>(
    State(app): State<Arc<App<S>>>,
    Path(site): Path<String>,
    request: Request<Body>,
) -> Response {
    let (parts, body) = request.into_parts();
    admin(&app, "staff", async {
        let (caller, subscription): (_, crate::push::Subscription) =
            staff_body(&app, &site, parts, body, 4096).await?;
        let name = person(caller, "a push subscription")?;
        subscription.check().map_err(|e| ApiError::Invalid {
            path: match e {
                crate::push::PushError::BadEndpoint => "endpoint",
                crate::push::PushError::BadAuth => "keys.auth",
                _ => "keys.p256dh",
            }
            .into(),
            message: e.to_string(),
        })?;
        app.store
            .subscribe_push(&site, &name, subscription, crate::now_ms())
            .await?;
        Ok((
            axum::http::StatusCode::CREATED,
            axum::Json(serde_json::json!({ "subscribed": name })),
        )
            .into_response())
    })
    .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Unsubscribe {
    endpoint: String,
}

/// `DELETE .../push` (`{"endpoint": ...}`): that browser hears no more.
pub async fn push_unsubscribe<S: Store>(
    State(app): State<Arc<App<S>>>,
    Path(site): Path<String>,
    request: Request<Body>,
) -> Response {
    let (parts, body) = request.into_parts();
    admin(&app, "staff", async {
        let (_, u): (_, Unsubscribe) = staff_body(&app, &site, parts, body, 4096).await?;
        app.store.unsubscribe_push(&site, &u.endpoint).await?;
        Ok(axum::http::StatusCode::NO_CONTENT.into_response())
    })
    .await
}

/// `GET /v1/sites/{site}/availability`.
pub async fn availability<S: Store>(
    State(app): State<Arc<App<S>>>,
    Path(site): Path<String>,
    headers: HeaderMap,
) -> Response {
    app.metrics.request("availability");
    let result = async {
        site_for_page(&app, &site, &headers).await?;
        let staff = app.store.staff(&site, crate::now_ms()).await?;
        let online = (staff.iter())
            .filter(|(m, _)| m.status == Status::Online)
            .count();
        Ok::<_, ApiError>(online)
    }
    .await;
    let mut response = match result {
        Ok(online) => {
            let mut r =
                axum::Json(serde_json::json!({ "available": online > 0, "online": online }))
                    .into_response();
            r.headers_mut().insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=15"),
            );
            r
        }
        Err(e) => {
            app.metrics.rejected(e.code());
            e.into_response()
        }
    };
    allow_origin(&mut response, &headers);
    response
}
