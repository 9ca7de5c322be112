import Foundation
import SDSSensors
import SDSTFRecord
import Testing

/// Bytes of a CSV written inline.
func csv(_ text: String) -> [UInt8] { Array(text.utf8) }

/// Milliseconds since the epoch of a UTC date and time.
func ms(_ y: Int, _ mo: Int, _ d: Int, _ h: Int = 0, _ mi: Int = 0, _ s: Int = 0, _ milli: Int = 0) -> Int64 {
    CivilTime.day(year: y, month: mo, day: d) * 86_400_000 + Int64(h * 3_600_000 + mi * 60_000 + s * 1000 + milli)
}

/// The error a throwing call raised, or nil.
func sensorError<T>(_ body: () throws(SensorError) -> T) -> SensorError? {
    do throws(SensorError) {
        _ = try body()
        return nil
    } catch {
        return error
    }
}

/// The SDSTFRecord form of an assembled example.
func tfExample(_ example: DayExample) -> Example {
    var features: [String: Example.Feature] = [:]
    for f in example.features {
        switch f.value {
        case .bytes(let v): features[f.name] = .bytes(v)
        case .floats(let v): features[f.name] = .float(v)
        case .int64s(let v): features[f.name] = .int64(v)
        }
    }
    return Example(features)
}

/// Runs a program and returns its exit status and standard output.
@discardableResult
func run(_ arguments: [String], environment: [String: String]? = nil) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    if let environment { process.environment = environment }
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: output, as: UTF8.self))
}

func sha256Hex(ofFiles paths: [String]) throws -> String {
    let quoted = paths.map { "'\($0)'" }.joined(separator: " ")
    let (status, output) = try run(["sh", "-c", "cat \(quoted) | sha256sum"])
    precondition(status == 0, "sha256sum failed")
    return String(output.prefix(64))
}

func readFile(_ path: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
}

/// The WORKLOAD.md data sets, generated with the benchmark's `gen_wearable.py` and cached.
enum WearableData {
    /// `../shared` beside the repository, as the brief lays it out (SDS_SHARED overrides).
    static let generator: String = {
        if let shared = ProcessInfo.processInfo.environment["SDS_SHARED"], !shared.isEmpty {
            return shared + "/bench/gen_wearable.py"
        }
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        return repo + "/../shared/bench/gen_wearable.py"
    }()
    static let lock = NSLock()
    static let smallHeartRateSHA256 = "67a434d54a73c73d497959cfb7cda4bd3ce38721e488dcfa781523e154dc383f"

    /// The small set's directory (`--subjects 20 --days 7 --seed 1`), generated on first use
    /// into `${TMPDIR:-/tmp}/sds-wearable-small` and reused while its heart_rate.csv hash matches.
    static func small() throws -> String {
        // Parameterized tests run in parallel; generate once per process.
        lock.lock()
        defer { lock.unlock() }
        let tmp = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        let dir = tmp + "/sds-wearable-small"
        let hrPath = dir + "/heart_rate.csv"
        if FileManager.default.fileExists(atPath: hrPath),
           try sha256Hex(ofFiles: [hrPath]) == smallHeartRateSHA256 {
            return dir
        }
        // `make test` passes the interop venv's python (numpy pinned) as SDS_PYTHON.
        let python = ProcessInfo.processInfo.environment["SDS_PYTHON"].flatMap { $0.isEmpty ? nil : $0 } ?? "python3"
        let check = try run([python, "-c", "import numpy"])
        guard check.status == 0 else {
            throw SetupError("\(python) with numpy is needed to generate the small wearable set with \(generator); "
                             + "install numpy 2.4.6 or set SDS_PYTHON (tests/interop/venv.sh prints one)")
        }
        guard FileManager.default.fileExists(atPath: generator) else {
            throw SetupError("the generator \(generator) is missing")
        }
        // Generate beside the cache and rename, so concurrent runs never see a partial set.
        let scratch = dir + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let generated = try run([python, generator, scratch, "--subjects", "20", "--days", "7", "--seed", "1"])
        guard generated.status == 0 else {
            throw SetupError("\(generator) failed with status \(generated.status)")
        }
        guard try sha256Hex(ofFiles: [scratch + "/heart_rate.csv"]) == smallHeartRateSHA256 else {
            try? FileManager.default.removeItem(atPath: scratch)
            throw SetupError("generated heart_rate.csv does not have the WORKLOAD.md hash (numpy version?)")
        }
        // A stale set (wrong hash) is replaced; if another process renamed first, use its set.
        if FileManager.default.fileExists(atPath: hrPath) { try? FileManager.default.removeItem(atPath: dir) }
        if rename(scratch, dir) != 0 {
            try? FileManager.default.removeItem(atPath: scratch)
            guard try sha256Hex(ofFiles: [hrPath]) == smallHeartRateSHA256 else {
                throw SetupError("could not place the generated set at \(dir)")
            }
        }
        return dir
    }

    struct SetupError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
