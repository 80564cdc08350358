//! The demo dongle's far side: the simulator on a virtual clock.
//!
//! Virtual time is `(real − t0) × speed` ms, real time being the worker's `performance.now()`.
//! `speed` is 1 for a realistic demo; the tests raise it so a 17-second scan takes a moment.

/// The dongle types the demo offers (the page's "dongle type" choice), in order.
pub const DIALECTS: [&str; 4] = ["single-hop", "dual-stack", "dss", "j11"];

/// The situations the demo offers (the page's "situation" choice), in order.
pub const SCENARIOS: [&str; 9] = [
    "demo",
    "wrong-password",
    "wrong-id",
    "weak-signal",
    "no-meter",
    "solar",
    "high-voltage",
    "short-session",
    "hostile-neighbour",
];

/// The simulator preset for a dialect and a scenario chosen in the UI (`dialect+scenario`, or
/// just the scenario for a single-hop dongle).
pub fn preset_key(dialect: &str, scenario: &str) -> String {
    match (dialect, scenario) {
        (_, "demo") | (_, "") => match dialect {
            "dual-stack" | "dss" | "j11" => dialect.into(),
            _ => "demo".into(),
        },
        (d, s) if d == "single-hop" || d.is_empty() => s.to_string(),
        (d, s) => format!("{d}+{s}"),
    }
}

/// The dialect and scenario keys of a preset (the inverse of [`preset_key`]).
pub fn preset_parts(preset: &str) -> (&str, &str) {
    match preset.split_once('+') {
        Some((d, s)) => (d, s),
        None if matches!(preset, "dual-stack" | "dss" | "j11") => (preset, "demo"),
        None => ("single-hop", preset),
    }
}

/// The scenario of a situation key: a simulator preset, or one of the demo's own.
fn situation(name: &str) -> Option<sim::Scenario> {
    match name {
        // A neighbour's node sends forged frames (unsecured, or from another address).
        "hostile-neighbour" => {
            let mut sc = sim::Scenario::default();
            sc.faults.set(sim::Fault::HostileNeighbour, true);
            Some(sc)
        }
        _ => sim::Scenario::preset(name),
    }
}

/// Build the scenario for a preset; `dialect+scenario` combines a dual-stack, DSS or J11
/// dongle with a scenario (e.g. `j11+wrong-password`). Unknown names give the default scenario.
pub fn scenario(preset: &str) -> sim::Scenario {
    let (dialect, name) = preset.split_once('+').unwrap_or(("", preset));
    let mut sc = situation(name).unwrap_or_default();
    let d = match dialect {
        "dual-stack" => Some(sim::Dialect::DualStack),
        "dss" => Some(sim::Dialect::DualStackNoRopt),
        "j11" => Some(sim::Dialect::J11),
        _ => None,
    };
    if let Some(d) = d {
        let base = sim::Scenario::new(d);
        sc.dialect = base.dialect;
        sc.erxudp_hex = base.erxudp_hex;
        sc.uart_mode = base.uart_mode;
        sc.dongle_mac = base.dongle_mac;
    }
    sc
}

/// The simulated dongle and meter behind one demo port.
pub struct Device {
    sim: sim::Sim,
    t0: f64,
    speed: f64,
    open: bool,
    /// Join requests the app wrote (ground truth for the end-to-end tests).
    joins: u32,
    /// The last bytes written, for a request split across writes.
    tail: Vec<u8>,
}

/// What starts a join: SKSTACK `SKJOIN`, and a J11 request frame 0x0056 (PANA start).
const JOIN_REQUESTS: [&[u8]; 2] = [b"SKJOIN ", &[0xD0, 0xEA, 0x83, 0xFC, 0x00, 0x56]];

impl Device {
    /// A device for `preset` whose virtual clock starts at real time `now` (ms).
    pub fn new(preset: &str, speed: u32, now: f64) -> Self {
        Self {
            sim: sim::Sim::new(scenario(preset)),
            t0: now,
            speed: f64::from(speed.max(1)),
            open: false,
            joins: 0,
            tail: Vec::new(),
        }
    }

    /// How many join requests (`SKJOIN`, J11 0x0056) the app has written to this device.
    pub fn joins(&self) -> u32 {
        self.joins
    }

    fn count_joins(&mut self, bytes: &[u8]) {
        let mut buf = std::mem::take(&mut self.tail);
        let old = buf.len();
        buf.extend_from_slice(bytes);
        for pat in JOIN_REQUESTS {
            let n = buf
                .windows(pat.len())
                .enumerate()
                // Requests wholly inside the old tail were counted with the previous write.
                .filter(|(i, w)| i + pat.len() > old && *w == pat)
                .count();
            self.joins = self.joins.saturating_add(n as u32);
        }
        let keep = JOIN_REQUESTS.iter().map(|p| p.len()).max().unwrap_or(1) - 1;
        self.tail = buf.split_off(buf.len().saturating_sub(keep));
    }

    /// Virtual ms at real time `now`.
    pub fn virtual_ms(&self, now: f64) -> u64 {
        let ms = (now - self.t0) * self.speed;
        if ms.is_finite() && ms > 0.0 {
            ms as u64
        } else {
            0
        }
    }

    /// The port was opened or closed. While closed, what the device says waits in it.
    pub fn set_open(&mut self, open: bool) {
        self.open = open;
    }

    /// Bytes the app wrote, at real time `now`.
    pub fn write(&mut self, now: f64, bytes: &[u8]) {
        self.count_joins(bytes);
        let v = self.virtual_ms(now);
        self.sim.write(v, bytes);
    }

    /// What the device has said up to real time `now` (nothing while closed or unplugged), and
    /// in how many real ms to ask again, if ever.
    pub fn pump(&mut self, now: f64) -> (Vec<u8>, Option<f64>) {
        if !self.open || self.sim.is_unplugged() {
            return (Vec::new(), None);
        }
        let v = self.virtual_ms(now);
        let out = self.sim.read(v);
        let wait = self.sim.next_deadline().map(|deadline| {
            (deadline.saturating_sub(v) as f64 / self.speed)
                .ceil()
                .clamp(0.0, 2_147_483_000.0)
        });
        (out, wait)
    }

    /// Pull the plug: the device answers nothing from now on.
    pub fn unplug(&mut self) {
        self.sim.unplug();
    }

    /// Ground truth as JSON: the distinct (power, register) pairs the meter measured over the
    /// last `lookback_ms` virtual ms before real time `now`.
    pub fn truth(&self, now: f64, lookback_ms: u64) -> String {
        let Some(m) = self.sim.meter(0) else {
            return "[]".into();
        };
        let to = self.virtual_ms(now);
        // Power is constant within a minute: sample each second of the window.
        let mut seen: Vec<(i32, u32)> = Vec::new();
        let mut t = to.saturating_sub(lookback_ms);
        while t <= to {
            let r = m.reading_at(t);
            if !seen.contains(&(r.power_w, r.import_count)) {
                seen.push((r.power_w, r.import_count));
            }
            t += 1000;
        }
        let items: Vec<String> = seen
            .iter()
            .map(|(w, c)| format!("{{\"power_w\":{w},\"import_count\":{c}}}"))
            .collect();
        format!("[{}]", items.join(","))
    }

    /// Ground truth: the meter's normal-direction register at virtual time `at_ms`.
    pub fn count_at(&self, at_ms: u64) -> Option<u32> {
        self.sim.meter(0).map(|m| m.reading_at(at_ms).import_count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preset_keys_round_trip() {
        for (d, s, key) in [
            ("single-hop", "demo", "demo"),
            ("dual-stack", "demo", "dual-stack"),
            ("dss", "demo", "dss"),
            ("single-hop", "wrong-password", "wrong-password"),
            ("dual-stack", "solar", "dual-stack+solar"),
            ("j11", "demo", "j11"),
            ("j11", "wrong-password", "j11+wrong-password"),
            ("single-hop", "hostile-neighbour", "hostile-neighbour"),
        ] {
            assert_eq!(preset_key(d, s), key);
            assert_eq!(preset_parts(key), (d, s));
        }
    }

    #[test]
    fn combined_presets_take_the_dialect_and_keep_the_scenario() {
        let sc = scenario("dual-stack+wrong-password");
        assert_eq!(sc.dialect, sim::Dialect::DualStack);
        let plain = scenario("wrong-password");
        assert_eq!(sc.meters.len(), plain.meters.len());
        assert_eq!(
            scenario("no-such-thing").dialect,
            sim::Scenario::default().dialect
        );
    }

    #[test]
    fn every_choice_the_page_offers_is_a_known_scenario() {
        for s in SCENARIOS {
            assert!(situation(s).is_some(), "{s}");
        }
        for d in DIALECTS {
            for s in SCENARIOS {
                let key = preset_key(d, s);
                assert_eq!(preset_parts(&key), (d, s), "{key}");
            }
        }
        assert_eq!(scenario("j11").dialect, sim::Dialect::J11);
        let sc = scenario("j11+wrong-password");
        assert_eq!(sc.dialect, sim::Dialect::J11);
        assert!(sc.faults.contains(sim::Fault::WrongPassword));
        let sc = scenario("hostile-neighbour");
        assert!(sc.faults.contains(sim::Fault::HostileNeighbour));
        assert_eq!(sc.dialect, sim::Dialect::SingleHop);
        assert!(scenario("j11+hostile-neighbour")
            .faults
            .contains(sim::Fault::HostileNeighbour));
    }

    #[test]
    fn answers_only_while_open_on_the_scaled_clock() {
        let mut d = Device::new("demo", 10, 1000.0);
        assert_eq!(d.virtual_ms(1100.0), 1000);
        d.write(1000.0, b"SKVER\r\n");
        assert_eq!(d.pump(1200.0).0, Vec::<u8>::new(), "closed: nothing yet");
        d.set_open(true);
        let mut got = Vec::new();
        let mut now = 1200.0;
        for _ in 0..20 {
            let (out, wait) = d.pump(now);
            got.extend(out);
            match wait {
                Some(w) => now += w.max(1.0),
                None => break,
            }
        }
        let text = String::from_utf8_lossy(&got);
        assert!(text.contains("EVER"), "{text}");
        d.unplug();
        d.write(now, b"SKVER\r\n");
        assert_eq!(d.pump(now + 10_000.0), (Vec::new(), None));
    }

    #[test]
    fn join_requests_are_counted_however_they_are_cut() {
        let mut d = Device::new("demo", 1, 0.0);
        d.write(0.0, b"SKJOIN FE80:0000\r\nSKJO");
        d.write(0.0, b"IN FE80\r\n");
        let j11 = [
            0xD0, 0xEA, 0x83, 0xFC, 0x00, 0x56, 0x00, 0x04, 0x03, 0x93, 0, 0,
        ];
        for b in j11 {
            d.write(0.0, &[b]);
        }
        d.write(0.0, &[0xD0, 0xEA, 0x83, 0xFC, 0x00, 0x53]);
        assert_eq!(d.joins(), 3);
    }

    #[test]
    fn ground_truth_is_the_meters() {
        let d = Device::new("demo", 1, 0.0);
        let t = d.truth(5_000.0, 3_000);
        assert!(t.starts_with("[{\"power_w\":") && t.ends_with("}]"), "{t}");
        assert!(d.count_at(0).is_some());
    }
}
