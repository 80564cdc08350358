//! One test per rule, on real lines. Provenance of every quoted line: the transcript files in
//! `../shared/fixtures/transcripts/` (copied verbatim; see their INDEX.md), named per test,
//! and `../shared/j11.md` §4 for the ROHM J11 sample frame F5.

use redact::{Redactor, MARK};

/// The ROHM sample credentials of j11.md §4 (also the masked values of the qiita article).
const ID: &str = "00112233445566778899AABBCCDDEEFF";
const PW: &str = "0123456789AB";

fn creds() -> Redactor {
    Redactor::new().with_credentials(ID, PW)
}

fn hex(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02X}")).collect()
}

/// Every chunking of `input` into two and three pieces gives the one-shot output.
fn chunk_invariant(r: &Redactor, input: &str) -> String {
    let whole = r.redact(input);
    let b = input.as_bytes();
    for i in 0..=b.len() {
        let mut s = r.stream();
        let mut out = s.push(&b[..i]);
        out.extend(s.push(&b[i..]));
        out.extend(s.finish());
        assert_eq!(
            String::from_utf8(out).unwrap(),
            whole,
            "split at {i} of {input:?}"
        );
    }
    for step in 1..8 {
        let mut s = r.text_stream();
        let mut out = String::new();
        let mut rest = input;
        while !rest.is_empty() {
            let mut n = step.min(rest.len());
            while !rest.is_char_boundary(n) {
                n += 1;
            }
            out += &s.push(&rest[..n]);
            rest = &rest[n..];
        }
        out += &s.finish();
        assert_eq!(out, whole, "step {step} of {input:?}");
    }
    whole
}

fn check(r: &Redactor, input: &str, expected: &str) {
    assert_eq!(chunk_invariant(r, input), expected, "{input:?}");
}

#[test]
fn sksetpwd_and_sksetrbid_arguments() {
    let r = Redactor::new();
    // qiita-74f11b729a7859da63af-nerves-rs-wsuha-p.txt lines 18–22 (echo on, `>>` = sent,
    // with the author's literal `\r\n`).
    check(
        &r,
        r">> SKSETPWD C 0123456789AB\r\n",
        r">> SKSETPWD C <redacted>\r\n",
    );
    check(
        &r,
        "SKSETPWD C 0123456789AB\r\nOK\r\n",
        "SKSETPWD C <redacted>\r\nOK\r\n",
    );
    check(
        &r,
        "SKSETRBID 00112233445566778899AABBCCDDEEFF\r\nOK\r\n",
        "SKSETRBID <redacted>\r\nOK\r\n",
    );
    // ak1211-m5stickc-wisunhat-BP35A1_comm.txt lines 9 and 11 (app log prefixes).
    check(
        &r,
        "[  2678][D][main.cpp:912] write_with_crln(): [SEND] SKSETPWD C 000000000000\n",
        "[  2678][D][main.cpp:912] write_with_crln(): [SEND] SKSETPWD C <redacted>\n",
    );
    check(
        &r,
        "[  2685][D][main.cpp:912] write_with_crln(): [SEND] SKSETRBID 00000000000000000000000000000000\n",
        "[  2685][D][main.cpp:912] write_with_crln(): [SEND] SKSETRBID <redacted>\n",
    );
    // tnishinaga-mb-rl7023-11-test_real_event.txt line 2: a decimal length.
    check(
        &r,
        r"SKSETPWD 12 AAAABBBBCCCC\r\n",
        r"SKSETPWD 12 <redacted>\r\n",
    );
    // A backslash starts an escape and ends the argument: JSON stays JSON (the log decoder's
    // records go through these rules; a swallowed `\` of `\"` closed the string early).
    check(
        &r,
        r#"{"text":"SKSETPWD C <12桁のパスワ 2 000e \")"}"#,
        r#"{"text":"SKSETPWD C <redacted>\")"}"#,
    );
    check(
        &r,
        r#"{"text":"SKSETRBID 00112233445566778899AABBCCDDEEFF\\x"}"#,
        r#"{"text":"SKSETRBID <redacted>\\x"}"#,
    );
    // A tab written as `\t` (JSON, a printed string) is a blank, after the keyword and after
    // the length alike.
    check(
        &r,
        r#"{"text":"SKSETPWD\tC\tK7QX3M9PA2TB\t\"x\""}"#,
        r#"{"text":"SKSETPWD\tC\t<redacted>\t\"x\""}"#,
    );
    check(
        &r,
        r#"{"text":"SKSETRBID\t00112233445566778899AABBCCDDEEFF"}"#,
        r#"{"text":"SKSETRBID\t<redacted>"}"#,
    );
    check(&r, r"SKSETPWD\x C", r"SKSETPWD\x C");
    // Any case; no length; a quoted string ends the argument; a JSON field name is no command.
    check(&r, "sksetpwd c k7qx3m9pa2tb", "sksetpwd c <redacted>");
    check(&r, "SKSETPWD K7QX3M9PA2TB", "SKSETPWD <redacted>");
    check(&r, "SKSETPWD 0123456789AB", "SKSETPWD <redacted>");
    check(
        &r,
        r#""SKSETPWD C K7QX3M9PA2TB" sent"#,
        r#""SKSETPWD C <redacted>" sent"#,
    );
    check(
        &r,
        r#"{"name":"SKSETPWD","len":"C"}"#,
        r#"{"name":"SKSETPWD","len":"C"}"#,
    );
    check(
        &r,
        "SKSETPWD C\r\nSKSETRBID\r\n",
        "SKSETPWD C\r\nSKSETRBID\r\n",
    );
    // Everything to the end of the line goes (a password with a space in it is gone too).
    check(
        &r,
        "x SKSETPWD C abc y\nSKSETRBID q",
        "x SKSETPWD C <redacted>\nSKSETRBID <redacted>",
    );
    // Redacting again changes nothing.
    check(&r, "SKSETPWD C <redacted>", "SKSETPWD C <redacted>");
    check(
        &r,
        "SKSETPWD C SKSETPWD C SKSETPWD C",
        "SKSETPWD C <redacted>",
    );
}

#[test]
fn pana_identity_text_and_hex() {
    let r = Redactor::new();
    // qiita-74f11b729a7859da63af-nerves-rs-wsuha-p.txt line 53: PANA message #2 carries the
    // EAP-PSK identity "SM" + 32 characters (ending in the scan's PairID 0194BFAD) in hex.
    let line = "ERXUDP FE80:0000:0000:0000:C2F9:4500:4058:B5FB FE80:0000:0000:0000:021D:1291:0004:E578 02CC 02CC 0011223344556677 0 0 0068 0000006880000002136F0BFE2FDA83DD000500000010000044AA92C21CDBB377DEBBEBC9B755B87D000200000038000001E300382F007835A9A40F167C39A7A5AB6ACB3F1070534D3030303030303939303231373030303030303030303030303031393442464144";
    let out = chunk_invariant(&r, line);
    assert!(out.ends_with("3F1070534D<redacted>"), "{out}");
    assert!(!out.contains("3031393442464144"));
    // The same identity as a spaced hex dump, and as text in a binary payload.
    let id = "0000009902170000000000000194BFAD";
    let spaced: String = format!(
        "53 4D {}",
        hex(id)
            .as_bytes()
            .chunks(2)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect::<Vec<_>>()
            .join(" ")
    );
    check(
        &r,
        &format!("dump: {spaced} | end"),
        "dump: 53 4D <redacted> | end",
    );
    check(
        &r,
        &format!("\u{1}\u{2}SM{id}\u{0}"),
        "\u{1}\u{2}SM<redacted>\u{0}",
    );
    check(&r, &format!("sm{}", id.to_lowercase()), "sm<redacted>");
    // Not an identity: too short, not letters/digits, hex not decoding to letters/digits.
    check(
        &r,
        "SM0000009902170000000000000194BFA",
        "SM0000009902170000000000000194BFA",
    );
    check(
        &r,
        &format!("534D{}", "2A".repeat(32)),
        &format!("534D{}", "2A".repeat(32)),
    );
    // Overlapping identities are one stretch.
    check(&r, &format!("SMSMSM{id}"), "SM<redacted>");
}

#[test]
fn pair_id_values() {
    let r = Redactor::new();
    // qiita-74f11b729a7859da63af-nerves-rs-wsuha-p.txt line 37 and
    // vkgtaro-home_power_usage-test-fixtures.txt line 9 (EPANDESC blocks).
    check(&r, "  PairID:0194BFAD\r\n", "  PairID:<redacted>\r\n");
    check(&r, "  PairID:00F6D114\r\n", "  PairID:<redacted>\r\n");
    // ak1211-m5stickc-wisunhat-BP35A1_comm.txt line 27: the app's JSON rendering.
    check(
        &r,
        r#"[ 25384][D][main.cpp:572] operator()(): [MAIN] EPANDESC "Addr":"0000000000000000","Channel":"3B","Channel Page":"09","LQI":"B2","PairID":"00000000","Pan ID":"0000""#,
        r#"[ 25384][D][main.cpp:572] operator()(): [MAIN] EPANDESC "Addr":"0000000000000000","Channel":"3B","Channel Page":"09","LQI":"B2","PairID":"<redacted>","Pan ID":"0000""#,
    );
    check(
        &r,
        r#"{"pair_id":"0A18C3D7"}"#,
        r#"{"pair_id":"<redacted>"}"#,
    );
    check(&r, "pair id = 0A18C3D7.", "pair id = <redacted>.");
    check(&r, "PairID:PairID:PairID:", "PairID:<redacted>:<redacted>:");
    check(&r, "PairID:<redacted>", "PairID:<redacted>");
    check(&r, "PairID", "PairID");
}

/// j11.md §4, ROHM sample F5: the 0x0054 credential frame with the sample ID and password.
const F5_HEX: &str = "D0EA83FC00540030 03BD09D4 3030313132323333343435353636373738383939414142424343444445454646 303132333435363738394142";

fn f5_bytes() -> Vec<u8> {
    let digits: String = F5_HEX.split_whitespace().collect();
    (0..digits.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&digits[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn j11_credential_frame_in_every_form() {
    let r = Redactor::new();
    let raw = f5_bytes();
    assert_eq!(raw.len(), 12 + 44);
    // Raw: the 12-byte header's first 10 bytes stay, the data checksum and data go.
    let mut input = b"\x00\x01".to_vec();
    input.extend_from_slice(&raw);
    input.extend_from_slice(b"\xD0\xF9\xEE\x5D");
    let mut expected = b"\x00\x01".to_vec();
    expected.extend_from_slice(&raw[..10]);
    expected.extend_from_slice(MARK.as_bytes());
    expected.extend_from_slice(b"\xD0\xF9\xEE\x5D");
    assert_eq!(r.redact_bytes(&input), expected);
    for i in 0..input.len() {
        let mut s = r.stream();
        let mut out = s.push(&input[..i]);
        out.extend(s.push(&input[i..]));
        out.extend(s.finish());
        assert_eq!(out, expected);
    }
    // Hex as in j11.md (grouped), without separators, spaced bytes, colon bytes, 0x bytes.
    let digits: String = F5_HEX.split_whitespace().collect();
    let pairs: Vec<&str> = (0..digits.len())
        .step_by(2)
        .map(|i| &digits[i..i + 2])
        .collect();
    let forms = [
        (
            format!("F5  {F5_HEX}"),
            "F5  D0EA83FC00540030 03BD<redacted>".to_string(),
        ),
        (digits.clone(), format!("{}{MARK}", &digits[..20])),
        (
            digits.to_lowercase(),
            format!("{}{MARK}", &digits[..20].to_lowercase()),
        ),
        (pairs.join(" "), format!("{} {MARK}", pairs[..10].join(" "))),
        (pairs.join(":"), format!("{}:{MARK}", pairs[..10].join(":"))),
        (
            pairs
                .iter()
                .map(|p| format!("0x{p}"))
                .collect::<Vec<_>>()
                .join(", "),
            format!(
                "{}, {MARK}",
                pairs[..10]
                    .iter()
                    .map(|p| format!("0x{p}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ),
    ];
    for (input, expected) in forms {
        check(&r, &format!("TX {input} ok"), &format!("TX {expected} ok"));
    }
    // Other J11 frames are left alone: F3 (0x005F) and F1 (0x00D9).
    check(
        &r,
        "D0EA83FC 005F 0008 03A0 0009 05000400",
        "D0EA83FC 005F 0008 03A0 0009 05000400",
    );
    check(
        &r,
        "D0EA83FC 00D9 0004 0416 0000",
        "D0EA83FC 00D9 0004 0416 0000",
    );
}

#[test]
fn known_secrets_in_every_form() {
    let r = creds();
    let id_hex = hex(ID);
    let spaced = |s: &str, sep: &str| -> String {
        s.as_bytes()
            .chunks(2)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect::<Vec<_>>()
            .join(sep)
    };
    for input in [
        format!("id is {ID}!"),
        format!("id is {}!", ID.to_lowercase()),
        format!("pw={PW};!"),
        format!("pw={};!", PW.to_lowercase()),
        format!("hex {id_hex}!"),
        format!("hex {}!", id_hex.to_lowercase()),
        format!("hex {}!", hex(&PW.to_lowercase())),
        format!("spaced {}!", spaced(&id_hex, " ")),
        format!("colons {}!", spaced(&id_hex, ":")),
        format!("dashes {}!", spaced(&hex(PW), "-")),
        format!(
            "prefixed {}!",
            spaced(&hex(PW), " ")
                .split(' ')
                .map(|p| format!("0x{p}"))
                .collect::<Vec<_>>()
                .join(",")
        ),
        "letter 0011 2233 4455 6677 8899 AABB CCDD EEFF!".to_string(),
        "pairing CCDDEEFF!".to_string(),
        format!("x{}0x!", hex(PW)),
    ] {
        let out = chunk_invariant(&r, &input);
        let up = out.to_ascii_uppercase();
        for s in [ID, PW, "CCDDEEFF", &id_hex, &hex(PW)] {
            assert!(!up.contains(s), "{input} → {out}");
        }
        assert!(out.contains(MARK), "{input} → {out}");
        assert!(out.ends_with('!'), "{input} → {out}");
    }
    // Separator runs longer than the bound break a match.
    let far = format!("{}{}{}", &PW[..6], " ".repeat(9), &PW[6..]);
    assert_eq!(r.redact(&far), far);
    // Text without secrets is untouched, multi-byte characters included.
    check(&r, "EVER 1.2.10 – 日本語 OK", "EVER 1.2.10 – 日本語 OK");
    // Secrets shorter than MIN_SECRET_LEN are ignored.
    let short = Redactor::new().with_secret("ab-cd");
    assert_eq!(short.secret_count(), 0);
    assert_eq!(short.redact("abcd"), "abcd");
}

#[test]
fn addresses_only_when_asked() {
    let r = Redactor::new().with_addresses(true);
    let cases = [
        // vkgtaro-home_power_usage-test-fixtures.txt line 11.
        (
            "EVENT 21 FE80:0000:0000:0000:021C:6400:03DD:6393 00",
            "EVENT 21 FE80::XXXX 00",
        ),
        ("SKJOIN fe80::21c:6400:3dd:6393", "SKJOIN FE80::XXXX"),
        ("to 2001:db8::1.", "to <ipv6>."),
        ("  Addr:001C6400030C12EE", "  Addr:<mac>"),
        ("mac 00:1C:64:00:03:0C:12:EE", "mac <ipv6>"),
        (
            "token 0000004F3A210000000000000A18C3D7 end",
            "token <redacted> end",
        ),
        // Times, Rust paths, ECHONET frames and short hex stay.
        (
            "09:00:05 12:30 broute::Cause 0E1A",
            "09:00:05 12:30 broute::Cause 0E1A",
        ),
        (
            "1081000105FF010288016202E700E800",
            "1081000105FF010288016202E700E800",
        ),
        ("FE80::XXXX <ipv6> <mac>", "FE80::XXXX <ipv6> <mac>"),
        // Touching a letter or digit: not an address.
        ("x001C6400030C12EE", "x001C6400030C12EE"),
        (
            "::::::::::001C6400030C12EE::::::::::",
            "::::::::::<mac>::::::::::",
        ),
    ];
    for (i, o) in cases {
        check(&r, i, o);
    }
    // Off by default.
    check(
        &Redactor::new(),
        "EVENT 21 FE80:0000:0000:0000:021C:6400:03DD:6393 00",
        "EVENT 21 FE80:0000:0000:0000:021C:6400:03DD:6393 00",
    );
}

#[test]
fn debug_shows_counts_only() {
    let r = creds().with_addresses(true);
    let d = format!("{r:?}");
    assert_eq!(d, "Redactor { secrets: 3, addresses: true }");
    let mut s = r.stream();
    let _ = s.push(b"SKSETPWD C 0123456");
    let d = format!("{s:?}");
    assert!(!d.contains("0123") && d.contains("held_bytes"), "{d}");
    let t = r.text_stream();
    assert!(!format!("{t:?}").contains(PW));
}

#[test]
fn final_check_and_free_functions() {
    let r = creds();
    assert!(r.leaks(format!("x{}y", PW.to_lowercase()).as_bytes()));
    assert!(r.leaks(hex(ID).as_bytes()));
    assert!(!r.leaks(b"nothing here"));
    assert!(!Redactor::new().leaks(PW.as_bytes()));
    assert_eq!(redact::redact("SKSETRBID 00112233"), "SKSETRBID <redacted>");
    assert_eq!(
        redact::redact_bytes(b"PairID:1\xff"),
        b"PairID:<redacted>\xff"
    );
}

#[test]
fn held_back_is_bounded() {
    let r = creds().with_addresses(true);
    let mut s = r.stream();
    // A line that never ends, and runs that keep rules busy: what is held stays small.
    let chunk = "SKSETPWD C SM SMSM PairID:PairID: 3030 3131 0x32 D0EA83FC0054 :: ".repeat(64);
    for _ in 0..200 {
        let _ = s.push(chunk.as_bytes());
        assert!(s.held() <= redact::MAX_HOLD + 4096, "{}", s.held());
    }
    let mut s = r.stream();
    for _ in 0..2000 {
        let _ = s.push(b"303030303030303030303030303030303030303030303030");
        assert!(s.held() <= redact::MAX_HOLD + 4096, "{}", s.held());
    }
}

#[test]
fn may_change_says_no_to_ordinary_lines() {
    let lines: &[&[u8]] = &[
        b"EVENT 21 FE80:0000:0000:0000:021C:6400:03DD:6393 0 02",
        b"ERXUDP FE80:0000:0000:0000:021C:6400:03DD:6393 FF02:0000:0000:0000:0000:0000:0000:0001 0E1A 0E1A 001C640003DD6393 1 0 0012 1081000102880105FF017201E704000004A8",
        b"2024-03-05 12:34:56,789 - momonga.sk - DEBUG - >> b'SKSCAN 2 FFFFFFFF 6 0\\r\\n'",
        b"D0 F9 EE 5D 60 19 00 04 03 91 00 00",
        b"small things: a message",
    ];
    let plain = Redactor::new();
    let known =
        Redactor::new().with_credentials("0000004F3A210000000000000A18C3D7", "K7QX3M9PA2TB");
    for l in lines {
        assert!(!plain.may_change(l), "{}", String::from_utf8_lossy(l));
        assert!(!known.may_change(l), "{}", String::from_utf8_lossy(l));
    }
    for l in [
        &b"SKSETPWD C K7QX3M9PA2TB"[..],
        b"  PairID:0A18C3D7",
        b"pw k7qx 3m9p a2tb",
        b"data 4B37 51 58 33 4D 39 50 41 32 54 42",
        b"534D",
        b"D0EA83FC 0054 0030",
    ] {
        assert!(known.may_change(l), "{}", String::from_utf8_lossy(l));
    }
    assert!(Redactor::new().with_addresses(true).may_change(b"OK"));
}
