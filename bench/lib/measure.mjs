// Measuring with tinybench (warm-up, many samples, median and spread), in-process: used
// by the Node and Deno entries. Each timed sample calls the verify function `batch`
// times (see batchFor) so short verifies stay well above the timer resolution; every
// figure reported is per single verify.
import { available, batchFor, prepare } from "./cases.mjs";

/** Budgets per task in ms: full runs and the --quick smoke. */
export const BUDGETS = {
  full: { time: 250, warmupTime: 80, iterations: 8, warmupIterations: 4, rounds: 3 },
  quick: { time: 15, warmupTime: 5, iterations: 2, warmupIterations: 1, rounds: 1 },
};

/**
 * The machine is shared, so load comes and goes: every task is measured in `rounds`
 * rounds (all tasks of a size, one after the other, then again), and the round with the
 * lowest median is kept (the least disturbed one). `roundMediansNs` keeps them all.
 */
export function pickRound(stats) {
  const best = stats.reduce((a, b) => (b.medianNs < a.medianNs ? b : a));
  return { ...best, rounds: stats.length, roundMediansNs: stats.map((s) => s.medianNs) };
}

/**
 * Runs every available contender at every size. `Bench` is tinybench's class (passed in
 * so each runtime loads it its own way). Returns the rows of a results file.
 */
export async function measure({ Bench, deps, sizes, quick, only, log = () => {} }) {
  const contenders = available(deps, only);
  const budget = quick ? BUDGETS.quick : BUDGETS.full;
  const rows = new Map(
    contenders.map((c) => [
      c.id,
      { id: c.id, label: c.label, group: c.group, parses: c.parses, hp: c.hp ?? null, sizes: {} },
    ]),
  );
  for (const size of sizes) {
    // Signed just before use: every peer checks a 5-minute timestamp tolerance.
    const prepared = await prepare(deps, contenders, size);
    const batch = batchFor(size);
    const { rounds, ...options } = budget;
    const perRound = new Map(prepared.map((p) => [p.contender.id, []]));
    for (let round = 0; round < rounds; round++) {
      const bench = new Bench({ ...options, throws: true });
      for (const { contender, fn, body } of prepared) {
        const task = contender.async
          ? async () => {
              for (let i = 0; i < batch; i++) await fn(body);
            }
          : () => {
              for (let i = 0; i < batch; i++) fn(body);
            };
        bench.add(contender.id, task);
      }
      await bench.run();
      for (const task of bench.tasks) {
        const r = task.result;
        if (!r.latency) throw new Error(`${task.name} at ${size} B: ${r.state} ${r.error?.stack ?? ""}`);
        const ms = r.latency;
        perRound.get(task.name).push({
          medianNs: (ms.p50 * 1e6) / batch,
          meanNs: (ms.mean * 1e6) / batch,
          p99Ns: (ms.p99 * 1e6) / batch,
          madNs: (ms.mad * 1e6) / batch,
          rme: ms.rme,
          samples: ms.samplesCount,
          batch,
        });
      }
    }
    for (const [id, stats] of perRound) rows.get(id).sizes[size] = pickRound(stats);
    log(`${size} B: ${prepared.length} contenders measured`);
  }
  return [...rows.values()];
}
