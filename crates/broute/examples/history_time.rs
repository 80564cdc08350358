//! How long reading the meter's 100-day history takes with the engine's pacing, on the
//! simulator's virtual clock (so the figure is meter/radio time, not CPU time).
//!
//! `cargo run -p broute --example history_time`
use broute::harness::Pair;
use broute::{Config, Engine, Event, HistoryRequest, Instant, RouteBId, RouteBPassword};
use sim::{Scenario, Sim};

fn main() {
    for days in [1u8, 7, 30, 100] {
        let mut e = Engine::new(Config::default());
        let (Ok(id), Ok(pw)) = (
            RouteBId::new(sim::DEMO_ROUTE_B_ID),
            RouteBPassword::new(sim::DEMO_PASSWORD),
        ) else {
            return;
        };
        e.set_credentials(id, pw, Instant(0));
        let mut p = Pair::new(e, Sim::new(Scenario::default()));
        p.start();
        p.run_until(600_000, |e| matches!(e, Event::Reading(_)));
        let start = p.now;
        p.engine.request_history(
            HistoryRequest::Days {
                from: 0,
                to: days - 1,
            },
            Instant(start),
        );
        let done = p.run_until(start + 3_600_000, |e| {
            matches!(e, Event::HistoryDone { .. })
        });
        let readings = p
            .events
            .iter()
            .filter(|(t, e)| *t >= start && matches!(e, Event::Reading(_)))
            .count();
        println!(
            "{days:>3} days: {:>6.1} s of meter time ({:?}); {readings} live readings in between",
            (p.now - start) as f64 / 1000.0,
            done
        );
    }
}
