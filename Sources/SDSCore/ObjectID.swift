/// The id of a stored object: the SHA-256 of its canonical bytes.
///
/// Kept as four words so it hashes and compares without allocation; it becomes
/// hex only at the edges (file names, pointer files, output).
public struct ObjectID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64

    /// Builds an id from exactly 32 digest bytes.
    public init<C: Collection>(digest: C) where C.Element == UInt8 {
        precondition(digest.count == 32, "an object id is 32 bytes")
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        var i = 0
        for byte in digest {
            let shift = UInt64(56 - 8 * (i % 8))
            switch i / 8 {
            case 0: words.0 |= UInt64(byte) << shift
            case 1: words.1 |= UInt64(byte) << shift
            case 2: words.2 |= UInt64(byte) << shift
            default: words.3 |= UInt64(byte) << shift
            }
            i += 1
        }
        (w0, w1, w2, w3) = words
    }

    /// Builds an id from 32 digest bytes in memory, without the generic collection walk.
    public init(digestBytes raw: UnsafeRawBufferPointer) {
        precondition(raw.count == 32, "an object id is 32 bytes")
        w0 = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        w1 = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        w2 = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
        w3 = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
    }

    /// Parses 64 lowercase hex digits; returns nil for anything else.
    public init?<S: StringProtocol>(hex: S) {
        let utf8 = Array(hex.utf8)
        guard utf8.count == 64 else { return nil }
        var bytes = [UInt8](repeating: 0, count: 32)
        for i in 0..<32 {
            guard let hi = Self.nibble(utf8[2 * i]), let lo = Self.nibble(utf8[2 * i + 1]) else { return nil }
            bytes[i] = hi << 4 | lo
        }
        self.init(digest: bytes)
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        default: return nil
        }
    }

    /// The 32 digest bytes, big-endian word order.
    public var bytes: [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(32)
        for w in [w0, w1, w2, w3] {
            for s in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: w >> UInt64(s))) }
        }
        return out
    }

    public var hex: String {
        var out = [UInt8]()
        out.reserveCapacity(64)
        appendHex(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the 64 lowercase hex digits without building a String.
    public func appendHex(to out: inout [UInt8]) {
        for w in [w0, w1, w2, w3] {
            for s in stride(from: 60, through: 0, by: -4) {
                let n = UInt8(truncatingIfNeeded: (w >> UInt64(s)) & 15)
                out.append(n < 10 ? n + 48 : n + 87)
            }
        }
    }

    /// The first 12 hex digits, for human output.
    public var short: String { String(hex.prefix(12)) }

    public var description: String { hex }

    public static func < (a: ObjectID, b: ObjectID) -> Bool {
        (a.w0, a.w1, a.w2, a.w3) < (b.w0, b.w1, b.w2, b.w3)
    }

    /// The id of the empty byte string (SHA-256 of nothing).
    public static let empty = ObjectID(hex: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")!
}
