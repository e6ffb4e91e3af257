// Command-line options: one reader for every bench program (each with its own table), and
// the options of the verifier's harness and its runtime entries (Node and Deno pass their
// argv). No runtime-specific import: Deno loads this file too.
import { QUICK_SIZES, SIZES } from "./cases.mjs";

/**
 * `argv` read against `spec`, `{ "--name": kind }`: kind "flag" is true when given, a
 * function turns the option's value (`--name v` or `--name=v`) into what is kept. Keys are
 * camelCased (`--update-benchmarks` -> `updateBenchmarks`); `-h` / `--help` set `help`.
 * An unknown option, a missing value or a value the kind refuses throws.
 */
export function readOptions(argv, spec) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "-h" || arg === "--help") {
      out.help = true;
      continue;
    }
    const eq = arg.indexOf("=");
    const name = eq === -1 ? arg : arg.slice(0, eq);
    const kind = Object.hasOwn(spec, name) ? spec[name] : undefined;
    if (kind === undefined || (kind === "flag" && eq !== -1)) throw new Error(`unknown option ${arg}`);
    const key = name.replace(/^--/, "").replace(/-(\w)/g, (_, c) => c.toUpperCase());
    if (kind === "flag") {
      out[key] = true;
      continue;
    }
    const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined) throw new Error(`${name} needs a value`);
    out[key] = kind(value, name);
  }
  return out;
}

/** A comma-separated list. */
export const list = (v) => v.split(",");

/** A whole number >= 0. */
export function count(v, name) {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name}: a whole number >= 0, not ${v}`);
  return n;
}

/** The verifier harness's options (bench/run.mjs and the runtime entries it starts). */
export function parseArgs(argv) {
  const out = {
    quick: false,
    sizes: null,
    only: null,
    out: null,
    runtimes: null,
    results: null,
    updateBenchmarks: false,
    pkg: null,
    build: null,
    reportOnly: false,
    ...readOptions(argv, {
      "--quick": "flag",
      "--sizes": (v) => list(v).map(parseSize),
      "--only": list,
      "--out": String,
      "--runtimes": list,
      "--results": String,
      "--update-benchmarks": "flag",
      "--report-only": "flag",
      "--pkg": String,
      "--build": String,
    }),
  };
  out.sizes ??= out.quick ? QUICK_SIZES : SIZES;
  return out;
}

/** "256", "1k", "16K", "1m", "1MB" -> bytes. */
export function parseSize(s) {
  const m = /^(\d+)\s*([kKmM]?)[bB]?$/.exec(s.trim());
  if (!m) throw new Error(`bad size ${s}`);
  return Number(m[1]) * (m[2] ? (m[2].toLowerCase() === "k" ? 1024 : 1024 * 1024) : 1);
}
