import Foundation
import Testing

/// Issue 6's acceptance: versions are named, compared, restored, verified and collected.
@Suite(.serialized) struct VersionTests {
    func json(_ r: Harness.Result) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
    }

    func diff(_ h: Harness, _ a: String, _ b: String, _ extra: String...) throws -> [String: Any] {
        let r = try h.run(Harness.binary, ["diff", a, b, "--json"] + extra)
        let d = try json(r)
        #expect(r.status == ((d["equal"] as? Bool) == true ? 0 : 1), "\(r.stderr)")
        return d
    }

    func manifest(_ h: Harness, _ version: String) throws -> [String: Any] {
        let r = try h.sds("show", version, "--json")
        r.expectOK()
        return try json(r)
    }

    /// sha256 of every shard file under `dir`, by name.
    func shardHashes(_ dir: String) throws -> [String: String] {
        var out: [String: String] = [:]
        for f in try FileManager.default.contentsOfDirectory(atPath: dir) where f.contains(".tfrecord-") {
            let r = try Harness(git: false, sds: false).run("sha256sum", [dir + "/" + f])
            out[f] = String(r.stdout.prefix(64))
        }
        return out
    }

    @Test func buildChangeDiffCheckoutVerifyAndCollect() throws {
        let h = try WearableData.workspace(subjects: 6, days: 3)
        defer { h.cleanup() }
        // v1: build, commit, tag. A diff against the unchanged work tree is empty.
        _ = try h.buildJSON()
        try h.commitAll("v1")
        try h.sds("tag", "v1").expectOK()
        let v1Shards = try shardHashes(h.path("out/wearable/1.0.0"))
        let same = try h.sds("diff")
        same.expectOK()
        #expect(same.stdout.contains("are equal"))
        #expect(try diff(h, "v1", "workspace")["sections"] as? [String] == [])

        // v2: one label value changes by +1 (same file size and row count).
        let labelRows = try h.read("data/sleep_labels.csv").split(separator: "\n").count - 1
        var lines = try h.read("data/sleep_labels.csv").components(separatedBy: "\n")
        var fields = lines[1].components(separatedBy: ",")
        let subject = fields[0], date = fields[1]
        let oldLabel = Int(fields[2])!
        fields[2] = String(oldLabel + 1)
        #expect(fields[2].count == String(oldLabel).count)
        lines[1] = fields.joined(separator: ",")
        try h.write("data/sleep_labels.csv", lines.joined(separator: "\n"))
        // Before building, the work tree already differs as the build will: the dry run
        // computes the steps, so outputs and statistics are known, not pending.
        let pending = try diff(h, "v1", "workspace")
        #expect(pending["sections"] as? [String] == ["inputs", "work", "outputs", "statistics"])
        let pendingOutputs = pending["outputs"] as! [String: Any]
        #expect(pendingOutputs["pending"] as? Bool == false)
        #expect((pendingOutputs["splits"] as! [[String: Any]]).map { $0["shards_changed"] as! Int }.reduce(0, +) == 1)
        _ = try h.buildJSON()
        try h.commitAll("v2: one label")
        try h.sds("tag", "v2").expectOK()

        let d12 = try diff(h, "v1", "v2", "--examples")
        #expect(d12["sections"] as? [String] == ["inputs", "work", "outputs", "statistics", "examples"])
        let inputs = d12["inputs"] as! [String: Any]
        let modified = inputs["modified"] as! [[String: Any]]
        #expect(modified.count == 1 && (inputs["added"] as! [Any]).isEmpty && (inputs["removed"] as! [Any]).isEmpty)
        #expect(modified[0]["path"] as? String == "data/sleep_labels.csv")
        #expect(modified[0]["size_before"] as? Int == modified[0]["size_after"] as? Int)
        #expect(modified[0]["rows_before"] as? Int == labelRows && modified[0]["rows_after"] as? Int == labelRows)
        let work = d12["work"] as! [String: Any]
        let byOp = Dictionary(uniqueKeysWithValues: (work["by_op"] as! [[String: Any]]).map { ($0["op"] as! String, $0["recomputed"] as! Int) })
        // The label table's read, then that subject's steps from the label join on.
        #expect(byOp.filter { $0.value > 0 } == ["read.table": 1, "frame.label_join": 1, "frame.filter": 1, "frame.caption": 1,
                                                   "frame.window-counts": 1, "tfrecord.encode-examples": 1, "tfrecord.shard": 1])
        let recomputed = (work["recomputed"] as! [[String: Any]]).map { "\($0["op"]!) \($0["partition"]!)" }
        #expect(recomputed.contains("frame.label_join wearable/\(subject)") && recomputed.contains("read.table sleep"))
        // Exactly the subject's shard changed; example counts stay.
        let v2 = try manifest(h, "v2")
        let split = (v2["shards"] as! [[String: Any]]).first { ($0["partitions"] as! [String]).contains("wearable/" + subject) }!["split"] as! String
        for s in (d12["outputs"] as! [String: Any])["splits"] as! [[String: Any]] {
            #expect(s["shards_changed"] as? Int == (s["split"] as? String == split ? 1 : 0))
            #expect(s["examples_before"] as? Int == s["examples_after"] as? Int)
        }
        // The label mean of that split moved by exactly 1/count.
        let rows = (d12["statistics"] as! [String: Any])["features"] as! [[String: Any]]
        #expect(rows.count == 1)
        let label = rows[0]
        #expect(label["split"] as? String == split && label["feature"] as? String == "label/minutes_asleep")
        let before = label["before"] as! [String: Any], after = label["after"] as! [String: Any]
        let count = Double(before["count"] as! Int)
        #expect(abs((after["mean"] as! Double) - (before["mean"] as! Double) - 1 / count) < 1e-6)
        #expect(before["count"] as? Int == after["count"] as? Int && before["missing_ratio"] as? Double == after["missing_ratio"] as? Double)
        let ex = ((d12["examples"] as! [String: Any])["splits"] as! [[String: Any]])
        #expect(ex.count == 1 && ex[0]["split"] as? String == split)
        #expect(ex[0]["changed"] as? [String] == ["wearable/\(subject)/\(date)"] && (ex[0]["added"] as! [Any]).isEmpty)
        // The human table says the same, aligned.
        let text = try h.sds("diff", "v1", "v2")
        text.expectStatus(1)
        #expect(text.stdout.contains("modified  data/sleep_labels.csv"))
        #expect(text.stdout.contains("\(split)  label/minutes_asleep"))

        // v3: one parameter.
        try h.write("sds.yaml", try h.read("sds.yaml").replacingOccurrences(of: "max_gap: 5m", with: "max_gap: 10m"))
        _ = try h.buildJSON()
        try h.commitAll("v3: max gap")
        try h.sds("tag", "v3").expectOK()
        let d23 = try diff(h, "v2", "v3")
        #expect(d23["sections"] as? [String] == ["spec", "code", "work", "outputs", "statistics"])
        let spec = d23["spec"] as! [[String: Any]]
        #expect(spec.count == 1 && spec[0]["path"] as? String == "studies.wearable.windows.features.hr.max_gap")
        #expect(spec[0]["before"] as? String == "5m" && spec[0]["after"] as? String == "10m")
        let code23 = d23["code"] as! [String: Any]
        #expect((code23["operators"] as! [Any]).isEmpty && code23["git_commit"] is [String: Any])
        let work23 = Dictionary(uniqueKeysWithValues: ((d23["work"] as! [String: Any])["by_op"] as! [[String: Any]]).map { ($0["op"] as! String, $0) })
        #expect(work23["frame.windows"]?["recomputed"] as? Int == 6 && work23["frame.windows"]?["reused"] as? Int == 0)
        #expect(work23["frame.merge"]?["recomputed"] as? Int == 0 && work23["read.table"]?["recomputed"] as? Int == 0)
        let stats23 = (d23["statistics"] as! [String: Any])["features"] as! [[String: Any]]
        // The stacked sensor tensor and its mask hold hr; the label is untouched.
        #expect(stats23.allSatisfy { ["sensor", "mask"].contains($0["feature"] as? String) } && !stats23.isEmpty, "\(stats23)")
        let changes = stats23.map { $0["relative_change"] as! Double }
        #expect(changes == changes.sorted(by: >))
        #expect(stats23.allSatisfy { (($0["after"] as! [String: Any])["count"] as! Int) >= (($0["before"] as! [String: Any])["count"] as! Int) })

        // v4: an operator version (simulated bump): only that operator reruns; outputs stay.
        _ = try h.buildJSON(env: ["SDS_OPERATOR_VERSIONS": "frame.caption=2"])
        try h.commitAll("v4: caption operator v2")
        try h.sds("tag", "v4").expectOK()
        let d34 = try diff(h, "v3", "v4")
        #expect(d34["sections"] as? [String] == ["code", "work"])
        let ops = (d34["code"] as! [String: Any])["operators"] as! [[String: Any]]
        #expect(ops.count == 1 && ops[0]["op"] as? String == "frame.caption" && ops[0]["before"] as? Int == 1 && ops[0]["after"] as? Int == 2)
        let work34 = d34["work"] as! [String: Any]
        #expect((work34["recomputed"] as! [[String: Any]]).allSatisfy { $0["op"] as? String == "frame.caption" })
        #expect((work34["recomputed"] as! [Any]).count == 6)
        #expect(try diff(h, "v4", "v4")["equal"] as? Bool == true)
        // Git revisions and build-id prefixes name versions too.
        let v1Log = try JSONSerialization.jsonObject(with: Data(try h.sds("log", "--builds", "--json").stdout.utf8)) as! [[String: Any]]
        let v1ID = v1Log.first { ($0["tags"] as! [String]) == ["v1"] }!["build"] as! String
        let viaGit = try diff(h, "HEAD~3", String(v1ID.prefix(10)))
        #expect(viaGit["equal"] as? Bool == true && (viaGit["a"] as! [String: Any])["build"] as? String == v1ID)

        // checkout v1 --to DIR: byte-identical shards, the inputs of v1, nothing clobbered.
        let dir = h.path("restored")
        let co = try h.sds("checkout", "v1", "--to", dir)
        co.expectOK()
        #expect(try shardHashes(dir + "/out/wearable/1.0.0") == v1Shards)
        #expect(try String(contentsOfFile: dir + "/data/sleep_labels.csv", encoding: .utf8).contains("\(subject),\(date),\(oldLabel),"))
        let shard = dir + "/out/wearable/1.0.0/" + v1Shards.keys.sorted()[0]
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: shard)
        try Data("local edit".utf8).write(to: URL(fileURLWithPath: shard))
        let refused = try h.sds("checkout", "v1", "--outputs", "--to", dir)
        refused.expectStatus(73)
        #expect(refused.stderr.contains(v1Shards.keys.sorted()[0]))
        try h.sds("checkout", "v1", "--outputs", "--to", dir, "--force").expectOK()
        #expect(try shardHashes(dir + "/out/wearable/1.0.0") == v1Shards)

        // verify: v1 reproduces from the store alone; v4 was made with other operator versions.
        let verified = try h.sds("verify", "v1")
        verified.expectOK()
        #expect(verified.stdout.contains("reproduced: 12 shards identical"))
        let other = try h.sds("verify", "v4")
        other.expectStatus(69)
        #expect(other.stdout.contains("frame.caption: recorded v2, this sds v1"))

        // log --builds lists the four builds, newest first, with their tags.
        let log = try JSONSerialization.jsonObject(with: Data(try h.sds("log", "--builds", "--json").stdout.utf8)) as! [[String: Any]]
        #expect(log.map { ($0["tags"] as! [String]).first ?? "" } == ["v4", "v3", "v2", "v1"])

        // gc: untag v2 and v3 (their commits still need them), then collect; v1 still verifies.
        try h.sds("tag", "--delete", "v2").expectOK()
        try h.sds("tag", "--delete", "v3").expectOK()
        let keepHistory = try json(try h.sds("gc", "--dry-run", "--json"))
        let narrow = try json(try h.sds("gc", "--dry-run", "--only-current", "--json"))
        #expect((narrow["removed"] as! Int) > (keepHistory["removed"] as! Int))
        let gc = try json(try h.sds("gc", "--json"))
        #expect(gc["removed"] as? Int == keepHistory["removed"] as? Int)
        try h.sds("fsck").expectOK()
        try h.sds("verify", "v1").expectOK()
        try h.sds("verify", "HEAD~2").expectOK()

        // Narrowed to tags and the work tree, v2's own results go and their cache rows with them;
        // builds and verification still work.
        let narrowed = try json(try h.sds("gc", "--only-current", "--json"))
        #expect(narrowed["removed"] as? Int == (narrow["removed"] as! Int) - (keepHistory["removed"] as! Int))
        #expect((narrowed["steps_forgotten"] as! Int) >= 3)
        try h.sds("diff", "HEAD~2", "v1").expectStatus(66)
        try h.sds("fsck").expectOK()
        try h.sds("verify", "v1").expectOK()
        _ = try h.buildJSON(env: ["SDS_OPERATOR_VERSIONS": "frame.caption=2"])

        // One needed object gone: checkout lists it and fails.
        let shardID = ((try manifest(h, "v1"))["shards"] as! [[String: Any]])[0]["id"] as! String
        try FileManager.default.removeItem(atPath: h.path(".sensorstore/objects/\(shardID.prefix(2))/\(shardID.dropFirst(2))"))
        let missing = try h.sds("checkout", "v1", "--to", h.path("again"))
        missing.expectStatus(66)
        #expect(missing.stderr.contains("1 object(s) this version needs are not in the store") && missing.stderr.contains(shardID))
        #expect(missing.stderr.contains("hint: rebuild the version"))
        #expect(!h.exists("again/out"))
    }

    @Test func tagsAreValidatedAndListed() throws {
        let h = try WearableData.workspace(subjects: 2, days: 2)
        defer { h.cleanup() }
        let b = try h.buildJSON()["build"] as! String
        try h.sds("tag", "v1").expectOK()
        try h.sds("tag", "bad/name").expectStatus(64)
        try h.sds("tag", "workspace").expectStatus(64)
        try h.sds("tag", "abcd").expectStatus(64)
        #expect(try h.read(".sensorstore/tags/v1") == b + "\n")
        let list = try h.sds("tag", "--list", "--json")
        #expect(try json(list) as? [String: String] == ["v1": b])
        // A build id prefix names the build; show prints it readably.
        let show = try h.sds("show", String(b.prefix(8)))
        show.expectOK()
        #expect(show.stdout.contains("build \(b)  (tag: v1)") && show.stdout.contains("label/minutes_asleep"))
        try h.sds("tag", "--delete", "v1").expectOK()
        try h.sds("show", "v1").expectStatus(66)
    }
}
