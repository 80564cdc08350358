//! Logs written the way the tools in `shared/peers.md` print them (hand-written from the
//! shared captures' lines, re-quoted and re-formatted as those programs do): each decodes to the
//! records of the lines it carries.

use logdecode::{decode_log, Dir, Kind, Part, Record};

fn names(r: &[Record]) -> Vec<&str> {
    r.iter()
        .filter(|x| x.kind() != Kind::Unrecognised)
        .map(|x| x.name.as_str())
        .collect()
}

const A: &str = "FE80:0000:0000:0000:021C:6400:03DD:6393";

#[test]
fn python_logging_with_reprs() {
    // momonga-style: Python logging, byte reprs of what was written and read.
    let log = format!(
        "2024-03-05 12:34:56,789 - momonga.momonga_sk_wrapper - DEBUG - >> b'SKSCAN 2 FFFFFFFF 6 0\\r\\n'\n\
         2024-03-05 12:34:56,801 - momonga.momonga_sk_wrapper - DEBUG - << b'OK\\r\\n'\n\
         2024-03-05 12:35:04,112 - momonga.momonga_sk_wrapper - DEBUG - << b'EVENT 20 {A} 0\\r\\n'\n\
         DEBUG:momonga.momonga_sk_wrapper:<< b'EPANDESC\\r\\n'\n\
         DEBUG:momonga.momonga_sk_wrapper:<< b'  Channel:33\\r\\n'\n\
         DEBUG:momonga.momonga_sk_wrapper:<< b'  Channel Page:09\\r\\n'\n\
         DEBUG:momonga.momonga_sk_wrapper:<< b'  Pan ID:6393\\r\\n'\n\
         DEBUG:momonga.momonga_sk_wrapper:<< b'  Addr:001C640003DD6393\\r\\n'\n\
         DEBUG:momonga.momonga_sk_wrapper:<< b'  LQI:4E\\r\\n'\n\
         DEBUG:momonga.momonga_sk_wrapper:<< b'  Side:0\\r\\n'\n\
         DEBUG:momonga.momonga_sk_wrapper:<< b'  PairID:00F6D114\\r\\n'\n\
         INFO:momonga.momonga_sk_wrapper:<< b'EVENT 22 {A} 0\\r\\n'\n"
    );
    let r = decode_log(log.as_bytes());
    assert_eq!(names(&r), ["SKSCAN", "OK", "EVENT", "EPANDESC", "EVENT"]);
    assert_eq!(r[0].dir, Some(Dir::Sent));
    let scan = r[0].input.as_deref().unwrap();
    assert_eq!(scan.logger.as_deref(), Some("momonga.momonga_sk_wrapper"));
    assert!(scan.stripped.contains(&Part::Quotes));
    let pd = r.iter().find(|x| x.name == "EPANDESC").unwrap();
    assert_eq!((pd.line, pd.end_line), (4, Some(11)));
    assert_eq!(pd.field("side"), Some("0"));
}

#[test]
fn home_assistant_log() {
    let log = format!(
        "2024-03-05 12:34:56.789 DEBUG (MainThread) [homeassistant.components.route_b_smart_meter] >> \"SKJOIN {A}\"\n\
         2024-03-05 12:34:56.801 DEBUG (MainThread) [homeassistant.components.route_b_smart_meter] << \"OK\"\n\
         2024-03-05 12:34:59.013 DEBUG (SyncWorker_3) [homeassistant.components.route_b_smart_meter] << \"EVENT 25 {A} 0\"\n\
         2024-03-05 12:35:09.500 DEBUG (SyncWorker_3) [homeassistant.components.route_b_smart_meter] << \"ERXUDP {A} {A} 0E1A 0E1A 001C640003DD6393 1 0 0012 1081000102880105FF017201E7040000001C\"\n\
         2024-03-05 12:35:10.000 WARNING (MainThread) [homeassistant.components.sensor] Updating route_b_smart_meter sensor took longer than the scheduled update interval\n"
    );
    let r = decode_log(log.as_bytes());
    assert_eq!(names(&r), ["SKJOIN", "OK", "EVENT", "ERXUDP", "Get_Res"]);
    assert!(r
        .iter()
        .all(|x| x.input.as_ref().is_some_and(|i| i.t_ms.is_some())));
    assert_eq!(r.last().unwrap().kind(), Kind::Unrecognised);
}

#[test]
fn esphome_and_go_logs() {
    let log = format!(
        "[12:34:56][D][broute:123]: >> SKSETPWD C 0123456789AB\n\
         [12:34:56][D][broute:130]: << OK\n\
         [12:35:01][D][broute:130]: << EVENT 24 {A}\n\
         2024/03/05 12:34:56 SKSCAN 2 FFFFFFFF 6\n\
         2024/03/05 12:35:02 EVENT 22 {A}\n"
    );
    let r = decode_log(log.as_bytes());
    assert_eq!(names(&r), ["SKSETPWD", "OK", "EVENT", "SKSCAN", "EVENT"]);
    assert_eq!(r[2].field("meaning"), Some("pana_failed"));
    let out = logdecode::decode_to_json_lines(log.as_bytes());
    assert!(!out.contains("0123456789AB"));
}

#[test]
fn j11_python_and_dumps() {
    // A J11 client logging frames as hex, one with bytes split over lines and an offset column.
    let log = "DEBUG:broute_j11.adapter:TX d0ea83fc006b000403a80000\n\
               DEBUG:broute_j11.adapter:RX: D0 F9 EE 5D 20 6B 00 0D 03 AC 00 A8\n\
               DEBUG:broute_j11.adapter:    01 04 00 01 03 00 00 15 8A\n\
               0000: 10 81 00 01 02 88 01 05\n\
               0008: FF 01 72 01 E7 04 00 00\n\
               0010: 04 A8\n\
               RX 0xD0,0xF9,0xEE,0x5D,0x60,0x28,0x00,0x0D,0x03,0xA9,0x04,0x36,0x01,0x00,0x50,0xC2,0xFF,0xFE,0xDC,0x28,0x22\n";
    let r = decode_log(log.as_bytes());
    assert_eq!(
        names(&r),
        [
            "get_firmware_version",
            "get_firmware_version",
            "Get_Res",
            "pana_result"
        ]
    );
    assert_eq!(r[1].field("version"), Some("1.3"));
    assert_eq!(r[1].end_line, Some(3));
    let e7 = r[2].echonet().unwrap();
    assert_eq!(
        serde_json::to_value(&e7.props[0].value).unwrap()["value"],
        "1192"
    );
    assert_eq!(r[3].field("outcome"), Some("success"));
}
