#!/usr/bin/env bash
# An S3 protocol server (moto_server, from the interop venv) on 127.0.0.1, for the remote
# tests and bench/remote_bench.sh.
#   scripts/s3-local.sh start        start it on a free port; prints the environment to use
#   scripts/s3-local.sh stop         stop the one 'start' started
#   scripts/s3-local.sh run CMD...   start, run CMD with the environment set, stop (even on failure)
# The environment: SDS_S3_ENDPOINT (http://127.0.0.1:PORT), SDS_S3_BUCKET (created empty),
# SDS_S3_PYTHON (a python with boto3), AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (moto's dummies).
set -euo pipefail
STATE=${SDS_S3_STATE:-${TMPDIR:-/tmp}/sds-s3-local-$(id -u)}
PY=${SDS_PYTHON:-$("$(dirname "$0")/../tests/interop/venv.sh")}
MOTO="$(dirname "$PY")/moto_server"
BUCKET=sds-test

start() {
    mkdir -p "$STATE"
    if [ -f "$STATE/pid" ] && kill -0 "$(cat "$STATE/pid")" 2>/dev/null; then
        echo "s3-local: already running (pid $(cat "$STATE/pid"))" >&2
    else
        # A free port: bind port 0 and read what the kernel gave.
        port=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
        "$MOTO" -H 127.0.0.1 -p "$port" >"$STATE/log" 2>&1 &
        echo $! >"$STATE/pid"
        echo "$port" >"$STATE/port"
        for _ in $(seq 1 100); do
            if "$PY" -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$port/moto-api/', timeout=1)" 2>/dev/null; then break; fi
            sleep 0.1
        done
    fi
    port=$(cat "$STATE/port")
    AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test "$PY" - "$port" "$BUCKET" <<'PY'
import sys, boto3
s3 = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{sys.argv[1]}", region_name="us-east-1")
try:
    s3.create_bucket(Bucket=sys.argv[2])
except s3.exceptions.BucketAlreadyOwnedByYou:
    pass
PY
    cat <<ENV
export SDS_S3_ENDPOINT=http://127.0.0.1:$port
export SDS_S3_BUCKET=$BUCKET
export SDS_S3_PYTHON=$PY
export AWS_ACCESS_KEY_ID=test
export AWS_SECRET_ACCESS_KEY=test
ENV
}

stop() {
    if [ -f "$STATE/pid" ]; then
        kill "$(cat "$STATE/pid")" 2>/dev/null || true
        rm -f "$STATE/pid" "$STATE/port"
    fi
}

case "${1:-}" in
start) start ;;
stop) stop ;;
run)
    shift
    trap stop EXIT
    env_lines=$(start)
    eval "$env_lines"
    echo "s3-local: moto_server at $SDS_S3_ENDPOINT (bucket $SDS_S3_BUCKET)" >&2
    "$@"
    ;;
*) echo "usage: $0 start|stop|run CMD..." >&2; exit 64 ;;
esac
