//! Pure decoding of meter answers into the engine's types: identity and scaling, readings,
//! half-hour values, the meter's date. EPCs go through the `echonet` typed decoders.

use echonet::common::CommonValue;
use echonet::hv::HvValue;
use echonet::lv::LvValue;
use echonet::{Date, FrameRepr, Measured, OrUnset};
use skstack::Instant;

use crate::types::*;

/// A low-voltage counter with its exact kWh (when the scaling is known).
fn energy(meter: Option<&MeterIdentity>, raw: Measured<u32>) -> Energy {
    let scaling = meter.map(|m| m.lv);
    Energy {
        raw,
        kwh: raw.value().and_then(|r| scaling.and_then(|s| s.kwh(r))),
    }
}

/// The reading values an answer carries (fields it does not carry stay `None`).
pub(super) fn reading_from(meter: Option<&MeterIdentity>, frame: &FrameRepr<'_>) -> ReadingValues {
    let class = meter.map_or(MeterClass::LowVoltage, |m| m.class);
    let props = frame.props.iter().filter(|p| !p.edt.is_empty());
    match class {
        MeterClass::LowVoltage => {
            let mut r = LvReading {
                power_w: None,
                currents: None,
                energy_normal: None,
                energy_reverse: None,
            };
            for p in props {
                match echonet::lv::decode(p.epc, p.edt) {
                    Ok(LvValue::InstantPower(w)) => r.power_w = Some(w),
                    Ok(LvValue::Currents(c)) => r.currents = Some(c),
                    Ok(LvValue::CumulativeNormal(e)) => r.energy_normal = Some(energy(meter, e)),
                    Ok(LvValue::CumulativeReverse(e)) => r.energy_reverse = Some(energy(meter, e)),
                    _ => {}
                }
            }
            ReadingValues::Low(r)
        }
        MeterClass::HighVoltage => {
            let hv = meter.map(|m| m.hv);
            let mut r = HvReading {
                active_energy: None,
                demand: None,
                monthly_max_demand: None,
                reactive_energy: None,
            };
            for p in props {
                match echonet::hv::decode(p.epc, p.edt) {
                    Ok(HvValue::ActiveEnergy(s)) => {
                        let kwh = s
                            .value
                            .value()
                            .and_then(|v| hv.and_then(|h| h.active_kwh(v)));
                        r.active_energy = Some((s.stamp, Energy { raw: s.value, kwh }));
                    }
                    Ok(HvValue::FixedTimeDemand(s)) => {
                        let kw = s
                            .value
                            .value()
                            .and_then(|v| hv.and_then(|h| h.demand_kw(v)));
                        r.demand = Some((s.stamp, s.value, kw));
                    }
                    Ok(HvValue::MonthlyMaxDemand(v)) => {
                        let kw = v.value().and_then(|x| hv.and_then(|h| h.demand_kw(x)));
                        r.monthly_max_demand = Some((v, kw));
                    }
                    Ok(HvValue::ReactiveEnergy(s)) => {
                        let kvarh = s
                            .value
                            .value()
                            .and_then(|v| hv.and_then(|h| h.reactive_kvarh(v)));
                        r.reactive_energy = Some((
                            s.stamp,
                            Energy {
                                raw: s.value,
                                kwh: kvarh,
                            },
                        ));
                    }
                    _ => {}
                }
            }
            ReadingValues::High(r)
        }
    }
}

/// True when a reading carries at least one value.
pub(super) fn has_values(v: &ReadingValues) -> bool {
    match v {
        ReadingValues::Low(r) => {
            r.power_w.is_some()
                || r.currents.is_some()
                || r.energy_normal.is_some()
                || r.energy_reverse.is_some()
        }
        ReadingValues::High(r) => {
            r.active_energy.is_some()
                || r.demand.is_some()
                || r.monthly_max_demand.is_some()
                || r.reactive_energy.is_some()
        }
    }
}

/// Merge a later partial reading into an earlier one (one-EPC-per-Get strategy).
pub(super) fn merge(a: ReadingValues, b: ReadingValues) -> ReadingValues {
    match (a, b) {
        (ReadingValues::Low(a), ReadingValues::Low(b)) => ReadingValues::Low(LvReading {
            power_w: b.power_w.or(a.power_w),
            currents: b.currents.or(a.currents),
            energy_normal: b.energy_normal.or(a.energy_normal),
            energy_reverse: b.energy_reverse.or(a.energy_reverse),
        }),
        (ReadingValues::High(a), ReadingValues::High(b)) => ReadingValues::High(HvReading {
            active_energy: b.active_energy.or(a.active_energy),
            demand: b.demand.or(a.demand),
            monthly_max_demand: b.monthly_max_demand.or(a.monthly_max_demand),
            reactive_energy: b.reactive_energy.or(a.reactive_energy),
        }),
        (_, b) => b,
    }
}

/// The EA/EB fixed-time values a frame carries.
pub(super) fn half_hour_from(
    meter: Option<&MeterIdentity>,
    frame: &FrameRepr<'_>,
    now: Instant,
) -> HalfHour {
    let mut hh = HalfHour {
        at: now,
        normal: None,
        reverse: None,
    };
    for p in frame.props.iter().filter(|p| !p.edt.is_empty()) {
        match echonet::lv::decode(p.epc, p.edt) {
            Ok(LvValue::FixedTimeNormal(s)) => hh.normal = Some((s.stamp, energy(meter, s.value))),
            Ok(LvValue::FixedTimeReverse(s)) => {
                hh.reverse = Some((s.stamp, energy(meter, s.value)))
            }
            _ => {}
        }
    }
    hh
}

/// The meter's current date, from 0x98, EA (low voltage) or E2 (high voltage).
pub(super) fn today_from(frame: &FrameRepr<'_>, class: MeterClass) -> Option<Date> {
    for p in frame.props.iter().filter(|p| !p.edt.is_empty()) {
        match class {
            MeterClass::LowVoltage => match echonet::lv::decode(p.epc, p.edt) {
                Ok(LvValue::Common(CommonValue::CurrentDate(d))) => return Some(d),
                Ok(LvValue::FixedTimeNormal(s)) => {
                    if let OrUnset::Value(dt) = s.stamp {
                        return Some(dt.date());
                    }
                }
                _ => {}
            },
            MeterClass::HighVoltage => {
                if let Ok(HvValue::ActiveEnergy(s)) = echonet::hv::decode(p.epc, p.edt) {
                    if let OrUnset::Value(dt) = s.stamp {
                        return Some(dt.date());
                    }
                }
            }
        }
    }
    None
}

/// Identity and scaling properties of an answer.
pub(super) fn apply_identity(m: &mut MeterIdentity, frame: &FrameRepr<'_>) {
    for p in frame.props.iter().filter(|p| !p.edt.is_empty()) {
        if (0x80..=0x9F).contains(&p.epc) {
            match echonet::common::decode(p.epc, p.edt) {
                Ok(CommonValue::StandardVersion(v)) => m.release = v.release(),
                Ok(CommonValue::Manufacturer(c)) => m.maker = Some(c.0),
                Ok(CommonValue::ProductionNumber(n)) => m.serial = n.text().map(str::to_owned),
                Ok(CommonValue::GetMap(map)) => m.get_map = Some(map),
                _ => {}
            }
            continue;
        }
        match m.class {
            MeterClass::LowVoltage => match echonet::lv::decode(p.epc, p.edt) {
                Ok(LvValue::Coefficient(c)) => m.lv.coefficient = Some(c),
                Ok(LvValue::EnergyUnit(u)) => m.lv.unit = Some(u),
                Ok(LvValue::EffectiveDigits(d)) => m.lv.digits = Some(d),
                _ => {}
            },
            MeterClass::HighVoltage => match echonet::hv::decode(p.epc, p.edt) {
                Ok(HvValue::Coefficient(c)) => m.hv.coefficient = Some(c),
                Ok(HvValue::Multiplier(x)) => m.hv.multiplier = Some(x),
                Ok(HvValue::ActiveUnit(u)) => m.hv.active_unit = Some(u),
                Ok(HvValue::ActiveDigits(d)) => m.hv.active_digits = Some(d),
                Ok(HvValue::DemandUnit(u)) => m.hv.demand_unit = Some(u),
                Ok(HvValue::ReactiveUnit(u)) => m.hv.reactive_unit = Some(u),
                _ => {}
            },
        }
    }
}
