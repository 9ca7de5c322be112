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
