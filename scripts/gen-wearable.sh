#!/usr/bin/env bash
# Writes a small wearable study in the WORKLOAD.md format (no network, only awk):
#   DIR/heart_rate.csv    subject_id,time,bpm       (a sample every 5 s while worn, some glitches)
#   DIR/steps.csv         subject_id,time,steps     (one row a minute while worn)
#   DIR/sleep_labels.csv  subject_id,date,minutes_asleep,time_in_bed (most nights)
# Same arguments, same bytes. Usage: gen-wearable.sh DIR [SUBJECTS] [DAYS]
set -euo pipefail
dir=${1:?usage: gen-wearable.sh DIR [SUBJECTS] [DAYS]}
subjects=${2:-8}
days=${3:-3}
mkdir -p "$dir"
LC_ALL=C awk -v dir="$dir" -v n="$subjects" -v days="$days" '
# Products stay below 2^53, so every awk computes the same exact values.
function rnd() { seed = (seed * 69069 + 1) % 4294967296; return seed / 4294967296 }
function two(v) { return v < 10 ? "0" v : v }
function stamp(d, s, ms) { return sprintf("2016-04-%02dT%s:%s:%s.%03dZ", 12 + d, two(int(s / 3600)), two(int(s / 60) % 60), two(s % 60), ms) }
BEGIN {
    hr = dir "/heart_rate.csv"; st = dir "/steps.csv"; lb = dir "/sleep_labels.csv"
    print "subject_id,time,bpm" > hr
    print "subject_id,time,steps" > st
    print "subject_id,date,minutes_asleep,time_in_bed" > lb
    for (s = 1; s <= n; s++) {
        seed = s * 104729
        id = sprintf("S%04d", s)
        rest = 55 + int(rnd() * 15)
        for (d = 0; d < days; d++) {
            off_start = int(rnd() * 1200); off_len = 20 + int(rnd() * 120)   # one device-off gap a day
            for (m = 0; m < 1440; m++) {
                if (m >= off_start && m < off_start + off_len) continue
                active = (m >= 420 && m < 1320) ? 1 : 0
                for (k = 0; k < 12; k++) {
                    bpm = rest + active * int(rnd() * 35)
                    bpm += int(rnd() * 5)
                    if (rnd() < 0.001) bpm = 0                         # sensor glitch, cleaned away
                    print id "," stamp(d, m * 60 + k * 5, int(rnd() * 1000)) "," bpm >> hr
                }
                steps = active ? int(rnd() * 110) : 0
                print id "," stamp(d, m * 60, 0) "," steps >> st
            }
            if (rnd() < 0.9) {
                asleep = 300 + int(rnd() * 180)
                printf "%s,2016-04-%02d,%d,%d\n", id, 12 + d, asleep, asleep + int(rnd() * 60) >> lb
            }
        }
    }
}'
