//! Command-line arguments (clap derive): every subcommand with its flags, help and errors.
//! Each subcommand turns its arguments into the options its module already takes.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Command-line companion of the B-route Commissioner: log decoder, simulator, runner, support
/// bundles.
#[derive(Debug, Parser)]
#[command(name = "broute", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Decode a serial log (file or stdin) into one JSON object per line (docs/decode.md).
    Decode(DecodeArgs),
    /// Serve a simulated dongle + meter on a pseudo-terminal in real time (docs/sim.md).
    Sim(SimArgs),
    /// Commission the meter through a dongle (or a sim pty) and print readings.
    Run(RunArgs),
    /// Run the engine against the in-process simulator on a virtual clock; print timings and
    /// airtime as JSON.
    SimRun(SimRunArgs),
    /// Support bundles.
    #[command(subcommand)]
    Bundle(BundleCommand),
}

/// `broute decode`.
#[derive(Debug, Args)]
pub struct DecodeArgs {
    /// The log; standard input when absent or "-".
    pub file: Option<String>,
}

/// `broute sim`.
#[derive(Debug, Args)]
#[command(
    after_help = "Prints the slave device path (e.g. /dev/pts/5) on stdout; open it with any serial\nprogram at any baud rate (115200 8N1 like the real dongle). Runs until Ctrl-C."
)]
pub struct SimArgs {
    /// Create a pseudo-terminal (the only transport for now).
    #[arg(long)]
    pub pty: bool,
    /// Start from a named scenario (default: demo); see --list.
    #[arg(long, value_name = "NAME")]
    pub preset: Option<String>,
    /// single-hop | dual-stack | dss | j11 (overrides the preset's).
    #[arg(long, value_name = "NAME")]
    pub dialect: Option<String>,
    /// Switch a fault on (repeatable); see --list.
    #[arg(long, value_name = "NAME")]
    pub fault: Vec<String>,
    /// Seed for latencies, load profile and PANA bytes.
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// ERXUDP data as hex ASCII (WOPT 01).
    #[arg(long, overrides_with = "binary")]
    pub hex: bool,
    /// ERXUDP data as raw bytes (factory setting).
    #[arg(long, overrides_with = "hex")]
    pub binary: bool,
    /// Start with echo-back off (SFE 0).
    #[arg(long)]
    pub no_echo: bool,
    /// Civil JST time of the meter clock at start, 'YYYY-MM-DD HH:MM'.
    #[arg(long, value_name = "TIME")]
    pub start: Option<String>,
    /// Smallest SKSCAN duration that finds the meter (default 5).
    #[arg(long, value_name = "D")]
    pub min_scan_duration: Option<u8>,
    /// PANA session lifetime in seconds (default 86400).
    #[arg(long, value_name = "SECONDS")]
    pub lifetime: Option<u32>,
    /// Accept any 32-char ID and any password.
    #[arg(long)]
    pub accept_any: bool,
    /// J11: accept request frames whose checksum fields are 0000.
    #[arg(long)]
    pub zero_sums: bool,
    /// Do not print the credentials banner on stderr.
    #[arg(long)]
    pub quiet: bool,
    /// List presets and faults.
    #[arg(long)]
    pub list: bool,
}

fn interval(s: &str) -> Result<u64, String> {
    s.parse()
        .ok()
        .filter(|v| (1..=86_400).contains(v))
        .ok_or_else(|| format!("must be 1..86400 seconds, got '{s}'"))
}

/// `broute run`.
#[derive(Debug, Args)]
#[command(
    after_help = "The B-route ID and password are read from BROUTE_ID and BROUTE_PASSWORD, or asked\nfor on stdin (not echoed). They are never printed."
)]
pub struct RunArgs {
    /// Serial device, e.g. /dev/ttyUSB0 (opened 115200 8N1, no flow control).
    #[arg(long, value_name = "DEVICE", required = true)]
    pub port: Option<PathBuf>,
    /// Seconds between polls (at least 1).
    #[arg(long, value_name = "S", default_value_t = 10, value_parser = interval)]
    pub interval: u64,
    /// Pairing profile (channel, PAN ID, MAC, dialect): loaded at start if the file exists,
    /// so the scan is skipped; saved when the meter is joined.
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,
    /// Also read the half-hourly history of the last DAYS days (1-100).
    #[arg(long, value_name = "DAYS", value_parser = clap::value_parser!(u8).range(1..=100))]
    pub history: Option<u8>,
    /// One JSON object per line instead of human-readable lines.
    #[arg(long)]
    pub json: bool,
}

/// Strategies of `broute sim-run`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StrategyArg {
    /// Pairing profile + one batched Get per poll.
    Ours,
    /// Scan every time + one EPC per Get.
    Naive,
    /// Both, ours first.
    Both,
}

fn hours(s: &str) -> Result<f64, String> {
    let h: f64 = s.parse().map_err(|_| format!("bad --hours '{s}'"))?;
    if h.is_finite() && h > 0.0 && h <= 1000.0 {
        Ok(h)
    } else {
        Err(format!("--hours must be in (0, 1000], got '{s}'"))
    }
}

/// `broute sim-run`.
#[derive(Debug, Args)]
pub struct SimRunArgs {
    /// Simulator scenario (default: demo; see broute sim --list).
    #[arg(long, value_name = "NAME", default_value = "demo")]
    pub preset: String,
    /// Switch a simulator fault on (repeatable).
    #[arg(long, value_name = "NAME")]
    pub fault: Vec<String>,
    /// Simulator seed (default: the preset's).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Virtual hours of polling after the first reading.
    #[arg(long, value_name = "H", default_value = "1", value_parser = hours)]
    pub hours: f64,
    /// Polling interval, seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 10, value_parser = interval)]
    pub interval: u64,
    /// ours = pairing profile + one batched Get per poll; naive = scan every time + one EPC
    /// per Get.
    #[arg(long, value_enum, default_value = "both")]
    pub strategy: StrategyArg,
}

/// `broute bundle …`.
#[derive(Debug, Subcommand)]
pub enum BundleCommand {
    /// Print the story of a support bundle: summary, cause and fix, compact timeline.
    Show(ShowArgs),
}

/// Languages of `broute bundle show`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LangArg {
    /// Japanese.
    Ja,
    /// English.
    En,
}

/// `broute bundle show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The support bundle (JSON).
    pub file: PathBuf,
    /// Language of the text.
    #[arg(long, value_enum, default_value = "en")]
    pub lang: LangArg,
    /// Print the story as JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Parse a subcommand's arguments (without the program and subcommand names), as the arg
/// tests of each module do: `Ok(None)` when help was asked.
#[cfg(test)]
pub fn parse_sub<T: Args>(name: &'static str, args: &[String]) -> Result<Option<T>, String> {
    let cmd = T::augment_args(clap::Command::new(name).no_binary_name(true));
    match cmd.try_get_matches_from(args) {
        Ok(m) => T::from_arg_matches(&m).map(Some).map_err(|e| e.to_string()),
        Err(e) if e.kind() == clap::error::ErrorKind::DisplayHelp => Ok(None),
        Err(e) => Err(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
        let c =
            Cli::try_parse_from(["broute", "bundle", "show", "b.json", "--lang", "ja"]).unwrap();
        let Some(Command::Bundle(BundleCommand::Show(s))) = c.command else {
            panic!()
        };
        assert_eq!((s.lang, s.json), (LangArg::Ja, false));
        assert!(Cli::try_parse_from(["broute", "bundle", "show"]).is_err());
        assert!(Cli::try_parse_from(["broute", "nope"]).is_err());
        let c = Cli::try_parse_from(["broute", "decode", "-"]).unwrap();
        assert!(matches!(
            c.command,
            Some(Command::Decode(DecodeArgs { file: Some(_) }))
        ));
    }
}
