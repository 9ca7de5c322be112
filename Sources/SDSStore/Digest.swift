import Crypto
import SDSCore

/// Streaming SHA-256 that yields an `ObjectID`.
public struct Hasher256 {
    private var sha = SHA256()
    public init() {}

    public mutating func update(_ buffer: UnsafeRawBufferPointer) { sha.update(bufferPointer: buffer) }

    public mutating func update(_ bytes: [UInt8]) { bytes.withUnsafeBytes { sha.update(bufferPointer: $0) } }

    public func finalize() -> ObjectID { sha.finalize().withUnsafeBytes { ObjectID(digestBytes: $0) } }

    /// The id of a byte string.
    public static func id(of bytes: [UInt8]) -> ObjectID {
        var h = Hasher256()
        h.update(bytes)
        return h.finalize()
    }
}
