import Foundation
import Synchronization
import Testing

/// Issue 15: two clones push to one remote at the same moment; nothing is lost or damaged.
@Suite(.serialized) struct ConcurrentPushTests {
    /// Clone A pushes v1 while clone B (its own repo, mostly the same objects) pushes v2:
    /// both processes start before either ends. Both succeed; a third clone then fetches
    /// and verifies both tags, and the remote's packs and indexes read back whole.
    func twoPushesAtOnce(remoteURL: String, endpoint: String?, folder: String?) throws {
        let a = try RemoteTests.origin(remoteURL: remoteURL, endpoint: endpoint)
        defer { a.cleanup() }
        let b = try RemoteTests.origin(remoteURL: remoteURL, endpoint: endpoint)
        defer { b.cleanup() }
        try RemoteTests.changeOneLabel(b)
        try b.sds("add", "data").expectOK()
        _ = try b.buildJSON()
        try b.sds("tag", "v2").expectOK()

        // Both processes start, then both are waited for (one thread each).
        let pushes = [(a, "v1"), (b, "v2")]
        let results = Mutex<[Int: Harness.Result]>([:])
        DispatchQueue.concurrentPerform(iterations: pushes.count) { i in
            let r = try? pushes[i].0.sds("push", pushes[i].1, "data")
            results.withLock { $0[i] = r }
        }
        for i in pushes.indices {
            let r = results.withLock { $0[i] }
            #expect(r?.status == 0, "push \(pushes[i].1): \(r?.stderr ?? "did not start")")
        }

        let c = try RemoteTests.clone(a)
        defer { c.cleanup() }
        for tag in ["v1", "v2"] {
            try c.sds("fetch", tag).expectOK()
            let verify = try c.sds("verify", tag)
            verify.expectOK()
            #expect(verify.stdout.contains("reproduced:"), "\(tag): \(verify.stdout)")
        }
        // A's data (its pointer is in the clone) came through whole too.
        try c.sds("pull").expectOK()
        try c.sds("fsck").expectOK()
        // Everything both pushed is there: nothing left to send, from either clone.
        for (h, tag) in [(a, "v1"), (b, "v2")] {
            let again = try h.sds("push", tag, "data", "--json")
            again.expectOK()
            #expect(again.stdout.contains("\"objects\":0"), "\(again.stdout)")
        }
        if let folder { #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/tmp").isEmpty) }
    }

    @Test func folderRemote() throws {
        let remote = try Harness(git: false, sds: false)
        defer { remote.cleanup() }
        try twoPushesAtOnce(remoteURL: remote.root, endpoint: nil, folder: remote.root)
    }

    @Test(.enabled(if: RemoteTests.s3 != nil, Comment(rawValue: RemoteTests.s3Skip)))
    func s3Remote() throws {
        try twoPushesAtOnce(remoteURL: "s3://sds-test/\(RemoteTests.uniquePrefix())", endpoint: RemoteTests.s3!, folder: nil)
    }
}
