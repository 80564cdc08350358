//! `broute run`: drive the engine against a serial device — a real Wi-SUN dongle, or the
//! simulator's pseudo-terminal (`broute sim --pty`) — and print what it reads.
//!
//! Credentials come from `BROUTE_ID` / `BROUTE_PASSWORD` or an interactive prompt (no echo on
//! a terminal); they are never printed. The pairing profile (channel, PAN ID, MAC, dialect —
//! no secret) is kept in `--profile FILE` so the next start skips the scan.

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, ErrorKind, IsTerminal, Read, Write};
use std::os::fd::AsFd;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use broute::{
    Config, Dialect, Engine, Event, HistoryRequest, Instant, PairingProfile, Phase, RouteBId,
    RouteBPassword,
};
use nix::fcntl::{fcntl, FcntlArg, OFlag};
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::termios::{
    cfmakeraw, cfsetspeed, tcflush, tcgetattr, tcsetattr, BaudRate, ControlFlags, FlushArg,
    InputFlags, LocalFlags, SetArg, SpecialCharacterIndices,
};
use skstack::normalize_input;

use crate::args::RunArgs;
use crate::run_render::secs;
pub use crate::run_render::{event_json, event_text};

/// Parsed options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Serial device.
    pub port: PathBuf,
    /// Seconds between polls.
    pub interval_s: u64,
    /// Pairing profile file.
    pub profile: Option<PathBuf>,
    /// Days of history to read after the first reading.
    pub history_days: Option<u8>,
    /// JSON lines output.
    pub json: bool,
}

impl From<RunArgs> for Options {
    fn from(a: RunArgs) -> Options {
        Options {
            port: a.port.unwrap_or_default(),
            interval_s: a.interval,
            profile: a.profile,
            history_days: a.history,
            json: a.json,
        }
    }
}

/// Parse `broute run` options (without the subcommand). `Ok(None)` = help was asked.
#[cfg(test)]
pub fn parse_args(args: &[String]) -> Result<Option<Options>, String> {
    Ok(crate::args::parse_sub::<RunArgs>("broute run", args)?.map(Options::from))
}

// ---------------------------------------------------------------- pairing profile file

pub(crate) fn dialect_name(d: Dialect) -> &'static str {
    match d {
        Dialect::SingleHop => "single_hop",
        Dialect::DualStack => "dual_stack",
        Dialect::J11 => "j11",
    }
}

/// Write the profile to `path` (via a temporary file and a rename, so a crash never leaves
/// half a file).
pub fn save_profile(path: &Path, p: &PairingProfile) -> io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let text = serde_json::to_string_pretty(p).map_err(io::Error::other)?;
    std::fs::write(&tmp, text + "\n")?;
    std::fs::rename(&tmp, path)
}

/// Load the profile from `path`: `Ok(None)` when the file does not exist.
pub fn load_profile(path: &Path) -> Result<Option<PairingProfile>, String> {
    match std::fs::read_to_string(path) {
        Ok(t) => PairingProfile::from_json(&t)
            .map(Some)
            .map_err(|e| e.to_string()),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e.to_string()),
    }
}

// ---------------------------------------------------------------- credentials

/// Restores the terminal's echo when dropped.
struct EchoOff<'a> {
    fd: &'a io::Stdin,
    saved: nix::sys::termios::Termios,
}

impl Drop for EchoOff<'_> {
    fn drop(&mut self) {
        let _ = tcsetattr(self.fd, SetArg::TCSANOW, &self.saved);
    }
}

/// Read one line from stdin after a prompt on stderr, without echo when stdin is a terminal.
fn read_secret(prompt: &str) -> io::Result<String> {
    let stdin = io::stdin();
    let tty = stdin.is_terminal();
    eprint!("{prompt}: ");
    let _ = io::stderr().flush();
    let _guard = if tty {
        let saved = tcgetattr(&stdin).map_err(io::Error::from)?;
        let mut t = saved.clone();
        t.local_flags.remove(LocalFlags::ECHO);
        t.local_flags.insert(LocalFlags::ECHONL);
        tcsetattr(&stdin, SetArg::TCSANOW, &t).map_err(io::Error::from)?;
        Some(EchoOff { fd: &stdin, saved })
    } else {
        None
    };
    let mut line = String::new();
    let n = stdin.lock().read_line(&mut line)?;
    if !tty {
        eprintln!();
    }
    if n == 0 {
        return Err(io::Error::new(ErrorKind::UnexpectedEof, "no input"));
    }
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

/// Validate a typed or pasted ID (spaces and hyphens removed first). The error is the typed
/// error's message, which never contains the secret.
pub fn parse_id(s: &str) -> Result<RouteBId, String> {
    RouteBId::new(&normalize_input(s).text).map_err(|e| e.to_string())
}

/// Validate a typed or pasted password, like [`parse_id`].
pub fn parse_password(s: &str) -> Result<RouteBPassword, String> {
    RouteBPassword::new(&normalize_input(s).text).map_err(|e| e.to_string())
}

fn credentials() -> Result<(RouteBId, RouteBPassword), String> {
    let get = |var: &str, prompt: &str| -> Result<String, String> {
        match std::env::var(var) {
            Ok(v) => Ok(v),
            Err(_) => read_secret(prompt).map_err(|e| format!("cannot read {prompt}: {e}")),
        }
    };
    let id = get("BROUTE_ID", "B-route authentication ID (32 characters)")?;
    let id = parse_id(&id)?;
    let pw = parse_password(&get("BROUTE_PASSWORD", "B-route password (12 characters)")?)?;
    Ok((id, pw))
}

// ---------------------------------------------------------------- serial port

/// Open `path` raw, 115200 8N1, no flow control, blocking (reads happen only after poll()).
pub fn open_serial(path: &Path) -> Result<File, String> {
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        // O_NONBLOCK: do not wait for carrier on open; cleared below.
        .custom_flags(nix::libc::O_NOCTTY | nix::libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let err = |what: &str, e: nix::errno::Errno| format!("{}: {what}: {e}", path.display());
    let mut t = tcgetattr(&file).map_err(|e| err("not a serial device (tcgetattr)", e))?;
    cfmakeraw(&mut t);
    cfsetspeed(&mut t, BaudRate::B115200).map_err(|e| err("cfsetspeed", e))?;
    t.control_flags.remove(
        ControlFlags::CSIZE | ControlFlags::PARENB | ControlFlags::CSTOPB | ControlFlags::CRTSCTS,
    );
    t.control_flags
        .insert(ControlFlags::CS8 | ControlFlags::CLOCAL | ControlFlags::CREAD);
    t.input_flags
        .remove(InputFlags::IXON | InputFlags::IXOFF | InputFlags::IXANY);
    t.control_chars[SpecialCharacterIndices::VMIN as usize] = 1;
    t.control_chars[SpecialCharacterIndices::VTIME as usize] = 0;
    tcsetattr(&file, SetArg::TCSANOW, &t).map_err(|e| err("tcsetattr", e))?;
    let _ = tcflush(&file, FlushArg::TCIOFLUSH);
    let flags = fcntl(&file, FcntlArg::F_GETFL).map_err(|e| err("fcntl", e))?;
    fcntl(
        &file,
        FcntlArg::F_SETFL(OFlag::from_bits_truncate(flags) & !OFlag::O_NONBLOCK),
    )
    .map_err(|e| err("fcntl", e))?;
    Ok(file)
}

// ---------------------------------------------------------------- main loop

/// Entry point of `broute run`.
pub fn run(args: RunArgs) -> ExitCode {
    let opts = Options::from(args);
    let profile = match opts.profile.as_deref().map(load_profile) {
        Some(Ok(p)) => p,
        Some(Err(e)) => {
            eprintln!("broute run: ignoring the pairing profile file: {e}");
            None
        }
        None => None,
    };
    let (id, pw) = match credentials() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("broute run: {e}");
            return ExitCode::from(2);
        }
    };
    let port = match open_serial(&opts.port) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("broute run: {e}");
            return ExitCode::FAILURE;
        }
    };
    match drive(&opts, port, id, pw, profile) {
        Ok(code) => code,
        Err(e) if e.kind() == ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("broute run: {e}");
            ExitCode::FAILURE
        }
    }
}

fn drive(
    opts: &Options,
    mut port: File,
    id: RouteBId,
    pw: RouteBPassword,
    profile: Option<PairingProfile>,
) -> io::Result<ExitCode> {
    let cfg = Config {
        poll_interval: Duration::from_secs(opts.interval_s),
        ..Config::default()
    };
    let mut engine = Engine::new(cfg);
    let t0 = std::time::Instant::now();
    let now = || Instant(t0.elapsed().as_millis() as u64);
    engine.set_credentials(id, pw, now());
    if let Some(p) = profile {
        engine.set_profile(p);
    }
    let mut out = io::stdout().lock();
    let mut history_asked = opts.history_days.is_none();
    let mut buf = [0u8; 4096];
    engine.start(now());
    loop {
        while let Some(bytes) = engine.poll_transmit() {
            if let Err(e) = port.write_all(&bytes) {
                eprintln!("broute run: write to {}: {e}", opts.port.display());
                engine.serial_lost(now());
            }
        }
        let mut stopped = false;
        let mut moved = false;
        while let Some(ev) = engine.poll_event() {
            let t = now().as_millis();
            let line = if opts.json {
                event_json(t, &ev, engine.meter()).map(|v| v.to_string())
            } else {
                event_text(t, &ev, engine.meter())
            };
            if let Some(l) = line {
                writeln!(out, "{l}")?;
            }
            match &ev {
                Event::Profile(p) => {
                    if let Some(path) = &opts.profile {
                        if let Err(e) = save_profile(path, p) {
                            eprintln!(
                                "broute run: cannot save the pairing profile to {}: {e}",
                                path.display()
                            );
                        } else if !opts.json {
                            writeln!(
                                out,
                                "{} pairing profile saved to {}",
                                secs(t),
                                path.display()
                            )?;
                        }
                    }
                }
                Event::Reading(_) if !history_asked => {
                    history_asked = true;
                    if let Some(d) = opts.history_days {
                        engine.request_history(HistoryRequest::Days { from: 0, to: d - 1 }, now());
                        moved = true;
                    }
                }
                Event::Phase(Phase::Stopped) => stopped = true,
                _ => {}
            }
        }
        out.flush()?;
        if stopped {
            return Ok(ExitCode::FAILURE);
        }
        if moved {
            continue;
        }
        let t = now();
        let wait_ms = match engine.poll_timeout() {
            Some(d) if d.as_millis() <= t.as_millis() => {
                engine.handle_timeout(t);
                continue;
            }
            Some(d) => (d.as_millis() - t.as_millis()).min(1000),
            None => 1000,
        };
        let mut fds = [PollFd::new(port.as_fd(), PollFlags::POLLIN)];
        let ready = match poll(&mut fds, PollTimeout::from(wait_ms as u16)) {
            Ok(n) => n > 0,
            Err(nix::errno::Errno::EINTR) => false,
            Err(e) => return Err(io::Error::from(e)),
        };
        if !ready {
            continue;
        }
        let revents = fds[0].revents().unwrap_or(PollFlags::empty());
        if revents.contains(PollFlags::POLLIN) {
            match port.read(&mut buf) {
                Ok(0) => engine.serial_lost(now()),
                Ok(n) => engine.handle_bytes(&buf[..n], now()),
                Err(e)
                    if e.kind() == ErrorKind::Interrupted || e.kind() == ErrorKind::WouldBlock => {}
                Err(e) => {
                    eprintln!("broute run: read from {}: {e}", opts.port.display());
                    engine.serial_lost(now());
                }
            }
        } else if revents.intersects(PollFlags::POLLHUP | PollFlags::POLLERR | PollFlags::POLLNVAL)
        {
            eprintln!("broute run: {} hung up", opts.port.display());
            engine.serial_lost(now());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use broute::Direction;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn parses_options() {
        let o = parse_args(&args("--port /dev/ttyUSB0")).unwrap().unwrap();
        assert_eq!(
            o,
            Options {
                port: "/dev/ttyUSB0".into(),
                interval_s: 10,
                profile: None,
                history_days: None,
                json: false,
            }
        );
        let o = parse_args(&args(
            "--json --interval 30 --profile p.json --history 3 --port /dev/pts/4",
        ))
        .unwrap()
        .unwrap();
        assert_eq!(o.interval_s, 30);
        assert_eq!(o.profile.as_deref(), Some(Path::new("p.json")));
        assert_eq!(o.history_days, Some(3));
        assert!(o.json);
        assert!(parse_args(&args("--help")).unwrap().is_none());
        for bad in [
            "",
            "--interval 10",
            "--port",
            "--port x --interval 0",
            "--port x --interval ten",
            "--port x --history 0",
            "--port x --history 101",
            "--port x --verbose",
        ] {
            assert!(parse_args(&args(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn profile_round_trip() {
        let p = PairingProfile {
            channel: 0x33,
            pan_id: 0x8A12,
            mac: skstack::Mac([0xC0, 0xF9, 0x45, 0x00, 0x40, 0x12, 0x34, 0x56]),
            dialect: Dialect::DualStack,
        };
        let j = serde_json::to_value(&p).unwrap();
        assert_eq!(j["mac"], "C0F9450040123456");
        assert_eq!(j["dialect"], "dual-stack");

        let dir = std::env::temp_dir().join(format!("broute-run-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("profile.json");
        let _ = std::fs::remove_file(&path);
        assert_eq!(load_profile(&path).unwrap(), None);
        save_profile(&path, &p).unwrap();
        assert_eq!(load_profile(&path).unwrap(), Some(p));
        std::fs::write(&path, "{\"channel\": 12}").unwrap();
        assert!(load_profile(&path).is_err());
        std::fs::write(&path, "garbage").unwrap();
        assert!(load_profile(&path).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn credential_errors_never_echo_the_secret() {
        assert!(parse_id("0000 004F 3A21-0000 0000 0000 0A18 C3D7").is_ok());
        assert!(parse_password(sim::DEMO_PASSWORD).is_ok());
        let e = parse_id("SECRETSECRET").unwrap_err();
        assert!(e.contains("32") && !e.contains("SECRET"), "{e}");
        let e = parse_password("PASSWORD!!XY").unwrap_err();
        assert!(e.contains("character 9") && !e.contains("PASSWORD"), "{e}");
    }

    #[test]
    fn renders_events() {
        let ev = Event::Triage(broute::Cause::NoMeterHeard);
        assert_eq!(
            event_text(1234, &ev, None).unwrap(),
            "[     1.234 s] triage BR-20 no_meter_heard (stopped)"
        );
        let j = event_json(1234, &ev, None).unwrap();
        assert_eq!(j["code"], "BR-20");
        assert_eq!(j["t_ms"], 1234);
        let frame = Event::Frame {
            dir: Direction::Out,
            at: Instant(0),
            bytes: vec![0x10, 0x81],
            ignored: None,
        };
        assert!(event_text(0, &frame, None).is_none());
        assert!(event_json(0, &frame, None).is_none());
    }
}
