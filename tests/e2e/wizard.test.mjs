// End-to-end: the whole wizard against the Rust simulator behind the fake navigator.serial (the
// app's own demo dongle, handed out by requestPort), in both languages, for a single-hop, a
// dual-stack and a J11 dongle; failures with their support codes; the dashboard's numbers
// against the simulator's ground truth; unplug; session expiry while the dashboard runs.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, shot, appReady, withPage as withPageAt, stepIs, DEMO_ID, DEMO_PW } from "./lib.mjs";

const SPEED = 25;

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.close();
});

const withPage = (opts, fn) => withPageAt(server.url, opts, fn);

/** Wait until the dashboard shows a power value, and return it (W, signed). */
async function dashboardPower(page) {
  await page.getByTestId("power").waitFor({ timeout: 60_000 });
  const text = await page.getByTestId("power").innerText();
  const dir = await page.getByTestId("power-dir").innerText();
  const w = Number(text.replace(/[^0-9]/g, ""));
  return /売電|Exporting/.test(dir) ? -w : w;
}

/** The simulator's ground truth over the last `lookback` virtual ms. */
const truth = (page, lookback = 90_000) =>
  page.evaluate(async (lb) => JSON.parse(await window.__fakeSerial.serial.lastPort.truth(lb)), lookback);

async function enterCredentials(page, id, pw) {
  await page.getByTestId("cred-id").fill(id);
  await page.getByTestId("cred-password").fill(pw);
}

for (const [locale, lang] of [
  ["ja-JP", "ja"],
  ["en-US", "en"],
]) {
  for (const preset of ["demo", "dual-stack", "j11"]) {
    test(`whole wizard, ${preset} dongle (${lang})`, async () => {
      await withPage({ locale, fake: { sim: { preset, speed: SPEED } } }, async (page) => {
        await shot(page, `wizard-${preset}-1-start-${lang}`);
        await page.getByTestId("connect").click();
        await stepIs(page, 4);
        const family = await page.getByTestId("dongle-family").innerText();
        assert.match(family, { demo: /BP35A1/, "dual-stack": /BP35C2/, j11: /RS-WSUHA-J11/ }[preset]);
        const firmware = await page.getByTestId("dongle-firmware").innerText();
        if (preset === "j11") {
          // J11 firmware "major.minor rev XXXX"; no ERXUDP mode on a binary-API dongle.
          assert.match(firmware, /^J11 \d+\.\d+ rev [0-9A-F]+$/);
          assert.equal(await page.getByTestId("dongle-mode").count(), 0);
        } else {
          assert.match(firmware, /\d+\.\d+\.\d+ rev\w+$/);
          assert.equal(await page.getByTestId("dongle-mode").count(), 1);
        }
        // Letters are copied with spaces and hyphens; the counter and checks guide the user.
        await enterCredentials(page, "0000 004F 3A21", "");
        assert.match(await page.getByTestId("cred-id-status").innerText(), lang === "ja" ? /12 \/ 32 文字/ : /12 \/ 32 characters/);
        assert.equal(await page.getByTestId("cred-submit").isDisabled(), true);
        await enterCredentials(page, "0000-004F-3A21-0000 0000-0000-0A18-C3D7", "K7QX3M9PA2T#");
        assert.match(await page.getByTestId("cred-pw-status").innerText(), lang === "ja" ? /12 文字目/ : /Character 12/);
        await enterCredentials(page, "0000-004F-3A21-0000 0000-0000-0A18-C3D7", DEMO_PW);
        assert.equal(await page.getByTestId("cred-password").getAttribute("type"), "password");
        await shot(page, `wizard-${preset}-4-credentials-${lang}`);
        await page.getByTestId("cred-submit").click();
        await stepIs(page, 5);
        await page.getByTestId("scan-progress").waitFor();
        assert.match(await page.getByTestId("scan-attempt").innerText(), lang === "ja" ? /1 回目/ : /Attempt 1/);
        await shot(page, `wizard-${preset}-5-scan-${lang}`);
        // A J11 module joins in a moment once the scan found the meter: the join step may be
        // over (and the dashboard shown) by the time the scan's screenshot is taken.
        await page.waitForFunction(
          () =>
            Number(document.querySelector('[data-testid="step-of"]')?.textContent.match(/\d/)?.[0]) >= 6 ||
            document.querySelector('[data-testid="power"]') !== null,
          null,
          { timeout: 30_000 },
        );
        if (preset !== "j11") await shot(page, `wizard-${preset}-6-join-${lang}`);
        const w = await dashboardPower(page);
        const t = await truth(page);
        assert.ok(t.some((x) => x.power_w === w), `shown ${w} W is the simulator's ${JSON.stringify(t)}`);
        // The demo meter counts in 0.1 kWh (E1 = 0x01, D3 = 1): shown exactly, one decimal.
        const kwh = (c) => `${Math.floor(c / 10).toLocaleString("en-US")}.${c % 10} kWh`;
        const shownKwh = await page.getByTestId("energy-in").innerText();
        assert.ok(t.some((x) => kwh(x.import_count) === shownKwh), `${shownKwh} vs ${JSON.stringify(t)}`);
        assert.match(await page.getByTestId("current-r").innerText(), /^-?\d+\.\d A$/);
        assert.match(await page.getByTestId("meter-class").innerText(), lang === "ja" ? /低圧/ : /Low-voltage/);
        await shot(page, `wizard-${preset}-7-dashboard-${lang}`);
        // The password never reached the trace (it is shown redacted).
        await page.getByTestId("tab-trace").click();
        // Frames are decoded in the worker as their rows appear.
        await page.waitForFunction(
          (re) => new RegExp(re).test(document.querySelector('[data-testid="trace"]')?.innerText ?? ""),
          lang === "ja" ? "瞬時電力計測値" : "Instantaneous power",
        );
        const trace = await page.getByTestId("trace").innerText();
        assert.ok(!trace.includes(DEMO_PW) && !trace.includes(DEMO_ID), "credentials redacted");
        if (preset !== "j11") assert.match(trace, /SKSETPWD C <redacted>/);
        assert.match(trace, lang === "ja" ? /瞬時電力計測値/ : /Instantaneous power/);
        await shot(page, `trace-${preset}-${lang}`);
      });
    });
  }
}

for (const [scenario, code, locale] of [
  ["wrong-password", "BR-30", "ja-JP"],
  ["wrong-id", "BR-20", "en-US"],
]) {
  test(`demo button, ${scenario} → triage ${code}, retry keeps the entries`, async () => {
    await withPage({ locale, query: `?speed=${SPEED}` }, async (page) => {
      await page.getByTestId("demo-scenario").selectOption(scenario);
      await page.getByTestId("demo-start").click();
      await stepIs(page, 4);
      // The demo fills in its credentials.
      assert.equal(await page.getByTestId("cred-id").inputValue(), DEMO_ID);
      await page.getByTestId("cred-submit").click();
      await page.getByTestId("triage").waitFor({ timeout: 60_000 });
      assert.equal(await page.getByTestId("triage-code").innerText(), code);
      await shot(page, `triage-${scenario}-${locale.slice(0, 2)}`);
      await page.getByTestId("fix-credentials").click();
      await stepIs(page, 4);
      assert.equal(await page.getByTestId("cred-id").inputValue(), DEMO_ID, "kept what was entered");
    });
  });
}

test("J11 dongle, wrong password → BR-30 after exactly two join attempts", async () => {
  await withPage({ locale: "en-US", query: `?speed=${SPEED}` }, async (page) => {
    await page.getByTestId("demo-dialect").selectOption("j11");
    await page.getByTestId("demo-scenario").selectOption("wrong-password");
    await page.getByTestId("demo-start").click();
    await stepIs(page, 4);
    assert.match(await page.getByTestId("dongle-family").innerText(), /RS-WSUHA-J11/);
    await page.getByTestId("cred-submit").click();
    await page.getByTestId("triage").waitFor({ timeout: 60_000 });
    assert.equal(await page.getByTestId("triage-code").innerText(), "BR-30");
    // Counted at the dongle: the PANA start requests (0x0056) the app wrote.
    assert.equal(await page.evaluate(() => window.__broute_demo_port.joins()), 2);
    await shot(page, "triage-j11-wrong-password-en");
  });
});

test("J11 dongle: unplug and replug on the dashboard", async () => {
  await withPage({ locale: "ja-JP", fake: { sim: { preset: "j11", speed: SPEED } } }, async (page) => {
    await page.getByTestId("connect").click();
    await stepIs(page, 4);
    await enterCredentials(page, DEMO_ID, DEMO_PW);
    await page.getByTestId("cred-submit").click();
    await dashboardPower(page);
    await page.evaluate(() => window.__fakeSerial.unplug());
    await page.getByTestId("banner").waitFor();
    assert.equal(await page.getByTestId("triage-code").innerText(), "BR-13");
    await shot(page, "dashboard-unplugged-j11-ja");
    await page.getByTestId("tab-setup").click();
    await page.getByTestId("retry").click();
    await stepIs(page, 7);
    await page.getByTestId("tab-dashboard").click();
    await page.waitForFunction(
      () => /計測中/.test(document.querySelector('[data-testid="session-state"]')?.textContent ?? ""),
      null,
      { timeout: 60_000 },
    );
    // The remembered J11 meter: the replugged dongle joined without a scan, once.
    assert.equal(await page.evaluate(() => window.__fakeSerial.serial.lastPort.joins()), 1);
    const w = await dashboardPower(page);
    const t = await truth(page);
    assert.ok(t.some((x) => x.power_w === w), `shown ${w} W is the simulator's ${JSON.stringify(t)}`);
  });
});

test("weak signal: the scan grows until the meter answers", async () => {
  await withPage({ locale: "ja-JP", query: `?speed=${SPEED * 2}` }, async (page) => {
    await page.getByTestId("demo-scenario").selectOption("weak-signal");
    await page.getByTestId("demo-start").click();
    await stepIs(page, 4);
    await page.getByTestId("cred-submit").click();
    await page.waitForFunction(
      () => /3 回目/.test(document.querySelector('[data-testid="scan-attempt"]')?.textContent ?? ""),
      null,
      { timeout: 60_000 },
    );
    await shot(page, "scan-weak-ja");
    await dashboardPower(page);
    assert.match(await page.getByTestId("signal").innerText(), /弱い|ふつう/);
  });
});

test("unplug and replug on the dashboard", async () => {
  await withPage({ locale: "en-US", fake: { sim: { preset: "demo", speed: SPEED } } }, async (page) => {
    await page.getByTestId("connect").click();
    await stepIs(page, 4);
    await enterCredentials(page, DEMO_ID, DEMO_PW);
    await page.getByTestId("cred-submit").click();
    await dashboardPower(page);
    await page.evaluate(() => window.__fakeSerial.unplug());
    await page.getByTestId("banner").waitFor();
    assert.equal(await page.getByTestId("triage-code").innerText(), "BR-13");
    await shot(page, "dashboard-unplugged-en");
    // Replug: a fresh dongle on the same port; the remembered meter skips the scan.
    await page.getByTestId("tab-setup").click();
    await page.getByTestId("retry").click();
    // The credentials given before are still in memory: no need to type them again.
    await stepIs(page, 7);
    await page.getByTestId("tab-dashboard").click();
    await page.waitForFunction(
      () => /Reading/.test(document.querySelector('[data-testid="session-state"]')?.textContent ?? ""),
      null,
      { timeout: 60_000 },
    );
    const log = await page.evaluate(() => window.__fakeSerial.log.requestCalls.length);
    assert.equal(log, 2, "the chooser was used again for the replugged dongle");
    await shot(page, "dashboard-replugged-en");
  });
});

test("session expiry while the dashboard runs: re-authenticates and keeps reading", async () => {
  await withPage({ locale: "ja-JP", query: `?speed=${SPEED * 2}` }, async (page) => {
    await page.getByTestId("demo-scenario").selectOption("short-session");
    await page.getByTestId("demo-start").click();
    await stepIs(page, 4);
    await page.getByTestId("cred-submit").click();
    await dashboardPower(page);
    // The simulated session lasts 120 s: EVENT 29, automatic re-authentication.
    await page.waitForFunction(
      () => /再認証中/.test(document.querySelector('[data-testid="session-state"]')?.textContent ?? ""),
      null,
      { timeout: 60_000 },
    );
    await shot(page, "dashboard-reauth-ja");
    await page.waitForFunction(
      () => /計測中/.test(document.querySelector('[data-testid="session-state"]')?.textContent ?? ""),
      null,
      { timeout: 60_000 },
    );
    const before = await page.getByTestId("updated").innerText();
    assert.ok(before.length > 0);
  });
});

test("a reload in the middle of the wizard offers to continue where the user was", async () => {
  await withPage({ locale: "ja-JP", query: `?speed=${SPEED}` }, async (page) => {
    await page.getByTestId("demo-scenario").selectOption("solar");
    await page.getByTestId("demo-start").click();
    await stepIs(page, 4);
    await page.reload();
    await page.getByTestId("resume").waitFor();
    assert.match(await page.getByTestId("resume").innerText(), /太陽光発電あり/);
    await shot(page, "resume-ja");
    await page.getByTestId("resume-demo").click();
    await stepIs(page, 4);
    assert.equal(await page.getByTestId("cred-id").inputValue(), DEMO_ID);
    await page.getByTestId("cred-submit").click();
    // The solar scenario exports in the middle of the day: the dashboard says so.
    await page.getByTestId("power").waitFor({ timeout: 60_000 });
  });
});

test("settings: language and polling interval", async () => {
  await withPage({ locale: "en-US" }, async (page) => {
    await page.getByTestId("tab-settings").click();
    await page.getByTestId("settings-lang-ja").click();
    await page.waitForFunction(() => document.querySelector('[data-testid="tab-settings"]')?.textContent === "設定");
    await page.getByTestId("interval").fill("30");
    await page.getByTestId("interval-save").click();
    assert.equal(await page.evaluate(() => localStorage.getItem("broute.poll_interval_s")), "30");
    await shot(page, "settings-ja");
  });
});
