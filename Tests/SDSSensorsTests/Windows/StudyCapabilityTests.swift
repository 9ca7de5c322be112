import SDSSensors
import Testing

/// The study-engine capabilities the WORKLOAD job needs: fill per window, scaling, stacked
/// tensors, feature naming, half-even captions and the label tie rule (hand-computed values).
@Suite struct StudyCapabilityTests {
    private static let minute: Int64 = 60_000
    private static let day: Int64 = 86_400_000

    /// A frame of `hr` rows at the given minutes after `base`.
    private static func hr(_ rows: [(Int64, Double)], base: Int64) -> Frame {
        Frame(partition: "S1", time: ContiguousArray(rows.map { base + $0.0 * minute }),
              columns: [FrameColumn("hr", doubles: rows.map(\.1))])
    }

    @Test func fillTakesWholeGapsUpToMaxGapNeverAtTheStartAndCountsToTheEnd() throws {
        // A 10-minute window: minutes 0, 1 empty (start: never filled), 2 = 60, 3..5 empty
        // (3 <= 3: filled with 60), 6 = 70, 7..9 empty up to the end (3: filled with 70).
        let frame = Self.hr([(2, 60), (6, 70)], base: 0)
        let feature = WindowFeature(column: "hr", step: Self.minute, fillGap: 3 * Self.minute)
        let w = try Windowing(length: 10 * Self.minute, features: [feature]).apply(frame)
        let v = Array(w.windows[0].channels[0].values)
        #expect(v[0].isNaN && v[1].isNaN)
        #expect(Array(v[2...]) == [60, 60, 60, 60, 70, 70, 70, 70])
        // A gap of 4 > 3 is left whole, not filled in part; the run to the end (2) is filled.
        let w2 = try Windowing(length: 10 * Self.minute, features: [feature]).apply(Self.hr([(0, 50), (5, 55), (7, 57)], base: 0))
        let v2 = Array(w2.windows[0].channels[0].values)
        #expect(v2[0] == 50 && v2[1...4].allSatisfy(\.isNaN) && Array(v2[5...]) == [55, 55, 57, 57, 57])
        // Nothing carries across windows: day 2 starts empty although day 1 ended with a value.
        let days = Self.hr([(1439, 80), (1440 + 3, 81)], base: 0)
        let dw = try Windowing(length: Self.day, features: [WindowFeature(column: "hr", step: Self.minute, fillGap: 5 * Self.minute)]).apply(days)
        #expect(dw.windows.count == 2 && dw.windows[1].channels[0].values[0].isNaN && dw.windows[1].channels[0].values[3] == 81)
        // Filled slots count for coverage: 8 of 10.
        #expect(w.windows[0].channels[0].coverage == 0.8)
    }

    @Test func fillChangesTheWindowingKeyOnlyWhenUsed() {
        let plain = Windowing(length: Self.day, features: [WindowFeature(column: "hr")])
        var filled = plain
        filled.features[0].fillGap = 5 * Self.minute
        #expect(plain.parameters() != filled.parameters())
        #expect(plain.parameters() == Windowing(length: Self.day, features: [WindowFeature(column: "hr", fillGap: nil)]).parameters())
        #expect(throws: SensorError.self) { try Windowing(length: Self.day, features: [WindowFeature(column: "hr", fillGap: 1)]).validate() }
    }

    private static func window() -> WindowedPartition {
        WindowedPartition(partition: "S0001", windows: [
            FrameWindow(start: ms(2016, 4, 12), end: ms(2016, 4, 12) + 3 * minute, channels: [
                WindowChannel(name: "hr", step: minute, values: [85, .nan, 55]),
                WindowChannel(name: "steps", step: minute, values: [.nan, 4, 0]),
            ], scalars: [NamedScalar(name: "sleep", value: .missing)], caption: "c"),
        ])
    }

    @Test func stackedScaledTensorWithFloatMasksAndNamedFeatures() throws {
        var layout = ExampleLayout()
        layout.partition = "subject_id"
        layout.windowStart = nil
        layout.date = "date"
        layout.constants = [("dataset", "synthetic"), ("origin", "lab")]
        layout.presence = [("sleep", "label/has_sleep")]
        layout.scales = [ChannelScale(channel: "hr", subtract: 70, divide: 15)]
        layout.stacks = [TensorStack(name: "sensor", channels: ["hr", "steps"], mask: "mask")]
        let assembly = WindowExampleAssembly(source: "wearable", masks: false, missingValue: 0,
                                             scalarFeatures: [ScalarFeature(scalar: "sleep", feature: "label/minutes_asleep", missing: .number(-1))],
                                             layout: layout)
        let e = try assembly.apply(Self.window())[0]
        // (85-70)/15 = 1, (55-70)/15 = -1; missing slots 0 (not scaled); steps raw.
        #expect(e == [
            ExampleFeature(name: "caption", value: .bytes([Array("c".utf8)])),
            ExampleFeature(name: "dataset", value: .bytes([Array("synthetic".utf8)])),
            ExampleFeature(name: "date", value: .bytes([Array("2016-04-12".utf8)])),
            ExampleFeature(name: "label/has_sleep", value: .int64s([0])),
            ExampleFeature(name: "label/minutes_asleep", value: .floats([-1])),
            ExampleFeature(name: "mask", value: .floats([1, 0, 0, 1, 1, 1])),
            ExampleFeature(name: "origin", value: .bytes([Array("lab".utf8)])),
            ExampleFeature(name: "sensor", value: .floats([1, 0, 0, 4, -1, 0])),
            ExampleFeature(name: "subject_id", value: .bytes([Array("S0001".utf8)])),
        ])
        // The scaled value is computed in float64 and rounded once: (71-70)/15 as float32.
        var one = Self.window()
        one.windows[0].channels[0].values[0] = 71
        let f = try assembly.apply(one)[0].first { $0.name == "sensor" }
        #expect(f?.value == .floats([Float(1.0 / 15.0), 0, 0, 4, -1, 0]))
        // features.json: [3, 2] float tensors for the stack and its mask.
        let specs = assembly.featureSpecs(channels: [WindowChannelSpec(name: "hr", length: 3), WindowChannelSpec(name: "steps", length: 3)])
        #expect(specs.first { $0.name == "sensor" } == ExampleFeatureSpec(name: "sensor", kind: .float, length: 3, width: 2))
        #expect(!specs.contains { $0.name.hasPrefix("sensor/") || $0.name == "window_start" || $0.name == "partition" })
        // The default layout keeps the parameter bytes of studies written before it.
        #expect(WindowExampleAssembly(source: "x").parameters() != WindowExampleAssembly(source: "x", layout: layout).parameters())
    }

    @Test func stackChecksItsChannels() {
        var layout = ExampleLayout()
        layout.stacks = [TensorStack(name: "sensor", channels: ["hr", "calories"])]
        let a = WindowExampleAssembly(source: "x", layout: layout)
        #expect(throws: SensorError.self) {
            try a.validate(channelSpecs: [WindowChannelSpec(name: "hr", length: 1440), WindowChannelSpec(name: "calories", length: 24)])
        }
        #expect(throws: SensorError.self) { try a.validate(channelSpecs: [WindowChannelSpec(name: "hr", length: 1440)]) }
    }

    @Test func halfEvenRoundingAsPythonRound() throws {
        #expect(CaptionNumberFormat.render(2.5, .integer, rounding: .halfEven) == "2")
        #expect(CaptionNumberFormat.render(3.5, .integer, rounding: .halfEven) == "4")
        #expect(CaptionNumberFormat.render(-0.5, .integer, rounding: .halfEven) == "0")
        #expect(CaptionNumberFormat.render(87.49999, .fixed(0), rounding: .halfEven) == "87")
        #expect(CaptionNumberFormat.render(2.5, .integer) == "3")
        let w = FrameWindow(start: 0, end: 4 * Self.minute, channels: [WindowChannel(name: "hr", step: Self.minute, values: [60, 61, .nan, .nan])])
        // mean 60.5 -> 60 (even), coverage 50.
        let c2 = try WindowCaption(template: "{hr.mean:%d} {hr.coverage:%d}", rounding: .halfEven)
        #expect(try c2.render(w, partition: "S") == "60 50")
        #expect(try WindowCaption(template: "{hr.mean:%d}").render(w, partition: "S") == "61")
        #expect(throws: SensorError.self) { try WindowCaption(template: "{hr.mean:%.1f}", rounding: .halfEven) }
        #expect(try WindowCaption(template: "{hr.mean:%d}").parameters() != c2.parameters())
    }

    @Test func labelTiesFirstInFileOrderOrLastInTime() throws {
        // Two rows on 2016-04-12: 420 at 08:00 written first, 300 at 07:00 written second.
        let d = ms(2016, 4, 12)
        let table = Frame(partition: "S1", time: [d + 8 * 3_600_000, d + 7 * 3_600_000], columns: [FrameColumn("m", doubles: [420, 300])])
        let w = WindowedPartition(partition: "S1", windows: [FrameWindow(start: d, end: d + Self.day, channels: [])])
        let last = try WindowLabelJoin(column: "m", name: "sleep").apply(w, table: table)
        let first = try WindowLabelJoin(column: "m", name: "sleep", ties: .first).apply(w, table: table)
        #expect(last.windows[0].scalar(named: "sleep") == .number(420))   // last in time: 08:00
        #expect(first.windows[0].scalar(named: "sleep") == .number(420))  // first in the file
        let swapped = Frame(partition: "S1", time: [d + 7 * 3_600_000, d + 8 * 3_600_000, d + 7 * 3_600_000],
                            columns: [FrameColumn("m", doubles: [300, 420, 100])])
        #expect(try WindowLabelJoin(column: "m", name: "s").apply(w, table: swapped).windows[0].scalar(named: "s") == .number(420))
        #expect(try WindowLabelJoin(column: "m", name: "s", ties: .first).apply(w, table: swapped).windows[0].scalar(named: "s") == .number(300))
        #expect(WindowLabelJoin(column: "m").parameters() != WindowLabelJoin(column: "m", ties: .first).parameters())
    }
}
