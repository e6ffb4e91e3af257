#!/usr/bin/env bash
# Prints the path of a pinned test runtime, installing it first when missing (see
# ensure_node24 / ensure_bun in lib.sh): `bash scripts/runtime.sh node24` or `... bun`.
# For the JS tools (bench/run.mjs) that need the same binaries as the test suites.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
case "${1:-}" in
  node24) ensure_node24 && echo "$NODE24" ;;
  bun) ensure_bun && echo "$BUN" ;;
  *) echo "usage: bash scripts/runtime.sh node24|bun" >&2; exit 2 ;;
esac
