import ArgumentParser
import SDSCore
import SDSTFRecord

/// Plumbing for the TensorFlow interop test: a small deterministic TFDS folder
/// plus `expected.json` holding every value, so Python can compare exactly.
struct WriteTestDataset: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "write-test-dataset",
        abstract: "Write the deterministic TFDS test dataset used by tests/interop (plumbing).",
        discussion: """
            Writes dataset 'sdsinterop' 1.0.0 into DIR: train (3 shards) and test (2 shards) with a [-1, 2] float32 sensor tensor of varying length, float and int64 scalars, a non-ASCII caption and a class label. expected.json (beside DIR unless --expected) lists every value, floats also as uint32 bit patterns. --gzip-file and --zlib-file also write the train examples as one compressed TFRecord file each.
            """,
        shouldDisplay: false)

    @Argument(help: "Dataset folder to write (created if missing; should be empty).")
    var dir: String

    @Option(help: "Where to write expected.json (default: DIR/../expected.json).")
    var expected: String?

    @Option(help: "Also write the train examples to this GZIP-compressed TFRecord file.")
    var gzipFile: String?

    @Option(help: "Also write the train examples to this ZLIB-compressed TFRecord file.")
    var zlibFile: String?

    static let labels = ["walk", "run", "sit", "stand", "café ☕"]
    static let features: [String: TFDSFeature] = [
        "sensor": .tensor(shape: [-1, 2], dtype: .float32),
        "score": .scalar(.float32),
        "id": .scalar(.int64),
        "ticks": .scalar(.int64),
        "caption": .text,
        "activity": .classLabel(names: labels),
    ]

    func run() throws {
        do {
            try reporting { try write() }
        } catch let error as TFRecordError {
            Output.error(error.description)
            throw ExitCode(error.isDataError || error.code == .invalidArgument
                           ? ExitStatus.code(for: .badData) : ExitStatus.code(for: .io))
        }
    }

    private func write() throws {
        let info = TFDSDatasetInfo(name: "sdsinterop", version: "1.0.0", features: Self.features,
                                   description: "sds interop test dataset")
        let writer = try TFDSWriter(directory: dir, info: info)
        var generator = Generator()
        var splitsJSON: [String: JSONValue] = [:]
        var trainExamples: [Example] = []
        var nextID: Int64 = 0
        for (split, count, shards) in [("train", 24, 3), ("test", 10, 2)] {
            let lengths = TFDSWriter.shardLengths(exampleCount: count, shardCount: shards)
            let splitWriter = try writer.beginSplit(split, shardLengths: lengths)
            var shardsJSON: [JSONValue] = []
            for length in lengths {
                var records: [JSONValue] = []
                for _ in 0..<length {
                    let example = generator.example(id: nextID)
                    nextID += 1
                    try splitWriter.write(example)
                    records.append(Self.json(example))
                    if split == "train" { trainExamples.append(example) }
                }
                shardsJSON.append(.array(records))
            }
            try splitWriter.finish()
            splitsJSON[split] = .array(shardsJSON)
        }
        try writer.finish()

        var top: [String: JSONValue] = [
            "name": .string(info.name),
            "version": .string(info.version),
            "directory": .string(dir),
            "features": .object(Self.features.mapValues(Self.json)),
            "splits": .object(splitsJSON),
        ]
        for (key, path, compression) in [("gzipFile", gzipFile, TFRecordCompression.gzip), ("zlibFile", zlibFile, .zlib)] {
            guard let path else { continue }
            let file = try TFRecordWriter(path: path, compression: compression)
            for example in trainExamples { try file.write(example) }
            try file.close()
            top[key] = .object(["path": .string(path), "records": .array(trainExamples.map(Self.json))])
        }
        var trimmed = dir
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed.removeLast() }
        let expectedPath = expected ?? FileIO.parentDirectory(trimmed) + "/expected.json"
        try FileIO.writeFileAtomically(expectedPath, Array((JSONValue.object(top).rendered(indent: 1) + "\n").utf8))
    }

    /// Every value; floats also as bit patterns so NaN payloads and -0 compare exactly.
    static func json(_ example: Example) -> JSONValue {
        .object(example.features.mapValues { feature in
            switch feature {
            case .float(let values):
                return .object(["kind": .string("float"), "values": .array(values.map(JSONValue.float)),
                                "bits": .array(values.map { .int($0.bitPattern) })])
            case .int64(let values):
                return .object(["kind": .string("int64"), "values": .array(values.map { .int($0) })])
            case .bytes(let values):
                return .object(["kind": .string("bytes"), "values": .array(values.map(Render.bytes))])
            }
        })
    }

    static func json(_ feature: TFDSFeature) -> JSONValue {
        switch feature {
        case .tensor(let shape, let dtype):
            return .object(["type": .string("tensor"), "shape": .array(shape.map { .int($0) }), "dtype": .string(dtype.rawValue)])
        case .scalar(let dtype):
            return .object(["type": .string("scalar"), "dtype": .string(dtype.rawValue)])
        case .text:
            return .object(["type": .string("text")])
        case .classLabel(let names):
            return .object(["type": .string("classLabel"), "names": .array(names.map { .string($0) })])
        }
    }
}

/// Deterministic values (SplitMix64), with the awkward floats the test must carry.
private struct Generator {
    var state: UInt64 = 0x5D5_1E57

    static let specialFloats: [Float] = [
        -0.0, 0, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .leastNonzeroMagnitude,
        -.leastNonzeroMagnitude, .leastNormalMagnitude, 1e-30, 3.1415927, 0.1, -1e20, 16_777_218,
    ]
    static let specialInts: [Int64] = [Int64.min, Int64.max, -1, 0, 1 << 53 + 1, -(1 << 40), 127, 128, 300]
    static let words = ["Grüße", "naïve", "日本語", "emoji 🎉", "tab\tand \"quotes\"", "plain", "Ωμέγα", ""]

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func float() -> Float {
        if next() % 4 == 0 { return Self.specialFloats[Int(next() % UInt64(Self.specialFloats.count))] }
        // Random finite values across many exponents.
        let bits = UInt32(truncatingIfNeeded: next())
        let value = Float(bitPattern: bits)
        return value.isFinite ? value : Float(Int32(truncatingIfNeeded: bits)) / 1024
    }

    mutating func example(id: Int64) -> Example {
        let rows = id == 3 ? 0 : Int(next() % 9) + 1  // one example with an empty [0, 2] tensor
        let sensor = (0..<(2 * rows)).map { _ in float() }
        let ticks = id < Int64(Self.specialInts.count) ? Self.specialInts[Int(id)] : Int64(bitPattern: next())
        let caption = (0..<Int(next() % 3 + 1)).map { _ in Self.words[Int(next() % UInt64(Self.words.count))] }
            .joined(separator: " ")
        return Example([
            "sensor": .float(sensor),
            "score": .float([float()]),
            "id": .int64([id]),
            "ticks": .int64([ticks]),
            "caption": .text(caption + " #\(id)"),
            "activity": .int64([Int64(next() % UInt64(WriteTestDataset.labels.count))]),
        ])
    }
}
