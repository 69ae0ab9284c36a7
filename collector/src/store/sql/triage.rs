//! Triage in the writer's transaction: the visitor's history read, the verdict stored
//! beside the report, and a coupon minted within the per-visitor cap, the daily cap and the
//! daily budget — all in the one transaction that stores the feedback, so two batches can
//! never both take the last coupon of the day. And the admin reads: the triage queue,
//! known problems, the coupon ledger.

use lifeline_shared::rules::Triage;
use lifeline_shared::rules::spec::CouponKind;
use lifeline_shared::signals::{Signal, SignalSet};
use lifeline_shared::wire::{Evidence, Identity};

use super::{Conn, Param, Row, Value, Where, params, stored_millis};
use crate::store::{
    Coupon, CouponFilter, CouponPage, CouponState, CouponTotal, Intake, ProblemTally, Queue,
    StoreError, TriageFilter, TriagePage, TriageRecord,
};
use crate::triage::answer::{Answer, CouponAnswer, words};
use crate::triage::identity::{self, Signed};
use crate::triage::{self as judge, Feedback, History, Sentiment, coupon, words as text};

const DAY: u64 = 86_400_000;

/// A new feedback, as stored.
pub struct NewFeedback<'a> {
    /// The site.
    pub site: &'a str,
    /// The visit.
    pub session: &'a str,
    /// The report's id.
    pub report: i64,
    /// The report's idempotency key.
    pub key: &'a str,
    /// The page it was sent from.
    pub page: &'a str,
    /// 1 to 5.
    pub rating: Option<u8>,
    /// Thumbs up or down.
    pub thumbs: Option<bool>,
    /// What the visitor typed.
    pub comment: Option<&'a str>,
    /// What the agent saw, without content.
    pub evidence: Option<&'a Evidence>,
    /// Signed visitor attributes.
    pub identity: Option<&'a Identity>,
}

fn count(conn: &dyn Conn, sql: &str, values: &[Param<'_>]) -> Result<u32, StoreError> {
    conn.one::<i64>(sql, values)
        .map(|n| n.clamp(0, i64::from(u32::MAX)) as u32)
}

/// A digest of a folded comment long enough to be the same text on purpose (at least
/// three words or 16 characters); `None` for short ones ("bad" from many is not fraud).
fn text_hash(folded: &str) -> Option<String> {
    use sha2::Digest as _;
    (folded.split(' ').count() >= 3 || folded.len() >= 16).then(|| {
        let d = sha2::Sha256::digest(folded.as_bytes());
        d[..12].iter().map(|b| format!("{b:02x}")).collect()
    })
}

/// Triages a feedback just stored: the verdict, a coupon when one is due and can be
/// minted, and what the visitor is told. The answer is kept, so a batch sent again gets
/// the same one.
pub fn triage(
    conn: &dyn Conn,
    f: &NewFeedback<'_>,
    triage: &Triage,
    intake: &Intake,
) -> Result<(Answer, Option<Coupon>), StoreError> {
    let now = intake.received;
    let now_s = now / 1000;
    let signed = if intake.secret.is_empty() {
        Signed::Unsigned
    } else {
        identity::verify(&intake.secret, f.site, f.identity, now_s)
    };
    if signed == Signed::Bad {
        tracing::warn!(
            site = f.site,
            key = f.key,
            "refused signed attributes: the signature does not match"
        );
    }
    let visitor = match &signed {
        Signed::Valid { id: Some(id), .. } => format!("id:{id}"),
        _ => format!("visit:{}", f.session),
    };
    let folded = text::fold(f.comment.unwrap_or_default());
    let hash = text_hash(&folded);
    let today = now - now % DAY;
    let history = History {
        same_text_visitors: match &hash {
            Some(h) => count(
                conn,
                "SELECT COUNT(DISTINCT visitor) FROM triage
                 WHERE site = ?1 AND text_hash = ?2 AND received >= ?3 AND visitor != ?4",
                params![f.site, h, now.saturating_sub(7 * DAY), visitor],
            )?,
            None => 0,
        },
        visitor_negatives_today: count(
            conn,
            "SELECT COUNT(*) FROM triage WHERE site = ?1 AND visitor = ?2 AND received >= ?3
             AND sentiment = 'negative'",
            params![f.site, visitor, today],
        )?,
        address_negatives_today: count(
            conn,
            "SELECT COUNT(*) FROM triage WHERE site = ?1 AND address = ?2 AND received >= ?3
             AND sentiment = 'negative'",
            params![f.site, intake.address, today],
        )?,
        coupon_recently: count(
            conn,
            "SELECT COUNT(*) FROM coupons WHERE site = ?1 AND (visitor = ?2 OR address = ?3)
             AND minted >= ?4",
            params![
                f.site,
                visitor,
                intake.address,
                now.saturating_sub(30 * DAY)
            ],
        )? > 0,
    };
    // Where signals fired: here (the evidence says which), and at the visit's decisions.
    let mut places = vec![judge::Place {
        page: f.page.to_owned(),
        signals: f.evidence.map_or(SignalSet::EMPTY, |e| e.here),
    }];
    let rows = conn.rows(
        "SELECT page, signals FROM reports WHERE site = ?1 AND session = ?2
         AND type = 'decision' AND signals != '' ORDER BY id DESC LIMIT 64",
        params![f.site, f.session],
        |r| Ok((r.get::<String>(0)?, r.get::<String>(1)?)),
    )?;
    for (page, names) in rows {
        let signals = names
            .split_whitespace()
            .filter_map(Signal::from_name)
            .collect();
        places.push(judge::Place { page, signals });
    }
    let feedback = Feedback {
        page: f.page,
        places: &places,
        rating: f.rating,
        thumbs: f.thumbs,
        comment: f.comment,
        evidence: f.evidence,
    };
    let verdict = judge::judge(&feedback, triage, history, &signed);
    let problem = verdict.problem.map(|i| &triage.problems[i].spec);
    let lang = f.evidence.map_or("en", |e| e.lang.as_str());
    let w = words(lang);

    // A coupon, within the caps and the budget.
    let mut minted = None;
    let mut not_minted = None;
    if let (true, Some(p), Some(c)) = (verdict.worth.is_some(), problem, &triage.spec.compensation)
    {
        let visitor_coupons = count(
            conn,
            "SELECT COUNT(*) FROM coupons WHERE site = ?1 AND visitor = ?2 AND minted >= ?3",
            params![f.site, visitor, now.saturating_sub(30 * DAY)],
        )?;
        let (day_count, day_value): (i64, f64) = conn
            .row(
                "SELECT COUNT(*), CAST(COALESCE(SUM(value), 0) AS DOUBLE PRECISION) FROM coupons
                 WHERE site = ?1 AND minted >= ?2",
                params![f.site, today],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?
            .unwrap_or((0, 0.0));
        if visitor_coupons >= c.per_visitor {
            not_minted = Some("visitor_cap");
        } else if day_count >= i64::from(c.per_day) {
            not_minted = Some("daily_cap");
        } else if day_value + c.coupon.value > c.daily_budget + 1e-9 {
            not_minted = Some("budget");
        } else {
            let code = coupon::code(&c.coupon.prefix);
            let expires = now + u64::from(c.coupon.valid_days) * DAY;
            let kind = match c.coupon.kind {
                CouponKind::Amount => "amount",
                CouponKind::Percent => "percent",
            };
            conn.execute(
                "INSERT INTO coupons (code, site, report, visitor, address, problem, kind, value,
                    currency, minted, expires)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![
                    code,
                    f.site,
                    f.report,
                    visitor,
                    intake.address,
                    p.id,
                    kind,
                    c.coupon.value,
                    c.coupon.currency,
                    stored_millis(now),
                    expires
                ],
            )?;
            minted = Some(Coupon {
                code,
                problem: p.id.clone(),
                kind: kind.into(),
                value: c.coupon.value,
                currency: c.coupon.currency.clone(),
                minted: now,
                expires,
                redeemed: None,
                revoked: None,
                state: CouponState::Active,
                key: f.key.to_owned(),
            });
        }
    }

    // What the visitor is told; potential fraud hears what any complaint hears.
    let negative = verdict.sentiment == Sentiment::Negative;
    let (title, mut text_out) = match problem {
        Some(p) if verdict.disclose => ([w.sorry, " ", &p.title].concat(), p.message.clone()),
        _ if negative => (w.noted.to_owned(), None),
        _ => (w.thanks.to_owned(), None),
    };
    let coupon_answer = minted.as_ref().map(|c| {
        let spec = triage.spec.compensation.as_ref().map(|c| &c.coupon);
        CouponAnswer {
            code: c.code.clone(),
            value: w
                .off
                .replace("{value}", &spec.map(coupon::face).unwrap_or_default()),
            expires: w.until.replace("{date}", &coupon::date(c.expires)),
            copy: [w.copy[0].to_owned(), w.copy[1].to_owned()],
        }
    });
    if coupon_answer.is_some() {
        text_out = Some(match text_out {
            Some(t) => [t.as_str(), " ", w.coupon].concat(),
            None => w.coupon.to_owned(),
        });
    } else if matches!(not_minted, Some("daily_cap" | "budget")) {
        text_out = Some(match text_out {
            Some(t) => [t.as_str(), " ", w.later].concat(),
            None => w.later.to_owned(),
        });
    }
    let answer = Answer {
        key: f.key.to_owned(),
        title,
        text: text_out,
        coupon: coupon_answer,
    };
    let outcome = if verdict.fraud {
        "neutral".to_owned()
    } else if minted.is_some() {
        "coupon".to_owned()
    } else if let Some(why) = not_minted {
        format!("not_minted:{why}")
    } else if verdict.disclose {
        "disclosed".to_owned()
    } else if negative {
        "noted".to_owned()
    } else {
        "thanks".to_owned()
    };
    let (signed_name, tier) = match &signed {
        Signed::Unsigned => ("unsigned", None),
        Signed::Valid { tier, .. } => ("signed", tier.clone()),
        Signed::Expired => ("expired", None),
        Signed::Bad => ("bad", None),
    };
    let reasons: Vec<String> = verdict.reasons.iter().map(judge::Reason::code).collect();
    conn.execute(
        "INSERT INTO triage (report, site, key, received, visitor, address, text_hash, sentiment,
            valid, fraud, reasons, problem, disclosed, signed, tier, worth, coupon, outcome, answer)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
        params![
            f.report,
            f.site,
            f.key,
            stored_millis(now),
            visitor,
            intake.address,
            hash,
            verdict.sentiment.as_str(),
            verdict.valid,
            verdict.fraud,
            reasons.join(" "),
            problem.map(|p| p.id.clone()),
            verdict.disclose,
            signed_name,
            tier,
            verdict.worth,
            minted.as_ref().map(|c| c.code.clone()),
            outcome,
            serde_json::to_string(&answer).unwrap_or_default(),
        ],
    )?;
    Ok((answer, minted))
}

/// The answer a feedback was given, for the same feedback sent again.
pub fn stored_answer(conn: &dyn Conn, site: &str, key: &str) -> Result<Option<Answer>, StoreError> {
    let json: Option<String> = conn.row(
        "SELECT answer FROM triage WHERE site = ?1 AND key = ?2",
        params![site, key],
        |r| r.get(0),
    )?;
    Ok(json
        .and_then(|j| serde_json::from_str::<StoredAnswer>(&j).ok())
        .map(|a| a.0))
}

/// An answer read back (the stored JSON has the same fields).
struct StoredAnswer(Answer);

impl<'de> serde::Deserialize<'de> for StoredAnswer {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        struct C {
            code: String,
            value: String,
            expires: String,
            copy: [String; 2],
        }
        #[derive(serde::Deserialize)]
        struct A {
            key: String,
            title: String,
            text: Option<String>,
            coupon: Option<C>,
        }
        let a = A::deserialize(d)?;
        Ok(StoredAnswer(Answer {
            key: a.key,
            title: a.title,
            text: a.text,
            coupon: a.coupon.map(|c| CouponAnswer {
                code: c.code,
                value: c.value,
                expires: c.expires,
                copy: c.copy,
            }),
        }))
    }
}

/// The triage queue.
pub fn list(
    conn: &dyn Conn,
    site: &str,
    f: &TriageFilter,
    cursor: Option<i64>,
    limit: u32,
) -> Result<TriagePage, StoreError> {
    let mut w = Where::site("t.site", site);
    match f.queue {
        Some(Queue::Negative) => w.and("t.sentiment = 'negative'", []),
        Some(Queue::Invalid) => w.and("t.valid = 0", []),
        Some(Queue::Fraud) => w.and("t.fraud = 1", []),
        Some(Queue::Compensated) => w.and("t.coupon IS NOT NULL", []),
        None => {}
    }
    w.equals("t.problem", f.problem.as_deref());
    w.between("t.received", f.from, f.to);
    if let Some(c) = cursor {
        w.and("r.id < ?", [Value::Int(c)]);
    }
    let sql = format!(
        "SELECT r.id, r.key, t.received, r.page, r.rule, r.rating, r.thumbs, r.comment,
            t.sentiment, t.valid, t.fraud, t.reasons, t.problem, t.disclosed, t.signed, t.tier,
            t.worth, t.coupon, t.outcome
         FROM triage t JOIN reports r ON r.id = t.report WHERE {} ORDER BY r.id DESC LIMIT ?",
        w.sql
    );
    let mut values = w.values;
    values.push(Value::Int(i64::from(limit) + 1));
    let mut items = conn.rows(&sql, &super::values(&values), |r| {
        let reasons: String = r.get(11)?;
        Ok(TriageRecord {
            id: r.get(0)?,
            key: r.get(1)?,
            received: r.count(2)?,
            page: r.get(3)?,
            rule: r.get(4)?,
            rating: r.get(5)?,
            thumbs: r.get(6)?,
            comment: r.get(7)?,
            sentiment: r.get(8)?,
            valid: r.get(9)?,
            fraud: r.get(10)?,
            reasons: reasons.split_whitespace().map(str::to_owned).collect(),
            problem: r.get(12)?,
            disclosed: r.get(13)?,
            signed: r.get(14)?,
            tier: r.get(15)?,
            worth: r.get(16)?,
            coupon: r.get(17)?,
            outcome: r.get(18)?,
        })
    })?;
    let next = (items.len() > limit as usize).then(|| {
        items.truncate(limit as usize);
        items.last().map(|r| r.id.to_string())
    });
    Ok(TriagePage {
        items,
        next: next.flatten(),
    })
}

/// Known problems by visitors hit.
pub fn problems(
    conn: &dyn Conn,
    site: &str,
    f: &TriageFilter,
    costs: &dyn Fn(&str) -> f64,
) -> Result<Vec<ProblemTally>, StoreError> {
    let from = stored_millis(f.from.unwrap_or(0));
    let to = stored_millis(f.to.unwrap_or(u64::MAX));
    let mut list = conn.rows(
        "SELECT t.problem, COUNT(DISTINCT t.visitor), COUNT(*), COUNT(c.code),
                CAST(COALESCE(SUM(c.value), 0) AS DOUBLE PRECISION)
             FROM triage t LEFT JOIN coupons c ON c.code = t.coupon
             WHERE t.site = ?1 AND t.problem IS NOT NULL AND t.received >= ?2 AND t.received < ?3
             GROUP BY t.problem ORDER BY COUNT(DISTINCT t.visitor) DESC, t.problem",
        params![site, from, to],
        |r| {
            let problem: String = r.get(0)?;
            let visitors = r.count(1)?;
            Ok(ProblemTally {
                cost: costs(&problem) * visitors as f64,
                problem,
                visitors,
                feedback: r.count(2)?,
                coupons: r.count(3)?,
                coupon_value: r.get(4)?,
            })
        },
    )?;
    list.sort_by(|a, b| {
        (b.visitors, b.cost)
            .partial_cmp(&(a.visitors, a.cost))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    Ok(list)
}

fn coupon_row(r: &Row, now: u64) -> Result<Coupon, StoreError> {
    let expires = r.count(6)?;
    let redeemed: Option<u64> = r.get(7)?;
    let revoked: Option<u64> = r.get(8)?;
    let state = match (redeemed, revoked) {
        (Some(_), _) => CouponState::Redeemed,
        (_, Some(_)) => CouponState::Revoked,
        _ if expires <= now => CouponState::Expired,
        _ => CouponState::Active,
    };
    Ok(Coupon {
        code: r.get(0)?,
        problem: r.get(1)?,
        kind: r.get(2)?,
        value: r.get(3)?,
        currency: r.get(4)?,
        minted: r.count(5)?,
        expires,
        redeemed,
        revoked,
        state,
        key: r.get(9)?,
    })
}

const COUPON_COLUMNS: &str = "c.code, c.problem, c.kind, c.value, c.currency, c.minted,
    c.expires, c.redeemed, c.revoked, COALESCE(t.key, '')";

/// The SQL condition (after the site) for coupons in `state` at `now`.
fn state_sql(state: CouponState) -> &'static str {
    match state {
        CouponState::Redeemed => "c.redeemed IS NOT NULL",
        CouponState::Revoked => "c.redeemed IS NULL AND c.revoked IS NOT NULL",
        CouponState::Expired => "c.redeemed IS NULL AND c.revoked IS NULL AND c.expires <= ?",
        CouponState::Active => "c.redeemed IS NULL AND c.revoked IS NULL AND c.expires > ?",
    }
}

/// The ledger.
pub fn coupons(
    conn: &dyn Conn,
    site: &str,
    f: &CouponFilter,
    cursor: Option<&str>,
    limit: u32,
    now: u64,
) -> Result<CouponPage, StoreError> {
    let base = |state: Option<CouponState>| {
        let mut w = Where::site("c.site", site);
        if let Some(s) = state {
            let dated = matches!(s, CouponState::Expired | CouponState::Active);
            w.and(state_sql(s), dated.then(|| Value::Int(stored_millis(now))));
        }
        w.between("c.minted", f.from, f.to);
        w
    };
    let mut w = base(f.state);
    if let Some(c) = cursor {
        // Newest first by (minted, code).
        let (minted, code) = c.split_once('.').unwrap_or(("0", ""));
        let minted = Value::Int(minted.parse().unwrap_or(0));
        w.and(
            "(c.minted < ? OR (c.minted = ? AND c.code < ?))",
            [minted.clone(), minted, Value::Text(code.to_owned())],
        );
    }
    let (cond, mut values) = (format!(" WHERE {}", w.sql), w.values);
    values.push(Value::Int(i64::from(limit) + 1));
    let sql = format!(
        "SELECT {COUPON_COLUMNS} FROM coupons c LEFT JOIN triage t ON t.report = c.report
         {cond} ORDER BY c.minted DESC, c.code DESC LIMIT ?"
    );
    let mut items = conn.rows(&sql, &super::values(&values), |r| coupon_row(r, now))?;
    let next = if items.len() > limit as usize {
        items.truncate(limit as usize);
        items.last().map(|c| format!("{}.{}", c.minted, c.code))
    } else {
        None
    };
    let mut totals = Vec::new();
    for state in [
        CouponState::Active,
        CouponState::Redeemed,
        CouponState::Expired,
        CouponState::Revoked,
    ] {
        if f.state.is_some_and(|s| s != state) {
            continue;
        }
        let w = base(Some(state));
        let (count, value): (i64, f64) = conn
            .row(
                &format!(
                    "SELECT COUNT(*), CAST(COALESCE(SUM(c.value), 0) AS DOUBLE PRECISION)
                     FROM coupons c WHERE {}",
                    w.sql
                ),
                &super::values(&w.values),
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?
            .unwrap_or((0, 0.0));
        totals.push(CouponTotal {
            state,
            count: count as u64,
            value,
        });
    }
    Ok(CouponPage {
        items,
        next,
        totals,
    })
}

/// One coupon.
pub fn coupon(conn: &dyn Conn, site: &str, code: &str, now: u64) -> Result<Coupon, StoreError> {
    conn.row(
        &format!(
            "SELECT {COUPON_COLUMNS} FROM coupons c LEFT JOIN triage t ON t.report = c.report
             WHERE c.site = ?1 AND c.code = ?2"
        ),
        params![site, code],
        |r| coupon_row(r, now),
    )?
    .ok_or(StoreError::UnknownCoupon)
}

/// Marks an active coupon `column` (redeemed or revoked) at `now`: once only.
pub fn settle(
    conn: &dyn Conn,
    site: &str,
    code: &str,
    column: &'static str,
    now: u64,
) -> Result<Coupon, StoreError> {
    let current = coupon(conn, site, code, now)?;
    if current.state != CouponState::Active {
        return Err(StoreError::CouponNotActive(current.state));
    }
    conn.execute(
        &format!(
            "UPDATE coupons SET {column} = ?3 WHERE site = ?1 AND code = ?2
             AND redeemed IS NULL AND revoked IS NULL"
        ),
        params![site, code, stored_millis(now)],
    )?;
    coupon(conn, site, code, now)
}
