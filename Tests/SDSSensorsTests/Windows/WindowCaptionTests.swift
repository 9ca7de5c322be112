import SDSSensors
import Testing

private let nan = Double.nan

private func window(start: Int64 = ms(2016, 4, 12), steps: [Double], intensity: [Double], scalars: [NamedScalar]) -> FrameWindow {
    FrameWindow(start: start, end: start + 86_400_000, channels: [
        WindowChannel(name: "steps", step: 21_600_000, values: ContiguousArray(steps)),
        WindowChannel(name: "intensity", step: 21_600_000, values: ContiguousArray(intensity)),
    ], scalars: scalars)
}

@Suite struct WindowCaptionTests {
    static let template = "Day {start:date}: {steps.sum:%.0f} steps, mean intensity {intensity.mean:%.2f}, "
        + "{steps.coverage:%.0f}% covered, BMI {bmi:%.1f}, slept {sleep:%d} min"

    @Test func rendersTheBriefTemplate() throws {
        let caption = try WindowCaption(template: Self.template)
        let w = WindowedPartition(partition: "S", windows: [
            window(steps: [100, 200.5, nan, 50], intensity: [0.5, 1.25, nan, nan],
                   scalars: [NamedScalar(name: "bmi", value: .number(22.45)), NamedScalar(name: "sleep", value: .number(420))]),
            window(start: ms(2016, 4, 13), steps: [nan, nan, nan, nan], intensity: [nan, nan, nan, nan],
                   scalars: [NamedScalar(name: "bmi", value: .missing), NamedScalar(name: "sleep", value: .missing)]),
        ])
        let out = try caption.apply(w)
        // steps: 100 + 200.5 + 50 = 350.5 → 351 (half away from zero); coverage 3/4 = 75 %;
        // intensity (0.5 + 1.25) / 2 = 0.875 → 0.88; BMI 22.45 → 22.5 (rounded on its shortest
        // decimal, not on the binary value 22.4499…); sleep 420.
        #expect(out.windows[0].caption == "Day 2016-04-12: 351 steps, mean intensity 0.88, 75% covered, BMI 22.5, slept 420 min")
        // No step value: sum and mean are missing, coverage is 0.
        #expect(out.windows[1].caption == "Day 2016-04-13: n/a steps, mean intensity n/a, 0% covered, BMI n/a, slept n/a min")
        let dash = try WindowCaption(template: Self.template, missing: "–").apply(w)
        #expect(dash.windows[1].caption == "Day 2016-04-13: – steps, mean intensity –, 0% covered, BMI –, slept – min")
    }

    @Test func roundingIsHalfAwayFromZeroWithoutLocale() {
        let cases: [(Double, CaptionNumberFormat?, String)] = [
            (2.5, .fixed(0), "3"), (-0.5, .fixed(0), "-1"), (0.5, .integer, "1"), (1.5, .integer, "2"),
            (-2.5, .integer, "-3"), (-0.4, .fixed(0), "0"), (-0.04, .fixed(1), "0.0"), (-0.0, .fixed(1), "0.0"),
            (2.675, .fixed(2), "2.68"), (0.125, .fixed(2), "0.13"), (99.96, .fixed(1), "100.0"),
            (1e-5, .fixed(2), "0.00"), (1e-5, .fixed(5), "0.00001"), (1.5e-5, .fixed(5), "0.00002"),
            (0.000123, .fixed(4), "0.0001"), (1e20, .fixed(0), "100000000000000000000"), (123.456, .fixed(0), "123"),
            (7, .fixed(3), "7.000"), (0, .fixed(2), "0.00"), (1234567.891, .fixed(2), "1234567.89"),
            (60, nil, "60"), (0.1, nil, "0.1"), (-2.5, nil, "-2.5"), (1e16, nil, "1e+16"),
            (.infinity, .fixed(1), "inf"), (-.infinity, nil, "-inf"),
        ]
        for (x, format, expected) in cases {
            #expect(CaptionNumberFormat.render(x, format) == expected, "\(x) \(String(describing: format))")
        }
        #expect(CaptionNumberFormat.render(.nan, .fixed(1)) == nil)
    }

    @Test func datesAndTimesInAZone() throws {
        // 2016-03-13 07:30Z is 03:30 EDT (clocks went 02:00 EST → 03:00 EDT at 07:00Z).
        let start = ms(2016, 3, 13, 7, 30)
        let w = WindowedPartition(partition: "S", windows: [FrameWindow(start: start, end: ms(2016, 3, 14, 4), channels: [])])
        let template = "{partition} {start:date} {start:time} – {end:date} {end:time}"
        #expect(try WindowCaption(template: template, zone: "America/New_York").apply(w).windows[0].caption
                == "S 2016-03-13 03:30 – 2016-03-14 00:00")
        #expect(try WindowCaption(template: template).apply(w).windows[0].caption == "S 2016-03-13 07:30 – 2016-03-14 04:00")
    }

    @Test func textScalarsBracesAndDottedScalars() throws {
        let w = FrameWindow(start: 0, end: 1, channels: [], scalars: [
            NamedScalar(name: "group", value: .text("A, B")), NamedScalar(name: "a.mean", value: .number(2.25)),
        ])
        let caption = try WindowCaption(template: "{{{group:%.1f}}} {a.mean} {a.mean:%.1f}")
        // No channel "a": {a.mean} is the scalar so named; text ignores the number format.
        #expect(try caption.render(w, partition: "S") == "{A, B} 2.25 2.3")
    }

    @Test func badTemplatesAreParameterErrors() {
        for (template, words) in [
            ("{x:%5s}", "column 1"), ("ab {start}", "column 4"), ("a {b", "unclosed"), ("a } b", "single"),
            ("{}", "empty"), ("{partition:%d}", "no format"), ("{x:%.21f}", "%.Nf"), ("{:%d}", "empty"),
        ] {
            let error = sensorError { () throws(SensorError) in try WindowCaption(template: template) }
            #expect(error?.code == .invalidParameter, "\(template)")
            #expect(error?.message.contains(words) == true, "\(template): \(error?.message ?? "")")
        }
        #expect(sensorError { () throws(SensorError) in try WindowCaption(template: "x", zone: "Atlantis/Capital") }?.code == .invalidParameter)
    }

    @Test func unknownPlaceholdersSuggestTheClosest() throws {
        let caption = try WindowCaption(template: "{steps.sum} {step.sum}")
        let error = sensorError { () throws(SensorError) in try caption.validate(channels: ["steps"], scalars: ["sleep"]) }
        #expect(error?.code == .invalidParameter)
        #expect(error?.message.contains("unknown placeholder {step.sum} at column 13 (did you mean \"steps.sum\"?)") == true)
        #expect(sensorError { () throws(SensorError) in try caption.validate(channels: ["steps", "step"], scalars: []) } == nil)
        let w = window(steps: [1], intensity: [1], scalars: [])
        #expect(sensorError { () throws(SensorError) in try caption.render(w, partition: "S") }?.message.contains("steps.sum") == true)
        #expect(sensorError { () throws(SensorError) in try WindowCaption(template: "{slep}").validate(channels: [], scalars: ["sleep"]) }?
            .message.contains("did you mean \"sleep\"") == true)
    }

    @Test func parametersDiffer() throws {
        let all = try [
            WindowCaption(template: "a"), WindowCaption(template: "b"), WindowCaption(template: "a", zone: "America/New_York"),
            WindowCaption(template: "a", missing: "-"),
        ].map { $0.parameters() }
        #expect(Set(all).count == all.count)
    }
}
