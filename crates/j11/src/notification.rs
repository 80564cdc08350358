//! Typed notifications (module → host, unsolicited; `shared/j11.md` §2, J11 §3.2.3.4.3,
//! §3.2.5). They may arrive at any time, also between a request and its response
//! (pitfall 10).
//!
//! Parsing is strict about missing bytes and lenient about extra trailing bytes (ignored), so
//! a later firmware that appends a field still parses. RSSI bytes are signed dBm (0x98–0xDE =
//! −104…−34, J11 §3.2.3.4).

use std::net::Ipv6Addr;

use skstack::Mac;

use crate::error::MessageError;
use crate::request::{need, truncated};
use crate::util::enum_with_unknown;

/// 0x6019 boot / power-on.
pub const CODE_BOOT: u16 = 0x6019;
/// 0x4051 active scan result (one per channel).
pub const CODE_SCAN_RESULT: u16 = 0x4051;
/// 0x6028 PANA authentication result.
pub const CODE_PANA_RESULT: u16 = 0x6028;
/// 0x6018 UDP datagram received.
pub const CODE_UDP_RECEIVED: u16 = 0x6018;
/// 0x601A link state change.
pub const CODE_LINK_STATE: u16 = 0x601A;
/// 0x6038 receive error.
pub const CODE_RECEIVE_ERROR: u16 = 0x6038;

/// A beacon heard during an active scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Beacon {
    /// The meter's MAC.
    pub mac: Mac,
    /// Its PAN ID.
    pub pan_id: u16,
    /// Received signal strength, dBm.
    pub rssi: i8,
}

/// 0x4051: what one channel of an active scan heard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanResult {
    /// The channel.
    pub channel: u8,
    /// The beacons (empty: result 01, nothing heard).
    pub beacons: Vec<Beacon>,
}

enum_with_unknown! {
    /// 0x6028 result byte.
    pub enum PanaOutcome {
        /// 01: authenticated.
        Success = 0x01,
        /// 02: the meter rejected the credentials.
        Rejected = 0x02,
        /// 03: the meter did not answer.
        NoAnswer = 0x03,
    }
}

/// 0x6028: result of PANA authentication or re-authentication.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PanaResult {
    /// The outcome.
    pub outcome: PanaOutcome,
    /// The peer (meter) MAC.
    pub peer: Mac,
}

enum_with_unknown! {
    /// 0x6018 destination type.
    pub enum DestinationKind {
        /// 00: unicast to this module.
        Unicast = 0x00,
        /// 01: multicast.
        Multicast = 0x01,
    }
}

enum_with_unknown! {
    /// 0x6018 security of the received frame.
    pub enum Security {
        /// 01: not encrypted.
        Plain = 0x01,
        /// 02: encrypted.
        Encrypted = 0x02,
    }
}

/// 0x6018: a UDP datagram received.
///
/// Layout (27-byte prefix): source IPv6 (16), source port (2), destination port (2), source
/// PAN ID (2, at offset 20 — WSAPP reads offset 18, pitfall 4), destination type (1),
/// security (1), RSSI (1, signed), length (2), data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UdpReceived {
    /// Source address.
    pub source: Ipv6Addr,
    /// Source port.
    pub src_port: u16,
    /// Destination port.
    pub dst_port: u16,
    /// Source PAN ID.
    pub src_pan: u16,
    /// Unicast or multicast.
    pub destination: DestinationKind,
    /// Encrypted or not.
    pub security: Security,
    /// Received signal strength, dBm.
    pub rssi: i8,
    /// The payload (an ECHONET Lite frame on port 3610).
    pub data: Vec<u8>,
}

enum_with_unknown! {
    /// 0x601A state.
    pub enum LinkState {
        /// 01: MAC link up.
        MacUp = 0x01,
        /// 02: PANA session up.
        PanaUp = 0x02,
        /// 03: MAC link lost.
        MacDown = 0x03,
        /// 04: the meter ended the PANA session (start PANA is allowed again).
        PanaDown = 0x04,
    }
}

/// 0x601A: a link state change not caused by the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkStateChange {
    /// The new state.
    pub state: LinkState,
    /// The peer MAC.
    pub peer: Mac,
    /// Received signal strength, dBm.
    pub rssi: i8,
}

enum_with_unknown! {
    /// 0x6038 reason.
    pub enum ReceiveErrorReason {
        /// 01: decryption failed (re-authenticate, J11 §12.5.4).
        Decrypt = 0x01,
        /// 02: MAC layer error.
        Mac = 0x02,
        /// 20: 6LoWPAN error.
        SixLowpan = 0x20,
        /// 30: IP error.
        Ip = 0x30,
        /// 40: UDP error.
        Udp = 0x40,
    }
}

/// 0x6038: a frame that could not be received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiveError {
    /// Why.
    pub reason: ReceiveErrorReason,
    /// Source address.
    pub source: Ipv6Addr,
    /// MAC sequence number.
    pub sequence: u8,
    /// Fragment number.
    pub fragment: u8,
    /// Fragment tag.
    pub tag: u16,
    /// The first 1–5 bytes of the frame.
    pub head: Vec<u8>,
}

/// A notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notification {
    /// 0x6019: the module booted (after reset or power-on); settings are back to defaults.
    Boot,
    /// 0x4051: one channel of an active scan.
    ScanResult(ScanResult),
    /// 0x6028: PANA (re-)authentication result.
    PanaResult(PanaResult),
    /// 0x6018: UDP datagram received.
    UdpReceived(UdpReceived),
    /// 0x601A: link state change.
    LinkState(LinkStateChange),
    /// 0x6038: receive error.
    ReceiveError(ReceiveError),
}

impl Notification {
    /// The notification's code.
    pub fn code(&self) -> u16 {
        match self {
            Self::Boot => CODE_BOOT,
            Self::ScanResult(_) => CODE_SCAN_RESULT,
            Self::PanaResult(_) => CODE_PANA_RESULT,
            Self::UdpReceived(_) => CODE_UDP_RECEIVED,
            Self::LinkState(_) => CODE_LINK_STATE,
            Self::ReceiveError(_) => CODE_RECEIVE_ERROR,
        }
    }

    /// True for the codes this crate parses as notifications.
    pub fn is_known_code(code: u16) -> bool {
        matches!(
            code,
            CODE_BOOT
                | CODE_SCAN_RESULT
                | CODE_PANA_RESULT
                | CODE_UDP_RECEIVED
                | CODE_LINK_STATE
                | CODE_RECEIVE_ERROR
        )
    }

    /// Parse a notification's data.
    pub fn parse(command: u16, d: &[u8]) -> Result<Self, MessageError> {
        let mac = |at| need::<8>(command, d, at).map(Mac);
        let u16_at = |at| need::<2>(command, d, at).map(u16::from_be_bytes);
        let byte = |at| need::<1>(command, d, at).map(|[b]| b);
        let rssi = |at| byte(at).map(|b| b as i8);
        Ok(match command {
            CODE_BOOT => Self::Boot,
            CODE_SCAN_RESULT => {
                let result = byte(0)?;
                let channel = byte(1)?;
                let beacons = match result {
                    0x00 => {
                        let count = usize::from(byte(2)?);
                        (0..count)
                            .map(|i| {
                                let at = 3 + 11 * i;
                                Ok(Beacon {
                                    mac: mac(at)?,
                                    pan_id: u16_at(at + 8)?,
                                    rssi: rssi(at + 10)?,
                                })
                            })
                            .collect::<Result<Vec<_>, MessageError>>()?
                    }
                    0x01 => Vec::new(),
                    _ => {
                        return Err(MessageError::InvalidValue {
                            command,
                            what: "scan result must be 00 (beacon) or 01 (none)",
                        })
                    }
                };
                Self::ScanResult(ScanResult { channel, beacons })
            }
            CODE_PANA_RESULT => Self::PanaResult(PanaResult {
                outcome: PanaOutcome::from_u8(byte(0)?),
                peer: mac(1)?,
            }),
            CODE_UDP_RECEIVED => {
                let len = usize::from(u16_at(25)?);
                let data = d
                    .get(27..27 + len)
                    .ok_or(truncated(command, 27 + len, d.len()))?;
                Self::UdpReceived(UdpReceived {
                    source: Ipv6Addr::from(need::<16>(command, d, 0)?),
                    src_port: u16_at(16)?,
                    dst_port: u16_at(18)?,
                    src_pan: u16_at(20)?,
                    destination: DestinationKind::from_u8(byte(22)?),
                    security: Security::from_u8(byte(23)?),
                    rssi: rssi(24)?,
                    data: data.to_vec(),
                })
            }
            CODE_LINK_STATE => Self::LinkState(LinkStateChange {
                state: LinkState::from_u8(byte(0)?),
                peer: mac(1)?,
                rssi: rssi(9)?,
            }),
            CODE_RECEIVE_ERROR => {
                let head = d.get(21..).unwrap_or(&[]);
                if head.is_empty() {
                    return Err(truncated(command, 22, d.len()));
                }
                Self::ReceiveError(ReceiveError {
                    reason: ReceiveErrorReason::from_u8(byte(0)?),
                    source: Ipv6Addr::from(need::<16>(command, d, 1)?),
                    sequence: byte(17)?,
                    fragment: byte(18)?,
                    tag: u16_at(19)?,
                    head: head.iter().take(5).copied().collect(),
                })
            }
            other => return Err(MessageError::UnknownCommand(other)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_data_is_a_typed_error_for_every_notification() {
        let full: Vec<u8> = (0..64u8).map(|i| if i == 0 { 0 } else { 1 }).collect();
        // Shortest valid length of each with this data (the 0x6018 length field reads 0x0101).
        for (code, min) in [
            (CODE_SCAN_RESULT, 14),
            (CODE_PANA_RESULT, 9),
            (CODE_UDP_RECEIVED, 27 + 0x101),
            (CODE_LINK_STATE, 10),
            (CODE_RECEIVE_ERROR, 22),
        ] {
            if min <= full.len() {
                assert!(Notification::parse(code, &full[..min]).is_ok());
            }
            for n in 0..min.min(full.len()) {
                let r = Notification::parse(code, &full[..n]);
                assert!(
                    matches!(r, Err(MessageError::Truncated { .. })),
                    "{code:04X} {n}: {r:?}"
                );
            }
        }
        assert_eq!(
            Notification::parse(0x6FFF, &[]),
            Err(MessageError::UnknownCommand(0x6FFF))
        );
        assert!(matches!(
            Notification::parse(CODE_SCAN_RESULT, &[2, 4]),
            Err(MessageError::InvalidValue { .. })
        ));
    }

    #[test]
    fn link_state_and_receive_error() {
        let mut d = vec![0x04];
        d.extend([0x00, 0x50, 0xC2, 0xFF, 0xFE, 0xDC, 0x28, 0x22, 0xC4]);
        let n = Notification::parse(CODE_LINK_STATE, &d).unwrap();
        assert_eq!(
            n,
            Notification::LinkState(LinkStateChange {
                state: LinkState::PanaDown,
                peer: Mac([0x00, 0x50, 0xC2, 0xFF, 0xFE, 0xDC, 0x28, 0x22]),
                rssi: -60,
            })
        );
        let mut d = vec![0x01];
        d.extend(
            "FE80::0250:C2FF:FEDC:2822"
                .parse::<Ipv6Addr>()
                .unwrap()
                .octets(),
        );
        d.extend([7, 0, 0x12, 0x34, 0x10, 0x81, 0x00, 0x01, 0x02, 0x88]);
        let Notification::ReceiveError(e) = Notification::parse(CODE_RECEIVE_ERROR, &d).unwrap()
        else {
            panic!()
        };
        assert_eq!(e.reason, ReceiveErrorReason::Decrypt);
        assert_eq!((e.sequence, e.fragment, e.tag), (7, 0, 0x1234));
        assert_eq!(e.head, vec![0x10, 0x81, 0x00, 0x01, 0x02]);
        assert_eq!(ReceiveErrorReason::from_u8(0x77).to_u8(), 0x77);
    }
}
