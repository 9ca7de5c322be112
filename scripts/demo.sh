#!/usr/bin/env bash
# The newcomer's tour: add → commit → change → add → checkout of the old version,
# on data this repository generates itself. Runs in ./demo (or $DEMO_DIR); safe to rerun.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
sds=${SDS:-$here/.build/release/sds}
demo=${DEMO_DIR:-$here/demo}
step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

rm -rf "$demo" && mkdir -p "$demo" && cd "$demo"
export PATH="$(dirname "$sds"):$PATH"
git init -q -b main && git config user.email demo@example.com && git config user.name "sds demo"
"$here/scripts/gen-demo-data.sh" raw 8 3
echo "Generated $(find raw -type f | wc -l) files of wearable data in $demo/raw"

step sds init
step sds install-hooks
step sds add raw
step cat raw.sds
git add -A && git commit -qm "raw data v1" && echo "(committed raw.sds: raw data v1)"

echo; echo "# Clean subject S0003: drop its out-of-range heart-rate rows (bpm 0)."
grep -v ',0$' raw/heart_rate/S0003.csv > raw/heart_rate/S0003.tmp && mv raw/heart_rate/S0003.tmp raw/heart_rate/S0003.csv
v2_sum=$(sha256sum raw/heart_rate/S0003.csv | cut -c1-16)
step sds status -v || true
step sds add raw
git add -A && git commit -qm "raw data v2: drop bpm=0 glitches" && echo "(committed raw.sds: raw data v2)"
step sds log raw

step sds checkout HEAD~1
v1_sum=$(sha256sum raw/heart_rate/S0003.csv | cut -c1-16)
echo "S0003.csv is back to v1 ($v1_sum; v2 was $v2_sum), with its $(grep -c ',0$' raw/heart_rate/S0003.csv) glitch rows"
step sds status || true
echo "(status compares with the work tree's pointer, which still names v2)"
step sds checkout
step sds status
step sds fsck

echo; echo "The repository's own example data is versioned by sds too:"
cd "$here"
"$here/scripts/gen-demo-data.sh" examples/wearable-demo 8 3
step "$sds" status examples/wearable-demo
echo; echo "Demo done: explore $demo (try 'git log', 'sds status', 'sds checkout HEAD~1')."
