import SDSSensors
import Testing

/// 2016-04-13T00:00:00Z: day 16904 since 1970-01-01, × 86 400 000 ms.
private let april13: Int64 = 1_460_505_600_000
private let hour: Int64 = 3_600_000

@Suite struct TimePatternTests {
    typealias F = TableReaderFixture

    static func pattern(_ text: String, century: Int? = nil) throws -> FrameTimeFormat {
        .pattern(try TimePattern(text, century: century))
    }

    /// Every directive at least once, checked against Python's datetime for the same instant.
    static let goodCases: [(String, String, Int64)] = [
        ("%Y-%m-%d %H:%M:%S", "2016-04-13 01:02:03", april13 + 3_723_000),   // 1 h 2 min 3 s
        ("%d-%m-%Y", "13-04-2016", april13),                                  // day first
        ("%m/%d/%y %H:%M", "4/13/16 0:00", april13),                          // 2-digit year, 1-digit hour
        ("%m/%d/%y %H:%M", "04/13/16 13:05", april13 + 47_100_000),           // 13:05 = 47100 s
        ("%d-%m-%Y %I:%M:%S %p", "13-04-2016 12:00:00 AM", april13),          // 12 AM is midnight
        ("%d-%m-%Y %I:%M:%S %p", "13-04-2016 12:00:00 PM", april13 + 12 * hour),
        ("%d-%m-%Y %I:%M:%S %p", "13-04-2016 1:05:09 pm", april13 + 47_109_000),  // 13:05:09
        ("%Y%m%d", "20160413", april13),                                      // no separators
        ("%b %e %Y", "Apr  3 2016", 1_459_641_600_000),                       // 2016-04-03, space-padded day
        ("%d %B %Y", "13 April 2016", april13),
        ("%d %B %Y", "13 APR 2016", april13),                                 // %B takes the short name too
        ("%Y-%j", "2016-104", april13),                                       // 31 + 29 + 31 + 13 = 104
        ("%Y-%m-%dT%H:%M:%S.%f", "2016-04-13T00:00:00.5", april13 + 500),
        ("%Y-%m-%dT%H:%M:%S.%f", "2016-04-13T00:00:00.123456", april13 + 123),   // past ms dropped
        ("%Y-%m-%d %H:%M %z", "2016-04-13 02:00 +0200", april13),
        ("%Y-%m-%d %H:%M %z", "2016-04-13 00:00 -05:30", april13 + 5 * hour + 30 * 60_000),
        ("%Y-%m-%d %H:%M%z", "2016-04-13 02:00Z", april13 + 2 * hour),
        ("%Y-%m-%d %H:%M %Z", "2016-04-13 00:00 UTC", april13),
        ("%Y-%m-%d%%", "2016-04-13%", april13),
        ("%y-%m-%d", "69-01-01", -31_536_000_000),                            // POSIX: 69 is 1969
        ("%y-%m-%d", "68-01-01", 3_092_601_600_000),                          // and 68 is 2068
    ]

    @Test(arguments: goodCases)
    func directives(pattern: String, text: String, expected: Int64) throws {
        #expect(try F.time(text, Self.pattern(pattern)) == expected)
    }

    @Test func centuryOverridesThePOSIXRule() throws {
        #expect(try F.time("16-04-13", Self.pattern("%y-%m-%d", century: 1900)) == -1_695_254_400_000)   // 1916-04-13
        #expect(try F.time("99-04-13", Self.pattern("%y-%m-%d", century: 2000)) == 4_079_721_600_000)   // 2099-04-13
    }

    /// A pattern's local time is read in the zone like the named formats'; an offset wins.
    @Test func zones() throws {
        let ny = "America/New_York"
        // 2016-07-01 (day 16983) 12:00 EDT = 16:00Z.
        #expect(try F.time("01.07.2016 12:00", Self.pattern("%d.%m.%Y %H:%M"), zone: ny) == 1_467_331_200_000 + 16 * hour)
        #expect(try F.time("2016-04-13 00:00 +00:00", Self.pattern("%Y-%m-%d %H:%M %z"), zone: ny) == april13)
    }

    static let badCases: [(String, String, String)] = [
        ("%m-%d-%Y", "13-04-2016", "(month 13)"),
        ("%Y-%m-%d %H:%M", "2016-04-13 24:00", "(hour 24)"),
        ("%Y-%m-%d %H:%M", "2016-04-13 23:60", "(minute 60)"),
        ("%Y-%m-%d %H:%M:%S", "2016-04-13 23:00:60", "(second 60)"),
        ("%m/%d/%Y %I:%M %p", "4/13/2016 13:00 PM", "(hour 13 on a 12-hour clock)"),
        ("%m/%d/%Y %I:%M %p", "4/13/2016 1:00 XM", "(expected AM or PM (%p) after \"4/13/2016 1:00 \", found \"XM\")"),
        ("%m/%d/%Y %I:%M %p", "4/13/2016 1:00", "(expected \" \" after \"4/13/2016 1:00\", found the end)"),
        ("%m/%d/%Y %H:%M", "4/13/201613:05", "(expected \" \" after \"4/13/2016\", found \"1\")"),   // the missing space
        ("%Y-%m-%d", "2016-04-13x", "(trailing text \"x\")"),
        ("%Y-%m-%d", "2016-04-13 00:00", "(trailing text \" 00:00\")"),
        ("%Y-%m-%d", "2016-02-30", "(day 30 in a 29-day month)"),
        ("%Y-%m-%d", "2016-04-32", "(day 32)"),
        ("%Y-%m-%d", "16-04-13", "(expected a 4-digit year (%Y) first, found \"16-04-13\")"),
        ("%y-%m-%d", "2016-04-13", "(more than 2 digits for %y)"),
        ("%Y-%j", "2015-366", "(day of the year 366 in 2015)"),
        ("%d %b %Y", "13 Foo 2016", "(expected a month name (%b) after \"13 \", found \"Foo 2016\")"),
        ("%Y-%m-%d %H:%M %z", "2016-04-13 00:00 +2400", "(offset hours or minutes out of range)"),
        ("%Y-%m-%d %H:%M %Z", "2016-04-13 00:00 EST", "(zone \"EST\" is not UTC or GMT; give the zone with zone: instead)"),
        ("%Y-%m-%d", "", "(expected a 4-digit year (%Y) first, found the end)"),
    ]

    @Test(arguments: badCases)
    func badInputs(pattern: String, text: String, reason: String) throws {
        let p = TableReaderParameters(partition: [], time: FrameTimeSpec(column: "t", format: try Self.pattern(pattern)), columns: [])
        let found = text.isEmpty ? "an empty field" : "\"\(text)\""
        #expect(F.strictError("t,v\n\(text),1\n", p) == "hr.csv:2:1: error: \(found) does not match \"\(pattern)\" \(reason) in column \"t\"")
    }

    /// The example: the error points at the field (line 18, column 12).
    @Test func errorPointsAtTheField() throws {
        let p = TableReaderParameters(partition: ["Id"], time: FrameTimeSpec(column: "Day", format: try Self.pattern("%m-%d-%Y")),
                                      columns: [FrameReadColumn(source: "v")])
        let rows = (0..<16).map { _ in "1234567890,04-12-2016,1" }.joined(separator: "\n")
        #expect(F.strictError("Id,Day,v\n\(rows)\n1234567890,13-04-2016,1\n", p, file: "data/x.csv")
                == "data/x.csv:18:12: error: \"13-04-2016\" does not match \"%m-%d-%Y\" (month 13) in column \"Day\"")
    }

    static let badPatterns: [(String, Int?, String)] = [
        ("%m/%d/%Y %I:%M", nil, "%I is a 12-hour clock and needs %p for AM/PM; use %H for a 24-hour clock"),
        ("%m/%d/%Y %H:%M %p", nil, "%p needs a 12-hour hour, %I"),
        ("%m/%d/%Y %H:%I %p", nil, "it has both %H and %I; use %H for a 24-hour clock or %I with %p for a 12-hour one"),
        ("%m/%d/%Q", nil, "unknown directive %Q (known: %Y %y %m %d %e %j %H %I %M %S %f %p %b %B %z %Z %%)"),
        ("%m/%d", nil, "it has no year (%Y or %y)"),
        ("%Y-%m", nil, "it needs a month (%m or %b) and a day (%d or %e), or %j"),
        ("%Y-%j-%m", nil, "%j gives the whole date, so it cannot be used with a month or day"),
        ("%Y-%m-%d-%d", nil, "%d sets a field an earlier directive already sets"),
        ("%Y-%m-%d %", nil, "it ends with a lone %; write %% for a percent sign"),
        ("%Y-%m-%d", 1900, "century applies only to a two-digit year, %y"),
        ("%y-%m-%d", 1950, "century must be a year ending in 00, such as 1900 or 2000, not 1950"),
    ]

    @Test(arguments: badPatterns)
    func patternsThatDoNotCompile(pattern: String, century: Int?, message: String) {
        let error = sensorError { () throws(SensorError) in _ = try TimePattern(pattern, century: century) }
        #expect(error?.message == "time pattern \"\(pattern)\": \(message)")
    }

    @Test func namesAndPatterns() throws {
        #expect(try FrameTimeFormat("us_12h") == .usDateTime12)
        #expect(try FrameTimeFormat("%d/%m/%Y").name == "%d/%m/%Y")
        #expect(sensorError { () throws(SensorError) in _ = try FrameTimeFormat("us12") }?.message
                == "unknown time format \"us12\" (names: iso8601, us_12h, us_24h, us_date, date, epoch_s, epoch_ms; or a pattern such as \"%d-%m-%Y %H:%M\")")
    }

    /// With `time_column` the date, one space and the time are parsed by the pattern together.
    @Test func separateTimeOfDayColumn() throws {
        let p = TableReaderParameters(partition: ["Id"],
                                      time: FrameTimeSpec(column: "Day", format: try Self.pattern("%d/%m/%y %I:%M %p"), timeColumn: "Hour"),
                                      columns: [FrameReadColumn(source: "v")])
        let frames = try F.read("Id,Day,Hour,v\n1,12/04/16,1:00 PM,5\n1, 12/04/16 ,\"12:30 AM\",6\n", p)
        #expect(frames.first?.time == [1_460_466_000_000, 1_460_466_000_000 - 13 * hour + 30 * 60_000])   // 2016-04-12 13:00Z, 00:30Z
        #expect(F.strictError("Id,Day,Hour,v\n1,12/04/16,13:00 PM,5\n", p)
                == "hr.csv:2:3: error: \"12/04/16 13:00 PM\" does not match \"%d/%m/%y %I:%M %p\" (hour 13 on a 12-hour clock) in column \"Day\" + \"Hour\"")
        let dateOnly = TableReaderParameters(partition: [], time: FrameTimeSpec(column: "Day", format: try Self.pattern("%d/%m/%y"), timeColumn: "Hour"),
                                             columns: [])
        #expect(sensorError { () throws(SensorError) in try TableReader(dateOnly).validate() }?.message.contains("must read the time too") == true)
    }

    /// Patterns are part of the reader's parameters, so changing one re-reads the source.
    @Test func parametersNameThePattern() throws {
        func bytes(_ f: FrameTimeFormat) -> [UInt8] {
            TableReader(TableReaderParameters(partition: [], time: FrameTimeSpec(column: "t", format: f), columns: [])).parameters()
        }
        #expect(bytes(try Self.pattern("%d/%m/%y")) != bytes(try Self.pattern("%m/%d/%y")))
        #expect(bytes(try Self.pattern("%d/%m/%y")) != bytes(try Self.pattern("%d/%m/%y", century: 1900)))
        #expect(bytes(try Self.pattern("%m/%d/%Y")) != bytes(.usDate))
    }

    /// Rows in one file share the parser's cached date prefix and the `h:mm:ss` shortcut:
    /// each row must still read as it does alone (dates that differ in one byte, a prefix that
    /// is a prefix of the next date, fields too short to cache, a bad day after a good one).
    static let sequences: [(String, [String])] = [
        ("%m/%d/%Y %I:%M:%S %p", ["4/1/2016 1:00:00 AM", "4/12/2016 1:00:00 AM", "4/1/2016 12:59:59 PM", "4/11/2016 1:00:00 PM",
                                  "4/1/2016 1:00:00 PM", "12/1/2016 10:05:07 AM", "12/1/2016 9:05:07 AM", "4/1/2016 1:00:00 AM"]),
        ("%Y-%m-%dT%H:%M:%SZ", ["2016-04-12T01:00:00Z", "2016-04-13T01:00:00Z", "2016-04-12T23:59:59Z", "2017-04-12T00:00:00Z",
                                "2016-04-12T1:00:00Z", "2016-4-12T01:00:00Z", "2016-4-1T01:00:00Z"]),
        ("%Y-%m-%d %H:%M", ["2016-04-12 01:00", "2016-04-12 1:05", "2016-04-1 1:05", "2016-04-12 23:05"]),   // no seconds: no shortcut
        ("%b %e %Y %H:%M:%S", ["Apr  3 2016 01:00:00", "Apr 13 2016 01:00:00", "Apr  3 2016 01:00:00", "April 3 2016 01:00:00"]),
        ("%d%%%m%%%Y %H:%M:%S", ["12%04%2016 01:00:00", "13%04%2016 01:00:00", "12%04%2016 01:00:00"]),   // %% as literals
    ]

    @Test(arguments: sequences)
    func cachedPrefixesDoNotLeak(pattern: String, texts: [String]) throws {
        let format = try Self.pattern(pattern)
        let alone = try texts.map { try F.time($0, format) }
        let p = TableReaderParameters(partition: [], time: FrameTimeSpec(column: "t", format: format), columns: [FrameReadColumn(source: "v")])
        let file = "t,v\n" + texts.map { "\($0),1\n" }.joined()
        #expect(try F.read(file, p).first?.time.map { Optional($0) } == alone)
    }

    /// A bad day or clock after good rows with the same shape fails as it does alone.
    @Test func cachedRowsThenBadRows() throws {
        let p = TableReaderParameters(partition: [], time: FrameTimeSpec(column: "t", format: try Self.pattern("%m/%d/%Y %I:%M:%S %p")),
                                      columns: [FrameReadColumn(source: "v")])
        #expect(F.strictError("t,v\n2/28/2015 1:00:00 AM,1\n2/29/2015 1:00:00 AM,1\n", p)
                == "hr.csv:3:1: error: \"2/29/2015 1:00:00 AM\" does not match \"%m/%d/%Y %I:%M:%S %p\" (day 29 in a 28-day month) in column \"t\"")
        #expect(F.strictError("t,v\n2/28/2015 1:00:00 AM,1\n2/28/2015 13:00:00 AM,1\n", p)
                == "hr.csv:3:1: error: \"2/28/2015 13:00:00 AM\" does not match \"%m/%d/%Y %I:%M:%S %p\" (hour 13 on a 12-hour clock) in column \"t\"")
        #expect(F.strictError("t,v\n2/28/2015 1:00:00 AM,1\n2/28/2015 1:60:00 AM,1\n", p)
                == "hr.csv:3:1: error: \"2/28/2015 1:60:00 AM\" does not match \"%m/%d/%Y %I:%M:%S %p\" (minute 60) in column \"t\"")
    }
}
