//! Unit tests of the dongle through the public API (more in tests/).
use super::*;

#[test]
fn skver_with_echo() {
    let mut sim = Sim::new(Scenario::default());
    sim.write(0, b"SKVER\r\n");
    assert_eq!(sim.read(100), b"SKVER\r\nEVER 1.2.10\r\nOK\r\n");
}
