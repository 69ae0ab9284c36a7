//! `POST /v1/sites/{site}/reports`: a batch of decisions and feedback from a site's page.
//!
//! Checked in order: rate, site, origin, size, JSON shape (with the path of the first
//! problem), the format's bounds; then stored, repeats dropped by idempotency key, and
//! answered `202` only once the batch is committed to disk. A report the format refuses is
//! left out and named in the answer (`refused`), and the rest stored: one bad report (the
//! page's storage can hold anything) never keeps good ones out. A batch with no good report
//! is refused whole, with the first problem. The body is never logged: it may
//! hold what a visitor typed.
//!
//! New feedback is triaged in the same transaction (when the served rules have a `feedback`
//! section), and the answer lists what each feedback's visitor is told (`answers`: thanks,
//! the problem disclosed, a coupon); a coupon minted is told to the site's webhook.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{Request, StatusCode};
use axum::response::{IntoResponse, Response};
use lifeline_shared::wire::{MAX_BATCH_BYTES, Report, ReportBatch};

use super::{from_page, parse_json, read_body};
use crate::store::{Intake, Site, Store};
use crate::{ApiError, App};

/// Handles one batch.
pub async fn ingest<S: Store>(
    State(app): State<Arc<App<S>>>,
    Path(site): Path<String>,
    request: Request<Body>,
) -> Response {
    let owner = app.clone();
    let (app, site) = (&*app, site.as_str());
    from_page(
        app,
        site,
        "reports",
        request,
        |site_row, headers, body, ip| async move {
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
            let intake = intake(app, &site_row, ip, &batch).await?;
            // Stored and followed up (alerts, live events, webhooks, counters) in a task of its
            // own: a client gone before the answer changes nothing of what its batch did.
            let (done, chat) = tokio::spawn(commit(owner, site_row, batch, intake))
                .await
                .map_err(|_| ApiError::Unavailable)??;
            let answer = Answer {
                stored: done.stored,
                duplicates: done.duplicates,
                refused: (refused.iter())
                    .map(|e| Refused {
                        path: &e.path,
                        message: &e.message,
                    })
                    .collect(),
                answers: &done.answers,
                chat,
            };
            Ok((StatusCode::ACCEPTED, axum::Json(answer)).into_response())
        },
    )
    .await
}

/// The `202`'s body.
#[derive(serde::Serialize)]
struct Answer<'a> {
    stored: u32,
    duplicates: u32,
    refused: Vec<Refused<'a>>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    answers: &'a [crate::triage::answer::Answer],
    #[serde(skip_serializing_if = "Option::is_none")]
    chat: Option<serde_json::Value>,
}

/// A report left out of a batch, and why.
#[derive(serde::Serialize)]
struct Refused<'a> {
    path: &'a str,
    message: &'a str,
}

/// Stores a checked batch and does what follows from it: alerts raised (with their
/// conversation), coupons told to the webhook, decisions shown live, the counters.
async fn commit<S: Store>(
    app: Arc<App<S>>,
    site_row: Arc<Site>,
    batch: ReportBatch,
    intake: Intake,
) -> Result<(crate::store::Ingested, Option<serde_json::Value>), ApiError> {
    let site = site_row.name.as_str();
    let triage = intake.triage.clone();
    let shown = live_decisions(&app, site, &batch);
    let alerting = alerting(&batch, &site_row);
    let done = app.store.ingest_with(site, batch, intake).await?;
    app.metrics.ingested(done.stored, done.duplicates);
    let chat = match alerting.is_empty() {
        true => None,
        false => raise_alerts(&app, site, alerting, &done.fresh).await?,
    };
    if let Some(triage) = triage {
        crate::webhook::send(&triage, &site_row, &done.minted);
    }
    for (position, event) in shown {
        if done.fresh.contains(&position) {
            app.live.publish(site, event);
        }
    }
    Ok((done, chat))
}

/// What the store needs to triage a batch's feedback: the served rules' `feedback` section
/// (looked up only for a batch that holds feedback), the site's secret, and the client's
/// address hashed with it.
async fn intake<S: Store>(
    app: &App<S>,
    site: &Site,
    ip: std::net::IpAddr,
    batch: &ReportBatch,
) -> Result<Intake, ApiError> {
    let received = crate::now_ms();
    let has_feedback = (batch.items.iter()).any(|i| matches!(i.report, Report::Feedback { .. }));
    if !has_feedback {
        return Ok(Intake::plain(received));
    }
    let served = app
        .served_triage
        .get(&site.name, async {
            let stored = app.store.rules(&site.name, None).await?;
            let triage = stored.map(|v| tokio::task::spawn_blocking(move || v.triage()));
            match triage {
                None => Ok::<_, ApiError>(None),
                Some(task) => Ok(Some(Arc::new(
                    task.await.map_err(|_| ApiError::Unavailable)?,
                ))),
            }
        })
        .await?;
    let secret = crate::triage::identity::key(&site.secret);
    use sha2::Digest as _;
    let mut h = sha2::Sha256::new();
    h.update(&secret);
    h.update(site.name.as_bytes());
    h.update(ip.to_string().as_bytes());
    let address = h.finalize()[..12]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(Intake {
        received,
        address,
        triage: served.and_then(|s| s.triage.clone()),
        secret,
    })
}

/// The prompts shown in `batch`, as live events for the site's staff, by position (built
/// only while someone listens).
fn live_decisions<S: Store>(
    app: &App<S>,
    site: &str,
    batch: &ReportBatch,
) -> Vec<(usize, crate::live::LiveEvent)> {
    if !app.live.listening(site) {
        return Vec::new();
    }
    let at = crate::now_ms();
    (batch.items.iter().enumerate())
        .filter_map(|(i, item)| match &item.report {
            Report::Decision {
                rule,
                prompt,
                kind,
                outcome: None,
                band,
                signals,
                ..
            } => Some((
                i,
                crate::live::LiveEvent::Decision {
                    session: batch.session.clone(),
                    at,
                    page: item.page.clone(),
                    rule: rule.clone(),
                    prompt: prompt.clone(),
                    kind: kind.as_str().into(),
                    band: band.as_str().into(),
                    signals: signals.iter().map(|s| s.as_str().to_owned()).collect(),
                },
            )),
            _ => None,
        })
        .collect()
}

/// The decisions of `batch` that came with a value (their rule alerts the staff), by
/// position, each with the visitor's tier when the shop's signature holds.
fn alerting(batch: &ReportBatch, site: &Site) -> Vec<(usize, crate::store::NewAlert)> {
    let alerts =
        (batch.items.iter()).any(|i| matches!(i.report, Report::Decision { value: Some(_), .. }));
    let tier = match alerts {
        false => None,
        true => match crate::triage::identity::verify(
            &crate::triage::identity::key(&site.secret),
            &site.name,
            batch.identity.as_ref(),
            crate::now_ms() / 1000,
        ) {
            crate::triage::identity::Signed::Valid { tier, .. } => tier,
            _ => None,
        },
    };
    (batch.items.iter().enumerate())
        .filter_map(|(i, item)| match &item.report {
            Report::Decision {
                rule,
                band,
                signals,
                value: Some(value),
                outcome: None,
                ..
            } => Some((
                i,
                crate::store::NewAlert {
                    key: item.key.clone(),
                    session: batch.session.clone(),
                    page: item.page.clone(),
                    rule: rule.clone(),
                    band: band.as_str().into(),
                    signals: (signals.iter().map(|s| s.as_str()))
                        .collect::<Vec<_>>()
                        .join(" "),
                    value: *value,
                    window_ms: 0,
                    conversation: None,
                    tier: tier.clone(),
                },
            )),
            _ => None,
        })
        .collect()
}

/// Raises the alerts the served rules ask for (a decision of an alerting rule, with at
/// least its value), once each, and tells the staff. Each opens a conversation staff may
/// join: the last one's id and visitor token go back to the page that sent the decision.
async fn raise_alerts<S: Store>(
    app: &App<S>,
    site: &str,
    alerting: Vec<(usize, crate::store::NewAlert)>,
    fresh: &[usize],
) -> Result<Option<serde_json::Value>, ApiError> {
    let Some(rules) = super::staff::alert_rules(app, site).await? else {
        return Ok(None);
    };
    let mut chat = None;
    for (position, mut alert) in alerting {
        let Some((_, least, window)) = rules.rules.iter().find(|(id, _, _)| *id == alert.rule)
        else {
            continue;
        };
        if !fresh.contains(&position) || alert.value < *least {
            continue;
        }
        alert.window_ms = *window;
        let (id, token) = super::chat::new_ids()?;
        alert.conversation = Some(id.clone());
        let a = alert.clone();
        if let Some(raised) = app.store.raise_alert(site, alert, crate::now_ms()).await? {
            let opening = crate::store::NewConversation {
                id,
                token_hash: crate::token::hash(&token),
                session: a.session,
                page: a.page,
                band: a.band,
                signals: a.signals,
                rule: a.rule,
                alert: Some(raised.id),
            };
            // In the staff's inbox once someone writes in it.
            let c = (app.store)
                .open_conversation(site, opening, crate::now_ms())
                .await?;
            chat = Some(serde_json::json!({"id": c.id, "token": token}));
            super::staff::tell_staff(app, site, raised).await;
        }
    }
    Ok(chat)
}
