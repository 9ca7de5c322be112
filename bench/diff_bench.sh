#!/usr/bin/env bash
# `sds diff` between two builds of the WORKLOAD.md medium set against `dvc diff` between the
# two commits that track the same data with DVC (target: sds ≤ 50 ms; DVC measured 636 ms).
#
#   bench/diff_bench.sh                       # medium set (100 subjects x 14 days, 738 MB)
#   SUBJECTS=20 DAYS=7 bench/diff_bench.sh    # small set
#
# Reuses the data of bench/build_bench.sh ($BENCH_DIR/data-SxD) and the DVC venv of
# bench/store_bench.sh. Both versions differ by one sleep label. Prints hyperfine medians
# and the ratio; asserts nothing but that both diffs report a difference.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
shared=${SDS_SHARED:-$here/../shared}
subjects=${SUBJECTS:-100}
days=${DAYS:-14}
work=${BENCH_DIR:-/tmp/sds-bench-build}
runs=${RUNS:-20}
. "$here/bench/common.sh"

data="$work/data-${subjects}x${days}"
wearable_data "$data" "$subjects" "$days"
change_label() { sed -i "2s/^\([^,]*,[^,]*\),\([0-9]*\),/\1,$1,/" data/sleep_labels.csv; }
git_repo() { git init -q && git config user.email bench@example.com && git config user.name bench; }

# sds: v1 built, committed and tagged; one label changed; v2 built, committed and tagged.
ws="$work/diff-sds-ws"
rm -rf "$ws" && mkdir -p "$ws/data" && cd "$ws"
cp "$data"/heart_rate.csv "$data"/steps.csv "$data"/sleep_labels.csv data/
cp "$here/examples/wearable/sds.yaml" .
git_repo && printf 'data/\nout/\n' > .gitignore
"$sds" init >/dev/null && "$sds" build -q && git add -A && git commit -qm v1 && "$sds" tag v1
change_label 301
"$sds" build -q && git commit -qam v2 && "$sds" tag v2
if "$sds" diff v1 v2 >/dev/null; then echo "bench: sds diff found no difference" >&2; exit 1; fi

# DVC: the same data tracked with 'dvc add', one commit per version.
dws="$work/diff-dvc-ws"
rm -rf "$dws" && mkdir -p "$dws/data" && cd "$dws"
cp "$data"/heart_rate.csv "$data"/steps.csv "$data"/sleep_labels.csv data/
git_repo && "$dvc" init -q && "$dvc" add -q data && git add -A && git commit -qm v1
change_label 301
"$dvc" add -q data && git add -A && git commit -qm v2
[ -n "$("$dvc" diff HEAD~1 HEAD)" ] || { echo "bench: dvc diff found no difference" >&2; exit 1; }

out="$work/diff-bench.json"
# -i: both exit 1 (differences found). The shell's own start-up is subtracted by hyperfine.
hyperfine -i -w 3 -r "$runs" --export-json "$out" \
    -n "sds diff" "cd $ws && $sds diff v1 v2" \
    -n "dvc diff" "cd $dws && $dvc diff HEAD~1 HEAD" >/dev/null
python3 - "$out" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
s, d = r["sds diff"]["median"] * 1000, r["dvc diff"]["median"] * 1000
print(f"| workload | sds | dvc | ratio | target |")
print(f"|---|---|---|---|---|")
print(f"| diff of two builds, one label changed | {s:.1f} ms | {d:.0f} ms | {d / s:.1f}x faster | <= 50 ms |")
PY
