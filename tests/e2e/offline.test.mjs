// End-to-end: installable and usable offline after the first load (web manifest, service
// worker), and the Content-Security-Policy: nothing leaves the origin and nothing is blocked.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startServer, openBrowser, shot, appReady, watchRequestsAndCsp, stepIs } from "./lib.mjs";

const SPEED = 25;

/** Only the test server (or in-page data:/blob: URLs) may be asked for anything. */
function assertSameOrigin(requests, origin) {
  const away = requests.filter((u) => !u.startsWith(origin) && !/^(data|blob):/.test(u));
  assert.deepEqual(away, [], "no request left 127.0.0.1");
  for (const u of requests) if (/^https?:/.test(u)) assert.equal(new URL(u).hostname, "127.0.0.1");
}

test("offline after the first load: the app and the demo dongle work without the server", async () => {
  const server = await startServer();
  let serverOpen = true;
  const b = await openBrowser({ locale: "ja-JP" });
  try {
    const { page, context } = b;
    const { requests } = await watchRequestsAndCsp(context);
    await page.goto(server.url + `?speed=${SPEED}`);
    await appReady(page);
    // The service worker installs (precaching the bundle) and takes control of this page.
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    const cached = await page.evaluate(async () => {
      const keys = await caches.keys();
      const cache = await caches.open(keys.find((k) => k.startsWith("broute-")));
      return (await cache.keys()).map((r) => new URL(r.url).pathname);
    });
    for (const want of ["/index.html", "/manifest.webmanifest", "/icon-192.png", "/icon-512.png"]) {
      assert.ok(cached.includes(want), `${want} precached (${cached.join(", ")})`);
    }
    assert.ok(cached.some((p) => /\.wasm$/.test(p)) && cached.some((p) => /\.js$/.test(p)), "wasm and js precached");

    // Offline: the browser has no network and the server is gone.
    await context.setOffline(true);
    await server.close();
    serverOpen = false;
    await page.reload();
    await appReady(page);
    assert.equal(await page.locator('.tabs [role="tab"]').count() >= 4, true, "tabs rendered");
    assert.ok(await page.evaluate(() => navigator.serviceWorker.controller !== null), "served by the worker");
    await page.getByTestId("demo-start").click();
    await stepIs(page, 4);
    await page.getByTestId("cred-id").waitFor();
    await shot(page, "offline-demo-credentials-ja");

    assertSameOrigin(requests, server.url.replace(/\/$/, ""));
    assert.deepEqual(await page.evaluate(() => window.__cspViolations), [], "no CSP violations");
    assert.deepEqual(b.errors, [], "no page errors or console errors");
  } finally {
    await b.close();
    if (serverOpen) await server.close();
  }
});

test("installable: the manifest and its icons load, the browser sees no installability errors", async () => {
  const server = await startServer();
  const b = await openBrowser({ locale: "en-US" });
  try {
    const { page, context } = b;
    await page.goto(server.url);
    await appReady(page);
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    const cdp = await context.newCDPSession(page);
    const { errors: manifestErrors, data } = await cdp.send("Page.getAppManifest");
    assert.deepEqual(manifestErrors, [], "manifest parses");
    const manifest = JSON.parse(data);
    assert.equal(manifest.name, "Bルート コミッショナー / B-route Commissioner");
    assert.equal(manifest.display, "standalone");
    assert.equal(manifest.theme_color.toLowerCase(), "#0b6e4f");
    const sizes = await page.evaluate(async (icons) => {
      const out = [];
      for (const icon of icons) {
        if (icon.type !== "image/png") continue;
        const img = new Image();
        img.src = icon.src;
        await img.decode();
        out.push(`${img.naturalWidth}x${img.naturalHeight}`);
      }
      return out;
    }, manifest.icons.map((i) => ({ ...i, src: new URL(i.src, server.url).href })));
    assert.deepEqual(sizes, ["192x192", "512x512"]);
    const { installabilityErrors } = await cdp.send("Page.getInstallabilityErrors");
    assert.deepEqual(installabilityErrors, [], "installable");
    assert.deepEqual(b.errors, [], "no page errors or console errors");
  } finally {
    await b.close();
    await server.close();
  }
});

test("Content-Security-Policy: present, strict, and nothing violates it through the whole demo", async () => {
  const server = await startServer();
  const b = await openBrowser({ locale: "ja-JP" });
  try {
    const { page, context } = b;
    const { requests } = await watchRequestsAndCsp(context);
    await page.goto(server.url + `?speed=${SPEED}`);
    await appReady(page);
    const csp = await page.evaluate(
      () => document.querySelector('head > meta[http-equiv="Content-Security-Policy"]')?.getAttribute("content") ?? "",
    );
    assert.ok(
      await page.evaluate(() => document.head.firstElementChild?.getAttribute("http-equiv") === "Content-Security-Policy"),
      "the CSP meta is the first element of <head>",
    );
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /script-src 'self' 'wasm-unsafe-eval' 'sha256-[A-Za-z0-9+/]+=*'/);
    assert.doesNotMatch(csp, /'unsafe-inline'|'unsafe-eval'|\*|https?:/, "no wildcard, host or unsafe source");
    for (const d of ["connect-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'none'", "style-src 'self'"]) {
      assert.ok(csp.includes(d), d);
    }
    // The whole demo wizard to a reading, then every tab.
    await page.getByTestId("demo-start").click();
    await stepIs(page, 4);
    await page.getByTestId("cred-submit").click();
    await page.getByTestId("power").waitFor({ timeout: 60_000 });
    await page.getByTestId("win-24h").click();
    for (const tab of ["tab-trace", "tab-settings", "tab-setup", "tab-dashboard"]) {
      await page.getByTestId(tab).click();
    }
    await page.getByRole("button", { name: "English" }).click();
    await page.waitForTimeout(200);
    assert.deepEqual(await page.evaluate(() => window.__cspViolations), [], "no securitypolicyviolation events");
    assertSameOrigin(requests, server.url.replace(/\/$/, ""));
    assert.deepEqual(b.errors, [], "no page errors or console errors");
  } finally {
    await b.close();
    await server.close();
  }
});
