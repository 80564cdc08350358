//! What the driver reports: command results and asynchronous output.

use std::net::Ipv6Addr;

use super::CommandId;
use crate::command::CommandKind;
use crate::detect::Detection;
use crate::error::Error;
use crate::frame::{Diagnostic, EdScan, Event, Frame, Info, PanDesc, RxUdp};

/// The successful result of a command.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Response {
    /// `OK`.
    Ok,
    /// `EVER`.
    Version(String),
    /// `EAPPVER`.
    AppVersion(String),
    /// `EINFO`.
    Info(Info),
    /// `ESREG`.
    Register(String),
    /// `SKLL64`'s address.
    Address(Ipv6Addr),
    /// `OK xx` of `ROPT`/`RUART`.
    Mode(u8),
    /// Active scan finished (`EVENT 22`): the PANs found (possibly none).
    Scan(Vec<PanDesc>),
    /// ED scan finished.
    EdScan(EdScan),
    /// `EVENT 25`.
    Joined,
    /// `EVENT 27` (`acknowledged`) or `EVENT 28` (timed out, session considered closed).
    Terminated {
        /// The peer answered.
        acknowledged: bool,
    },
    /// `SKSENDTO` accepted; `udp_result` is EVENT 21's parameter if it came before `OK`
    /// (00 sent, 01 failed, 02 neighbour solicitation sent first).
    Sent {
        /// EVENT 21 parameter.
        udp_result: Option<u8>,
    },
    /// `EPONG`.
    Pong(Ipv6Addr),
}

/// What the driver tells its caller.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DriverEvent {
    /// A submitted command finished.
    Completed {
        /// Its id.
        id: CommandId,
        /// Which command.
        command: CommandKind,
        /// The outcome.
        result: Result<Response, Error>,
    },
    /// An `EVENT` line.
    Event(Event),
    /// A PAN found by a scan.
    PanDesc(PanDesc),
    /// An ED scan result.
    EdScan(EdScan),
    /// A received UDP datagram (ECHONET Lite on port 0x0E1A, PANA on 0x02CC).
    RxUdp(RxUdp),
    /// `EPONG`.
    Pong(Ipv6Addr),
    /// Detection finished.
    Detected(Detection),
    /// ERXUDP output is binary; switching to hex with `WOPT 01` is possible but writes flash.
    /// Binary mode works with this driver, so this is only a suggestion; call
    /// [`Driver::confirm_wopt`] to send it.
    WoptProposed {
        /// Current mode byte.
        current: u8,
        /// Proposed mode byte.
        proposed: u8,
    },
    /// The dongle sent a J11 binary frame: it does not speak SKSTACK.
    J11Detected,
    /// Input was skipped.
    Diagnostic(Diagnostic),
    /// A status line with no command in flight, or a line of unknown shape.
    Unexpected(Frame),
}
