#!/usr/bin/env bash
# Interop with real TensorFlow: TF and TFDS read what sds writes, value for value,
# and sds reads what TF writes. Usage: tests/interop/run.sh PATH/TO/sds
#
# The venv lives outside the repo (default ~/.cache/sds/interop-venv, override with
# SDS_INTEROP_VENV) and is installed only when missing, so a second run is fast.
set -euo pipefail

if [[ $# -lt 1 ]]; then
    echo "usage: $0 PATH/TO/sds" >&2
    exit 64
fi
sds_dir=$(cd "$(dirname "$1")" && pwd)
SDS="$sds_dir/$(basename "$1")"
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PYTHON=$("$HERE/venv.sh")
VENV=$(dirname "$(dirname "$PYTHON")")

WORK=$(mktemp -d "${TMPDIR:-/tmp}/sds-interop.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

"$SDS" write-test-dataset "$WORK/data/sdsinterop/1.0.0" \
    --expected "$WORK/expected.json" --gzip-file "$WORK/train.tfrecord.gz" --zlib-file "$WORK/train.tfrecord.zz"

export TF_CPP_MIN_LOG_LEVEL=2 TF_ENABLE_ONEDNN_OPTS=0

# What `sds build` writes loads in TFDS and tf.data (a generated study, the example spec).
mkdir -p "$WORK/study" && cp "$HERE/../../examples/wearable/sds.yaml" "$WORK/study/"
"$HERE/../../scripts/gen-wearable.sh" "$WORK/study/data" 8 2
(cd "$WORK/study" && "$SDS" init >/dev/null && "$SDS" build -q)
"$VENV/bin/python" "$HERE/build_check.py" "$WORK/study/out/wearable/1.0.0" | tail -1 | sed 's/^/sds build output: /'

# ArrayRecord shards (issue 19): the same study with both formats (zstd, as TFDS writes), and
# with ArrayRecord alone, default options (uncompressed) and brotli; PyPI's array-record and
# TFDS read them, sds reads the library's files, and the default shards are the library's bytes.
for variant in both:formats:zstd plain:format:default brotli:format:brotli; do
    IFS=: read -r dir key compression <<<"$variant"
    mkdir -p "$WORK/ar-$dir" && cp -r "$WORK/study/data" "$WORK/ar-$dir/"
    sed '/^output:/d' "$HERE/../../examples/wearable/sds.yaml" > "$WORK/ar-$dir/sds.yaml"
    if [[ $key == formats ]]; then value="[tfrecord, array_record]"; else value=array_record; fi
    printf 'output:\n  path: out\n  %s: %s\n' "$key" "$value" >> "$WORK/ar-$dir/sds.yaml"
    if [[ $compression != default ]]; then
        printf '  array_record: {compression: %s}\n' "$compression" >> "$WORK/ar-$dir/sds.yaml"
    fi
    (cd "$WORK/ar-$dir" && "$SDS" init >/dev/null && "$SDS" build -q)
done
"$VENV/bin/python" "$HERE/array_record_check.py" --sds "$SDS" --both "$WORK/ar-both/out/wearable/1.0.0" \
    --single "$WORK/ar-plain/out/wearable/1.0.0" "$WORK/ar-brotli/out/wearable/1.0.0" \
    --damage "$WORK/ar-plain/out/wearable/1.0.0" --identical "$WORK/ar-plain/out/wearable/1.0.0" \
    --work "$WORK" | tail -1 | sed 's/^/array_record: /'

# The real-data examples (examples/fitbit, examples/robot) load in TFDS as built. They read
# ../shared/data relative to the repository, so they are built in a copy laid out the same way.
SHARED=${SDS_SHARED:-$HERE/../../../shared}
if [[ -d "$SHARED/data" ]]; then
    mkdir -p "$WORK/ex/repo/examples"
    ln -s "$(cd "$SHARED" && pwd)" "$WORK/ex/shared"
    cp -r "$HERE/../../examples/fitbit" "$HERE/../../examples/robot" "$WORK/ex/repo/examples/"
    rm -rf "$WORK/ex/repo/examples/"*/out "$WORK/ex/repo/examples/"*/sds.lock
    (cd "$WORK/ex/repo" && git init -q && "$SDS" init >/dev/null)
    (cd "$WORK/ex/repo/examples/fitbit" && "$SDS" build -q)
    (cd "$WORK/ex/repo/examples/robot" && "$SDS" build -q)
    "$VENV/bin/python" "$HERE/frames_check.py" "$WORK/ex/repo/examples/fitbit/out/fitbit/1.0.0" 391 \
        sensor/steps=1440 sensor/intensity=1440 sensor/calories=24 | tail -1 | sed 's/^/examples\/fitbit: /'
    "$VENV/bin/python" "$HERE/frames_check.py" "$WORK/ex/repo/examples/robot/out/robot/1.0.0" 4 \
        sensor/x_1=361 sensor/v1=361 sensor/f2=361 | tail -1 | sed 's/^/examples\/robot: /'
else
    echo "error: $SHARED/data is missing; the example checks need ../shared beside the repository (or SDS_SHARED)" >&2
    exit 1
fi

exec "$VENV/bin/python" "$HERE/interop_check.py" --sds "$SDS" --expected "$WORK/expected.json" --work "$WORK"
