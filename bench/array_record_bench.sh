#!/usr/bin/env bash
# ArrayRecord shards (issue 19) against TFRecord shards of the WORKLOAD.md medium set.
#
#   bench/array_record_bench.sh                  # medium set (100 subjects x 14 days)
#   SUBJECTS=20 DAYS=7 bench/array_record_bench.sh
# Env: COMPRESSIONS ("uncompressed zstd:1 zstd:3 brotli:6"; NAME or NAME:LEVEL), JOBS (1),
#      RUNS (3), READS (1000), BENCH_DIR (/tmp/sds-bench-ar).
#
# 1. Builds the set once with `formats: [tfrecord, array_record]` (the release sds).
# 2. Write: `sds bench-arrayrecord` rewrites the build's records as TFRecord shards and as
#    ArrayRecord shards in one process, the two alternating, JOBS shards at a time for both,
#    best of RUNS, for each compression: wall and CPU seconds and their ratios.
#    Target (issue 19): ArrayRecord at most 1.3x the TFRecord time, for the default options.
# 3. Read: READS random records through array_record's ArrayRecordDataSource (all shards of
#    each compression, one record per call, then one batched __getitems__), beside reading
#    every TFRecord shard in order with tf.data.TFRecordDataset; best of 3 each.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
shared=${SDS_SHARED:-$here/../shared}
subjects=${SUBJECTS:-100}
days=${DAYS:-14}
work=${BENCH_DIR:-/tmp/sds-bench-ar}
reads=${READS:-1000}
jobs=${JOBS:-1}
runs=${RUNS:-3}
compressions=${COMPRESSIONS:-uncompressed zstd:1 zstd:3 brotli:6}
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
scratch="$work/scratch" && rm -rf "$scratch" && mkdir -p "$scratch"

echo "write: ${subjects} subjects x ${days} days, $jobs shard(s) at a time for both formats, best of $runs;" \
     "load average $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
printf '%-22s %7s %8s %11s %11s %7s %9s %8s\n' "ArrayRecord options" records "MB" "tfrecord s" "arrayrec s" ratio "cpu ratio" "AR MB"
for c in $compressions; do
    name=${c%%:*}
    args=(--compression "$name")
    [[ $c == *:* ]] && args+=(--level "${c#*:}")
    mkdir -p "$scratch/$c"
    "$sds" bench-arrayrecord "$out" --out "$scratch/$c" "${args[@]}" --jobs "$jobs" --runs "$runs" --keep | python3 -c '
import json, sys
r = json.load(sys.stdin)
label = sys.argv[1] + (" (default)" if sys.argv[1] == "uncompressed" else "")
line = "%-22s %7d %8.1f %11.3f %11.3f %6.2fx %8.2fx %8.1f" % (label, r["records"], r["recordBytes"] / 1e6,
    r["tfrecordSeconds"], r["arrayRecordSeconds"], r["ratio"], r["cpuRatio"], r["arrayRecordBytes"] / 1e6)
print(line + ("" if r["ratio"] <= 1.3 else "   (over 1.3x)"))' "$c"
done

TF_CPP_MIN_LOG_LEVEL=3 "$py" - "$out" "$reads" "$scratch" $compressions <<'PY' 2>/dev/null
import glob, os, random, sys, time
d, reads, scratch, compressions = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4:]
from array_record.python.array_record_data_source import ArrayRecordDataSource


def best(f, n=3):
    times = []
    for _ in range(n):
        start = time.perf_counter()
        r = f()
        times.append(time.perf_counter() - start)
    return min(times), r


print(f"read: {reads} random records (the same indices for every compression), best of 3")
for c in compressions:
    files = sorted(f for f in glob.glob(os.path.join(scratch, c, "*.array_record-*")) if os.path.getsize(f) > 131072)
    source = ArrayRecordDataSource(files)
    rng = random.Random(1)
    idx = [rng.randrange(len(source)) for _ in range(reads)]
    one, n = best(lambda: sum(len(source[i]) for i in idx))
    batched, _ = best(lambda: source.__getitems__(idx))
    print(f"  ArrayRecordDataSource {c:<13} one at a time: {one:.3f} s ({reads/one:,.0f} records/s, {n/one/1e6:,.0f} MB/s);"
          f" one __getitems__: {batched:.3f} s ({reads/batched:,.0f} records/s)")
import tensorflow as tf
tf_files = sorted(glob.glob(os.path.join(d, "*.tfrecord-*")))


def sequential():
    count = size = 0
    for r in tf.data.TFRecordDataset(tf_files):
        count += 1
        size += len(r.numpy())
    return count, size


seq, (count, size) = best(sequential)
print(f"  tf.data.TFRecordDataset, all {count} records in order: {seq:.3f} s ({count/seq:,.0f} records/s, {size/seq/1e6:,.0f} MB/s)")
PY
