import Foundation
import Testing

/// The index and the step cache are caches: damage to them is repaired, never fatal.
@Suite struct CacheHealingTests {
    @Test func aDamagedIndexHeaderIsMovedAsideAndRebuilt() throws {
        let h = try WearableData.workspace(subjects: 2, days: 2)
        defer { h.cleanup() }
        let first = try h.buildJSON()
        let index = h.path(".sensorstore/index.sqlite")
        // Checkpoint the WAL into the file, then overwrite the header.
        try h.run("sqlite3", [index, "PRAGMA wal_checkpoint(TRUNCATE);"])
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: index))
        try handle.write(contentsOf: Data(repeating: 0x5a, count: 100))
        try handle.close()

        let fsck = try h.sds("fsck")
        fsck.expectOK()
        #expect(fsck.stderr.components(separatedBy: "\n").filter { $0.contains("index") }.count == 1, "\(fsck.stderr)")
        #expect(fsck.stderr.contains("was damaged") && fsck.stderr.contains("index.sqlite.damaged-1"))
        #expect(h.exists(".sensorstore/index.sqlite.damaged-1"))
        try h.sds("status").expectOK()
        // The step cache came back from the manifest: nothing is recomputed.
        let again = try h.buildJSON()
        #expect(again["steps_run"] as? Int == 0, "\(again)")
        #expect(again["build"] as? String == first["build"] as? String)
    }

    @Test func aDamagedIndexFoundByStatusOrBuildIsHealedToo() throws {
        let h = try WearableData.workspace(subjects: 2, days: 2)
        defer { h.cleanup() }
        _ = try h.buildJSON()
        for f in ["index.sqlite-wal", "index.sqlite-shm"] { try? FileManager.default.removeItem(atPath: h.path(".sensorstore/" + f)) }
        try h.write(".sensorstore/index.sqlite", "this is not a database, just text that looks nothing like one\n")
        let st = try h.sds("status")
        st.expectOK()
        #expect(st.stderr.contains("index.sqlite.damaged-1"), "\(st.stderr)")
        try h.write(".sensorstore/index.sqlite", "damaged again\n")
        let b = try h.sds("build")
        b.expectOK()
        #expect(b.stderr.contains("index.sqlite.damaged-2"), "\(b.stderr)")
        #expect(b.stdout.contains("steps: 0 run"), "\(b.stdout)")
    }

    /// Damage past the first page is met by a query, not by the open: the command still works.
    @Test(arguments: ["build", "status", "fsck"])
    func damageDeepInTheIndexIsHealedByTheCommandThatMeetsIt(verb: String) throws {
        let h = try WearableData.workspace(subjects: 2, days: 2)
        defer { h.cleanup() }
        _ = try h.buildJSON()
        let index = h.path(".sensorstore/index.sqlite")
        try h.run("sqlite3", [index, "PRAGMA wal_checkpoint(TRUNCATE);"]).expectOK()
        // Every page but the first (the schema), where the tables' rows live.
        let size = try #require(try FileManager.default.attributesOfItem(atPath: index)[.size] as? Int)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: index))
        try handle.seek(toOffset: 4096)
        try handle.write(contentsOf: Data(repeating: 0xa5, count: size - 4096))
        try handle.close()

        let r = try h.sds(verb)
        r.expectOK()
        #expect(r.stderr.contains("index.sqlite.damaged-1"), "\(r.stderr)")
        #expect(!r.stderr.contains("error:"), "\(r.stderr)")
        #expect(!h.exists(".sensorstore/index.sqlite.damaged-mark"))
        let again = try h.sds("build")
        again.expectOK()
        #expect(again.stdout.contains("steps: 0 run"), "\(again.stdout)")
    }

    /// A damaged shard object the build must read (its output file is gone) is a cache miss.
    @Test func aDamagedCachedShardIsRecomputedAndReplaced() throws {
        let h = try WearableData.workspace(subjects: 2, days: 2)
        defer { h.cleanup() }
        _ = try h.buildJSON()
        let hash = try h.shardHash()
        let lock = try h.read("sds.lock")
        let (file, id) = try h.largestShard()
        try h.damageObject(id)
        try FileManager.default.removeItem(atPath: h.path("out/wearable/1.0.0/" + file))
        let b = try h.sds("build")
        b.expectOK()
        #expect(b.stderr.components(separatedBy: "\n").filter { $0.contains("was damaged") }.count == 1, "\(b.stderr)")
        #expect(b.stderr.contains(id))
        #expect(try h.run("sha256sum", [h.objectPath(id)]).stdout.hasPrefix(id))
        #expect(try h.shardHash() == hash)
        #expect(try h.read("sds.lock") == lock)
        try h.sds("fsck").expectOK()
    }

    /// Behind "up to date": `status --verify` hashes the results, and the next build repairs them.
    @Test func statusVerifyFindsADamagedResultAndTheNextBuildRepairsIt() throws {
        let h = try WearableData.workspace(subjects: 2, days: 2)
        defer { h.cleanup() }
        _ = try h.buildJSON()
        try h.sds("status").expectOK()
        let build = try #require(try JSONSerialization.jsonObject(with: Data(h.read("sds.lock").utf8)) as? [String: Any])["build"] as! String
        let manifest = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: h.objectPath(build)))) as? [String: Any])
        let steps = manifest["steps"] as! [[String: Any]]
        // A windows result: a plan with every step cached reads it not (the clean step's it does, for the report).
        let upstream = try #require(steps.first { $0["op"] as? String == "frame.windows" })
        let result = upstream["result"] as! String
        let shard = try h.largestShard().id
        try h.damageObject(result)
        try h.damageObject(shard)
        // Without --verify the damage is not seen (nothing is read).
        try h.sds("status").expectOK()
        let v = try h.sds("status", "--verify")
        v.expectStatus(1)
        #expect(v.stdout.contains("damaged:") && v.stdout.contains(result) && v.stdout.contains(shard), "\(v.stdout)")
        let b = try h.sds("build")
        b.expectOK()
        for id in [result, shard] { #expect(try h.run("sha256sum", [h.objectPath(id)]).stdout.hasPrefix(id)) }
        try h.sds("status", "--verify").expectOK()
        try h.sds("fsck").expectOK()
    }

    /// fsck follows tags, every sds.lock, manifests and the step cache; --repair drops bad rows.
    @Test func fsckChecksEverythingReachableAndRepairsTheStepCache() throws {
        let h = try WearableData.workspace(subjects: 2, days: 2)
        defer { h.cleanup() }
        _ = try h.buildJSON()
        try h.sds("tag", "v1").expectOK()
        try h.sds("fsck").expectOK()
        let lockText = try h.read("sds.lock")
        let build = try #require(try JSONSerialization.jsonObject(with: Data(lockText.utf8)) as? [String: Any])["build"] as! String
        let manifest = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: h.objectPath(build)))) as? [String: Any])
        let result = try #require((manifest["steps"] as! [[String: Any]]).first?["result"] as? String)
        try FileManager.default.removeItem(atPath: h.objectPath(result))
        let (file, shard) = try h.largestShard()
        try h.write("sub/sds.lock", lockText.replacingOccurrences(of: shard, with: String(repeating: "0", count: 64)))
        try h.write(".sensorstore/tags/broken", "not a build id\n")

        let fsck = try h.sds("fsck")
        fsck.expectStatus(1)
        #expect(fsck.stdout.contains("error: missing-object: object \(result): needed by build \(build.prefix(12))"), "\(fsck.stdout)")
        #expect(fsck.stdout.contains("warning: bad-cache-row: step "), "\(fsck.stdout)")
        #expect(fsck.stdout.contains("error: lock-mismatch: sub/sds.lock: shard \(file)"), "\(fsck.stdout)")
        #expect(fsck.stdout.contains("error: bad-tag: tag broken"), "\(fsck.stdout)")

        let repair = try h.sds("fsck", "--repair")
        #expect(repair.stdout.contains("warning: bad-cache-row") && repair.stdout.contains("row dropped"), "\(repair.stdout)")
        let after = try h.sds("fsck")
        #expect(!after.stdout.contains("bad-cache-row"), "\(after.stdout)")
        #expect(after.stdout.contains("missing-object: object \(result)"), "the build still needs it: \(after.stdout)")
        // The next build recomputes the lost result.
        try FileManager.default.removeItem(atPath: h.path("sub"))
        try FileManager.default.removeItem(atPath: h.path(".sensorstore/tags/broken"))
        try h.sds("build").expectOK()
        try h.sds("fsck").expectOK()
    }
}
