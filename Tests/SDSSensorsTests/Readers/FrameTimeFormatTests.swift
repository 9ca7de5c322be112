import SDSSensors
import Testing

/// 2016-04-13T00:00:00Z: day 16904 since 1970-01-01, × 86 400 000 ms.
private let april13: Int64 = 1_460_505_600_000
private let hour: Int64 = 3_600_000

@Suite struct FrameTimeFormatTests {
    typealias F = TableReaderFixture

    static let isoCases: [(String, Int64)] = [
        ("2016-04-13T00:00:00Z", april13),
        ("2016-04-13T00:00:00.5Z", april13 + 500),      // 1 fraction digit: tenths
        ("2016-04-13T00:00:00.05Z", april13 + 50),      // 2 digits: hundredths
        ("2016-04-13T00:00:00.005Z", april13 + 5),      // 3 digits: milliseconds
        ("2016-04-13T01:02:03.999Z", april13 + 3_723_999),  // 1 h 2 min 3.999 s = 3723.999 s
        ("2016-04-13 00:00:00Z", april13),              // a space for T
        ("2016-04-13T00:00:00", april13),               // no zone: local time in UTC
        ("2016-04-13T01:02:03+02:00", april13 + 3_723_000 - 2 * hour),   // 2016-04-12T23:02:03Z
        ("2016-04-13T00:00:00-0530", april13 + 5 * hour + 30 * 60_000),  // 05:30Z
        ("2016-04-13T00:00:00+00:00", april13),
        ("2000-02-29T23:59:59Z", 951_868_800_000 - 1000),  // 2000-03-01 is 951 868 800 s, minus 1 s
        ("1969-12-31T23:59:59.999Z", -1),
    ]

    @Test(arguments: isoCases)
    func iso8601(text: String, expected: Int64) throws {
        #expect(try F.time(text, .iso8601) == expected)
    }

    static let us12Cases: [(String, Int64)] = [
        ("4/13/2016 12:00:00 AM", april13),                  // 12 AM is midnight
        ("4/13/2016 12:00:00 PM", april13 + 12 * hour),      // 12 PM is noon
        ("4/13/2016 1:05:09 PM", april13 + 47_109_000),      // 13:05:09 = 47109 s
        ("4/13/2016 11:59:59 PM", april13 + 86_399_000),     // 23:59:59 = 86399 s
        ("04/13/2016 01:00:00 am", april13 + hour),          // two-digit month and hour, lower case
        ("12/31/1999 12:30:00 AM", 946_598_400_000 + 1_800_000),  // 2000-01-01 946 684 800 s minus a day, + 30 min
    ]

    @Test(arguments: us12Cases)
    func usDateTime12(text: String, expected: Int64) throws {
        #expect(try F.time(text, .usDateTime12) == expected)
    }

    static let us24Cases: [(String, Int64)] = [
        ("4/13/2016 13:05", april13 + 47_100_000),   // 13:05 = 47100 s
        ("4/13/2016 0:00:07", april13 + 7000),
        ("4/13/2016 23:59:59", april13 + 86_399_000),
    ]

    @Test(arguments: us24Cases)
    func usDateTime24(text: String, expected: Int64) throws {
        #expect(try F.time(text, .usDateTime24) == expected)
    }

    @Test func dates() throws {
        #expect(try F.time("4/13/2016", .usDate) == april13)
        #expect(try F.time("12/31/1999", .usDate) == 946_598_400_000)
        #expect(try F.time("2016-04-13", .isoDate) == april13)
        #expect(try F.time("2000-02-29", .isoDate) == 951_782_400_000)   // 2000-03-01 minus 86 400 s
    }

    static let epochCases: [(String, FrameTimeFormat, Int64)] = [
        ("1460505600", .epochSeconds, april13),
        ("1.4605056E+9", .epochSeconds, april13),          // 14605056 × 10^(9-7) s
        ("1460505600.5", .epochSeconds, april13 + 500),
        ("1460505600.0004", .epochSeconds, april13),      // 0.4 ms rounds down
        ("1460505600.0005", .epochSeconds, april13 + 1),  // half a ms rounds away from zero
        ("-1.5", .epochSeconds, -1500),
        ("1460505600123", .epochMilliseconds, april13 + 123),
        ("1.46223E+12", .epochMilliseconds, 1_462_230_000_000),  // 146223 × 10^(12-5)
        ("1460505600123.6", .epochMilliseconds, april13 + 124),
        ("14605056001e2", .epochMilliseconds, april13 + 100),
    ]

    @Test(arguments: epochCases)
    func epoch(text: String, format: FrameTimeFormat, expected: Int64) throws {
        #expect(try F.time(text, format) == expected)
    }

    /// hourlyCalories: "Activity Day" 4/12/2016 plus ActivityHour 0:00:00, 1:00:00, …
    @Test func separateTimeOfDayColumn() throws {
        let p = TableReaderParameters(partition: ["Id"],
                                      time: FrameTimeSpec(column: "Activity Day", format: .usDate, timeColumn: "ActivityHour"),
                                      columns: [FrameReadColumn(source: "Calories")])
        let frames = try F.read("""
            Id,Activity Day,ActivityHour,Calories
            1,4/12/2016,0:00:00,81
            1,4/12/2016,1:00:00,61
            1,4/12/2016,13:30:15,7
            1,4/12/2016,12:00:00 AM,5
            1,4/12/2016,12:00:00 PM,6
            1,4/12/2016,09:05,8

            """, p)
        let day: Int64 = april13 - 24 * hour   // 2016-04-12
        #expect(frames.map(\.partition) == ["1"])
        #expect(frames[0].time == [day, day + hour, day + 48_615_000, day, day + 12 * hour, day + 32_700_000])  // 13:30:15 = 48615 s, 9:05 = 32700 s
        #expect(frames[0].columns == [FrameColumn("Calories", doubles: [81, 61, 7, 5, 6, 8])])
        #expect(frames[0].lines == [2, 3, 4, 5, 6, 7])
    }

    /// America/New_York in 2016: clocks jump 02:00 EST → 03:00 EDT on March 13 and fall back
    /// 02:00 EDT → 01:00 EST on November 6.
    @Test func zoneWithDaylightSavingChanges() throws {
        let ny = "America/New_York"
        // 2016-11-06 is day 17111: 17111 × 86 400 000 = 1 478 390 400 000; 03:00 EST = 08:00Z.
        #expect(try F.time("2016-11-06T03:00:00", .iso8601, zone: ny) == 1_478_390_400_000 + 8 * hour)
        // 2016-07-01 (day 16983) 12:00 EDT = 16:00Z: 16983 × 86 400 000 + 16 h.
        #expect(try F.time("7/1/2016 12:00:00 PM", .usDateTime12, zone: ny) == 1_467_331_200_000 + 16 * hour)
        // 2016-03-13 (day 16873 = 1 457 827 200 000): 01:59 EST = 06:59Z; 03:00 EDT = 07:00Z.
        #expect(try F.time("2016-03-13T01:59:00", .iso8601, zone: ny) == 1_457_827_200_000 + 6 * hour + 59 * 60_000)
        #expect(try F.time("2016-03-13T03:00:00", .iso8601, zone: ny) == 1_457_827_200_000 + 7 * hour)
        // Midnight of a date, local.
        #expect(try F.time("2016-07-01", .isoDate, zone: ny) == 1_467_331_200_000 + 4 * hour)
        // An explicit Z or offset wins over the zone; epoch numbers are instants.
        #expect(try F.time("2016-11-06T01:30:00Z", .iso8601, zone: ny) == 1_478_390_400_000 + 90 * 60_000)
        #expect(try F.time("2016-11-06T01:30:00-05:00", .iso8601, zone: ny) == 1_478_390_400_000 + 390 * 60_000)
        #expect(try F.time("1460505600", .epochSeconds, zone: ny) == april13)

        let p = TableReaderParameters(partition: [], time: FrameTimeSpec(column: "t", zone: ny), columns: [])
        #expect(F.strictError("t\n2016-03-13T02:30:00\n", p)
                == "hr.csv:2:1: error: 2016-03-13 02:30:00 does not exist in America/New_York (the clocks jump from -05:00 to -04:00)")
        #expect(F.strictError("t\n2016-11-06T01:30:00\n", p)
                == "hr.csv:2:1: error: 2016-11-06 01:30:00 happens twice in America/New_York (at -04:00 and again at -05:00)")
        // Lenient: counted by reason, the regular rows kept (01:59:59 EDT, 02:00 EST, 02:30 EST).
        let (frames, q) = try F.lenient("t\n2016-11-06T00:59:59\n2016-11-06T01:00:00\n2016-11-06T01:59:59\n2016-11-06T02:00:00\n2016-03-13T02:00:00\n2016-03-13T02:59:59\n", p)
        #expect(F.counts(q) == ["ambiguous local time": 2, "nonexistent local time": 2])
        #expect(q.reasons.first?.locations == ["hr.csv:3:1", "hr.csv:4:1"])
        #expect(frames.first?.time == [1_478_390_400_000 + 5 * hour - 1000, 1_478_390_400_000 + 7 * hour])
        #expect(frames.first?.lines == [2, 5])
    }

    static let badCases: [(String, FrameTimeFormat, String)] = [
        ("2016-04-13T00:00:00.1234Z", .iso8601, "bad timestamp \"2016-04-13T00:00:00.1234Z\" in column \"t\": more than 3 fraction digits"),
        ("2016-04-13T24:00:00Z", .iso8601, "bad timestamp \"2016-04-13T24:00:00Z\" in column \"t\": hour 24 is out of range"),
        ("2016-02-30T00:00:00Z", .iso8601, "bad timestamp \"2016-02-30T00:00:00Z\" in column \"t\": day 30 is out of range for the month"),
        ("2016-04-13T00:00:00.Z", .iso8601, "expected a time like YYYY-MM-DDTHH:MM:SS[.fff][Z|±HH:MM] in column \"t\", found \"2016-04-13T00:00:00.Z\""),
        ("2016-04-13T00:00:00+5", .iso8601, "expected a time like YYYY-MM-DDTHH:MM:SS[.fff][Z|±HH:MM] in column \"t\", found \"2016-04-13T00:00:00+5\""),
        ("4/13/2016 13:00:00 PM", .usDateTime12, "bad timestamp \"4/13/2016 13:00:00 PM\" in column \"t\": hour 13 is out of range for AM/PM"),
        ("4/13/2016 0:00:00", .usDateTime12, "expected a time like M/D/YYYY h:mm:ss AM/PM in column \"t\", found \"4/13/2016 0:00:00\""),
        ("4/13/2016 1:00 PM", .usDateTime24, "expected a time like M/D/YYYY H:MM[:SS] in column \"t\", found \"4/13/2016 1:00 PM\""),
        ("13/1/2016", .usDate, "bad timestamp \"13/1/2016\" in column \"t\": month 13 is out of range"),
        ("4/13/16", .usDate, "expected a time like M/D/YYYY in column \"t\", found \"4/13/16\""),
        ("2016-4-13", .isoDate, "expected a time like YYYY-MM-DD in column \"t\", found \"2016-4-13\""),
        ("1e400", .epochSeconds, "bad timestamp \"1e400\" in column \"t\": the time is out of range"),
        ("NaN", .epochMilliseconds, "expected a time like milliseconds since 1970 in column \"t\", found \"NaN\""),
        ("", .iso8601, "expected a time like YYYY-MM-DDTHH:MM:SS[.fff][Z|±HH:MM] in column \"t\", found an empty field"),
    ]

    @Test(arguments: badCases)
    func badTimes(text: String, format: FrameTimeFormat, message: String) {
        let p = TableReaderParameters(partition: [], time: FrameTimeSpec(column: "t", format: format), columns: [])
        #expect(F.strictError("t,v\n\(text),1\n", p) == "hr.csv:2:1: error: " + message)
    }

    @Test func paddedTimesAreTrimmed() throws {
        #expect(try F.time(" 2016-04-13T00:00:00Z ", .iso8601) == april13)
        #expect(try F.time("\"4/13/2016 12:00:00 AM\"", .usDateTime12) == april13)
    }
}
