//! Secrets never show in `Debug`: not while the credential commands are queued, not while they
//! are in flight, not after the dongle echoed them.

mod common;

use broute::{Config, Engine, Event, Instant, Phase};
use common::*;
use sim::Sim;

/// Every printable form of a 6-byte window of `secret`: text in both cases, hex in both cases,
/// and the decimal byte list a derived `Debug` of `Vec<u8>` would print.
fn windows(secret: &str) -> Vec<String> {
    let b = secret.as_bytes();
    let mut forms = Vec::new();
    for w in b.windows(6) {
        let text = String::from_utf8_lossy(w).to_string();
        forms.push(text.to_ascii_uppercase());
        forms.push(text.to_ascii_lowercase());
        let hex: String = w.iter().map(|x| format!("{x:02X}")).collect();
        forms.push(hex.clone());
        forms.push(hex.to_ascii_lowercase());
        let dec: Vec<String> = w.iter().map(u8::to_string).collect();
        forms.push(dec.join(", "));
    }
    forms
}

fn assert_hidden(debug: &str, what: &str) {
    for secret in [sim::DEMO_ROUTE_B_ID, sim::DEMO_PASSWORD] {
        for form in windows(secret) {
            assert!(
                !debug.contains(&form),
                "{what}: Debug shows a window of a secret ({form})"
            );
        }
    }
}

/// Drive engine and simulator by hand, one step at a time, and hand each state of the engine
/// to `check` — including the states where credential commands sit in the driver's queue and
/// in its transmit buffer, before they are written.
fn step_through(sc: sim::Scenario, until: Phase, mut check: impl FnMut(&Engine, &str)) {
    let mut e = Engine::new(Config::default());
    e.set_credentials(demo_id(), demo_password(), Instant(0));
    let mut dev = Sim::new(sc);
    let mut now = 0u64;
    e.start(Instant(now));
    for _ in 0..100_000 {
        check(&e, "before transmit");
        let mut moved = false;
        while let Some(b) = e.poll_transmit() {
            dev.write(now, &b);
            check(&e, "while transmitting");
            moved = true;
        }
        let out = dev.read(now);
        if !out.is_empty() {
            e.handle_bytes(&out, Instant(now));
            check(&e, "after input");
            moved = true;
        }
        while let Some(ev) = e.poll_event() {
            if ev == Event::Phase(until) {
                return;
            }
        }
        if e.poll_timeout().is_some_and(|t| t.as_millis() <= now) {
            e.handle_timeout(Instant(now));
            moved = true;
        }
        if !moved {
            let next = [e.poll_timeout().map(|t| t.as_millis()), dev.next_deadline()]
                .into_iter()
                .flatten()
                .min()
                .unwrap_or(now + 1000);
            now = next.max(now + 1);
        }
    }
    panic!("never reached {until:?}");
}

#[test]
fn engine_debug_never_shows_credentials_queued_in_flight_or_echoed() {
    for name in ["demo", "dual-stack", "dss", "j11"] {
        let mut saw_credentials_pending = false;
        step_through(preset(name), Phase::Reading, |e, what| {
            let d = format!("{e:?}");
            if e.phase() == Phase::ExpectCredentialsSet {
                saw_credentials_pending = true;
            }
            assert_hidden(&d, &format!("{name} {what}"));
        });
        assert!(
            saw_credentials_pending,
            "{name}: the credential phase was observed"
        );
    }
}
