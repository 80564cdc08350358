//! `broute run` against `broute sim --pty`, for real: two processes, a pseudo-terminal and the
//! wall clock. Cold start (scan) then a restart with the saved pairing profile (no scan).

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_broute");

/// Kills the child (by its own handle) when the test ends, even on panic.
struct Kill(Child);

impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn lines(child: &mut Child) -> Receiver<String> {
    let out = child.stdout.take().expect("piped stdout");
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for l in BufReader::new(out).lines() {
            let Ok(l) = l else { break };
            if tx.send(l).is_err() {
                break;
            }
        }
    });
    rx
}

fn collect_stderr(child: &mut Child) -> JoinHandle<String> {
    let mut err = child.stderr.take().expect("piped stderr");
    std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    })
}

/// Wait for a line satisfying `pred`; returns every line seen up to it.
fn wait_for(rx: &Receiver<String>, within: Duration, pred: impl Fn(&str) -> bool) -> Vec<String> {
    let deadline = Instant::now() + within;
    let mut seen = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(l) => {
                let hit = pred(&l);
                seen.push(l);
                if hit {
                    return seen;
                }
            }
            Err(_) => panic!(
                "no matching line within {within:?}; got:\n{}",
                seen.join("\n")
            ),
        }
    }
}

/// Start `broute run --json` on `pty`, credentials typed on stdin (not a terminal here).
fn start_run(pty: &str, profile: &std::path::Path) -> Kill {
    let mut c = Command::new(BIN)
        .args([
            "run",
            "--json",
            "--interval",
            "1",
            "--port",
            pty,
            "--profile",
        ])
        .arg(profile)
        .env_remove("BROUTE_ID")
        .env_remove("BROUTE_PASSWORD")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn broute run");
    let mut stdin = c.stdin.take().expect("piped stdin");
    writeln!(stdin, "{}\n{}", sim::DEMO_ROUTE_B_ID, sim::DEMO_PASSWORD).unwrap();
    Kill(c)
}

#[test]
fn run_reads_the_simulator_through_a_pty_cold_then_warm() {
    cold_then_warm("skstack", &[]);
}

#[test]
fn run_reads_a_j11_dongle_through_a_pty_cold_then_warm() {
    cold_then_warm("j11", &["--dialect", "j11"]);
}

/// Cold start against `broute sim --pty` (with `sim_args`), then a warm start from the saved
/// profile, with every secret kept out of the output.
fn cold_then_warm(name: &str, sim_args: &[&str]) {
    let dir = std::env::temp_dir().join(format!("broute-run-pty-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let profile = dir.join("profile.json");
    let _ = std::fs::remove_file(&profile);

    // The meter is found by the first (shortest) scan: ~4.6 s of real scanning.
    let mut sim = Kill(
        Command::new(BIN)
            .args(["sim", "--pty", "--quiet", "--min-scan-duration", "4"])
            .args(sim_args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn broute sim"),
    );
    let sim_out = lines(&mut sim.0);
    let pty = sim_out
        .recv_timeout(Duration::from_secs(10))
        .expect("sim prints its pty path");
    assert!(pty.starts_with("/dev/"), "{pty}");

    // Cold: scan, join, identify, read.
    let mut cold = start_run(&pty, &profile);
    let cold_err = collect_stderr(&mut cold.0);
    let out = lines(&mut cold.0);
    let seen = wait_for(&out, Duration::from_secs(25), |l| {
        l.contains("\"event\":\"reading\"")
    });
    drop(cold);
    let err = cold_err.join().unwrap();
    let all = seen.join("\n") + &err;
    assert!(all.contains("\"event\":\"scan_started\""), "{all}");
    assert!(all.contains("\"power_w\":"), "{all}");
    assert!(!all.contains(sim::DEMO_PASSWORD) && !all.contains(sim::DEMO_ROUTE_B_ID));
    assert!(
        !all.contains(&sim::DEMO_ROUTE_B_ID[24..]),
        "pairing ID leaked"
    );
    let saved = std::fs::read_to_string(&profile).expect("profile saved");
    assert!(saved.contains("\"mac\""), "{saved}");
    if name == "j11" {
        assert!(saved.contains("\"dialect\": \"j11\""), "{saved}");
        assert!(all.contains("\"family\":\"RS-WSUHA-J11"), "{all}");
    }

    // Warm: same dongle, new process with the profile: joins without scanning.
    let mut warm = start_run(&pty, &profile);
    let out = lines(&mut warm.0);
    let seen = wait_for(&out, Duration::from_secs(15), |l| {
        l.contains("\"event\":\"reading\"")
    });
    let all = seen.join("\n");
    assert!(!all.contains("scan_started"), "{all}");
    assert!(all.contains("\"from_profile\":true"), "{all}");
    drop(warm);
    drop(sim);
    let _ = std::fs::remove_dir_all(&dir);
}
