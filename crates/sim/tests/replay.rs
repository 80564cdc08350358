//! Replays what real clients sent in the shared captures (copied into `tests/fixtures/`
//! with provenance) and checks that the simulator answers with lines of the same shape:
//! same line kinds in the same order, same token counts, same EVENT numbers, same ERXUDP
//! ports, same echo, same terminators (CR LF vs bare CR).
use sim::{Fault, Scenario, Sim};

#[derive(Debug, Clone, PartialEq, Eq)]
struct Shape(String);

fn shape(line: &str, cr_only: bool) -> Shape {
    let term = if cr_only { "<CR>" } else { "<CRLF>" };
    if let Some(rest) = line.strip_prefix("  ") {
        let key = rest.split(':').next().unwrap_or("");
        return Shape(format!("FIELD {key}{term}"));
    }
    let toks: Vec<&str> = line.split(' ').filter(|t| !t.is_empty()).collect();
    let first = toks.first().copied().unwrap_or("");
    let kind = if first.len() == 39 && first.matches(':').count() == 7 {
        "ADDR".to_string()
    } else if first == "EVENT" {
        format!("EVENT {}", toks.get(1).unwrap_or(&""))
    } else if first == "ERXUDP" {
        format!("ERXUDP port={}", toks.get(3).unwrap_or(&""))
    } else {
        first.to_string()
    };
    Shape(format!("{kind} tokens={}{term}", toks.len()))
}

/// Split output into (line, cr_only); ERXUDP hex data must match its DATALEN.
fn split_lines(out: &[u8]) -> Vec<(String, bool)> {
    let mut v = Vec::new();
    let mut cur = Vec::new();
    let mut i = 0;
    while i < out.len() {
        let b = out[i];
        if b == b'\r' {
            let crlf = out.get(i + 1) == Some(&b'\n');
            v.push((String::from_utf8_lossy(&cur).into_owned(), !crlf));
            cur.clear();
            i += if crlf { 2 } else { 1 };
            continue;
        }
        cur.push(b);
        i += 1;
    }
    assert!(
        cur.is_empty(),
        "unterminated output {:?}",
        String::from_utf8_lossy(&cur)
    );
    for (l, _) in &v {
        if l.starts_with("ERXUDP ") {
            let toks: Vec<&str> = l.split(' ').collect();
            let n = usize::from_str_radix(toks[toks.len() - 2], 16).unwrap();
            assert_eq!(
                toks[toks.len() - 1].len(),
                2 * n,
                "hex length vs DATALEN in {l}"
            );
        }
    }
    v
}

enum Exp {
    Line(Shape, bool),
    Rest,
}

struct Step {
    write: Vec<u8>,
    wait: u64,
    expect: Vec<Exp>,
    label: String,
}

fn unhex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

fn run(name: &str, text: &str) {
    let mut sc = Scenario::default();
    let mut steps: Vec<Step> = Vec::new();
    let mut hex = None;
    let mut faults = Vec::new();
    let mut min_dur = None;
    for raw in text.lines() {
        if raw.starts_with('#') || raw.is_empty() {
            continue;
        }
        if let Some(p) = raw.strip_prefix("!preset ") {
            sc = Scenario::preset(p.trim()).expect("preset");
        } else if raw == "!hex" {
            hex = Some(true);
        } else if let Some(f) = raw.strip_prefix("!fault ") {
            faults.push(Fault::from_name(f.trim()).expect("fault"));
        } else if let Some(d) = raw.strip_prefix("!min_scan_duration ") {
            min_dur = Some(d.trim().parse::<u8>().unwrap());
        } else if let Some(cmd) = raw.strip_prefix(">>bin ") {
            let (head, payload) = cmd.split_once('|').unwrap();
            let mut w = head.as_bytes().to_vec();
            w.extend(unhex(payload));
            steps.push(Step {
                write: w,
                wait: 1500,
                expect: vec![],
                label: raw.to_string(),
            });
        } else if let Some(cmd) = raw.strip_prefix(">> ") {
            let mut w = cmd.as_bytes().to_vec();
            w.extend_from_slice(b"\r\n");
            steps.push(Step {
                write: w,
                wait: 1500,
                expect: vec![],
                label: raw.to_string(),
            });
        } else if let Some(ms) = raw.strip_prefix("~~ ") {
            steps.last_mut().unwrap().wait = ms.trim().parse().unwrap();
        } else if raw == "<<*" {
            steps.last_mut().unwrap().expect.push(Exp::Rest);
        } else if let Some(l) = raw.strip_prefix("<<? ") {
            steps
                .last_mut()
                .unwrap()
                .expect
                .push(Exp::Line(shape(l, false), true));
        } else if let Some(l) = raw.strip_prefix("<<cr ") {
            steps
                .last_mut()
                .unwrap()
                .expect
                .push(Exp::Line(shape(l, true), false));
        } else if let Some(l) = raw.strip_prefix("<< ") {
            steps
                .last_mut()
                .unwrap()
                .expect
                .push(Exp::Line(shape(l, false), false));
        } else if raw.starts_with("##") {
            continue;
        } else {
            panic!("{name}: bad fixture line {raw:?}");
        }
    }
    if let Some(h) = hex {
        sc.erxudp_hex = h;
    }
    if let Some(d) = min_dur {
        sc.min_scan_duration = d;
    }
    for f in faults {
        sc.faults.set(f, true);
    }
    let m = sc.meters[0].clone();
    let mut sim = Sim::new(sc);
    let ll = sim.meter_address(0).unwrap();
    let subst = |s: &[u8]| -> Vec<u8> {
        let t = String::from_utf8_lossy(s).into_owned();
        let t = t
            .replace("$PWD", &m.password)
            .replace("$ID", &m.route_b_id)
            .replace("$CH", &format!("{:02X}", m.channel))
            .replace("$PAN", &format!("{:04X}", m.pan_id))
            .replace("$MAC", &format!("{:016X}", m.mac))
            .replace("$LL", &ll);
        t.into_bytes()
    };
    let mut now = 0u64;
    for step in steps {
        // Only the text part holds placeholders; keep binary payload bytes as they are.
        let w = if let Some(p) = step
            .write
            .iter()
            .position(|b| *b > 0x7E || (*b < 0x20 && *b != b'\r' && *b != b'\n'))
        {
            let mut v = subst(&step.write[..p]);
            v.extend_from_slice(&step.write[p..]);
            v
        } else if step.label.starts_with(">>bin") {
            // payload is printable or empty; find the '|' split again
            let head_len = step.label.split_once('|').unwrap().0.len() - 6;
            let mut v = subst(&step.write[..head_len]);
            v.extend_from_slice(&step.write[head_len..]);
            v
        } else {
            subst(&step.write)
        };
        sim.write(now, &w);
        now += step.wait;
        let out = sim.read(now);
        let got = split_lines(&out);
        let mut gi = 0;
        let mut rest = false;
        for e in &step.expect {
            match e {
                Exp::Rest => {
                    rest = true;
                    break;
                }
                Exp::Line(sh, optional) => {
                    let actual = got.get(gi).map(|(l, cr)| shape(l, *cr));
                    if actual.as_ref() == Some(sh) {
                        gi += 1;
                    } else if !optional {
                        panic!(
                            "{name}: after {:?}\n expected {:?}\n got {:?}\n full output:\n{}",
                            step.label,
                            sh,
                            actual,
                            String::from_utf8_lossy(&out)
                        );
                    }
                }
            }
        }
        if !rest {
            assert_eq!(
                gi,
                got.len(),
                "{name}: after {:?} unexpected extra lines: {:?}",
                step.label,
                &got[gi..]
            );
        }
    }
}

macro_rules! replay {
    ($test:ident, $file:literal) => {
        #[test]
        fn $test() {
            run($file, include_str!(concat!("fixtures/", $file)));
        }
    };
}

replay!(qiita_rs_wsuha_p, "qiita-rs-wsuha-p.replay");
replay!(vkgtaro_rl7023_ips, "vkgtaro-rl7023-ips.replay");
replay!(hsakoh_bp35c2_issue5, "hsakoh-bp35c2-issue5.replay");
replay!(
    tnishinaga_mb_rl7023_11_dss,
    "tnishinaga-mb-rl7023-11-dss.replay"
);
