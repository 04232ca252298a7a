#!/usr/bin/env bash
# The demo: installs what is missing, builds build/ptp-node and runs the actor node on
# configs/demo.toml (the embedded simulated exchange: no keys, no network) for 45 seconds, then
# prints the summary table. Extra arguments go to ptp-node (e.g. --run-for 2m, --mode observe).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh build
# The simulator starts from the config's positions every time, so the demo starts with fresh
# history too (a real node keeps its data directory: that history is what prevents repeats).
rm -rf build/data/demo
exec build/ptp-node --config configs/demo.toml --run-for 45s "$@"
