//! ECHONET Lite frames, format 1 (specified message format).
//!
//! Two levels, after smoltcp's `wire` module:
//!
//! * [`Frame`] is a thin view over a byte buffer with field accessors. [`Frame::new_checked`]
//!   validates the header and walks every property once; after it succeeds no accessor panics.
//!   Use it for untrusted input. [`Frame::new_unchecked`] is for a buffer you sized yourself
//!   (emission); accessors on a too-short unchecked buffer panic.
//! * [`FrameRepr`] is the parsed, validated, borrowed representation with
//!   [`FrameRepr::parse`], [`FrameRepr::buffer_len`] and [`FrameRepr::emit`].
//!
//! Layout: `EHD1 EHD2 TID(2) SEOJ(3) DEOJ(3) ESV OPC {EPC PDC EDT}×OPC`; for the SetGet family
//! (0x6E, 0x7E, 0x5E) the Set list is followed by `OPCGet {EPC PDC EDT}×OPCGet`.

use core::fmt;

use crate::error::{Error, Result};

mod list;
pub use list::{PropertyList, PropertyListIter};

mod field {
    pub type Field = core::ops::Range<usize>;

    pub const EHD1: usize = 0;
    pub const EHD2: usize = 1;
    pub const TID: Field = 2..4;
    pub const SEOJ: Field = 4..7;
    pub const DEOJ: Field = 7..10;
    pub const ESV: usize = 10;
    pub const OPC: usize = 11;
    pub const PROPERTIES: usize = 12;
}

/// Length of the fixed header (EHD1 … OPC).
pub const HEADER_LEN: usize = field::PROPERTIES;
/// EHD1 value of every ECHONET Lite frame.
pub const EHD1_ECHONET_LITE: u8 = 0x10;
/// EHD2 value of format 1 (specified message format).
pub const EHD2_FORMAT_1: u8 = 0x81;
/// UDP port used by ECHONET Lite in both directions (3610).
pub const UDP_PORT: u16 = 3610;

enum_with_unknown! {
    /// ECHONET Lite service code (ESV).
    pub enum Esv(u8) {
        /// 0x60 SetI: write, no response.
        SetI = 0x60,
        /// 0x61 SetC: write, response required.
        SetC = 0x61,
        /// 0x62 Get: read.
        Get = 0x62,
        /// 0x63 INF_REQ: ask for a notification.
        InfReq = 0x63,
        /// 0x6E SetGet: write then read.
        SetGet = 0x6E,
        /// 0x71 Set_Res: response to SetC.
        SetRes = 0x71,
        /// 0x72 Get_Res: response to Get.
        GetRes = 0x72,
        /// 0x73 INF: notification.
        Inf = 0x73,
        /// 0x74 INFC: notification requiring a response.
        Infc = 0x74,
        /// 0x7A INFC_Res: response to INFC.
        InfcRes = 0x7A,
        /// 0x7E SetGet_Res: response to SetGet.
        SetGetRes = 0x7E,
        /// 0x50 SetI_SNA: SetI not possible.
        SetISna = 0x50,
        /// 0x51 SetC_SNA: SetC not possible.
        SetCSna = 0x51,
        /// 0x52 Get_SNA: Get not possible (good properties may still be present).
        GetSna = 0x52,
        /// 0x53 INF_SNA: INF_REQ not possible.
        InfSna = 0x53,
        /// 0x5E SetGet_SNA: SetGet not possible.
        SetGetSna = 0x5E,
    }
}

impl Esv {
    /// True for the SetGet family (0x6E, 0x7E, 0x5E) whose frames carry two property lists.
    pub fn is_set_get(self) -> bool {
        matches!(self, Esv::SetGet | Esv::SetGetRes | Esv::SetGetSna)
    }

    /// True for the "service not available" replies 0x50–0x5F.
    pub fn is_sna(self) -> bool {
        (0x50..=0x5F).contains(&u8::from(self))
    }

    /// True for requests 0x60–0x6F.
    pub fn is_request(self) -> bool {
        (0x60..=0x6F).contains(&u8::from(self))
    }

    /// The short protocol name, e.g. `"Get_Res"`; `None` for unknown codes.
    pub fn name(self) -> Option<&'static str> {
        Some(match self {
            Esv::SetI => "SetI",
            Esv::SetC => "SetC",
            Esv::Get => "Get",
            Esv::InfReq => "INF_REQ",
            Esv::SetGet => "SetGet",
            Esv::SetRes => "Set_Res",
            Esv::GetRes => "Get_Res",
            Esv::Inf => "INF",
            Esv::Infc => "INFC",
            Esv::InfcRes => "INFC_Res",
            Esv::SetGetRes => "SetGet_Res",
            Esv::SetISna => "SetI_SNA",
            Esv::SetCSna => "SetC_SNA",
            Esv::GetSna => "Get_SNA",
            Esv::InfSna => "INF_SNA",
            Esv::SetGetSna => "SetGet_SNA",
            Esv::Unknown(_) => return None,
        })
    }
}

enum_with_unknown! {
    /// Class code (class group code and class code as one big-endian u16).
    pub enum ClassCode(u16) {
        /// 0x0EF0 node profile.
        NodeProfile = 0x0EF0,
        /// 0x05FF controller.
        Controller = 0x05FF,
        /// 0x0288 low-voltage smart electric energy meter.
        LowVoltageSmartMeter = 0x0288,
        /// 0x028A high-voltage smart electric energy meter.
        HighVoltageSmartMeter = 0x028A,
    }
}

/// ECHONET object: class group code, class code, instance code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Eoj {
    /// Class group code (e.g. 0x02 housing/facility).
    pub class_group: u8,
    /// Class code within the group (e.g. 0x88).
    pub class: u8,
    /// Instance code (0x01 …; 0x00 addresses all instances).
    pub instance: u8,
}

impl Eoj {
    /// The controller object 05 FF 01 used as our SEOJ.
    pub const CONTROLLER: Eoj = Eoj::new(0x05, 0xFF, 0x01);
    /// The node profile object 0E F0 01.
    pub const NODE_PROFILE: Eoj = Eoj::new(0x0E, 0xF0, 0x01);
    /// Low-voltage smart meter instance 1 (02 88 01).
    pub const LV_SMART_METER: Eoj = Eoj::new(0x02, 0x88, 0x01);
    /// High-voltage smart meter instance 1 (02 8A 01).
    pub const HV_SMART_METER: Eoj = Eoj::new(0x02, 0x8A, 0x01);

    /// Build an EOJ from its three codes.
    pub const fn new(class_group: u8, class: u8, instance: u8) -> Eoj {
        Eoj {
            class_group,
            class,
            instance,
        }
    }

    /// Build an EOJ from its three wire bytes.
    pub const fn from_bytes(b: [u8; 3]) -> Eoj {
        Eoj::new(b[0], b[1], b[2])
    }

    /// The three wire bytes.
    pub const fn to_bytes(self) -> [u8; 3] {
        [self.class_group, self.class, self.instance]
    }

    /// Class group and class as one u16 (e.g. 0x0288).
    pub const fn class_u16(self) -> u16 {
        ((self.class_group as u16) << 8) | self.class as u16
    }

    /// The class as a typed code.
    pub fn class_code(self) -> ClassCode {
        ClassCode::from(self.class_u16())
    }
}

impl fmt::Display for Eoj {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:02X}{:02X}{:02X}",
            self.class_group, self.class, self.instance
        )
    }
}

/// One property: EPC and its EDT (PDC is `edt.len()`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Property<'a> {
    /// Property code.
    pub epc: u8,
    /// Property value bytes (empty in Get requests and in SNA entries).
    pub edt: &'a [u8],
}

impl<'a> Property<'a> {
    /// A property with a value.
    pub const fn new(epc: u8, edt: &'a [u8]) -> Property<'a> {
        Property { epc, edt }
    }

    /// A property with PDC 0 (as in Get, INF_REQ, INFC_Res and SNA entries).
    pub const fn request(epc: u8) -> Property<'static> {
        Property { epc, edt: &[] }
    }

    /// PDC, i.e. the EDT length (saturated at 255; emit rejects longer EDTs).
    pub fn pdc(&self) -> u8 {
        u8::try_from(self.edt.len()).unwrap_or(u8::MAX)
    }

    /// Bytes this property takes on the wire (EPC + PDC + EDT).
    pub fn buffer_len(&self) -> usize {
        2 + self.edt.len()
    }
}

/// Walk `count` properties starting at `data[start..]`; return the offset just past them.
fn walk(data: &[u8], start: usize, count: u8) -> Result<usize> {
    let mut pos = start;
    for index in 0..count {
        let (epc, pdc) = match (data.get(pos), data.get(pos + 1)) {
            (Some(&epc), Some(&pdc)) => (epc, pdc),
            _ => return Err(Error::MissingProperty { index }),
        };
        let end = pos + 2 + usize::from(pdc);
        if end > data.len() {
            return Err(Error::PdcBeyondEnd { epc, pdc });
        }
        pos = end;
    }
    Ok(pos)
}

/// Iterator over wire-encoded properties (EPC, PDC, EDT borrowed from the buffer).
///
/// Stops early (without panicking) if the bytes are malformed; on a checked frame it yields
/// exactly OPC items.
#[derive(Debug, Clone)]
pub struct PropertyIter<'a> {
    data: &'a [u8],
    remaining: u8,
}

impl<'a> PropertyIter<'a> {
    /// Iterate over `count` properties encoded in `data`.
    pub fn new(data: &'a [u8], count: u8) -> PropertyIter<'a> {
        PropertyIter {
            data,
            remaining: count,
        }
    }

    /// The bytes not yet consumed.
    pub fn rest(&self) -> &'a [u8] {
        self.data
    }
}

impl<'a> Iterator for PropertyIter<'a> {
    type Item = Property<'a>;

    fn next(&mut self) -> Option<Property<'a>> {
        if self.remaining == 0 {
            return None;
        }
        let (epc, pdc) = match self.data {
            [epc, pdc, ..] => (*epc, usize::from(*pdc)),
            _ => {
                self.remaining = 0;
                return None;
            }
        };
        let edt = match self.data.get(2..2 + pdc) {
            Some(edt) => edt,
            None => {
                self.remaining = 0;
                return None;
            }
        };
        self.data = self.data.get(2 + pdc..).unwrap_or(&[]);
        self.remaining -= 1;
        Some(Property { epc, edt })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(usize::from(self.remaining)))
    }
}

/// A read/write wrapper around an ECHONET Lite frame buffer.
#[derive(Debug, Clone)]
pub struct Frame<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Frame<T> {
    /// Wrap a buffer without checks (for emission into a buffer sized by `buffer_len`).
    pub const fn new_unchecked(buffer: T) -> Frame<T> {
        Frame { buffer }
    }

    /// Wrap a buffer and validate it with [`Frame::check_len`]; required for untrusted input.
    pub fn new_checked(buffer: T) -> Result<Frame<T>> {
        let frame = Frame::new_unchecked(buffer);
        frame.check_len()?;
        Ok(frame)
    }

    /// Validate header bytes and every property length; after `Ok` no accessor panics.
    pub fn check_len(&self) -> Result<()> {
        let data = self.buffer.as_ref();
        if data.len() < HEADER_LEN {
            return Err(Error::Truncated);
        }
        if data[field::EHD1] != EHD1_ECHONET_LITE {
            return Err(Error::BadHeader(data[field::EHD1]));
        }
        if data[field::EHD2] != EHD2_FORMAT_1 {
            return Err(Error::UnsupportedFormat(data[field::EHD2]));
        }
        let mut end = walk(data, field::PROPERTIES, data[field::OPC])?;
        if Esv::from(data[field::ESV]).is_set_get() {
            let opc_get = match data.get(end) {
                Some(&n) => n,
                None => return Err(Error::MissingProperty { index: 0 }),
            };
            end = walk(data, end + 1, opc_get)?;
        }
        if end != data.len() {
            let count = u16::try_from(data.len() - end).unwrap_or(u16::MAX);
            return Err(Error::TrailingBytes { count });
        }
        Ok(())
    }

    /// Consume the wrapper and return the buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// Return the EHD1 field (0x10).
    pub fn ehd1(&self) -> u8 {
        self.buffer.as_ref()[field::EHD1]
    }

    /// Return the EHD2 field (0x81).
    pub fn ehd2(&self) -> u8 {
        self.buffer.as_ref()[field::EHD2]
    }

    /// Return the transaction ID.
    pub fn tid(&self) -> u16 {
        let d = &self.buffer.as_ref()[field::TID];
        u16::from_be_bytes([d[0], d[1]])
    }

    /// Return the source object.
    pub fn seoj(&self) -> Eoj {
        let d = &self.buffer.as_ref()[field::SEOJ];
        Eoj::new(d[0], d[1], d[2])
    }

    /// Return the destination object.
    pub fn deoj(&self) -> Eoj {
        let d = &self.buffer.as_ref()[field::DEOJ];
        Eoj::new(d[0], d[1], d[2])
    }

    /// Return the service code.
    pub fn esv(&self) -> Esv {
        Esv::from(self.buffer.as_ref()[field::ESV])
    }

    /// Return OPC, the number of properties in the first (or only) list.
    pub fn opc(&self) -> u8 {
        self.buffer.as_ref()[field::OPC]
    }

    /// Total length of the frame buffer.
    pub fn len(&self) -> usize {
        self.buffer.as_ref().len()
    }

    /// True if the buffer is empty (never true for a checked frame).
    pub fn is_empty(&self) -> bool {
        self.buffer.as_ref().is_empty()
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> Frame<&'a T> {
    /// Iterate over the first (or only) property list.
    pub fn properties(&self) -> PropertyIter<'a> {
        let data = self.buffer.as_ref();
        PropertyIter::new(data.get(field::PROPERTIES..).unwrap_or(&[]), self.opc())
    }

    /// OPCGet of a SetGet-family frame (`None` for other services).
    pub fn opc_get(&self) -> Option<u8> {
        if !self.esv().is_set_get() {
            return None;
        }
        let mut first = self.properties();
        first.by_ref().for_each(drop);
        first.rest().first().copied()
    }

    /// Iterate over the Get list of a SetGet-family frame (empty for other services).
    pub fn get_properties(&self) -> PropertyIter<'a> {
        if !self.esv().is_set_get() {
            return PropertyIter::new(&[], 0);
        }
        let mut first = self.properties();
        first.by_ref().for_each(drop);
        match first.rest() {
            [n, rest @ ..] => PropertyIter::new(rest, *n),
            [] => PropertyIter::new(&[], 0),
        }
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Frame<T> {
    /// Set EHD1 and EHD2 to 0x10 0x81.
    pub fn set_header(&mut self) {
        let d = self.buffer.as_mut();
        d[field::EHD1] = EHD1_ECHONET_LITE;
        d[field::EHD2] = EHD2_FORMAT_1;
    }

    /// Set the transaction ID.
    pub fn set_tid(&mut self, tid: u16) {
        self.buffer.as_mut()[field::TID].copy_from_slice(&tid.to_be_bytes());
    }

    /// Set the source object.
    pub fn set_seoj(&mut self, eoj: Eoj) {
        self.buffer.as_mut()[field::SEOJ].copy_from_slice(&eoj.to_bytes());
    }

    /// Set the destination object.
    pub fn set_deoj(&mut self, eoj: Eoj) {
        self.buffer.as_mut()[field::DEOJ].copy_from_slice(&eoj.to_bytes());
    }

    /// Set the service code.
    pub fn set_esv(&mut self, esv: Esv) {
        self.buffer.as_mut()[field::ESV] = esv.into();
    }

    /// Set OPC.
    pub fn set_opc(&mut self, opc: u8) {
        self.buffer.as_mut()[field::OPC] = opc;
    }

    /// Mutable access to the bytes after the header (the property lists).
    pub fn payload_mut(&mut self) -> &mut [u8] {
        &mut self.buffer.as_mut()[field::PROPERTIES..]
    }
}

impl<T: AsRef<[u8]>> AsRef<[u8]> for Frame<T> {
    fn as_ref(&self) -> &[u8] {
        self.buffer.as_ref()
    }
}

/// A parsed, validated ECHONET Lite frame (format 1), borrowing its property data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameRepr<'a> {
    /// Transaction ID.
    pub tid: u16,
    /// Source object.
    pub seoj: Eoj,
    /// Destination object.
    pub deoj: Eoj,
    /// Service code.
    pub esv: Esv,
    /// The property list (the Set list for the SetGet family).
    pub props: PropertyList<'a>,
    /// The Get list of the SetGet family; ignored (not emitted) for other services.
    pub get_props: PropertyList<'a>,
}

impl<'a> FrameRepr<'a> {
    /// Build a frame with one property list.
    pub fn new(tid: u16, seoj: Eoj, deoj: Eoj, esv: Esv, props: PropertyList<'a>) -> Self {
        FrameRepr {
            tid,
            seoj,
            deoj,
            esv,
            props,
            get_props: PropertyList::EMPTY,
        }
    }

    /// Parse a frame view, validating it completely.
    pub fn parse<T: AsRef<[u8]> + ?Sized>(frame: &Frame<&'a T>) -> Result<FrameRepr<'a>> {
        frame.check_len()?;
        let data: &'a [u8] = frame.buffer.as_ref();
        let body = &data[field::PROPERTIES..];
        let (props, used) = PropertyList::parse(body, frame.opc())?;
        let esv = frame.esv();
        let get_props = if esv.is_set_get() {
            let rest = &body[used..];
            match rest {
                [n, tail @ ..] => PropertyList::parse(tail, *n)?.0,
                [] => return Err(Error::MissingProperty { index: 0 }),
            }
        } else {
            PropertyList::EMPTY
        };
        Ok(FrameRepr {
            tid: frame.tid(),
            seoj: frame.seoj(),
            deoj: frame.deoj(),
            esv,
            props,
            get_props,
        })
    }

    /// Check and parse raw bytes (`Frame::new_checked` + [`FrameRepr::parse`]).
    pub fn parse_bytes(bytes: &'a [u8]) -> Result<FrameRepr<'a>> {
        FrameRepr::parse(&Frame::new_unchecked(bytes))
    }

    /// The object whose properties the lists describe: SEOJ for responses and
    /// notifications, DEOJ for requests and INFC_Res.
    pub fn property_owner(&self) -> Eoj {
        if self.esv.is_request() || self.esv == Esv::InfcRes {
            self.deoj
        } else {
            self.seoj
        }
    }

    /// Bytes needed to emit this frame.
    pub fn buffer_len(&self) -> usize {
        let mut len = HEADER_LEN + self.props.buffer_len();
        if self.esv.is_set_get() {
            len += 1 + self.get_props.buffer_len();
        }
        len
    }

    /// Write the frame into `buf`, returning the bytes written. Never panics; a buffer shorter
    /// than [`FrameRepr::buffer_len`] gives [`Error::BufferTooSmall`].
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize> {
        let len = self.buffer_len();
        let out = buf.get_mut(..len).ok_or(Error::BufferTooSmall)?;
        let opc = u8::try_from(self.props.len()).map_err(|_| Error::TooLong)?;
        let mut frame = Frame::new_unchecked(&mut *out);
        frame.set_header();
        frame.set_tid(self.tid);
        frame.set_seoj(self.seoj);
        frame.set_deoj(self.deoj);
        frame.set_esv(self.esv);
        frame.set_opc(opc);
        let payload = frame.payload_mut();
        let used = self.props.emit(payload)?;
        if self.esv.is_set_get() {
            let opc_get = u8::try_from(self.get_props.len()).map_err(|_| Error::TooLong)?;
            let rest = payload.get_mut(used..).ok_or(Error::BufferTooSmall)?;
            let (n, tail) = rest.split_first_mut().ok_or(Error::BufferTooSmall)?;
            *n = opc_get;
            self.get_props.emit(tail)?;
        }
        Ok(len)
    }

    /// Emit into a new `Vec`.
    pub fn to_vec(&self) -> Result<Vec<u8>> {
        let mut buf = vec![0; self.buffer_len()];
        self.emit(&mut buf)?;
        Ok(buf)
    }
}

#[cfg(test)]
mod test {
    use super::*;

    // ../shared/fixtures/transcripts/ak1211-m5stickc-wisunhat-BP35A1_comm.txt
    // (github.com/ak1211/m5stickc-wisunhat BP35A1_comm.log): E7 Get_Res, 1192 W.
    static GET_RES_E7: [u8; 18] = [
        0x10, 0x81, 0x00, 0x01, 0x02, 0x88, 0x01, 0x05, 0xFF, 0x01, 0x72, 0x01, 0xE7, 0x04, 0x00,
        0x00, 0x04, 0xA8,
    ];

    // ../shared/fixtures/transcripts/qiita-74f11b729a7859da63af-nerves-rs-wsuha-p.txt
    // (Qiita 74f11b729a7859da63af): INF with two properties, EA and EB.
    static INF_EA_EB: [u8; 38] = [
        0x10, 0x81, 0x00, 0x01, 0x02, 0x88, 0x01, 0x05, 0xFF, 0x01, 0x73, 0x02, 0xEA, 0x0B, 0x07,
        0xE7, 0x0C, 0x13, 0x00, 0x1E, 0x00, 0x00, 0x00, 0x45, 0x8E, 0xEB, 0x0B, 0x07, 0xE7, 0x0C,
        0x13, 0x00, 0x1E, 0x00, 0x00, 0x00, 0x00, 0x15,
    ];

    // ak1211 log (as above): Get_SNA for D3, PDC 0.
    static GET_SNA_D3: [u8; 14] = [
        0x10, 0x81, 0x00, 0x01, 0x02, 0x88, 0x01, 0x05, 0xFF, 0x01, 0x52, 0x01, 0xD3, 0x00,
    ];

    // ../shared/fixtures/transcripts/vkgtaro-home_power_usage-test-fixtures.txt
    // (github.com/vkgtaro/home_power_usage test/): the Get for E7 the app builds.
    static GET_E7: [u8; 14] = [
        0x10, 0x81, 0x00, 0x01, 0x05, 0xFF, 0x01, 0x02, 0x88, 0x01, 0x62, 0x01, 0xE7, 0x00,
    ];

    #[test]
    fn test_deconstruct() {
        let frame = Frame::new_checked(&GET_RES_E7[..]).unwrap();
        assert_eq!(frame.ehd1(), 0x10);
        assert_eq!(frame.ehd2(), 0x81);
        assert_eq!(frame.tid(), 0x0001);
        assert_eq!(frame.seoj(), Eoj::LV_SMART_METER);
        assert_eq!(frame.deoj(), Eoj::CONTROLLER);
        assert_eq!(frame.esv(), Esv::GetRes);
        assert_eq!(frame.opc(), 1);
        let props: Vec<_> = frame.properties().collect();
        assert_eq!(props, [Property::new(0xE7, &[0x00, 0x00, 0x04, 0xA8])]);
        assert_eq!(frame.opc_get(), None);
        assert_eq!(frame.get_properties().count(), 0);
    }

    #[test]
    fn test_deconstruct_two_properties() {
        let frame = Frame::new_checked(&INF_EA_EB[..]).unwrap();
        assert_eq!(frame.esv(), Esv::Inf);
        let epcs: Vec<u8> = frame.properties().map(|p| p.epc).collect();
        assert_eq!(epcs, [0xEA, 0xEB]);
        assert!(frame.properties().all(|p| p.edt.len() == 11));
    }

    #[test]
    fn test_construct() {
        let mut bytes = [0xA5u8; 18];
        let mut frame = Frame::new_unchecked(&mut bytes[..]);
        frame.set_header();
        frame.set_tid(0x0001);
        frame.set_seoj(Eoj::LV_SMART_METER);
        frame.set_deoj(Eoj::CONTROLLER);
        frame.set_esv(Esv::GetRes);
        frame.set_opc(1);
        frame
            .payload_mut()
            .copy_from_slice(&[0xE7, 0x04, 0x00, 0x00, 0x04, 0xA8]);
        assert_eq!(bytes, GET_RES_E7);
    }

    fn e7_repr() -> FrameRepr<'static> {
        static PROPS: [Property<'static>; 1] = [Property::new(0xE7, &[0x00, 0x00, 0x04, 0xA8])];
        FrameRepr::new(
            0x0001,
            Eoj::LV_SMART_METER,
            Eoj::CONTROLLER,
            Esv::GetRes,
            PropertyList::from_props(&PROPS),
        )
    }

    #[test]
    fn test_parse() {
        let repr = FrameRepr::parse_bytes(&GET_RES_E7).unwrap();
        assert_eq!(repr, e7_repr());
        assert_eq!(repr.property_owner(), Eoj::LV_SMART_METER);
    }

    #[test]
    fn test_emit() {
        let repr = e7_repr();
        assert_eq!(repr.buffer_len(), GET_RES_E7.len());
        let mut bytes = [0xA5u8; 18];
        assert_eq!(repr.emit(&mut bytes), Ok(18));
        assert_eq!(bytes, GET_RES_E7);
        let mut short = [0u8; 17];
        assert_eq!(repr.emit(&mut short), Err(Error::BufferTooSmall));
    }

    #[test]
    fn test_get_sna_keeps_pdc_zero() {
        let repr = FrameRepr::parse_bytes(&GET_SNA_D3).unwrap();
        assert_eq!(repr.esv, Esv::GetSna);
        assert!(repr.esv.is_sna());
        assert_eq!(repr.props.get(0xD3), Some(Property::request(0xD3)));
        assert_eq!(repr.to_vec().unwrap(), GET_SNA_D3);
    }

    #[test]
    fn test_get_request_round_trip() {
        let repr = FrameRepr::parse_bytes(&GET_E7).unwrap();
        assert_eq!(repr.esv, Esv::Get);
        assert_eq!(repr.props, PropertyList::epcs(&[0xE7]));
        assert_eq!(repr.property_owner(), Eoj::LV_SMART_METER);
        assert_eq!(repr.to_vec().unwrap(), GET_E7);
    }

    #[test]
    fn test_truncated() {
        assert_eq!(
            Frame::new_checked(&GET_RES_E7[..11]).unwrap_err(),
            Error::Truncated
        );
        assert_eq!(
            Frame::new_checked(&GET_RES_E7[..12]).unwrap_err(),
            Error::MissingProperty { index: 0 }
        );
        assert_eq!(
            Frame::new_checked(&GET_RES_E7[..17]).unwrap_err(),
            Error::PdcBeyondEnd { epc: 0xE7, pdc: 4 }
        );
    }

    #[test]
    fn test_bad_header() {
        let mut b = GET_RES_E7;
        b[0] = 0x11;
        assert_eq!(FrameRepr::parse_bytes(&b), Err(Error::BadHeader(0x11)));
        let mut b = GET_RES_E7;
        b[1] = 0x82;
        assert_eq!(
            FrameRepr::parse_bytes(&b),
            Err(Error::UnsupportedFormat(0x82))
        );
    }

    #[test]
    fn test_trailing_bytes() {
        let mut v = GET_RES_E7.to_vec();
        v.extend_from_slice(&[0x0D, 0x0A]);
        assert_eq!(
            FrameRepr::parse_bytes(&v),
            Err(Error::TrailingBytes { count: 2 })
        );
    }

    #[test]
    fn test_unknown_codes_round_trip() {
        // Unknown ESV 0x99, unknown class 0x0FFF, unknown EPC 0x01: kept as data.
        let bytes = [
            0x10, 0x81, 0xBE, 0xEF, 0x0F, 0xFF, 0x07, 0x05, 0xFF, 0x01, 0x99, 0x01, 0x01, 0x02,
            0xAB, 0xCD,
        ];
        let repr = FrameRepr::parse_bytes(&bytes).unwrap();
        assert_eq!(repr.esv, Esv::Unknown(0x99));
        assert_eq!(repr.seoj.class_code(), ClassCode::Unknown(0x0FFF));
        assert_eq!(repr.to_vec().unwrap(), bytes);
    }

    #[test]
    fn test_set_get_two_lists() {
        // SetGet: set 0xE5 = 0x01, then get 0xE2 and 0xE7.
        let bytes = [
            0x10, 0x81, 0x00, 0x07, 0x05, 0xFF, 0x01, 0x02, 0x88, 0x01, 0x6E, 0x01, 0xE5, 0x01,
            0x01, 0x02, 0xE2, 0x00, 0xE7, 0x00,
        ];
        let frame = Frame::new_checked(&bytes[..]).unwrap();
        assert_eq!(frame.opc_get(), Some(2));
        assert_eq!(frame.get_properties().count(), 2);
        let repr = FrameRepr::parse(&frame).unwrap();
        assert_eq!(
            repr.props,
            PropertyList::from_props(&[Property::new(0xE5, &[1])])
        );
        assert_eq!(repr.get_props, PropertyList::epcs(&[0xE2, 0xE7]));
        assert_eq!(repr.to_vec().unwrap(), bytes);
        // Missing OPCGet byte.
        assert_eq!(
            FrameRepr::parse_bytes(&bytes[..15]),
            Err(Error::MissingProperty { index: 0 })
        );
    }

    #[test]
    fn test_without_edt() {
        let repr = FrameRepr::parse_bytes(&INF_EA_EB).unwrap();
        let echo = repr.props.without_edt();
        assert_eq!(echo, PropertyList::epcs(&[0xEA, 0xEB]));
        assert_eq!(echo.buffer_len(), 4);
    }

    #[test]
    fn test_property_iter_on_garbage_never_panics() {
        let it = PropertyIter::new(&[0xE7, 0x09, 0x00], 3);
        assert_eq!(it.count(), 0);
    }
}
