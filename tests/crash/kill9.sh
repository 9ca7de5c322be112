#!/usr/bin/env bash
# Random kill -9 runs (the long form of FailpointTests): tests/crash/kill9.sh [TRIALS] [SEED]
#
# For each trial, picks a verb (add, build, tag, gc, checkout in turn), copies a workspace
# prepared for it, starts the verb, kills it with SIGKILL after a random delay within its
# usual run time, then checks: the same command run again succeeds, `sds fsck` finds no
# error, the user's files (inputs, spec) are unchanged, and the work tree, tags and objects
# equal those of an uninterrupted run. Prints a table per verb; exits 1 on any failure.
# SDS_BIN picks the binary (default .build/release/sds, built if missing); SDS_KILL9_LOG, a
# file that gets one line per trial.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
shared=${SDS_SHARED:-$here/../shared}
trials=${1:-200}
RANDOM=${2:-1}
if [ -z "${SDS_BIN:-}" ]; then
    (cd "$here" && nice swift build -c release --product sds >/dev/null)
    SDS_BIN="$here/.build/release/sds"
fi
sds=$SDS_BIN
work=$(mktemp -d /tmp/sds-kill9.XXXXXX)
trap 'rm -rf "$work"' EXIT
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.com

data="$work/wearable-20x7"
"$("$here/tests/interop/venv.sh")" "$shared/bench/gen_wearable.py" "$data" --subjects 20 --days 7 --seed 1 >/dev/null

# The folder `add` and `checkout` work on: many small files and a few large ones.
write_folder() { # DIR VERSION
    rm -rf "$1/d"
    mkdir -p "$1/d/sub"
    for i in $(seq 1 300); do echo "row $i of version $2" >"$1/d/sub/f$i.csv"; done
    head -c 30000000 /dev/zero | tr '\0' "$2" >"$1/d/big.bin"
    cp "$data/heart_rate.csv" "$1/d/hr.csv"
}
new_ws() { mkdir -p "$1" && (cd "$1" && git init -q -b main && "$sds" init >/dev/null); }
wearable_ws() {
    new_ws "$1"
    mkdir -p "$1/data"
    cp "$data"/*.csv "$1/data/"
    cp "$here/examples/wearable/sds.yaml" "$1/"
    (cd "$1" && git add -A && git commit -qm inputs)
}
change_labels() { sed -i 's/,4/,5/' "$1/data/sleep_labels.csv"; }

prepare() { # VERB DIR: the workspace just before the verb runs
    case $1 in
        add) new_ws "$2"; write_folder "$2" 1 ;;
        build) wearable_ws "$2" ;;
        tag) wearable_ws "$2"; (cd "$2" && "$sds" build >/dev/null) ;;
        gc) wearable_ws "$2"; (cd "$2" && "$sds" build >/dev/null); change_labels "$2"; (cd "$2" && "$sds" build >/dev/null) ;;
        checkout) new_ws "$2"; write_folder "$2" 1
            (cd "$2" && "$sds" add d >/dev/null && git add -A && git commit -qm v1)
            write_folder "$2" 2
            (cd "$2" && "$sds" add d >/dev/null && git checkout -q HEAD -- d.sds) ;;
    esac
}
command_of() {
    case $1 in
        add) echo "add d" ;; build) echo "build" ;; tag) echo "tag v1" ;;
        gc) echo "gc --only-current" ;; checkout) echo "checkout --force d" ;;
    esac
}
state() { # DIR: what a user sees after the verb
    (cd "$1" && find . -path ./.git -prune -o -path ./.sensorstore -prune -o -type f -print | LC_ALL=C sort | xargs -d '\n' sha256sum
     echo tags:; "$sds" tag --list
     echo objects:; (cd .sensorstore/objects && find . -type f | LC_ALL=C sort))
}
user_files() { (cd "$1" && { find data sds.yaml -type f 2>/dev/null || true; } | LC_ALL=C sort | xargs -d '\n' -r sha256sum); }
now_ms() { date +%s%3N; }

verbs=(add build tag gc checkout)
declare -A ms killed finished failed
for v in "${verbs[@]}"; do
    prepare "$v" "$work/template-$v"
    cp -a "$work/template-$v" "$work/reference-$v"
    # A first, cold run (binary and inputs not yet in the page cache) would stretch the
    # delays past most warm runs: time a second run, as the trials are.
    cp -a "$work/template-$v" "$work/warmup-$v"
    (cd "$work/warmup-$v" && $sds $(command_of "$v") >/dev/null)
    rm -rf "$work/warmup-$v"
    start=$(now_ms)
    (cd "$work/reference-$v" && $sds $(command_of "$v") >/dev/null)
    ms[$v]=$(( $(now_ms) - start ))
    state "$work/reference-$v" >"$work/expected-$v"
    killed[$v]=0 finished[$v]=0 failed[$v]=0
done

log="$work/failures.log"
: >"$log"
for t in $(seq 1 "$trials"); do
    v=${verbs[$(( (t - 1) % ${#verbs[@]} ))]}
    ws="$work/trial"
    rm -rf "$ws"
    cp -a "$work/template-$v" "$ws"
    before=$(user_files "$ws")
    # A delay up to the verb's usual (warm) run time: most kills land mid-run.
    delay_ms=$(( RANDOM % (ms[$v] + 1) ))
    (cd "$ws" && exec $sds $(command_of "$v") >/dev/null 2>&1) &
    pid=$!
    sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
    if kill -9 "$pid" 2>/dev/null; then killed[$v]=$((killed[$v] + 1)); else finished[$v]=$((finished[$v] + 1)); fi
    wait "$pid" 2>/dev/null || true
    problem=""
    (cd "$ws" && $sds $(command_of "$v") >"$work/rerun.out" 2>&1) || problem="rerun failed: $(tail -3 "$work/rerun.out")"
    if [ -z "$problem" ]; then
        (cd "$ws" && "$sds" fsck >"$work/fsck.out" 2>&1) && ! grep -q "error:" "$work/fsck.out" || problem="fsck: $(grep error: "$work/fsck.out" | head -3)"
    fi
    if [ -z "$problem" ] && [ "$v" != checkout ] && [ "$(user_files "$ws")" != "$before" ]; then problem="a user file changed"; fi
    if [ -z "$problem" ] && ! diff -q <(state "$ws") "$work/expected-$v" >/dev/null; then
        problem="result differs: $(diff <(state "$ws") "$work/expected-$v" | head -5 | tr '\n' ' ')"
    fi
    echo "trial $t $v delay=${delay_ms}ms ${problem:-ok}" >>"${SDS_KILL9_LOG:-/dev/null}"
    if [ -n "$problem" ]; then
        failed[$v]=$((failed[$v] + 1))
        echo "trial $t ($v, killed after ${delay_ms} ms): $problem" | tee -a "$log" >&2
    fi
done

echo
echo "| verb | trials | killed mid-run | finished before the kill | failures | usual run time |"
echo "|---|---|---|---|---|---|"
total_failed=0
for v in "${verbs[@]}"; do
    n=$((killed[$v] + finished[$v]))
    echo "| $v | $n | ${killed[$v]} | ${finished[$v]} | ${failed[$v]} | ${ms[$v]} ms |"
    total_failed=$((total_failed + failed[$v]))
done
[ "$total_failed" -eq 0 ]
