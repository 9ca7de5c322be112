#!/usr/bin/env bash
# The concurrent paths under ThreadSanitizer (long form): tests/tsan/run.sh
#
# Builds sds with -sanitize=thread into .build-tsan, then runs, with several threads: `add` of
# a folder with large files (the pipelined O_DIRECT writer), the wearable build (parallel
# subject chains, the chain pool, staging's writer thread), a rebuild after a label change,
# and the fitbit example (the general pipeline's parallel readers and chains). Prints each
# run's data-race reports and exits 1 if there is any.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
shared=${SDS_SHARED:-$here/../shared}
(cd "$here" && nice swift build --scratch-path .build-tsan -Xswiftc -sanitize=thread --product sds 2>&1 \
    | grep -E "error|Build complete" || true)
sds="$here/.build-tsan/debug/sds"
[ -x "$sds" ] || { echo "tsan: building $sds failed" >&2; exit 70; }
work=$(mktemp -d /tmp/sds-tsan.XXXXXX)
trap 'rm -rf "$work"' EXIT
reports="$work/reports"
mkdir -p "$reports"
export TSAN_OPTIONS="halt_on_error=0 history_size=4 log_path=$reports/tsan"
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.com

data="$work/wearable"
"$("$here/tests/interop/venv.sh")" "$shared/bench/gen_wearable.py" "$data" --subjects 12 --days 5 --seed 1 >/dev/null

ws="$work/ws"
mkdir -p "$ws/data" "$ws/examples/fitbit" "$ws/big"
ln -s "$shared" "$work/shared"
cp "$data"/*.csv "$ws/data/"
cp "$here/examples/wearable/sds.yaml" "$ws/"
cp "$here/examples/fitbit/sds.yaml" "$ws/examples/fitbit/"
head -c 40000000 /dev/urandom >"$ws/big/a.bin"
head -c 20000000 /dev/urandom >"$ws/big/b.bin"
cd "$ws"
git init -q -b main
run() { # LABEL ARGS...
    local label=$1; shift
    local before; before=$(ls "$reports" | wc -l)
    local start; start=$(date +%s)
    local status=0
    "$sds" "$@" >"$work/$label.out" 2>&1 || status=$?
    local after; after=$(ls "$reports" | wc -l)
    printf '%-22s exit %-3s %4ss  %s race report file(s)\n' "$label" "$status" $(( $(date +%s) - start )) $((after - before))
    [ "$status" -eq 0 ] || { tail -5 "$work/$label.out"; return 1; }
}
run init init
run add-large add big
run build-jobs4 build --jobs 4
sed -i 's/,4/,5/' data/sleep_labels.csv
run rebuild-jobs4 build --jobs 4
run status status || true
(cd examples/fitbit && run fitbit-jobs4 build --jobs 4)
run fsck fsck
races=$(cat "$reports"/tsan* 2>/dev/null | grep -c "WARNING: ThreadSanitizer" || true)
echo "ThreadSanitizer warnings: $races"
if [ "$races" -gt 0 ]; then
    cat "$reports"/tsan* | grep -A12 "WARNING: ThreadSanitizer" | head -120
    exit 1
fi
