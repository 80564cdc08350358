//! Renderings other programs print instead of the dongle's lines, turned back into what they
//! render so that the `skstack` framer and the `echonet` codec read them (no second parser):
//! * `EVENT "NUM":"22","SENDER":"…"`, `ERXUDP "DATA":"…","DATALEN":"…",…` and
//!   `EPANDESC "Addr":"…","Channel":"…",…` (`"KEY":"VALUE"` pairs, any order) → the SKSTACK
//!   line(s) they stand for;
//! * a library's JSON rendering of an ECHONET Lite frame
//!   (`{"tid":…,"seoj":"028801","esv":"72","props":[{"epc":"E7","edt":"…"}]}`) → its bytes.

use serde_json::Value as J;

use crate::command::hex_decode;

/// `"K":"V"` pairs (in order).
fn pairs(b: &[u8]) -> Vec<(&[u8], &[u8])> {
    let parts: Vec<&[u8]> = b.split(|&c| c == b'"').collect();
    // pattern: "", K, ":", V, ",", K2, ":", V2 ...
    let mut out = Vec::new();
    let mut i = 1;
    while i + 2 < parts.len() {
        if parts[i + 1] == b":" {
            out.push((parts[i], parts[i + 2]));
            i += 4;
        } else {
            i += 1;
        }
    }
    out
}

fn get<'a>(kv: &[(&'a [u8], &'a [u8])], k: &str) -> Option<&'a [u8]> {
    kv.iter()
        .find(|(key, _)| *key == k.as_bytes())
        .map(|(_, v)| *v)
}

/// Is this a `WORD "K":"V",…` rendering?
pub(crate) fn is_kv(p: &[u8]) -> bool {
    let w = p.iter().position(|&b| b == b' ').unwrap_or(p.len());
    matches!(&p[..w], b"EVENT" | b"ERXUDP" | b"EPANDESC")
        && p[w..].trim_ascii_start().starts_with(b"\"")
}

/// The SKSTACK lines a `"KEY":"VALUE"` rendering stands for (empty when it lacks fields).
pub(crate) fn lines(p: &[u8]) -> Vec<Vec<u8>> {
    let w = p.iter().position(|&b| b == b' ').unwrap_or(p.len());
    let kv = pairs(&p[w..]);
    let join = |keys: &[&str]| -> Option<Vec<u8>> {
        let mut line = p[..w].to_vec();
        for k in keys {
            if let Some(v) = get(&kv, k) {
                line.push(b' ');
                line.extend_from_slice(v);
            }
        }
        Some(line)
    };
    match &p[..w] {
        b"EVENT" => {
            if get(&kv, "NUM").is_none() {
                return Vec::new();
            }
            join(&["NUM", "SENDER", "SIDE", "PARAM"])
                .into_iter()
                .collect()
        }
        b"ERXUDP" => {
            if get(&kv, "DATA").is_none() || get(&kv, "SENDER").is_none() {
                return Vec::new();
            }
            join(&[
                "SENDER",
                "DEST",
                "RPORT",
                "LPORT",
                "SENDERLLA",
                "RSSI",
                "SECURED",
                "SIDE",
                "DATALEN",
                "DATA",
            ])
            .into_iter()
            .collect()
        }
        _ => {
            let mut out = vec![b"EPANDESC".to_vec()];
            for k in [
                "Channel",
                "Channel Page",
                "Pan ID",
                "Addr",
                "LQI",
                "Side",
                "PairID",
            ] {
                if let Some(v) = get(&kv, k) {
                    let mut l = b"  ".to_vec();
                    l.extend_from_slice(k.as_bytes());
                    l.push(b':');
                    l.extend_from_slice(v);
                    out.push(l);
                }
            }
            if out.len() == 1 {
                return Vec::new();
            }
            out
        }
    }
}

fn hex8(s: &str) -> Option<u8> {
    match hex_decode(s.as_bytes())?.as_slice() {
        [b] => Some(*b),
        _ => None,
    }
}

/// The bytes of a frame rendered as JSON (`tid`, `seoj`, `deoj`, `esv`, `props` with `epc`
/// and `edt`), or `None`.
pub(crate) fn json_frame(p: &[u8]) -> Option<Vec<u8>> {
    let v: J = serde_json::from_slice(p).ok()?;
    let props = v.get("props")?.as_array()?;
    let seoj = hex_decode(v.get("seoj")?.as_str()?.as_bytes())?;
    let deoj = hex_decode(
        v.get("deoj")
            .and_then(J::as_str)
            .unwrap_or("05FF01")
            .as_bytes(),
    )?;
    let esv = hex8(v.get("esv")?.as_str()?)?;
    let tid = v.get("tid").and_then(J::as_u64).unwrap_or(0) as u16;
    if seoj.len() != 3 || deoj.len() != 3 || props.len() > 255 {
        return None;
    }
    let mut b = vec![0x10, 0x81];
    b.extend_from_slice(&tid.to_be_bytes());
    b.extend_from_slice(&seoj);
    b.extend_from_slice(&deoj);
    b.push(esv);
    b.push(props.len() as u8);
    for p in props {
        let epc = hex8(p.get("epc")?.as_str()?)?;
        let edt = match p.get("edt").and_then(J::as_str) {
            Some(e) => hex_decode(e.as_bytes())?,
            None => Vec::new(),
        };
        if edt.len() > 255 {
            return None;
        }
        b.push(epc);
        b.push(edt.len() as u8);
        b.extend_from_slice(&edt);
    }
    Some(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renderings() {
        let l = lines(br#"EVENT "NUM":"22","SENDER":"FE80:0000:0000:0000:0000:0000:0000:0000""#);
        assert_eq!(
            l,
            [b"EVENT 22 FE80:0000:0000:0000:0000:0000:0000:0000".to_vec()]
        );
        let l = lines(br#"EPANDESC "Addr":"0000000000000000","Channel":"3B","LQI":"B2""#);
        assert_eq!(l.len(), 4);
        assert_eq!(l[1], b"  Channel:3B");
        let f = json_frame(br#"{"tid": 18074, "seoj": "028801", "deoj": "05FF01", "esv": "72", "opc": 1, "props": [{"epc": "E7", "edt": "FFFFFDF4"}]}"#).unwrap();
        assert_eq!(f.len(), 18);
        assert!(is_kv(br#"ERXUDP "DATA":"10""#));
        assert!(!is_kv(b"ERXUDP FE80"));
    }
}
