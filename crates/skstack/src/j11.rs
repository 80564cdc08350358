//! Recognising the J11 binary API (`../shared/protocol.md` §A.8).
//!
//! Some dongles (BP35C0-J11, RS-WSUHA-J11, …) speak a binary protocol instead of SKSTACK text
//! and ignore text commands. This crate does not drive them, but it recognises their frames so
//! the user is told "this is a J11 dongle" instead of watching a scan hang.
//!
//! Frame: 12-byte header + data, big-endian. Header = unique code (4: requests `D0 EA 83 FC`,
//! responses/notifications `D0 F9 EE 5D`), command code (2), message length (2, = 4 + data
//! length), header checksum (2, byte sum of the first 8 bytes), data checksum (2, byte sum of
//! the data).

/// Unique code of responses and notifications.
pub const RESPONSE_CODE: [u8; 4] = [0xD0, 0xF9, 0xEE, 0x5D];
/// Unique code of requests.
pub const REQUEST_CODE: [u8; 4] = [0xD0, 0xEA, 0x83, 0xFC];
/// Header length.
pub const HEADER_LEN: usize = 12;
/// Largest frame the module sends.
pub const MAX_FRAME: usize = 1361;
/// Command code of "get firmware version" (a harmless probe).
pub const CMD_FIRMWARE_VERSION: u16 = 0x006B;

/// A J11 frame seen in the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct J11Frame {
    /// Command (or response/notification) code.
    pub command: u16,
    /// Data bytes.
    pub data: Vec<u8>,
    /// The data checksum matched.
    pub data_checksum_ok: bool,
}

fn sum(b: &[u8]) -> u16 {
    b.iter().fold(0u16, |a, &x| a.wrapping_add(u16::from(x)))
}

/// Check a 12-byte header starting with a unique code; returns `(command, data_len)`.
pub fn check_header(h: &[u8]) -> Option<(u16, usize)> {
    if h.len() < HEADER_LEN || (h[..4] != RESPONSE_CODE && h[..4] != REQUEST_CODE) {
        return None;
    }
    let cmd = u16::from_be_bytes([h[4], h[5]]);
    let msg_len = usize::from(u16::from_be_bytes([h[6], h[7]]));
    let hsum = u16::from_be_bytes([h[8], h[9]]);
    if sum(&h[..8]) != hsum || msg_len < 4 || HEADER_LEN + msg_len - 4 > MAX_FRAME {
        return None;
    }
    Some((cmd, msg_len - 4))
}

/// Verify the data checksum of a frame whose header passed [`check_header`].
pub fn data_checksum_ok(h: &[u8], data: &[u8]) -> bool {
    h.len() >= HEADER_LEN && u16::from_be_bytes([h[10], h[11]]) == sum(data)
}

/// Parse one complete frame at the start of `b`. Returns the frame and the bytes used.
pub fn parse(b: &[u8]) -> Option<(J11Frame, usize)> {
    let (command, len) = check_header(b)?;
    let data = b.get(HEADER_LEN..HEADER_LEN + len)?;
    Some((
        J11Frame {
            command,
            data: data.to_vec(),
            data_checksum_ok: data_checksum_ok(b, data),
        },
        HEADER_LEN + len,
    ))
}

/// Encode a frame with the given unique code.
pub fn encode(code: [u8; 4], command: u16, data: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(HEADER_LEN + data.len());
    v.extend_from_slice(&code);
    v.extend_from_slice(&command.to_be_bytes());
    v.extend_from_slice(&((data.len() + 4) as u16).to_be_bytes());
    let hs = sum(&v);
    v.extend_from_slice(&hs.to_be_bytes());
    v.extend_from_slice(&sum(data).to_be_bytes());
    v.extend_from_slice(data);
    v
}

/// The request the detector sends when a dongle stays silent to `SKVER`: J11 "get firmware
/// version". A J11 module answers with command `0x206B`.
pub fn firmware_version_request() -> Vec<u8> {
    encode(REQUEST_CODE, CMD_FIRMWARE_VERSION, &[])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let f = encode(RESPONSE_CODE, 0x206B, &[0x01, 0x02, 0x03]);
        let (p, used) = parse(&f).unwrap();
        assert_eq!(used, f.len());
        assert_eq!(
            (p.command, p.data.as_slice(), p.data_checksum_ok),
            (0x206B, &[1u8, 2, 3][..], true)
        );
        let mut bad = f.clone();
        bad[9] ^= 1;
        assert!(parse(&bad).is_none());
        let req = firmware_version_request();
        assert_eq!(&req[..4], &REQUEST_CODE);
        assert_eq!(check_header(&req), Some((0x006B, 0)));
    }
}
