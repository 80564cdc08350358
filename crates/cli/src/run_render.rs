//! How `broute run` prints the engine's events: one JSON object per line (`--json`) or one
//! human-readable line.

use broute::{Energy, Event, HistoryRecord, MeterClass, MeterIdentity, ReadingValues};
use echonet::{Decimal, Measured};
use serde_json::{json, Value};

use crate::run::dialect_name;

fn measured_json<T: Into<Value> + Copy>(m: Measured<T>) -> Value {
    match m {
        Measured::Value(v) => v.into(),
        Measured::NoData => "no_data".into(),
        Measured::Overflow => "overflow".into(),
        Measured::Underflow => "underflow".into(),
    }
}

fn decimal_json(d: Option<Decimal>) -> Value {
    d.map_or(Value::Null, |d| Value::String(d.to_string()))
}

fn energy_json(e: &Energy) -> Value {
    json!({"raw": measured_json(e.raw), "kwh": decimal_json(e.kwh)})
}

fn energy_text(e: &Energy) -> String {
    match (e.kwh, e.raw) {
        (Some(k), _) => format!("{k} kWh"),
        (None, Measured::Value(v)) => format!("{v} counts (unit unknown)"),
        (None, m) => m.to_string(),
    }
}

fn slots_kwh(h: &echonet::lv::History1, m: Option<&MeterIdentity>, active: bool) -> Vec<Value> {
    h.slots
        .iter()
        .map(|s| match *s {
            Measured::Value(raw) => {
                let k = m.and_then(|m| match m.class {
                    MeterClass::LowVoltage => m.lv.kwh(raw),
                    MeterClass::HighVoltage if active => m.hv.active_kwh(raw),
                    MeterClass::HighVoltage => None,
                });
                k.map_or(Value::from(raw), |k| Value::String(k.to_string()))
            }
            other => measured_json(other),
        })
        .collect()
}

/// One event as a JSON line (`None` for events not worth a line, e.g. frames).
pub fn event_json(t_ms: u64, ev: &Event, meter: Option<&MeterIdentity>) -> Option<Value> {
    let mut v = match ev {
        Event::Phase(p) => json!({"event": "phase", "phase": p.name()}),
        Event::Dongle(d) => json!({
            "event": "dongle",
            "family": d.family(),
            "dialect": dialect_name(d.dialect),
            "erxudp": d.erxudp_mode.map(|m| format!("{m:?}")),
            "stack_version": d.stack_version,
            "app_version": d.app_version,
        }),
        Event::WoptProposed => json!({"event": "wopt_proposed"}),
        Event::NeedCredentials => json!({"event": "need_credentials"}),
        Event::ScanStarted {
            attempt,
            attempts,
            duration,
            expected_ms,
            single_channel,
        } => json!({
            "event": "scan_started", "attempt": attempt, "attempts": attempts,
            "duration": duration, "expected_ms": expected_ms, "single_channel": single_channel,
        }),
        Event::PanFound(p) => json!({
            "event": "pan_found", "channel": p.channel, "pan_id": p.pan_id,
            "mac": p.mac.to_string(), "lqi": p.lqi, "matches": p.matches,
        }),
        Event::ScanFinished { attempt, heard } => {
            json!({"event": "scan_finished", "attempt": attempt, "heard": heard})
        }
        Event::JoinStarted {
            channel,
            from_profile,
        } => json!({"event": "join_started", "channel": channel, "from_profile": from_profile}),
        Event::Joined => json!({"event": "joined"}),
        Event::Profile(p) => {
            let mut v = serde_json::to_value(p).unwrap_or_default();
            v["event"] = "profile".into();
            v
        }
        Event::Meter(m) => json!({
            "event": "meter",
            "class": match m.class { MeterClass::LowVoltage => "low_voltage", MeterClass::HighVoltage => "high_voltage" },
            "release": m.release.map(String::from),
            "maker": m.maker,
            "serial": m.serial,
        }),
        Event::Reading(r) => {
            let mut v = json!({"event": "reading", "rtt_ms": r.rtt_ms, "rssi_dbm": r.rssi_dbm});
            match &r.values {
                ReadingValues::Low(lv) => {
                    v["class"] = "low_voltage".into();
                    v["power_w"] = lv.power_w.map_or(Value::Null, measured_json);
                    v["current_r_a"] = lv
                        .currents
                        .map_or(Value::Null, |c| c.r.map(|a| a.amps()).to_string().into());
                    v["current_t_a"] = lv
                        .currents
                        .and_then(|c| c.t)
                        .map_or(Value::Null, |t| t.map(|a| a.amps()).to_string().into());
                    v["energy_normal"] = lv.energy_normal.as_ref().map_or(Value::Null, energy_json);
                    v["energy_reverse"] =
                        lv.energy_reverse.as_ref().map_or(Value::Null, energy_json);
                }
                ReadingValues::High(hv) => {
                    v["class"] = "high_voltage".into();
                    v["active_energy"] = hv.active_energy.as_ref().map_or(Value::Null, |(s, e)| {
                        let mut j = energy_json(e);
                        j["stamp"] = s.to_string().into();
                        j
                    });
                    v["demand_kw"] = hv.demand.map_or(Value::Null, |(s, raw, kw)| {
                        json!({"stamp": s.to_string(), "raw": measured_json(raw), "kw": decimal_json(kw)})
                    });
                    v["monthly_max_demand_kw"] = hv.monthly_max_demand.map_or(
                        Value::Null,
                        |(raw, kw)| json!({"raw": measured_json(raw), "kw": decimal_json(kw)}),
                    );
                    v["reactive_energy"] =
                        hv.reactive_energy.as_ref().map_or(Value::Null, |(s, e)| {
                            let mut j = energy_json(e);
                            j["stamp"] = s.to_string().into();
                            j["kvarh"] = j["kwh"].take();
                            j.as_object_mut().map(|o| o.remove("kwh"));
                            j
                        });
                }
            }
            v
        }
        Event::HalfHour(h) => json!({
            "event": "half_hour",
            "normal": h.normal.as_ref().map(|(s, e)| { let mut j = energy_json(e); j["stamp"] = s.to_string().into(); j }),
            "reverse": h.reverse.as_ref().map(|(s, e)| { let mut j = energy_json(e); j["stamp"] = s.to_string().into(); j }),
        }),
        Event::History(rec) => match rec.as_ref() {
            HistoryRecord::Day {
                days_ago,
                date,
                normal,
                reverse,
                ..
            } => json!({
                "event": "history_day",
                "days_ago": days_ago,
                "date": date.map(|d| d.to_string()),
                "normal_kwh": normal.as_ref().map(|h| slots_kwh(h, meter, true)),
                "reverse_kwh": reverse.as_ref().map(|h| slots_kwh(h, meter, true)),
            }),
            HistoryRecord::Pairs(p) => json!({
                "event": "history_pairs",
                "stamp": p.stamp.to_string(),
                "step_minutes": p.step_minutes,
                "count": p.pairs().len(),
            }),
        },
        Event::HistoryProgress(p) => {
            json!({"event": "history_progress", "done": p.done, "total": p.total})
        }
        Event::HistoryDone { complete } => json!({"event": "history_done", "complete": complete}),
        Event::Triage(c) => json!({
            "event": "triage", "code": c.code(), "cause": c.name(), "fatal": c.is_fatal(),
        }),
        Event::Recovered => json!({"event": "recovered"}),
        Event::Frame { .. } => return None,
        _ => return None,
    };
    v["t_ms"] = t_ms.into();
    Some(v)
}

pub(crate) fn secs(t_ms: u64) -> String {
    format!("[{:>6}.{:03} s]", t_ms / 1000, t_ms % 1000)
}

/// One event as a human-readable line (`None` for events not worth a line).
pub fn event_text(t_ms: u64, ev: &Event, meter: Option<&MeterIdentity>) -> Option<String> {
    let body = match ev {
        Event::Phase(p) => format!("phase {}", p.name()),
        Event::Dongle(d) => format!(
            "dongle: {} ({}{}, firmware {})",
            d.family(),
            dialect_name(d.dialect),
            d.erxudp_mode
                .map(|m| format!(", ERXUDP {m:?}"))
                .unwrap_or_default(),
            d.firmware()
        ),
        Event::WoptProposed => {
            "dongle sends ERXUDP as binary; that works, WOPT 01 (a flash write) not applied".into()
        }
        Event::NeedCredentials => "waiting for credentials".into(),
        Event::ScanStarted {
            attempt,
            attempts,
            duration,
            expected_ms,
            single_channel,
        } => format!(
            "scan {attempt}/{attempts}: duration {duration}, ~{:.1} s{}",
            *expected_ms as f64 / 1000.0,
            if *single_channel {
                ", remembered channel only"
            } else {
                ""
            }
        ),
        Event::PanFound(p) => format!(
            "PAN heard: channel 0x{:02X}, PAN ID 0x{:04X}, MAC {}{}, {}",
            p.channel,
            p.pan_id,
            p.mac,
            p.lqi.map(|l| format!(", LQI {l}")).unwrap_or_default(),
            if p.matches { "ours" } else { "not ours" }
        ),
        Event::ScanFinished { attempt, heard } => {
            format!("scan {attempt} finished: {heard} PAN(s) heard")
        }
        Event::JoinStarted {
            channel,
            from_profile,
        } => format!(
            "joining on channel 0x{channel:02X}{}",
            if *from_profile {
                " (pairing profile, scan skipped)"
            } else {
                ""
            }
        ),
        Event::Joined => "joined (PANA authenticated)".into(),
        Event::Profile(p) => format!(
            "pairing profile: channel 0x{:02X}, PAN ID 0x{:04X}, MAC {}",
            p.channel, p.pan_id, p.mac
        ),
        Event::Meter(m) => format!(
            "meter: {}{}{}{}",
            match m.class {
                MeterClass::LowVoltage => "low-voltage smart meter (0x0288)",
                MeterClass::HighVoltage => "high-voltage smart meter (0x028A)",
            },
            m.release
                .map(|r| format!(", release {r}"))
                .unwrap_or_default(),
            m.maker
                .map(|x| format!(", maker 0x{x:06X}"))
                .unwrap_or_default(),
            m.serial
                .as_deref()
                .map(|s| format!(", serial {s}"))
                .unwrap_or_default()
        ),
        Event::Reading(r) => {
            let mut parts = Vec::new();
            match &r.values {
                ReadingValues::Low(lv) => {
                    if let Some(p) = lv.power_w {
                        parts.push(format!("{p} W"));
                    }
                    if let Some(c) = lv.currents {
                        let t = c.t.map(|t| format!(" / T {t} A")).unwrap_or_default();
                        parts.push(format!("R {} A{t}", c.r));
                    }
                    if let Some(e) = &lv.energy_normal {
                        parts.push(energy_text(e));
                    }
                    if let Some(e) = &lv.energy_reverse {
                        parts.push(format!("reverse {}", energy_text(e)));
                    }
                }
                ReadingValues::High(hv) => {
                    if let Some((s, e)) = &hv.active_energy {
                        parts.push(format!("{} at {s}", energy_text(e)));
                    }
                    if let Some((s, raw, kw)) = &hv.demand {
                        parts.push(match kw {
                            Some(k) => format!("demand {k} kW at {s}"),
                            None => format!("demand {raw} at {s}"),
                        });
                    }
                    if let Some((raw, kw)) = &hv.monthly_max_demand {
                        parts.push(match kw {
                            Some(k) => format!("monthly max {k} kW"),
                            None => format!("monthly max {raw}"),
                        });
                    }
                    if let Some((_, e)) = &hv.reactive_energy {
                        parts.push(format!(
                            "reactive {}",
                            energy_text(e).replace("kWh", "kvarh")
                        ));
                    }
                }
            }
            format!("reading: {} (rtt {} ms)", parts.join(", "), r.rtt_ms)
        }
        Event::HalfHour(h) => {
            let mut parts = Vec::new();
            if let Some((s, e)) = &h.normal {
                parts.push(format!("{} at {s}", energy_text(e)));
            }
            if let Some((s, e)) = &h.reverse {
                parts.push(format!("reverse {} at {s}", energy_text(e)));
            }
            format!("half-hour: {}", parts.join(", "))
        }
        Event::History(rec) => match rec.as_ref() {
            HistoryRecord::Day {
                days_ago,
                date,
                normal,
                ..
            } => {
                let slots = normal
                    .as_ref()
                    .map(|h| slots_kwh(h, meter, true))
                    .unwrap_or_default();
                let vals: Vec<String> = slots
                    .iter()
                    .map(|v| match v {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    })
                    .collect();
                format!(
                    "history {} ({} day(s) ago): {}",
                    date.map(|d| d.to_string()).unwrap_or_else(|| "?".into()),
                    days_ago,
                    if vals.is_empty() {
                        "no data".into()
                    } else {
                        format!("kWh per half hour from 00:00: {}", vals.join(" "))
                    }
                )
            }
            HistoryRecord::Pairs(p) => {
                format!("history: {} pairs up to {}", p.pairs().len(), p.stamp)
            }
        },
        Event::HistoryProgress(p) => format!("history {}/{}", p.done, p.total),
        Event::HistoryDone { complete } => format!(
            "history {}",
            if *complete { "complete" } else { "abandoned" }
        ),
        Event::Triage(c) => format!(
            "triage {} {}{}",
            c.code(),
            c.name(),
            if c.is_fatal() {
                " (stopped)"
            } else {
                " (recovering)"
            }
        ),
        Event::Recovered => "recovered".into(),
        Event::Frame { .. } => return None,
        _ => return None,
    };
    Some(format!("{} {body}", secs(t_ms)))
}
