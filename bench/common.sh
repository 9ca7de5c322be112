# Shared by the bench scripts (sourced): the DVC venv, the release sds, and the WORKLOAD.md
# data sets. Needs $here (the repository) and $shared (../shared); sets $dvc and $sds.
# SDS_BENCH_NO_DVC=1: a script that does not run DVC skips its install.
if [ -z "${SDS_BENCH_NO_DVC:-}" ]; then
    dvc_venv=${SDS_DVC_VENV:-$HOME/.cache/sds/dvc-venv}
    [ -x "$dvc_venv/bin/dvc" ] || { python3 -m venv "$dvc_venv" && "$dvc_venv/bin/pip" install -q dvc; }
    dvc="$dvc_venv/bin/dvc"
fi
(cd "$here" && swift build -c release --static-swift-stdlib --product sds >/dev/null)
sds="$here/.build/release/sds"

# wearable_data DIR SUBJECTS DAYS: the gen_wearable.py set (seed 1), generated once.
wearable_data() {
    if [ ! -f "$1/.complete" ]; then
        rm -rf "$1"
        "$("$here/tests/interop/venv.sh")" "$shared/bench/gen_wearable.py" "$1" --subjects "$2" --days "$3" --seed 1 >/dev/null
        touch "$1/.complete"
    fi
}
