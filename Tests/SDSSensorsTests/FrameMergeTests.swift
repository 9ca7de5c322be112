import SDSSensors
import Testing

@Suite struct FrameMergeTests {
    func frame(_ p: String, _ t: [Int64], _ name: String, _ v: [Double]) -> Frame {
        Frame(partition: p, time: ContiguousArray(t), columns: [FrameColumn(name, doubles: v)])
    }

    @Test func stacksRowsInTimeThenSourceOrderWithNaNInTheOtherSourcesColumns() throws {
        // steps at 0 and 120 s, calories at 60 s and 0 s (unsorted), a tie at 0: steps first.
        let a = frame("s1", [0, 120_000], "steps", [5, 7])
        let b = frame("s1", [60_000, 0], "calories", [1.5, 2.5])
        let m = try FrameMerge.merge([a, b], partition: "s1")
        #expect(m.time == [0, 0, 60_000, 120_000])
        let steps = try m.doubles("steps", for: "test"), calories = try m.doubles("calories", for: "test")
        #expect(steps[0] == 5 && steps[1].isNaN && steps[2].isNaN && steps[3] == 7)
        #expect(calories[0].isNaN && calories[1] == 2.5 && calories[2] == 1.5 && calories[3].isNaN)
        #expect(try Frame(decoding: m.encoded()) == m)
    }

    @Test func mergedRowsKeepTheirRawFileAndLine() throws {
        let a = Frame(partition: "s1", time: [0, 120_000], columns: [FrameColumn("steps", doubles: [5, 7])],
                      file: "steps.csv", lines: [2, 3])
        let b = Frame(partition: "s1", time: [60_000], columns: [FrameColumn("calories", doubles: [-1])],
                      file: "calories.csv", lines: [9])
        let m = try FrameMerge.merge([a, b], partition: "s1")
        #expect(m.location(ofRow: 0) == ("steps.csv", 2))
        #expect(m.location(ofRow: 1) == ("calories.csv", 9))
        #expect(m.location(ofRow: 2) == ("steps.csv", 3))
        // A clean step after the merge reports the bad calorie row where it is in its file.
        var q = Quarantine()
        _ = try FrameClean(columns: [CleanColumnRule(column: "calories", valid: 0...5000, nonFinite: .keep)]).apply(m, quarantine: &q)
        #expect(q.reasons.map(\.locations) == [["calories.csv:9"]])
        var strict = Quarantine(strict: true)
        #expect(throws: SensorError(.badValue, "value out of range", file: "calories.csv", line: 9)) {
            try FrameClean(columns: [CleanColumnRule(column: "calories", valid: 0...5000, nonFinite: .keep)]).apply(m, quarantine: &strict)
        }
    }

    @Test func oneSourceIsReturnedAsItIsAndEmptyFramesMergeToEmpty() throws {
        let a = frame("s1", [3, 1], "v", [1, 2])
        #expect(try FrameMerge.merge([a], partition: "s1") == a)
        let e = try FrameMerge.merge([frame("s1", [], "a", []), frame("s1", [], "b", [])], partition: "s1")
        #expect(e.rowCount == 0 && e.columns.map(\.name) == ["a", "b"])
    }

    @Test func aColumnNameInTwoSourcesIsAParameterError() {
        #expect(throws: SensorError.self) {
            try FrameMerge.merge([frame("s1", [0], "v", [1]), frame("s1", [0], "v", [2])], partition: "s1")
        }
    }
}
