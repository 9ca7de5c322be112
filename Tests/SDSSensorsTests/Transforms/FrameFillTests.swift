import SDSSensors
import Testing

@Suite struct FrameFillTests {
    func frame(_ time: [Int64], _ columns: [FrameColumn]) -> Frame {
        Frame(partition: "p", time: ContiguousArray(time), columns: columns, file: "in.csv",
              lines: ContiguousArray(time.indices.map { Int64($0 + 2) }))
    }

    func fill(_ method: FillMethod, _ maxGap: Int64, _ time: [Int64], _ x: [Double]) throws -> [Double] {
        numbers(try applied(FrameFill(rules: [FillRule(column: "x", method: method, maxGap: maxGap)]), frame(time, [num("x", x)])), "x")
    }

    @Test func forwardFillsUpToTheGapInclusive() throws {
        // Known 1 at t=0: t=2000 − 0 = 2000 ≤ 2000 filled; t=2001 is 1 ms over: stays missing.
        #expect(same(try fill(.forward, 2000, [0, 2000, 2001], [1, .nan, .nan]), [1, 1, .nan]))
        // Leading NaN has nothing before it; 4001 − 4000 = 1 fills from 5.
        #expect(same(try fill(.forward, 2000, [0, 1000, 4000, 4001], [.nan, 2, 5, .nan]), [.nan, 2, 5, 5]))
    }

    @Test func forwardNeverChainsItsOwnFills() throws {
        // t=1500 is filled (1500 ≤ 2000) but t=3000 is 3000 ms after the last observation: missing.
        #expect(same(try fill(.forward, 2000, [0, 1500, 3000], [1, .nan, .nan]), [1, 1, .nan]))
    }

    @Test func linearInterpolatesInTimeUpToTheGapInclusive() throws {
        // Neighbours (0, 0) and (4000, 8): t=1000 → 0 + 8 · 1000/4000 = 2, t=3000 → 6; span 4000 ≤ 4000.
        #expect(try fill(.linear, 4000, [0, 1000, 3000, 4000], [0, .nan, .nan, 8]) == [0, 2, 6, 8])
        // One ms less allowed: the 4000 ms span is not bridged.
        #expect(same(try fill(.linear, 3999, [0, 1000, 3000, 4000], [0, .nan, .nan, 8]), [0, .nan, .nan, 8]))
    }

    @Test func linearNeverExtrapolates() throws {
        #expect(same(try fill(.linear, 10_000, [0, 1000, 2000, 3000], [.nan, 1, 3, .nan]), [.nan, 1, 3, .nan]))
    }

    @Test func equalTimes() throws {
        // All at t=0: linear takes x0 (span 0); forward with maxGap 0 fills from the same instant.
        #expect(try fill(.linear, 0, [0, 0, 0], [1, .nan, 3]) == [1, 1, 3])
        #expect(try fill(.forward, 0, [0, 0, 1], [1, .nan, .nan]).prefix(2) == [1, 1])
    }

    @Test func masksAndRuleOrder() throws {
        // x: linear between (0, 0) and (1000, 2): t=500 → 1; then forward (sees that fill) from t=1000:
        // t=3000 − 1000 = 2000 ≤ 5000 → 2, t=6000 − 1000 = 5000 ≤ 5000 → 2.
        // The mask describes the input: observed at t=0 and t=1000 only.
        let f = frame([0, 500, 1000, 3000, 6000], [num("x", [0, .nan, 2, .nan, .nan]), txt("s", ["a", "b", "c", "d", "e"]),
                                                   num("y", [.nan, 1, .nan, .nan, 4])])
        let out = try applied(FrameFill(rules: [
            FillRule(column: "y", method: .forward, maxGap: 500, mask: true),
            FillRule(column: "x", method: .linear, maxGap: 1000, mask: true),
            FillRule(column: "x", method: .forward, maxGap: 5000),
        ]), f)
        #expect(out.columns.map(\.name) == ["x", "s", "y", "y_mask", "x_mask"])
        #expect(numbers(out, "x") == [0, 1, 2, 2, 2])
        #expect(same(numbers(out, "y"), [.nan, 1, 1, .nan, 4]))  // 1000 − 500 = 500 ≤ 500; 3000 − 500 > 500
        #expect(numbers(out, "x_mask") == [1, 0, 1, 0, 0])
        #expect(numbers(out, "y_mask") == [0, 1, 0, 0, 1])
        #expect(out.time == f.time && out.lines == f.lines && texts(out, "s") == texts(f, "s"))
    }

    @Test func emptyAndSingle() throws {
        let op = FrameFill(rules: [FillRule(column: "x", method: .linear, maxGap: 10, mask: true)])
        let empty = try applied(op, frame([], [num("x", [])]))
        #expect(empty.rowCount == 0 && empty.columns.map(\.name) == ["x", "x_mask"])
        let single = try applied(op, frame([5], [num("x", [.nan])]))
        #expect(same(numbers(single, "x"), [.nan]) && numbers(single, "x_mask") == [0])
    }

    @Test func errors() {
        let f = frame([0, 2000, 1000], [num("x", [1, .nan, 2]), txt("s", ["a", "b", "c"])])
        let unsorted = failure(FrameFill(rules: [FillRule(column: "x", method: .forward, maxGap: 10)]), f)
        #expect(unsorted?.code == .badTimestamp)
        #expect(unsorted?.description == "in.csv:4: error: frame.fill: partition p has a row at 1000 ms after one at 2000 ms; sort the rows first (frame.clean with order: sort)")
        let sorted = frame([0], [num("x", [1]), txt("s", ["a"]), num("x_mask", [1])])
        #expect(failure(FrameFill(rules: [FillRule(column: "x", method: .forward, maxGap: -1)]), sorted)?.code == .invalidParameter)
        #expect(failure(FrameFill(rules: [FillRule(column: "s", method: .forward, maxGap: 1)]), sorted)?.code == .invalidParameter)
        #expect(failure(FrameFill(rules: [FillRule(column: "x", method: .forward, maxGap: 1, mask: true)]), sorted)?.message
                == #"frame.fill: mask column "x_mask" is already a column of partition p"#)
        let twice = [FillRule(column: "y", method: .forward, maxGap: 1, mask: true), FillRule(column: "y", method: .linear, maxGap: 1, mask: true)]
        #expect(failure(FrameFill(rules: twice), frame([0], [num("y", [1])]))?.code == .invalidParameter)
    }

    @Test func parametersNameEverySetting() {
        let variants = [
            FrameFill(rules: [FillRule(column: "x", method: .forward, maxGap: 10)]),
            FrameFill(rules: [FillRule(column: "y", method: .forward, maxGap: 10)]),
            FrameFill(rules: [FillRule(column: "x", method: .linear, maxGap: 10)]),
            FrameFill(rules: [FillRule(column: "x", method: .forward, maxGap: 11)]),
            FrameFill(rules: [FillRule(column: "x", method: .forward, maxGap: 10, mask: true)]),
            FrameFill(rules: []),
        ]
        #expect(allDistinct(variants.map { $0.parameters() }))
    }
}
