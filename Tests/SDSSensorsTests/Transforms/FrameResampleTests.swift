import SDSSensors
import Testing

@Suite struct FrameResampleTests {
    func frame(_ time: [Int64], _ columns: [FrameColumn]) -> Frame {
        Frame(partition: "p", time: ContiguousArray(time), columns: columns, file: "in.csv",
              lines: ContiguousArray(time.indices.map { Int64($0 + 2) }))
    }

    @Test func everyAggregateOnARegularGrid() throws {
        // step 1000: bin 0 [0, 1000) = 1, 2, 3; bin 1 = 10 (1000 is a bin start); bin 2 empty; bin 3 = 20.
        let f = frame([0, 400, 999, 1000, 3500], [num("x", [1, 2, 3, 10, 20])])
        let rules: [ResampleRule] = [
            ResampleRule(column: "x", aggregate: .mean), ResampleRule(column: "x", aggregate: .sum, name: "sum"),
            ResampleRule(column: "x", aggregate: .count, name: "count"), ResampleRule(column: "x", aggregate: .first, name: "first"),
            ResampleRule(column: "x", aggregate: .last, name: "last"), ResampleRule(column: "x", aggregate: .min, name: "min"),
            ResampleRule(column: "x", aggregate: .max, name: "max"),
        ]
        let out = try applied(FrameResample(step: 1000, rules: rules), f)
        #expect(out.time == [0, 1000, 2000, 3000] && out.lines.isEmpty)
        #expect(out.columns.map(\.name) == ["x", "sum", "count", "first", "last", "min", "max"])
        #expect(same(numbers(out, "x"), [2, 10, .nan, 20]))        // (1 + 2 + 3) / 3 = 2
        #expect(same(numbers(out, "sum"), [6, 10, .nan, 20]))      // an empty bin's sum is NaN, not 0
        #expect(numbers(out, "count") == [3, 1, 0, 1])
        #expect(same(numbers(out, "first"), [1, 10, .nan, 20]))
        #expect(same(numbers(out, "last"), [3, 10, .nan, 20]))
        #expect(same(numbers(out, "min"), [1, 10, .nan, 20]))
        #expect(same(numbers(out, "max"), [3, 10, .nan, 20]))
    }

    @Test func nanIsIgnoredAndDuplicateTimesBothCount() throws {
        // bin 0: NaN, 4, 4 (same time) → mean 4, count 2; bin 1: NaN only → empty.
        let f = frame([0, 10, 10, 1500], [num("x", [.nan, 4, 4, .nan])])
        let out = try applied(FrameResample(step: 1000, rules: [ResampleRule(column: "x", aggregate: .mean),
                                                                ResampleRule(column: "x", aggregate: .count, name: "n")]), f)
        #expect(same(numbers(out, "x"), [4, .nan]) && numbers(out, "n") == [2, 0])
    }

    @Test func originShiftsBinsAndFloorsNegativeOffsets() throws {
        // origin 250: 0 − 250 = −250 → bin −1 starting at −750; 300 → bin 0 at 250; 1250 → bin 1 at 1250.
        let f = frame([0, 300, 1250], [num("x", [1, 2, 3])])
        let out = try applied(FrameResample(step: 1000, origin: 250, defaultAggregate: .sum), f)
        #expect(out.time == [-750, 250, 1250] && numbers(out, "x") == [1, 2, 3])
    }

    @Test func firstAndLastFollowTimeNotInputOrder() throws {
        // Rows 1500 (3), 1000 (1), 1200 (2): by time 1, 2, 3 in bin 1000.
        let f = frame([1500, 1000, 1200], [num("x", [3, 1, 2])])
        let out = try applied(FrameResample(step: 1000, rules: [ResampleRule(column: "x", aggregate: .first),
                                                                ResampleRule(column: "x", aggregate: .last, name: "l")]), f)
        #expect(out.time == [1000] && numbers(out, "x") == [1] && numbers(out, "l") == [3])
    }

    @Test func defaultAggregateAndDroppedColumns() throws {
        let f = frame([0, 500], [num("x", [1, 5]), txt("s", ["a", "b"]), num("y", [2, 4])])
        let withDefault = try applied(FrameResample(step: 1000, rules: [ResampleRule(column: "x", aggregate: .max)], defaultAggregate: .mean), f)
        #expect(withDefault.columns == [num("x", [5]), num("y", [3])])  // max(1, 5); (2 + 4) / 2
        let without = try applied(FrameResample(step: 1000, rules: [ResampleRule(column: "x", aggregate: .max)]), f)
        #expect(without.columns == [num("x", [5])])
    }

    @Test func emptyAndSingle() throws {
        let op = FrameResample(step: 60_000, defaultAggregate: .mean)
        let empty = try applied(op, frame([], [num("x", []), txt("s", [])]))
        #expect(empty.rowCount == 0 && empty.columns.map(\.name) == ["x"])
        // 61 000 ms is in the minute starting at 60 000.
        let single = try applied(op, frame([61_000], [num("x", [7])]))
        #expect(single.time == [60_000] && numbers(single, "x") == [7])
    }

    @Test func badParameters() {
        let f = frame([0, 100_000_000], [num("x", [1, 2]), txt("s", ["a", "b"])])
        #expect(failure(FrameResample(step: 0), f)?.message == "frame.resample: step must be positive (it is 0 ms)")
        #expect(failure(FrameResample(step: 1000, rules: [ResampleRule(column: "s", aggregate: .first)]), f)?.code == .invalidParameter)
        #expect(failure(FrameResample(step: 1000, rules: [ResampleRule(column: "nope", aggregate: .first)]), f)?.code == .invalidParameter)
        #expect(failure(FrameResample(step: 1000, rules: [ResampleRule(column: "x", aggregate: .first),
                                                          ResampleRule(column: "x", aggregate: .last)]), f)?.message
                == #"frame.resample: the output names "x" twice"#)
        // 100 000 001 one-millisecond bins are more than the limit; 1 s bins are fine.
        #expect(failure(FrameResample(step: 1, defaultAggregate: .mean), f)?.code == .invalidParameter)
        #expect(failure(FrameResample(step: 1000, defaultAggregate: .mean), f) == nil)
        let far = frame([Int64.min, Int64.max], [num("x", [1, 2])])
        #expect(failure(FrameResample(step: 1000, origin: 5, defaultAggregate: .mean), far)?.code == .invalidParameter)
    }

    @Test func parametersNameEverySetting() {
        let r = ResampleRule(column: "x", aggregate: .mean)
        let variants = [
            FrameResample(step: 1000, rules: [r]),
            FrameResample(step: 1001, rules: [r]),
            FrameResample(step: 1000, origin: 1, rules: [r]),
            FrameResample(step: 1000),
            FrameResample(step: 1000, rules: [ResampleRule(column: "y", aggregate: .mean)]),
            FrameResample(step: 1000, rules: [ResampleRule(column: "x", aggregate: .sum)]),
            FrameResample(step: 1000, rules: [ResampleRule(column: "x", aggregate: .mean, name: "m")]),
            FrameResample(step: 1000, rules: [r], defaultAggregate: .mean),
            FrameResample(step: 1000, rules: [r], defaultAggregate: .count),
        ]
        #expect(allDistinct(variants.map { $0.parameters() }))
        #expect(FrameResample(step: 1000, rules: [ResampleRule(column: "x", aggregate: .mean, name: "x")]).parameters()
                == variants[0].parameters())
    }
}
