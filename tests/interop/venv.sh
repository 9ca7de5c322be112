#!/usr/bin/env bash
# Makes sure the Python venv for the TensorFlow checks exists and prints its python.
# It lives outside the repo (SDS_INTEROP_VENV, default ~/.cache/sds/interop-venv) and is
# installed only when a pinned version is missing, so later runs take no time.
# numpy is pinned too: gen_wearable.py's bytes (and the expected hashes) depend on it.
set -euo pipefail
VENV=${SDS_INTEROP_VENV:-$HOME/.cache/sds/interop-venv}
# moto[server] and boto3: the S3 protocol server the remote tests start (scripts/s3-local.sh)
# and the client they check what sds wrote with.
PINS=(tensorflow-cpu==2.21.0 tensorflow-datasets==4.9.10 numpy==2.4.6 array-record==0.8.6 "moto[server]==5.2.1" boto3==1.43.11)

# Versions via package metadata: much faster than importing TensorFlow.
have_versions() {
    "$VENV/bin/python" - "${PINS[@]}" <<'PY' 2>/dev/null
import sys
from importlib.metadata import version
sys.exit(0 if all(version(p.split("==")[0].split("[")[0]) == p.split("==")[1] for p in sys.argv[1:]) else 1)
PY
}

if ! have_versions; then
    echo "interop: installing ${PINS[*]} into $VENV" >&2
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check "${PINS[@]}" >&2
    have_versions
fi
echo "$VENV/bin/python"
