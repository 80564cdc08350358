//! The output schema: one [`Record`] per recognised item and per line that was not recognised.
//!
//! Every record serialises as one JSON object whose first key is `schema_version`
//! ([`SCHEMA_VERSION`]); `docs/decode.md` documents every field. The types here serialise and
//! deserialise losslessly (`serialize → parse → equal`), so a consumer written in Rust (the
//! support bundle's story, the app) reads records back with the same types. No floating-point
//! number appears anywhere: quantities are exact decimal strings, estimates are integers.

use std::sync::Arc;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value as J};

use crate::value::Value;

/// Version of the record schema written by this crate (`docs/decode.md`, "Versions"). The
/// unversioned output of the decoder in `skstack` (until 2026-11) is version 1.
pub const SCHEMA_VERSION: u32 = 2;

/// Field map of commands, replies, events and J11 frames (keys and values per `name`, see
/// `docs/decode.md`). Values are strings, integers, booleans, lists or objects of those.
pub type Fields = Map<String, J>;

/// Which way a line went, when the log says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dir {
    /// Host → dongle (`>>`, `TX:`, `[SEND]`, a J11 request code, …).
    Sent,
    /// Dongle → host (`<<`, `RX:`, `[RECEIVE]`, a J11 response code, …).
    Received,
    /// The dongle's echo of a command (`ECHO:`).
    Echo,
}

/// What was recognised in the input line besides the payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    /// A date and/or time (`2024-03-05 12:34:56.789`, `[12:34:56]`, ISO 8601, `2026/04/01 …`).
    Timestamp,
    /// Milliseconds since boot (`[  1668]`, `E (658)`).
    Uptime,
    /// A log level (`DEBUG`, `INFO:`, `[D]`, `trce:`).
    Level,
    /// A logger, tag or module name (`root`, `[custom_components.x]`, `[main.cpp:912]`).
    Logger,
    /// A thread name (`(MainThread)`).
    Thread,
    /// A direction marker (`>>`, `<<`, `TX:`, `[send]`, `->`, …).
    Marker,
    /// Quotes around the payload (`"…"`, `'…'`, `b'…'`), with escapes (`\r`, `\n`, `\xNN`)
    /// undone.
    Quotes,
    /// Literal `\r\n` escapes at the end of an unquoted payload.
    Escapes,
    /// Full-width or no-break spaces, or tabs, read as spaces.
    Spaces,
    /// A trailing `+NNms` (node `debug`).
    Suffix,
    /// A trailing ` ...` or ` …` (an author's elision).
    Ellipsis,
    /// Other text before the first keyword (`write_with_crln(): `, `rl7023 `).
    TextBefore,
    /// `"KEY":"VALUE"` pairs read as the line they render.
    KeyValue,
    /// A `CMD → REPLY` note split in two.
    Arrow,
    /// Hex digits masked with `X` read as `0`.
    Masked,
    /// A label or offset before a hex frame (`F1`, `0000:`).
    Label,
    /// A frame given as hex with separators (spaces, colons, commas, `0x`).
    HexSeparators,
    /// A frame given as hex over several lines.
    HexLines,
}

/// What the decoder recognised around the payload of a line; absent when the line was bare.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Input {
    /// What was stripped or undone, in the order found.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stripped: Vec<Part>,
    /// The timestamp as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    /// The timestamp in milliseconds: since 1970-01-01 for a date and time (read as local
    /// time, no zone applied unless written), since midnight for a time alone, since boot for
    /// an uptime. Comparable within one log.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub t_ms: Option<i64>,
    /// The log level as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    /// The logger name as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logger: Option<String>,
    /// The direction marker as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marker: Option<String>,
}

impl Input {
    /// Nothing recognised.
    pub fn is_empty(&self) -> bool {
        self == &Input::default()
    }

    /// Note a part (once).
    pub(crate) fn note(&mut self, p: Part) {
        if !self.stripped.contains(&p) {
            self.stripped.push(p);
        }
    }
}

/// What kind of item a record is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// An SKSTACK command (sent or echoed).
    Command,
    /// A reply to a command (`OK`, `FAIL`, `EVER`, `EINFO`, …).
    Reply,
    /// An event (`EVENT`, `ERXUDP`, `EPANDESC`, `EEDSCAN`, `EPONG`).
    Event,
    /// An ECHONET Lite frame.
    Echonet,
    /// A J11 binary frame.
    J11,
    /// A line that was not recognised, passed through.
    Unrecognised,
}

/// One ECHONET Lite property with its typed value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Property {
    /// EPC, two hex digits.
    pub epc: String,
    /// English name, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// PDC.
    pub pdc: usize,
    /// EDT as hex (empty in requests and SNA entries).
    pub edt: String,
    /// The typed value (absent when the EDT is empty or does not decode).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    /// The value as English text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Why the EDT does not decode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The fields of an `echonet` record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EchonetFields {
    /// Where the frame was found: `ERXUDP`, `SKSENDTO`, `j11`, `hex` or `json`.
    pub source: String,
    /// TID, four hex digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tid: Option<String>,
    /// SEOJ, six hex digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seoj: Option<String>,
    /// DEOJ, six hex digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deoj: Option<String>,
    /// English name of the object the properties belong to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
    /// ESV, two hex digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub esv: Option<String>,
    /// Number of properties.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opc: Option<usize>,
    /// The properties.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub props: Vec<Property>,
    /// The Get list of the SetGet family.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub get_props: Option<Vec<Property>>,
    /// A frame that does not parse: its bytes as hex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw: Option<String>,
    /// A frame that does not parse: why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The fields of an `unrecognised` record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unrecognised {
    /// The line (its payload after the recognised prefixes), invalid UTF-8 replaced.
    pub text: String,
    /// Why a line with a known keyword was not decoded (`malformed`, `incomplete_block`,
    /// `truncated`, `too_long`, …); absent for lines of no known shape.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The kind-specific part of a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// `kind: "command"`.
    Command(Fields),
    /// `kind: "reply"`.
    Reply(Fields),
    /// `kind: "event"`.
    Event(Fields),
    /// `kind: "echonet"`.
    Echonet(Box<EchonetFields>),
    /// `kind: "j11"`.
    J11(Fields),
    /// `kind: "unrecognised"`.
    Unrecognised(Unrecognised),
}

impl Body {
    /// The record kind.
    pub fn kind(&self) -> Kind {
        match self {
            Body::Command(_) => Kind::Command,
            Body::Reply(_) => Kind::Reply,
            Body::Event(_) => Kind::Event,
            Body::Echonet(_) => Kind::Echonet,
            Body::J11(_) => Kind::J11,
            Body::Unrecognised(_) => Kind::Unrecognised,
        }
    }
}

/// One decoded item (or one unrecognised line).
#[derive(Debug, Clone)]
pub struct Record {
    /// 1-based number of the (first) input line.
    pub line: usize,
    /// Last input line, when the item spans several (a hex frame over lines, an `EPANDESC`
    /// block).
    pub end_line: Option<usize>,
    /// Command word, reply, event, ESV name, J11 message name, or `line`.
    pub name: String,
    /// Direction, when known.
    pub dir: Option<Dir>,
    /// What was recognised around the payload (shared by the records of one line).
    pub input: Option<Arc<Input>>,
    /// The kind and its fields.
    pub body: Body,
    /// Whether the redaction rules must see this record when it is rendered: its input
    /// lines matched a rule, it spans several lines, or it was read back from JSON. (Not
    /// serialised; not part of equality.)
    pub(crate) sensitive: bool,
    /// Credentials the decoder had learned when the record was made (a value learned later
    /// may be in it: then it is redacted too).
    pub(crate) epoch: usize,
}

impl PartialEq for Record {
    fn eq(&self, o: &Record) -> bool {
        self.line == o.line
            && self.end_line == o.end_line
            && self.name == o.name
            && self.dir == o.dir
            && self.input == o.input
            && self.body == o.body
    }
}

impl Eq for Record {}

impl Record {
    /// The record kind.
    pub fn kind(&self) -> Kind {
        self.body.kind()
    }

    /// The field map of commands, replies, events and J11 frames.
    pub fn fields(&self) -> Option<&Fields> {
        match &self.body {
            Body::Command(f) | Body::Reply(f) | Body::Event(f) | Body::J11(f) => Some(f),
            _ => None,
        }
    }

    /// A string field of commands, replies, events and J11 frames.
    pub fn field(&self, key: &str) -> Option<&str> {
        self.fields()?.get(key)?.as_str()
    }

    /// The ECHONET fields of an `echonet` record.
    pub fn echonet(&self) -> Option<&EchonetFields> {
        match &self.body {
            Body::Echonet(e) => Some(e),
            _ => None,
        }
    }

    /// Parse one JSON line.
    pub fn from_json(s: &str) -> Result<Record, serde_json::Error> {
        serde_json::from_str(s)
    }
}

#[derive(Serialize)]
#[serde(untagged)]
enum BodyRef<'a> {
    Map(&'a Fields),
    Echonet(&'a EchonetFields),
    Unrecognised(&'a Unrecognised),
}

#[derive(Serialize)]
struct Out<'a> {
    schema_version: u32,
    line: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_line: Option<usize>,
    kind: Kind,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    dir: Option<Dir>,
    #[serde(skip_serializing_if = "Option::is_none")]
    input: Option<&'a Input>,
    fields: BodyRef<'a>,
}

impl Serialize for Record {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let fields = match &self.body {
            Body::Command(f) | Body::Reply(f) | Body::Event(f) | Body::J11(f) => BodyRef::Map(f),
            Body::Echonet(e) => BodyRef::Echonet(e),
            Body::Unrecognised(u) => BodyRef::Unrecognised(u),
        };
        Out {
            schema_version: SCHEMA_VERSION,
            line: self.line,
            end_line: self.end_line,
            kind: self.kind(),
            name: &self.name,
            dir: self.dir,
            input: self.input.as_deref(),
            fields,
        }
        .serialize(s)
    }
}

#[derive(Deserialize)]
struct In {
    schema_version: u32,
    line: usize,
    #[serde(default)]
    end_line: Option<usize>,
    kind: Kind,
    name: String,
    #[serde(default)]
    dir: Option<Dir>,
    #[serde(default)]
    input: Option<Input>,
    fields: J,
}

impl<'de> Deserialize<'de> for Record {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let r = In::deserialize(d)?;
        if r.schema_version != SCHEMA_VERSION {
            return Err(D::Error::custom(format_args!(
                "schema_version {} is not {SCHEMA_VERSION}",
                r.schema_version
            )));
        }
        let map = |v: J| match v {
            J::Object(m) => Ok(m),
            _ => Err(D::Error::custom("fields is not an object")),
        };
        let body = match r.kind {
            Kind::Command => Body::Command(map(r.fields)?),
            Kind::Reply => Body::Reply(map(r.fields)?),
            Kind::Event => Body::Event(map(r.fields)?),
            Kind::J11 => Body::J11(map(r.fields)?),
            Kind::Echonet => Body::Echonet(Box::new(
                serde_json::from_value(r.fields).map_err(D::Error::custom)?,
            )),
            Kind::Unrecognised => {
                Body::Unrecognised(serde_json::from_value(r.fields).map_err(D::Error::custom)?)
            }
        };
        Ok(Record {
            line: r.line,
            end_line: r.end_line,
            name: r.name,
            dir: r.dir,
            input: r.input.map(Arc::new),
            body,
            sensitive: true,
            epoch: 0,
        })
    }
}
