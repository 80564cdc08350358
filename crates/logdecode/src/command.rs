//! SKSTACK command lines (what the host wrote, or the dongle's echo of it) → `command`
//! records. The dongle's output is parsed by the `skstack` framer ([`crate::device`]); commands
//! are the host's side, which the framer only passes through as echoes.

use serde_json::Value as J;

use crate::record::Fields;
use crate::value::hex;

/// Command words recognised (SKSTACK IP and the product configuration commands).
pub(crate) const COMMANDS: &[&[u8]] = &[
    b"SKVER",
    b"SKAPPVER",
    b"SKINFO",
    b"SKRESET",
    b"SKSREG",
    b"SKSETPWD",
    b"SKSETRBID",
    b"SKSCAN",
    b"SKLL64",
    b"SKJOIN",
    b"SKREJOIN",
    b"SKTERM",
    b"SKSENDTO",
    b"SKPING",
    b"SKTABLE",
    b"SKSAVE",
    b"SKLOAD",
    b"SKERASE",
    b"SKSTART",
    b"SKSETPSK",
    b"SKSECENABLE",
    b"SKUDPPORT",
    b"SKADDNBR",
    b"SKCONNECT",
    b"SKSEND",
    b"SKCLOSE",
    b"SKREGDEV",
    b"SKRMDEV",
    b"SKSETKEY",
    b"SKRMKEY",
    b"SKDSLEEP",
    b"SKRFLO",
    b"SKTCPPORT",
    b"SKSETHBID",
    b"WOPT",
    b"ROPT",
    b"WUART",
    b"RUART",
];

/// Split on spaces, skipping empty tokens.
pub(crate) fn toks(b: &[u8]) -> Vec<&[u8]> {
    b.split(|&c| c == b' ').filter(|t| !t.is_empty()).collect()
}

pub(crate) fn is_hex(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(u8::is_ascii_hexdigit)
}

pub(crate) fn hex_u32(s: &[u8]) -> Option<u32> {
    if s.is_empty() || s.len() > 8 {
        return None;
    }
    u32::from_str_radix(core::str::from_utf8(s).ok()?, 16).ok()
}

pub(crate) fn hex_decode(s: &[u8]) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    s.chunks_exact(2)
        .map(|p| {
            let v = |c: u8| char::from(c).to_digit(16);
            Some((v(p[0])? * 16 + v(p[1])?) as u8)
        })
        .collect()
}

fn s(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// True when `w` is a command word.
pub(crate) fn is_command(w: &[u8]) -> bool {
    matches!(w.first(), Some(b'S' | b'W' | b'R'))
        && (4..=11).contains(&w.len())
        && COMMANDS.contains(&w)
}

/// Does a command line have the shape of the command (argument count, hex where required)?
fn shape_ok(t: &[&[u8]]) -> bool {
    let args = &t[1..];
    match t[0] {
        b"SKVER" | b"SKAPPVER" | b"SKINFO" | b"SKRESET" | b"SKREJOIN" | b"SKTERM" | b"ROPT"
        | b"RUART" | b"SKSAVE" | b"SKLOAD" | b"SKERASE" => args.is_empty(),
        b"SKSCAN" => (3..=4).contains(&args.len()) && args.iter().all(|a| is_hex(a)),
        b"SKSREG" => {
            (1..=2).contains(&args.len())
                && args[0].first() == Some(&b'S')
                && args[1..].iter().all(|a| a.len() <= 32)
        }
        b"SKSETPWD" => args.len() == 2,
        b"SKSETRBID" => args.len() == 1,
        b"SKLL64" => args.len() == 1 && args[0].len() == 16,
        b"SKJOIN" => args.len() == 1 && args[0].len() == 39,
        b"SKPING" => (1..=2).contains(&args.len()) && args[0].len() == 39,
        b"SKSENDTO" => args.len() >= 5 && args[1].len() == 39,
        b"WOPT" | b"WUART" => args.len() == 1 && args[0].len() <= 2 && is_hex(args[0]),
        _ => args
            .iter()
            .all(|a| a.iter().all(|&b| (0x21..0x7F).contains(&b))),
    }
}

/// A decoded command.
pub(crate) struct Cmd {
    pub name: String,
    pub fields: Fields,
    /// The SKSENDTO payload, when the log shows all DATALEN bytes.
    pub payload: Option<Vec<u8>>,
    /// A credential the command carried (`SKSETPWD`: false, `SKSETRBID`: true = an ID).
    pub secret: Option<(Vec<u8>, bool)>,
    /// The command says the dongle is dual-stack (`SKSCAN` with a side, `SKSENDTO` with one).
    pub dual_stack: bool,
}

/// Decode a command line; `None` when it does not have the command's shape.
pub(crate) fn command(body: &[u8]) -> Option<Cmd> {
    let t = toks(body);
    if t.is_empty() || !is_command(t[0]) || !shape_ok(&t) {
        return None;
    }
    let mut c = Cmd {
        name: s(t[0]),
        fields: Fields::new(),
        payload: None,
        secret: None,
        dual_stack: false,
    };
    let f = &mut c.fields;
    let arg = |i: usize| t.get(i).map(|x| J::String(s(x)));
    let put = |f: &mut Fields, k: &str, i: usize| {
        if let Some(v) = arg(i) {
            f.insert(k.into(), v);
        }
    };
    match t[0] {
        b"SKSETPWD" => {
            put(f, "len", 1);
            if let Some(pw) = t.get(2) {
                c.secret = Some((pw.to_vec(), false));
                f.insert("password".into(), redact::MARK.into());
            }
        }
        b"SKSETRBID" => {
            if let Some(id) = t.get(1) {
                c.secret = Some((id.to_vec(), true));
                f.insert("id".into(), redact::MARK.into());
            }
        }
        b"SKSCAN" => {
            for (i, k) in ["mode", "channel_mask", "duration", "side"]
                .iter()
                .enumerate()
            {
                put(f, k, i + 1);
            }
            if let Some(d) = t.get(3).and_then(|d| hex_u32(d)) {
                let mask = t.get(2).and_then(|m| hex_u32(m)).unwrap_or(u32::MAX);
                let ms = skstack::command::scan_duration(mask, d.min(14) as u8).as_millis();
                f.insert(
                    "expected_ms".into(),
                    J::from(u64::try_from(ms).unwrap_or(0)),
                );
            }
            c.dual_stack = t.len() == 5;
        }
        b"SKSREG" => {
            put(f, "register", 1);
            put(f, "value", 2);
        }
        b"SKLL64" => put(f, "mac", 1),
        b"SKJOIN" | b"SKPING" => {
            put(f, "address", 1);
            put(f, "side", 2);
        }
        b"WOPT" | b"WUART" => put(f, "mode", 1),
        b"SKSENDTO" => {
            let (payload, side) = sendto(body, &t, f);
            c.payload = payload;
            c.dual_stack = side;
        }
        _ => {
            let args: Vec<J> = t[1..].iter().map(|x| J::String(s(x))).collect();
            if !args.is_empty() {
                f.insert("args".into(), args.into());
            }
        }
    }
    Some(c)
}

/// SKSENDTO fields; returns the payload when the log shows it completely, and whether the
/// line has a side field.
fn sendto(body: &[u8], t: &[&[u8]], f: &mut Fields) -> (Option<Vec<u8>>, bool) {
    for (i, k) in ["handle", "address", "port", "security"].iter().enumerate() {
        if let Some(v) = t.get(i + 1) {
            f.insert((*k).into(), s(v).into());
        }
    }
    // DATALEN: the first 4-hex token at index >= 5; a 1-char token before it is the side.
    let Some(li) = (5..t.len().min(8)).find(|&i| t[i].len() == 4 && is_hex(t[i])) else {
        return (None, false);
    };
    let side = li == 6;
    if side {
        f.insert("side".into(), s(t[5]).into());
    }
    let Some(len) = hex_u32(t[li]).map(|l| l as usize) else {
        return (None, side);
    };
    f.insert("datalen".into(), s(t[li]).into());
    // Raw payload right after "LEN ".
    let off = t[li].as_ptr() as usize - body.as_ptr() as usize + 4;
    let after = body.get(off + 1..).unwrap_or(&[]);
    let found = if after.len() == len && !after.is_empty() {
        Some(after.to_vec())
    } else {
        // "<14 raw bytes 10 81 …>" style: the two-digit hex tokens.
        let hex2: Vec<u8> = toks(after)
            .iter()
            .map(|x| x.strip_suffix(b">").unwrap_or(x))
            .filter(|x| x.len() == 2 && is_hex(x))
            .filter_map(hex_decode)
            .flatten()
            .collect();
        if hex2.len() == len {
            Some(hex2)
        } else {
            toks(after)
                .iter()
                .map(|x| x.trim_ascii_start().strip_prefix(b"(").unwrap_or(x))
                .map(|x| x.strip_suffix(b")").unwrap_or(x))
                .find(|x| x.len() == 2 * len && is_hex(x))
                .and_then(hex_decode)
        }
    };
    match &found {
        Some(p) => {
            f.insert("payload".into(), hex(p).into());
        }
        None if !after.is_empty() => {
            f.insert("payload_shown".into(), "partial".into());
        }
        None => {}
    }
    (found, side)
}
