#!/usr/bin/env bash
# `sds report` in a real browser: builds the Fitbit and robot examples (and a second Fitbit
# version for a diff), writes their reports, and renders each with Debian's headless Chromium:
# the page must load with no console message (no script error, no load the page's policy
# blocked), and the heatmap cells and table rows in the rendered DOM must match what the build
# recorded (tests/report/check.py). Screenshots (PNG, dark scheme too) and a printed PDF are
# kept in tests/report/artifacts/ (git ignores it).
#
# Usage: tests/report/run.sh PATH/TO/sds
# The examples are built in .build/report-work/ (kept between runs: the step cache makes later
# runs take seconds). They read ../shared/data beside the repository (or SDS_SHARED).
set -euo pipefail

if [[ $# -lt 1 ]]; then
    echo "usage: $0 PATH/TO/sds" >&2
    exit 64
fi
SDS="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SHARED=${SDS_SHARED:-$ROOT/../shared}
WORK=${SDS_REPORT_WORK:-$ROOT/.build/report-work}
ART=${SDS_REPORT_ARTIFACTS:-$HERE/artifacts}
CHROMIUM=${CHROMIUM:-chromium}

command -v "$CHROMIUM" >/dev/null || { echo "error: $CHROMIUM is missing (apt-get install chromium; scripts/setup.sh does it)" >&2; exit 1; }
[[ -d "$SHARED/data" ]] || { echo "error: $SHARED/data is missing; the report checks build the examples on ../shared/data (or SDS_SHARED)" >&2; exit 1; }

started=$(date +%s)
mkdir -p "$WORK/repo/examples/fitbit" "$WORK/repo/examples/robot" "$ART"
ln -sfn "$(cd "$SHARED" && pwd)" "$WORK/shared"
cp "$ROOT/examples/fitbit/sds.yaml" "$WORK/repo/examples/fitbit/sds.yaml"
cp "$ROOT/examples/robot/sds.yaml" "$WORK/repo/examples/robot/sds.yaml"
# Version 2 of the Fitbit set: days with 80% coverage are enough, and nights without a sleep
# record are kept (their label is 0): more examples, other distributions.
sed -e 's/coverage: {steps: 0.9, intensity: 0.9}/coverage: {steps: 0.8, intensity: 0.8}/' \
    -e '/- present: sleep_minutes/d' -e 's/^output: out$/output: out-v2/' "$ROOT/examples/fitbit/sds.yaml" > "$WORK/repo/examples/fitbit/v2.yaml"
cd "$WORK/repo"
[[ -d .git ]] || git init -q
[[ -d .sensorstore ]] || "$SDS" init >/dev/null
T=$(mktemp -d "${TMPDIR:-/tmp}/sds-report.XXXXXX")
trap 'rm -rf "$T"' EXIT

# (The robot set's warnings about its two splits of four runs are expected: kept in $T/build.log.)
for spec in examples/fitbit/sds.yaml examples/fitbit/v2.yaml examples/robot/sds.yaml; do
    "$SDS" build -q --spec "$spec" 2>>"$T/build.log" || { cat "$T/build.log" >&2; exit 1; }
done
build_id() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["build"])' "$1"; }
v1=$(build_id examples/fitbit/sds.lock)
v2=$(build_id examples/fitbit/v2.sds.lock)

"$SDS" report --spec examples/fitbit/sds.yaml -o "$ART/fitbit.html" >/dev/null
"$SDS" report --spec examples/robot/sds.yaml -o "$ART/robot.html" >/dev/null
"$SDS" report --spec examples/fitbit/sds.yaml "$v1" "$v2" -o "$ART/fitbit-diff.html" >/dev/null
"$SDS" show --spec examples/fitbit/sds.yaml --json > "$T/fitbit.json"
"$SDS" show --spec examples/fitbit/sds.yaml "$v2" --json > "$T/fitbit-v2.json"
"$SDS" show --spec examples/robot/sds.yaml --json > "$T/robot.json"
"$SDS" query --spec examples/robot/sds.yaml --json "SELECT * FROM machina" > "$T/machina.jsonl"
"$SDS" diff --spec examples/fitbit/sds.yaml "$v1" "$v2" --examples --json > "$T/diff.json" || true

# The page is one small file: the Fitbit report stays under 2 MB.
size=$(stat -c %s "$ART/fitbit.html")
(( size < 2000000 )) || { echo "error: the Fitbit report is $size bytes (limit 2 MB)" >&2; exit 1; }
# The same build gives the same bytes.
"$SDS" report --spec examples/fitbit/sds.yaml -o "$T/again.html" >/dev/null
cmp -s "$ART/fitbit.html" "$T/again.html" || { echo "error: two reports of one build differ" >&2; exit 1; }

chrome() { # URL, then Chromium's own options; its log goes to $T/log
    local url=$1; shift
    "$CHROMIUM" --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run --user-data-dir="$T/profile" \
        --enable-logging=stderr --v=0 "$@" "file://$url" 2>"$T/log"
}
status=0
check() { # NAME KIND CHECK-ARGS...
    local name=$1 kind=$2; shift 2
    chrome "$ART/$name.html" --dump-dom > "$T/$name.dom"
    cp "$T/log" "$T/$name.log"
    if ! python3 "$HERE/check.py" "$kind" "$T/$name.dom" "$T/$name.log" "$@" | sed "s/^/report $name: /"; then status=1; fi
    chrome "$ART/$name.html" --screenshot="$ART/$name.png" --window-size=1280,1600 >/dev/null
}
check fitbit build "$T/fitbit.json"
check robot build "$T/robot.json" "machina=$T/machina.jsonl"
check fitbit-diff diff "$T/diff.json" "$T/fitbit.json" "$T/fitbit-v2.json"
# The dark scheme, and the page as printed.
chrome "$ART/fitbit.html" --force-dark-mode --screenshot="$ART/fitbit-dark.png" --window-size=1280,1600 >/dev/null
chrome "$ART/fitbit.html" --no-pdf-header-footer --print-to-pdf="$ART/fitbit.pdf" >/dev/null
[[ -s "$ART/fitbit.pdf" && -s "$ART/fitbit-dark.png" ]] || { echo "error: no PDF or dark screenshot" >&2; status=1; }

echo "report: $((size / 1024)) KiB Fitbit page, artifacts in ${ART#$ROOT/}/ ($(( $(date +%s) - started )) s)"
exit $status
