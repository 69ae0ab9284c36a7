//! Report batches stored once per idempotency key (feedback triaged in the same
//! transaction), and the admin's reads: pages of reports, tallies, charts over time.

use lifeline_shared::wire::{Report, ReportBatch};

use super::triage;
use super::{Conn, Row, Value, Where, params, stored_millis, values};
use crate::store::{
    Ingested, Intake, Point, ReportFilter, ReportPage, ReportType, SeriesBy, Stats, StoreError,
    StoredReport, SupportStats, SupportTally, Tally,
};

/// A report's columns.
#[derive(Default)]
struct Columns {
    report_type: &'static str,
    rule: String,
    prompt: String,
    kind: Option<&'static str>,
    outcome: Option<&'static str>,
    band: Option<&'static str>,
    signals: Option<String>,
    rating: Option<u8>,
    thumbs: Option<bool>,
    comment: Option<String>,
    persona: Option<String>,
    article: Option<String>,
    guide: Option<String>,
    step: Option<u8>,
    channel: Option<String>,
    evidence: Option<String>,
}

impl Columns {
    fn of(report: Report) -> Columns {
        match report {
            Report::Decision {
                rule,
                prompt,
                kind,
                outcome,
                band,
                signals,
                value: _,
            } => Columns {
                report_type: "decision",
                rule,
                prompt,
                kind: Some(kind.as_str()),
                outcome: outcome.map(|o| o.as_str()),
                band: Some(band.as_str()),
                signals: Some(
                    signals
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(" "),
                ),
                ..Columns::default()
            },
            Report::Feedback {
                rule,
                prompt,
                rating,
                thumbs,
                comment,
                evidence,
            } => Columns {
                report_type: "feedback",
                rule,
                prompt,
                rating,
                thumbs,
                comment,
                evidence: evidence.and_then(|e| serde_json::to_string(&e).ok()),
                ..Columns::default()
            },
            Report::Support {
                rule,
                prompt,
                event,
                persona,
                article,
                guide,
                step,
                channel,
            } => Columns {
                report_type: "support",
                rule,
                prompt,
                kind: Some("support"),
                outcome: Some(event.as_str()),
                persona,
                article,
                guide,
                step,
                channel,
                ..Columns::default()
            },
        }
    }
}

/// The columns of a report as stored, in the order [`insert_sql`]'s values come in.
const COLUMNS: &str = "site, key, session, at, received, page, type, rule, prompt, kind, outcome,
    band, signals, rating, thumbs, comment, persona, article, guide, step, channel, evidence";

/// Most reports in one `INSERT` of [`store_plain`] where statements are round trips: runs
/// of 32, then the rest in powers of two, so that a connection prepares at most six shapes
/// of the statement. (On SQLite, one a report: the library is called in this process, and
/// a multi-row `INSERT ... RETURNING` costs it more than separate ones.)
const ROWS_PER_INSERT: usize = 32;

/// The `INSERT` of `rows` reports (a power of two, at most [`ROWS_PER_INSERT`]), a key
/// stored already left out; of more than one, it answers the keys it stored.
fn insert_sql(rows: usize) -> &'static str {
    static SHAPES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    let shapes = SHAPES.get_or_init(|| {
        let row = format!("({})", ["?"; 22].join(", "));
        (0..=ROWS_PER_INSERT.ilog2())
            .map(|log| {
                let n = 1usize << log;
                format!(
                    "INSERT INTO reports ({COLUMNS}) VALUES {} ON CONFLICT (site, key) DO NOTHING{}",
                    vec![row.as_str(); n].join(", "),
                    if n > 1 { " RETURNING key" } else { "" }
                )
            })
            .collect()
    });
    &shapes[rows.clamp(1, ROWS_PER_INSERT).ilog2() as usize]
}

/// Stores batches with nothing to triage, all for `site`, each with the time it was
/// received: their reports go in multi-row `INSERT`s (on PostgreSQL one round trip per 32
/// reports, not one each), and a report whose key is stored already, or comes earlier in
/// these batches, is dropped as a repeat. Each batch's outcome, in order.
pub fn store_plain(
    conn: &dyn Conn,
    site: &str,
    batches: Vec<(ReportBatch, u64)>,
) -> Result<Vec<Ingested>, StoreError> {
    struct Stored {
        batch: usize,
        position: usize,
        key: String,
        at: u64,
        received: u64,
        page: String,
        columns: Columns,
    }
    let mut sessions = Vec::with_capacity(batches.len());
    let mut done = Vec::with_capacity(batches.len());
    let mut rows = Vec::new();
    for (b, (batch, received)) in batches.into_iter().enumerate() {
        for (position, item) in batch.items.into_iter().enumerate() {
            rows.push(Stored {
                batch: b,
                position,
                key: item.key,
                at: item.at,
                received,
                page: item.page,
                columns: Columns::of(item.report),
            });
        }
        sessions.push(batch.session);
        done.push(Ingested::default());
    }
    let most = if conn.round_trips() {
        ROWS_PER_INSERT
    } else {
        1
    };
    // Whether each row was stored now (not a repeat of a stored key, or of one before it).
    let mut fresh = vec![false; rows.len()];
    let mut start = 0;
    while start < rows.len() {
        let n = 1 << (rows.len() - start).min(most).ilog2();
        let chunk = &rows[start..start + n];
        let mut values = Vec::with_capacity(n * 22);
        for r in chunk {
            let c = &r.columns;
            values.extend_from_slice(params![
                site,
                r.key,
                sessions[r.batch],
                r.at,
                r.received,
                r.page,
                c.report_type,
                c.rule,
                c.prompt,
                c.kind,
                c.outcome,
                c.band,
                c.signals,
                c.rating,
                c.thumbs,
                c.comment,
                c.persona,
                c.article,
                c.guide,
                c.step,
                c.channel,
                c.evidence
            ]);
        }
        // The key is unique in the database: of two writers (two replicas) only one stores it.
        // A key twice in one statement is stored once, by its first row.
        let stored = &mut fresh[start..start + n];
        if n == 1 {
            stored[0] = conn.execute(insert_sql(1), &values)? == 1;
        } else {
            for row in conn.query(insert_sql(n), &values)? {
                let key = row.get::<String>(0)?;
                if let Some(i) = (0..n).find(|&i| !stored[i] && chunk[i].key == key) {
                    stored[i] = true;
                }
            }
        }
        start += n;
    }
    for (r, fresh) in rows.iter().zip(fresh) {
        let outcome = &mut done[r.batch];
        if fresh {
            outcome.stored += 1;
            outcome.fresh.push(r.position);
        } else {
            outcome.duplicates += 1;
        }
    }
    Ok(done)
}

/// Stores a batch, dropping reports whose key is stored already, and triages its new
/// feedback when `intake` has triage rules.
pub fn ingest(
    conn: &dyn Conn,
    site: &str,
    batch: ReportBatch,
    intake: &Intake,
) -> Result<Ingested, StoreError> {
    if intake.triage.is_none() {
        let mut done = store_plain(conn, site, vec![(batch, intake.received)])?;
        return Ok(done.pop().unwrap_or_default());
    }
    let mut done = Ingested {
        stored: 0,
        duplicates: 0,
        answers: Vec::new(),
        minted: Vec::new(),
        fresh: Vec::new(),
    };
    for (position, item) in batch.items.into_iter().enumerate() {
        // What triage reads of a feedback, before the report becomes columns.
        let feedback = match (&intake.triage, &item.report) {
            (
                Some(_),
                Report::Feedback {
                    rating,
                    thumbs,
                    comment,
                    evidence,
                    ..
                },
            ) => Some((*rating, *thumbs, comment.clone(), evidence.clone())),
            _ => None,
        };
        let r = Columns::of(item.report);
        // The key is unique in the database: of two writers (two replicas) only one stores it.
        let fresh = conn.execute(
            insert_sql(1),
            params![
                site,
                item.key,
                batch.session,
                item.at,
                intake.received,
                item.page,
                r.report_type,
                r.rule,
                r.prompt,
                r.kind,
                r.outcome,
                r.band,
                r.signals,
                r.rating,
                r.thumbs,
                r.comment,
                r.persona,
                r.article,
                r.guide,
                r.step,
                r.channel,
                r.evidence
            ],
        )? == 1;
        // Only feedback to triage needs its id (a decision is done with once stored).
        let id: Option<i64> = match (fresh, &feedback) {
            (true, Some(_)) => Some(conn.one(
                "SELECT id FROM reports WHERE site = ?1 AND key = ?2",
                params![site, item.key],
            )?),
            _ => None,
        };
        if fresh {
            done.stored += 1;
            done.fresh.push(position);
        } else {
            done.duplicates += 1;
        }
        let (Some(rules), Some((rating, thumbs, comment, evidence))) = (&intake.triage, feedback)
        else {
            continue;
        };
        let Some(report) = id else {
            // Sent again (its answer was lost on the way): the same answer.
            done.answers
                .extend(triage::stored_answer(conn, site, &item.key)?);
            continue;
        };
        let new = triage::NewFeedback {
            site,
            session: &batch.session,
            report,
            key: &item.key,
            page: &item.page,
            rating,
            thumbs,
            comment: comment.as_deref(),
            evidence: evidence.as_ref(),
            identity: batch.identity.as_ref(),
        };
        let (answer, minted) = triage::triage(conn, &new, rules, intake)?;
        done.answers.push(answer);
        done.minted.extend(minted);
    }
    Ok(done)
}

/// The WHERE clause (from `site = ?`) and its values for a filter.
fn filter_sql(site: &str, f: &ReportFilter) -> Where {
    let mut w = Where::site("site", site);
    w.equals("type", f.report_type.map(ReportType::as_str));
    w.between("received", f.from, f.to);
    w.equals("rule", f.rule.as_deref());
    w.equals("page", f.page.as_deref());
    w.equals("kind", f.kind.as_deref());
    w
}

fn report_row(row: &Row) -> Result<StoredReport, StoreError> {
    let kind_of_report = match row.get::<String>(7)?.as_str() {
        "feedback" => ReportType::Feedback,
        "support" => ReportType::Support,
        _ => ReportType::Decision,
    };
    let signals: Option<String> = row.get(13)?;
    Ok(StoredReport {
        id: row.get(0)?,
        key: row.get(1)?,
        session: row.get(2)?,
        at: row.count(3)?,
        received: row.count(4)?,
        page: row.get(5)?,
        kind_of_report,
        rule: row.get(8)?,
        prompt: row.get(9)?,
        kind: row.get(10)?,
        outcome: row.get(11)?,
        band: row.get(12)?,
        signals: signals.map(|s| s.split_whitespace().map(str::to_owned).collect()),
        rating: row.get(14)?,
        thumbs: row.get(15)?,
        comment: row.get(16)?,
        persona: row.get(17)?,
        article: row.get(18)?,
        guide: row.get(19)?,
        step: row.get(20)?,
        channel: row.get(21)?,
    })
}

/// A page of reports, newest first, older than `cursor`.
pub fn list(
    conn: &dyn Conn,
    site: &str,
    filter: &ReportFilter,
    cursor: Option<i64>,
    limit: u32,
) -> Result<ReportPage, StoreError> {
    let mut w = filter_sql(site, filter);
    if let Some(c) = cursor {
        w.and("id < ?", [Value::Int(c)]);
    }
    w.values.push(Value::Int(i64::from(limit) + 1));
    let sql = format!(
        "SELECT id, key, session, at, received, page, site, type, rule, prompt, kind,
            outcome, band, signals, rating, thumbs, comment, persona, article, guide,
            step, channel
         FROM reports WHERE {} ORDER BY id DESC LIMIT ?",
        w.sql
    );
    let mut items = conn.rows(&sql, &values(&w.values), report_row)?;
    let next = if items.len() > limit as usize {
        items.truncate(limit as usize);
        items.last().map(|r| r.id.to_string())
    } else {
        None
    };
    Ok(ReportPage { items, next })
}

fn tallies(
    conn: &dyn Conn,
    by: &str,
    site: &str,
    f: &ReportFilter,
) -> Result<Vec<Tally>, StoreError> {
    let w = filter_sql(site, f);
    // COUNT ... FILTER, not SUM(condition): a group with no row matching (a rule never
    // dismissed, a page with no outcome yet) must count 0, where SUM gives NULL.
    let sql = format!(
        "SELECT {by},
            COUNT(*) FILTER (WHERE type = 'decision' AND outcome IS NULL),
            COUNT(*) FILTER (WHERE outcome = 'dismissed'),
            COUNT(*) FILTER (WHERE outcome = 'engaged'),
            COUNT(*) FILTER (WHERE outcome = 'completed'),
            COUNT(*) FILTER (WHERE outcome = 'ignored'),
            COUNT(*) FILTER (WHERE type = 'feedback'),
            AVG(CAST(rating AS DOUBLE PRECISION))
         FROM reports WHERE {} GROUP BY {by}
         ORDER BY 2 DESC, 7 DESC, {by}",
        w.sql
    );
    conn.rows(&sql, &values(&w.values), |r| {
        Ok(Tally {
            name: r.get(0)?,
            shown: r.count(1)?,
            dismissed: r.count(2)?,
            engaged: r.count(3)?,
            completed: r.count(4)?,
            ignored: r.count(5)?,
            feedback: r.count(6)?,
            average_rating: r.get(7)?,
        })
    })
}

/// Support sessions grouped by `by` (page, article or persona).
fn support_tallies(
    conn: &dyn Conn,
    by: &str,
    site: &str,
    f: &ReportFilter,
) -> Result<Vec<SupportTally>, StoreError> {
    let w = filter_sql(site, f);
    let sql = format!(
        "SELECT {by},
            COUNT(*) FILTER (WHERE outcome = 'started'),
            COUNT(*) FILTER (WHERE outcome = 'article'),
            COUNT(*) FILTER (WHERE outcome = 'resolved'),
            COUNT(*) FILTER (WHERE outcome = 'failed'),
            COUNT(*) FILTER (WHERE outcome = 'escalated')
         FROM reports WHERE {} AND type = 'support' AND {by} IS NOT NULL GROUP BY {by}
         ORDER BY 2 DESC, 3 DESC, {by}",
        w.sql
    );
    conn.rows(&sql, &values(&w.values), |r| {
        let (resolved, failed, escalated) = (r.count(3)?, r.count(4)?, r.count(5)?);
        let judged = resolved + failed;
        Ok(SupportTally {
            name: r.get(0)?,
            started: r.count(1)?,
            opened: r.count(2)?,
            resolved,
            failed,
            escalated,
            resolution_rate: (judged > 0).then(|| resolved as f64 / judged as f64),
        })
    })
}

/// Tallies by rule and by page, and support sessions by page, article and persona.
pub fn stats(conn: &dyn Conn, site: &str, filter: &ReportFilter) -> Result<Stats, StoreError> {
    Ok(Stats {
        rules: tallies(conn, "rule", site, filter)?,
        pages: tallies(conn, "page", site, filter)?,
        support: SupportStats {
            pages: support_tallies(conn, "page", site, filter)?,
            articles: support_tallies(conn, "article", site, filter)?,
            personas: support_tallies(conn, "persona", site, filter)?,
        },
    })
}

/// Counts over time by rule or by page, in stretches of `bucket_ms`.
pub fn series(
    conn: &dyn Conn,
    site: &str,
    filter: &ReportFilter,
    by: SeriesBy,
    bucket_ms: u64,
) -> Result<Vec<Point>, StoreError> {
    let column = match by {
        SeriesBy::Rule => "rule",
        SeriesBy::Page => "page",
    };
    let bucket = bucket_ms.max(1) as i64;
    let w = filter_sql(site, filter);
    // The stretch's length is a number of ours, written into the SQL.
    let sql = format!(
        "SELECT {column}, (received / {bucket}) * {bucket} AS t,
            COUNT(*) FILTER (WHERE type = 'decision' AND outcome IS NULL),
            COUNT(*) FILTER (WHERE outcome IN ('engaged', 'completed')),
            COUNT(*) FILTER (WHERE type = 'feedback')
         FROM reports WHERE {} AND type IN ('decision', 'feedback')
         GROUP BY 1, 2 ORDER BY 2, 1",
        w.sql
    );
    conn.rows(&sql, &values(&w.values), |r| {
        Ok(Point {
            name: r.get(0)?,
            at: r.count(1)?,
            shown: r.count(2)?,
            engaged: r.count(3)?,
            feedback: r.count(4)?,
        })
    })
}

/// Deletes reports received before `cutoff` (and their verdicts; the coupon ledger stays:
/// it is the shop's books); how many.
pub fn purge(conn: &dyn Conn, cutoff: u64) -> Result<u64, StoreError> {
    let cutoff = stored_millis(cutoff);
    conn.execute("DELETE FROM triage WHERE received < ?1", params![cutoff])?;
    conn.execute("DELETE FROM reports WHERE received < ?1", params![cutoff])
        .map(|n| n as u64)
}
