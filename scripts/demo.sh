#!/usr/bin/env bash
# The demo: installs what is missing, builds build/ptp-node and runs it on configs/demo.toml
# (the embedded simulated exchange: no keys, no network). Extra arguments go to ptp-node.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh build
exec build/ptp-node --config configs/demo.toml "$@"
