// Shared helpers for the end-to-end tests: a static server for the release bundle on 127.0.0.1,
// Debian's Chromium driven by playwright-core (no downloaded browsers), the fake navigator.serial,
// and screenshots under target/e2e/.
import { createServer } from "node:http";
import { readFile, mkdir, stat } from "node:fs/promises";
import { mkdtempSync, rmSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, extname, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import AxeBuilder from "@axe-core/playwright";

const here = dirname(fileURLToPath(import.meta.url));
export const root = resolve(here, "..", "..");
// The e2e build carries the window hooks of `--features e2e-hooks` (`make dist-e2e`).
export const distDir = process.env.E2E_DIST || join(root, "target", "dist-e2e");
export const shotDir = join(root, "target", "e2e");
const fakeSerialSource = readFileSync(join(here, "fake-serial.js"), "utf8");

const MIME = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".json": "application/json",
  ".webmanifest": "application/manifest+json",
  ".png": "image/png",
};

/** Serve `distDir` on 127.0.0.1 on a free port. */
export async function startServer(dir = distDir) {
  const root = resolve(dir);
  await stat(join(root, "index.html")).catch(() => {
    throw new Error(`no release bundle at ${root}: run 'make dist-e2e' (or 'make dist') first`);
  });
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url, "http://127.0.0.1");
      let path = decodeURIComponent(url.pathname);
      if (path.endsWith("/")) path += "index.html";
      const file = resolve(root, "." + path);
      if (!file.startsWith(root)) throw new Error("outside dist");
      const body = await readFile(file);
      res.writeHead(200, { "content-type": MIME[extname(file)] || "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not found");
    }
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((ok) => server.close(ok)) };
}

const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-default-apps",
];

/**
 * A fresh browser context (own profile directory) with the fake serial installed.
 * `locale` drives navigator.languages, so the app picks its language from it.
 */
export async function openBrowser({ locale = "ja-JP", fake = {}, block = null } = {}) {
  const profile = mkdtempSync(join(tmpdir(), "broute-e2e-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_ARGS,
    locale,
    viewport: { width: 1000, height: 900 },
    timeout: 30_000,
  });
  context.setDefaultTimeout(15_000);
  // Requests to fail from the start (a file the network blocks), service worker's included.
  if (block) await context.route(block, (r) => r.abort());
  await context.addInitScript({
    content: `window.__FAKE_SERIAL_CONFIG = ${JSON.stringify(fake)};\n${fakeSerialSource}`,
  });
  const page = context.pages()[0] || (await context.newPage());
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  return {
    context,
    page,
    errors,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Run axe-core (every rule, every impact) on the page as it is now and fail on any violation,
 * naming the rule and the elements. `name` says which state it was.
 */
export async function a11y(page, name) {
  const { violations } = await new AxeBuilder({ page }).analyze();
  if (violations.length === 0) return;
  const text = violations
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)
    .join("; ");
  if (process.env.AXE_REPORT_ONLY) {
    console.log(`AXE ${name}: ${text}`);
    return;
  }
  throw new Error(`accessibility violations in ${name}: ${text}`);
}

/**
 * Every page state the tests visit goes through here: check it with axe (0 violations), then
 * save a full-page screenshot as target/e2e/<name>.png.
 */
export async function shot(page, name) {
  await a11y(page, name);
  await mkdir(shotDir, { recursive: true });
  await page.screenshot({ path: join(shotDir, `${name}.png`), fullPage: true });
}

/** The demo meter's credentials (sim::DEMO_ROUTE_B_ID / sim::DEMO_PASSWORD). */
export const DEMO_ID = "0000004F3A210000000000000A18C3D7";
export const DEMO_PW = "K7QX3M9PA2TB";

/** Wait until the wizard shows step `n` ("Step n of 7"). */
export const stepIs = (page, n) =>
  page.waitForFunction(
    (n) => document.querySelector('[data-testid="step-of"]')?.textContent.match(/\d/)?.[0] === String(n),
    n,
    { timeout: 30_000 },
  );

/** Wait until the Leptos app has mounted (the header is rendered). */
export async function appReady(page) {
  await page.waitForSelector("header.top h1");
}

/** The Chromium flags every test browser gets (for scripts that launch their own, e.g. bench.mjs). */
export const chromiumArgs = () => [...CHROMIUM_ARGS];

/**
 * Record every request the context makes (page and service worker alike) and every
 * `securitypolicyviolation` event the page sees (in `window.__cspViolations`). Call before the
 * first navigation.
 */
export async function watchRequestsAndCsp(context) {
  const requests = [];
  context.on("request", (r) => requests.push(r.url()));
  await context.addInitScript({
    content: `window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI + " " + (e.sample || ""));
});`,
  });
  return { requests };
}

/**
 * Open a fresh browser on `url` (plus `opts.query`), wait for the app, run `fn(page, browser)`,
 * and check that the page logged no error; always closes the browser.
 */
export async function withPage(url, opts, fn) {
  const b = await openBrowser(opts);
  try {
    await b.page.goto(url + (opts.query ?? ""));
    await appReady(b.page);
    await fn(b.page, b);
    if (b.errors.length) throw new Error(`page errors: ${JSON.stringify(b.errors)}`);
  } finally {
    await b.close();
  }
}

/** Start the demo dongle at `speed` on `url` and wait for the first reading on the dashboard. */
export async function demoToReadings(page, url, speed) {
  await page.goto(`${url}?speed=${speed}`);
  await appReady(page);
  await page.getByTestId("demo-start").click();
  await page.getByTestId("cred-submit").waitFor({ timeout: 30_000 });
  await page.getByTestId("cred-submit").click();
  await page.getByTestId("power").waitFor({ timeout: 60_000 });
}

/** Click `testid` and return the download it starts: its file name and bytes. */
export async function downloadBytes(page, testid) {
  const [dl] = await Promise.all([page.waitForEvent("download"), page.getByTestId(testid).click()]);
  return { name: dl.suggestedFilename(), bytes: await readFile(await dl.path()) };
}

/** The number of readings the Data tab says are recorded. */
export const recordedCount = (page) =>
  page.evaluate(() => Number((document.querySelector('[data-testid="rec-count"]')?.textContent ?? "").match(/\d+/)?.[0] ?? 0));

/** Wait until the Data tab says at least `n` readings are recorded. */
export const waitRecorded = (page, n, timeout = 60_000) =>
  page.waitForFunction(
    (n) => Number((document.querySelector('[data-testid="rec-count"]')?.textContent ?? "").match(/\d+/)?.[0] ?? 0) >= n,
    n,
    { timeout },
  );
