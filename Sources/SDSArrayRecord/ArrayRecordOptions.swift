import CBrotli
import CZstd

/// How an ArrayRecord file is written: records per chunk and the chunks' compression.
///
/// Chunks are always Riegeli "simple" chunks (record sizes, then values), never
/// transposed, and only the footer and postscript are padded to block boundaries.
/// `writerOptions` renders the options as the ArrayRecord C++ writer records them in the
/// footer (`Options::ToString`), e.g.
/// `group_size:1,transpose:false,pad_to_block_boundary:false,zstd:3,window_log:20,max_parallelism:1`.
public struct ArrayRecordOptions: Sendable, Equatable {
    public enum Compression: Sendable, Equatable {
        case uncompressed
        /// Level -131072...22.
        case zstd(level: Int)
        /// Quality 0...11.
        case brotli(level: Int)

        var isZstd: Bool { if case .zstd = self { true } else { false } }

        /// The `compression_type` byte of a simple chunk.
        var typeByte: UInt8 {
            switch self {
            case .uncompressed: return 0
            case .brotli: return 0x62  // 'b'
            case .zstd: return 0x7a    // 'z'
            }
        }
    }

    /// Records per chunk; a chunk is the unit of compression and of random reads.
    public var groupSize: Int
    public var compression: Compression
    /// log2 of the LZ77 window: zstd 10...30 (ArrayRecord's default 20), brotli 10...24
    /// (Riegeli's default 22). Ignored when uncompressed.
    public var windowLog: Int?

    /// What TFDS's ArrayRecord writer uses: `group_size:1` (one record a chunk), and
    /// ArrayRecord's default compression, zstd level 3 with a 1 MiB window. (sds's spec
    /// default is uncompressed: `OutputFormats.defaultArrayRecord` in SDSPipeline.)
    public init(groupSize: Int = 1, compression: Compression = .zstd(level: 3), windowLog: Int? = nil) {
        self.groupSize = groupSize
        self.compression = compression
        self.windowLog = windowLog
    }

    /// The window actually used (nil when uncompressed).
    public var effectiveWindowLog: Int? {
        switch compression {
        case .uncompressed: return nil
        case .zstd: return windowLog ?? 20
        case .brotli: return windowLog ?? 22
        }
    }

    /// Checks the ranges the C++ writer accepts.
    public func validate() throws {
        func bad(_ why: String) -> ArrayRecordError { ArrayRecordError(.invalidArgument, why) }
        guard groupSize >= 1, groupSize <= 1 << 30 else { throw bad("group_size must be 1 or more, found \(groupSize)") }
        switch compression {
        case .uncompressed:
            guard windowLog == nil else { throw bad("window_log needs zstd or brotli compression") }
        case .zstd(let level):
            guard (-131072...22).contains(level) else { throw bad("zstd level must be -131072...22, found \(level)") }
            guard (10...30).contains(effectiveWindowLog!) else { throw bad("zstd window_log must be 10...30") }
        case .brotli(let level):
            guard (0...11).contains(level) else { throw bad("brotli level must be 0...11, found \(level)") }
            guard (10...24).contains(effectiveWindowLog!) else { throw bad("brotli window_log must be 10...24") }
        }
    }

    /// The text the ArrayRecord writer stores in the footer's `writer_options`.
    public var writerOptions: String {
        var text = "group_size:\(groupSize),transpose:false,pad_to_block_boundary:false"
        switch compression {
        case .uncompressed: text += ",uncompressed"
        case .zstd(let level): text += ",zstd:\(level),window_log:\(effectiveWindowLog!)"
        case .brotli(let level): text += ",brotli:\(level)" + (windowLog.map { ",window_log:\($0)" } ?? "")
        }
        return text + ",max_parallelism:1"
    }

    /// The compression library and its version, since another version may compress
    /// differently: part of a cache key, so shard bytes follow the library in use.
    public var codecVersion: String {
        switch compression {
        case .uncompressed: return "none"
        case .zstd: return "zstd " + String(cString: ZSTD_versionString())
        case .brotli:
            let v = BrotliEncoderVersion()
            return "brotli \(v >> 24).\((v >> 12) & 0xfff).\(v & 0xfff)"
        }
    }
}
