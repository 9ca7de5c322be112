#!/usr/bin/env bash
# TFRecord write throughput: sds vs Python tf.io.TFRecordWriter, one core each.
#
# Usage: bench/tfrecord_bench.sh [PATH/TO/sds]   (default: builds .build-bench/release/sds)
# Env:   EXAMPLES (20000), FLOATS (2880), SDS_INTEROP_VENV (~/.cache/sds/interop-venv),
#        BENCH_DIR (where the file is written; default /dev/shm when present, so the disk's
#        writeback state does not swamp the numbers).
#
# Both sides write the same wearable-shaped records: two float lists of FLOATS values and
# three short bytes features, cycling through 64 distinct examples. Python writes examples
# already serialized with SerializeToString (building them is not timed); sds encodes each
# Example inside the timed loop. Each side runs 3 times per sink and reports its best.
# Sinks: a real file (kernel page-cache copy included) and /dev/null (the writer's own cost).
# Targets (issue 3): >= 1000 MB/s and >= 3x Python.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
EXAMPLES=${EXAMPLES:-20000}
FLOATS=${FLOATS:-2880}
VENV=${SDS_INTEROP_VENV:-$HOME/.cache/sds/interop-venv}

if [[ $# -ge 1 ]]; then
    SDS=$1
else
    (cd "$ROOT" && swift build -c release --scratch-path .build-bench --product sds >&2)
    SDS="$ROOT/.build-bench/release/sds"
fi

if ! "$VENV/bin/python" -c 'import tensorflow' 2>/dev/null; then
    echo "bench: no TensorFlow venv at $VENV; run tests/interop/run.sh first (it installs it)" >&2
    exit 1
fi

if [[ -n "${BENCH_DIR:-}" ]]; then
    WORK=$(mktemp -d "$BENCH_DIR/sds-bench.XXXXXX")
elif [[ -d /dev/shm && -w /dev/shm ]]; then
    WORK=$(mktemp -d /dev/shm/sds-bench.XXXXXX)
else
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/sds-bench.XXXXXX")
fi
trap 'rm -rf "$WORK"' EXIT

# One core for each side (TensorFlow would otherwise spread over its thread pools).
pin=()
if command -v taskset >/dev/null; then pin=(taskset -c 0); fi

sds_file=$("${pin[@]}" "$SDS" bench-tfrecord --examples "$EXAMPLES" --floats "$FLOATS" --out "$WORK/sds.tfrecord")
sds_null=$("${pin[@]}" "$SDS" bench-tfrecord --examples "$EXAMPLES" --floats "$FLOATS" --out /dev/null --keep)

py_json=$(TF_CPP_MIN_LOG_LEVEL=3 "${pin[@]}" "$VENV/bin/python" - "$EXAMPLES" "$FLOATS" "$WORK/py.tfrecord" <<'PY' 2>/dev/null
import json, os, sys, time
import numpy as np
import tensorflow as tf

examples, floats, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]

def sample(state, n):
    out = np.empty(n, dtype=np.float32)
    for i in range(n):  # the same generator as sds bench-tfrecord
        state = (state * 1664525 + 1013904223) & 0xFFFFFFFF
        signed = state - (1 << 32) if state >= 1 << 31 else state
        out[i] = np.float32((signed >> 8) / 65536)
    return out, state

pool = []
protos = []
for index in range(64):
    state = (index * 2654435761 + 1) & 0xFFFFFFFF
    accel, state = sample(state, floats)
    gyro, state = sample(state, floats)
    feature = tf.train.Feature
    example = tf.train.Example(features=tf.train.Features(feature={
        "accel": feature(float_list=tf.train.FloatList(value=accel)),
        "gyro": feature(float_list=tf.train.FloatList(value=gyro)),
        "subject": feature(bytes_list=tf.train.BytesList(value=[f"subject-{index % 17}".encode()])),
        "session": feature(bytes_list=tf.train.BytesList(value=[f"2024-06-0{index % 9 + 1}T08:00:00Z".encode()])),
        "activity": feature(bytes_list=tf.train.BytesList(value=[["walking", "running", "sitting", "cycling"][index % 4].encode()])),
    }))
    pool.append(example.SerializeToString())
    protos.append(example)

results = {}
for sink in [path, "/dev/null"]:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        with tf.io.TFRecordWriter(sink) as writer:
            for i in range(examples):
                writer.write(pool[i & 63])
        best = min(best, time.perf_counter() - start)
    size = examples * 16 + sum(len(pool[i & 63]) for i in range(examples))
    if sink == path:
        assert os.path.getsize(path) == size
        os.unlink(path)
    results["file" if sink == path else "null"] = {
        "examples": examples, "recordBytes": size, "seconds": best,
        "MBps": size / best / 1e6, "examplesPerSecond": examples / best}
# Informational: Python also encoding inside the timed loop, as sds does.
best = float("inf")
for _ in range(3):
    start = time.perf_counter()
    with tf.io.TFRecordWriter(path) as writer:
        for i in range(examples):
            writer.write(protos[i & 63].SerializeToString())
    best = min(best, time.perf_counter() - start)
os.unlink(path)
results["file_encoding"] = {"seconds": best, "MBps": results["file"]["recordBytes"] / best / 1e6,
                            "examplesPerSecond": examples / best}
print(json.dumps(results))
PY
)

"$VENV/bin/python" - "$sds_file" "$sds_null" "$py_json" "$WORK" <<'PY'
import json, sys
sds = {"file": json.loads(sys.argv[1]), "null": json.loads(sys.argv[2])}
py = json.loads(sys.argv[3])
where = sys.argv[4].rsplit("/", 1)[0]
if sds["file"]["recordBytes"] != py["file"]["recordBytes"]:
    sys.exit(f"bench: sds wrote {sds['file']['recordBytes']} bytes, Python {py['file']['recordBytes']}: not the same records")
n = sds["file"]["examples"]
crc = "hardware" if sds["file"]["hardwareCRC"] else "software slicing-by-16"
print(f"{n} records of {sds['file']['recordBytes'] // n} bytes, one core, best of 3; sds CRC-32C: {crc}")
print(f"{'sink':<22}{'sds MB/s':>10}{'sds ex/s':>11}{'python MB/s':>13}{'python ex/s':>13}{'ratio':>8}")
ratios = {}
for key, label in [("file", f"file in {where}"), ("null", "/dev/null")]:
    s, p = sds[key], py[key]
    ratios[key] = s["examplesPerSecond"] / p["examplesPerSecond"]
    print(f"{label:<22}{s['MBps']:>10.0f}{s['examplesPerSecond']:>11.0f}{p['MBps']:>13.0f}{p['examplesPerSecond']:>13.0f}{ratios[key]:>7.2f}x")
pe = py["file_encoding"]
print(f"{'file, python encodes':<22}{sds['file']['MBps']:>10.0f}{sds['file']['examplesPerSecond']:>11.0f}{pe['MBps']:>13.0f}"
      f"{pe['examplesPerSecond']:>13.0f}{sds['file']['examplesPerSecond'] / pe['examplesPerSecond']:>7.2f}x"
      "  (informational: SerializeToString timed too, as sds times its encoding)")
print(f"target >= 1000 MB/s to a file: {'met' if sds['file']['MBps'] >= 1000 else 'MISSED'}")
for key, label in [("file", "to a file"), ("null", "to /dev/null")]:
    print(f"target >= 3x Python {label}: {'met' if ratios[key] >= 3 else 'MISSED'} ({ratios[key]:.2f}x)")
PY
