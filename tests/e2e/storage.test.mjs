// End-to-end: nothing recorded is lost. History days are merged, never overwritten; storage
// failures injected in the browser (tests/e2e/idb-faults.js: a full disk mid-session, a store
// unavailable at start, no IndexedDB at all, an upgrade blocked by another tab) keep the readings
// in memory, say so in a banner, let the CSV be made from memory and save everything once the
// store works again; the retention setting never deletes readings not yet exported without asking.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  startServer,
  openBrowser,
  shot,
  appReady,
  demoToReadings,
  downloadBytes,
  recordedCount,
  waitRecorded,
  root,
} from "./lib.mjs";

const faults = readFileSync(join(root, "tests", "e2e", "idb-faults.js"), "utf8");
const SPEED = 25;

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.close();
});

/** A fresh browser whose IndexedDB fails as `cfg` says (see idb-faults.js). */
async function browserWith(locale, cfg = {}) {
  const b = await openBrowser({ locale });
  await b.context.addInitScript({ content: `window.__IDB_FAULTS = ${JSON.stringify(cfg)};\n${faults}` });
  return b;
}

/** Wait until the app has opened (and so created) its database. */
const storeReady = (page) =>
  page.waitForFunction(async () => (await indexedDB.databases()).some((d) => d.name === "broute" && d.version === 2));

/** Readings in the store, and how many of them are low-voltage polls (rows of the readings CSV). */
const stored = (page) =>
  page.evaluate(async () => {
    const all = await window.__idbTest.getAll("readings");
    return { n: all.length, lv: all.filter((s) => JSON.parse(s).kind === "lv").length };
  });

/** The data rows of a readings CSV: checked in time order without duplicates. */
function csvRows(bytes) {
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], "UTF-8 BOM");
  const rows = bytes.subarray(3).toString("utf8").trim().split("\r\n").slice(1);
  const times = rows.map((r) => r.split(",")[0]);
  assert.deepEqual([...times].sort(), times, "in time order");
  assert.equal(new Set(times).size, times.length, "no reading twice");
  return rows;
}

const bannerText = (page) => page.getByTestId("storage-banner").innerText();
const keptInMemory = async (page) => Number((await page.getByTestId("storage-kept").innerText()).match(/\d+/)?.[0] ?? 0);

/** Wait until every recorded reading is in the store (the count on the Data tab is reached). */
async function allSaved(page) {
  for (let i = 0; i < 100; i++) {
    const want = await recordedCount(page);
    if ((await stored(page)).n >= want && want > 0) return want;
    await page.waitForTimeout(200);
  }
  assert.fail("the readings were not all saved");
}

test("history: read 2 days, then the last 6 hours, then export — both days complete", async () => {
  const b = await browserWith("ja-JP");
  const { page } = b;
  try {
    await demoToReadings(page, server.url, 50);
    await page.getByTestId("tab-data").click();
    await page.getByTestId("hist-days").fill("2");
    await page.getByTestId("hist-read").click();
    await page.waitForFunction(() => /2 日分/.test(document.querySelector('[data-testid="hist-stored"]')?.textContent ?? ""), null, {
      timeout: 60_000,
    });
    await page.waitForFunction(() => !document.querySelector('[data-testid="hist-read"]')?.disabled, null, { timeout: 60_000 });
    const before = await downloadBytes(page, "hist-csv");
    // "The last 6 hours": wait for the read to start and end (the button is disabled meanwhile).
    await page.evaluate(
      () =>
        new Promise((ok) => {
          const btn = document.querySelector('[data-testid="hist-recent"]');
          let started = false;
          const obs = new MutationObserver(() => {
            const b = document.querySelector('[data-testid="hist-recent"]');
            if (b?.disabled) started = true;
            else if (started) {
              obs.disconnect();
              ok();
            }
          });
          obs.observe(document.body, { subtree: true, attributes: true, childList: true });
          btn.click();
        }),
    );
    const after = await downloadBytes(page, "hist-csv");
    const rows = (bytes) => bytes.subarray(3).toString("utf8").trim().split("\r\n").slice(1);
    const [r0, r1] = [rows(before.bytes), rows(after.bytes)];
    const day = (rs, d) => rs.filter((r) => r.startsWith(d));
    // Yesterday on the meter's clock (the demo meter's today is 2026-11-26): all 48 half hours.
    assert.equal(day(r1, "2026-11-25").length, 48);
    assert.ok(day(r1, "2026-11-25").every((r) => r.split(",")[2] !== ""), "yesterday complete");
    // Today: every half hour read before is still there with the same value (the 6-hour read
    // overlaps 02:30–08:30 and used to replace the whole day with those 12 slots).
    const today0 = day(r0, "2026-11-26").filter((r) => r.split(",")[2] !== "");
    assert.ok(today0.length >= 18, `today had ${today0.length} half hours`);
    for (const r of today0) assert.ok(r1.includes(r), `kept: ${r}`);
    assert.ok(day(r1, "2026-11-26").filter((r) => r.split(",")[2] !== "").length >= today0.length);
    // The 6-hour read asked the meter on its own clock (ED set to 2026-11-26: 07EA 0B 1A) and
    // its values agree with the day read: no conflict.
    await page.getByTestId("tab-trace").click();
    const trace = await page.getByTestId("trace").innerText();
    assert.match(trace, /ED0707EA0B1A/, "the 6-hour read covered the meter's today");
    assert.ok(!trace.includes("newer read"), "no slot changed");
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
  }
});

test("a full disk mid-session: banner, nothing lost, CSV from memory, saved again", async () => {
  const b = await browserWith("en-US", { persist: true });
  const { page } = b;
  try {
    await demoToReadings(page, server.url, SPEED);
    await page.getByTestId("tab-data").click();
    await waitRecorded(page, 3);
    await page.getByTestId("storage-persisted").waitFor();
    assert.match(await page.getByTestId("storage-persisted").innerText(), /granted/);
    assert.match(await page.getByTestId("storage-usage").innerText(), /Space used: [\d.,]+ [KMG]B/);
    await shot(page, "storage-card-en");

    await page.evaluate(() => (window.__idbFaults.write = "quota"));
    const atFailure = await recordedCount(page);
    await page.getByTestId("storage-banner").waitFor({ timeout: 30_000 });
    assert.match(await bannerText(page), /storage is full/);
    // Readings keep arriving, are counted, and wait in memory.
    await waitRecorded(page, atFailure + 3);
    await page.waitForFunction(() => /Nothing is lost yet: (?:[3-9]|[1-9]\d+) readings are kept/.test(document.body.innerText));
    assert.match(await page.getByTestId("rec-count").innerText(), /not saved in the browser yet/);
    await shot(page, "storage-quota-en");
    const inStore = await stored(page);
    const kept = await keptInMemory(page);
    // The CSV has the stored readings and those only in memory.
    const csv = await downloadBytes(page, "banner-csv");
    const rows = csvRows(csv.bytes);
    assert.ok(rows.length > inStore.lv, `${rows.length} rows, ${inStore.lv} stored polls, ${kept} in memory`);

    // The disk has room again: saved on the next try, nothing lost, the banner goes.
    await page.evaluate(() => (window.__idbFaults.write = null));
    await page.getByTestId("banner-retry").click();
    await page.getByTestId("storage-banner").waitFor({ state: "detached", timeout: 30_000 });
    const total = await allSaved(page);
    assert.ok(total >= inStore.n + kept);
    await page.reload();
    await appReady(page);
    await page.getByTestId("tab-data").click();
    await waitRecorded(page, total);
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
  }
});

test("store unavailable at start: recording in memory, then saved once it opens", async () => {
  const b = await browserWith("ja-JP", { open: "fail" });
  const { page } = b;
  try {
    await demoToReadings(page, server.url, SPEED);
    await page.getByTestId("storage-banner").waitFor();
    assert.match(await bannerText(page), /保存に失敗しています/);
    assert.match(await bannerText(page), /まだ何も失われていません/);
    await page.getByTestId("tab-data").click();
    await waitRecorded(page, 3);
    await page.waitForFunction(() => /(?:[3-9]|[1-9]\d+) 件をメモリーに保持していて/.test(document.body.innerText));
    await shot(page, "storage-unavailable-ja");
    const csv = await downloadBytes(page, "rec-csv");
    assert.ok(csvRows(csv.bytes).length >= 2, "CSV from memory");

    await page.evaluate(() => (window.__idbFaults.open = null));
    await page.getByTestId("banner-retry").click();
    await page.getByTestId("storage-banner").waitFor({ state: "detached", timeout: 30_000 });
    const total = await allSaved(page);
    assert.ok(total >= 3);
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
  }
});

test("no IndexedDB (private mode): recording works for the session and says so", async () => {
  const b = await browserWith("ja-JP", { absent: true });
  const { page } = b;
  try {
    await demoToReadings(page, server.url, SPEED);
    await page.getByTestId("storage-banner").waitFor();
    assert.match(await bannerText(page), /プライベートモード/);
    assert.equal(await page.getByTestId("banner-retry").count(), 0, "nothing to retry");
    await page.getByTestId("tab-data").click();
    await waitRecorded(page, 3);
    await page.waitForFunction(() => /(?:[3-9]|[1-9]\d+) 件をメモリーに保持しています。ページを閉じると消えます/.test(document.body.innerText));
    await shot(page, "storage-private-ja");
    const n = await recordedCount(page);
    const csv = await downloadBytes(page, "banner-csv");
    assert.ok(csvRows(csv.bytes).length >= Math.min(2, n - 1));
    await page.locator("header button.lang", { hasText: "English" }).click();
    await page.waitForFunction(() => /private mode/.test(document.body.innerText));
    await shot(page, "storage-private-en");
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
  }
});

test("an upgrade blocked by an old tab: banner until it closes, then version 1's readings move over", async () => {
  const b = await browserWith("en-US");
  const { page, context } = b;
  const old = await context.newPage();
  try {
    // An old tab of version 1 holds the database open and ignores upgrade requests.
    await old.goto(server.url + "old-tab");
    const t0 = Date.now() - 3_600_000;
    await old.evaluate(async (t0) => {
      window.__db = await new Promise((ok, ko) => {
        const r = indexedDB.open("broute", 1);
        r.onupgradeneeded = () => {
          r.result.createObjectStore("records", { autoIncrement: true });
          r.result.createObjectStore("history");
        };
        r.onsuccess = () => ok(r.result);
        r.onerror = () => ko(r.error);
      });
      const tx = window.__db.transaction("records", "readwrite");
      for (let i = 0; i < 3; i++) {
        tx.objectStore("records").put(JSON.stringify({ t_ms: t0 + i * 5000, kind: "lv", power_w: 500 + i }));
      }
      await new Promise((ok) => (tx.oncomplete = ok));
    }, t0);
    await page.goto(server.url);
    await appReady(page);
    await page.getByTestId("storage-banner").waitFor();
    assert.match(await bannerText(page), /open in another tab/);
    await shot(page, "storage-blocked-en");
    // The old tab closes: the upgrade runs, the readings are moved into the new store.
    await old.evaluate(() => window.__db.close());
    await page.getByTestId("storage-banner").waitFor({ state: "detached", timeout: 30_000 });
    await page.getByTestId("tab-data").click();
    await waitRecorded(page, 3);
    const keys = await page.evaluate(() => window.__idbTest.getAllKeys("readings"));
    assert.deepEqual(
      keys.map((k) => Math.floor(k / 1024)),
      [t0, t0 + 5000, t0 + 10000],
      "keyed by their time",
    );
    assert.equal(await page.evaluate(() => window.__idbTest.count("records")), 0, "version 1's store emptied");
    assert.deepEqual(b.errors, []);
  } finally {
    await old.close();
    await b.close();
  }
});

test("retention: old readings go only once exported, or when the user says so", async () => {
  const b = await browserWith("ja-JP");
  const { page } = b;
  try {
    await page.goto(server.url);
    await appReady(page);
    // Five readings from 10 days ago and three from the last hour, stored as the app stores them.
    const now = Date.now();
    await storeReady(page);
    await page.evaluate((now) => {
      const r = (t, w) => [t * 1024, JSON.stringify({ t_ms: t, kind: "lv", power_w: w })];
      const old = [0, 1, 2, 3, 4].map((i) => r(now - 10 * 86_400_000 + i * 5000, 100 + i));
      const recent = [0, 1, 2].map((i) => r(now - 3_600_000 + i * 5000, 200 + i));
      return window.__idbTest.put("readings", [...old, ...recent]);
    }, now);
    await page.reload();
    await appReady(page);
    await page.getByTestId("tab-data").click();
    await waitRecorded(page, 8);
    // Keep 7 days: the five old ones were never exported, so the app asks.
    await page.getByTestId("keep-days").selectOption("7");
    await page.getByTestId("retention-ask").waitFor();
    assert.match(await page.getByTestId("retention-ask").innerText(), /7 日より古い計測値が 5 件/);
    await shot(page, "storage-retention-ja");
    await page.getByTestId("retention-keep").click();
    await page.getByTestId("retention-ask").waitFor({ state: "detached" });
    assert.equal(await recordedCount(page), 8);
    // Keep 30 days: nothing is too old.
    await page.getByTestId("keep-days").selectOption("30");
    await page.waitForTimeout(300);
    assert.equal(await page.getByTestId("retention-ask").count(), 0);
    // Back to 7, then export: exported readings go without asking.
    await page.getByTestId("keep-days").selectOption("7");
    await page.getByTestId("retention-ask").waitFor();
    const csv = await downloadBytes(page, "rec-csv");
    assert.equal(csvRows(csv.bytes).length, 8);
    await page.waitForFunction(() => /^3 件/.test(document.querySelector('[data-testid="rec-count"]')?.textContent ?? ""));
    assert.equal(await page.getByTestId("retention-ask").count(), 0);
    assert.equal((await stored(page)).n, 3);
    // The setting is remembered.
    await page.reload();
    await appReady(page);
    await page.getByTestId("tab-data").click();
    assert.equal(await page.getByTestId("keep-days").inputValue(), "7");
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
  }
});
