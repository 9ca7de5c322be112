import ArgumentParser
import SDSArrayRecord
import SDSTFRecord

#if canImport(Glibc)
import Glibc
#endif

/// Plumbing for bench/array_record_bench.sh: the same records written as TFRecord shards and
/// as ArrayRecord shards, timed in one process on one thread.
struct BenchArrayRecord: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-arrayrecord",
        abstract: "Time writing a dataset's records as TFRecord and as ArrayRecord shards (plumbing).",
        discussion: """
            Reads every TFRecord shard of a TFDS folder into memory (not timed), then, --runs times each, writes them all again into --out as TFRecord shards (framing and CRCs) and as ArrayRecord shards (chunks, hashes, compression, footer), no fsync. Prints one JSON line: shards, records, recordBytes, the best seconds of each format, their ratio and the bytes each wrote.
            """,
        shouldDisplay: false)

    @Argument(help: "A TFDS folder with TFRecord shards (an sds build output).")
    var folder: String

    @Option(help: "Scratch folder for the shards (emptied of them afterwards).")
    var out: String

    @Option(help: "ArrayRecord compression: uncompressed, zstd or brotli.")
    var compression: String = "zstd"

    @Option(help: "Compression level (zstd 3, brotli 6 by default).")
    var level: Int?

    @Option(help: "Records per ArrayRecord chunk.")
    var groupSize: Int = 1

    @Option(help: "Timed runs; the fastest is reported.")
    var runs: Int = 3

    func run() throws {
        var options = ArrayRecordOptions(groupSize: groupSize)
        switch compression {
        case "uncompressed": options.compression = .uncompressed
        case "brotli": options.compression = .brotli(level: level ?? 6)
        case "zstd": options.compression = .zstd(level: level ?? 3)
        default: throw ValidationError("--compression must be uncompressed, zstd or brotli")
        }
        let tfds = try TFDSFolder(directory: folder)
        var shards: [(name: String, records: [[UInt8]])] = []
        for split in tfds.splits {
            for path in tfds.shardPaths(of: split) {
                let reader = try TFRecordReader(path: path)
                var records: [[UInt8]] = []
                while let r = try reader.next() { records.append(r) }
                shards.append((String(path.split(separator: "/").last!), records))
            }
        }
        var tfBest = Double.infinity, arBest = Double.infinity
        var tfBytes = 0, arBytes = 0
        for _ in 0..<runs {
            var start = ContinuousClock.now
            tfBytes = 0
            for shard in shards {
                let writer = try TFRecordWriter(path: out + "/" + shard.name, atomic: false, sync: false)
                for r in shard.records { try writer.write(r) }
                try writer.close()
                tfBytes += Int(writer.framedByteCount)
            }
            tfBest = min(tfBest, Self.seconds(since: start))
            start = ContinuousClock.now
            arBytes = 0
            for shard in shards {
                var writer = try ArrayRecordWriter(options: options, capacity: shard.records.reduce(0) { $0 + $1.count })
                for r in shard.records { try writer.append(r) }
                let bytes = try writer.finish()
                try Self.write(bytes, to: out + "/" + shard.name.replacingOccurrences(".tfrecord-", ".array_record-"))
                arBytes += bytes.count
            }
            arBest = min(arBest, Self.seconds(since: start))
        }
        for shard in shards {
            unlink(out + "/" + shard.name)
            unlink(out + "/" + shard.name.replacingOccurrences(".tfrecord-", ".array_record-"))
        }
        let records = shards.reduce(0) { $0 + $1.records.count }
        Output.line(JSONValue.object([
            "shards": .int(shards.count), "records": .int(records),
            "recordBytes": .int(shards.reduce(0) { $0 + $1.records.reduce(0) { $0 + $1.count } }),
            "tfrecordSeconds": .double(tfBest), "arrayRecordSeconds": .double(arBest), "ratio": .double(arBest / tfBest),
            "tfrecordBytes": .int(tfBytes), "arrayRecordBytes": .int(arBytes), "options": .string(options.writerOptions),
        ]).compact())
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    static func write(_ bytes: [UInt8], to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ValidationError("cannot write \(path)") }
        defer { close(fd) }
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, bytes.count - done) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { throw ValidationError("cannot write \(path)") }
            done += n
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
