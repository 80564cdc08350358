//! Timestamps at the start of a log line, in the forms logging tools print:
//! `2024-03-05 12:34:56.789`, `2024-03-05T12:34:56.789+09:00`, `2024-03-05 12:34:56,789`
//! (Python), `2026/04/01 17:52:51` (Go, .NET), `12:34:56` and `12:34:56.789`, `Mar  5
//! 12:34:56` (syslog), each optionally in square brackets.

/// Digits as a number (at most 9).
fn num(s: &[u8]) -> Option<u32> {
    if s.is_empty() || s.len() > 9 || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    s.iter().try_fold(0u32, |a, &b| {
        a.checked_mul(10)?.checked_add(u32::from(b - b'0'))
    })
}

fn digits(s: &[u8], at: usize, n: usize) -> Option<u32> {
    num(s.get(at..at + n)?)
}

/// `HH:MM:SS[.fff]` at `at`: (ms of day, end).
fn time(s: &[u8], at: usize) -> Option<(i64, usize)> {
    let h = digits(s, at, 2)?;
    let m = (s.get(at + 2) == Some(&b':')).then(|| digits(s, at + 3, 2))??;
    let sec = (s.get(at + 5) == Some(&b':')).then(|| digits(s, at + 6, 2))??;
    if h > 23 || m > 59 || sec > 60 {
        return None;
    }
    let mut end = at + 8;
    let mut ms = 0i64;
    if matches!(s.get(end), Some(b'.' | b',')) {
        let n = s[end + 1..]
            .iter()
            .take(9)
            .take_while(|b| b.is_ascii_digit())
            .count();
        if n > 0 {
            let frac = &s[end + 1..end + 1 + n];
            let first3: Vec<u8> = frac.iter().copied().chain(*b"000").take(3).collect();
            ms = i64::from(num(&first3)?);
            end += 1 + n;
        }
    }
    let t = ((i64::from(h) * 60 + i64::from(m)) * 60 + i64::from(sec)) * 1000 + ms;
    Some((t, end))
}

/// `Z`, `+09:00`, `+0900`, `-05` at `at`: (offset ms, end).
fn zone(s: &[u8], at: usize) -> (i64, usize) {
    match s.get(at) {
        Some(b'Z') => (0, at + 1),
        Some(&c @ (b'+' | b'-')) => {
            let sign = if c == b'-' { -1 } else { 1 };
            let Some(h) = digits(s, at + 1, 2) else {
                return (0, at);
            };
            let (m, end) = if s.get(at + 3) == Some(&b':') {
                match digits(s, at + 4, 2) {
                    Some(m) => (m, at + 6),
                    None => (0, at + 3),
                }
            } else {
                match digits(s, at + 3, 2) {
                    Some(m) => (m, at + 5),
                    None => (0, at + 3),
                }
            };
            if h > 14 || m > 59 {
                return (0, at);
            }
            (sign * (i64::from(h) * 60 + i64::from(m)) * 60_000, end)
        }
        _ => (0, at),
    }
}

const MONTHS: [&[u8; 3]; 12] = [
    b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
];

fn day_ms(y: u32, mo: u32, d: u32) -> Option<i64> {
    let date = echonet::Date::new(
        u16::try_from(y).ok()?,
        u8::try_from(mo).ok()?,
        u8::try_from(d).ok()?,
    )?;
    Some(date.days_since_epoch() * 86_400_000)
}

/// A date and time at `at`: (t_ms, end).
fn date_time(s: &[u8], at: usize) -> Option<(i64, usize)> {
    // YYYY-MM-DD or YYYY/MM/DD, then T or a space, then the time, then an optional zone.
    if let Some(y) = digits(s, at, 4) {
        let sep = *s.get(at + 4)?;
        if !matches!(sep, b'-' | b'/') || s.get(at + 7) != Some(&sep) {
            return None;
        }
        let mo = digits(s, at + 5, 2)?;
        let d = digits(s, at + 8, 2)?;
        if !matches!(s.get(at + 10), Some(b'T' | b' ')) {
            return None;
        }
        let base = day_ms(y, mo, d)?;
        let (t, end) = time(s, at + 11)?;
        let (off, end) = zone(s, end);
        return Some((base + t - off, end));
    }
    // Syslog: `Mar  5 12:34:56` (no year: 2000 is assumed, times stay comparable).
    let m = MONTHS
        .iter()
        .position(|m| s.get(at..at + 3) == Some(&m[..]))?;
    let mut p = at + 3;
    if s.get(p) != Some(&b' ') {
        return None;
    }
    while s.get(p) == Some(&b' ') && p < at + 5 {
        p += 1;
    }
    let n = s[p..]
        .iter()
        .take(2)
        .take_while(|b| b.is_ascii_digit())
        .count();
    let d = digits(s, p, n)?;
    if s.get(p + n) != Some(&b' ') {
        return None;
    }
    let base = day_ms(2000, u32::try_from(m + 1).ok()?, d)?;
    let (t, end) = time(s, p + n + 1)?;
    Some((base + t, end))
}

/// A timestamp at the start of `s`: bytes consumed (brackets included) and its time in ms.
pub(crate) fn timestamp(s: &[u8]) -> Option<(usize, Option<i64>)> {
    let first = *s.first()?;
    if !(first.is_ascii_digit() || first == b'[' || first.is_ascii_uppercase()) {
        return None;
    }
    let open = usize::from(first == b'[');
    let (t, end) = date_time(s, open).or_else(|| time(s, open))?;
    let end = if open == 1 {
        if s.get(end) != Some(&b']') {
            return None;
        }
        end + 1
    } else {
        end
    };
    match s.get(end) {
        None | Some(b' ' | b'[' | b'|') => Some((end, Some(t))),
        Some(b':') if open == 1 => Some((end + 1, Some(t))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        let t = |s: &str| timestamp(s.as_bytes());
        let base = 19_787 * 86_400_000i64; // 2024-03-05
        let tod = (12 * 3600 + 34 * 60 + 56) * 1000 + 789;
        assert_eq!(t("2024-03-05 12:34:56.789 x"), Some((23, Some(base + tod))));
        assert_eq!(
            t("2024-03-05 12:34:56,789 - x"),
            Some((23, Some(base + tod)))
        );
        assert_eq!(
            t("2024-03-05T12:34:56.789+09:00 x"),
            Some((29, Some(base + tod - 9 * 3_600_000)))
        );
        assert_eq!(
            t("2024-03-05T12:34:56Z"),
            Some((20, Some(base + tod - 789)))
        );
        assert_eq!(t("[12:34:56] x"), Some((10, Some(tod - 789))));
        assert_eq!(t("[12:34:56][D]"), Some((10, Some(tod - 789))));
        assert_eq!(t("12:34:56.789 [debug]").map(|x| x.0), Some(12));
        assert_eq!(t("2026/04/01 17:52:51 trce:").map(|x| x.0), Some(19));
        assert_eq!(t("Mar  5 12:34:56 host").map(|x| x.0), Some(15));
        // Not timestamps: hex dumps, addresses, prose.
        for s in [
            "10:81:00:01",
            "00:00:00:00:11",
            "FE80:0000:0000",
            "12:34",
            "EVENT 20",
            "2024-13-01 00:00:00",
        ] {
            assert_eq!(t(s), None, "{s}");
        }
    }
}
