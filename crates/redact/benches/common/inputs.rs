//! Pathological inputs for the redaction benchmark (shared with the timing of the old
//! implementations, recorded in docs/benchmarks.md). Each is about `size` bytes of lines
//! that keep every rule busy: keywords over and over, `SM` runs, `PairID:` chains, long hex
//! runs (including the hex of the secrets), repeated J11 headers.

/// The ROHM sample credentials (`../shared/j11.md` §4), the secrets of the "with secrets"
/// runs; the hex runs below contain their hex.
pub const ID: &str = "00112233445566778899AABBCCDDEEFF";
/// See [`ID`].
pub const PW: &str = "0123456789AB";

fn hex(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02X}")).collect()
}

fn fill(size: usize, line: &str) -> Vec<u8> {
    let mut v = Vec::with_capacity(size + line.len());
    while v.len() < size {
        v.extend_from_slice(line.as_bytes());
    }
    v.truncate(size);
    v
}

/// `(name, input)` pairs.
pub fn all(size: usize) -> Vec<(&'static str, Vec<u8>)> {
    let sksetpwd = format!("{}SKSETRBID \r\n", "SKSETPWD C ".repeat(90));
    let sm = format!("{}{}\n", "SM ".repeat(100), "SM".repeat(100));
    let pairid = format!("{}\n", "PairID:".repeat(140));
    let id_hex = hex(ID);
    let hexrun = format!(
        "{}{} {}\n",
        id_hex.repeat(30),
        "30:31:".repeat(40),
        "534D".repeat(50)
    );
    let j11 = format!(
        "{}{}\n",
        "D0EA83FC0054".repeat(60),
        "D0EA83FC00540030 03BD ".repeat(20)
    );
    let mixed = [
        sksetpwd.as_str(),
        sm.as_str(),
        pairid.as_str(),
        hexrun.as_str(),
        j11.as_str(),
        "ERXUDP FE80:0000:0000:0000:021C:6400:03DD:6393 FE80:0000:0000:0000:1207:23FF:FEA0:77E3 02CC 02CC 001C640003DD6393 0 0058 00000058A0000002AB0FB498736E78FC000700000004000000000000000200000004000003AC000400040000000400000000FE010008000000040000000151800001000000100000877B491137BCABC194562415536C3E17\r\n",
        "EVENT 21 FE80:0000:0000:0000:021C:6400:03DD:6393 00\r\nOK\r\n  PairID:00F6D114\r\n",
    ]
    .concat();
    vec![
        ("sksetpwd", fill(size, &sksetpwd)),
        ("sm", fill(size, &sm)),
        ("pairid", fill(size, &pairid)),
        ("hex", fill(size, &hexrun)),
        ("j11", fill(size, &j11)),
        ("mixed", fill(size, &mixed)),
    ]
}
