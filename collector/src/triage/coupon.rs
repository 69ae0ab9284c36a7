//! Coupons: random, unguessable codes (80 bits from the operating system, in an alphabet
//! without look-alike letters: 16 characters, 80 bits), and the terms they are minted with.

use lifeline_shared::rules::spec::{CouponKind, CouponSpec};

/// Crockford's base 32: digits and capitals without I, L, O and U, which a visitor could
/// mistake for 1, 0 or V.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A new code: the rules' prefix, then 16 random characters in four groups.
pub fn code(prefix: &str) -> String {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the operating system's random numbers");
    let mut out = String::from(prefix);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        out.push(char::from(ALPHABET[usize::from(b & 31)]));
    }
    out
}

/// "10.00 EUR" or "15 %".
pub fn face(spec: &CouponSpec) -> String {
    match spec.kind {
        CouponKind::Amount => format!(
            "{:.2} {}",
            spec.value,
            spec.currency.as_deref().unwrap_or_default()
        ),
        CouponKind::Percent => format!("{} %", spec.value),
    }
}

/// The date (UTC, `YYYY-MM-DD`) of `ms` since the epoch.
pub fn date(ms: u64) -> String {
    // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    let z = (ms / 86_400_000) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The time (UTC, `YYYY-MM-DD HH:MM:SS`) of `ms` since the epoch.
pub fn date_time(ms: u64) -> String {
    let s = (ms / 1000) % 86_400;
    format!(
        "{} {:02}:{:02}:{:02}",
        date(ms),
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_in_utc() {
        assert_eq!(date_time(0), "1970-01-01 00:00:00");
        assert_eq!(date_time(1_764_684_245_000), "2025-12-02 14:04:05");
    }

    #[test]
    fn codes_are_random_grouped_and_prefixed() {
        let a = code("SORRY-");
        let b = code("SORRY-");
        assert_ne!(a, b);
        assert!(a.starts_with("SORRY-"));
        assert_eq!(a.len(), 6 + 16 + 3);
        assert!(a[6..].bytes().all(|c| c == b'-' || ALPHABET.contains(&c)));
    }

    #[test]
    fn dates_in_utc() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(1_798_761_600_000), "2027-01-01");
        assert_eq!(date(951_782_400_000), "2000-02-29");
    }
}
