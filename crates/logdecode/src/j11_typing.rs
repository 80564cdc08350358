//! J11 binary frames (given as hex in a log, or raw in a support bundle) → `j11` records,
//! with the `j11` crate's frame view and typed messages (no second J11 parser). The ECHONET
//! payload of 0x0008 (send) and 0x6018 (received) comes back for the `echonet` record.
//!
//! Credentials never reach a record: the data of 0x0054 is shown as `<redacted>`, the pairing
//! ID of 0x0051 too; the caller learns them (to hide them elsewhere and to match `PairID`s).

use j11::frame::{Direction, Frame, FrameError, Repr, HEADER_LEN};
use j11::notification::{Notification, PanaOutcome, ReceiveErrorReason};
use j11::response::{Message, Reply, Response};
use j11::{Request, RequestKind};
use serde_json::{json, Value as J};
use skstack::addr::format_ipv6;

use crate::record::{Dir, Fields};
use crate::value::{hex, hexw};

/// A decoded J11 frame.
pub(crate) struct J11Item {
    pub name: String,
    pub dir: Dir,
    pub fields: Fields,
    /// ECHONET payload to decode next (0x0008 and 0x6018 on port 3610).
    pub echonet: Option<Vec<u8>>,
    /// 0x0054: the ID and password sent (to be learned, never shown).
    pub credentials: Option<(String, String)>,
}

/// Whether bytes start with a J11 unique code.
pub(crate) fn starts_frame(b: &[u8]) -> bool {
    b.len() >= 4
        && (b[..4] == j11::frame::REQUEST_UNIQUE_CODE || b[..4] == j11::frame::RESPONSE_UNIQUE_CODE)
}

/// `Some(true)` complete, `Some(false)` more bytes needed, `None` never a frame.
pub(crate) fn complete(b: &[u8]) -> Option<bool> {
    match Frame::new_checked(b) {
        Ok(_) => Some(true),
        Err(FrameError::Truncated { .. }) => Some(false),
        Err(_) => None,
    }
}

fn snake(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    out.trim_end_matches('_').to_string()
}

fn put(f: &mut Fields, k: &str, v: impl Into<J>) {
    f.insert(k.into(), v.into());
}

fn debug_name(d: impl core::fmt::Debug) -> String {
    snake(&format!("{d:?}"))
}

/// Decode one frame (the bytes hold exactly one, or start with one).
pub(crate) fn decode(bytes: &[u8]) -> Result<J11Item, String> {
    let view = Frame::new_checked(bytes).map_err(|e| e.to_string())?;
    let mut fields = Fields::new();
    let repr = match Repr::parse(&view) {
        Ok(r) => r,
        Err(e @ (FrameError::HeaderSum { .. } | FrameError::DataSum { .. })) => {
            put(&mut fields, "checksum_error", e.to_string());
            let len = view.data_len();
            Repr {
                direction: view.direction().ok_or("not a J11 unique code")?,
                command: view.command(),
                data: bytes.get(HEADER_LEN..HEADER_LEN + len).unwrap_or(&[]),
            }
        }
        Err(e) => return Err(e.to_string()),
    };
    put(&mut fields, "code", hexw(repr.command, 4));
    let mut item = J11Item {
        name: String::new(),
        dir: match repr.direction {
            Direction::Request => Dir::Sent,
            Direction::Response => Dir::Received,
        },
        fields,
        echonet: None,
        credentials: None,
    };
    match repr.direction {
        Direction::Request => request(&repr, &mut item),
        Direction::Response => response(&repr, &mut item),
    }
    Ok(item)
}

fn request(repr: &Repr<'_>, it: &mut J11Item) {
    let f = &mut it.fields;
    put(f, "message", "request");
    it.name = RequestKind::from_code(repr.command)
        .map(|k| snake(k.name()))
        .unwrap_or_else(|| "unknown_request".into());
    if repr.command == j11::request::CODE_SET_CREDENTIALS {
        // Never parsed into fields: only learned.
        if let (Some(id), Some(pw)) = (repr.data.get(..32), repr.data.get(32..44)) {
            it.credentials = Some((
                String::from_utf8_lossy(id).into_owned(),
                String::from_utf8_lossy(pw).into_owned(),
            ));
        }
        put(f, "id", redact::MARK);
        put(f, "password", redact::MARK);
        return;
    }
    let req = match Request::parse(repr) {
        Ok(r) => r,
        Err(e) => {
            put(f, "error", e.to_string());
            put(f, "data", hex(repr.data));
            return;
        }
    };
    match req {
        Request::InitialSetup(s) => {
            put(f, "mode", hexw(s.mode, 2));
            put(f, "han_sleep", s.han_sleep);
            put(f, "channel", hexw(s.channel, 2));
            put(f, "tx_power", hexw(s.tx_power, 2));
        }
        Request::ActiveScan(s) => {
            put(f, "duration", s.duration);
            put(f, "channel_mask", hexw(s.channel_mask, 8));
            put(f, "channels", s.channel_count());
            put(f, "pairing_id", redact::MARK);
            put(f, "expected_ms", s.dwell().as_millis() as u64);
        }
        Request::OpenUdpPort(p) => put(f, "port", hexw(p, 4)),
        Request::SendUdp(s) => {
            put(f, "destination", format_ipv6(&s.destination));
            put(f, "src_port", hexw(s.src_port, 4));
            put(f, "dst_port", hexw(s.dst_port, 4));
            put(f, "length", s.payload.len());
            if s.dst_port == j11::SendUdp::ECHONET_PORT {
                it.echonet = Some(s.payload);
            } else {
                put(f, "data", hex(&s.payload));
            }
        }
        _ => {}
    }
}

fn response(repr: &Repr<'_>, it: &mut J11Item) {
    let f = &mut it.fields;
    let msg = match Message::parse(repr) {
        Ok(m) => m,
        Err(e) => {
            put(
                f,
                "message",
                if repr.command < 0x4000 {
                    "response"
                } else {
                    "notification"
                },
            );
            it.name = "unknown".into();
            put(f, "error", e.to_string());
            put(f, "data", hex(repr.data));
            return;
        }
    };
    match msg {
        Message::HeaderSumRejected => {
            put(f, "message", "response");
            it.name = "header_sum_rejected".into();
        }
        Message::CommandRejected => {
            put(f, "message", "response");
            it.name = "command_rejected".into();
        }
        Message::Reply(r) => reply(r, it),
        Message::Notification(n) => notification(n, it),
    }
}

fn reply(r: Reply, it: &mut J11Item) {
    let f = &mut it.fields;
    put(f, "message", "response");
    it.name = snake(r.request.name());
    put(f, "result", hexw(r.result.to_u8(), 2));
    put(f, "result_text", r.result.description());
    let Some(body) = r.body else { return };
    match body {
        Response::FirmwareVersion(v) => {
            put(f, "firmware_id", hexw(v.firmware_id, 4));
            put(f, "version", format!("{}.{}", v.major, v.minor));
            put(f, "revision", format!("{:X}", v.revision));
        }
        Response::Status(s) => {
            put(f, "global", debug_name(s.global));
            put(f, "b_route", debug_name(s.b_route));
            put(f, "han", debug_name(s.han));
        }
        Response::InitialSetup(s) => {
            put(f, "mode", hexw(s.mode, 2));
            put(f, "channel", hexw(s.channel, 2));
        }
        Response::BRoute(l) => {
            put(f, "channel", hexw(l.channel, 2));
            put(f, "pan_id", hexw(l.pan_id, 4));
            put(f, "mac", hex(&l.mac.0));
            put(f, "rssi", l.rssi);
        }
        Response::UdpSent(s) => {
            put(f, "detail", hexw(s.detail.0, 2));
            put(f, "status", debug_name(s.detail.status()));
            put(f, "head", hex(&s.head));
        }
        Response::PanId(p) => put(f, "pan_id", hexw(p, 4)),
        _ => {}
    }
}

fn notification(n: Notification, it: &mut J11Item) {
    let f = &mut it.fields;
    put(f, "message", "notification");
    match n {
        Notification::Boot => it.name = "boot".into(),
        Notification::ScanResult(s) => {
            it.name = "scan_result".into();
            put(f, "channel", hexw(s.channel, 2));
            let beacons: Vec<J> = s
                .beacons
                .iter()
                .map(|b| json!({"mac": hex(&b.mac.0), "pan_id": hexw(b.pan_id, 4), "rssi": b.rssi}))
                .collect();
            put(f, "beacons", beacons);
        }
        Notification::PanaResult(p) => {
            it.name = "pana_result".into();
            put(
                f,
                "outcome",
                match p.outcome {
                    PanaOutcome::Success => "success".to_string(),
                    PanaOutcome::Rejected => "rejected".to_string(),
                    PanaOutcome::NoAnswer => "no_answer".to_string(),
                    PanaOutcome::Other(b) => hexw(b, 2),
                },
            );
            put(f, "peer", hex(&p.peer.0));
        }
        Notification::UdpReceived(u) => {
            it.name = "udp_received".into();
            put(f, "source", format_ipv6(&u.source));
            put(f, "src_port", hexw(u.src_port, 4));
            put(f, "dst_port", hexw(u.dst_port, 4));
            put(f, "src_pan", hexw(u.src_pan, 4));
            put(f, "destination", debug_name(u.destination));
            put(f, "security", debug_name(u.security));
            put(f, "rssi", u.rssi);
            put(f, "length", u.data.len());
            if u.dst_port == j11::SendUdp::ECHONET_PORT {
                it.echonet = Some(u.data);
            } else {
                put(f, "data", hex(&u.data));
            }
        }
        Notification::LinkState(l) => {
            it.name = "link_state".into();
            put(f, "state", debug_name(l.state));
            put(f, "peer", hex(&l.peer.0));
            put(f, "rssi", l.rssi);
        }
        Notification::ReceiveError(e) => {
            it.name = "receive_error".into();
            put(
                f,
                "reason",
                match e.reason {
                    ReceiveErrorReason::Decrypt => "decrypt".to_string(),
                    other => debug_name(other),
                },
            );
            put(f, "source", format_ipv6(&e.source));
            put(f, "head", hex(&e.head));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(s: &str) -> Vec<u8> {
        let d: Vec<u8> = s.bytes().filter(u8::is_ascii_hexdigit).collect();
        d.chunks(2)
            .map(|p| u8::from_str_radix(core::str::from_utf8(p).unwrap(), 16).unwrap())
            .collect()
    }

    #[test]
    fn real_frames_of_j11_md() {
        // j11.md §4, WSAPP 2025-03-03: firmware version request and answer (v1.3 rev 158A).
        let it = decode(&bytes("D0 EA 83 FC 00 6B 00 04 03 A8 00 00")).unwrap();
        assert_eq!(
            (it.name.as_str(), it.dir),
            ("get_firmware_version", Dir::Sent)
        );
        let it = decode(&bytes(
            "D0 F9 EE 5D 20 6B 00 0D 03 AC 00 A8 01 04 00 01 03 00 00 15 8A",
        ))
        .unwrap();
        assert_eq!(it.fields["version"], "1.3");
        assert_eq!(it.fields["revision"], "158A");
        // F8: scan result with one beacon, RSSI 0xDE = -34 dBm.
        let it = decode(&bytes(
            "D0F9EE5D 4051 0012 03B7 06BA 00 0C 01 0050C2FFFEDC2822 BCDE DE",
        ))
        .unwrap();
        assert_eq!(it.name, "scan_result");
        assert_eq!(it.fields["beacons"][0]["rssi"], -34);
        // F5 credentials: learned, never shown.
        let it = decode(&bytes("D0EA83FC 0054 0030 03BD 09D4 3030313132323333343435353636373738383939414142424343444445454646 303132333435363738394142")).unwrap();
        assert_eq!(it.fields["id"], "<redacted>");
        assert_eq!(
            it.credentials.as_ref().map(|c| c.1.as_str()),
            Some("0123456789AB")
        );
        // Zero sums (pitfall 2) still decode, with a checksum error.
        let it = decode(&bytes("D0EA83FC 00D9 0004 0000 0000")).unwrap();
        assert_eq!(it.name, "reset");
        assert!(it.fields.contains_key("checksum_error"));
        // F22: Get_Res inside 0x6018.
        let it = decode(&bytes("D0F9EE5D 6018 0045 03D1 108D FE800000000000000250C2FFFEDC2822 0E1A 0E1A 22A9 00 02 CB 0026 1081000602880105FF017202EA0B07E20A020E1E00000373AFEB0B07E20A020E1E0000016A72")).unwrap();
        assert_eq!(it.fields["rssi"], -53);
        assert_eq!(it.echonet.as_ref().map(Vec::len), Some(0x26));
    }
}
