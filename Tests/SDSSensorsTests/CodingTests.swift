import SDSSensors
import Testing

/// Canonical encodings: round trips, a pinned layout, and rejection of altered bytes.
@Suite struct CodingTests {
    static let partition = SensorPartition(
        entity: "S0001", firstLine: 2, lastLine: 900,
        times: [ms(2016, 4, 12, 0, 0, 1, 56), ms(2016, 4, 12, 0, 0, 5, 424), .min, .max, 0, -1],
        columns: [NamedColumn(name: "bpm", values: .int64([57, 56, .max, .min, 0, -7])),
                  NamedColumn(name: "x", values: .double([1.5, -0.0, .nan, .infinity, Double("1e-310")!, 0.1]))])

    @Test func partitionLayoutIsPinned() {
        let p = SensorPartition(entity: "A", firstLine: 2, lastLine: 3, times: [1000, 1500],
                                columns: [NamedColumn(name: "v", values: .int64([5, 3]))])
        let expected: [UInt8] = Array("sPRT".utf8) + [1]
            + [1, 0, 0, 0] + Array("A".utf8)                    // entity
            + [2, 0, 0, 0, 0, 0, 0, 0] + [3, 0, 0, 0, 0, 0, 0, 0]  // line span
            + [2, 0, 0, 0, 0, 0, 0, 0]                          // rows
            + [4, 0, 0, 0, 0, 0, 0, 0] + [0xD0, 0x0F, 0xE8, 0x07]  // times: zigzag deltas 1000, 500
            + [1, 0, 0, 0, 0, 0, 0, 0]                          // one column
            + [1, 0, 0, 0] + Array("v".utf8) + [1]              // name, int64
            + [2, 0, 0, 0, 0, 0, 0, 0] + [2, 0, 0, 0, 0, 0, 0, 0] + [0x0A, 0x03]  // values: deltas 5, -2
        #expect(p.encoded() == expected)
    }

    @Test func partitionRoundTrips() throws {
        let bytes = Self.partition.encoded()
        let decoded = try SensorPartition(decoding: bytes)
        #expect(decoded == Self.partition)
        #expect(decoded.encoded() == bytes)
    }

    @Test func cleanedSeriesRoundTrips() throws {
        let cleaned = CleanedSeries(entity: "S", times: [3, 1, 2], values: .int64([70, 80, 90]),
                                    dropped: CleanCounts(belowMin: 1, aboveMax: 2, notANumber: 3, duplicateTime: 4))
        #expect(try CleanedSeries(decoding: cleaned.encoded()) == cleaned)
    }

    @Test func parametersHaveDistinctCanonicalBytes() throws {
        let hrClean = CleanParameters(column: "bpm", validMin: 30, validMax: 220, duplicates: .keepFirst)
        #expect(hrClean.encoded() != CleanParameters(column: "steps").encoded())
        #expect(CleanParameters(column: "bpm", validMin: 0).encoded() != CleanParameters(column: "bpm").encoded())
        let splits = SplitTests.parameters
        #expect(splits.encoded() != (try SplitParameters(salt: "other", rules: splits.rules)).encoded())
        #expect(CSVReaderTests.hrSchema.encoded() != sleepLabelSchema.encoded())
    }

    @Test func alteredBytesAreRejected() throws {
        let good = Self.partition.encoded()
        func rejects(_ bytes: [UInt8], _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
            let e = sensorError { () throws(SensorError) in try SensorPartition(decoding: bytes) }
            #expect(e?.code == .corruptObject, sourceLocation: sourceLocation)
            #expect(e?.description.contains(fragment) == true, "\(e?.description ?? "no error")", sourceLocation: sourceLocation)
        }
        rejects([], "truncated header")
        rejects(Array("sGRD".utf8) + good.dropFirst(4), #"wrong type tag "sGRD""#)
        var version = good
        version[4] = 2
        rejects(version, "unsupported format version 2")
        rejects(Array(good.dropLast()), "count 6 exceeds the object's size")  // the last column no longer fits
        rejects(good + [0], "1 trailing bytes")
        // The first time delta's varint padded with a continuation byte: same value, longer form.
        let p = SensorPartition(entity: "A", firstLine: 2, lastLine: 2, times: [1], columns: [])
        var padded = p.encoded()
        let at = 5 + 4 + 1 + 24  // header, entity, line span and row count
        #expect(Array(padded[at..<(at + 9)]) == [1, 0, 0, 0, 0, 0, 0, 0, 2])
        padded[at] = 2
        padded[at + 8] = 0x82
        padded.insert(0x00, at: at + 9)
        rejects(padded, "bad varint column")
        // An absurd count cannot make the reader allocate.
        var huge = p.encoded()
        huge.replaceSubrange(26..<34, with: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F])
        rejects(huge, "exceeds the object's size")
    }

    @Test func errorsPrintCompilerStyle() {
        #expect(SensorError(.badValue, "m", file: "f.csv", line: 3, column: 7).description == "f.csv:3:7: error: m")
        #expect(SensorError(.badValue, "m", file: "f.csv", line: 3).description == "f.csv:3: error: m")
        #expect(SensorError(.badValue, "m", file: "f.csv").description == "f.csv: error: m")
        #expect(SensorError(.invalidParameter, "m").description == "error: m")
    }
}
