//! What the engine tells the UI: phases, causes, readings, identities, figures.

use core::fmt;

use echonet::lv::{Currents, History1, PairHistory};
use echonet::{Date, DateTime, Decimal, Eoj, Measured, OrUnset, PropertyMap};
use serde::{Deserialize, Serialize};

use crate::profile::PairingProfile;
use skstack::{ErxudpMode, Instant, Mac};

/// Where the engine is, named for what it waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phase {
    /// Not started.
    Idle,
    /// Waiting for the dongle to answer the probes (SKVER, SKINFO, ROPT…; J11 firmware version).
    ExpectDongle,
    /// Waiting for the dongle to accept its settings (SKSTACK echo off, RSSI on; J11 reset and
    /// initial setup).
    ExpectSettings,
    /// Waiting for the user to enter the B-route ID and password.
    ExpectCredentials,
    /// Waiting for the dongle to accept the credentials.
    ExpectCredentialsSet,
    /// Waiting for an active scan to end.
    ExpectScan,
    /// Waiting for the dongle to accept the channel and PAN ID (J11: start B-route, open port
    /// 3610).
    ExpectChannel,
    /// Waiting for PANA authentication (SKSTACK EVENT 25 or 24, J11 notification 0x6028).
    ExpectJoin,
    /// Waiting for the meter's instance list (asked for when the meter did not answer the
    /// identity request).
    ExpectInstanceList,
    /// Waiting for the meter's identity and scaling.
    ExpectIdentity,
    /// Reading the meter.
    Reading,
    /// The session expired (SKSTACK EVENT 29, J11 decrypt error); sends are held until
    /// re-authentication ends.
    ReAuthenticating,
    /// The transmit-time budget is exhausted (SKSTACK EVENT 32, J11 send detail 2); sends are
    /// held until it is released.
    TxLimited,
    /// The session was lost; rejoining or rescanning with backoff.
    Reconnecting,
    /// Stopped for good; see the cause.
    Stopped,
}

impl Phase {
    /// A stable snake_case name (logs, support bundle, tests).
    pub fn name(self) -> &'static str {
        match self {
            Self::Idle => "idle",
            Self::ExpectDongle => "expect_dongle",
            Self::ExpectSettings => "expect_settings",
            Self::ExpectCredentials => "expect_credentials",
            Self::ExpectCredentialsSet => "expect_credentials_set",
            Self::ExpectScan => "expect_scan",
            Self::ExpectChannel => "expect_channel",
            Self::ExpectJoin => "expect_join",
            Self::ExpectInstanceList => "expect_instance_list",
            Self::ExpectIdentity => "expect_identity",
            Self::Reading => "reading",
            Self::ReAuthenticating => "re_authenticating",
            Self::TxLimited => "tx_limited",
            Self::Reconnecting => "reconnecting",
            Self::Stopped => "stopped",
        }
    }

    /// Every phase, in the order the engine usually passes them.
    pub const ALL: [Phase; 15] = [
        Self::Idle,
        Self::ExpectDongle,
        Self::ExpectSettings,
        Self::ExpectCredentials,
        Self::ExpectCredentialsSet,
        Self::ExpectScan,
        Self::ExpectChannel,
        Self::ExpectJoin,
        Self::ExpectInstanceList,
        Self::ExpectIdentity,
        Self::Reading,
        Self::ReAuthenticating,
        Self::TxLimited,
        Self::Reconnecting,
        Self::Stopped,
    ];

    /// The phase of a [`Phase::name`] (support bundles, stories); `None` for other names.
    pub fn from_name(name: &str) -> Option<Phase> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }
}

/// Why something went wrong, in terms a user can act on. Each has a short stable code that a
/// customer can read out on the phone (`docs/troubleshooting.md` lists them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Cause {
    /// The dongle does not answer at all (wrong port, not a Wi-SUN dongle, another program).
    NoDongleAnswer,
    /// The dongle refused a setting or command in an unexpected way.
    DongleError,
    /// No meter answered the scans (placement, or the B-route service is not open yet).
    NoMeterHeard,
    /// Meters answered, but none belongs to this B-route ID.
    MeterNotOurs,
    /// The meter refused authentication (password, or ID) — stopped to avoid a lock-out.
    AuthRefused,
    /// The meter stopped answering or closed the session; reconnecting.
    SessionLost,
    /// The radio's transmit-time budget (ARIB STD-T108) is used up; resumes by itself.
    TxLimit,
    /// The joined device did not identify as a smart meter.
    NotAMeter,
    /// The serial link to the dongle was lost (unplugged).
    DongleLost,
}

impl Cause {
    /// Short stable code, e.g. `BR-21`.
    pub fn code(self) -> &'static str {
        match self {
            Self::NoDongleAnswer => "BR-10",
            Self::DongleError => "BR-12",
            Self::DongleLost => "BR-13",
            Self::NoMeterHeard => "BR-20",
            Self::MeterNotOurs => "BR-21",
            Self::AuthRefused => "BR-30",
            Self::NotAMeter => "BR-31",
            Self::SessionLost => "BR-40",
            Self::TxLimit => "BR-41",
        }
    }

    /// A stable snake_case name (the UI's message key).
    pub fn name(self) -> &'static str {
        match self {
            Self::NoDongleAnswer => "no_dongle_answer",
            Self::DongleError => "dongle_error",
            Self::DongleLost => "dongle_lost",
            Self::NoMeterHeard => "no_meter_heard",
            Self::MeterNotOurs => "meter_not_ours",
            Self::AuthRefused => "auth_refused",
            Self::NotAMeter => "not_a_meter",
            Self::SessionLost => "session_lost",
            Self::TxLimit => "tx_limit",
        }
    }

    /// True when the engine has stopped and needs the user (the others recover by themselves).
    pub fn is_fatal(self) -> bool {
        !matches!(self, Self::SessionLost | Self::TxLimit)
    }
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.code(), self.name())
    }
}

/// The dongle's protocol family: the two SKSTACK IP editions, or ROHM's J11 binary API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Dialect {
    /// SKSTACK IP single-hop edition: BP35A1, RL7023 Stick-D/IPS, WSR35A1.
    #[serde(rename = "single-hop", alias = "single_hop")]
    SingleHop,
    /// SKSTACK IP dual-stack edition: BP35C0/C2, RS-WSUHA-P, RL7023 Stick-D/DSS.
    #[serde(rename = "dual-stack", alias = "dual_stack")]
    DualStack,
    /// The J11 binary UART API: RS-WSUHA-J11, BP35C2-J11-T01, BP35C0-J11.
    #[serde(rename = "j11")]
    J11,
}

impl Dialect {
    /// A stable name (logs, support bundle, the pairing profile).
    pub fn name(self) -> &'static str {
        match self {
            Self::SingleHop => "single-hop",
            Self::DualStack => "dual-stack",
            Self::J11 => "j11",
        }
    }

    /// Channels this dongle family numbers: SKSTACK 0x21–0x3C, J11 0x04–0x11.
    pub fn valid_channel(self, channel: u8) -> bool {
        match self {
            Self::SingleHop | Self::DualStack => (0x21..=0x3C).contains(&channel),
            Self::J11 => (0x04..=0x11).contains(&channel),
        }
    }
}

impl From<skstack::Dialect> for Dialect {
    fn from(d: skstack::Dialect) -> Self {
        match d {
            skstack::Dialect::SingleHop => Self::SingleHop,
            skstack::Dialect::DualStack => Self::DualStack,
        }
    }
}

/// What the probes found out about the dongle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DongleInfo {
    /// Single-hop, dual-stack or J11.
    pub dialect: Dialect,
    /// How ERXUDP data arrives (SKSTACK only).
    pub erxudp_mode: Option<ErxudpMode>,
    /// SKSTACK `EVER`; J11 firmware version (`major.minor`).
    pub stack_version: Option<String>,
    /// SKSTACK `EAPPVER`; J11 firmware revision (`rev 158A`).
    pub app_version: Option<String>,
    /// Whether `ROPT` exists (false on RL7023 Stick-D/DSS; SKSTACK only).
    pub supports_ropt: Option<bool>,
}

impl DongleInfo {
    /// The product family, as far as the probes tell.
    pub fn family(&self) -> &'static str {
        match (self.dialect, self.supports_ropt) {
            (Dialect::SingleHop, _) => "BP35A1 / RL7023 Stick-D/IPS",
            (Dialect::DualStack, Some(false)) => "RL7023 Stick-D/DSS",
            (Dialect::DualStack, _) => "BP35C0 / BP35C2 / RS-WSUHA-P",
            (Dialect::J11, _) => "RS-WSUHA-J11 / BP35C2-J11-T01 / BP35C0-J11",
        }
    }

    /// The firmware as one line (`EVER 1.2.10 rev26e`, `J11 1.3 rev 158A`).
    pub fn firmware(&self) -> String {
        let parts: Vec<&str> = [self.stack_version.as_deref(), self.app_version.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        match self.dialect {
            Dialect::J11 => format!("J11 {}", parts.join(" ")),
            _ => parts.join(" "),
        }
    }
}

/// A PAN heard during a scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PanInfo {
    /// Channel (0x21–0x3C).
    pub channel: u8,
    /// PAN ID.
    pub pan_id: u16,
    /// The meter's MAC.
    pub mac: Mac,
    /// Link quality (SKSTACK).
    pub lqi: Option<u8>,
    /// Signal strength, dBm (J11 reports it; derived from the LQI on SKSTACK).
    pub rssi_dbm: Option<i16>,
    /// Whether its Pairing ID matches the last 8 characters of the B-route ID (true where the
    /// scan itself filters by Pairing ID, as on J11).
    pub matches: bool,
}

/// Class of the meter that answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MeterClass {
    /// 0x0288 low-voltage smart electric energy meter.
    LowVoltage,
    /// 0x028A high-voltage smart electric energy meter.
    HighVoltage,
}

impl MeterClass {
    /// The ECHONET object of instance 1.
    pub fn eoj(self) -> Eoj {
        match self {
            Self::LowVoltage => Eoj::LV_SMART_METER,
            Self::HighVoltage => Eoj::HV_SMART_METER,
        }
    }
}

/// Scaling of a low-voltage meter's energy counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LvScaling {
    /// D3 coefficient; `None` when the meter answered Get_SNA (then 1 applies).
    pub coefficient: Option<u32>,
    /// E1 unit code, when known.
    pub unit: Option<echonet::EnergyUnit>,
    /// D7 effective digits (counters roll over at 10^D7).
    pub digits: Option<u8>,
}

impl LvScaling {
    /// raw × D3 × E1 in kWh, exactly; `None` while E1 is unknown.
    pub fn kwh(&self, raw: u32) -> Option<Decimal> {
        self.unit
            .map(|u| echonet::LvScale::new(self.coefficient, u).apply(raw))
    }
}

/// Scaling of a high-voltage meter (D3 × D4 × unit code).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HvScaling {
    /// D3 coefficient.
    pub coefficient: Option<u32>,
    /// D4 multiplier.
    pub multiplier: Option<echonet::Multiplier>,
    /// E6 unit of active energy.
    pub active_unit: Option<echonet::EnergyUnit>,
    /// E5 effective digits of active energy.
    pub active_digits: Option<u8>,
    /// C5 unit of demand.
    pub demand_unit: Option<echonet::EnergyUnit>,
    /// CD unit of reactive energy.
    pub reactive_unit: Option<echonet::EnergyUnit>,
}

impl HvScaling {
    fn scale(&self, unit: Option<echonet::EnergyUnit>) -> Option<echonet::HvScale> {
        Some(echonet::HvScale {
            coefficient: self.coefficient.unwrap_or(1),
            multiplier: self
                .multiplier
                .unwrap_or(echonet::Multiplier::from_code(0).ok()?),
            unit: unit?,
        })
    }

    /// Active energy in kWh (× D3 × D4 × E6).
    pub fn active_kwh(&self, raw: u32) -> Option<Decimal> {
        self.scale(self.active_unit).map(|s| s.apply(raw))
    }

    /// Demand in kW (× D3 × D4 × C5).
    pub fn demand_kw(&self, raw: u32) -> Option<Decimal> {
        self.scale(self.demand_unit).map(|s| s.apply(raw))
    }

    /// Reactive energy in kvarh (× D3 × D4 × CD).
    pub fn reactive_kvarh(&self, raw: u32) -> Option<Decimal> {
        self.scale(self.reactive_unit).map(|s| s.apply(raw))
    }
}

/// Who the meter is and how to read its numbers (read once after joining).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeterIdentity {
    /// Low- or high-voltage.
    pub class: MeterClass,
    /// Appendix release letter from 0x82.
    pub release: Option<char>,
    /// Manufacturer code (0x8A).
    pub maker: Option<u32>,
    /// Production number (0x8D), printable text only.
    pub serial: Option<String>,
    /// Get property map (0x9F).
    pub get_map: Option<PropertyMap>,
    /// Low-voltage scaling.
    pub lv: LvScaling,
    /// High-voltage scaling.
    pub hv: HvScaling,
}

impl MeterIdentity {
    pub(crate) fn new(class: MeterClass) -> Self {
        Self {
            class,
            release: None,
            maker: None,
            serial: None,
            get_map: None,
            lv: LvScaling {
                coefficient: None,
                unit: None,
                digits: None,
            },
            hv: HvScaling {
                coefficient: None,
                multiplier: None,
                active_unit: None,
                active_digits: None,
                demand_unit: None,
                reactive_unit: None,
            },
        }
    }

    /// Whether the meter says it supports Get of `epc` (true when the map is unknown).
    pub fn can_get(&self, epc: u8) -> bool {
        self.get_map.as_ref().is_none_or(|m| m.contains(epc))
    }
}

/// A counter value with its exact scaled form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Energy {
    /// The raw count as the meter sent it (or its "no data" marker).
    pub raw: Measured<u32>,
    /// raw × coefficient × unit, exactly; `None` for "no data" or while the unit is unknown.
    pub kwh: Option<Decimal>,
}

/// One poll of a low-voltage meter (fields the meter did not send are `None`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LvReading {
    /// E7 instantaneous power in W (negative = export).
    pub power_w: Option<Measured<i32>>,
    /// E8 currents.
    pub currents: Option<Currents>,
    /// E0 cumulative energy, normal direction.
    pub energy_normal: Option<Energy>,
    /// E3 cumulative energy, reverse direction.
    pub energy_reverse: Option<Energy>,
}

/// One poll of a high-voltage meter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HvReading {
    /// E2 cumulative active energy (latest) with its stamp.
    pub active_energy: Option<(OrUnset<DateTime>, Energy)>,
    /// C3 demand at fixed time (30-minute average), kW.
    pub demand: Option<(OrUnset<DateTime>, Measured<u32>, Option<Decimal>)>,
    /// C1 monthly maximum demand, kW.
    pub monthly_max_demand: Option<(Measured<u32>, Option<Decimal>)>,
    /// CA reactive energy (lag), kvarh.
    pub reactive_energy: Option<(OrUnset<DateTime>, Energy)>,
}

/// A reading, low- or high-voltage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadingValues {
    /// 0x0288.
    Low(LvReading),
    /// 0x028A.
    High(HvReading),
}

/// One answered poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reading {
    /// Engine time when the answer arrived.
    pub at: Instant,
    /// Round trip from SKSENDTO to the answer, ms.
    pub rtt_ms: u64,
    /// RSSI of the answer (dual-stack with SA2 = 1), dBm.
    pub rssi_dbm: Option<i16>,
    /// The values.
    pub values: ReadingValues,
}

/// A 30-minute fixed-time reading (EA/EB), pushed by the meter or read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HalfHour {
    /// Engine time when it arrived.
    pub at: Instant,
    /// Normal direction with its stamp.
    pub normal: Option<(OrUnset<DateTime>, Energy)>,
    /// Reverse direction with its stamp.
    pub reverse: Option<(OrUnset<DateTime>, Energy)>,
}

/// A history request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HistoryRequest {
    /// History 1 for `from..=to` days ago (0 = today), oldest day last in reading order:
    /// E5 → E2 (+E4) on 0x0288, E1 → E7 (+C6, CE) on 0x028A.
    Days {
        /// First day to read (days ago).
        from: u8,
        /// Last day to read (days ago), inclusive.
        to: u8,
    },
    /// History 2 (EC via ED): `count` 30-minute pairs backwards from `stamp`.
    HalfHours {
        /// Time of the newest pair (minute 00 or 30).
        stamp: DateTime,
        /// 1–12.
        count: u8,
    },
    /// History 3 (EE via EF, Release R): `count` 1-minute pairs backwards from `stamp`.
    Minutes {
        /// Time of the newest pair.
        stamp: DateTime,
        /// 1–10.
        count: u8,
    },
}

/// One history record, as read.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(clippy::large_enum_variant)] // boxed inside `Event`
pub enum HistoryRecord {
    /// One day of 48 half-hour readings (0x0288 E2/E4, 0x028A E7).
    Day {
        /// Days ago, as requested.
        days_ago: u8,
        /// Calendar date of that day, from the meter's clock when it could be learnt.
        date: Option<Date>,
        /// Normal direction (E2; 0x028A E7 active energy).
        normal: Option<History1>,
        /// Reverse direction (E4).
        reverse: Option<History1>,
        /// 0x028A C6 demand history.
        demand: Option<History1>,
        /// 0x028A CE reactive energy history.
        reactive: Option<History1>,
    },
    /// EC or EE pairs.
    Pairs(PairHistory),
}

/// Progress of a history job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HistoryProgress {
    /// Records read so far.
    pub done: u16,
    /// Records in the job.
    pub total: u16,
}

/// Direction of an ECHONET frame in the trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Sent to the meter.
    Out,
    /// Received from the meter (or another node).
    In,
}

/// Figures the UI can show.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Figures {
    /// Polls answered.
    pub readings: u64,
    /// Requests that timed out.
    pub timeouts: u64,
    /// Last round-trip time, ms.
    pub last_rtt_ms: Option<u64>,
    /// Sum of round-trip times, ms (for the average).
    pub rtt_sum_ms: u64,
    /// ECHONET Lite frames sent.
    pub frames_sent: u64,
    /// ECHONET Lite payload bytes sent (UDP payload; what the radio carries, before headers).
    pub payload_bytes_sent: u64,
    /// Last LQI seen (scan).
    pub last_lqi: Option<u8>,
    /// Last RSSI seen (per packet on dual-stack, else derived from the scan's LQI).
    pub last_rssi_dbm: Option<i16>,
    /// Incoming frames dropped because they were not the joined meter's secured frames.
    pub frames_ignored: u64,
    /// ECHONET Lite payload bytes the engine asked the dongle to send in the last hour of
    /// engine time (its own transmit budget, below the radio's legal one).
    pub payload_bytes_last_hour: u64,
    /// Phase changes: (when, phase).
    pub history: Vec<(Instant, Phase)>,
}

impl Figures {
    /// Average round-trip time, ms.
    pub fn avg_rtt_ms(&self) -> Option<u64> {
        (self.readings > 0).then(|| self.rtt_sum_ms / self.readings)
    }
}

/// What the engine reports, in order.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Event {
    /// The phase changed.
    Phase(Phase),
    /// The dongle was identified.
    Dongle(DongleInfo),
    /// ERXUDP arrives as binary; `WOPT 01` would switch to hex but writes flash (limited
    /// endurance). Binary works, so this is only an offer: call `Engine::confirm_wopt`.
    WoptProposed,
    /// The engine needs the B-route ID and password (`Engine::set_credentials`).
    NeedCredentials,
    /// A scan started.
    ScanStarted {
        /// 1-based attempt.
        attempt: u8,
        /// Of how many.
        attempts: u8,
        /// SKSCAN duration exponent.
        duration: u8,
        /// Expected time of this scan, ms.
        expected_ms: u64,
        /// Whether only the remembered channel is scanned.
        single_channel: bool,
    },
    /// A PAN answered.
    PanFound(PanInfo),
    /// A scan ended.
    ScanFinished {
        /// 1-based attempt.
        attempt: u8,
        /// PANs heard.
        heard: u8,
    },
    /// Authentication (PANA) started.
    JoinStarted {
        /// The PAN.
        channel: u8,
        /// Skipped the scan thanks to a pairing profile.
        from_profile: bool,
    },
    /// Authenticated.
    Joined,
    /// Store this to skip the scan next time.
    Profile(PairingProfile),
    /// The meter's identity and scaling.
    Meter(MeterIdentity),
    /// A poll was answered.
    Reading(Reading),
    /// A half-hour value (EA/EB).
    HalfHour(HalfHour),
    /// A history record.
    History(Box<HistoryRecord>),
    /// History progress.
    HistoryProgress(HistoryProgress),
    /// A history job finished (or was abandoned).
    HistoryDone {
        /// Whether every record was read.
        complete: bool,
    },
    /// Something is wrong; fatal causes come with [`Phase::Stopped`].
    Triage(Cause),
    /// The cause reported earlier has cleared (e.g. transmit limit released, session back).
    Recovered,
    /// An ECHONET Lite frame went by (for the trace console).
    Frame {
        /// Direction.
        dir: Direction,
        /// Engine time.
        at: Instant,
        /// The UDP payload.
        bytes: Vec<u8>,
        /// Why an incoming frame was not taken as meter data (`None`: it counted, or it was
        /// sent by us).
        ignored: Option<Ignored>,
    },
}

/// Why an incoming ECHONET Lite frame was dropped. Only the joined meter's secured frames
/// count: the radio is shared with the neighbours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ignored {
    /// It arrived before the join: nothing counts as meter data before authentication.
    NotJoined,
    /// It came from another node than the joined meter.
    ForeignSender,
    /// The dongle says it was not encrypted with the session key.
    Unsecured,
    /// It is not a well-formed ECHONET Lite frame.
    Malformed,
}

impl Ignored {
    /// A stable snake_case name (trace, support bundle, the UI's message key).
    pub fn name(self) -> &'static str {
        match self {
            Self::NotJoined => "not_joined",
            Self::ForeignSender => "foreign_sender",
            Self::Unsecured => "unsecured",
            Self::Malformed => "malformed",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phase_names_round_trip() {
        for p in Phase::ALL {
            assert_eq!(Phase::from_name(p.name()), Some(p));
        }
        assert_eq!(Phase::from_name("Reading"), None);
        let mut names: Vec<&str> = Phase::ALL.iter().map(|p| p.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Phase::ALL.len());
    }
}
