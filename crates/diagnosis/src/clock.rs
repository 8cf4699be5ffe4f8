// Owns: the wall clock in seconds since 1970, and writing such seconds as a UTC date or date
// and time without a time-zone database. Must not: guess a local time zone.

/// Seconds since 1970 now (0 on a clock set before 1970).
pub fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// `2026-11-27` from seconds since 1970 (UTC).
pub fn utc_date(unix: i64) -> String {
    let (y, m, d) = civil_from_days(unix.div_euclid(86_400));
    format!("{y:04}-{m:02}-{d:02}")
}

/// `2026-11-27 19:40:05Z` from seconds since 1970 (UTC).
pub fn utc_date_time(secs: u64) -> String {
    let unix = i64::try_from(secs).unwrap_or(i64::MAX);
    let rem = unix.rem_euclid(86_400);
    format!(
        "{} {:02}:{:02}:{:02}Z",
        utc_date(unix),
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Year, month and day of a day counted from 1970-01-01 (Howard Hinnant's civil-from-days).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_civil() {
        assert_eq!(utc_date(0), "1970-01-01");
        assert_eq!(utc_date(951_782_400), "2000-02-29");
        assert_eq!(utc_date(1_795_794_297), "2026-11-27");
    }

    #[test]
    fn times_are_written_in_utc() {
        assert_eq!(utc_date_time(0), "1970-01-01 00:00:00Z");
        assert_eq!(utc_date_time(1_795_800_005), "2026-11-27 17:20:05Z");
        assert_eq!(utc_date_time(951_782_400), "2000-02-29 00:00:00Z");
    }
}
