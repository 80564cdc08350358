//! Seeds for the `engine` fuzz target (`fuzz/fuzz_targets/engine.rs`): real sessions with the
//! simulator, recorded as what the dongle said and when, in the target's input format.
//!
//! ```sh
//! cargo run -p broute --example fuzz_seeds -- fuzz/corpus/engine
//! ```

use broute::{Config, Engine, Instant, RouteBId, RouteBPassword};
use sim::{Fault, Scenario, Sim};

/// Encode a wait of at least `ms` as time steps (`0x80 | k` = k² × 100 ms).
fn wait(out: &mut Vec<u8>, mut ms: u64) {
    while ms >= 100 {
        let k = ((ms / 100) as f64).sqrt().floor().clamp(1.0, 127.0) as u64;
        out.push(0x80 | k as u8);
        ms = ms.saturating_sub(k * k * 100);
    }
}

/// Encode dongle output as data steps of at most 128 bytes.
fn bytes(out: &mut Vec<u8>, b: &[u8]) {
    for c in b.chunks(128) {
        out.push((c.len() - 1) as u8);
        out.extend_from_slice(c);
    }
}

fn record(start: u8, sc: Scenario, minutes: u64) -> Vec<u8> {
    let mut e = Engine::new(Config::default());
    e.set_credentials(
        RouteBId::new(sim::DEMO_ROUTE_B_ID).expect("demo ID"),
        RouteBPassword::new(sim::DEMO_PASSWORD).expect("demo password"),
        Instant(0),
    );
    let mut dev = Sim::new(sc);
    let mut out = vec![start];
    let (mut now, mut last) = (0u64, 0u64);
    e.start(Instant(0));
    while now < minutes * 60_000 && out.len() < 4_000 {
        while let Some(b) = e.poll_transmit() {
            dev.write(now, &b);
        }
        let got = dev.read(now);
        if !got.is_empty() {
            wait(&mut out, now - last);
            last = now;
            bytes(&mut out, &got);
            e.handle_bytes(&got, Instant(now));
            continue;
        }
        while e.poll_event().is_some() {}
        let next = [e.poll_timeout().map(|t| t.as_millis()), dev.next_deadline()]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(now + 1_000);
        now = next.max(now + 1);
        e.handle_timeout(Instant(now));
    }
    out
}

fn main() {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "fuzz/corpus/engine".into());
    std::fs::create_dir_all(&dir).expect("corpus directory");
    let preset = |n: &str| Scenario::preset(n).expect("preset");
    let mut hostile = preset("demo");
    hostile.faults.set(Fault::HostileNeighbour, true);
    let seeds = [
        ("single-hop", 0, preset("demo")),
        ("dual-stack", 0, preset("dual-stack")),
        ("dss", 0, preset("dss")),
        ("j11", 0, preset("j11")),
        ("j11-profile", 3, preset("j11")),
        ("wrong-password", 0, preset("wrong-password")),
        ("hostile", 0, hostile),
        ("short-session", 0, preset("short-session")),
    ];
    for (name, start, sc) in seeds {
        let data = record(start, sc, 5);
        let path = format!("{dir}/seed-{name}");
        std::fs::write(&path, &data).expect("write seed");
        println!("{path}: {} bytes", data.len());
    }
}
