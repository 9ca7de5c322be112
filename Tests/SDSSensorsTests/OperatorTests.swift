import SDSSensors
import Testing

/// A one-column partition from (time, value) pairs.
func partition(_ rows: [(Int64, Int64)], entity: String = "S", column: String = "bpm") -> SensorPartition {
    SensorPartition(entity: entity, firstLine: 2, lastLine: rows.count + 1, times: ContiguousArray(rows.map(\.0)),
                    columns: [NamedColumn(name: column, values: .int64(ContiguousArray(rows.map(\.1))))])
}

let day0 = ms(2016, 4, 12)
let dayNumber = Int32(CivilTime.day(year: 2016, month: 4, day: 12))
func minute(_ m: Int, plus milliseconds: Int64 = 0) -> Int64 { day0 + Int64(m) * 60_000 + milliseconds }

/// A one-day grid with the given minutes present (value = the map's value).
func oneDayGrid(_ present: [Int: Double], entity: String = "S") -> DayGrid {
    var values = ContiguousArray<Double>(repeating: 0, count: 1440)
    var flags = ContiguousArray<UInt8>(repeating: 0, count: 1440)
    for (m, v) in present { values[m] = v; flags[m] = 1 }
    return DayGrid(entity: entity, days: [dayNumber], values: values, present: flags)
}

@Suite struct CleanTests {
    @Test func rangeIsInclusiveThenFirstDuplicateWins() throws {
        let p = partition([
            (minute(0), 30), (minute(1), 220), (minute(2), 29), (minute(3), 221),
            (minute(4), 0), (minute(4), 80),     // first copy out of range: the second stays
            (minute(5), 70), (minute(5), 71),    // same time: the first stays
            (minute(6), 250),
        ])
        let c = try SeriesCleaner.clean(p, CleanParameters(column: "bpm", validMin: 30, validMax: 220, duplicates: .keepFirst))
        #expect(c.times == [minute(0), minute(1), minute(4), minute(5)])
        #expect(c.values == .int64([30, 220, 80, 70]))
        #expect(c.dropped == CleanCounts(belowMin: 2, aboveMax: 2, notANumber: 0, duplicateTime: 1))
    }

    @Test func unsortedDuplicatesKeepFirstInFileOrder() throws {
        let p = partition([(5, 1), (5, 2), (3, 3), (5, 4), (3, 5), (9, 6)])
        let c = try SeriesCleaner.clean(p, CleanParameters(column: "bpm", duplicates: .keepFirst))
        #expect(c.times == [5, 3, 9])
        #expect(c.values == .int64([1, 3, 6]))
        #expect(c.dropped.duplicateTime == 3)
    }

    @Test func keepAllKeepsEverything() throws {
        let p = partition([(5, 1), (5, 2)])
        let c = try SeriesCleaner.clean(p, CleanParameters(column: "bpm"))
        #expect(c.times == [5, 5] && c.dropped.total == 0 && c.entity == "S")
    }

    @Test func fractionalBoundsOnIntegers() throws {
        let p = partition([(1, 29), (2, 30), (3, 31)])
        let c = try SeriesCleaner.clean(p, CleanParameters(column: "bpm", validMin: 29.5, validMax: 30.5))
        #expect(c.values == .int64([30]))
    }

    @Test func doublesDropNaNWhenBounded() throws {
        let p = SensorPartition(entity: "S", firstLine: 2, lastLine: 5, times: [1, 2, 3, 4],
                                columns: [NamedColumn(name: "x", values: .double([.nan, -1, 0.5, 2]))])
        let c = try SeriesCleaner.clean(p, CleanParameters(column: "x", validMin: 0, validMax: 1))
        #expect(c.values == .double([0.5]))
        #expect(c.dropped == CleanCounts(belowMin: 1, aboveMax: 1, notANumber: 1, duplicateTime: 0))
        let unbounded = try SeriesCleaner.clean(p, CleanParameters(column: "x"))
        #expect(unbounded.values.count == 4)
    }

    @Test func badParameters() {
        let p = partition([(1, 1)])
        #expect(sensorError { () throws(SensorError) in try SeriesCleaner.clean(p, CleanParameters(column: "nope")) }?.description
                == #"error: partition S has no column "nope""#)
        #expect(sensorError { () throws(SensorError) in
            try SeriesCleaner.clean(p, CleanParameters(column: "bpm", validMin: 5, validMax: 1))
        }?.code == .invalidParameter)
    }
}

@Suite struct MinuteGridTests {
    func series(_ rows: [(Int64, Int64)]) -> CleanedSeries {
        CleanedSeries(entity: "S", times: ContiguousArray(rows.map(\.0)), values: .int64(ContiguousArray(rows.map(\.1))))
    }

    @Test func meanIsExactSumOverCount() {
        let s = series([(minute(0), 70), (minute(0, plus: 59_999), 71), (minute(1), 70), (minute(1, plus: 1), 70), (minute(1, plus: 2), 71),
                        (minute(1439, plus: 59_999), 90)])
        let g = MinuteGrid.resample(s, GridParameters(aggregation: .mean))
        #expect(g.days == [dayNumber])
        #expect(g.values[0] == 70.5)
        #expect(g.values[1] == 211.0 / 3.0)
        #expect(g.values[1439] == 90)
        #expect(g.present[0] == 1 && g.present[1] == 1 && g.present[2] == 0 && g.present[1439] == 1)
        #expect(g.presentCount(day: 0) == 3)
    }

    @Test func sumAndCandidateDays() {
        let nextDay = day0 + 2 * 86_400_000  // a gap day in between has no samples
        let s = series([(minute(10), 5), (minute(10, plus: 30_000), 7), (nextDay + 60_000, 3)])
        let g = MinuteGrid.resample(s, GridParameters(aggregation: .sum))
        #expect(g.days == [dayNumber, dayNumber + 2])
        #expect(g.values[10] == 12)
        #expect(g.values[1440 + 1] == 3)
        #expect(g.present.reduce(0) { $0 + Int($1) } == 2)
    }

    @Test func explicitDaysIgnoreOtherSamples() {
        let s = series([(minute(10), 5), (day0 + 86_400_000, 9)])
        let g = MinuteGrid.resample(s, GridParameters(aggregation: .sum), days: [dayNumber + 1, dayNumber + 5])
        #expect(g.days == [dayNumber + 1, dayNumber + 5])
        #expect(g.values[0] == 9 && g.present[0] == 1)
        #expect(g.present.reduce(0) { $0 + Int($1) } == 1)
    }

    @Test func timesBefore1970FloorToTheirDay() {
        let s = series([(-1, 4), (-60_000, 6)])
        let g = MinuteGrid.resample(s, GridParameters(aggregation: .mean))
        #expect(g.days == [-1])
        #expect(g.values[1439] == 5)
    }

    @Test func doubleMeanSumsInSeriesOrder() {
        let s = CleanedSeries(entity: "S", times: [minute(0), minute(0), minute(0)], values: .double([1e16, 1, 1]))
        let g = MinuteGrid.resample(s, GridParameters(aggregation: .mean))
        let big: Double = 1e16
        let expected = ((big + 1) + 1) / 3
        #expect(g.values[0] == expected)
    }
}

@Suite struct ForwardFillTests {
    let fill = FillParameters(maxGap: 5)

    @Test func runAtStartOfDayIsNeverFilled() {
        let g = ForwardFill.fill(oneDayGrid([3: 60]), fill)
        #expect(Array(g.present[0..<4]) == [0, 0, 0, 1])
        #expect(g.values[0] == 0)
    }

    @Test func runOfExactlyFiveIsFilledWithThePreviousMinute() {
        let g = ForwardFill.fill(oneDayGrid([10: 60, 11: 61, 17: 70]), fill)
        #expect(Array(g.present[10...17]) == [1, 1, 1, 1, 1, 1, 1, 1])
        #expect(Array(g.values[11...17]) == [61, 61, 61, 61, 61, 61, 70])
    }

    @Test func runOfSixIsNotFilledEvenInPart() {
        let g = ForwardFill.fill(oneDayGrid([10: 60, 17: 70]), fill)
        #expect(Array(g.present[10...17]) == [1, 0, 0, 0, 0, 0, 0, 1])
        #expect(Array(g.values[11...16]) == [0, 0, 0, 0, 0, 0])
    }

    @Test func runReachingMidnightCountsToTheEndOfTheDay() {
        let five = ForwardFill.fill(oneDayGrid([1434: 80]), fill)     // minutes 1435...1439 missing: 5
        #expect(Array(five.present[1434...1439]) == [1, 1, 1, 1, 1, 1])
        #expect(five.values[1439] == 80)
        let six = ForwardFill.fill(oneDayGrid([1433: 80]), fill)      // 1434...1439: 6
        #expect(Array(six.present[1433...1439]) == [1, 0, 0, 0, 0, 0, 0])
    }

    @Test func nothingCarriesAcrossMidnight() {
        var values = ContiguousArray<Double>(repeating: 0, count: 2880)
        var present = ContiguousArray<UInt8>(repeating: 0, count: 2880)
        values[1439] = 50; present[1439] = 1
        values[1443] = 55; present[1443] = 1
        let g = ForwardFill.fill(DayGrid(entity: "S", days: [dayNumber, dayNumber + 1], values: values, present: present), fill)
        #expect(Array(g.present[1440...1443]) == [0, 0, 0, 1])
    }

    @Test func zeroGapIsIdentity() {
        let grid = oneDayGrid([1: 1, 3: 3])
        #expect(ForwardFill.fill(grid, FillParameters(maxGap: 0)) == grid)
    }
}

@Suite struct WindowAndTensorTests {
    func hrGrid(coveredMinutes: Int) -> DayGrid {
        var map: [Int: Double] = [:]
        for m in 0..<coveredMinutes { map[m] = 70 + Double(m % 3) }
        return oneDayGrid(map)
    }

    let parameters = WindowParameters(channelNames: ["hr", "steps"], coverageChannel: 0, minimumCoverage: 720)

    @Test func coverageThresholdIsInclusive() throws {
        let steps = oneDayGrid([0: 12])
        let kept = try DayWindowing.select([hrGrid(coveredMinutes: 720), steps], parameters)
        #expect(kept.days == [dayNumber])
        let dropped = try DayWindowing.select([hrGrid(coveredMinutes: 719), steps], parameters)
        #expect(dropped.days.isEmpty && dropped.values.isEmpty)
    }

    @Test func missingStepsDayIsAbsent() throws {
        let steps = DayGrid(entity: "S", days: [], values: [], present: [])
        let w = try DayWindowing.select([hrGrid(coveredMinutes: 800), steps], parameters)
        #expect(w.days == [dayNumber])
        let stepsSlice = w.masks[w.index(day: 0, channel: 1, minute: 0)..<w.index(day: 0, channel: 1, minute: 1440)]
        #expect(stepsSlice.allSatisfy { $0 == 0 })
    }

    @Test func tensorsAreStandardisedInFloat64AndInterleaved() throws {
        let hr = oneDayGrid([0: 70, 1: 71, 2: 85.5, 5: 100])
        let steps = oneDayGrid([1: 12, 3: 0])
        let w = try DayWindowing.select([hr, steps], WindowParameters(channelNames: ["hr", "steps"], minimumCoverage: 1))
        let t = try TensorBuilder.build(w, TensorParameters(scaling: [.standardize(mean: 70, std: 15), .identity]))
        #expect(t.days == [dayNumber] && t.channelCount == 2 && t.sensor.count == 2880)
        let z1 = Float((71.0 - 70) / 15), z2 = Float((85.5 - 70) / 15), z5 = Float((100.0 - 70) / 15)
        let sensor: [Float] = [0, 0, z1, 12, z2, 0, 0, 0, 0, 0, z5, 0]
        let mask: [Float] = [1, 0, 1, 1, 1, 0, 0, 1, 0, 0, 1, 0]
        #expect(Array(t.sensor[0..<12]) == sensor)
        #expect(Array(t.mask[0..<12]) == mask)
        // Rounded once from float64, not computed in float32.
        #expect(Float((71.0 - 70) / 15).bitPattern == 0x3D88_8889)
    }

    @Test func badParameters() {
        let g = hrGrid(coveredMinutes: 1)
        #expect(sensorError { () throws(SensorError) in try DayWindowing.select([g], parameters) }?.code == .invalidParameter)
        #expect(sensorError { () throws(SensorError) in
            try DayWindowing.select([g, oneDayGrid([:], entity: "T")], parameters)
        }?.code == .invalidParameter)
        let w = try? DayWindowing.select([g, g], WindowParameters(channelNames: ["a", "b"], minimumCoverage: 1))
        #expect(sensorError { () throws(SensorError) in try TensorBuilder.build(w!, TensorParameters(scaling: [.identity])) } != nil)
        #expect(sensorError { () throws(SensorError) in
            try TensorBuilder.build(w!, TensorParameters(scaling: [.identity, .standardize(mean: 0, std: 0)]))
        } != nil)
    }
}

@Suite struct LabelJoinTests {
    @Test func firstRowOfADayWinsAndMissingDaysGetTheDefault() throws {
        let labels = SensorPartition(entity: "S", firstLine: 2, lastLine: 4, times: [ms(2016, 4, 12), ms(2016, 4, 12), ms(2016, 4, 14)],
                                     columns: [NamedColumn(name: "minutes_asleep", values: .int64([378, 999, 412]))])
        let l = try LabelJoin.join(entity: "S", days: [dayNumber, dayNumber + 1, dayNumber + 2], labels: labels,
                                   LabelParameters(column: "minutes_asleep", missingValue: -1))
        #expect(l.values == [378, -1, 412])
        #expect(l.present == [1, 0, 1])
    }

    @Test func noLabelPartition() throws {
        let l = try LabelJoin.join(entity: "S", days: [dayNumber], labels: nil, LabelParameters(column: "x"))
        #expect(l.values == [-1] && l.present == [0])
    }

    @Test func otherEntitysLabelsAreRejected() {
        let labels = partition([(0, 1)], entity: "T", column: "x")
        #expect(sensorError { () throws(SensorError) in
            try LabelJoin.join(entity: "S", days: [0], labels: labels, LabelParameters(column: "x"))
        }?.code == .invalidParameter)
    }
}
