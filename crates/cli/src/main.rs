//! `broute`: command-line companion of the B-route Commissioner (log decoder, simulator, runner).
#![deny(unsafe_code)]

mod decode;
mod run;
mod sim_pty;
mod sim_run;

use std::process::ExitCode;

const USAGE: &str = "usage:
  broute --version            print the version
  broute decode [FILE]        decode a serial log (stdin when FILE is absent or '-')
                              into one JSON object per line (see docs/decode.md)
  broute sim --pty [OPTIONS]  serve a simulated dongle + meter on a pseudo-terminal
                              (see broute sim --help and docs/sim.md)
  broute run --port DEVICE    commission the meter through a dongle (or a sim pty) and
                              print readings (see broute run --help)
  broute sim-run [OPTIONS]    run the engine against the in-process simulator on a
                              virtual clock; print timings and airtime as JSON
  broute help                 this text";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("--version") | Some("-V") => {
            println!("broute {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Some("decode") => decode::run(&args[1..]),
        Some("sim") => sim_pty::run(&args[1..]),
        Some("run") => run::run(&args[1..]),
        Some("sim-run") => sim_run::run(&args[1..]),
        Some("help") | Some("--help") | Some("-h") => {
            println!("broute {}\n{USAGE}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        None => {
            println!("broute {}\n{USAGE}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Some(other) => {
            eprintln!("broute: unknown command '{other}'\n{USAGE}");
            ExitCode::from(2)
        }
    }
}
