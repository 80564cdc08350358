//! Dialect detection by probing (`../shared/protocol.md` §A.7).
//!
//! Users should not have to know which firmware their stick runs. A [`Detector`] is a pure
//! probe plan: it proposes one command at a time and learns from each outcome; a
//! [`DialectEvidence`] also learns passively from every frame that goes by (field counts of
//! `EVENT`/`ERXUDP`, `EPANDESC` with `Side:`, J11 frames).
//!
//! Probes, in order: `SKVER` (silence → a J11 "firmware version" request, since J11 modules
//! ignore text), `SKAPPVER` (`FAIL ER04` on some DSS sticks, tolerated), `SKINFO` (last field
//! `FFFE` → single-hop, a side digit → dual-stack), `ROPT` (`OK 00` binary / `OK 01` hex ERXUDP;
//! `FAIL ER04` → no such command, hex assumed as momonga does). The SKSCAN argument count is
//! learnt later, when the driver scans with an unknown dialect (4 arguments first, `FAIL ER05`
//! → single-hop).

use crate::command::Command;
use crate::frame::{DataEncoding, FailCode, Frame, InfoLast, RxUdpLayout};

/// The two SKSTACK IP families.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// Single-hop edition: BP35A1, RL7023 Stick-D/IPS, WSR35A1.
    SingleHop,
    /// Dual-stack edition: BP35C0/C2, RS-WSUHA-P, RL7023 Stick-D/DSS, MB-RL7023-11, UDG-1-WSNE.
    DualStack,
}

/// How the module shows ERXUDP data (`WOPT` bit 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ErxudpMode {
    /// Hex ASCII.
    Hex,
    /// Raw bytes (factory default).
    Binary,
    /// Not known yet; the framer decides per datagram.
    #[default]
    Unknown,
}

/// Everything learnt about the dongle so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DialectEvidence {
    /// `EVER` value.
    pub stack_version: Option<String>,
    /// `EAPPVER` value (`None` when unsupported or not asked).
    pub app_version: Option<String>,
    /// Dialect implied by the last field of `EINFO`.
    pub from_info: Option<Dialect>,
    /// Dialect implied by SKSCAN's accepted argument count.
    pub from_scan_arity: Option<Dialect>,
    /// Dialect implied by unambiguous line shapes (EVENT with side and param, ERXUDP token
    /// count, EPANDESC with `Side:`).
    pub from_shapes: Option<Dialect>,
    /// `ROPT` supported? (`FAIL ER04` → false.)
    pub supports_ropt: Option<bool>,
    /// ERXUDP mode reported by `ROPT`.
    pub ropt_mode: Option<ErxudpMode>,
    /// ERXUDP mode observed in received data.
    pub observed_mode: Option<ErxudpMode>,
    /// A J11 binary frame was seen.
    pub j11: bool,
    /// The module stayed silent to SKVER.
    pub silent: bool,
}

impl DialectEvidence {
    /// The dialect, when any evidence decides it (`EINFO` first, then SKSCAN arity, then shapes).
    pub fn dialect(&self) -> Option<Dialect> {
        self.from_info.or(self.from_scan_arity).or(self.from_shapes)
    }

    /// The ERXUDP mode: `ROPT` first, then what was observed.
    pub fn erxudp_mode(&self) -> ErxudpMode {
        self.ropt_mode.or(self.observed_mode).unwrap_or_default()
    }

    /// Learn passively from a frame.
    pub fn observe(&mut self, f: &Frame) {
        match f {
            Frame::Info(i) => {
                self.from_info = Some(match i.last {
                    InfoLast::Addr16(_) => Dialect::SingleHop,
                    InfoLast::Side(_) => Dialect::DualStack,
                })
            }
            Frame::Ever(v) => self.stack_version = Some(v.clone()),
            Frame::AppVer(v) => self.app_version = Some(v.clone()),
            Frame::Event(e) if e.side.is_some() && e.param.is_some() => {
                self.from_shapes = Some(Dialect::DualStack)
            }
            Frame::RxUdp(r) => {
                self.from_shapes = Some(match r.layout {
                    RxUdpLayout::SingleHop => Dialect::SingleHop,
                    _ => Dialect::DualStack,
                });
                self.observed_mode = Some(match r.encoding {
                    DataEncoding::Hex => ErxudpMode::Hex,
                    DataEncoding::Binary => ErxudpMode::Binary,
                });
            }
            Frame::PanDesc(p) if p.side.is_some() => self.from_shapes = Some(Dialect::DualStack),
            Frame::J11(_) => self.j11 = true,
            _ => {}
        }
    }

    /// The summary for the caller.
    pub fn detection(&self) -> Detection {
        Detection {
            dialect: self.dialect(),
            erxudp_mode: self.erxudp_mode(),
            stack_version: self.stack_version.clone(),
            app_version: self.app_version.clone(),
            supports_ropt: self.supports_ropt,
            j11: self.j11,
        }
    }
}

/// The outcome of detection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detection {
    /// Dialect, if decided.
    pub dialect: Option<Dialect>,
    /// ERXUDP data mode.
    pub erxudp_mode: ErxudpMode,
    /// `EVER`.
    pub stack_version: Option<String>,
    /// `EAPPVER`.
    pub app_version: Option<String>,
    /// `ROPT` support.
    pub supports_ropt: Option<bool>,
    /// The dongle speaks J11 binary frames, not SKSTACK.
    pub j11: bool,
}

/// How a probe ended, as the driver reports it to the [`Detector`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProbeOutcome {
    /// Completed; the frames of its reply have been given to [`DialectEvidence::observe`].
    Done,
    /// `FAIL ERxx`.
    Failed(FailCode),
    /// `OK xx` value reply (ROPT).
    Value(u8),
    /// No answer within the timeout.
    TimedOut,
}

/// The probe steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Ver,
    J11Probe,
    AppVer,
    Info,
    Ropt,
    Done,
}

/// A pure probe plan. Call [`Detector::next_probe`] for the command to send, then
/// [`Detector::on_outcome`] with how it ended; repeat until it returns `None`.
#[derive(Debug, Clone)]
pub struct Detector {
    step: Step,
    /// The evidence gathered (also fed passively by the driver).
    pub evidence: DialectEvidence,
}

/// What the detector wants sent next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Probe {
    /// A text command.
    Command(Command),
    /// Raw bytes: the J11 firmware-version request.
    J11Request(Vec<u8>),
}

impl Default for Detector {
    fn default() -> Self {
        Self::new()
    }
}

impl Detector {
    /// A fresh plan.
    pub fn new() -> Self {
        Self {
            step: Step::Ver,
            evidence: DialectEvidence::default(),
        }
    }

    /// The next probe, or `None` when detection is finished.
    pub fn next_probe(&self) -> Option<Probe> {
        Some(match self.step {
            Step::Ver => Probe::Command(Command::Ver),
            Step::J11Probe => Probe::J11Request(crate::j11::firmware_version_request()),
            Step::AppVer => Probe::Command(Command::AppVer),
            Step::Info => Probe::Command(Command::Info),
            Step::Ropt => Probe::Command(Command::Ropt),
            Step::Done => return None,
        })
    }

    /// Learn from the outcome of the probe last returned by [`Detector::next_probe`].
    pub fn on_outcome(&mut self, outcome: &ProbeOutcome) {
        if self.evidence.j11 {
            self.step = Step::Done;
            return;
        }
        self.step = match (self.step, outcome) {
            (Step::Ver, ProbeOutcome::TimedOut) => {
                self.evidence.silent = true;
                Step::J11Probe
            }
            (Step::Ver, _) => Step::AppVer,
            (Step::J11Probe, _) => Step::Done,
            (Step::AppVer, _) => Step::Info,
            (Step::Info, _) => Step::Ropt,
            (Step::Ropt, ProbeOutcome::Value(v)) => {
                self.evidence.supports_ropt = Some(true);
                self.evidence.ropt_mode = Some(if v & 1 == 1 {
                    ErxudpMode::Hex
                } else {
                    ErxudpMode::Binary
                });
                Step::Done
            }
            (Step::Ropt, ProbeOutcome::Failed(FailCode::NotSupported)) => {
                // momonga: no ROPT means ASCII (hex) output.
                self.evidence.supports_ropt = Some(false);
                Step::Done
            }
            (Step::Ropt, _) => Step::Done,
            (Step::Done, _) => Step::Done,
        };
    }

    /// True when [`Detector::next_probe`] returns `None`.
    pub fn is_done(&self) -> bool {
        self.step == Step::Done
    }

    /// Whether detection suggests switching ERXUDP output to hex with `WOPT 01` (a flash write —
    /// only ever sent after the caller confirms). Returns the current mode byte when so.
    pub fn wopt_suggestion(&self) -> Option<u8> {
        (self.evidence.ropt_mode == Some(ErxudpMode::Binary)).then_some(0x00)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::{parse_line, ParseContext};

    fn feed(ev: &mut DialectEvidence, line: &str) {
        let mut v = Vec::new();
        parse_line(line.as_bytes(), ParseContext::default(), &mut v);
        for f in &v {
            ev.observe(f);
        }
    }

    #[test]
    fn plan_for_dual_stack_binary() {
        let mut d = Detector::new();
        assert_eq!(d.next_probe(), Some(Probe::Command(Command::Ver)));
        feed(&mut d.evidence, "EVER 1.5.2");
        d.on_outcome(&ProbeOutcome::Done);
        assert_eq!(d.next_probe(), Some(Probe::Command(Command::AppVer)));
        d.on_outcome(&ProbeOutcome::Failed(FailCode::NotSupported));
        assert_eq!(d.next_probe(), Some(Probe::Command(Command::Info)));
        feed(
            &mut d.evidence,
            "EINFO FE80:0000:0000:0000:021D:1291:0004:FFFF 001D12910004FFFF 39 9E08 0",
        );
        d.on_outcome(&ProbeOutcome::Done);
        assert_eq!(d.next_probe(), Some(Probe::Command(Command::Ropt)));
        d.on_outcome(&ProbeOutcome::Value(0));
        assert!(d.is_done());
        let det = d.evidence.detection();
        assert_eq!(det.dialect, Some(Dialect::DualStack));
        assert_eq!(det.erxudp_mode, ErxudpMode::Binary);
        assert_eq!(det.stack_version.as_deref(), Some("1.5.2"));
        assert_eq!(det.supports_ropt, Some(true));
        assert_eq!(d.wopt_suggestion(), Some(0));
    }

    #[test]
    fn ropt_not_supported_and_single_hop() {
        let mut d = Detector::new();
        d.on_outcome(&ProbeOutcome::Done);
        d.on_outcome(&ProbeOutcome::Done);
        feed(
            &mut d.evidence,
            "EINFO FE80:0000:0000:0000:021D:1291:0004:FFFF 001D12910004FFFF 21 FFFF FFFE",
        );
        d.on_outcome(&ProbeOutcome::Done);
        d.on_outcome(&ProbeOutcome::Failed(FailCode::NotSupported));
        assert!(d.is_done());
        assert_eq!(d.evidence.dialect(), Some(Dialect::SingleHop));
        assert_eq!(d.evidence.supports_ropt, Some(false));
        assert_eq!(d.wopt_suggestion(), None);
    }

    #[test]
    fn silence_leads_to_j11_probe() {
        let mut d = Detector::new();
        d.on_outcome(&ProbeOutcome::TimedOut);
        assert!(matches!(d.next_probe(), Some(Probe::J11Request(_))));
        d.evidence.observe(&Frame::J11(crate::j11::J11Frame {
            command: 0x206B,
            data: vec![],
            data_checksum_ok: true,
        }));
        d.on_outcome(&ProbeOutcome::Done);
        assert!(d.is_done());
        assert!(d.evidence.detection().j11);
    }

    #[test]
    fn shapes_give_passive_evidence() {
        let mut ev = DialectEvidence::default();
        feed(
            &mut ev,
            "EVENT 21 FE80:0000:0000:0000:021C:6400:03DD:6393 00",
        );
        assert_eq!(ev.dialect(), None);
        feed(
            &mut ev,
            "EVENT 21 FE80:0000:0000:0000:021C:6400:03DD:6393 0 00",
        );
        assert_eq!(ev.dialect(), Some(Dialect::DualStack));
        let mut ev = DialectEvidence::default();
        feed(&mut ev, "ERXUDP FE80:0000:0000:0000:021C:6400:03DD:6393 FE80:0000:0000:0000:1207:23FF:FEA0:77E3 0E1A 0E1A 001C640003DD6393 1 0001 10");
        assert_eq!(ev.dialect(), Some(Dialect::SingleHop));
        assert_eq!(ev.erxudp_mode(), ErxudpMode::Hex);
    }
}
