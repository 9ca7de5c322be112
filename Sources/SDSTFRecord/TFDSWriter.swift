/// What a TFDS dataset folder declares about itself.
public struct TFDSDatasetInfo: Sendable, Equatable {
    /// Dataset name; shard files are named after it, not after the folder.
    public var name: String
    /// `x.y.z`.
    public var version: String
    /// Top-level features by name (written as one `FeaturesDict`).
    public var features: [String: TFDSFeature]
    public var description: String?
    public var citation: String?
    /// When true, TFDS reads shards in file order instead of interleaving them.
    public var disableShuffling: Bool
    /// The shard formats the folder holds: the first is `fileFormat`, the others
    /// `alternativeFileFormats` (TFDS's names: `tfrecord`, `array_record`).
    public var fileFormats: [String] = ["tfrecord"]

    public init(name: String, version: String, features: [String: TFDSFeature],
                description: String? = nil, citation: String? = nil, disableShuffling: Bool = false) {
        self.name = name
        self.version = version
        self.features = features
        self.description = description
        self.citation = citation
        self.disableShuffling = disableShuffling
    }
}

/// One finished split: its exact record counts and data size.
public struct TFDSSplitInfo: Sendable, Equatable {
    public var name: String
    public var shardLengths: [Int]
    /// Sum of serialized Example sizes, framing excluded (as TFDS computes it).
    public var numBytes: UInt64

    public var exampleCount: Int { shardLengths.reduce(0, +) }

    public init(name: String, shardLengths: [Int], numBytes: UInt64) {
        self.name = name
        self.shardLengths = shardLengths
        self.numBytes = numBytes
    }
}

/// Writes a TFDS dataset folder that `tfds.builder_from_directory` loads.
///
/// Layout: `{name}-{split}.tfrecord-{i:05d}-of-{n:05d}` shards (uncompressed,
/// as TFDS requires), `features.json`, `<feature>.labels.txt` per ClassLabel,
/// and `dataset_info.json`, written last so a folder without it is visibly
/// incomplete. Every file goes through a temp file and a rename.
///
/// Determinism: the metadata has no timestamps, paths or generated text, keys
/// are sorted, splits are listed by name, so the same examples in the same
/// order give byte-identical folders. Existing files the writer does not
/// produce are left alone; write into an empty folder.
public final class TFDSWriter {
    public let directory: String
    public let info: TFDSDatasetInfo
    /// Splits finished so far.
    public private(set) var splits: [TFDSSplitInfo] = []
    private let sync: Bool
    private var openSplit: String?

    /// Prepares `directory` (created if missing) for `info`.
    ///
    /// - Parameter sync: fsync every file before renaming it into place.
    /// - Throws: `.invalidArgument` for a bad name, version or feature; `.io`.
    public init(directory: String, info: TFDSDatasetInfo, sync: Bool = true) throws {
        try TFDSWriter.checkIdentifier(info.name, what: "dataset name")
        let parts = info.version.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }) else {
            throw TFRecordError(.invalidArgument, "version '\(info.version)' is not x.y.z")
        }
        guard !info.features.isEmpty else {
            throw TFRecordError(.invalidArgument, "a dataset needs at least one feature")
        }
        for (name, feature) in info.features {
            guard !name.isEmpty, !name.contains("/") else {
                throw TFRecordError(.invalidArgument, "feature name '\(name)' must be non-empty and without '/'")
            }
            try feature.validate(name: name)
        }
        self.directory = directory
        self.info = info
        self.sync = sync
        try POSIX.makeDirectories(directory)
    }

    /// Path of shard `index` (0-based) of `count` in `split`.
    public func shardPath(split: String, index: Int, count: Int) -> String {
        directory + "/" + TFDSWriter.shardFileName(dataset: info.name, split: split, index: index, count: count)
    }

    /// `{dataset}-{split}.tfrecord-{index:05d}-of-{count:05d}`.
    public static func shardFileName(dataset: String, split: String, index: Int, count: Int) -> String {
        "\(dataset)-\(split).tfrecord-\(pad5(index))-of-\(pad5(count))"
    }

    /// TFDS's split of `exampleCount` records into `shardCount` shards: shard i
    /// (1-based) ends at round(N·i/S), rounding half to even.
    public static func shardLengths(exampleCount: Int, shardCount: Int) -> [Int] {
        precondition(exampleCount >= 0 && shardCount > 0)
        var lengths: [Int] = []
        var previous = 0
        for i in 1...shardCount {
            // Exact integer form of Python's round(N*i/S).
            let numerator = exampleCount * i
            var end = numerator / shardCount
            let twice = 2 * (numerator % shardCount)
            if twice > shardCount || (twice == shardCount && end % 2 == 1) { end += 1 }
            lengths.append(end - previous)
            previous = end
        }
        return lengths
    }

    /// Starts writing split `name` with exactly `shardLengths` examples per shard.
    public func beginSplit(_ name: String, shardLengths: [Int]) throws -> TFDSSplitWriter {
        try TFDSWriter.checkIdentifier(name, what: "split name")
        guard openSplit == nil else {
            throw TFRecordError(.invalidArgument, "split '\(openSplit!)' is still being written")
        }
        guard !splits.contains(where: { $0.name == name }) else {
            throw TFRecordError(.invalidArgument, "split '\(name)' was already written")
        }
        guard !shardLengths.isEmpty, shardLengths.allSatisfy({ $0 > 0 }), shardLengths.count <= 99_999 else {
            throw TFRecordError(.invalidArgument,
                                "split '\(name)': shard lengths \(shardLengths) must be 1...99999 positive counts")
        }
        openSplit = name
        return TFDSSplitWriter(owner: self, name: name, shardLengths: shardLengths)
    }

    /// Writes a whole split, spreading `examples` over `shardCount` shards as TFDS does
    /// (fewer shards if there are fewer examples).
    @discardableResult
    public func writeSplit(_ name: String, examples: some Collection<Example>, shardCount: Int) throws -> TFDSSplitInfo {
        guard !examples.isEmpty, shardCount > 0 else {
            throw TFRecordError(.invalidArgument, "split '\(name)' needs at least one example and one shard")
        }
        let lengths = TFDSWriter.shardLengths(exampleCount: examples.count, shardCount: min(shardCount, examples.count))
        let split = try beginSplit(name, shardLengths: lengths)
        for example in examples { try split.write(example) }
        return try split.finish()
    }

    /// Writes the labels files, `features.json` and, last, `dataset_info.json`.
    public func finish() throws {
        if let openSplit {
            throw TFRecordError(.invalidArgument, "split '\(openSplit)' was not finished")
        }
        guard !splits.isEmpty else {
            throw TFRecordError(.invalidArgument, "a dataset needs at least one split")
        }
        for (name, feature) in info.features.sorted(by: { Example.precedes($0.key, $1.key) }) {
            if case .classLabel(let names) = feature {
                let text = names.map { $0 + "\n" }.joined()
                try writeFileAtomically(directory + "/" + name + ".labels.txt", Array(text.utf8), sync: sync)
            }
        }
        try writeFileAtomically(directory + "/features.json",
                                Array(TFDSWriter.featuresJSON(info.features).utf8), sync: sync)
        try writeFileAtomically(directory + "/dataset_info.json",
                                Array(TFDSWriter.datasetInfoJSON(info, splits: splits).utf8), sync: sync)
    }

    /// `features.json`: a FeaturesDict, indent 4, sorted keys, no trailing newline.
    public static func featuresJSON(_ features: [String: TFDSFeature]) -> String {
        JSONValue.object([
            "pythonClassName": .string("tensorflow_datasets.core.features.features_dict.FeaturesDict"),
            "featuresDict": .object(["features": .object(features.mapValues(\.json))]),
        ]).rendered(indent: 4)
    }

    /// `dataset_info.json`: only fields TFDS's DatasetInfo proto knows, int64s
    /// as strings, indent 2, sorted keys, splits by name, no trailing newline.
    public static func datasetInfoJSON(_ info: TFDSDatasetInfo, splits: [TFDSSplitInfo]) -> String {
        var object: [String: JSONValue] = [
            "name": .string(info.name),
            "version": .string(info.version),
            "fileFormat": .string(info.fileFormats.first ?? "tfrecord"),
            "splits": .array(splits.sorted { Example.precedes($0.name, $1.name) }.map { split in
                .object([
                    "name": .string(split.name),
                    "filepathTemplate": .string("{DATASET}-{SPLIT}.{FILEFORMAT}-{SHARD_X_OF_Y}"),
                    "numBytes": .string(String(split.numBytes)),
                    "shardLengths": .array(split.shardLengths.map { .string(String($0)) }),
                ])
            }),
        ]
        if let description = info.description { object["description"] = .string(description) }
        if let citation = info.citation { object["citation"] = .string(citation) }
        if info.disableShuffling { object["disableShuffling"] = .bool(true) }
        if info.fileFormats.count > 1 { object["alternativeFileFormats"] = .array(info.fileFormats.dropFirst().map { .string($0) }) }
        return JSONValue.object(object).rendered(indent: 2)
    }

    func splitFinished(_ split: TFDSSplitInfo) {
        splits.append(split)
        openSplit = nil
    }

    func splitAbandoned() {
        openSplit = nil
    }

    func syncsFiles() -> Bool { sync }

    /// TFDS builds file names from these, so keep them to `[A-Za-z0-9_]`.
    private static func checkIdentifier(_ text: String, what: String) throws {
        let allowed = { (byte: UInt8) in
            (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A) || byte == 0x5F
        }
        guard !text.isEmpty, text.utf8.allSatisfy(allowed) else {
            throw TFRecordError(.invalidArgument, "\(what) '\(text)' must be non-empty and only letters, digits and '_'")
        }
    }
}

/// Streams one split's examples into its shards, in order.
///
/// Each example is checked against the dataset's features before it is written.
public final class TFDSSplitWriter {
    public let name: String
    public let shardLengths: [Int]
    private let owner: TFDSWriter
    private var shard = 0
    private var inShard = 0
    private var writer: TFRecordWriter?
    private var numBytes: UInt64 = 0
    private var done = false

    init(owner: TFDSWriter, name: String, shardLengths: [Int]) {
        self.owner = owner
        self.name = name
        self.shardLengths = shardLengths
    }

    deinit {
        if !done { owner.splitAbandoned() }
    }

    /// Validates and appends `example` to the current shard.
    ///
    /// - Throws: `.featureMismatch` if the example does not fit the features;
    ///   `.invalidArgument` past the declared count; `.io`.
    public func write(_ example: Example) throws {
        precondition(!done, "write after finish")
        try check(example)
        guard shard < shardLengths.count else {
            throw TFRecordError(.invalidArgument,
                                "split '\(name)': more than the \(shardLengths.reduce(0, +)) examples declared")
        }
        if writer == nil {
            writer = try TFRecordWriter(path: owner.shardPath(split: name, index: shard, count: shardLengths.count),
                                        sync: owner.syncsFiles())
        }
        numBytes += UInt64(try writer!.write(example))
        inShard += 1
        if inShard == shardLengths[shard] {
            try writer!.close()
            writer = nil
            shard += 1
            inShard = 0
        }
    }

    /// Closes the split; it must have received exactly the declared number of examples.
    @discardableResult
    public func finish() throws -> TFDSSplitInfo {
        precondition(!done, "finish twice")
        guard shard == shardLengths.count else {
            let written = shardLengths.prefix(shard).reduce(0, +) + inShard
            throw TFRecordError(.invalidArgument,
                                "split '\(name)': \(written) examples written, \(shardLengths.reduce(0, +)) declared")
        }
        done = true
        let info = TFDSSplitInfo(name: name, shardLengths: shardLengths, numBytes: numBytes)
        owner.splitFinished(info)
        return info
    }

    private func check(_ example: Example) throws {
        let features = owner.info.features
        for (featureName, feature) in features {
            guard let value = example.features[featureName] else {
                throw TFRecordError(.featureMismatch, "split '\(name)': example lacks feature '\(featureName)'")
            }
            try feature.check(value, name: featureName)
        }
        if example.features.count != features.count,
           let extra = example.features.keys.sorted(by: Example.precedes).first(where: { features[$0] == nil }) {
            throw TFRecordError(.featureMismatch, "split '\(name)': example has undeclared feature '\(extra)'")
        }
    }
}

/// Zero-padded to 5 digits, as in shard names.
func pad5(_ value: Int) -> String {
    let digits = String(value)
    return digits.count >= 5 ? digits : String(repeating: "0", count: 5 - digits.count) + digits
}
