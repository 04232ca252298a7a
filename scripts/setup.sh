#!/usr/bin/env bash
# Installs ptp's build dependencies from Debian 12 packages. Idempotent: when every package is
# already installed it does not touch apt at all (fast, works offline). --fuzz adds clang and its
# libFuzzer runtime (scripts/fuzz.sh). --interop adds Node.js and npm (Debian's) when the machine
# has none, for the ccxt conformance test. --render adds Debian's chromium, which renders ptp-replay's
# report to a PNG (scripts/render_report.sh; the render test skips itself without it).
set -euo pipefail

packages=(
  build-essential cmake pkg-config ccache
  libcaf-dev libwebsocketpp-dev libasio-dev libsimdjson-dev liblmdb-dev catch2
  libssl-dev libtomlplusplus-dev libspdlog-dev libfmt-dev libcurl4-openssl-dev libsqlite3-dev
  libcpp-httplib-dev nlohmann-json3-dev prometheus zlib1g-dev etcd-server etcd-client openssl
)
for arg in "$@"; do
  case "$arg" in
    --fuzz) packages+=(clang libclang-rt-14-dev) ;;
    # A Node.js the machine already has (another build of it) is kept.
    --interop) command -v node >/dev/null || packages+=(nodejs); command -v npm >/dev/null || packages+=(npm) ;;
    --render) packages+=(chromium) ;;
    *) echo "setup: unknown option $arg" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  echo "setup: all ${#packages[@]} packages already installed"
  exit 0
fi

echo "setup: installing ${missing[*]}"
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
"${sudo_cmd[@]}" apt-get update
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
