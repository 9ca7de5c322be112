#!/usr/bin/env bash
# Compressed inputs read streaming: a build from a large `.csv.gz` / `.csv.zst` against the
# same build from its plain twin, wall time and peak RSS (`/usr/bin/time -f %M`), same spec.
# The compressed file is inflated a chunk (1 MiB) at a time into the reader, so its peak
# should stay at or below the plain build's (which holds the whole plain file while reading).
#
#   bench/compressed_bench.sh      # REPEAT (200) copies of fitbit hourlySteps, ISO times (~4.4 M rows)
#
# Env: REPEAT, SDS_BIN (a built sds; default: common.sh's release build), BENCH_DIR
# (/tmp/sds-bench-build). Each build runs in a fresh repo (no step cache).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
shared=${SDS_SHARED:-$here/../shared}
repeat=${REPEAT:-200}
work=${BENCH_DIR:-/tmp/sds-bench-build}
mkdir -p "$work"
if [ -n "${SDS_BIN:-}" ]; then sds=$SDS_BIN; else SDS_BENCH_NO_DVC=1 . "$here/bench/common.sh"; fi

csv="$work/hourlySteps_iso_big_x$repeat.csv"
if [ ! -f "$csv" ]; then
    # Each copy with its own ids; the shared file's date and 24-hour time joined as ISO-8601.
    awk -F, -v n="$repeat" 'NR == 1 { print "Id,ActivityHour,StepTotal"; next } { rows[NR] = $0 } END {
        for (k = 0; k < n; k++) for (i = 2; i <= NR; i++) {
            split(rows[i], f, ","); split(f[2], d, "/"); split(f[3], t, ":")
            printf "%s%d,%04d-%02d-%02dT%02d:%s:%sZ,%s\n", f[1], k, d[3], d[1], d[2], t[1], t[2], t[3], f[4] } }' \
        "$shared/data/fitbit/hourlySteps_merged.csv" > "$csv.tmp"
    mv "$csv.tmp" "$csv"
fi
[ -f "$csv.gz" ] || gzip -k -6 "$csv"
[ -f "$csv.zst" ] || zstd -q -3 "$csv" -o "$csv.zst"

# build FILE: "seconds peak-KB" of one build of a spec reading FILE, in a fresh repo.
build() {
    local repo="$work/compressed-repo"
    rm -rf "$repo" && mkdir -p "$repo/data" && cd "$repo"
    git init -q && git config user.email bench@example.com && git config user.name bench
    ln "$1" "data/$(basename "$1")" 2>/dev/null || cp "$1" "data/$(basename "$1")"
    cat > sds.yaml <<YAML
dataset: {name: steps, version: 1.0.0}
sources:
  steps:
    path: data/$(basename "$1")
    partition: Id
    time: {column: ActivityHour, format: iso8601}
    columns: {StepTotal: double}
studies:
  s:
    inputs: [steps]
    windows:
      length: 1d
      features: {StepTotal: {step: 1h, aggregate: sum}}
splits: {percent: {train: 80, test: 20}, shards: {train: 1, test: 1}}
YAML
    "$sds" init >/dev/null
    /usr/bin/time -f "%e %M" -o "$work/compressed-time.txt" "$sds" build -q >/dev/null
    cat "$work/compressed-time.txt"
    cd "$work" && rm -rf "$repo"
}

printf '%-40s %10s %10s %12s %10s\n' file MB seconds "peak RSS MB" "RSS/plain"
plain_kb=
for f in "$csv" "$csv.gz" "$csv.zst"; do
    read -r secs kb < <(build "$f")
    [ -n "$plain_kb" ] || plain_kb=$kb
    printf '%-40s %10.1f %10s %12.1f %10s\n' "$(basename "$f")" "$(echo "$(stat -c %s "$f") / 1000000" | bc -l)" "$secs" \
        "$(echo "$kb / 1024" | bc -l)" "$(echo "scale=2; $kb / $plain_kb" | bc -l)x"
done
echo "One build each, fresh repo; peak RSS is the build's maximum resident set (GNU time %M)."
