//! The one place kiv reads the clock, so that "now" means the same everywhere: the time stamps it
//! stores, the day a follow-up is checked against, the moment a report stands at.

use chrono::{DurationRound, NaiveDate, NaiveDateTime, TimeDelta};

/// The current time, UTC, at the microsecond precision both backends keep, so a value read back
/// equals the value written.
pub fn now() -> NaiveDateTime {
    let now = chrono::Utc::now().naive_utc();
    now.duration_trunc(TimeDelta::microseconds(1))
        .unwrap_or(now)
}

/// Today's date in UTC: the day reporting rules (a period that has begun, a planned end that has
/// passed) are judged by.
pub fn today() -> NaiveDate {
    now().date()
}
