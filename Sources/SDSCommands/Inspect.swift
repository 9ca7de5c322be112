import ArgumentParser
import SDSArrayRecord
import SDSTFRecord

/// `sds inspect PATH`: record counts, checksums and the first examples of a TFRecord
/// file, an ArrayRecord file or a TFDS dataset folder (with either or both formats).
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check and show a TFRecord file, an ArrayRecord file or a TFDS dataset folder.",
        discussion: """
            Reads every record of every file, verifying both CRCs and decoding each tf.train.Example, prints the record count per file (checked against shardLengths for a dataset folder) and shows the first --limit examples: name, kind, length and values (cut to fit the line).

            ArrayRecord files (name with .array_record, or starting with the Riegeli signature) are walked chunk by chunk: every block header, chunk header and chunk data hash (HighwayHash) is checked, every chunk decoded, and the chunks must be exactly the footer's index. A folder whose dataset_info.json lists array_record has those shards checked too. --record N shows record N alone; for an ArrayRecord file it is read at random through the footer index (the offset shown is its chunk's).

            --json prints one stable object on one line instead: {"files": [...], "examples": [...]}, with every value of the shown examples; floats in shortest round-trip form, NaN and infinities as the strings "nan", "inf", "-inf"; bytes as a string when valid UTF-8, else {"base64": "..."}.

            Damage is reported as 'error: FILE: byte OFFSET: ...' on stderr, with the offset TensorFlow reports for the same damage (uncompressed bytes), and exits 65. I/O errors exit 74.
            """)

    @Argument(help: "A TFRecord file, or a folder holding dataset_info.json.")
    var path: String

    @Option(help: "Examples to show.")
    var limit: Int = 3

    @Flag(help: "Print JSON instead of text.")
    var json = false

    @Option(help: "Whole-file compression of a single file: none, gzip or zlib.")
    var compression: CompressionOption = .none

    @Option(help: "Show only record N (0-based) of a single file.")
    var record: Int?

    func validate() throws {
        guard limit >= 0 else { throw ValidationError("--limit must be 0 or more") }
        if let record, record < 0 { throw ValidationError("--record must be 0 or more") }
    }

    private var isArrayRecordFile: Bool {
        !TFDSFolder.isDatasetFolder(path) && (path.contains(".array_record") || ArrayRecordReader.looksLikeArrayRecord(path: path))
    }

    func run() throws {
        if let record { return try show(record) }
        var result: TFRecordInspection
        do {
            if isArrayRecordFile {
                result = TFRecordInspection()
                ArrayRecordInspection.check(path, split: nil, expected: nil, into: &result, sampleLimit: limit)
            } else {
                result = try TFRecordInspection.inspect(path: path, compression: compression.value, sampleLimit: limit)
                if let folder = result.folder { ArrayRecordInspection.addShards(of: folder, to: &result, sampleLimit: limit) }
            }
        } catch let error as TFRecordError {
            report(error)
            throw ExitCode(Self.exitCode(for: error))
        }
        for error in result.errors { report(error) }
        for warning in result.warnings { Output.warning("\(path): \(warning)") }
        if json {
            Output.line(Render.json(result).compact())
        } else {
            Render.text(result)
        }
        // Bad data outranks I/O: it is the finding the user asked about.
        let codes = result.errors.map(Self.exitCode)
        if let worst = codes.first(where: { $0 == ExitStatus.code(for: .badData) }) ?? codes.first {
            throw ExitCode(worst)
        }
    }

    /// `--record N`: the one record, as the samples are shown.
    private func show(_ index: Int) throws {
        guard !TFDSFolder.isDatasetFolder(path) else { throw ValidationError("--record needs a single file, not a dataset folder") }
        var result = TFRecordInspection()
        do {
            if isArrayRecordFile {
                result.samples = [try ArrayRecordInspection.record(index, path: path)]
            } else {
                let reader = try TFRecordReader(path: path, compression: compression.value)
                var n = 0
                while let example = try reader.nextExample() {
                    if n == index {
                        let size = Int(reader.offset - reader.recordOffset) - TFRecordFraming.overhead
                        result.samples = [TFRecordSample(file: path, record: n, offset: reader.recordOffset, size: size, example: example)]
                        break
                    }
                    n += 1
                }
                guard !result.samples.isEmpty else {
                    throw TFRecordError(.invalidArgument, "record \(index) is out of range: the file holds \(n)", file: path)
                }
            }
        } catch let error as TFRecordError {
            report(error)
            throw ExitCode(error.code == .invalidArgument ? ExitStatus.code(for: .usage) : Self.exitCode(for: error))
        }
        if json { Output.line(Render.json(result).compact()) } else { Render.text(result) }
    }

    /// `error: FILE: byte OFFSET: message`, the fsck-style line scripts can match.
    private func report(_ error: TFRecordError) {
        var line = "error: "
        if let file = error.file { line += "\(file): " }
        if let offset = error.offset { line += "byte \(offset): " }
        Output.error(line + error.message)
        if error.isDataError, compression == .none, let file = error.file,
           let guess = TFRecordCompression.guess(path: file) {
            Output.error("hint: the file starts like \(guess) data; try --compression \(guess)")
        }
    }

    static func exitCode(for error: TFRecordError) -> Int32 {
        error.code == .io ? ExitStatus.code(for: .io) : ExitStatus.code(for: .badData)
    }
}

/// `--compression` values.
enum CompressionOption: String, ExpressibleByArgument, CaseIterable {
    case none, gzip, zlib

    var value: TFRecordCompression {
        switch self {
        case .none: return .none
        case .gzip: return .gzip
        case .zlib: return .zlib
        }
    }
}

/// Text and JSON forms of inspection results and Example values.
enum Render {
    // MARK: Text

    static func text(_ result: TFRecordInspection) {
        if let folder = result.folder {
            Output.line("dataset \(folder.name) \(folder.version): \(folder.splits.count) split(s), \(result.files.count) file(s)")
        }
        for file in result.files {
            var line = file.path + ": \(file.records) record(s)"
            if let split = file.split { line = "[\(split)] " + line }
            switch file.error {
            case nil:
                let sums = file.format == "array_record" ? "checksums ok" : "CRCs ok"
                line += file.expectedRecords == nil ? ", \(sums)" : ", as shardLengths says, \(sums)"
            case let error? where error.code == .io: line += ", UNREADABLE"
            case _: line += ", DAMAGED"
            }
            Output.line(line)
        }
        for sample in result.samples {
            Output.line("")
            Output.line("\(sample.file) record \(sample.record) (byte \(sample.offset), \(sample.size) bytes):")
            let names = sample.example.sortedNames
            let width = names.map(\.count).max() ?? 0
            for name in names {
                let feature = sample.example[name]!
                Output.line("  " + pad(name, width) + "  " + pad(feature.kind.rawValue, 5) + " "
                            + pad(String(feature.count), 6, left: true) + "  " + preview(feature, width: 72))
            }
        }
    }

    /// Values as one line of at most about `width` characters.
    static func preview(_ feature: Example.Feature, width: Int) -> String {
        let items: [String]
        switch feature {
        case .bytes(let list):
            items = list.prefix(64).map { value in
                let text = String(decoding: value, as: UTF8.self)
                guard text.utf8.elementsEqual(value) else {
                    return "0x" + value.prefix(16).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
                        + (value.count > 16 ? "…" : "") + " (\(value.count) bytes)"
                }
                var out = ""
                JSONValue.quote(text.count > 40 ? String(text.prefix(40)) + "…" : text, into: &out)
                return out
            }
        case .float(let list):
            items = list.prefix(64).map(\.description)
        case .int64(let list):
            items = list.prefix(64).map { String($0) }
        }
        var line = "["
        var used = 0
        for item in items {
            let separator = used == 0 ? "" : ", "
            if used > 0 && line.count + separator.count + item.count > width - 14 { break }
            line += separator + item
            used += 1
        }
        if used < feature.count { line += ", … \(feature.count - used) more" }
        return line + "]"
    }

    private static func pad(_ text: String, _ width: Int, left: Bool = false) -> String {
        let padding = String(repeating: " ", count: max(0, width - text.count))
        return left ? padding + text : text + padding
    }

    // MARK: JSON

    static func json(_ result: TFRecordInspection) -> JSONValue {
        var top: [String: JSONValue] = [
            "files": .array(result.files.map { file in
                var object: [String: JSONValue] = [
                    "path": .string(file.path),
                    "records": .int(file.records),
                    "dataBytes": .int(file.dataBytes),
                    "ok": .bool(file.error == nil),
                    "format": .string(file.format),
                ]
                if let split = file.split { object["split"] = .string(split) }
                if let expected = file.expectedRecords { object["expectedRecords"] = .int(expected) }
                if let error = file.error {
                    object["error"] = .object([
                        "code": .string(error.code.rawValue),
                        "message": .string(error.message),
                        "offset": error.offset.map { .int($0) } ?? .null,
                    ])
                }
                return .object(object)
            }),
            "examples": .array(result.samples.map { sample in
                .object([
                    "file": .string(sample.file),
                    "record": .int(sample.record),
                    "offset": .int(sample.offset),
                    "size": .int(sample.size),
                    "features": .object(sample.example.features.mapValues(json)),
                ])
            }),
            "warnings": .array(result.warnings.map { .string($0) }),
        ]
        if let folder = result.folder {
            top["dataset"] = .object(["name": .string(folder.name), "version": .string(folder.version)])
        }
        return .object(top)
    }

    static func json(_ feature: Example.Feature) -> JSONValue {
        let values: [JSONValue]
        switch feature {
        case .bytes(let list): values = list.map(bytes)
        case .float(let list): values = list.map(JSONValue.float)
        case .int64(let list): values = list.map { .int($0) }
        }
        return .object(["kind": .string(feature.kind.rawValue), "length": .int(feature.count), "values": .array(values)])
    }

    /// A UTF-8 string as itself, anything else as `{"base64": ...}`.
    static func bytes(_ value: [UInt8]) -> JSONValue {
        let text = String(decoding: value, as: UTF8.self)
        if text.utf8.elementsEqual(value) { return .string(text) }
        return .object(["base64": .string(base64(value))])
    }

    static func base64(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i < bytes.count {
            let b0 = UInt32(bytes[i])
            let b1 = i + 1 < bytes.count ? UInt32(bytes[i + 1]) : 0
            let b2 = i + 2 < bytes.count ? UInt32(bytes[i + 2]) : 0
            let n = b0 << 16 | b1 << 8 | b2
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
            out.append(i + 1 < bytes.count ? alphabet[Int(n >> 6 & 63)] : UInt8(ascii: "="))
            out.append(i + 2 < bytes.count ? alphabet[Int(n & 63)] : UInt8(ascii: "="))
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}
