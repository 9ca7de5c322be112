import SDSSensors
import Testing

func timed(_ time: [Int64], _ columns: [FrameColumn]) -> Frame {
    Frame(partition: "p", time: ContiguousArray(time), columns: columns, file: "in.csv",
          lines: ContiguousArray(time.indices.map { Int64($0 + 2) }))
}

@Suite struct FrameDifferenceTests {
    @Test func velocityAndAccelerationOverRealTime() throws {
        // t (ms) 0, 500, 1500, 2000; x 0, 1, 4, 4.
        // v = [NaN, (1 − 0)/0.5 = 2, (4 − 1)/1.0 = 3, (4 − 4)/0.5 = 0]
        // a = [NaN, NaN, (3 − 2)/1.0 = 1, (0 − 3)/0.5 = −6]
        let f = timed([0, 500, 1500, 2000], [num("x", [0, 1, 4, 4])])
        let v = try applied(FrameDifference(columns: ["x"], names: ["v"]), f)
        #expect(same(numbers(v, "v"), [.nan, 2, 3, 0]))
        let a = try applied(FrameDifference(columns: ["x"], names: ["a"], order: 2), f)
        #expect(same(numbers(a, "a"), [.nan, .nan, 1, -6]))
        #expect(a.columns.map(\.name) == ["x", "a"] && a.lines == f.lines)
    }

    @Test func nanNeighboursAndEqualTimesGiveNaN() throws {
        // x 0, NaN, 2, 3 at 0, 1000, 2000, 2000: d = NaN, NaN (x NaN), NaN (prev NaN), NaN (equal times).
        // y 0, 1, 2, 3: d = NaN, 1, 1, NaN (equal times).
        let f = timed([0, 1000, 2000, 2000], [num("x", [0, .nan, 2, 3]), num("y", [0, 1, 2, 3])])
        let out = try applied(FrameDifference(columns: ["x", "y"], names: ["dx", "dy"]), f)
        #expect(same(numbers(out, "dx"), [.nan, .nan, .nan, .nan]))
        #expect(same(numbers(out, "dy"), [.nan, 1, 1, .nan]))
    }

    @Test func aNameMayReplaceAnInput() throws {
        // Both read before writing: x ← dy, y ← dx. x 0, 2; y 0, 4 over 1 s.
        let f = timed([0, 1000], [num("x", [0, 2]), num("y", [0, 4])])
        let out = try applied(FrameDifference(columns: ["x", "y"], names: ["y", "x"]), f)
        #expect(out.columns.map(\.name) == ["x", "y"])
        #expect(same(numbers(out, "x"), [.nan, 4]) && same(numbers(out, "y"), [.nan, 2]))
    }

    @Test func emptyAndSingle() throws {
        let op = FrameDifference(columns: ["x"], names: ["v"], order: 2)
        #expect(try applied(op, timed([], [num("x", [])])).columns.map(\.name) == ["x", "v"])
        #expect(same(numbers(try applied(op, timed([3], [num("x", [1])])), "v"), [.nan]))
    }

    @Test func errors() {
        var q = Quarantine()
        let f = timed([0, 1000], [num("x", [0, 2])])
        #expect(failure(FrameDifference(columns: ["x"], names: []), f)?.message == "frame.difference: 1 columns but 0 names")
        #expect(failure(FrameDifference(columns: ["x"], names: ["v"], order: 0), f)?.code == .invalidParameter)
        #expect(failure(FrameDifference(columns: ["x", "x"], names: ["v", "v"]), f)?.code == .invalidParameter)
        #expect(failure(FrameDifference(columns: ["q"], names: ["v"]), f)?.code == .invalidParameter)
        let back = failure(FrameDifference(columns: ["x"], names: ["v"]), timed([1000, 0], [num("x", [0, 2])]))
        #expect(back?.code == .badTimestamp && back?.file == "in.csv" && back?.line == 3)
        // Times 2^64 − 1 ms apart do not overflow: (1 − 0) / ((2^64 − 1) / 1000) ≈ 5.42e-17 per second.
        let far = try? FrameDifference(columns: ["x"], names: ["v"]).apply(timed([.min, .max], [num("x", [0, 1])]), quarantine: &q)
        #expect(far.map { numbers($0, "v")[1] } == 1000 / 18_446_744_073_709_551_615.0)
    }

    @Test func parametersNameEverySetting() {
        let variants = [
            FrameDifference(columns: ["x"], names: ["v"]),
            FrameDifference(columns: ["y"], names: ["v"]),
            FrameDifference(columns: ["x"], names: ["w"]),
            FrameDifference(columns: ["x"], names: ["v"], order: 2),
        ]
        #expect(allDistinct(variants.map { $0.parameters() }))
    }
}

@Suite struct FrameMagnitudeTests {
    @Test func euclideanNorm() throws {
        // sqrt(3² + 4² + 0²) = 5; sqrt(1 + 4 + 4) = 3; NaN in → NaN; sqrt(4 + 9 + 36) = 7 with negatives.
        let f = timed([0, 1, 2, 3], [num("x", [3, 1, .nan, -2]), num("y", [4, 2, 1, 3]), num("z", [0, 2, 1, -6])])
        let out = try applied(FrameMagnitude(columns: ["x", "y", "z"], name: "m"), f)
        #expect(same(numbers(out, "m"), [5, 3, .nan, 7]))
        #expect(out.columns.map(\.name) == ["x", "y", "z", "m"])
    }

    @Test func emptySingleAndErrors() throws {
        let op = FrameMagnitude(columns: ["x"], name: "m")
        #expect(try applied(op, timed([], [num("x", [])])).columns.map(\.name) == ["x", "m"])
        #expect(numbers(try applied(op, timed([0], [num("x", [-2])])), "m") == [2])
        #expect(failure(FrameMagnitude(columns: [], name: "m"), timed([0], [num("x", [1])]))?.code == .invalidParameter)
        #expect(failure(FrameMagnitude(columns: ["s"], name: "m"), timed([0], [txt("s", ["a"])]))?.code == .invalidParameter)
    }

    @Test func parametersNameEverySetting() {
        let variants = [FrameMagnitude(columns: ["x", "y"], name: "m"), FrameMagnitude(columns: ["y", "x"], name: "m"),
                        FrameMagnitude(columns: ["x", "y"], name: "n"), FrameMagnitude(columns: ["x"], name: "m")]
        #expect(allDistinct(variants.map { $0.parameters() }))
    }
}

@Suite struct FrameRollingTests {
    // t 0, 1000, 1500, 2000, 2000, 4000; x 1, 3, NaN, 5, 7, 2.
    let f = timed([0, 1000, 1500, 2000, 2000, 4000], [num("x", [1, 3, .nan, 5, 7, 2])])

    func rolling(_ statistic: RollingStatistic, window: Int64 = 1000, minCount: Int = 1) throws -> [Double] {
        numbers(try applied(FrameRolling(column: "x", name: "r", window: window, statistic: statistic, minCount: minCount), f), "r")
    }

    @Test func trailingMean() throws {
        // Windows (t − 1000, t]: {1}; {3} (t=0 is exactly 1000 back: out); {3, NaN}; {NaN, 5, 7} for both
        // rows at 2000 (equal times share a window); {2}. Means 1, 3, 3, 6, 6, 2.
        #expect(try rolling(.mean) == [1, 3, 3, 6, 6, 2])
        // One ms wider: t=0 is inside row 2's window, (1 + 3) / 2 = 2.
        #expect(try rolling(.mean, window: 1001)[1] == 2)
    }

    @Test func sampleStandardDeviation() throws {
        // {5, 7}: mean 6, ((5 − 6)² + (7 − 6)²) / (2 − 1) = 2 → sqrt 2; one value → NaN.
        #expect(same(try rolling(.std), [.nan, .nan, .nan, 2.0.squareRoot(), 2.0.squareRoot(), .nan], tolerance: 1e-15))
        // Window 3000 at t=4000: (1000, 4000] = {NaN, 5, 7, 2}: mean 14/3, squares (1/9 + 49/9 + 64/9) = 114/9,
        // / 2 = 19/3 → sqrt(19/3).
        #expect(same([try rolling(.std, window: 3000)[5]], [(19.0 / 3).squareRoot()], tolerance: 1e-14))
    }

    @Test func minCount() throws {
        #expect(same(try rolling(.mean, minCount: 2), [.nan, .nan, .nan, 6, 6, .nan]))
    }

    @Test func matchesABruteForceWindow() throws {
        // A deterministic irregular series with NaNs, against an O(n²) reference.
        var seed: UInt64 = 42
        func next() -> UInt64 { seed = seed &* 6364136223846793005 &+ 1442695040888963407; return seed >> 33 }
        var t: [Int64] = []
        var x: [Double] = []
        var now: Int64 = 0
        for _ in 0..<500 {
            now += Int64(next() % 400)
            t.append(now)
            x.append(next() % 7 == 0 ? .nan : 100 + Double(next() % 1000) / 10)
        }
        let g = timed(t, [num("x", x)])
        for statistic in [RollingStatistic.mean, .std] {
            let got = numbers(try applied(FrameRolling(column: "x", name: "r", window: 1500, statistic: statistic, minCount: 2), g), "r")
            let want = t.indices.map { i -> Double in
                let w = t.indices.filter { t[$0] > t[i] - 1500 && t[$0] <= t[i] }.map { x[$0] }.filter { !$0.isNaN }
                guard w.count >= 2 else { return .nan }
                let mean = w.reduce(0, +) / Double(w.count)
                return statistic == .mean ? mean : (w.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(w.count - 1)).squareRoot()
            }
            #expect(same(got, want, tolerance: 1e-9))
        }
    }

    @Test func emptySingleAndErrors() throws {
        let op = FrameRolling(column: "x", name: "r", window: 10, statistic: .mean)
        #expect(try applied(op, timed([], [num("x", [])])).columns.map(\.name) == ["x", "r"])
        #expect(numbers(try applied(op, timed([5], [num("x", [4])])), "r") == [4])
        #expect(failure(FrameRolling(column: "x", name: "r", window: 0, statistic: .mean), f)?.code == .invalidParameter)
        #expect(failure(FrameRolling(column: "x", name: "r", window: 10, statistic: .mean, minCount: 0), f)?.code == .invalidParameter)
        #expect(failure(op, timed([5, 4], [num("x", [4, 1])]))?.description.hasPrefix("in.csv:3: error: frame.rolling:") == true)
    }

    @Test func parametersNameEverySetting() {
        let variants = [
            FrameRolling(column: "x", name: "r", window: 10, statistic: .mean),
            FrameRolling(column: "y", name: "r", window: 10, statistic: .mean),
            FrameRolling(column: "x", name: "s", window: 10, statistic: .mean),
            FrameRolling(column: "x", name: "r", window: 11, statistic: .mean),
            FrameRolling(column: "x", name: "r", window: 10, statistic: .std),
            FrameRolling(column: "x", name: "r", window: 10, statistic: .mean, minCount: 2),
        ]
        #expect(allDistinct(variants.map { $0.parameters() }))
    }
}
