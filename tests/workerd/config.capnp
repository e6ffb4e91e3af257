# workerd config for the end-to-end suite (tests/workerd/run.sh): one Worker that imports
# the package's workerd entry, every module listed explicitly, the .wasm as a `wasm`
# module (workerd compiles it ahead of time; the import yields a WebAssembly.Module).
# The socket's address is overridden by run.sh (--socket-addr http=127.0.0.1:0).
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "main", worker = .hookWorker) ],
  sockets = [ (name = "http", address = "127.0.0.1:0", http = (), service = "main") ],
);

const hookWorker :Workerd.Worker = (
  modules = [
    # The first module is the main one. Names are paths, so the package's relative
    # imports (../gen/hookproof_bg.wasm, ./api.mjs) resolve as they do on disk.
    (name = "worker.mjs", esModule = embed "worker.mjs"),
    (name = "properties/strings.mjs", esModule = embed "../properties/strings.mjs"),
    (name = "pkg/src/workerd.mjs", esModule = embed "../../pkg/src/workerd.mjs"),
    (name = "pkg/src/api.mjs", esModule = embed "../../pkg/src/api.mjs"),
    (name = "pkg/src/input.mjs", esModule = embed "../../pkg/src/input.mjs"),
    (name = "pkg/src/replay.mjs", esModule = embed "../../pkg/src/replay.mjs"),
    (name = "pkg/src/event-type.mjs", esModule = embed "../../pkg/src/event-type.mjs"),
    (name = "pkg/src/body.mjs", esModule = embed "../../pkg/src/body.mjs"),
    (name = "pkg/src/host.mjs", esModule = embed "../../pkg/src/host.mjs"),
    (name = "pkg/src/wasm.mjs", esModule = embed "../../pkg/src/wasm.mjs"),
    (name = "pkg/gen/schemes.mjs", esModule = embed "../../pkg/gen/schemes.mjs"),
    (name = "pkg/gen/hookproof.mjs", esModule = embed "../../pkg/gen/hookproof.mjs"),
    (name = "pkg/gen/hookproof_bg.wasm", wasm = embed "../../pkg/gen/hookproof_bg.wasm"),
    (name = "pkg/gen/hookproof_tools.mjs", esModule = embed "../../pkg/gen/hookproof_tools.mjs"),
    (name = "pkg/gen/hookproof_tools_bg.wasm", wasm = embed "../../pkg/gen/hookproof_tools_bg.wasm"),
  ],
  compatibilityDate = "2025-01-01",
  # Test-only secrets (the same literals are in drive.mjs).
  bindings = [
    (name = "STANDARD_SECRET", text = "whsec_aG9va3Byb29mLXdvcmtlcmQtdGVzdC1rZXk="),
    (name = "STRIPE_SECRET", text = "whsec_workerd_stripe_test"),
    (name = "GITHUB_SECRET", text = "workerd github test secret"),
    # An Ed25519 public key (Standard Webhooks v1a): POST /ed25519 verifies with it.
    (name = "ED25519_PUBLIC", text = "whpk_HPrKjlN28DWaN5yx0n+RYd/7CqfvSKFqEGsKKtfsWac="),
  ],
);
