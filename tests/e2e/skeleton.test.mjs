// End-to-end: start page, browser check, connect through the fake port, SKVER → EVER, unplug,
// clean close, reconnect to a granted port. Both languages, screenshots of every state.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, shot, appReady, withPage as withPageAt } from "./lib.mjs";

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.close();
});

const withPage = (opts, fn) => withPageAt(server.url, opts, fn);

const fakeLog = (page) => page.evaluate(() => JSON.parse(JSON.stringify(window.__fakeSerial.log)));

for (const [locale, lang, connected, title] of [
  ["ja-JP", "ja", "接続しました", "Bルート コミッショナー"],
  ["en-US", "en", "Connected", "B-route Commissioner"],
]) {
  test(`connect, SKVER → EVER (${lang})`, async () => {
    await withPage({ locale }, async (page) => {
      await assert.doesNotReject(page.waitForSelector(`text=${title}`));
      const check = page.getByTestId("browser-check");
      assert.match(await check.innerText(), lang === "ja" ? /通信できます/ : /can talk to a USB dongle/);
      await shot(page, `start-${lang}`);

      await page.getByTestId("connect").click();
      await page.waitForFunction(() =>
        document.querySelector('[data-testid="dongle-firmware"]')?.textContent.startsWith("1.2.10"),
      );
      assert.match(await page.getByTestId("dongle-family").innerText(), /BP35A1/);
      await shot(page, `connected-${lang}`);
      await page.getByTestId("tab-trace").click();
      const rx = await page.getByTestId("trace").innerText();
      assert.match(rx, /SKVER/);
      assert.match(rx, /EVER 1\.2\.10/);
      void connected;

      const log = await fakeLog(page);
      // requestPort from the click, with no filter (a wrong filter hides the user's dongle).
      assert.equal(log.requestCalls.length, 1);
      assert.equal(log.requestCalls[0].userActivation, true);
      const filters = log.requestCalls[0].options?.filters;
      assert.ok(filters === undefined || filters.length === 0, "no port filter");
      // 115200 8N1, buffer larger than the browser default of 255 bytes.
      assert.equal(log.opens.length, 1);
      const o = log.opens[0];
      assert.equal(o.baudRate, 115200);
      assert.equal(o.dataBits, 8);
      assert.equal(o.stopBits, 1);
      assert.equal(o.parity, "none");
      assert.ok(o.bufferSize >= 4096, `bufferSize ${o.bufferSize}`);
      assert.equal(log.writes[0], "SKVER\r\n");
    });
  });
}

test("replies delivered one byte at a time and joined in one chunk", async () => {
  for (const chunking of ["bytes", "whole"]) {
    await withPage({ locale: "en-US", fake: { chunking, version: "1.5.2" } }, async (page) => {
      await page.getByTestId("connect").click();
      await page.waitForFunction(() =>
        document.querySelector('[data-testid="dongle-firmware"]')?.textContent.startsWith("1.5.2"),
      );
    });
  }
});

test("device pulled while reading → explained, and the app keeps working", async () => {
  for (const [locale, lang, re] of [
    ["ja-JP", "ja", /接続が切れました/],
    ["en-US", "en", /was disconnected/],
  ]) {
    await withPage({ locale }, async (page) => {
      await page.getByTestId("connect").click();
      await page.waitForFunction(() =>
        document.querySelector('[data-testid="dongle-firmware"]')?.textContent.startsWith("1.2.10"),
      );
      await page.evaluate(() => window.__fakeSerial.openPort().unplug());
      await page.getByTestId("triage").waitFor();
      assert.match(await page.getByTestId("triage-title").innerText(), re);
      assert.equal(await page.getByTestId("triage-code").innerText(), "BR-13");
      await shot(page, `unplugged-${lang}`);
    });
  }
});

test("disconnect closes cleanly: reader cancelled, locks released, port closed", async () => {
  await withPage({ locale: "en-US" }, async (page) => {
    await page.getByTestId("connect").click();
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="dongle-firmware"]')?.textContent.startsWith("1.2.10"),
    );
    await page.getByTestId("disconnect").click();
    await page.waitForFunction(
      () => document.querySelector('[data-testid="status"]')?.innerText.includes("Disconnected"),
    );
    const log = await fakeLog(page);
    assert.equal(log.readerCancels, 1, "reader cancelled");
    assert.equal(log.closes, 1, "port closed");
    assert.deepEqual(log.closeErrors, [], "close() never saw a locked stream");
    // The same port can be opened again after a clean close.
    await page.getByTestId("connect").click();
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="dongle-firmware"]')?.textContent.startsWith("1.2.10"),
    );
    await shot(page, "reopened-en");
  });
});

test("a port granted earlier is offered without the chooser", async () => {
  await withPage(
    { locale: "ja-JP", fake: { granted: [{ usbVendorId: 0x0403, usbProductId: 0x6015 }] } },
    async (page) => {
      const btn = page.getByTestId("reconnect");
      await btn.waitFor();
      assert.match(await btn.innerText(), /0403:6015/);
      await shot(page, "granted-ja");
      await btn.click();
      await page.waitForFunction(() =>
        document.querySelector('[data-testid="dongle-firmware"]')?.textContent.startsWith("1.2.10"),
      );
      const log = await fakeLog(page);
      assert.equal(log.requestCalls.length, 0, "no chooser");
      assert.equal(log.opens.length, 1);
    },
  );
});

test("chooser closed without a port → told what to do", async () => {
  await withPage({ locale: "ja-JP", fake: { chooser: "cancel" } }, async (page) => {
    await page.getByTestId("connect").click();
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="status"]')?.innerText.includes("選ばれませんでした"),
    );
  });
});

for (const [locale, lang, re] of [
  ["ja-JP", "ja", /Google Chrome か Microsoft Edge/],
  ["en-US", "en", /Google Chrome or Microsoft Edge/],
]) {
  test(`no Web Serial → explains what to use instead (${lang})`, async () => {
    await withPage({ locale, fake: { absent: true } }, async (page) => {
      const check = page.getByTestId("browser-check");
      assert.match(await check.innerText(), re);
      assert.equal(await page.getByTestId("connect").count(), 0, "no connect button");
      assert.equal(await page.getByTestId("demo-start").count(), 1, "the demo still works");
      await shot(page, `no-serial-${lang}`);
    });
  });
}

for (const [locale, lang, re] of [
  ["ja-JP", "ja", /https:\/\//],
  ["en-US", "en", /https:\/\//],
]) {
  test(`insecure context → explains https/localhost (${lang})`, async () => {
    await withPage({ locale, fake: { insecure: true } }, async (page) => {
      const check = page.getByTestId("browser-check");
      assert.match(await check.innerText(), re);
      assert.match(await check.innerText(), /localhost/);
      await shot(page, `insecure-${lang}`);
    });
  });
}

test("language switch changes the page text", async () => {
  await withPage({ locale: "en-US" }, async (page) => {
    assert.match(await page.getByTestId("connect").innerText(), /Connect dongle/);
    await page.getByRole("button", { name: "日本語" }).click();
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="connect"]')?.innerText.includes("ドングルを接続"),
    );
    assert.match(await page.getByTestId("browser-check").innerText(), /通信できます/);
    // The choice survives a reload although the browser prefers English.
    await page.reload();
    await appReady(page);
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="connect"]')?.innerText.includes("ドングルを接続"),
    );
    await page.getByRole("button", { name: "English" }).click();
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="connect"]')?.innerText.includes("Connect dongle"),
    );
  });
});

test("the session's worker cannot load → said plainly, the port let go", async () => {
  for (const [locale, re] of [
    ["ja-JP", /部品を読み込めませんでした/],
    ["en-US", /could not be loaded/],
  ]) {
    // Offline on a first visit, or a network that blocks the worker's files.
    await withPage({ locale, block: /broute-worker/ }, async (page, b) => {
      await page.getByTestId("connect").click();
      await page.waitForFunction(
        (src) => new RegExp(src).test(document.querySelector('[data-testid="status"]')?.textContent ?? ""),
        re.source,
        { timeout: 40_000 },
      );
      assert.match(await page.getByTestId("announce-alert").innerText(), re);
      await shot(page, `no-engine-${locale.slice(0, 2)}`);
      // The port was opened, then closed again for the next try.
      await page.waitForFunction(() => window.__fakeSerial.log.opens.length === 1 && window.__fakeSerial.log.closes === 1);
      // The blocked fetches are reported by the browser itself: expected here.
      b.errors.length = 0;
    });
  }
});
