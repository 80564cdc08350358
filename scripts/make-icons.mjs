// Rasterise assets/icon.svg into the PNG icons of the web manifest (run once; the PNGs are
// committed): `node scripts/make-icons.mjs`. Uses Debian's Chromium through playwright-core, so
// nothing else needs installing.
import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const assets = join(dirname(fileURLToPath(import.meta.url)), "..", "assets");
const svg = readFileSync(join(assets, "icon.svg"), "utf8");
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu"],
});
try {
  for (const size of [192, 512]) {
    const page = await browser.newPage({ viewport: { width: size, height: size } });
    const src = "data:image/svg+xml;base64," + Buffer.from(svg).toString("base64");
    await page.setContent(
      `<html><body style="margin:0;background:transparent"><img src="${src}" width="${size}" height="${size}" style="display:block"></body></html>`,
    );
    await page.locator("img").evaluate((img) => img.decode());
    await page.screenshot({ path: join(assets, `icon-${size}.png`), omitBackground: true });
    await page.close();
    console.log(`assets/icon-${size}.png`);
  }
} finally {
  await browser.close();
}
