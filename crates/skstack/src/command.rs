//! Typed SKSTACK commands: validated, encoded, each with its timeout and reply shape.
//!
//! [`Command::encode`] refuses bad arguments before anything reaches the wire: credentials are
//! typed ([`RouteBId`], [`RouteBPassword`]) so no space, CR, LF or control byte can be injected;
//! channel, duration, handle, side and mode ranges are checked; addresses are written in the
//! full form the manual demands; `SKSENDTO` carries its payload as raw bytes with the exact
//! 4-digit length (`../shared/protocol.md` §A.2). SK commands end in CR LF; the product
//! configuration commands (`WOPT`, `ROPT`, `WUART`, `RUART`) end in CR only.

use core::time::Duration;
use std::net::Ipv6Addr;

use crate::addr::{format_ipv6, Mac};
use crate::credentials::{RouteBId, RouteBPassword};
use crate::error::Error;

/// Scan mode (`SKSCAN` first argument).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScanMode {
    /// 0: energy-detect scan (`EVENT 1F` + `EEDSCAN`).
    EnergyDetect,
    /// 2: active scan with Pairing-ID IE — the B-route scan.
    ActiveWithPairingId,
    /// 3: active scan without IE.
    Active,
}

impl ScanMode {
    fn digit(self) -> u8 {
        match self {
            Self::EnergyDetect => 0,
            Self::ActiveWithPairingId => 2,
            Self::Active => 3,
        }
    }
}

/// `SKSCAN <MODE> <MASK> <DURATION> [<SIDE>]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scan {
    /// Mode.
    pub mode: ScanMode,
    /// Channel bitmap, LSB = channel 33 (0x21); `0xFFFF_FFFF` = all.
    pub channel_mask: u32,
    /// Duration exponent 0–14 (per channel: 9.6 ms × (2^d + 1)).
    pub duration: u8,
    /// Side argument (dual-stack only; 0 = B-route).
    pub side: Option<u8>,
}

/// Security flag of `SKSENDTO`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Security {
    /// 0: plain.
    Plain,
    /// 1: encrypt or drop.
    Required,
    /// 2: encrypt if possible.
    Preferred,
}

/// `SKSENDTO <HANDLE> <IPADDR> <PORT> <SEC> [<SIDE>] <DATALEN> <DATA>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendTo {
    /// Source UDP handle 1–6 (1 = port 3610).
    pub handle: u8,
    /// Destination.
    pub addr: Ipv6Addr,
    /// Destination port.
    pub port: u16,
    /// Security flag.
    pub security: Security,
    /// Side (dual-stack only).
    pub side: Option<u8>,
    /// The payload, sent as raw bytes.
    pub payload: Vec<u8>,
}

/// One SKSTACK command.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Command {
    /// `SKVER`.
    Ver,
    /// `SKAPPVER`.
    AppVer,
    /// `SKINFO`.
    Info,
    /// `SKRESET`.
    Reset,
    /// `SKSREG <reg>` (read).
    SregRead {
        /// Register number (`S` + hex).
        reg: u8,
    },
    /// `SKSREG <reg> <value>` (write).
    SregWrite {
        /// Register number.
        reg: u8,
        /// Value (written in hex).
        value: u32,
    },
    /// `SKSETPWD C <password>`.
    SetPwd(RouteBPassword),
    /// `SKSETRBID <id>`.
    SetRbid(RouteBId),
    /// `SKSCAN …`.
    Scan(Scan),
    /// `SKLL64 <mac>`.
    Ll64(Mac),
    /// `SKJOIN <ipaddr>`.
    Join(Ipv6Addr),
    /// `SKREJOIN`.
    Rejoin,
    /// `SKTERM`.
    Term,
    /// `SKSENDTO …`.
    SendTo(SendTo),
    /// `SKPING <ipaddr> [<side>]`.
    Ping {
        /// Target.
        addr: Ipv6Addr,
        /// Side (dual-stack only).
        side: Option<u8>,
    },
    /// `WOPT <mode>` — a flash write; the driver only sends it after the caller confirms.
    Wopt(u8),
    /// `ROPT`.
    Ropt,
    /// `WUART <mode>` — a flash write.
    Wuart(u8),
    /// `RUART`.
    Ruart,
}

/// The command without its arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
#[allow(missing_docs)]
pub enum CommandKind {
    Ver,
    AppVer,
    Info,
    Reset,
    SregRead,
    SregWrite,
    SetPwd,
    SetRbid,
    Scan,
    Ll64,
    Join,
    Rejoin,
    Term,
    SendTo,
    Ping,
    Wopt,
    Ropt,
    Wuart,
    Ruart,
}

impl CommandKind {
    /// The command word.
    pub fn name(self) -> &'static str {
        match self {
            Self::Ver => "SKVER",
            Self::AppVer => "SKAPPVER",
            Self::Info => "SKINFO",
            Self::Reset => "SKRESET",
            Self::SregRead | Self::SregWrite => "SKSREG",
            Self::SetPwd => "SKSETPWD",
            Self::SetRbid => "SKSETRBID",
            Self::Scan => "SKSCAN",
            Self::Ll64 => "SKLL64",
            Self::Join => "SKJOIN",
            Self::Rejoin => "SKREJOIN",
            Self::Term => "SKTERM",
            Self::SendTo => "SKSENDTO",
            Self::Ping => "SKPING",
            Self::Wopt => "WOPT",
            Self::Ropt => "ROPT",
            Self::Wuart => "WUART",
            Self::Ruart => "RUART",
        }
    }
}

/// What a command's reply looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyShape {
    /// `OK`.
    Ok,
    /// A value line (`EVER`, `EAPPVER`, `EINFO`, `ESREG`), then `OK`.
    ValueThenOk,
    /// `OK <value>` ending in a bare CR (`ROPT`, `RUART`).
    OkValue,
    /// A bare address line, no `OK` (`SKLL64`).
    Address,
    /// `OK`, then a completion event (`SKSCAN` → `EVENT 22`/`EEDSCAN`, `SKJOIN` → `EVENT 25`/`24`,
    /// `SKTERM` → `EVENT 27`/`28`, `SKPING` → `EPONG`).
    OkThenCompletion,
}

/// Largest UDP payload accepted for `SKSENDTO`.
pub const MAX_PAYLOAD: usize = 1232;

/// The time a scan takes: channels × 9.6 ms × (2^d + 1), counting the channels 33–60 set in
/// the mask (`../shared/protocol.md` §A.6).
pub fn scan_duration(channel_mask: u32, duration: u8) -> Duration {
    let channels = u64::from((channel_mask & 0x0FFF_FFFF).count_ones());
    let per_channel_us = 9_600u64 * ((1u64 << duration.min(14)) + 1);
    Duration::from_micros(channels * per_channel_us)
}

impl Command {
    /// `SKSREG S2 <channel>`, checking 0x21–0x3C.
    pub fn set_channel(channel: u8) -> Result<Self, Error> {
        if !(0x21..=0x3C).contains(&channel) {
            return Err(Error::InvalidArgument {
                command: CommandKind::SregWrite,
                what: "channel must be 0x21..=0x3C",
            });
        }
        Ok(Self::SregWrite {
            reg: 0x02,
            value: u32::from(channel),
        })
    }

    /// `SKSREG S3 <pan id>`.
    pub fn set_pan_id(pan_id: u16) -> Self {
        Self::SregWrite {
            reg: 0x03,
            value: u32::from(pan_id),
        }
    }

    /// `SKSREG SFE 0`: echo-back off.
    pub fn echo_off() -> Self {
        Self::SregWrite {
            reg: 0xFE,
            value: 0,
        }
    }

    /// The kind.
    pub fn kind(&self) -> CommandKind {
        match self {
            Self::Ver => CommandKind::Ver,
            Self::AppVer => CommandKind::AppVer,
            Self::Info => CommandKind::Info,
            Self::Reset => CommandKind::Reset,
            Self::SregRead { .. } => CommandKind::SregRead,
            Self::SregWrite { .. } => CommandKind::SregWrite,
            Self::SetPwd(_) => CommandKind::SetPwd,
            Self::SetRbid(_) => CommandKind::SetRbid,
            Self::Scan(_) => CommandKind::Scan,
            Self::Ll64(_) => CommandKind::Ll64,
            Self::Join(_) => CommandKind::Join,
            Self::Rejoin => CommandKind::Rejoin,
            Self::Term => CommandKind::Term,
            Self::SendTo(_) => CommandKind::SendTo,
            Self::Ping { .. } => CommandKind::Ping,
            Self::Wopt(_) => CommandKind::Wopt,
            Self::Ropt => CommandKind::Ropt,
            Self::Wuart(_) => CommandKind::Wuart,
            Self::Ruart => CommandKind::Ruart,
        }
    }

    /// How the module answers.
    pub fn reply_shape(&self) -> ReplyShape {
        match self {
            Self::Ver | Self::AppVer | Self::Info | Self::SregRead { .. } => {
                ReplyShape::ValueThenOk
            }
            Self::Ropt | Self::Ruart => ReplyShape::OkValue,
            Self::Ll64(_) => ReplyShape::Address,
            Self::Scan(_) | Self::Join(_) | Self::Rejoin | Self::Term | Self::Ping { .. } => {
                ReplyShape::OkThenCompletion
            }
            _ => ReplyShape::Ok,
        }
    }

    /// How long to wait for the complete answer (including the completion event).
    pub fn timeout(&self) -> Duration {
        match self {
            Self::Scan(s) => {
                let t = scan_duration(s.channel_mask, s.duration);
                t + t / 10 + Duration::from_secs(5)
            }
            Self::Join(_) | Self::Rejoin => Duration::from_secs(40),
            Self::Term => Duration::from_secs(30),
            Self::Ping { .. } => Duration::from_secs(10),
            Self::Reset | Self::Wopt(_) | Self::Wuart(_) | Self::SendTo(_) => {
                Duration::from_secs(5)
            }
            // The first probe: a local command answered within milliseconds. A J11 module
            // stays silent (j11.md §5), so this is also how long a J11 port waits for its probe.
            Self::Ver => Duration::from_secs(2),
            _ => Duration::from_secs(3),
        }
    }

    fn invalid(&self, what: &'static str) -> Error {
        Error::InvalidArgument {
            command: self.kind(),
            what,
        }
    }

    fn check_side(&self, side: Option<u8>) -> Result<(), Error> {
        match side {
            Some(s) if s > 1 => Err(self.invalid("side must be 0 or 1")),
            _ => Ok(()),
        }
    }

    /// The bytes to write, or why the command was refused.
    pub fn encode(&self) -> Result<Vec<u8>, Error> {
        let crlf = |s: String| {
            let mut v = s.into_bytes();
            v.extend_from_slice(b"\r\n");
            v
        };
        Ok(match self {
            Self::Ver => b"SKVER\r\n".to_vec(),
            Self::AppVer => b"SKAPPVER\r\n".to_vec(),
            Self::Info => b"SKINFO\r\n".to_vec(),
            Self::Reset => b"SKRESET\r\n".to_vec(),
            Self::SregRead { reg } => crlf(format!("SKSREG S{reg:X}")),
            Self::SregWrite { reg, value } => {
                if *reg == 0x02 && !(0x21..=0x3C).contains(value) {
                    return Err(self.invalid("channel must be 0x21..=0x3C"));
                }
                if *reg == 0x03 && *value > 0xFFFF {
                    return Err(self.invalid("PAN ID must fit 16 bits"));
                }
                crlf(format!("SKSREG S{reg:X} {value:X}"))
            }
            Self::SetPwd(pw) => {
                let mut v = b"SKSETPWD C ".to_vec();
                v.extend_from_slice(pw.expose());
                v.extend_from_slice(b"\r\n");
                v
            }
            Self::SetRbid(id) => {
                let mut v = b"SKSETRBID ".to_vec();
                v.extend_from_slice(id.expose());
                v.extend_from_slice(b"\r\n");
                v
            }
            Self::Scan(s) => {
                if s.duration > 14 {
                    return Err(self.invalid("scan duration must be 0..=14"));
                }
                if s.channel_mask & 0x0FFF_FFFF == 0 {
                    return Err(self.invalid("channel mask selects no channel"));
                }
                self.check_side(s.side)?;
                let mut line = format!(
                    "SKSCAN {} {:08X} {:X}",
                    s.mode.digit(),
                    s.channel_mask,
                    s.duration
                );
                if let Some(side) = s.side {
                    line.push_str(&format!(" {side}"));
                }
                crlf(line)
            }
            Self::Ll64(mac) => crlf(format!("SKLL64 {mac}")),
            Self::Join(a) => crlf(format!("SKJOIN {}", format_ipv6(a))),
            Self::Rejoin => b"SKREJOIN\r\n".to_vec(),
            Self::Term => b"SKTERM\r\n".to_vec(),
            Self::SendTo(s) => {
                if !(1..=6).contains(&s.handle) {
                    return Err(self.invalid("UDP handle must be 1..=6"));
                }
                if s.payload.is_empty() || s.payload.len() > MAX_PAYLOAD {
                    return Err(self.invalid("payload must be 1..=1232 bytes"));
                }
                self.check_side(s.side)?;
                let sec = match s.security {
                    Security::Plain => 0,
                    Security::Required => 1,
                    Security::Preferred => 2,
                };
                let mut line = format!(
                    "SKSENDTO {:X} {} {:04X} {sec} ",
                    s.handle,
                    format_ipv6(&s.addr),
                    s.port
                );
                if let Some(side) = s.side {
                    line.push_str(&format!("{side} "));
                }
                line.push_str(&format!("{:04X} ", s.payload.len()));
                let mut v = line.into_bytes();
                v.extend_from_slice(&s.payload);
                v
            }
            Self::Ping { addr, side } => {
                self.check_side(*side)?;
                let mut line = format!("SKPING {}", format_ipv6(addr));
                if let Some(side) = side {
                    line.push_str(&format!(" {side}"));
                }
                crlf(line)
            }
            Self::Wopt(mode) => {
                if *mode > 1 {
                    return Err(self.invalid("WOPT mode must be 00 or 01"));
                }
                format!("WOPT {mode:02X}\r").into_bytes()
            }
            Self::Ropt => b"ROPT\r".to_vec(),
            Self::Wuart(mode) => {
                if mode & 0x07 > 6 || mode & 0x08 != 0 {
                    return Err(self.invalid("WUART mode: baud bits must be 0..=6 and bit 3 clear"));
                }
                format!("WUART {mode:02X}\r").into_bytes()
            }
            Self::Ruart => b"RUART\r".to_vec(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::parse_ipv6;

    fn s(c: &Command) -> String {
        String::from_utf8(c.encode().unwrap()).unwrap()
    }

    #[test]
    fn encodings() {
        let a = parse_ipv6(b"FE80:0000:0000:0000:C2F9:4500:4058:B5FB").unwrap();
        assert_eq!(s(&Command::Ver), "SKVER\r\n");
        assert_eq!(s(&Command::set_channel(0x31).unwrap()), "SKSREG S2 31\r\n");
        assert_eq!(s(&Command::set_pan_id(0xB5FB)), "SKSREG S3 B5FB\r\n");
        assert_eq!(s(&Command::echo_off()), "SKSREG SFE 0\r\n");
        assert_eq!(s(&Command::SregRead { reg: 0x0A }), "SKSREG SA\r\n");
        assert_eq!(
            s(&Command::SetPwd(
                RouteBPassword::new("0123456789AB").unwrap()
            )),
            "SKSETPWD C 0123456789AB\r\n"
        );
        assert_eq!(
            s(&Command::SetRbid(
                RouteBId::new("00112233445566778899AABBCCDDEEFF").unwrap()
            )),
            "SKSETRBID 00112233445566778899AABBCCDDEEFF\r\n"
        );
        let scan = Scan {
            mode: ScanMode::ActiveWithPairingId,
            channel_mask: 0xFFFF_FFFF,
            duration: 6,
            side: None,
        };
        assert_eq!(s(&Command::Scan(scan.clone())), "SKSCAN 2 FFFFFFFF 6\r\n");
        assert_eq!(
            s(&Command::Scan(Scan {
                side: Some(0),
                ..scan
            })),
            "SKSCAN 2 FFFFFFFF 6 0\r\n"
        );
        assert_eq!(
            s(&Command::Ll64(Mac::parse(b"0011223344556677").unwrap())),
            "SKLL64 0011223344556677\r\n"
        );
        assert_eq!(
            s(&Command::Join(a)),
            "SKJOIN FE80:0000:0000:0000:C2F9:4500:4058:B5FB\r\n"
        );
        assert_eq!(s(&Command::Wopt(1)), "WOPT 01\r");
        assert_eq!(s(&Command::Ropt), "ROPT\r");
        assert_eq!(s(&Command::Ruart), "RUART\r");
        assert_eq!(
            s(&Command::Ping {
                addr: a,
                side: Some(0)
            }),
            "SKPING FE80:0000:0000:0000:C2F9:4500:4058:B5FB 0\r\n"
        );
    }

    #[test]
    fn sendto_is_binary_with_exact_length() {
        let a = parse_ipv6(b"FE80:0000:0000:0000:C2F9:4500:4058:B5FB").unwrap();
        let payload = vec![
            0x10, 0x81, 0x52, 0x53, 0x05, 0xFF, 0x01, 0x02, 0x88, 0x01, 0x62, 0x01, 0xE7, 0x00,
        ];
        let c = Command::SendTo(SendTo {
            handle: 1,
            addr: a,
            port: 0x0E1A,
            security: Security::Required,
            side: Some(0),
            payload: payload.clone(),
        });
        let mut want =
            b"SKSENDTO 1 FE80:0000:0000:0000:C2F9:4500:4058:B5FB 0E1A 1 0 000E ".to_vec();
        want.extend_from_slice(&payload);
        assert_eq!(c.encode().unwrap(), want);
        let c = Command::SendTo(SendTo {
            handle: 1,
            addr: a,
            port: 0x0E1A,
            security: Security::Preferred,
            side: None,
            payload: vec![0x0D, 0x0A],
        });
        assert_eq!(
            c.encode().unwrap(),
            b"SKSENDTO 1 FE80:0000:0000:0000:C2F9:4500:4058:B5FB 0E1A 2 0002 \r\n".to_vec()
        );
    }

    #[test]
    fn refusals() {
        let a = Ipv6Addr::LOCALHOST;
        assert!(Command::set_channel(0x20).is_err());
        assert!(Command::SregWrite {
            reg: 2,
            value: 0x3D
        }
        .encode()
        .is_err());
        assert!(Command::Scan(Scan {
            mode: ScanMode::Active,
            channel_mask: 0xFFFF_FFFF,
            duration: 15,
            side: None
        })
        .encode()
        .is_err());
        assert!(Command::Scan(Scan {
            mode: ScanMode::Active,
            channel_mask: 0xF000_0000,
            duration: 4,
            side: None
        })
        .encode()
        .is_err());
        assert!(Command::Scan(Scan {
            mode: ScanMode::Active,
            channel_mask: 1,
            duration: 4,
            side: Some(2)
        })
        .encode()
        .is_err());
        let st = |handle, payload: Vec<u8>| {
            Command::SendTo(SendTo {
                handle,
                addr: a,
                port: 1,
                security: Security::Plain,
                side: None,
                payload,
            })
        };
        assert!(st(0, vec![1]).encode().is_err());
        assert!(st(7, vec![1]).encode().is_err());
        assert!(st(1, vec![]).encode().is_err());
        assert!(st(1, vec![0; MAX_PAYLOAD + 1]).encode().is_err());
        assert!(Command::Wopt(2).encode().is_err());
        assert!(Command::Wuart(0x07).encode().is_err());
        let e = Command::Wopt(2).encode().unwrap_err();
        assert_eq!(e.code(), "command.invalid_argument");
    }

    #[test]
    fn timeouts() {
        // 28 channels x 9.6 ms x (2^6 + 1) = 17.472 s
        assert_eq!(
            scan_duration(0xFFFF_FFFF, 6),
            Duration::from_micros(17_472_000)
        );
        assert_eq!(scan_duration(1, 0), Duration::from_micros(19_200));
        let c = Command::Scan(Scan {
            mode: ScanMode::ActiveWithPairingId,
            channel_mask: 0xFFFF_FFFF,
            duration: 6,
            side: None,
        });
        assert!(c.timeout() > Duration::from_secs(18) && c.timeout() < Duration::from_secs(25));
        assert_eq!(
            Command::Join(Ipv6Addr::LOCALHOST).timeout(),
            Duration::from_secs(40)
        );
        assert_eq!(Command::Ver.timeout(), Duration::from_secs(2));
        assert_eq!(
            Command::Ll64(Mac([0; 8])).reply_shape(),
            ReplyShape::Address
        );
    }
}
