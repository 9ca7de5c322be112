import SDSSensors
import Testing

@Suite struct CaptionTests {
    static let workloadTemplate =
        "Day {date}: mean heart rate {hr_mean} bpm (min {hr_min}, max {hr_max}), {steps_sum} steps, {hr_coverage}% heart-rate coverage."

    /// Windows of one day: `hr` minutes 0..<hr.count present with those values; steps in minute 0.
    func windows(hr: [Double], steps: Double) throws -> DayWindows {
        var map: [Int: Double] = [:]
        for (m, v) in hr.enumerated() { map[m] = v }
        return try DayWindowing.select([oneDayGrid(map), oneDayGrid([0: steps])],
                                       WindowParameters(channelNames: ["hr", "steps"], minimumCoverage: 1))
    }

    func render(_ template: String, _ w: DayWindows) throws -> String {
        try CaptionRenderer.render(w, template: CaptionTemplate(template)).captions[0]
    }

    @Test(arguments: [(66.5, 66), (67.5, 68), (0.5, 0), (1.5, 2), (2.5, 2), (-0.5, 0), (-1.5, -2), (2.4999999999999996, 2), (87.5, 88)])
    func roundsHalfToEvenLikePython(value: Double, expected: Int64) {
        #expect(CaptionRenderer.roundedInteger(value) == expected)
    }

    @Test func nonFiniteDoesNotRound() {
        #expect(CaptionRenderer.roundedInteger(.nan) == nil)
        #expect(CaptionRenderer.roundedInteger(.infinity) == nil)
        #expect(CaptionRenderer.roundedInteger(1e19) == nil)
    }

    @Test func workloadCaptionHalfWaysRoundToEven() throws {
        // 900 minutes: 450 at 66 and 450 at 67 → mean 66.5 → 66; coverage 62.5 % → 62.
        let w = try windows(hr: Array(repeating: 66, count: 450) + Array(repeating: 67, count: 450), steps: 14195)
        #expect(try render(Self.workloadTemplate, w)
                == "Day 2016-04-12: mean heart rate 66 bpm (min 66, max 67), 14195 steps, 62% heart-rate coverage.")
        // 1260 minutes: mean exactly 67.5 → 68; coverage 87.5 % → 88; min 0.5 → 0, max 134.5 → 134.
        let values = [0.5, 134.5] + Array(repeating: 67.5, count: 1258)
        let w2 = try windows(hr: values, steps: 0)
        #expect(CaptionRenderer.statistic(w2, day: 0, channel: 0, .mean) == 67.5)
        #expect(try render(Self.workloadTemplate, w2)
                == "Day 2016-04-12: mean heart rate 68 bpm (min 0, max 134), 0 steps, 88% heart-rate coverage.")
    }

    @Test func meanIsASequentialSumInMinuteOrder() throws {
        // Pairwise or sorted summation would give a different rounding of 0.1 + 0.2 + 0.3.
        let w = try windows(hr: [0.1, 0.2, 0.3], steps: 1)
        let sequential = ((0.1 + 0.2) + 0.3) / 3
        #expect(CaptionRenderer.statistic(w, day: 0, channel: 0, .mean) == sequential)
        #expect(CaptionRenderer.statistic(w, day: 0, channel: 0, .count) == 3)
        #expect(CaptionRenderer.statistic(w, day: 0, channel: 1, .sum) == 1)
    }

    @Test func entityCountAndLiteralBraces() throws {
        let w = try windows(hr: [60, 61], steps: 3)
        #expect(try render("{{{entity}}} {hr_count}/{steps_count} {{x}}", w) == "{S} 2/1 {x}")
    }

    @Test func unknownPlaceholderIsAnError() throws {
        let w = try windows(hr: [60], steps: 3)
        let template = try CaptionTemplate("Day {date}: {hr_avg}")
        let e = sensorError { () throws(SensorError) in try CaptionRenderer.render(w, template: template) }
        #expect(e?.code == .invalidParameter)
        #expect(e?.description.hasPrefix("error: caption template: unknown placeholder {hr_avg} at column 13; known: {date}, {entity}, {hr_mean}") == true)
        #expect(sensorError { () throws(SensorError) in try template.validate(channelNames: ["hr"]) } != nil)
        #expect(sensorError { () throws(SensorError) in try CaptionTemplate("{hr_mean}").validate(channelNames: ["hr"]) } == nil)
    }

    @Test(arguments: [
        ("Day {date", #"error: caption template: unclosed "{" at column 5"#),
        ("Day } x", #"error: caption template: single "}" at column 5; write "}}" for a brace"#),
        ("a {} b", #"error: caption template: empty placeholder "{}" at column 3"#),
        ("{hr_mean:.1f}", "error: caption template: placeholder {hr_mean:.1f} at column 1: format specs are not supported (numbers print as integers)"),
    ])
    func templateSyntaxErrors(text: String, message: String) {
        #expect(sensorError { () throws(SensorError) in try CaptionTemplate(text) }?.description == message)
    }

    @Test func statisticWithoutValuesIsAnError() throws {
        let w = try DayWindowing.select([oneDayGrid([0: 60]), DayGrid(entity: "S", days: [], values: [], present: [])],
                                        WindowParameters(channelNames: ["hr", "steps"], minimumCoverage: 1))
        let e = sensorError { () throws(SensorError) in try CaptionRenderer.render(w, template: CaptionTemplate("{steps_mean}")) }
        #expect(e?.description == "error: caption: {steps_mean} has no value for S on 2016-04-12")
        #expect(e?.code == .undefinedStatistic)
        #expect(try render("{steps_sum} {steps_coverage}", w) == "0 0")
    }

    @Test func datesFormatWithoutLocale() {
        #expect(CivilTime.dateString(day: 0) == "1970-01-01")
        #expect(CivilTime.dateString(day: -1) == "1969-12-31")
        #expect(CivilTime.dateString(day: 11_016) == "2000-02-29")
        #expect(CivilTime.dateString(day: Int64(dayNumber)) == "2016-04-12")
        #expect(CivilTime.dateString(day: CivilTime.day(year: 9999, month: 12, day: 31)) == "9999-12-31")
        #expect(CivilTime.dateString(day: CivilTime.day(year: 33, month: 1, day: 2)) == "0033-01-02")
    }
}

@Suite struct SplitTests {
    static let parameters = WearableJob.Parameters.standard.splits

    /// From Python: hashlib.sha256(b"sds-split:" + id).digest()[:8], big-endian; split; shard.
    @Test(arguments: [
        ("S0001", UInt64(0x24ad_005e_7ac9_b8f3), "train", 3), ("S0002", 0x3c87_2438_fee9_a0b0, "train", 0),
        ("S0003", 0x57c2_20fd_2478_85ea, "test", 0), ("S0006", 0x9216_0d56_d02b_6074, "train", 4),
        ("S0007", 0x0729_8a81_02fc_2e37, "train", 7), ("S0011", 0x9a00_e64a_64bb_a2a1, "test", 1),
        ("S0014", 0x6010_2497_02c3_fe80, "validation", 0), ("S0020", 0xf8ad_eb00_12d3_3e65, "train", 5),
    ])
    func matchesTheReferenceHash(entity: String, hash: UInt64, split: String, shard: Int) {
        let a = SplitAssigner.assign(entity: entity, Self.parameters)
        #expect(a.hash == hash)
        #expect(a.split == split)
        #expect(a.shard == shard)
        #expect(a.shardCount == ["train": 8, "validation": 2, "test": 2][split])
    }

    @Test func badRulesAreRejected() {
        let cases: [[SplitRule]] = [
            [],
            [SplitRule(name: "a", upperBound: 80, shardCount: 1)],
            [SplitRule(name: "a", upperBound: 80, shardCount: 1), SplitRule(name: "b", upperBound: 80, shardCount: 1),
             SplitRule(name: "c", upperBound: 100, shardCount: 1)],
            [SplitRule(name: "a", upperBound: 100, shardCount: 0)],
            [SplitRule(name: "a", upperBound: 50, shardCount: 1), SplitRule(name: "a", upperBound: 100, shardCount: 1)],
        ]
        for rules in cases {
            #expect(sensorError { () throws(SensorError) in try SplitParameters(salt: "x", rules: rules) }?.code == .invalidParameter)
        }
    }
}

@Suite struct AssemblyTests {
    @Test func featuresAreNamedAndOrderedLikeTheReference() throws {
        let w = try DayWindowing.select([oneDayGrid([0: 85]), oneDayGrid([0: 7])],
                                        WindowParameters(channelNames: ["hr", "steps"], minimumCoverage: 1))
        let t = try TensorBuilder.build(w, TensorParameters(scaling: [.standardize(mean: 70, std: 15), .identity]))
        let c = DayCaptions(entity: "S", days: w.days, captions: ["hello"])
        let l = DayLabels(entity: "S", days: w.days, values: [378], present: [1])
        let examples = try ExampleAssembly.assemble(tensors: t, captions: c, labels: l, AssemblyParameters(dataset: "synthetic"))
        let e = examples.examples[0]
        #expect(e.features.map(\.name) == ["caption", "dataset", "date", "label/has_sleep", "label/minutes_asleep",
                                           "mask", "sensor", "subject_id"])
        #expect(e.date == "2016-04-12")
        #expect(e["caption"] == .bytes([Array("hello".utf8)]))
        #expect(e["dataset"] == .bytes([Array("synthetic".utf8)]))
        #expect(e["date"] == .bytes([Array("2016-04-12".utf8)]))
        #expect(e["subject_id"] == .bytes([Array("S".utf8)]))
        #expect(e["label/has_sleep"] == .int64s([1]))
        #expect(e["label/minutes_asleep"] == .floats([378]))
        guard case .floats(let sensor)? = e["sensor"], case .floats(let mask)? = e["mask"] else {
            Issue.record("missing tensors")
            return
        }
        #expect(sensor.count == 2880 && mask.count == 2880)
        #expect(Array(sensor[0..<4]) == [1, 7, 0, 0] && Array(mask[0..<4]) == [1, 1, 0, 0])
    }

    @Test func mismatchedInputsAreRejected() throws {
        let w = try DayWindowing.select([oneDayGrid([0: 85]), oneDayGrid([0: 7])],
                                        WindowParameters(channelNames: ["hr", "steps"], minimumCoverage: 1))
        let t = try TensorBuilder.build(w, TensorParameters(scaling: [.identity, .identity]))
        let c = DayCaptions(entity: "S", days: [], captions: [])
        let l = DayLabels(entity: "S", days: w.days, values: [1], present: [1])
        #expect(sensorError { () throws(SensorError) in
            try ExampleAssembly.assemble(tensors: t, captions: c, labels: l, AssemblyParameters(dataset: "d"))
        }?.code == .invalidParameter)
    }
}
