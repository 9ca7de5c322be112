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
VENV=${SDS_INTEROP_VENV:-$HOME/.cache/sds/interop-venv}
TF_VERSION=2.21.0
TFDS_VERSION=4.9.10

# Versions via package metadata: much faster than importing TensorFlow.
have_versions() {
    "$VENV/bin/python" - "$TF_VERSION" "$TFDS_VERSION" <<'PY' 2>/dev/null
import sys
from importlib.metadata import version
sys.exit(0 if (version("tensorflow-cpu"), version("tensorflow-datasets")) == (sys.argv[1], sys.argv[2]) else 1)
PY
}

if ! have_versions; then
    echo "interop: installing tensorflow-cpu==$TF_VERSION tensorflow-datasets==$TFDS_VERSION into $VENV" >&2
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check \
        "tensorflow-cpu==$TF_VERSION" "tensorflow-datasets==$TFDS_VERSION"
    have_versions
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/sds-interop.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

"$SDS" write-test-dataset "$WORK/data/sdsinterop/1.0.0" \
    --expected "$WORK/expected.json" --gzip-file "$WORK/train.tfrecord.gz" --zlib-file "$WORK/train.tfrecord.zz"

export TF_CPP_MIN_LOG_LEVEL=2 TF_ENABLE_ONEDNN_OPTS=0
exec "$VENV/bin/python" "$HERE/interop_check.py" --sds "$SDS" --expected "$WORK/expected.json" --work "$WORK"
