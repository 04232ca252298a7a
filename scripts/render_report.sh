#!/usr/bin/env bash
# Renders a ptp-replay report (DIR/report.html) to a PNG with headless Chromium, Debian's `chromium`
# (scripts/setup.sh --render installs it). Nothing is fetched: the report is one self-contained file.
# Usage: scripts/render_report.sh DIR [OUT.png] [WIDTH,HEIGHT]   (default DIR/report.png, 1100,1500)
# Exit codes: 0 rendered, 1 failed, 2 usage, 77 chromium is not installed.
set -euo pipefail
if (($# < 1)); then
  echo "usage: scripts/render_report.sh DIR [OUT.png] [WIDTH,HEIGHT]" >&2
  exit 2
fi
dir=$1
out=${2:-$dir/report.png}
size=${3:-1100,1500}
if ! command -v chromium >/dev/null; then
  echo "render: chromium is not installed (scripts/setup.sh --render installs it)" >&2
  exit 77
fi
[[ -f "$dir/report.html" ]] || { echo "render: $dir/report.html not found" >&2; exit 1; }
html=$(realpath "$dir/report.html")
png=$(realpath -m "$out")
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
rm -f "$png"
# --no-sandbox: Chromium's sandbox needs user namespaces, which containers and root often lack.
if ! timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --hide-scrollbars --no-first-run \
    --user-data-dir="$profile" --window-size="$size" --screenshot="$png" "file://$html" >"$profile/log" 2>&1; then
  echo "render: chromium failed:" >&2
  tail -20 "$profile/log" >&2
  exit 1
fi
[[ -s "$png" ]] || { echo "render: chromium wrote no PNG" >&2; tail -20 "$profile/log" >&2; exit 1; }
echo "render: $png"
