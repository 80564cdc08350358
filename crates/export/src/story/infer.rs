//! What the decoded records of a session tell: phases, scans and the PANs heard,
//! authentication, readings, signal, dongle and meter facts, and the likely cause. Used for a
//! pasted log whole, and for the parts of a bundle the engine did not record.

use logdecode::{Body, Kind, Record};

use super::{
    AuthFacts, DongleFacts, MeterFacts, Outcome, Pan, PhaseSpan, ReadingFacts, Scan, SignalSample,
    Source, Story, TraceItem, TraceKind, Triage,
};
use crate::texts::{self, Localized};

/// One line of the trace with its records.
pub(crate) struct Unit {
    pub ms: Option<i64>,
    pub line: Option<usize>,
    pub dir: Option<String>,
    pub text: String,
    pub decoded: Vec<String>,
    pub records: Vec<Record>,
}

/// What the records told.
#[derive(Default)]
pub(crate) struct Facts {
    pub phases: Vec<PhaseSpan>,
    pub scans: Vec<Scan>,
    pub auth: AuthFacts,
    pub readings: ReadingFacts,
    pub signal: Vec<SignalSample>,
    pub meter: MeterFacts,
    pub trace: Vec<TraceItem>,
    dialect: Option<broute::Dialect>,
    ever: Option<String>,
    appver: Option<String>,
    ropt: Option<bool>,
    last_command: Option<String>,
    /// A command logged as sent, and how many records ago (its echo follows within two).
    echo_of: Option<(String, logdecode::Fields, u8)>,
    fails: u32,
    replies: u32,
    commands: u32,
    lost: bool,
    lost_at: Option<i64>,
    tx_limited: bool,
    tx_at: Option<i64>,
    last_ms: Option<i64>,
}

fn pan_of(r: &Record) -> Option<Pan> {
    Some(Pan {
        channel: r.field("channel")?.to_string(),
        pan_id: r.field("pan_id").map(String::from),
        lqi: r.field("lqi").and_then(|l| u8::from_str_radix(l, 16).ok()),
        rssi_dbm: r.fields()?.get("rssi_dbm").and_then(|v| v.as_i64()),
        pair_id_match: r.fields()?.get("pair_id_matches").and_then(|v| v.as_bool()),
    })
}

fn mask_serial(s: &str) -> String {
    let n = s.chars().count();
    s.chars()
        .enumerate()
        .map(|(i, c)| if i + 4 < n || n <= 4 { '*' } else { c })
        .collect()
}

/// The kind of a trace line from its records.
pub(crate) fn trace_kind(recs: &[Record]) -> TraceKind {
    let error = recs.iter().any(|r| match &r.body {
        Body::Reply(_) => r.name == "FAIL",
        Body::Event(f) => f.get("num").and_then(|v| v.as_str()) == Some("24"),
        Body::Unrecognised(u) => u.reason.is_some(),
        Body::J11(f) => {
            r.name == "malformed"
                || f.get("result").is_some_and(|v| v != "01")
                || f.get("outcome").is_some_and(|v| v != "success")
        }
        Body::Echonet(e) => e.error.is_some() || r.name.ends_with("_SNA"),
        Body::Command(_) => false,
    });
    if error {
        TraceKind::Error
    } else if recs.iter().any(|r| {
        r.kind() == Kind::Command
            || (r.kind() == Kind::J11 && r.field("message") == Some("request"))
    }) {
        TraceKind::Command
    } else if recs.iter().any(|r| r.kind() == Kind::Echonet) {
        TraceKind::Echonet
    } else if recs
        .iter()
        .any(|r| matches!(r.kind(), Kind::Reply | Kind::Event | Kind::J11))
    {
        TraceKind::Event
    } else {
        TraceKind::Other
    }
}

impl Facts {
    fn phase(&mut self, name: &str, ms: Option<i64>, line: Option<usize>) {
        if self.phases.last().is_some_and(|p| p.phase == name) {
            return;
        }
        self.phases.push(PhaseSpan {
            phase: name.into(),
            label: texts::phase(name),
            start_ms: ms,
            duration_ms: None,
            line,
        });
    }

    fn sample(
        &mut self,
        ms: Option<i64>,
        line: Option<usize>,
        rssi: Option<i64>,
        lqi: Option<u8>,
        source: &str,
    ) {
        if rssi.is_some() || lqi.is_some() {
            self.signal.push(SignalSample {
                ms,
                line,
                rssi_dbm: rssi,
                lqi,
                source: source.into(),
            });
        }
    }

    fn scan(&mut self, ms: Option<i64>, line: Option<usize>, duration: Option<u8>) {
        self.scans.push(Scan {
            start_ms: ms,
            end_ms: None,
            duration,
            line,
            pans: Vec::new(),
        });
    }

    fn add_pan(&mut self, p: Pan, ms: Option<i64>, line: Option<usize>) {
        if self.scans.is_empty() {
            self.scan(ms, line, None);
        }
        if let Some(s) = self.scans.last_mut() {
            s.pans.push(p);
        }
    }

    fn connected(&mut self, ms: Option<i64>, line: Option<usize>) {
        self.auth.connected = true;
        if self.lost {
            self.lost = false;
        }
        self.phase("reading", ms, line);
    }

    fn record(&mut self, r: &Record, ms: Option<i64>) {
        let line = Some(r.line);
        let f = |k: &str| r.field(k).map(String::from);
        if let Some((_, _, age)) = &mut self.echo_of {
            *age += 1;
            if *age > 3 {
                self.echo_of = None;
            }
        }
        match &r.body {
            Body::Command(fields) => {
                // The dongle's echo of a command just logged as sent.
                let echo = self
                    .echo_of
                    .as_ref()
                    .is_some_and(|(n, f, _)| *n == r.name && f == fields && r.dir.is_none());
                if r.dir == Some(logdecode::Dir::Echo) || echo {
                    self.echo_of = None;
                    return;
                }
                if r.dir == Some(logdecode::Dir::Sent) {
                    self.echo_of = Some((r.name.clone(), fields.clone(), 0));
                }
                self.commands += 1;
                self.last_command = Some(r.name.clone());
                match r.name.as_str() {
                    "SKVER" | "SKAPPVER" | "SKINFO" | "ROPT" | "RUART" => {
                        self.phase("expect_dongle", ms, line)
                    }
                    "SKRESET" | "SKTERM" | "WOPT" | "WUART" => {
                        self.phase("expect_settings", ms, line)
                    }
                    "SKSREG" => match r.field("register") {
                        Some("S2" | "S02" | "S3" | "S03") => self.phase("expect_channel", ms, line),
                        _ => self.phase("expect_settings", ms, line),
                    },
                    "SKSETPWD" | "SKSETRBID" => self.phase("expect_credentials_set", ms, line),
                    "SKSCAN" => {
                        if r.field("side").is_some() {
                            self.dialect.get_or_insert(broute::Dialect::DualStack);
                        }
                        self.phase("expect_scan", ms, line);
                        let d = r
                            .field("duration")
                            .and_then(|d| u8::from_str_radix(d, 16).ok());
                        self.scan(ms, line, d);
                    }
                    "SKLL64" => self.phase("expect_channel", ms, line),
                    "SKJOIN" => {
                        self.auth.attempts += 1;
                        self.phase("expect_join", ms, line);
                    }
                    _ => {}
                }
            }
            Body::Reply(_) => {
                self.replies += 1;
                match r.name.as_str() {
                    "EVER" => self.ever = f("version"),
                    "EAPPVER" => self.appver = f("version"),
                    "EINFO" => {
                        self.dialect = match r.field("dialect") {
                            Some("dual_stack") => Some(broute::Dialect::DualStack),
                            _ => Some(broute::Dialect::SingleHop),
                        }
                    }
                    "OK" if self.last_command.as_deref() == Some("ROPT") => self.ropt = Some(true),
                    "FAIL" => {
                        let probe = matches!(
                            self.last_command.as_deref(),
                            Some("ROPT" | "SKAPPVER" | "RUART")
                        );
                        if self.last_command.as_deref() == Some("ROPT") {
                            self.ropt = Some(false);
                        }
                        if !probe {
                            self.fails += 1;
                        }
                    }
                    _ => {}
                }
            }
            Body::Event(fields) => {
                self.replies += 1;
                match r.name.as_str() {
                    "EVENT" => match r.field("num") {
                        Some("22") => {
                            if let Some(s) = self.scans.last_mut() {
                                s.end_ms = s.end_ms.or(ms);
                            }
                        }
                        Some("24") => self.auth.refused += 1,
                        Some("25") => self.connected(ms, line),
                        Some("26" | "27" | "28") => {
                            self.lost = true;
                            self.lost_at = ms;
                            self.phase("reconnecting", ms, line);
                        }
                        Some("29") => {
                            self.lost = true;
                            self.lost_at = ms;
                            self.phase("re_authenticating", ms, line);
                        }
                        Some("32") => {
                            self.tx_limited = true;
                            self.tx_at = ms;
                            self.phase("tx_limited", ms, line);
                        }
                        Some("33") => {
                            self.tx_limited = false;
                            self.phase("reading", ms, line);
                        }
                        _ => {}
                    },
                    "EPANDESC" => {
                        if let Some(p) = pan_of(r) {
                            self.sample(ms, line, p.rssi_dbm, p.lqi, "scan");
                            self.add_pan(p, ms, line);
                        }
                        if fields.contains_key("side") {
                            self.dialect.get_or_insert(broute::Dialect::DualStack);
                        }
                    }
                    "ERXUDP" => {
                        let rssi = fields.get("rssi").and_then(|v| v.as_i64());
                        self.sample(ms, line, rssi, None, "packet");
                        match r.field("layout") {
                            Some("single_hop") => {
                                self.dialect.get_or_insert(broute::Dialect::SingleHop)
                            }
                            _ => self.dialect.get_or_insert(broute::Dialect::DualStack),
                        };
                    }
                    _ => {}
                }
            }
            Body::J11(fields) => self.j11(r, fields, ms),
            Body::Echonet(e) => {
                let from_meter = e
                    .seoj
                    .as_deref()
                    .is_some_and(|s| s.starts_with("0288") || s.starts_with("028A"));
                if from_meter && (!r.name.starts_with("Get") || r.name == "Get_Res") {
                    self.readings.count += 1;
                    if self.auth.connected || self.phases.is_empty() {
                        self.phase("reading", ms, line);
                    }
                }
                if let Some(s) = &e.seoj {
                    if s.starts_with("0288") {
                        self.meter.class.get_or_insert("low_voltage".into());
                    } else if s.starts_with("028A") {
                        self.meter.class.get_or_insert("high_voltage".into());
                    }
                }
                for p in &e.props {
                    let v = p
                        .value
                        .as_ref()
                        .map(|v| serde_json::to_value(v).unwrap_or_default());
                    let s = |k: &str| v.as_ref().and_then(|v| v[k].as_str().map(String::from));
                    match p.epc.as_str() {
                        "E7" if from_meter => {
                            self.readings.last_power_w =
                                s("value").or(self.readings.last_power_w.take())
                        }
                        "82" if from_meter => self.meter.release = s("release"),
                        "8A" if from_meter => {
                            self.meter.maker = s("code").map(|c| format!("0x{c}"))
                        }
                        "8D" if from_meter => {
                            self.meter.serial = s("text").map(|t| mask_serial(&t))
                        }
                        _ => {}
                    }
                }
            }
            Body::Unrecognised(_) => {}
        }
    }

    fn j11(&mut self, r: &Record, fields: &logdecode::Fields, ms: Option<i64>) {
        let line = Some(r.line);
        self.dialect = Some(broute::Dialect::J11);
        let request = r.field("message") == Some("request");
        if request {
            self.commands += 1;
        } else {
            self.replies += 1;
        }
        let int = |k: &str| fields.get(k).and_then(|v| v.as_i64());
        match (r.name.as_str(), request) {
            ("get_firmware_version" | "get_status" | "get_initial_setup", true) => {
                self.phase("expect_dongle", ms, line)
            }
            ("get_firmware_version", false) => {
                if let (Some(v), Some(rev)) = (r.field("version"), r.field("revision")) {
                    self.ever = Some(v.to_string());
                    self.appver = Some(format!("rev {rev}"));
                }
            }
            ("reset", true) => self.phase("expect_settings", ms, line),
            ("initial_setup", true) => {
                let p = if self.scans.is_empty() {
                    "expect_settings"
                } else {
                    "expect_channel"
                };
                self.phase(p, ms, line)
            }
            ("set_b_route_credentials", true) => self.phase("expect_credentials_set", ms, line),
            ("active_scan", true) => {
                self.phase("expect_scan", ms, line);
                let d = int("duration").and_then(|d| u8::try_from(d).ok());
                self.scan(ms, line, d);
            }
            ("scan_result", false) => {
                let ch = r
                    .field("channel")
                    .and_then(|c| u8::from_str_radix(c, 16).ok());
                for b in fields
                    .get("beacons")
                    .and_then(|v| v.as_array())
                    .into_iter()
                    .flatten()
                {
                    let rssi = b["rssi"].as_i64();
                    self.sample(ms, line, rssi, None, "scan");
                    let p = Pan {
                        channel: ch.map(|c| c.to_string()).unwrap_or_default(),
                        pan_id: b["pan_id"].as_str().map(String::from),
                        lqi: None,
                        rssi_dbm: rssi,
                        // J11 scans filter by Pairing ID: every beacon heard is ours.
                        pair_id_match: Some(true),
                    };
                    self.add_pan(p, ms, line);
                }
            }
            ("active_scan", false) => {
                if let Some(s) = self.scans.last_mut() {
                    s.end_ms = s.end_ms.or(ms);
                }
            }
            ("start_b_route" | "open_udp_port", true) => self.phase("expect_channel", ms, line),
            ("start_b_route", false) => self.sample(ms, line, int("rssi"), None, "link"),
            ("start_pana", true) => {
                self.auth.attempts += 1;
                self.phase("expect_join", ms, line);
            }
            ("pana_result", false) => match r.field("outcome") {
                Some("success") => self.connected(ms, line),
                Some("rejected") => self.auth.refused += 1,
                _ => {}
            },
            ("udp_received", false) => self.sample(ms, line, int("rssi"), None, "packet"),
            ("link_state", false) => {
                self.sample(ms, line, int("rssi"), None, "link");
                if matches!(r.field("state"), Some("mac_down" | "pana_down")) {
                    self.lost = true;
                    self.lost_at = ms;
                    self.phase("reconnecting", ms, line);
                }
            }
            ("receive_error", false) if r.field("reason") == Some("decrypt") => {
                self.phase("re_authenticating", ms, line)
            }
            _ => {}
        }
        if !request && fields.get("result").is_some_and(|v| v != "01") {
            self.fails += 1;
        }
    }

    /// Take a unit (its records and its place in the trace).
    pub fn unit(&mut self, u: Unit) {
        if u.ms.is_some() {
            self.last_ms = u.ms;
        }
        for r in &u.records {
            self.record(r, u.ms);
        }
        self.trace.push(TraceItem {
            ms: u.ms,
            line: u.line,
            kind: trace_kind(&u.records),
            dir: u.dir,
            text: u.text,
            decoded: u.decoded,
        });
    }

    /// Dongle facts from what was seen.
    pub fn dongle_facts(&self) -> DongleFacts {
        let Some(d) = self.dialect else {
            return DongleFacts {
                firmware: self.firmware(),
                ..DongleFacts::default()
            };
        };
        let info = broute::DongleInfo {
            dialect: d,
            erxudp_mode: None,
            stack_version: self.ever.clone(),
            app_version: self.appver.clone(),
            supports_ropt: self.ropt,
        };
        DongleFacts {
            family: Some(info.family().into()),
            dialect: Some(d.name().replace('-', "_")),
            firmware: self.firmware(),
            erxudp_mode: None,
        }
    }

    fn firmware(&self) -> Option<String> {
        let parts: Vec<String> = [
            self.ever.as_ref().map(|v| v.to_string()),
            self.appver.clone(),
        ]
        .into_iter()
        .flatten()
        .collect();
        (!parts.is_empty()).then(|| match self.dialect {
            Some(broute::Dialect::J11) => format!("J11 {}", parts.join(" ")),
            _ => parts.join(" "),
        })
    }

    /// The likely cause, from what the records show.
    pub fn triage(&self) -> Option<Triage> {
        let pans: Vec<&Pan> = self.scans.iter().flat_map(|s| &s.pans).collect();
        let name = if self.tx_limited {
            "tx_limit"
        } else if self.lost {
            "session_lost"
        } else if self.auth.connected {
            return None;
        } else if self.auth.refused > 0 {
            "auth_refused"
        } else if !self.scans.is_empty()
            && pans.is_empty()
            && self
                .scans
                .iter()
                .all(|s| s.end_ms.is_some() || s.line.is_some())
        {
            "no_meter_heard"
        } else if !pans.is_empty() && pans.iter().all(|p| p.pair_id_match == Some(false)) {
            "meter_not_ours"
        } else if self.fails > 0 {
            "dongle_error"
        } else if self.commands > 0 && self.replies == 0 {
            "no_dongle_answer"
        } else {
            return None;
        };
        let at = match name {
            "tx_limit" => self.tx_at,
            "session_lost" => self.lost_at,
            _ => self.last_ms,
        };
        Some(triage(name, at, false))
    }
}

/// A triage result with its texts.
pub(crate) fn triage(name: &str, at_ms: Option<i64>, recovered: bool) -> Triage {
    Triage {
        code: texts::code(name).unwrap_or("").into(),
        name: name.into(),
        cause: texts::cause(name).unwrap_or_default(),
        fix: texts::fix(name).unwrap_or_default(),
        at_ms,
        recovered,
    }
}

/// Durations from the next phase's start.
pub(crate) fn close_phases(phases: &mut [PhaseSpan], end: Option<i64>) {
    let n = phases.len();
    for i in 0..n {
        let next = if i + 1 < n {
            phases[i + 1].start_ms
        } else {
            end
        };
        phases[i].duration_ms = match (phases[i].start_ms, next) {
            (Some(a), Some(b)) if b >= a && (i + 1 < n || b > a) => Some(b - a),
            _ => None,
        };
    }
}

/// The outcome from the phases and the triage.
pub(crate) fn outcome(phases: &[PhaseSpan], triage: Option<&Triage>) -> Outcome {
    let fatal = triage
        .is_some_and(|t| !t.recovered && !matches!(t.name.as_str(), "session_lost" | "tx_limit"));
    match phases.last().map(|p| p.phase.as_str()) {
        _ if fatal => Outcome::Stopped,
        Some("stopped") => Outcome::Stopped,
        Some("reading") => Outcome::Reading,
        _ => Outcome::Unfinished,
    }
}

/// The lines of a log as the decoder counts them (LF, CR LF or CR).
fn log_lines(log: &[u8]) -> Vec<&[u8]> {
    let mut v = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < log.len() {
        match log[i] {
            b'\n' => {
                v.push(&log[start..i]);
                start = i + 1;
            }
            b'\r' => {
                v.push(&log[start..i]);
                if log.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    if start < log.len() {
        v.push(&log[start..]);
    }
    v
}

pub(crate) fn from_log(log: &[u8]) -> Story {
    let mut d = logdecode::LogDecoder::new();
    let mut recs = Vec::new();
    d.feed(log, &mut recs);
    d.finish(&mut recs);
    let lines = log_lines(log);
    let mut facts = Facts::default();
    let mut i = 0;
    while i < recs.len() {
        let n = recs[i].line;
        let j = recs[i..]
            .iter()
            .position(|r| r.line != n)
            .map_or(recs.len(), |k| i + k);
        let group: Vec<Record> = recs[i..j].to_vec();
        let raw = lines.get(n.wrapping_sub(1)).copied().unwrap_or(b"");
        let text = d.redact_text(String::from_utf8_lossy(raw).trim_end());
        let ms = group
            .iter()
            .find_map(|r| r.input.as_ref().and_then(|x| x.t_ms));
        let dir = group
            .iter()
            .find_map(|r| r.dir)
            .map(|d| format!("{d:?}").to_ascii_lowercase());
        let decoded = group.iter().map(|r| d.render(r)).collect();
        facts.unit(Unit {
            ms,
            line: Some(n),
            dir,
            text,
            decoded,
            records: group,
        });
        i = j;
    }
    let triage = facts.triage();
    let mut phases = std::mem::take(&mut facts.phases);
    if triage
        .as_ref()
        .is_some_and(|t| !matches!(t.name.as_str(), "session_lost" | "tx_limit"))
    {
        phases.push(PhaseSpan {
            phase: "stopped".into(),
            label: texts::phase("stopped"),
            start_ms: facts.last_ms,
            duration_ms: None,
            line: facts.trace.last().and_then(|t| t.line),
        });
    }
    close_phases(&mut phases, facts.last_ms);
    let outcome = outcome(&phases, triage.as_ref());
    let mut story = Story {
        story_version: super::STORY_VERSION,
        source: Source::Log,
        outcome,
        phases,
        triage,
        dongle: facts.dongle_facts(),
        meter: std::mem::take(&mut facts.meter),
        signal: std::mem::take(&mut facts.signal),
        scans: std::mem::take(&mut facts.scans),
        auth: std::mem::take(&mut facts.auth),
        readings: std::mem::take(&mut facts.readings),
        trace: std::mem::take(&mut facts.trace),
        summary: Localized::default(),
    };
    story.summary = super::summary::summary(&story);
    story
}
