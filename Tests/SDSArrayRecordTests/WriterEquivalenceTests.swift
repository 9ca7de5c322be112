import Testing
@testable import SDSArrayRecord

/// The fast writer (staging buffer, chunks spread in place, one zstd context, sink) writes
/// exactly the bytes of the reference writer, whatever the record sizes, group sizes,
/// compression and where the 64 KiB boundaries fall; to a sink as in memory.
struct WriterEquivalenceTests {
    /// Deterministic pseudo-random bytes: compressible in parts, random in others.
    static func record(_ i: Int, size: Int) -> [UInt8] {
        var x = UInt64(i) &* 0x9E37_79B9_7F4A_7C15 | 1
        return (0..<size).map { j in
            if (j / 512 + i) % 3 == 0 { return UInt8(truncatingIfNeeded: j / 7) }
            x ^= x << 13; x ^= x >> 7; x ^= x << 17
            return UInt8(truncatingIfNeeded: x)
        }
    }

    static func reference(_ records: [[UInt8]], _ options: ArrayRecordOptions) throws -> [UInt8] {
        var w = try ReferenceWriter(options: options)
        for r in records { try w.append(r) }
        return try w.finish()
    }

    static func fast(_ records: [[UInt8]], _ options: ArrayRecordOptions) throws -> (memory: [UInt8], sink: [UInt8], pieces: Int) {
        let w = try ArrayRecordWriter(options: options)
        for r in records { try w.append(r) }
        let memory = try w.finish()
        var sunk: [UInt8] = [], pieces = 0
        let s = try ArrayRecordWriter(options: options) { sunk.append(contentsOf: $0); pieces += 1 }
        for r in records { try s.append(r) }
        #expect(try s.finish().isEmpty)
        return (memory, sunk, pieces)
    }

    static let shapes: [(name: String, sizes: [Int])] = [
        ("none", []),
        ("empty records", [0, 0, 0]),
        ("small", (0..<300).map { ($0 * 37) % 200 }),
        // 23,328 bytes as the wearable set's examples, so chunks straddle boundaries at many offsets.
        ("wearable-sized", Array(repeating: 23_328, count: 40)),
        ("around a block", [65_536 - 64 - 40 - 4, 65_536 - 24, 65_536, 65_537, 1, 131_072 + 5, 3]),
        ("larger than the stage", [600_000, 10, 300_000]),
        ("mixed", (0..<120).map { ($0 * 7919) % 30_000 }),
    ]

    static let options: [ArrayRecordOptions] = [
        ArrayRecordOptions(compression: .uncompressed),
        ArrayRecordOptions(groupSize: 2, compression: .uncompressed),
        ArrayRecordOptions(groupSize: 64, compression: .uncompressed),
        ArrayRecordOptions(),
        ArrayRecordOptions(groupSize: 7, compression: .zstd(level: 1)),
        ArrayRecordOptions(compression: .zstd(level: -3), windowLog: 18),
        ArrayRecordOptions(compression: .brotli(level: 4)),
        ArrayRecordOptions(groupSize: 5, compression: .brotli(level: 1), windowLog: 16),
    ]

    /// The fused copy and hash gives libhighwayhash's value and the copied bytes, for prefixes
    /// and lengths around the 32-byte packets (AVX2 here; the copy-then-hash path elsewhere).
    @Test func hashCopyingIsACopyAndTheLibraryHash() {
        let source = Self.record(7, size: 4096)
        var destination = [UInt8](repeating: 0, count: 8192)
        var lengths = Array(0...97)
        lengths += [255, 256, 257, 1000, 4000]
        for prefix in [0, 1, 5, 31, 32, 33, 64, 100] {
            for count in lengths {
                for i in 0..<prefix { destination[i] = UInt8(truncatingIfNeeded: i &* 7 &+ prefix) }
                let h = destination.withUnsafeMutableBytes { d in
                    source.withUnsafeBytes { s in
                        RiegeliHash.hashCopying(UnsafeRawBufferPointer(rebasing: s[..<count]), to: d.baseAddress!, after: prefix)
                    }
                }
                #expect(Array(destination[prefix..<(prefix + count)]) == Array(source[..<count]), "prefix \(prefix), count \(count)")
                #expect(h == RiegeliHash.hash(destination[..<(prefix + count)]), "prefix \(prefix), count \(count)")
            }
        }
    }

    @Test(arguments: options) func sameBytesAsTheReferenceWriter(options: ArrayRecordOptions) throws {
        for shape in Self.shapes {
            let records = shape.sizes.enumerated().map { Self.record($0.offset, size: $0.element) }
            let expected = try Self.reference(records, options)
            let (memory, sink, pieces) = try Self.fast(records, options)
            #expect(memory == expected, "\(shape.name)")
            #expect(sink == expected, "\(shape.name)")
            // Large pieces: the whole file in about size / flushSize writes, not one per chunk.
            #expect(pieces <= expected.count / ArrayRecordWriter.flushSize + 3, "\(shape.name): \(pieces) pieces")
            #expect(try ArrayRecordReader(bytes: memory).verify() == records.count, "\(shape.name)")
        }
    }
}
