import SDSSensors
import Testing

private let start = ms(2016, 4, 12)

private func sample(bmi: WindowScalar = .missing, group: WindowScalar = .text("A")) -> WindowedPartition {
    WindowedPartition(partition: "1503960366", windows: [
        FrameWindow(start: start, end: start + 180_000,
                    channels: [WindowChannel(name: "hr", step: 60_000, values: [60, .nan, 62])],
                    scalars: [NamedScalar(name: "sleep", value: .number(420)), NamedScalar(name: "group", value: group),
                              NamedScalar(name: "bmi", value: bmi)],
                    caption: "cap"),
    ])
}

private let scalars = [
    ScalarFeature(scalar: "sleep", feature: "label/sleep"),
    ScalarFeature(scalar: "group", kind: .bytes),
    ScalarFeature(scalar: "bmi", missing: .number(-1)),
]

private func bytes(_ s: String) -> FeatureValue { .bytes([Array(s.utf8)]) }

@Suite struct WindowExampleAssemblyTests {
    @Test func featuresOfASmallWindow() throws {
        let examples = try WindowExampleAssembly(source: "fitbit", scalarFeatures: scalars).apply(sample())
        #expect(examples.count == 1)
        // Sorted by name bytes; the missing bmi takes its declared -1.
        #expect(examples[0] == [
            ExampleFeature(name: "bmi", value: .floats([-1])),
            ExampleFeature(name: "caption", value: bytes("cap")),
            ExampleFeature(name: "dataset", value: bytes("fitbit")),
            ExampleFeature(name: "group", value: bytes("A")),
            ExampleFeature(name: "label/sleep", value: .floats([420])),
            ExampleFeature(name: "mask/hr", value: .int64s([1, 0, 1])),
            ExampleFeature(name: "partition", value: bytes("1503960366")),
            ExampleFeature(name: "sensor/hr", value: .floats([60, .nan, 62])),
            ExampleFeature(name: "window_start", value: .int64s([start])),
        ])
    }

    @Test func optionsChangeTheFeatures() throws {
        let assembly = WindowExampleAssembly(source: "fitbit", masks: false, missingValue: 0,
                                             scalarFeatures: [ScalarFeature(scalar: "bmi"), ScalarFeature(scalar: "sleep", kind: .int64)],
                                             captions: false)
        let features = try assembly.apply(sample())[0]
        // A missing bmi without a declared value is left out; no mask, no caption.
        #expect(features.map(\.name) == ["dataset", "partition", "sensor/hr", "sleep", "window_start"])
        #expect(features[2].value == .floats([60, 0, 62]))
        #expect(features[3].value == .int64s([420]))
        #expect(try assembly.apply(sample(bmi: .number(22.5)))[0].first { $0.name == "bmi" }?.value == .floats([22.5]))
    }

    @Test func kindsAndNamesAreChecked() {
        let text = sensorError { () throws(SensorError) in try WindowExampleAssembly(source: "x", scalarFeatures: scalars).apply(sample(group: .number(1))) }
        #expect(text?.code == .badValue)
        #expect(text?.message.contains("\"group\"") == true)
        let fraction = sensorError { () throws(SensorError) in
            try WindowExampleAssembly(source: "x", scalarFeatures: [ScalarFeature(scalar: "bmi", kind: .int64)]).apply(sample(bmi: .number(22.5)))
        }
        #expect(fraction?.code == .badValue)
        let clash = sensorError { () throws(SensorError) in try WindowExampleAssembly(source: "x", scalarFeatures: [ScalarFeature(scalar: "sleep", feature: "caption")]).apply(sample()) }
        #expect(clash?.message.contains("two features are called \"caption\"") == true)
        let badMissing = sensorError { () throws(SensorError) in try WindowExampleAssembly(source: "x", scalarFeatures: [ScalarFeature(scalar: "bmi", missing: .text("?"))]).validate(channels: []) }
        #expect(badMissing?.code == .invalidParameter)
        let absent = sensorError { () throws(SensorError) in try WindowExampleAssembly(source: "x", scalarFeatures: [ScalarFeature(scalar: "age")]).apply(sample()) }
        #expect(absent?.code == .invalidParameter)
    }

    @Test func featureSpecsForFeaturesJSON() {
        let windowing = Windowing(features: [WindowFeature(column: "hr", step: 60_000), WindowFeature(column: "steps", step: 3_600_000)])
        let specs = WindowExampleAssembly(source: "fitbit", scalarFeatures: scalars).featureSpecs(channels: windowing.channelSpecs())
        #expect(specs == [
            ExampleFeatureSpec(name: "bmi", kind: .float, length: 1),
            ExampleFeatureSpec(name: "caption", kind: .bytes, length: 1),
            ExampleFeatureSpec(name: "dataset", kind: .bytes, length: 1),
            ExampleFeatureSpec(name: "group", kind: .bytes, length: 1, optional: true),
            ExampleFeatureSpec(name: "label/sleep", kind: .float, length: 1, optional: true),
            ExampleFeatureSpec(name: "mask/hr", kind: .int64, length: 1440),
            ExampleFeatureSpec(name: "mask/steps", kind: .int64, length: 24),
            ExampleFeatureSpec(name: "partition", kind: .bytes, length: 1),
            ExampleFeatureSpec(name: "sensor/hr", kind: .float, length: 1440),
            ExampleFeatureSpec(name: "sensor/steps", kind: .float, length: 24),
            ExampleFeatureSpec(name: "window_start", kind: .int64, length: 1),
        ])
        let whole = Windowing(features: [WindowFeature(column: "x")], whole: true).channelSpecs()
        #expect(WindowExampleAssembly(source: "r").featureSpecs(channels: whole).first { $0.name == "sensor/x" }?.length == nil)
    }

    @Test func parametersDiffer() {
        let base = WindowExampleAssembly(source: "a", scalarFeatures: scalars)
        var variants = [base]
        var v = base; v.source = "b"; variants.append(v)
        v = base; v.masks = false; variants.append(v)
        v = base; v.missingValue = 0; variants.append(v)
        v = base; v.missingValue = -1; variants.append(v)
        v = base; v.captions = false; variants.append(v)
        v = base; v.scalarFeatures[2].missing = .number(-2); variants.append(v)
        v = base; v.scalarFeatures[0].kind = .int64; variants.append(v)
        v = base; v.scalarFeatures[0].feature = "y"; variants.append(v)
        #expect(Set(variants.map { $0.parameters() }).count == variants.count)
    }
}
