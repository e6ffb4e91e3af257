# workerd config for the benchmark (bench/workerd/drive.mjs starts it on 127.0.0.1 with
# a port the kernel picks). Module names are repository paths so relative imports resolve
# as on disk. bench/results/build/peers.mjs is bundled by bench/run.mjs (esbuild).
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "main", worker = .benchWorker) ],
  sockets = [ (name = "http", address = "127.0.0.1:0", http = (), service = "main") ],
);

const benchWorker :Workerd.Worker = (
  modules = [
    (name = "bench/workerd/worker.mjs", esModule = embed "worker.mjs"),
    (name = "bench/lib/cases.mjs", esModule = embed "../lib/cases.mjs"),
    (name = "bench/results/build/peers.mjs", esModule = embed "../results/build/peers.mjs"),
    (name = "pkg/src/workerd.mjs", esModule = embed "../../pkg/src/workerd.mjs"),
    (name = "pkg/src/api.mjs", esModule = embed "../../pkg/src/api.mjs"),
    (name = "pkg/gen/hookproof.mjs", esModule = embed "../../pkg/gen/hookproof.mjs"),
    (name = "pkg/gen/hookproof_bg.wasm", wasm = embed "../../pkg/gen/hookproof_bg.wasm"),
  ],
  compatibilityDate = "2025-01-01",
  # node:crypto (createHmac) as Workers users with nodejs_compat get it.
  compatibilityFlags = ["nodejs_compat"],
);
