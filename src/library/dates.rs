//! Dates as feeds, pages and front matter write them, which is seldom as
//! their specifications say: RFC 3339 and ISO 8601 with or without a time,
//! seconds or offset, and RFC 822 / 2822 with a weekday in any language or
//! none, long month names, the month before the day, two-digit years,
//! single-digit hours and named time zones.

use chrono::{NaiveDate, NaiveTime};

use crate::clock::Millis;

/// `text` as a moment in UTC milliseconds; `None` when it is not a date.
/// A date without a time is midnight; a time without an offset is UTC.
pub fn parse(text: &str) -> Option<Millis> {
    let text = text.trim();
    iso(text).or_else(|| rfc822(text))
}

/// `2026-11-30`, `2026-11-30T12:00Z`, `2026-11-30 12:00:00.5+0100`…
fn iso(text: &str) -> Option<Millis> {
    let date = text.get(..10)?;
    let mut parts = date.split('-');
    let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
    if year.len() != 4 || month.len() != 2 || day.len() != 2 {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(year.parse().ok()?, month.parse().ok()?, day.parse().ok()?)?;
    let rest = text.get(10..)?;
    let Some(rest) = rest.strip_prefix(['T', 't', ' ']) else {
        return rest.is_empty().then(|| at(date, NaiveTime::MIN, 0));
    };
    let zone_at = rest.find(['Z', 'z', '+', '-', ' ']).unwrap_or(rest.len());
    let time = clock(rest.get(..zone_at)?)?;
    let zone = rest.get(zone_at..)?.trim();
    let offset = if zone.is_empty() { 0 } else { offset(zone)? };
    Some(at(date, time, offset))
}

/// `Mon, 30 Nov 2026 12:00:00 +0000` and the ways feeds get it wrong.
fn rfc822(text: &str) -> Option<Millis> {
    let (mut day, mut month, mut year) = (None, None, None);
    let mut time = None;
    let mut zone = 0;
    for token in text.split(|c: char| c.is_whitespace() || c == ',') {
        let token = token.trim_end_matches('.');
        if token.is_empty() {
            continue;
        }
        if token.contains(':') && token.starts_with(|c: char| c.is_ascii_digit()) {
            time = time.or_else(|| clock(token));
        } else if let Some(m) = month_named(token) {
            month = month.or(Some(m));
        } else if token.chars().all(|c| c.is_ascii_digit()) {
            let n: u32 = token.parse().ok()?;
            if token.len() >= 3 || n > 31 || day.is_some() {
                year = year.or(Some(if token.len() <= 2 {
                    two_digit_year(n)
                } else {
                    n
                }));
            } else {
                day = Some(n);
            }
        } else if let Some(o) = offset(token) {
            zone = o;
        }
    }
    let date = NaiveDate::from_ymd_opt(i32::try_from(year?).ok()?, month?, day?)?;
    Some(at(date, time.unwrap_or(NaiveTime::MIN), zone))
}

/// `h:mm`, `hh:mm:ss`, `hh:mm:ss.fff`; 24:00 is taken as midnight of that
/// day, as the feeds that write it seem to mean.
fn clock(text: &str) -> Option<NaiveTime> {
    let mut parts = text.split(':');
    let hour: u32 = parts.next()?.parse().ok()?;
    let minute: u32 = parts.next()?.parse().ok()?;
    let second = match parts.next() {
        Some(s) => s.split(['.', ',']).next()?.parse().ok()?,
        None => 0,
    };
    if parts.next().is_some() {
        return None;
    }
    NaiveTime::from_hms_opt(if hour == 24 { 0 } else { hour }, minute, second.min(59))
}

/// A zone as seconds east of UTC: `Z`, `+0100`, `-05:00`, `+01`, or one of
/// the names RFC 822 allows and feeds use.
fn offset(zone: &str) -> Option<i64> {
    let named = match zone.to_ascii_uppercase().as_str() {
        "Z" | "UT" | "UTC" | "GMT" => Some(0),
        "EST" => Some(-5),
        "EDT" => Some(-4),
        "CST" => Some(-6),
        "CDT" => Some(-5),
        "MST" => Some(-7),
        "MDT" => Some(-6),
        "PST" => Some(-8),
        "PDT" => Some(-7),
        _ => None,
    };
    if let Some(hours) = named {
        return Some(hours * 3600);
    }
    let (sign, digits) = match zone.split_at_checked(1)? {
        ("+", rest) => (1, rest),
        ("-", rest) => (-1, rest),
        _ => return None,
    };
    let digits: String = digits.chars().filter(|c| *c != ':').collect();
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let (hours, minutes) = match digits.len() {
        2 => (digits.parse::<i64>().ok()?, 0),
        4 => (
            digits.get(..2)?.parse::<i64>().ok()?,
            digits.get(2..)?.parse::<i64>().ok()?,
        ),
        _ => return None,
    };
    (hours <= 23 && minutes <= 59).then_some(sign * (hours * 3600 + minutes * 60))
}

/// The month a word names, in English, short or long (`Nov`, `November`).
fn month_named(word: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    if word.len() < 3 || !word.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let head = word.get(..3)?.to_ascii_lowercase();
    let index = MONTHS.iter().position(|m| *m == head)?;
    u32::try_from(index + 1).ok()
}

fn two_digit_year(n: u32) -> u32 {
    if n < 50 {
        2000 + n
    } else {
        1900 + n
    }
}

fn at(date: NaiveDate, time: NaiveTime, offset_seconds: i64) -> Millis {
    date.and_time(time).and_utc().timestamp_millis() - offset_seconds * 1000
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOON: Millis = 1_796_040_000_000; // 2026-11-30 12:00 UTC

    #[test]
    fn the_forms_feeds_write() {
        for text in [
            "2026-11-30T12:00:00Z",
            "2026-11-30T12:00Z",
            "2026-11-30T13:00:00+01:00",
            "2026-11-30T13:00:00.250+0100",
            "2026-11-30 12:00:00",
            "2026-11-30T07:00:00-05:00",
            "Mon, 30 Nov 2026 12:00:00 +0000",
            "Mon, 30 Nov 2026 12:00:00 GMT",
            "Monday, 30 November 2026 07:00:00 EST",
            "Lun, 30 Nov 2026 12:00 UT",
            "30 Nov 2026 12:00:00 Z",
            "Mon, Nov 30 2026 12:00:00 +00:00",
            "Mon, 30 Nov 26 12:00:00 GMT",
            "Mon, 30 Nov 2026 12:00:00",
            "Sat, 30 Nov 2026 13:00:00 +0100",
        ] {
            assert_eq!(parse(text), Some(NOON), "{text}");
        }
        assert_eq!(parse("2026-11-30"), Some(NOON - 12 * 3_600_000));
        assert_eq!(
            parse("Mon, 30 Nov 2026 9:05:00 +0000"),
            Some(NOON - 2 * 3_600_000 - 55 * 60_000)
        );
    }

    #[test]
    fn what_is_not_a_date() {
        for text in [
            "",
            "someday",
            "2026-13-40",
            "32 Nov 2026",
            "12:00",
            "Nov 2026",
        ] {
            assert_eq!(parse(text), None, "{text}");
        }
    }
}
