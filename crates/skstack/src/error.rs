//! The crate's error type: one enum, stable codes, no dependency.

use core::fmt;

use crate::command::CommandKind;
use crate::credentials::CredentialError;
use crate::frame::FailCode;

/// Everything that can go wrong while driving a dongle.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A credential broke a rule (never contains the secret).
    Credential(CredentialError),
    /// A command argument is out of range or malformed; nothing was sent.
    InvalidArgument {
        /// The command.
        command: CommandKind,
        /// Which argument and rule.
        what: &'static str,
    },
    /// The module answered `FAIL ERxx`.
    CommandFailed {
        /// The command.
        command: CommandKind,
        /// The code.
        code: FailCode,
    },
    /// No answer in time.
    Timeout {
        /// The command.
        command: CommandKind,
        /// What was still awaited (`"OK"`, `"EVENT 22"`, …).
        waiting_for: &'static str,
    },
    /// PANA authentication failed (`EVENT 24`): usually a wrong ID or password.
    JoinFailed,
    /// A reply that does not fit the command (e.g. `OK` without the `EVER` line).
    UnexpectedReply {
        /// The command.
        command: CommandKind,
    },
    /// The operation needs the dialect, which is not known yet (run detection first).
    DialectUnknown,
    /// The dongle speaks the J11 binary API, not SKSTACK text.
    J11Detected,
    /// `confirm_wopt` was called without a pending proposal.
    NoWoptProposal,
}

impl Error {
    /// Stable machine-readable code (for the UI's message keys and logs).
    pub fn code(&self) -> &'static str {
        match self {
            Self::Credential(e) => e.code(),
            Self::InvalidArgument { .. } => "command.invalid_argument",
            Self::CommandFailed { .. } => "command.failed",
            Self::Timeout { .. } => "command.timeout",
            Self::JoinFailed => "join.failed",
            Self::UnexpectedReply { .. } => "command.unexpected_reply",
            Self::DialectUnknown => "dialect.unknown",
            Self::J11Detected => "dongle.j11",
            Self::NoWoptProposal => "wopt.no_proposal",
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Credential(e) => e.fmt(f),
            Self::InvalidArgument { command, what } => {
                write!(f, "{}: invalid argument: {what}", command.name())
            }
            Self::CommandFailed { command, code } => {
                write!(f, "{} failed: FAIL ER{:02}", command.name(), code.number())
            }
            Self::Timeout {
                command,
                waiting_for,
            } => write!(f, "{}: timed out waiting for {waiting_for}", command.name()),
            Self::JoinFailed => {
                f.write_str("PANA authentication failed (EVENT 24): check the ID and password")
            }
            Self::UnexpectedReply { command } => write!(f, "{}: unexpected reply", command.name()),
            Self::DialectUnknown => f.write_str("the dongle's dialect is not known yet"),
            Self::J11Detected => f.write_str("the dongle speaks the J11 binary API, not SKSTACK"),
            Self::NoWoptProposal => f.write_str("no WOPT change was proposed"),
        }
    }
}

impl std::error::Error for Error {}

impl From<CredentialError> for Error {
    fn from(e: CredentialError) -> Self {
        Self::Credential(e)
    }
}
