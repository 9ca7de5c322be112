#!/usr/bin/env bash
# The WORKLOAD.md job built by the two spec forms on the medium set, one cold build each in
# the same run: the wearable form (grid:/windows:, examples/wearable/sds.yaml) and the same
# job as a study (examples/wearable/study.yaml). Prints seconds, peak RSS and their ratios,
# and checks both outputs against the reference hash of WORKLOAD.md.
#
#   bench/engines_bench.sh                       # medium set (100 subjects x 14 days)
#   SUBJECTS=20 DAYS=7 bench/engines_bench.sh    # small set
#   SDS_BIN=path/to/release/sds bench/engines_bench.sh   # skip the release build
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
shared=${SDS_SHARED:-$here/../shared}
subjects=${SUBJECTS:-100}
days=${DAYS:-14}
work=${BENCH_DIR:-/tmp/sds-bench-engines}
mkdir -p "$work"
if [ -n "${SDS_BIN:-}" ]; then
    sds=$SDS_BIN
else
    (cd "$here" && swift build -c release --static-swift-stdlib --product sds >/dev/null)
    sds="$here/.build/release/sds"
fi
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

# cold SPEC NAME: a fresh workspace and store; prints "seconds peak_kib".
cold() {
    local ws="$work/ws-$2"
    rm -rf "$ws" && mkdir -p "$ws/data" && cd "$ws"
    cp "$data"/heart_rate.csv "$data"/steps.csv "$data"/sleep_labels.csv data/
    cp "$1" sds.yaml
    "$sds" init >/dev/null
    sync; cat data/*.csv >/dev/null
    /usr/bin/time -f "%e %M" -o "$work/time-$2.txt" "$sds" build -q >/dev/null
    local hash
    hash=$(cat out/wearable/1.0.0/*tfrecord* | sha256sum | cut -c1-64)
    if [ -n "$expected" ] && [ "$hash" != "$expected" ]; then echo "bench: $2 output differs from the reference ($hash)" >&2; exit 1; fi
    cat "$work/time-$2.txt"
}
read -r t_old rss_old < <(cold "$here/examples/wearable/sds.yaml" wearable)
read -r t_new rss_new < <(cold "$here/examples/wearable/study.yaml" study)
rm -rf "$work/ws-wearable" "$work/ws-study"
python3 - "$subjects" "$days" "$t_old" "$rss_old" "$t_new" "$rss_new" "${expected:+byte-identical to the reference}" <<'PY'
import sys
s, d = sys.argv[1:3]
old, rss_old, new, rss_new = map(float, sys.argv[3:7])
mib = lambda k: f"{k / 1024:.0f} MiB"
print(f"{s} subjects x {d} days, one cold build each; {sys.argv[7] or 'no reference hash for this size'}")
print("| form | cold build | peak RSS |")
print("|---|---|---|")
print(f"| wearable (grid:/windows:) | {old:.2f} s | {mib(rss_old)} |")
print(f"| study (studies:) | {new:.2f} s | {mib(rss_new)} |")
print(f"study / wearable: time {new / old:.2f}x, memory {rss_new / rss_old:.2f}x")
PY
