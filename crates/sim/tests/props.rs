//! Arbitrary client bytes never panic the simulator, in any dialect or state.
mod common;
use common::j11::{req, J11Client};
use common::*;
use proptest::prelude::*;
use sim::{Dialect, Scenario, Sim};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn arbitrary_bytes_never_panic(chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..80), 0..12), d in 0u8..4) {
        let dialect = [Dialect::SingleHop, Dialect::DualStack, Dialect::DualStackNoRopt, Dialect::J11][d as usize];
        let mut sim = Sim::new(Scenario::new(dialect));
        let mut t = 0;
        for c in chunks {
            sim.write(t, &c);
            t += 137;
            let _ = sim.read(t);
        }
        let _ = sim.read(t + 100_000);
    }

    #[test]
    fn command_like_garbage_never_panics(lines in proptest::collection::vec("(SK[A-Z]{2,6}|ROPT|WOPT|SKSENDTO)( [0-9A-F:]{0,40}){0,8}", 1..10), tail in proptest::collection::vec(any::<u8>(), 0..40)) {
        let mut c = Client::new(Scenario::default());
        c.join();
        for l in lines {
            let mut b = l.into_bytes();
            b.extend_from_slice(&tail);
            b.extend_from_slice(b"\r\n");
            c.send(&b, 700);
        }
    }

    #[test]
    fn arbitrary_echonet_frames_never_panic(payload in proptest::collection::vec(any::<u8>(), 1..200)) {
        let mut c = Client::new(Scenario::default());
        c.join();
        let addr = c.sim.meter_address(0).unwrap();
        let mut p = vec![0x10, 0x81, 0, 1, 0x05, 0xFF, 0x01, 0x02, 0x88, 0x01];
        p.extend(payload);
        p.truncate(0x4D0);
        c.sendto(&addr, &p, false, 1_500);
    }

    #[test]
    fn well_formed_j11_requests_never_panic(
        reqs in proptest::collection::vec((0usize..17, proptest::collection::vec(any::<u8>(), 0..60)), 1..12),
        paired in any::<bool>(),
    ) {
        const CODES: [u16; 17] = [
            0x00D9, 0x006B, 0x0001, 0x005F, 0x0107, 0x0054, 0x0051, 0x0053, 0x0005, 0x0056,
            0x0008, 0x00D2, 0x0057, 0x0058, 0x005E, 0x010A, 0xFFFF,
        ];
        let mut c = J11Client::new(Scenario::preset("j11").unwrap());
        if paired {
            c.pair();
        }
        for (k, data) in reqs {
            // Every frame the module writes is checked (sums, length) by the client.
            c.send(&req(CODES[k], &data), 700);
        }
        c.wait(800_000);
    }
}
