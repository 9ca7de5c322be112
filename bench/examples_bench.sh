#!/usr/bin/env bash
# Full builds of the real-data examples (examples/robot, examples/fitbit) with the release sds:
# cold (a fresh store: read, every step, shards) and no-op (everything reused), beside the same
# jobs written the usual way with pandas and TensorFlow (bench/examples_reference.py: same
# steps and example count, not byte-identical), timed after its imports (pandas, TF ~3 s).
#
#   bench/examples_bench.sh            # RUNS=5 cold builds each, median; 5 no-op; REF_RUNS=3
#
# The examples read ../shared/data relative to the repository, so they are built in a copy
# laid out the same way (BENCH_DIR/examples/repo, with ../shared beside it).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
shared=${SDS_SHARED:-$here/../shared}
work=${BENCH_DIR:-/tmp/sds-bench-build}/examples
runs=${RUNS:-5}
. "$here/bench/common.sh"

rm -rf "$work" && mkdir -p "$work/repo/examples"
ln -s "$(cd "$shared" && pwd)" "$work/shared"
for ex in robot fitbit; do mkdir -p "$work/repo/examples/$ex" && cp "$here/examples/$ex/sds.yaml" "$work/repo/examples/$ex/"; done
cd "$work/repo" && git init -q

# median of the numbers on stdin
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
# seconds CMD...: wall time of one run, in seconds
seconds() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null; t1=$(date +%s.%N); echo "$t1 - $t0" | bc -l; }

py=$("$here/tests/interop/venv.sh")
ref_runs=${REF_RUNS:-3}
for i in $(seq "$ref_runs"); do
    TF_CPP_MIN_LOG_LEVEL=3 "$py" "$here/bench/examples_reference.py" "$shared/data" "$work/ref" 2>/dev/null
done > "$work/ref.txt"

printf '%-8s %12s %10s %12s %10s %16s %8s\n' example "input MB" examples "cold (s)" "no-op (s)" "pandas+TF (s)" ratio
for ex in robot fitbit; do
    cold=$(for i in $(seq "$runs"); do
        rm -rf .sensorstore "examples/$ex/out" "examples/$ex/sds.lock" && "$sds" init >/dev/null
        (cd "examples/$ex" && seconds "$sds" build -q)
    done | median)
    noop=$(for i in $(seq "$runs"); do (cd "examples/$ex" && seconds "$sds" build -q); done | median)
    count=$(cd "examples/$ex" && "$sds" build --json | python3 -c 'import json,sys; print(sum(s["examples"] for s in json.load(sys.stdin)["shards"]))')
    mb=$(grep -o 'path: [^ ]*' "examples/$ex/sds.yaml" | cut -d' ' -f2 | (cd "examples/$ex" && xargs du -cb) | tail -1 | awk '{ printf "%.1f", $1 / 1e6 }')
    ref=$(awk -v ex="$ex" '$1 == ex { print $2 }' "$work/ref.txt" | median)
    printf '%-8s %12s %10s %12.3f %10.3f %16.3f %7.1fx\n' "$ex" "$mb" "$count" "$cold" "$noop" "$ref" "$(echo "$ref / $cold" | bc -l)"
done
