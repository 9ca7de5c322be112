import SDSArrayRecord
import SDSCore

/// `output:` in the spec: the folder, and the shard formats written into it.
///
/// ```yaml
/// output: out                                # TFRecord shards only (the default)
/// output:
///   path: out
///   formats: [tfrecord, array_record]        # or format: array_record
///   array_record: {group_size: 1, compression: uncompressed}   # the defaults
/// ```
/// The first format is the one `dataset_info.json` names as `fileFormat`; the others are
/// its `alternativeFileFormats`. ArrayRecord options enter only the ArrayRecord shard
/// steps' keys.
public struct OutputFormats: Sendable, Equatable {
    public enum Format: String, Sendable, Equatable, CaseIterable {
        case tfrecord
        case arrayRecord = "array_record"
    }

    public var formats: [Format] = [.tfrecord]
    public var arrayRecord = OutputFormats.defaultArrayRecord

    /// sds's ArrayRecord options when the spec gives none: TFDS's `group_size:1` (a chunk per
    /// record, for random reads), uncompressed. Uncompressed because the shards are then the
    /// bytes the ArrayRecord C++ writer makes for the same options (no compression library
    /// version in them, so the same on every machine), as large as their TFRecord twins, and
    /// written about as fast; zstd level 3 (what TFDS's own ArrayRecord writer uses) makes them
    /// about 4.3x smaller at 4-5x the write time. docs/format.md has the figures.
    public static let defaultArrayRecord = ArrayRecordOptions(groupSize: 1, compression: .uncompressed)

    public init(formats: [Format] = [.tfrecord], arrayRecord: ArrayRecordOptions = OutputFormats.defaultArrayRecord) {
        self.formats = formats
        self.arrayRecord = arrayRecord
    }

    /// The ArrayRecord shard step's parameters: the options and the codec library version.
    var arrayRecordParams: JSON {
        let o = arrayRecord
        var p: [String: JSON] = ["group_size": .int(Int64(o.groupSize)), "codec": .string(o.codecVersion),
                                 "writer_options": .string(o.writerOptions)]
        switch o.compression {
        case .uncompressed: p["compression"] = .string("uncompressed")
        case .zstd(let level): p["compression"] = .string("zstd"); p["level"] = .int(Int64(level))
        case .brotli(let level): p["compression"] = .string("brotli"); p["level"] = .int(Int64(level))
        }
        if let w = o.effectiveWindowLog { p["window_log"] = .int(Int64(w)) }
        return .object(p)
    }
}

extension Spec {
    /// Reads `output:`: a folder name, or a mapping of `path`, `format`/`formats` and `array_record`.
    static func parseOutput(_ node: SpecNode?) throws -> (directory: String, formats: OutputFormats) {
        guard let node else { return ("out", OutputFormats()) }
        if (try? node.string()) != nil { return (try node.string(), OutputFormats()) }
        let m = try node.mapping(allowed: ["path", "format", "formats", "array_record"])
        var out = OutputFormats()
        let names = Format.allCases.map(\.rawValue)
        typealias Format = OutputFormats.Format
        if let f = m["format"] {
            if m["formats"] != nil { throw f.error("give either output.format or output.formats, not both") }
            out.formats = [Format(rawValue: try f.oneOf(names))!]
        } else if let fs = m["formats"] {
            let list = try fs.list()
            guard !list.isEmpty else { throw fs.error("output.formats needs at least one format") }
            out.formats = try list.map { Format(rawValue: try $0.oneOf(names))! }
            guard Set(out.formats).count == out.formats.count else { throw fs.error("output.formats names a format twice") }
        }
        if let a = m["array_record"] {
            let o = try a.mapping(allowed: ["group_size", "compression", "level", "window_log"])
            var options = OutputFormats.defaultArrayRecord
            if let g = o["group_size"] { options.groupSize = Int(try g.int()) }
            let compression = try o["compression"]?.oneOf(["uncompressed", "zstd", "brotli"]) ?? "uncompressed"
            let level = try o["level"].map { Int(try $0.int()) }
            switch compression {
            case "uncompressed":
                if let l = o["level"] {
                    throw l.error("output.array_record.level needs compression: zstd or brotli (the default is uncompressed)")
                }
                if let w = o["window_log"] {
                    throw w.error("output.array_record.window_log needs compression: zstd or brotli (the default is uncompressed)")
                }
                options.compression = .uncompressed
            case "brotli": options.compression = .brotli(level: level ?? 6)
            default: options.compression = .zstd(level: level ?? 3)
            }
            options.windowLog = try o["window_log"].map { Int(try $0.int()) }
            do {
                try options.validate()
            } catch let e as ArrayRecordError {
                throw a.error("output.array_record: " + e.message)
            }
            out.arrayRecord = options
        }
        return (try m["path"]?.string() ?? "out", out)
    }
}
