// End-to-end: recording survives a reload, CSV bytes, meter history to CSV, support bundle
// round trip, and a secret scan over every export and over browser storage.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, openBrowser, shot, appReady, demoToReadings, downloadBytes, recordedCount, DEMO_ID, DEMO_PW } from "./lib.mjs";

const PAIR_ID = DEMO_ID.slice(24);
const hex = (s) => Buffer.from(s, "ascii").toString("hex");

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.close();
});

const toReadings = (page, speed) => demoToReadings(page, server.url, speed);

function assertNoSecrets(label, text) {
  const up = text.toUpperCase();
  for (const s of [DEMO_ID, DEMO_PW, PAIR_ID, hex(DEMO_ID), hex(DEMO_PW), hex(PAIR_ID)]) {
    assert.ok(!up.includes(s.toUpperCase()), `${label} contains a secret`);
  }
}

test("recording survives a reload; CSV bytes; history; bundle; no secret anywhere", async () => {
  const b = await openBrowser({ locale: "ja-JP" });
  const { page } = b;
  try {
    await toReadings(page, 50);
    await page.getByTestId("tab-data").click();
    await page.waitForFunction(
      () => Number((document.querySelector('[data-testid="rec-count"]')?.textContent ?? "").match(/\d+/)?.[0] ?? 0) >= 5,
      null,
      { timeout: 60_000 },
    );
    // Meter history: 100 days, paced between polls.
    await page.getByTestId("hist-days").fill("100");
    await page.getByTestId("hist-read").click();
    await page.getByTestId("hist-progress").waitFor();
    await shot(page, "data-history-progress-ja");
    await page.waitForFunction(
      () => /100 日分/.test(document.querySelector('[data-testid="hist-stored"]')?.textContent ?? ""),
      null,
      { timeout: 120_000 },
    );
    const hist = await downloadBytes(page, "hist-csv");
    assert.match(hist.name, /^broute-history-\d{8}-\d{4}\.csv$/);
    assert.deepEqual([...hist.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], "UTF-8 BOM");
    const htext = hist.bytes.subarray(3).toString("utf8");
    assert.ok(!/[^\r]\n/.test(htext), "CRLF only");
    const rows = htext.trim().split("\r\n");
    assert.match(rows[0], /日時/);
    // 100 days × 48 half hours, one row each, ascending, +09:00.
    assert.equal(rows.length - 1, 100 * 48);
    const times = rows.slice(1).map((r) => r.split(",")[0]);
    // Today's slots since the demo meter started (09:00 JST on its clock) hold exactly the
    // simulator's register at those half hours (raw count column).
    let checked = 0;
    for (const [hhmm, ms] of [["09:00", 0], ["09:30", 1_800_000], ["10:00", 3_600_000]]) {
      const row = rows.find((r) => r.startsWith(`2026-11-26T${hhmm}:00+09:00,`));
      const raw = row?.split(",")[2];
      if (!raw) continue; // not reached yet on the meter's clock
      const truth = await page.evaluate((ms) => window.__broute_demo_port.countAt(ms), ms);
      assert.equal(Number(raw), truth, `${hhmm} raw count`);
      checked++;
    }
    assert.ok(checked >= 1, "at least one of today's slots compared with the simulator");
    assert.ok(times.every((t) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:00\+09:00$/.test(t)));
    assert.deepEqual([...times].sort(), times, "ascending");

    // Readings CSV: one row per recorded reading (half-hour pushes have their own export).
    const n = await recordedCount(page);
    const lvBefore = await page.evaluate(async () => {
      const db = await new Promise((ok) => {
        const r = indexedDB.open("broute");
        r.onsuccess = () => ok(r.result);
      });
      const all = await new Promise((ok) => {
        const q = db.transaction("readings").objectStore("readings").getAll();
        q.onsuccess = () => ok(q.result);
      });
      return all.filter((s) => JSON.parse(s).kind === "lv").length;
    });
    const csv = await downloadBytes(page, "rec-csv");
    assert.deepEqual([...csv.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    const ctext = csv.bytes.subarray(3).toString("utf8");
    const crow = ctext.trim().split("\r\n");
    assert.match(crow[0], /瞬時電力 \[W\]/);
    assert.ok(crow.length - 1 >= lvBefore && lvBefore > 0, `${crow.length - 1} rows for ${lvBefore} readings`);
    assert.ok(crow.slice(1).every((r) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+09:00,/.test(r)));
    assert.ok(!/\d\.\d*9999/.test(ctext), "exact decimals");

    // Reload keeps every reading.
    await page.reload();
    await appReady(page);
    await page.getByTestId("tab-data").click();
    await page.waitForFunction((n) => {
      const m = (document.querySelector('[data-testid="rec-count"]')?.textContent ?? "").match(/\d+/);
      return m && Number(m[0]) >= n;
    }, n);
    await shot(page, "data-after-reload-ja");

    // Secret scan over the exports and everything the page stored.
    assertNoSecrets("history csv", htext);
    assertNoSecrets("readings csv", ctext);
    const stored = await page.evaluate(async () => {
      const out = [JSON.stringify(localStorage), document.cookie];
      const db = await new Promise((ok, ko) => {
        const r = indexedDB.open("broute");
        r.onsuccess = () => ok(r.result);
        r.onerror = () => ko(r.error);
      });
      for (const name of db.objectStoreNames) {
        const all = await new Promise((ok) => {
          const q = db.transaction(name).objectStore(name).getAll();
          q.onsuccess = () => ok(q.result);
        });
        out.push(JSON.stringify(all));
      }
      return out.join("\n");
    });
    assert.ok(stored.length > 1000, "something was stored");
    assertNoSecrets("browser storage", stored);
  } finally {
    await b.close();
  }
});

test("support bundle: download, secrets redacted, open as its story", async () => {
  const b = await openBrowser({ locale: "en-US" });
  const { page } = b;
  try {
    await toReadings(page, 25);
    await page.getByTestId("tab-trace").click();
    const trace = await page.getByTestId("trace").innerText();
    assertNoSecrets("trace console", trace);
    await page.getByTestId("tab-data").click();
    const bundle = await downloadBytes(page, "bundle-download");
    const text = bundle.bytes.toString("utf8");
    assertNoSecrets("bundle", text);
    const json = JSON.parse(text);
    assert.ok(json.trace.length > 10, "the bundle carries the trace");
    assert.ok(json.phases.some((p) => p.phase === "reading"));
    assert.ok(!/FE80:0000:0000:0000:021C/i.test(text), "meter address redacted");
    // Open it again for a support agent.
    await page.getByTestId("bundle-open").setInputFiles({
      name: "support.json",
      mimeType: "application/json",
      buffer: bundle.bytes,
    });
    await page.getByTestId("story").waitFor();
    assert.match(await page.getByTestId("story-timeline").innerText(), /Reading/);
    assertNoSecrets("story", await page.getByTestId("story").innerText());
    await page.getByTestId("story-more").click();
    await shot(page, "data-story-en");
    // Junk is refused with a message, not a crash.
    await page.getByTestId("bundle-open").setInputFiles({
      name: "junk.json",
      mimeType: "application/json",
      buffer: Buffer.from("{not json"),
    });
    await page.waitForFunction(() => /not a support file \(its format differs from line 1\)/.test(document.body.innerText));
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
  }
});
