#!/usr/bin/env bash
# Remote transfer figures: sds push/pull against `dvc push/pull` (dvc-s3), same server, same run.
#   bench/remote_bench.sh [SDS_BINARY]
# Starts moto_server (scripts/s3-local.sh) on 127.0.0.1; measures, for S3 and for a folder remote:
#   10,000 x 10 KiB files: push, pull into an empty store, no-op push
#   one 512 MiB file: push, pull; and boto3's upload_file (what `aws s3 cp` runs) as the server's bar
#   a teammate's build: fresh git clone -> sds fetch v1 -> sds verify v1, from S3 (timed)
# DVC runs from a venv under bench/.venv-dvc (dvc[s3] pinned), made on first use;
# SDS_BENCH_SKIP_DVC=1 measures sds alone. SMALL_FILES / BIG_MIB shrink the workload;
# VERIFY_SUBJECTS / VERIFY_DAYS size the wearable set of the clone case (default 10 x 7).
set -euo pipefail
shopt -s inherit_errexit   # a failing step inside $(…) stops the case, never runs on in the wrong folder
cd "$(dirname "$0")/.."
REPO=$(pwd)
SDS=$(realpath "${1:-.build/release/sds}")
N=${SMALL_FILES:-10000}
BIG=${BIG_MIB:-512}
WORK=$(mktemp -d /tmp/sds-remote-bench.XXXXXX)
export SDS_S3_STATE=$WORK/s3   # its own server, whatever else runs
eval "$(scripts/s3-local.sh start)"
trap '"$REPO/scripts/s3-local.sh" stop; rm -rf "$WORK"' EXIT
DVC_VENV=bench/.venv-dvc
if [ -z "${SDS_BENCH_SKIP_DVC:-}" ] && [ ! -x "$DVC_VENV/bin/dvc" ]; then
    python3 -m venv "$DVC_VENV"
    "$DVC_VENV/bin/pip" install -q --disable-pip-version-check "dvc[s3]==3.67.1" >&2
fi

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "-" }'; }

# Workloads, made once.
mkdir -p "$WORK/src/small" "$WORK/src/big"
"$SDS_S3_PYTHON" - "$WORK/src" "$N" "$BIG" <<'PY'
import os, sys
root, n, big = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for i in range(n):
    with open(f"{root}/small/f{i:05d}.bin", "wb") as f:
        f.write(os.urandom(10240))
with open(f"{root}/big/big.bin", "wb") as f:
    for _ in range(big):
        f.write(os.urandom(1 << 20))
PY

# sds: push from one repo, pull into a fresh clone. $1 label, $2 folder, $3 remote URL.
sds_case() {
    local label=$1 what=$2 url=$3 a="$WORK/sds-$1-a" b="$WORK/sds-$1-b"
    mkdir -p "$a"
    cd "$a"
    git init -q && git config user.email b@e && git config user.name b
    "$SDS" init >/dev/null && cp -r "$WORK/src/$what" data && "$SDS" add data >/dev/null
    "$SDS" remote add origin "$url" --default >/dev/null
    [ "${url#s3://}" != "$url" ] && "$SDS" remote modify origin endpoint_url "$SDS_S3_ENDPOINT" >/dev/null
    git add -A && git commit -qm data
    local t0; t0=$(now); "$SDS" push -q; local push; push=$(secs "$t0" "$(now)")
    local noop; noop=$("$SDS" push --json | sed 's/.*"seconds":\([0-9.]*\).*/\1/')
    git clone -q "$a" "$b"
    cd "$b"
    t0=$(now); "$SDS" pull -q; local pull; pull=$(secs "$t0" "$(now)")
    cmp -s "$a/data/$( [ "$what" = big ] && echo big.bin || echo f00000.bin)" "$b/data/$( [ "$what" = big ] && echo big.bin || echo f00000.bin)"
    cd "$WORK"
    echo "$push $pull $noop"
}

# dvc: the same with dvc add / push / pull. $1 label, $2 folder, $3 remote URL.
dvc_case() {
    local label=$1 what=$2 url=$3 a="$WORK/dvc-$1-a" b="$WORK/dvc-$1-b" dvc="$(realpath "$DVC_VENV")/bin/dvc"
    mkdir -p "$a"
    cd "$a"
    git init -q && git config user.email b@e && git config user.name b
    "$dvc" init -q && cp -r "$WORK/src/$what" data && "$dvc" add -q data
    "$dvc" remote add -d origin "$url" >/dev/null
    [ "${url#s3://}" != "$url" ] && "$dvc" remote modify origin endpointurl "$SDS_S3_ENDPOINT"
    git add -A && git commit -qm data
    local t0; t0=$(now); "$dvc" push -q; local push; push=$(secs "$t0" "$(now)")
    t0=$(now); "$dvc" push -q; local noop; noop=$(secs "$t0" "$(now)")
    git clone -q "$a" "$b"
    cd "$b"
    t0=$(now); "$dvc" pull -q; local pull; pull=$(secs "$t0" "$(now)")
    cd "$WORK"
    echo "$push $pull $noop"
}

boto_put() {
    local t0; t0=$(now)
    "$SDS_S3_PYTHON" -c "import boto3,sys; boto3.client('s3', endpoint_url='$SDS_S3_ENDPOINT', region_name='us-east-1').upload_file(sys.argv[1], 'sds-test', 'bench/boto-big.bin')" "$WORK/src/big/big.bin"
    secs "$t0" "$(now)"
}

printf "%-28s %9s %9s %9s %9s\n" "case (seconds)" "sds" "dvc" "dvc/sds" ""
report() { # label sds dvc
    printf "%-28s %9s %9s %9s\n" "$1" "$2" "${3:--}" "$( [ -n "${3:-}" ] && ratio "$3" "$2" || echo -)"
}
for where in s3 folder; do
    for what in small big; do
        url=$([ $where = s3 ] && echo "s3://sds-test/bench-$what-sds" || echo "$WORK/remote-$what-sds")
        read -r sp sl sn <<<"$(sds_case "$where-$what" "$what" "$url")"
        dp="" dl="" dn=""
        if [ -z "${SDS_BENCH_SKIP_DVC:-}" ]; then
            durl=$([ $where = s3 ] && echo "s3://sds-test/bench-$what-dvc" || echo "$WORK/remote-$what-dvc")
            read -r dp dl dn <<<"$(dvc_case "$where-$what" "$what" "$durl")"
        fi
        label=$([ $what = small ] && echo "$N x 10 KiB" || echo "1 x $BIG MiB")
        report "$where $label push" "$sp" "$dp"
        report "$where $label pull" "$sl" "$dl"
        [ $what = small ] && report "$where $label no-op push" "$sn" "$dn"
    done
done
echo "boto3 upload_file (aws s3 cp) of the $BIG MiB file: $(boto_put) s"

# A teammate's build from a fresh clone: fetch its tag, then verify it reproduces.
verify_case() {
    local a="$WORK/verify-a" b="$WORK/verify-b" py; py=$("$REPO/tests/interop/venv.sh")
    "$py" "$REPO/../shared/bench/gen_wearable.py" "$WORK/wearable" --subjects "${VERIFY_SUBJECTS:-10}" --days "${VERIFY_DAYS:-7}" --seed 1 >/dev/null
    mkdir -p "$a/data" && cd "$a"
    git init -q && git config user.email b@e && git config user.name b
    cp "$WORK"/wearable/*.csv data/ && cp "$REPO/examples/wearable/sds.yaml" .
    "$SDS" init >/dev/null && "$SDS" add data >/dev/null && "$SDS" build -q && "$SDS" tag v1 >/dev/null
    "$SDS" remote add origin "s3://sds-test/bench-verify" --default >/dev/null
    "$SDS" remote modify origin endpoint_url "$SDS_S3_ENDPOINT" >/dev/null
    git add -A && git commit -qm v1 && "$SDS" push -q
    local t0; t0=$(now)
    git clone -q "$a" "$b" && cd "$b"
    local t1; t1=$(now); "$SDS" fetch -q v1; local fetched; fetched=$(now)
    "$SDS" verify v1 >/dev/null
    echo "fresh clone -> sds fetch v1 -> sds verify v1 (S3, wearable ${VERIFY_SUBJECTS:-10} x ${VERIFY_DAYS:-7}): $(secs "$t0" "$(now)") s" \
        "(clone $(secs "$t0" "$t1"), fetch $(secs "$t1" "$fetched"), verify $(secs "$fetched" "$(now)"))"
    cd "$WORK"
}
verify_case
