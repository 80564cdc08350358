// Service worker: the app works offline after its first load.
//
// `scripts/post-build.mjs` (a Trunk post_build hook) fills in PRECACHE — every file of the built
// bundle, hashed names included — and VERSION, a hash of their contents, so each build gets its
// own cache and old caches are deleted on activation.
//
// Strategy: page navigations go to the network first (so a new build shows up on the next load)
// and fall back to the cached index.html when offline; every other same-origin GET is served
// from the cache first (hashed file names never change content). Nothing cross-origin is touched.
"use strict";

const VERSION = "__BROUTE_SW_VERSION__";
const PRECACHE = [/* __BROUTE_SW_PRECACHE__ */];
const CACHE = "broute-" + VERSION;
const INDEX = new URL("./index.html", self.location).href;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(PRECACHE.map((p) => new URL(p, self.location).href)))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("broute-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

async function fromNetworkThenCache(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok && response.type === "basic") await cache.put(INDEX, response.clone());
    return response;
  } catch (err) {
    const cached = (await cache.match(INDEX)) || (await caches.match(INDEX));
    if (cached) return cached;
    throw err;
  }
}

async function fromCacheThenNetwork(request) {
  const cached = await caches.match(request, { ignoreSearch: true });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok && response.type === "basic") {
    const cache = await caches.open(CACHE);
    await cache.put(request, response.clone());
  }
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  // Trunk's development server: live-reload socket and friends.
  if (url.pathname.includes("/.well-known/")) return;
  if (request.mode === "navigate") {
    event.respondWith(fromNetworkThenCache(request));
  } else {
    event.respondWith(fromCacheThenNetwork(request));
  }
});
