import Foundation
import SDSCore
@testable import SDSPipeline
import Testing

@Suite struct SpecTests {
    static let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("examples/wearable/sds.yaml")

    func text() throws -> String { try String(contentsOf: Self.example, encoding: .utf8) }

    @Test func parsesTheWearableExample() throws {
        let spec = try Spec.parse(try text())
        #expect(spec.dataset.name == "wearable" && spec.dataset.version == "1.0.0")
        #expect(spec.sources.map(\.name) == ["heart_rate", "steps"])
        #expect(spec.sources[0].channels[0].valid == 30...220)
        #expect(spec.alignment.map(\.channel) == ["hr", "steps"])
        #expect(spec.alignment[0].fillMaxGapMinutes == 5)
        #expect(spec.alignment[0].normalize?.mean == 70 && spec.alignment[0].normalize?.std == 15)
        #expect(spec.windows.minCoverageMinutes == 720)
        #expect(spec.splits.names == ["train", "validation", "test"])
        #expect(spec.splits.percents == [80, 10, 10] && spec.splits.shards == [8, 2, 2])
        #expect(spec.labels[0].presentFeature == "label/has_sleep")
    }

    func error(_ text: String) -> String {
        do {
            _ = try Spec.parse(text)
            return "no error"
        } catch let e as SDSError {
            return e.description
        } catch { return "\(error)" }
    }

    @Test func misspelledKeyNamesLineColumnAndSuggestion() throws {
        let bad = try text().replacingOccurrences(of: "  min_coverage:", with: "  min_coverge:")
        let line = try text().components(separatedBy: "\n").firstIndex { $0.hasPrefix("  min_coverage:") }! + 1
        #expect(error(bad) == "sds.yaml:\(line):3: error: unknown key 'min_coverge' in 'windows'\nhint: did you mean 'min_coverage'?")
    }

    @Test func wrongTypeSaysWhatWasExpected() throws {
        let bad = try text().replacingOccurrences(of: "max_gap: 5m", with: "max_gap: five")
        #expect(error(bad).contains("error: 'grid.channels.hr.max_gap' must be a duration like 30s, 5m, 1h or 1d, found \"five\""))
        let bad2 = try text().replacingOccurrences(of: "{train: 8,", with: "{train: many,")
        #expect(error(bad2).contains("'splits.shards.train' must be a whole number, found \"many\""))
        #expect(error(bad2).hasPrefix("sds.yaml:"))
    }

    @Test func semanticErrors() throws {
        let unknownChannel = try text().replacingOccurrences(of: "    steps: {resample: sum}", with: "    stpes: {resample: sum}")
        #expect(error(unknownChannel).contains("no source has a channel 'stpes'"))
        #expect(error(unknownChannel).contains("did you mean 'steps'?"))
        let percents = try text().replacingOccurrences(of: "test: 10}", with: "test: 20}")
        #expect(error(percents).contains("splits.percent must add up to 100"))
        let template = try text().replacingOccurrences(of: "{hr_mean}", with: "{hr_median}")
        #expect(error(template).hasPrefix("sds.yaml:45:13: error: "), "\(error(template))")
        #expect(error(template).contains("hr_median"))
        #expect(error("dataset: [").hasPrefix("sds.yaml:"))
        #expect(error("").contains("the spec is empty"))
    }
}
