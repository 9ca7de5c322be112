import ArgumentParser
import SDSCore
import SDSArrayRecord
import SDSTFRecord

#if canImport(Glibc)
import Glibc
#endif

/// Plumbing for bench/array_record_bench.sh: the same records written as TFRecord shards and
/// as ArrayRecord shards, timed in one process, with the same number of threads for both.
struct BenchArrayRecord: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-arrayrecord",
        abstract: "Time writing a dataset's records as TFRecord and as ArrayRecord shards (plumbing).",
        discussion: """
            Reads every TFRecord shard of a TFDS folder into memory (not timed), then, --runs times each, writes them all again into --out as TFRecord shards (TFRecordWriter: framing and CRCs, 256 KiB writes) and as ArrayRecord shards (ArrayRecordWriter to the file: chunks, hashes, compression, footer, 1 MiB writes), no fsync, the two formats alternating, each with --jobs shards at a time. Prints one JSON line: shards, records, recordBytes, the best wall and CPU seconds of each format, their ratios and the bytes each wrote. --keep leaves the last run's ArrayRecord shards in --out.
            """,
        shouldDisplay: false)

    @Argument(help: "A TFDS folder with TFRecord shards (an sds build output).")
    var folder: String

    @Option(help: "Scratch folder for the shards (emptied of them afterwards).")
    var out: String

    @Option(help: "ArrayRecord compression: uncompressed, zstd or brotli.")
    var compression: String = "uncompressed"

    @Option(help: "Compression level (zstd 3, brotli 6 by default).")
    var level: Int?

    @Option(help: "Records per ArrayRecord chunk.")
    var groupSize: Int = 1

    @Option(help: "Timed runs; the fastest is reported.")
    var runs: Int = 3

    @Option(help: "Shards written at a time, for both formats.")
    var jobs: Int = 1

    @Flag(help: "Keep the last run's ArrayRecord shards.")
    var keep = false

    func run() throws {
        var options = ArrayRecordOptions(groupSize: groupSize)
        switch compression {
        case "uncompressed": options.compression = .uncompressed
        case "brotli": options.compression = .brotli(level: level ?? 6)
        case "zstd": options.compression = .zstd(level: level ?? 3)
        default: throw ValidationError("--compression must be uncompressed, zstd or brotli")
        }
        let tfds = try TFDSFolder(directory: folder)
        var shards: [Shard] = []
        for split in tfds.splits {
            for path in tfds.shardPaths(of: split) {
                let reader = try TFRecordReader(path: path)
                var records: [[UInt8]] = []
                while let r = try reader.next() { records.append(r) }
                let name = String(path.split(separator: "/").last!)
                shards.append(Shard(tfrecord: out + "/" + name, arrayRecord: out + "/" + name.replacingOccurrences(".tfrecord-", ".array_record-"),
                                    records: records))
            }
        }
        let arOptions = options
        var tf = Timing(), ar = Timing()
        var tfBytes = 0, arBytes = 0
        for _ in 0..<runs {
            tfBytes = try tf.measure { try shards.parallelMap(jobs: jobs) { try $0.writeTFRecord() }.reduce(0, +) }
            arBytes = try ar.measure { try shards.parallelMap(jobs: jobs) { try $0.writeArrayRecord(arOptions) }.reduce(0, +) }
        }
        for shard in shards {
            unlink(shard.tfrecord)
            if !keep { unlink(shard.arrayRecord) }
        }
        let records = shards.reduce(0) { $0 + $1.records.count }
        Output.line(JSONValue.object([
            "shards": .int(shards.count), "records": .int(records), "jobs": .int(jobs),
            "recordBytes": .int(shards.reduce(0) { $0 + $1.records.reduce(0) { $0 + $1.count } }),
            "tfrecordSeconds": .double(tf.wall), "arrayRecordSeconds": .double(ar.wall), "ratio": .double(ar.wall / tf.wall),
            "tfrecordCPUSeconds": .double(tf.cpu), "arrayRecordCPUSeconds": .double(ar.cpu), "cpuRatio": .double(ar.cpu / tf.cpu),
            "tfrecordBytes": .int(tfBytes), "arrayRecordBytes": .int(arBytes), "options": .string(options.writerOptions),
        ]).compact())
    }

    /// One shard's records and where each format goes.
    struct Shard: Sendable {
        var tfrecord: String
        var arrayRecord: String
        var records: [[UInt8]]

        /// - Returns: the bytes written.
        func writeTFRecord() throws -> Int {
            let writer = try TFRecordWriter(path: tfrecord, atomic: false, sync: false)
            for r in records { try writer.write(r) }
            try writer.close()
            return Int(writer.framedByteCount)
        }

        /// The same for ArrayRecord: straight to the file, in the writer's 1 MiB pieces.
        func writeArrayRecord(_ options: ArrayRecordOptions) throws -> Int {
            let fd = open(arrayRecord, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw ValidationError("cannot write \(arrayRecord)") }
            defer { close(fd) }
            var written = 0
            let path = arrayRecord
            let writer = try ArrayRecordWriter(options: options) { piece in
                var done = 0
                while done < piece.count {
                    let n = Glibc.write(fd, piece.baseAddress! + done, piece.count - done)
                    if n < 0, errno == EINTR { continue }
                    guard n > 0 else { throw ValidationError("cannot write \(path)") }
                    done += n
                }
                written += piece.count
            }
            for r in records { try writer.append(r) }
            _ = try writer.finish()
            return written
        }
    }

    /// Best wall-clock and best process CPU seconds over the runs.
    struct Timing {
        var wall = Double.infinity
        var cpu = Double.infinity

        mutating func measure<R>(_ body: () throws -> R) rethrows -> R {
            let cpu0 = Self.cpuNow(), start = ContinuousClock.now
            let r = try body()
            let d = ContinuousClock.now - start
            wall = min(wall, Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18)
            cpu = min(cpu, Self.cpuNow() - cpu0)
            return r
        }

        /// User and system time of every thread of the process.
        static func cpuNow() -> Double {
            var t = timespec()
            clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
            return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
        }
    }
}

extension String {
    /// Foundation-free replace-all.
    fileprivate func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        var out = "", rest = Substring(self)
        while let r = rest.firstRange(of: target) {
            out += rest[..<r.lowerBound] + replacement
            rest = rest[r.upperBound...]
        }
        return out + rest
    }
}
