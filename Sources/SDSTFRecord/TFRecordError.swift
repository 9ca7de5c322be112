/// An error from reading or writing TFRecord files, Examples or TFDS folders.
///
/// `file` and `offset` locate the problem when known. For a TFRecord file the
/// offset is the one TensorFlow reports as "corrupted record at N": the start
/// of the checksummed region that failed (the length field, or the data 12
/// bytes later; see `TFRecordReader`); for a compressed file it counts
/// uncompressed bytes. For an Example it is the bad byte within the message.
public struct TFRecordError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable identifier for the kind of failure.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The masked CRC of a record's 8-byte length field does not match.
        public static let lengthCRCMismatch = Code(rawValue: "length-crc-mismatch")
        /// The masked CRC of a record's data does not match.
        public static let dataCRCMismatch = Code(rawValue: "data-crc-mismatch")
        /// The file ends inside a record.
        public static let truncated = Code(rawValue: "truncated")
        /// The compressed stream is damaged or not of the expected kind.
        public static let compression = Code(rawValue: "compression")
        /// A serialized tf.train.Example is not valid protobuf of that shape.
        public static let malformedExample = Code(rawValue: "malformed-example")
        /// A shard holds a different number of records than `shardLengths` says.
        public static let recordCountMismatch = Code(rawValue: "record-count-mismatch")
        /// An Example does not match the dataset's features.
        public static let featureMismatch = Code(rawValue: "feature-mismatch")
        /// A caller passed an unusable value (bad name, shape, shard count...).
        public static let invalidArgument = Code(rawValue: "invalid-argument")
        /// The operating system refused a read, write, rename...
        public static let io = Code(rawValue: "io")
    }

    public var code: Code
    public var message: String
    /// The file the error concerns, if any.
    public var file: String?
    /// Byte offset of the problem (see the type's comment), if known.
    public var offset: UInt64?

    public init(_ code: Code, _ message: String, file: String? = nil, offset: UInt64? = nil) {
        self.code = code
        self.message = message
        self.file = file
        self.offset = offset
    }

    /// Whether the error means the data is bad (rather than I/O or usage).
    public var isDataError: Bool {
        // Codes of other container formats (ArrayRecord's) are damage too.
        code != .invalidArgument && code != .io
    }

    /// Compiler-style text: `path: byte 1234: error: data CRC mismatch ...`.
    public var description: String {
        var text = ""
        if let file { text += "\(file): " }
        if let offset { text += "byte \(offset): " }
        return text + "error: " + message
    }

    /// The same error located in `file`, with offsets shifted by `base` (used when
    /// an Example error is found inside a record of a file).
    public func located(in file: String?, at base: UInt64 = 0) -> TFRecordError {
        var copy = self
        if copy.file == nil { copy.file = file }
        copy.offset = copy.offset.map { $0 + base }
        return copy
    }
}
