/// The canonical binary form shared by every sensor object.
///
/// Layout of an object: a 4-byte ASCII tag naming the type, a format-version byte, then the
/// body. All integers are little-endian and fixed-width unless stated; strings are a u32 byte
/// count then UTF-8; counts are u64. Int64 columns are stored as the zigzag varints of their
/// successive differences (wrapping), since sensor times and values change slowly; a varint
/// must be minimal. Float columns are their IEEE bits. Flag columns are bitsets, least
/// significant bit first, with zero padding. Readers reject anything else (wrong tag or
/// version, truncation, trailing bytes, non-minimal varints, non-zero padding), so equal
/// values always have equal bytes and every accepted byte string re-encodes to itself.
struct ObjectTag: Sendable, Equatable {
    let bytes: (UInt8, UInt8, UInt8, UInt8)
    let version: UInt8
    /// Type name for error messages.
    let name: String

    init(_ ascii: StaticString, version: UInt8, name: String) {
        precondition(ascii.utf8CodeUnitCount == 4)
        let p = ascii.utf8Start
        bytes = (p[0], p[1], p[2], p[3])
        self.version = version
        self.name = name
    }

    static func == (a: ObjectTag, b: ObjectTag) -> Bool {
        a.bytes == b.bytes && a.version == b.version
    }
}

/// Appends canonical little-endian fields to a byte array.
struct BinaryWriter {
    private(set) var bytes: [UInt8]

    init(_ tag: ObjectTag, capacity: Int = 64) {
        bytes = []
        bytes.reserveCapacity(capacity + 5)
        bytes.append(tag.bytes.0)
        bytes.append(tag.bytes.1)
        bytes.append(tag.bytes.2)
        bytes.append(tag.bytes.3)
        bytes.append(tag.version)
    }

    mutating func u8(_ v: UInt8) { bytes.append(v) }

    mutating func u32(_ v: UInt32) {
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func u64(_ v: UInt64) {
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func i32(_ v: Int32) { u32(UInt32(bitPattern: v)) }
    mutating func i64(_ v: Int64) { u64(UInt64(bitPattern: v)) }
    mutating func f64(_ v: Double) { u64(v.bitPattern) }
    mutating func count(_ n: Int) { u64(UInt64(n)) }

    mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { utf8 in
            u32(UInt32(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    mutating func byteString(_ b: [UInt8]) {
        u32(UInt32(b.count))
        bytes.append(contentsOf: b)
    }

    /// Grows the array by `count` bytes and lets `fill` write them all through a pointer.
    private mutating func extend(_ count: Int, _ fill: (UnsafeMutablePointer<UInt8>) -> Void) {
        guard count > 0 else { return }
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: count))
        bytes.withUnsafeMutableBufferPointer { fill($0.baseAddress! + start) }
    }

    /// Zigzag varints of the wrapping differences, after a u64 byte count.
    ///
    /// One pass into scratch space sized for the worst case (10 bytes a value, only the
    /// pages written are touched), then one copy: a hot path of every partition and series.
    mutating func int64Deltas<C: Collection<Int64>>(_ values: C) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(values.count * 10, 1)) { scratch in
            let start = scratch.baseAddress!
            var q = start
            var previous: Int64 = 0
            for v in values {
                q = Varint.write(Varint.zigzag(v &- previous), to: q)
                previous = v
            }
            count(q - start)
            bytes.append(contentsOf: UnsafeBufferPointer(start: start, count: q - start))
        }
    }

    mutating func int32s(_ values: ContiguousArray<Int32>) {
        #if _endian(little)
        values.withUnsafeBytes { bytes.append(contentsOf: $0) }
        #else
        for v in values { i32(v) }
        #endif
    }

    mutating func doubles<C: Collection<Double>>(_ values: C) {
        extend(values.count * 8) { p in
            var q = UnsafeMutableRawPointer(p)
            for v in values {
                q.storeBytes(of: v.bitPattern.littleEndian, as: UInt64.self)
                q += 8
            }
        }
    }

    mutating func floats(_ values: ContiguousArray<Float>) {
        extend(values.count * 4) { p in
            var q = UnsafeMutableRawPointer(p)
            for v in values {
                q.storeBytes(of: v.bitPattern.littleEndian, as: UInt32.self)
                q += 4
            }
        }
    }

    /// A bitset of 0/1 flags, least significant bit first, zero-padded to a byte.
    mutating func bits(_ flags: ContiguousArray<UInt8>) {
        let n = (flags.count + 7) / 8
        flags.withUnsafeBufferPointer { f in
            extend(n) { p in
                for i in 0..<f.count where f[i] != 0 { p[i >> 3] |= 1 << UInt8(i & 7) }
            }
        }
    }
}

/// Reads the fields `BinaryWriter` wrote, rejecting anything non-canonical.
struct BinaryReader {
    private let bytes: [UInt8]
    private var offset: Int
    let what: String

    init(_ bytes: [UInt8], _ tag: ObjectTag) throws(SensorError) {
        self.bytes = bytes
        what = tag.name
        offset = 5
        guard bytes.count >= 5 else { throw SensorError.corrupt(what, "truncated header (\(bytes.count) bytes)") }
        guard (bytes[0], bytes[1], bytes[2], bytes[3]) == tag.bytes else {
            throw SensorError.corrupt(what, "wrong type tag \(Self.printable(bytes[0..<4]))")
        }
        guard bytes[4] == tag.version else {
            throw SensorError.corrupt(what, "unsupported format version \(bytes[4]) (expected \(tag.version))")
        }
    }

    private static func printable(_ b: ArraySlice<UInt8>) -> String {
        "\"" + b.map { $0 >= 0x20 && $0 < 0x7F ? String(UnicodeScalar($0)) : "\\x\(String($0, radix: 16))" }.joined() + "\""
    }

    func fail(_ message: String) -> SensorError {
        SensorError.corrupt(what, "\(message) at byte \(offset)")
    }

    var remaining: Int { bytes.count - offset }

    private mutating func take(_ n: Int) throws(SensorError) -> Int {
        guard n >= 0, n <= remaining else { throw fail("truncated (need \(n) bytes, have \(remaining))") }
        defer { offset += n }
        return offset
    }

    private mutating func loadLE<T: FixedWidthInteger>(_: T.Type) throws(SensorError) -> T {
        let at = try take(MemoryLayout<T>.size)
        return bytes.withUnsafeBytes { T(littleEndian: $0.loadUnaligned(fromByteOffset: at, as: T.self)) }
    }

    mutating func u8() throws(SensorError) -> UInt8 { bytes[try take(1)] }
    mutating func u32() throws(SensorError) -> UInt32 { try loadLE(UInt32.self) }
    mutating func u64() throws(SensorError) -> UInt64 { try loadLE(UInt64.self) }
    mutating func i32() throws(SensorError) -> Int32 { Int32(bitPattern: try u32()) }
    mutating func i64() throws(SensorError) -> Int64 { Int64(bitPattern: try u64()) }
    mutating func f64() throws(SensorError) -> Double { Double(bitPattern: try u64()) }

    /// A 0/1 byte.
    mutating func flag() throws(SensorError) -> Bool {
        let v = try u8()
        guard v <= 1 else { throw fail("flag byte \(v) is not 0 or 1") }
        return v == 1
    }

    /// A u64 count of elements each taking at least `minimumSize` bytes (so a corrupt
    /// count cannot make the reader allocate more than the object holds).
    mutating func count(minimumSize: Int) throws(SensorError) -> Int {
        let n = try u64()
        guard n <= UInt64(Int.max / max(minimumSize, 1)), Int(n) * minimumSize <= remaining else {
            throw fail("count \(n) exceeds the object's size")
        }
        return Int(n)
    }

    mutating func byteString() throws(SensorError) -> [UInt8] {
        let n = Int(try u32())
        let at = try take(n)
        return Array(bytes[at..<(at + n)])
    }

    mutating func string() throws(SensorError) -> String {
        let raw = try byteString()
        guard let s = String(validating: raw, as: UTF8.self) else { throw fail("string is not valid UTF-8") }
        return s
    }

    /// `count` values written by `BinaryWriter.int64Deltas`.
    mutating func int64Deltas(count n: Int) throws(SensorError) -> ContiguousArray<Int64> {
        let size = try count(minimumSize: 1)
        guard size >= n else { throw fail("\(n) varints cannot fit in \(size) bytes") }
        let at = try take(size)
        var ok = false
        let out = bytes.withUnsafeBufferPointer { b in
            ContiguousArray<Int64>(unsafeUninitializedCapacity: n) { buffer, initialized in
                var p = at
                let end = at + size
                var previous: Int64 = 0
                for i in 0..<n {
                    guard let (v, next) = Varint.read(b, p, end) else { return }
                    previous = previous &+ Varint.unzigzag(v)
                    buffer[i] = previous
                    initialized = i + 1
                    p = next
                }
                ok = p == end
            }
        }
        guard ok else { throw fail("bad varint column") }
        return out
    }

    mutating func int32s(count n: Int) throws(SensorError) -> ContiguousArray<Int32> {
        let at = try take(n * 4)
        var out = ContiguousArray<Int32>(repeating: 0, count: n)
        bytes.withUnsafeBytes { b in
            for i in 0..<n { out[i] = Int32(littleEndian: b.loadUnaligned(fromByteOffset: at + 4 * i, as: Int32.self)) }
        }
        return out
    }

    mutating func doubles(count n: Int) throws(SensorError) -> ContiguousArray<Double> {
        let at = try take(n * 8)
        var out = ContiguousArray<Double>(repeating: 0, count: n)
        bytes.withUnsafeBytes { b in
            for i in 0..<n {
                out[i] = Double(bitPattern: UInt64(littleEndian: b.loadUnaligned(fromByteOffset: at + 8 * i, as: UInt64.self)))
            }
        }
        return out
    }

    mutating func floats(count n: Int) throws(SensorError) -> ContiguousArray<Float> {
        let at = try take(n * 4)
        var out = ContiguousArray<Float>(repeating: 0, count: n)
        bytes.withUnsafeBytes { b in
            for i in 0..<n {
                out[i] = Float(bitPattern: UInt32(littleEndian: b.loadUnaligned(fromByteOffset: at + 4 * i, as: UInt32.self)))
            }
        }
        return out
    }

    /// `count` 0/1 flags written by `BinaryWriter.bits`.
    mutating func bits(count n: Int) throws(SensorError) -> ContiguousArray<UInt8> {
        let size = (n + 7) / 8
        let at = try take(size)
        var out = ContiguousArray<UInt8>(repeating: 0, count: n)
        for i in 0..<n { out[i] = (bytes[at + (i >> 3)] >> UInt8(i & 7)) & 1 }
        if n % 8 != 0, bytes[at + size - 1] >> UInt8(n % 8) != 0 { throw fail("non-zero bitset padding") }
        return out
    }

    /// Checks that the whole object was read.
    func finish() throws(SensorError) {
        guard remaining == 0 else { throw fail("\(remaining) trailing bytes") }
    }
}

/// Protobuf-style base-128 varints with zigzag for signed values.
enum Varint {
    @inline(__always) static func zigzag(_ v: Int64) -> UInt64 {
        UInt64(bitPattern: (v << 1) ^ (v >> 63))
    }

    @inline(__always) static func unzigzag(_ u: UInt64) -> Int64 {
        Int64(bitPattern: u >> 1) ^ -Int64(bitPattern: u & 1)
    }

    @inline(__always) static func size(_ v: UInt64) -> Int {
        // 1 byte per 7 significant bits, at least one.
        let bits = 64 - (v | 1).leadingZeroBitCount
        return (bits + 6) / 7
    }

    @inline(__always) static func write(_ v: UInt64, to p: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        var v = v
        var q = p
        while v >= 0x80 {
            q.pointee = UInt8(truncatingIfNeeded: v) | 0x80
            v >>= 7
            q += 1
        }
        q.pointee = UInt8(v)
        return q + 1
    }

    /// Reads a minimal varint at `p` before `end`; nil if truncated, too long or not minimal.
    @inline(__always) static func read(_ b: UnsafeBufferPointer<UInt8>, _ p: Int, _ end: Int) -> (UInt64, Int)? {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        var i = p
        while i < end {
            let byte = b[i]
            i += 1
            if shift == 63 && byte > 1 { return nil }
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 {
                // A final zero byte after others means the encoding was padded.
                if byte == 0 && i - p > 1 { return nil }
                return (result, i)
            }
            shift += 7
            if shift > 63 { return nil }
        }
        return nil
    }
}
