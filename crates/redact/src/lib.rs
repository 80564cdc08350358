//! One redactor for B-route credentials, used by the live trace, the log decoder, the framer's
//! echo lines and the support bundle.
//!
//! The household's B-route ID (32 characters), its Pairing ID (the ID's last 8) and the
//! password (12) must never leave the app in a log, a trace or a bundle. This crate hides them
//! in one pass over the input, in time linear in its length, with bounded memory, and it can
//! do so on a stream that arrives in pieces: [`Stream`] / [`TextStream`] give, for any
//! chunking, exactly what the one-shot [`Redactor::redact`] gives.
//!
//! # Rules
//!
//! Matching ignores ASCII case. Every hidden stretch becomes [`MARK`] (`<redacted>`), except
//! addresses, which keep a typed placeholder.
//!
//! **Known secrets** ([`Redactor::with_secret`], [`Redactor::with_credentials`]; the latter adds
//! the ID, its Pairing ID and the password), wherever they appear:
//! * as text, e.g. `0000004F3A21…`, `k7qx3m9pa2tb`;
//! * as the hex of their ASCII (of the text as given, upper-cased or lower-cased), hex digits
//!   in either case, e.g. `3030303030303446…`;
//! * with separators between characters or hex digits: runs of up to [`MAX_SEPARATOR_RUN`]
//!   bytes of space, tab, `:`, `-`, `,`, `.`, `_` and, in hex, `0x` prefixes — `0000 004F …`,
//!   `30:30:30`, `0x30, 0x30`.
//!
//! **Keyword rules**, which need no known secret (logs pasted by strangers):
//! * `SKSETPWD [<len>] <pw>` and `SKSETRBID <id>`: everything after the keyword's blanks (and
//!   after SKSETPWD's 1–2 hex digit length) up to the end of the line, of a quoted string or
//!   the start of an escape (CR, LF, `"` or `\`: JSON's `\"` stays whole) — `SKSETPWD C
//!   <redacted>`;
//! * the PANA EAP-PSK identity: `SM` followed by 32 letters/digits hides the 32; in hex,
//!   `534D` followed by 32 hex pairs that decode to letters/digits hides the 64 digits (with
//!   separators allowed as above);
//! * the value after `PairID` / `Pair_ID` / `Pair ID` (up to 6 of `"':= ` and tab, then the
//!   letters/digits);
//! * a J11 credential frame (command 0x0054: `D0 EA 83 FC 00 54 00 30 <hsum 2> <dsum 2>` + 32
//!   ID bytes + 12 password bytes): the data checksum and the 44 data bytes, whether the frame
//!   comes as raw bytes or as hex, with or without separators.
//!
//! **Addresses** (off unless [`Redactor::with_addresses`]; the support bundle turns them on,
//! the live trace keeps them): IPv6 addresses full and compressed (`FE80::XXXX` for link-local,
//! `<ipv6>` otherwise), colon-separated EUI-64s (`<ipv6>`), bare 16-hex-digit MACs (`<mac>`)
//! and bare 32-hex-digit tokens (`<redacted>`, unless they start `1081`, an ECHONET Lite
//! frame) — each only when no letter or digit touches it.
//!
//! Overlapping or touching hidden stretches become one placeholder.
//!
//! **Final check.** The one-shot [`Redactor::redact`] and [`Redactor::redact_bytes`] search
//! their result once more for every known secret as plain text and plain hex, with a separate
//! automaton; should one survive (the rules above make that impossible, the check is what makes
//! it a guarantee) the whole result is replaced by [`MARK`].
//!
//! # How
//!
//! Each rule is a small state machine reading one byte at a time (the secrets, `534D` and the
//! J11 header run on Aho–Corasick automata built once per redactor over separator-free views
//! of the input). Rules report spans to hide; an emitter merges them and writes every byte no
//! rule can still claim. Nothing rescans, nothing restarts; the bytes held back are bounded by
//! [`MAX_HOLD`].
//!
//! ```
//! let r = redact::Redactor::new().with_credentials("0000004F3A210000000000000A18C3D7", "K7QX3M9PA2TB");
//! assert_eq!(r.redact("SKSETPWD C K7QX3M9PA2TB"), "SKSETPWD C <redacted>");
//! assert_eq!(r.redact("pw is k7qx 3m9p a2tb."), "pw is <redacted>.");
//! assert_eq!(redact::redact("  PairID:0A18C3D7"), "  PairID:<redacted>");
//! // Any chunking gives the same output.
//! let mut s = r.text_stream();
//! let mut out = s.push("EPANDESC PairID:0A1");
//! out += &s.push("8C3D7\r\n");
//! out += &s.finish();
//! assert_eq!(out, "EPANDESC PairID:<redacted>\r\n");
//! ```
#![deny(unsafe_code)]
#![warn(missing_docs)]

mod ac;
mod addr;
mod emit;
mod filter;
mod hex;
mod scan;
mod stream;
mod view;

use core::fmt;
use std::sync::{Arc, OnceLock};

use ac::{tag, Ac};
use scan::Tables;
pub use stream::{Stream, TextStream};

/// What a hidden stretch becomes.
pub const MARK: &str = "<redacted>";
/// Shortest secret (after removing separators) that is looked for; shorter ones would match
/// ordinary text and are ignored.
pub const MIN_SECRET_LEN: usize = 6;
/// Longest secret piece: longer secrets are looked for as overlapping pieces of this length.
pub const MAX_SECRET_LEN: usize = 64;
/// Most secrets a redactor holds; further ones are ignored (the app knows three, the log
/// decoder learns at most 16).
pub const MAX_SECRETS: usize = 64;
/// Longest separator run allowed between two characters of a secret or hex form (`0x` counts
/// 2).
pub const MAX_SEPARATOR_RUN: usize = 8;
/// Upper bound of the bytes a stream holds back beyond the current 4 KiB block: the longest
/// pattern (128 hex digits) with the longest separator runs between its digits.
pub const MAX_HOLD: usize = 2 * MAX_SECRET_LEN * (MAX_SEPARATOR_RUN + 1);

/// A set of redaction rules: the keyword rules, the known secrets, and whether addresses are
/// hidden. Cheap to clone; the automata are built on first use and shared by clones and
/// streams. `Debug` shows only counts.
#[derive(Clone, Default)]
pub struct Redactor {
    /// Secrets, separators removed (each at most [`MAX_SECRET_LEN`] bytes).
    secrets: Vec<Vec<u8>>,
    addresses: bool,
    compiled: OnceLock<Arc<Compiled>>,
}

struct Compiled {
    tables: Arc<Tables>,
    /// The quick test of [`Redactor::may_change`] (built on first use).
    filter: OnceLock<filter::Filter>,
    /// Plain text and hex forms of every secret, on raw bytes (the final check).
    check: Option<Ac>,
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Redactor")
            .field("secrets", &self.secrets.len())
            .field("addresses", &self.addresses)
            .finish()
    }
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// A pattern of an automaton and its tag.
type Pattern = (Vec<u8>, u8);

fn hex(b: &[u8]) -> Vec<u8> {
    b.iter()
        .flat_map(|&c| [HEX[usize::from(c >> 4)], HEX[usize::from(c & 15)]])
        .collect()
}

impl Redactor {
    /// The keyword rules only: no known secret, addresses kept.
    pub fn new() -> Redactor {
        Redactor::default()
    }

    /// Also hide `secret` in every form (see the crate docs). Separator characters in it are
    /// ignored; secrets shorter than [`MIN_SECRET_LEN`] are ignored, longer than
    /// [`MAX_SECRET_LEN`] are looked for as overlapping pieces.
    pub fn with_secret(mut self, secret: &str) -> Redactor {
        let compact: Vec<u8> = secret
            .trim()
            .bytes()
            .filter(|&b| !view::is_sep(b))
            .collect();
        if compact.len() < MIN_SECRET_LEN {
            return self;
        }
        let mut pieces = Vec::new();
        if compact.len() <= MAX_SECRET_LEN {
            pieces.push(compact);
        } else {
            let mut at = 0;
            while at + MAX_SECRET_LEN < compact.len() {
                pieces.push(compact[at..at + MAX_SECRET_LEN].to_vec());
                at += MAX_SECRET_LEN / 2;
            }
            pieces.push(compact[compact.len() - MAX_SECRET_LEN..].to_vec());
        }
        for p in pieces {
            let known = self.secrets.iter().any(|s| s.eq_ignore_ascii_case(&p));
            if !known && self.secrets.len() < MAX_SECRETS {
                self.secrets.push(p);
                self.compiled = OnceLock::new();
            }
        }
        self
    }

    /// Hide the B-route ID, its Pairing ID (the last 8 characters) and the password.
    pub fn with_credentials(self, id: &str, password: &str) -> Redactor {
        let id = id.trim();
        let pair = id.char_indices().rev().nth(7).map_or("", |(i, _)| &id[i..]);
        self.with_secret(id).with_secret(pair).with_secret(password)
    }

    /// Hide addresses too (IPv6, EUI-64, MACs, 32-digit tokens).
    pub fn with_addresses(mut self, on: bool) -> Redactor {
        if self.addresses != on {
            self.addresses = on;
            self.compiled = OnceLock::new();
        }
        self
    }

    /// Number of known secrets (pieces).
    pub fn secret_count(&self) -> usize {
        self.secrets.len()
    }

    /// Whether addresses are hidden.
    pub fn hides_addresses(&self) -> bool {
        self.addresses
    }

    fn compiled(&self) -> &Arc<Compiled> {
        self.compiled.get_or_init(|| Arc::new(self.compile()))
    }

    /// The patterns of the secrets: text (upper-cased) and hex forms (each once), after the
    /// fixed hex patterns (the J11 header, `534D`).
    fn patterns(&self) -> (Vec<Pattern>, Vec<Pattern>) {
        let mut hexp: Vec<Pattern> = vec![
            (b"D0EA83FC00540030".to_vec(), tag::J11),
            (b"534D".to_vec(), tag::SM),
        ];
        let mut text = Vec::new();
        for s in &self.secrets {
            let up = s.to_ascii_uppercase();
            text.push((up.clone(), tag::SECRET));
            for form in [hex(s), hex(&up), hex(&s.to_ascii_lowercase())] {
                if !hexp.iter().any(|(p, _)| *p == form) {
                    hexp.push((form, tag::SECRET));
                }
            }
        }
        (text, hexp)
    }

    fn compile(&self) -> Compiled {
        let mut kw: Vec<(Vec<u8>, u8)> = vec![
            (b"SKSETPWD".to_vec(), tag::PWD),
            (b"SKSETRBID".to_vec(), tag::RBID),
        ];
        for k in ["PAIRID", "PAIR_ID", "PAIR ID"] {
            kw.push((k.as_bytes().to_vec(), tag::PAIR));
        }
        let (text, hexp) = self.patterns();
        // The final check: every secret pattern (text and hex forms), on raw bytes.
        let check: Vec<Pattern> = text
            .iter()
            .chain(hexp.iter())
            .filter(|(_, t)| *t == tag::SECRET)
            .cloned()
            .collect();
        let has = !self.secrets.is_empty();
        Compiled {
            filter: OnceLock::new(),
            tables: Arc::new(Tables {
                kw: Ac::new(&kw),
                hex: Ac::new(&hexp),
                text: has.then(|| Ac::new(&text)),
                addresses: self.addresses,
            }),
            check: has.then(|| Ac::new(&check)),
        }
    }

    /// A stream over bytes with these rules.
    pub fn stream(&self) -> Stream {
        Stream::new(self.compiled().tables.clone())
    }

    /// A stream over text with these rules.
    pub fn text_stream(&self) -> TextStream {
        TextStream::new(self.stream())
    }

    /// Redact bytes in one go (with the final check).
    pub fn redact_bytes(&self, input: &[u8]) -> Vec<u8> {
        let mut s = self.stream();
        let mut out = Vec::with_capacity(input.len() + 16);
        s.push_into(input, &mut out);
        s.finish_into(&mut out);
        if self.leaks(&out) {
            return MARK.as_bytes().to_vec();
        }
        out
    }

    /// Redact text in one go (with the final check). The result is valid UTF-8 by
    /// construction: every replaced stretch begins and ends at a character boundary.
    pub fn redact(&self, text: &str) -> String {
        let out = self.redact_bytes(text.as_bytes());
        match String::from_utf8(out) {
            Ok(s) => s,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        }
    }

    /// A quick, conservative test: `false` only when [`Redactor::redact_bytes`] would return
    /// `input` unchanged. Several times cheaper per byte than redacting (it looks for what
    /// starts a rule: `SKSET`, `PAIR`, `SM` + 32 letters/digits, the J11 credential header
    /// raw or in hex, `534D`, and the first characters of a known secret as text or hex); for
    /// callers that check many short texts and redact the few that may need it. Always `true`
    /// when addresses are hidden.
    pub fn may_change(&self, input: &[u8]) -> bool {
        self.compiled()
            .filter
            .get_or_init(|| {
                let (text, hexp) = self.patterns();
                let strip =
                    |v: Vec<(Vec<u8>, u8)>| v.into_iter().map(|(p, _)| p).collect::<Vec<_>>();
                filter::Filter::new(&strip(text), &strip(hexp), self.addresses)
            })
            .may_change(input)
    }

    /// True when `text` contains a known secret as plain text or plain hex (any case). This is
    /// the final check of the one-shot methods; it knows no separators and no keyword rules.
    pub fn leaks(&self, text: &[u8]) -> bool {
        let Some(ac) = &self.compiled().check else {
            return false;
        };
        let mut s = 0;
        let mut i = 0;
        while i < text.len() {
            if s == 0 {
                // At the root, bytes that start no pattern change nothing.
                i = view::skip_until(text, i, ac.start_table());
                let Some(&b) = text.get(i) else { break };
                s = ac.step(0, b);
            } else {
                s = ac.step(s, text[i]);
            }
            if ac.secret_len(s) > 0 {
                return true;
            }
            i += 1;
        }
        false
    }
}

fn default_redactor() -> &'static Redactor {
    static R: OnceLock<Redactor> = OnceLock::new();
    R.get_or_init(Redactor::new)
}

/// Redact `text` with the keyword rules only (no known secret, addresses kept).
pub fn redact(text: &str) -> String {
    default_redactor().redact(text)
}

/// Redact bytes with the keyword rules only (no known secret, addresses kept).
pub fn redact_bytes(input: &[u8]) -> Vec<u8> {
    default_redactor().redact_bytes(input)
}

/// The keyword-rules redactor shared by [`redact`] and [`redact_bytes`] (built once).
pub fn keyword_rules() -> &'static Redactor {
    default_redactor()
}
