//! The story of a support bundle: the engine's own phases, causes, scans and identities, with
//! the decoded trace for the signal, the authentication attempts and the readings.

use logdecode::Record;

use super::infer::{close_phases, outcome, triage, Facts, Unit};
use super::{Pan, PhaseSpan, Scan, SignalSample, Source, Story};
use crate::bundle::{Bundle, TraceDir, TraceLine};
use crate::texts::{self, Localized};

/// The records of a trace line: its decoded JSON (schema 2), or — for older bundles and for
/// ECHONET lines, which hold rendered text — the line decoded again.
fn records(t: &TraceLine) -> Vec<Record> {
    let parsed: Vec<Record> = t
        .decoded
        .iter()
        .filter_map(|d| Record::from_json(d.as_str()).ok())
        .collect();
    if !parsed.is_empty() {
        return parsed;
    }
    let prefix = match t.dir {
        TraceDir::Sent => "[SEND] ",
        TraceDir::Received => "[RECEIVE] ",
        TraceDir::FrameOut => "TX: ",
        TraceDir::FrameIn => "RX: ",
    };
    logdecode::decode_log(format!("{prefix}{}", t.text.as_str()).as_bytes())
        .into_iter()
        .filter(|r| r.kind() != logdecode::Kind::Unrecognised)
        .collect()
}

fn dir_name(d: TraceDir) -> &'static str {
    match d {
        TraceDir::Sent => "sent",
        TraceDir::Received => "received",
        TraceDir::FrameOut => "frame_out",
        TraceDir::FrameIn => "frame_in",
    }
}

pub(crate) fn from_bundle(b: &Bundle) -> Story {
    let mut facts = Facts::default();
    for t in &b.trace {
        let recs = records(t);
        facts.unit(Unit {
            ms: i64::try_from(t.ms).ok(),
            line: None,
            dir: Some(dir_name(t.dir).into()),
            text: t.text.as_str().to_string(),
            decoded: t.decoded.iter().map(|d| d.as_str().to_string()).collect(),
            records: recs,
        });
    }
    let end = [
        b.trace.last().map(|t| t.ms),
        b.causes.last().map(|c| c.ms),
        b.phases.last().map(|p| p.ms),
    ]
    .into_iter()
    .flatten()
    .max()
    .and_then(|m| i64::try_from(m).ok());
    // The engine's phases.
    let mut phases: Vec<PhaseSpan> = b
        .phases
        .iter()
        .map(|p| PhaseSpan {
            phase: p.phase.as_str().into(),
            label: texts::phase(p.phase.as_str()),
            start_ms: i64::try_from(p.ms).ok(),
            duration_ms: None,
            line: None,
        })
        .collect();
    phases.dedup_by(|a, b| a.phase == b.phase);
    close_phases(&mut phases, end);
    // The last cause; recovered when a `recovered` entry follows it.
    let last = b.causes.iter().rposition(|c| !c.code.as_str().is_empty());
    let triage = last.map(|i| {
        let c = &b.causes[i];
        let recovered = b.causes[i + 1..]
            .iter()
            .any(|x| x.name.as_str() == "recovered");
        triage(c.name.as_str(), i64::try_from(c.ms).ok(), recovered)
    });
    // The engine's scans (with the Pairing ID match), else what the trace shows.
    let scans: Vec<Scan> = if b.scans.is_empty() {
        std::mem::take(&mut facts.scans)
    } else {
        b.scans
            .iter()
            .map(|s| Scan {
                start_ms: i64::try_from(s.ms).ok(),
                end_ms: s.end_ms.and_then(|m| i64::try_from(m).ok()),
                duration: Some(s.duration),
                line: None,
                pans: s
                    .pans
                    .iter()
                    .map(|p| Pan {
                        channel: match b.dongle.as_ref().map(|d| d.dialect.as_str()) {
                            Some("J11") => p.channel.to_string(),
                            _ => format!("{:02X}", p.channel),
                        },
                        pan_id: Some(format!("{:04X}", p.pan_id)),
                        lqi: p.lqi,
                        rssi_dbm: p.rssi_dbm.map(i64::from),
                        pair_id_match: Some(p.matches),
                    })
                    .collect(),
            })
            .collect()
    };
    let mut signal = std::mem::take(&mut facts.signal);
    if !b.scans.is_empty() {
        signal.retain(|s| s.source != "scan");
        for s in &b.scans {
            for p in &s.pans {
                signal.push(SignalSample {
                    ms: i64::try_from(p.ms).ok(),
                    line: None,
                    rssi_dbm: p.rssi_dbm.map(i64::from),
                    lqi: p.lqi,
                    source: "scan".into(),
                });
            }
        }
        signal.sort_by_key(|s| s.ms);
    }
    if signal.is_empty() {
        if let Some(f) = &b.figures {
            if f.last_rssi_dbm.is_some() || f.last_lqi.is_some() {
                signal.push(SignalSample {
                    ms: end,
                    line: None,
                    rssi_dbm: f.last_rssi_dbm.map(i64::from),
                    lqi: f.last_lqi,
                    source: "figures".into(),
                });
            }
        }
    }
    let mut dongle = facts.dongle_facts();
    if let Some(d) = &b.dongle {
        dongle.family = Some(d.family.as_str().into());
        dongle.dialect = Some(
            match d.dialect.as_str() {
                "SingleHop" => "single_hop",
                "DualStack" => "dual_stack",
                "J11" => "j11",
                other => other,
            }
            .into(),
        );
        let fw: Vec<&str> = [d.stack_version.as_ref(), d.app_version.as_ref()]
            .into_iter()
            .flatten()
            .map(|r| r.as_str())
            .collect();
        if !fw.is_empty() {
            // As `DongleInfo::firmware()` writes it (`J11 1.3 rev 158A`).
            let j11 = if d.dialect.as_str() == "J11" {
                "J11 "
            } else {
                ""
            };
            dongle.firmware = Some(format!("{j11}{}", fw.join(" ")));
        }
        dongle.erxudp_mode = Some(d.erxudp_mode.as_str().into());
    }
    let mut meter = std::mem::take(&mut facts.meter);
    if let Some(m) = &b.meter {
        meter.class = Some(m.class.as_str().into());
        meter.release = m
            .release
            .as_ref()
            .map(|r| r.as_str().into())
            .or(meter.release);
        meter.maker = m.maker.as_ref().map(|r| r.as_str().into()).or(meter.maker);
        meter.serial = m
            .serial
            .as_ref()
            .map(|r| r.as_str().into())
            .or(meter.serial);
    }
    let mut readings = std::mem::take(&mut facts.readings);
    if let Some(f) = &b.figures {
        readings.count = readings.count.max(f.readings);
    }
    // Older bundles hold J11 traces undecoded: the phases and the cause tell about PANA.
    let mut auth = std::mem::take(&mut facts.auth);
    if auth.attempts == 0 {
        auth.attempts = phases.iter().filter(|p| p.phase == "expect_join").count() as u32;
    }
    if auth.refused == 0 && triage.as_ref().is_some_and(|t| t.name == "auth_refused") {
        auth.refused = auth.attempts.max(1);
    }
    if !auth.connected {
        auth.connected = phases.iter().any(|p| p.phase == "reading");
    }
    let outcome = outcome(&phases, triage.as_ref());
    let mut story = Story {
        story_version: super::STORY_VERSION,
        source: Source::Bundle,
        outcome,
        phases,
        triage,
        dongle,
        meter,
        signal,
        scans,
        auth,
        readings,
        trace: std::mem::take(&mut facts.trace),
        summary: Localized::default(),
    };
    story.summary = super::summary::summary(&story);
    story
}
