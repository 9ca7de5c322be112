import Foundation
import SDSCore
@testable import SDSPipeline
import SDSSensors
import Testing

/// The `studies:` form of the spec: the example specs parse, and mistakes point at their line.
@Suite struct StudySpecTests {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("examples")

    func text(_ name: String) throws -> String {
        try String(contentsOf: Self.examples.appendingPathComponent("\(name)/sds.yaml"), encoding: .utf8)
    }

    func error(_ text: String) -> String { specError(text) }

    @Test func theExamplesParseIntoTheirOperators() throws {
        let robot = try #require(try Spec.parse(try text("robot")).frames)
        #expect(robot.sources.map(\.name) == ["machina"])
        #expect(robot.studies[0].transforms.map { type(of: $0).name }
                == ["frame.clean", "frame.pivot", "frame.fill", "frame.difference", "frame.difference"]
                    + Array(repeating: "frame.magnitude", count: 6))
        #expect(robot.studies[0].windowing.whole)
        let fitbit = try #require(try Spec.parse(try text("fitbit")).frames)
        #expect(fitbit.studies[0].inputs == ["steps", "intensity", "calories"])
        #expect(fitbit.studies[0].joins.map(\.scalarName) == ["sleep_minutes", "bmi"])
        #expect(fitbit.studies[0].featureSpecs.first { $0.name == "sensor/calories" }?.length == 24)
        // Each parameter reaches only its own operator's key: editing the caption leaves the
        // windowing parameters (and so every upstream key) as they were.
        let edited = try #require(try Spec.parse(try text("fitbit").replacingOccurrences(of: "kcal;", with: "kcal,")).frames)
        #expect(edited.studies[0].windowing.parameters() == fitbit.studies[0].windowing.parameters())
        #expect(edited.studies[0].caption?.parameters() != fitbit.studies[0].caption?.parameters())
    }

    @Test func durationsTakeMillisecondsToDays() throws {
        let spec = try text("robot").replacingOccurrences(of: "max_gap: 5s}", with: "max_gap: 1500ms}")
        let fill = try #require(try Spec.parse(spec).frames?.studies[0].transforms[2] as? FrameFill)
        #expect(fill.rules[0].maxGap == 1500)
        #expect(error(try text("robot").replacingOccurrences(of: "max_gap: 5s}", with: "max_gap: 5 s}"))
            .contains("must be a duration like 100ms, 30s, 5m, 1h or 1d, found \"5 s\""))
    }

    @Test func mistakesNameTheirLineAndSuggestAFix() throws {
        let fitbit = try text("fitbit")
        func line(_ prefix: String) -> Int { fitbit.components(separatedBy: "\n").firstIndex { $0.hasPrefix(prefix) }! + 1 }
        #expect(error(fitbit.replacingOccurrences(of: "inputs: [steps, intensity, calories]", with: "inputs: [steps, intensty]"))
            .contains("'studies.fitbit.inputs[1]': no source 'intensty' in 'sources'\nhint: did you mean 'intensity'?"))
        #expect(error(fitbit.replacingOccurrences(of: "      - present: sleep_minutes", with: "      - presnt: sleep_minutes"))
            .hasPrefix("sds.yaml:\(line("      - present: sleep_minutes")):9: error: unknown filter 'presnt'"))
        #expect(error(fitbit.replacingOccurrences(of: "scalars: {sleep_minutes:", with: "scalars: {sleep:"))
            .contains("no label or attribute 'sleep' in this study"))
        #expect(error(fitbit.replacingOccurrences(of: "zone: UTC\n      features", with: "zone: Mars/Olympus\n      features"))
            .contains("Mars/Olympus"))
        #expect(error(fitbit.replacingOccurrences(of: "{steps.sum:%.0f}", with: "{stepz.sum:%.0f}")).contains("stepz"))
        #expect(error(try text("robot").replacingOccurrences(of: "      whole: true\n      features:", with: "      whole: true\n      feature_list:"))
            .contains("unknown key 'feature_list'"))
        #expect(error(fitbit.replacingOccurrences(of: "  fitbit:\n    inputs", with: "  fitbit:\n    grid: {}\n    inputs"))
            .contains("unknown key 'grid' in 'studies.fitbit'"))
        // Caught when the spec is read, at their line, not in the middle of a build.
        let robot = try text("robot")
        #expect(error(robot.replacingOccurrences(of: "name: \"{field}_{robot_id}\"", with: "name: \"{field}_{robot}\""))
            .contains("{robot} is not one of the keys (field, robot_id)"))
        #expect(error(fitbit.replacingOccurrences(of: "      - present: sleep_minutes", with: "      - present: sleep_minute"))
            .contains("no label or attribute 'sleep_minute' in this study\nhint: did you mean 'sleep_minutes'?"))
        #expect(error(fitbit.replacingOccurrences(of: "coverage: {steps: 0.9,", with: "coverage: {step: 0.9,"))
            .contains("no window channel 'step'"))
        #expect(error(fitbit.replacingOccurrences(of: "inputs: [steps, intensity, calories]", with: "inputs: [steps, steps]"))
            .contains("names a source twice"))
        #expect(error(fitbit.replacingOccurrences(of: "{train: 80, validation: 10, test: 10}", with: "{train: 9223372036854775807, validation: 10, test: 10}"))
            .contains("must be a percent from 1 to 100"))
        #expect(error(robot.replacingOccurrences(of: "      samples: samples\n", with: "      samples: samples\n      Samples: runtime\n"))
            .contains("repeats a column name"))
        #expect(error(robot.replacingOccurrences(of: "studies:\n  machina:", with: "studies:\n  sqlite_x:"))
            .contains("clashes with"))
        #expect(error(fitbit.replacingOccurrences(of: "match: same_day}", with: "match: same_day, zone: Nowhere/Land}"))
            .contains("unknown time zone \"Nowhere/Land\""))
        #expect(error(fitbit.replacingOccurrences(of: "      bmi: {source: weight", with: "      sleep_minutes: {source: weight"))
            .contains("'sleep_minutes' names both a label and an attribute"))
    }
}
