/// Reads records from a TFRecord file, checking both CRCs of every record.
///
/// Errors name the file and a byte offset (uncompressed, for GZIP/ZLIB files),
/// the same offset TensorFlow puts in "corrupted record at N":
/// - `.lengthCRCMismatch`: where the record (its length field) starts;
/// - `.dataCRCMismatch`: where the record's data starts (record + 12);
/// - `.truncated`: where the cut region starts: the record for a short header,
///   the data for short data.
/// Messages also give the record's index and start. `.compression` and `.io`
/// are the other failures. After an error the reader stays at that record.
///
/// Memory: one buffer that grows to the largest record (only as fast as data
/// actually arrives, so a corrupt length cannot make it allocate wildly).
public final class TFRecordReader {
    /// The path used in errors (`<memory>` or a caller-chosen name for bytes).
    public let path: String
    public let compression: TFRecordCompression
    /// Whether to check CRCs (on by default; off only for salvage).
    public var verifiesChecksums = true
    /// Records returned so far.
    public private(set) var recordIndex = 0
    /// Offset of the last record returned (its length field).
    public private(set) var recordOffset: UInt64 = 0

    private let source: ByteSource
    private let sourceSize: UInt64?
    private var buffer: UnsafeMutableRawPointer
    private var capacity: Int
    private var start = 0          // first unread byte in buffer
    private var end = 0            // one past the last valid byte
    private var bufferOffset: UInt64 = 0  // stream offset of buffer[0]

    /// Opens the file at `path`.
    public convenience init(path: String, compression: TFRecordCompression = .none) throws {
        try self.init(source: FileSource(path: path), name: path, compression: compression)
    }

    /// Reads records from `bytes` (a whole file's contents); `name` appears in errors.
    public convenience init(bytes: [UInt8], name: String = "<memory>", compression: TFRecordCompression = .none) throws {
        try self.init(source: MemorySource(bytes), name: name, compression: compression)
    }

    private init(source raw: ByteSource, name: String, compression: TFRecordCompression) throws {
        path = name
        self.compression = compression
        source = compression == .none ? raw : try InflateSource(kind: compression, inner: raw, name: name)
        sourceSize = source.knownSize
        capacity = 1 << 20
        buffer = .allocate(byteCount: capacity, alignment: 16)
    }

    deinit { buffer.deallocate() }

    /// Stream offset where the next record starts.
    public var offset: UInt64 { bufferOffset + UInt64(start) }

    /// The next record's data as a new array, or nil at the end of the file.
    public func next() throws -> [UInt8]? {
        try withNextRecord { Array($0) }
    }

    /// Decodes the next record as a tf.train.Example, or returns nil at the end.
    ///
    /// Decoding errors carry this file and the absolute offset of the bad byte.
    public func nextExample() throws -> Example? {
        try withNextRecord { data in
            do {
                return try ExampleDecoder.decode(data)
            } catch let error as TFRecordError {
                var located = error.located(in: path, at: recordOffset + UInt64(TFRecordFraming.headerSize))
                located.message = "record \(recordIndex - 1): " + located.message
                throw located
            }
        }
    }

    /// Calls `body` with the next record's data, valid only during the call.
    ///
    /// - Returns: `body`'s result, or nil at the end of the file.
    public func withNextRecord<R>(_ body: (UnsafeRawBufferPointer) throws -> R) throws -> R? {
        let here = offset
        guard try ensure(1) else { return nil }
        guard try ensure(TFRecordFraming.headerSize) else {
            throw TFRecordError(.truncated, "truncated record \(recordIndex): the file ends \(remaining) bytes into its 12-byte header",
                                file: path, offset: here)
        }
        let header = UnsafeRawPointer(buffer + start)
        let length = UInt64(littleEndian: header.loadUnaligned(as: UInt64.self))
        if verifiesChecksums {
            let stored = UInt32(littleEndian: header.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
            let computed = CRC32C.mask(CRC32C.update(0, header, 8))
            guard stored == computed else {
                throw TFRecordError(.lengthCRCMismatch,
                                    "length CRC mismatch in record \(recordIndex): stored \(hex(stored)), computed \(hex(computed))",
                                    file: path, offset: here)
            }
        }
        guard length <= UInt64(Int.max - 2 * TFRecordFraming.overhead),
              try ensure(Int(length) + TFRecordFraming.overhead) else {
            throw TFRecordError(.truncated,
                                "truncated record \(recordIndex) (starting at byte \(here)): \(length) data bytes + 4 CRC bytes expected, the file has \(remaining - 12)",
                                file: path, offset: here + UInt64(TFRecordFraming.headerSize))
        }
        let count = Int(length)
        let data = UnsafeRawPointer(buffer + start + TFRecordFraming.headerSize)
        if verifiesChecksums {
            let stored = UInt32(littleEndian: data.loadUnaligned(fromByteOffset: count, as: UInt32.self))
            let computed = CRC32C.mask(CRC32C.update(0, data, count))
            guard stored == computed else {
                throw TFRecordError(.dataCRCMismatch,
                                    "data CRC mismatch in record \(recordIndex) (starting at byte \(here), \(count) data bytes): stored \(hex(stored)), computed \(hex(computed))",
                                    file: path, offset: here + UInt64(TFRecordFraming.headerSize))
            }
        }
        recordOffset = here
        recordIndex += 1
        start += count + TFRecordFraming.overhead
        return try body(UnsafeRawBufferPointer(start: data, count: count))
    }

    /// Reads and checks every remaining record, returning how many there were.
    public func skipToEnd() throws -> Int {
        var count = 0
        while try withNextRecord({ _ in () }) != nil { count += 1 }
        return count
    }

    /// All records of a file.
    public static func readAll(path: String, compression: TFRecordCompression = .none) throws -> [[UInt8]] {
        let reader = try TFRecordReader(path: path, compression: compression)
        var records: [[UInt8]] = []
        while let record = try reader.next() { records.append(record) }
        return records
    }

    /// Bytes left in the input from `offset` (after `ensure` has failed, all of them are buffered unless the size is known).
    private var remaining: UInt64 {
        if let sourceSize { return sourceSize >= offset ? sourceSize - offset : 0 }
        return UInt64(end - start)
    }

    /// Makes `count` unread bytes available; false if the input ends first.
    private func ensure(_ count: Int) throws -> Bool {
        if end - start >= count { return true }
        if let sourceSize, offset + UInt64(count) > sourceSize {
            return false  // known short: no need to read (or allocate for) a bogus length
        }
        try fill(upTo: count)
        return end - start >= count
    }

    /// Reads until `count` bytes are buffered or the input ends.
    private func fill(upTo count: Int) throws {
        if start > 0 {
            let live = end - start
            if live > 0 { buffer.copyMemory(from: buffer + start, byteCount: live) }
            bufferOffset += UInt64(start)
            start = 0
            end = live
        }
        while end < count {
            if end == capacity {
                // Grow by doubling, never past what is asked: memory follows real data.
                let newCapacity = min(max(capacity * 2, 1 << 16), max(count, capacity + 1))
                let grown = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
                grown.copyMemory(from: buffer, byteCount: end)
                buffer.deallocate()
                buffer = grown
                capacity = newCapacity
            }
            let n = try source.read(into: buffer + end, count: capacity - end)
            if n == 0 { return }
            end += n
        }
    }
}

/// `0x` and 8 lowercase hex digits.
func hex(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
}
