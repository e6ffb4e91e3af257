// Debian's Chromium driven by playwright-core: the launch settings every www test uses.
import { mkdtempSync, rmSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const ROOT = resolve(fileURLToPath(import.meta.url), "../../..");
export const ARTIFACTS = join(ROOT, "tests", "artifacts");
const EXECUTABLE = process.env.CHROMIUM ?? "/usr/bin/chromium";

/** A fresh persistent context (own user-data-dir, removed by close()). */
export async function launch() {
  mkdirSync(ARTIFACTS, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), "hookproof-chromium-"));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: EXECUTABLE,
    headless: true,
    timeout: 30_000,
    viewport: { width: 1366, height: 900 },
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  context.setDefaultTimeout(10_000);
  const errors = [];
  context.on("weberror", (e) => errors.push(String(e.error())));
  return {
    context,
    errors,
    async close() {
      await context.close().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Fails the page on any request that leaves loopback. */
export async function loopbackOnly(context) {
  const outside = [];
  await context.route("**/*", (route) => {
    const u = new URL(route.request().url());
    if (u.protocol === "data:" || u.hostname === "127.0.0.1" || u.hostname === "localhost") return route.continue();
    outside.push(u.href);
    return route.abort();
  });
  return outside;
}
