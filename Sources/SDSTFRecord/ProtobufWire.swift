/// Protobuf wire-format primitives shared by the Example encoder and decoder.
enum Wire {
    /// Tag byte of field `number` (1...15) with wire type 2 (length-delimited).
    static func lengthDelimitedTag(_ number: UInt8) -> UInt8 { number << 3 | 2 }

    /// Bytes a base-128 varint of `value` takes (1...10).
    @inline(__always)
    static func varintSize(_ value: UInt64) -> Int {
        // 7 payload bits per byte; value|1 keeps log2 defined for 0.
        let bits = 64 - (value | 1).leadingZeroBitCount
        return (bits + 6) / 7
    }

    @inline(__always)
    static func varintSize(_ value: Int) -> Int {
        varintSize(UInt64(UInt(bitPattern: value)))
    }
}

/// A forward-only write cursor over memory the caller has sized exactly.
///
/// No bounds checks in release builds: the encoder computes every size first.
struct WriteCursor {
    var pointer: UnsafeMutableRawPointer
    #if DEBUG
    let end: UnsafeMutableRawPointer
    #endif

    init(_ start: UnsafeMutableRawPointer, capacity: Int) {
        pointer = start
        #if DEBUG
        end = start + capacity
        #endif
    }

    @inline(__always)
    mutating func check(_ count: Int) {
        #if DEBUG
        precondition(pointer + count <= end, "encoder wrote past its computed size")
        #endif
    }

    @inline(__always)
    mutating func byte(_ value: UInt8) {
        check(1)
        pointer.storeBytes(of: value, as: UInt8.self)
        pointer += 1
    }

    @inline(__always)
    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            byte(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        byte(UInt8(truncatingIfNeeded: v))
    }

    @inline(__always)
    mutating func varint(_ value: Int) {
        varint(UInt64(UInt(bitPattern: value)))
    }

    @inline(__always)
    mutating func copy(_ source: UnsafeRawPointer, _ count: Int) {
        guard count > 0 else { return }
        check(count)
        pointer.copyMemory(from: source, byteCount: count)
        pointer += count
    }
}
