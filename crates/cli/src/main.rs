//! `broute`: command-line companion of the B-route Commissioner (log decoder, simulator,
//! runner, support bundles).
#![deny(unsafe_code)]

mod args;
mod bundle_show;
mod decode;
mod run;
mod run_render;
mod sim_pty;
mod sim_run;

use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use args::{BundleCommand, Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        None => {
            let _ = Cli::command().print_help();
            println!();
            ExitCode::SUCCESS
        }
        Some(Command::Decode(a)) => decode::run(a),
        Some(Command::Sim(a)) => sim_pty::run(a),
        Some(Command::Run(a)) => run::run(a),
        Some(Command::SimRun(a)) => sim_run::run(a),
        Some(Command::Bundle(BundleCommand::Show(a))) => bundle_show::run(a),
    }
}
