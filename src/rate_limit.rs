//! Per-key request limits over fixed one-minute windows, in memory.
//!
//! A fixed window gives clients exact, simple headers: the limit, what is
//! left, and the epoch second the window resets. The map is sharded so
//! concurrent keys rarely contend on a lock.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use uuid::Uuid;

const SHARDS: usize = 16;
const WINDOW_SECS: u64 = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    pub limit: u32,
    pub remaining: u32,
    pub reset_epoch: u64,
    pub retry_after_secs: u64,
}

pub struct RateLimiter {
    shards: Vec<Mutex<HashMap<Uuid, Window>>>,
}

#[derive(Clone, Copy)]
struct Window {
    start: u64,
    count: u32,
}

impl Default for RateLimiter {
    fn default() -> Self {
        RateLimiter {
            shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
        }
    }
}

fn epoch_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

impl RateLimiter {
    pub fn check(&self, key: Uuid, limit: u32) -> Decision {
        self.check_at(key, limit, epoch_secs())
    }

    fn check_at(&self, key: Uuid, limit: u32, now: u64) -> Decision {
        let start = now - now % WINDOW_SECS;
        let reset_epoch = start + WINDOW_SECS;
        let shard = &self.shards[key.as_u128() as usize % SHARDS];
        let mut windows = shard
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if windows.len() > 100_000 {
            // Bound memory: drop windows that have ended.
            windows.retain(|_, w| w.start == start);
        }
        let window = windows.entry(key).or_insert(Window { start, count: 0 });
        if window.start != start {
            *window = Window { start, count: 0 };
        }
        let allowed = window.count < limit;
        if allowed {
            window.count += 1;
        }
        Decision {
            allowed,
            limit,
            remaining: limit.saturating_sub(window.count),
            reset_epoch,
            retry_after_secs: if allowed {
                0
            } else {
                (reset_epoch - now).max(1)
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_within_a_window_and_resets_after() {
        let limiter = RateLimiter::default();
        let key = Uuid::now_v7();
        let t = 1_700_000_000 - 1_700_000_000 % 60 + 10;
        for i in 0..3 {
            let d = limiter.check_at(key, 3, t);
            assert!(d.allowed);
            assert_eq!(d.remaining, 2 - i);
        }
        let refused = limiter.check_at(key, 3, t + 5);
        assert!(!refused.allowed);
        assert_eq!(refused.retry_after_secs, 45);
        assert!(limiter.check_at(key, 3, t + 50).allowed);
        assert!(
            limiter.check_at(Uuid::now_v7(), 3, t).allowed,
            "other keys unaffected"
        );
    }
}
