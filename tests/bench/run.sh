#!/usr/bin/env bash
# Smoke run of the benchmark harness (bench/run.mjs --quick): every runtime (Node, Node 24, Deno,
# workerd), two sizes, tiny time budgets, into a temporary folder. Seconds long. Checks
# only that it runs, that every contender produced a figure and that the reports were
# written; never asserts on timings (this is not a performance gate). Then the sender
# throughput smoke (bench/sender.mjs --quick; builds the release sender if it is stale).
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"
cd "$ROOT"

ensure_node_modules
[ -f "$ROOT/pkg/gen/hookproof_bg.wasm" ] || bash "$ROOT/scripts/build-pkg.sh"

OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT

timeout -k 5 120 "$NODE" bench/run.mjs --quick --sizes 256,16k --results "$OUT" >"$OUT/stdout.log" 2>"$OUT/stderr.log" || {
  cat "$OUT/stderr.log" "$OUT/stdout.log" >&2
  echo "bench: 0 passed, 1 failed"
  exit 1
}

passed=0
failed=0
check() { # NAME COMMAND...
  local name=$1
  shift
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "bench smoke: FAILED: $name" >&2; fi
}
# The run's build is its own (--results), not bench/results/build: a smoke run beside a
# full one must not swap the full run's files.
for f in pkg/gen/hookproof_bg.wasm peers.mjs worker.mjs config.capnp; do
  check "build/$f in the results folder" test -s "$OUT/build/$f"
done
for rt in node node24 deno workerd; do
  check "$rt.json" test -s "$OUT/$rt.json"
  check "$rt.md has the ratio table" grep -q '^| standardwebhooks verify (vs Webhook.verify) | [0-9.]*x | [0-9.]*x |$' "$OUT/$rt.md"
  check "$rt.svg" grep -q '</svg>' "$OUT/$rt.svg"
  # Every contender has a finite median at both sizes.
  check "$rt: every contender measured" "$NODE" -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const bad = r.rows.filter((row) => r.sizes.some((s) => !Number.isFinite(row.sizes[s]?.medianNs)));
    if (bad.length || r.rows.length < 5) { console.error("missing:", bad.map((b) => b.id)); process.exit(1); }
  ' "$OUT/$rt.json"
done
check "node has every peer" grep -q 'stripe constructEvent (vs' "$OUT/node.md"
check "node has octokit" grep -q 'octokit' "$OUT/node.md"
check "wasm.json" grep -q '"gzipBytes"' "$OUT/wasm.json"
check "summary.md has the goals" grep -q '^## Goals (verifier)$' "$OUT/summary.md"
check "ratios printed" grep -q 'ratio hookproof/peer' "$OUT/stdout.log"

# Sender throughput smoke (bench/sender.mjs --quick): tiny N, both store modes. Checks only
# that it ran and produced numbers (it exits non-zero itself when deliveries are missing or
# badly signed); never the timings.
if timeout -k 5 300 "$NODE" bench/sender.mjs --quick --results "$OUT" >"$OUT/sender.stdout.log" 2>"$OUT/sender.stderr.log"; then
  check "sender.json" test -s "$OUT/sender.json"
  check "sender: numbers for both modes" "$NODE" -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const ok = ["memory", "db"].every((k) => {
      const m = r.modes[k];
      return m && m.throughput.perSecond > 0 && Number.isFinite(m.paced.latency.p99)
        && Number.isFinite(m.retryIdle.p99) && m.memory.bytesPerDelivery > 0;
    });
    if (!ok || !(r.receiverAlone.perSecond > 0)) { console.error(JSON.stringify(r.modes, null, 1).slice(0, 2000)); process.exit(1); }
  ' "$OUT/sender.json"
  check "sender.md has the goals" grep -q '^### Goals (sender)$' "$OUT/sender.md"
else
  cat "$OUT/sender.stderr.log" "$OUT/sender.stdout.log" >&2
  failed=$((failed + 1))
  echo "bench smoke: FAILED: bench/sender.mjs --quick" >&2
fi

if [ "$failed" -ne 0 ]; then cat "$OUT/stdout.log" >&2; fi
echo "bench: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
