import Foundation
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

        // Both start, then both are waited for (the shell runs them side by side).
        let both = try a.run("/bin/sh", ["-c", """
            (cd '\(a.root)' && sds push v1 data >a.out 2>&1; echo $? >a.rc) &
            (cd '\(b.root)' && sds push v2 data >b.out 2>&1; echo $? >b.rc) &
            wait
            """])
        both.expectOK()
        for (h, name) in [(a, "a"), (b, "b")] {
            let rc = try h.read("\(name).rc"), out = try h.read("\(name).out")
            #expect(rc.hasPrefix("0"), "push \(name): \(out)")
        }

        let c = try RemoteTests.clone(a)
        defer { c.cleanup() }
        for tag in ["v1", "v2"] {
            try c.sds("fetch", tag).expectOK()
            let verify = try c.sds("verify", tag)
            verify.expectOK()
            #expect(verify.stdout.contains("reproduced:"), "\(tag): \(verify.stdout)")
        }
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
