/// The little protobuf the ArrayRecord footer needs: varints, and messages of varint
/// and length-delimited fields (layout.proto: ArrayRecordFooter, RiegeliFooterMetadata,
/// RiegeliPostscript).
enum ProtoWire {
    static func appendVarint(_ value: UInt64, to out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    /// Writes `value` as a varint at `p` (10 bytes at most); returns its size.
    @inline(__always)
    static func storeVarint(_ value: UInt64, at p: UnsafeMutableRawPointer) -> Int {
        var v = value, n = 0
        while v >= 0x80 {
            p.storeBytes(of: UInt8(truncatingIfNeeded: v) | 0x80, toByteOffset: n, as: UInt8.self)
            v >>= 7
            n += 1
        }
        p.storeBytes(of: UInt8(v), toByteOffset: n, as: UInt8.self)
        return n + 1
    }

    static func varintSize(_ value: UInt64) -> Int {
        var v = value, n = 1
        while v >= 0x80 { v >>= 7; n += 1 }
        return n
    }

    /// A varint at `i` (advanced past it), or nil if it runs past `end` or over 10 bytes.
    static func readVarint(_ b: UnsafeRawBufferPointer, _ i: inout Int, end: Int) -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while i < end, shift < 64 {
            let byte = b[i]
            i += 1
            value |= UInt64(byte & 0x7f) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
        return nil
    }

    static func appendVarintField(_ field: UInt64, _ value: UInt64, to out: inout [UInt8]) {
        appendVarint(field << 3, to: &out)
        appendVarint(value, to: &out)
    }

    static func appendBytesField(_ field: UInt64, _ bytes: [UInt8], to out: inout [UInt8]) {
        appendVarint(field << 3 | 2, to: &out)
        appendVarint(UInt64(bytes.count), to: &out)
        out += bytes
    }

    /// The fields of a message: varint fields by number, length-delimited ones as byte ranges.
    struct Fields {
        var varints: [UInt64: UInt64] = [:]
        var bytes: [UInt64: Range<Int>] = [:]
    }

    /// Parses `b[range]`; nil if it is not well-formed protobuf of these wire types.
    static func fields(_ b: UnsafeRawBufferPointer, _ range: Range<Int>) -> Fields? {
        var out = Fields()
        var i = range.lowerBound
        while i < range.upperBound {
            guard let key = readVarint(b, &i, end: range.upperBound) else { return nil }
            switch key & 7 {
            case 0:
                guard let v = readVarint(b, &i, end: range.upperBound) else { return nil }
                out.varints[key >> 3] = v
            case 1:
                guard range.upperBound - i >= 8 else { return nil }
                i += 8
            case 2:
                guard let n = readVarint(b, &i, end: range.upperBound), n <= UInt64(range.upperBound - i) else { return nil }
                out.bytes[key >> 3] = i..<(i + Int(n))
                i += Int(n)
            case 5:
                guard range.upperBound - i >= 4 else { return nil }
                i += 4
            default:
                return nil
            }
        }
        return out
    }
}
