#!/usr/bin/env bash
# SDSSensors throughput: CSV parse, each operator, the whole wearable job, object coding.
#
# Usage: bench/sensors_bench.sh [DATA_DIR]   (default: the small set, generated if missing)
# Env:   RUNS (5: best of), SENSORS_BENCH_DIR (scratch package; default ${TMPDIR:-/tmp}/sds-sensors-bench)
#
# The operators are store-free, so this builds them alone, in release, in a scratch package
# whose SDSSensors target is a symlink to Sources/SDSSensors (and whose swift-crypto is the
# checkout SwiftPM already fetched), independent of the other targets' state.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=${RUNS:-5}
PKG=${SENSORS_BENCH_DIR:-${TMPDIR:-/tmp}/sds-sensors-bench}
DATA=${1:-${TMPDIR:-/tmp}/sds-wearable-small}

if [[ ! -f "$DATA/heart_rate.csv" ]]; then
    python3 /work/shared/bench/gen_wearable.py "$DATA" --subjects 20 --days 7 --seed 1 >&2
fi

CRYPTO=""
for d in "$ROOT"/.build*/checkouts/swift-crypto; do
    [[ -f "$d/Package.swift" ]] && CRYPTO=$d && break
done
if [[ -z "$CRYPTO" ]]; then
    echo "bench: no swift-crypto checkout under $ROOT/.build*/checkouts; run swift build once" >&2
    exit 1
fi

mkdir -p "$PKG/Sources/sensors-bench"
ln -sfn "$ROOT/Sources/SDSSensors" "$PKG/Sources/SDSSensors"
cat > "$PKG/Package.swift" <<SWIFT
// swift-tools-version:6.0
import PackageDescription
let package = Package(
    name: "sensors-bench",
    dependencies: [.package(path: "$CRYPTO")],
    targets: [
        .target(name: "SDSSensors", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        .executableTarget(name: "sensors-bench", dependencies: ["SDSSensors"]),
    ]
)
SWIFT
cat > "$PKG/Sources/sensors-bench/main.swift" <<'SWIFT'
import Dispatch
import SDSSensors
#if canImport(Glibc)
import Glibc
#endif

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

func readAll(_ path: String) -> [UInt8] {
    guard let f = fopen(path, "rb") else { fatalError("cannot open \(path)") }
    defer { fclose(f) }
    fseek(f, 0, SEEK_END)
    let n = ftell(f)
    fseek(f, 0, SEEK_SET)
    var bytes = [UInt8](repeating: 0, count: n)
    _ = bytes.withUnsafeMutableBytes { fread($0.baseAddress, 1, n, f) }
    return bytes
}

/// Best wall time of `runs` calls.
func best<T>(_ runs: Int, _ body: () throws -> T) rethrows -> (Double, T) {
    var bestTime = Double.infinity
    var last: T?
    for _ in 0..<runs {
        let t0 = now()
        last = try body()
        bestTime = min(bestTime, now() - t0)
    }
    return (bestTime, last!)
}

func line(_ name: String, _ seconds: Double, bytes: Int? = nil, rows: Int? = nil) {
    var text = name.padding(toLength: 40, withPad: " ", startingAt: 0) + String(format: "%9.2f ms", seconds * 1000)
    if let bytes { text += String(format: "  %8.0f MB/s", Double(bytes) / seconds / 1e6) }
    if let rows { text += String(format: "  %7.1f M rows/s", Double(rows) / seconds / 1e6) }
    print(text)
}

let args = CommandLine.arguments
let dir = args[1]
let runs = Int(args[2]) ?? 5

/// Peak resident memory so far, in MiB.
func peakRSS() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

// First, before anything else is resident: stream heart_rate.csv from disk in 16 MiB chunks in
// grouped mode, dropping each partition once returned (what a bounded-memory build does).
for jobs in [1, 2] {
    var bestTime = Double.infinity
    var rows = 0, size = 0
    var buffer = [UInt8](repeating: 0, count: 16 << 20)
    for _ in 0..<runs {
        rows = 0
        size = 0
        let t0 = now()
        guard let f = fopen(dir + "/heart_rate.csv", "rb") else { fatalError("cannot open heart_rate.csv") }
        var stream = LongCSVStream(file: "heart_rate.csv", schema: WearableJob.heartRateSchema, grouped: true, jobs: jobs)
        while true {
            let n = buffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, f) }
            if n == 0 { break }
            size += n
            let parts = try buffer.withUnsafeBytes { try stream.consume(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            rows += parts.reduce(0) { $0 + $1.rowCount }
        }
        rows += try stream.finish().reduce(0) { $0 + $1.rowCount }
        fclose(f)
        bestTime = min(bestTime, now() - t0)
    }
    line("stream heart_rate.csv 16 MiB, jobs \(jobs)", bestTime, bytes: size, rows: rows)
}
print(String(format: "peak RSS after streaming: %.0f MiB", peakRSS()))
let hrBytes = readAll(dir + "/heart_rate.csv")
let stepsBytes = readAll(dir + "/steps.csv")
let labelBytes = readAll(dir + "/sleep_labels.csv")
print("data: \(dir)  heart_rate.csv \(hrBytes.count) B, steps.csv \(stepsBytes.count) B; best of \(runs)")

var hr: [SensorPartition] = []
for jobs in [1, 2] {
    let (t, parts) = try best(runs) { try LongCSVReader.read(hrBytes, file: "heart_rate.csv", schema: WearableJob.heartRateSchema, jobs: jobs) }
    hr = parts
    line("parse heart_rate.csv, jobs \(jobs)", t, bytes: hrBytes.count, rows: parts.reduce(0) { $0 + $1.rowCount })
}
var steps: [SensorPartition] = []
for jobs in [1, 2] {
    let (t, parts) = try best(runs) { try LongCSVReader.read(stepsBytes, file: "steps.csv", schema: WearableJob.stepsSchema, jobs: jobs) }
    steps = parts
    line("parse steps.csv, jobs \(jobs)", t, bytes: stepsBytes.count, rows: parts.reduce(0) { $0 + $1.rowCount })
}
let labels = try LongCSVReader.read(labelBytes, file: "sleep_labels.csv", schema: WearableJob.sleepLabelSchema)
let hrRows = hr.reduce(0) { $0 + $1.rowCount }

let p = WearableJob.Parameters.standard
let stepsBy = Dictionary(uniqueKeysWithValues: steps.map { ($0.entity, $0) })
let labelsBy = Dictionary(uniqueKeysWithValues: labels.map { ($0.entity, $0) })

// Each operator over all subjects, one thread.
let (tClean, cleaned) = try best(runs) { try hr.map { try SeriesCleaner.clean($0, p.hrClean) } }
line("clean hr", tClean, rows: hrRows)
let (tGrid, grids) = best(runs) { cleaned.map { MinuteGrid.resample($0, p.hrGrid) } }
line("minute grid hr (mean)", tGrid, rows: hrRows)
let (tStepsGrid, stepsGrids) = try best(runs) {
    try hr.map { MinuteGrid.resample(try SeriesCleaner.clean(stepsBy[$0.entity]!, p.stepsClean), p.stepsGrid) }
}
line("clean + grid steps (sum)", tStepsGrid)
let (tFill, filled) = best(runs) { grids.map { ForwardFill.fill($0, p.hrFill) } }
line("forward fill", tFill)
let (tWin, windows) = try best(runs) { try zip(filled, stepsGrids).map { try DayWindowing.select([$0, $1], p.windows) } }
line("day windows", tWin)
let (tTen, tensors) = try best(runs) { try windows.map { try TensorBuilder.build($0, p.tensors) } }
line("tensors", tTen)
let (tCap, captions) = try best(runs) { try windows.map { try CaptionRenderer.render($0, template: p.caption) } }
line("captions", tCap)
let (tLab, dayLabels) = try best(runs) { try windows.map { try LabelJoin.join($0, labels: labelsBy[$0.entity], p.labels) } }
line("label join", tLab)
let (tAsm, examples) = try best(runs) {
    try (0..<windows.count).map { try ExampleAssembly.assemble(tensors: tensors[$0], captions: captions[$0], labels: dayLabels[$0], p.assembly) }
}
line("assemble examples", tAsm)
print("examples: \(examples.reduce(0) { $0 + $1.examples.count })")

// Object coding.
let (tEnc, encoded) = best(runs) { hr.map { $0.encoded() } }
let encodedBytes = encoded.reduce(0) { $0 + $1.count }
line("encode hr partitions", tEnc, bytes: encodedBytes, rows: hrRows)
let (tDec, _) = try best(runs) { try encoded.map { try SensorPartition(decoding: $0) } }
line("decode hr partitions", tDec, bytes: encodedBytes, rows: hrRows)
print(String(format: "hr partitions: %d B encoded (%.2f B/row; csv %.2f B/row)", encodedBytes,
             Double(encodedBytes) / Double(hrRows), Double(hrBytes.count) / Double(hrRows)))
let (tGridEnc, gridBytes) = best(runs) { filled.map { $0.encoded() } }
line("encode filled hr grids", tGridEnc, bytes: gridBytes.reduce(0) { $0 + $1.count })

// The whole job from bytes, as one call chain.
for jobs in [1, 2] {
    let (t, shards) = try best(runs) { () throws -> [WearableJob.Shard] in
        let hr = try LongCSVReader.read(hrBytes, file: "heart_rate.csv", schema: WearableJob.heartRateSchema, jobs: jobs)
        let steps = try LongCSVReader.read(stepsBytes, file: "steps.csv", schema: WearableJob.stepsSchema, jobs: jobs)
        let labels = try LongCSVReader.read(labelBytes, file: "sleep_labels.csv", schema: WearableJob.sleepLabelSchema)
        return try WearableJob.shards(heartRate: hr, steps: steps, labels: labels, p, jobs: jobs)
    }
    line("whole job (no TFRecord), jobs \(jobs)", t, bytes: hrBytes.count + stepsBytes.count + labelBytes.count)
    _ = shards
}

SWIFT

(cd "$PKG" && swift build -c release --product sensors-bench >&2)
"$PKG/.build/release/sensors-bench" "$DATA" "$RUNS"
