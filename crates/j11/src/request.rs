//! Typed requests (host → module), validated before encoding (`shared/j11.md` §2, J11 table
//! 33). Each request knows its code, the response code that answers it and how long to wait.
//!
//! Timeouts follow J11 table 35 plus the 1 s margin `shared/j11.md` suggests: 3 s (2 s + 1 s)
//! for most requests; 3.6 s for start B-route (the 2.5 s beacon timer makes a failing 0x0053
//! take 2.6 s); 3.7 s for send UDP (2.7 s with neighbour discovery); an active scan
//! `n × (9.64 ms × 2^d + 100 ms) + 3 s` for `n` channels at duration `d` (the 100 ms per channel
//! covers the overhead table 35 shows: 35.8 s measured against 34.6 s of dwell for d = 8 and
//! 14 channels). Reset has no response: it completes on the boot notification 0x6019, within
//! 5 s (boot time is not stated anywhere: **inferred**). The PANA result 0x6028 can take up to
//! 706 s, but it is a notification; start PANA itself answers within the 3 s.

use core::fmt;
use core::time::Duration;
use std::net::Ipv6Addr;

use skstack::{RouteBId, RouteBPassword};

pub use crate::credentials::PairingId;
use crate::credentials::{hex_id, is_id_char, password_bytes};
use crate::error::{Error, MessageError};
use crate::frame::{Direction, Repr, MAX_DATA_LEN};
use crate::util::{array, be16};

/// 0x00D9 reset.
pub const CODE_RESET: u16 = 0x00D9;
/// 0x006B get firmware version.
pub const CODE_FIRMWARE_VERSION: u16 = 0x006B;
/// 0x0001 get status.
pub const CODE_STATUS: u16 = 0x0001;
/// 0x005F initial setup.
pub const CODE_INITIAL_SETUP: u16 = 0x005F;
/// 0x0107 get initial setup.
pub const CODE_GET_INITIAL_SETUP: u16 = 0x0107;
/// 0x0054 set B-route PANA credentials.
pub const CODE_SET_CREDENTIALS: u16 = 0x0054;
/// 0x0051 active scan.
pub const CODE_ACTIVE_SCAN: u16 = 0x0051;
/// 0x0053 start B-route.
pub const CODE_START_BROUTE: u16 = 0x0053;
/// 0x0005 open UDP port.
pub const CODE_OPEN_UDP_PORT: u16 = 0x0005;
/// 0x0056 start PANA.
pub const CODE_START_PANA: u16 = 0x0056;
/// 0x00D2 PANA re-authentication.
pub const CODE_REAUTH: u16 = 0x00D2;
/// 0x0057 terminate PANA.
pub const CODE_TERMINATE_PANA: u16 = 0x0057;
/// 0x0058 end B-route.
pub const CODE_END_BROUTE: u16 = 0x0058;
/// 0x0008 send UDP.
pub const CODE_SEND_UDP: u16 = 0x0008;
/// 0x005E get PAN ID.
pub const CODE_GET_PAN_ID: u16 = 0x005E;

/// Response code = request code + this.
pub const RESPONSE_OFFSET: u16 = 0x2000;

/// Most requests: 2 s + 1 s margin.
pub const RESPONSE_TIMEOUT: Duration = Duration::from_secs(3);
/// Start B-route: 2.6 s + 1 s margin.
pub const START_BROUTE_TIMEOUT: Duration = Duration::from_millis(3_600);
/// Send UDP: 2.7 s (with neighbour discovery) + 1 s margin.
pub const SEND_UDP_TIMEOUT: Duration = Duration::from_millis(3_700);
/// Reset, until the boot notification (**inferred**).
pub const RESET_TIMEOUT: Duration = Duration::from_secs(5);

/// UDP ports the module reserves (PANA 716, 19788, 31941): 0x0005 refuses them.
pub const RESERVED_PORTS: [u16; 3] = [716, 19788, 31941];

/// Which request, without its arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RequestKind {
    /// 0x00D9.
    Reset,
    /// 0x006B.
    FirmwareVersion,
    /// 0x0001.
    Status,
    /// 0x005F.
    InitialSetup,
    /// 0x0107.
    GetInitialSetup,
    /// 0x0054.
    SetCredentials,
    /// 0x0051.
    ActiveScan,
    /// 0x0053.
    StartBRoute,
    /// 0x0005.
    OpenUdpPort,
    /// 0x0056.
    StartPana,
    /// 0x00D2.
    Reauth,
    /// 0x0057.
    TerminatePana,
    /// 0x0058.
    EndBRoute,
    /// 0x0008.
    SendUdp,
    /// 0x005E.
    GetPanId,
}

/// What completes a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Completion {
    /// A response with this code.
    Response(u16),
    /// The boot notification 0x6019 (reset).
    Boot,
}

impl RequestKind {
    /// Every kind.
    pub const ALL: [Self; 15] = [
        Self::Reset,
        Self::FirmwareVersion,
        Self::Status,
        Self::InitialSetup,
        Self::GetInitialSetup,
        Self::SetCredentials,
        Self::ActiveScan,
        Self::StartBRoute,
        Self::OpenUdpPort,
        Self::StartPana,
        Self::Reauth,
        Self::TerminatePana,
        Self::EndBRoute,
        Self::SendUdp,
        Self::GetPanId,
    ];

    /// The request code.
    pub const fn code(self) -> u16 {
        match self {
            Self::Reset => CODE_RESET,
            Self::FirmwareVersion => CODE_FIRMWARE_VERSION,
            Self::Status => CODE_STATUS,
            Self::InitialSetup => CODE_INITIAL_SETUP,
            Self::GetInitialSetup => CODE_GET_INITIAL_SETUP,
            Self::SetCredentials => CODE_SET_CREDENTIALS,
            Self::ActiveScan => CODE_ACTIVE_SCAN,
            Self::StartBRoute => CODE_START_BROUTE,
            Self::OpenUdpPort => CODE_OPEN_UDP_PORT,
            Self::StartPana => CODE_START_PANA,
            Self::Reauth => CODE_REAUTH,
            Self::TerminatePana => CODE_TERMINATE_PANA,
            Self::EndBRoute => CODE_END_BROUTE,
            Self::SendUdp => CODE_SEND_UDP,
            Self::GetPanId => CODE_GET_PAN_ID,
        }
    }

    /// The response code (request + 0x2000). Reset has none in practice: see
    /// [`RequestKind::completion`].
    pub const fn response_code(self) -> u16 {
        self.code() + RESPONSE_OFFSET
    }

    /// What completes this request.
    pub const fn completion(self) -> Completion {
        match self {
            Self::Reset => Completion::Boot,
            other => Completion::Response(other.response_code()),
        }
    }

    /// The kind with this request code.
    pub fn from_code(code: u16) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The kind answered by this response code.
    pub fn from_response_code(code: u16) -> Option<Self> {
        Self::from_code(code.checked_sub(RESPONSE_OFFSET)?)
    }

    /// A short English name.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Reset => "reset",
            Self::FirmwareVersion => "get firmware version",
            Self::Status => "get status",
            Self::InitialSetup => "initial setup",
            Self::GetInitialSetup => "get initial setup",
            Self::SetCredentials => "set B-route credentials",
            Self::ActiveScan => "active scan",
            Self::StartBRoute => "start B-route",
            Self::OpenUdpPort => "open UDP port",
            Self::StartPana => "start PANA",
            Self::Reauth => "PANA re-authentication",
            Self::TerminatePana => "terminate PANA",
            Self::EndBRoute => "end B-route",
            Self::SendUdp => "send UDP",
            Self::GetPanId => "get PAN ID",
        }
    }
}

impl fmt::Display for RequestKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({:#06X})", self.name(), self.code())
    }
}

/// A B-route channel, 4..=17 (922.5 + 0.4 × (ch − 4) MHz).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Channel(u8);

impl Channel {
    /// Lowest channel.
    pub const MIN: u8 = 0x04;
    /// Highest channel.
    pub const MAX: u8 = 0x11;

    /// The channel, if in range.
    pub fn new(ch: u8) -> Option<Self> {
        (Self::MIN..=Self::MAX).contains(&ch).then_some(Self(ch))
    }

    /// The channel number.
    pub const fn get(self) -> u8 {
        self.0
    }

    /// Centre frequency in kHz.
    pub fn frequency_khz(self) -> u32 {
        922_500 + 400 * u32::from(self.0 - Self::MIN)
    }

    /// This channel's bit in a scan mask.
    pub fn mask_bit(self) -> u32 {
        1 << self.0
    }
}

/// Data of 0x005F (sent) and of a successful 0x2107 (returned).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InitialSetup {
    /// Operating mode (0x05 = Dual: B-route and HAN).
    pub mode: u8,
    /// HAN sleep on.
    pub han_sleep: bool,
    /// Channel 0x04–0x11 when sending; 0x2107 may return 0xFF (not set yet).
    pub channel: u8,
    /// Transmit power (0x00 = 20 mW).
    pub tx_power: u8,
}

impl InitialSetup {
    /// Dual mode (B-route + HAN).
    pub const MODE_DUAL: u8 = 0x05;
    /// 20 mW.
    pub const TX_POWER_20MW: u8 = 0x00;

    /// The B-route setting: `05 00 ch 00` (Dual, HAN sleep off, 20 mW).
    pub fn b_route(channel: Channel) -> Self {
        Self {
            mode: Self::MODE_DUAL,
            han_sleep: false,
            channel: channel.get(),
            tx_power: Self::TX_POWER_20MW,
        }
    }

    /// The channel, if it is a valid one.
    pub fn channel(&self) -> Option<Channel> {
        Channel::new(self.channel)
    }

    pub(crate) fn to_bytes(self) -> [u8; 4] {
        [
            self.mode,
            u8::from(self.han_sleep),
            self.channel,
            self.tx_power,
        ]
    }

    pub(crate) fn parse(command: u16, d: &[u8]) -> Result<Self, MessageError> {
        let [mode, sleep, channel, tx_power] = need::<4>(command, d, 0)?;
        let han_sleep = match sleep {
            0 => false,
            1 => true,
            _ => {
                return Err(MessageError::InvalidValue {
                    command,
                    what: "HAN sleep must be 00 or 01",
                })
            }
        };
        Ok(Self {
            mode,
            han_sleep,
            channel,
            tx_power,
        })
    }
}

/// Arguments of 0x0051.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveScan {
    /// Duration exponent 1–14: each channel is listened to for 9.64 ms × 2^duration.
    pub duration: u8,
    /// Bit n = channel n; only bits 4..=17 may be set.
    pub channel_mask: u32,
    /// Sent with ID flag 01, as B-route always does (pitfall 8).
    pub pairing_id: PairingId,
}

impl ActiveScan {
    /// All 14 channels.
    pub const ALL_CHANNELS: u32 = 0x0003_FFF0;

    /// A scan of all channels for the meter of this ID.
    pub fn all_channels(duration: u8, id: &RouteBId) -> Result<Self, Error> {
        Ok(Self {
            duration,
            channel_mask: Self::ALL_CHANNELS,
            pairing_id: PairingId::from_id(id)?,
        })
    }

    /// Number of channels in the mask.
    pub fn channel_count(&self) -> u32 {
        (self.channel_mask & Self::ALL_CHANNELS).count_ones()
    }

    /// Listening time: 9.64 ms × 2^duration per channel.
    pub fn dwell(&self) -> Duration {
        let per_channel_us = 9_640u64 << self.duration.min(14);
        Duration::from_micros(per_channel_us * u64::from(self.channel_count()))
    }

    fn validate(&self) -> Result<(), Error> {
        let bad = |what| Error::InvalidArgument {
            request: RequestKind::ActiveScan,
            what,
        };
        if !(1..=14).contains(&self.duration) {
            return Err(bad("duration must be 1..=14"));
        }
        if self.channel_mask & !Self::ALL_CHANNELS != 0 {
            return Err(bad("channel mask may only set bits 4..=17"));
        }
        if self.channel_mask == 0 {
            return Err(bad("channel mask selects no channel"));
        }
        Ok(())
    }
}

/// Arguments of 0x0008.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendUdp {
    /// Destination (the meter: `FE80::` + its MAC with bit 0x02 of the first byte flipped,
    /// [`skstack::Mac::link_local`]).
    pub destination: Ipv6Addr,
    /// Source port (must be open, 0x0005).
    pub src_port: u16,
    /// Destination port.
    pub dst_port: u16,
    /// 1–1232 bytes.
    pub payload: Vec<u8>,
}

impl SendUdp {
    /// ECHONET Lite's port, 3610.
    pub const ECHONET_PORT: u16 = 0x0E1A;
    /// Largest payload.
    pub const MAX_PAYLOAD: usize = 1232;

    /// An ECHONET Lite datagram: port 3610 to port 3610.
    pub fn echonet(destination: Ipv6Addr, payload: Vec<u8>) -> Self {
        Self {
            destination,
            src_port: Self::ECHONET_PORT,
            dst_port: Self::ECHONET_PORT,
            payload,
        }
    }
}

/// A request with its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// 0x00D9: reset; completes on the boot notification. Settings, credentials and ports
    /// revert to defaults.
    Reset,
    /// 0x006B.
    FirmwareVersion,
    /// 0x0001.
    Status,
    /// 0x005F (only while B-route and HAN are idle).
    InitialSetup(InitialSetup),
    /// 0x0107.
    GetInitialSetup,
    /// 0x0054: the ID is sent upper-cased (the module takes 0–9, A–F only); the password as
    /// given (the module upper-cases it).
    SetCredentials {
        /// B-route ID.
        id: RouteBId,
        /// Password.
        password: RouteBPassword,
    },
    /// 0x0051; the 0x4051 notifications come one per channel before the response.
    ActiveScan(ActiveScan),
    /// 0x0053.
    StartBRoute,
    /// 0x0005 (not the reserved ports 716, 19788, 31941).
    OpenUdpPort(u16),
    /// 0x0056; the result comes later as notification 0x6028.
    StartPana,
    /// 0x00D2; the result comes later as notification 0x6028.
    Reauth,
    /// 0x0057.
    TerminatePana,
    /// 0x0058.
    EndBRoute,
    /// 0x0008.
    SendUdp(SendUdp),
    /// 0x005E.
    GetPanId,
}

impl Request {
    /// The kind.
    pub fn kind(&self) -> RequestKind {
        match self {
            Self::Reset => RequestKind::Reset,
            Self::FirmwareVersion => RequestKind::FirmwareVersion,
            Self::Status => RequestKind::Status,
            Self::InitialSetup(_) => RequestKind::InitialSetup,
            Self::GetInitialSetup => RequestKind::GetInitialSetup,
            Self::SetCredentials { .. } => RequestKind::SetCredentials,
            Self::ActiveScan(_) => RequestKind::ActiveScan,
            Self::StartBRoute => RequestKind::StartBRoute,
            Self::OpenUdpPort(_) => RequestKind::OpenUdpPort,
            Self::StartPana => RequestKind::StartPana,
            Self::Reauth => RequestKind::Reauth,
            Self::TerminatePana => RequestKind::TerminatePana,
            Self::EndBRoute => RequestKind::EndBRoute,
            Self::SendUdp(_) => RequestKind::SendUdp,
            Self::GetPanId => RequestKind::GetPanId,
        }
    }

    /// How long to wait for the response (or, for reset, the boot notification).
    pub fn timeout(&self) -> Duration {
        match self {
            Self::Reset => RESET_TIMEOUT,
            Self::StartBRoute => START_BROUTE_TIMEOUT,
            Self::SendUdp(_) => SEND_UDP_TIMEOUT,
            Self::ActiveScan(s) => {
                s.dwell() + Duration::from_millis(100) * s.channel_count() + RESPONSE_TIMEOUT
            }
            _ => RESPONSE_TIMEOUT,
        }
    }

    /// Validate and encode the whole frame (correct checksums, J11 §2.6).
    pub fn encode(&self) -> Result<Encoded, Error> {
        let data = self.data()?;
        let bytes = Repr {
            direction: Direction::Request,
            command: self.kind().code(),
            data: &data,
        }
        .to_bytes()
        .map_err(|_| self.invalid("frame too long"))?;
        Ok(Encoded(bytes))
    }

    fn invalid(&self, what: &'static str) -> Error {
        Error::InvalidArgument {
            request: self.kind(),
            what,
        }
    }

    /// The validated data field.
    fn data(&self) -> Result<Vec<u8>, Error> {
        Ok(match self {
            Self::Reset
            | Self::FirmwareVersion
            | Self::Status
            | Self::GetInitialSetup
            | Self::StartBRoute
            | Self::StartPana
            | Self::Reauth
            | Self::TerminatePana
            | Self::EndBRoute
            | Self::GetPanId => Vec::new(),
            Self::InitialSetup(s) => {
                if s.channel().is_none() {
                    return Err(self.invalid("channel must be 0x04..=0x11"));
                }
                s.to_bytes().to_vec()
            }
            Self::SetCredentials { id, password } => {
                let mut v = hex_id(id)?.to_vec();
                v.extend_from_slice(&password_bytes(password)?);
                v
            }
            Self::ActiveScan(s) => {
                s.validate()?;
                let mut v = vec![s.duration];
                v.extend_from_slice(&s.channel_mask.to_be_bytes());
                v.push(0x01);
                v.extend_from_slice(s.pairing_id.as_bytes());
                v
            }
            Self::OpenUdpPort(p) => {
                if RESERVED_PORTS.contains(p) {
                    return Err(self.invalid("port is reserved by the module (716, 19788, 31941)"));
                }
                p.to_be_bytes().to_vec()
            }
            Self::SendUdp(s) => {
                if s.payload.is_empty() || s.payload.len() > SendUdp::MAX_PAYLOAD {
                    return Err(self.invalid("payload must be 1..=1232 bytes"));
                }
                let mut v = Vec::with_capacity(22 + s.payload.len());
                v.extend_from_slice(&s.destination.octets());
                v.extend_from_slice(&s.src_port.to_be_bytes());
                v.extend_from_slice(&s.dst_port.to_be_bytes());
                // payload.len() <= 1232, so it fits.
                v.extend_from_slice(&(s.payload.len() as u16).to_be_bytes());
                v.extend_from_slice(&s.payload);
                debug_assert!(v.len() <= MAX_DATA_LEN);
                v
            }
        })
    }

    /// Parse a request frame (for logs and tests). The result of [`Request::encode`] parses
    /// back to an equal request.
    pub fn parse(frame: &Repr<'_>) -> Result<Self, MessageError> {
        let command = frame.command;
        if frame.direction != Direction::Request {
            return Err(MessageError::WrongDirection(command));
        }
        let kind = RequestKind::from_code(command).ok_or(MessageError::UnknownCommand(command))?;
        let d = frame.data;
        let invalid = |what| MessageError::InvalidValue { command, what };
        let exact = |n: usize| {
            if d.len() == n {
                Ok(())
            } else {
                Err(invalid("wrong data length"))
            }
        };
        Ok(match kind {
            RequestKind::Reset => exact(0).map(|()| Self::Reset)?,
            RequestKind::FirmwareVersion => exact(0).map(|()| Self::FirmwareVersion)?,
            RequestKind::Status => exact(0).map(|()| Self::Status)?,
            RequestKind::GetInitialSetup => exact(0).map(|()| Self::GetInitialSetup)?,
            RequestKind::StartBRoute => exact(0).map(|()| Self::StartBRoute)?,
            RequestKind::StartPana => exact(0).map(|()| Self::StartPana)?,
            RequestKind::Reauth => exact(0).map(|()| Self::Reauth)?,
            RequestKind::TerminatePana => exact(0).map(|()| Self::TerminatePana)?,
            RequestKind::EndBRoute => exact(0).map(|()| Self::EndBRoute)?,
            RequestKind::GetPanId => exact(0).map(|()| Self::GetPanId)?,
            RequestKind::InitialSetup => {
                exact(4)?;
                Self::InitialSetup(InitialSetup::parse(command, d)?)
            }
            RequestKind::SetCredentials => {
                exact(44)?;
                let text = |r: core::ops::Range<usize>| {
                    d.get(r)
                        .and_then(|b| core::str::from_utf8(b).ok())
                        .ok_or(invalid("credential is not ASCII"))
                };
                let id_text = text(0..32)?;
                if !id_text.bytes().all(is_id_char) {
                    return Err(invalid("ID must be 32 characters 0-9 A-F"));
                }
                let id = RouteBId::new(id_text).map_err(|_| invalid("bad ID"))?;
                let password =
                    RouteBPassword::new(text(32..44)?).map_err(|_| invalid("bad password"))?;
                Self::SetCredentials { id, password }
            }
            RequestKind::ActiveScan => {
                exact(14)?;
                let [duration] = need::<1>(command, d, 0)?;
                let channel_mask = u32::from_be_bytes(need::<4>(command, d, 1)?);
                if need::<1>(command, d, 5)? != [0x01] {
                    return Err(invalid(
                        "only scans with a pairing ID (flag 01) are supported",
                    ));
                }
                let pairing_id = PairingId::parse(need::<8>(command, d, 6)?)
                    .ok_or(invalid("pairing ID must be 8 characters 0-9 A-F"))?;
                Self::ActiveScan(ActiveScan {
                    duration,
                    channel_mask,
                    pairing_id,
                })
            }
            RequestKind::OpenUdpPort => {
                exact(2)?;
                Self::OpenUdpPort(u16::from_be_bytes(need::<2>(command, d, 0)?))
            }
            RequestKind::SendUdp => {
                let destination = Ipv6Addr::from(need::<16>(command, d, 0)?);
                let src_port = u16::from_be_bytes(need::<2>(command, d, 16)?);
                let dst_port = u16::from_be_bytes(need::<2>(command, d, 18)?);
                let len = usize::from(be16(d, 20).ok_or(truncated(command, 22, d.len()))?);
                exact(22 + len)?;
                Self::SendUdp(SendUdp {
                    destination,
                    src_port,
                    dst_port,
                    payload: d.get(22..).unwrap_or(&[]).to_vec(),
                })
            }
        })
    }
}

/// Encoded request bytes. `Debug` shows only the length (a 0x0054 frame holds the
/// credentials).
#[derive(Clone, PartialEq, Eq)]
pub struct Encoded(Vec<u8>);

impl Encoded {
    /// The bytes to write.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The bytes to write.
    pub fn into_vec(self) -> Vec<u8> {
        self.0
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Never true for an encoded frame (it has a header).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Encoded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Encoded(<{} bytes>)", self.0.len())
    }
}

pub(crate) fn truncated(command: u16, need: usize, have: usize) -> MessageError {
    MessageError::Truncated {
        command,
        need,
        have,
    }
}

/// `N` bytes at `at`, or a truncation error.
pub(crate) fn need<const N: usize>(
    command: u16,
    d: &[u8],
    at: usize,
) -> Result<[u8; N], MessageError> {
    array::<N>(d, at).ok_or(truncated(command, at + N, d.len()))
}

#[cfg(test)]
mod tests;
