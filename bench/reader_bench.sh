#!/usr/bin/env bash
# Table reader (read.table) throughput: `sds bench-reader` against pandas on the same files.
#
#   bench/reader_bench.sh              # long CSV: the WORKLOAD.md medium heart_rate.csv (682 MB)
#   SUBJECTS=20 DAYS=7 bench/reader_bench.sh   # the small set instead
#
# Env: RUNS (3: sds runs, best and median), PANDAS_RUNS (3), JSONL_ROWS (2000000: heart-rate
# rows turned into the JSON Lines file), BENCH_DIR (/tmp/sds-bench-build, shared with
# build_bench.sh so the medium set is generated once).
#
# Files: long CSV heart_rate.csv (subject_id,time,bpm; ISO-8601 Z times); wide CSV
# ../shared/data/fitbit/minuteStepsWide_merged.csv (60 Steps columns unpivoted, US AM/PM
# times); CSV ../shared/data/machina/sample.csv (ISO times, text columns, 64-bit unsigned
# run ids); JSON Lines made here from the first JSONL_ROWS rows of heart_rate.csv.
#
# sds reads on one thread and also partitions, parses every time to epoch ms and (wide)
# unpivots. pandas is timed on `read_csv(engine="pyarrow")` / `read_json(lines=True)` alone:
# once with Arrow limited to one thread (the per-core comparison, "ratio") and once with its
# default threads (all cores). MB/s are 10^6 input bytes per second, best of the runs.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
shared=${SDS_SHARED:-$here/../shared}
subjects=${SUBJECTS:-100}
days=${DAYS:-14}
work=${BENCH_DIR:-/tmp/sds-bench-build}
runs=${RUNS:-3}
pandas_runs=${PANDAS_RUNS:-3}
jsonl_rows=${JSONL_ROWS:-2000000}
mkdir -p "$work"
py=$("$here/tests/interop/venv.sh")
"$py" -c "import pandas, pyarrow" 2>/dev/null || "$py" -m pip install -q pandas pyarrow
. "$here/bench/common.sh"

data="$work/data-${subjects}x${days}"
wearable_data "$data" "$subjects" "$days"
hr="$data/heart_rate.csv"
jsonl="$data/heart_rate_${jsonl_rows}.jsonl"
if [ ! -f "$jsonl" ]; then
    head -n "$((jsonl_rows + 1))" "$hr" | awk -F, 'NR > 1 { printf "{\"subject_id\":\"%s\",\"time\":\"%s\",\"bpm\":%s}\n", $1, $2, $3 }' > "$jsonl.tmp"
    mv "$jsonl.tmp" "$jsonl"
fi

# pandas_mbps KIND FILE THREADS: best MB/s of PANDAS_RUNS reads.
pandas_mbps() {
    "$py" - "$1" "$2" "$3" "$pandas_runs" <<'PY'
import os, sys, time
kind, path, threads, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
import pyarrow, pandas as pd
if threads == "1":
    pyarrow.set_cpu_count(1)
    pyarrow.set_io_thread_count(1)
size = os.path.getsize(path)
best = float("inf")
for _ in range(runs):
    t = time.perf_counter()
    df = pd.read_csv(path, engine="pyarrow") if kind == "csv" else pd.read_json(path, lines=True)
    best = min(best, time.perf_counter() - t)
    del df
print(f"{size / best / 1e6:.1f}")
PY
}

# sds_field JSON KEY
sds_field() { "$py" -c 'import json, sys; print(round(json.loads(sys.argv[1])[sys.argv[2]], 1))' "$1" "$2"; }
ratio() { "$py" -c 'import sys; print(f"{float(sys.argv[1]) / float(sys.argv[2]):.2f}x")' "$1" "$2"; }

printf '%-9s %-34s %8s %10s %10s %10s %8s %10s %8s\n' reader file MB "sds best" "sds med" "pd 1 thr" ratio "pd all" ratio
row() { # label kind file sds-args...
    local label=$1 kind=$2 file=$3
    shift 3
    local out best median p1 pall
    out=$("$sds" bench-reader --runs "$runs" "$@" "$file")
    best=$(sds_field "$out" bestMBps)
    median=$(sds_field "$out" medianMBps)
    p1=$(pandas_mbps "$kind" "$file" 1)
    pall=$(pandas_mbps "$kind" "$file" all)
    printf '%-9s %-34s %8.1f %10s %10s %10s %8s %10s %8s\n' "$label" "$(basename "$file")" \
        "$("$py" -c "import os; print(os.path.getsize('$file') / 1e6)")" "$best" "$median" "$p1" "$(ratio "$best" "$p1")" \
        "$pall" "$(ratio "$best" "$pall")"
}

row "long CSV" csv "$hr" --partition subject_id --time time --column bpm
row "wide CSV" csv "$shared/data/fitbit/minuteStepsWide_merged.csv" \
    --partition Id --time ActivityHour --time-format us_12h --wide-pattern 'Steps{index}'
row "CSV" csv "$shared/data/machina/sample.csv" \
    --partition run_uuid --time time --column value --column robot_id --text-column field --text-column sensor_type
row "JSONL" jsonl "$jsonl" --format jsonl --partition subject_id --time time --column bpm
echo "MB/s: 10^6 input bytes/s, best of $runs (sds) and $pandas_runs (pandas); sds on one thread;"
echo "ratio = sds best / pandas best (pd 1 thr: Arrow on one thread; pd all: default threads, $(nproc) cores)."
# Time patterns against the named formats they spell (issue 17's 1.2x target).
echo
SDS_BIN="$sds" BENCH_DIR="$work" RUNS="$runs" "$here/bench/time_pattern_bench.sh"
# Compressed inputs read streaming: wall time and peak RSS against the plain twin.
echo
SDS_BIN="$sds" BENCH_DIR="$work" "$here/bench/compressed_bench.sh"
