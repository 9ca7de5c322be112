/// What checking one TFRecord file found.
public struct TFRecordFileCheck: Sendable {
    public var path: String
    /// The TFDS split the file belongs to, for a dataset folder.
    public var split: String?
    /// Good records read (all of them, or those before the error).
    public var records: Int
    /// The count `shardLengths` promises, for a dataset folder.
    public var expectedRecords: Int?
    /// Sum of the good records' sizes, framing excluded.
    public var dataBytes: UInt64
    /// The first problem, if any: damage, a wrong count, or I/O.
    public var error: TFRecordError?
    /// `tfrecord` or `array_record`.
    public var format = "tfrecord"

    public init(path: String, split: String?, records: Int, expectedRecords: Int?, dataBytes: UInt64,
                error: TFRecordError? = nil, format: String = "tfrecord") {
        self.path = path
        self.split = split
        self.records = records
        self.expectedRecords = expectedRecords
        self.dataBytes = dataBytes
        self.error = error
        self.format = format
    }
}

/// One decoded record kept for display.
public struct TFRecordSample: Sendable {
    public var file: String
    public var record: Int
    /// Where the record starts (its length field).
    public var offset: UInt64
    /// Serialized Example size.
    public var size: Int
    public var example: Example

    public init(file: String, record: Int, offset: UInt64, size: Int, example: Example) {
        self.file = file
        self.record = record
        self.offset = offset
        self.size = size
        self.example = example
    }
}

/// A full check of a TFRecord file or a TFDS dataset folder: every record's
/// CRCs, every Example's wire format, counts against `shardLengths`.
public struct TFRecordInspection: Sendable {
    /// The dataset, when the path was a folder with `dataset_info.json`.
    public var folder: TFDSFolder?
    public var files: [TFRecordFileCheck] = []
    /// The first `sampleLimit` examples, in file order.
    public var samples: [TFRecordSample] = []
    /// Non-fatal findings, such as a `numBytes` that disagrees with the records.
    public var warnings: [String] = []

    public init() {}

    /// Every file's error, in file order.
    public var errors: [TFRecordError] { files.compactMap(\.error) }

    /// Checks `path`: a single TFRecord file (with `compression`), or a TFDS folder
    /// (whose shards are uncompressed by definition). Of a folder, only the TFRecord
    /// shards are read here; `folder.fileFormats` says which others it has.
    ///
    /// Problems in the files are collected in `files[i].error`, not thrown.
    /// - Throws: `TFRecordError` only when a folder's `dataset_info.json` is unusable.
    public static func inspect(path: String, compression: TFRecordCompression = .none,
                               sampleLimit: Int) throws -> TFRecordInspection {
        var result = TFRecordInspection()
        if TFDSFolder.isDatasetFolder(path) {
            let folder = try TFDSFolder(directory: path)
            result.folder = folder
            for split in folder.splits where folder.fileFormats.contains("tfrecord") {
                for (file, expected) in zip(folder.shardPaths(of: split), split.shardLengths) {
                    result.check(file, split: split.name, expected: expected, compression: .none, sampleLimit: sampleLimit)
                }
                let checks = result.files.filter { $0.split == split.name }
                let measured = checks.reduce(UInt64(0)) { $0 + $1.dataBytes }
                if split.numBytes > 0, checks.allSatisfy({ $0.error == nil }), measured != split.numBytes {
                    result.warnings.append("split '\(split.name)': numBytes says \(split.numBytes), the records hold \(measured)")
                }
            }
        } else {
            result.check(path, split: nil, expected: nil, compression: compression, sampleLimit: sampleLimit)
        }
        return result
    }

    private mutating func check(_ path: String, split: String?, expected: Int?,
                                compression: TFRecordCompression, sampleLimit: Int) {
        var report = TFRecordFileCheck(path: path, split: split, records: 0, expectedRecords: expected, dataBytes: 0)
        defer { files.append(report) }
        do {
            let reader = try TFRecordReader(path: path, compression: compression)
            // Decode every record, so a damaged proto is found even past the samples.
            while let example = try reader.nextExample() {
                if samples.count < sampleLimit {
                    let size = Int(reader.offset - reader.recordOffset) - TFRecordFraming.overhead
                    samples.append(TFRecordSample(file: path, record: report.records, offset: reader.recordOffset,
                                                  size: size, example: example))
                }
                report.records += 1
                report.dataBytes += reader.offset - reader.recordOffset - UInt64(TFRecordFraming.overhead)
            }
            if let expected, expected != report.records {
                report.error = TFRecordError(.recordCountMismatch,
                                             "shardLengths says \(expected) records, the file has \(report.records)",
                                             file: path)
            }
        } catch let error as TFRecordError {
            report.error = error
        } catch {
            report.error = TFRecordError(.io, "\(error)", file: path)
        }
    }
}
