//! The high-voltage meter (0x028A): demand slots, maximum demand, history and the Get of its
//! own properties.

use super::*;

impl Meter {
    /// Energy in J of the 30-minute slot ending at civil second `end` (a half-hour boundary).
    fn slot_j(&self, end: i64) -> u64 {
        let (a, _, _) = self.profile.cumulative_at(end - 1800);
        let (b, _, _) = self.profile.cumulative_at(end);
        b.saturating_sub(a)
    }

    fn demand_count(&self, hv: &HighVoltage, slot_j: u64) -> u32 {
        let d4 = unit_ratio(hv.multiplier);
        let c5 = unit_ratio(hv.demand_unit);
        joules_to_count(
            slot_j * 2,
            u64::from(hv.coefficient),
            (d4.0 * c5.0, d4.1 * c5.1),
        ) as u32
    }

    /// Maximum 30-minute demand count over completed slots in [from, to).
    fn max_demand(&self, hv: &HighVoltage, from: i64, to: i64) -> u32 {
        let mut best = 0;
        let mut end = from + 1800;
        let mut prev = self.profile.cumulative_at(from).0;
        while end <= to {
            let cur = self.profile.cumulative_at(end).0;
            best = best.max(self.demand_count(hv, cur.saturating_sub(prev)));
            prev = cur;
            end += 1800;
        }
        best
    }

    fn hv_history(&self, ts: i64, f: impl Fn(i64) -> u32) -> Vec<u8> {
        let day = self.day_for_history;
        let mut out = u16::from(day).to_be_bytes().to_vec();
        let midnight =
            CivilDateTime::from_seconds(ts).midnight().to_seconds() - i64::from(day) * 86_400;
        for k in 0..48 {
            let at = midnight + k * 1800;
            out.extend(be32(if at > ts { NO_DATA_U32 } else { f(at) }));
        }
        out
    }

    pub(super) fn get_hv(
        &self,
        hv: &HighVoltage,
        epc: u8,
        ts: i64,
        faults: FaultSet,
    ) -> Option<Vec<u8>> {
        let half = ts - ts.rem_euclid(1800);
        let minute = ts - ts.rem_euclid(60);
        let nodata = faults.contains(Fault::NoData);
        let active = |at: i64| {
            if nodata {
                NO_DATA_U32
            } else {
                hv_count(hv, self.profile.cumulative_at(at).0)
            }
        };
        let reactive = |at: i64| {
            if nodata {
                NO_DATA_U32
            } else {
                hv_count_unit(hv, self.profile.cumulative_at(at).2, hv.reactive_unit)
            }
        };
        let stamped = |at: i64, v: u32| {
            let mut out = CivilDateTime::from_seconds(at).to_el7().to_vec();
            out.extend(be32(v));
            out
        };
        let t = CivilDateTime::from_seconds(ts);
        let month_start = CivilDateTime::new(t.year, t.month, 1, 0, 0, 0).to_seconds();
        Some(match epc {
            0xC1 => be32(if nodata {
                NO_DATA_U32
            } else {
                self.max_demand(hv, month_start, ts)
            })
            .to_vec(),
            0xC2 => {
                // Cumulative maximum demand: sum of the monthly maxima of the previous months
                // within the simulated history plus this month's so far.
                let mut sum = 0u32;
                let mut ms = month_start;
                for _ in 0..3 {
                    let prev = CivilDateTime::from_seconds(ms - 86_400);
                    let pstart = CivilDateTime::new(prev.year, prev.month, 1, 0, 0, 0).to_seconds();
                    sum = sum.saturating_add(self.max_demand(hv, pstart, ms));
                    ms = pstart;
                }
                let v = sum.saturating_add(self.max_demand(hv, month_start, ts));
                be32(if nodata { NO_DATA_U32 } else { v }).to_vec()
            }
            0xC3 => stamped(
                half,
                if nodata {
                    NO_DATA_U32
                } else {
                    self.demand_count(hv, self.slot_j(half))
                },
            ),
            0xC4 | 0xCC | 0xE5 => vec![hv.digits],
            0xC5 | 0xC7 => vec![hv.demand_unit],
            0xC6 => self.hv_history(ts, |at| {
                if nodata {
                    NO_DATA_U32
                } else {
                    self.demand_count(hv, self.slot_j(at))
                }
            }),
            0xCA => stamped(minute, reactive(minute)),
            0xCB => stamped(half, reactive(half)),
            0xCD => vec![hv.reactive_unit],
            0xCE => self.hv_history(ts, reactive),
            0xD3 => be32(hv.coefficient).to_vec(),
            0xD4 => vec![hv.multiplier],
            0xE0 => vec![hv.billing_day],
            0xE1 => vec![self.day_for_history],
            0xE2 | 0xE4 => stamped(minute, active(minute)),
            0xE3 => stamped(half, active(half)),
            0xE6 => vec![hv.unit],
            0xE7 => self.hv_history(ts, active),
            _ => return None,
        })
    }
}

pub(super) fn hv_count_unit(hv: &HighVoltage, j: u64, unit: u8) -> u32 {
    let d4 = unit_ratio(hv.multiplier);
    let u = unit_ratio(unit);
    let c = joules_to_count(j, u64::from(hv.coefficient), (d4.0 * u.0, d4.1 * u.1));
    (c % 10u64.pow(u32::from(hv.digits.clamp(1, 8)))) as u32
}

pub(super) fn hv_count(hv: &HighVoltage, j: u64) -> u32 {
    hv_count_unit(hv, j, hv.unit)
}
