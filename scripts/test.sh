#!/usr/bin/env bash
# The tests: installs what is missing, builds with AddressSanitizer + UBSan and warnings as errors
# into build/asan, and runs every test under ctest; then each libFuzzer target for a short run from
# its seed corpus (PTP_FUZZ_SECONDS each, default 12; 0 skips them).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --interop --render
# ccxt for the conformance tests and the official MCP SDK for the agent interop test, at the versions
# their package-lock.json files pin (no install scripts run). Without them (no npm registry) those
# tests report themselves skipped, or fail under CI.
for npm_dir in tests/interop/ccxt tests/interop/mcp; do
  if ! cmp -s "$npm_dir/package-lock.json" "$npm_dir/node_modules/.ptp-installed-lock"; then
    if (cd "$npm_dir" && npm ci --ignore-scripts --no-audit --no-fund); then
      cp "$npm_dir/package-lock.json" "$npm_dir/node_modules/.ptp-installed-lock"
    else
      echo "test: npm ci failed in $npm_dir; its interop test will not run" >&2
    fi
  fi
done
PTP_BUILD_TYPE=Debug scripts/build.sh build/asan -DPTP_SANITIZE=ON -DPTP_WERROR=ON
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
(cd build/asan && ctest --output-on-failure -j"${PTP_JOBS:-2}")
fuzz_seconds=${PTP_FUZZ_SECONDS:-12}
if [[ "$fuzz_seconds" != 0 ]]; then scripts/fuzz.sh "$fuzz_seconds"; fi
