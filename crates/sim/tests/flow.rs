//! End-to-end flows through the public API.
mod common;
use common::*;
use sim::{Dialect, Scenario};

#[test]
fn single_hop_flow_to_e7() {
    let mut c = Client::new(Scenario::default());
    let s = c.join();
    println!("{s}");
    let addr = c.sim.meter_address(0).unwrap();
    let out = c.sendto(&addr, &e7_get(0x5253), false, 1_500);
    let text = String::from_utf8_lossy(&out).into_owned();
    println!("{text}");
    assert!(text.contains("EVENT 21"));
    assert!(text.contains("\r\nOK\r\n"));
    let frames = erxudp_payloads(&out, false);
    assert_eq!(frames.len(), 1);
    let f = &frames[0];
    assert_eq!(
        &f[..12],
        &[0x10, 0x81, 0x52, 0x53, 0x02, 0x88, 0x01, 0x05, 0xFF, 0x01, 0x72, 0x01]
    );
    assert_eq!(f[12], 0xE7);
    let truth = c.sim.meter(0).unwrap().reading_at(c.now);
    assert_eq!(&f[14..18], &truth.power_w.to_be_bytes());
}

#[test]
fn dual_stack_flow_binary() {
    let mut c = Client::new(Scenario::new(Dialect::DualStack));
    let s = c.join();
    println!("{}", s.escape_debug());
    let addr = c.sim.meter_address(0).unwrap();
    let out = c.sendto(&addr, &e7_get(0x0D0A), true, 1_500);
    println!("{}", String::from_utf8_lossy(&out).escape_debug());
    let frames = erxudp_payloads(&out, false);
    assert_eq!(frames.len(), 1);
    assert_eq!(
        &frames[0][2..4],
        &[0x0D, 0x0A],
        "TID with CR LF survives binary mode"
    );
}
