import SDSSensors
import Testing

@Suite struct FrameCleanTests {
    /// Rows at lines 2, 3, … of robot.csv.
    func frame(_ time: [Int64], _ columns: [FrameColumn]) -> Frame {
        Frame(partition: "run1", time: ContiguousArray(time), columns: columns, file: "robot.csv",
              lines: ContiguousArray(time.indices.map { Int64($0 + 2) }))
    }

    @Test func rangeIsInclusiveAndNonFiniteIsRejected() throws {
        // Rows (line: x): 2: 5 kept, 3: 11 > 10, 4: NaN, 5: +inf, 6: 10 kept (bound inclusive), 7: 0 kept.
        let f = frame([0, 1, 2, 3, 4, 5], [num("x", [5, 11, .nan, .infinity, 10, 0])])
        var q = Quarantine()
        let out = try applied(FrameClean(columns: [CleanColumnRule(column: "x", valid: 0...10)]), f, &q)
        #expect(numbers(out, "x") == [5, 10, 0])
        #expect(out.time == [0, 4, 5] && out.lines == [2, 6, 7])
        #expect(q.reasons.map(\.reason) == ["value out of range", "not a finite number"])
        #expect(q.reasons.map(\.count) == [1, 2])
        #expect(q.reasons[1].locations == ["robot.csv:4", "robot.csv:5"])
    }

    @Test func keepingNonFiniteKeepsNaNButRangeChecksInfinity() throws {
        let f = frame([0, 1, 2, 3], [num("x", [5, .nan, .infinity, -.infinity])])
        var q = Quarantine()
        let ranged = try applied(FrameClean(columns: [CleanColumnRule(column: "x", valid: 0...10, nonFinite: .keep)]), f, &q)
        #expect(same(numbers(ranged, "x"), [5, .nan]))
        #expect(q.reasons.map(\.reason) == ["value out of range"] && q.total == 2)
        // No range: everything stays.
        let open = try applied(FrameClean(columns: [CleanColumnRule(column: "x", nonFinite: .keep)]), f)
        #expect(open == f)
    }

    @Test func firstFailingRuleNamesTheReason() throws {
        // Line 2 fails both rules: the first (y's range) is reported; unchecked z is ignored.
        let f = frame([0, 1], [num("x", [.nan, 1]), num("y", [-1, 1]), num("z", [.nan, .nan])])
        var q = Quarantine()
        let out = try applied(FrameClean(columns: [CleanColumnRule(column: "y", valid: 0...1), CleanColumnRule(column: "x")]), f, &q)
        #expect(out.lines == [3])
        #expect(q.reasons.map(\.reason) == ["value out of range"])
    }

    @Test func sortIsStable() throws {
        // Times 3,1,2,1 (values a..d) sort to 1(b),1(d),2(c),3(a): equal times keep input order.
        let f = frame([3, 1, 2, 1], [num("x", [1, 2, 3, 4]), txt("s", ["a", "b", "c", "d"])])
        let out = try applied(FrameClean(), f)
        #expect(out.time == [1, 1, 2, 3])
        #expect(texts(out, "s") == ["b", "d", "c", "a"])
        #expect(numbers(out, "x") == [2, 4, 3, 1])
        #expect(out.lines == [3, 5, 4, 2])
    }

    @Test func rejectingOrderQuarantinesBackwardRows() throws {
        // 1, 3, 2 (< 3: out), 3 (= 3: fine), 0 (out), 4.
        let f = frame([1, 3, 2, 3, 0, 4], [num("x", [1, 2, 3, 4, 5, 6])])
        var q = Quarantine()
        let out = try applied(FrameClean(order: .reject), f, &q)
        #expect(out.time == [1, 3, 3, 4] && numbers(out, "x") == [1, 2, 4, 6])
        #expect(summary(q) == ["out of order ×2: robot.csv:4 robot.csv:6"])
    }

    @Test(arguments: [
        // Rows: t=0: 1, 2, 6 (lines 2-4); t=5: 7 (line 5).
        (FrameClean.DuplicatePolicy.keepAll, [1.0, 2, 6, 7], [Int64(2), 3, 4, 5], 0),
        (.first, [1, 7], [2, 5], 2),
        (.last, [6, 7], [4, 5], 2),
        (.mean, [3, 7], [2, 5], 0),  // (1 + 2 + 6) / 3 = 3, merged rows are not rejections
    ])
    func duplicatePolicies(policy: FrameClean.DuplicatePolicy, x: [Double], lines: [Int64], rejected: Int) throws {
        let f = frame([0, 0, 0, 5], [num("x", [1, 2, 6, 7]), txt("s", ["a", "b", "c", "d"])])
        var q = Quarantine()
        let out = try applied(FrameClean(duplicates: policy), f, &q)
        #expect(numbers(out, "x") == x)
        #expect(out.lines == ContiguousArray(lines))
        #expect(q.total == rejected)
        if rejected > 0 { #expect(q.reasons.map(\.reason) == ["duplicate time"]) }
        if policy == .mean { #expect(texts(out, "s") == ["a", "d"]) }
    }

    @Test func meanIgnoresNaN() throws {
        // t=0: 1, NaN, 4 → (1 + 4) / 2 = 2.5; t=1: NaN, NaN → NaN; y: 2, 4, 6 → 4; NaN, 8 → 8.
        let f = frame([0, 0, 0, 1, 1], [num("x", [1, .nan, 4, .nan, .nan]), num("y", [2, 4, 6, .nan, 8])])
        let out = try applied(FrameClean(duplicates: .mean), f)
        #expect(same(numbers(out, "x"), [2.5, .nan]))
        #expect(numbers(out, "y") == [4, 8])
        #expect(out.time == [0, 1] && out.lines == [2, 5])
    }

    /// A long table: time, field, robot_id, value.
    func long(_ rows: [(Int64, String, String, Double)]) -> Frame {
        frame(rows.map(\.0), [txt("field", rows.map(\.1)), txt("robot_id", rows.map(\.2)), num("value", rows.map(\.3))])
    }

    @Test func keysSeparateDuplicates() throws {
        let f = long([(0, "fx", "1", 1), (0, "fy", "1", 2), (0, "fx", "1", 3), (0, "fx", "2", 4), (9, "fx", "1", 5)])
        // Only (0, fx, 1) repeats: mean (1 + 3) / 2 = 2 at the first copy's place; sets keep first-seen order.
        let mean = try applied(FrameClean(duplicates: .mean, keys: ["field", "robot_id"]), f)
        #expect(numbers(mean, "value") == [2, 2, 4, 5])
        #expect(texts(mean, "field") == ["fx", "fy", "fx", "fx"] && texts(mean, "robot_id") == ["1", "1", "2", "1"])
        #expect(mean.lines == [2, 3, 5, 6])
        var q = Quarantine()
        let last = try applied(FrameClean(duplicates: .last, keys: ["field", "robot_id"]), f, &q)
        #expect(numbers(last, "value") == [3, 2, 4, 5])
        #expect(summary(q) == ["duplicate time ×1: robot.csv:2"])
        // Without keys every row at t=0 is one duplicate set.
        let first = try applied(FrameClean(duplicates: .first), f, &q)
        #expect(numbers(first, "value") == [1, 5])
    }

    @Test func duplicatesAfterSortingFollowInputOrder() throws {
        // Times 5, 0, 5: sorted 0 (line 3), 5 (line 2), 5 (line 4); first at 5 is line 2's.
        let f = frame([5, 0, 5], [num("x", [1, 2, 3])])
        var q = Quarantine()
        let out = try applied(FrameClean(duplicates: .first), f, &q)
        #expect(out.time == [0, 5] && numbers(out, "x") == [2, 1] && out.lines == [3, 2])
        #expect(q.reasons.first?.locations == ["robot.csv:4"])
    }

    @Test func emptyAndSingle() throws {
        let cleaner = FrameClean(columns: [CleanColumnRule(column: "x", valid: 0...1)], duplicates: .mean, keys: ["s"], order: .reject)
        let empty = frame([], [num("x", []), txt("s", [])])
        #expect(try applied(cleaner, empty) == empty)
        let single = frame([7], [num("x", [0.5]), txt("s", ["a"])])
        #expect(try applied(cleaner, single) == single)
    }

    @Test func strictModeThrowsAtTheRow() {
        let f = frame([0, 1, 2], [num("x", [1, 2, 99])])
        let e = failure(FrameClean(columns: [CleanColumnRule(column: "x", valid: 0...10)]), f, strict: true)
        #expect(e?.description == "robot.csv:4: error: value out of range")
        #expect(e?.code == .badValue && e?.isDataError == true)
        let order = failure(FrameClean(order: .reject), frame([1, 0], [num("x", [1, 2])]), strict: true)
        #expect(order?.description == "robot.csv:3: error: out of order")
        let dup = failure(FrameClean(duplicates: .first), frame([1, 1], [num("x", [1, 2])]), strict: true)
        #expect(dup?.description == "robot.csv:3: error: duplicate time")
        // Rows made by an operator (no lines) name just the file.
        let noLines = Frame(partition: "p", time: [0], columns: [num("x", [.nan])], file: "robot.csv")
        #expect(failure(FrameClean(columns: [CleanColumnRule(column: "x")]), noLines, strict: true)?.description
                == "robot.csv: error: not a finite number")
    }

    @Test func badParameters() {
        let f = frame([0], [num("x", [1]), txt("s", ["a"])])
        let missing = failure(FrameClean(columns: [CleanColumnRule(column: "nope")]), f)
        #expect(missing?.code == .invalidParameter)
        #expect(missing?.message == #"frame.clean: partition run1 has no column "nope" (it has x, s)"#)
        #expect(failure(FrameClean(columns: [CleanColumnRule(column: "s")]), f)?.code == .invalidParameter)
        #expect(failure(FrameClean(duplicates: .first, keys: ["x"]), f)?.message == #"frame.clean: column "x" holds numbers, not text"#)
    }

    @Test func parametersNameEverySetting() {
        let rule = CleanColumnRule(column: "x", valid: 0...10)
        let variants = [
            FrameClean(columns: [rule]),
            FrameClean(columns: [CleanColumnRule(column: "y", valid: 0...10)]),
            FrameClean(columns: [CleanColumnRule(column: "x")]),
            FrameClean(columns: [CleanColumnRule(column: "x", valid: 0...11)]),
            FrameClean(columns: [CleanColumnRule(column: "x", valid: -1...10)]),
            FrameClean(columns: [CleanColumnRule(column: "x", valid: 0...10, nonFinite: .keep)]),
            FrameClean(columns: [rule, rule]),
            FrameClean(columns: [rule], duplicates: .first),
            FrameClean(columns: [rule], duplicates: .last),
            FrameClean(columns: [rule], duplicates: .mean),
            FrameClean(columns: [rule], duplicates: .mean, keys: ["field"]),
            FrameClean(columns: [rule], duplicates: .mean, keys: ["field", "robot_id"]),
            FrameClean(columns: [rule], order: .reject),
        ]
        #expect(allDistinct(variants.map { $0.parameters() }))
        // Unread keys (duplicates kept) and the sign of a zero bound do not change the key.
        #expect(FrameClean(columns: [rule], keys: ["field"]).parameters() == variants[0].parameters())
        #expect(FrameClean(columns: [CleanColumnRule(column: "x", valid: -0.0...10)]).parameters() == variants[0].parameters())
    }
}
