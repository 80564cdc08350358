//! The simulator as a [`vdevice::Device`]: the one adapter between the simulated dongle and
//! whatever drives it (the engine's harness, the CLI, the demo dongle).

use crate::Sim;

impl vdevice::Device for Sim {
    fn write(&mut self, now_ms: u64, bytes: &[u8]) {
        Sim::write(self, now_ms, bytes);
    }

    fn read(&mut self, now_ms: u64) -> Vec<u8> {
        Sim::read(self, now_ms)
    }

    fn next_deadline(&self) -> Option<u64> {
        Sim::next_deadline(self)
    }
}
