import SDSSensors
import Testing

@Suite struct CSVReaderTests {
    static let hrSchema = LongCSVSchema(entityColumn: "subject_id", timeColumn: "time", valueColumns: [ValueColumn("bpm", .int64)])

    func read(_ text: String, schema: LongCSVSchema = hrSchema, jobs: Int = 1) throws(SensorError) -> [SensorPartition] {
        try LongCSVReader.read(csv(text), file: "heart_rate.csv", schema: schema, jobs: jobs)
    }

    func error(_ text: String, schema: LongCSVSchema = hrSchema) -> String {
        sensorError { () throws(SensorError) in try read(text, schema: schema) }?.description ?? "no error"
    }

    @Test func partitionsByEntitySortedWithLineSpans() throws {
        let parts = try read("""
            subject_id,time,bpm,extra
            B,2016-04-12T00:00:01.056Z,57,x
            A,2016-04-12T00:00:02Z,60,y
            B,2016-04-12T00:00:03.5Z,58,z
            A,2016-04-12T00:00:04.25Z,-3,w

            """)
        #expect(parts.map(\.entity) == ["A", "B"])
        #expect(parts[0] == SensorPartition(entity: "A", firstLine: 3, lastLine: 5,
                                            times: [ms(2016, 4, 12, 0, 0, 2), ms(2016, 4, 12, 0, 0, 4, 250)],
                                            columns: [NamedColumn(name: "bpm", values: .int64([60, -3]))]))
        #expect(parts[1] == SensorPartition(entity: "B", firstLine: 2, lastLine: 4,
                                            times: [ms(2016, 4, 12, 0, 0, 1, 56), ms(2016, 4, 12, 0, 0, 3, 500)],
                                            columns: [NamedColumn(name: "bpm", values: .int64([57, 58]))]))
    }

    /// Consecutive rows compare entity ids as one word when they are 8 bytes or shorter:
    /// ids differing only in their last byte, at lengths 7, 8 and 9, and ids at a line end.
    @Test func entityIdsDifferingInTheirLastByteAreTold() throws {
        for id in ["subjec", "subject", "subject0", "subject00"] {
            let a = id + "A", b = id + "B"
            let text = "subject_id,time,bpm\n\(a),2016-04-12T00:00:00Z,1\n\(b),2016-04-12T00:00:01Z,2\n\(a),2016-04-12T00:00:02Z,3\n"
            let parts = try read(text)
            #expect(parts.map(\.entity) == [a, b])
            #expect(parts.map(\.times.count) == [2, 1])
        }
        // The entity as the last field: the 8-byte word would run past the end of the piece.
        let schema = LongCSVSchema(entityColumn: "subject_id", timeColumn: "time", valueColumns: [ValueColumn("bpm", .int64)])
        let parts = try read("time,bpm,subject_id\n2016-04-12T00:00:00Z,1,xA\n2016-04-12T00:00:01Z,2,xB\n2016-04-12T00:00:02Z,3,xB", schema: schema)
        #expect(parts.map(\.entity) == ["xA", "xB"])
        #expect(parts.map(\.times.count) == [1, 2])
    }

    @Test func entitiesSortByBytesNotByFirstAppearance() throws {
        let parts = try read("subject_id,time,bpm\nb,2016-04-12T00:00:00Z,1\nB,2016-04-12T00:00:00Z,2\na10,2016-04-12T00:00:00Z,3\na9,2016-04-12T00:00:00Z,4\n")
        #expect(parts.map(\.entity) == ["B", "a10", "a9", "b"])
    }

    @Test(arguments: [
        ("2016-04-12T01:02:03Z", 0), ("2016-04-12T01:02:03.7Z", 700),
        ("2016-04-12T01:02:03.07Z", 70), ("2016-04-12T01:02:03.007Z", 7), ("2016-04-12T01:02:03.999Z", 999),
    ])
    func timestampFractionDigits(text: String, milliseconds: Int) throws {
        let parts = try read("subject_id,time,bpm\nS,\(text),60\n")
        #expect(parts[0].times == [ms(2016, 4, 12, 1, 2, 3, milliseconds)])
    }

    @Test func timestampsAcrossCalendarEdges() throws {
        let parts = try read("""
            subject_id,time,bpm
            S,1970-01-01T00:00:00Z,1
            S,1969-12-31T23:59:59.999Z,2
            S,2016-02-29T23:59:59Z,3
            S,2000-03-01T00:00:00Z,4
            S,2016-04-12T00:00:00Z,5
            """)
        #expect(parts[0].times == [0, -1, 1_456_790_399_000, 951_868_800_000, 1_460_419_200_000])
    }

    @Test func sleepLabelTableWithDates() throws {
        let parts = try LongCSVReader.read(csv("""
            subject_id,date,minutes_asleep,time_in_bed
            S0002,2016-04-13,401,450
            S0001,2016-04-12,378,432
            S0001,2016-04-13,412.5,461

            """), file: "sleep_labels.csv", schema: sleepLabelSchema)
        #expect(parts.map(\.entity) == ["S0001", "S0002"])
        #expect(parts[0].times == [ms(2016, 4, 12), ms(2016, 4, 13)])
        #expect(parts[0].column(named: "minutes_asleep") == .double([378, 412.5]))
        #expect((parts[0].firstLine, parts[0].lastLine) == (3, 4))
        #expect(parts[1].column(named: "minutes_asleep") == .double([401]))
    }

    @Test func doublesIncludingScientificNotation() throws {
        let schema = LongCSVSchema(entityColumn: "e", timeColumn: "t", valueColumns: [ValueColumn("v", .double)])
        let texts = ["1.5e3", "-2.5E-2", ".5", "5.", "+3", "0.1", "-0", "1e22", "1e23", "1e-300", "2.2250738585072014e-308",
                     "3.14159265358979323846264338327950288", "123456789012345678901234567890", "9007199254740993"]
        let body = texts.map { "x,2016-04-12T00:00:00Z,\($0)\n" }.joined()
        let parts = try LongCSVReader.read(csv("e,t,v\n" + body), file: "f.csv", schema: schema)
        guard case .double(let values) = parts[0].columns[0].values else { Issue.record("not doubles"); return }
        #expect(values.count == texts.count)
        for (text, value) in zip(texts, values) {
            #expect(value.bitPattern == Double(text)!.bitPattern, "\(text)")
        }
        #expect(values[1] == -0.025 && values[5] == 0.1 && values[6].sign == .minus)
    }

    @Test func lineEndingsBlankLinesAndByteOrderMark() throws {
        let parts = try read("\u{FEFF}subject_id,time,bpm\r\nS,2016-04-12T00:00:00Z,1\r\n\r\n\nS,2016-04-12T00:00:01Z,2")
        #expect(parts[0].column(named: "bpm") == .int64([1, 2]))
        #expect((parts[0].firstLine, parts[0].lastLine) == (2, 5))
    }

    @Test func entityInLastColumnWithCRLF() throws {
        let schema = LongCSVSchema(entityColumn: "id", timeColumn: "t", valueColumns: [ValueColumn("v", .int64)])
        let parts = try LongCSVReader.read(csv("t,v,id\r\n2016-04-12T00:00:00Z,7,S1\r\n"), file: "f.csv", schema: schema)
        #expect(parts.map(\.entity) == ["S1"])
    }

    @Test func headerOnlyGivesNoPartitions() throws {
        #expect(try read("subject_id,time,bpm\n").isEmpty)
        #expect(try read("subject_id,time,bpm").isEmpty)
    }

    // MARK: Errors

    @Test func badIntegerIsLocated() {
        #expect(error("subject_id,time,bpm\nS1,2016-04-12T00:00:00.000Z,60\nS1,2016-04-12T00:00:01.000Z,1.2.3\n")
                == #"heart_rate.csv:3:29: error: expected an integer, found "1.2.3""#)
        #expect(error("subject_id,time,bpm\nS1,2016-04-12T00:00:01Z,\n")
                == "heart_rate.csv:2:25: error: expected an integer, found an empty field")
        #expect(error("subject_id,time,bpm\nS1,2016-04-12T00:00:01Z,99999999999999999999\n")
                == #"heart_rate.csv:2:25: error: integer out of range, found "99999999999999999999""#)
        #expect(error("subject_id,time,bpm\nS1,2016-04-12T00:00:01Z,6\"0\n")
                == #"heart_rate.csv:2:25: error: expected an integer, found "6\"0""#)
    }

    @Test(arguments: [
        ("2016-13-12T00:00:01Z", #"bad timestamp "2016-13-12T00:00:01Z": month 13 is out of range"#),
        ("2016-02-30T00:00:01Z", #"bad timestamp "2016-02-30T00:00:01Z": day 30 is out of range for the month"#),
        ("2015-02-29T00:00:01Z", #"bad timestamp "2015-02-29T00:00:01Z": day 29 is out of range for the month"#),
        ("2016-04-12T24:00:00Z", #"bad timestamp "2016-04-12T24:00:00Z": hour 24 is out of range"#),
        ("2016-04-12T23:60:00Z", #"bad timestamp "2016-04-12T23:60:00Z": minute 60 is out of range"#),
        ("2016-04-12T23:00:60Z", #"bad timestamp "2016-04-12T23:00:60Z": second 60 is out of range"#),
        ("2016-04-12T00:00:01.0000Z", #"bad timestamp "2016-04-12T00:00:01.0000Z": more than 3 fraction digits"#),
        ("2016-04-12T00:00:01+01:00", #"bad timestamp "2016-04-12T00:00:01+01:00": the time must be UTC, ending in Z"#),
        ("2016-04-12T00:00:01", #"expected a timestamp YYYY-MM-DDTHH:MM:SS[.fff]Z, found "2016-04-12T00:00:01""#),
        ("2016-04-12T00:00:01.Z", #"expected a timestamp YYYY-MM-DDTHH:MM:SS[.fff]Z, found "2016-04-12T00:00:01.Z""#),
        ("2016-04-12 00:00:01Z", #"expected a timestamp YYYY-MM-DDTHH:MM:SS[.fff]Z, found "2016-04-12 00:00:01Z""#),
        ("2016-04-12T00:00:01Zx", #"expected a timestamp YYYY-MM-DDTHH:MM:SS[.fff]Z, found "2016-04-12T00:00:01Zx""#),
        ("yesterday", #"expected a timestamp YYYY-MM-DDTHH:MM:SS[.fff]Z, found "yesterday""#),
    ])
    func badTimestampIsLocated(text: String, message: String) {
        #expect(error("subject_id,time,bpm\nS1,2016-04-12T00:00:00Z,60\nS1,\(text),60\n")
                == "heart_rate.csv:3:4: error: " + message)
    }

    @Test func badDateIsLocated() {
        let text = "subject_id,date,minutes_asleep,time_in_bed\nS1,2016-04-31,1,2\nS1,2016-4-1,1,2\n"
        #expect(error(text, schema: sleepLabelSchema)
                == #"heart_rate.csv:2:4: error: bad date "2016-04-31": day 31 is out of range for the month"#)
        #expect(error("subject_id,date,minutes_asleep,time_in_bed\nS1,2016-4-1,1,2\n", schema: sleepLabelSchema)
                == #"heart_rate.csv:2:4: error: expected a date YYYY-MM-DD, found "2016-4-1""#)
        #expect(error("subject_id,date,minutes_asleep,time_in_bed\nS1,2016-04-01,1x,2\n", schema: sleepLabelSchema)
                == #"heart_rate.csv:2:15: error: expected a number, found "1x""#)
    }

    @Test func wrongFieldCountsAreLocated() {
        #expect(error("subject_id,time,bpm\nS1,2016-04-12T00:00:01Z\n")
                == "heart_rate.csv:2:24: error: expected 3 fields, found 2")
        #expect(error("subject_id,time,bpm\nS1,2016-04-12T00:00:01Z,60,7,8\n")
                == "heart_rate.csv:2:28: error: expected 3 fields, found 5")
        #expect(error("subject_id,time,bpm\nS1\n")
                == "heart_rate.csv:2:3: error: expected 3 fields, found 1")
        #expect(error("subject_id,time,bpm\n,2016-04-12T00:00:01Z,60\n")
                == "heart_rate.csv:2:1: error: empty subject_id field")
    }

    @Test func headerProblems() {
        #expect(error("subject_id,time,rate\nS1,2016-04-12T00:00:01Z,60\n")
                == #"heart_rate.csv:1:1: error: missing column "bpm" in the header (found: subject_id, time, rate)"#)
        #expect(error("subject_id,time,bpm,time\n")
                == #"heart_rate.csv:1:21: error: column "time" appears twice in the header"#)
        #expect(error("") == "heart_rate.csv:1:1: error: empty file, expected a header line")
        #expect(error("\n") == "heart_rate.csv:1:1: error: empty header line")
        let missing = sensorError { () throws(SensorError) in try read("subject_id,time\n") }
        #expect(missing?.code == .badHeader && missing?.line == 1 && missing?.isDataError == true)
    }

    @Test func blankLinesCountTowardLineNumbers() {
        #expect(error("subject_id,time,bpm\n\n\nS1,2016-04-12T00:00:01Z,x\n")
                == #"heart_rate.csv:4:25: error: expected an integer, found "x""#)
    }

    @Test func invalidUTF8EntityIsRejected() {
        let bytes = csv("subject_id,time,bpm\n") + [0xFF, 0xFE] + csv(",2016-04-12T00:00:01Z,60\n")
        let e = sensorError { () throws(SensorError) in
            try LongCSVReader.read(bytes, file: "f.csv", schema: Self.hrSchema)
        }
        #expect(e?.description == "f.csv:2:1: error: subject_id is not valid UTF-8")
    }

    // MARK: Parallel parsing

    /// Rows of 7 interleaved entities, some lines blank, so pieces split entities.
    static func interleaved(rows: Int) -> String {
        var text = "subject_id,time,bpm\n"
        for i in 0..<rows {
            let sec = i % 60, minute = (i / 60) % 60
            text += "E\(i * 7919 % 7),2016-04-12T01:\(minute < 10 ? "0" : "")\(minute):\(sec < 10 ? "0" : "")\(sec).\(i % 10)Z,\(i)\n"
            if i % 97 == 0 { text += "\n" }
        }
        return text
    }

    @Test(arguments: [2, 3, 8])
    func parallelPiecesGiveTheSameResult(jobs: Int) throws {
        let bytes = csv(Self.interleaved(rows: 3000))
        let one = try LongCSVReader.read(bytes, file: "f.csv", schema: Self.hrSchema, jobs: 1)
        let many = try LongCSVReader.read(bytes, file: "f.csv", schema: Self.hrSchema, jobs: jobs, minimumChunkSize: 100)
        #expect(one.count == 7)
        #expect(one == many)
        #expect(one.reduce(0) { $0 + $1.rowCount } == 3000)
    }

    @Test func parallelErrorHasTheAbsoluteLine() throws {
        var text = Self.interleaved(rows: 3000)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let bad = 2500  // 0-based index in `lines`, so file line 2501
        var edited = lines
        edited[bad] = "E1,2016-04-12T01:00:00Z,oops"
        text = edited.joined(separator: "\n")
        let e = sensorError { () throws(SensorError) in
            try LongCSVReader.read(csv(text), file: "f.csv", schema: Self.hrSchema, jobs: 4, minimumChunkSize: 100)
        }
        #expect(e?.description == #"f.csv:2501:25: error: expected an integer, found "oops""#)
    }
}

/// The WORKLOAD sleep-label table as a long-CSV schema (dates, one double column).
let sleepLabelSchema = LongCSVSchema(entityColumn: "subject_id", timeColumn: "date", timeFormat: .date,
                                     valueColumns: [ValueColumn("minutes_asleep", .double)])
