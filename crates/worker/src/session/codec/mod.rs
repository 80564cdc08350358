//! The session's messages as bytes: a small binary form written here by hand, because it is
//! decoded in the page's first load — serde's derived decoders for the engine's event types
//! cost the page 11 KB of gzip; this costs a fraction of that.
//!
//! Integers are LEB128 varints (signed ones zigzag), strings and byte strings carry their length
//! first, an `Option` is a 0/1 byte then the value, an enum is its index then its fields.
//! Decoding is total: any input gives a value or `None`, never a panic, and values the types
//! validate (dates, units, decimals, credentials, profiles) are validated again.

use broute::{
    Cause, Dialect, DongleInfo, Energy, Event, Figures, HalfHour, HistoryProgress, HistoryRequest,
    HvReading, HvScaling, Ignored, Instant, LvReading, LvScaling, MeterClass, MeterIdentity,
    PairingProfile, PanInfo, Phase, Reading, ReadingValues, RouteBId, RouteBPassword,
};
use echonet::lv::{Currents, DeciAmps};
use echonet::{DateTime, Decimal, EnergyUnit, Measured, Multiplier, OrUnset, PropertyMap};
use skstack::{ErxudpMode, Mac};

use super::{FromSession, ToSession, TraceOut, Update};

mod base;

pub use base::{decode, encode, Reader, Wire, Writer};
use base::{get_blob, get_index, put_blob, put_index};

macro_rules! table {
    ($t:ty, $all:expr) => {
        impl Wire for $t {
            fn put(&self, w: &mut Writer) {
                put_index(&$all, self, w);
            }
            fn get(r: &mut Reader<'_>) -> Option<Self> {
                get_index(&$all, r)
            }
        }
    };
}

table!(Phase, Phase::ALL);
/// Every cause, in its wire order. A cause added to the (non-exhaustive) enum must be added here
/// too: one missing would travel as the first.
pub const CAUSES: [Cause; 9] = [
    Cause::NoDongleAnswer,
    Cause::DongleError,
    Cause::NoMeterHeard,
    Cause::MeterNotOurs,
    Cause::AuthRefused,
    Cause::SessionLost,
    Cause::TxLimit,
    Cause::NotAMeter,
    Cause::DongleLost,
];
table!(Cause, CAUSES);
table!(
    Dialect,
    [Dialect::SingleHop, Dialect::DualStack, Dialect::J11]
);
table!(
    ErxudpMode,
    [ErxudpMode::Hex, ErxudpMode::Binary, ErxudpMode::Unknown]
);
table!(
    MeterClass,
    [MeterClass::LowVoltage, MeterClass::HighVoltage]
);
table!(
    Ignored,
    [
        Ignored::NotJoined,
        Ignored::ForeignSender,
        Ignored::Unsecured,
        Ignored::Malformed,
    ]
);

impl Wire for Instant {
    fn put(&self, w: &mut Writer) {
        self.0.put(w);
    }
    fn get(r: &mut Reader<'_>) -> Option<Self> {
        Some(Instant(u64::get(r)?))
    }
}

impl Wire for Mac {
    fn put(&self, w: &mut Writer) {
        w.0.extend_from_slice(&self.0);
    }
    fn get(r: &mut Reader<'_>) -> Option<Self> {
        let mut m = [0u8; 8];
        for b in &mut m {
            *b = r.byte()?;
        }
        Some(Mac(m))
    }
}

impl Wire for Decimal {
    fn put(&self, w: &mut Writer) {
        self.mantissa().put(w);
        self.scale().put(w);
    }
    fn get(r: &mut Reader<'_>) -> Option<Self> {
        Decimal::new(i128::get(r)?, u8::get(r)?).ok()
    }
}

impl Wire for EnergyUnit {
    fn put(&self, w: &mut Writer) {
        self.code().put(w);
    }
    fn get(r: &mut Reader<'_>) -> Option<Self> {
        EnergyUnit::from_code(u8::get(r)?).ok()
    }
}

impl Wire for Multiplier {
    fn put(&self, w: &mut Writer) {
        self.code().put(w);
    }
    fn get(r: &mut Reader<'_>) -> Option<Self> {
        Multiplier::from_code(u8::get(r)?).ok()
    }
}

impl Wire for PropertyMap {
    fn put(&self, w: &mut Writer) {
        w.bytes(&self.iter().collect::<Vec<u8>>());
    }
    fn get(r: &mut Reader<'_>) -> Option<Self> {
        Some(PropertyMap::from_epcs(r.bytes()?))
    }
}

impl Wire for DateTime {
    fn put(&self, w: &mut Writer) {
        self.year.put(w);
        w.0.extend_from_slice(&[self.month, self.day, self.hour, self.minute, self.second]);
    }
    fn get(r: &mut Reader<'_>) -> Option<Self> {
        let year = u16::get(r)?;
        let (mo, d, h, mi, s) = (r.byte()?, r.byte()?, r.byte()?, r.byte()?, r.byte()?);
        DateTime::new(year, mo, d, h, mi, s)
    }
}

impl Wire for DeciAmps {
    fn put(&self, w: &mut Writer) {
        self.0.put(w);
    }
    fn get(r: &mut Reader<'_>) -> Option<Self> {
        Some(DeciAmps(i16::get(r)?))
    }
}

impl<T: Wire> Wire for Measured<T> {
    fn put(&self, w: &mut Writer) {
        match self {
            Measured::Value(v) => {
                w.byte(0);
                v.put(w);
            }
            Measured::NoData => w.byte(1),
            Measured::Overflow => w.byte(2),
            Measured::Underflow => w.byte(3),
        }
    }
    fn get(r: &mut Reader<'_>) -> Option<Self> {
        Some(match r.byte()? {
            0 => Measured::Value(T::get(r)?),
            1 => Measured::NoData,
            2 => Measured::Overflow,
            3 => Measured::Underflow,
            _ => return None,
        })
    }
}

impl<T: Wire> Wire for OrUnset<T> {
    fn put(&self, w: &mut Writer) {
        match self {
            OrUnset::Value(v) => {
                w.byte(0);
                v.put(w);
            }
            OrUnset::Unset => w.byte(1),
        }
    }
    fn get(r: &mut Reader<'_>) -> Option<Self> {
        Some(match r.byte()? {
            0 => OrUnset::Value(T::get(r)?),
            1 => OrUnset::Unset,
            _ => return None,
        })
    }
}

/// Structs whose fields all have a binary form, field by field in order.
macro_rules! fields {
    ($t:ident { $($f:ident),* }) => {
        impl Wire for $t {
            fn put(&self, w: &mut Writer) {
                $(self.$f.put(w);)*
            }
            fn get(r: &mut Reader<'_>) -> Option<Self> {
                Some($t { $($f: Wire::get(r)?),* })
            }
        }
    };
}

fields!(Currents { r, t });
fields!(Energy { raw, kwh });
fields!(LvReading {
    power_w,
    currents,
    energy_normal,
    energy_reverse
});
fields!(HvReading {
    active_energy,
    demand,
    monthly_max_demand,
    reactive_energy
});
fields!(Reading {
    at,
    rtt_ms,
    rssi_dbm,
    values
});
fields!(HalfHour {
    at,
    normal,
    reverse
});
fields!(LvScaling {
    coefficient,
    unit,
    digits
});
fields!(HvScaling {
    coefficient,
    multiplier,
    active_unit,
    active_digits,
    demand_unit,
    reactive_unit
});
fields!(MeterIdentity {
    class,
    release,
    maker,
    serial,
    get_map,
    lv,
    hv
});
fields!(DongleInfo {
    dialect,
    erxudp_mode,
    stack_version,
    app_version,
    supports_ropt
});
fields!(PanInfo {
    channel,
    pan_id,
    mac,
    lqi,
    rssi_dbm,
    matches
});
fields!(HistoryProgress { done, total });
fields!(Figures {
    readings,
    timeouts,
    last_rtt_ms,
    rtt_sum_ms,
    frames_sent,
    payload_bytes_sent,
    last_lqi,
    last_rssi_dbm,
    frames_ignored,
    payload_bytes_last_hour,
    history
});
fields!(TraceOut {
    at_ms,
    dir,
    text,
    frame,
    ignored
});
impl Wire for FromSession {
    fn put(&self, w: &mut Writer) {
        self.clock_ms.put(w);
        w.uint(self.tx.len() as u128);
        for b in &self.tx {
            put_blob(b, w);
        }
        self.trace.put(w);
        self.updates.put(w);
        self.figures.put(w);
        match &self.input_log {
            None => w.byte(0),
            Some(b) => {
                w.byte(1);
                put_blob(b, w);
            }
        }
    }
    fn get(r: &mut Reader<'_>) -> Option<Self> {
        let clock_ms = Wire::get(r)?;
        let n = r.count()?;
        let mut tx = Vec::with_capacity(n);
        for _ in 0..n {
            tx.push(get_blob(r)?);
        }
        Some(FromSession {
            clock_ms,
            tx,
            trace: Wire::get(r)?,
            updates: Wire::get(r)?,
            figures: Wire::get(r)?,
            input_log: match r.byte()? {
                0 => None,
                1 => Some(get_blob(r)?),
                _ => return None,
            },
        })
    }
}

impl Wire for ReadingValues {
    fn put(&self, w: &mut Writer) {
        match self {
            ReadingValues::Low(v) => {
                w.byte(0);
                v.put(w);
            }
            ReadingValues::High(v) => {
                w.byte(1);
                v.put(w);
            }
        }
    }
    fn get(r: &mut Reader<'_>) -> Option<Self> {
        Some(match r.byte()? {
            0 => ReadingValues::Low(Wire::get(r)?),
            1 => ReadingValues::High(Wire::get(r)?),
            _ => return None,
        })
    }
}

/// The profile in its one serde form (`PairingProfile::to_json`, read back by its own checks).
impl Wire for PairingProfile {
    fn put(&self, w: &mut Writer) {
        self.to_json().put(w);
    }
    fn get(r: &mut Reader<'_>) -> Option<Self> {
        PairingProfile::from_json(&String::get(r)?).ok()
    }
}

impl Wire for HistoryRequest {
    fn put(&self, w: &mut Writer) {
        match *self {
            HistoryRequest::Days { from, to } => {
                w.byte(0);
                from.put(w);
                to.put(w);
            }
            HistoryRequest::HalfHours { stamp, count } => {
                w.byte(1);
                stamp.put(w);
                count.put(w);
            }
            HistoryRequest::Minutes { stamp, count } => {
                w.byte(2);
                stamp.put(w);
                count.put(w);
            }
        }
    }
    fn get(r: &mut Reader<'_>) -> Option<Self> {
        Some(match r.byte()? {
            0 => HistoryRequest::Days {
                from: Wire::get(r)?,
                to: Wire::get(r)?,
            },
            1 => HistoryRequest::HalfHours {
                stamp: Wire::get(r)?,
                count: Wire::get(r)?,
            },
            2 => HistoryRequest::Minutes {
                stamp: Wire::get(r)?,
                count: Wire::get(r)?,
            },
            _ => return None,
        })
    }
}

/// The events the page applies. `History` and `Frame` never cross as events (the host turns
/// them into [`Update::History`] and trace lines); were one written, it would be a byte no
/// decoder takes, so its batch would fail whole rather than say something else.
impl Wire for Event {
    fn put(&self, w: &mut Writer) {
        match self {
            Event::Phase(p) => {
                w.byte(0);
                p.put(w);
            }
            Event::Dongle(d) => {
                w.byte(1);
                d.put(w);
            }
            Event::WoptProposed => w.byte(2),
            Event::NeedCredentials => w.byte(3),
            Event::ScanStarted {
                attempt,
                attempts,
                duration,
                expected_ms,
                single_channel,
            } => {
                w.byte(4);
                (*attempt, *attempts, *duration).put(w);
                (*expected_ms, *single_channel).put(w);
            }
            Event::PanFound(p) => {
                w.byte(5);
                p.put(w);
            }
            Event::ScanFinished { attempt, heard } => {
                w.byte(6);
                (*attempt, *heard).put(w);
            }
            Event::JoinStarted {
                channel,
                from_profile,
            } => {
                w.byte(7);
                (*channel, *from_profile).put(w);
            }
            Event::Joined => w.byte(8),
            Event::Profile(p) => {
                w.byte(9);
                p.put(w);
            }
            Event::Meter(m) => {
                w.byte(10);
                m.put(w);
            }
            Event::Reading(x) => {
                w.byte(11);
                x.put(w);
            }
            Event::HalfHour(h) => {
                w.byte(12);
                h.put(w);
            }
            Event::HistoryProgress(p) => {
                w.byte(13);
                p.put(w);
            }
            Event::HistoryDone { complete } => {
                w.byte(14);
                complete.put(w);
            }
            Event::Triage(c) => {
                w.byte(15);
                c.put(w);
            }
            Event::Recovered => w.byte(16),
            _ => w.byte(u8::MAX),
        }
    }
    fn get(r: &mut Reader<'_>) -> Option<Self> {
        Some(match r.byte()? {
            0 => Event::Phase(Wire::get(r)?),
            1 => Event::Dongle(Wire::get(r)?),
            2 => Event::WoptProposed,
            3 => Event::NeedCredentials,
            4 => {
                let (attempt, attempts, duration) = Wire::get(r)?;
                let (expected_ms, single_channel) = Wire::get(r)?;
                Event::ScanStarted {
                    attempt,
                    attempts,
                    duration,
                    expected_ms,
                    single_channel,
                }
            }
            5 => Event::PanFound(Wire::get(r)?),
            6 => {
                let (attempt, heard) = Wire::get(r)?;
                Event::ScanFinished { attempt, heard }
            }
            7 => {
                let (channel, from_profile) = Wire::get(r)?;
                Event::JoinStarted {
                    channel,
                    from_profile,
                }
            }
            8 => Event::Joined,
            9 => Event::Profile(Wire::get(r)?),
            10 => Event::Meter(Wire::get(r)?),
            11 => Event::Reading(Wire::get(r)?),
            12 => Event::HalfHour(Wire::get(r)?),
            13 => Event::HistoryProgress(Wire::get(r)?),
            14 => Event::HistoryDone {
                complete: Wire::get(r)?,
            },
            15 => Event::Triage(Wire::get(r)?),
            16 => Event::Recovered,
            _ => return None,
        })
    }
}

/// A history day travels in its stored JSON form (the page reads that form anyway).
impl Wire for Update {
    fn put(&self, w: &mut Writer) {
        match self {
            Update::Event(e) => {
                w.byte(0);
                e.put(w);
            }
            Update::History { days, latest_ms } => {
                w.byte(1);
                days.iter()
                    .map(export::HistoryDay::to_json)
                    .collect::<Vec<String>>()
                    .put(w);
                latest_ms.put(w);
            }
        }
    }
    fn get(r: &mut Reader<'_>) -> Option<Self> {
        Some(match r.byte()? {
            0 => Update::Event(Wire::get(r)?),
            1 => {
                let days: Vec<String> = Wire::get(r)?;
                Update::History {
                    days: days
                        .iter()
                        .map(|d| export::HistoryDay::from_json(d))
                        .collect::<Option<Vec<_>>>()?,
                    latest_ms: Wire::get(r)?,
                }
            }
            _ => return None,
        })
    }
}

impl Wire for ToSession {
    fn put(&self, w: &mut Writer) {
        match self {
            ToSession::Start {
                poll_interval_secs,
                speed,
                profile,
            } => {
                w.byte(0);
                poll_interval_secs.put(w);
                speed.put(w);
                profile.put(w);
            }
            ToSession::Bytes(b) => {
                w.byte(1);
                put_blob(b, w);
            }
            ToSession::SerialLost => w.byte(2),
            ToSession::Credentials {
                id,
                password,
                refusals_allowed,
            } => {
                w.byte(3);
                w.bytes(id.expose_bytes());
                w.bytes(password.expose_bytes());
                refusals_allowed.put(w);
            }
            ToSession::ConfirmWopt => w.byte(4),
            ToSession::PollInterval(s) => {
                w.byte(5);
                s.put(w);
            }
            ToSession::History(h) => {
                w.byte(6);
                h.put(w);
            }
            ToSession::InputLog => w.byte(7),
            ToSession::Close => w.byte(8),
        }
    }
    fn get(r: &mut Reader<'_>) -> Option<Self> {
        Some(match r.byte()? {
            0 => ToSession::Start {
                poll_interval_secs: Wire::get(r)?,
                speed: Wire::get(r)?,
                profile: Wire::get(r)?,
            },
            1 => ToSession::Bytes(get_blob(r)?),
            2 => ToSession::SerialLost,
            3 => {
                // Validated again: nothing the types refuse (spaces, line ends…) gets in.
                let id = core::str::from_utf8(r.bytes()?).ok()?;
                let id = RouteBId::new(id).ok()?;
                let pw = core::str::from_utf8(r.bytes()?).ok()?;
                let password = RouteBPassword::new(pw).ok()?;
                ToSession::Credentials {
                    id,
                    password,
                    refusals_allowed: Wire::get(r)?,
                }
            }
            4 => ToSession::ConfirmWopt,
            5 => ToSession::PollInterval(Wire::get(r)?),
            6 => ToSession::History(Wire::get(r)?),
            7 => ToSession::InputLog,
            8 => ToSession::Close,
            _ => return None,
        })
    }
}
