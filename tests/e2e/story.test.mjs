// End-to-end: the story of a session and the support line. A demo session with a wrong password
// ends on the triage screen (support line, copy button); its support bundle, downloaded and opened
// on the Data tab, tells the story (timeline, summary, cause and fix, scans, trace filters) in
// Japanese and English; a pasted log tells its story too; the dashboard shows the support line
// while reading. Every state is checked with axe (0 violations) and saved as a screenshot.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { startServer, openBrowser, shot, shotDir, appReady, demoToReadings, downloadBytes, DEMO_PW } from "./lib.mjs";

const SPEED = 25;

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.close();
});

const text = (page, id) => page.getByTestId(id).innerText();
const setLang = (page, lang) => page.locator(`header .langs button[lang=${lang}]`).click();

/** Click the support line's copy button; check the clipboard, the status and the announcement. */
async function copySupportLine(page, lang) {
  const line = await text(page, "support-line");
  await page.getByTestId("support-copy").click();
  const copied = lang === "ja" ? "コピーしました" : "Copied.";
  await page.getByTestId("support-copy-status").waitFor();
  assert.match(await text(page, "support-copy-status"), new RegExp(copied));
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), line);
  await page.waitForFunction(
    (t) => document.querySelector('[data-testid="announce-notice"]')?.textContent.includes(t),
    copied,
  );
  return line;
}

/**
 * The user guides' picture of the element `testid`: its top `height` CSS pixels, saved as
 * target/e2e/guide-<name>.png (copied into docs/images/ as <name>.png).
 */
async function guideShot(page, testid, name, height = 1100) {
  const el = page.getByTestId(testid);
  await el.scrollIntoViewIfNeeded();
  await page.evaluate(() => document.activeElement?.blur());
  const box = await el.boundingBox();
  const y = box.y + (await page.evaluate(() => window.scrollY));
  await page.screenshot({
    path: join(shotDir, `guide-${name}.png`),
    fullPage: true,
    clip: { x: box.x - 8, y: y - 8, width: box.width + 16, height: Math.min(box.height, height) + 16 },
  });
}

/** A browser that may use the clipboard (the copy button's ordinary path). */
async function browser(locale) {
  const b = await openBrowser({ locale });
  await b.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
  return b;
}

test("wrong password: support line on the triage screen; the bundle's story in both languages", async () => {
  const b = await browser("en-US");
  const { page } = b;
  try {
    await page.goto(`${server.url}?speed=${SPEED}`);
    await appReady(page);
    await page.getByTestId("demo-scenario").selectOption("wrong-password");
    await page.getByTestId("demo-start").click();
    await page.getByTestId("cred-submit").waitFor({ timeout: 30_000 });
    await page.getByTestId("cred-submit").click();
    await page.getByTestId("triage").waitFor({ timeout: 60_000 });
    // The support line: code, step, dongle and firmware, signal, app version.
    const line = await copySupportLine(page, "en");
    assert.match(line, /^Support code BR-30 \| Step \d\/7 .+ \| Dongle .*EVER [\d.]+.* \| Signal .+ \| App \d+\.\d+\.\d+$/);
    await shot(page, "support-line-triage-en");
    await guideShot(page, "triage", "support-line-triage-en");
    await setLang(page, "ja");
    await page.waitForFunction(() => document.querySelector('[data-testid="support-line"]')?.textContent.startsWith("サポートコード BR-30｜手順"));
    await shot(page, "support-line-triage-ja");
    await guideShot(page, "triage", "support-line-triage-ja");
    await setLang(page, "en");

    // The session's support bundle, opened again as support staff would.
    await page.getByTestId("tab-data").click();
    const bundle = await downloadBytes(page, "bundle-download");
    assert.ok(!bundle.bytes.toString("utf8").includes(DEMO_PW));
    await page.getByTestId("bundle-open").setInputFiles({
      name: "support.json",
      mimeType: "application/json",
      buffer: bundle.bytes,
    });
    await page.getByTestId("story").waitFor({ timeout: 30_000 });
    // Focus moves to the story's heading, and the change is said politely.
    assert.equal(await page.evaluate(() => document.activeElement?.id), "story-h");
    assert.match(await text(page, "announce-notice"), /story of the session is shown/);
    assert.match(await text(page, "story-summary"), /Authentication was refused twice/);
    assert.match(await text(page, "story-summary"), /The meter was found on channel \w+/);
    assert.equal(await text(page, "story-code"), "BR-30");
    assert.match(await text(page, "story-fix"), /password/i);
    assert.match(await text(page, "story-support"), /Support code BR-30 \| Step/);
    const timeline = await text(page, "story-timeline");
    assert.match(timeline, /Time \(from the start\)\s+Phase\s+Took\s+Result/);
    assert.match(timeline, /0:00\.0/);
    assert.match(timeline, /Scanning for the meter|Searching for the meter|scan/i);
    assert.match(timeline, /Failed here|Stopped/);
    const rows = await page.locator('[data-testid="story-timeline"] tbody tr').count();
    assert.ok(rows >= 3, `${rows} phases`);
    // A scan heard the demo meter, and its Pairing ID matches.
    const scans = await page.getByTestId("story-scan").allInnerTexts();
    assert.ok(scans.length >= 1 && scans.some((t) => /✓/.test(t)), JSON.stringify(scans));
    // The trace, filtered by kind.
    await page.getByTestId("story-filter-command").click();
    const kinds = await page.locator('[data-testid="story-trace"] tbody tr').evaluateAll((trs) => trs.map((t) => t.dataset.kind));
    assert.ok(kinds.length > 0 && kinds.every((k) => k === "command"), JSON.stringify(kinds));
    assert.match(await text(page, "announce-notice"), /Commands: \d+ lines/);
    await page.getByTestId("story-filter-all").click();
    await shot(page, "story-bundle-en");
    await guideShot(page, "story", "story-bundle-en");

    // Japanese: laid out again in the worker, no new file needed.
    await setLang(page, "ja");
    await page.waitForFunction(() => /認証が2回拒否されました/.test(document.querySelector('[data-testid="story-summary"]')?.textContent ?? ""));
    const ja = await text(page, "story-timeline");
    assert.match(ja, /時刻（開始から）|時刻/);
    assert.match(ja, /0:00\.0/);
    assert.match(await text(page, "story-fix"), /パスワード/);
    assert.match(await text(page, "story-support"), /^[\s\S]*サポートコード BR-30｜手順/);
    await shot(page, "story-bundle-ja");
    await guideShot(page, "story", "story-bundle-ja");

    // Leaving the tab and coming back keeps the story.
    await page.getByTestId("tab-trace").click();
    await page.getByTestId("tab-data").click();
    await page.getByTestId("story").waitFor();
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
  }
});

/** A log as another program prints it: a scan that heard the meter, two refusals. */
const LOG = [
  '2026-11-26 09:00:00.000 >> "SKSCAN 2 FFFFFFFF 6 0"',
  "2026-11-26 09:00:00.010 << OK",
  "2026-11-26 09:00:04.000 << EPANDESC",
  "2026-11-26 09:00:04.001 <<   Channel:3B",
  "2026-11-26 09:00:04.002 <<   Channel Page:09",
  "2026-11-26 09:00:04.003 <<   Pan ID:6393",
  "2026-11-26 09:00:04.004 <<   Addr:001C640003DD6393",
  "2026-11-26 09:00:04.005 <<   LQI:85",
  "2026-11-26 09:00:04.006 <<   PairID:00F6D114",
  "2026-11-26 09:00:10.000 << EVENT 22 FE80:0000:0000:0000:021C:6400:03DD:6393 0",
  "2026-11-26 09:00:11.000 >> SKJOIN FE80:0000:0000:0000:021C:6400:03DD:6393",
  "2026-11-26 09:00:20.000 << EVENT 24 FE80:0000:0000:0000:021C:6400:03DD:6393 0",
  "2026-11-26 09:00:21.000 >> SKJOIN FE80:0000:0000:0000:021C:6400:03DD:6393",
  "2026-11-26 09:00:30.000 << EVENT 24 FE80:0000:0000:0000:021C:6400:03DD:6393 0",
].join("\n");

test("paste a log: its story, in both languages", async () => {
  const b = await browser("ja-JP");
  const { page } = b;
  try {
    await page.goto(server.url);
    await appReady(page);
    await page.getByTestId("tab-trace").click();
    await page.getByTestId("paste").fill(LOG);
    await page.getByTestId("paste-decode").click();
    await page.getByTestId("story").waitFor({ timeout: 30_000 });
    assert.match(await text(page, "story-summary"), /チャネル3B.*認証が2回拒否されました/s);
    assert.equal(await text(page, "story-code"), "BR-30");
    assert.match(await text(page, "story-timeline"), /0:00\.0[\s\S]*11\.0秒/);
    assert.match(await text(page, "story-scan"), /3B\s+6393\s+133/);
    await shot(page, "story-log-ja");
    await setLang(page, "en");
    await page.waitForFunction(() => /refused twice/.test(document.querySelector('[data-testid="story-summary"]')?.textContent ?? ""));
    assert.match(await text(page, "story-timeline"), /0:00\.0[\s\S]*11\.0 s/);
    await shot(page, "story-log-en");
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
  }
});

test("dashboard: the support line while reading, copied in both languages", async () => {
  const b = await browser("en-US");
  const { page } = b;
  try {
    await demoToReadings(page, server.url, SPEED);
    await page.getByTestId("support-line").waitFor();
    await page.waitForFunction(() => /dBm/.test(document.querySelector('[data-testid="support-line"]')?.textContent ?? ""));
    const en = await copySupportLine(page, "en");
    assert.match(en, /^Support code none \| Step 7\/7 .+ \| Dongle .+ \| Signal −\d+ dBm \(.+\) \| App \d+\.\d+\.\d+$/);
    await shot(page, "support-line-dashboard-en");
    await guideShot(page, "support-box", "support-line-dashboard-en");
    await setLang(page, "ja");
    await page.waitForFunction(() => document.querySelector('[data-testid="support-line"]')?.textContent.startsWith("サポートコード なし｜手順 7/7"));
    const ja = await copySupportLine(page, "ja");
    assert.match(ja, /｜電波 −\d+ dBm（.+）｜アプリ \d+\.\d+\.\d+$/);
    await shot(page, "support-line-dashboard-ja");
    await guideShot(page, "support-box", "support-line-dashboard-ja");
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
  }
});
