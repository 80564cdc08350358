// End-to-end: trust. A neighbour's forged frames never reach the dashboard, the recording or the
// CSV, and the trace marks them as ignored; the lock-out guard holds across Retry and a reload;
// opening a support bundle is bounded (size checked first, parsed in the worker, the page stays
// responsive, errors never quote the file).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFile, writeFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer, shot, withPage as withPageAt, stepIs, DEMO_ID, DEMO_PW } from "./lib.mjs";

const SPEED = 25;
// sim::hostile::{HOSTILE_POWER_W, HOSTILE_ENERGY_COUNT}; the demo meter counts 0.1 kWh.
const HOSTILE_W = 99_999;
const HOSTILE_COUNT = 987_654;

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.close();
});

const withPage = (opts, fn) => withPageAt(server.url, opts, fn);
const text = (page, testid) => page.getByTestId(testid).innerText();
const number = async (page, testid) => Number((await text(page, testid)).replace(/[^0-9]/g, ""));

/** True if a text shows one of the forged values (as the UI or the CSV would write them). */
const forged = (s) =>
  [String(HOSTILE_W), "99,999", String(HOSTILE_COUNT), "987,654", "98765.4", "98,765.4"].some((v) => s.includes(v));

test("a neighbour's forged frames: never shown, recorded or exported; marked ignored in the trace", async () => {
  await withPage({ locale: "ja-JP", query: `?speed=${SPEED}` }, async (page) => {
    await page.getByTestId("demo-scenario").selectOption("hostile-neighbour");
    await page.getByTestId("demo-start").click();
    await stepIs(page, 4);
    await page.getByTestId("cred-submit").click();
    await page.getByTestId("power").waitFor({ timeout: 60_000 });
    // Let the neighbour send a good number of frames while readings go on.
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="frames-ignored"]')?.textContent ?? 0) >= 10,
      null,
      { timeout: 60_000 },
    );
    for (const id of ["power", "energy-in", "energy-out"]) {
      const shown = await text(page, id);
      assert.ok(!forged(shown), `${id}: ${shown}`);
    }
    // The value shown is the meter's (the simulator's ground truth).
    const w = await number(page, "power");
    const truth = JSON.parse(await page.evaluate(() => window.__broute_demo_port.truth(90_000)));
    assert.ok(truth.some((x) => Math.abs(x.power_w) === w), `${w} W vs ${JSON.stringify(truth)}`);
    await shot(page, "dashboard-hostile-ja");

    // The trace: forged frames marked as ignored, with the reason, and not decoded as data.
    await page.getByTestId("tab-trace").click();
    await page.getByTestId("trace-ignored").first().waitFor();
    const reasons = await page.$$eval('[data-testid="trace-ignored"]', (els) => els.map((e) => e.dataset.reason));
    assert.ok(reasons.includes("foreign_sender"), JSON.stringify(reasons));
    assert.match(await page.getByTestId("trace-ignored").first().innerText(), /無視したフレーム/);
    assert.match(await text(page, "trace-ignored-count"), /[1-9]\d* 件/);
    // Meter frames are still decoded in the trace, the forged values never.
    await page.waitForFunction(() => document.querySelector('[data-testid="trace"] .dec') !== null);
    assert.ok(!forged(await text(page, "trace")), "no forged value decoded in the trace");
    // Show an ignored frame next to decoded meter frames in the screenshots.
    const showIgnored = () =>
      page.evaluate(() => {
        const rows = [...document.querySelectorAll('[data-testid="trace"] .tl')];
        const i = rows.findLastIndex((r) => r.classList.contains("ignored"));
        rows[Math.max(0, i - 6)]?.scrollIntoView({ block: "start" });
        window.scrollTo(0, 0);
      });
    await showIgnored();
    await shot(page, "trace-hostile-ja");
    // The same in English (the header's language switch).
    await page.getByRole("button", { name: "English" }).click();
    await page.waitForFunction(() =>
      /Ignored frame/.test(document.querySelector('[data-testid="trace-ignored"]')?.textContent ?? ""),
    );
    assert.match(await text(page, "trace-ignored-count"), /not taken as meter data: [1-9]/);
    await showIgnored();
    await shot(page, "trace-hostile-en");

    // The recording and its CSV hold the meter's values only.
    await page.getByTestId("tab-data").click();
    await page.waitForFunction(
      () => Number((document.querySelector('[data-testid="rec-count"]')?.textContent ?? "").match(/\d+/)?.[0] ?? 0) >= 5,
      null,
      { timeout: 60_000 },
    );
    const stored = await page.evaluate(async () => {
      const db = await new Promise((ok) => {
        const r = indexedDB.open("broute");
        r.onsuccess = () => ok(r.result);
      });
      const all = await new Promise((ok) => {
        const q = db.transaction("readings").objectStore("readings").getAll();
        q.onsuccess = () => ok(q.result);
      });
      // Times are not values: leave them out.
      return all.map((s) => {
        const r = JSON.parse(s);
        delete r.t_ms;
        return JSON.stringify(r);
      });
    });
    assert.ok(stored.length >= 5);
    for (const r of stored) assert.ok(!forged(r), `recorded: ${r}`);
    const [dl] = await Promise.all([page.waitForEvent("download"), page.getByTestId("rec-csv").click()]);
    const csv = (await readFile(await dl.path())).toString("utf8");
    const cells = csv.split(/\r\n/).slice(1).flatMap((row) => row.split(",").slice(1));
    assert.ok(cells.length > 5);
    for (const c of cells) assert.ok(!forged(c), `CSV cell ${c}`);

    // The session carries on.
    const before = await page.evaluate(
      () => Number((document.querySelector('[data-testid="rec-count"]')?.textContent ?? "").match(/\d+/)?.[0] ?? 0),
    );
    await page.waitForFunction(
      (n) => Number((document.querySelector('[data-testid="rec-count"]')?.textContent ?? "").match(/\d+/)?.[0] ?? 0) > n,
      before,
      { timeout: 60_000 },
    );
    await page.getByTestId("tab-dashboard").click();
    assert.match(await text(page, "session-state"), /Reading/);
  });
});

/** Join requests the app wrote to the dongle it opened last (the simulator counts them). */
const joins = (page) => page.evaluate(() => window.__fakeSerial.serial.lastPort.joins());

async function typeCredentials(page, id, pw) {
  await page.getByTestId("cred-id").fill(id);
  await page.getByTestId("cred-password").fill(pw);
}

test("lock-out: two refusals, then neither Retry nor a reload joins again until the password changes or a third try is confirmed", async () => {
  const fake = { sim: { preset: "wrong-password", speed: SPEED } };
  await withPage({ locale: "ja-JP", fake }, async (page) => {
    await page.getByTestId("connect").click();
    await stepIs(page, 4);
    await typeCredentials(page, DEMO_ID, DEMO_PW);
    await page.getByTestId("cred-submit").click();
    await page.getByTestId("triage").waitFor({ timeout: 60_000 });
    assert.equal(await text(page, "triage-code"), "BR-30");
    assert.equal(await joins(page), 2);

    // Retry: the same dongle, the credentials still in memory, but no third join.
    await page.getByTestId("retry").click();
    await stepIs(page, 4);
    await page.getByTestId("lockout-warning").waitFor();
    assert.match(await text(page, "lockout-warning"), /2 回認証に失敗/);
    assert.match(await text(page, "lockout-warning"), /ロック/);
    assert.match(await text(page, "announce-alert"), /ロック/, "announced assertively");
    assert.equal(await page.getByTestId("cred-submit").isDisabled(), true);
    await page.waitForTimeout(1500); // ~40 s on the dongle's clock: nothing happens
    assert.equal(await joins(page), 2, "Retry did not join again");
    await shot(page, "lockout-warning-ja");

    // The record is per tab and survives a reload; it holds no secret.
    const session = await page.evaluate(() => JSON.stringify(sessionStorage));
    for (const s of [DEMO_ID, DEMO_PW, DEMO_ID.slice(24)]) assert.ok(!session.includes(s), "no secret stored");
    await page.reload();
    await page.getByTestId("connect").click();
    await stepIs(page, 4);
    assert.equal(await page.getByTestId("cred-id").inputValue(), "", "nothing typed survives a reload");
    await typeCredentials(page, DEMO_ID, DEMO_PW);
    await page.getByTestId("lockout-warning").waitFor();
    await page.waitForTimeout(1000);
    assert.equal(await joins(page), 0, "no join after the reload");

    // Another password opens the guard; the same one closes it again.
    await page.getByTestId("cred-password").fill("K7QX3M9PA2TC");
    await page.getByTestId("lockout-warning").waitFor({ state: "detached" });
    assert.equal(await page.getByTestId("cred-submit").isDisabled(), false);
    await page.getByTestId("cred-password").fill(DEMO_PW);
    await page.getByTestId("lockout-warning").waitFor();

    // An explicit confirmation, with the keyboard: exactly one more try.
    await page.getByTestId("lockout-confirm").focus();
    await page.keyboard.press("Enter");
    await page.getByTestId("triage").waitFor({ timeout: 60_000 });
    assert.equal(await text(page, "triage-code"), "BR-30");
    assert.equal(await joins(page), 1, "one confirmed try");
    await page.getByTestId("retry").click();
    await page.getByTestId("lockout-warning").waitFor();
    assert.match(await text(page, "lockout-warning"), /3 回認証に失敗/);

    // Disconnect forgets what was typed.
    await page.getByTestId("disconnect").click();
    await page.getByTestId("connect").click();
    await stepIs(page, 4);
    assert.equal(await page.getByTestId("cred-id").inputValue(), "");
    assert.equal(await page.getByTestId("cred-password").inputValue(), "");
  });
});

test("lock-out warning in English", async () => {
  await withPage({ locale: "en-US", query: `?speed=${SPEED}` }, async (page) => {
    await page.getByTestId("demo-scenario").selectOption("wrong-password");
    await page.getByTestId("demo-start").click();
    await stepIs(page, 4);
    await page.getByTestId("cred-submit").click();
    await page.getByTestId("triage").waitFor({ timeout: 60_000 });
    await page.getByTestId("retry").click();
    await page.getByTestId("lockout-warning").waitFor();
    assert.match(await text(page, "lockout-warning"), /failed 2 times/);
    assert.match(await text(page, "announce-alert"), /lock this authentication ID/);
    assert.equal(await page.evaluate(() => window.__broute_demo_port.joins()), 0);
    await shot(page, "lockout-warning-en");
  });
});

/** A click on a tab is handled (the main thread is free) within `ms`. */
async function responsive(page, ms = 5_000) {
  await page.getByTestId("tab-trace").click({ timeout: ms });
  await page.waitForFunction(
    () => document.querySelector('[data-testid="tab-trace"]')?.getAttribute("aria-selected") === "true",
    null,
    { timeout: ms },
  );
  await page.getByTestId("tab-data").click({ timeout: ms });
  await page.getByTestId("bundle-open").waitFor({ timeout: ms });
}

test("opening support files is bounded: 50 MB of junk, a crafted bundle, invalid UTF-8", async () => {
  const dir = await mkdtemp(join(tmpdir(), "broute-bundles-"));
  try {
    const junk = join(dir, "junk.json");
    await writeFile(junk, Buffer.alloc(50 * 1024 * 1024, "SKSETPWD C K7QX3M9PA2TB "));
    // Huge strings and 100 000 trace lines of credential keywords, under the 20 MB limit.
    const huge = "A".repeat(4_000_000);
    const line = JSON.stringify({ ms: 1, dir: "sent", text: "SKSETPWD C SKSETRBID SKSETPWD C K7QX3M9PA2TB" });
    const crafted = join(dir, "crafted.json");
    await writeFile(
      crafted,
      `{"version":1,"created_ms":0,"app_version":"${huge}","notes":[{"ms":0,"text":"${huge}"}],` +
        `"trace":[${Array(100_000).fill(line).join(",")}]}`,
    );
    // Invalid UTF-8 on line 3, with a secret-looking word the error must not quote.
    const invalid = join(dir, "invalid.json");
    await writeFile(
      invalid,
      Buffer.concat([Buffer.from('{"version":1,\n"app_version":"CANARY-QUOTE",\n"x":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]),
    );

    for (const [locale, lang] of [
      ["ja-JP", "ja"],
      ["en-US", "en"],
    ]) {
      await withPage({ locale }, async (page) => {
        await page.getByTestId("tab-data").click();
        // 50 MB: refused from its size, before anything is read.
        await page.getByTestId("bundle-open").setInputFiles(junk);
        await page.getByTestId("bundle-error").waitFor();
        assert.match(await text(page, "bundle-error"), lang === "ja" ? /大きすぎます（50\.0 MB）/ : /too large \(50\.0 MB\)/);
        assert.ok(!(await text(page, "bundle-error")).includes("SKSETPWD"));
        await shot(page, `bundle-too-large-${lang}`);
        await responsive(page);

        // Invalid UTF-8: refused with its position, never its content.
        await page.getByTestId("bundle-open").setInputFiles(invalid);
        const notText = lang === "ja" ? "3 行目に文字として読めない" : "line 3 holds data that is not text";
        await page.waitForFunction(
          (t) => document.querySelector('[data-testid="bundle-error"]')?.textContent.includes(t),
          notText,
        );
        const err = await text(page, "bundle-error");
        assert.ok(!err.includes("CANARY"), "the error does not quote the file");

        // The crafted bundle opens in the worker while the page stays responsive.
        await page.getByTestId("bundle-open").setInputFiles(crafted);
        await responsive(page);
        await page.getByTestId("story").waitFor({ timeout: 60_000 });
        assert.match(await text(page, "story-trace-count"), /100,?000/);
        const shown = await text(page, "story");
        assert.ok(shown.length < 200_000, `${shown.length} characters laid out`);
        assert.ok(!shown.includes(DEMO_PW), "re-redacted on the way in");
        assert.match(await text(page, "story-notes"), /\(\+3995\d{3} bytes\)/, "the huge note is cut");
        await page.getByTestId("story-more").click();
        assert.equal(await page.locator('[data-testid="story-trace"] tbody tr').count(), 200);
        await responsive(page);
        await page.getByTestId("story").waitFor();
        await shot(page, `bundle-crafted-${lang}`);
      });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
