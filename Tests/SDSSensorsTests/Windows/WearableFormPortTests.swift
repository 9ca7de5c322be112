import SDSSensors
import Testing

/// The wearable engine's operator tests (ForwardFillTests, CaptionTests) asked of the study
/// engine's operators: window fill, half-even captions, sequential means.
@Suite struct WindowFillPortTests {
    private static let minute: Int64 = 60_000

    /// One UTC day of minute slots holding `observed` (minute → value), filled with max_gap 5m.
    private static func day(_ observed: [Int: Double], maxGap: Int64 = 5) throws -> ContiguousArray<Double> {
        let keys = observed.keys.sorted()
        let frame = Frame(partition: "S", time: ContiguousArray(keys.map { Int64($0) * minute }),
                          columns: [FrameColumn("hr", doubles: keys.map { observed[$0]! })])
        let feature = WindowFeature(column: "hr", step: minute, fillGap: maxGap * minute)
        return try Windowing(length: 86_400_000, alignment: .calendarDay(), features: [feature]).apply(frame).windows[0].channels[0].values
    }

    @Test func runAtStartOfDayIsNeverFilled() throws {
        let v = try Self.day([3: 60])
        #expect(v[0..<3].allSatisfy(\.isNaN) && v[3] == 60)
    }

    @Test func runOfExactlyFiveIsFilledWithThePreviousMinute() throws {
        let v = try Self.day([10: 60, 11: 61, 17: 70])
        #expect(Array(v[10...17]) == [60, 61, 61, 61, 61, 61, 61, 70])
    }

    @Test func runOfSixIsNotFilledEvenInPart() throws {
        let v = try Self.day([10: 60, 17: 70])
        #expect(v[10] == 60 && v[11...16].allSatisfy(\.isNaN) && v[17] == 70)
    }

    @Test func runReachingMidnightCountsToTheEndOfTheDay() throws {
        let five = try Self.day([1434: 80])     // minutes 1435...1439 empty: 5
        #expect(Array(five[1434...1439]) == [80, 80, 80, 80, 80, 80])
        let six = try Self.day([1433: 80])      // 1434...1439: 6
        #expect(six[1433] == 80 && six[1434...1439].allSatisfy(\.isNaN))
    }
}

@Suite struct HalfEvenCaptionPortTests {
    @Test(arguments: [(66.5, "66"), (67.5, "68"), (0.5, "0"), (1.5, "2"), (2.5, "2"), (-0.5, "0"), (-1.5, "-2"),
                      (2.4999999999999996, "2"), (87.5, "88")])
    func roundsHalfToEvenLikePython(value: Double, expected: String) {
        #expect(CaptionNumberFormat.render(value, .integer, rounding: .halfEven) == expected)
    }

    static let template = "Day {start:date}: mean heart rate {hr.mean:%d} bpm (min {hr.min:%d}, max {hr.max:%d}), "
        + "{steps.sum:%d} steps, {hr.coverage:%d}% heart-rate coverage."

    private static func window(hr: [Double], steps: Double) -> FrameWindow {
        let start = ms(2016, 4, 12)
        var h = ContiguousArray<Double>(repeating: .nan, count: 1440)
        for (i, v) in hr.enumerated() { h[i] = v }
        var s = ContiguousArray<Double>(repeating: .nan, count: 1440)
        s[0] = steps
        return FrameWindow(start: start, end: start + 86_400_000, channels: [
            WindowChannel(name: "hr", step: 60_000, values: h), WindowChannel(name: "steps", step: 60_000, values: s),
        ])
    }

    @Test func workloadCaptionHalfWaysRoundToEven() throws {
        let caption = try WindowCaption(template: Self.template, rounding: .halfEven)
        // 900 minutes: 450 at 66 and 450 at 67 → mean 66.5 → 66; coverage 62.5 % → 62.
        let w = Self.window(hr: Array(repeating: 66, count: 450) + Array(repeating: 67, count: 450), steps: 14195)
        #expect(try caption.render(w, partition: "S")
                == "Day 2016-04-12: mean heart rate 66 bpm (min 66, max 67), 14195 steps, 62% heart-rate coverage.")
        // 1260 minutes: mean exactly 67.5 → 68; coverage 87.5 % → 88; min 0.5 → 0, max 134.5 → 134.
        let w2 = Self.window(hr: [0.5, 134.5] + Array(repeating: 67.5, count: 1258), steps: 0)
        #expect(try caption.render(w2, partition: "S")
                == "Day 2016-04-12: mean heart rate 68 bpm (min 0, max 134), 0 steps, 88% heart-rate coverage.")
    }

    @Test func meanIsASequentialSumInMinuteOrder() {
        // Pairwise or sorted summation would give a different rounding of 0.1 + 0.2 + 0.3.
        let c = WindowChannel(name: "hr", step: 60_000, values: [0.1, 0.2, 0.3, .nan])
        #expect(WindowCaption.statistic(c, .mean) == ((0.1 + 0.2) + 0.3) / 3)
        #expect(WindowCaption.statistic(c, .count) == 3)
    }
}
