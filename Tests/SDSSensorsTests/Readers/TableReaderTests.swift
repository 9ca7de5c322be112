import SDSSensors
import Testing

/// 2016-04-13T00:00:00Z: day 16904 × 86 400 000 ms.
private let april13: Int64 = 1_460_505_600_000

@Suite struct TableReaderTests {
    typealias F = TableReaderFixture

    @Test func longCSVPartitionsSortedByKeyBytesRowsInFileOrder() throws {
        let frames = try F.read("""
            subject_id,time,bpm,extra
            b,2016-04-13T00:00:01Z,57,x
            B,2016-04-13T00:00:02Z,60,y
            a10,2016-04-13T00:00:03Z,61,z
            b,2016-04-13T00:00:00Z,58.5,w
            a9,2016-04-13T00:00:04Z,-3e1,v

            """, F.heartRate())
        #expect(frames.map(\.partition) == ["B", "a10", "a9", "b"])
        let b = frames[3]
        // Rows in file order, not sorted by time.
        #expect(b.time == [april13 + 1000, april13])
        #expect(b.columns == [FrameColumn("bpm", doubles: [57, 58.5])])
        #expect(b.lines == [2, 5])
        #expect(b.file == "hr.csv")
        #expect(frames[2].columns == [FrameColumn("bpm", doubles: [-30])])
    }

    @Test func singleRowAndWholeFilePartition() throws {
        let p = TableReaderParameters(partition: [], time: FrameTimeSpec(column: "time"), columns: [FrameReadColumn(source: "bpm", name: "hr")])
        let frames = try F.read("time,bpm\n2016-04-13T00:00:00Z,60", p)   // no final newline
        #expect(frames == [Frame(partition: "", time: [april13], columns: [FrameColumn("hr", doubles: [60])], file: "hr.csv", lines: [2])])
    }

    @Test func duplicateTimestampsAreKept() throws {
        let frames = try F.read("subject_id,time,bpm\nS,2016-04-13T00:00:00Z,1\nS,2016-04-13T00:00:00Z,2\n", F.heartRate())
        #expect(frames[0].time == [april13, april13])
        #expect(frames[0].columns[0].doubles == [1, 2])
    }

    @Test func quotedFieldsWithDelimitersQuotesAndNewlines() throws {
        let p = TableReaderParameters(partition: ["id"], time: FrameTimeSpec(column: "time"),
                                      columns: [FrameReadColumn(source: "note", type: .text), FrameReadColumn(source: "v")])
        let frames = try F.read("""
            "id","time","note","v"
            "a,1",2016-04-13T00:00:00Z,"say ""hi"", then go","1.5"
            "a,1","2016-04-13T00:00:01Z","two
            lines",2
            "a,1",2016-04-13T00:00:02Z,,3

            """, p)
        #expect(frames.map(\.partition) == ["a,1"])
        #expect(frames[0].columns == [FrameColumn("note", .text(["say \"hi\", then go", "two\nlines", ""])),
                                      FrameColumn("v", doubles: [1.5, 2, 3])])
        // The row with a newline in a field starts on line 3; the next row is on line 5.
        #expect(frames[0].lines == [2, 3, 5])
    }

    @Test func otherDelimiterAndHeaderLessFile() throws {
        let p = TableReaderParameters(delimiter: UInt8(ascii: "\t"), header: ["id", "t", "v"], partition: ["id"],
                                      time: FrameTimeSpec(column: "t", format: .epochSeconds), columns: [FrameReadColumn(source: "v")])
        let frames = try F.read("x\t1460505600\t1\nx\t1460505660\t2\n", p)
        #expect(frames[0].time == [april13, april13 + 60_000])
        #expect(frames[0].lines == [1, 2])
    }

    @Test func severalPartitionColumnsAreJoined() throws {
        let p = TableReaderParameters(partition: ["robot", "sensor"], time: FrameTimeSpec(column: "t", format: .epochMilliseconds),
                                      columns: [FrameReadColumn(source: "v")])
        let frames = try F.read("robot,sensor,t,v\n1,x,5,1\n2,x,6,2\n1,x,7,3\n1,y,8,4\n", p)
        #expect(frames.map(\.partition) == ["1_x", "1_y", "2_x"])
        #expect(frames.map(\.time) == [[5, 7], [8], [6]])
    }

    /// Robot run ids are unsigned 64-bit: 12405186538561671661 exceeds Int64.max
    /// (9223372036854775807); as text every digit stays.
    @Test func idsBeyondInt64StayText() throws {
        let p = TableReaderParameters(partition: ["run_uuid"], time: FrameTimeSpec(column: "time"),
                                      columns: [FrameReadColumn(source: "run_uuid", name: "run", type: .text)])
        let frames = try F.read("time,run_uuid\n2016-04-13T00:00:00Z,12405186538561671661\n2016-04-13T00:00:00Z,8910095844186657261\n", p)
        #expect(frames.map(\.partition) == ["12405186538561671661", "8910095844186657261"])
        #expect(frames[0].columns == [FrameColumn("run", .text(["12405186538561671661"]))])
    }

    @Test func missingValuesAndRanges() throws {
        let p = TableReaderParameters(partition: [], time: FrameTimeSpec(column: "t", format: .epochSeconds),
                                      columns: [FrameReadColumn(source: "a", valid: 0...10), FrameReadColumn(source: "b", type: .text)],
                                      missing: ["", "NA", "-"])
        let (frames, q) = try F.lenient("t,a,b\n1,,x\n2,NA,\n3,-,z\n4,10,w\n5,10.5,v\n6,NaN,u\n", p)
        let a = try #require(frames.first?.columns.first?.doubles)
        #expect(a.count == 4)
        #expect(a.prefix(3).allSatisfy { $0.isNaN })
        #expect(a[3] == 10)
        #expect(frames[0].columns[1] == FrameColumn("b", .text(["x", "", "z", "w"])))
        // 10.5 is outside 0...10; "NaN" is not one of these missing tokens.
        #expect(F.counts(q) == ["value out of range": 1, "bad number": 1])
    }

    /// Several number and text columns, partitions alternating row by row.
    @Test func interleavedPartitionsKeepEveryColumnAligned() throws {
        let p = TableReaderParameters(partition: ["k"], time: FrameTimeSpec(column: "t", format: .epochMilliseconds), columns: [
            FrameReadColumn(source: "x"), FrameReadColumn(source: "s", type: .text), FrameReadColumn(source: "y"),
            FrameReadColumn(source: "u", type: .text),
        ])
        let frames = try F.read("k,t,x,y,s,u\na,1,10,100,p,P\nb,2,20,200,q,Q\na,3,30,300,r,R\na,4,40,400,r,S\nb,5,50,500,q,T\n", p)
        #expect(frames == [
            Frame(partition: "a", time: [1, 3, 4], columns: [
                FrameColumn("x", doubles: [10, 30, 40]), FrameColumn("s", .text(["p", "r", "r"])),
                FrameColumn("y", doubles: [100, 300, 400]), FrameColumn("u", .text(["P", "R", "S"])),
            ], file: "hr.csv", lines: [2, 4, 5]),
            Frame(partition: "b", time: [2, 5], columns: [
                FrameColumn("x", doubles: [20, 50]), FrameColumn("s", .text(["q", "q"])),
                FrameColumn("y", doubles: [200, 500]), FrameColumn("u", .text(["Q", "T"])),
            ], file: "hr.csv", lines: [3, 6]),
        ])
    }

    /// A partition whose every row is rejected has no frame (rather than an empty one).
    @Test func partitionWithEveryRowRejectedIsLeftOut() throws {
        let (frames, q) = try F.lenient("subject_id,time,bpm\nS1,2016-04-13T00:00:00Z,60\nS2,bad,61\nS2,2016-04-13T00:00:00Z,x\n", F.heartRate())
        #expect(frames.map(\.partition) == ["S1"])
        #expect(q.total == 2)
    }

    @Test func requiredTextRejectsEveryEmptyField() throws {
        let p = TableReaderParameters(partition: [], time: FrameTimeSpec(column: "t", format: .epochSeconds),
                                      columns: [FrameReadColumn(source: "s", type: .text, allowMissing: false)])
        let (frames, q) = try F.lenient("t,s\n1,a\n2,\n3,\n4,a\n5,\"\"\n", p)
        #expect(frames.first?.lines == [2, 5])
        #expect(F.counts(q) == ["missing value": 3])
    }

    @Test func wideColumnsAreUnpivotedAtReadTime() throws {
        let p = TableReaderParameters(partition: ["Id"], time: FrameTimeSpec(column: "ActivityHour", format: .usDateTime12),
                                      columns: [FrameReadColumn(source: "Id", name: "id", type: .text)],
                                      wide: WideTimeColumns(pattern: "Steps{index}", value: "steps", step: 60_000))
        // Header order Steps02, Steps00, Steps01: output rows still go by index.
        let frames = try F.read("""
            Id,ActivityHour,Steps02,Steps00,Steps01,Other
            7,4/13/2016 12:00:00 AM,3,1,2,x
            7,4/13/2016 1:00:00 AM,30,10,20,y

            """, p)
        let h: Int64 = 3_600_000
        #expect(frames.count == 1)
        #expect(frames[0].time == [april13, april13 + 60_000, april13 + 120_000, april13 + h, april13 + h + 60_000, april13 + h + 120_000])
        #expect(frames[0].columns == [FrameColumn("id", .text(["7", "7", "7", "7", "7", "7"])),
                                      FrameColumn("steps", doubles: [1, 2, 3, 10, 20, 30])])
        #expect(frames[0].lines == [2, 2, 2, 3, 3, 3])
    }

    @Test func jsonLines() throws {
        let p = F.heartRate(format: .jsonl)
        let frames = try F.read(#"""
            {"subject_id": "S2", "time": "2016-04-13T00:00:00Z", "bpm": 60, "note": {"nested": [1, "}"]}}

            {"bpm":61.5,"time":"2016-04-13T00:00:01.5Z","subject_id":"S1"}
            {"subject_id":"S\u0032","time":"2016-04-13T00:00:02Z","bpm":null,"ok":true}
            {"subject_id":"S1","time":"2016-04-13T00:00:03Z","bpm":"62"}\#r
            {"subject_id":"S1","time":"2016-04-13T00:00:04Z","bpm":true}
            """#, p, file: "hr.jsonl")
        #expect(frames.map(\.partition) == ["S1", "S2"])
        #expect(frames[0].time == [april13 + 1500, april13 + 3000, april13 + 4000])
        #expect(frames[0].columns[0].doubles == [61.5, 62, 1])
        #expect(frames[0].lines == [3, 5, 6])
        #expect(frames[1].time == [april13, april13 + 2000])
        #expect(frames[1].columns[0].doubles?.first == 60)
        #expect(frames[1].columns[0].doubles?.last?.isNaN == true)
        #expect(frames[1].lines == [1, 4])
    }

    @Test func jsonNumbersAsTextAndEpochTimes() throws {
        let p = TableReaderParameters(format: .jsonl, partition: ["Id"], time: FrameTimeSpec(column: "t", format: .epochMilliseconds),
                                      columns: [FrameReadColumn(source: "Id", name: "id", type: .text), FrameReadColumn(source: "s", type: .text)])
        let frames = try F.read(#"{"Id":1503960366,"t":1.46223E+12,"s":"a\"b\\c\n\u00e9"}"#, p)
        #expect(frames.map(\.partition) == ["1503960366"])
        #expect(frames[0].time == [1_462_230_000_000])
        #expect(frames[0].columns == [FrameColumn("id", .text(["1503960366"])), FrameColumn("s", .text(["a\"b\\c\né"]))])
    }

    @Test func parameterBytesDifferWhenAParameterDiffers() {
        let base = F.heartRate()
        var variants: [TableReaderParameters] = [base]
        func variant(_ change: (inout TableReaderParameters) -> Void) {
            var p = base
            change(&p)
            variants.append(p)
        }
        variant { $0.delimiter = UInt8(ascii: ";") }
        variant { $0.header = ["subject_id", "time", "bpm"] }
        variant { $0.partition = ["time"] }
        variant { $0.partition = [] }
        variant { $0.time.column = "t" }
        variant { $0.time.format = .usDateTime12 }
        variant { $0.time.format = .isoDate; $0.time.timeColumn = "hour" }
        variant { $0.time.zone = "America/New_York" }
        variant { $0.columns[0].source = "hr" }
        variant { $0.columns[0].name = "hr" }
        variant { $0.columns[0].type = .text }
        variant { $0.columns[0].valid = 0...1 }
        variant { $0.columns[0].valid = 0...2 }
        variant { $0.columns[0].allowMissing = false }
        variant { $0.columns.append(FrameReadColumn(source: "x")) }
        variant { $0.wide = WideTimeColumns(pattern: "S{index}", value: "s") }
        variant { $0.wide = WideTimeColumns(pattern: "S{index}", value: "s", step: 1000) }
        variant { $0.missing = [""] }
        variant { $0.format = .jsonl }
        let bytes = variants.map { TableReader($0).parameters() }
        #expect(Set(bytes).count == variants.count)
        #expect(TableReader(base).parameters() == TableReader(F.heartRate()).parameters())
        // What is not read does not count: the delimiter of JSON Lines, the zone of epoch times.
        var a = F.heartRate(format: .jsonl), b = a
        b.delimiter = UInt8(ascii: ";")
        #expect(TableReader(a).parameters() == TableReader(b).parameters())
        a.time.format = .epochSeconds
        b = a
        b.time.zone = "Europe/Paris"
        #expect(TableReader(a).parameters() == TableReader(b).parameters())
        #expect(TableReader.name == "read.table" && TableReader.version == 2)
    }

    @Test func badParameters() {
        func message(_ p: TableReaderParameters) -> String {
            sensorError { () throws(SensorError) in try F.read("subject_id,time,bpm\n", p) }?.description ?? "no error"
        }
        var p = F.heartRate()
        p.time.zone = "Mars/Olympus"
        #expect(message(p) == "error: read.table: unknown time zone \"Mars/Olympus\"")
        p = F.heartRate()
        p.columns.append(FrameReadColumn(source: "time", name: "bpm"))
        #expect(message(p) == "error: read.table: two columns are named \"bpm\"")
        p = F.heartRate()
        p.time.timeColumn = "hour"
        #expect(message(p) == "error: read.table: a separate time-of-day column needs a date format (us_date, date or a pattern), not iso8601")
        p = F.heartRate()
        p.wide = WideTimeColumns(pattern: "Steps", value: "steps")
        #expect(message(p) == "error: read.table: the wide pattern \"Steps\" must contain {index} once")
        p.wide = WideTimeColumns(pattern: "bpm{index}", value: "steps", step: 0)
        #expect(message(p) == "error: read.table: the wide step must be between 1 and 1000000000000 ms, not 0")
        p = F.heartRate()
        p.delimiter = UInt8(ascii: "\"")
        #expect(message(p) == "error: read.table: the delimiter cannot be a quote or a line end")
        p = F.heartRate()
        p.header = ["subject_id", "time"]
        #expect(message(p) == "error: read.table: the given header: no column \"bpm\" in the header (it has \"subject_id\", \"time\")")
    }
}
