import CHighwayHash
import CHighwayHashCopy

/// Riegeli's checksum: 64-bit HighwayHash keyed with 'Riegeli/' 'records\n' twice.
///
/// It guards block headers, chunk headers and chunk data. libhighwayhash picks the
/// fastest implementation for the CPU; all of them give the same value.
public enum RiegeliHash {
    /// The key from the Riegeli/records file format specification, as little-endian words.
    public static let key: (UInt64, UInt64, UInt64, UInt64) =
        (0x2f69_6c65_6765_6952, 0x0a73_6472_6f63_6572, 0x2f69_6c65_6765_6952, 0x0a73_6472_6f63_6572)

    /// The hash of `bytes`.
    public static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        hash(bytes, key: key)
    }

    /// HighwayHash-64 of `bytes` under any key (the known-answer tests use HighwayHash's own).
    static func hash(_ bytes: UnsafeRawBufferPointer, key: (UInt64, UInt64, UInt64, UInt64)) -> UInt64 {
        var k = key
        return withUnsafeMutableBytes(of: &k) { keyBytes in
            HighwayHash64(keyBytes.baseAddress!.assumingMemoryBound(to: UInt64.self),
                          bytes.baseAddress?.assumingMemoryBound(to: CChar.self), UInt64(bytes.count))
        }
    }

    /// Copies `source` to `destination + prefix` and returns the hash of the `prefix` bytes
    /// already at `destination` followed by the copy: one pass over `source` (see
    /// `sds_highwayhash64_copy`).
    static func hashCopying(_ source: UnsafeRawBufferPointer, to destination: UnsafeMutableRawPointer, after prefix: Int) -> UInt64 {
        var k = key
        return withUnsafeBytes(of: &k) { keyBytes in
            sds_highwayhash64_copy(keyBytes.baseAddress!.assumingMemoryBound(to: UInt64.self), destination, prefix,
                                   source.baseAddress, source.count)
        }
    }

    /// The hash of `bytes`.
    public static func hash(_ bytes: some ContiguousBytes) -> UInt64 {
        bytes.withUnsafeBytes { hash($0) }
    }
}

/// Byte containers the hash and codecs read without copying.
public protocol ContiguousBytes {
    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R
}
extension Array: ContiguousBytes where Element == UInt8 {}
extension ArraySlice: ContiguousBytes where Element == UInt8 {}
