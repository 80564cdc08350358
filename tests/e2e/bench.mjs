// Browser measurements of the release bundle (`make bench-browser`, after `make dist`). Prints
// figures; asserts nothing about time. Figures are recorded in docs/benchmarks.md.
//
//   1. First-load transfer: every file fetched on a cold first load, raw and gzip -9.
//   2. Time to interactive on localhost: navigation start → header rendered and the connect and
//      demo buttons present and enabled; median of RUNS cold loads, each with a fresh profile.
//   3. Chart: a day of readings (17 280 samples, one per 5 s) filled through the app's bench hook
//      (src/bench_hooks.rs), the dashboard's 24 h window, then REDRAWS pushes of one more sample
//      each, timed; JS heap (Chromium's precise memory info) and wasm memory before and after.
//   4. A week in the store: WEEK readings (120 960 = 7 days every 5 s) written into IndexedDB
//      through the bench hook, then reloads of the page on that store: time to interactive, the
//      Data tab's render (click → every reading counted and the space used shown), the
//      dashboard's 24 h chart from the store, and the full readings CSV (click → download).
import { mkdtempSync, rmSync, readFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync, brotliCompressSync, constants } from "node:zlib";
import { chromium } from "playwright-core";
import { startServer, chromiumArgs, root } from "./lib.mjs";

// The shipped bundle (`make dist`), not the e2e build with its test hooks.
const distDir = process.env.BENCH_DIST || join(root, "dist");

const RUNS = Number(process.env.BENCH_RUNS || 5);
const WEEK = Number(process.env.BENCH_WEEK || 120_960);
const REDRAWS = Number(process.env.BENCH_REDRAWS || 100);
const fakeSerial = readFileSync(join(root, "tests", "e2e", "fake-serial.js"), "utf8");

/** A fresh profile with the fake serial (as in the tests) and extra Chromium flags. */
async function launch(extraArgs = []) {
  const profile = mkdtempSync(join(tmpdir(), "broute-bench-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: [...chromiumArgs(), ...extraArgs],
    locale: "ja-JP",
    viewport: { width: 1000, height: 900 },
  });
  context.setDefaultTimeout(60_000);
  await context.addInitScript({ content: `window.__FAKE_SERIAL_CONFIG = {};\n${fakeSerial}` });
  const page = context.pages()[0] || (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const ms = (n) => `${n.toFixed(1)} ms`;
const mb = (n) => `${(n / 1024 / 1024).toFixed(2)} MB`;

const server = await startServer(distDir);
// The chart and CSV measurements need the window hooks of `--features bench-hooks`, which the
// shipped bundle does not carry: `make bench-browser` builds that copy into target/dist-bench.
const hooksServer = await startServer(process.env.BENCH_HOOKS_DIST || distDir);
const origin = server.url.replace(/\/$/, "");
let chromiumVersion = "?";

// --- 1. First-load transfer --------------------------------------------------------------------
async function firstLoad() {
  const b = await launch();
  chromiumVersion = b.context.browser()?.version() ?? chromiumVersion;
  const page = new Set();
  const all = new Set();
  b.page.on("request", (r) => page.add(new URL(r.url()).pathname));
  b.context.on("request", (r) => all.add(new URL(r.url()).pathname));
  await b.page.goto(server.url);
  await b.page.waitForSelector("header.top h1");
  await b.page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
  await b.page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  await b.page.waitForTimeout(500);
  await b.close();
  const size = (paths) => {
    const files = [...new Set([...paths].map((p) => (p.endsWith("/") ? p + "index.html" : p).slice(1)))].sort();
    const rows = files.map((file) => {
      const body = readFileSync(join(distDir, file));
      return {
        file,
        raw: body.length,
        gz: gzipSync(body, { level: constants.Z_BEST_COMPRESSION }).length,
        br: brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
      };
    });
    const sum = (k) => rows.reduce((a, r) => a + r[k], 0);
    return { rows, raw: sum("raw"), gz: sum("gz"), br: sum("br") };
  };
  return { page: size(page), all: size(all) };
}

// --- 2. Time to interactive --------------------------------------------------------------------
const TTI_PROBE = `
(() => {
  const ready = () => {
    const h1 = document.querySelector("header.top h1");
    const c = document.querySelector('[data-testid="connect"]');
    const d = document.querySelector('[data-testid="demo-start"]');
    return h1 && h1.textContent.trim() && c && !c.disabled && d && !d.disabled;
  };
  const check = () => {
    if (window.__tti === undefined && ready()) {
      window.__tti = performance.now();
      obs.disconnect();
    }
  };
  const obs = new MutationObserver(check);
  obs.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  addEventListener("TrunkApplicationStarted", () => { window.__wasmStarted = performance.now(); });
})();`;

async function ttiOnce(url) {
  const b = await launch();
  await b.context.addInitScript({ content: TTI_PROBE });
  await b.page.goto(url);
  await b.page.waitForFunction(() => window.__tti !== undefined);
  const r = await b.page.evaluate(() => {
    const nav = performance.getEntriesByType("navigation")[0];
    return { tti: window.__tti, dcl: nav.domContentLoadedEventEnd, wasm: window.__wasmStarted ?? NaN };
  });
  await b.close();
  return r;
}

/**
 * `BENCH_TTI_BASE=<dist>`: time another bundle (an older build) too, alternating with this one
 * load by load, so both see the same machine load.
 */
async function compareTti(baseDir) {
  const base = await startServer(baseDir);
  const runs = { base: [], now: [] };
  for (let i = 0; i < RUNS; i++) {
    runs.base.push((await ttiOnce(base.url)).tti);
    runs.now.push((await ttiOnce(server.url)).tti);
  }
  await base.close();
  return runs;
}

/**
 * Demo start, cold (fresh profile, nothing cached): click "Try the demo dongle" → the
 * credentials step, i.e. the dongle recognised. With the demo in the worker this includes
 * fetching and compiling the worker's wasm.
 */
async function demoStartOnce(url) {
  const b = await launch();
  await b.page.goto(url);
  await b.page.waitForSelector('[data-testid="demo-start"]');
  const t = await b.page.evaluate(
    () =>
      new Promise((ok) => {
        const step = () => document.querySelector('[data-testid="step-of"]')?.textContent.match(/\d/)?.[0];
        const t0 = performance.now();
        document.querySelector('[data-testid="demo-start"]').click();
        const check = () => (step() === "4" ? ok(performance.now() - t0) : setTimeout(check, 2));
        check();
      }),
  );
  await b.close();
  return t;
}

async function demoStart(baseDir) {
  const base = baseDir ? await startServer(baseDir) : null;
  const runs = { base: [], now: [] };
  for (let i = 0; i < RUNS; i++) {
    if (base) runs.base.push(await demoStartOnce(base.url));
    runs.now.push(await demoStartOnce(server.url));
  }
  await base?.close();
  return runs;
}

async function timeToInteractive() {
  const runs = [];
  for (let i = 0; i < RUNS; i++) {
    const b = await launch();
    await b.context.addInitScript({ content: TTI_PROBE });
    await b.page.goto(server.url);
    await b.page.waitForFunction(() => window.__tti !== undefined);
    runs.push(
      await b.page.evaluate(() => {
        const nav = performance.getEntriesByType("navigation")[0];
        return { tti: window.__tti, dcl: nav.domContentLoadedEventEnd, wasm: window.__wasmStarted ?? NaN };
      }),
    );
    await b.close();
  }
  return runs;
}

// --- 3. Chart redraw and memory ----------------------------------------------------------------
async function chart() {
  const b = await launch(["--enable-precise-memory-info", "--js-flags=--expose-gc"]);
  await b.context.addInitScript({
    content: `addEventListener("TrunkApplicationStarted", (e) => { window.__wasm = e.detail.wasm; });`,
  });
  const page = b.page;
  await page.goto(hooksServer.url);
  await page.waitForSelector("header.top h1");
  await page.getByTestId("tab-dashboard").click();
  await page.getByTestId("win-24h").click();
  await page.getByTestId("chart-line").waitFor({ state: "attached" });
  const memory = () =>
    page.evaluate(async () => {
      for (let i = 0; i < 3; i++) {
        window.gc?.();
        await new Promise((r) => setTimeout(r, 50));
      }
      return { js: performance.memory.usedJSHeapSize, wasm: window.__wasm?.memory?.buffer.byteLength ?? NaN };
    });
  const before = await memory();
  const fill = await page.evaluate(async () => {
    const settle = () => new Promise((r) => { const c = new MessageChannel(); c.port1.onmessage = () => r(); c.port2.postMessage(0); });
    const line = document.querySelector('[data-testid="chart-line"]');
    const t0 = performance.now();
    const n = window.__broute_fill_samples(17280, 5000);
    const t1 = performance.now();
    await settle();
    document.querySelector('[data-testid="chart-line"]').getBoundingClientRect();
    const t2 = performance.now();
    const after = document.querySelector('[data-testid="chart-line"]');
    const points = after.getAttribute("points").split(" ").length;
    return { n, generate: t1 - t0, redraw: t2 - t1, points, replaced: after !== line };
  });
  const afterFill = await memory();
  const redraw = await page.evaluate(async (count) => {
    const settle = () => new Promise((r) => { const c = new MessageChannel(); c.port1.onmessage = () => r(); c.port2.postMessage(0); });
    const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
    const update = [];
    const toFrame = [];
    let changed = 0;
    let changedAtSettle = 0;
    let last = document.querySelector('[data-testid="chart-line"]').getAttribute("points");
    for (let i = 0; i < count; i++) {
      await frame();
      const t0 = performance.now();
      window.__broute_push_sample();
      await settle();
      const el = document.querySelector('[data-testid="chart-line"]');
      el.getBoundingClientRect(); // style and layout included
      update.push(performance.now() - t0);
      if (el.getAttribute("points") !== last) changedAtSettle++;
      await frame();
      toFrame.push(performance.now() - t0);
      const now = document.querySelector('[data-testid="chart-line"]').getAttribute("points");
      if (now !== last) changed++;
      last = now;
    }
    return { update, toFrame, changed, changedAtSettle };
  }, REDRAWS);
  const afterRedraws = await memory();
  await b.close();
  return { before, afterFill, afterRedraws, fill, redraw };
}

/** CSV export of 24 h at 5 s (17 280 readings) inside the app's wasm, 5 runs. */
async function csvExport() {
  const b = await launch([]);
  const page = b.page;
  await page.goto(hooksServer.url);
  await page.waitForSelector("header.top h1");
  const runs = [];
  for (let i = 0; i < 5; i++) {
    runs.push(await page.evaluate(() => window.__broute_bench_csv(17280)));
  }
  await b.close();
  return runs;
}

// --- 4. A week in the store ---------------------------------------------------------------------
const DOWNLOAD_PROBE = `
(() => {
  const create = URL.createObjectURL;
  URL.createObjectURL = function (blob) {
    window.__dlBytes = blob?.size;
    return create.call(this, blob);
  };
  const click = HTMLAnchorElement.prototype.click;
  HTMLAnchorElement.prototype.click = function () {
    if (this.download) {
      window.__dlAt = performance.now();
      return;
    }
    return click.call(this);
  };
})();`;

/**
 * Click `testid` at once and resolve with the ms until the page shows `what` (checked every ms):
 * "counted" (at least `n` readings counted and the space used shown), "data" (the Data tab's
 * storage card and CSV button), "chart" (the chart line drawn), "download" (a file offered).
 */
const clickUntil = (page, testid, what, n = 0) =>
  page.evaluate(
    ([testid, what, n]) =>
      new Promise((ok) => {
        const q = (id) => document.querySelector(`[data-testid="${id}"]`);
        const done = {
          counted: () => Number((q("rec-count")?.textContent ?? "").match(/\d+/)?.[0] ?? 0) >= n && q("storage-usage"),
          data: () => q("storage-usage") && q("rec-csv"),
          chart: () => (q("chart-line")?.getAttribute("points") ?? "").split(" ").length > 200,
          download: () => window.__dlAt !== undefined,
        }[what];
        const t0 = performance.now();
        q(testid).click();
        const check = () => (done() ? ok(performance.now() - t0) : setTimeout(check, 1));
        check();
      }),
    [testid, what, n],
  );

async function weekStore() {
  const b = await launch(["--enable-precise-memory-info", "--js-flags=--expose-gc"]);
  await b.context.addInitScript({ content: TTI_PROBE + DOWNLOAD_PROBE });
  await b.context.addInitScript({
    content: `addEventListener("TrunkApplicationStarted", (e) => { window.__wasm = e.detail.wasm; });`,
  });
  const page = b.page;
  await page.goto(hooksServer.url);
  await page.waitForSelector("header.top h1");
  const fill = await page.evaluate((n) => window.__broute_fill_store(n, 5000), WEEK);
  const usage = await page.evaluate(async () => (await navigator.storage.estimate()).usage);
  const out = { fill, usage, tti: [], dataAtTti: [], dataSettled: [], chart: [], csv: [], csvBytes: 0, memory: null };
  const reload = async () => {
    await page.reload();
    await page.waitForFunction(() => window.__tti !== undefined);
    return page.evaluate(() => window.__tti);
  };
  for (let i = 0; i < RUNS; i++) {
    out.tti.push(await reload());
    // The Data tab clicked as soon as the page is interactive: the count of every reading and
    // the space used, from the store's key count and the browser's estimate.
    out.dataAtTti.push(await clickUntil(page, "tab-data", "counted", WEEK));
  }
  for (let i = 0; i < RUNS; i++) {
    await reload();
    await page
      .waitForFunction((n) => Number((document.querySelector('[data-testid="rec-count"]')?.textContent ?? "").match(/\d+/)?.[0] ?? 0) >= n, WEEK)
      .catch(() => {});
    await page.waitForTimeout(500);
    out.dataSettled.push(await clickUntil(page, "tab-data", "data"));
    // The dashboard's 24 h window from the store (one key range, 17 280 readings).
    await page.getByTestId("tab-dashboard").click();
    out.chart.push(await clickUntil(page, "win-24h", "chart"));
    // The full readings CSV: click → the file offered.
    await page.getByTestId("tab-data").click();
    await page.waitForFunction(() => !document.querySelector('[data-testid="rec-csv"]')?.disabled);
    await page.evaluate(() => (window.__dlAt = undefined));
    out.csv.push(await clickUntil(page, "rec-csv", "download"));
    out.csvBytes = await page.evaluate(() => window.__dlBytes);
  }
  out.memory = await page.evaluate(async () => {
    for (let i = 0; i < 3; i++) {
      window.gc?.();
      await new Promise((r) => setTimeout(r, 50));
    }
    return { js: performance.memory.usedJSHeapSize, wasm: window.__wasm?.memory?.buffer.byteLength ?? NaN };
  });
  await b.close();
  return out;
}

const started = new Date();
const fl = await firstLoad();
const tti = await timeToInteractive();
const ttiCompare = process.env.BENCH_TTI_BASE ? await compareTti(process.env.BENCH_TTI_BASE) : null;
const demo = await demoStart(process.env.BENCH_TTI_BASE);
const ch = await chart();
const csvRuns = await csvExport();
const week = process.env.BENCH_SKIP_WEEK ? null : await weekStore();
await server.close();
await hooksServer.close();

console.log(`# Browser figures — ${started.toISOString()}`);
console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), load average ${loadavg().map((x) => x.toFixed(2)).join(" ")}; Chromium ${chromiumVersion}; node ${process.version}`);
console.log(`bundle: ${distDir}`);
console.log("");
console.log("## First load (cold, fresh profile)");
console.log("| file | raw | gzip -9 | brotli 11 |");
console.log("|---|---:|---:|---:|");
const note = (f) => (f === "sw.js" ? " (the service worker)" : fl.page.rows.some((p) => p.file === f) ? "" : " (service worker precache only)");
for (const r of fl.all.rows) console.log(`| ${r.file}${note(r.file)} | ${kb(r.raw)} | ${kb(r.gz)} | ${kb(r.br)} |`);
console.log(`| **page's own requests (${fl.page.rows.length} files)** | ${kb(fl.page.raw)} | **${kb(fl.page.gz)}** | ${kb(fl.page.br)} |`);
console.log(`| everything fetched, incl. sw.js and its precache (${fl.all.rows.length} files) | ${kb(fl.all.raw)} | ${kb(fl.all.gz)} | ${kb(fl.all.br)} |`);
console.log(`goal: the page's own first load ≤ 300 KB gzipped (hard limit 320 KB): ${fl.page.gz <= 300 * 1024 ? "met" : fl.page.gz <= 320 * 1024 ? "NOT met (under the hard limit)" : "NOT met, over the hard limit"}`);
console.log("");
console.log(`## Time to interactive (localhost, ${RUNS} cold loads)`);
console.log(`runs: ${tti.map((r) => ms(r.tti)).join(", ")}`);
console.log(`median ${ms(median(tti.map((r) => r.tti)))} (min ${ms(Math.min(...tti.map((r) => r.tti)))}, max ${ms(Math.max(...tti.map((r) => r.tti)))}); DOMContentLoaded median ${ms(median(tti.map((r) => r.dcl)))}; TrunkApplicationStarted median ${ms(median(tti.map((r) => r.wasm)))}`);
if (ttiCompare) {
  console.log(`alternating with ${process.env.BENCH_TTI_BASE}: that bundle median ${ms(median(ttiCompare.base))} (${ttiCompare.base.map(ms).join(", ")}); this one median ${ms(median(ttiCompare.now))} (${ttiCompare.now.map(ms).join(", ")})`);
}
console.log("");
console.log(`## Demo start, cold (click → credentials step), ${RUNS} runs`);
console.log(`median ${ms(median(demo.now))} (${demo.now.map(ms).join(", ")})`);
if (demo.base.length) {
  console.log(`${process.env.BENCH_TTI_BASE}: median ${ms(median(demo.base))} (${demo.base.map(ms).join(", ")})`);
}
console.log("");
console.log("## Chart, 24 h window, 17 280 samples");
console.log(`fill ${ch.fill.n} samples: generating them with the simulator ${ms(ch.fill.generate)}, then the first 24 h redraw ${ms(ch.fill.redraw)} (${ch.fill.points} line points)`);
console.log(`redraw after one more sample (${REDRAWS}×, script + style/layout): median ${ms(median(ch.redraw.update))}, p95 ${ms(pct(ch.redraw.update, 95))}, max ${ms(Math.max(...ch.redraw.update))}`);
console.log(`same, to the next animation frame: median ${ms(median(ch.redraw.toFrame))}, p95 ${ms(pct(ch.redraw.toFrame, 95))}`);
console.log(`chart line changed on ${ch.redraw.changed} of ${REDRAWS} pushes (${ch.redraw.changedAtSettle} already when the update time was taken)`);
console.log(`JS heap (usedJSHeapSize, after gc): before ${mb(ch.before.js)}, after fill ${mb(ch.afterFill.js)}, after ${REDRAWS} redraws ${mb(ch.afterRedraws.js)}`);
console.log(`wasm memory: before ${mb(ch.before.wasm)}, after fill ${mb(ch.afterFill.wasm)}, after redraws ${mb(ch.afterRedraws.wasm)}`);
console.log("");
console.log("## CSV export in the browser, 24 h at 5 s (17 280 readings)");
console.log(`readings CSV: median ${ms(median(csvRuns.map((r) => r.csv_ms)))} (runs ${csvRuns.map((r) => ms(r.csv_ms)).join(", ")}), ${kb(csvRuns[0].csv_bytes)}`);
console.log(`JSON of the records (what IndexedDB holds): median ${ms(median(csvRuns.map((r) => r.json_ms)))}, ${kb(csvRuns[0].json_bytes)}`);
if (week) {
  const runs = (xs) => `median ${ms(median(xs))} (${xs.map(ms).join(", ")})`;
  console.log("");
  console.log(`## A week in the store: ${week.fill.records} readings (7 days every 5 s)`);
  console.log(`filled through the bench hook in ${ms(week.fill.ms)} (5000 per transaction); the site uses ${mb(week.usage)} (navigator.storage.estimate)`);
  console.log(`time to interactive, reload on the full store: ${runs(week.tti)}`);
  console.log(`Data tab clicked at interactive → every reading counted and the space used shown: ${runs(week.dataAtTti)}`);
  console.log(`Data tab clicked after start-up settled → rendered: ${runs(week.dataSettled)}`);
  console.log(`dashboard 24 h window from the store (17 280 readings, read in the worker) → chart drawn: ${runs(week.chart)}`);
  console.log(`full readings CSV (click → file offered): ${runs(week.csv)}, ${mb(week.csvBytes)}`);
  console.log(`after the exports: JS heap ${mb(week.memory.js)}, wasm memory ${mb(week.memory.wasm)}`);
}
