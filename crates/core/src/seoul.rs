//! Seoul's calendar: the time zone every shop, wave and statement is reckoned in (UTC+9 all
//! year, no daylight saving), and its months, by which books are kept.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, TimeZone, Utc};

/// Asia/Seoul.
pub fn offset() -> FixedOffset {
    FixedOffset::east_opt(9 * 3600).unwrap_or_else(|| FixedOffset::east_opt(0).expect("UTC"))
}

/// A calendar month in Seoul, written `2026-12`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Month {
    first: NaiveDate,
}

impl Month {
    /// `2026-12`; anything else (`2026-13`, `2026-1`, `2026-12-01`) is none.
    pub fn parse(s: &str) -> Option<Self> {
        if s.len() != 7 {
            return None;
        }
        let first = NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d").ok()?;
        Some(Self { first })
    }

    /// The month an instant falls in, in Seoul.
    pub fn of(at: DateTime<Utc>) -> Self {
        let local = at.with_timezone(&offset()).date_naive();
        Self {
            first: local.with_day(1).unwrap_or(local),
        }
    }

    /// Its first instant, and the next month's.
    pub fn span(self) -> (DateTime<Utc>, DateTime<Utc>) {
        let next = self
            .first
            .checked_add_months(chrono::Months::new(1))
            .unwrap_or(NaiveDate::MAX);
        (start_of(self.first), start_of(next))
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.first.year(), self.first.month())
    }
}

/// Midnight at the start of `day` in Seoul (a fixed offset: every local time exists once).
fn start_of(day: NaiveDate) -> DateTime<Utc> {
    let midnight = day.and_time(chrono::NaiveTime::MIN);
    offset()
        .from_local_datetime(&midnight)
        .single()
        .map_or_else(|| midnight.and_utc(), |t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_month_runs_from_seoul_s_midnight_on_the_first_to_the_next_one() {
        let december = Month::parse("2026-12").unwrap();
        let (start, end) = december.span();
        assert_eq!(start, Utc.with_ymd_and_hms(2026, 11, 30, 15, 0, 0).unwrap());
        assert_eq!(end, Utc.with_ymd_and_hms(2026, 12, 31, 15, 0, 0).unwrap());
        assert_eq!(Month::of(start), december);
        assert_eq!(Month::of(end - chrono::Duration::seconds(1)), december);
        assert_eq!(Month::of(end).to_string(), "2027-01");
        for bad in ["2026-13", "2026-1", "2026-12-01", "", "december"] {
            assert!(Month::parse(bad).is_none(), "{bad}");
        }
    }
}
