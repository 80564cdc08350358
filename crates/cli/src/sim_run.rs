//! `broute sim-run`: drive the engine against the in-process simulator on the virtual clock and
//! print, as one JSON document, what commissioning and polling cost — for our strategy (pairing
//! profile, one batched Get per poll) and for the naive one (scan every time, one EPC per Get).
//!
//! Nothing here reads a clock: an hour of polling takes milliseconds of CPU and the same seed
//! gives the same JSON.

use std::process::ExitCode;

use broute::harness::Pair;
use broute::{Cause, Config, Engine, Event, Instant, PairingProfile, Phase, RouteBId};
use broute::{Reading, RouteBPassword};
use serde_json::{json, Value};
use sim::{Fault, Scenario, Sim};

use crate::args::{SimRunArgs, StrategyArg};

/// Virtual time allowed to reach the first reading.
pub const FIRST_READING_LIMIT_MS: u64 = 3_600_000;
const HOUR_MS: u64 = 3_600_000;
/// ARIB STD-T108 transmit-time budget per hour, ms.
const ARIB_BUDGET_MS: u64 = 360_000;

/// Which strategies to compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// Pairing profile + batched Get (`Config::default()`).
    Ours,
    /// Scan every time, one EPC per Get, no profile.
    Naive,
}

impl Strategy {
    fn name(self) -> &'static str {
        match self {
            Self::Ours => "ours",
            Self::Naive => "naive",
        }
    }

    fn config(self, interval_s: u64) -> Config {
        let mut cfg = match self {
            Self::Ours => Config::default(),
            Self::Naive => Config {
                use_profile: false,
                batch: false,
                ..Config::default()
            },
        };
        cfg.poll_interval = core::time::Duration::from_secs(interval_s);
        cfg
    }
}

/// Parsed options.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Preset name.
    pub preset: String,
    /// Extra faults.
    pub faults: Vec<Fault>,
    /// Seed override.
    pub seed: Option<u64>,
    /// Hours of polling.
    pub hours: f64,
    /// Polling interval, s.
    pub interval_s: u64,
    /// Strategies, in output order.
    pub strategies: Vec<Strategy>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            preset: "demo".into(),
            faults: Vec::new(),
            seed: None,
            hours: 1.0,
            interval_s: 10,
            strategies: vec![Strategy::Ours, Strategy::Naive],
        }
    }
}

impl Options {
    /// The scenario these options describe.
    pub fn scenario(&self) -> Result<Scenario, String> {
        let mut sc = Scenario::preset(&self.preset)
            .ok_or_else(|| format!("unknown preset '{}' (see broute sim --list)", self.preset))?;
        for f in &self.faults {
            sc.faults.set(*f, true);
        }
        if let Some(s) = self.seed {
            sc.seed = s;
        }
        Ok(sc)
    }

    fn window_ms(&self) -> u64 {
        (self.hours * HOUR_MS as f64).round() as u64
    }
}

impl TryFrom<SimRunArgs> for Options {
    type Error = String;

    fn try_from(a: SimRunArgs) -> Result<Options, String> {
        if Scenario::preset(&a.preset).is_none() {
            return Err(format!(
                "unknown preset '{}' (see broute sim --list)",
                a.preset
            ));
        }
        let mut faults = Vec::new();
        for v in &a.fault {
            let f = Fault::from_name(v)
                .ok_or_else(|| format!("unknown fault '{v}' (see broute sim --list)"))?;
            if !faults.contains(&f) {
                faults.push(f);
            }
        }
        Ok(Options {
            preset: a.preset,
            faults,
            seed: a.seed,
            hours: a.hours,
            interval_s: a.interval,
            strategies: match a.strategy {
                StrategyArg::Ours => vec![Strategy::Ours],
                StrategyArg::Naive => vec![Strategy::Naive],
                StrategyArg::Both => vec![Strategy::Ours, Strategy::Naive],
            },
        })
    }
}

/// Parse `broute sim-run` options (without the subcommand). `Ok(None)` = help was asked.
#[cfg(test)]
pub fn parse_args(args: &[String]) -> Result<Option<Options>, String> {
    match crate::args::parse_sub::<SimRunArgs>("broute sim-run", args)? {
        Some(a) => Options::try_from(a).map(Some),
        None => Ok(None),
    }
}

/// Entry point of `broute sim-run`.
pub fn run(args: SimRunArgs) -> ExitCode {
    let opts = match Options::try_from(args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("broute sim-run: {e}");
            return ExitCode::from(2);
        }
    };
    match simulate(&opts) {
        Ok(doc) => {
            println!(
                "{}",
                serde_json::to_string_pretty(&doc).unwrap_or_else(|_| doc.to_string())
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("broute sim-run: {e}");
            ExitCode::from(2)
        }
    }
}

fn new_pair(sc: &Scenario, cfg: Config, profile: Option<PairingProfile>) -> Pair<Sim> {
    let mut e = Engine::new(cfg);
    // The demo credentials are constants of the simulator: valid by construction, and checked
    // by the simulator's own tests. Fall back to a run without credentials rather than panic.
    if let (Ok(id), Ok(pw)) = (
        RouteBId::new(sim::DEMO_ROUTE_B_ID),
        RouteBPassword::new(sim::DEMO_PASSWORD),
    ) {
        e.set_credentials(id, pw, Instant(0));
    }
    if let Some(p) = profile {
        e.set_profile(p);
    }
    let mut p = Pair::new(e, Sim::new(sc.clone()));
    p.start();
    p
}

fn first_reading_or_stop(e: &Event) -> bool {
    matches!(e, Event::Reading(_) | Event::Phase(Phase::Stopped))
}

/// Outcome of one run up to the first reading.
struct Start {
    json: Value,
    reached: Option<u64>,
}

fn start_run(p: &mut Pair<Sim>) -> Start {
    let hit = p.run_until(FIRST_READING_LIMIT_MS, first_reading_or_stop);
    let reached = match hit {
        Some(Event::Reading(Reading { at, .. })) => Some(at.as_millis()),
        _ => None,
    };
    let mut j = json!({
        "outcome": match (&hit, reached) {
            (_, Some(_)) => "reading",
            (Some(_), None) => "stopped",
            (None, _) => "no_reading_within_limit",
        },
        "first_reading_ms": reached,
        "scans": p.events.iter().filter(|(_, e)| matches!(e, Event::ScanStarted { .. })).count(),
        "joined_from_profile": p.events.iter().any(|(_, e)| matches!(e, Event::JoinStarted { from_profile: true, .. })),
    });
    if reached.is_none() {
        let cause = last_fatal(p);
        j["cause"] = cause.map_or(Value::Null, |c| json!({"code": c.code(), "name": c.name()}));
        if hit.is_some() {
            j["stopped_ms"] = json!(p.now);
        } else {
            j["limit_ms"] = json!(FIRST_READING_LIMIT_MS);
        }
    }
    Start { json: j, reached }
}

/// The physical floor of a cold start: one full scan at the smallest duration that hears the
/// meter, plus the PANA exchange and the first round trip as measured in this run.
fn physical_floor_ms(sc: &Scenario, p: &Pair<Sim>) -> Option<u64> {
    use broute::device::{j11::J11Dongle, sk::SkDongle, Channels, Dongle};
    let scan = match sc.dialect {
        sim::Dialect::J11 => J11Dongle::new().scan_time(sc.min_scan_duration, Channels::All),
        _ => SkDongle::new(Default::default(), None).scan_time(sc.min_scan_duration, Channels::All),
    };
    let join_started = p
        .events
        .iter()
        .rev()
        .find_map(|(t, e)| matches!(e, Event::JoinStarted { .. }).then_some(*t))?;
    let joined = p
        .events
        .iter()
        .find_map(|(t, e)| (matches!(e, Event::Joined) && *t >= join_started).then_some(*t))?;
    let rtt = p.events.iter().find_map(|(_, e)| match e {
        Event::Reading(r) => Some(r.rtt_ms),
        _ => None,
    })?;
    Some(u64::try_from(scan.as_millis()).ok()? + (joined - join_started) + rtt)
}

fn last_fatal(p: &Pair<Sim>) -> Option<Cause> {
    p.events.iter().rev().find_map(|(_, e)| match e {
        Event::Triage(c) if c.is_fatal() => Some(*c),
        _ => None,
    })
}

fn phases(p: &Pair<Sim>) -> Value {
    Value::Array(
        p.events
            .iter()
            .filter_map(|(t, e)| match e {
                Event::Phase(ph) => Some(json!({"ms": t, "phase": ph.name()})),
                _ => None,
            })
            .collect(),
    )
}

fn triages(p: &Pair<Sim>) -> Value {
    Value::Array(
        p.events
            .iter()
            .filter_map(|(t, e)| match e {
                Event::Triage(c) => Some(json!({"ms": t, "code": c.code(), "name": c.name()})),
                Event::Recovered => Some(json!({"ms": t, "code": null, "name": "recovered"})),
                _ => None,
            })
            .collect(),
    )
}

fn per_hour(v: u64, window_ms: u64) -> u64 {
    if window_ms == 0 {
        return 0;
    }
    ((u128::from(v) * u128::from(HOUR_MS) + u128::from(window_ms) / 2) / u128::from(window_ms))
        as u64
}

/// Transmit time of `frames` ECHONET frames carrying `payload` bytes in total, by the
/// simulator's model: per frame ~4 ms CSMA/preamble plus (payload + ~60 bytes of
/// MAC/6LoWPAN/UDP/security headers) at 100 kbit/s.
pub fn est_airtime_ms(frames: u64, payload: u64) -> u64 {
    frames * 4 + (payload + 60 * frames) * 8 / 100
}

/// Run one strategy: cold start, polling window, warm start.
fn strategy_json(sc: &Scenario, opts: &Options, s: Strategy) -> Value {
    let cfg = s.config(opts.interval_s);

    // Cold: fresh dongle, fresh engine, no profile.
    let mut cold = new_pair(sc, cfg.clone(), None);
    let start = start_run(&mut cold);
    let mut cold_json = start.json;

    let polling = match start.reached {
        Some(_) => {
            let f0 = cold.engine.figures().clone();
            let b0 = cold.bytes_written;
            let t0 = cold.now;
            cold.run_for(opts.window_ms());
            let f1 = cold.engine.figures();
            let window = cold.now - t0;
            let frames = f1.frames_sent - f0.frames_sent;
            let payload = f1.payload_bytes_sent - f0.payload_bytes_sent;
            let serial = cold.bytes_written - b0;
            let air = est_airtime_ms(frames, payload);
            json!({
                "window_ms": window,
                "readings": f1.readings - f0.readings,
                "timeouts": f1.timeouts - f0.timeouts,
                "frames_sent": frames,
                "payload_bytes_sent": payload,
                "serial_bytes_written": serial,
                "avg_rtt_ms": f1.avg_rtt_ms(),
                "phase_at_end": cold.engine.phase().name(),
                "per_hour": {
                    "readings": per_hour(f1.readings - f0.readings, window),
                    "frames": per_hour(frames, window),
                    "payload_bytes": per_hour(payload, window),
                    "serial_bytes": per_hour(serial, window),
                    "est_airtime_ms": per_hour(air, window),
                    "est_airtime_permille_of_arib_budget":
                        per_hour(air, window) * 1000 / ARIB_BUDGET_MS,
                },
            })
        }
        None => Value::Null,
    };
    cold_json["phases"] = phases(&cold);
    cold_json["triage"] = triages(&cold);
    if let (Some(floor), Some(first)) = (
        physical_floor_ms(sc, &cold),
        cold_json["first_reading_ms"].as_u64(),
    ) {
        cold_json["floor_ms"] = json!(floor);
        cold_json["vs_floor"] = json!(format!("{:.2}", first as f64 / floor.max(1) as f64));
    }

    // Warm: the dongle was power-cycled (fresh simulator), a new engine starts with what the
    // cold run learnt — for the strategy that uses it.
    let profile = if cfg.use_profile {
        cold.engine.profile()
    } else {
        None
    };
    let profile_given = profile.is_some();
    let mut warm = new_pair(sc, cfg.clone(), profile);
    let mut warm_json = start_run(&mut warm).json;
    warm_json["profile_given"] = json!(profile_given);
    warm_json["phases"] = phases(&warm);
    warm_json["triage"] = triages(&warm);

    json!({
        "config": {
            "use_profile": cfg.use_profile,
            "batch": cfg.batch,
            "poll_interval_s": opts.interval_s,
            "scan_durations": cfg.scan_durations,
        },
        "cold": cold_json,
        "polling": polling,
        "warm": warm_json,
    })
}

/// Run every requested strategy and build the JSON document.
pub fn simulate(opts: &Options) -> Result<Value, String> {
    let sc = opts.scenario()?;
    let mut strategies = serde_json::Map::new();
    for &s in &opts.strategies {
        strategies.insert(s.name().into(), strategy_json(&sc, opts, s));
    }
    Ok(json!({
        "tool": "broute sim-run",
        "version": env!("CARGO_PKG_VERSION"),
        "clock": "virtual",
        "scenario": {
            "preset": opts.preset,
            "faults": sc.faults.iter().map(|f| f.name()).collect::<Vec<_>>(),
            "seed": sc.seed,
            "dialect": format!("{:?}", sc.dialect),
            "min_scan_duration": sc.min_scan_duration,
            "hours": opts.hours,
            "interval_s": opts.interval_s,
        },
        "strategies": strategies,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn parses_options() {
        let o = parse_args(&[]).unwrap().unwrap();
        assert_eq!(o, Options::default());
        let o = parse_args(&args(
            "--preset weak-signal --fault drop-replies --fault garbage --fault garbage --seed 7 \
             --hours 0.5 --interval 30 --strategy naive",
        ))
        .unwrap()
        .unwrap();
        assert_eq!(o.preset, "weak-signal");
        assert_eq!(o.faults, vec![Fault::DropReplies, Fault::Garbage]);
        assert_eq!(o.seed, Some(7));
        assert_eq!(o.hours, 0.5);
        assert_eq!(o.window_ms(), 1_800_000);
        assert_eq!(o.interval_s, 30);
        assert_eq!(o.strategies, vec![Strategy::Naive]);
        assert!(parse_args(&args("--help")).unwrap().is_none());
        for bad in [
            "--preset nope",
            "--fault nope",
            "--seed x",
            "--seed",
            "--hours 0",
            "--hours -1",
            "--hours NaN",
            "--hours inf",
            "--interval 0",
            "--strategy fast",
            "--bogus",
        ] {
            assert!(parse_args(&args(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn json_shape_and_determinism() {
        let o = Options {
            hours: 0.05,
            ..Options::default()
        };
        let a = simulate(&o).unwrap();
        let b = simulate(&o).unwrap();
        assert_eq!(
            serde_json::to_string_pretty(&a).unwrap(),
            serde_json::to_string_pretty(&b).unwrap()
        );
        assert_eq!(a["scenario"]["preset"], "demo");
        for s in ["ours", "naive"] {
            let st = &a["strategies"][s];
            assert_eq!(st["cold"]["outcome"], "reading", "{s}");
            assert!(st["cold"]["first_reading_ms"].as_u64().unwrap() > 0);
            assert_eq!(st["cold"]["phases"][0]["phase"], "expect_dongle");
            assert!(st["cold"]["phases"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["phase"] == "reading"));
            assert_eq!(st["warm"]["outcome"], "reading", "{s}");
            let p = &st["polling"];
            assert_eq!(p["window_ms"], 180_000);
            assert!(p["readings"].as_u64().unwrap() >= 15, "{s}: {p}");
            assert!(p["per_hour"]["payload_bytes"].as_u64().unwrap() > 0);
            assert!(
                p["serial_bytes_written"].as_u64().unwrap()
                    > p["payload_bytes_sent"].as_u64().unwrap()
            );
        }
        let ours = &a["strategies"]["ours"];
        let naive = &a["strategies"]["naive"];
        // The profile skips the scan; the naive strategy scans again.
        assert_eq!(ours["warm"]["profile_given"], true);
        assert_eq!(ours["warm"]["scans"], 0);
        assert_eq!(naive["warm"]["profile_given"], false);
        assert!(naive["warm"]["scans"].as_u64().unwrap() >= 1);
        assert!(
            ours["warm"]["first_reading_ms"].as_u64() < ours["cold"]["first_reading_ms"].as_u64()
        );
        // One batched Get per poll costs fewer frames than one Get per EPC.
        assert!(ours["polling"]["frames_sent"].as_u64() < naive["polling"]["frames_sent"].as_u64());
    }

    #[test]
    fn stopped_run_reports_the_cause() {
        let o = Options {
            preset: "wrong-password".into(),
            hours: 0.01,
            strategies: vec![Strategy::Ours],
            ..Options::default()
        };
        let a = simulate(&o).unwrap();
        let cold = &a["strategies"]["ours"]["cold"];
        assert_eq!(cold["outcome"], "stopped");
        assert_eq!(cold["cause"]["code"], "BR-30");
        assert!(cold["stopped_ms"].as_u64().unwrap() > 0);
        assert!(a["strategies"]["ours"]["polling"].is_null());
    }

    #[test]
    fn airtime_model() {
        // One 14-byte Get: 4 + 74 * 8 / 100 = 9 ms.
        assert_eq!(est_airtime_ms(1, 14), 9);
        assert_eq!(per_hour(10, 1_800_000), 20);
        assert_eq!(per_hour(10, 0), 0);
    }
}
