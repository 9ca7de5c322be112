#!/usr/bin/env bash
# Writes a small, deterministic wearable dataset (no network, only awk):
#   DIR/subjects.csv                 subject_id,age,sex,bmi
#   DIR/heart_rate/S0001.csv …       subject_id,time,bpm   (one row a minute, some out-of-range)
#   DIR/steps/S0001.csv …            subject_id,time,steps
# Same arguments, same bytes, on any machine: the repo's committed examples/wearable-demo.sds
# pointer names exactly what `gen-demo-data.sh examples/wearable-demo 8 3` writes.
set -euo pipefail
dir=${1:?usage: gen-demo-data.sh DIR [SUBJECTS] [DAYS]}
subjects=${2:-8}
days=${3:-3}
mkdir -p "$dir/heart_rate" "$dir/steps"
LC_ALL=C awk -v dir="$dir" -v n="$subjects" -v days="$days" '
# Products stay below 2^53, so every awk (mawk, gawk, busybox) computes the same exact values.
function rnd() { seed = (seed * 69069 + 1) % 4294967296; return seed / 4294967296 }
function two(v) { return v < 10 ? "0" v : v }
BEGIN {
    print "subject_id,age,sex,bmi" > (dir "/subjects.csv")
    for (s = 1; s <= n; s++) {
        seed = s * 7919
        id = sprintf("S%04d", s)
        # One rnd() per statement: awks differ in the order they evaluate arguments.
        age = 20 + int(rnd() * 50); sex = rnd() < 0.5 ? "F" : "M"; bmi = 18 + rnd() * 15
        printf "%s,%d,%s,%.1f\n", id, age, sex, bmi >> (dir "/subjects.csv")
        hr = dir "/heart_rate/" id ".csv"; st = dir "/steps/" id ".csv"
        print "subject_id,time,bpm" > hr
        print "subject_id,time,steps" > st
        rest = 55 + int(rnd() * 20)
        for (d = 0; d < days; d++) {
            for (m = 0; m < 1440; m++) {
                if (rnd() < 0.03) continue                       # device off for this minute
                t = sprintf("2016-04-%02dT%s:%s:00.000Z", 12 + d, two(int(m / 60)), two(m % 60))
                active = (m >= 420 && m < 1320) ? 1 : 0
                bpm = rest + active * int(rnd() * 40)
                bpm += int(rnd() * 6)
                if (rnd() < 0.002) bpm = 0                        # sensor glitch
                print id "," t "," bpm >> hr
                steps = active ? int(rnd() * 120) : 0
                print id "," t "," steps >> st
            }
        }
        close(hr); close(st)
    }
}'
