//! Properties: for random credentials and a log that carries them in every form the rules
//! promise, no output holds the secret or any 6-character window of it (as text or hex, any
//! case); any chunking gives the one-shot output; arbitrary bytes never panic.

use proptest::prelude::*;
use redact::Redactor;

fn hex(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02X}")).collect()
}

fn pairs(h: &str) -> Vec<&str> {
    (0..h.len()).step_by(2).map(|i| &h[i..i + 2]).collect()
}

/// Drop the separators the rules skip (and `0x`), upper-case: windows are then looked for in
/// what a reader could reassemble.
fn normalise(s: &str) -> String {
    s.replace("0x", "")
        .replace("0X", "")
        .chars()
        .filter(|c| !matches!(c, ' ' | '\t' | ':' | '-' | ',' | '.' | '_'))
        .collect::<String>()
        .to_ascii_uppercase()
}

/// Every 6-character window of `s`, as text and as hex of its upper- and lower-case ASCII.
fn windows(s: &str) -> Vec<String> {
    let mut v = Vec::new();
    for i in 0..=s.len() - 6 {
        let w = &s[i..i + 6];
        v.push(w.to_ascii_uppercase());
        v.push(hex(&w.to_ascii_uppercase()));
        v.push(hex(&w.to_ascii_lowercase()));
    }
    v
}

fn leaked(out: &str, secrets: &[&str]) -> Option<String> {
    let n = normalise(out);
    secrets
        .iter()
        .flat_map(|s| windows(s))
        .find(|w| n.contains(w.as_str()))
}

/// One piece of the log: what is written, and its skeleton (the secret-bearing parts
/// replaced by `|`) to rule out windows that the kept context itself happens to contain.
struct Piece {
    text: String,
    skeleton: String,
}

fn piece(text: String, skeleton: &str) -> Piece {
    Piece {
        text,
        skeleton: skeleton.to_string(),
    }
}

/// Filler: tokens that never hold 6 letters/digits in a row, joined by non-alphanumerics.
fn filler() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        proptest::sample::select(vec![
            "OK",
            "EVENT",
            "ERXUDP",
            "FE80",
            "日本語",
            "→",
            "ü",
            "#",
            "!",
            "?",
            ";",
            "/",
            "()",
            "[]",
            "{}",
            "=",
            "+",
            "*",
            "~",
            "ab",
            "Z9",
            "0x",
            "SM",
            "534D",
            "Pair",
            "SKSET",
            "D0EA",
            "\t",
            "\r",
            "é",
        ]),
        0..6,
    )
    .prop_map(|v| v.join("|"))
}

fn j11_frame_hex(id: &str, pw: &str, sep: &str, prefix: &str) -> String {
    let data: Vec<u8> = id.bytes().chain(pw.bytes()).collect();
    let dsum = data.iter().fold(0u16, |a, &b| a.wrapping_add(u16::from(b)));
    let mut bytes = vec![0xD0, 0xEA, 0x83, 0xFC, 0x00, 0x54, 0x00, 0x30, 0x03, 0xBD];
    bytes.extend(dsum.to_be_bytes());
    bytes.extend(&data);
    bytes
        .iter()
        .map(|b| format!("{prefix}{b:02X}"))
        .collect::<Vec<_>>()
        .join(sep)
}

fn j11_skeleton(sep: &str, prefix: &str) -> String {
    let head: Vec<String> = [0xD0u8, 0xEA, 0x83, 0xFC, 0x00, 0x54, 0x00, 0x30, 0x03, 0xBD]
        .iter()
        .map(|b| format!("{prefix}{b:02X}"))
        .collect();
    format!("{}|", head.join(sep))
}

/// Forms the keyword rules promise to hide without knowing the secrets.
fn keyword_pieces(id: &str, pw: &str) -> Vec<Piece> {
    let pair = &id[24..];
    let idh = hex(id);
    let mut v = vec![
        piece(format!("SKSETPWD C {pw}\r\n"), "SKSETPWD C |\r\n"),
        piece(format!("[SEND] sksetpwd c {pw}\n"), "[SEND] sksetpwd c |\n"),
        piece(format!("SKSETPWD {pw}\r\n"), "SKSETPWD |\r\n"),
        piece(format!("SKSETRBID {id}\r\n"), "SKSETRBID |\r\n"),
        piece(format!("\"SKSETRBID {id}\""), "\"SKSETRBID |\""),
        piece(format!("  PairID:{pair}\r\n"), "  PairID:|\r\n"),
        piece(format!("\"PairID\":\"{pair}\""), "\"PairID\":\"|\""),
        piece(format!("\u{1}SM{id}\u{0}"), "\u{1}SM|\u{0}"),
        piece(
            format!("ERXUDP 02CC 0068 0000006880F1070534D{idh}\r\n"),
            "ERXUDP 02CC 0068 0000006880F1070534D|\r\n",
        ),
        piece(
            format!("dump 53 4D {}\n", pairs(&idh).join(" ")),
            "dump 53 4D |\n",
        ),
    ];
    for (sep, prefix) in [("", ""), (" ", ""), (":", ""), (", ", "0x"), ("-", "")] {
        v.push(piece(
            format!("TX {} ok", j11_frame_hex(id, pw, sep, prefix)),
            &format!("TX {} ok", j11_skeleton(sep, prefix)),
        ));
    }
    v
}

/// Forms the known-secret rules promise to hide.
fn secret_pieces(id: &str, pw: &str) -> Vec<Piece> {
    let mut v = Vec::new();
    for s in [id, pw, &id[24..]] {
        let h = hex(s);
        let hl = hex(&s.to_ascii_lowercase());
        for t in [
            s.to_string(),
            s.to_ascii_lowercase(),
            s.to_ascii_uppercase(),
            h.clone(),
            h.to_ascii_lowercase(),
            hl.clone(),
            pairs(&h).join(" "),
            pairs(&h).join(":"),
            pairs(&hl).join("-"),
            pairs(&h)
                .iter()
                .map(|p| format!("0x{p}"))
                .collect::<Vec<_>>()
                .join(", "),
            s.as_bytes()
                .chunks(4)
                .map(|c| std::str::from_utf8(c).unwrap())
                .collect::<Vec<_>>()
                .join(" "),
        ] {
            v.push(piece(format!("<{t}>"), "<|>"));
        }
    }
    v
}

fn log_of(pieces: &[Piece], fillers: &[String], order: &[usize]) -> (String, String) {
    let mut text = String::new();
    let mut skeleton = String::new();
    for (k, &i) in order.iter().enumerate() {
        let p = &pieces[i % pieces.len()];
        let f = &fillers[k % fillers.len()];
        text += &format!("{f}\n{}\n", p.text);
        skeleton += &format!("{f}\n{}\n", p.skeleton);
    }
    (text, skeleton)
}

fn chunked(r: &Redactor, input: &[u8], cuts: &[usize]) -> Vec<u8> {
    let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (input.len() + 1)).collect();
    cuts.sort_unstable();
    let mut s = r.stream();
    let mut out = Vec::new();
    let mut at = 0;
    for c in cuts {
        s.push_into(&input[at..c], &mut out);
        at = c;
    }
    s.push_into(&input[at..], &mut out);
    s.finish_into(&mut out);
    out
}

fn chunked_text(r: &Redactor, input: &str, cuts: &[usize]) -> String {
    let mut s = r.text_stream();
    let mut out = String::new();
    let mut at = 0;
    let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (input.len() + 1)).collect();
    cuts.sort_unstable();
    for mut c in cuts {
        while !input.is_char_boundary(c) {
            c += 1;
        }
        out += &s.push(&input[at..c]);
        at = c;
    }
    out += &s.push(&input[at..]);
    out + &s.finish()
}

fn id_strategy() -> impl Strategy<Value = String> {
    proptest::collection::vec(proptest::sample::select(b"0123456789ABCDEF".to_vec()), 32)
        .prop_map(|v| String::from_utf8(v).unwrap())
}

fn pw_strategy() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        proptest::sample::select(
            b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".to_vec(),
        ),
        12,
    )
    .prop_map(|v| String::from_utf8(v).unwrap())
}

/// Bytes that keep the rules busy.
fn busy_bytes() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(
        prop_oneof![
            any::<u8>(),
            proptest::sample::select(b"0123456789ABCDEFabcdefSMsmxX :-,._\t\r\n\"'=<>".to_vec()),
            proptest::sample::select(vec![0xD0u8, 0xEA, 0x83, 0xFC, 0x00, 0x54, 0x30]),
        ],
        0..600,
    )
}

/// Structured noise: fragments of every rule's input glued at random.
fn busy_tokens() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(
        prop_oneof![
            proptest::sample::select(vec![
                "FE80",
                "fe80",
                "::",
                ":",
                "0000",
                "021C",
                "001C6400030C12EE",
                "0000004F3A210000000000000A18C3D7",
                "00112233445566778899AABBCCDDEEFF",
                "1081",
                " ",
                "  ",
                "\n",
                "\r\n",
                "x",
                "SM",
                "sm",
                "534D",
                "30",
                "3031",
                "0x",
                "PairID:",
                "pair_id\":\"",
                "SKSETPWD C ",
                "SKSETPWD ",
                "sksetpwd\t",
                "sksetrbid ",
                "D0EA83FC00540030",
                "D0 EA 83 FC 00 54 00 30 ",
                "03BD",
                "\"",
                "日本",
                "-",
                ",",
                ".",
                "_",
                "\t",
                "0123456789AB",
                "4142",
                "ZZ",
            ])
            .prop_map(|t| t.as_bytes().to_vec()),
            any::<u8>().prop_map(|b| vec![b]),
            proptest::sample::select(b"0123456789ABCDEFabcdef".to_vec()).prop_map(|b| vec![b]),
        ],
        0..120,
    )
    .prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn structured_noise_chunking_invariant(
        input in busy_tokens(),
        cuts in proptest::collection::vec(0usize..4_000, 0..40),
        with_secrets in any::<bool>(),
        addresses in any::<bool>(),
    ) {
        let mut r = Redactor::new().with_addresses(addresses);
        if with_secrets {
            r = r.with_credentials("00112233445566778899AABBCCDDEEFF", "0123456789AB");
        }
        let mut s = r.stream();
        let mut whole = Vec::new();
        s.push_into(&input, &mut whole);
        s.finish_into(&mut whole);
        prop_assert_eq!(chunked(&r, &input, &cuts), whole.clone());
        // Byte by byte too.
        let mut s = r.stream();
        let mut one = Vec::new();
        for b in &input {
            s.push_into(std::slice::from_ref(b), &mut one);
        }
        s.finish_into(&mut one);
        prop_assert_eq!(one, whole);
    }

    #[test]
    fn keyword_rules_hide_every_promised_form(
        id in id_strategy(),
        pw in pw_strategy(),
        fillers in proptest::collection::vec(filler(), 1..8),
        order in proptest::collection::vec(0usize..64, 1..40),
        cuts in proptest::collection::vec(0usize..100_000, 0..30),
    ) {
        let pieces = keyword_pieces(&id, &pw);
        let (log, skeleton) = log_of(&pieces, &fillers, &order);
        let secrets = [id.as_str(), pw.as_str()];
        prop_assume!(leaked(&skeleton, &secrets).is_none());
        let r = Redactor::new();
        let whole = r.redact(&log);
        prop_assert!(leaked(&whole, &secrets).is_none(), "{:?}\n→ {:?}\nwindow {:?}", log, whole, leaked(&whole, &secrets));
        prop_assert_eq!(String::from_utf8(chunked(&r, log.as_bytes(), &cuts)).unwrap(), whole.clone());
        prop_assert_eq!(chunked_text(&r, &log, &cuts), whole);
    }

    #[test]
    fn known_secrets_hidden_in_every_form(
        id in id_strategy(),
        pw in pw_strategy(),
        fillers in proptest::collection::vec(filler(), 1..8),
        order in proptest::collection::vec(0usize..64, 1..60),
        cuts in proptest::collection::vec(0usize..100_000, 0..30),
        addresses in any::<bool>(),
    ) {
        let mut pieces = secret_pieces(&id, &pw);
        pieces.extend(keyword_pieces(&id, &pw));
        let (log, skeleton) = log_of(&pieces, &fillers, &order);
        let secrets = [id.as_str(), pw.as_str()];
        prop_assume!(leaked(&skeleton, &secrets).is_none());
        let r = Redactor::new().with_credentials(&id, &pw).with_addresses(addresses);
        let whole = r.redact(&log);
        prop_assert!(whole != redact::MARK || log.is_empty(), "final check fired on {:?}", log);
        prop_assert!(leaked(&whole, &secrets).is_none(), "{:?}\n→ {:?}\nwindow {:?}", log, whole, leaked(&whole, &secrets));
        prop_assert_eq!(String::from_utf8(chunked(&r, log.as_bytes(), &cuts)).unwrap(), whole.clone());
        prop_assert_eq!(chunked_text(&r, &log, &cuts), whole);
    }

    #[test]
    fn raw_j11_frame_hidden_in_any_chunking(
        id in id_strategy(),
        pw in pw_strategy(),
        before in busy_bytes(),
        cuts in proptest::collection::vec(0usize..2_000, 0..10),
    ) {
        let data: Vec<u8> = id.bytes().chain(pw.bytes()).collect();
        let dsum = data.iter().fold(0u16, |a, &b| a.wrapping_add(u16::from(b)));
        let mut input = before.clone();
        // Let a partial header in the noise not swallow the real one.
        input.extend_from_slice(b"\n");
        input.extend_from_slice(&[0xD0, 0xEA, 0x83, 0xFC, 0x00, 0x54, 0x00, 0x30, 0x03, 0xBD]);
        input.extend(dsum.to_be_bytes());
        input.extend(&data);
        input.extend_from_slice(b"\xD0\xF9\xEE\x5D\x20\x54");
        let r = Redactor::new();
        let whole = r.redact_bytes(&input);
        let text = String::from_utf8_lossy(&whole).to_ascii_uppercase();
        for w in windows(&id).iter().chain(windows(&pw).iter()).step_by(3) {
            prop_assert!(!text.contains(w.as_str()) || String::from_utf8_lossy(&before).to_ascii_uppercase().contains(w.as_str()));
        }
        prop_assert_eq!(chunked(&r, &input, &cuts), whole);
    }

    #[test]
    fn arbitrary_bytes_chunking_invariant(
        input in busy_bytes(),
        cuts in proptest::collection::vec(0usize..2_000, 0..20),
        with_secrets in any::<bool>(),
        addresses in any::<bool>(),
    ) {
        let mut r = Redactor::new().with_addresses(addresses);
        if with_secrets {
            r = r.with_credentials("00112233445566778899AABBCCDDEEFF", "0123456789AB");
        }
        let mut s = r.stream();
        let mut whole = Vec::new();
        s.push_into(&input, &mut whole);
        s.finish_into(&mut whole);
        prop_assert_eq!(chunked(&r, &input, &cuts), whole.clone());
        let one = r.redact_bytes(&input);
        prop_assert!(one == whole || one == redact::MARK.as_bytes());
        // Text in, text out.
        let text = String::from_utf8_lossy(&input).into_owned();
        let mut t = r.text_stream();
        let first = t.push(&text);
        prop_assert_eq!(chunked_text(&r, &text, &cuts), first + &t.finish());
    }

    #[test]
    fn planted_plain_secret_never_survives(
        noise in busy_bytes(),
        at in 0usize..600,
        form in 0u8..6,
        pw in pw_strategy(),
        cuts in proptest::collection::vec(0usize..2_000, 0..10),
    ) {
        let id = "0000004F3A210000000000000A18C3D7";
        let r = Redactor::new().with_credentials(id, &pw);
        let secret = if form % 2 == 0 { pw.clone() } else { id.to_string() };
        let planted = match form / 2 {
            0 => secret.clone(),
            1 => hex(&secret),
            _ => hex(&secret).to_ascii_lowercase(),
        };
        let at = at.min(noise.len());
        let mut input = noise[..at].to_vec();
        input.extend_from_slice(planted.as_bytes());
        input.extend_from_slice(&noise[at..]);
        let out = chunked(&r, &input, &cuts);
        let up = String::from_utf8_lossy(&out).to_ascii_uppercase();
        prop_assert!(!up.contains(&secret.to_ascii_uppercase()) && !up.contains(&hex(&secret)) && !up.contains(&hex(&secret.to_ascii_lowercase())));
        prop_assert!(!r.leaks(&out));
    }

    #[test]
    fn may_change_is_conservative(
        id in id_strategy(),
        pw in pw_strategy(),
        fillers in proptest::collection::vec(filler(), 1..8),
        order in proptest::collection::vec(0usize..64, 1..40),
        noise in busy_tokens(),
        bytes in busy_bytes(),
        cut in (0usize..4_000, 0usize..4_000),
        with_secrets in any::<bool>(),
        short in any::<bool>(),
        addresses in any::<bool>(),
        pad in "[0-9A-Fa-f]{0,20}",
        glue in "[ :0-9]{0,3}",
    ) {
        let mut pieces = secret_pieces(&id, &pw);
        pieces.extend(keyword_pieces(&id, &pw));
        let (log, _) = log_of(&pieces, &fillers, &order);
        let mut r = Redactor::new().with_addresses(addresses);
        if with_secrets {
            r = r.with_credentials(&id, &pw);
        }
        if short {
            r = r.with_secret(&pw[..6]);
        }
        // Secrets inside hex runs of any alignment.
        let runs = format!("{pad}{glue}{}{glue}{pad} {pad}{}{pad} {pad}{}", hex(&pw), hex(&id[24..]), pw.to_ascii_lowercase());
        for input in [log.into_bytes(), noise, bytes, runs.into_bytes()] {
            let (a, b) = (cut.0.min(input.len()), cut.1.min(input.len()));
            for x in [&input[..], &input[a.min(b)..a.max(b)]] {
                if !r.may_change(x) {
                    prop_assert_eq!(r.redact_bytes(x), x.to_vec(), "{:?}", String::from_utf8_lossy(x));
                }
            }
        }
    }
}
