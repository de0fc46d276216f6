//! Time helpers: one clock for stored times, and human wording for pages.

use time::{Duration, OffsetDateTime, format_description::well_known::Rfc3339};

/// Now, truncated to microseconds: the precision both SQLite (as text) and
/// PostgreSQL (`timestamptz`) keep, so a stored time compares equal to itself.
pub fn now() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now.replace_nanosecond(now.nanosecond() / 1_000 * 1_000)
        .unwrap_or(now)
}

pub fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

/// "3 days ago", "in 5 hours", "just now".
pub fn relative(t: OffsetDateTime, now: OffsetDateTime) -> String {
    let delta = t - now;
    let future = delta.is_positive();
    let secs = delta.whole_seconds().unsigned_abs();
    if secs < 45 {
        return "just now".into();
    }
    let (n, unit) = if secs < 3600 {
        ((secs + 30) / 60, "minute")
    } else if secs < 86_400 {
        ((secs + 1800) / 3600, "hour")
    } else if secs < 86_400 * 45 {
        ((secs + 43_200) / 86_400, "day")
    } else if secs < 86_400 * 365 {
        ((secs + 86_400 * 15) / (86_400 * 30), "month")
    } else {
        ((secs + 86_400 * 182) / (86_400 * 365), "year")
    };
    let n = n.max(1);
    let plural = if n == 1 { "" } else { "s" };
    if future {
        format!("in {n} {unit}{plural}")
    } else {
        format!("{n} {unit}{plural} ago")
    }
}

/// "4 Dec 2026, 16:05 UTC"
pub fn exact(t: OffsetDateTime) -> String {
    let format = time::macros::format_description!(
        "[day padding:none] [month repr:short] [year], [hour]:[minute] UTC"
    );
    t.to_offset(time::UtcOffset::UTC)
        .format(&format)
        .unwrap_or_default()
}

pub fn wait_text(secs: u64) -> String {
    match secs {
        0..=60 => format!("{} second{}", secs.max(1), if secs == 1 { "" } else { "s" }),
        _ => {
            let minutes = secs.div_ceil(60);
            format!("{minutes} minute{}", if minutes == 1 { "" } else { "s" })
        }
    }
}

pub fn days(n: i64) -> Duration {
    Duration::days(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_wording() {
        let now = OffsetDateTime::UNIX_EPOCH + Duration::days(1000);
        assert_eq!(relative(now - Duration::days(3), now), "3 days ago");
        assert_eq!(relative(now + Duration::hours(5), now), "in 5 hours");
        assert_eq!(relative(now - Duration::seconds(10), now), "just now");
        assert_eq!(relative(now - Duration::minutes(1), now), "1 minute ago");
    }
}
