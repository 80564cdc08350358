//! Opening bundles made by someone else: huge strings, many trace lines of repeated keywords,
//! deep nesting, bytes that are not UTF-8, other versions. Each either opens (redacted) or
//! fails with a typed error, without panicking, in time linear in the size (measured by
//! running, never asserted), and no error quotes the input.

use export::bundle::MAX_BUNDLE_BYTES;
use export::{Bundle, BundleBuilder, BundleError, InvalidKind, Redactor};

/// A marker that must never come back in an error message.
const MARK_IN_INPUT: &str = "K7QX3M9PA2TB";

fn minimal(extra: &str) -> String {
    format!(r#"{{"version":1,"created_ms":0,"app_version":"x"{extra}}}"#)
}

fn assert_quiet(e: &BundleError) {
    for text in [e.to_string(), format!("{e:?}")] {
        assert!(!text.contains(MARK_IN_INPUT), "{text}");
        assert!(
            !text.contains("SKSETPWD") && !text.contains("version\""),
            "{text}"
        );
    }
}

#[test]
fn huge_strings_open_redacted() {
    // One note of ~15 MB: credential commands, identities, addresses, a J11 frame in hex.
    let unit = format!(
        "SKSETPWD C {MARK_IN_INPUT} SM0000004F3A210000000000000A18C3D7 fe80::1:2 PairID:0A18C3D7 \
         D0EA83FC 0054 0030 03BD 09D4 3030 ; "
    );
    let text = unit.repeat(15_000_000 / unit.len());
    let json = minimal(&format!(r#","notes":[{{"ms":1,"text":"{text}"}}]"#));
    assert!(json.len() < MAX_BUNDLE_BYTES);
    let b = Bundle::from_json(&json).expect("opens");
    let note = b.notes[0].text.as_str();
    assert!(
        !note.contains(MARK_IN_INPUT) && !note.contains("0A18C3D7") && !note.contains("fe80::1")
    );
    assert!(note.starts_with("SKSETPWD C <redacted>"));
}

#[test]
fn many_trace_lines_of_repeated_keywords() {
    let line = format!(
        r#"{{"ms":1,"dir":"sent","text":"SKSETPWD C SKSETPWD C {MARK_IN_INPUT}","decoded":["PairID:PairID:PairID:0A18C3D7","SM SM SMSM 534D534D"]}}"#
    );
    let trace = vec![line.as_str(); 100_000].join(",");
    let json = minimal(&format!(r#","trace":[{trace}]"#));
    assert!(json.len() < MAX_BUNDLE_BYTES, "{}", json.len());
    let b = Bundle::from_json(&json).expect("opens");
    assert_eq!(b.trace.len(), 100_000);
    let t = &b.trace[99_999];
    assert_eq!(t.text.as_str(), "SKSETPWD C <redacted>");
    assert_eq!(
        t.decoded[0].as_str(),
        "PairID:<redacted>:<redacted>:<redacted>"
    );
    assert_eq!(b.timeline().len(), 100_000);
}

#[test]
fn deep_nesting_opens_or_fails_typed() {
    // serde_json skips unknown values without recursion, and typed fields refuse nesting at
    // once: neither can exhaust the stack.
    let n = 1_000_000;
    let ignored = minimal(&format!(r#","x":{}{}"#, "[".repeat(n), "]".repeat(n)));
    assert!(Bundle::from_json(&ignored).is_ok());
    let open = minimal(&format!(r#","x":{}"#, "{\"a\":".repeat(n)));
    let e = Bundle::from_json(&open).unwrap_err();
    assert!(
        matches!(e, BundleError::Invalid(i) if i.kind == InvalidKind::Syntax),
        "{e:?}"
    );
    assert_quiet(&e);
    let unclosed = format!(r#"{{"version":1,"x":{}"#, "[".repeat(n));
    let e = Bundle::from_json(&unclosed).unwrap_err();
    assert!(
        matches!(e, BundleError::Invalid(i) if i.kind == InvalidKind::Truncated),
        "{e:?}"
    );
    assert_quiet(&e);
    let typed = minimal(&format!(r#","notes":{}{}"#, "[".repeat(n), "]".repeat(n)));
    let e = Bundle::from_json(&typed).unwrap_err();
    assert!(
        matches!(e, BundleError::Invalid(i) if i.kind == InvalidKind::Shape),
        "{e:?}"
    );
    assert_quiet(&e);
}

#[test]
fn bytes_that_are_not_utf8() {
    let mut b = minimal("").into_bytes();
    b.splice(40..40, *b"\n\xff\xfe");
    let e = Bundle::from_bytes(&b).unwrap_err();
    match e {
        BundleError::Invalid(i) => {
            assert_eq!(i.kind, InvalidKind::Encoding);
            assert_eq!((i.line, i.column), (2, 1));
        }
        other => panic!("{other:?}"),
    }
    assert!(Bundle::from_bytes(minimal("").as_bytes()).is_ok());
    let big = vec![b' '; MAX_BUNDLE_BYTES + 1];
    assert_eq!(
        Bundle::from_bytes(&big),
        Err(BundleError::TooLarge(MAX_BUNDLE_BYTES + 1))
    );
}

#[test]
fn versions() {
    for (v, ok) in [("1", true), ("0", false), ("2", false), ("99", false)] {
        let json = minimal("").replace(r#""version":1"#, &format!(r#""version":{v}"#));
        match Bundle::from_json(&json) {
            Ok(_) => assert!(ok, "{v}"),
            Err(BundleError::Version(n)) => assert_eq!(n.to_string(), v),
            Err(e) => panic!("{v}: {e:?}"),
        }
    }
    // A newer bundle with another shape is still reported as a version problem.
    let newer = format!(r#"{{"version":7,"trace":"{MARK_IN_INPUT}"}}"#);
    assert_eq!(Bundle::from_json(&newer), Err(BundleError::Version(7)));
    // A version of the wrong type is a shape error that does not quote the value.
    let e = Bundle::from_json(&format!(r#"{{"version":"{MARK_IN_INPUT}"}}"#)).unwrap_err();
    assert!(
        matches!(e, BundleError::Invalid(i) if i.kind == InvalidKind::Shape),
        "{e:?}"
    );
    assert_quiet(&e);
}

#[test]
fn malformed_bundles_never_quote_the_input() {
    let cases = [
        (
            format!(r#"{{"version":1,"created_ms":"{MARK_IN_INPUT}"}}"#),
            InvalidKind::Shape,
        ),
        (
            minimal(&format!(
                r#","trace":[{{"ms":1,"dir":"{MARK_IN_INPUT}","text":""}}]"#
            )),
            InvalidKind::Shape,
        ),
        (
            minimal(&format!(
                r#","notes":[{{"ms":"SKSETPWD C {MARK_IN_INPUT}"}}]"#
            )),
            InvalidKind::Shape,
        ),
        (
            format!(r#"{{"version":1, {MARK_IN_INPUT}}}"#),
            InvalidKind::Syntax,
        ),
        (
            format!(r#"{{"version":1,"app_version":"{MARK_IN_INPUT}"#),
            InvalidKind::Truncated,
        ),
        (MARK_IN_INPUT.to_string(), InvalidKind::Syntax),
        ("".to_string(), InvalidKind::Truncated),
    ];
    for (input, kind) in cases {
        let e = Bundle::from_json(&input).unwrap_err();
        assert!(
            matches!(e, BundleError::Invalid(i) if i.kind == kind),
            "{input}: {e:?}"
        );
        assert_quiet(&e);
        let BundleError::Invalid(i) = e else {
            unreachable!()
        };
        assert!(i.line >= 1, "{input}: {i:?}");
    }
}

#[test]
fn built_bundle_round_trips_and_stays_clean() {
    // No credentials known: the keyword rules alone must hide the frame's data.
    let mut b = BundleBuilder::new(Redactor::new(), "0.1.0", 0);
    // A raw J11 credential frame in the serial log (j11.md §4 F5 layout, this ID/password).
    let mut frame = vec![
        0xD0, 0xEA, 0x83, 0xFC, 0x00, 0x54, 0x00, 0x30, 0x03, 0xBD, 0x0A, 0x4B,
    ];
    frame.extend(b"0000004F3A210000000000000A18C3D7K7QX3M9PA2TB");
    frame.extend(b"\r\n");
    // In pieces, split inside the header and inside the data.
    b.serial(1, true, &frame[..5]);
    b.serial(1, true, &frame[5..30]);
    b.serial(1, true, &frame[30..]);
    b.serial(
        2,
        false,
        b"ERXUDP FE80:0000:0000:0000:021C:6400:03DD:6393 x\r\n",
    );
    let bundle = b.build();
    // The frame (whose data checksum holds a line feed) is one trace line: its header in hex
    // and the length of the rest (data checksum and data never raw); its decoded record names
    // it and hides the credentials.
    assert_eq!(
        bundle.trace[0].text.as_str(),
        // 56-byte frame: 10 shown, 2 (data checksum) + 44 (data) not.
        "D0EA83FC0054003003BD +46 bytes"
    );
    let rec = logdecode::Record::from_json(bundle.trace[0].decoded[0].as_str()).unwrap();
    assert_eq!(rec.name, "set_b_route_credentials");
    assert_eq!(rec.field("id"), Some("<redacted>"));
    assert_eq!(rec.field("password"), Some("<redacted>"));
    assert_eq!(bundle.trace[1].text.as_str(), "ERXUDP FE80::XXXX x");
    let json = bundle.to_json();
    assert!(
        !json.contains(MARK_IN_INPUT) && !json.contains("0A18C3D7"),
        "{json}"
    );
    assert_eq!(Bundle::from_json(&json).unwrap(), bundle);
}
