import SDSSensors
import Testing

/// The bad-input corpus: each case's exact strict error (`file:line:col`) and its lenient
/// quarantine reason, or the correct result for inputs that are odd but fine.
///
/// Columns count bytes: "S1," is 3, a timestamp like 2016-04-13T00:00:00Z is 20.
@Suite struct TableReaderBadInputTests {
    typealias F = TableReaderFixture
    static let header = "subject_id,time,bpm\n"
    static let good = "S1,2016-04-13T00:00:00Z,60\n"

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var row: String
        var strict: String
        var reason: String
        var code: SensorError.Code
        var zone = "UTC"
        var valid: ClosedRange<Double>?
        var allowMissing = true
        var testDescription: String { name }
    }

    static let rowCases: [Case] = [
        // 3 + 20 = 23 bytes: the missing field would start at column 24.
        Case(name: "too few fields", row: "S1,2016-04-13T00:00:01Z\n",
             strict: "hr.csv:3:24: error: expected 3 fields, found 2", reason: "wrong number of fields", code: .malformedRow),
        // The extra field "9" starts after 3 + 20 + 1 + 3 = 27 bytes.
        Case(name: "too many fields", row: "S1,2016-04-13T00:00:01Z,61,9\n",
             strict: "hr.csv:3:28: error: expected 3 fields, found 4", reason: "wrong number of fields", code: .malformedRow),
        Case(name: "too few fields, CRLF", row: "S1,2016-04-13T00:00:01Z\r\n",
             strict: "hr.csv:3:24: error: expected 3 fields, found 2", reason: "wrong number of fields", code: .malformedRow),
        Case(name: "bad number", row: "S1,2016-04-13T00:00:01Z,12.3.4\n",
             strict: "hr.csv:3:25: error: \"12.3.4\" is not a number (column \"bpm\")", reason: "bad number", code: .badValue),
        Case(name: "bad timestamp", row: "S1,2016-04-13T25:00:00Z,60\n",
             strict: "hr.csv:3:4: error: bad timestamp \"2016-04-13T25:00:00Z\" in column \"time\": hour 25 is out of range",
             reason: "bad timestamp", code: .badTimestamp),
        Case(name: "not a timestamp", row: "S1,yesterday,60\n",
             strict: "hr.csv:3:4: error: expected a time like YYYY-MM-DDTHH:MM:SS[.fff][Z|±HH:MM] in column \"time\", found \"yesterday\"",
             reason: "bad timestamp", code: .badTimestamp),
        Case(name: "ambiguous timestamp", row: "S1,2016-11-06T01:30:00,60\n",
             strict: "hr.csv:3:4: error: 2016-11-06 01:30:00 happens twice in America/New_York (at -04:00 and again at -05:00)",
             reason: "ambiguous local time", code: .badTimestamp, zone: "America/New_York"),
        Case(name: "nonexistent timestamp", row: "S1,2016-03-13T02:30:00,60\n",
             strict: "hr.csv:3:4: error: 2016-03-13 02:30:00 does not exist in America/New_York (the clocks jump from -05:00 to -04:00)",
             reason: "nonexistent local time", code: .badTimestamp, zone: "America/New_York"),
        Case(name: "value out of range", row: "S1,2016-04-13T00:00:01Z,250\n",
             strict: "hr.csv:3:25: error: value 250 in column \"bpm\" is outside 20...220", reason: "value out of range",
             code: .badValue, valid: 20...220),
        Case(name: "missing value", row: "S1,2016-04-13T00:00:01Z,NA\n",
             strict: "hr.csv:3:25: error: missing value in column \"bpm\"", reason: "missing value", code: .badValue, allowMissing: false),
        Case(name: "empty partition key", row: ",2016-04-13T00:00:01Z,60\n",
             strict: "hr.csv:3:1: error: empty partition key in column \"subject_id\"", reason: "empty partition key", code: .malformedRow),
        // 3 + 1 + 20 + 1 = 25 bytes before the stray x.
        Case(name: "text after a closing quote", row: "S1,\"2016-04-13T00:00:01Z\"x,60\n",
             strict: "hr.csv:3:26: error: a closing quote must be followed by the delimiter or the line's end",
             reason: "bad quoting", code: .malformedRow),
        Case(name: "unclosed quote", row: "S1,\"2016-04-13T00:00:01Z,60\n",
             strict: "hr.csv:3:4: error: a quoted field is not closed", reason: "bad quoting", code: .malformedRow),
    ]

    func parameters(_ c: Case) -> TableReaderParameters {
        F.heartRate(zone: c.zone, valid: c.valid, allowMissing: c.allowMissing)
    }

    @Test(arguments: rowCases)
    func strictModeNamesTheField(c: Case) {
        let text = Self.header + Self.good + c.row + Self.good
        let error = sensorError { () throws(SensorError) in try F.read(text, parameters(c)) }
        #expect(error?.description == c.strict)
        #expect(error?.code == c.code)
    }

    @Test(arguments: rowCases)
    func lenientModeCountsTheReasonAndKeepsTheRest(c: Case) throws {
        let text = Self.header + Self.good + c.row + Self.good
        let (frames, q) = try F.lenient(text, parameters(c))
        #expect(F.counts(q) == [c.reason: 1])
        // The set-aside row's place is the strict error's: file:line:col.
        #expect(q.reasons.first?.locations == [String(c.strict.prefix { $0 != " " }.dropLast())])
        #expect(frames.map(\.partition) == ["S1"])
        // An unclosed quote runs to the end of the file, taking the last row with it.
        #expect(frames.first?.lines == (c.name == "unclosed quote" ? [2] : [2, 4]))
    }

    /// A byte 0xFF is never UTF-8.
    @Test func partitionKeyThatIsNotUTF8() throws {
        var bytes = Array((Self.header + Self.good).utf8)
        bytes += [UInt8(ascii: "S"), 0xFF] + Array(",2016-04-13T00:00:01Z,60\n".utf8)
        var strict = Quarantine(strict: true)
        let error = sensorError { () throws(SensorError) in try TableReader(F.heartRate()).read(bytes, file: "hr.csv", quarantine: &strict) }
        #expect(error?.description == "hr.csv:3:1: error: the partition key is not valid UTF-8")
        var lenient = Quarantine()
        let frames = try TableReader(F.heartRate()).read(bytes, file: "hr.csv", quarantine: &lenient)
        #expect(frames.map(\.partition) == ["S1"])
        #expect(F.counts(lenient) == ["bad value": 1])
    }

    @Test func lenientModeCountsEveryReason() throws {
        let text = Self.header + Self.good + rowsOfEveryKind + Self.good
        let (frames, q) = try F.lenient(text, F.heartRate(valid: 20...220))
        #expect(q.reasons.map(\.reason) == ["wrong number of fields", "bad number", "bad timestamp", "value out of range", "empty partition key"])
        #expect(q.reasons.map(\.count) == [2, 1, 2, 1, 1])
        #expect(q.reasons[0].locations == ["hr.csv:3:24", "hr.csv:4:28"])
        #expect(q.total == 7)
        #expect(frames.first?.lines == [2, 10])
    }

    private var rowsOfEveryKind: String {
        """
        S1,2016-04-13T00:00:01Z
        S1,2016-04-13T00:00:01Z,61,9
        S1,2016-04-13T00:00:01Z,12.3.4
        S1,2016-04-13T25:00:00Z,60
        S1,never,60
        S1,2016-04-13T00:00:01Z,250
        ,2016-04-13T00:00:01Z,60

        """
    }

    @Test func byteOrderMarkIsStripped() throws {
        let frames = try F.read("\u{FEFF}" + Self.header + Self.good, F.heartRate())
        #expect(frames.map(\.partition) == ["S1"])
        #expect(frames[0].time == [1_460_505_600_000])
        // Without stripping, the first header name would be "\u{FEFF}subject_id" and fail.
        let p = TableReaderParameters(partition: [], time: FrameTimeSpec(column: "subject_id", format: .epochSeconds), columns: [])
        #expect(try F.read("\u{FEFF}subject_id\n5\n", p).first?.time == [5000])
    }

    @Test func crlfLineEnds() throws {
        let frames = try F.read("subject_id,time,bpm\r\nS1,2016-04-13T00:00:00Z,60\r\nS2,2016-04-13T00:00:01Z,61\r\n\r\n", F.heartRate())
        #expect(frames.map(\.partition) == ["S1", "S2"])
        #expect(frames.map(\.lines) == [[2], [3]])
        #expect(frames[1].columns == [FrameColumn("bpm", doubles: [61])])
        // A CR ends a text field too, not just numbers.
        let p = TableReaderParameters(partition: ["id"], time: FrameTimeSpec(column: "t", format: .epochSeconds), columns: [])
        #expect(try F.read("t,id\r\n1,a\r\n", p).map(\.partition) == ["a"])
    }

    @Test func emptyFile() {
        for text in ["", "\n\n", "\r\n"] {
            #expect(F.strictError(text, F.heartRate()) == "hr.csv:1:1: error: the file is empty")
            let lenient = sensorError { () throws(SensorError) in try F.lenient(text, F.heartRate()) }
            #expect(lenient?.code == .badHeader)
        }
        #expect(F.strictError(" \n", F.heartRate(format: .jsonl), file: "hr.jsonl") == "hr.jsonl:1:1: error: the file is empty")
    }

    @Test func headerOnly() throws {
        for text in ["subject_id,time,bpm\n", "subject_id,time,bpm", "subject_id,time,bpm\r\n\n\n"] {
            let (frames, q) = try F.lenient(text, F.heartRate())
            #expect(frames.isEmpty)
            #expect(q.total == 0)
        }
    }

    @Test func unknownColumnsInTheSpec() {
        let text = Self.header + Self.good
        var p = F.heartRate()
        p.columns = [FrameReadColumn(source: "bmp")]
        #expect(F.strictError(text, p) == "hr.csv:1:1: error: no column \"bmp\" in the header; did you mean 'bpm'?")
        let lenient = sensorError { () throws(SensorError) in try F.lenient(text, p) }
        #expect(lenient?.code == .badHeader)
        p = F.heartRate()
        p.time.column = "Time"
        #expect(F.strictError(text, p) == "hr.csv:1:1: error: no column \"Time\" in the header; did you mean 'time'?")
        p = F.heartRate()
        p.partition = ["SubjectId"]
        #expect(F.strictError(text, p) == "hr.csv:1:1: error: no column \"SubjectId\" in the header; did you mean 'subject_id'?")
        p.partition = ["participant"]
        #expect(F.strictError(text, p) == "hr.csv:1:1: error: no column \"participant\" in the header (it has \"subject_id\", \"time\", \"bpm\")")
        p = F.heartRate()
        p.wide = WideTimeColumns(pattern: "Steps{index}", value: "steps")
        #expect(F.strictError(text, p) == "hr.csv:1:1: error: no column matches the wide pattern \"Steps{index}\"")
    }

    @Test func duplicateHeaderNames() {
        // "subject_id," 11 + "time," 5 + "bpm," 4 = 20 bytes before the second "time".
        #expect(F.strictError("subject_id,time,bpm,time\n", F.heartRate())
                == "hr.csv:1:21: error: column name \"time\" appears twice (fields 2 and 4)")
    }

    @Test func jsonLinesErrors() throws {
        let p = F.heartRate(format: .jsonl)
        let good = #"{"subject_id":"S1","time":"2016-04-13T00:00:00Z","bpm":60}"# + "\n"
        func strict(_ line: String) -> String { F.strictError(good + line + "\n" + good, p, file: "hr.jsonl") }
        // 1 + 12 + 1 + 4 + 1 + 6 + 1 + 22 + 1 + 5 + 1 + 2 = 57 bytes: the end is column 58.
        #expect(strict(#"{"subject_id":"S1","time":"2016-04-13T00:00:00Z","bpm":60"#) == "hr.jsonl:2:58: error: the object is not closed")
        // Values of "bpm" start after 55 bytes.
        #expect(strict(#"{"subject_id":"S1","time":"2016-04-13T00:00:00Z","bpm":[60]}"#)
                == "hr.jsonl:2:56: error: column \"bpm\" holds a JSON object or array, not a number")
        #expect(strict(#"{"subject_id":"S1","time":"2016-04-13T00:00:00Z","bpm":"x"}"#)
                == "hr.jsonl:2:56: error: \"x\" is not a number (column \"bpm\")")
        #expect(strict(#"["S1"]"#) == "hr.jsonl:2:1: error: a line must hold one JSON object")
        #expect(strict(#"{"subject_id":"S1","tme":"2016-04-13T00:00:00Z","bpm":60}"#)
                == "hr.jsonl:2:1: error: no key \"time\" in the object; did you mean 'tme'?")
        #expect(strict(#"{"subject_id":null,"time":"2016-04-13T00:00:00Z","bpm":60}"#)
                == "hr.jsonl:2:15: error: empty partition key in column \"subject_id\"")

        let (frames, q) = try F.lenient(good + "{\n" + #"{"subject_id":"S1","time":"2016-04-13T00:00:00Z","bpm":{}}"# + "\n" + good, p, file: "hr.jsonl")
        #expect(F.counts(q) == ["bad JSON": 1, "bad value": 1])
        #expect(frames.first?.lines == [1, 4])
        // A key that no line has fails the read even when lenient, with a hint.
        let typo = #"{"subject_id":"S1","tme":"2016-04-13T00:00:00Z","bpm":60}"# + "\n"
        let error = sensorError { () throws(SensorError) in try F.lenient(typo + typo, p, file: "hr.jsonl") }
        #expect(error?.description == "hr.jsonl:1:1: error: no key \"time\" in any object; did you mean 'tme'?")
    }
}
