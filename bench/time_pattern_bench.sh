#!/usr/bin/env bash
# Time patterns against the named formats they spell: `sds bench-reader` reads one file's time
# column once with the name and once with the pattern (same bytes, same rows, one thread).
# Issue 17's target: a pattern-parsed column within 1.2x of the named format.
#
#   bench/time_pattern_bench.sh          # REPEAT (40) copies of fitbit hourlySteps (~0.9 M rows)
#
# Env: RUNS (5: best of), ROUNDS (3: name and pattern alternate, best of all), CPU (1), REPEAT, SDS_BIN (a built sds; default: common.sh's release build),
# BENCH_DIR (/tmp/sds-bench-build). Files: hourlySteps's date and time joined (`4/12/2016 1:00:00 AM`) and the
# same rows with ISO-8601 times (`2016-04-12T01:00:00Z`).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
shared=${SDS_SHARED:-$here/../shared}
runs=${RUNS:-5}
rounds=${ROUNDS:-3}
# CPU=1 (default): MB/s per second of the reading thread's CPU time, which other load on the
# machine barely moves; CPU=0: per second of wall time.
metric=$([ "${CPU:-1}" = 1 ] && echo bestCPUMBps || echo bestMBps)
repeat=${REPEAT:-40}
work=${BENCH_DIR:-/tmp/sds-bench-build}
mkdir -p "$work"
if [ -n "${SDS_BIN:-}" ]; then sds=$SDS_BIN; else SDS_BENCH_NO_DVC=1 . "$here/bench/common.sh"; fi

src="$shared/data/fitbit/hourlySteps_merged.csv"
us="$work/hourlySteps_x$repeat.csv"
iso="$work/hourlySteps_iso_x$repeat.csv"
if [ ! -f "$us" ]; then
    # The shared file has the date and the 24-hour time in two columns: joined here as
    # `4/12/2016 1:00:00 AM`, each copy with its own ids.
    awk -F, -v n="$repeat" 'NR == 1 { print "Id,ActivityHour,StepTotal"; next } { rows[NR] = $0 } END {
        for (k = 0; k < n; k++) for (i = 2; i <= NR; i++) {
            split(rows[i], f, ","); split(f[3], t, ":"); h = t[1] % 12; if (h == 0) h = 12
            printf "%s%d,%s %d:%s:%s %s,%s\n", f[1], k, f[2], h, t[2], t[3], (t[1] < 12 ? "AM" : "PM"), f[4] } }' "$src" > "$us.tmp"
    mv "$us.tmp" "$us"
fi
if [ ! -f "$iso" ]; then
    awk -F, 'NR == 1 { print; next } {
        split($2, dt, " "); split(dt[1], d, "/"); split(dt[2], t, ":"); h = t[1] % 12; if (dt[3] == "PM") h += 12
        printf "%s,%04d-%02d-%02dT%02d:%s:%sZ,%s\n", $1, d[3], d[1], d[2], h, t[2], t[3], $3 }' "$us" > "$iso.tmp"
    mv "$iso.tmp" "$iso"
fi

best() { "$sds" bench-reader --runs "$runs" --partition Id --time ActivityHour --column StepTotal --time-format "$2" "$1" |
    python3 -c 'import json, sys; print(round(json.load(sys.stdin)[sys.argv[1]], 1))' "$metric"; }
printf '%-12s %-28s %10s %10s %8s\n' file pattern "name MB/s" "pat MB/s" "name/pat"
pair() { # file name pattern: the best of ROUNDS alternating rounds each (other load on the machine hits both alike)
    local a=0 b=0 x
    for _ in $(seq "$rounds"); do
        x=$(best "$1" "$2"); a=$(python3 -c "print(max($a, $x))")
        x=$(best "$1" "$3"); b=$(python3 -c "print(max($b, $x))")
    done
    printf '%-12s %-28s %10s %10s %8s\n' "$2" "$3" "$a" "$b" "$(python3 -c "print(f'{$a / $b:.2f}x')")"
}
pair "$us" us_12h "%m/%d/%Y %I:%M:%S %p"
pair "$iso" iso8601 "%Y-%m-%dT%H:%M:%SZ"
echo "MB/s: 10^6 input bytes per $([ "$metric" = bestCPUMBps ] && echo "CPU second" || echo second), best of $rounds x $runs; name/pat above 1.00x: the pattern is slower (target: at most 1.20x)."
