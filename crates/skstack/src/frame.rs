//! Typed units of dongle output ("frames") and the parser for one line.
//!
//! A frame is what the [`Framer`](crate::framer::Framer) hands out: a status line (`OK`,
//! `FAIL ERxx`), an information reply (`EVER`, `EAPPVER`, `EINFO`, `ESREG`, the bare address of
//! `SKLL64`), an event (`EVENT`, `ERXUDP`, `EPONG`, the multi-line `EPANDESC` and `EEDSCAN`
//! blocks), the echo of a command, a J11 binary frame, an unrecognised printable line, or a
//! diagnostic saying what was skipped.
//!
//! Field layouts differ between the single-hop and dual-stack dialects
//! (`../shared/protocol.md` §A.7). Where the token count decides, the parser decides; where it
//! does not (`EVENT NUM SENDER X`: is `X` a side or a parameter?) it uses the dialect in the
//! [`ParseContext`] when known, otherwise the token width (side is one digit, parameter two) and
//! marks the result as guessed.

use std::net::Ipv6Addr;

use crate::addr::{parse_ipv6, Mac};
use crate::detect::Dialect;
use crate::j11::J11Frame;
use crate::util::{hex_decode, hex_u16, hex_u8, is_hex, tokens};

/// What the parser knows about the stream.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ParseContext {
    /// The dialect, once detected.
    pub dialect: Option<Dialect>,
}

/// One unit of dongle output.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Frame {
    /// `OK`, or `OK xx` (the value replies of `ROPT`/`RUART`).
    Ok(Option<u8>),
    /// `FAIL ERxx`.
    Fail(FailCode),
    /// `EVER <version>`: stack version.
    Ever(String),
    /// `EAPPVER <version>`: application firmware version.
    AppVer(String),
    /// `EINFO …`.
    Info(Info),
    /// `ESREG <value>`: a register read.
    Sreg(String),
    /// A bare IPv6 address line: the reply of `SKLL64`.
    Address(Ipv6Addr),
    /// `EVENT <num> …`.
    Event(Event),
    /// An `EPANDESC` block (a PAN found by an active scan).
    PanDesc(PanDesc),
    /// An `EEDSCAN` block (energy-detect scan result).
    EdScan(EdScan),
    /// `ERXUDP …`: a received UDP datagram.
    RxUdp(RxUdp),
    /// `EPONG <sender> [side]`.
    Pong(Ipv6Addr),
    /// The echo of a command line (echo-back register SFE = 1). Credentials are redacted.
    Echo(Echo),
    /// A J11 binary frame (the module speaks the J11 API, not SKSTACK).
    J11(J11Frame),
    /// A printable line of no known shape (`EADDR`, `ENEIGHBOR`, `EPORT` lists, …), redacted.
    Other(String),
    /// Something was skipped; the stream resynchronised after it.
    Skipped(Diagnostic),
}

/// The code of a `FAIL ERxx` line (`../shared/protocol.md` §A.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FailCode {
    /// ER04: command not supported.
    NotSupported,
    /// ER05: wrong number of arguments.
    WrongArgCount,
    /// ER06: argument format or range invalid.
    InvalidArgument,
    /// ER09: UART input error.
    UartInput,
    /// ER10: accepted but execution failed.
    ExecutionFailed,
    /// Any other (reserved) number.
    Other(u8),
}

impl FailCode {
    /// From the decimal number after `ER`.
    pub fn from_number(n: u8) -> Self {
        match n {
            4 => Self::NotSupported,
            5 => Self::WrongArgCount,
            6 => Self::InvalidArgument,
            9 => Self::UartInput,
            10 => Self::ExecutionFailed,
            n => Self::Other(n),
        }
    }

    /// The number after `ER`.
    pub fn number(self) -> u8 {
        match self {
            Self::NotSupported => 4,
            Self::WrongArgCount => 5,
            Self::InvalidArgument => 6,
            Self::UartInput => 9,
            Self::ExecutionFailed => 10,
            Self::Other(n) => n,
        }
    }
}

/// The last field of `EINFO`: tells the dialects apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InfoLast {
    /// Single-hop: the 16-bit short address (always `FFFE`).
    Addr16(u16),
    /// Dual-stack: the side (`0` = B-route).
    Side(u8),
}

/// `EINFO <IPADDR> <ADDR64> <CHANNEL> <PANID> <ADDR16|SIDE>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Info {
    /// Own link-local address.
    pub ip: Ipv6Addr,
    /// Own MAC.
    pub mac: Mac,
    /// Current channel.
    pub channel: u8,
    /// Current PAN ID.
    pub pan_id: u16,
    /// Last field.
    pub last: InfoLast,
}

/// `EVENT <NUM> <SENDER> [<SIDE>] [<PARAM>]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Event number (hex on the wire).
    pub num: u8,
    /// Sender address (absent for `EVENT C0`).
    pub sender: Option<Ipv6Addr>,
    /// Side field (dual-stack only).
    pub side: Option<u8>,
    /// Parameter (e.g. EVENT 21's send result).
    pub param: Option<u8>,
    /// True when one trailing token could be either a side or a parameter and the dialect was
    /// unknown, so the parser guessed from its width.
    pub guessed: bool,
}

impl Event {
    /// The meaning of the number.
    pub fn kind(&self) -> EventKind {
        EventKind::from(self.num)
    }
}

/// Known event numbers (`../shared/protocol.md` §A.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EventKind {
    /// 01: neighbour solicitation received.
    NeighborSolicitation,
    /// 02: neighbour advertisement received.
    NeighborAdvertisement,
    /// 05: ICMP echo request received.
    EchoRequest,
    /// 1F: ED scan finished.
    EdScanDone,
    /// 20: beacon received (an `EPANDESC` follows).
    Beacon,
    /// 21: UDP send finished (param 00 ok, 01 failed, 02 neighbour solicitation sent).
    UdpSent,
    /// 22: active scan finished.
    ScanDone,
    /// 24: PANA connection failed.
    PanaFailed,
    /// 25: PANA connection completed.
    PanaConnected,
    /// 26: session termination requested by the peer.
    TerminationRequested,
    /// 27: session terminated.
    Terminated,
    /// 28: termination timed out (session treated as closed).
    TerminationTimedOut,
    /// 29: session lifetime expired (re-authentication follows).
    SessionExpired,
    /// 32: transmit-time budget exhausted; sends are dropped until 33.
    TxLimited,
    /// 33: transmit-time limit released.
    TxLimitReleased,
    /// C0: wake-up.
    Wakeup,
    /// Any other number.
    Other(u8),
}

impl From<u8> for EventKind {
    fn from(n: u8) -> Self {
        match n {
            0x01 => Self::NeighborSolicitation,
            0x02 => Self::NeighborAdvertisement,
            0x05 => Self::EchoRequest,
            0x1F => Self::EdScanDone,
            0x20 => Self::Beacon,
            0x21 => Self::UdpSent,
            0x22 => Self::ScanDone,
            0x24 => Self::PanaFailed,
            0x25 => Self::PanaConnected,
            0x26 => Self::TerminationRequested,
            0x27 => Self::Terminated,
            0x28 => Self::TerminationTimedOut,
            0x29 => Self::SessionExpired,
            0x32 => Self::TxLimited,
            0x33 => Self::TxLimitReleased,
            0xC0 => Self::Wakeup,
            n => Self::Other(n),
        }
    }
}

impl EventKind {
    /// A stable snake_case name.
    pub fn name(self) -> &'static str {
        match self {
            Self::NeighborSolicitation => "neighbor_solicitation",
            Self::NeighborAdvertisement => "neighbor_advertisement",
            Self::EchoRequest => "echo_request",
            Self::EdScanDone => "ed_scan_done",
            Self::Beacon => "beacon",
            Self::UdpSent => "udp_sent",
            Self::ScanDone => "scan_done",
            Self::PanaFailed => "pana_failed",
            Self::PanaConnected => "pana_connected",
            Self::TerminationRequested => "termination_requested",
            Self::Terminated => "terminated",
            Self::TerminationTimedOut => "termination_timed_out",
            Self::SessionExpired => "session_expired",
            Self::TxLimited => "tx_limited",
            Self::TxLimitReleased => "tx_limit_released",
            Self::Wakeup => "wakeup",
            Self::Other(_) => "unknown",
        }
    }
}

/// An `EPANDESC` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PanDesc {
    /// Logical channel (0x21–0x3C).
    pub channel: u8,
    /// Channel page (`09`).
    pub channel_page: Option<u8>,
    /// PAN ID.
    pub pan_id: u16,
    /// The coordinator's (meter's) MAC.
    pub addr: Mac,
    /// Link quality indicator.
    pub lqi: Option<u8>,
    /// Side (dual-stack firmware only).
    pub side: Option<u8>,
    /// Pairing ID (present after a mode-2 scan).
    pub pair_id: Option<String>,
}

impl PanDesc {
    /// Approximate RSSI in dBm from the LQI: 0.275 × LQI − 104.27 (§A.5).
    pub fn rssi_dbm(&self) -> Option<f32> {
        self.lqi.map(|l| 0.275 * f32::from(l) - 104.27)
    }
}

/// An `EEDSCAN` block: per-channel energy readings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EdScan {
    /// Leading side field (dual-stack firmware; inferred).
    pub side: Option<u8>,
    /// `(channel, rssi)` pairs as printed.
    pub readings: Vec<(u8, u8)>,
}

/// How ERXUDP data was shown on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DataEncoding {
    /// Hex ASCII (WOPT bit 0 = 1).
    Hex,
    /// Raw bytes (WOPT bit 0 = 0, the factory default).
    Binary,
}

/// The field layout of an `ERXUDP` line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RxUdpLayout {
    /// 9 tokens: no side, no RSSI.
    SingleHop,
    /// 10 tokens: with side.
    DualStack,
    /// 11 tokens: with RSSI and side (dual-stack with SA2 = 1).
    DualStackRssi,
}

/// `ERXUDP <SENDER> <DEST> <RPORT> <LPORT> <SENDERLLA> [<RSSI>] <SECURED> [<SIDE>] <DATALEN> <DATA>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RxUdp {
    /// Source address.
    pub sender: Ipv6Addr,
    /// Destination address (own address or a multicast group).
    pub dest: Ipv6Addr,
    /// Remote (source) port.
    pub rport: u16,
    /// Local (destination) port.
    pub lport: u16,
    /// Sender's MAC.
    pub sender_lla: Mac,
    /// RSSI in dBm (dual-stack with SA2 = 1; read as a signed hex byte — inferred format).
    pub rssi: Option<i16>,
    /// The MAC frame was encrypted.
    pub secured: bool,
    /// Side (dual-stack).
    pub side: Option<u8>,
    /// The UDP payload.
    pub data: Vec<u8>,
    /// How the payload was shown.
    pub encoding: DataEncoding,
    /// Which layout the line had.
    pub layout: RxUdpLayout,
}

/// The echo of a command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Echo {
    /// The command word (`SKSCAN`, `ROPT`, …).
    pub command: String,
    /// The echoed line, credentials redacted, non-UTF-8 bytes replaced.
    pub text: String,
}

/// What was skipped, and why. Carries no content (which could hold anything).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Diagnostic {
    /// Why.
    pub kind: DiagnosticKind,
    /// How many bytes were skipped.
    pub len: usize,
}

/// Reasons for skipping input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DiagnosticKind {
    /// A line with bytes that are not printable text.
    Garbage,
    /// A line longer than the framer's limit.
    TooLong,
    /// A line with a known keyword but a malformed body.
    Malformed,
    /// Bytes before a recognised keyword on the same line.
    GarbagePrefix,
    /// A multi-line block (`EPANDESC`) missing required lines.
    IncompleteBlock,
    /// Binary ERXUDP data not followed by CR LF.
    MissingTerminator,
    /// A J11 header with a bad checksum or length.
    BadJ11Frame,
    /// Input ended inside a line or frame.
    Truncated,
}

impl DiagnosticKind {
    /// Stable snake_case name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Garbage => "garbage",
            Self::TooLong => "too_long",
            Self::Malformed => "malformed",
            Self::GarbagePrefix => "garbage_prefix",
            Self::IncompleteBlock => "incomplete_block",
            Self::MissingTerminator => "missing_terminator",
            Self::BadJ11Frame => "bad_j11_frame",
            Self::Truncated => "truncated",
        }
    }
}

pub(crate) fn skipped(kind: DiagnosticKind, len: usize) -> Frame {
    Frame::Skipped(Diagnostic { kind, len })
}

/// True for the product-configuration commands whose replies end in a bare CR.
pub(crate) fn is_config_word(w: &[u8]) -> bool {
    matches!(w, b"WOPT" | b"ROPT" | b"WUART" | b"RUART")
}

/// True when `w` looks like a command word (`SK…` in capitals or a config command).
pub(crate) fn is_command_word(w: &[u8]) -> bool {
    (w.len() >= 4 && w.starts_with(b"SK") && w[2..].iter().all(u8::is_ascii_uppercase))
        || is_config_word(w)
}

/// Text of a line with the keyword rules of the `redact` crate applied (credential arguments,
/// J11 credential frames, the PANA identity, `PairID` values).
fn lossy_redacted(b: &[u8]) -> String {
    redact::redact(&String::from_utf8_lossy(b))
}

fn printable(b: &[u8]) -> bool {
    b.iter().all(|&c| (0x20..0x7F).contains(&c) || c == b'\t')
}

/// Locate the DATALEN token of an ERXUDP line: index (counting `ERXUDP` as 0) 7, 8 or 9, the
/// first token of exactly 4 hex digits at or after index 7. Returns the layout.
pub(crate) fn erxudp_layout_for_index(i: usize) -> Option<RxUdpLayout> {
    match i {
        7 => Some(RxUdpLayout::SingleHop),
        8 => Some(RxUdpLayout::DualStack),
        9 => Some(RxUdpLayout::DualStackRssi),
        _ => None,
    }
}

/// Typed ERXUDP header fields (everything before DATA).
pub(crate) fn parse_erxudp_header(toks: &[&[u8]]) -> Option<(RxUdp, usize)> {
    // toks[0] == "ERXUDP"; toks.len() - 1 == index of DATALEN.
    let dl = toks.len() - 1;
    let layout = erxudp_layout_for_index(dl)?;
    let sender = parse_ipv6(toks[1])?;
    let dest = parse_ipv6(toks[2])?;
    let rport = hex_u16(toks[3])?;
    let lport = hex_u16(toks[4])?;
    let sender_lla = Mac::parse(toks[5])?;
    let (rssi, sec, side) = match layout {
        RxUdpLayout::SingleHop => (None, toks[6], None),
        RxUdpLayout::DualStack => (None, toks[6], Some(hex_u8(toks[7])?)),
        RxUdpLayout::DualStackRssi => (Some(parse_rssi(toks[6])?), toks[7], Some(hex_u8(toks[8])?)),
    };
    let secured = match sec {
        b"0" => false,
        b"1" => true,
        _ => return None,
    };
    let len = hex_u16(toks[dl])? as usize;
    Some((
        RxUdp {
            sender,
            dest,
            rport,
            lport,
            sender_lla,
            rssi,
            secured,
            side,
            data: Vec::new(),
            encoding: DataEncoding::Hex,
            layout,
        },
        len,
    ))
}

fn parse_rssi(t: &[u8]) -> Option<i16> {
    if let Some(rest) = t.strip_prefix(b"-") {
        let s = core::str::from_utf8(rest).ok()?;
        return s.parse::<i16>().ok().map(|v| -v);
    }
    match t.len() {
        1 | 2 => hex_u8(t).map(|v| i16::from(v as i8)),
        3 | 4 => hex_u16(t).map(|v| v as i16),
        _ => None,
    }
}

/// True when a token is a DATALEN candidate (exactly 4 hex digits).
pub(crate) fn is_datalen(t: &[u8]) -> bool {
    t.len() == 4 && is_hex(t)
}

fn parse_event(toks: &[&[u8]], ctx: ParseContext) -> Option<Event> {
    let num = hex_u8(toks.get(1)?)?;
    if toks.get(1)?.len() != 2 {
        return None;
    }
    let sender = match toks.get(2) {
        Some(t) => Some(parse_ipv6(t)?),
        None => None,
    };
    let rest = toks.get(3..).unwrap_or(&[]);
    let (mut side, mut param, mut guessed) = (None, None, false);
    match rest {
        [] => {}
        [a, b] => {
            side = Some(hex_u8(a)?);
            param = Some(hex_u8(b)?);
        }
        [x] => {
            let v = hex_u8(x)?;
            match ctx.dialect {
                Some(Dialect::DualStack) => side = Some(v),
                Some(Dialect::SingleHop) => param = Some(v),
                None => {
                    guessed = true;
                    if x.len() == 1 {
                        side = Some(v);
                    } else {
                        param = Some(v);
                    }
                }
            }
        }
        _ => return None,
    }
    Some(Event {
        num,
        sender,
        side,
        param,
        guessed,
    })
}

fn parse_info(toks: &[&[u8]]) -> Option<Info> {
    if toks.len() != 6 {
        return None;
    }
    let last = if toks[5].len() == 4 {
        InfoLast::Addr16(hex_u16(toks[5])?)
    } else {
        InfoLast::Side(hex_u8(toks[5])?)
    };
    Some(Info {
        ip: parse_ipv6(toks[1])?,
        mac: Mac::parse(toks[2])?,
        channel: hex_u8(toks[3])?,
        pan_id: hex_u16(toks[4])?,
        last,
    })
}

/// Is this line a bare full-form IPv6 address (the `SKLL64` reply)?
pub(crate) fn bare_address(line: &[u8]) -> Option<Ipv6Addr> {
    if line.len() == 39 && line.iter().filter(|&&b| b == b':').count() == 7 {
        parse_ipv6(line)
    } else {
        None
    }
}

fn collect_tokens(line: &[u8]) -> Vec<&[u8]> {
    tokens(line).collect()
}

/// Parse one complete line (without terminator) that is not part of a block, pushing the
/// resulting frame(s) into `out`. Empty lines produce nothing. `EPANDESC`/`EEDSCAN` headers are
/// handled by the framer; here they come out as [`Frame::Other`].
pub fn parse_line(line: &[u8], ctx: ParseContext, out: &mut impl Extend<Frame>) {
    let trimmed = trim_end(line);
    if trimmed.is_empty() {
        return;
    }
    if let Some(f) = parse_known(trimmed, ctx) {
        out.extend(Some(f));
        return;
    }
    // A keyword after garbage (e.g. `SKSENDTOERXUDP …` when a payload ran into the next line).
    for kw in [&b"ERXUDP "[..], b"EVENT ", b"EPONG "] {
        if let Some(p) = crate::util::find(trimmed, kw) {
            if p > 0 {
                if let Some(f) = parse_known(&trimmed[p..], ctx) {
                    out.extend([skipped(DiagnosticKind::GarbagePrefix, p), f]);
                    return;
                }
            }
        }
    }
    let first = tokens(trimmed).next().unwrap_or(b"");
    if is_command_word(first) {
        out.extend(Some(Frame::Echo(Echo {
            command: String::from_utf8_lossy(first).into_owned(),
            text: lossy_redacted(trimmed),
        })));
        return;
    }
    if printable(trimmed) {
        let known_kw = matches!(
            first,
            b"OK"
                | b"FAIL"
                | b"EVER"
                | b"EAPPVER"
                | b"EINFO"
                | b"ESREG"
                | b"EVENT"
                | b"ERXUDP"
                | b"EPONG"
        );
        if known_kw {
            out.extend(Some(skipped(DiagnosticKind::Malformed, line.len())));
        } else {
            out.extend(Some(Frame::Other(lossy_redacted(trimmed))));
        }
    } else {
        out.extend(Some(skipped(DiagnosticKind::Garbage, line.len())));
    }
}

fn trim_end(mut l: &[u8]) -> &[u8] {
    while let [rest @ .., b' ' | b'\t'] = l {
        l = rest;
    }
    l
}

fn parse_known(line: &[u8], ctx: ParseContext) -> Option<Frame> {
    let toks = collect_tokens(line);
    let first = *toks.first()?;
    Some(match first {
        b"OK" => match toks.len() {
            1 => Frame::Ok(None),
            2 if toks[1].len() <= 2 => Frame::Ok(Some(hex_u8(toks[1])?)),
            _ => return None,
        },
        b"FAIL" => {
            let code = toks.get(1)?.strip_prefix(b"ER")?;
            if toks.len() != 2
                || code.is_empty()
                || code.len() > 3
                || !code.iter().all(u8::is_ascii_digit)
            {
                return None;
            }
            let n: u16 = core::str::from_utf8(code).ok()?.parse().ok()?;
            Frame::Fail(FailCode::from_number(u8::try_from(n).ok()?))
        }
        b"EVER" if toks.len() == 2 => Frame::Ever(String::from_utf8_lossy(toks[1]).into_owned()),
        b"EAPPVER" if toks.len() == 2 => {
            Frame::AppVer(String::from_utf8_lossy(toks[1]).into_owned())
        }
        b"ESREG" if toks.len() == 2 => Frame::Sreg(String::from_utf8_lossy(toks[1]).into_owned()),
        b"EINFO" => Frame::Info(parse_info(&toks)?),
        b"EVENT" => Frame::Event(parse_event(&toks, ctx)?),
        b"EPONG" if (2..=3).contains(&toks.len()) => Frame::Pong(parse_ipv6(toks[1])?),
        b"ERXUDP" => {
            // Hex form on one line: header tokens, then the data token.
            let n = toks.len();
            if !(9..=11).contains(&n) || !is_datalen(toks[n - 2]) {
                return None;
            }
            // The DATALEN token must be the first 4-hex token at index >= 7.
            let dl = (7..n - 1).find(|&i| is_datalen(toks[i]))?;
            if dl != n - 2 {
                return None;
            }
            let (mut rx, len) = parse_erxudp_header(&toks[..n - 1])?;
            let data = toks[n - 1];
            if data.len() != 2 * len {
                return None;
            }
            rx.data = hex_decode(data)?;
            Frame::RxUdp(rx)
        }
        _ => Frame::Address(bare_address(line)?),
    })
}

/// Build a [`PanDesc`] from the `Key:Value` lines of an `EPANDESC` block.
pub(crate) fn pandesc_from_lines(lines: &[Vec<u8>]) -> Option<PanDesc> {
    let (mut ch, mut page, mut pan, mut addr, mut lqi, mut side, mut pair) =
        (None, None, None, None, None, None, None);
    for l in lines {
        let l = trim_end(l);
        let l = l.trim_ascii_start();
        let Some(c) = l.iter().position(|&b| b == b':') else {
            continue;
        };
        let (k, v) = (&l[..c], l[c + 1..].trim_ascii());
        match k {
            b"Channel" => ch = hex_u8(v),
            b"Channel Page" => page = hex_u8(v),
            b"Pan ID" => pan = hex_u16(v),
            b"Addr" => addr = Mac::parse(v),
            b"LQI" => lqi = hex_u8(v),
            b"Side" => side = hex_u8(v),
            b"PairID" => pair = Some(String::from_utf8_lossy(v).into_owned()),
            _ => {}
        }
    }
    Some(PanDesc {
        channel: ch?,
        channel_page: page,
        pan_id: pan?,
        addr: addr?,
        lqi,
        side,
        pair_id: pair,
    })
}

/// Build an [`EdScan`] from its data line.
pub(crate) fn edscan_from_line(line: &[u8]) -> Option<EdScan> {
    let toks = collect_tokens(line);
    let (side, pairs) = if !toks.len().is_multiple_of(2) {
        (Some(hex_u8(toks[0])?), &toks[1..])
    } else {
        (None, &toks[..])
    };
    let mut readings = Vec::with_capacity(pairs.len() / 2);
    for p in pairs.chunks_exact(2) {
        readings.push((hex_u8(p[0])?, hex_u8(p[1])?));
    }
    Some(EdScan { side, readings })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(line: &str, ctx: ParseContext) -> Vec<Frame> {
        let mut v = Vec::new();
        parse_line(line.as_bytes(), ctx, &mut v);
        v
    }
    const NONE: ParseContext = ParseContext { dialect: None };
    const SE: ParseContext = ParseContext {
        dialect: Some(Dialect::SingleHop),
    };
    const DSE: ParseContext = ParseContext {
        dialect: Some(Dialect::DualStack),
    };
    const A: &str = "FE80:0000:0000:0000:021C:6400:03DD:6393";

    #[test]
    fn status_lines() {
        assert_eq!(one("OK", NONE), [Frame::Ok(None)]);
        assert_eq!(one("OK 01", NONE), [Frame::Ok(Some(1))]);
        assert_eq!(one("OK 80 ", NONE), [Frame::Ok(Some(0x80))]);
        assert_eq!(
            one("FAIL ER04", NONE),
            [Frame::Fail(FailCode::NotSupported)]
        );
        assert_eq!(
            one("FAIL ER10", NONE),
            [Frame::Fail(FailCode::ExecutionFailed)]
        );
        assert_eq!(
            one("FAIL ER05", NONE),
            [Frame::Fail(FailCode::WrongArgCount)]
        );
        assert_eq!(one("FAIL ER02", NONE), [Frame::Fail(FailCode::Other(2))]);
        assert!(matches!(
            one("FAIL XX", NONE)[..],
            [Frame::Skipped(Diagnostic {
                kind: DiagnosticKind::Malformed,
                ..
            })]
        ));
        assert_eq!(one("", NONE), []);
    }

    #[test]
    fn info_lines_tell_dialects_apart() {
        let f = one(
            "EINFO FE80:0000:0000:0000:021D:1291:0004:FFFF 001D12910004FFFF 39 9E08 0",
            NONE,
        );
        let [Frame::Info(i)] = &f[..] else {
            panic!("{f:?}")
        };
        assert_eq!(i.last, InfoLast::Side(0));
        assert_eq!((i.channel, i.pan_id), (0x39, 0x9E08));
        let f = one(
            "EINFO FE80:0000:0000:0000:021D:1291:0004:FFFF 001D12910004FFFF 21 FFFF FFFE",
            NONE,
        );
        let [Frame::Info(i)] = &f[..] else {
            panic!("{f:?}")
        };
        assert_eq!(i.last, InfoLast::Addr16(0xFFFE));
        assert_eq!(one("EVER 1.5.2", NONE), [Frame::Ever("1.5.2".into())]);
        assert_eq!(
            one("EAPPVER rev26e", NONE),
            [Frame::AppVer("rev26e".into())]
        );
        assert_eq!(one("ESREG 0", NONE), [Frame::Sreg("0".into())]);
    }

    #[test]
    fn event_shapes() {
        let ev = |s: &str, c| match &one(s, c)[..] {
            [Frame::Event(e)] => e.clone(),
            f => panic!("{f:?}"),
        };
        // single-hop, no param
        let e = ev(&format!("EVENT 22 {A}"), NONE);
        assert_eq!(
            (e.num, e.side, e.param, e.guessed),
            (0x22, None, None, false)
        );
        // single-hop with param: width 2 -> param (guessed), SE -> param
        let e = ev(&format!("EVENT 21 {A} 00"), NONE);
        assert_eq!((e.side, e.param, e.guessed), (None, Some(0), true));
        let e = ev(&format!("EVENT 21 {A} 02"), SE);
        assert_eq!((e.side, e.param, e.guessed), (None, Some(2), false));
        // dual-stack: width 1 -> side
        let e = ev(&format!("EVENT 25 {A} 0"), NONE);
        assert_eq!((e.side, e.param, e.guessed), (Some(0), None, true));
        let e = ev(&format!("EVENT 25 {A} 0"), DSE);
        assert_eq!((e.side, e.param, e.guessed), (Some(0), None, false));
        // dual-stack with param
        let e = ev(&format!("EVENT 21 {A} 0 02"), NONE);
        assert_eq!((e.side, e.param, e.guessed), (Some(0), Some(2), false));
        assert_eq!(e.kind(), EventKind::UdpSent);
        // wake-up: no sender
        let e = ev("EVENT C0", NONE);
        assert_eq!((e.num, e.sender), (0xC0, None));
    }

    #[test]
    fn erxudp_hex_layouts() {
        let se = format!("ERXUDP {A} FE80:0000:0000:0000:1207:23FF:FEA0:77E3 0E1A 0E1A 001C640003DD6393 1 0012 1081000302880105FF017201E7040000001C");
        let [Frame::RxUdp(r)] = &one(&se, NONE)[..] else {
            panic!()
        };
        assert_eq!(
            (r.layout, r.secured, r.side, r.rport),
            (RxUdpLayout::SingleHop, true, None, 0x0E1A)
        );
        assert_eq!(r.data.len(), 0x12);
        let dse = format!("ERXUDP {A} {A} 02CC 02CC 0011223344556677 0 0 0002 ABCD");
        let [Frame::RxUdp(r)] = &one(&dse, NONE)[..] else {
            panic!()
        };
        assert_eq!(
            (r.layout, r.secured, r.side),
            (RxUdpLayout::DualStack, false, Some(0))
        );
        let rssi = format!("ERXUDP {A} {A} 0E1A 0E1A 0011223344556677 C4 1 0 0001 10");
        let [Frame::RxUdp(r)] = &one(&rssi, NONE)[..] else {
            panic!()
        };
        assert_eq!(
            (r.layout, r.rssi, r.side, r.data.clone()),
            (RxUdpLayout::DualStackRssi, Some(-60), Some(0), vec![0x10])
        );
        // wrong length -> malformed
        let bad = format!("ERXUDP {A} {A} 0E1A 0E1A 0011223344556677 1 0003 ABCD");
        assert!(matches!(
            one(&bad, NONE)[..],
            [Frame::Skipped(Diagnostic {
                kind: DiagnosticKind::Malformed,
                ..
            })]
        ));
    }

    #[test]
    fn garbage_prefix_resync() {
        let l = format!("SKSENDTOERXUDP {A} {A} 0E1A 0E1A 0011223344556677 1 0 0001 10");
        let f = one(&l, NONE);
        assert!(matches!(
            f[0],
            Frame::Skipped(Diagnostic {
                kind: DiagnosticKind::GarbagePrefix,
                len: 8
            })
        ));
        assert!(matches!(f[1], Frame::RxUdp(_)));
    }

    #[test]
    fn echo_and_redaction() {
        let f = one("SKSETPWD C 0123456789AB", NONE);
        let [Frame::Echo(e)] = &f[..] else { panic!() };
        assert_eq!(e.command, "SKSETPWD");
        assert_eq!(e.text, "SKSETPWD C <redacted>");
        let f = one("SKSETRBID 00112233445566778899AABBCCDDEEFF", NONE);
        let [Frame::Echo(e)] = &f[..] else { panic!() };
        assert_eq!(e.text, "SKSETRBID <redacted>");
        assert_eq!(
            lossy_redacted(b"x SKSETPWD C abc y\nSKSETRBID q"),
            "x SKSETPWD C <redacted>\nSKSETRBID <redacted>"
        );
        assert_eq!(
            one("ROPT", NONE),
            [Frame::Echo(Echo {
                command: "ROPT".into(),
                text: "ROPT".into()
            })]
        );
    }

    #[test]
    fn bare_address_and_other() {
        assert!(matches!(one(A, NONE)[..], [Frame::Address(_)]));
        assert_eq!(one("EPORT", NONE), [Frame::Other("EPORT".into())]);
        assert!(matches!(
            one("\u{1}\u{2}abc", NONE)[..],
            [Frame::Skipped(Diagnostic {
                kind: DiagnosticKind::Garbage,
                ..
            })]
        ));
    }

    #[test]
    fn blocks() {
        let lines: Vec<Vec<u8>> = [
            "  Channel:31",
            "  Channel Page:09",
            "  Pan ID:B5FB",
            "  Addr:0011223344556677",
            "  LQI:DD",
            "  Side:0",
            "  PairID:0194BFAD",
        ]
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .collect();
        let p = pandesc_from_lines(&lines).unwrap();
        assert_eq!(
            (p.channel, p.pan_id, p.lqi, p.side),
            (0x31, 0xB5FB, Some(0xDD), Some(0))
        );
        assert_eq!(p.pair_id.as_deref(), Some("0194BFAD"));
        assert!((p.rssi_dbm().unwrap() - (-43.495)).abs() < 0.01);
        assert!(pandesc_from_lines(&lines[..2]).is_none());
        let e = edscan_from_line(b"0 21 1E 22 13").unwrap();
        assert_eq!((e.side, e.readings.len()), (Some(0), 2));
        let e = edscan_from_line(b"21 1E 22 13").unwrap();
        assert_eq!((e.side, e.readings[1]), (None, (0x22, 0x13)));
    }
}
