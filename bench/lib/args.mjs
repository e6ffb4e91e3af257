// Command-line options shared by the runtime entries (Node and Deno pass their argv).
import { QUICK_SIZES, SIZES } from "./cases.mjs";

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
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = a.includes("=") ? a.slice(a.indexOf("=") + 1) : argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === "--quick") out.quick = true;
    else if (a.startsWith("--sizes")) out.sizes = value().split(",").map(parseSize);
    else if (a.startsWith("--only")) out.only = value().split(",");
    else if (a.startsWith("--out")) out.out = value();
    else if (a.startsWith("--runtimes")) out.runtimes = value().split(",");
    else if (a.startsWith("--results")) out.results = value();
    else if (a === "--update-benchmarks") out.updateBenchmarks = true;
    else if (a === "--report-only") out.reportOnly = true;
    else if (a.startsWith("--pkg")) out.pkg = value();
    else if (a.startsWith("--build")) out.build = value();
    else if (a === "-h" || a === "--help") out.help = true;
    else throw new Error(`unknown option ${a}`);
  }
  out.sizes ??= out.quick ? QUICK_SIZES : SIZES;
  return out;
}

/** "256", "1k", "16K", "1m", "1MB" -> bytes. */
export function parseSize(s) {
  const m = /^(\d+)\s*([kKmM]?)[bB]?$/.exec(s.trim());
  if (!m) throw new Error(`bad size ${s}`);
  return Number(m[1]) * (m[2] ? (m[2].toLowerCase() === "k" ? 1024 : 1024 * 1024) : 1);
}
