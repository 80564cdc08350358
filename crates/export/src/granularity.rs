//! Granularity diagnostics: how coarse the meter's energy counter is, and what that does to
//! power derived from it.
//!
//! A cumulative counter moves in whole counts. One count is the *effective step*:
//! D3 coefficient × E1 unit on a low-voltage meter, D3 × D4 multiplier × E6 unit on a
//! high-voltage one ([`effective_step`]). The simulator's high-voltage meter (D3 = 24,
//! D4 = 0.01, E6 = 1 kWh) has a step of 0.24 kWh.
//!
//! Power derived from the change of the counter over an interval of *m* minutes can only take
//! multiples of step × 60 / *m* kW: with 1-minute deltas a 0.24 kWh step means 14.4 kW per
//! count, so a building drawing a steady 100 kW shows 86.4 or 100.8 kW alternately, never
//! 100 ([`power_step_kw`]). The recorded series confirms the step ([`diagnose`]: the
//! smallest non-zero change seen) and [`minute_table`] shows it minute by minute (time,
//! cumulative kWh, kWh in the minute), exportable with [`minute_table_csv`].

use echonet::Decimal;

use crate::csvfmt::{num, Out};
use crate::record::{Record, RecordKind, Scaling};
use crate::time::iso_jst;
use crate::Lang;

/// One sample of the cumulative energy counter: wall-clock time and raw count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sample {
    /// Epoch ms when it was received.
    pub t_ms: i64,
    /// Raw count.
    pub raw: u32,
}

/// The normal-direction (or high-voltage active) energy samples of polled records, in the
/// records' order; sentinels skipped.
pub fn samples(records: &[Record]) -> Vec<Sample> {
    records
        .iter()
        .filter(|r| matches!(r.kind, RecordKind::Lv | RecordKind::Hv))
        .filter_map(|r| {
            Some(Sample {
                t_ms: r.t_ms,
                raw: r.normal.as_ref()?.raw.value()?,
            })
        })
        .collect()
}

/// One count in kWh (D3 × E1, or D3 × D4 × E6), exactly; `None` while the unit is unknown.
pub fn effective_step(scaling: &Scaling) -> Option<Decimal> {
    scaling.kwh_per_count()
}

/// The smallest change of power (kW) that deltas over `minutes` can show: step × 60 / minutes.
/// `None` unless `minutes` divides 60 (the result is then exact).
pub fn power_step_kw(step_kwh: Decimal, minutes: u32) -> Option<Decimal> {
    if minutes == 0 || 60 % minutes != 0 {
        return None;
    }
    step_kwh.checked_mul(Decimal::from_int(i64::from(60 / minutes)))
}

/// What the scaling and the recorded series say about the counter's resolution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Granularity {
    /// One count in kWh from the scaling.
    pub step_kwh: Option<Decimal>,
    /// Smallest non-zero change between consecutive samples, in counts.
    pub observed_step_counts: Option<u64>,
    /// The same in kWh.
    pub observed_step_kwh: Option<Decimal>,
    /// kW per count for power derived from 1-minute deltas (step × 60).
    pub kw_per_count_1min: Option<Decimal>,
    /// kW per count for power derived from 30-minute deltas (step × 2).
    pub kw_per_count_30min: Option<Decimal>,
    /// Samples looked at.
    pub samples: usize,
}

/// Diagnose from the scaling and a recorded series (in time order).
pub fn diagnose(scaling: &Scaling, samples: &[Sample]) -> Granularity {
    let step = effective_step(scaling);
    let observed = samples
        .windows(2)
        .filter_map(|w| scaling.delta_counts(w[0].raw, w[1].raw))
        .filter(|&d| d > 0)
        .min();
    Granularity {
        step_kwh: step,
        observed_step_counts: observed,
        observed_step_kwh: observed
            .and_then(|n| i64::try_from(n).ok())
            .zip(step)
            .and_then(|(n, s)| s.checked_mul(Decimal::from_int(n))),
        kw_per_count_1min: step.and_then(|s| power_step_kw(s, 1)),
        kw_per_count_30min: step.and_then(|s| power_step_kw(s, 30)),
        samples: samples.len(),
    }
}

impl Granularity {
    /// A one-paragraph explanation for the UI.
    pub fn explain(&self, lang: Lang) -> String {
        let Some(step) = self.step_kwh else {
            return lang
                .pick(
                    "単位(E1/E6)がまだ分からないため、刻みを計算できません。",
                    "The energy unit (E1/E6) is not known yet, so the step cannot be computed.",
                )
                .to_string();
        };
        let kw = num(self.kw_per_count_1min);
        let mut s = match lang {
            Lang::Ja => format!(
                "積算電力量の1カウントは {step} kWh です。1分間の差分から求めた電力は {kw} kW 刻みになります。"
            ),
            Lang::En => format!(
                "One count of the energy counter is {step} kWh. Power derived from 1-minute deltas moves in steps of {kw} kW."
            ),
        };
        if let Some(obs) = self.observed_step_kwh {
            s.push_str(&match lang {
                Lang::Ja => format!(" 記録から観測した最小の変化: {obs} kWh。"),
                Lang::En => format!(" Smallest change seen in the recording: {obs} kWh."),
            });
        }
        s
    }
}

/// One row of the 1-minute table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MinuteRow {
    /// Start of the minute, epoch ms.
    pub t_ms: i64,
    /// Raw count of the first sample received in that minute.
    pub raw: u32,
    /// The same in kWh.
    pub kwh: Option<Decimal>,
    /// kWh since the previous row, when that row is the minute before (roll-over aware).
    pub delta_kwh: Option<Decimal>,
    /// The delta as average power over the minute, kW (delta × 60).
    pub power_kw: Option<Decimal>,
}

/// The 1-minute table: for each minute with a sample, the first sample of that minute, its
/// cumulative kWh and the kWh since the minute before. Samples are sorted by time first.
pub fn minute_table(samples: &[Sample], scaling: &Scaling) -> Vec<MinuteRow> {
    let mut sorted = samples.to_vec();
    sorted.sort_by_key(|s| s.t_ms);
    let mut rows: Vec<MinuteRow> = Vec::new();
    for s in sorted {
        let minute = s.t_ms.div_euclid(60_000);
        let t_ms = minute.saturating_mul(60_000);
        if rows.last().is_some_and(|r| r.t_ms == t_ms) {
            continue;
        }
        let delta_kwh = rows
            .last()
            .filter(|r| r.t_ms.checked_add(60_000) == Some(t_ms))
            .and_then(|r| scaling.delta_kwh(r.raw, s.raw));
        rows.push(MinuteRow {
            t_ms,
            raw: s.raw,
            kwh: scaling.kwh(s.raw),
            delta_kwh,
            power_kw: delta_kwh.and_then(|d| d.checked_mul(Decimal::from_int(60))),
        });
    }
    rows
}

/// The 1-minute table as CSV (crate conventions). Columns: time, cumulative kWh, raw count,
/// kWh in the minute, average power in the minute [kW].
pub fn minute_table_csv(rows: &[MinuteRow], lang: Lang) -> Vec<u8> {
    let mut out = Out::new(64 + rows.len() * 64);
    out.row([
        lang.pick("日時", "Time"),
        lang.pick("積算電力量 [kWh]", "Cumulative energy [kWh]"),
        lang.pick("積算電力量 生値", "Cumulative energy raw count"),
        lang.pick("1分間の電力量 [kWh]", "Energy in the minute [kWh]"),
        lang.pick("1分間の平均電力 [kW]", "Average power in the minute [kW]"),
    ]);
    for r in rows {
        out.row([
            iso_jst(r.t_ms),
            num(r.kwh),
            r.raw.to_string(),
            num(r.delta_kwh),
            num(r.power_kw),
        ]);
    }
    out.finish()
}

#[cfg(test)]
mod test {
    use super::*;
    use crate::record::MeterKind;

    fn hv() -> Scaling {
        Scaling {
            class: MeterKind::High,
            coefficient: Some(24),
            multiplier: Some(2),
            unit: Some(0),
            digits: Some(6),
            ..Scaling::default()
        }
    }

    #[test]
    fn hv_step_is_0_24_kwh_and_14_4_kw_per_minute() {
        let samples: Vec<Sample> = [(0, 999_998), (30_000, 999_998), (60_000, 0), (185_000, 3)]
            .iter()
            .map(|&(t, raw)| Sample { t_ms: t, raw })
            .collect();
        let g = diagnose(&hv(), &samples);
        assert_eq!(g.step_kwh.unwrap().to_string(), "0.24");
        assert_eq!(g.kw_per_count_1min.unwrap().to_string(), "14.4");
        assert_eq!(g.kw_per_count_30min.unwrap().to_string(), "0.48");
        assert_eq!(g.observed_step_counts, Some(2));
        assert_eq!(g.observed_step_kwh.unwrap().to_string(), "0.48");
        assert!(g.explain(Lang::Ja).contains("14.4 kW"));
        assert!(g.explain(Lang::En).contains("0.24 kWh"));
        let rows = minute_table(&samples, &hv());
        assert_eq!(rows.len(), 3);
        // 999998 → 0 rolls over at 10^6: 2 counts = 0.48 kWh = 28.8 kW over the minute.
        assert_eq!(rows[1].delta_kwh.unwrap().to_string(), "0.48");
        assert_eq!(rows[1].power_kw.unwrap().to_string(), "28.8");
        assert_eq!(rows[2].delta_kwh, None, "gap of a minute");
        let csv = minute_table_csv(&rows, Lang::En);
        let t = std::str::from_utf8(&csv[3..]).unwrap();
        assert!(
            t.contains("1970-01-01T09:01:00+09:00,0,0,0.48,28.8\r\n"),
            "{t}"
        );
        assert_eq!(power_step_kw(Decimal::from_int(1), 7), None);
    }
}
