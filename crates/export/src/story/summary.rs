//! The plain-language summary of a story, in Japanese and English, and the text that
//! `broute bundle show` prints.

use super::{Outcome, Pan, Story, TraceKind};
use crate::texts::{self, signed, times, Lang, Localized};

/// The PAN that matters: ours (Pairing ID match) with the best signal, else any.
fn best_pan(s: &Story) -> Option<(usize, &Pan)> {
    let mut best: Option<(usize, &Pan)> = None;
    for (i, scan) in s.scans.iter().enumerate() {
        for p in &scan.pans {
            let ours = p.pair_id_match != Some(false);
            let better = match best {
                None => true,
                Some((_, b)) => {
                    let b_ours = b.pair_id_match != Some(false);
                    (ours && !b_ours) || (ours == b_ours && p.rssi_dbm > b.rssi_dbm)
                }
            };
            if better {
                best = Some((i, p));
            }
        }
    }
    best
}

/// Sentences in both languages.
struct Text(Vec<String>, Vec<String>);

impl Text {
    fn push(&mut self, ja: impl Into<String>, en: impl Into<String>) {
        self.0.push(ja.into());
        self.1.push(en.into());
    }
}

pub(crate) fn summary(s: &Story) -> Localized {
    let mut t = Text(Vec::new(), Vec::new());
    // The meter on the air.
    let pans: Vec<&Pan> = s.scans.iter().flat_map(|x| &x.pans).collect();
    let ours_found = pans.iter().any(|p| p.pair_id_match != Some(false));
    if let Some((i, p)) = best_pan(s).filter(|_| ours_found || s.auth.connected) {
        let at = p.rssi_dbm.map(|r| {
            (
                format!("（{} dBm）", signed(r)),
                format!(" at {} dBm", signed(r)),
            )
        });
        let (ja_at, en_at) = at.unwrap_or_default();
        let tries = if i > 0 {
            (
                format!("{}回目のスキャンで、", i + 1),
                format!(" on scan {}", i + 1),
            )
        } else {
            Default::default()
        };
        t.push(
            format!(
                "{}メーターはチャネル{}{}で見つかりました。",
                tries.0, p.channel, ja_at
            ),
            format!(
                "The meter was found on channel {}{}{}.",
                p.channel, en_at, tries.1
            ),
        );
    } else if !pans.is_empty() {
        let n = pans.len();
        t.push(
            format!("{n}台のメーターが応答しましたが、この認証IDのメーターではありませんでした。"),
            format!(
                "{n} meter{} answered, but none belongs to this B-route ID.",
                if n == 1 { "" } else { "s" }
            ),
        );
    } else if !s.scans.is_empty() {
        let n = s.scans.len() as u64;
        t.push(
            format!(
                "{}スキャンしましたが、メーターは応答しませんでした。",
                times(n).ja
            ),
            format!(
                "No meter answered {} scan{}.",
                n,
                if n == 1 { "" } else { "s" }
            ),
        );
    }
    // Authentication.
    if s.auth.refused > 0 {
        let n = times(u64::from(s.auth.refused));
        t.push(
            format!("認証が{}拒否されました。", n.ja),
            format!("Authentication was refused {}.", n.en),
        );
    }
    if s.auth.connected {
        t.push(
            if s.auth.refused > 0 {
                "その後、認証に成功しました。"
            } else {
                "認証に成功しました。"
            },
            if s.auth.refused > 0 {
                "Then authentication succeeded."
            } else {
                "Authentication succeeded."
            },
        );
    }
    // Readings.
    if s.readings.count > 0 {
        let n = s.readings.count;
        let (ja_last, en_last) = match &s.readings.last_power_w {
            Some(w) => {
                let w = w.replace('-', "\u{2212}");
                (
                    format!("最後の瞬時電力は{w} Wでした。"),
                    format!("; the last power reading was {w} W"),
                )
            }
            None => Default::default(),
        };
        t.push(
            format!("メーターから{n}回データを受け取りました。{ja_last}"),
            format!(
                "{n} answer{} came from the meter{en_last}.",
                if n == 1 { "" } else { "s" }
            ),
        );
    }
    // The cause and the fix.
    if let Some(tr) = &s.triage {
        if tr.recovered {
            t.push(
                format!(
                    "途中で問題（{}）が起きましたが、自動で回復しました。",
                    tr.code
                ),
                format!("A problem ({}) occurred but cleared by itself.", tr.code),
            );
        } else {
            t.push(tr.cause.ja.clone(), tr.cause.en.clone());
            t.push(tr.fix.ja.clone(), tr.fix.en.clone());
        }
    } else if s.outcome == Outcome::Reading && s.readings.count == 0 {
        t.push(
            "メーターとの通信が始まりました。",
            "The session with the meter started.",
        );
    }
    if t.0.is_empty() {
        t.push(
            "このログからは、ドングルやメーターとのやり取りが読み取れませんでした。",
            "Nothing in this log shows an exchange with a dongle or a meter.",
        );
    }
    Localized::new(t.0.concat(), t.1.join(" "))
}

fn ms_text(ms: i64) -> String {
    let s = ms / 1000;
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}.{:01}", s / 60, s % 60, ms % 1000 / 100)
    }
}

pub(crate) fn text(s: &Story, lang: Lang) -> String {
    let pick = |ja: &'static str, en: &'static str| lang.pick(ja, en);
    let mut out = String::new();
    out.push_str(s.summary.get(lang));
    out.push_str("\n\n");
    if let Some(t) = &s.triage {
        out.push_str(&format!(
            "{} {}{}\n  {}\n  {}\n\n",
            pick("サポートコード", "Support code"),
            t.code,
            if t.recovered {
                pick("（回復済み）", " (cleared)")
            } else {
                ""
            },
            t.cause.get(lang),
            t.fix.get(lang)
        ));
    }
    let d = &s.dongle;
    if d.family.is_some() || d.firmware.is_some() {
        out.push_str(&format!(
            "{}: {}{}{}\n",
            pick("ドングル", "Dongle"),
            d.family.as_deref().unwrap_or("?"),
            d.dialect
                .as_deref()
                .map(|x| format!(", {}", texts::dialect(x).get(lang)))
                .unwrap_or_default(),
            d.firmware
                .as_deref()
                .map(|f| format!(", {f}"))
                .unwrap_or_default()
        ));
    }
    let m = &s.meter;
    if m.class.is_some() {
        out.push_str(&format!(
            "{}: {}{}{}\n",
            pick("メーター", "Meter"),
            m.class.as_deref().unwrap_or("?"),
            m.release
                .as_deref()
                .map(|r| format!(", Release {r}"))
                .unwrap_or_default(),
            m.maker
                .as_deref()
                .map(|x| format!(", maker {x}"))
                .unwrap_or_default()
        ));
    }
    out.push_str(&format!("\n{}\n", pick("経過", "Timeline")));
    for p in &s.phases {
        let at = p
            .start_ms
            .map(ms_text)
            .or_else(|| p.line.map(|l| format!("L{l}")));
        let dur = p
            .duration_ms
            .map(|d| format!(" ({})", ms_text(d)))
            .unwrap_or_default();
        out.push_str(&format!(
            "  {:>10}  {}{}\n",
            at.unwrap_or_default(),
            p.label.get(lang),
            dur
        ));
    }
    for (i, sc) in s.scans.iter().enumerate() {
        let pans: Vec<String> = sc
            .pans
            .iter()
            .map(|p| {
                format!(
                    "ch {}{}{}{}",
                    p.channel,
                    p.lqi.map(|l| format!(" LQI {l}")).unwrap_or_default(),
                    p.rssi_dbm
                        .map(|r| format!(" {} dBm", signed(r)))
                        .unwrap_or_default(),
                    match p.pair_id_match {
                        Some(true) => pick(" 一致", " PairID match"),
                        Some(false) => pick(" 不一致", " other PairID"),
                        None => "",
                    }
                )
            })
            .collect();
        out.push_str(&format!(
            "  {} {}{}: {}\n",
            pick("スキャン", "Scan"),
            i + 1,
            sc.duration.map(|d| format!(" (d={d})")).unwrap_or_default(),
            if pans.is_empty() {
                pick("応答なし", "nothing heard").to_string()
            } else {
                pans.join(", ")
            }
        ));
    }
    let errors = s
        .trace
        .iter()
        .filter(|t| t.kind == TraceKind::Error)
        .count();
    out.push_str(&format!(
        "\n{}: {} ({} {})\n",
        pick("トレース", "Trace"),
        s.trace.len(),
        errors,
        pick("件のエラー", "errors")
    ));
    out
}
