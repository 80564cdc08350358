//! Typed responses (module → host, code = request + 0x2000) and the dispatch of any frame
//! from the module into a [`Message`] (`shared/j11.md` §1–2).
//!
//! Every response starts with the result byte `R` ([`ResultCode`]); the fields after it are
//! present only when `R = 01` (J11 §3.2.1). Two codes answer input the module could not take
//! at all: 0x2FFF (bad header checksum, J11 §2.10.8) and 0xFFFF (unknown command).

use core::fmt;

use skstack::Mac;

use crate::error::MessageError;
use crate::frame::{Direction, Repr};
use crate::notification::{Notification, ScanResult};
use crate::request::{need, InitialSetup, RequestKind};
use crate::result::ResultCode;
use crate::util::enum_with_unknown;

/// 0x2FFF: the module's answer to a bad header checksum.
pub const CODE_HEADER_SUM_REJECTED: u16 = 0x2FFF;
/// 0xFFFF: the module's answer to an unknown command.
pub const CODE_COMMAND_REJECTED: u16 = 0xFFFF;

/// 0x206B: firmware version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FirmwareVersion {
    /// Firmware ID (0x0400 on the modules seen).
    pub firmware_id: u16,
    /// Major version.
    pub major: u8,
    /// Minor version.
    pub minor: u8,
    /// Revision.
    pub revision: u32,
}

impl fmt::Display for FirmwareVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}.{} rev {:#X} (id {:#06X})",
            self.major, self.minor, self.revision, self.firmware_id
        )
    }
}

enum_with_unknown! {
    /// 0x2001 global state.
    pub enum GlobalState {
        /// 02: idle.
        Idle = 0x02,
        /// 03: started.
        Started = 0x03,
    }
}

enum_with_unknown! {
    /// 0x2001 state of the B-route or HAN side.
    pub enum RouteState {
        /// 01: idle.
        Idle = 0x01,
        /// 02: joined (MAC level).
        Joined = 0x02,
        /// 03: PANA authenticated.
        Authenticated = 0x03,
    }
}

/// 0x2001: module status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Status {
    /// Global state.
    pub global: GlobalState,
    /// B-route state.
    pub b_route: RouteState,
    /// HAN state.
    pub han: RouteState,
}

/// 0x2053: the B-route link (from the meter's enhanced beacon).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BRouteLink {
    /// Channel.
    pub channel: u8,
    /// The meter's PAN ID.
    pub pan_id: u16,
    /// The meter's MAC.
    pub mac: Mac,
    /// Received signal strength, dBm.
    pub rssi: i8,
}

/// What happened to a datagram handed over with 0x0008.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendStatus {
    /// Z = 0: sent.
    Sent,
    /// Z = 2: refused, the hourly transmit budget is used up (J11 §12.2).
    HourlyLimit,
    /// Z = 3: not sent, the channel was busy (CCA).
    ChannelBusy,
    /// Z = 5: sent but not acknowledged.
    NoAck,
    /// Z = 8: other failure.
    Failed,
    /// Z = F: queued for indirect transmission.
    Queued,
    /// Any other value of Z.
    Unknown(u8),
}

/// The detail byte 0xYZ of 0x2008: Z the outcome, Y the indirect queue count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendDetail(pub u8);

impl SendDetail {
    /// The outcome (low nibble).
    pub fn status(self) -> SendStatus {
        match self.0 & 0x0F {
            0x0 => SendStatus::Sent,
            0x2 => SendStatus::HourlyLimit,
            0x3 => SendStatus::ChannelBusy,
            0x5 => SendStatus::NoAck,
            0x8 => SendStatus::Failed,
            0xF => SendStatus::Queued,
            z => SendStatus::Unknown(z),
        }
    }

    /// Frames in the indirect queue (high nibble: 0, 1 or 2).
    pub fn indirect_queue(self) -> u8 {
        self.0 >> 4
    }

    /// True when the datagram went out or waits in the queue.
    pub fn is_accepted(self) -> bool {
        matches!(self.status(), SendStatus::Sent | SendStatus::Queued)
    }
}

impl fmt::Display for SendDetail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.status() {
            SendStatus::Sent => "sent",
            SendStatus::HourlyLimit => "hourly transmit limit reached",
            SendStatus::ChannelBusy => "channel busy (CCA)",
            SendStatus::NoAck => "no acknowledgement",
            SendStatus::Failed => "failed",
            SendStatus::Queued => "queued",
            SendStatus::Unknown(_) => "unknown outcome",
        };
        write!(f, "{:02X} ({what})", self.0)
    }
}

/// 0x2008 with `R = 01`: the detail and the first 1–5 payload bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendReport {
    /// The detail byte.
    pub detail: SendDetail,
    /// First payload bytes, to match the datagram.
    pub head: Vec<u8>,
}

/// The fields of a successful response, or what completed a request in the driver.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Response {
    /// Success without fields (0x205F, 0x2054, 0x2005, 0x2056, 0x20D2, 0x2057, 0x2058; and
    /// 0x2051 when parsed on its own, outside the driver).
    Ok,
    /// Reset completed: the boot notification came.
    Booted,
    /// 0x206B.
    FirmwareVersion(FirmwareVersion),
    /// 0x2001.
    Status(Status),
    /// 0x2107.
    InitialSetup(InitialSetup),
    /// 0x2051 in the driver: the 0x4051 results collected while the scan ran.
    ActiveScan(Vec<ScanResult>),
    /// 0x2053.
    BRoute(BRouteLink),
    /// 0x2008 (the driver turns a detail other than sent/queued into
    /// [`crate::Error::NotSent`]).
    UdpSent(SendReport),
    /// 0x205E.
    PanId(u16),
}

/// A response frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The request it answers.
    pub request: RequestKind,
    /// The result byte.
    pub result: ResultCode,
    /// The fields; `None` unless `result` is success.
    pub body: Option<Response>,
}

impl Reply {
    /// Parse the data of response `command`.
    pub fn parse(command: u16, d: &[u8]) -> Result<Self, MessageError> {
        let request = RequestKind::from_response_code(command)
            .ok_or(MessageError::UnknownCommand(command))?;
        let [r] = need::<1>(command, d, 0)?;
        let result = ResultCode::from_u8(r);
        if !result.is_success() {
            return Ok(Self {
                request,
                result,
                body: None,
            });
        }
        let byte = |at| need::<1>(command, d, at).map(|[b]| b);
        let body = match request {
            RequestKind::FirmwareVersion => Response::FirmwareVersion(FirmwareVersion {
                firmware_id: u16::from_be_bytes(need::<2>(command, d, 1)?),
                major: byte(3)?,
                minor: byte(4)?,
                revision: u32::from_be_bytes(need::<4>(command, d, 5)?),
            }),
            RequestKind::Status => Response::Status(Status {
                global: GlobalState::from_u8(byte(1)?),
                b_route: RouteState::from_u8(byte(2)?),
                han: RouteState::from_u8(byte(3)?),
            }),
            RequestKind::GetInitialSetup => {
                Response::InitialSetup(InitialSetup::parse(command, d.get(1..).unwrap_or(&[]))?)
            }
            RequestKind::StartBRoute => Response::BRoute(BRouteLink {
                channel: byte(1)?,
                pan_id: u16::from_be_bytes(need::<2>(command, d, 2)?),
                mac: Mac(need::<8>(command, d, 4)?),
                rssi: byte(12)? as i8,
            }),
            RequestKind::SendUdp => {
                let detail = SendDetail(byte(1)?);
                Response::UdpSent(SendReport {
                    detail,
                    head: d.get(2..).unwrap_or(&[]).iter().take(5).copied().collect(),
                })
            }
            RequestKind::GetPanId => Response::PanId(u16::from_be_bytes(need::<2>(command, d, 1)?)),
            RequestKind::Reset
            | RequestKind::InitialSetup
            | RequestKind::SetCredentials
            | RequestKind::ActiveScan
            | RequestKind::OpenUdpPort
            | RequestKind::StartPana
            | RequestKind::Reauth
            | RequestKind::TerminatePana
            | RequestKind::EndBRoute => Response::Ok,
        };
        Ok(Self {
            request,
            result,
            body: Some(body),
        })
    }
}

/// Any frame from the module, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// A response (0x2000–0x2FFE).
    Reply(Reply),
    /// A notification (0x4051, 0x60xx).
    Notification(Notification),
    /// 0x2FFF: the module saw a bad header checksum (its data is not documented).
    HeaderSumRejected,
    /// 0xFFFF: the module does not know the command.
    CommandRejected,
}

impl Message {
    /// Parse a frame from the module.
    pub fn parse(frame: &Repr<'_>) -> Result<Self, MessageError> {
        let command = frame.command;
        if frame.direction != Direction::Response {
            return Err(MessageError::WrongDirection(command));
        }
        match command {
            CODE_HEADER_SUM_REJECTED => Ok(Self::HeaderSumRejected),
            CODE_COMMAND_REJECTED => Ok(Self::CommandRejected),
            0x2000..=0x2FFF => Reply::parse(command, frame.data).map(Self::Reply),
            _ => Notification::parse(command, frame.data).map(Self::Notification),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_only_after_success() {
        let r = Reply::parse(0x206B, &[0x10]).unwrap();
        assert_eq!(
            (r.request, r.result, r.body),
            (
                RequestKind::FirmwareVersion,
                ResultCode::WrongState(0x10),
                None
            )
        );
        assert_eq!(
            Reply::parse(0x206B, &[0x01, 0x04]),
            Err(MessageError::Truncated {
                command: 0x206B,
                need: 3,
                have: 2
            })
        );
        assert_eq!(
            Reply::parse(0x2001, &[]),
            Err(MessageError::Truncated {
                command: 0x2001,
                need: 1,
                have: 0
            })
        );
        assert_eq!(
            Reply::parse(0x2999, &[1]),
            Err(MessageError::UnknownCommand(0x2999))
        );
    }

    #[test]
    fn status_pan_id_and_initial_setup() {
        let r = Reply::parse(0x2001, &[0x01, 0x03, 0x03, 0x01]).unwrap();
        assert_eq!(
            r.body,
            Some(Response::Status(Status {
                global: GlobalState::Started,
                b_route: RouteState::Authenticated,
                han: RouteState::Idle
            }))
        );
        let r = Reply::parse(0x205E, &[0x01, 0xBC, 0xDE]).unwrap();
        assert_eq!(r.body, Some(Response::PanId(0xBCDE)));
        let r = Reply::parse(0x2107, &[0x01, 0x05, 0x00, 0xFF, 0x00]).unwrap();
        let Some(Response::InitialSetup(s)) = r.body else {
            panic!()
        };
        assert_eq!((s.mode, s.channel, s.channel()), (5, 0xFF, None));
        assert!(matches!(
            Reply::parse(0x2107, &[0x01, 0x05, 0x07, 0x04, 0x00]),
            Err(MessageError::InvalidValue { .. })
        ));
    }

    #[test]
    fn send_detail_nibbles() {
        for (b, s, y) in [
            (0x00, SendStatus::Sent, 0),
            (0x12, SendStatus::HourlyLimit, 1),
            (0x03, SendStatus::ChannelBusy, 0),
            (0x25, SendStatus::NoAck, 2),
            (0x08, SendStatus::Failed, 0),
            (0x1F, SendStatus::Queued, 1),
            (0x07, SendStatus::Unknown(7), 0),
        ] {
            let d = SendDetail(b);
            assert_eq!((d.status(), d.indirect_queue()), (s, y));
            assert_eq!(
                d.is_accepted(),
                matches!(s, SendStatus::Sent | SendStatus::Queued)
            );
        }
        assert_eq!(SendDetail(0x05).to_string(), "05 (no acknowledgement)");
    }

    #[test]
    fn rejections_and_direction() {
        let m = |direction, command| {
            Message::parse(&Repr {
                direction,
                command,
                data: &[],
            })
        };
        assert_eq!(
            m(Direction::Response, 0x2FFF),
            Ok(Message::HeaderSumRejected)
        );
        assert_eq!(m(Direction::Response, 0xFFFF), Ok(Message::CommandRejected));
        assert_eq!(
            m(Direction::Request, 0x006B),
            Err(MessageError::WrongDirection(0x006B))
        );
        assert_eq!(
            m(Direction::Response, 0x1234),
            Err(MessageError::UnknownCommand(0x1234))
        );
        assert_eq!(
            m(Direction::Response, 0x6019),
            Ok(Message::Notification(Notification::Boot))
        );
    }
}
