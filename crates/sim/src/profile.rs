//! Seeded load profiles: the ground truth behind every meter reading.
//!
//! Power is constant within each minute and computed on demand from a stateless hash of
//! (seed, minute), so any instant – including 100 days of history – can be evaluated
//! without storing samples. Energy is the exact integral of that power in watt-seconds,
//! so E0/E3, E2/E4, EA/EB, EC–EF, D0 and E7 always agree. Integer arithmetic only, so
//! native and wasm builds produce identical numbers.

use core::cell::RefCell;

use crate::rng::{hash3, pick};

/// Joules (watt-seconds) per kWh.
pub const J_PER_KWH: u64 = 3_600_000;

/// Which kind of load the meter sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadKind {
    /// A home: morning and evening peaks, appliance bursts, optional rooftop PV.
    Household {
        /// Scale of the day curve in percent.
        load_percent: u32,
        /// PV peak in W (0 = none).
        solar_peak_w: u32,
    },
    /// An office/factory on a high-voltage contract: weekday daytime plateau.
    Commercial {
        /// Daytime peak in kW.
        peak_kw: u32,
    },
}

/// Household consumption anchors in W for each hour 00..23 (the value at hh:00).
const HOME_W: [i64; 25] = [
    330, 280, 250, 240, 240, 270, 430, 820, 760, 520, 420, 430, 540, 460, 410, 430, 520, 820, 1250,
    1480, 1420, 1150, 780, 480, 330,
];
/// PV output in per-mille of the peak at each hour 00..24.
const SUN_PM: [i64; 25] = [
    0, 0, 0, 0, 0, 0, 0, 150, 420, 660, 850, 960, 1000, 960, 850, 660, 420, 150, 0, 0, 0, 0, 0, 0,
    0,
];
/// Commercial load in percent of the peak at each hour 00..24.
const OFFICE_PCT: [i64; 25] = [
    30, 30, 30, 30, 30, 32, 38, 55, 80, 95, 100, 100, 90, 98, 100, 97, 90, 75, 55, 45, 40, 36, 33,
    31, 30,
];

fn interp(table: &[i64; 25], minute_of_day: i64) -> i64 {
    let h = (minute_of_day / 60).clamp(0, 23) as usize;
    let f = minute_of_day % 60;
    table[h] + (table[h + 1] - table[h]) * f / 60
}

/// Power of one minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MinutePower {
    /// Net power in W (import positive, export negative) – what E7 reports.
    pub net_w: i64,
    /// Reactive (lagging) power in var (high-voltage meters).
    pub reactive_var: i64,
}

/// A seeded load profile anchored at `epoch_s` (civil seconds, a midnight).
#[derive(Debug)]
pub struct Profile {
    seed: u64,
    kind: LoadKind,
    epoch_s: i64,
    base_import_j: u64,
    base_export_j: u64,
    /// Cumulative (import J, export J, reactive var·s) at the start of day `i` after epoch.
    day_cache: RefCell<Vec<(u64, u64, u64)>>,
}

impl Profile {
    /// A profile whose counters read `base_import_kwh`/`base_export_kwh` at `epoch_s`.
    pub fn new(
        seed: u64,
        kind: LoadKind,
        epoch_s: i64,
        base_import_kwh: u64,
        base_export_kwh: u64,
    ) -> Profile {
        Profile {
            seed,
            kind,
            epoch_s,
            base_import_j: base_import_kwh * J_PER_KWH,
            base_export_j: base_export_kwh * J_PER_KWH,
            day_cache: RefCell::new(vec![(
                base_import_j(base_import_kwh),
                base_export_kwh * J_PER_KWH,
                0,
            )]),
        }
    }

    /// Power during minute `m` after the epoch.
    pub fn minute(&self, m: i64) -> MinutePower {
        let mod_ = m.rem_euclid(1440);
        let day = m.div_euclid(1440);
        let weekday = (self.epoch_s.div_euclid(86_400) + day + 4).rem_euclid(7);
        let weekend = weekday == 0 || weekday == 6;
        let slot = m.div_euclid(30) as u64;
        let um = m as u64;
        match self.kind {
            LoadKind::Household {
                load_percent,
                solar_peak_w,
            } => {
                let mut w = interp(&HOME_W, mod_);
                if weekend && (9 * 60..18 * 60).contains(&mod_) {
                    w = w * 125 / 100;
                }
                w = w * pick(hash3(self.seed, 1, um), 86, 114) / 100;
                // Appliance bursts: a kettle, a microwave, a dryer…
                let h = hash3(self.seed, 2, slot);
                if h % 100 < 30 {
                    let start = ((h >> 8) % 30) as i64;
                    let len = 3 + ((h >> 16) % 10) as i64;
                    let pos = m.rem_euclid(30);
                    if pos >= start && pos < start + len {
                        w += 700 + ((h >> 24) % 700) as i64;
                    }
                }
                w = w * i64::from(load_percent) / 100;
                let mut net = w;
                if solar_peak_w > 0 {
                    let bell = interp(&SUN_PM, mod_);
                    let day_sky = pick(hash3(self.seed, 3, day as u64), 35, 100);
                    let slot_sky = pick(hash3(self.seed, 4, slot), -15, 15);
                    let sky = (day_sky + slot_sky).clamp(5, 100);
                    let pv = i64::from(solar_peak_w) * bell / 1000 * sky / 100;
                    net -= pv * pick(hash3(self.seed, 5, um), 95, 105) / 100;
                }
                MinutePower {
                    net_w: net,
                    reactive_var: 0,
                }
            }
            LoadKind::Commercial { peak_kw } => {
                let mut pct = interp(&OFFICE_PCT, mod_);
                if weekend {
                    pct = 30 + (pct - 30) / 4;
                }
                let w = i64::from(peak_kw) * 1000 * pct / 100
                    * pick(hash3(self.seed, 6, um), 96, 104)
                    / 100;
                let q = w * pick(hash3(self.seed, 7, slot), 380, 460) / 1000;
                MinutePower {
                    net_w: w,
                    reactive_var: q,
                }
            }
        }
    }

    /// Net power in W at civil second `t_s`.
    pub fn power_at(&self, t_s: i64) -> i64 {
        self.minute((t_s - self.epoch_s).div_euclid(60)).net_w
    }

    fn day_start(&self, day: usize) -> (u64, u64, u64) {
        let mut cache = self.day_cache.borrow_mut();
        while cache.len() <= day {
            let d = cache.len() as i64 - 1;
            let mut acc =
                cache
                    .last()
                    .copied()
                    .unwrap_or((self.base_import_j, self.base_export_j, 0));
            for mm in 0..1440 {
                add_minute(&mut acc, self.minute(d * 1440 + mm), 60);
            }
            cache.push(acc);
        }
        cache
            .get(day)
            .copied()
            .unwrap_or((self.base_import_j, self.base_export_j, 0))
    }

    /// Cumulative (import J, export J, reactive var·s) at civil second `t_s` (exact integral).
    pub fn cumulative_at(&self, t_s: i64) -> (u64, u64, u64) {
        let rel = t_s - self.epoch_s;
        if rel <= 0 {
            return (self.base_import_j, self.base_export_j, 0);
        }
        let day = rel / 86_400;
        let mut acc = self.day_start(day as usize);
        let in_day = rel % 86_400;
        let first = day * 1440;
        for mm in 0..in_day / 60 {
            add_minute(&mut acc, self.minute(first + mm), 60);
        }
        add_minute(
            &mut acc,
            self.minute(first + in_day / 60),
            (in_day % 60) as u64,
        );
        acc
    }
}

fn base_import_j(kwh: u64) -> u64 {
    kwh * J_PER_KWH
}

fn add_minute(acc: &mut (u64, u64, u64), p: MinutePower, secs: u64) {
    if p.net_w >= 0 {
        acc.0 += p.net_w as u64 * secs;
    } else {
        acc.1 += p.net_w.unsigned_abs() * secs;
    }
    acc.2 += p.reactive_var.max(0) as u64 * secs;
}

/// kWh-per-count of an ECHONET unit code (E1 of 0x0288, E6/C5/CD of 0x028A) as (num, den).
pub fn unit_ratio(code: u8) -> (u64, u64) {
    match code {
        0x00 => (1, 1),
        0x01 => (1, 10),
        0x02 => (1, 100),
        0x03 => (1, 1_000),
        0x04 => (1, 10_000),
        0x0A => (10, 1),
        0x0B => (100, 1),
        0x0C => (1_000, 1),
        0x0D => (10_000, 1),
        _ => (1, 1),
    }
}

/// Count of a register worth `j` joules when one count is `coef × num/den` kWh.
pub fn joules_to_count(j: u64, coef: u64, ratio: (u64, u64)) -> u64 {
    let denom = u128::from(J_PER_KWH) * u128::from(coef.max(1)) * u128::from(ratio.0.max(1));
    (u128::from(j) * u128::from(ratio.1.max(1)) / denom) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn home(solar: u32) -> Profile {
        Profile::new(
            42,
            LoadKind::Household {
                load_percent: 100,
                solar_peak_w: solar,
            },
            0,
            1000,
            0,
        )
    }

    #[test]
    fn integral_matches_power() {
        let p = home(0);
        let t0 = 86_400 * 3 + 3600 * 7 + 17;
        let t1 = t0 + 600;
        let (a, _, _) = p.cumulative_at(t0);
        let (b, _, _) = p.cumulative_at(t1);
        let mut sum = 0u64;
        for s in t0..t1 {
            sum += p.power_at(s).max(0) as u64;
        }
        assert_eq!(b - a, sum);
    }

    #[test]
    fn household_day_is_plausible() {
        let p = home(0);
        let (a, _, _) = p.cumulative_at(86_400 * 10);
        let (b, _, _) = p.cumulative_at(86_400 * 11);
        let kwh = (b - a) / J_PER_KWH;
        assert!((8..=20).contains(&kwh), "{kwh} kWh/day");
        assert!(
            p.power_at(86_400 * 10 + 3 * 3600) < p.power_at(86_400 * 10 + 19 * 3600 + 1800) + 600
        );
    }

    #[test]
    fn solar_exports_at_noon() {
        let p = home(5000);
        let noon_negative = (0..30).any(|d| p.power_at(86_400 * d + 12 * 3600) < 0);
        assert!(noon_negative);
        let (_, e, _) = p.cumulative_at(86_400 * 30);
        assert!(e > 0);
    }

    #[test]
    fn counts() {
        assert_eq!(
            joules_to_count(7_531 * J_PER_KWH + 1, 1, unit_ratio(0x01)),
            75_310
        );
        // High voltage: D3 = 24, D4 = 0.01, E6 = 1 kWh -> 0.24 kWh per count.
        assert_eq!(joules_to_count(24 * J_PER_KWH, 24, (1, 100)), 100);
    }
}
