//! Class-aware dispatch: decode any property of any object into a typed [`Value`].

use crate::common::{self, CommonValue};
use crate::error::Result;
use crate::frame::ClassCode;
use crate::hv::{self, HvValue};
use crate::lv::{self, LvValue};
use crate::node_profile::{self, NpValue};

/// A typed property value of any class this crate knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value<'a> {
    /// Low-voltage smart meter 0x0288.
    Lv(LvValue<'a>),
    /// High-voltage smart meter 0x028A.
    Hv(HvValue<'a>),
    /// Node profile 0x0EF0.
    NodeProfile(NpValue<'a>),
    /// Super-class property of another class (e.g. the controller 0x05FF).
    Common(CommonValue<'a>),
    /// A property of a class this crate does not decode, kept raw.
    Raw(&'a [u8]),
}

/// Decode `edt` as property `epc` of `class`.
///
/// An empty EDT (PDC 0, as in requests and SNA entries) is not a value: callers should check
/// `edt.is_empty()` first; decoding it gives the property's length error.
pub fn decode(class: ClassCode, epc: u8, edt: &[u8]) -> Result<Value<'_>> {
    Ok(match class {
        ClassCode::LowVoltageSmartMeter => Value::Lv(lv::decode(epc, edt)?),
        ClassCode::HighVoltageSmartMeter => Value::Hv(hv::decode(epc, edt)?),
        ClassCode::NodeProfile => Value::NodeProfile(node_profile::decode(epc, edt)?),
        _ if (0x80..=0x9F).contains(&epc) => Value::Common(common::decode(epc, edt)?),
        _ => Value::Raw(edt),
    })
}

impl Value<'_> {
    /// Encode the EDT into `buf` (194 bytes always suffice); return its length.
    pub fn encode(&self, buf: &mut [u8]) -> Result<usize> {
        match self {
            Value::Lv(v) => v.encode(buf),
            Value::Hv(v) => v.encode(buf),
            Value::NodeProfile(v) => v.encode(buf),
            Value::Common(v) => v.encode(buf),
            Value::Raw(b) => {
                let out = buf
                    .get_mut(..b.len())
                    .ok_or(crate::error::Error::BufferTooSmall)?;
                out.copy_from_slice(b);
                Ok(b.len())
            }
        }
    }
}
