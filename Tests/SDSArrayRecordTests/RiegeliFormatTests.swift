import Testing
@testable import SDSArrayRecord

/// Known-answer vectors from the Riegeli/records specification and HighwayHash itself.
struct RiegeliFormatTests {
    /// The specification's "first 64 bytes of a Riegeli/records file are fixed" table:
    /// a block header and a signature chunk header, both hashed with Riegeli's key.
    @Test func signatureMatchesTheSpecification() {
        let spec: [UInt8] = [
            0x83, 0xaf, 0x70, 0xd1, 0x0d, 0x88, 0x4a, 0x3f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x91, 0xba, 0xc2, 0x3c, 0x92, 0x87, 0xe1, 0xa9,
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xe1, 0x9f, 0x13, 0xc0, 0xe9, 0xb1, 0xc3, 0x72,
            0x73, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        ]
        #expect(ArrayRecordReader.signature == spec)
        // The empty data's hash is the signature chunk's data hash (bytes 32..<40 of the file).
        #expect(RiegeliHash.hash([UInt8]()) == 0x72c3_b1e9_c013_9fe1)
    }

    /// HighwayHash-64 under HighwayHash's test key over the bytes 0, 1, 2, ...: the golden
    /// values of highwayhash_test.cc (kExpected64 for sizes 0, 1, 2 and 33).
    @Test func highwayHashKnownAnswers() {
        let key: (UInt64, UInt64, UInt64, UInt64) =
            (0x0706_0504_0302_0100, 0x0F0E_0D0C_0B0A_0908, 0x1716_1514_1312_1110, 0x1F1E_1D1C_1B1A_1918)
        let data = (0..<64).map { UInt8($0) }
        func h(_ n: Int) -> UInt64 { data.withUnsafeBytes { RiegeliHash.hash(UnsafeRawBufferPointer(rebasing: $0[..<n]), key: key) } }
        #expect(h(0) == 0x907A_56DE_22C2_6E53)
        #expect(h(1) == 0x7EAB_43AA_C7CD_DD78)
        #expect(h(2) == 0xB8D0_569A_B0B5_3D62)
        #expect(h(33) == 0x2C90_F73C_A031_81FC)
    }

    @Test func layoutFormulas() {
        typealias L = RiegeliLayout
        #expect(L.roundUpToPossibleChunkBoundary(0) == 0)
        #expect(L.roundUpToPossibleChunkBoundary(1) == 25)
        #expect(L.roundUpToPossibleChunkBoundary(25) == 25)
        #expect(L.roundUpToPossibleChunkBoundary(26) == 26)
        #expect(L.roundUpToPossibleChunkBoundary(65537) == 65536 + 25)
        // A 40-byte header plus 65,500 data bytes from 64 crosses one block header.
        #expect(L.addWithOverhead(64, 65540) == 64 + 65540 + 24)
        #expect(L.distanceWithoutOverhead(64, 64 + 65540 + 24) == 65540)
        #expect(L.positionAfterPadding(100, to: 65536) == 65536)
        #expect(L.positionAfterPadding(65536 - 10, to: 65536) == 2 * 65536)
    }
}
