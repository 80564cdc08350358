// The redact fuzz harness, shared by `fuzz_targets/redact.rs` (libFuzzer) and
// `crates/redact/tests/fuzz_harness.rs` (runs it on the seed corpus and generated inputs).
//
// Input: a control byte, then the body. The control byte picks address hiding, the form of
// the planted password (text, upper hex, lower hex), where it goes, and the chunk sizes.

/// The credentials the harness plants (ROHM-style sample values, not anyone's).
const ID: &str = "0000004F3A210000000000000A18C3D7";
const PW: &str = "K7QX3M9PA2TB";

fn hex_of(s: &str, lower: bool) -> Vec<u8> {
    let h: String = s.bytes().map(|b| format!("{b:02X}")).collect();
    if lower {
        h.to_ascii_lowercase().into_bytes()
    } else {
        h.into_bytes()
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle))
}

fn redactors() -> &'static [redact::Redactor; 2] {
    static R: std::sync::OnceLock<[redact::Redactor; 2]> = std::sync::OnceLock::new();
    R.get_or_init(|| {
        let r = redact::Redactor::new().with_credentials(ID, PW);
        [r.clone(), r.with_addresses(true)]
    })
}

fn chunked(r: &redact::Redactor, input: &[u8], seed: u8) -> Vec<u8> {
    let mut s = r.stream();
    let mut out = Vec::new();
    let mut x = u32::from(seed) | 1;
    let mut rest = input;
    while !rest.is_empty() {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let n = (1 + (x >> 16) as usize % 23).min(rest.len());
        s.push_into(&rest[..n], &mut out);
        rest = &rest[n..];
    }
    s.finish_into(&mut out);
    out
}

pub fn check(data: &[u8]) {
    let Some((&ctl, body)) = data.split_first() else {
        return;
    };
    let r = &redactors()[usize::from(ctl & 1)];
    let planted = match (ctl >> 1) % 3 {
        0 => PW.as_bytes().to_vec(),
        1 => hex_of(PW, false),
        _ => hex_of(PW, true),
    };
    let at = body.len() * usize::from(ctl >> 3) / 31;
    let at = at.min(body.len());
    let mut input = body[..at].to_vec();
    input.extend_from_slice(&planted);
    input.extend_from_slice(&body[at..]);

    // Whole and chunked agree; nothing panics.
    let mut s = r.stream();
    let mut whole = Vec::new();
    s.push_into(&input, &mut whole);
    s.finish_into(&mut whole);
    assert_eq!(chunked(r, &input, ctl), whole);
    // The planted secret never survives, in any form the final check knows.
    for form in [
        PW.as_bytes().to_vec(),
        hex_of(PW, false),
        hex_of(&PW.to_ascii_lowercase(), false),
    ] {
        assert!(!contains(&whole, &form), "planted secret survived");
    }
    assert!(!r.leaks(&whole));
    assert_eq!(r.redact_bytes(&input), whole);
    // The keyword rules alone and the text interface on the raw body.
    let _ = redact::redact_bytes(body);
    let text = String::from_utf8_lossy(body);
    let mut t = r.text_stream();
    let mut out = String::new();
    for piece in text.split_inclusive([' ', '\n']) {
        out += &t.push(piece);
    }
    out += &t.finish();
    assert_eq!(
        out.as_bytes(),
        chunked(r, text.as_bytes(), ctl.wrapping_add(1))
    );
}
