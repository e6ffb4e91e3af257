// Small helpers of the sender bench: clocks, waits, percentiles, and what /proc says of a
// process (Linux only).
import { readFileSync } from "node:fs";

/** Epoch ms with a fraction, comparable across processes. */
export const now = () => performance.timeOrigin + performance.now();
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function log(m) {
  console.error(`\x1b[1msender bench: ${m}\x1b[0m`);
}

/** Resolves true once `cond()` holds, false when `ms` pass first. */
export async function waitFor(cond, ms) {
  const end = performance.now() + ms;
  while (!cond() && performance.now() < end) await sleep(2);
  return cond();
}

export function summary(xs) {
  if (!xs.length) return { n: 0 };
  const s = Float64Array.from(xs).sort();
  const q = (p) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
  return { n: s.length, p50: q(0.5), p90: q(0.9), p99: q(0.99), max: s[s.length - 1], min: s[0] };
}

export function rssKiB(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) : NaN;
}

/** utime + stime of a process, in ms. */
export function procCpuMs(pid) {
  const s = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = s.slice(s.lastIndexOf(")") + 2).split(" ");
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // USER_HZ is 100 on Linux
}

/** Waits until a process's CPU use stops (its tasks have all run up to their wait). */
export async function settle(pid) {
  let last = procCpuMs(pid);
  for (let i = 0; i < 100; i++) {
    await sleep(100);
    const c = procCpuMs(pid);
    if (c - last < 10) break;
    last = c;
  }
}

export function countLines(p) {
  const b = readFileSync(p);
  let n = 0;
  for (let i = b.indexOf(10); i !== -1; i = b.indexOf(10, i + 1)) n++;
  return n;
}

export const fmt0 = (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString("en-US") : "–");
export const fmtMs = (x) => (Number.isFinite(x) ? `${x.toFixed(x < 10 ? 2 : 1)} ms` : "–");
export const pct = (x) => (Number.isFinite(x) ? `${Math.round(x * 100)} %` : "–");
