//! The few ECHONET Lite frame shapes the meters need, written from the spec tables in
//! `shared/protocol.md` §B (format 1 only): `10 81 TID SEOJ DEOJ ESV OPC {EPC PDC EDT}`.

/// Controller object 05FF01.
pub const CONTROLLER: [u8; 3] = [0x05, 0xFF, 0x01];
/// Node profile object 0EF001.
pub const NODE_PROFILE: [u8; 3] = [0x0E, 0xF0, 0x01];

/// ESV codes used by the meters.
pub mod esv {
    /// SetI.
    pub const SETI: u8 = 0x60;
    /// SetC.
    pub const SETC: u8 = 0x61;
    /// Get.
    pub const GET: u8 = 0x62;
    /// INF_REQ.
    pub const INF_REQ: u8 = 0x63;
    /// SetGet.
    pub const SETGET: u8 = 0x6E;
    /// Set_Res.
    pub const SET_RES: u8 = 0x71;
    /// Get_Res.
    pub const GET_RES: u8 = 0x72;
    /// INF.
    pub const INF: u8 = 0x73;
    /// INFC.
    pub const INFC: u8 = 0x74;
    /// INFC_Res.
    pub const INFC_RES: u8 = 0x7A;
    /// SetGet_Res.
    pub const SETGET_RES: u8 = 0x7E;
    /// SetI_SNA.
    pub const SETI_SNA: u8 = 0x50;
    /// SetC_SNA.
    pub const SETC_SNA: u8 = 0x51;
    /// Get_SNA.
    pub const GET_SNA: u8 = 0x52;
    /// INF_SNA.
    pub const INF_SNA: u8 = 0x53;
    /// SetGet_SNA.
    pub const SETGET_SNA: u8 = 0x5E;
}

/// One property: EPC and EDT (PDC = EDT length).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prop {
    /// Property code.
    pub epc: u8,
    /// Property data.
    pub edt: Vec<u8>,
}

/// A decoded format-1 frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// Transaction id.
    pub tid: u16,
    /// Source object.
    pub seoj: [u8; 3],
    /// Destination object.
    pub deoj: [u8; 3],
    /// Service code.
    pub esv: u8,
    /// Properties (for SetGet: the Set list).
    pub props: Vec<Prop>,
    /// SetGet only: the Get list.
    pub props_get: Vec<Prop>,
}

fn take_props(data: &[u8], pos: &mut usize) -> Option<Vec<Prop>> {
    let opc = *data.get(*pos)?;
    *pos += 1;
    let mut props = Vec::with_capacity(usize::from(opc));
    for _ in 0..opc {
        let epc = *data.get(*pos)?;
        let pdc = usize::from(*data.get(*pos + 1)?);
        let edt = data.get(*pos + 2..*pos + 2 + pdc)?.to_vec();
        *pos += 2 + pdc;
        props.push(Prop { epc, edt });
    }
    Some(props)
}

impl Frame {
    /// Decode; `None` unless it is a complete, well-formed format-1 frame.
    pub fn decode(data: &[u8]) -> Option<Frame> {
        if data.len() < 12 || data[0] != 0x10 || data[1] != 0x81 {
            return None;
        }
        let tid = u16::from_be_bytes([data[2], data[3]]);
        let seoj = [data[4], data[5], data[6]];
        let deoj = [data[7], data[8], data[9]];
        let esv = data[10];
        let mut pos = 11;
        let props = take_props(data, &mut pos)?;
        let props_get = if esv == esv::SETGET || esv == esv::SETGET_RES || esv == esv::SETGET_SNA {
            take_props(data, &mut pos)?
        } else {
            Vec::new()
        };
        Some(Frame {
            tid,
            seoj,
            deoj,
            esv,
            props,
            props_get,
        })
    }

    /// Encode.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = vec![0x10, 0x81];
        out.extend_from_slice(&self.tid.to_be_bytes());
        out.extend_from_slice(&self.seoj);
        out.extend_from_slice(&self.deoj);
        out.push(self.esv);
        let put = |out: &mut Vec<u8>, props: &[Prop]| {
            out.push(props.len() as u8);
            for p in props {
                out.push(p.epc);
                out.push(p.edt.len() as u8);
                out.extend_from_slice(&p.edt);
            }
        };
        put(&mut out, &self.props);
        if self.esv == esv::SETGET || self.esv == esv::SETGET_RES || self.esv == esv::SETGET_SNA {
            put(&mut out, &self.props_get);
        }
        out
    }
}

/// Property map EDT (0x9D–0x9F): list form below 16 properties, bitmap form from 16 on.
pub fn property_map(epcs: &[u8]) -> Vec<u8> {
    let mut sorted: Vec<u8> = epcs.iter().copied().filter(|e| *e >= 0x80).collect();
    sorted.sort_unstable();
    sorted.dedup();
    let mut out = vec![sorted.len() as u8];
    if sorted.len() < 16 {
        out.extend_from_slice(&sorted);
    } else {
        let mut bits = [0u8; 16];
        for e in sorted {
            let i = usize::from(e & 0x0F);
            let j = (e - 0x80) >> 4;
            bits[i] |= 1 << j;
        }
        out.extend_from_slice(&bits);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip_get() {
        let raw = [
            0x10, 0x81, 0x52, 0x53, 0x05, 0xFF, 0x01, 0x02, 0x88, 0x01, 0x62, 0x01, 0xE7, 0x00,
        ];
        let f = Frame::decode(&raw).unwrap();
        assert_eq!(f.tid, 0x5253);
        assert_eq!(
            f.props,
            vec![Prop {
                epc: 0xE7,
                edt: vec![]
            }]
        );
        assert_eq!(f.encode(), raw);
        assert!(Frame::decode(&raw[..13]).is_none());
        assert!(Frame::decode(&[0x10, 0x81]).is_none());
    }

    #[test]
    fn map_matches_real_meter() {
        // T-cracker's 9F map decodes to these 25 EPCs.
        let epcs = [
            0x80, 0x81, 0x82, 0x88, 0x8A, 0x8D, 0x97, 0x98, 0x9D, 0x9E, 0x9F, 0xD3, 0xD7, 0xE0,
            0xE1, 0xE2, 0xE3, 0xE4, 0xE5, 0xE7, 0xE8, 0xEA, 0xEB, 0xEC, 0xED,
        ];
        let m = property_map(&epcs);
        assert_eq!(
            m,
            [
                0x19, 0x41, 0x41, 0x41, 0x60, 0x40, 0x40, 0x00, 0x62, 0x43, 0x00, 0x41, 0x40, 0x40,
                0x43, 0x02, 0x02
            ]
        );
        assert_eq!(property_map(&[0x81, 0xE5, 0xED]), [3, 0x81, 0xE5, 0xED]);
    }
}
