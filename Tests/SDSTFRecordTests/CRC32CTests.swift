import Testing
@testable import SDSTFRecord

@Suite("CRC-32C and mask")
struct CRC32CTests {
    /// (input, crc32c, masked) from the format document §1.
    static let vectors: [([UInt8], UInt32, UInt32)] = [
        ([], 0x0000_0000, 0xA282_EAD8),
        (Array("a".utf8), 0xC1D0_4330, 0x28E4_6E78),
        (Array("123456789".utf8), 0xE306_9283, 0xC78A_B0E5),
        ([UInt8](repeating: 0x00, count: 32), 0x8A91_36AA, 0x0FD7_FFFA),
        ([UInt8](repeating: 0xFF, count: 32), 0x62A8_AB43, 0xF909_B029),
        (Array("hello".utf8), 0x9A71_BB4C, 0x191C_1FBB),
        ([0x05, 0, 0, 0, 0, 0, 0, 0], 0xE409_4DC0, 0x3E04_B2EA),
    ]

    @Test("document vectors", arguments: 0..<vectors.count)
    func documentVectors(_ index: Int) {
        let (input, crc, masked) = Self.vectors[index]
        #expect(CRC32C.checksum(input) == crc)
        #expect(CRC32C.mask(crc) == masked)
        #expect(CRC32C.unmask(masked) == crc)
        let software = input.withUnsafeBytes { raw in
            raw.baseAddress.map { CRC32C.softwareUpdate(0, $0, raw.count) } ?? 0
        }
        #expect(software == crc)
        let hardware = input.withUnsafeBytes { raw in
            raw.baseAddress.map { CRC32C.hardwareUpdate(0, $0, raw.count) } ?? 0
        }
        if CRC32C.isHardwareAccelerated { #expect(hardware == crc) }
    }

    @Test("every split point and alignment agrees with the bytewise definition")
    func incrementalAndUnaligned() {
        var rng = SplitMix64(seed: 42)
        let data = (0..<301).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let reference = bitwise(data)
        data.withUnsafeBytes { raw in
            for split in 0...raw.count {
                let first = CRC32C.update(0, UnsafeRawBufferPointer(rebasing: raw[0..<split]))
                let whole = CRC32C.update(first, UnsafeRawBufferPointer(rebasing: raw[split...]))
                #expect(whole == reference, "split at \(split)")
            }
            for skip in 0..<16 {
                let tail = UnsafeRawBufferPointer(rebasing: raw[skip...])
                #expect(CRC32C.checksum(tail) == bitwise(Array(tail)), "offset \(skip)")
            }
        }
    }

    @Test("hardware and software paths agree on random data of every length",
          .enabled(if: CRC32C.isHardwareAccelerated))
    func hardwareMatchesSoftware() {
        var rng = SplitMix64(seed: 11)
        let data = (0..<100_003).map { _ in UInt8.random(in: 0...255, using: &rng) }
        data.withUnsafeBytes { raw in
            // Around the 3 × 256 and 3 × 8192 block sizes of the interleaved C path, too.
            for count in [0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 767, 768, 769, 1000, 4099,
                          24_575, 24_576, 24_577, 50_000, 100_000] {
                for skip in [0, 1, 3] where skip + count <= raw.count {
                    let p = raw.baseAddress! + skip
                    let seed = UInt32(truncatingIfNeeded: count &* 2_654_435_761)
                    #expect(CRC32C.hardwareUpdate(seed, p, count) == CRC32C.softwareUpdate(seed, p, count))
                }
            }
        }
    }

    @Test("mask and unmask are inverse")
    func maskRoundTrip() {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<1000 {
            let value = UInt32.random(in: 0...UInt32.max, using: &rng)
            #expect(CRC32C.unmask(CRC32C.mask(value)) == value)
        }
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
