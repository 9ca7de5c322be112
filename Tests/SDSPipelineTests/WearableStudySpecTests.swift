import Foundation
import SDSCore
@testable import SDSPipeline
import SDSSensors
import Testing

/// The WORKLOAD job as a study (examples/wearable/sds.yaml): what the wearable form ignored
/// is now either done by a study key or an error at its line.
@Suite struct WearableStudySpecTests {
    static let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("examples/wearable/sds.yaml")

    func text() throws -> String { try String(contentsOf: Self.path, encoding: .utf8) }

    /// The 1-based line of the first line of `spec` containing `fragment`.
    func line(_ spec: String, _ fragment: String) -> Int {
        spec.components(separatedBy: "\n").firstIndex { $0.contains(fragment) }! + 1
    }

    @Test func theStudyParsesIntoItsOperators() throws {
        let frames = try #require(try Spec.parse(try text()).frames)
        #expect(frames.sources.map(\.name) == ["heart_rate", "steps", "sleep"])
        #expect(frames.sources[0].clean == FrameClean(duplicates: .first))
        #expect(frames.sources[1].clean == nil)
        let study = frames.studies[0]
        #expect(study.windowing.features.map(\.fillGap) == [300_000, nil])
        #expect(study.caption?.rounding == .halfEven)
        #expect(study.examples.layout.stacks == [TensorStack(name: "sensor", channels: ["hr", "steps"], mask: "mask")])
        #expect(study.examples.layout.scales == [ChannelScale(channel: "hr", subtract: 70, divide: 15)])
        // The features of WORKLOAD.md, and no others.
        #expect(study.featureSpecs.map(\.name) == ["caption", "dataset", "date", "label/has_sleep", "label/minutes_asleep",
                                                  "mask", "sensor", "subject_id"])
        let info = frames.info(Spec.Dataset(name: "wearable", version: "1.0.0", description: ""))
        #expect(info.features["sensor"] == .tensor(shape: [1440, 2], dtype: .float32))
        #expect(info.features["label/has_sleep"] == .scalar(.int64))
    }

    @Test func mistakesInTheNewKeysNameTheirLine() throws {
        let spec = try text()
        func fails(_ from: String, _ to: String, _ message: String, at fragment: String) {
            let edited = spec.replacingOccurrences(of: from, with: to)
            #expect(edited != spec, "\(from) not in the spec")
            let e = specError(edited)
            #expect(e.hasPrefix("sds.yaml:\(line(edited, fragment)):"), "\(e)")
            #expect(e.contains(message), "\(e)")
        }
        fails("stack: {sensor: {channels: [hr, steps]", "stack: {sensor: {channels: [hr, stpes]",
              "no window channel 'stpes'", at: "stack:")
        fails("scale: {hr:", "scale: {heart:", "no window channel 'heart'", at: "scale:")
        fails("present: {sleep:", "present: {slep:", "no label or attribute 'slep'", at: "present:")
        fails("fill: forward, max_gap: 5m", "fill: forward", "needs 'max_gap'", at: "hr: {step: 1m")
        fails("fill: forward, max_gap: 5m", "max_gap: 5m", "needs 'fill: forward'", at: "hr: {step: 1m")
        fails("fill: forward, max_gap: 5m", "fill: backward, max_gap: 5m", "backward", at: "hr: {step: 1m")
        fails("match: same_day, ties: first", "match: as_of, ties: first", "ties: first needs match: same_day", at: "ties:")
        fails("{hr.mean:%d}", "{hr.mean:%.1f}", "rounding half_even takes integer formats only", at: "template:")
        fails("clean: {duplicates: first}", "clean: {duplicates: frist}", "frist", at: "clean:")
        fails("coverage: {hr: 0.5}", "coverage: {heart: 0.5}", "no window channel 'heart'", at: "coverage:")
        fails("scale: {hr: {subtract: 70, divide: 15}}", "scale: {hr: {subtract: 70, divide: 0}}", "other than 0", at: "scale:")
    }
}
