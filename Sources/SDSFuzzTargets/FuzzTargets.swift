import SDSCore
import SDSPipeline
import SDSSensors
import SDSStore
import SDSTFRecord

/// The parsers and decoders that read bytes sds did not write itself: one entry per fuzz target.
///
/// Each entry feeds arbitrary bytes to one reader. A thrown error is a correct answer to bad
/// input; a trap (out of bounds, overflow, force unwrap), a hang or runaway memory is a bug.
/// `sds-fuzz` runs them under libFuzzer; `FuzzRegressionTests` replays the seed corpus and every
/// input that once crashed.
public enum FuzzTargets {
    public static let all: [String: @Sendable ([UInt8]) -> Void] = [
        "csv": longCSV,
        "table-csv": { tableCSV($0) },
        "jsonl": jsonLines,
        "time": time,
        "spec": spec,
        "pointer": { _ = try? Pointer(decoding: $0, path: "fuzz.sds") },
        "tree": tree,
        "tfrecord": tfrecord,
        "example": { _ = try? ExampleDecoder.decode($0) },
    ]

    /// The wearable pipeline's long CSV reader, in one piece and fed in two chunks.
    static func longCSV(_ bytes: [UInt8]) {
        let schema = LongCSVSchema(entityColumn: "id", timeColumn: "time",
                                   valueColumns: [ValueColumn("value", .int64), ValueColumn("x", .double)])
        _ = try? LongCSVReader.read(bytes, file: "fuzz.csv", schema: schema)
        guard bytes.count > 1 else { return }
        var stream = LongCSVStream(file: "fuzz.csv", schema: schema, grouped: bytes[0] & 1 == 1)
        let cut = Int(bytes[0]) % bytes.count
        // A stream is not used again after it threw (its contract).
        do {
            _ = try stream.consume(Array(bytes[..<cut]))
            _ = try stream.consume(Array(bytes[cut...]))
            _ = try stream.finish()
        } catch {}
    }

    /// Reader settings chosen by the input's first byte, so one target covers zones and formats.
    static func tableParameters(_ selector: UInt8, format: FrameFileFormat) -> TableReaderParameters {
        let zones = ["UTC", "America/New_York", "Europe/Berlin", "Asia/Kolkata"]
        let formats: [FrameTimeFormat] = [.iso8601, .usDateTime12, .usDateTime24, .usDate, .isoDate,
                                          .epochSeconds, .epochMilliseconds, (try? FrameTimeFormat("%e-%b-%y %I:%M:%S.%f %p %z")) ?? .iso8601]
        let time = FrameTimeSpec(column: "time", format: formats[Int(selector) % formats.count],
                                 timeColumn: selector & 0x80 != 0 ? "clock" : nil, zone: zones[Int(selector >> 3) % zones.count])
        return TableReaderParameters(format: format, partition: ["id"], time: time, columns: [
            FrameReadColumn(source: "v", valid: 0...1000), FrameReadColumn(source: "s", type: .text),
        ])
    }

    static func tableCSV(_ bytes: [UInt8], format: FrameFileFormat = .csv) {
        guard let selector = bytes.first else { return }
        for strict in [true, false] {
            var q = Quarantine(strict: strict)
            _ = try? TableReader(tableParameters(selector, format: format)).read(Array(bytes.dropFirst()), file: "fuzz", quarantine: &q)
        }
    }

    static func jsonLines(_ bytes: [UInt8]) { tableCSV(bytes, format: .jsonl) }

    /// One time field (and a clock field) in a one-row table: every time format and zone.
    static func time(_ bytes: [UInt8]) {
        guard let selector = bytes.first else { return }
        let fields = bytes.dropFirst().split(separator: UInt8(ascii: "|"), maxSplits: 1, omittingEmptySubsequences: false)
        func quoted(_ f: ArraySlice<UInt8>) -> [UInt8] {
            [UInt8(ascii: "\"")] + f.flatMap { $0 == UInt8(ascii: "\"") ? [$0, $0] : [$0] } + [UInt8(ascii: "\"")]
        }
        var csv = Array("id,time,clock,v,s\na,".utf8) + quoted(fields.first ?? [])
        csv += [UInt8(ascii: ",")] + quoted(fields.count > 1 ? fields[1] : []) + Array(",1,x\n".utf8)
        var q = Quarantine(strict: true)
        _ = try? TableReader(tableParameters(selector, format: .csv)).read(csv, file: "fuzz.csv", quarantine: &q)
    }

    static func spec(_ bytes: [UInt8]) {
        // Yams reads text; bytes that are not UTF-8 never reach it from a file either.
        guard let text = String(validating: bytes, as: UTF8.self) else { return }
        _ = try? Spec.parse(text)
    }

    /// A tree that decodes must encode back to the same bytes (trees are canonical).
    static func tree(_ bytes: [UInt8]) {
        guard let t = try? Tree(decoding: bytes) else { return }
        precondition(t.encoded() == bytes, "a decoded tree does not re-encode to its bytes")
    }

    static func tfrecord(_ bytes: [UInt8]) {
        guard let first = bytes.first else { return }
        let compression = TFRecordCompression.allCases[Int(first) % TFRecordCompression.allCases.count]
        guard let reader = try? TFRecordReader(bytes: Array(bytes.dropFirst()), compression: compression) else { return }
        reader.verifiesChecksums = first & 0x80 == 0
        for _ in 0..<10_000 {
            guard let record = try? reader.next() else { return }
            _ = try? ExampleDecoder.decode(record)
        }
    }
}
