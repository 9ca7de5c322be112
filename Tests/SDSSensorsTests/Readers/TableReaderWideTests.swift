import SDSSensors
import Testing

/// The wide CSV path (digits parsed while splitting, the general parser for the rest) against
/// independent, straightforward computations.
@Suite struct TableReaderWideTests {
    typealias F = TableReaderFixture

    static func wide(valid: ClosedRange<Double>? = nil) -> TableReaderParameters {
        TableReaderParameters(partition: ["id"], time: FrameTimeSpec(column: "t", format: .epochMilliseconds), columns: [],
                              wide: WideTimeColumns(pattern: "v{index}", value: "v", step: 1000, valid: valid))
    }

    /// Every kind of field in the wide columns: the fast path's short digits and every field
    /// it must leave to the general parser.
    @Test func fieldsOfEveryShape() throws {
        // Row 2: 1 and 7 digits with leading zeros; 8 digits (too long for 8 bytes); empty (NaN).
        // Row 3: sign, point, exponent; quoted digits; `\r\n`.
        // Row 4: digits before `\r\n`. Row 5: 15 digits (exact, fast), 16 digits (general), a
        // last field at the input's end.
        let text = "id,t,v0,v1,v2,v3\n"
            + "a,0,007,0000123,12345678,\n"
            + "a,10000,-3,1.5,\"42\",2e3\r\n"
            + "b,5000,1,2,3,45\r\n"
            + "b,0,999999999999999,1234567890123456,0,9"
        let frames = try F.read(text, Self.wide())
        #expect(frames.map(\.partition) == ["a", "b"])
        let a = try #require(frames[0].columns[0].doubles)
        #expect(Array(a.prefix(3)) == [7, 123, 12_345_678])
        #expect(a[3].isNaN)
        #expect(Array(a.suffix(4)) == [-3, 1.5, 42, 2000])
        // Times: 0 + index × 1000, then 10 000 + index × 1000.
        #expect(Array(frames[0].time) == [0, 1000, 2000, 3000, 10_000, 11_000, 12_000, 13_000])
        #expect(Array(frames[0].lines) == [2, 2, 2, 2, 3, 3, 3, 3])
        #expect(frames[1].columns[0].doubles.map(Array.init) == [1, 2, 3, 45, 999_999_999_999_999, 1_234_567_890_123_456, 0, 9])
        #expect(Array(frames[1].time) == [5000, 6000, 7000, 8000, 0, 1000, 2000, 3000])
        #expect(Array(frames[1].lines) == [4, 4, 4, 4, 5, 5, 5, 5])
    }

    /// A value the fast path parsed still meets the range, and is rejected at its own column.
    @Test func rangeOnParsedValues() throws {
        let text = "id,t,v0,v1\na,0,5,6\na,1,5,60\na,2,7,8\n"
        // "a,1,5,60": v1 starts at byte 7.
        #expect(F.strictError(text, Self.wide(valid: 0...10)) == "hr.csv:3:7: error: value 60 in column \"v1\" is outside 0...10")
        let (frames, q) = try F.lenient(text, Self.wide(valid: 0...10))
        #expect(F.counts(q) == ["value out of range": 1])
        #expect(frames[0].columns[0].doubles.map(Array.init) == [5, 6, 7, 8])
        #expect(Array(frames[0].lines) == [2, 2, 4, 4])
    }

    /// The whole Fitbit file against a plain reading of it: split on commas, `Int` for the
    /// steps, the date by the civil-calendar formula; every frame's times, values and lines.
    @Test func fitbitMatchesPlainReading() throws {
        let bytes = try F.shared("fitbit/minuteStepsWide_merged.csv")
        var q = Quarantine(strict: true)
        let p = TableReaderParameters(partition: ["Id"], time: FrameTimeSpec(column: "ActivityHour", format: .usDateTime12),
                                      columns: [], wide: WideTimeColumns(pattern: "Steps{index}", value: "steps", step: 60_000))
        let frames = try TableReader(p).read(bytes, file: "steps.csv", quarantine: &q)

        var expected: [String: (time: [Int64], steps: [Double], lines: [Int64])] = [:]
        // Split on bytes: in Swift Strings, "\r\n" is one Character, not a "\n".
        let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map {
            String(decoding: $0.last == UInt8(ascii: "\r") ? $0.dropLast() : $0, as: UTF8.self)[...]
        }
        #expect(lines[0].hasPrefix("Id,ActivityHour,Steps00,Steps01,"))
        for (i, line) in lines.enumerated().dropFirst() where !line.isEmpty {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            try #require(fields.count == 62)
            let hour = try #require(Self.usTime(fields[1]))
            var entry = expected[String(fields[0])] ?? ([], [], [])
            for m in 0..<60 {
                entry.time.append(hour + Int64(m) * 60_000)
                entry.steps.append(Double(try #require(Int(fields[2 + m]))))
                entry.lines.append(Int64(i + 1))
            }
            expected[String(fields[0])] = entry
        }
        #expect(frames.map(\.partition) == expected.keys.sorted())
        #expect(frames.reduce(0) { $0 + $1.rowCount } == 21645 * 60)
        for f in frames {
            let e = try #require(expected[f.partition])
            #expect(Array(f.time) == e.time, "times of \(f.partition)")
            #expect(f.columns.count == 1 && f.columns[0].name == "steps")
            #expect(f.columns[0].doubles.map(Array.init) == e.steps, "steps of \(f.partition)")
            #expect(Array(f.lines) == e.lines, "lines of \(f.partition)")
            #expect(f.file == "steps.csv")
        }
    }

    /// `M/D/YYYY h:mm:ss AM|PM` as UTC epoch milliseconds (days from civil, Howard Hinnant's formula).
    static func usTime(_ s: Substring) -> Int64? {
        let parts = s.split(separator: " ")
        guard parts.count == 3 else { return nil }
        let date = parts[0].split(separator: "/").compactMap { Int64($0) }
        let clock = parts[1].split(separator: ":").compactMap { Int64($0) }
        guard date.count == 3, clock.count == 3 else { return nil }
        let (m, d, y0) = (date[0], date[1], date[2])
        let y = m <= 2 ? y0 - 1 : y0
        let era = y / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        let hour = clock[0] % 12 + (parts[2] == "PM" ? 12 : 0)
        return ((days * 24 + hour) * 60 + clock[1]) * 60_000 + clock[2] * 1000
    }
}
