import Testing
@testable import SDSTFRecord
#if canImport(CCRC32C)
import CCRC32C
#endif

/// The folded (VPCLMULQDQ) CRC-32C, the fused copy + CRC, and the writer paths
/// that use them, each checked against the bitwise definition.
@Suite("Folded CRC-32C and fused copy in the writer")
struct FusedCRCWriterTests {
    /// Lengths around every boundary of the C code: the 256-byte fold minimum,
    /// its 64- and 16-byte tails, and the 3 × 256 / 3 × 8192 stream blocks.
    static let boundaryCounts: [Int] = {
        var counts = Array(0...600)
        for base in [767, 1023, 1024, 4096, 24_575, 24_576, 65_536, 100_000] {
            counts += [base - 17, base - 1, base, base + 1, base + 15, base + 16, base + 63, base + 64]
        }
        return counts
    }()

    static let data: [UInt8] = {
        var rng = SplitMix64(seed: 99)
        return (0..<100_200).map { _ in UInt8.random(in: 0...255, using: &rng) }
    }()

    @Test("hardware CRC (folded where available) equals the software CRC at every boundary and alignment",
          .enabled(if: CRC32C.isHardwareAccelerated))
    func foldedMatchesSoftware() {
        Self.data.withUnsafeBytes { raw in
            for count in Self.boundaryCounts {
                for skip in [0, 1, 5, 13] where skip + count <= raw.count {
                    let p = raw.baseAddress! + skip
                    let seed = UInt32(truncatingIfNeeded: count &* 2_654_435_761 &+ skip)
                    let software = CRC32C.softwareUpdate(seed, p, count)
                    #expect(CRC32C.hardwareUpdate(seed, p, count) == software, "count \(count) skip \(skip)")
                    #if canImport(CCRC32C)
                    #expect(sds_crc32c_hw_streams(seed, p, count) == software, "streams, count \(count) skip \(skip)")
                    #endif
                }
            }
        }
    }

    @Test("the folded CRC agrees with the bitwise definition on patterned input",
          .enabled(if: CRC32C.isHardwareAccelerated))
    func foldedMatchesDefinition() {
        for (count, byte) in [(256, UInt8(0)), (256, 0xFF), (1000, 0x5A), (4097, 0x80)] {
            let input = [UInt8](repeating: byte, count: count)
            let hardware = input.withUnsafeBytes { CRC32C.hardwareUpdate(0, $0.baseAddress!, $0.count) }
            #expect(hardware == bitwise(input), "\(count) × \(byte)")
        }
    }

    #if canImport(CCRC32C)
    @Test("fused copy + CRC copies exactly the bytes and returns their CRC",
          .enabled(if: CRC32C.isHardwareAccelerated))
    func fusedCopy() {
        let guardByte: UInt8 = 0xA5
        Self.data.withUnsafeBytes { raw in
            for count in Self.boundaryCounts where count <= 70_000 {
                for (skip, shift) in [(0, 0), (3, 1), (8, 7)] {
                    var destination = [UInt8](repeating: guardByte, count: count + 2 * 64)
                    let source = raw.baseAddress! + skip
                    let seed = UInt32(truncatingIfNeeded: count &* 40_503)
                    let crc = destination.withUnsafeMutableBytes { out in
                        sds_crc32c_copy(seed, out.baseAddress! + 64 + shift, source, count)
                    }
                    #expect(crc == CRC32C.softwareUpdate(seed, source, count), "count \(count)")
                    let copied = Array(destination[(64 + shift)..<(64 + shift + count)])
                    #expect(copied == Array(UnsafeRawBufferPointer(start: source, count: count)), "count \(count)")
                    #expect(destination[..<(64 + shift)].allSatisfy { $0 == guardByte }, "underrun, count \(count)")
                    #expect(destination[(64 + shift + count)...].allSatisfy { $0 == guardByte }, "overrun, count \(count)")
                }
            }
        }
    }
    #endif

    @Test("raw records, encoded Examples and framed bytes give byte-identical files",
          arguments: [256 << 10, 4096])
    func writerPathsAgree(bufferSize: Int) throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let examples = randomExamples(count: 300, seed: UInt64(bufferSize))
        let encoded = examples.map { ExampleEncoder.encode($0) }
        // Independent of the writer: the bitwise CRC and hand-built frames.
        var expected: [UInt8] = []
        for record in encoded { expected += referenceFrame(record) }
        #expect(expected.count > 2 * bufferSize, "the file must span several buffers")
        #expect(encoded.contains { $0.count > bufferSize }, "some record must exceed the buffer")

        let viaExamples = dir.file("examples.tfrecord")
        let viaRaw = dir.file("raw.tfrecord")
        let exampleWriter = try TFRecordWriter(path: viaExamples, bufferSize: bufferSize)
        let rawWriter = try TFRecordWriter(path: viaRaw, atomic: false, sync: false, bufferSize: bufferSize)
        for (example, record) in zip(examples, encoded) {
            #expect(try exampleWriter.write(example) == record.count)
            try rawWriter.write(record)
        }
        try exampleWriter.close()
        try rawWriter.close()
        #expect(try readFile(viaExamples) == expected)
        #expect(try readFile(viaRaw) == expected)
        #expect(encoded.map(TFRecordFraming.frame).reduce([], +) == expected)
        #expect(rawWriter.framedByteCount == UInt64(expected.count))
        #expect(rawWriter.dataByteCount == exampleWriter.dataByteCount)
        #expect(try TFRecordReader.readAll(path: viaRaw).map { try ExampleDecoder.decode($0) } == examples)

        // Compressed output goes through the same framing.
        let gzipPath = dir.file("raw.tfrecord.gz")
        let gzipWriter = try TFRecordWriter(path: gzipPath, compression: .gzip, bufferSize: bufferSize)
        for record in encoded { try gzipWriter.write(record) }
        try gzipWriter.close()
        #expect(try TFRecordReader.readAll(path: gzipPath, compression: .gzip) == encoded)
    }

    @Test("a writer closed without records leaves a 0-byte file")
    func emptyFile() throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        for atomic in [true, false] {
            let path = dir.file("empty-\(atomic).tfrecord")
            try TFRecordWriter(path: path, atomic: atomic).close()
            #expect(try readFile(path) == [])
        }
        #expect(try listDirectory(dir.path) == ["empty-false.tfrecord", "empty-true.tfrecord"])
    }

    // MARK: - Helpers

    /// Wearable-like examples of random size: float windows from 0 to 90,000 values
    /// (up to 360 KB, so records straddle and exceed a 4 KiB or 256 KiB buffer).
    func randomExamples(count: Int, seed: UInt64) -> [Example] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { index in
            let floats = index == 0 ? 80_000
                : index % 37 == 0 ? Int.random(in: 20_000...90_000, using: &rng)
                : [0, 1, 63, 64, 65, 255, 256, 2_880].randomElement(using: &rng)!
            var example = Example([
                "accel": .float((0..<floats).map { _ in Float(bitPattern: UInt32.random(in: 0...UInt32.max, using: &rng)) }),
                "subject": .text("subject-\(index % 17)"),
                "step": .int64([Int64(index), Int64.random(in: Int64.min...Int64.max, using: &rng)]),
            ])
            if Bool.random(using: &rng) {
                example["blob"] = .bytes([(0..<Int.random(in: 0..<600, using: &rng)).map { _ in
                    UInt8.random(in: 0...255, using: &rng)
                }])
            }
            return example
        }
    }

    /// A TFRecord frame built from the format's definition alone.
    func referenceFrame(_ data: [UInt8]) -> [UInt8] {
        let length = (0..<8).map { UInt8(truncatingIfNeeded: UInt64(data.count) >> (8 * $0)) }
        return length + littleEndian(CRC32C.mask(bitwise(length))) + data + littleEndian(CRC32C.mask(bitwise(data)))
    }

    func littleEndian(_ value: UInt32) -> [UInt8] {
        (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }

    /// The textbook one-bit-at-a-time CRC-32C.
    func bitwise(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        }
        return ~crc
    }
}
