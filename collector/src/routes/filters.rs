//! The admin API's query string: report filters (`from`, `to`, `rule`, `page`, `kind`) and,
//! for listings, `limit`, `cursor` and `format`; for charts, `by` and `bucket`. Strict, so a typo never silently widens a
//! filter: an unknown or repeated parameter is an error naming it, and every message quotes
//! at most a clip of what was sent.

use lifeline_shared::json::clip;
use lifeline_shared::rules::spec::PromptKind;

use crate::ApiError;
use crate::store::{ReportFilter, SeriesBy};

/// Most reports in one page.
pub const MAX_LIMIT: u32 = 500;
/// Reports in a page when `limit` is not given.
pub const DEFAULT_LIMIT: u32 = 100;
/// Longest parameter name quoted back in an error.
const SHOWN: usize = 64;

/// What a listing asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct Listing {
    /// Which reports.
    pub filter: ReportFilter,
    /// Reports per page, 1 to [`MAX_LIMIT`].
    pub limit: u32,
    /// Older than this report id (a page's `next`).
    pub cursor: Option<i64>,
    /// Every match as CSV instead of a JSON page.
    pub csv: bool,
}

/// The query's name=value pairs, percent-decoded; a name given twice is refused (which of
/// two values was meant cannot be told).
pub fn pairs(query: Option<&str>) -> Result<Vec<(String, String)>, ApiError> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(query.unwrap_or("")).map_err(|e| ApiError::BadQuery {
            name: String::new(),
            message: clip(&format!("the query string is not valid: {e}"), 200),
        })?;
    for (i, (name, _)) in pairs.iter().enumerate() {
        if pairs[..i].iter().any(|(earlier, _)| earlier == name) {
            return Err(bad(
                name,
                &format!("`{}` is given twice; give it once", clip(name, SHOWN)),
            ));
        }
    }
    Ok(pairs)
}

/// An error about parameter `name`.
pub fn bad(name: &str, message: &str) -> ApiError {
    ApiError::BadQuery {
        name: clip(name, SHOWN),
        message: message.to_owned(),
    }
}

/// An error for a parameter this route does not take.
pub fn unknown(name: &str) -> ApiError {
    bad(name, &format!("unknown parameter `{}`", clip(name, SHOWN)))
}

/// A time in ms since the epoch, at most what the database holds (`i64::MAX`).
pub fn millis(name: &str, value: &str) -> Result<u64, ApiError> {
    value
        .parse::<i64>()
        .ok()
        .and_then(|v| u64::try_from(v).ok())
        .ok_or_else(|| {
            bad(
                name,
                "expected milliseconds since the Unix epoch (0 to 9223372036854775807)",
            )
        })
}

/// Reads filters (and, if `paged`, `limit`, `cursor`, `format`) from the query.
pub fn listing(query: Option<&str>, paged: bool) -> Result<Listing, ApiError> {
    let mut l = Listing {
        filter: ReportFilter::default(),
        limit: DEFAULT_LIMIT,
        cursor: None,
        csv: false,
    };
    for (name, value) in pairs(query)? {
        match name.as_str() {
            "from" => l.filter.from = Some(millis(&name, &value)?),
            "to" => l.filter.to = Some(millis(&name, &value)?),
            "rule" => l.filter.rule = Some(value),
            "page" => l.filter.page = Some(value),
            "kind" => {
                if PromptKind::from_name(&value).is_none() {
                    return Err(bad(
                        "kind",
                        "expected help, feedback, chat_offer, call_offer, offer or support",
                    ));
                }
                l.filter.kind = Some(value);
            }
            "limit" if paged => {
                l.limit = value
                    .parse()
                    .ok()
                    .filter(|n| (1..=MAX_LIMIT).contains(n))
                    .ok_or_else(|| bad("limit", "expected 1 to 500"))?;
            }
            "cursor" if paged => {
                l.cursor =
                    Some(
                        value.parse().ok().filter(|c: &i64| *c > 0).ok_or_else(|| {
                            bad("cursor", "expected the `next` of an earlier page")
                        })?,
                    );
            }
            "format" if paged => {
                l.csv = match value.as_str() {
                    "json" => false,
                    "csv" => true,
                    _ => return Err(bad("format", "expected json or csv")),
                }
            }
            _ => return Err(unknown(&name)),
        }
    }
    Ok(l)
}

/// `?open` (the open ones only) or nothing (all), for alerts and conversations.
pub fn open_only(query: Option<&str>) -> Result<bool, ApiError> {
    match query {
        None | Some("") => Ok(false),
        Some("open") | Some("open=true") => Ok(true),
        Some(other) => Err(unknown(other)),
    }
}

/// An hour, the shortest stretch of a chart.
pub const HOUR: u64 = 3_600_000;
/// A day.
pub const DAY: u64 = 24 * HOUR;

/// What a chart asks for: the reports (filters), one line per rule or page (`by`, rule
/// when not given), a point per hour or day (`bucket`, day when not given).
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// Which reports.
    pub filter: ReportFilter,
    /// What the lines are.
    pub by: SeriesBy,
    /// The stretch of one point, ms.
    pub bucket_ms: u64,
}

/// Reads a chart's query: the filters, `by` and `bucket`.
pub fn chart(query: Option<&str>) -> Result<Chart, ApiError> {
    let (mut by, mut bucket, mut rest) = (None, None, Vec::new());
    for (name, value) in pairs(query)? {
        let twice = || bad(&name, &format!("`{name}` is given twice; give it once"));
        match name.as_str() {
            "by" if by.is_some() => return Err(twice()),
            "bucket" if bucket.is_some() => return Err(twice()),
            "by" => {
                by = Some(match value.as_str() {
                    "rule" => SeriesBy::Rule,
                    "page" => SeriesBy::Page,
                    _ => return Err(bad("by", "expected rule or page")),
                })
            }
            "bucket" => {
                bucket = Some(match value.as_str() {
                    "hour" => HOUR,
                    "day" => DAY,
                    _ => return Err(bad("bucket", "expected hour or day")),
                })
            }
            _ => rest.push((name, value)),
        }
    }
    let rest = serde_urlencoded::to_string(&rest).unwrap_or_default();
    Ok(Chart {
        filter: listing(Some(&rest), false)?.filter,
        by: by.unwrap_or(SeriesBy::Rule),
        bucket_ms: bucket.unwrap_or(DAY),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(query: &str) -> (String, String) {
        match listing(Some(query), true) {
            Err(ApiError::BadQuery { name, message }) => (name, message),
            other => panic!("{query}: {other:?}"),
        }
    }

    #[test]
    fn filters_and_paging_are_read() {
        let l = listing(
            Some("from=5&to=9&rule=r%201&page=%2Fcart&kind=help&limit=7&cursor=3&format=csv"),
            true,
        )
        .expect("valid");
        assert_eq!(l.filter.from, Some(5));
        assert_eq!(l.filter.to, Some(9));
        assert_eq!(l.filter.rule.as_deref(), Some("r 1"));
        assert_eq!(l.filter.page.as_deref(), Some("/cart"));
        assert_eq!(l.filter.kind.as_deref(), Some("help"));
        assert_eq!((l.limit, l.cursor, l.csv), (7, Some(3), true));
        assert_eq!(listing(None, true).expect("empty").limit, DEFAULT_LIMIT);
    }

    #[test]
    fn a_chart_reads_its_lines_and_stretch_and_the_filters_strictly() {
        let c = chart(Some("by=page&bucket=hour&from=5&rule=r")).expect("valid");
        assert_eq!((c.by, c.bucket_ms), (SeriesBy::Page, HOUR));
        assert_eq!(
            (c.filter.from, c.filter.rule.as_deref()),
            (Some(5), Some("r"))
        );
        let c = chart(None).expect("defaults");
        assert_eq!((c.by, c.bucket_ms), (SeriesBy::Rule, DAY));
        for (query, name) in [
            ("by=visitor", "by"),
            ("bucket=week", "bucket"),
            ("by=rule&by=page", "by"),
            ("limit=5", "limit"),
        ] {
            match chart(Some(query)) {
                Err(ApiError::BadQuery { name: n, .. }) => assert_eq!(n, name, "{query}"),
                other => panic!("{query}: {other:?}"),
            }
        }
    }

    #[test]
    fn open_or_all() {
        assert_eq!(open_only(None).ok(), Some(false));
        assert_eq!(open_only(Some("open")).ok(), Some(true));
        assert!(open_only(Some("closed")).is_err());
    }

    #[test]
    fn a_repeated_parameter_is_refused_not_overwritten() {
        let (name, message) = refused("rule=a&rule=b");
        assert_eq!(name, "rule");
        assert!(message.contains("twice"), "{message}");
    }

    #[test]
    fn paging_is_refused_where_there_are_no_pages() {
        assert!(listing(Some("limit=5"), false).is_err());
        assert!(listing(Some("from=1"), false).is_ok());
    }

    #[test]
    fn a_long_unknown_name_is_quoted_clipped() {
        let long = "x".repeat(100_000);
        let (name, message) = refused(&format!("{long}=1"));
        assert!(name.len() < 100 && message.len() < 200, "{message}");
    }

    #[test]
    fn numbers_out_of_range_say_what_is_expected() {
        for (query, name) in [
            ("from=-1", "from"),
            ("to=18446744073709551616", "to"),
            ("limit=0", "limit"),
            ("limit=501", "limit"),
            ("cursor=0", "cursor"),
            ("kind=popup", "kind"),
            ("format=xml", "format"),
        ] {
            assert_eq!(refused(query).0, name, "{query}");
        }
    }
}
