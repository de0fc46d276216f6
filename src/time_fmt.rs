//! Time helpers: one clock for stored times, and human wording for pages.

use time::{Duration, OffsetDateTime, format_description::well_known::Rfc3339};

/// Now, in the one form every stored time takes (see [`canonical`]).
pub fn now() -> OffsetDateTime {
    canonical(OffsetDateTime::now_utc())
}

/// UTC, whole microseconds (what PostgreSQL's `timestamptz` keeps), and a
/// last microsecond digit that is never 0. SQLite stores times as RFC 3339
/// text, which drops trailing zeros of the fraction (`.12Z` beside
/// `.123Z`) and then sorts wrongly as text; with a non-zero last digit
/// every time has exactly six fractional digits, so text order is time
/// order. The shift is at most 1 µs per ten.
pub fn canonical(t: OffsetDateTime) -> OffsetDateTime {
    let t = t.to_offset(time::UtcOffset::UTC);
    let mut micros = t.nanosecond() / 1_000;
    if micros.is_multiple_of(10) {
        micros += 1;
    }
    t.replace_nanosecond(micros * 1_000).unwrap_or(t)
}

/// The latest canonical time at or before `t`, for lower bounds that must
/// not exclude a stored time equal to `t`.
pub fn canonical_floor(t: OffsetDateTime) -> OffsetDateTime {
    let t = t.to_offset(time::UtcOffset::UTC);
    let micros = t.nanosecond() / 1_000;
    let t = t.replace_nanosecond(micros * 1_000).unwrap_or(t);
    if micros.is_multiple_of(10) {
        t - Duration::microseconds(1)
    } else {
        t
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_times_format_to_fixed_width_text_in_time_order() {
        use time::format_description::well_known::Rfc3339;
        let base = OffsetDateTime::UNIX_EPOCH + Duration::days(20_000);
        let mut previous = String::new();
        for micros in [0, 1, 10, 100, 120_000, 123_000, 500_000, 999_990] {
            let t = canonical(base + Duration::microseconds(micros));
            let text = t.format(&Rfc3339).unwrap();
            assert_eq!(text.len(), "2024-10-04T00:00:00.000001Z".len(), "{text}");
            assert!(text >= previous, "{text} sorts after {previous}");
            previous = text;
        }
        let t = base + Duration::microseconds(120_000);
        assert!(canonical_floor(t) <= t);
        assert_eq!(canonical(canonical_floor(t)), canonical_floor(t));
    }

    #[test]
    fn relative_wording() {
        let now = OffsetDateTime::UNIX_EPOCH + Duration::days(1000);
        assert_eq!(relative(now - Duration::days(3), now), "3 days ago");
        assert_eq!(relative(now + Duration::hours(5), now), "in 5 hours");
        assert_eq!(relative(now - Duration::seconds(10), now), "just now");
        assert_eq!(relative(now - Duration::minutes(1), now), "1 minute ago");
    }
}
