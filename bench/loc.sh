#!/usr/bin/env bash
# Lines of code before and after removing the wearable engine: per target, `wc -l` of the
# .swift files under Sources/<target> and Tests/<target>Tests at commit BEFORE (default
# c812768, the last commit with the engine) and AFTER (default HEAD), read from git.
#
#   bench/loc.sh                 # c812768 against HEAD
#   bench/loc.sh A B             # any two revisions
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
before=${1:-c812768}
after=${2:-HEAD}
count() { # REV PATH: lines of the .swift files under PATH at REV
    local files
    files=$(git -C "$here" ls-tree -r --name-only "$1" -- "$2" | grep '\.swift$' || true)
    [ -z "$files" ] && { echo 0; return; }
    # shellcheck disable=SC2086
    for f in $files; do git -C "$here" show "$1:$f"; done | wc -l
}
targets=$( (git -C "$here" ls-tree --name-only "$before" Sources/; git -C "$here" ls-tree --name-only "$after" Sources/) \
    | sed 's#Sources/##' | sort -u)
printf '| target | sources %s | sources %s | tests %s | tests %s |\n|---|---|---|---|---|\n' "$before" "$after" "$before" "$after"
tb=0 ta=0 ub=0 ua=0
for t in $targets; do
    sb=$(count "$before" "Sources/$t"); sa=$(count "$after" "Sources/$t")
    xb=$(count "$before" "Tests/${t}Tests"); xa=$(count "$after" "Tests/${t}Tests")
    [ "$sb$sa$xb$xa" = "0000" ] && continue
    printf '| %s | %d | %d | %d | %d |\n' "$t" "$sb" "$sa" "$xb" "$xa"
    tb=$((tb + sb)); ta=$((ta + sa)); ub=$((ub + xb)); ua=$((ua + xa))
done
# Test targets of no one source target (end-to-end, fuzz regressions).
for d in $( (git -C "$here" ls-tree --name-only "$before" Tests/; git -C "$here" ls-tree --name-only "$after" Tests/) | sed 's#Tests/##' | sort -u); do
    echo "$targets" | grep -qx "${d%Tests}" && continue
    xb=$(count "$before" "Tests/$d"); xa=$(count "$after" "Tests/$d")
    printf '| %s | | | %d | %d |\n' "$d" "$xb" "$xa"
    ub=$((ub + xb)); ua=$((ua + xa))
done
printf '| total | %d | %d | %d | %d |\n' "$tb" "$ta" "$ub" "$ua"
