// The bench receiver, mock-sender/examples/bench_receiver.rs (one thread, hyper), driven
// over its stdin/stdout: it answers 204 at once on /ok/*, 500 then 204 on /fail/*, counts
// arrivals, keeps latencies and retry gaps, and checks one signature in 50. `received` /
// `failSecond` follow its counts as they come; `collect()` hands over a phase's tally and
// its CPU (from /proc) and starts a new one.
import { fork, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { procCpuMs, sleep, summary } from "./util.mjs";

const LOADGEN = fileURLToPath(new URL("./loadgen.mjs", import.meta.url));

export function startReceiver(path, secret) {
  return new Promise((resolveP, reject) => {
    const r = { path, port: 0, received: 0, failSecond: 0, waiters: [], cpu0: 0 };
    const child = spawn(path, [], {
      env: { ...process.env, BENCH_SECRET: secret },
      stdio: ["pipe", "pipe", "inherit"],
    });
    let buf = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (d) => {
      buf += d;
      for (let nl = buf.indexOf("\n"); nl !== -1; nl = buf.indexOf("\n")) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const [word, ...rest] = line.split(" ");
        if (word === "listening") {
          r.port = Number(rest[0]);
          r.cpu0 = procCpuMs(r.pid);
          resolveP(r);
        } else if (word === "count") {
          r.received = Number(rest[0]);
          r.failSecond = Number(rest[1]);
        } else if (word === "collected") {
          const out = JSON.parse(line.slice(word.length + 1));
          out.first ??= Infinity; // JSON has no Infinity: null when nothing arrived
          r.waiters.shift()?.(out);
        }
      }
    });
    child.stdin.on("error", () => {});
    r.send = (cmd) => child.stdin.write(`${cmd}\n`);
    r.child = child;
    r.pid = child.pid;
    child.on("error", reject);
    child.on("exit", (code) => {
      if (!r.port) reject(new Error(`the bench receiver exited with ${code}`));
    });
  });
}

export async function collect(receiver) {
  const out = await new Promise((r) => {
    receiver.waiters.push(r);
    receiver.send("collect");
  });
  const cpu = procCpuMs(receiver.pid);
  out.cpuMs = cpu - receiver.cpu0;
  receiver.cpu0 = cpu;
  out.lat = summary(out.lat);
  return out;
}

/** What the receiver takes on this machine without the sender: `conns` connections for `seconds`. */
export async function receiverAlone(receiver, secret, { conns, seconds, padBytes }) {
  await collect(receiver);
  const g = fork(LOADGEN, [String(receiver.port), String(conns), String(seconds), String(padBytes)], {
    env: { ...process.env, BENCH_SECRET: secret },
  });
  const gen = await new Promise((r) => g.on("message", r));
  await sleep(50);
  const out = await collect(receiver);
  const wall = gen.seconds;
  return {
    conns,
    seconds: wall,
    received: out.received,
    perSecond: out.received / wall,
    receiverCpu: out.cpuMs / 1000 / wall,
    usPerRequest: (out.cpuMs * 1000) / Math.max(1, out.received),
    badSig: out.badSig,
  };
}
