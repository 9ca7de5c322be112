#!/usr/bin/env bash
# Fuzzes sds's readers with libFuzzer: tests/fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]
#
# Builds `sds-fuzz` with -sanitize=fuzzer into .build-fuzz (debug, the quick build `make test`
# affords; SDS_FUZZ_CONFIG=release for the long form, more executions a second), then runs each target for
# SECONDS (default 20, what `make test` uses; the long form is 600) from the committed seeds
# in tests/fuzz/corpus/TARGET plus what earlier runs found (.build-fuzz/corpus/TARGET).
# A crash, a hang (-timeout) or runaway memory fails the script and leaves the input in
# .build-fuzz/crashes/TARGET/: replay it with `.build/debug/sds-fuzz TARGET FILE`, fix the
# bug, and commit the file under tests/fuzz/regressions/TARGET/ (SDSFuzzTests replays them).
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-20}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(csv table-csv jsonl time spec pointer tree tfrecord example)
scratch=.build-fuzz
# SDS_FUZZ_BUILT=1: the binary is built already (several runs of this script at once).
config=${SDS_FUZZ_CONFIG:-debug}
[ -n "${SDS_FUZZ_BUILT:-}" ] || nice swift build -c "$config" --scratch-path "$scratch" -Xswiftc -sanitize=fuzzer \
    -Xswiftc -DSDS_FUZZ --product sds-fuzz 2>&1 | grep -E "error|Build complete" || true
bin="$scratch/$config/sds-fuzz"
[ -x "$bin" ] || { echo "fuzz: building $bin failed" >&2; exit 70; }
failed=()
printf '%-10s %8s %12s %8s %6s %s\n' target seconds executions cov corpus result
for t in "${targets[@]}"; do
    work="$scratch/corpus/$t" crashes="$scratch/crashes/$t" log="$scratch/logs/$t.log"
    mkdir -p "$work" "$crashes" "$(dirname "$log")"
    status=0
    SDS_FUZZ_TARGET="$t" "$bin" -max_total_time="$seconds" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$crashes/" "$work" "tests/fuzz/corpus/$t" >"$log" 2>&1 || status=$?
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo "?")
    n=$(find "$work" -type f | wc -l)
    result=ok
    if [ "$status" -ne 0 ]; then result="CRASH (see $log, $crashes)"; failed+=("$t"); fi
    printf '%-10s %8s %12s %8s %6s %s\n' "$t" "$seconds" "$runs" "$cov" "$n" "$result"
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz: crashes in ${failed[*]}" >&2
    exit 1
fi
