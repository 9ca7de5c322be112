/// Serializes `Example`s to the canonical tf.train.Example wire form.
///
/// Canonical means: map entries in `Example.precedes` key order, each numeric
/// list as exactly one packed run (TF's parser rejects split runs), an empty
/// numeric list as a Feature with an empty list (`12 00` / `1a 00`), and an
/// empty Example as `0a 00`. The same Example always gives the same bytes.
///
/// Encoding is two passes: `prepare` computes every nested length (kept in a
/// reusable scratch array), then `write` fills memory sized exactly, so there
/// is one buffer and no allocation per value. Reuse one encoder per thread.
public struct ExampleEncoder {
    private struct Entry {
        var name: String
        var feature: Example.Feature
        var keySize: Int
        var payloadSize: Int  // bytes inside the XxxList message's field 1
        var listSize: Int     // the XxxList message
        var featureSize: Int  // the Feature message
        var entrySize: Int    // the map entry message
    }

    private var entries: [Entry] = []
    private var featuresSize = 0
    private var preparedSize = 0

    public init() {}

    /// Encodes `example` into a new array.
    public static func encode(_ example: Example) -> [UInt8] {
        var encoder = ExampleEncoder()
        return encoder.encode(example)
    }

    /// Encodes `example` into a new array, reusing this encoder's scratch space.
    public mutating func encode(_ example: Example) -> [UInt8] {
        let size = prepare(example)
        return [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            count = writePrepared(to: UnsafeMutableRawPointer(buffer.baseAddress!))
        }
    }

    /// Encodes `example` into `buffer` and returns the byte count, or nil if it does not fit.
    public mutating func encode(_ example: Example, into buffer: UnsafeMutableRawBufferPointer) -> Int? {
        let size = prepare(example)
        guard size <= buffer.count, let base = buffer.baseAddress else { return nil }
        return writePrepared(to: base)
    }

    /// Computes the encoded size of `example` and remembers the layout for `writePrepared`.
    ///
    /// - Returns: the exact number of bytes `writePrepared` will write.
    public mutating func prepare(_ example: Example) -> Int {
        entries.removeAll(keepingCapacity: true)
        featuresSize = 0
        for (name, feature) in example.features {
            var entry = Entry(name: name, feature: feature, keySize: name.utf8.count,
                              payloadSize: 0, listSize: 0, featureSize: 0, entrySize: 0)
            switch feature {
            case .bytes(let values):
                var payload = 0
                for value in values { payload += 1 + Wire.varintSize(value.count) + value.count }
                entry.payloadSize = payload
                entry.listSize = payload
            case .float(let values):
                entry.payloadSize = 4 * values.count
                entry.listSize = values.isEmpty ? 0 : 1 + Wire.varintSize(entry.payloadSize) + entry.payloadSize
            case .int64(let values):
                var payload = 0
                for value in values { payload += Wire.varintSize(UInt64(bitPattern: value)) }
                entry.payloadSize = payload
                entry.listSize = values.isEmpty ? 0 : 1 + Wire.varintSize(payload) + payload
            }
            entry.featureSize = 1 + Wire.varintSize(entry.listSize) + entry.listSize
            entry.entrySize = 1 + Wire.varintSize(entry.keySize) + entry.keySize
                + 1 + Wire.varintSize(entry.featureSize) + entry.featureSize
            featuresSize += 1 + Wire.varintSize(entry.entrySize) + entry.entrySize
            entries.append(entry)
        }
        entries.sort { Example.precedes($0.name, $1.name) }
        preparedSize = 1 + Wire.varintSize(featuresSize) + featuresSize
        return preparedSize
    }

    /// Writes the example last passed to `prepare` at `start`, which must have
    /// room for the size `prepare` returned.
    ///
    /// - Returns: the number of bytes written (the prepared size).
    public func writePrepared(to start: UnsafeMutableRawPointer) -> Int {
        var out = WriteCursor(start, capacity: preparedSize)
        out.byte(0x0A)  // Example.features
        out.varint(featuresSize)
        for entry in entries {
            out.byte(0x0A)  // Features.feature (map entry)
            out.varint(entry.entrySize)
            out.byte(0x0A)  // entry key
            out.varint(entry.keySize)
            var name = entry.name
            name.withUTF8 { out.copy(UnsafeRawPointer($0.baseAddress!), $0.count) }
            out.byte(0x12)  // entry value: Feature
            out.varint(entry.featureSize)
            switch entry.feature {
            case .bytes(let values):
                out.byte(0x0A)  // Feature.bytes_list
                out.varint(entry.listSize)
                for value in values {
                    out.byte(0x0A)  // BytesList.value
                    out.varint(value.count)
                    value.withUnsafeBytes { out.copy($0.baseAddress!, $0.count) }
                }
            case .float(let values):
                out.byte(0x12)  // Feature.float_list
                out.varint(entry.listSize)
                if !values.isEmpty {
                    out.byte(0x0A)  // FloatList.value, packed
                    out.varint(entry.payloadSize)
                    writeFloats(values, &out)
                }
            case .int64(let values):
                out.byte(0x1A)  // Feature.int64_list
                out.varint(entry.listSize)
                if !values.isEmpty {
                    out.byte(0x0A)  // Int64List.value, packed
                    out.varint(entry.payloadSize)
                    for value in values { out.varint(UInt64(bitPattern: value)) }
                }
            }
        }
        let written = out.pointer - start
        precondition(written == preparedSize, "encoder size mismatch")
        return written
    }

    @inline(__always)
    private func writeFloats(_ values: [Float], _ out: inout WriteCursor) {
        #if _endian(little)
        // binary32 little-endian is the in-memory form: one copy.
        values.withUnsafeBytes { out.copy($0.baseAddress!, $0.count) }
        #else
        for value in values {
            var le = value.bitPattern.littleEndian
            withUnsafeBytes(of: &le) { out.copy($0.baseAddress!, 4) }
        }
        #endif
    }
}
