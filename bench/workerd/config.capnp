# workerd config for the benchmark (bench/workerd/drive.mjs starts it on 127.0.0.1 with
# a port the kernel picks).
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "main", worker = .benchWorker) ],
  sockets = [ (name = "http", address = "127.0.0.1:0", http = (), service = "main") ],
);

const benchWorker :Workerd.Worker = (
  # Written by drive.mjs: the esbuild bundle of worker.mjs, and the two .wasm it imports
  # (workerd compiles `wasm` modules ahead of time; the import yields a WebAssembly.Module).
  # drive.mjs serves a copy of this file from its build folder, these paths made relative
  # to it.
  modules = [
    (name = "worker.mjs", esModule = embed "../results/build/worker.mjs"),
    (name = "hookproof_bg.wasm", wasm = embed "../results/build/hookproof_bg.wasm"),
    (name = "hookproof_tools_bg.wasm", wasm = embed "../results/build/hookproof_tools_bg.wasm"),
  ],
  compatibilityDate = "2025-01-01",
  # node:crypto (createHmac) as Workers users with nodejs_compat get it.
  compatibilityFlags = ["nodejs_compat"],
);
