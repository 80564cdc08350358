//! How long recorded readings are kept, and what may be deleted without asking.
//!
//! The user chooses [`Keep::Everything`] (the default) or [`Keep::Days`]. Readings older than
//! the chosen number of days are deleted only when they have already been exported (the readings
//! CSV remembers up to which time it covered everything: the "exported through" mark); older
//! readings that were never exported are kept until the user says what to do ([`Plan::ask`]).
//! Meter history days are small (≈ 0.5 KB a day) and are always kept.

/// One day, ms.
pub const DAY_MS: i64 = 86_400_000;

/// Longest retention the setting offers, days (ten years).
pub const MAX_DAYS: u16 = 3650;

/// How long readings are kept.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Keep {
    /// Never delete anything (the default).
    #[default]
    Everything,
    /// Keep the last `n` days (1 ..= [`MAX_DAYS`]).
    Days(u16),
}

impl Keep {
    /// From a stored number of days: 0 (or anything unreadable) is "everything"; more than
    /// [`MAX_DAYS`] is clamped.
    pub fn from_days(days: u32) -> Keep {
        match days {
            0 => Keep::Everything,
            d => Keep::Days(u16::try_from(d.min(u32::from(MAX_DAYS))).unwrap_or(MAX_DAYS)),
        }
    }

    /// The number of days kept, 0 for everything (what is stored).
    pub fn days(self) -> u16 {
        match self {
            Keep::Everything => 0,
            Keep::Days(d) => d,
        }
    }

    /// Readings stamped before this (epoch ms) are older than the setting keeps; `None` when
    /// everything is kept.
    pub fn cutoff(self, now_ms: i64) -> Option<i64> {
        match self {
            Keep::Everything => None,
            Keep::Days(d) => Some(now_ms.saturating_sub(i64::from(d.max(1)) * DAY_MS)),
        }
    }
}

/// What to do about old readings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// Delete the readings stamped before this without asking: older than the setting keeps
    /// and already exported.
    pub delete_before: Option<i64>,
    /// Readings stamped in `from .. to` are older than the setting keeps but were never
    /// exported: ask before deleting them (export first, delete anyway, or keep).
    pub ask: Option<(i64, i64)>,
}

/// The plan for `keep` at `now_ms`, when every reading stamped at or before `exported_through`
/// has been exported (`None`: nothing has).
pub fn plan(keep: Keep, now_ms: i64, exported_through: Option<i64>) -> Plan {
    let Some(cutoff) = keep.cutoff(now_ms) else {
        return Plan::default();
    };
    // Exported: everything stamped before `safe`.
    let safe = exported_through.map_or(i64::MIN, |t| t.saturating_add(1));
    let delete_to = safe.min(cutoff);
    Plan {
        delete_before: (exported_through.is_some() && delete_to > i64::MIN).then_some(delete_to),
        ask: (safe < cutoff).then_some((safe, cutoff)),
    }
}

/// The new "exported through" mark after an export that covered every reading stamped up to
/// `newest` (the newest reading in the file): it never moves back.
pub fn exported_through(before: Option<i64>, newest: Option<i64>) -> Option<i64> {
    match (before, newest) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

/// A size in bytes for people, in decimal units as browsers report them: `850 KB`,
/// `18.2 MB`, `1,234 MB`, `12 GB`.
pub fn size_text(bytes: u64) -> String {
    const KB: u64 = 1000;
    const MB: u64 = 1000 * KB;
    const GB: u64 = 1000 * MB;
    let round = |n: u64, unit: u64| n.saturating_add(unit / 2) / unit;
    if bytes < MB {
        format!("{} KB", round(bytes, KB).max(u64::from(bytes > 0)))
    } else if bytes < 100 * MB {
        let tenths = round(bytes, MB / 10);
        format!("{}.{} MB", tenths / 10, tenths % 10)
    } else if bytes < 10 * GB {
        format!("{} MB", grouped(round(bytes, MB)))
    } else {
        format!("{} GB", grouped(round(bytes, GB)))
    }
}

/// Thousands separated by commas.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const NOW: i64 = 1_796_000_000_000;

    #[test]
    fn everything_is_kept_by_default() {
        assert_eq!(Keep::default(), Keep::Everything);
        assert_eq!(plan(Keep::Everything, NOW, None), Plan::default());
        assert_eq!(plan(Keep::Everything, NOW, Some(NOW)), Plan::default());
        assert_eq!(Keep::from_days(0), Keep::Everything);
        assert_eq!(Keep::from_days(30).days(), 30);
        assert_eq!(Keep::from_days(u32::MAX), Keep::Days(MAX_DAYS));
    }

    #[test]
    fn exported_readings_go_without_asking() {
        let keep = Keep::Days(30);
        let cutoff = NOW - 30 * DAY_MS;
        // Exported up to now: everything older than 30 days goes, nothing to ask.
        assert_eq!(
            plan(keep, NOW, Some(NOW)),
            Plan {
                delete_before: Some(cutoff),
                ask: None
            }
        );
        // Exported up to 40 days ago: those go; 40 → 30 days ago must be asked about.
        let t = NOW - 40 * DAY_MS;
        assert_eq!(
            plan(keep, NOW, Some(t)),
            Plan {
                delete_before: Some(t + 1),
                ask: Some((t + 1, cutoff))
            }
        );
    }

    #[test]
    fn nothing_exported_means_ask_about_everything_old() {
        let cutoff = NOW - 7 * DAY_MS;
        assert_eq!(
            plan(Keep::Days(7), NOW, None),
            Plan {
                delete_before: None,
                ask: Some((i64::MIN, cutoff))
            }
        );
    }

    #[test]
    fn the_mark_never_moves_back() {
        assert_eq!(exported_through(None, None), None);
        assert_eq!(exported_through(Some(5), None), Some(5));
        assert_eq!(exported_through(None, Some(7)), Some(7));
        assert_eq!(exported_through(Some(9), Some(7)), Some(9));
    }

    #[test]
    fn sizes_read_well() {
        assert_eq!(size_text(0), "0 KB");
        assert_eq!(size_text(1), "1 KB");
        assert_eq!(size_text(850_400), "850 KB");
        assert_eq!(size_text(18_240_000), "18.2 MB");
        assert_eq!(size_text(99_960_000), "100.0 MB");
        assert_eq!(size_text(1_234_400_000), "1,234 MB");
        assert_eq!(size_text(299_000_000_000), "299 GB");
        assert_eq!(size_text(u64::MAX), "18,446,744,073 GB");
    }

    proptest! {
        /// Whatever the inputs, nothing unexported is ever in the "delete without asking" range,
        /// and nothing the setting keeps is in either range.
        #[test]
        fn never_deletes_the_unexported(days in 0u32..5000, now in any::<i64>(), mark in proptest::option::of(any::<i64>())) {
            let keep = Keep::from_days(days);
            let p = plan(keep, now, mark);
            if let Some(d) = p.delete_before {
                let mark = mark.expect("deleting needs an export");
                prop_assert!(d <= mark.saturating_add(1));
                prop_assert!(keep.cutoff(now).is_some_and(|c| d <= c));
            }
            if let Some((from, to)) = p.ask {
                prop_assert!(from < to);
                prop_assert!(keep.cutoff(now).is_some_and(|c| to <= c));
                prop_assert!(mark.is_none_or(|m| from > m));
            }
        }
    }
}
