/// An error from reading or writing an ArrayRecord (Riegeli/records) file.
///
/// `offset` is the file offset of the damaged structure: the block header, the chunk
/// (its header's first byte) or the footer/postscript chunk whose check failed.
public struct ArrayRecordError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable identifier for the kind of failure.
    public struct Code: RawRepresentable, Hashable, Sendable {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The first 64 bytes are not Riegeli's file signature chunk.
        public static let signature = Code(rawValue: "riegeli-signature")
        /// A block header's hash does not match, or its distances disagree with the chunks.
        public static let blockHeader = Code(rawValue: "riegeli-block-header")
        /// A chunk header's hash does not match, or its sizes cannot be.
        public static let chunkHeader = Code(rawValue: "riegeli-chunk-header")
        /// A chunk's data does not hash to its header's data hash.
        public static let chunkData = Code(rawValue: "riegeli-chunk-data")
        /// A chunk's data decodes to other sizes or counts than its header says.
        public static let malformedChunk = Code(rawValue: "riegeli-malformed-chunk")
        /// The postscript or the footer index is missing, damaged or disagrees with the chunks.
        public static let footer = Code(rawValue: "array-record-footer")
        /// The file ends inside a chunk.
        public static let truncated = Code(rawValue: "truncated")
        /// Valid Riegeli that sds does not decode (transposed chunks, Snappy).
        public static let unsupported = Code(rawValue: "unsupported")
        /// A record index out of range, an unusable option.
        public static let invalidArgument = Code(rawValue: "invalid-argument")
        /// The operating system refused a read or write.
        public static let io = Code(rawValue: "io")
    }

    public var code: Code
    public var message: String
    public var file: String?
    public var offset: UInt64?

    public init(_ code: Code, _ message: String, file: String? = nil, offset: UInt64? = nil) {
        self.code = code
        self.message = message
        self.file = file
        self.offset = offset
    }

    /// Damage in the file, rather than I/O or usage.
    public var isDataError: Bool { code != .io && code != .invalidArgument }

    public var description: String {
        (file.map { "\($0): " } ?? "") + (offset.map { "byte \($0): " } ?? "") + "error: " + message
    }
}
