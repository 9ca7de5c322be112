import Foundation
import Testing

/// The no-op fast path of `sds build`: an unchanged work tree answers from the last build's
/// record; any change of spec, input, lock, output, flags, operator versions or sds itself
/// takes the full path, and `status` and `--dry-run` agree with what the build says.
@Suite(.serialized) struct NoopBuildTests {
    /// Files changed 50 ms before the record are vouched for (2 s by default).
    static let env = ["SDS_NOOP_RACY_MS": "50"]

    func build(_ h: Harness, _ extra: [String] = [], env: [String: String] = [:], binary: String = Harness.binary) throws -> [String: Any] {
        let r = try h.run(binary, ["build", "--json"] + extra, env: Self.env.merging(env) { $1 })
        r.expectOK()
        let line = try #require(r.stdout.split(separator: "\n").last)
        return try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
    }

    /// A workspace whose next build takes the fast path (checked), and that build's id.
    func ready() throws -> (Harness, String) {
        let h = try WearableData.workspace(subjects: 2, days: 2)
        let first = try build(h)
        #expect(first["fast_path"] as? Bool == false)
        Thread.sleep(forTimeInterval: 0.1)
        // The record of the first build is racy (its output was just written): a full no-op build re-records.
        _ = try build(h)
        Thread.sleep(forTimeInterval: 0.1)
        let fast = try build(h)
        #expect(fast["fast_path"] as? Bool == true && fast["steps_run"] as? Int == 0 && fast["build"] as? String == first["build"] as? String)
        return (h, first["build"] as! String)
    }

    /// After a change: status and the dry run say whether anything changes, and the build is a full one.
    func expectFullBuild(_ h: Harness, changes: Bool, _ extra: [String] = [], env: [String: String] = [:],
                         sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        let e = Self.env.merging(env) { $1 }
        #expect(try h.run(Harness.binary, ["status"] + extra.filter { $0 != "--strict" }, env: e).status == (changes ? 1 : 0),
                sourceLocation: sourceLocation)
        #expect(try h.run(Harness.binary, ["build", "--dry-run"], env: e).status == (changes ? 1 : 0), sourceLocation: sourceLocation)
        let b = try build(h, extra, env: env)
        #expect(b["fast_path"] as? Bool == false, sourceLocation: sourceLocation)
        return b
    }

    @Test func anUnchangedWorkTreeAnswersFromTheRecordAsTheFullBuildWould() throws {
        let (h, id) = try ready()
        defer { h.cleanup() }
        try h.sds("status").expectOK()
        try h.run(Harness.binary, ["build", "--dry-run"]).expectOK()
        // The human summary is the full no-op build's, word for word.
        try FileManager.default.removeItem(atPath: h.path(".sensorstore/noop"))
        let full = try h.run(Harness.binary, ["build"], env: Self.env)
        Thread.sleep(forTimeInterval: 0.1)
        let fast = try h.run(Harness.binary, ["build"], env: Self.env)
        #expect(fast.stdout == full.stdout && fast.stderr == full.stderr, "\(fast.stdout)\n---\n\(full.stdout)")
        #expect(fast.stdout.contains("steps: 0 run") && fast.stdout.contains("build \(id.prefix(12))"))
        #expect(try build(h)["fast_path"] as? Bool == true)
    }

    @Test func aChangedSpecInputOrFlagTakesTheFullPath() throws {
        let (h, id) = try ready()
        defer { h.cleanup() }
        // The same bytes with a new mtime: full path, nothing to run, same build.
        let labels = try h.read("data/sleep_labels.csv")
        try h.write("data/sleep_labels.csv", labels)
        var b = try expectFullBuild(h, changes: false)
        #expect(b["steps_run"] as? Int == 0 && b["build"] as? String == id)
        _ = try build(h); Thread.sleep(forTimeInterval: 0.1)
        #expect(try build(h)["fast_path"] as? Bool == true)

        // One label changed.
        var lines = labels.components(separatedBy: "\n")
        var f = lines[1].components(separatedBy: ",")
        f[2] = String(Int(f[2])! + 1)
        lines[1] = f.joined(separator: ",")
        try h.write("data/sleep_labels.csv", lines.joined(separator: "\n"))
        b = try expectFullBuild(h, changes: true)
        #expect((b["steps_run"] as! Int) > 0 && b["build"] as? String != id)
        _ = try build(h); Thread.sleep(forTimeInterval: 0.1)
        #expect(try build(h)["fast_path"] as? Bool == true)

        // The spec edited.
        try h.write("sds.yaml", try h.read("sds.yaml").replacingOccurrences(of: "template: \"Day {start:date}:", with: "template: \"On {start:date}:"))
        b = try expectFullBuild(h, changes: true)
        #expect((b["ran"] as! [String]).contains { $0.hasPrefix("frame.caption ") })
        _ = try build(h); Thread.sleep(forTimeInterval: 0.1)
        #expect(try build(h)["fast_path"] as? Bool == true)

        // An operator version (simulated bump), and --strict: full builds.
        b = try expectFullBuild(h, changes: true, env: ["SDS_OPERATOR_VERSIONS": "frame.caption=2"])
        #expect((b["ran"] as! [String]).contains { $0.hasPrefix("frame.caption ") })
        _ = try build(h, env: ["SDS_OPERATOR_VERSIONS": "frame.caption=2"]); Thread.sleep(forTimeInterval: 0.1)
        #expect(try build(h, env: ["SDS_OPERATOR_VERSIONS": "frame.caption=2"])["fast_path"] as? Bool == true)
        let strict = try h.run(Harness.binary, ["build", "--json", "--strict"], env: Self.env.merging(["SDS_OPERATOR_VERSIONS": "frame.caption=2"]) { $1 })
        // The WORKLOAD data has out-of-range rows: --strict fails on them, where the record would have said "up to date".
        strict.expectStatus(65)
    }

    @Test func aDamagedOutputLockOrAnotherSdsTakesTheFullPath() throws {
        let (h, _) = try ready()
        defer { h.cleanup() }
        let hash = try h.shardHash()
        // A shard file changed in place (its store object is intact): the full build restores it.
        let dir = h.path("out/wearable/1.0.0")
        let shard = try #require(try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.contains(".tfrecord-") }.sorted().first)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: dir + "/" + shard)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: dir + "/" + shard))
        if bytes.isEmpty { bytes = Data([0]) } else { bytes[0] ^= 1 }
        try bytes.write(to: URL(fileURLWithPath: dir + "/" + shard))
        _ = try expectFullBuild(h, changes: true)
        #expect(try h.shardHash() == hash)
        _ = try build(h); Thread.sleep(forTimeInterval: 0.1)
        #expect(try build(h)["fast_path"] as? Bool == true)

        // The shard file removed: the full build puts it back.
        try FileManager.default.removeItem(atPath: dir + "/" + shard)
        _ = try expectFullBuild(h, changes: true)
        #expect(try h.shardHash() == hash)
        _ = try build(h); Thread.sleep(forTimeInterval: 0.1)
        #expect(try build(h)["fast_path"] as? Bool == true)

        // A stray file added to the output folder.
        // A stray file added to the output folder: the full build refuses it (73), never "up to date".
        try h.write("out/wearable/1.0.0/stray.txt", "x")
        try h.run(Harness.binary, ["build", "--json"], env: Self.env).expectStatus(73)
        try FileManager.default.removeItem(atPath: dir + "/stray.txt")

        // The lock edited: the build writes it back.
        _ = try build(h); Thread.sleep(forTimeInterval: 0.1)
        let lock = try h.read("sds.lock")
        try h.write("sds.lock", lock + "\n")
        _ = try expectFullBuild(h, changes: true)
        #expect(try h.read("sds.lock") == lock)

        // Another sds (a copy of the binary: another file) never trusts this one's record.
        _ = try build(h); Thread.sleep(forTimeInterval: 0.1)
        #expect(try build(h)["fast_path"] as? Bool == true)
        let copy = h.path("../sds-copy-\(getpid())")
        try? FileManager.default.removeItem(atPath: copy)
        try FileManager.default.copyItem(atPath: Harness.binary, toPath: copy)
        defer { try? FileManager.default.removeItem(atPath: copy) }
        #expect(try build(h, binary: copy)["fast_path"] as? Bool == false)
    }
}
