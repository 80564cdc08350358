//! The re-print test: every line of every capture, re-printed the way other programs print
//! logs (quoted with `>>`/`<<`, `TX:`/`RX:`, timestamps in several formats, Python `logging`,
//! Home Assistant, CRLF and CR line ends, full-width spaces, frames as hex with separators over
//! several lines), decodes to the same records as the clean capture.

mod common;

use common::{read, FILES};
use logdecode::{decode_log, Body, Dir, Kind, Record};

/// A re-printed log and, for each of its lines, the line of the clean capture it came from.
struct Printed {
    bytes: Vec<u8>,
    origin: Vec<usize>,
}

#[derive(Clone, Copy, Debug)]
enum Style {
    Quoted,
    TxRx,
    Timestamp,
    Bracketed,
    Iso,
    PythonDefault,
    PythonDashes,
    HomeAssistant,
    Crlf,
    Cr,
    FullWidth,
    HexSpaced,
    HexColons,
    Hex0x,
}

const STYLES: [Style; 14] = [
    Style::Quoted,
    Style::TxRx,
    Style::Timestamp,
    Style::Bracketed,
    Style::Iso,
    Style::PythonDefault,
    Style::PythonDashes,
    Style::HomeAssistant,
    Style::Crlf,
    Style::Cr,
    Style::FullWidth,
    Style::HexSpaced,
    Style::HexColons,
    Style::Hex0x,
];

fn quote(l: &[u8]) -> Vec<u8> {
    let mut q = vec![b'"'];
    for &b in l {
        if b == b'\\' || b == b'"' {
            q.push(b'\\');
        }
        q.push(b);
    }
    q.push(b'"');
    q
}

/// The clean line as (label, hex digits) when it is a frame written as hex (one token, or
/// spaced groups after an optional `F12`-style label): it can be split over lines.
fn frame_hex(l: &[u8]) -> Option<(String, Vec<u8>)> {
    let t = String::from_utf8_lossy(l.trim_ascii()).to_string();
    let mut toks: Vec<&str> = t.split(' ').filter(|x| !x.is_empty()).collect();
    let label = match toks.first() {
        Some(f)
            if f.starts_with('F') && f.len() <= 3 && f[1..].chars().all(|c| c.is_ascii_digit()) =>
        {
            let f = f.to_string();
            toks.remove(0);
            format!("{f}  ")
        }
        _ => String::new(),
    };
    let hex: String = toks.concat();
    let frame =
        hex.starts_with("1081") || hex.starts_with("D0EA83FC") || hex.starts_with("D0F9EE5D");
    (hex.len() >= 24
        && hex.len().is_multiple_of(2)
        && hex.bytes().all(|b| b.is_ascii_hexdigit())
        && frame)
        .then(|| (label, hex.into_bytes()))
}

fn hex_lines(label: &str, t: &[u8], style: Style) -> Vec<Vec<u8>> {
    let bytes: Vec<&[u8]> = t.chunks(2).collect();
    let mut rows: Vec<Vec<u8>> = bytes
        .chunks(8)
        .map(|row| {
            let parts: Vec<String> = row
                .iter()
                .map(|b| {
                    let b = String::from_utf8_lossy(b);
                    match style {
                        Style::Hex0x => format!("0x{b},"),
                        _ => b.to_string(),
                    }
                })
                .collect();
            let sep = if matches!(style, Style::HexColons) {
                ":"
            } else {
                " "
            };
            parts.join(sep).into_bytes()
        })
        .collect();
    rows[0] = [label.as_bytes(), &rows[0]].concat();
    rows
}

fn reprint(clean: &[u8], recs: &[Record], style: Style) -> Printed {
    let mut out = Printed {
        bytes: Vec::new(),
        origin: Vec::new(),
    };
    let end: &[u8] = match style {
        Style::Crlf => b"\r\n",
        Style::Cr => b"\r",
        _ => b"\n",
    };
    for (i, l) in clean.split(|&b| b == b'\n').enumerate() {
        let n = i + 1;
        // The line without its end (some captures use CR LF).
        let l = l.strip_suffix(b"\r").unwrap_or(l);
        if i > 0 {
            out.bytes.extend_from_slice(end);
        }
        let sent = recs
            .iter()
            .any(|r| r.line == n && (r.dir == Some(Dir::Sent) || r.kind() == Kind::Command));
        let ms = 100 * n;
        let time = format!(
            "12:{:02}:{:02}.{:03}",
            ms / 60_000 % 60,
            ms / 1000 % 60,
            ms % 1000
        );
        let line: Vec<u8> = if l.trim_ascii().is_empty() {
            l.to_vec()
        } else {
            let pre = |p: String| [p.into_bytes(), l.to_vec()].concat();
            match style {
                Style::Quoted => [if sent { &b">> "[..] } else { b"<< " }, &quote(l)].concat(),
                Style::TxRx => pre(if sent { "TX: ".into() } else { "RX: ".into() }),
                Style::Timestamp => pre(format!("2024-03-05 {time} ")),
                Style::Bracketed => pre(format!("[{}] ", &time[..8])),
                Style::Iso => pre(format!("2024-03-05T{time}+09:00 ")),
                Style::PythonDefault => pre("DEBUG:root:".into()),
                Style::PythonDashes => pre(format!(
                    "2024-03-05 {} - momonga.sk - DEBUG - ",
                    time.replace('.', ",")
                )),
                Style::HomeAssistant => pre(format!(
                    "2024-03-05 {time} DEBUG (MainThread) [custom_components.broute.dongle] "
                )),
                Style::FullWidth => String::from_utf8_lossy(l)
                    .replace(' ', "\u{3000}")
                    .into_bytes(),
                Style::HexSpaced | Style::HexColons | Style::Hex0x if frame_hex(l).is_some() => {
                    let (label, hex) = frame_hex(l).unwrap_or_default();
                    let rows = hex_lines(&label, &hex, style);
                    let last = rows.len() - 1;
                    for (k, row) in rows.into_iter().enumerate() {
                        out.bytes.extend_from_slice(&row);
                        if k < last {
                            out.bytes.extend_from_slice(end);
                            out.origin.push(n);
                        }
                    }
                    out.origin.push(n);
                    continue;
                }
                _ => l.to_vec(),
            }
        };
        out.bytes.extend_from_slice(&line);
        out.origin.push(n);
    }
    out
}

/// What must be equal: line (mapped back), end line, kind, name, fields (the text of an
/// unrecognised line is the printed line, so only its reason).
fn key(r: &Record, origin: Option<&[usize]>) -> String {
    let map = |n: usize| origin.map_or(n, |o| o.get(n - 1).copied().unwrap_or(0));
    let line = map(r.line);
    let end = r.end_line.map(map).filter(|&e| e != line);
    let body = match &r.body {
        Body::Unrecognised(u) => format!("{:?}", u.reason),
        _ => serde_json::to_string(r)
            .map(|s| {
                let v: serde_json::Value = serde_json::from_str(&s).unwrap();
                v["fields"].to_string()
            })
            .unwrap(),
    };
    format!("{line} {end:?} {:?} {} {body}", r.kind(), r.name)
}

#[test]
fn every_capture_in_every_style_decodes_like_the_clean_capture() {
    let mut files: Vec<&str> = FILES.to_vec();
    files.push("j11-md-frames.txt");
    for f in files {
        let clean = read(f);
        let recs = decode_log(&clean);
        let want: Vec<String> = recs.iter().map(|r| key(r, None)).collect();
        for style in STYLES {
            let p = reprint(&clean, &recs, style);
            let got_recs = decode_log(&p.bytes);
            let got: Vec<String> = got_recs.iter().map(|r| key(r, Some(&p.origin))).collect();
            if want != got {
                let text = String::from_utf8_lossy(&p.bytes);
                for (i, (w, g)) in want.iter().zip(got.iter()).enumerate() {
                    assert_eq!(
                        w,
                        g,
                        "{f} {style:?}: record {i}\n{}",
                        text.lines().nth(i).unwrap_or("")
                    );
                }
                assert_eq!(want.len(), got.len(), "{f} {style:?}");
            }
            // A direction the clean capture states survives; a marker added states its own.
            for (a, b) in recs.iter().zip(got_recs.iter()) {
                if a.dir.is_some() && a.kind() != Kind::J11 {
                    assert_eq!(a.dir, b.dir, "{f} {style:?} line {}", a.line);
                }
            }
        }
    }
}

#[test]
fn hex_styles_split_frames_over_lines() {
    let clean = read("j11-md-frames.txt");
    let recs = decode_log(&clean);
    assert!(recs.iter().filter(|r| r.kind() == Kind::J11).count() >= 24);
    let p = reprint(&clean, &recs, Style::Hex0x);
    let got = decode_log(&p.bytes);
    let f22 = got.iter().rfind(|r| r.name == "udp_received").unwrap();
    assert!(
        f22.end_line.unwrap() > f22.line + 5,
        "F22 spans several lines"
    );
    let input = f22.input.as_deref().unwrap();
    assert!(input.stripped.contains(&logdecode::Part::HexLines));
    assert!(input.stripped.contains(&logdecode::Part::Label));
}

#[test]
fn styles_report_what_they_stripped() {
    let clean = read(FILES[6]);
    let recs = decode_log(&clean);
    let p = reprint(&clean, &recs, Style::HomeAssistant);
    let got = decode_log(&p.bytes);
    let ever = got.iter().find(|r| r.name == "EVER").unwrap();
    let input = ever.input.as_deref().unwrap();
    assert_eq!(
        input.logger.as_deref(),
        Some("custom_components.broute.dongle")
    );
    assert_eq!(input.level.as_deref(), Some("DEBUG"));
    assert!(input.t_ms.is_some());
    let p = reprint(&clean, &recs, Style::Quoted);
    let got = decode_log(&p.bytes);
    let scan = got.iter().find(|r| r.name == "SKSCAN").unwrap();
    let input = scan.input.as_deref().unwrap();
    assert!(input.stripped.contains(&logdecode::Part::Quotes));
    assert_eq!(input.marker.as_deref(), Some(">>"));
}
