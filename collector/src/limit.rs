//! [`RateLimiter`]: a token bucket per client address and site. A client over its rate
//! gets `429` with `Retry-After`; buckets that are full again are forgotten.
//!
//! Collectors sharing a database behind a balancer each see a share of a client's
//! requests: each allows `1/n` of the rate and burst when `n` are alive
//! ([`RateLimiter::share`]), so a client's rate across them is the configured one (with a
//! balancer that keeps a client on one collector, stricter; never looser).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
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
    collectors: AtomicU32,
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
            collectors: AtomicU32::new(1),
        }
    }

    /// `collectors` share the rate (each allows its share of it); 1 when alone.
    pub fn share(&self, collectors: u32) {
        self.collectors.store(collectors.max(1), Ordering::Relaxed);
    }

    /// Takes one request from the bucket; `Err(seconds)` to wait when it is empty.
    pub fn take(&self, ip: IpAddr, site: &str) -> Result<(), u64> {
        self.take_at(ip, site, Instant::now())
    }

    /// Whether a request would pass now, without taking one (`Err(seconds)` to wait).
    pub fn check(&self, ip: IpAddr, site: &str) -> Result<(), u64> {
        self.probe(ip, site, Instant::now(), false)
    }

    fn take_at(&self, ip: IpAddr, site: &str, now: Instant) -> Result<(), u64> {
        self.probe(ip, site, now, true)
    }

    fn probe(&self, ip: IpAddr, site: &str, now: Instant, take: bool) -> Result<(), u64> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let share = f64::from(self.collectors.load(Ordering::Relaxed).max(1));
        let rate = f64::from(self.per_minute) / 60.0 / share; // tokens per second
        let burst = (f64::from(self.burst) / share).max(1.0);
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
            if take {
                bucket.tokens -= 1.0;
            }
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

    #[test]
    fn collectors_sharing_a_database_each_allow_their_share() {
        let limiter = RateLimiter::new(60, 4);
        limiter.share(2);
        let ip: IpAddr = [10, 0, 0, 1].into();
        let t = Instant::now();
        for _ in 0..2 {
            assert_eq!(limiter.take_at(ip, "shop", t), Ok(()));
        }
        assert_eq!(
            limiter.take_at(ip, "shop", t),
            Err(2),
            "half the burst, half the rate"
        );
        assert_eq!(
            limiter.take_at(ip, "shop", t + Duration::from_secs(2)),
            Ok(())
        );
    }
}
