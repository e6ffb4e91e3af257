#!/usr/bin/env node
"use strict";
// `npx hookproof-sender ...`: runs the native binary with the same arguments, standard
// streams and exit status. Signals sent to this process (SIGTERM from a test runner,
// SIGINT) are passed on, so that `serve` stops gracefully.
const { spawn } = require("node:child_process");
const { findBinary } = require("../binary.cjs");

let bin;
try {
  bin = findBinary();
} catch (e) {
  process.stderr.write(`${e.message}\n`);
  process.exit(2);
}
const child = spawn(bin, process.argv.slice(2), { stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => child.kill(signal));
}
child.on("error", (e) => {
  process.stderr.write(`hookproof-sender: cannot run ${bin}: ${e.message}\n`);
  process.exit(2);
});
child.on("exit", (code, signal) => {
  if (signal) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  } else {
    process.exit(code ?? 1);
  }
});
