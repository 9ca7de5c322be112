#!/usr/bin/env bash
# The read of a compressed input, isolated: two .csv.gz files with the same rows and the same
# read columns, one padded with a long random column the spec does not read (so its .gz is
# about 5x larger). The frames the read makes are the same; only the compressed object's size
# differs. A read that holds the compressed object whole grows by the difference; one that
# reads the store object in pieces (1 MiB) does not. The study does almost nothing (one
# feature, one window a day, 100 subjects).
#
#   bench/compressed_read_bench.sh            # ROWS (1000000) rows; PAD_SMALL (16) / PAD_LARGE (200) hex chars
#   OLD_BIN=/tmp/sds-old bench/compressed_read_bench.sh   # also the same builds with another binary
#
# Env: SDS_BIN (a built sds; default: common.sh's release build), OLD_BIN, ROWS, BENCH_DIR
# (/tmp/sds-bench-read). Each build runs in a fresh repo (no step cache); peak RSS is GNU time's %M.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
rows=${ROWS:-1000000}
work=${BENCH_DIR:-/tmp/sds-bench-read}
mkdir -p "$work"
if [ -n "${SDS_BIN:-}" ]; then sds=$SDS_BIN; else SDS_BENCH_NO_DVC=1 . "$here/bench/common.sh"; fi

# make PAD: a .csv.gz of ROWS rows (100 subjects, hourly) with a PAD-hex-char random column.
make() {
    local f="$work/read_r${rows}_p$1.csv.gz"
    [ -f "$f" ] || python3 - "$rows" "$1" <<'PY' | gzip -6 > "$f.tmp" && mv "$f.tmp" "$f"
import os, sys
rows, pad = int(sys.argv[1]), int(sys.argv[2])
out = sys.stdout
out.write("Id,Time,Steps,Pad\n")
per = rows // 100
for s in range(100):
    lines = []
    for i in range(per):
        lines.append("u%d,%d,%d,%s\n" % (s, 1704067200 + i * 3600, (s * 7919 + i * 104729) % 1000, os.urandom(pad // 2).hex()))
    out.write("".join(lines))
PY
    echo "$f"
}

# build BIN FILE: "seconds peak-KB" of one build reading FILE, in a fresh repo.
build() {
    local repo="$work/read-repo"
    rm -rf "$repo" && mkdir -p "$repo/data" && cd "$repo"
    git init -q && git config user.email bench@example.com && git config user.name bench
    ln "$2" data/in.csv.gz 2>/dev/null || cp "$2" data/in.csv.gz
    cat > sds.yaml <<YAML
dataset: {name: read, version: 1.0.0}
sources:
  steps:
    path: data/in.csv.gz
    partition: Id
    time: {column: Time, format: epoch_s}
    columns: {Steps: double}
studies:
  s:
    inputs: [steps]
    windows:
      length: 30d
      features: {Steps: {step: 30d, aggregate: sum}}
splits: {percent: {train: 80, test: 20}, shards: {train: 1, test: 1}}
YAML
    "$1" init >/dev/null
    /usr/bin/time -f "%e %M" -o "$work/read-time.txt" "$1" build -q >/dev/null
    cat "$work/read-time.txt"
    cd "$work" && rm -rf "$repo"
}

small=$(make "${PAD_SMALL:-16}")
large=$(make "${PAD_LARGE:-200}")
printf '%-8s %-34s %10s %10s %12s\n' binary file "gz MB" seconds "peak RSS MB"
for bin in "$sds" ${OLD_BIN:+"$OLD_BIN"}; do
    label=new; [ "$bin" = "$sds" ] || label=old
    for f in "$small" "$large"; do
        read -r secs kb < <(build "$bin" "$f")
        printf '%-8s %-34s %10.1f %10s %12.1f\n' "$label" "$(basename "$f")" "$(echo "$(stat -c %s "$f") / 1000000" | bc -l)" \
            "$secs" "$(echo "$kb / 1024" | bc -l)"
    done
done
echo "Same rows and frames in both files; only the unread padding (so the .gz size) differs."
