//! ECHONET Lite codec for B-route smart meters (low-voltage 0x0288, high-voltage 0x028A).
//!
//! Pure: no I/O, no clock, no allocation where a borrowed view serves. Parsing untrusted bytes
//! never panics; errors say what was wrong.
//!
//! * [`frame`]: the wire format — [`Frame`] view, [`FrameRepr`] parse/emit, [`Esv`], [`Eoj`].
//! * [`lv`], [`hv`], [`node_profile`], [`common`]: typed property values per class;
//!   [`value::decode`] dispatches on the class code.
//! * [`decimal`], [`energy`]: exact kWh arithmetic and roll-over-aware deltas.
//! * [`builder`]: the frames a controller sends (Get, SetC, INF_REQ, INFC_Res).
//! * [`pretty`]: human-readable rendering in Japanese or English; names live in [`names`].
//!
//! ```
//! use echonet::pretty::{render, Lang};
//! use echonet::{builder, lv, EnergyUnit, Eoj, FrameRepr, LvScale, Measured};
//!
//! // What the controller sends: one Get for E7 and E8.
//! let req = builder::get_request(1, Eoj::LV_SMART_METER, &[0xE7, 0xE8]);
//! let mut buf = [0u8; 64];
//! let n = req.emit(&mut buf).unwrap();
//! assert_eq!(&buf[10..n], &[0x62, 0x02, 0xE7, 0x00, 0xE8, 0x00]);
//!
//! // What the meter answers (E7 Get_Res from the ak1211 log): 1192 W.
//! let bytes = [
//!     0x10, 0x81, 0x00, 0x01, 0x02, 0x88, 0x01, 0x05, 0xFF, 0x01, 0x72, 0x01, 0xE7, 0x04,
//!     0x00, 0x00, 0x04, 0xA8,
//! ];
//! let repr = FrameRepr::parse_bytes(&bytes).unwrap();
//! let p = repr.props.get(0xE7).unwrap();
//! assert_eq!(
//!     lv::decode(p.epc, p.edt),
//!     Ok(lv::LvValue::InstantPower(Measured::Value(1192)))
//! );
//! assert_eq!(render(&bytes, Lang::Ja)[1], "  E7 瞬時電力計測値: 1192 W");
//!
//! // Exact kWh: raw 75313 × D3 1 × E1 0.1 kWh.
//! let kwh = LvScale::new(Some(1), EnergyUnit::TENTH).apply(75313);
//! assert_eq!(kwh.to_string(), "7531.3");
//! ```
#![deny(unsafe_code)]
#![warn(missing_docs)]

#[macro_use]
mod macros;
mod codec;

pub mod builder;
pub mod common;
pub mod datetime;
pub mod decimal;
pub mod energy;
pub mod error;
pub mod frame;
pub mod hv;
pub mod lv;
pub mod measured;
pub mod names;
pub mod node_profile;
pub mod pretty;
pub mod propmap;
pub mod value;

pub use datetime::{Date, DateTime, OrUnset, Time};
pub use decimal::Decimal;
pub use energy::{counter_delta, EnergyUnit, HvScale, LvScale, Multiplier};
pub use error::{Error, Result};
pub use frame::{
    ClassCode, Eoj, Esv, Frame, FrameRepr, Property, PropertyIter, PropertyList, HEADER_LEN,
};
pub use measured::Measured;
pub use propmap::PropertyMap;
pub use value::{decode, Value};
