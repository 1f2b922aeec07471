//! When a shop is open: its weekly hours, the days that differ (holidays, a short day before
//! one), and what that makes of a moment — open until when, or closed until when.
//!
//! Hours are Asia/Seoul wall-clock times (no daylight saving there, so a fixed +09:00).

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveTime, TimeZone, Utc};
use golmok_core::ValidationErrors;
use serde::{Deserialize, Serialize};

use crate::merchant::OpeningHours;

/// Monday first, as `OpeningHours` keys its days.
pub(crate) const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// A day whose hours are not the week's: `spans` empty is closed all day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct HoursException {
    #[schema(value_type = String, format = Date)]
    pub date: NaiveDate,
    /// `[["10:00", "15:00"]]`, or `[]` for closed.
    pub spans: Vec<[String; 2]>,
    /// What the shopper is told ("설 연휴").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A shop at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Openness {
    Open {
        until: DateTime<Utc>,
    },
    /// `opens_at` is none when nothing opens within the next two weeks.
    Closed {
        opens_at: Option<DateTime<Utc>>,
    },
}

pub fn seoul() -> FixedOffset {
    golmok_core::seoul::offset()
}

pub(crate) fn minutes(hhmm: &str) -> Option<u32> {
    let (h, m) = hhmm.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (m < 60 && (h < 24 || (h == 24 && m == 0))).then_some(h * 60 + m)
}

/// Spans in order, each opening before it closes, without overlap.
pub(crate) fn validate_spans(field: &str, spans: &[[String; 2]], errors: &mut ValidationErrors) {
    let mut last_close = 0;
    for (i, [open, close]) in spans.iter().enumerate() {
        match (minutes(open), minutes(close)) {
            (Some(o), Some(c)) if o < c && o >= last_close => last_close = c,
            (Some(_), Some(_)) => errors.add(
                format!("{field}[{i}]"),
                "spans must open before they close, in order, without overlap",
            ),
            _ => errors.add(format!("{field}[{i}]"), "times are HH:MM, 00:00 to 24:00"),
        }
    }
}

pub(crate) fn validate_exceptions(exceptions: &[HoursException], errors: &mut ValidationErrors) {
    if exceptions.len() > 100 {
        errors.add("hours_exceptions", "at most 100 days");
    }
    for (i, e) in exceptions.iter().enumerate() {
        validate_spans(&format!("hours_exceptions[{i}].spans"), &e.spans, errors);
        if exceptions[..i].iter().any(|earlier| earlier.date == e.date) {
            errors.add(format!("hours_exceptions[{i}].date"), "is given twice");
        }
        if e.note.as_deref().is_some_and(|n| n.chars().count() > 100) {
            errors.add(
                format!("hours_exceptions[{i}].note"),
                "must be at most 100 characters",
            );
        }
    }
}

/// The spans of one Seoul date, in minutes of the day.
fn spans_on(
    hours: &OpeningHours,
    exceptions: &[HoursException],
    date: NaiveDate,
) -> Vec<(u32, u32)> {
    let spans = match exceptions.iter().find(|e| e.date == date) {
        Some(e) => &e.spans,
        None => match hours
            .0
            .get(WEEKDAYS[date.weekday().num_days_from_monday() as usize])
        {
            Some(spans) => spans,
            None => return Vec::new(),
        },
    };
    spans
        .iter()
        .filter_map(|[o, c]| Some((minutes(o)?, minutes(c)?)))
        .collect()
}

fn at_minute(date: NaiveDate, minute: u32) -> DateTime<Utc> {
    let local = date.and_time(NaiveTime::MIN) + Duration::minutes(i64::from(minute));
    seoul()
        .from_local_datetime(&local)
        .single()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&local))
}

/// Open or closed at `at`, by the week's hours and the exceptions.
pub fn openness(
    hours: &OpeningHours,
    exceptions: &[HoursException],
    at: DateTime<Utc>,
) -> Openness {
    let local = at.with_timezone(&seoul());
    let today = local.date_naive();
    let now = local
        .time()
        .signed_duration_since(NaiveTime::MIN)
        .num_minutes() as u32;
    if let Some((_, close)) = spans_on(hours, exceptions, today)
        .into_iter()
        .find(|&(o, c)| o <= now && now < c)
    {
        return Openness::Open {
            until: at_minute(today, close),
        };
    }
    for day in 0..14 {
        let date = today + Duration::days(day);
        if let Some((open, _)) = spans_on(hours, exceptions, date)
            .into_iter()
            .find(|&(o, _)| day > 0 || o > now)
        {
            return Openness::Closed {
                opens_at: Some(at_minute(date, open)),
            };
        }
    }
    Openness::Closed { opens_at: None }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn week() -> OpeningHours {
        // Mon–Fri 10:00–13:00 and 14:00–19:00, Sat 10:00–15:00, Sunday closed.
        let mut days = std::collections::BTreeMap::new();
        for d in ["mon", "tue", "wed", "thu", "fri"] {
            days.insert(
                d.to_owned(),
                vec![
                    ["10:00".to_owned(), "13:00".to_owned()],
                    ["14:00".to_owned(), "19:00".to_owned()],
                ],
            );
        }
        days.insert("sat".into(), vec![["10:00".to_owned(), "15:00".to_owned()]]);
        OpeningHours(days)
    }

    /// A Seoul wall-clock time.
    fn seoul_at(date: &str, time: &str) -> DateTime<Utc> {
        let local =
            chrono::NaiveDateTime::parse_from_str(&format!("{date} {time}"), "%Y-%m-%d %H:%M")
                .unwrap();
        seoul()
            .from_local_datetime(&local)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn open_until_the_span_ends_and_closed_until_the_next_opens() {
        let w = week();
        // 2026-12-02 is a Wednesday.
        assert_eq!(
            openness(&w, &[], seoul_at("2026-12-02", "11:30")),
            Openness::Open {
                until: seoul_at("2026-12-02", "13:00")
            }
        );
        assert_eq!(
            openness(&w, &[], seoul_at("2026-12-02", "13:30")),
            Openness::Closed {
                opens_at: Some(seoul_at("2026-12-02", "14:00"))
            }
        );
        assert_eq!(
            openness(&w, &[], seoul_at("2026-12-02", "19:00")),
            Openness::Closed {
                opens_at: Some(seoul_at("2026-12-03", "10:00"))
            }
        );
        // Saturday evening: Sunday is closed, Monday opens.
        assert_eq!(
            openness(&w, &[], seoul_at("2026-12-05", "16:00")),
            Openness::Closed {
                opens_at: Some(seoul_at("2026-12-07", "10:00"))
            }
        );
    }

    #[test]
    fn a_holiday_closes_a_day_and_a_short_day_shortens_it() {
        let w = week();
        let exceptions = [
            HoursException {
                date: NaiveDate::from_ymd_opt(2026, 12, 25).unwrap(),
                spans: vec![],
                note: Some("성탄절".into()),
            },
            HoursException {
                date: NaiveDate::from_ymd_opt(2026, 12, 24).unwrap(),
                spans: vec![["10:00".into(), "12:00".into()]],
                note: None,
            },
        ];
        assert_eq!(
            openness(&w, &exceptions, seoul_at("2026-12-24", "12:30")),
            Openness::Closed {
                opens_at: Some(seoul_at("2026-12-26", "10:00"))
            }
        );
        assert_eq!(
            openness(&w, &exceptions, seoul_at("2026-12-24", "11:00")),
            Openness::Open {
                until: seoul_at("2026-12-24", "12:00")
            }
        );
        assert_eq!(
            openness(
                &OpeningHours::default(),
                &[],
                seoul_at("2026-12-24", "11:00")
            ),
            Openness::Closed { opens_at: None }
        );
    }

    #[test]
    fn exceptions_are_checked() {
        let mut errors = ValidationErrors::new();
        let day = NaiveDate::from_ymd_opt(2026, 12, 25).unwrap();
        validate_exceptions(
            &[
                HoursException {
                    date: day,
                    spans: vec![["15:00".into(), "10:00".into()]],
                    note: None,
                },
                HoursException {
                    date: day,
                    spans: vec![],
                    note: None,
                },
            ],
            &mut errors,
        );
        let fields: Vec<String> = errors.0.iter().map(|e| e.field.clone()).collect();
        assert_eq!(
            fields,
            ["hours_exceptions[0].spans[0]", "hours_exceptions[1].date"]
        );
    }
}
