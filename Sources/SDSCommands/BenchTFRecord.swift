import ArgumentParser
import SDSTFRecord

#if canImport(Glibc)
import Glibc
#endif

/// Plumbing for bench/tfrecord_bench.sh: times encoding + framing + writing
/// wearable-shaped Examples on the calling thread.
struct BenchTFRecord: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-tfrecord",
        abstract: "Time writing wearable-shaped tf.train.Examples to a TFRecord file (plumbing).",
        discussion: """
            Each example has two float lists of --floats values (accelerometer and gyroscope windows) and three short bytes features. A pool of 64 distinct examples is built first (not timed); then --examples records are encoded, framed, CRC'd and written (timed, including the final flush; no fsync, like tf.io.TFRecordWriter). Prints one JSON line: examples, recordBytes (framed bytes written), seconds, MBps (10^6 bytes/s) and examplesPerSecond.
            """,
        shouldDisplay: false)

    @Option(help: "Records to write.")
    var examples: Int = 20_000

    @Option(help: "Values per float list.")
    var floats: Int = 2_880

    @Option(help: "Output file (overwritten, removed afterwards unless --keep), or /dev/null to leave the page cache out.")
    var out: String

    @Flag(help: "Keep the output file.")
    var keep = false

    @Option(help: "Writer buffer in bytes (records are framed here between write calls).")
    var bufferSize: Int = 256 << 10

    @Option(help: "Timed runs; the fastest is reported.")
    var runs: Int = 3

    func validate() throws {
        guard examples > 0, floats >= 0, runs > 0 else { throw ValidationError("counts must be positive") }
    }

    func run() throws {
        let pool = (0..<64).map { Self.example($0, floats: floats) }
        var best = Double.infinity
        var bytes: UInt64 = 0
        do {
            for _ in 0..<runs {
                let start = ContinuousClock.now
                // atomic + sync off: the same work tf.io.TFRecordWriter does.
                let writer = try TFRecordWriter(path: out, atomic: false, sync: false, bufferSize: bufferSize)
                for i in 0..<examples { try writer.write(pool[i & 63]) }
                try writer.close()
                let elapsed = ContinuousClock.now - start
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
                best = min(best, seconds)
                bytes = writer.framedByteCount
            }
        } catch let error as TFRecordError {
            Output.error(error.description)
            throw ExitCode(ExitStatus.code(for: .io))
        }
        if !keep { removeIfRegularFile(out) }
        let result: JSONValue = .object([
            "examples": .int(examples),
            "recordBytes": .int(bytes),
            "seconds": .double(best),
            "MBps": .double(Double(bytes) / best / 1e6),
            "examplesPerSecond": .double(Double(examples) / best),
            "hardwareCRC": .bool(CRC32C.isHardwareAccelerated),
        ])
        Output.line(result.compact())
    }

    /// Never unlinks a device such as /dev/null, whatever the flags say.
    private func removeIfRegularFile(_ path: String) {
        var info = stat()
        if lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG { unlink(path) }
    }

    /// One wearable window: 2 × `floats` sensor values plus ids, like the pipeline writes.
    static func example(_ index: Int, floats: Int) -> Example {
        var state = UInt32(truncatingIfNeeded: index &* 2_654_435_761 &+ 1)
        func sample() -> Float {
            state = state &* 1_664_525 &+ 1_013_904_223
            return Float(Int32(bitPattern: state) >> 8) / 65_536
        }
        return Example([
            "accel": .float((0..<floats).map { _ in sample() }),
            "gyro": .float((0..<floats).map { _ in sample() }),
            "subject": .text("subject-\(index % 17)"),
            "session": .text("2024-06-0\(index % 9 + 1)T08:00:00Z"),
            "activity": .text(["walking", "running", "sitting", "cycling"][index % 4]),
        ])
    }
}
