//! J11 binary-API mode (ROHM BP35C0-J11 family): the module ignores text and answers only
//! well-formed J11 frames, so a client can detect it. Frame layout from `shared/protocol.md`
//! §A.8: unique code (4) + command (2) + message length (2, = 4 + data) + header checksum
//! (2) + data checksum (2) + data.

use crate::Sim;

/// Unique code of requests (client → module).
pub const REQUEST_CODE: [u8; 4] = [0xD0, 0xEA, 0x83, 0xFC];
/// Unique code of responses and notifications (module → client).
pub const RESPONSE_CODE: [u8; 4] = [0xD0, 0xF9, 0xEE, 0x5D];
const MAX_FRAME: usize = 1361;

#[derive(Debug, Default, Clone)]
pub(crate) struct J11 {
    buf: Vec<u8>,
}

fn sum16(bytes: &[u8]) -> u16 {
    bytes
        .iter()
        .fold(0u16, |a, b| a.wrapping_add(u16::from(*b)))
}

/// Build a J11 frame with the given unique code, command and data.
pub fn frame(unique: [u8; 4], command: u16, data: &[u8]) -> Vec<u8> {
    let mut head = unique.to_vec();
    head.extend_from_slice(&command.to_be_bytes());
    head.extend_from_slice(&((data.len() + 4) as u16).to_be_bytes());
    let hsum = sum16(&head);
    let dsum = sum16(data);
    head.extend_from_slice(&hsum.to_be_bytes());
    head.extend_from_slice(&dsum.to_be_bytes());
    head.extend_from_slice(data);
    head
}

impl Sim {
    pub(crate) fn j11_input(&mut self, now: u64, bytes: &[u8]) {
        self.j11.buf.extend_from_slice(bytes);
        loop {
            // Discard until a request unique code.
            let buf = &self.j11.buf;
            let start = buf.windows(4).position(|w| w == REQUEST_CODE);
            match start {
                None => {
                    let keep = buf.len().min(3);
                    let cut = buf.len() - keep;
                    self.j11.buf.drain(..cut);
                    return;
                }
                Some(p) => {
                    self.j11.buf.drain(..p);
                }
            }
            let buf = &self.j11.buf;
            if buf.len() < 12 {
                return;
            }
            let cmd = u16::from_be_bytes([buf[4], buf[5]]);
            let mlen = usize::from(u16::from_be_bytes([buf[6], buf[7]]));
            let hsum = u16::from_be_bytes([buf[8], buf[9]]);
            let dsum = u16::from_be_bytes([buf[10], buf[11]]);
            if hsum != sum16(&buf[..8]) || !(4..=MAX_FRAME).contains(&mlen) {
                self.j11.buf.drain(..1);
                continue;
            }
            let dlen = mlen - 4;
            if buf.len() < 12 + dlen {
                return;
            }
            let data = buf[12..12 + dlen].to_vec();
            self.j11.buf.drain(..12 + dlen);
            if dsum != sum16(&data) {
                continue;
            }
            self.j11_command(now, cmd, &data);
        }
    }

    fn j11_command(&mut self, now: u64, cmd: u16, _data: &[u8]) {
        let at = now + 5;
        let resp = cmd.wrapping_add(0x2000);
        match cmd {
            // Firmware version: result + firmware id (2) + major, minor (1 each) + revision (4).
            0x006B => {
                let out = frame(
                    RESPONSE_CODE,
                    resp,
                    &[0x01, 0x04, 0x00, 0x01, 0x05, 0x00, 0x00, 0x00, 0x02],
                );
                self.emit(at, out);
            }
            // Hardware reset: no response, a boot notification instead.
            0x00D9 => {
                let out = frame(RESPONSE_CODE, 0x6019, &[0x01]);
                self.emit(at + 300, out);
            }
            // Everything else known to the B-route flow: accepted.
            0x005F | 0x0054 | 0x0051 | 0x0053 | 0x0005 | 0x0056 | 0x0008 | 0x0057 | 0x0058
            | 0x00D2 => {
                let out = frame(RESPONSE_CODE, resp, &[0x01]);
                self.emit(at, out);
            }
            // Unknown command: result code "unsupported".
            _ => {
                let out = frame(RESPONSE_CODE, resp, &[0x04]);
                self.emit(at, out);
            }
        }
    }
}
