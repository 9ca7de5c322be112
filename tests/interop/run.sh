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

exec "$VENV/bin/python" "$HERE/interop_check.py" --sds "$SDS" --expected "$WORK/expected.json" --work "$WORK"
