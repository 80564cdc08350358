//! The scans of a session as the engine saw them (attempts, every PAN heard with its signal
//! and whether its Pairing ID matches the B-route ID), kept in the support bundle: the trace
//! cannot tell (the `PairID` values are redacted there, and so are J11 Pairing IDs).

use broute::Event;
use serde::{Deserialize, Serialize};

/// A PAN heard during a scan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PanEntry {
    /// Engine time, ms.
    pub ms: u64,
    /// Channel (SKSTACK 0x21–0x3C, J11 4–17).
    pub channel: u8,
    /// PAN ID.
    pub pan_id: u16,
    /// Link quality (SKSTACK).
    #[serde(default)]
    pub lqi: Option<u8>,
    /// Signal strength, dBm.
    #[serde(default)]
    pub rssi_dbm: Option<i16>,
    /// Its Pairing ID matches the B-route ID.
    pub matches: bool,
}

/// One scan attempt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanEntry {
    /// Engine time of the start, ms.
    pub ms: u64,
    /// 1-based attempt.
    pub attempt: u8,
    /// Duration exponent.
    pub duration: u8,
    /// Only the remembered channel was scanned.
    #[serde(default)]
    pub single_channel: bool,
    /// Engine time of the end, ms.
    #[serde(default)]
    pub end_ms: Option<u64>,
    /// PANs heard.
    #[serde(default)]
    pub pans: Vec<PanEntry>,
}

/// Most scans and PANs kept (a session that rescans for days stays bounded).
pub const MAX_SCANS: usize = 200;
/// Most PANs kept per scan.
pub const MAX_PANS: usize = 32;

/// Record a scan event; others are ignored.
pub(crate) fn scan_event(scans: &mut Vec<ScanEntry>, ms: u64, ev: &Event) {
    match ev {
        Event::ScanStarted {
            attempt,
            duration,
            single_channel,
            ..
        } if scans.len() < MAX_SCANS => scans.push(ScanEntry {
            ms,
            attempt: *attempt,
            duration: *duration,
            single_channel: *single_channel,
            end_ms: None,
            pans: Vec::new(),
        }),
        Event::PanFound(p) => {
            if let Some(s) = scans.last_mut().filter(|s| s.pans.len() < MAX_PANS) {
                s.pans.push(PanEntry {
                    ms,
                    channel: p.channel,
                    pan_id: p.pan_id,
                    lqi: p.lqi,
                    rssi_dbm: p.rssi_dbm,
                    matches: p.matches,
                });
            }
        }
        Event::ScanFinished { .. } => {
            if let Some(s) = scans.last_mut() {
                s.end_ms.get_or_insert(ms);
            }
        }
        _ => {}
    }
}
