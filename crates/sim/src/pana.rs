//! PANA (RFC 5191) messages as the meter sends them during a join, shaped like the
//! captured ones (T-qiita-nerves, T-vkgtaro-fixtures): same message types, flags, AVP codes
//! and lengths; the cryptographic fields are seeded random bytes (the simulator does no
//! EAP-PSK, it only decides success or failure).

use crate::rng::Rng;

const FLAG_R: u16 = 0x8000;
const FLAG_S: u16 = 0x4000;
const FLAG_C: u16 = 0x2000;

fn avp(out: &mut Vec<u8>, code: u16, value: &[u8]) {
    out.extend_from_slice(&code.to_be_bytes());
    out.extend_from_slice(&0u16.to_be_bytes());
    out.extend_from_slice(&(value.len() as u16).to_be_bytes());
    out.extend_from_slice(&0u16.to_be_bytes());
    out.extend_from_slice(value);
    while !out.len().is_multiple_of(4) {
        out.push(0);
    }
}

fn message(flags: u16, session: u32, seq: u32, avps: &[u8]) -> Vec<u8> {
    let len = (16 + avps.len()) as u16;
    let mut out = vec![0, 0];
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&flags.to_be_bytes());
    out.extend_from_slice(&2u16.to_be_bytes()); // PANA-Auth
    out.extend_from_slice(&session.to_be_bytes());
    out.extend_from_slice(&seq.to_be_bytes());
    out.extend_from_slice(avps);
    out
}

/// A PANA conversation as seen from the meter (PAA) side.
#[derive(Debug, Clone)]
pub struct Conversation {
    session: u32,
    seq: u32,
    eap_id: u8,
    rand_s: Vec<u8>,
}

impl Conversation {
    /// Start a conversation with random session id and sequence number.
    pub fn new(rng: &mut Rng) -> Conversation {
        let session = rng.next_u64() as u32;
        let seq = (rng.next_u64() as u32) & 0x7FFF_FFFF;
        Conversation {
            session,
            seq,
            eap_id: rng.range(1, 0xF0) as u8,
            rand_s: rng.bytes(16),
        }
    }

    fn next_seq(&mut self) -> u32 {
        let s = self.seq;
        self.seq = self.seq.wrapping_add(1);
        s
    }

    /// #1 PANA-Auth-Request (S+R) offering PRF and integrity algorithms: 40 bytes.
    pub fn start(&mut self) -> Vec<u8> {
        let mut a = Vec::new();
        avp(&mut a, 6, &5u32.to_be_bytes()); // PRF-Algorithm: PRF_HMAC_SHA2_256
        avp(&mut a, 3, &12u32.to_be_bytes()); // Integrity-Algorithm: AUTH_HMAC_SHA2_256_128
        let seq = self.next_seq();
        message(FLAG_R | FLAG_S, self.session, seq, &a)
    }

    /// #2 PANA-Auth-Request with a nonce and the EAP-PSK first message (ID_S = "SM" + ID): 104 bytes.
    pub fn psk_first(&mut self, rng: &mut Rng, route_b_id: &str) -> Vec<u8> {
        let mut eap = vec![0x01, self.eap_id, 0, 0, 0x2F, 0x00];
        eap.extend_from_slice(&self.rand_s);
        eap.extend_from_slice(b"SM");
        eap.extend(route_b_id.bytes().take(32));
        let l = eap.len() as u16;
        eap[2..4].copy_from_slice(&l.to_be_bytes());
        let mut a = Vec::new();
        avp(&mut a, 5, &rng.bytes(16)); // Nonce
        avp(&mut a, 2, &eap); // EAP-Payload
        let seq = self.next_seq();
        message(FLAG_R, self.session, seq, &a)
    }

    /// #3 PANA-Auth-Request with the EAP-PSK third message (RAND_S, MAC_S, PCHANNEL): 84 bytes.
    pub fn psk_third(&mut self, rng: &mut Rng) -> Vec<u8> {
        self.eap_id = self.eap_id.wrapping_add(1);
        let mut eap = vec![0x01, self.eap_id, 0, 0x3B, 0x2F, 0x80];
        eap.extend_from_slice(&self.rand_s);
        eap.extend(rng.bytes(16 + 4 + 16));
        eap.push(0x80);
        let mut a = Vec::new();
        avp(&mut a, 2, &eap);
        let seq = self.next_seq();
        message(FLAG_R, self.session, seq, &a)
    }

    /// #4 final PANA-Auth-Request (R+C). Success: Result-Code 0, EAP-Success, Key-Id,
    /// Session-Lifetime and AUTH (88 bytes); failure: Result-Code 1 and EAP-Failure (40 bytes).
    pub fn finish(&mut self, rng: &mut Rng, success: bool, lifetime_s: u32) -> Vec<u8> {
        let mut a = Vec::new();
        avp(&mut a, 7, &u32::from(!success).to_be_bytes()); // Result-Code
        avp(
            &mut a,
            2,
            &[if success { 0x03 } else { 0x04 }, self.eap_id, 0x00, 0x04],
        );
        if success {
            avp(&mut a, 4, &rng.bytes(4)); // Key-Id
            avp(&mut a, 8, &lifetime_s.to_be_bytes()); // Session-Lifetime
            avp(&mut a, 1, &rng.bytes(16)); // AUTH
        }
        let seq = self.next_seq();
        message(FLAG_R | FLAG_C, self.session, seq, &a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_match_captures() {
        let mut rng = Rng::new(1);
        let mut c = Conversation::new(&mut rng);
        assert_eq!(c.start().len(), 0x28);
        assert_eq!(
            c.psk_first(&mut rng, "00112233445566778899AABBCCDDEEFF")
                .len(),
            0x68
        );
        assert_eq!(c.psk_third(&mut rng).len(), 0x54);
        let ok = c.finish(&mut rng, true, 86_400);
        assert_eq!(ok.len(), 0x58);
        assert_eq!(&ok[2..6], &[0x00, 0x58, 0xA0, 0x00]);
        assert_eq!(c.finish(&mut rng, false, 0).len(), 40);
    }
}
