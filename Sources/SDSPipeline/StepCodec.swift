import SDSCore
import SDSSensors
import SDSStore
import SDSTFRecord

/// Conversions between operator values and store objects, and operator errors to `SDSError`.
enum StepCodec {
    /// A parameter blob as it enters a step key (hex of the operator's canonical parameter bytes).
    static func params(_ bytes: [UInt8]) -> JSON {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 15)])
        }
        return .string(String(decoding: out, as: UTF8.self))
    }

    /// The bytes `params` wrote as hex, or nil for other text.
    static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        func value(_ d: UInt8) -> UInt8? {
            switch d {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return d - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return d - UInt8(ascii: "a") + 10
            default: return nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(digits.count / 2)
        for i in stride(from: 0, to: digits.count, by: 2) {
            guard let hi = value(digits[i]), let lo = value(digits[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
        }
        return out
    }

    /// Bad rows are bad data (65); a bad operator parameter comes from the spec (usage, 64).
    static func error(_ e: SensorError) -> SDSError {
        SDSError(e.code == .invalidParameter ? .usage : .badData, e.message, path: e.file, line: e.line, column: e.column)
    }

    /// Runs an operator body, turning its typed error into an `SDSError`.
    static func sensors<T>(_ body: () throws(SensorError) -> T) throws -> T {
        do { return try body() } catch { throw Self.error(error) }
    }

    /// The tf.train.Example for one example's features.
    static func example(_ day: DayExample) -> Example {
        var features: [String: Example.Feature] = [:]
        for f in day.features {
            switch f.value {
            case .bytes(let v): features[f.name] = .bytes(v)
            case .floats(let v): features[f.name] = .float(v)
            case .int64s(let v): features[f.name] = .int64(v)
            }
        }
        return Example(features)
    }
}

/// A subject's encoded records: a small JSON object naming the data blob, so shard
/// assembly knows counts and sizes without reading any record.
struct RecordChunk: Equatable {
    static let operatorName = "tfrecord.encode-examples"
    /// 2: the summary keeps the subject's feature statistics (`stats`).
    /// 3: and each feature's histogram on the fixed grid (`stats.histograms`, for `sds report`).
    static let operatorVersion = 3

    var data: ObjectID
    var count: Int
    /// Sum of serialized example sizes (TFDS `numBytes`), framing excluded.
    var exampleBytes: Int
    var dates: [String]
    var statistics = ChunkStatistics()

    var json: JSON {
        .object(["data": .string(data.hex), "count": .int(Int64(count)), "example_bytes": .int(Int64(exampleBytes)),
                 "dates": .array(dates.map { .string($0) }), "stats": statistics.json])
    }

    init(data: ObjectID, count: Int, exampleBytes: Int, dates: [String], statistics: ChunkStatistics = ChunkStatistics()) {
        self.data = data
        self.count = count
        self.exampleBytes = exampleBytes
        self.dates = dates
        self.statistics = statistics
    }

    init(decoding bytes: [UInt8]) throws {
        guard case .object(let o) = try JSONReader.parse(bytes),
              case .string(let d)? = o["data"], let data = ObjectID(hex: d),
              case .int(let c)? = o["count"], case .int(let b)? = o["example_bytes"],
              case .array(let ds)? = o["dates"]
        else { throw SDSError(.badData, "a record chunk object is malformed") }
        self.init(data: data, count: Int(c), exampleBytes: Int(b),
                  dates: ds.compactMap { if case .string(let s) = $0 { s } else { nil } }, statistics: ChunkStatistics(json: o["stats"]))
    }
}

extension ObjectStore {
    /// Reads an object for an operator that takes raw bytes.
    func readSensors(_ id: ObjectID) throws(SensorError) -> [UInt8] {
        do { return try read(id) } catch {
            throw SensorError(.corruptObject, "\(error)")
        }
    }
}
