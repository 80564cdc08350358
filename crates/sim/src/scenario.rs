//! What to simulate: the dongle's dialect, the meters around it, the clock origin and the
//! faults. Everything here is plain data with defaults; [`Scenario::preset`] names the
//! combinations the UI offers.

use crate::time::CivilDateTime;

/// Which dongle firmware family to imitate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// Single-hop SKSTACK IP: ROHM BP35A1, Tessera RL7023 Stick-D/IPS (EVER 1.2.10).
    SingleHop,
    /// Dual-stack SKSTACK IP with side fields: ROHM BP35C2, RATOC RS-WSUHA-P (EVER 1.5.2).
    DualStack,
    /// Dual-stack firmware without ROPT/WOPT (always hex ERXUDP): Tessera RL7023 Stick-D/DSS
    /// (EVER 1.2.8). Its SKSENDTO echo carries the printable payload bytes.
    DualStackNoRopt,
    /// ROHM J11 binary API (BP35C0-J11, BP35C1-J11, BP35C2-J11-T01, RS-WSUHA-J11): binary
    /// frames only, never text; the full B-route command set of `shared/j11.md`.
    J11,
}

impl Dialect {
    /// True for the two dual-stack SKSTACK dialects (side fields everywhere).
    pub fn has_side(self) -> bool {
        matches!(self, Dialect::DualStack | Dialect::DualStackNoRopt)
    }

    /// Parse a CLI name: `single-hop`, `dual-stack`, `dss`, `j11` (plus a few aliases).
    pub fn from_name(s: &str) -> Option<Dialect> {
        match s.to_ascii_lowercase().as_str() {
            "single-hop" | "singlehop" | "bp35a1" | "ips" | "rl7023-ips" => {
                Some(Dialect::SingleHop)
            }
            "dual-stack" | "dualstack" | "bp35c2" | "rs-wsuha-p" => Some(Dialect::DualStack),
            "dss" | "dual-stack-no-ropt" | "rl7023-dss" => Some(Dialect::DualStackNoRopt),
            "j11" => Some(Dialect::J11),
            _ => None,
        }
    }

    /// `EVER` version string of this firmware family.
    pub fn stack_version(self) -> &'static str {
        match self {
            Dialect::SingleHop => "1.2.10",
            Dialect::DualStack | Dialect::J11 => "1.5.2",
            Dialect::DualStackNoRopt => "1.2.8",
        }
    }

    /// `EAPPVER` string.
    pub fn app_version(self) -> &'static str {
        match self {
            Dialect::SingleHop => "rev26e",
            Dialect::DualStack | Dialect::J11 => "rev15",
            Dialect::DualStackNoRopt => "rev19",
        }
    }
}

/// A switchable fault. Every fault can be set in the [`Scenario`] or toggled at run time
/// with [`crate::Sim::set_fault`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum Fault {
    /// The meter behaves as if the client's B-route ID were wrong: no beacon in an active
    /// scan (the scan ends with EVENT 22 only) and SKJOIN fails with EVENT 24.
    WrongId = 0,
    /// PANA authentication fails: SKJOIN ends with EVENT 24 instead of EVENT 25.
    WrongPassword,
    /// The primary meter is out of radio range: never heard, never answers.
    MeterOutOfRange,
    /// A neighbour's meter (another PairID) on the same channel answers every beacon request.
    NeighbourMeter,
    /// Several meters around: two more neighbours on other channels with other PairIDs.
    SeveralMeters,
    /// The dongle writes nothing at all (it still consumes input).
    Silence,
    /// Every other ECHONET answer from the meter is lost on the air (EVENT 21 still says 00).
    DropReplies,
    /// The meter ends the session by itself 60 s after it is established: EVENT 26.
    PeerTerminates,
    /// SKTERM gets no answer from the meter: EVENT 28 (timeout) instead of EVENT 27.
    TermTimeout,
    /// The meter lacks D3 (coefficient): Get_SNA with PDC 0 for it.
    GetSnaD3,
    /// The meter lacks E1 (unit): Get_SNA with PDC 0 for it.
    GetSnaE1,
    /// Measured values are unavailable: 0xFFFFFFFE, 0x7FFFFFFE and 0x7FFE "no data" codes.
    NoData,
    /// Meter frames carry CR LF bytes inside (E7 = 0x00000D0A W, TIDs 0x0D0A): breaks
    /// line-based readers in binary ERXUDP mode.
    CrLfInPayload,
    /// Noise bytes (a garbage line) before some of the dongle's output.
    Garbage,
    /// The device is unplugged: output ends for good and input is ignored.
    Unplugged,
    /// A hostile neighbour node sends forged ECHONET frames every few seconds (E7 =
    /// [`crate::HOSTILE_POWER_W`], EA, a D5 instance list), some unsecured from its own
    /// address, some secured from a foreign address, and answers the client's Gets with the
    /// same TID before the meter does. Our meter's frames are unaffected. See
    /// [`crate::hostile`].
    HostileNeighbour,
    /// Every second frame from the meter fails MAC decryption: a J11 module reports 0x6038
    /// (reason 01) and drops it; SKSTACK dongles drop it silently.
    DecryptError,
}

impl Fault {
    /// Every fault, in declaration order.
    pub const ALL: [Fault; 17] = [
        Fault::WrongId,
        Fault::WrongPassword,
        Fault::MeterOutOfRange,
        Fault::NeighbourMeter,
        Fault::SeveralMeters,
        Fault::Silence,
        Fault::DropReplies,
        Fault::PeerTerminates,
        Fault::TermTimeout,
        Fault::GetSnaD3,
        Fault::GetSnaE1,
        Fault::NoData,
        Fault::CrLfInPayload,
        Fault::Garbage,
        Fault::Unplugged,
        Fault::HostileNeighbour,
        Fault::DecryptError,
    ];

    /// Kebab-case name used by the CLI (`--fault wrong-password`).
    pub fn name(self) -> &'static str {
        match self {
            Fault::WrongId => "wrong-id",
            Fault::WrongPassword => "wrong-password",
            Fault::MeterOutOfRange => "out-of-range",
            Fault::NeighbourMeter => "neighbour",
            Fault::SeveralMeters => "several-meters",
            Fault::Silence => "silence",
            Fault::DropReplies => "drop-replies",
            Fault::PeerTerminates => "peer-terminates",
            Fault::TermTimeout => "term-timeout",
            Fault::GetSnaD3 => "sna-d3",
            Fault::GetSnaE1 => "sna-e1",
            Fault::NoData => "no-data",
            Fault::CrLfInPayload => "crlf-payload",
            Fault::Garbage => "garbage",
            Fault::Unplugged => "unplugged",
            Fault::HostileNeighbour => "hostile-neighbour",
            Fault::DecryptError => "decrypt-error",
        }
    }

    /// Inverse of [`Fault::name`].
    pub fn from_name(s: &str) -> Option<Fault> {
        Fault::ALL.iter().copied().find(|f| f.name() == s)
    }

    /// One-line description.
    pub fn describe(self) -> &'static str {
        match self {
            Fault::WrongId => {
                "no beacon for our PairID: scan ends with EVENT 22 only; SKJOIN gives EVENT 24"
            }
            Fault::WrongPassword => "PANA fails: EVENT 24 after the PANA exchange",
            Fault::MeterOutOfRange => "primary meter never heard",
            Fault::NeighbourMeter => "a neighbour's meter with another PairID answers scans",
            Fault::SeveralMeters => "two more neighbour meters on other channels",
            Fault::Silence => "dongle writes nothing",
            Fault::DropReplies => "every other meter answer is lost",
            Fault::PeerTerminates => "meter ends the session 60 s after join (EVENT 26)",
            Fault::TermTimeout => "SKTERM times out (EVENT 28)",
            Fault::GetSnaD3 => "Get_SNA for D3",
            Fault::GetSnaE1 => "Get_SNA for E1",
            Fault::NoData => "0xFFFFFFFE / 0x7FFFFFFE / 0x7FFE values",
            Fault::CrLfInPayload => "CR LF bytes inside binary payloads",
            Fault::Garbage => "garbage bytes between lines",
            Fault::Unplugged => "device unplugged: output ends",
            Fault::HostileNeighbour => {
                "a neighbour sends forged E7/EA/D5 frames (unsecured, or secured from a foreign address)"
            }
            Fault::DecryptError => {
                "every second meter frame fails decryption (J11: 0x6038 01; SKSTACK: dropped)"
            }
        }
    }
}

/// A set of [`Fault`]s (a bitset).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct FaultSet(u32);

impl FaultSet {
    /// No faults.
    pub const fn empty() -> FaultSet {
        FaultSet(0)
    }
    /// Is `f` on?
    pub fn contains(self, f: Fault) -> bool {
        self.0 & (1 << f as u8) != 0
    }
    /// Switch `f` on or off.
    pub fn set(&mut self, f: Fault, on: bool) {
        if on {
            self.0 |= 1 << f as u8;
        } else {
            self.0 &= !(1 << f as u8);
        }
    }
    /// Builder form of [`FaultSet::set`]`(f, true)`.
    pub fn with(mut self, f: Fault) -> FaultSet {
        self.set(f, true);
        self
    }
    /// The faults that are on.
    pub fn iter(self) -> impl Iterator<Item = Fault> {
        Fault::ALL.into_iter().filter(move |f| self.contains(*f))
    }
}

impl FromIterator<Fault> for FaultSet {
    fn from_iter<I: IntoIterator<Item = Fault>>(iter: I) -> FaultSet {
        let mut s = FaultSet::empty();
        for f in iter {
            s.set(f, true);
        }
        s
    }
}

/// How a low-voltage meter is wired (decides E8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Wiring {
    /// Single-phase 2-wire 100 V: E8 T phase is 0x7FFE.
    SinglePhase2Wire,
    /// Single-phase 3-wire 100/200 V (the usual Japanese home): R and T carry the load.
    SinglePhase3Wire,
    /// Three-phase 3-wire 200 V.
    ThreePhase3Wire,
}

/// Low-voltage meter (class 0x0288) settings.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LowVoltage {
    /// Appendix release letter reported in 0x82 (`'F'` … ); `'R'` or later adds C0, D0, EE/EF.
    pub release: char,
    /// Wiring (E8 layout).
    pub wiring: Wiring,
    /// Peak solar generation in W (0 = no PV). With PV, E7 goes negative at noon and E3 grows.
    pub solar_peak_w: u32,
    /// Household consumption scale in percent of the built-in day curve (100 = ~10 kWh/day).
    pub load_percent: u32,
    /// D3 coefficient; `None` = the meter lacks D3 (Get_SNA).
    pub coefficient: Option<u32>,
    /// E1 unit code (0x01 = 0.1 kWh).
    pub unit: u8,
    /// D7 number of effective digits (counters roll over at 10^D7).
    pub digits: u8,
    /// Initial reading of the normal-direction counter 100 days before the start, in kWh.
    pub initial_import_kwh: u32,
    /// Initial reading of the reverse-direction counter, in kWh.
    pub initial_export_kwh: u32,
}

impl Default for LowVoltage {
    fn default() -> LowVoltage {
        LowVoltage {
            release: 'J',
            wiring: Wiring::SinglePhase3Wire,
            solar_peak_w: 0,
            load_percent: 100,
            coefficient: Some(1),
            unit: 0x01,
            digits: 6,
            initial_import_kwh: 7_531,
            initial_export_kwh: 0,
        }
    }
}

/// High-voltage meter (class 0x028A) settings.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HighVoltage {
    /// Appendix release letter reported in 0x82.
    pub release: char,
    /// Daytime peak load in kW of the simulated building.
    pub peak_kw: u32,
    /// D3 coefficient (default 24).
    pub coefficient: u32,
    /// D4 multiplying factor code (0x02 = ×0.01). With D3 = 24 and E6 = 0x00 one count is 0.24 kWh.
    pub multiplier: u8,
    /// E6 unit code for active energy (0x00 = 1 kWh).
    pub unit: u8,
    /// C5 unit code for demand (0x00 = 1 kW).
    pub demand_unit: u8,
    /// CD unit code for reactive energy (0x00 = 1 kvarh).
    pub reactive_unit: u8,
    /// Effective digits (E5, C4, CC).
    pub digits: u8,
    /// E0 fixed (billing) day of month.
    pub billing_day: u8,
    /// Initial active energy 100 days before the start, in kWh.
    pub initial_kwh: u32,
}

impl Default for HighVoltage {
    fn default() -> HighVoltage {
        HighVoltage {
            release: 'F',
            peak_kw: 180,
            coefficient: 24,
            multiplier: 0x02,
            unit: 0x00,
            demand_unit: 0x00,
            reactive_unit: 0x00,
            digits: 8,
            billing_day: 1,
            initial_kwh: 1_250_000,
        }
    }
}

/// Meter class and its class-specific settings.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MeterClass {
    /// 0x0288.
    LowVoltage(LowVoltage),
    /// 0x028A.
    HighVoltage(HighVoltage),
}

/// One smart meter in radio range.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MeterConfig {
    /// Class and class settings.
    pub class: MeterClass,
    /// Logical channel 0x21..=0x3C.
    pub channel: u8,
    /// PAN ID.
    pub pan_id: u16,
    /// 64-bit MAC address.
    pub mac: u64,
    /// The meter's B-route authentication ID (32 upper-case hex chars; PairID = last 8).
    pub route_b_id: String,
    /// The meter's B-route password (12 alphanumerics).
    pub password: String,
    /// Distance to the dongle in metres (sets LQI / RSSI).
    pub distance_m: u32,
    /// Manufacturer code (0x8A).
    pub manufacturer: [u8; 3],
    /// Production number (0x8D), up to 12 ASCII chars.
    pub serial: String,
    /// Answers beacon requests whatever their PairID (how neighbours' meters show up in scans).
    pub answers_any_pair_id: bool,
}

/// The demo B-route authentication ID of the default meter.
pub const DEMO_ROUTE_B_ID: &str = "0000004F3A210000000000000A18C3D7";
/// The demo B-route password of the default meter.
pub const DEMO_PASSWORD: &str = "K7QX3M9PA2TB";

impl Default for MeterConfig {
    fn default() -> MeterConfig {
        MeterConfig {
            class: MeterClass::LowVoltage(LowVoltage::default()),
            channel: 0x2D,
            pan_id: 0x7D21,
            mac: 0x001C_6400_0A4F_7D21,
            route_b_id: DEMO_ROUTE_B_ID.to_string(),
            password: DEMO_PASSWORD.to_string(),
            distance_m: 25,
            manufacturer: [0x00, 0x00, 0x16],
            serial: "F24G366505".to_string(),
            answers_any_pair_id: false,
        }
    }
}

impl MeterConfig {
    /// The default meter turned into a high-voltage (0x028A) meter.
    pub fn high_voltage() -> MeterConfig {
        MeterConfig {
            class: MeterClass::HighVoltage(HighVoltage::default()),
            serial: "H19K002231".into(),
            ..MeterConfig::default()
        }
    }

    /// The J11 channel (0x04–0x11, 400 kHz) of [`MeterConfig::channel`] (SKSTACK numbering,
    /// 0x21–0x3C): J11 channel n = SKSTACK 0x21 + 2·(n − 4); an even SKSTACK channel maps to
    /// the J11 channel below it.
    pub fn j11_channel(&self) -> u8 {
        (4 + self.channel.saturating_sub(0x21) / 2).min(0x11)
    }

    /// PairID = last 8 characters of the B-route ID.
    pub fn pair_id(&self) -> &str {
        let n = self.route_b_id.len();
        self.route_b_id.get(n.saturating_sub(8)..).unwrap_or("")
    }

    /// A neighbour's meter: another MAC, PAN ID, ID and password, 60 m away.
    pub fn neighbour(n: u8, channel: u8) -> MeterConfig {
        let mac = 0x001C_6400_0B11_0000 | (u64::from(n) << 8) | 0x3C ^ u64::from(n);
        MeterConfig {
            channel,
            pan_id: (mac & 0xFFFF) as u16,
            mac,
            route_b_id: format!("00000061C0D2000000000000{:02X}7E55A{n:X}", 0x30 + n),
            password: format!("NEIGHB0UR{n:03}"),
            distance_m: 60 + u32::from(n) * 40,
            serial: format!("F23N00{n:04}"),
            answers_any_pair_id: true,
            ..MeterConfig::default()
        }
    }
}

/// Everything the simulator needs to start.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Scenario {
    /// Dongle firmware family.
    pub dialect: Dialect,
    /// WOPT state: true = ERXUDP data as hex ASCII, false = raw binary (factory default of
    /// BP35A1 and BP35C2; DualStackNoRopt is always hex).
    pub erxudp_hex: bool,
    /// SFE echo-back at power-on (factory default: on).
    pub echo: bool,
    /// RUART answer (0x80 = hardware flow control, as the RS-WSUHA-P reports).
    pub uart_mode: u8,
    /// The dongle's own MAC (its link-local address derives from it).
    pub dongle_mac: u64,
    /// Meters in range; index 0 is "ours".
    pub meters: Vec<MeterConfig>,
    /// Smallest SKSCAN duration (0–14) at which the meters' beacons are caught.
    pub min_scan_duration: u8,
    /// PANA session lifetime granted by the meter, seconds (real meters: 86 400).
    pub pana_lifetime_s: u32,
    /// ARIB STD-T108 transmit-time budget per sliding hour, ms (real: 360 000).
    pub arib_budget_ms: u32,
    /// Seed for every random choice (latencies, load noise, PANA bytes).
    pub seed: u64,
    /// Civil JST time at virtual time 0.
    pub start: CivilDateTime,
    /// Faults switched on at start.
    pub faults: FaultSet,
    /// Accept any well-formed B-route ID/password (demo convenience). Faults still apply.
    pub accept_any_credentials: bool,
    /// J11 only: accept request frames whose header or data sum field is 0000 (clients that
    /// never compute sums, j11.md §5 pitfall 2; **inferred**, real behaviour unknown).
    /// Default off: such frames are rejected like any bad sum.
    pub j11_zero_sum_lenience: bool,
}

impl Default for Scenario {
    fn default() -> Scenario {
        Scenario::new(Dialect::SingleHop)
    }
}

/// Presets offered by the UI and `broute sim --preset`: (name, description).
pub const PRESETS: &[(&str, &str)] = &[
    (
        "demo",
        "BP35A1-like single-hop dongle, one low-voltage meter, everything works",
    ),
    (
        "dual-stack",
        "RS-WSUHA-P / BP35C2-like dongle (side fields, factory binary ERXUDP)",
    ),
    (
        "dual-stack-hex",
        "dual-stack dongle already switched to hex ERXUDP (WOPT 01)",
    ),
    (
        "dss",
        "RL7023 Stick-D/DSS-like dongle: side fields, no ROPT/WOPT, hex ERXUDP",
    ),
    (
        "j11",
        "ROHM J11 binary-API module (BP35C0-J11 family) with the demo meter",
    ),
    ("wrong-password", "PANA fails: EVENT 24"),
    (
        "wrong-id",
        "no beacon for our PairID: scans end with EVENT 22 only",
    ),
    (
        "weak-signal",
        "meter 250 m away: low LQI, found only with scan duration >= 7",
    ),
    ("no-meter", "no meter in range"),
    (
        "neighbours",
        "our meter plus three neighbours' meters with other PairIDs",
    ),
    (
        "solar",
        "Release R meter with rooftop PV: negative E7 at noon, E3/EB grow",
    ),
    (
        "two-wire",
        "single-phase 2-wire meter (E8 T phase = 0x7FFE), no D3 (Get_SNA)",
    ),
    (
        "high-voltage",
        "high-voltage meter 0x028A (one count = 0.24 kWh)",
    ),
    ("flaky", "dropped replies and garbage bytes"),
    (
        "short-session",
        "PANA lifetime 120 s: EVENT 29 and re-authentication every 2 minutes",
    ),
    (
        "tx-limit",
        "ARIB budget of 2 s per hour: EVENT 32 after a burst of sends",
    ),
];

impl Scenario {
    /// Defaults for a dialect: one low-voltage meter, demo credentials, start 2026-11-26 09:00 JST.
    pub fn new(dialect: Dialect) -> Scenario {
        Scenario {
            dialect,
            erxudp_hex: matches!(dialect, Dialect::DualStackNoRopt),
            echo: true,
            uart_mode: if matches!(dialect, Dialect::DualStack) {
                0x80
            } else {
                0x00
            },
            dongle_mac: if dialect.has_side() {
                0x001D_1291_0004_E578
            } else {
                0x001D_1291_0012_3A5C
            },
            meters: vec![MeterConfig::default()],
            min_scan_duration: 5,
            pana_lifetime_s: 86_400,
            arib_budget_ms: 360_000,
            seed: 0x5EED_B0A7,
            start: CivilDateTime::new(2026, 11, 26, 9, 0, 0),
            faults: FaultSet::empty(),
            accept_any_credentials: false,
            j11_zero_sum_lenience: false,
        }
    }

    /// A named preset (see [`PRESETS`]); `None` for an unknown name.
    pub fn preset(name: &str) -> Option<Scenario> {
        let mut s = Scenario::default();
        match name {
            "demo" => {}
            "dual-stack" => s = Scenario::new(Dialect::DualStack),
            "dual-stack-hex" => {
                s = Scenario::new(Dialect::DualStack);
                s.erxudp_hex = true;
            }
            "dss" => s = Scenario::new(Dialect::DualStackNoRopt),
            "j11" => s = Scenario::new(Dialect::J11),
            "wrong-password" => s.faults.set(Fault::WrongPassword, true),
            "wrong-id" => s.faults.set(Fault::WrongId, true),
            "weak-signal" => {
                s.meters[0].distance_m = 250;
                s.min_scan_duration = 7;
            }
            "no-meter" => s.faults.set(Fault::MeterOutOfRange, true),
            "neighbours" => {
                s.faults.set(Fault::NeighbourMeter, true);
                s.faults.set(Fault::SeveralMeters, true);
            }
            "solar" => {
                s.meters[0].class = MeterClass::LowVoltage(LowVoltage {
                    release: 'R',
                    solar_peak_w: 4_200,
                    initial_export_kwh: 2_140,
                    ..LowVoltage::default()
                })
            }
            "two-wire" => {
                s.meters[0].class = MeterClass::LowVoltage(LowVoltage {
                    wiring: Wiring::SinglePhase2Wire,
                    coefficient: None,
                    unit: 0x02,
                    digits: 7,
                    ..LowVoltage::default()
                })
            }
            "high-voltage" => s.meters[0] = MeterConfig::high_voltage(),
            "flaky" => {
                s.faults.set(Fault::DropReplies, true);
                s.faults.set(Fault::Garbage, true);
            }
            "short-session" => s.pana_lifetime_s = 120,
            "tx-limit" => s.arib_budget_ms = 2_000,
            _ => return None,
        }
        Some(s)
    }
}
