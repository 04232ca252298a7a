#!/usr/bin/env bash
# The libFuzzer targets (clang from Debian, ASan + UBSan): builds build/fuzz and runs each target
# for SECONDS (default 10) from its seed corpus. A crash leaves its input in build/fuzz/findings/;
# keep it as a regression by copying it to tests/fuzz/regressions/<target>/ (ctest replays it).
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]     (longer runs by hand: scripts/fuzz.sh 600 frames)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(decimal frames binance_rest gateio_rest config)
scripts/setup.sh --fuzz
CC=clang CXX=clang++ cmake -S . -B build/fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPTP_FUZZ=ON >/dev/null
cmake --build build/fuzz -j"${PTP_JOBS:-2}" >/dev/null
mkdir -p build/fuzz/findings
status=0
for t in "${targets[@]}"; do
  work=build/fuzz/corpus/$t  # the seeds plus what this run learns (not committed)
  mkdir -p "$work"
  cp -n tests/fuzz/corpus/"$t"/* "$work"/ 2>/dev/null || true
  [ -d tests/fuzz/regressions/"$t" ] && cp -n tests/fuzz/regressions/"$t"/* "$work"/ 2>/dev/null || true
  echo "fuzz $t: ${seconds}s"
  if ! UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 build/fuzz/tests/fuzz/fuzz_"$t" "$work" \
      -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix=build/fuzz/findings/"$t"- -print_final_stats=1 2>build/fuzz/"$t".log; then
    status=1
    echo "fuzz $t: FINDING (input in build/fuzz/findings/, log in build/fuzz/$t.log)"
    tail -40 build/fuzz/"$t".log
  else
    grep -E "^stat::number_of_executed_units|^stat::new_units_added" build/fuzz/"$t".log | tr '\n' ' '
    echo
  fi
done
exit $status
