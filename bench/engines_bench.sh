#!/usr/bin/env bash
# The WORKLOAD.md job, one cold build each in the same run: the wearable engine of sds before
# 0.1.0 (commit c812768, the grid:/windows: form) built by that sds, and the study
# (examples/wearable/sds.yaml) built by this one; plus the pandas+TensorFlow reference
# (../shared/bench/reference_pipeline.py). Prints seconds, peak RSS and ratios, and checks
# every output against the reference hash of WORKLOAD.md.
#
#   bench/engines_bench.sh                       # medium set (100 subjects x 14 days)
#   SUBJECTS=20 DAYS=7 bench/engines_bench.sh    # small set
#   SDS_BIN=path/to/release/sds                  # this sds (default: a release build of the work tree)
#   OLD_SDS_BIN=path/to/old/sds                  # sds at c812768 (default: built once, in release, in a
#                                                # temporary `git worktree` at c812768, kept in $BENCH_DIR)
#   REF_RUNS=0                                   # skip the reference (its venv needs pandas and pyarrow)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
shared=${SDS_SHARED:-$here/../shared}
subjects=${SUBJECTS:-100}
days=${DAYS:-14}
work=${BENCH_DIR:-/tmp/sds-bench-engines}
old_commit=c812768
mkdir -p "$work"
if [ -n "${SDS_BIN:-}" ]; then
    sds=$SDS_BIN
else
    (cd "$here" && swift build -c release --static-swift-stdlib --product sds >/dev/null)
    sds="$here/.build/release/sds"
fi
if [ -n "${OLD_SDS_BIN:-}" ]; then
    old_sds=$OLD_SDS_BIN
else
    old_sds="$work/sds-$old_commit"
    if [ ! -x "$old_sds" ]; then
        tree="$work/tree-$old_commit"
        git -C "$here" worktree remove --force "$tree" 2>/dev/null || rm -rf "$tree"
        git -C "$here" worktree add --detach "$tree" "$old_commit" >/dev/null
        (cd "$tree" && swift build -c release --static-swift-stdlib --product sds >/dev/null)
        cp "$tree/.build/release/sds" "$old_sds"
        git -C "$here" worktree remove --force "$tree"
    fi
fi
git -C "$here" show "$old_commit:examples/wearable/sds.yaml" > "$work/wearable-form.yaml"
data="$work/data-${subjects}x${days}"
if [ ! -f "$data/.complete" ]; then
    rm -rf "$data"
    "$("$here/tests/interop/venv.sh")" "$shared/bench/gen_wearable.py" "$data" --subjects "$subjects" --days "$days" --seed 1 >/dev/null
    touch "$data/.complete"
fi
case "$subjects x $days" in
    "100 x 14") expected=8f5acc9a691ff45599d5a45c300947999cbc74f2829019dc69508309842e5327 ;;
    "20 x 7") expected=fc7ef4c44b1b98cb557c60bc0ef8946a83251b4c9779b56fad770c8634894390 ;;
    *) expected="" ;;
esac
check() { # NAME FILES...: the concatenated shards against the reference hash
    local name=$1; shift
    local hash
    hash=$(cat "$@" | sha256sum | cut -c1-64)
    if [ -n "$expected" ] && [ "$hash" != "$expected" ]; then echo "bench: $name output differs from the reference ($hash)" >&2; exit 1; fi
}

# cold BINARY SPEC NAME: a fresh workspace and store; prints "seconds peak_kib".
cold() {
    local ws="$work/ws-$3"
    rm -rf "$ws" && mkdir -p "$ws/data" && cd "$ws"
    cp "$data"/heart_rate.csv "$data"/steps.csv "$data"/sleep_labels.csv data/
    cp "$2" sds.yaml
    "$1" init >/dev/null
    sync; cat data/*.csv >/dev/null
    /usr/bin/time -f "%e %M" -o "$work/time-$3.txt" "$1" build -q >/dev/null
    check "$3" out/wearable/1.0.0/*tfrecord*
    cat "$work/time-$3.txt"
}
read -r t_old rss_old < <(cold "$old_sds" "$work/wearable-form.yaml" wearable)
read -r t_new rss_new < <(cold "$sds" "$here/examples/wearable/sds.yaml" study)
rm -rf "$work/ws-wearable" "$work/ws-study"

# The reference, median of REF_RUNS (its time swings on loaded machines; see build_bench.sh).
t_ref=0 rss_ref=0
if [ "${REF_RUNS:-1}" -gt 0 ]; then
    py=$("$here/tests/interop/venv.sh")
    "$py" -c "import pandas, pyarrow" 2>/dev/null || "$py" -m pip install -q pandas pyarrow
    refs=()
    for i in $(seq 1 "${REF_RUNS:-1}"); do
        rm -rf "$work/ref-out"
        /usr/bin/time -f "%e %M" -o "$work/time-ref.txt" "$py" "$shared/bench/reference_pipeline.py" "$data" "$work/ref-out" --workers 2 >/dev/null
        read -r t rss < "$work/time-ref.txt"
        refs+=("$t"); [ "$rss" -gt "$rss_ref" ] && rss_ref=$rss
    done
    check reference "$work"/ref-out/*tfrecord*
    t_ref=$(python3 -c "import statistics,sys; print(statistics.median(map(float, sys.argv[1:])))" "${refs[@]}")
fi
python3 - "$subjects" "$days" "$t_old" "$rss_old" "$t_new" "$rss_new" "$t_ref" "$rss_ref" "${expected:+byte-identical to the reference}" <<'PY'
import sys
s, d = sys.argv[1:3]
old, rss_old, new, rss_new, ref, rss_ref = map(float, sys.argv[3:9])
mib = lambda k: f"{k / 1024:.0f} MiB"
print(f"{s} subjects x {d} days, one cold build each; {sys.argv[9] or 'no reference hash for this size'}")
print("| build | cold build | peak RSS |")
print("|---|---|---|")
print(f"| wearable engine (sds c812768, grid:/windows:) | {old:.2f} s | {mib(rss_old)} |")
print(f"| study (this sds, studies:) | {new:.2f} s | {mib(rss_new)} |")
if ref > 0:
    print(f"| reference (pandas+TF, 2 workers) | {ref:.2f} s | {mib(rss_ref)} |")
print(f"study / wearable engine: time {new / old:.2f}x, memory {rss_new / rss_old:.2f}x")
if ref > 0:
    print(f"reference / study: time {ref / new:.2f}x (study faster when above 1)")
PY
