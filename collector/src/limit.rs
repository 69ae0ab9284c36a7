//! [`RateLimiter`]: a token bucket per client address and site. A client over its rate
//! gets `429` with `Retry-After`; buckets that are full again are forgotten.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Instant;

/// Buckets kept before idle ones are swept.
const SWEEP_AT: usize = 10_000;
/// Longest site name kept in a bucket key (a hostile URL may carry a long one).
const MAX_SITE_KEY: usize = 64;

/// Requests per minute per (address, site), with a burst.
#[derive(Debug)]
pub struct RateLimiter {
    per_minute: u32,
    burst: u32,
    buckets: Mutex<HashMap<(IpAddr, String), Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl RateLimiter {
    /// `per_minute` sustained, `burst` at once. Zero `per_minute` turns limiting off.
    pub fn new(per_minute: u32, burst: u32) -> RateLimiter {
        RateLimiter {
            per_minute,
            burst: burst.max(1),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one request from the bucket; `Err(seconds)` to wait when it is empty.
    pub fn take(&self, ip: IpAddr, site: &str) -> Result<(), u64> {
        self.take_at(ip, site, Instant::now())
    }

    fn take_at(&self, ip: IpAddr, site: &str, now: Instant) -> Result<(), u64> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let rate = f64::from(self.per_minute) / 60.0; // tokens per second
        let burst = f64::from(self.burst);
        let Ok(mut buckets) = self.buckets.lock() else {
            return Ok(());
        };
        if buckets.len() >= SWEEP_AT {
            buckets.retain(|_, b| b.tokens + now.duration_since(b.at).as_secs_f64() * rate < burst);
        }
        let site: String = site.chars().take(MAX_SITE_KEY).collect();
        let bucket = buckets.entry((ip, site)).or_insert(Bucket {
            tokens: burst,
            at: now,
        });
        bucket.tokens =
            (bucket.tokens + now.duration_since(bucket.at).as_secs_f64() * rate).min(burst);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - bucket.tokens) / rate).ceil().max(1.0) as u64)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_burst_passes_then_waits_for_the_rate() {
        let limiter = RateLimiter::new(60, 3);
        let ip: IpAddr = [10, 0, 0, 1].into();
        let t = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.take_at(ip, "shop", t), Ok(()));
        }
        assert_eq!(limiter.take_at(ip, "shop", t), Err(1));
        assert_eq!(limiter.take_at(ip, "other", t), Ok(()), "per site");
        assert_eq!(
            limiter.take_at([10, 0, 0, 2].into(), "shop", t),
            Ok(()),
            "per address"
        );
        assert_eq!(
            limiter.take_at(ip, "shop", t + Duration::from_secs(1)),
            Ok(())
        );
    }
}
