#!/usr/bin/env bash
# ArrayRecord shards (issue 19) against TFRecord shards of the WORKLOAD.md medium set.
#
#   bench/array_record_bench.sh                  # medium set (100 subjects x 14 days)
#   SUBJECTS=20 DAYS=7 bench/array_record_bench.sh
# Env: COMPRESSIONS ("uncompressed zstd brotli"), READS (1000), BENCH_DIR (/tmp/sds-bench-ar).
#
# 1. Builds the set once with `formats: [tfrecord, array_record]` (the release sds).
# 2. Write: `sds bench-arrayrecord` rewrites the build's records as TFRecord shards and as
#    ArrayRecord shards in one process on one thread, best of 3, for each compression.
#    Target (issue 19): ArrayRecord at most 1.3x the TFRecord time.
# 3. Read: READS random records through array_record's ArrayRecordDataSource (all shards,
#    one record per call, then one batched __getitems__) beside reading every TFRecord shard
#    in order with tf.data.TFRecordDataset, each in its own process.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
shared=${SDS_SHARED:-$here/../shared}
subjects=${SUBJECTS:-100}
days=${DAYS:-14}
work=${BENCH_DIR:-/tmp/sds-bench-ar}
reads=${READS:-1000}
py=$("$here/tests/interop/venv.sh")
mkdir -p "$work"
SDS_BENCH_NO_DVC=1 . "$here/bench/common.sh"

data="$work/data-${subjects}x${days}"
wearable_data "$data" "$subjects" "$days"
study="$work/study-${subjects}x${days}"
rm -rf "$study" && mkdir -p "$study" && ln -s "$data" "$study/data"
sed '/^output:/d' "$here/examples/wearable/sds.yaml" > "$study/sds.yaml"
printf 'output:\n  path: out\n  formats: [tfrecord, array_record]\n' >> "$study/sds.yaml"
(cd "$study" && "$sds" init >/dev/null && "$sds" build -q)
out="$study/out/wearable/1.0.0"
scratch="$work/scratch" && mkdir -p "$scratch"

pin=()
if command -v taskset >/dev/null; then pin=(taskset -c 0); fi
echo "write: ${subjects} subjects x ${days} days, one core, best of 3"
printf '%-14s %8s %10s %12s %12s %8s %12s\n' compression records "MB" "tfrecord s" "arrayrec s" ratio "AR MB"
for c in ${COMPRESSIONS:-uncompressed zstd brotli}; do
    "${pin[@]}" "$sds" bench-arrayrecord "$out" --out "$scratch" --compression "$c" | python3 -c '
import json, sys
r = json.load(sys.stdin)
line = "%-14s %8d %10.1f %12.3f %12.3f %7.2fx %12.1f" % (sys.argv[1], r["records"], r["recordBytes"] / 1e6,
    r["tfrecordSeconds"], r["arrayRecordSeconds"], r["ratio"], r["arrayRecordBytes"] / 1e6)
print(line + ("" if r["ratio"] <= 1.3 else "   (over the 1.3x target)"))' "$c"
done

TF_CPP_MIN_LOG_LEVEL=3 "${pin[@]}" "$py" - "$out" "$reads" <<'PY' 2>/dev/null
import glob, json, os, random, sys, time
d, reads = sys.argv[1], int(sys.argv[2])
from array_record.python.array_record_data_source import ArrayRecordDataSource
files = sorted(f for f in glob.glob(os.path.join(d, "*.array_record-*")) if os.path.getsize(f) > 131072)
start = time.perf_counter()
source = ArrayRecordDataSource(files)
opened = time.perf_counter() - start
rng = random.Random(1)
idx = [rng.randrange(len(source)) for _ in range(reads)]
start = time.perf_counter()
n = sum(len(source[i]) for i in idx)
one = time.perf_counter() - start
idx2 = [rng.randrange(len(source)) for _ in range(reads)]
start = time.perf_counter()
batch = source.__getitems__(idx2)
batched = time.perf_counter() - start
import tensorflow as tf
tf_files = sorted(glob.glob(os.path.join(d, "*.tfrecord-*")))
start = time.perf_counter()
count = size = 0
for r in tf.data.TFRecordDataset(tf_files):
    count += 1; size += len(r.numpy())
seq = time.perf_counter() - start
print(f"read: {len(source)} records in {len(files)} ArrayRecord shards (open {opened*1000:.0f} ms)")
print(f"  ArrayRecordDataSource, {reads} random records one at a time: {one:.3f} s, {reads/one:,.0f} records/s, {n/one/1e6:.0f} MB/s")
print(f"  ArrayRecordDataSource, {reads} random records in one __getitems__: {batched:.3f} s, {reads/batched:,.0f} records/s")
print(f"  tf.data.TFRecordDataset, all {count} records in order: {seq:.3f} s, {count/seq:,.0f} records/s, {size/seq/1e6:.0f} MB/s")
PY
