//! Error types: [`Error`] for requests and the driver, [`MessageError`] for data that does not
//! parse. Neither ever carries a credential or data bytes.

use core::fmt;
use core::time::Duration;

use crate::request::RequestKind;
use crate::response::SendDetail;
use crate::result::ResultCode;

/// Why the data of a frame does not parse as the message its command code names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageError {
    /// No request, response or notification has this code.
    UnknownCommand(u16),
    /// The frame has the other unique code (a request where a response was expected, or the
    /// reverse).
    WrongDirection(u16),
    /// The data ends before a field.
    Truncated {
        /// The command code.
        command: u16,
        /// Bytes needed.
        need: usize,
        /// Bytes present.
        have: usize,
    },
    /// A field holds a value the message does not allow.
    InvalidValue {
        /// The command code.
        command: u16,
        /// Which field and rule.
        what: &'static str,
    },
}

impl MessageError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::UnknownCommand(_) => "j11.message.unknown_command",
            Self::WrongDirection(_) => "j11.message.wrong_direction",
            Self::Truncated { .. } => "j11.message.truncated",
            Self::InvalidValue { .. } => "j11.message.invalid_value",
        }
    }
}

impl fmt::Display for MessageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownCommand(c) => write!(f, "unknown command code {c:#06X}"),
            Self::WrongDirection(c) => write!(f, "frame {c:#06X} has the other unique code"),
            Self::Truncated {
                command,
                need,
                have,
            } => write!(
                f,
                "{command:#06X}: data too short ({have} bytes, need {need})"
            ),
            Self::InvalidValue { command, what } => write!(f, "{command:#06X}: {what}"),
        }
    }
}

impl std::error::Error for MessageError {}

/// Everything that can go wrong with a request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// An argument is out of range; nothing was sent.
    InvalidArgument {
        /// The request.
        request: RequestKind,
        /// Which argument and rule.
        what: &'static str,
    },
    /// The B-route ID has a character outside 0–9, A–F, a–f (the J11 module takes only hex
    /// digits; lower-case ones are upper-cased). Never contains the character.
    IdNotHex {
        /// 1-based position of the first bad character.
        position: usize,
    },
    /// The request queue is full.
    QueueFull,
    /// The module answered with a result other than success.
    Failed {
        /// The request.
        request: RequestKind,
        /// The result byte.
        result: ResultCode,
    },
    /// 0x2008 with result success but a send detail that means the datagram did not go out
    /// (hourly limit, CCA, no ACK, other). `R = 01` only means "accepted" (pitfall 6).
    NotSent {
        /// The detail byte.
        detail: SendDetail,
    },
    /// The response's data did not parse.
    Malformed {
        /// The request.
        request: RequestKind,
        /// What was wrong.
        error: MessageError,
    },
    /// No response in time.
    Timeout {
        /// The request.
        request: RequestKind,
        /// How long the driver waited.
        after: Duration,
    },
    /// The module answered 0x2FFF: it saw a bad header checksum.
    HeaderSumRejected,
    /// The module answered 0xFFFF: it does not know the command.
    CommandRejected,
    /// The module booted (0x6019) while the request was waiting: it will not answer.
    ModuleRestarted,
    /// [`crate::Driver::cancel_all`] dropped the request.
    Cancelled,
}

impl Error {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidArgument { .. } => "j11.invalid_argument",
            Self::IdNotHex { .. } => "j11.id_not_hex",
            Self::QueueFull => "j11.queue_full",
            Self::Failed { .. } => "j11.failed",
            Self::NotSent { .. } => "j11.not_sent",
            Self::Malformed { .. } => "j11.malformed",
            Self::Timeout { .. } => "j11.timeout",
            Self::HeaderSumRejected => "j11.header_sum_rejected",
            Self::CommandRejected => "j11.command_rejected",
            Self::ModuleRestarted => "j11.module_restarted",
            Self::Cancelled => "j11.cancelled",
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidArgument { request, what } => write!(f, "{}: {what}", request.name()),
            Self::IdNotHex { position } => write!(
                f,
                "authentication ID: character {position} is not a hex digit (0-9, A-F)"
            ),
            Self::QueueFull => f.write_str("too many requests queued"),
            Self::Failed { request, result } => write!(f, "{} failed: {result}", request.name()),
            Self::NotSent { detail } => write!(f, "UDP datagram not sent: {detail}"),
            Self::Malformed { request, error } => {
                write!(f, "{}: malformed response: {error}", request.name())
            }
            Self::Timeout { request, after } => write!(
                f,
                "{}: no response within {} ms",
                request.name(),
                after.as_millis()
            ),
            Self::HeaderSumRejected => {
                f.write_str("the module reported a bad header checksum (0x2FFF)")
            }
            Self::CommandRejected => f.write_str("the module does not know the command (0xFFFF)"),
            Self::ModuleRestarted => f.write_str("the module restarted before answering"),
            Self::Cancelled => f.write_str("request cancelled"),
        }
    }
}

impl std::error::Error for Error {}
