//! The dongle's side of a log, through the `skstack` framer (the one parser of `EVENT`,
//! `ERXUDP`, `EINFO`, `EPANDESC`, … lines): each normalised payload is fed as one line, and
//! the typed frames become records.

use serde_json::{json, Value as J};
use skstack::addr::format_ipv6;
use skstack::detect::{Dialect, ErxudpMode};
use skstack::frame::{
    DataEncoding, DiagnosticKind, Frame, InfoLast, ParseContext, RxUdp, RxUdpLayout,
};
use skstack::Framer;

use crate::record::Fields;
use crate::value::{hex, hexw};

/// Event and reply keywords the framer parses.
pub(crate) const DEVICE_WORDS: &[&[u8]] = &[
    b"OK",
    b"FAIL",
    b"EVER",
    b"EAPPVER",
    b"EINFO",
    b"ESREG",
    b"EVENT",
    b"ERXUDP",
    b"EPONG",
    b"EPANDESC",
    b"EEDSCAN",
];

const BLOCK_KEYS: &[&[u8]] = &[
    b"Channel:",
    b"Channel Page:",
    b"Pan ID:",
    b"Addr:",
    b"LQI:",
    b"Side:",
    b"PairID:",
];

/// Is `w` a reply or event word?
pub(crate) fn is_device_word(w: &[u8]) -> bool {
    matches!(w.first(), Some(b'O' | b'F' | b'E')) && w.len() <= 8 && DEVICE_WORDS.contains(&w)
}

/// Is this a `Key:Value` line of an `EPANDESC` block?
pub(crate) fn is_block_key(p: &[u8]) -> bool {
    let t = p.trim_ascii_start();
    BLOCK_KEYS.iter().any(|k| t.starts_with(k))
}

/// Does this look like a full-form IPv6 address (also with `X` masks)?
pub(crate) fn is_addr_like(t: &[u8]) -> bool {
    t.len() == 39
        && t.iter().enumerate().all(|(i, &b)| {
            if i % 5 == 4 {
                b == b':'
            } else {
                b.is_ascii_hexdigit() || b == b'X' || b == b'x'
            }
        })
}

/// A frame with the line it belongs to.
#[derive(Debug)]
pub(crate) struct Out {
    pub frame: Frame,
    /// The block's first line for `EPANDESC`/`EEDSCAN` (and their diagnostics).
    pub block: Option<(usize, usize)>,
}

/// The framer, fed one line at a time, with the lines of an open block remembered.
#[derive(Debug)]
pub(crate) struct Device {
    framer: Framer,
    /// First and last line of the open block.
    block: Option<(usize, usize)>,
    /// The open block's raw lines (at most 9), passed through if the block is incomplete.
    pub block_text: Vec<(usize, String)>,
    /// The open block is an `EEDSCAN` (its data line has no keyword).
    pub edscan: bool,
}

impl Device {
    pub fn new() -> Self {
        let mut framer = Framer::new();
        framer.set_erxudp_mode(ErxudpMode::Unknown);
        Self {
            framer,
            block: None,
            block_text: Vec::new(),
            edscan: false,
        }
    }

    pub fn set_dialect(&mut self, d: Dialect) {
        self.framer.set_context(ParseContext { dialect: Some(d) });
    }

    pub fn block_open(&self) -> bool {
        self.framer.has_open_block()
    }

    /// Feed one line (the payload, without its end) as line `n`.
    pub fn feed(&mut self, line: &[u8], n: usize, out: &mut Vec<Out>) {
        let key = self.block_open() && (is_block_key(line) || self.edscan);
        self.framer.push(line);
        self.framer.push(b"\r\n");
        if self.framer.has_partial() {
            // A line is never continued by the next one in a log (binary data cut short).
            self.framer.finish();
        }
        self.drain(n, key, line, out);
    }

    /// Close an open block (a line that is not the dongle's came).
    pub fn close_block(&mut self, n: usize, out: &mut Vec<Out>) {
        if self.block_open() {
            self.framer.close_block();
            self.drain(n, false, b"", out);
        }
    }

    fn drain(&mut self, n: usize, key: bool, line: &[u8], out: &mut Vec<Out>) {
        if key {
            if let Some(b) = &mut self.block {
                b.1 = n;
            }
            if self.block_text.len() < 9 {
                self.block_text
                    .push((n, String::from_utf8_lossy(line).into_owned()));
            }
        }
        let mut closed = false;
        while let Some(frame) = self.framer.next_frame() {
            let is_block = matches!(
                frame,
                Frame::PanDesc(_)
                    | Frame::EdScan(_)
                    | Frame::Skipped(skstack::frame::Diagnostic {
                        kind: DiagnosticKind::IncompleteBlock,
                        ..
                    })
            );
            let block = if is_block {
                closed = true;
                Some(self.block.unwrap_or((n, n)))
            } else {
                None
            };
            out.push(Out { frame, block });
        }
        if closed {
            self.block = None;
        }
        if self.block_open() && self.block.is_none() {
            self.block = Some((n, n));
            self.block_text.clear();
            self.block_text
                .push((n, String::from_utf8_lossy(line).into_owned()));
        }
    }
}

fn put(f: &mut Fields, k: &str, v: impl Into<J>) {
    f.insert(k.into(), v.into());
}

fn fail_meaning(n: u8) -> &'static str {
    match n {
        4 => "command not supported",
        5 => "wrong number of arguments",
        6 => "invalid argument",
        9 => "UART input error",
        10 => "execution failed",
        _ => "reserved",
    }
}

/// What a frame is, for the record.
pub(crate) enum Item {
    Reply(&'static str, Fields),
    Event(&'static str, Fields),
    /// An ERXUDP datagram: its record, and its ECHONET payload to decode next.
    RxUdp(Fields, Option<Vec<u8>>),
    /// A J11 frame seen as raw bytes.
    J11(Vec<u8>),
    /// Not decoded: reason.
    Skipped(&'static str),
    /// A printable line of no known shape.
    Other,
    /// Nothing to report (a garbage prefix before a frame that follows).
    None,
}

/// Convert a frame; `dialect` learns from it.
pub(crate) fn item(frame: Frame, dialect: &mut Option<Dialect>) -> Item {
    let mut f = Fields::new();
    match frame {
        Frame::Ok(v) => {
            if let Some(v) = v {
                put(&mut f, "value", hexw(v, 2));
            }
            Item::Reply("OK", f)
        }
        Frame::Fail(c) => {
            put(&mut f, "code", format!("ER{:02}", c.number()));
            put(&mut f, "meaning", fail_meaning(c.number()));
            Item::Reply("FAIL", f)
        }
        Frame::Ever(v) => {
            put(&mut f, "version", v);
            Item::Reply("EVER", f)
        }
        Frame::AppVer(v) => {
            put(&mut f, "version", v);
            Item::Reply("EAPPVER", f)
        }
        Frame::Sreg(v) => {
            put(&mut f, "value", v);
            Item::Reply("ESREG", f)
        }
        Frame::Info(i) => {
            put(&mut f, "address", format_ipv6(&i.ip));
            put(&mut f, "mac", hex(&i.mac.0));
            put(&mut f, "channel", hexw(i.channel, 2));
            put(&mut f, "pan_id", hexw(i.pan_id, 4));
            let (last, d) = match i.last {
                InfoLast::Addr16(a) => (hexw(a, 4), Dialect::SingleHop),
                InfoLast::Side(s) => (format!("{s}"), Dialect::DualStack),
            };
            put(&mut f, "last", last);
            put(&mut f, "dialect", dialect_name(d));
            *dialect = Some(d);
            Item::Reply("EINFO", f)
        }
        Frame::Address(a) => {
            put(&mut f, "address", format_ipv6(&a));
            Item::Reply("address", f)
        }
        Frame::Event(e) => {
            put(&mut f, "num", hexw(e.num, 2));
            put(&mut f, "meaning", e.kind().name());
            if let Some(s) = e.sender {
                put(&mut f, "sender", format_ipv6(&s));
            }
            if let Some(s) = e.side {
                put(&mut f, "side", format!("{s}"));
            }
            if let Some(p) = e.param {
                put(&mut f, "param", hexw(p, 2));
            }
            if e.guessed {
                put(&mut f, "guessed", true);
            }
            if e.side.is_some() && e.param.is_some() {
                *dialect = Some(Dialect::DualStack);
            }
            Item::Event("EVENT", f)
        }
        Frame::PanDesc(p) => {
            put(&mut f, "channel", hexw(p.channel, 2));
            if let Some(c) = p.channel_page {
                put(&mut f, "channel_page", hexw(c, 2));
            }
            put(&mut f, "pan_id", hexw(p.pan_id, 4));
            put(&mut f, "addr", hex(&p.addr.0));
            if let Some(l) = p.lqi {
                put(&mut f, "lqi", hexw(l, 2));
                put(
                    &mut f,
                    "rssi_dbm",
                    (0.275 * f64::from(l) - 104.27).round() as i64,
                );
            }
            if let Some(s) = p.side {
                put(&mut f, "side", format!("{s}"));
                *dialect = Some(Dialect::DualStack);
            }
            if let Some(id) = p.pair_id {
                put(&mut f, "pair_id", id);
            }
            Item::Event("EPANDESC", f)
        }
        Frame::EdScan(e) => {
            if let Some(s) = e.side {
                put(&mut f, "side", format!("{s}"));
            }
            let r: Vec<J> = e
                .readings
                .iter()
                .map(|(c, r)| json!({"channel": hexw(*c, 2), "rssi": hexw(*r, 2)}))
                .collect();
            put(&mut f, "readings", r);
            Item::Event("EEDSCAN", f)
        }
        Frame::RxUdp(r) => rx_udp(r, dialect),
        Frame::Pong(a) => {
            put(&mut f, "sender", format_ipv6(&a));
            Item::Event("EPONG", f)
        }
        Frame::J11(j) => {
            let repr = j11::Repr {
                direction: j11::Direction::Response,
                command: j.command,
                data: &j.data,
            };
            match repr.to_bytes() {
                Ok(b) => Item::J11(b),
                Err(_) => Item::Skipped("bad_j11_frame"),
            }
        }
        Frame::Echo(_) | Frame::Other(_) => Item::Other,
        Frame::Skipped(d) => match d.kind {
            DiagnosticKind::GarbagePrefix => Item::None,
            k => Item::Skipped(k.name()),
        },
        _ => Item::Other,
    }
}

pub(crate) fn dialect_name(d: Dialect) -> &'static str {
    match d {
        Dialect::SingleHop => "single_hop",
        Dialect::DualStack => "dual_stack",
    }
}

fn rx_udp(r: RxUdp, dialect: &mut Option<Dialect>) -> Item {
    let mut f = Fields::new();
    put(&mut f, "sender", format_ipv6(&r.sender));
    put(&mut f, "dest", format_ipv6(&r.dest));
    put(&mut f, "rport", hexw(r.rport, 4));
    put(&mut f, "lport", hexw(r.lport, 4));
    put(&mut f, "sender_lla", hex(&r.sender_lla.0));
    if let Some(rssi) = r.rssi {
        put(&mut f, "rssi", rssi);
    }
    put(&mut f, "secured", if r.secured { "1" } else { "0" });
    if let Some(s) = r.side {
        put(&mut f, "side", format!("{s}"));
    }
    put(&mut f, "datalen", hexw(r.data.len() as u64, 4));
    let (layout, d) = match r.layout {
        RxUdpLayout::SingleHop => ("single_hop", Dialect::SingleHop),
        RxUdpLayout::DualStack => ("dual_stack", Dialect::DualStack),
        RxUdpLayout::DualStackRssi => ("dual_stack_rssi", Dialect::DualStack),
    };
    dialect.get_or_insert(d);
    put(&mut f, "layout", layout);
    put(
        &mut f,
        "encoding",
        match r.encoding {
            DataEncoding::Hex => "hex",
            DataEncoding::Binary => "binary",
        },
    );
    let pana = r.rport == 0x02CC;
    let data_hex = hex(&r.data);
    if pana {
        // The keyword rules hide the EAP-PSK identity ("SM" + the 32-character ID).
        let red = redact::redact(&data_hex);
        if red != data_hex {
            put(&mut f, "redacted", true);
        }
        put(&mut f, "data", red);
        put(&mut f, "protocol", "PANA");
        Item::RxUdp(f, None)
    } else {
        put(&mut f, "data", data_hex);
        let echonet = crate::echonet_typing::looks_like_frame(&r.data).then_some(r.data);
        Item::RxUdp(f, echonet)
    }
}
