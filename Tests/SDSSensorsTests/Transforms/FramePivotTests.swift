import SDSSensors
import Testing

@Suite struct FramePivotTests {
    /// A long table at lines 2, 3, … of robot.csv: time, field, robot_id, value, sensor_type.
    func long(_ rows: [(Int64, String, String, Double)]) -> Frame {
        Frame(partition: "run1", time: ContiguousArray(rows.map(\.0)),
              columns: [txt("field", rows.map(\.1)), txt("robot_id", rows.map(\.2)), num("value", rows.map(\.3)),
                        txt("sensor_type", rows.map { _ in "load_cell" })],
              file: "robot.csv", lines: ContiguousArray(rows.indices.map { Int64($0 + 2) }))
    }

    let pivot = FramePivot(keys: ["field", "robot_id"], value: "value", name: "{field}_{robot_id}")

    @Test func outerJoinOnSortedDistinctTimes() throws {
        // Unsorted times 0, 0, 10, 5 → rows 0, 5, 10; columns sorted fx_1, fx_2, fy_1.
        let f = long([(0, "fx", "1", 1), (0, "fy", "1", 2), (10, "fx", "1", 3), (5, "fx", "2", 4)])
        let out = try applied(pivot, f)
        #expect(out.time == [0, 5, 10])
        #expect(out.columns.map(\.name) == ["fx_1", "fx_2", "fy_1"])
        #expect(same(numbers(out, "fx_1"), [1, .nan, 3]))
        #expect(same(numbers(out, "fx_2"), [.nan, 4, .nan]))
        #expect(same(numbers(out, "fy_1"), [2, .nan, .nan]))
        #expect(out.lines.isEmpty && out.file == "robot.csv" && out.partition == "run1")
    }

    @Test func columnsSortByBytes() throws {
        // By bytes "B" (0x42) < "a" (0x61) and "x_10" < "x_2" ("1" < "2").
        let f = long([(0, "a", "1", 1), (0, "B", "1", 2), (0, "x", "2", 3), (0, "x", "10", 4)])
        #expect(try applied(pivot, f).columns.map(\.name) == ["B_1", "a_1", "x_10", "x_2"])
    }

    @Test func expectedColumnsFixTheOutput() throws {
        let f = long([(0, "fx", "1", 1), (5, "fx", "2", 4)])
        let out = try applied(FramePivot(keys: ["field", "robot_id"], value: "value", name: "{field}_{robot_id}",
                                         columns: ["fz_1", "fx_2", "fx_1"]), f)
        #expect(out.columns.map(\.name) == ["fz_1", "fx_2", "fx_1"])
        #expect(same(numbers(out, "fz_1"), [.nan, .nan]))
        #expect(same(numbers(out, "fx_2"), [.nan, 4]) && same(numbers(out, "fx_1"), [1, .nan]))
        let e = failure(FramePivot(keys: ["field", "robot_id"], value: "value", name: "{field}_{robot_id}", columns: ["fx_1"]),
                        long([(0, "fy", "1", 1), (0, "fx", "1", 1), (0, "fx", "2", 1)]))
        #expect(e?.message == "frame.pivot: partition run1 has columns missing from columns: fx_2, fy_1 (expected fx_1)")
    }

    @Test func duplicateCellIsAnErrorAtTheSecondRow() {
        let f = long([(0, "fx", "1", 1), (0, "fy", "1", 2), (0, "fx", "1", 3)])
        let e = failure(pivot, f)
        #expect(e?.code == .badValue && e?.file == "robot.csv" && e?.line == 4)
        #expect(e?.message == #"frame.pivot: lines 2 and 4 both give column "fx_1" a value at 0 ms; add a frame.clean step before it with duplicates: mean or first and keys: field, robot_id"#)
        // The clean step it suggests resolves it: (1 + 3) / 2 = 2.
        var q = Quarantine()
        let cleaned = try? FrameClean(duplicates: .mean, keys: ["field", "robot_id"]).apply(f, quarantine: &q)
        #expect(cleaned.flatMap { try? pivot.apply($0, quarantine: &q) }.map { numbers($0, "fx_1") } == [2])
    }

    @Test func templateErrors() {
        let f = long([(0, "fx", "1", 1)])
        func message(_ name: String) -> String? {
            failure(FramePivot(keys: ["field", "robot_id"], value: "value", name: name), f)?.message
        }
        #expect(message("{field") == #"frame.pivot: name template "{field" has an unclosed "{" at byte offset 0"#)
        #expect(message("{fi{eld}") == #"frame.pivot: name template "{fi{eld}" has an unclosed "{" at byte offset 0"#)
        #expect(message("a}b") == #"frame.pivot: name template "a}b" has a "}" without "{" at byte offset 1"#)
        #expect(message("{nope}") == "frame.pivot: name template \"{nope}\" uses {nope}, which is not one of the keys (field, robot_id)")
        #expect(message("") == "frame.pivot: the name template is empty")
        #expect(failure(FramePivot(keys: [], value: "value", name: "x"), f)?.code == .invalidParameter)
        #expect(failure(FramePivot(keys: ["value"], value: "value", name: "{value}"), f)?.code == .invalidParameter)
        #expect(failure(FramePivot(keys: ["field"], value: "field", name: "{field}"), f)?.code == .invalidParameter)
    }

    @Test func literalTextAndOneKey() throws {
        // "f.{field}!" with the robot id unused: robots 1 and 2 collide only at equal times.
        let f = long([(0, "x", "1", 1), (1, "x", "2", 2)])
        let out = try applied(FramePivot(keys: ["field", "robot_id"], value: "value", name: "f.{field}!"), f)
        #expect(out.columns.map(\.name) == ["f.x!"] && numbers(out, "f.x!") == [1, 2])
    }

    @Test func emptyAndSingle() throws {
        let empty = long([])
        let out = try applied(pivot, empty)
        #expect(out.rowCount == 0 && out.columns.isEmpty)
        let expected = try applied(FramePivot(keys: ["field", "robot_id"], value: "value", name: "{field}_{robot_id}", columns: ["a", "b"]), empty)
        #expect(expected.columns.map(\.name) == ["a", "b"] && expected.rowCount == 0)
        let single = try applied(pivot, long([(7, "z", "2", 0.5)]))
        #expect(single.time == [7] && single.columns == [num("z_2", [0.5])])
    }

    @Test func parametersNameEverySetting() {
        let variants = [
            pivot,
            FramePivot(keys: ["robot_id", "field"], value: "value", name: "{field}_{robot_id}"),
            FramePivot(keys: ["field", "robot_id"], value: "v", name: "{field}_{robot_id}"),
            FramePivot(keys: ["field", "robot_id"], value: "value", name: "{field}{robot_id}"),
            FramePivot(keys: ["field", "robot_id"], value: "value", name: "{field}_{robot_id}", columns: ["fx_1"]),
            FramePivot(keys: ["field", "robot_id"], value: "value", name: "{field}_{robot_id}", columns: ["fx_1", "fx_2"]),
        ]
        #expect(allDistinct(variants.map { $0.parameters() }))
    }
}

@Suite struct FrameUnpivotTests {
    /// Hourly wide rows at lines 2, 3 of steps.csv.
    let wide = Frame(partition: "u1", time: [0, 3_600_000],
                     columns: [txt("Id", ["u1", "u1"]), num("Steps00", [1, .nan]), num("Steps01", [2, 3]), num("kcal", [9, 8])],
                     file: "steps.csv", lines: [2, 3])

    @Test func rowThenColumnOrder() throws {
        let out = try applied(FrameUnpivot(columns: ["Steps00", "Steps01"], key: "minute", value: "steps"), wide)
        // Row 1: Steps00 = 1, Steps01 = 2; row 2: Steps00 is NaN (skipped), Steps01 = 3.
        #expect(out.time == [0, 0, 3_600_000] && out.lines == [2, 2, 3])
        #expect(out.columns.map(\.name) == ["Id", "kcal", "minute", "steps"])
        #expect(texts(out, "minute") == ["Steps00", "Steps01", "Steps01"])
        #expect(numbers(out, "steps") == [1, 2, 3])
        #expect(numbers(out, "kcal") == [9, 9, 8] && texts(out, "Id") == ["u1", "u1", "u1"])
    }

    @Test func keepMissingAndOffsets() throws {
        // Offsets 0 and 60 000 ms: minute 1 of hour 1 is at 3 660 000 ms.
        let out = try applied(FrameUnpivot(columns: ["Steps00", "Steps01"], key: "minute", value: "steps",
                                           keepMissing: true, offsets: [0, 60_000]), wide)
        #expect(out.time == [0, 60_000, 3_600_000, 3_660_000] && out.lines == [2, 2, 3, 3])
        #expect(same(numbers(out, "steps"), [1, 2, .nan, 3]))
    }

    @Test func badParameters() {
        #expect(failure(FrameUnpivot(columns: ["Steps00"], key: "kcal", value: "steps"), wide)?.message
                == #"frame.unpivot: output column "kcal" is already a column of partition u1"#)
        #expect(failure(FrameUnpivot(columns: ["Steps00"], key: "v", value: "v"), wide)?.code == .invalidParameter)
        #expect(failure(FrameUnpivot(columns: ["Id"], key: "k", value: "v"), wide)?.code == .invalidParameter)
        #expect(failure(FrameUnpivot(columns: [], key: "k", value: "v"), wide)?.code == .invalidParameter)
        #expect(failure(FrameUnpivot(columns: ["Steps00", "Steps00"], key: "k", value: "v"), wide)?.code == .invalidParameter)
        #expect(failure(FrameUnpivot(columns: ["Steps00"], key: "k", value: "v", offsets: [1, 2]), wide)?.code == .invalidParameter)
        // Listed columns may reuse their names as key or value: they are consumed.
        #expect(failure(FrameUnpivot(columns: ["Steps00", "Steps01"], key: "Steps00", value: "Steps01"), wide) == nil)
    }

    @Test func emptyAndSingle() throws {
        let op = FrameUnpivot(columns: ["a", "b"], key: "k", value: "v")
        let empty = try applied(op, Frame(partition: "p", time: [], columns: [num("a", []), num("b", [])]))
        #expect(empty.rowCount == 0 && empty.columns.map(\.name) == ["k", "v"])
        let single = try applied(op, Frame(partition: "p", time: [5], columns: [num("a", [1]), num("b", [2])]))
        #expect(single.time == [5, 5] && texts(single, "k") == ["a", "b"] && numbers(single, "v") == [1, 2])
    }

    @Test func pivotUndoesIt() throws {
        let f = Frame(partition: "p", time: [0, 1], columns: [num("a", [1, .nan]), num("b", [3, 4])])
        let long = try applied(FrameUnpivot(columns: ["a", "b"], key: "k", value: "v"), f)
        #expect(try applied(FramePivot(keys: ["k"], value: "v", name: "{k}"), long) == f)
    }

    @Test func parametersNameEverySetting() {
        let variants = [
            FrameUnpivot(columns: ["a", "b"], key: "k", value: "v"),
            FrameUnpivot(columns: ["b", "a"], key: "k", value: "v"),
            FrameUnpivot(columns: ["a", "b"], key: "k2", value: "v"),
            FrameUnpivot(columns: ["a", "b"], key: "k", value: "v2"),
            FrameUnpivot(columns: ["a", "b"], key: "k", value: "v", keepMissing: true),
            FrameUnpivot(columns: ["a", "b"], key: "k", value: "v", offsets: [0, 1]),
            FrameUnpivot(columns: ["a", "b"], key: "k", value: "v", offsets: [0, 2]),
        ]
        #expect(allDistinct(variants.map { $0.parameters() }))
    }
}
