//! The story of a session for support staff, after opening a support bundle (Data) or pasting
//! a log (Trace): what happened in plain words, the timeline of phases with times and
//! durations, the cause and the fix with the support code, the dongle and the meter, the signal
//! over time, the scans with every PAN heard, and the trace filterable by kind.
//!
//! The worker computes the story and lays it out in the user's language
//! (`broute_worker::story_view`); this page only draws the rows.

use broute::readout::SignalQuality;
use broute_worker::story_view::{
    plot_y, Fact, Mark, NoteRow, PhaseRow, ScanRow, SignalRow, StoryView, TraceRow, PLOT_H, PLOT_W,
};
use broute_worker::wire::BundleProblem;
use export::bundle::MAX_BUNDLE_BYTES;
use export::story::{Outcome, Source, TraceKind};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::announcer::announce;
use crate::i18n::*;
use crate::platform::dom;
use crate::platform::files::FileBytes;
use crate::tools::{self, Request};

/// What to tell the story of.
#[derive(Clone)]
pub enum StoryInput {
    /// A support bundle: the file's bytes (its size checked before they were read), kept on the
    /// browser's side to be laid out again when the language changes.
    Bundle {
        /// The bytes.
        file: FileBytes,
        /// The file's size.
        size: u64,
    },
    /// A pasted log.
    Log(String),
}

/// Why a story could not be told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenError {
    /// A file over the limit (its size): refused before anything of it was read.
    TooLarge(u64),
    /// What the worker found wrong with a bundle.
    Problem(BundleProblem),
    /// The file could not be read, or the worker did not answer.
    Failed,
}

/// A size as people read it: "50.0 MB".
fn megabytes(bytes: u64) -> String {
    let tenths = bytes.saturating_mul(10) / (1024 * 1024);
    format!("{}.{} MB", tenths / 10, tenths % 10)
}

/// The error in words; never anything of the file's content.
fn open_error_text(i18n: I18n, e: OpenError) -> String {
    match e {
        OpenError::TooLarge(size) => t_string!(
            i18n,
            bundle_too_large,
            size = megabytes(size),
            max = megabytes(MAX_BUNDLE_BYTES as u64)
        )
        .to_string(),
        OpenError::Problem(BundleProblem::NotText(line)) => {
            t_string!(i18n, bundle_not_text, line = line).to_string()
        }
        OpenError::Problem(BundleProblem::NotBundle(line)) => {
            t_string!(i18n, bundle_not_bundle, line = line).to_string()
        }
        OpenError::Problem(BundleProblem::Truncated) => {
            t_string!(i18n, bundle_truncated).to_string()
        }
        OpenError::Problem(BundleProblem::Version(v)) => {
            t_string!(i18n, bundle_version, v = v).to_string()
        }
        OpenError::Problem(BundleProblem::TooLarge) | OpenError::Failed => {
            t_string!(i18n, bundle_error).to_string()
        }
    }
}

/// A story card's state, kept by its owner (the shell for bundles, so that an opened bundle
/// stays while the user visits other tabs): what is told and how it was laid out.
#[derive(Clone, Copy)]
pub struct StoryState {
    input: RwSignal<Option<StoryInput>, LocalStorage>,
    /// Bumped at every new input (or refusal): a late answer for an older one is dropped.
    serial: RwSignal<u32>,
    story: RwSignal<Option<Result<StoryView, OpenError>>>,
    /// The worker is laying out a new input.
    opening: RwSignal<bool>,
    /// The input and language the story was last asked for.
    laid: StoredValue<Option<(u32, Locale)>>,
}

impl Default for StoryState {
    fn default() -> Self {
        Self {
            input: RwSignal::new_local(None),
            serial: RwSignal::new(0),
            story: RwSignal::new(None),
            opening: RwSignal::new(false),
            laid: StoredValue::new(None),
        }
    }
}

impl StoryState {
    /// Tell the story of `input` (laid out in the worker, in the user's language).
    pub fn open(&self, input: StoryInput) {
        self.story.set(None);
        self.input.set(Some(input));
        self.serial.update(|n| *n = n.wrapping_add(1));
    }

    /// Show why a file was refused before it was read.
    pub fn refuse(&self, e: OpenError) {
        self.input.set(None);
        self.serial.update(|n| *n = n.wrapping_add(1));
        self.opening.set(false);
        self.story.set(Some(Err(e)));
    }
}

/// Lay out `input` in the worker.
async fn lay_out(input: StoryInput, lang: export::Lang) -> Result<StoryView, OpenError> {
    let text = match input {
        StoryInput::Bundle { file, size } => {
            tools::open_bundle(lang, &file)
                .await
                .map_err(|e| match BundleProblem::decode(&e) {
                    Some(BundleProblem::TooLarge) => OpenError::TooLarge(size),
                    Some(p) => OpenError::Problem(p),
                    None => OpenError::Failed,
                })?
        }
        StoryInput::Log(text) => tools::run(Request::LogStory { lang, text })
            .await
            .map_err(|_| OpenError::Failed)?,
    };
    StoryView::decode(&text).ok_or(OpenError::Failed)
}

/// Trace lines shown at first, and added by "more".
const PAGE: usize = 100;

type I18n = leptos_i18n::I18nContext<Locale>;

/// A key for a kind (test ids, `data-kind`).
fn kind_key(k: Option<TraceKind>) -> &'static str {
    match k {
        None => "all",
        Some(TraceKind::Command) => "command",
        Some(TraceKind::Event) => "event",
        Some(TraceKind::Echonet) => "echonet",
        Some(TraceKind::Error) => "error",
        Some(TraceKind::Other) => "other",
    }
}

fn kind_text(i18n: I18n, k: Option<TraceKind>) -> String {
    match k {
        None => t_string!(i18n, story_kind_all),
        Some(TraceKind::Command) => t_string!(i18n, story_kind_command),
        Some(TraceKind::Event) => t_string!(i18n, story_kind_event),
        Some(TraceKind::Echonet) => t_string!(i18n, story_kind_echonet),
        Some(TraceKind::Error) => t_string!(i18n, story_kind_error),
        Some(TraceKind::Other) => t_string!(i18n, story_kind_other),
    }
    .to_string()
}

/// The story in `state` (nothing while there is none). A new story is announced and focus
/// moves to its heading; a change of language lays it out again.
#[component]
pub fn StoryCard(state: StoryState) -> impl IntoView {
    let i18n = use_i18n();
    let StoryState {
        input,
        serial,
        story,
        opening,
        laid,
    } = state;
    Effect::new(move |_| {
        let locale = i18n.get_locale();
        let n = serial.get();
        let last = laid.get_value();
        if last == Some((n, locale)) {
            return;
        }
        let Some(input) = input.get_untracked() else {
            return;
        };
        let fresh = last.is_none_or(|(m, _)| m != n);
        laid.set_value(Some((n, locale)));
        opening.set(fresh);
        let opened = t_string!(i18n, story_opened).to_string();
        spawn_local(async move {
            let r = lay_out(input, crate::echonet_lang(locale)).await;
            if serial.get_untracked() != n {
                return;
            }
            let ok = r.is_ok();
            opening.set(false);
            story.set(Some(r));
            if fresh && ok {
                announce(opened);
                request_animation_frame(|| dom::focus_id("story-h"));
            }
        });
    });
    let bundle = move || input.with(|i| !matches!(i, Some(StoryInput::Log(_))));
    view! {
        {move || (opening.get() && bundle()).then(|| view! {
            <p class="card" role="status" data-testid="story-opening">{t!(i18n, bundle_opening)}</p>
        })}
        {move || story.with(|s| s.as_ref().map(|r| match r {
            Err(e) => {
                let e = *e;
                let (id, text) = if bundle() {
                    ("bundle-error", Some(e))
                } else {
                    ("story-error", None)
                };
                let text = move || match text {
                    Some(e) => open_error_text(i18n, e),
                    None => t_string!(i18n, story_error).to_string(),
                };
                view! {
                    <div class="card">
                        <p class="status bad" role="alert" data-testid=id>
                            <span aria-hidden="true">"⚠ "</span>{text}
                        </p>
                    </div>
                }
                .into_any()
            }
            Ok(v) => view! { <StoryBody v=v.clone()/> }.into_any(),
        }))}
    }
}

#[component]
fn StoryBody(v: StoryView) -> impl IntoView {
    let i18n = use_i18n();
    let StoryView {
        source,
        outcome,
        summary,
        support,
        phases,
        triage,
        facts,
        signal,
        scans,
        trace,
        notes,
    } = v;
    let (sym, class) = match outcome {
        Outcome::Reading => ("✓ ", "outcome ok"),
        Outcome::Stopped => ("⚠ ", "outcome bad"),
        Outcome::Unfinished => ("… ", "outcome"),
    };
    let outcome_text = move || match outcome {
        Outcome::Reading => t_string!(i18n, story_outcome_reading),
        Outcome::Stopped => t_string!(i18n, story_outcome_stopped),
        Outcome::Unfinished => t_string!(i18n, story_outcome_unfinished),
    };
    let support = (!support.is_empty()).then(|| {
        view! {
            <p class="support-line" data-testid="story-support">
                <span class="label">{t!(i18n, support_line_label)}</span><br/>{support}
            </p>
        }
    });
    let title = match source {
        Source::Bundle => t!(i18n, story_heading_bundle).into_any(),
        Source::Log => t!(i18n, story_heading_log).into_any(),
    };
    view! {
        <section class="card story" aria-labelledby="story-h" data-testid="story">
            <h2 id="story-h" tabindex="-1">{title}</h2>
            <p class=class data-testid="story-outcome"><span aria-hidden="true">{sym}</span>{outcome_text}</p>
            <p class="summary" data-testid="story-summary">{summary}</p>
            {support}
            <Timeline phases=phases outcome=outcome/>
            {triage.map(|t| view! {
                <h3>{t!(i18n, story_triage)}</h3>
                <div class="triage-result" data-testid="story-triage">
                    <p class="cause-title"><span aria-hidden="true">"⚠ "</span>{t!(i18n, code_label)}" "
                        <strong data-testid="story-code">{t.code}</strong>
                        {(!t.at.is_empty()).then(|| format!(" ({})", t.at))}" — "{t.cause}</p>
                    <p class="cause-fix" data-testid="story-fix">{t.fix}</p>
                    {t.recovered.then(|| view! { <p>{t!(i18n, story_recovered)}</p> })}
                </div>
            })}
            <Facts facts=facts/>
            <Signal signal=signal/>
            <Scans scans=scans/>
            <Trace rows=trace/>
            <Notes notes=notes/>
        </section>
    }
}

#[component]
fn Timeline(phases: Vec<PhaseRow>, outcome: Outcome) -> impl IntoView {
    let i18n = use_i18n();
    let rows = phases
        .into_iter()
        .map(|p| {
            let (sym, class) = match (p.mark, outcome) {
                (Mark::Done, _) => ("✓ ", "done"),
                (Mark::Recovery, _) => ("↻ ", "recovery"),
                (Mark::Failed, _) => ("⚠ ", "failed"),
                (Mark::Last, Outcome::Reading) => ("● ", "done"),
                (Mark::Last, Outcome::Stopped) => ("■ ", "failed"),
                (Mark::Last, Outcome::Unfinished) => ("… ", "last"),
            };
            let mark = p.mark;
            let text = move || match (mark, outcome) {
                (Mark::Done, _) => t_string!(i18n, story_mark_done),
                (Mark::Recovery, _) => t_string!(i18n, story_mark_recovery),
                (Mark::Failed, _) => t_string!(i18n, story_mark_failed),
                (Mark::Last, Outcome::Reading) => t_string!(i18n, story_mark_reading),
                (Mark::Last, Outcome::Stopped) => t_string!(i18n, story_mark_stopped),
                (Mark::Last, Outcome::Unfinished) => t_string!(i18n, story_mark_last),
            };
            let duration = if p.duration.is_empty() {
                "—".to_string()
            } else {
                p.duration
            };
            view! {
                <tr class=class>
                    <td class="t">{p.at}</td>
                    <th scope="row">{p.label}</th>
                    <td>{duration}</td>
                    <td><span aria-hidden="true">{sym}</span>{text}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <h3 id="story-tl-h">{t!(i18n, story_timeline)}</h3>
        <table class="story-table timeline" data-testid="story-timeline" aria-labelledby="story-tl-h">
            <thead><tr>
                <th scope="col">{t!(i18n, story_col_time)}</th>
                <th scope="col">{t!(i18n, story_col_phase)}</th>
                <th scope="col">{t!(i18n, story_col_duration)}</th>
                <th scope="col">{t!(i18n, story_col_result)}</th>
            </tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

#[component]
fn Facts(facts: Vec<Fact>) -> impl IntoView {
    let i18n = use_i18n();
    let rows = facts
        .into_iter()
        .map(|f| {
            let key = f.key.clone();
            let label = move || match key.as_str() {
                "family" => t_string!(i18n, story_fact_family),
                "dialect" => t_string!(i18n, story_fact_dialect),
                "firmware" => t_string!(i18n, dongle_firmware),
                "mode" => t_string!(i18n, dongle_mode),
                "class" => t_string!(i18n, dash_meter),
                "release" => t_string!(i18n, meter_release),
                "maker" => t_string!(i18n, meter_maker),
                _ => t_string!(i18n, story_fact_serial),
            };
            let value = f.value.clone();
            let value = move || match value.as_str() {
                "low_voltage" => t_string!(i18n, meter_low_voltage).to_string(),
                "high_voltage" => t_string!(i18n, meter_high_voltage).to_string(),
                "hex" => t_string!(i18n, mode_hex).to_string(),
                "binary" => t_string!(i18n, mode_binary).to_string(),
                other => other.to_string(),
            };
            view! { <dt>{label}</dt><dd data-testid=format!("story-fact-{}", f.key)>{value}</dd> }
        })
        .collect_view();
    view! {
        <h3>{t!(i18n, story_facts)}</h3>
        <dl class="facts" data-testid="story-facts">{rows}</dl>
    }
}

#[component]
fn Signal(signal: Option<SignalRow>) -> impl IntoView {
    let i18n = use_i18n();
    let Some(s) = signal else {
        return view! { <h3>{t!(i18n, story_signal)}</h3><p>{t!(i18n, story_signal_none)}</p> }
            .into_any();
    };
    let sig = export::texts::signed;
    let q = SignalQuality::from_rssi(i16::try_from(s.last).ok());
    let text = move || {
        let q = match q {
            SignalQuality::Good => t_string!(i18n, signal_good),
            SignalQuality::Fair => t_string!(i18n, signal_fair),
            SignalQuality::Weak => t_string!(i18n, signal_weak),
            SignalQuality::Unknown => t_string!(i18n, signal_unknown),
        };
        t_string!(
            i18n,
            story_signal_text,
            n = s.count,
            min = sig(s.min),
            max = sig(s.max),
            last = sig(s.last),
            q = q
        )
        .to_string()
    };
    let (good, weak) = (plot_y(-70), plot_y(-85));
    view! {
        <h3 id="story-sig-h">{t!(i18n, story_signal)}</h3>
        <svg class="chart signal" viewBox=format!("-44 -6 {} {}", PLOT_W + 52, PLOT_H + 24) role="img"
            aria-labelledby="story-sig-h" aria-describedby="story-sig-text" data-testid="story-signal">
            <line x1="0" x2=PLOT_W y1=good y2=good class="zero"/>
            <line x1="0" x2=PLOT_W y1=weak y2=weak class="zero"/>
            <text x="-44" y={good + 4} class="axis">"−70"</text>
            <text x="-44" y={weak + 4} class="axis">"−85"</text>
            <text x="-44" y="4" class="axis">"dBm"</text>
            <polyline points=s.points class="line dots"/>
            <text x="0" y={PLOT_H + 16} class="axis">{s.from}</text>
            <text x={PLOT_W - 50} y={PLOT_H + 16} class="axis">{s.to}</text>
        </svg>
        <p id="story-sig-text" data-testid="story-signal-text">{text}</p>
    }
    .into_any()
}

#[component]
fn Scans(scans: Vec<ScanRow>) -> impl IntoView {
    let i18n = use_i18n();
    if scans.is_empty() {
        return ().into_any();
    }
    let tables = scans
        .into_iter()
        .enumerate()
        .map(|(i, sc)| {
            let n = i + 1;
            let dash = |s: String| if s.is_empty() { "—".to_string() } else { s };
            let (at, dur, d) = (dash(sc.at), dash(sc.duration), dash(sc.exponent));
            let caption = move || {
                t_string!(i18n, story_scan_caption, n = n, at = at.clone(), dur = dur.clone(), d = d.clone())
                    .to_string()
            };
            let rows = if sc.pans.is_empty() {
                view! { <tr><td colspan="5">{t!(i18n, story_no_pans)}</td></tr> }.into_any()
            } else {
                sc.pans
                    .into_iter()
                    .map(|p| {
                        let matched = p.matched;
                        let pair = move || match matched {
                            Some(true) => format!("✓ {}", t_string!(i18n, scan_ours)),
                            Some(false) => format!("✗ {}", t_string!(i18n, scan_other)),
                            None => t_string!(i18n, signal_unknown).to_string(),
                        };
                        view! {
                            <tr class=if matched == Some(true) { "ours" } else { "other" }>
                                <td>{p.channel}</td><td>{p.pan_id}</td><td>{p.lqi}</td><td>{p.rssi}</td><td>{pair}</td>
                            </tr>
                        }
                    })
                    .collect_view()
                    .into_any()
            };
            view! {
                <table class="story-table" data-testid="story-scan">
                    <caption>{caption}</caption>
                    <thead><tr>
                        <th scope="col">{t!(i18n, story_col_channel)}</th>
                        <th scope="col">"PAN ID"</th>
                        <th scope="col">"LQI"</th>
                        <th scope="col">{t!(i18n, story_col_rssi)}</th>
                        <th scope="col">{t!(i18n, story_col_pair)}</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            }
        })
        .collect_view();
    view! { <h3>{t!(i18n, story_scans)}</h3>{tables} }.into_any()
}

/// The notes the app wrote into a bundle.
#[component]
fn Notes(notes: Vec<NoteRow>) -> impl IntoView {
    let i18n = use_i18n();
    (!notes.is_empty()).then(|| {
        view! {
            <h3>{t!(i18n, story_notes)}</h3>
            <ul data-testid="story-notes">
                {notes.into_iter().map(|n| view! { <li><span class="t">{n.at}</span>" "{n.text}</li> }).collect_view()}
            </ul>
        }
    })
}

/// The trace, filterable by kind, a page at a time.
#[component]
fn Trace(rows: Vec<TraceRow>) -> impl IntoView {
    let i18n = use_i18n();
    let rows = StoredValue::new(rows);
    let filter = RwSignal::new(None::<TraceKind>);
    let shown = RwSignal::new(PAGE);
    let count = move |k: Option<TraceKind>| {
        rows.with_value(|r| r.iter().filter(|t| k.is_none_or(|k| t.kind == k)).count())
    };
    let button = move |k: Option<TraceKind>| {
        let n = count(k);
        view! {
            <button type="button" data-testid=format!("story-filter-{}", kind_key(k))
                aria-pressed=move || (filter.get() == k).to_string()
                on:click=move |_| {
                    filter.set(k);
                    shown.set(PAGE);
                    announce(t_string!(i18n, story_filtered, kind = kind_text(i18n, k), n = n).to_string());
                }>
                {move || format!("{} ({n})", kind_text(i18n, k))}
            </button>
        }
    };
    let visible = move || {
        let k = filter.get();
        rows.with_value(|r| {
            r.iter()
                .filter(|t| k.is_none_or(|k| t.kind == k))
                .take(shown.get())
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    let total = move || count(filter.get());
    view! {
        <h3 id="story-trace-h">{t!(i18n, story_trace)}</h3>
        <div class="actions" role="group" aria-label=move || t_string!(i18n, story_filter_label).to_string()>
            {[None, Some(TraceKind::Command), Some(TraceKind::Event), Some(TraceKind::Echonet), Some(TraceKind::Error)]
                .map(button)}
        </div>
        <table class="story-table story-trace" data-testid="story-trace" aria-labelledby="story-trace-h">
            <thead><tr>
                <th scope="col">{t!(i18n, story_col_time)}</th>
                <th scope="col">{t!(i18n, story_col_kind)}</th>
                <th scope="col">{t!(i18n, story_col_dir)}</th>
                <th scope="col">{t!(i18n, story_col_line)}</th>
            </tr></thead>
            <tbody>
                {move || visible().into_iter().map(|t| {
                    let kind = t.kind;
                    let dir = t.dir.clone();
                    let dir = move || match dir.as_str() {
                        "→" => format!("→ {}", t_string!(i18n, story_dir_sent)),
                        "←" => format!("← {}", t_string!(i18n, story_dir_received)),
                        _ => String::new(),
                    };
                    view! {
                        <tr class=if kind == TraceKind::Error { "k-error" } else { "" } data-kind=kind_key(Some(kind))>
                            <td class="t">{t.at}</td>
                            <td>{move || kind_text(i18n, Some(kind))}</td>
                            <td>{dir}</td>
                            <td><code>{t.text}</code>
                                {(!t.note.is_empty()).then(|| view! { <pre class="dec">{t.note}</pre> })}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        <p data-testid="story-trace-count">{move || t_string!(i18n, story_shown, shown = shown.get().min(total()), total = total()).to_string()}</p>
        {move || (shown.get() < total()).then(|| view! {
            <button type="button" data-testid="story-more" on:click=move |_| shown.update(|n| *n += PAGE)>
                {t!(i18n, story_more)}
            </button>
        })}
    }
}
