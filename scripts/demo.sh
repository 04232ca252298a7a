#!/usr/bin/env bash
# The demo: installs what is missing, builds, and runs the actor node for 45 seconds, then prints
# the summary table.
#   scripts/demo.sh           the embedded simulated exchange (configs/demo.toml): no keys, no network
#   scripts/demo.sh binance   the node's Binance adapter against build/ptp-sim, the same simulator
#                             served over Binance's REST and websocket protocol on 127.0.0.1
#   scripts/demo.sh gateio    the node's Gate.io adapter against build/ptp-sim served over Gate.io's
#                             futures API v4 and websocket on 127.0.0.1
# Extra arguments go to ptp-node (e.g. --run-for 2m, --mode observe).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=sim
if [[ "${1:-}" == "binance" || "${1:-}" == "gateio" || "${1:-}" == "sim" ]]; then
  mode=$1
  shift
fi
scripts/setup.sh
scripts/build.sh build
# The simulator starts from the config's positions every time, so the demo starts with fresh
# history too (a real node keeps its data directory: that history is what prevents repeats).
if [[ "$mode" == sim ]]; then
  rm -rf build/data/demo
  mkdir -p build/data
  # The API on: a copy of the config with enabled = true, and a token of its own unless one is set.
  sed 's/^enabled = false /enabled = true  /' configs/demo.toml > build/data/demo-api.toml
  if [[ -z "${PTP_API_TOKEN:-}" ]]; then
    (umask 077 && head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > build/data/demo-api-token)
    PTP_API_TOKEN=$(cat build/data/demo-api-token)
    export PTP_API_TOKEN
    token_hint="PTP_API_TOKEN=\$(cat build/data/demo-api-token) "
  else
    token_hint=""
  fi
  api=$(sed -n 's/^listen = "\([^"]*\)".*/\1/p' build/data/demo-api.toml)
  echo "demo: the node's API is on http://${api} (MCP: POST /mcp, operator: /v1/..., bearer token in \$PTP_API_TOKEN)"
  echo "demo: from another shell:  ${token_hint}build/ptp-ctl positions"
  exec build/ptp-node --config build/data/demo-api.toml --run-for 45s "$@"
fi

rm -rf "build/data/${mode}-demo"
mkdir -p build/data
port_file="build/data/ptp-sim-${mode}.port"
rm -f "$port_file"
build/ptp-sim --protocol "$mode" --config configs/demo.toml --port 0 --port-file "$port_file" &
sim_pid=$!
trap 'kill "$sim_pid" 2>/dev/null; wait "$sim_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  [[ -s "$port_file" ]] && break
  kill -0 "$sim_pid" 2>/dev/null || { echo "ptp-sim did not start" >&2; exit 1; }
  sleep 0.1
done
port=$(cat "$port_file")
config="build/data/${mode}-demo.toml"
# ptp-sim's built-in key pair: loopback only, not a secret.
if [[ "$mode" == binance ]]; then
  sed "s/127\.0\.0\.1:18081/127.0.0.1:${port}/g" configs/binance-loopback.toml > "$config"
  BINANCE_API_KEY=ptp-sim-api-key BINANCE_API_SECRET=ptp-sim-api-secret \
    build/ptp-node --config "$config" --run-for 45s "$@"
else
  sed "s/127\.0\.0\.1:18082/127.0.0.1:${port}/g" configs/gateio-loopback.toml > "$config"
  GATEIO_API_KEY=ptp-sim-api-key GATEIO_API_SECRET=ptp-sim-api-secret \
    build/ptp-node --config "$config" --run-for 45s "$@"
fi
