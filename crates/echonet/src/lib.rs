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
