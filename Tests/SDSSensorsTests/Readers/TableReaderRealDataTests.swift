import SDSSensors
import Testing

/// The real files in ../shared/data, read strictly (so every row parses), checked against
/// counts and rows looked up by hand in the files.
@Suite struct TableReaderRealDataTests {
    typealias F = TableReaderFixture
    /// 2016-04-13T00:00:00Z.
    static let april13: Int64 = 1_460_505_600_000
    static let day: Int64 = 86_400_000

    func read(_ relative: String, _ p: TableReaderParameters) throws -> [Frame] {
        var q = Quarantine(strict: true)
        let name = String(relative.split(separator: "/").last ?? "")
        return try TableReader(p).read(try F.shared(relative), file: name, quarantine: &q)
    }

    /// Long format, ISO times with 0 to 3 fraction digits, run ids beyond Int64, an unnamed
    /// first column.
    @Test func machinaSample() throws {
        let p = TableReaderParameters(partition: ["run_uuid"], time: FrameTimeSpec(column: "time"), columns: [
            FrameReadColumn(source: "value"), FrameReadColumn(source: "field", type: .text),
            FrameReadColumn(source: "robot_id"), FrameReadColumn(source: "sensor_type", type: .text),
        ])
        let frames = try read("machina/sample.csv", p)
        #expect(frames.map(\.partition) == ["12405186538561671661", "6176976534744076781", "7582293080991470061", "8910095844186657261"])
        #expect(frames.map(\.rowCount) == [4332, 4332, 4332, 2166])
        #expect(frames.reduce(0) { $0 + $1.rowCount } == 15162)
        // Line 2: 0,2022-11-23T20:40:00.444Z,826.1516,x,1,1,8910095844186657261,encoder
        // 2022-11-23 is day 19319: 19319 × 86 400 000 + 20:40:00.444 (74 400 444 ms).
        let run = frames[3]
        #expect(run.file == "sample.csv")
        #expect(run.lines.first == 2)
        let lineTwo: Int64 = 1_669_161_600_000 + 74_400_444
        #expect(run.time.first == lineTwo)
        #expect(run.column(named: "value")?.doubles?.first == 826.1516)
        var fields = Set<String>(), types = Set<String>()
        for f in frames {
            if case .text(let v)? = f.column(named: "field")?.values { fields.formUnion(v) }
            if case .text(let v)? = f.column(named: "sensor_type")?.values { types.formUnion(v) }
        }
        #expect(fields == ["x", "y", "z", "fx", "fy", "fz"])
        #expect(types == ["encoder", "load_cell"])
        // This run has only encoder rows (722 each of x, y, z).
        if case .text(let v)? = run.column(named: "field")?.values {
            #expect(v.first == "x")
            #expect(v.filter { $0 == "y" }.count == 722)
        } else {
            Issue.record("field should be text")
        }
        // Line 6500: 6498,2022-11-23T20:40:00.444Z,972.581,x,2,1,12405186538561671661,encoder
        #expect(frames[0].lines.first == 6500)
        #expect(frames[0].column(named: "value")?.doubles?.first == 972.581)
    }

    /// 21 645 user-hours × 60 minutes, `M/D/YYYY h:mm:ss AM/PM`.
    @Test func fitbitMinuteStepsWide() throws {
        let p = TableReaderParameters(partition: ["Id"], time: FrameTimeSpec(column: "ActivityHour", format: .usDateTime12),
                                      columns: [], wide: WideTimeColumns(pattern: "Steps{index}", value: "steps", step: 60_000))
        let frames = try read("fitbit/minuteStepsWide_merged.csv", p)
        #expect(frames.count == 33)
        #expect(frames.reduce(0) { $0 + $1.rowCount } == 21645 * 60)
        // Line 2: 1503960366,4/13/2016 12:00:00 AM,4,16,0,0,0,9,…
        let first = frames[0]
        #expect(first.partition == "1503960366")
        #expect(Array(first.time.prefix(3)) == [Self.april13, Self.april13 + 60_000, Self.april13 + 120_000])
        #expect(first.columns[0].doubles.map { Array($0.prefix(6)) } == [4, 16, 0, 0, 0, 9])
        #expect(Array(first.lines.prefix(61)) == Array(repeating: 2, count: 60) + [3])
        // Last line: 8877689391,5/13/2016 7:00:00 AM,…,0 — Steps59 at 07:59 on 2016-05-13 (April 13 + 30 days).
        let last = frames[32]
        #expect(last.partition == "8877689391")
        #expect(last.time.last == Self.april13 + 30 * Self.day + 7 * 3_600_000 + 59 * 60_000)
        #expect(last.columns[0].doubles?.last == 0)
    }

    /// A date column plus a separate `H:MM:SS` column; CRLF line ends.
    @Test func fitbitHourlyCalories() throws {
        let p = TableReaderParameters(partition: ["Id"],
                                      time: FrameTimeSpec(column: "Activity Day", format: .usDate, timeColumn: "ActivityHour"),
                                      columns: [FrameReadColumn(source: "Calories")])
        let frames = try read("fitbit/hourlyCalories_merged.csv", p)
        #expect(frames.count == 33)
        #expect(frames.reduce(0) { $0 + $1.rowCount } == 22099)
        // Lines 2 and 3: 1503960366,4/12/2016,0:00:00,81 and 1:00:00,61.
        let april12 = Self.april13 - Self.day
        #expect(Array(frames[0].time.prefix(2)) == [april12, april12 + 3_600_000])
        #expect(frames[0].columns[0].doubles.map { Array($0.prefix(2)) } == [81, 61])
        // Last line: 8877689391,5/12/2016,14:00:00,113.
        #expect(frames[32].time.last == Self.april13 + 29 * Self.day + 14 * 3_600_000)
        #expect(frames[32].columns[0].doubles?.last == 113)
    }

    /// `LogId` in spreadsheet scientific notation, an empty `Fat`, TRUE/FALSE as text.
    @Test func fitbitWeightLog() throws {
        let p = TableReaderParameters(partition: ["Id"], time: FrameTimeSpec(column: "Date", format: .usDate), columns: [
            FrameReadColumn(source: "WeightKg", valid: 20...300), FrameReadColumn(source: "Fat"),
            FrameReadColumn(source: "IsManualReport", name: "manual", type: .text), FrameReadColumn(source: "LogId"),
        ])
        let frames = try read("fitbit/weightLogInfo_merged.csv", p)
        #expect(frames.count == 8)
        #expect(frames.reduce(0) { $0 + $1.rowCount } == 67)
        // Lines 2-3: 1503960366,5/2/2016,52.59999847,…,22,…,TRUE,1.46223E+12 and 5/3/2016 with no Fat.
        let f = frames[0]
        #expect(f.partition == "1503960366")
        #expect(Array(f.time.prefix(2)) == [Self.april13 + 19 * Self.day, Self.april13 + 20 * Self.day])
        #expect(f.column(named: "WeightKg")?.doubles?.first == 52.59999847)
        #expect(f.column(named: "Fat")?.doubles?.first == 22)
        #expect(f.column(named: "Fat")?.doubles?[1].isNaN == true)
        #expect(f.column(named: "manual")?.values.count == f.rowCount)
        if case .text(let manual)? = f.column(named: "manual")?.values { #expect(manual.first == "TRUE") }
        #expect(f.column(named: "LogId")?.doubles?.first == 1.46223e12)

        // The same ids as epoch milliseconds: 1.46223E+12 is exactly 1 462 230 000 000.
        let byLog = TableReaderParameters(partition: ["Id"], time: FrameTimeSpec(column: "LogId", format: .epochMilliseconds), columns: [])
        #expect(try read("fitbit/weightLogInfo_merged.csv", byLog).first?.time.first == 1_462_230_000_000)
    }
}
