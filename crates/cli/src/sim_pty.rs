//! `broute sim --pty`: serve the simulated dongle on a pseudo-terminal, in real time, so
//! that any serial program (picocom, minicom, screen, another B-route library) can talk
//! to it as if it were a USB Wi-SUN dongle. See docs/sim.md.

use std::fs::File;
use std::io::{ErrorKind, Read, Write};
use std::os::fd::AsFd;
use std::process::ExitCode;
use std::time::Instant;

use nix::fcntl::{fcntl, FcntlArg, OFlag};
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::pty::openpty;
use nix::sys::termios::{cfmakeraw, tcgetattr, tcsetattr, SetArg};
use nix::unistd::ttyname;
use sim::{CivilDateTime, Dialect, Fault, Scenario, Sim, PRESETS};

use crate::args::SimArgs;

fn list() {
    println!("presets:");
    for (n, d) in PRESETS {
        println!("  {n:<16} {d}");
    }
    println!("faults:");
    for f in Fault::ALL {
        println!("  {:<16} {}", f.name(), f.describe());
    }
}

fn parse_start(s: &str) -> Option<CivilDateTime> {
    let (date, time) = s.split_once([' ', 'T'])?;
    let d: Vec<u16> = date
        .split('-')
        .map(|x| x.parse().ok())
        .collect::<Option<_>>()?;
    let t: Vec<u8> = time
        .split(':')
        .map(|x| x.parse().ok())
        .collect::<Option<_>>()?;
    let (&y, &mo, &da) = (d.first()?, d.get(1)?, d.get(2)?);
    Some(CivilDateTime::new(
        y,
        mo as u8,
        da as u8,
        *t.first()?,
        *t.get(1)?,
        t.get(2).copied().unwrap_or(0),
    ))
}

/// The scenario the arguments describe: the preset, then the dialect, then the other
/// settings; `Err` carries the message for stderr.
pub fn scenario(a: &SimArgs) -> Result<Scenario, String> {
    if !a.pty {
        return Err("only --pty is supported: broute sim --pty [OPTIONS]".into());
    }
    let mut sc = match &a.preset {
        Some(v) => Scenario::preset(v).ok_or(format!("unknown preset '{v}' (see --list)"))?,
        None => Scenario::default(),
    };
    if let Some(v) = &a.dialect {
        let d = Dialect::from_name(v).ok_or(format!("unknown dialect '{v}'"))?;
        let fresh = Scenario::new(d);
        sc.dialect = d;
        sc.erxudp_hex = fresh.erxudp_hex;
        sc.uart_mode = fresh.uart_mode;
        sc.dongle_mac = fresh.dongle_mac;
    }
    for v in &a.fault {
        let f = Fault::from_name(v).ok_or(format!("unknown fault '{v}' (see --list)"))?;
        sc.faults.set(f, true);
    }
    if let Some(n) = a.seed {
        sc.seed = n;
    }
    if a.hex {
        sc.erxudp_hex = true;
    }
    if a.binary {
        sc.erxudp_hex = false;
    }
    if a.no_echo {
        sc.echo = false;
    }
    if a.accept_any {
        sc.accept_any_credentials = true;
    }
    if a.zero_sums {
        sc.j11_zero_sum_lenience = true;
    }
    if let Some(v) = &a.start {
        sc.start = parse_start(v).ok_or(format!("bad --start '{v}' (want 'YYYY-MM-DD HH:MM')"))?;
    }
    if let Some(n) = a.min_scan_duration {
        sc.min_scan_duration = n;
    }
    if let Some(n) = a.lifetime {
        sc.pana_lifetime_s = n;
    }
    Ok(sc)
}

/// Parse options into a scenario; `Err` carries the message for stderr.
#[cfg(test)]
pub fn scenario_from_args(args: &[String]) -> Result<(Scenario, bool), String> {
    let a = crate::args::parse_sub::<SimArgs>("broute sim", args)?.ok_or("help asked")?;
    Ok((scenario(&a)?, a.quiet))
}

/// Entry point of `broute sim`.
pub fn run(a: SimArgs) -> ExitCode {
    if a.list {
        list();
        return ExitCode::SUCCESS;
    }
    let sc = match scenario(&a) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("broute sim: {e}");
            return ExitCode::from(2);
        }
    };
    match serve(sc, a.quiet) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("broute sim: {e}");
            ExitCode::FAILURE
        }
    }
}

fn serve(sc: Scenario, quiet: bool) -> Result<(), String> {
    let pty = openpty(None, None).map_err(|e| format!("openpty: {e}"))?;
    let mut tio = tcgetattr(&pty.slave).map_err(|e| format!("tcgetattr: {e}"))?;
    cfmakeraw(&mut tio);
    tcsetattr(&pty.slave, SetArg::TCSANOW, &tio).map_err(|e| format!("tcsetattr: {e}"))?;
    let path = ttyname(&pty.slave).map_err(|e| format!("ttyname: {e}"))?;
    // Writes to the master must never block the clock: drop bytes nobody reads, as a
    // real UART with no host attached would.
    let flags = fcntl(&pty.master, FcntlArg::F_GETFL).map_err(|e| format!("fcntl: {e}"))?;
    fcntl(
        &pty.master,
        FcntlArg::F_SETFL(OFlag::from_bits_truncate(flags) | OFlag::O_NONBLOCK),
    )
    .map_err(|e| format!("fcntl: {e}"))?;
    // Keep our own slave handle open so the master does not hang up between clients.
    let _slave = pty.slave;
    let mut master = File::from(pty.master);

    println!("{}", path.display());
    let _ = std::io::stdout().flush();
    if !quiet {
        let m = sc.meters.first();
        let j11 = sc.dialect == Dialect::J11;
        if j11 {
            eprintln!(
                "broute sim: J11 binary-API module, checksums {}, start {} JST",
                if sc.j11_zero_sum_lenience {
                    "checked (0000 accepted)"
                } else {
                    "checked"
                },
                sc.start
            );
        } else {
            eprintln!(
                "broute sim: {:?} dongle, ERXUDP {}, echo {}, start {} JST",
                sc.dialect,
                if sc.erxudp_hex { "hex" } else { "binary" },
                if sc.echo { "on" } else { "off" },
                sc.start
            );
        }
        if let Some(m) = m {
            let ch = if j11 {
                format!("J11 channel {:02X}", m.j11_channel())
            } else {
                format!("channel {:02X}", m.channel)
            };
            eprintln!(
                "broute sim: meter on {ch}, PAN {:04X}, MAC {:016X}\nbroute sim: B-route ID {}  password {}",
                m.pan_id, m.mac, m.route_b_id, m.password
            );
        }
        let faults: Vec<&str> = sc.faults.iter().map(|f| f.name()).collect();
        if !faults.is_empty() {
            eprintln!("broute sim: faults {}", faults.join(", "));
        }
        eprintln!("broute sim: serving; Ctrl-C to stop");
    }

    let mut sim = Sim::new(sc);
    let t0 = Instant::now();
    let mut buf = [0u8; 4096];
    loop {
        let now = t0.elapsed().as_millis() as u64;
        let out = sim.read(now);
        if !out.is_empty() {
            match master.write(&out) {
                Ok(_) => {}
                Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                Err(e) if e.raw_os_error() == Some(nix::libc::EIO) => {}
                Err(e) => return Err(format!("write: {e}")),
            }
        }
        if sim.is_unplugged() {
            eprintln!("broute sim: device unplugged");
            return Ok(());
        }
        let wait = match sim.next_deadline() {
            Some(d) => d.saturating_sub(now).min(1000),
            None => 1000,
        };
        let mut fds = [PollFd::new(master.as_fd(), PollFlags::POLLIN)];
        match poll(&mut fds, PollTimeout::from(wait as u16)) {
            Ok(n) if n > 0 => {}
            Ok(_) => continue,
            Err(nix::errno::Errno::EINTR) => continue,
            Err(e) => return Err(format!("poll: {e}")),
        }
        match master.read(&mut buf) {
            Ok(0) => {}
            Ok(n) => {
                let now = t0.elapsed().as_millis() as u64;
                sim.write(now, &buf[..n]);
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock || e.kind() == ErrorKind::Interrupted => {}
            // EIO: no process has the slave open (we hold one, so rare); wait a bit.
            Err(e) if e.raw_os_error() == Some(nix::libc::EIO) => {
                std::thread::sleep(std::time::Duration::from_millis(50))
            }
            Err(e) => return Err(format!("read: {e}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn options() {
        let (sc, _) = scenario_from_args(&args(
            "--pty --preset wrong-password --dialect dual-stack --hex --seed 9",
        ))
        .unwrap();
        assert_eq!(sc.dialect, Dialect::DualStack);
        assert!(sc.erxudp_hex);
        assert_eq!(sc.seed, 9);
        assert!(sc.faults.contains(Fault::WrongPassword));
        let (sc, _) = scenario_from_args(&args("--pty --fault sna-d3 --fault no-data")).unwrap();
        assert!(sc.faults.contains(Fault::GetSnaD3) && sc.faults.contains(Fault::NoData));
        assert!(scenario_from_args(&args("--preset demo")).is_err());
        let (sc, _) = scenario_from_args(&args("--pty --dialect j11 --zero-sums")).unwrap();
        assert_eq!(sc.dialect, Dialect::J11);
        assert!(sc.j11_zero_sum_lenience);
        let (sc, _) =
            scenario_from_args(&args("--pty --preset j11 --fault hostile-neighbour")).unwrap();
        assert_eq!(sc.dialect, Dialect::J11);
        assert!(sc.faults.contains(Fault::HostileNeighbour));
        assert!(scenario_from_args(&args("--pty --fault nope")).is_err());
        assert_eq!(
            parse_start("2026-11-26 09:00").unwrap().to_string(),
            "2026-11-26 09:00:00"
        );
    }
}
