import SDSSensors
import Testing

@Suite struct CSVStreamTests {
    static let schema = CSVReaderTests.hrSchema

    /// Rows of `entities` entities, each entity's rows together, with a blank line and CRLF here and there.
    static func groupedText(entities: Int, rowsEach: Int) -> String {
        var text = "subject_id,time,bpm\r\n"
        for e in 0..<entities {
            for i in 0..<rowsEach {
                text += "S\(e),2016-04-12T00:\(i / 60 < 10 ? "0" : "")\(i / 60):\(i % 60 < 10 ? "0" : "")\(i % 60).\(i % 1000)Z,\(60 + i % 50)"
                text += i % 7 == 0 ? "\r\n" : "\n"
                if i % 41 == 0 { text += "\n" }
            }
        }
        return text
    }

    /// Feeds `bytes` in chunks of `size` and returns everything the stream handed back, in order.
    func stream(_ bytes: [UInt8], size: Int, grouped: Bool, jobs: Int = 1) throws(SensorError) -> [SensorPartition] {
        var s = LongCSVStream(file: "f.csv", schema: Self.schema, grouped: grouped, jobs: jobs, minimumChunkSize: 64)
        var out: [SensorPartition] = []
        var start = 0
        while start < bytes.count {
            out += try s.consume(Array(bytes[start..<min(start + size, bytes.count)]))
            start += size
        }
        out += try s.finish()
        return out
    }

    @Test(arguments: [1, 2, 3, 7, 19, 64, 1000, 1 << 20])
    func anyChunkSizeGivesTheWholeFileResult(size: Int) throws {
        let bytes = csv(Self.groupedText(entities: 5, rowsEach: 150))
        let whole = try LongCSVReader.read(bytes, file: "f.csv", schema: Self.schema)
        #expect(whole.count == 5)
        #expect(try stream(bytes, size: size, grouped: false) == whole)
        #expect(try stream(bytes, size: size, grouped: true, jobs: 3) == whole)
        // Unterminated last line too.
        let cut = Array(bytes.dropLast())
        #expect(try stream(cut, size: size, grouped: true) == LongCSVReader.read(cut, file: "f.csv", schema: Self.schema))
    }

    @Test func groupedModeReturnsEachEntityWhenTheNextStarts() throws {
        var s = LongCSVStream(file: "f.csv", schema: Self.schema, grouped: true)
        #expect(try s.consume(csv("subject_id,time,bpm\nB,2016-04-12T00:00:00Z,1\nB,2016-04-12T00:00:01Z,2\nA,2016-")) == [])
        let first = try s.consume(csv("04-12T00:00:00Z,3\nC,2016-04-12T00:00:00Z,4\n"))
        #expect(first.map(\.entity) == ["B", "A"])
        #expect((first[1].firstLine, first[1].lastLine) == (4, 4))
        #expect(try s.finish().map(\.entity) == ["C"])
    }

    @Test func groupedModeRejectsAReappearingEntity() {
        let text = "subject_id,time,bpm\nA,2016-04-12T00:00:00Z,1\nB,2016-04-12T00:00:00Z,2\nA,2016-04-12T00:00:00Z,3\n"
        let message = #"f.csv:4:1: error: rows of subject_id "A" are not contiguous; grouped input needs each entity's rows together"#
        // Within one chunk, and across chunks (the check then runs when pieces are joined).
        for size in [1 << 20, 3, 50] {
            let e = sensorError { () throws(SensorError) in try stream(csv(text), size: size, grouped: true) }
            #expect(e?.description == message, "chunk size \(size)")
        }
        #expect(sensorError { () throws(SensorError) in try stream(csv(text), size: 1 << 20, grouped: false) } == nil)
    }

    @Test func headerSplitAcrossChunksAndErrorsKeepTheirLines() {
        let text = "subject_id,time,bpm\nA,2016-04-12T00:00:00Z,1\n\nA,2016-04-12T00:00:01Z,x\n"
        for size in [1, 5, 30, 1000] {
            let e = sensorError { () throws(SensorError) in try stream(csv(text), size: size, grouped: false) }
            #expect(e?.description == #"f.csv:4:24: error: expected an integer, found "x""#, "chunk size \(size)")
        }
        let empty = sensorError { () throws(SensorError) in try stream([], size: 10, grouped: false) }
        #expect(empty?.description == "f.csv:1:1: error: empty file, expected a header line")
        let headerOnly = try? stream(csv("subject_id,time,bpm"), size: 4, grouped: true)
        #expect(headerOnly == [])
    }
}
