// Launching Debian's Chromium through playwright-core (no browser download) and the checks
// every page test shares: accessibility (axe-core, vendored) and screenshots.

import { readFileSync } from "node:fs";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = path.dirname(fileURLToPath(import.meta.url));
const AXE_SOURCE = readFileSync(path.join(here, "..", "vendor", "axe.min.js"), "utf8");

export const BASE_URL = process.env.BASE_URL || "http://127.0.0.1:8080";
const SCREENSHOT_DIR = process.env.SCREENSHOT_DIR || path.join(here, "..", "..", "..", "target", "screenshots");

/** Launches headless Chromium; `args` adds command-line switches (a fake camera, for example). */
export async function launch(args = []) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-dev-shm-usage", ...args],
  });
}

/** A fresh context the size of a small phone (360 px wide), with its pages' console errors and
 * CSP violations collected in `context.problems` so a test can assert there were none. */
export async function phoneContext(browser, options = {}) {
  const context = await browser.newContext({
    viewport: { width: 360, height: 740 },
    deviceScaleFactor: 1,
    locale: "vi-VN",
    timezoneId: "Asia/Ho_Chi_Minh",
    baseURL: BASE_URL,
    ...options,
  });
  context.problems = [];
  context.on("page", (page) => watch(page, context.problems));
  return context;
}

function watch(page, problems) {
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(message.text());
  });
  page.on("pageerror", (error) => problems.push(String(error)));
}

/** Runs axe-core on the page and throws on any `serious` or `critical` violation. */
export async function checkAccessibility(page, label) {
  // Evaluated through the DevTools protocol: the page's CSP (no inline script) stays whole.
  if (!(await page.evaluate(() => typeof window.axe !== "undefined"))) await page.evaluate(AXE_SOURCE);
  const results = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    return axe.run(document, { resultTypes: ["violations"] });
  });
  const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  if (bad.length > 0) {
    const text = bad
      .map((v) => `${v.impact} ${v.id}: ${v.help}\n  ${v.nodes.map((n) => n.target.join(" ")).join("\n  ")}`)
      .join("\n");
    throw new Error(`accessibility violations on ${label}:\n${text}`);
  }
}

/** Saves a full-page screenshot as target/screenshots/NAME.png. */
export async function screenshot(page, name) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}
