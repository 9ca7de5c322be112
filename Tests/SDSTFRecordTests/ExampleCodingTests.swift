import Testing
@testable import SDSTFRecord

@Suite("tf.train.Example encoding")
struct ExampleCodingTests {
    static let reference = hexBytes("""
        0a29
          0a0b 0a0161 1206 1a04 0a020102
          0a0d 0a0162 1208 1206 0a040000003f
          0a0b 0a0163 1206 0a04 0a026869
        """)
    static let referenceExample = Example([
        "a": .int64([1, 2]),
        "b": .float([0.5]),
        "c": .bytes([Array("hi".utf8)]),
    ])

    @Test("the 43-byte reference example")
    func referenceBytes() throws {
        #expect(Self.reference.count == 43)
        #expect(ExampleEncoder.encode(Self.referenceExample) == Self.reference)
        #expect(try ExampleDecoder.decode(Self.reference) == Self.referenceExample)
    }

    @Test("same bytes for any insertion order")
    func insertionOrder() {
        var example = Example()
        example["c"] = .bytes([Array("hi".utf8)])
        example["b"] = .float([0.5])
        example["a"] = .int64([1, 2])
        #expect(ExampleEncoder.encode(example) == Self.reference)
    }

    @Test("the 59-byte file, byte for byte and by sha256")
    func referenceFile() throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let path = dir.file("ref.tfrecord")
        let writer = try TFRecordWriter(path: path)
        #expect(try writer.write(Self.referenceExample) == 43)
        try writer.close()
        let bytes = try readFile(path)
        #expect(bytes == hexBytes("2b00000000000000 861bc34b") + Self.reference + hexBytes("5ba8a10e"))
        #expect(try sha256sum(path) == "57ac70a09fb578c7e886eb1785431221c421da67a26b56950e337e0a6ac700dd")
        let reader = try TFRecordReader(path: path)
        #expect(try reader.nextExample() == Self.referenceExample)
        #expect(try reader.nextExample() == nil)
    }

    /// (feature, its `Feature` message bytes) from the format document.
    static let singleFeatures: [(Example.Feature, String)] = [
        (.int64([0]), "1a030a0100"),
        (.int64([300]), "1a040a02ac02"),
        (.int64([-1]), "1a0c0a0affffffffffffffffff01"),
        (.int64([Int64.min]), "1a0c0a0a80808080808080808001"),
        (.float([1, -0.0, Float(bitPattern: 0x7FC0_0000), .infinity]), "12120a100000803f000000800000c07f0000807f"),
        (.bytes([[], Array("hi".utf8)]), "0a060a000a026869"),
        (.float([]), "1200"),
        (.int64([]), "1a00"),
        (.bytes([]), "0a00"),
    ]

    @Test("each single-Feature encoding", arguments: 0..<singleFeatures.count)
    func singleFeature(_ index: Int) throws {
        let (feature, hex) = Self.singleFeatures[index]
        let featureBytes = hexBytes(hex)
        // Wrap as Example{features{feature{key "k" value <Feature>}}} and compare the tail.
        let encoded = ExampleEncoder.encode(Example(["k": feature]))
        let entry = [0x0A, 0x01, 0x6B, 0x12, UInt8(featureBytes.count)] + featureBytes
        let expected = [0x0A, UInt8(entry.count + 2), 0x0A, UInt8(entry.count)] + entry
        #expect(hexString(encoded) == hexString(expected))
        #expect(try ExampleDecoder.decode(encoded) == Example(["k": feature]))
    }

    @Test("an empty example is 0a00 and decodes from both 0a00 and nothing")
    func emptyExample() throws {
        #expect(ExampleEncoder.encode(Example()) == [0x0A, 0x00])
        #expect(try ExampleDecoder.decode([0x0A, 0x00]) == Example())
        #expect(try ExampleDecoder.decode([]) == Example())
    }

    @Test("keys sort by raw UTF-8 bytes with a prefix first")
    func keyOrder() {
        let names = ["b", "abc", "a", "ab", "é", "z", "Z", "e\u{301}x", "\u{1F600}", "ä"]
        let example = Example(Dictionary(uniqueKeysWithValues: names.map { ($0, Example.Feature.int64([1])) }))
        let sorted = example.sortedNames
        #expect(sorted.map { Array($0.utf8) } == names.map { Array($0.utf8) }.sorted { $0.lexicographicallyPrecedes($1) })
        #expect(Array(sorted.prefix(4)) == ["Z", "a", "ab", "abc"])
        // And that is the order in the bytes: decode the keys in wire order.
        let bytes = ExampleEncoder.encode(example)
        #expect(wireKeys(bytes) == sorted)
    }

    @Test("decoder accepts unpacked lists, split runs, unknown fields, reordered entries")
    func lenientDecoding() throws {
        // int64 [1, 300] unpacked: 08 01 08 ac02; float [0.5] unpacked: 0d 0000003f.
        // Value before key in entry "a", as TF accepts.
        let unpacked = hexBytes("""
            0a 21
              0a 0c 12 07 1a 05 08 01 08 ac 02 0a 01 61
              0a 11 0a 01 62 12 0c 12 0a 0d 0000003f 0d 0000803f
            """)
        #expect(try ExampleDecoder.decode(unpacked) == Example(["a": .int64([1, 300]), "b": .float([0.5, 1])]))
        // Two packed runs concatenate; an unknown varint field (field 9) is skipped.
        let split = hexBytes("0a 10 0a 0e 0a 01 61 12 09 1a 07 0a 01 01 0a 02 02 03 48 05")
        #expect(try ExampleDecoder.decode(split) == Example(["a": .int64([1, 2, 3])]))
        // Duplicate keys: the last wins; Example.features twice: merged.
        let dup = hexBytes("0a 0c 0a 0a 0a 01 61 12 05 1a 03 0a 01 01  0a 0c 0a 0a 0a 01 61 12 05 1a 03 0a 01 02  0a 0b 0a 09 0a 01 62 12 04 0a 02 0a 00")
        #expect(try ExampleDecoder.decode(dup) == Example(["a": .int64([2]), "b": .bytes([[]])]))
        // A Feature with no kind reads as an empty list.
        let kindless = hexBytes("0a 07 0a 05 0a 01 61 12 00")
        #expect(try ExampleDecoder.decode(kindless) == Example(["a": .bytes([])]))
    }

    @Test("malformed input is rejected with the offending offset", arguments: [
        ("0a 05 0a 03 0a 01", 1),                 // features claims 5 bytes, has 4: the length prefix
        ("0a 08 0a 06 0a 01 61 12 01 12", 10),    // Feature's float_list has no length byte left
        ("0a 0e 0a 0c 0a 01 61 12 07 12 05 0a 03 00 00 00", 11), // packed float run of 3 bytes: its tag
        ("0a 06 0a 04 0a 02 ff fe", 4),           // key is not UTF-8: the key field
        ("0b", 0),                                // group wire type: the tag
        ("08 ff ff ff ff ff ff ff ff ff 7f", 1),  // varint longer than 64 bits: the varint
    ])
    func malformed(_ input: String, _ offset: Int) throws {
        #expect {
            _ = try ExampleDecoder.decode(hexBytes(input))
        } throws: { error in
            guard let error = error as? TFRecordError else { return false }
            return error.code == .malformedExample && error.offset == UInt64(offset)
        }
    }

    @Test("randomized round trips: empty lists and strings, extreme ints, NaN/±Inf/−0, non-ASCII keys")
    func randomRoundTrips() throws {
        var rng = SplitMix64(seed: 20_240_601)
        var encoder = ExampleEncoder()
        let specialFloats: [Float] = [0, -0.0, .infinity, -.infinity, .nan, Float(bitPattern: 0x7FC0_1234),
                                      Float(bitPattern: 0xFFFF_FFFF), .leastNonzeroMagnitude, .greatestFiniteMagnitude,
                                      -.greatestFiniteMagnitude, .leastNormalMagnitude, 1e-40]
        let specialInts: [Int64] = [0, 1, -1, 127, 128, -128, 300, Int64.max, Int64.min, Int64.min + 1, 1 << 35, -(1 << 35)]
        let keyParts = ["", "a", "ab", "x/y", "é", "e\u{301}", "日本", "\u{1F600}", "key with space", "\u{0}", "Z"]
        for round in 0..<500 {
            var example = Example()
            for _ in 0..<Int.random(in: 0...6, using: &rng) {
                let name = keyParts.randomElement(using: &rng)! + String(Int.random(in: 0...3, using: &rng))
                let count = [0, 1, 2, 3, 17, 200].randomElement(using: &rng)!
                switch Int.random(in: 0..<3, using: &rng) {
                case 0:
                    example[name] = .bytes((0..<count).map { _ in
                        let length = [0, 0, 1, 5, 130].randomElement(using: &rng)!
                        return (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
                    })
                case 1:
                    example[name] = .float((0..<count).map { _ in
                        Bool.random(using: &rng) ? specialFloats.randomElement(using: &rng)!
                            : Float(bitPattern: UInt32.random(in: 0...UInt32.max, using: &rng))
                    })
                default:
                    example[name] = .int64((0..<count).map { _ in
                        Bool.random(using: &rng) ? specialInts.randomElement(using: &rng)!
                            : Int64.random(in: Int64.min...Int64.max, using: &rng) >> Int64.random(in: 0...63, using: &rng)
                    })
                }
            }
            let bytes = encoder.encode(example)
            #expect(bytes.count == encoder.prepare(example), "round \(round)")
            let decoded = try ExampleDecoder.decode(bytes)
            #expect(decoded == example, "round \(round)")
            // Canonical: re-encoding the decoded value gives the same bytes.
            #expect(ExampleEncoder.encode(decoded) == bytes, "round \(round)")
        }
    }

    @Test("float equality is by bit pattern")
    func bitPatternEquality() {
        #expect(Example.Feature.float([.nan]) == .float([.nan]))
        #expect(Example.Feature.float([0]) != .float([-0.0]))
        #expect(Example.Feature.float([Float(bitPattern: 0x7FC0_0001)]) != .float([Float(bitPattern: 0x7FC0_0000)]))
    }

    /// Map keys in the order they appear in an encoded Example.
    func wireKeys(_ bytes: [UInt8]) -> [String] {
        var keys: [String] = []
        var i = 2 + (bytes[1] >= 0x80 ? 1 : 0)  // skip Example tag and (short) length
        while i < bytes.count {
            // entry: 0a len 0a keylen key ...
            var length = 0, shift = 0
            var j = i + 1
            while true { let b = bytes[j]; length |= Int(b & 0x7F) << shift; j += 1; if b < 0x80 { break }; shift += 7 }
            let keyLength = Int(bytes[j + 1])
            keys.append(String(decoding: bytes[(j + 2)..<(j + 2 + keyLength)], as: UTF8.self))
            i = j + length
        }
        return keys
    }
}
