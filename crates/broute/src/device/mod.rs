//! The dongle-neutral device interface: B-route operations, not protocol commands.
//!
//! The engine never writes an SKSTACK command or a J11 frame itself. It asks a [`Dongle`] for
//! operations — identify, prepare, set the credentials, scan, tune to a PAN, join (PANA), send
//! a UDP payload, reset — and reads back [`DeviceEvent`]s: each operation's [`Outcome`], PANs
//! heard while scanning, received datagrams with their sender and security flag, and session
//! events (expired, re-authenticated, lost, transmit limit). Two drivers implement it:
//!
//! * [`sk::SkDongle`] over `skstack::Driver` (SKSTACK IP text: BP35A1, RL7023, BP35C0/C2,
//!   RS-WSUHA-P, …), which also probes the port;
//! * [`j11::J11Dongle`] over `j11::Driver` (ROHM's J11 binary API: RS-WSUHA-J11,
//!   BP35C2-J11-T01, BP35C0-J11).
//!
//! Probing decides which driver a port gets: the SKSTACK driver starts with `SKVER` (a J11
//! module skips text while it looks for its unique code) and sends the J11 firmware-version
//! request only when the dongle stays silent; a J11 frame makes identification end with
//! [`Outcome::OtherProtocol`], and the engine hands the port to the J11 driver.
//!
//! Like everything in this crate the interface is sans-IO: operations return at once with an
//! [`OpId`]; bytes, timeouts and events move through `handle_*`/`poll_*`.

use core::fmt;
use core::time::Duration;
use std::net::Ipv6Addr;

use skstack::{Instant, Mac, RouteBId, RouteBPassword};

use crate::types::{Dialect, DongleInfo};

pub mod j11;
pub mod sk;

/// Identifies an operation in [`DeviceEvent::Done`].
pub type OpId = u64;

/// Which channels to scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channels {
    /// Every channel the dongle supports.
    All,
    /// One channel, in the dongle's own numbering (SKSTACK 0x21–0x3C, J11 0x04–0x11).
    Only(u8),
}

/// The PAN to tune to and join.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    /// Channel, in the dongle's own numbering.
    pub channel: u8,
    /// PAN ID.
    pub pan_id: u16,
    /// The meter's MAC.
    pub mac: Mac,
}

impl Target {
    /// The meter's link-local IPv6 address (FE80::/64 + MAC with the U/L bit flipped).
    pub fn ip(&self) -> Ipv6Addr {
        self.mac.link_local()
    }
}

/// A PAN heard during a scan. `Debug` hides the Pairing ID (the last 8 characters of the
/// B-route ID when it is our meter).
#[derive(Clone, PartialEq, Eq)]
pub struct HeardPan {
    /// Channel, in the dongle's own numbering.
    pub channel: u8,
    /// PAN ID.
    pub pan_id: u16,
    /// The coordinator's (meter's) MAC.
    pub mac: Mac,
    /// Link quality (SKSTACK).
    pub lqi: Option<u8>,
    /// Received signal strength, dBm (J11 reports it; SKSTACK's is derived from the LQI).
    pub rssi_dbm: Option<i16>,
    /// The Pairing ID the beacon carried, where the protocol shows it (SKSTACK `PairID`).
    /// `None` where the scan itself filters by Pairing ID (J11).
    pub pair_id: Option<String>,
}

impl fmt::Debug for HeardPan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HeardPan")
            .field("channel", &self.channel)
            .field("pan_id", &self.pan_id)
            .field("mac", &self.mac)
            .field("lqi", &self.lqi)
            .field("rssi_dbm", &self.rssi_dbm)
            .field("pair_id", &self.pair_id.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// Why a UDP send did not go out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SendFailure {
    /// The radio's hourly transmit-time budget (ARIB STD-T108) is used up.
    TxLimit,
    /// The channel was busy (CCA).
    ChannelBusy,
    /// No acknowledgement from the meter.
    NoAck,
    /// Any other reason the dongle gave.
    Other,
}

/// How an operation ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Accepted (identify — the facts come as [`DeviceEvent::Identified`] —, prepare,
    /// credentials, tune, reset).
    Done,
    /// Identification found a dongle of the other protocol: hand the port to its driver.
    OtherProtocol(Dialect),
    /// A scan ended; every PAN heard (possibly none).
    Scanned(Vec<HeardPan>),
    /// Tuning found no meter answering our ID on the target's channel (J11 0x0E).
    NotFound,
    /// Authenticated with the meter.
    Joined {
        /// The meter's MAC, when the dongle reports it.
        mac: Option<Mac>,
    },
    /// The meter refused authentication (password or ID).
    Refused,
    /// No answer: from the meter (join), or from the dongle (any operation timed out).
    NoAnswer,
    /// The UDP payload went out.
    Sent,
    /// The UDP payload did not go out.
    SendFailed(SendFailure),
    /// The dongle refused the operation in an unexpected way (the text is for the trace and
    /// never holds a credential).
    Failed(String),
}

/// A UDP datagram the dongle received, as it reported it.
#[derive(Clone, PartialEq, Eq)]
pub struct Datagram {
    /// Sender's address.
    pub from: Ipv6Addr,
    /// Source port.
    pub src_port: u16,
    /// Destination port.
    pub dst_port: u16,
    /// The dongle says the MAC frame was encrypted with the session key (SKSTACK `SECURED=1`,
    /// J11 security 02).
    pub secured: bool,
    /// RSSI, dBm, when the dongle reports it.
    pub rssi_dbm: Option<i16>,
    /// The UDP payload.
    pub payload: Vec<u8>,
}

impl fmt::Debug for Datagram {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Datagram")
            .field("from", &self.from)
            .field("src_port", &self.src_port)
            .field("dst_port", &self.dst_port)
            .field("secured", &self.secured)
            .field("rssi_dbm", &self.rssi_dbm)
            .field("len", &self.payload.len())
            .finish()
    }
}

/// Session events the dongle reports on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SessionEvent {
    /// The session key expired; the dongle re-authenticates (hold sends until it ends).
    Expired,
    /// Re-authentication succeeded.
    ReAuthenticated,
    /// Re-authentication failed: the session is gone.
    ReAuthFailed,
    /// The meter ended the session, or the link went down.
    Lost,
    /// The transmit-time budget is used up (sends will fail until released).
    TxLimited,
    /// The transmit-time budget is available again.
    TxReleased,
}

/// What a driver tells the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceEvent {
    /// An operation ended.
    Done {
        /// Its id.
        op: OpId,
        /// The outcome.
        outcome: Outcome,
    },
    /// The dongle's facts, when first known or when they change (SKSTACK may only learn its
    /// dialect from the first scan).
    Identified(DongleInfo),
    /// A PAN answered a running scan.
    PanHeard(HeardPan),
    /// A datagram arrived.
    Datagram(Datagram),
    /// A session event.
    Session(SessionEvent),
    /// SKSTACK only: ERXUDP arrives as binary; `WOPT 01` would switch to hex but writes flash.
    HexOutputOffered,
}

/// One dongle protocol behind the engine. Call [`Dongle::poll_event`],
/// [`Dongle::poll_transmit`] and [`Dongle::poll_timeout`] after every input.
pub trait Dongle: fmt::Debug {
    /// The protocol family this driver speaks.
    fn dialect(&self) -> Option<Dialect>;
    /// Find out what is on the port (firmware, dialect). Ends with [`Outcome::Done`] (the facts
    /// come as [`DeviceEvent::Identified`]), [`Outcome::OtherProtocol`] or
    /// [`Outcome::NoAnswer`].
    fn identify(&mut self, now: Instant) -> OpId;
    /// Put the dongle in a known state for commissioning. `channel`: a remembered channel, if
    /// any (J11's initial setup needs one).
    fn prepare(&mut self, channel: Option<u8>, now: Instant) -> OpId;
    /// Give the dongle the B-route credentials (kept for re-sending after a reset).
    fn set_credentials(&mut self, id: &RouteBId, password: &RouteBPassword, now: Instant) -> OpId;
    /// Active scan with the Pairing ID, `duration` as the protocol's exponent.
    fn scan(&mut self, duration: u8, channels: Channels, now: Instant) -> OpId;
    /// How long a scan is expected to take.
    fn scan_time(&self, duration: u8, channels: Channels) -> Duration;
    /// The longest scan duration the dongle accepts.
    fn max_scan_duration(&self) -> u8;
    /// Select the PAN: channel, PAN ID, and whatever the protocol needs before PANA.
    fn tune(&mut self, target: &Target, now: Instant) -> OpId;
    /// PANA authentication with the meter. Ends with [`Outcome::Joined`],
    /// [`Outcome::Refused`] or [`Outcome::NoAnswer`].
    fn join(&mut self, target: &Target, now: Instant) -> OpId;
    /// Send an ECHONET Lite payload to `to`, port 3610.
    fn send(&mut self, to: Ipv6Addr, payload: Vec<u8>, now: Instant) -> OpId;
    /// Reset the dongle (settings and credentials revert).
    fn reset(&mut self, now: Instant) -> OpId;
    /// SKSTACK only: the user accepted the hex-output offer (a flash write).
    fn accept_hex_output(&mut self, now: Instant);
    /// The channels this dongle scans, in its own numbering, in scan order.
    fn channels(&self) -> core::ops::RangeInclusive<u8>;
    /// True when `channel` is one of [`Dongle::channels`].
    fn valid_channel(&self, channel: u8) -> bool {
        self.channels().contains(&channel)
    }

    /// Bytes from the serial port.
    fn handle_bytes(&mut self, bytes: &[u8], now: Instant);
    /// The deadline from [`Dongle::poll_timeout`] has passed.
    fn handle_timeout(&mut self, now: Instant);
    /// Next bytes to write to the port.
    fn poll_transmit(&mut self) -> Option<Vec<u8>>;
    /// Next event.
    fn poll_event(&mut self) -> Option<DeviceEvent>;
    /// When to call [`Dongle::handle_timeout`] next.
    fn poll_timeout(&self) -> Option<Instant>;
}

/// Operation ids, shared by the drivers.
#[derive(Debug, Default)]
pub(crate) struct OpIds(OpId);

impl OpIds {
    pub(crate) fn next(&mut self) -> OpId {
        self.0 += 1;
        self.0
    }
}
