// Trunk post_build hook (Trunk.toml): runs on the staged bundle, after Trunk has hashed the file
// names, for `trunk build` and `trunk serve` alike.
//
// 1. Content-Security-Policy: Trunk's loader is an inline <script type="module">, so the policy
//    allows exactly that script by its sha256 (and 'wasm-unsafe-eval' to compile the wasm). The
//    <meta> goes first in <head>, before anything it governs.
// 2. Service worker: writes the precache list (every staged file) and a cache version (a hash of
//    the contents) into the staged sw.js.
// 0. Before both: the page's wasm-bindgen glue (an ES module Trunk's minifier cannot parse, so it
//    ships it as it is) is minified with esbuild (whitespace, syntax and local names; property
//    names, which the wasm imports by, stay), and its Subresource-Integrity hash in index.html is
//    written anew. About 2 KB less gzip on the first load.
//
// Usage outside Trunk: `TRUNK_STAGING_DIR=dist node scripts/post-build.mjs` (idempotent).
import { createHash } from "node:crypto";
import { transformSync } from "esbuild";
import { readFileSync, writeFileSync, readdirSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";

const staging = process.env.TRUNK_STAGING_DIR;
if (!staging) {
  console.error("post-build: TRUNK_STAGING_DIR is not set (run from Trunk, see Trunk.toml)");
  process.exit(1);
}
const fail = (msg) => {
  console.error(`post-build: ${msg}`);
  process.exit(1);
};

// --- 0. The page's JS glue ----------------------------------------------------------------------
{
  const index = join(staging, "index.html");
  let page = readFileSync(index, "utf8");
  const glue = readdirSync(staging).filter((f) => /^broute-app-[0-9a-f]+\.js$/.test(f));
  if (glue.length !== 1) fail(`expected one broute-app-*.js in the staged bundle, found ${glue.length}`);
  const file = join(staging, glue[0]);
  const code = readFileSync(file, "utf8");
  const min = transformSync(code, { minify: true, format: "esm", target: "es2020", legalComments: "none" }).code;
  writeFileSync(file, min);
  const sri = `sha384-${createHash("sha384").update(min, "utf8").digest("base64")}`;
  const name = glue[0].replace(/[.]/g, "\\.");
  const re = new RegExp(`(href="?/?${name}"?[^>]*?integrity="?)sha384-[A-Za-z0-9+/=]+|(integrity="?)sha384-[A-Za-z0-9+/=]+("?[^>]*?href="?/?${name})`);
  const before = page;
  page = page.replace(re, (_m, a, b, c) => (a !== undefined ? `${a}${sri}` : `${b}${sri}${c}`));
  if (page === before && /integrity=/.test(page)) fail(`no integrity attribute found for ${glue[0]} in index.html`);
  writeFileSync(index, page);
  console.log(`post-build: ${glue[0]} minified, ${code.length} → ${min.length} bytes`);
}

// --- 1. CSP --------------------------------------------------------------------------------
const indexPath = join(staging, "index.html");
let html = readFileSync(indexPath, "utf8");
html = html.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>\s*/i, "");
const hashes = [];
for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
  if (/\bsrc\s*=/.test(m[1])) continue;
  // The HTML parser turns CRLF and lone CR into LF before the browser hashes the text.
  const text = m[2].replace(/\r\n?/g, "\n");
  hashes.push(`'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`);
}
if (hashes.length === 0) fail("no inline script found in index.html (Trunk's loader?)");
const csp = [
  "default-src 'self'",
  `script-src 'self' 'wasm-unsafe-eval' ${hashes.join(" ")}`,
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join("; ");
// A minified page may leave out the optional <head> tag: then the <meta> goes right after <html>
// (or the doctype), where the parser opens the head for it.
const head = html.match(/<head\b[^>]*>/i) || html.match(/<html\b[^>]*>/i) || html.match(/<!doctype html>/i);
if (!head) fail("no <head>, <html> or doctype in index.html");
const at = head.index + head[0].length;
html = `${html.slice(0, at)}\n  <meta http-equiv="Content-Security-Policy" content="${csp}">${html.slice(at)}`;
writeFileSync(indexPath, html);

// --- 2. Service worker ------------------------------------------------------------------------
const swPath = join(staging, "sw.js");
let sw;
try {
  sw = readFileSync(swPath, "utf8");
} catch {
  fail("no sw.js in the staged bundle (index.html must copy assets/sw.js)");
}
const files = [];
(function walk(dir) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else files.push(relative(staging, p).split(sep).join("/"));
  }
})(staging);
const precache = files.filter((f) => f !== "sw.js");
const version = createHash("sha256");
for (const f of precache) version.update(f).update("\0").update(readFileSync(join(staging, f))).update("\0");
const list = precache.map((f) => JSON.stringify("./" + f)).join(", ");
const before = sw;
sw = sw
  .replace(/const VERSION = "[^"]*";/, `const VERSION = "${version.digest("hex").slice(0, 16)}";`)
  .replace(/const PRECACHE = \[[^\]]*\];/, `const PRECACHE = [${list}];`);
if (sw === before || !sw.includes("./index.html")) fail("sw.js has no VERSION/PRECACHE to fill in");
writeFileSync(swPath, sw);
console.log(`post-build: CSP with ${hashes.length} script hash(es); sw.js precaches ${precache.length} files`);
