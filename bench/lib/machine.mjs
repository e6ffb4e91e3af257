// Where a run was measured, for its report: the machine (with the load at the start: the
// machine is shared, and a busy one makes every figure noisier) and the commit.
import { spawnSync } from "node:child_process";
import { cpus, loadavg, totalmem } from "node:os";

export function machineInfo() {
  let model = cpus()[0]?.model?.replace(/\s+/g, " ").trim() ?? "?";
  const lscpu = spawnSync("lscpu", [], { encoding: "utf8" });
  if (lscpu.status === 0) model = /^Model name:\s*(.+)$/m.exec(lscpu.stdout)?.[1]?.trim() ?? model;
  const cores = cpus().length;
  const mem = `${(totalmem() / 2 ** 30).toFixed(1)} GiB`;
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
  return {
    model,
    cores,
    mem,
    load,
    node: process.version,
    summary: `${model}, ${cores} logical CPUs, ${mem} RAM, ${process.platform} ${process.arch}; load average at start ${load}`,
  };
}

/** The commit checked out in `root`, and whether `paths` there have uncommitted changes. */
export function gitInfo(root, paths) {
  const head = spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root, encoding: "utf8" });
  const status = spawnSync("git", ["status", "--porcelain", "--", ...paths], { cwd: root, encoding: "utf8" });
  return { head: head.stdout?.trim() || "?", dirty: Boolean(status.stdout?.trim()) };
}
