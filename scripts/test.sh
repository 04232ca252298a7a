#!/usr/bin/env bash
# The tests: installs what is missing, builds with AddressSanitizer + UBSan and warnings as errors
# into build/asan, and runs every test under ctest; then each libFuzzer target for a short run from
# its seed corpus (PTP_FUZZ_SECONDS each, default 12; 0 skips them).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --interop
# ccxt for the conformance test, at the versions package-lock.json pins (no install scripts run).
# Without it (no npm registry) that one test reports itself skipped, or fails under CI.
ccxt_dir=tests/interop/ccxt
if ! cmp -s "$ccxt_dir/package-lock.json" "$ccxt_dir/node_modules/.ptp-installed-lock"; then
  if (cd "$ccxt_dir" && npm ci --ignore-scripts --no-audit --no-fund); then
    cp "$ccxt_dir/package-lock.json" "$ccxt_dir/node_modules/.ptp-installed-lock"
  else
    echo "test: npm ci failed in $ccxt_dir; the ccxt conformance test will not run" >&2
  fi
fi
PTP_BUILD_TYPE=Debug scripts/build.sh build/asan -DPTP_SANITIZE=ON -DPTP_WERROR=ON
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
(cd build/asan && ctest --output-on-failure -j"${PTP_JOBS:-2}")
fuzz_seconds=${PTP_FUZZ_SECONDS:-12}
if [[ "$fuzz_seconds" != 0 ]]; then scripts/fuzz.sh "$fuzz_seconds"; fi
