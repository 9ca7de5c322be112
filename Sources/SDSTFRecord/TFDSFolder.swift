/// A TFDS dataset folder as described by its `dataset_info.json`.
///
/// Reading side of `TFDSWriter`, for inspection and checks: which splits and
/// shard files exist and how many records each should hold.
public struct TFDSFolder: Sendable {
    public var directory: String
    public var name: String
    public var version: String
    /// Splits in file order; `numBytes` is 0 when the file does not say.
    public var splits: [TFDSSplitInfo]
    /// `fileFormat` then `alternativeFileFormats`: each has its own set of shards.
    public var fileFormats: [String] = ["tfrecord"]
    private var templates: [String: String]

    /// Whether `path` is a directory holding `dataset_info.json`.
    public static func isDatasetFolder(_ path: String) -> Bool {
        POSIX.isDirectory(path) && (try? FileSource(path: path + "/dataset_info.json")) != nil
    }

    /// Reads `directory/dataset_info.json`.
    ///
    /// - Throws: `.io` if it cannot be read, `.invalidArgument` if it is not
    ///   TFDS's JSON form (with the file and, for syntax errors, the offset).
    public init(directory: String) throws {
        let path = directory + "/dataset_info.json"
        let bytes = try readWholeFile(path)
        let json: JSONValue
        do {
            json = try JSONValue.parse(bytes)
        } catch let error as TFRecordError {
            throw error.located(in: path)
        }
        func bad(_ why: String) -> TFRecordError { TFRecordError(.invalidArgument, why, file: path) }
        guard let name = json["name"]?.stringValue else { throw bad("no \"name\"") }
        self.directory = directory
        self.name = name
        version = json["version"]?.stringValue ?? ""
        splits = []
        templates = [:]
        for split in json["splits"]?.arrayValue ?? [] {
            guard let splitName = split["name"]?.stringValue else { throw bad("a split has no \"name\"") }
            var lengths: [Int] = []
            for length in split["shardLengths"]?.arrayValue ?? [] {
                guard let n = length.integerValue, n >= 0 else { throw bad("split '\(splitName)': bad shardLengths entry") }
                lengths.append(Int(n))
            }
            let numBytes = split["numBytes"]?.integerValue ?? 0
            splits.append(TFDSSplitInfo(name: splitName, shardLengths: lengths, numBytes: UInt64(max(numBytes, 0))))
            if let template = split["filepathTemplate"]?.stringValue { templates[splitName] = template }
        }
        let formats = [json["fileFormat"]?.stringValue ?? "tfrecord"]
            + (json["alternativeFileFormats"]?.arrayValue ?? []).compactMap(\.stringValue)
        for format in formats where !TFDSFolder.knownFormats.contains(format) {
            throw bad("file format '\(format)' is not tfrecord or array_record")
        }
        fileFormats = formats
    }

    /// Paths of a split's shards, from its `filepathTemplate` (TFDS's default if absent).
    public static let knownFormats = ["tfrecord", "array_record"]

    public func shardPaths(of split: TFDSSplitInfo, format: String = "tfrecord") -> [String] {
        let template = templates[split.name] ?? "{DATASET}-{SPLIT}.{FILEFORMAT}-{SHARD_X_OF_Y}"
        let count = split.shardLengths.count
        return (0..<count).map { index in
            let shard = "\(pad5(index))-of-\(pad5(count))"
            let file = template
                .replacingOccurrences("{DATASET}", name)
                .replacingOccurrences("{SPLIT}", split.name)
                .replacingOccurrences("{FILEFORMAT}", format)
                .replacingOccurrences("{SHARD_X_OF_Y}", shard)
            return directory + "/" + file
        }
    }
}

/// Whole small file (metadata), via the reader's source.
func readWholeFile(_ path: String) throws -> [UInt8] {
    let source = try FileSource(path: path)
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 64 << 10)
    while true {
        let n = try chunk.withUnsafeMutableBytes { try source.read(into: $0.baseAddress!, count: $0.count) }
        if n == 0 { return bytes }
        bytes += chunk[..<n]
    }
}

extension String {
    /// Foundation-free replace-all.
    fileprivate func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = Substring(self)
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
