import Foundation
import SDSCore
@testable import SDSPipeline
import SDSStore
import Testing

/// Exact caching through the library: what reruns when an operator's version changes.
@Suite struct CachingTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// A tiny WORKLOAD workspace (the study examples/wearable/sds.yaml) written by hand: 2 subjects, one day each.
    func workspace() throws -> (Workspace, String) {
        var t = Array("/tmp/sds-caching-XXXXXX".utf8CString)
        let dir = String(cString: t.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }!)
        try FileManager.default.createDirectory(atPath: dir + "/data", withIntermediateDirectories: true)
        var hr = "subject_id,time,bpm\n", steps = "subject_id,time,steps\n"
        for s in ["S0001", "S0002"] {
            for m in 0..<1000 {
                let t = String(format: "2016-04-12T%02d:%02d:00.000Z", m / 60, m % 60)
                hr += "\(s),\(t),\(60 + m % 30)\n"
                steps += "\(s),\(t),\(m % 7)\n"
            }
        }
        try hr.write(toFile: dir + "/data/heart_rate.csv", atomically: true, encoding: .utf8)
        try steps.write(toFile: dir + "/data/steps.csv", atomically: true, encoding: .utf8)
        try "subject_id,date,minutes_asleep,time_in_bed\nS0001,2016-04-12,400,450\n"
            .write(toFile: dir + "/data/sleep_labels.csv", atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(atPath: Self.repo + "/examples/wearable/sds.yaml", toPath: dir + "/sds.yaml")
        return (try Workspace.initialize(at: dir).workspace, dir)
    }

    func ran(_ summary: BuildRecorder.Summary) -> Set<String> {
        Set(summary.trace.filter(\.ran).map(\.op))
    }

    @Test func bumpingAnOperatorVersionRerunsItAndDownstreamOnly() throws {
        let (ws, dir) = try workspace()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let recorder = BuildRecorder(workspace: ws, specPath: "sds.yaml")
        let first = try recorder.build(.init(jobs: 1))
        #expect(first.manifest.shards.reduce(0) { $0 + $1.examples } == 2)
        #expect(ran(try recorder.build(.init(jobs: 1))).isEmpty)

        var bumped = Builder.Options(jobs: 1)
        bumped.versionOverrides = ["frame.caption": 99]
        let after = try recorder.build(bumped)
        // The bumped operator reruns for every subject; nothing upstream does.
        #expect(ran(after) == ["frame.caption"])
        #expect(after.trace.filter { $0.ran }.count == 2)
        // Keys hold the ids of input objects (design promise 3), so when the new version
        // writes the same bytes, downstream steps are reused: early cutoff. A bump that
        // changes bytes reruns downstream, as a changed input does (see BuildTests).
        #expect(after.manifest.shards.map(\.id) == first.manifest.shards.map(\.id))
        // The build id records operator versions, so it differs.
        #expect(after.buildID != first.buildID)
    }
}
