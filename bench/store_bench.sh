#!/usr/bin/env bash
# Store speed against its peers: openssl (the hashing limit) and DVC 3.x.
#
#   bench/store_bench.sh            # full run (1 GiB file, 10,000 x 10 KiB files)
#   SIZE_MB=256 FILES=2000 bench/store_bench.sh   # quicker
#
# Needs hyperfine (apt) and installs DVC into a venv outside the repo
# (${SDS_DVC_VENV:-~/.cache/sds/dvc-venv}). Prints medians and ratios; no timing is asserted.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
work=${BENCH_DIR:-/tmp/sds-bench}
size_mb=${SIZE_MB:-1024}
files=${FILES:-10000}
runs=${RUNS:-7}
shared=${SDS_SHARED:-$here/../shared}

command -v hyperfine >/dev/null || { echo "bench: needs hyperfine (apt-get install hyperfine)" >&2; exit 2; }
. "$here/bench/common.sh"

rm -rf "$work" && mkdir -p "$work"
median() { python3 -c "import json,sys,statistics; print(statistics.median(json.load(open(sys.argv[1]))['results'][0]['times']))" "$1"; }
hf() { # name, prepare (shell text), command
    # -N runs the prepare command without a shell too, splitting it into words: wrap it, or
    # 'rm -rf A; sds init' would hand "sds" to rm.
    hyperfine -N --runs "$runs" --warmup 1 --prepare "sh -c '$2'" --export-json "$work/$1.json" "$3" >/dev/null 2>&1 \
        || hyperfine --runs "$runs" --warmup 1 --prepare "$2" --export-json "$work/$1.json" "$3" >/dev/null
    median "$work/$1.json"
}

new_repo() { # dir: a git repo with an sds store and a DVC repo side by side
    mkdir -p "$1" && cd "$1" && git init -q && git config user.email b@example.com && git config user.name bench
    "$sds" init >/dev/null && "$dvc" init -q && git add -A && git commit -qm init
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $(date -u +%F)"
echo "dvc $("$dvc" --version), $(openssl version | cut -d' ' -f1-2), runs=$runs (median)"
echo

# 1. add of one large file
new_repo "$work/big"
head -c "$((size_mb * 1048576))" /dev/urandom > big.bin
cat big.bin > /dev/null
t_ssl=$(hf ssl "true" "openssl dgst -sha256 big.bin")
t_sds=$(hf sds_add "rm -rf .sensorstore/objects .sensorstore/index.sqlite* big.bin.sds; $sds init" "$sds add -q big.bin")
# DVC keeps a hash cache in .dvc/tmp; clear it as sds's index is cleared above.
t_dvc=$(hf dvc_add "rm -rf .dvc/cache .dvc/tmp big.bin.dvc" "$dvc add -q big.bin")

# 2. status of many unchanged small files, and 3. checkout where one file differs.
# Each tool gets its own repository holding the same files, so neither walks the other's copy.
gen_files() {
    python3 - "$files" <<'PY'
import os, random, sys
n = int(sys.argv[1])
rng = random.Random(7)
for i in range(n):
    d = f"data/d{i // 1000:02d}"
    os.makedirs(d, exist_ok=True)
    with open(f"{d}/f{i:05d}.bin", "wb") as f:
        f.write(rng.randbytes(10240))
PY
    find data -type f -exec touch -d 2020-01-01 {} +
}
new_repo "$work/many-sds" && gen_files
"$sds" add -q data && git add -A && git commit -qm v1
new_repo "$work/many-dvc" && gen_files
"$dvc" add -q data && git add -A && git commit -qm v1
cd "$work/many-sds" && "$sds" status >/dev/null
t_sds_st=$(hf sds_status "true" "$sds status")
cd "$work/many-dvc" && "$dvc" status -q data.dvc >/dev/null || true
t_dvc_st=$(hf dvc_status "true" "$dvc status data.dvc")

cd "$work/many-sds" && echo changed > data/d00/f00000.bin && "$sds" add -q data && git add -A && git commit -qm v2
t_sds_co=$(hf sds_checkout "$sds checkout -q" "$sds checkout -q HEAD~1")
cd "$work/many-dvc" && echo changed > data/d00/f00000.bin && "$dvc" add -q data && git add -A && git commit -qm v2
t_dvc_co=$(hf dvc_checkout "git checkout -q HEAD -- data.dvc && $dvc checkout -q data.dvc" \
    "sh -c 'git checkout -q HEAD~1 -- data.dvc && $dvc checkout -q data.dvc'")
git checkout -q HEAD -- data.dvc

python3 - "$size_mb" "$files" "$t_ssl" "$t_sds" "$t_dvc" "$t_sds_st" "$t_dvc_st" "$t_sds_co" "$t_dvc_co" <<'PY'
import sys
mb, n = sys.argv[1], sys.argv[2]
ssl, sds, dvc, sst, dst, sco, dco = map(float, sys.argv[3:])
ms = lambda s: f"{s * 1000:8.0f} ms"
print(f"| workload | sds | peer | ratio | target |")
print(f"|---|---|---|---|---|")
print(f"| add {mb} MiB file vs openssl dgst -sha256 | {ms(sds)} | {ms(ssl)} | {sds / ssl:.2f}x of openssl | <= 1.3x |")
print(f"| add {mb} MiB file vs dvc add | {ms(sds)} | {ms(dvc)} | {dvc / sds:.1f}x faster | >= 3x |")
print(f"| status, {n} unchanged 10 KiB files | {ms(sst)} | {ms(dst)} | {dst / sst:.1f}x faster | <= 60 ms, >= 10x |")
print(f"| checkout HEAD~1, 1 of {n} files differs | {ms(sco)} | {ms(dco)} | {dco / sco:.1f}x faster | >= 10x |")
PY
