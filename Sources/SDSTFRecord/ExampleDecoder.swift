/// Parses serialized tf.train.Example messages.
///
/// Accepts everything TensorFlow's parser accepts and a little more, with
/// protobuf semantics: packed or unpacked numeric lists (several runs are
/// concatenated), map entries in any order with the last duplicate key
/// winning, `Example.features` repeated (merged), unknown fields skipped.
/// A Feature with no kind set decodes as an empty `bytes` list, TF's "empty
/// list of any type". Keys must be valid UTF-8 (proto3 `string`).
public enum ExampleDecoder {
    /// Decodes one serialized Example.
    ///
    /// - Throws: `TFRecordError` with code `.malformedExample` and the byte
    ///   offset within `bytes` where parsing failed.
    public static func decode(_ bytes: [UInt8]) throws -> Example {
        try bytes.withUnsafeBytes { (raw) in try decode(raw) }
    }

    /// Decodes one serialized Example from memory.
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws -> Example {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return Example() }
        var reader = ReadCursor(base: base, position: 0, end: bytes.count)
        var features: [String: Example.Feature] = [:]
        while reader.position < reader.end {
            let (field, wireType) = try reader.tag()
            if field == 1 && wireType == 2 {
                var sub = try reader.message()
                try decodeFeatures(&sub, into: &features)
            } else {
                try reader.skip(wireType)
            }
        }
        return Example(features)
    }

    private static func decodeFeatures(_ reader: inout ReadCursor, into features: inout [String: Example.Feature]) throws {
        while reader.position < reader.end {
            let (field, wireType) = try reader.tag()
            if field == 1 && wireType == 2 {
                var entry = try reader.message()
                let (name, feature) = try decodeEntry(&entry)
                features[name] = feature
            } else {
                try reader.skip(wireType)
            }
        }
    }

    private static func decodeEntry(_ reader: inout ReadCursor) throws -> (String, Example.Feature) {
        var name = ""
        var feature: Example.Feature?
        while reader.position < reader.end {
            let start = reader.position
            let (field, wireType) = try reader.tag()
            switch (field, wireType) {
            case (1, 2):
                let key = try reader.bytes()
                let text = String(decoding: key, as: UTF8.self)
                // String(decoding:) repairs bad UTF-8; a changed byte count or content means it was invalid.
                guard text.utf8.elementsEqual(key) else {
                    throw reader.error("feature name is not valid UTF-8", at: start)
                }
                name = text
            case (2, 2):
                var sub = try reader.message()
                feature = try decodeFeature(&sub)  // a repeated value message: the last wins
            default:
                try reader.skip(wireType)
            }
        }
        return (name, feature ?? .bytes([]))
    }

    private static func decodeFeature(_ reader: inout ReadCursor) throws -> Example.Feature {
        var bytes: [[UInt8]] = []
        var floats: [Float] = []
        var ints: [Int64] = []
        var kind: Example.Kind?
        while reader.position < reader.end {
            let (field, wireType) = try reader.tag()
            guard wireType == 2, (1...3).contains(field) else {
                try reader.skip(wireType)
                continue
            }
            var list = try reader.message()
            // oneof: a different kind replaces the value; the same kind merges.
            switch field {
            case 1:
                if kind != .bytes { bytes = []; kind = .bytes }
                try decodeBytesList(&list, into: &bytes)
            case 2:
                if kind != .float { floats = []; kind = .float }
                try decodeFloatList(&list, into: &floats)
            default:
                if kind != .int64 { ints = []; kind = .int64 }
                try decodeInt64List(&list, into: &ints)
            }
        }
        switch kind {
        case .float: return .float(floats)
        case .int64: return .int64(ints)
        case .bytes, nil: return .bytes(bytes)
        }
    }

    private static func decodeBytesList(_ reader: inout ReadCursor, into values: inout [[UInt8]]) throws {
        while reader.position < reader.end {
            let (field, wireType) = try reader.tag()
            if field == 1 && wireType == 2 {
                values.append(Array(try reader.bytes()))
            } else {
                try reader.skip(wireType)
            }
        }
    }

    private static func decodeFloatList(_ reader: inout ReadCursor, into values: inout [Float]) throws {
        while reader.position < reader.end {
            let start = reader.position
            let (field, wireType) = try reader.tag()
            switch (field, wireType) {
            case (1, 2):
                let run = try reader.bytes()
                guard run.count % 4 == 0 else {
                    throw reader.error("packed float run of \(run.count) bytes is not a multiple of 4", at: start)
                }
                appendFloats(run, to: &values)
            case (1, 5):
                let run = try reader.fixed(4)
                appendFloats(run, to: &values)
            default:
                try reader.skip(wireType)
            }
        }
    }

    private static func appendFloats(_ run: UnsafeRawBufferPointer, to values: inout [Float]) {
        let count = run.count / 4
        guard count > 0 else { return }
        values.reserveCapacity(values.count + count)
        #if _endian(little)
        if values.isEmpty {
            // Common case: one packed run, copied in one go (the source may be unaligned).
            values = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                UnsafeMutableRawBufferPointer(buffer).copyMemory(from: run)
                initialized = count
            }
            return
        }
        #endif
        for i in 0..<count {
            values.append(Float(bitPattern: UInt32(littleEndian: run.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))))
        }
    }

    private static func decodeInt64List(_ reader: inout ReadCursor, into values: inout [Int64]) throws {
        while reader.position < reader.end {
            let (field, wireType) = try reader.tag()
            switch (field, wireType) {
            case (1, 2):
                var run = try reader.message()
                while run.position < run.end {
                    values.append(Int64(bitPattern: try run.varint()))
                }
            case (1, 0):
                values.append(Int64(bitPattern: try reader.varint()))
            default:
                try reader.skip(wireType)
            }
        }
    }
}

/// A bounds-checked read cursor; positions are offsets from the message start.
///
/// Errors point at the first byte of the bad element: a tag, a length prefix,
/// a varint or a fixed-width value.
struct ReadCursor {
    let base: UnsafeRawPointer
    var position: Int
    var end: Int
    /// Where the last tag began, for errors about the field as a whole.
    var tagStart = 0

    init(base: UnsafeRawPointer, position: Int, end: Int) {
        self.base = base
        self.position = position
        self.end = end
    }

    func error(_ message: String, at offset: Int) -> TFRecordError {
        TFRecordError(.malformedExample, message, offset: UInt64(offset))
    }

    mutating func varint() throws -> UInt64 {
        let start = position
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end else { throw error("varint runs past the end of its message", at: start) }
            let byte = base.load(fromByteOffset: position, as: UInt8.self)
            position += 1
            // The 10th byte may only carry the top bit of a 64-bit value.
            guard shift < 63 || byte <= 1 else { throw error("varint longer than 64 bits", at: start) }
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
        }
    }

    mutating func tag() throws -> (field: UInt64, wireType: UInt8) {
        tagStart = position
        let key = try varint()
        let field = key >> 3
        guard field != 0 else { throw error("field number 0", at: tagStart) }
        return (field, UInt8(key & 7))
    }

    /// Reads a length prefix and returns the bytes it covers.
    mutating func bytes() throws -> UnsafeRawBufferPointer {
        let start = position
        let length = try varint()
        guard length <= UInt64(end - position) else {
            throw error("length \(length) runs past the end of its message", at: start)
        }
        let slice = UnsafeRawBufferPointer(start: base + position, count: Int(length))
        position += Int(length)
        return slice
    }

    /// Reads a length-delimited field as a nested cursor (offsets stay absolute).
    mutating func message() throws -> ReadCursor {
        let slice = try bytes()
        let start = slice.baseAddress.map { $0 - base } ?? position
        return ReadCursor(base: base, position: start, end: start + slice.count)
    }

    mutating func fixed(_ count: Int) throws -> UnsafeRawBufferPointer {
        guard count <= end - position else { throw error("fixed-width value runs past the end", at: position) }
        defer { position += count }
        return UnsafeRawBufferPointer(start: base + position, count: count)
    }

    /// Skips a field's value; `wireType` comes from the tag just read.
    mutating func skip(_ wireType: UInt8) throws {
        switch wireType {
        case 0: _ = try varint()
        case 1: _ = try fixed(8)
        case 2: _ = try bytes()
        case 5: _ = try fixed(4)
        default: throw error("unsupported wire type \(wireType)", at: tagStart)
        }
    }
}
