import SDSSensors
import Testing

/// A small robot-like run through clean → pivot → difference → magnitude.
@Suite struct RobotPipelineTests {
    /// Positions (mm) and forces (N) per robot at t = 0, 1667, 3334 ms.
    static let fields = ["x", "y", "z", "fx", "fy", "fz"]
    static let values: [String: [[Double]]] = [
        // robot 1: x 0, 1, 3; y 0, 2, 2; z 0, 2, 4; forces (3, 4, 12) → 13 N at every time.
        "1": [[0, 1, 3], [0, 2, 2], [0, 2, 4], [3, 3, 3], [4, 4, 4], [12, 12, 12]],
        // robot 2: x 10, 10, 10; y 5, 5, 5; z 1, 1, 1; forces 0.
        "2": [[10, 10, 10], [5, 5, 5], [1, 1, 1], [0, 0, 0], [0, 0, 0], [0, 0, 0]],
    ]

    /// The long table, rows in a shuffled order with one repeated reading (later lines).
    func longTable() -> Frame {
        var rows: [(Int64, String, String, Double)] = []
        for (k, t) in [Int64(0), 1667, 3334].enumerated() {
            for robot in ["1", "2"] {
                for (f, field) in Self.fields.enumerated() { rows.append((t, field, robot, Self.values[robot, default: []][f][k])) }
            }
        }
        rows.reverse()
        rows.append((1667, "x", "1", 1))  // a resent reading: same time, field and robot, same value
        return Frame(partition: "8910095844186657261", time: ContiguousArray(rows.map(\.0)),
                     columns: [num("value", rows.map(\.3)), txt("field", rows.map(\.1)), txt("robot_id", rows.map(\.2)),
                               txt("sensor_type", rows.map { $0.1.hasPrefix("f") ? "load_cell" : "encoder" })],
                     file: "sample.csv", lines: ContiguousArray(rows.indices.map { Int64($0 + 2) }))
    }

    @Test func velocityAccelerationAndForce() throws {
        var q = Quarantine()
        let clean = FrameClean(columns: [CleanColumnRule(column: "value")], duplicates: .first, keys: ["field", "robot_id"])
        let cleaned = try applied(clean, longTable(), &q)
        #expect(cleaned.rowCount == 36 && summary(q) == ["duplicate time ×1: sample.csv:38"])

        let names = ["x", "y", "z", "fx", "fy", "fz"].flatMap { f in ["1", "2"].map { "\(f)_\($0)" } }
        let wide = try applied(FramePivot(keys: ["field", "robot_id"], value: "value", name: "{field}_{robot_id}", columns: names), cleaned)
        #expect(wide.time == [0, 1667, 3334] && wide.columns.map(\.name) == names)
        #expect(numbers(wide, "x_1") == [0, 1, 3])

        var w = wide
        for robot in ["1", "2"] {
            let axes = ["x", "y", "z"].map { "\($0)_\(robot)" }
            w = try applied(FrameDifference(columns: axes, names: axes.map { "v" + $0 }), w)
            w = try applied(FrameDifference(columns: axes, names: axes.map { "a" + $0 }, order: 2), w)
            w = try applied(FrameMagnitude(columns: axes.map { "v" + $0 }, name: "v_\(robot)"), w)
            w = try applied(FrameMagnitude(columns: axes.map { "a" + $0 }, name: "a_\(robot)"), w)
            w = try applied(FrameMagnitude(columns: ["fx", "fy", "fz"].map { "\($0)_\(robot)" }, name: "f_\(robot)"), w)
        }
        // Row 2, robot 1: Δt = 1.667 s, Δ(x, y, z) = (1, 2, 2) mm → |v| = sqrt(1 + 4 + 4) / 1.667 = 3 / 1.667
        // ≈ 1.79964 mm/s.
        let v1 = numbers(w, "v_1")
        #expect(v1[0].isNaN && abs(v1[1] - 3 / 1.667) < 1e-12)
        // Row 3: v = (2, 0, 2) / 1.667, so a = ((2 − 1), (0 − 2), (2 − 2)) / 1.667² → |a| = sqrt(5) / 1.667².
        let a1 = numbers(w, "a_1")
        #expect(a1[0].isNaN && a1[1].isNaN && abs(a1[2] - 5.0.squareRoot() / (1.667 * 1.667)) < 1e-12)
        // Robot 2 stands still; total force sqrt(3² + 4² + 12²) = 13 N for robot 1, 0 for robot 2.
        #expect(same(numbers(w, "v_2"), [.nan, 0, 0]))
        #expect(numbers(w, "f_1") == [13, 13, 13] && numbers(w, "f_2") == [0, 0, 0])
    }
}
