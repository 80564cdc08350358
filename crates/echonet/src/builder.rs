//! Builders for the frames a controller sends.
//!
//! The general builders return a borrowed [`FrameRepr`] (call `emit` or `to_vec`); the
//! convenience setters for E5/ED/EF and 0x028A E1 return the finished bytes in a fixed array.
//! Our SEOJ is always the controller object 05 FF 01.

use crate::datetime::{DateTime, OrUnset};
use crate::error::{Error, Result};
use crate::frame::{Eoj, Esv, FrameRepr, Property, PropertyList};
use crate::lv::{HistorySetting, HISTORY2_MAX, HISTORY3_MAX};

/// Our own object: controller 05 FF 01.
pub const CONTROLLER: Eoj = Eoj::CONTROLLER;

/// Get with one or more EPCs in one frame (each PDC 0).
pub fn get_request(tid: u16, deoj: Eoj, epcs: &[u8]) -> FrameRepr<'_> {
    FrameRepr::new(tid, CONTROLLER, deoj, Esv::Get, PropertyList::epcs(epcs))
}

/// INF_REQ: ask `deoj` to notify the given EPCs.
pub fn inf_req(tid: u16, deoj: Eoj, epcs: &[u8]) -> FrameRepr<'_> {
    FrameRepr::new(tid, CONTROLLER, deoj, Esv::InfReq, PropertyList::epcs(epcs))
}

/// SetC (write, response required) with the given properties.
pub fn setc_request<'a>(tid: u16, deoj: Eoj, props: &'a [Property<'a>]) -> FrameRepr<'a> {
    FrameRepr::new(
        tid,
        CONTROLLER,
        deoj,
        Esv::SetC,
        PropertyList::from_props(props),
    )
}

/// The INFC_Res reply to a received INFC: same TID, SEOJ/DEOJ swapped, each EPC echoed with
/// PDC 0. `None` if `received` is not an INFC.
pub fn infc_res_for<'a>(received: &FrameRepr<'a>) -> Option<FrameRepr<'a>> {
    (received.esv == Esv::Infc).then(|| {
        FrameRepr::new(
            received.tid,
            received.deoj,
            received.seoj,
            Esv::InfcRes,
            received.props.without_edt(),
        )
    })
}

/// Header + one property with a 1-byte EDT.
fn setc_1(tid: u16, deoj: Eoj, epc: u8, v: u8) -> [u8; 15] {
    let t = tid.to_be_bytes();
    let d = deoj.to_bytes();
    [
        0x10, 0x81, t[0], t[1], 0x05, 0xFF, 0x01, d[0], d[1], d[2], 0x61, 0x01, epc, 0x01, v,
    ]
}

/// Header + one property with a 7-byte history setting (ED/EF).
fn setc_setting(tid: u16, deoj: Eoj, epc: u8, s: HistorySetting) -> Result<[u8; 21]> {
    let mut out = [0u8; 21];
    out[..15].copy_from_slice(&setc_1(tid, deoj, epc, 0));
    out[13] = 7;
    let mut w = crate::codec::Writer::new(&mut out[14..]);
    s.write(&mut w)?;
    Ok(out)
}

/// SetC 0x0288 E5: select the day for history 1 (0 = today … 99; E2/E4 then return that day).
pub fn setc_history1_day(tid: u16, deoj: Eoj, day: u8) -> Result<[u8; 15]> {
    if day > 99 {
        return Err(Error::BadValue { epc: 0xE5 });
    }
    Ok(setc_1(tid, deoj, 0xE5, day))
}

/// SetC 0x0288 ED: select history 2 by the time of its newest pair (minute 0 or 30; seconds
/// ignored) and the number of pairs (1–12).
pub fn setc_history2(tid: u16, deoj: Eoj, stamp: DateTime, count: u8) -> Result<[u8; 21]> {
    if count == 0 || usize::from(count) > HISTORY2_MAX || !(stamp.minute == 0 || stamp.minute == 30)
    {
        return Err(Error::BadValue { epc: 0xED });
    }
    setc_setting(
        tid,
        deoj,
        0xED,
        HistorySetting {
            stamp: OrUnset::Value(stamp),
            count,
        },
    )
}

/// SetC 0x0288 EF: select history 3 by the time of its newest pair (any minute; seconds
/// ignored) and the number of pairs (1–10).
pub fn setc_history3(tid: u16, deoj: Eoj, stamp: DateTime, count: u8) -> Result<[u8; 21]> {
    if count == 0 || usize::from(count) > HISTORY3_MAX {
        return Err(Error::BadValue { epc: 0xEF });
    }
    setc_setting(
        tid,
        deoj,
        0xEF,
        HistorySetting {
            stamp: OrUnset::Value(stamp),
            count,
        },
    )
}

/// SetC 0x028A E1: select the day for the high-voltage histories C6/CE/E7 (0–99).
pub fn setc_hv_history_day(tid: u16, deoj: Eoj, day: u8) -> Result<[u8; 15]> {
    if day > 99 {
        return Err(Error::BadValue { epc: 0xE1 });
    }
    Ok(setc_1(tid, deoj, 0xE1, day))
}

/// The controller's own instance-list notification (node profile INF, D5 = one instance 05FF01).
pub fn controller_instance_list(tid: u16) -> [u8; 18] {
    let t = tid.to_be_bytes();
    [
        0x10, 0x81, t[0], t[1], 0x0E, 0xF0, 0x01, 0x0E, 0xF0, 0x01, 0x73, 0x01, 0xD5, 0x04, 0x01,
        0x05, 0xFF, 0x01,
    ]
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn test_get_e7_matches_fixture() {
        // ../shared/fixtures/transcripts/vkgtaro-home_power_usage-test-fixtures.txt: the app's
        // request bytes 1081000105FF010288016201E700; the qiita article sends the same with
        // TID 5253.
        let repr = get_request(0x0001, Eoj::LV_SMART_METER, &[0xE7]);
        assert_eq!(
            repr.to_vec().unwrap(),
            [0x10, 0x81, 0x00, 0x01, 0x05, 0xFF, 0x01, 0x02, 0x88, 0x01, 0x62, 0x01, 0xE7, 0x00]
        );
        let mut buf = [0u8; 14];
        get_request(0x5253, Eoj::LV_SMART_METER, &[0xE7])
            .emit(&mut buf)
            .unwrap();
        assert_eq!(&buf[2..4], &[0x52, 0x53]);
    }

    #[test]
    fn test_get_several_epcs() {
        let repr = get_request(7, Eoj::LV_SMART_METER, &[0xD3, 0xD7, 0xE1]);
        assert_eq!(
            repr.to_vec().unwrap(),
            [
                0x10, 0x81, 0x00, 0x07, 0x05, 0xFF, 0x01, 0x02, 0x88, 0x01, 0x62, 0x03, 0xD3, 0x00,
                0xD7, 0x00, 0xE1, 0x00
            ]
        );
        let inf = inf_req(8, Eoj::NODE_PROFILE, &[0xD5]).to_vec().unwrap();
        assert_eq!(inf[10], 0x63);
        assert_eq!(&inf[12..], &[0xD5, 0x00]);
    }

    #[test]
    fn test_setc_and_convenience_setters() {
        let props = [Property::new(0xE5, &[0x01])];
        let bytes = setc_request(9, Eoj::LV_SMART_METER, &props)
            .to_vec()
            .unwrap();
        assert_eq!(bytes, setc_history1_day(9, Eoj::LV_SMART_METER, 1).unwrap());
        assert!(setc_history1_day(9, Eoj::LV_SMART_METER, 100).is_err());

        let stamp = DateTime::new(2022, 8, 1, 20, 30, 0).unwrap();
        let ed = setc_history2(10, Eoj::LV_SMART_METER, stamp, 12).unwrap();
        assert_eq!(
            &ed[10..],
            &[0x61, 0x01, 0xED, 0x07, 0x07, 0xE6, 0x08, 0x01, 0x14, 0x1E, 0x0C]
        );
        assert!(setc_history2(10, Eoj::LV_SMART_METER, stamp, 13).is_err());
        let odd = DateTime::new(2022, 8, 1, 20, 31, 0).unwrap();
        assert!(setc_history2(10, Eoj::LV_SMART_METER, odd, 1).is_err());
        let ef = setc_history3(11, Eoj::LV_SMART_METER, odd, 10).unwrap();
        assert_eq!(&ef[12..14], &[0xEF, 0x07]);
        assert_eq!(ef[20], 10);
        assert!(setc_history3(11, Eoj::LV_SMART_METER, odd, 11).is_err());
        let e1 = setc_hv_history_day(12, Eoj::HV_SMART_METER, 0).unwrap();
        assert_eq!(&e1[7..], &[0x02, 0x8A, 0x01, 0x61, 0x01, 0xE1, 0x01, 0x00]);
        // All of them parse back.
        for b in [&ed[..], &ef[..], &e1[..]] {
            assert!(FrameRepr::parse_bytes(b).is_ok());
        }
    }

    #[test]
    fn test_infc_res() {
        let infc = [
            0x10, 0x81, 0x12, 0x34, 0x02, 0x88, 0x01, 0x05, 0xFF, 0x01, 0x74, 0x01, 0xEA, 0x0B,
            0x07, 0xE6, 0x08, 0x01, 0x14, 0x1E, 0x00, 0x00, 0x01, 0x2D, 0x02,
        ];
        let received = FrameRepr::parse_bytes(&infc).unwrap();
        let res = infc_res_for(&received).unwrap();
        assert_eq!(
            res.to_vec().unwrap(),
            [0x10, 0x81, 0x12, 0x34, 0x05, 0xFF, 0x01, 0x02, 0x88, 0x01, 0x7A, 0x01, 0xEA, 0x00]
        );
        let inf = FrameRepr {
            esv: Esv::Inf,
            ..received
        };
        assert!(infc_res_for(&inf).is_none());
    }

    #[test]
    fn test_controller_instance_list() {
        // ../shared/fixtures/transcripts/hsakoh-broute-mqtt-issue5.txt:
        // 108101000EF0010EF0017301D5040105FF01
        assert_eq!(
            controller_instance_list(0x0100),
            [
                0x10, 0x81, 0x01, 0x00, 0x0E, 0xF0, 0x01, 0x0E, 0xF0, 0x01, 0x73, 0x01, 0xD5, 0x04,
                0x01, 0x05, 0xFF, 0x01
            ]
        );
    }
}
