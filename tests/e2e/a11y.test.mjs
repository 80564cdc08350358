// End-to-end accessibility: the whole wizard with the keyboard only (visible focus at every
// stop, focus on each new step's heading), the live regions, the power value's name, and axe on
// every tab in both languages. (Every screenshot of the other tests is checked with axe too:
// lib.mjs `shot`.)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, shot, a11y, withPage as withPageAt, stepIs, DEMO_ID, DEMO_PW } from "./lib.mjs";

const SPEED = 25;

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.close();
});

const withPage = (opts, fn) => withPageAt(server.url, opts, fn);

/** What has the focus: its test id or id, and whether the focus is drawn (focus-visible). */
const focused = (page) =>
  page.evaluate(() => {
    const el = document.activeElement;
    const style = el ? getComputedStyle(el) : null;
    return {
      testid: el?.dataset?.testid ?? null,
      id: el?.id ?? null,
      tag: el?.tagName ?? null,
      visible: !!el && el.matches(":focus-visible") && style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
    };
  });

/** Press Tab until the element with `testid` has the focus; every stop must show its focus. */
async function tabTo(page, testid, max = 40) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    const f = await focused(page);
    assert.ok(f.visible, `focus visible on ${f.tag}#${f.id} [${f.testid}]`);
    if (f.testid === testid) return;
  }
  assert.fail(`${testid} not reached with Tab`);
}

/**
 * Wait until the heading with `id` has the focus (a step change moved it there); after keyboard
 * use the focus must also be drawn (after a mouse click browsers do not draw it).
 */
async function headingFocused(page, id, { drawn = true } = {}) {
  await page.waitForFunction((id) => document.activeElement?.id === id, id, { timeout: 30_000 });
  const f = await focused(page);
  assert.equal(f.tag, "H2");
  if (drawn) assert.ok(f.visible, `focus drawn on #${id}`);
}

const text = (page, testid) => page.getByTestId(testid).textContent();

test("keyboard only: the whole wizard, focus visible, focus on each new step's heading", async () => {
  await withPage({ locale: "en-US", fake: { sim: { preset: "demo", speed: SPEED } } }, async (page) => {
    // Record what the polite live region says as it changes.
    await page.evaluate(() => {
      window.__announced = [];
      const el = document.querySelector('[data-testid="announce-polite"]');
      new MutationObserver(() => window.__announced.push(el.textContent)).observe(el, {
        childList: true,
        characterData: true,
        subtree: true,
      });
    });
    await tabTo(page, "connect");
    await page.keyboard.press("Enter");
    await stepIs(page, 4);
    await headingFocused(page, "cred-h");
    await tabTo(page, "cred-id");
    await page.keyboard.type(DEMO_ID);
    await tabTo(page, "cred-password");
    await page.keyboard.type(DEMO_PW);
    await tabTo(page, "cred-submit");
    await page.keyboard.press("Enter");
    await stepIs(page, 5);
    await headingFocused(page, "scan-h");
    await shot(page, "keyboard-scan-en");
    // The first reading opens the dashboard, and the focus goes to its first heading.
    await page.getByTestId("power").waitFor({ timeout: 60_000 });
    await page.waitForFunction(() => document.activeElement?.tagName === "H2" && document.querySelector("#panel")?.contains(document.activeElement));
    const announced = await page.evaluate(() => window.__announced);
    for (const re of [/Finding out the dongle type/, /attempt 1 of up to \d+\. Meters heard so far: \d/, /Authenticating/, /^Reading$/]) {
      assert.ok(announced.some((t) => re.test(t)), `${re} announced: ${JSON.stringify(announced)}`);
    }
    const name = await page.getByTestId("power").getAttribute("aria-label");
    assert.match(name, /^Power now: [\d,]+ watts, (Importing|Exporting)$/);
    assert.equal(await page.getByRole("status", { name }).count(), 1, "the power value is named with unit and direction");
    // Tabs: arrows move the selection and the focus; only the selected tab is in the Tab order.
    await page.getByTestId("tab-dashboard").focus();
    await page.keyboard.press("ArrowRight");
    assert.equal((await focused(page)).testid, "tab-data");
    assert.equal(await page.getByTestId("tab-data").getAttribute("aria-selected"), "true");
    assert.equal(await page.getByTestId("tab-setup").getAttribute("tabindex"), "-1");
    await page.keyboard.press("End");
    assert.equal((await focused(page)).testid, "tab-settings");
    await page.keyboard.press("Home");
    assert.equal((await focused(page)).testid, "tab-setup");
    await shot(page, "keyboard-setup-en");
  });
});

test("problems are announced assertively and focus goes to the triage card", async () => {
  await withPage({ locale: "ja-JP", query: `?speed=${SPEED}` }, async (page) => {
    await page.getByTestId("demo-scenario").selectOption("wrong-password");
    await page.getByTestId("demo-start").click();
    await stepIs(page, 4);
    await page.getByTestId("cred-submit").click();
    await page.getByTestId("triage").waitFor({ timeout: 60_000 });
    await headingFocused(page, "triage-h", { drawn: false });
    assert.match(await text(page, "announce-alert"), /BR-30/);
    assert.match(await text(page, "announce-alert"), /認証/);
  });
});

for (const [locale, lang] of [
  ["ja-JP", "ja"],
  ["en-US", "en"],
]) {
  test(`axe: every tab with a running demo (${lang})`, async () => {
    await withPage({ locale, query: `?speed=${SPEED}` }, async (page) => {
      await page.getByTestId("demo-start").click();
      await stepIs(page, 4);
      await page.getByTestId("cred-submit").click();
      await page.getByTestId("power").waitFor({ timeout: 60_000 });
      await a11y(page, `dashboard-${lang}`);
      for (const tab of ["tab-data", "tab-trace", "tab-settings", "tab-setup"]) {
        await page.getByTestId(tab).click();
        if (tab === "tab-trace") {
          await page.waitForFunction(() => document.querySelector('[data-testid="trace"] .dec') !== null);
          // Paste a log: decoded in the worker.
          await page.getByTestId("paste").fill("SKVER\r\nEVER 1.2.10\r\nOK\r\nSKSETPWD C K7QX3M9PA2TB\r\nOK\r\n");
          await page.getByTestId("paste-decode").click();
          await page.getByTestId("paste-result").waitFor();
          const decoded = await page.getByTestId("paste-result").innerText();
          assert.match(decoded, /EVER/);
          assert.ok(!decoded.includes(DEMO_PW), "the pasted password is hidden");
        }
        await a11y(page, `${tab}-${lang}`);
      }
    });
  });
}
