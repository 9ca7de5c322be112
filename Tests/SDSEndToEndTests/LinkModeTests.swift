import Foundation
import Glibc
import Testing

/// Issue 15, storage economy: `[cache] link` modes, `sds unprotect`, `sds add --to-remote`.
@Suite struct LinkModeTests {
    /// A workspace with `[cache] link = MODE` and data/ holding a CSV, a text file and a script.
    static func workspace(link: String?) throws -> Harness {
        let h = try Harness()
        if let link {
            let config = try h.read(".sensorstore/config")
            try h.write(".sensorstore/config", config + "[cache]\nlink = \(link)\n")
        }
        try h.write("data/x.csv", "a,b\n1,2\n3,4\n")
        try h.write("data/y.txt", "hello\n")
        try h.write("data/run.sh", "#!/bin/sh\necho hi\n")
        chmod(h.path("data/run.sh"), 0o755)
        return h
    }

    static func lstat(_ path: String) -> stat {
        var s = stat()
        #expect(Glibc.lstat(path, &s) == 0, "lstat \(path)")
        return s
    }

    /// The store path of a file's content (its SHA-256).
    static func objectPath(_ h: Harness, of rel: String) throws -> String {
        let hex = try h.run("sha256sum", [h.path(rel)]).stdout.prefix(64)
        return h.path(".sensorstore/objects/\(hex.prefix(2))/\(hex.dropFirst(2))")
    }

    /// Tries to append to `rel` as an unprivileged user (root ignores mode bits); the exit status.
    static func appendAsNobody(_ h: Harness, _ rel: String) throws -> Int32 {
        // The test's temp folders are private (0700): let the other user through them.
        var dir = h.root
        while dir.hasPrefix("/tmp/") {
            chmod(dir, 0o755)
            dir = (dir as NSString).deletingLastPathComponent
        }
        chmod(h.path("data"), 0o755)
        // The control: a world-writable file beside it takes the same edit.
        try h.write("data.probe", "")
        chmod(h.path("data.probe"), 0o666)
        #expect(try h.run("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "sh", "-c", "echo edit >> '\(h.path("data.probe"))'"]).status == 0)
        try FileManager.default.removeItem(atPath: h.path("data.probe"))
        return try h.run("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "sh", "-c", "echo edit >> '\(h.path(rel))'"]).status
    }

    /// A re-add read no linked file: at most run.sh (a copy just written is "racily clean" for 1 s).
    static func readOnlyTheScript(_ addOutput: String) -> Bool {
        addOutput.contains("read 0 file(s), 0 B) -> data.sds") || addOutput.contains("read 1 file(s), 18 B) -> data.sds")
    }

    @Test func hardlinkSharesTheObjectReadOnlyAndUnprotectGivesAnEditableCopy() throws {
        let h = try Self.workspace(link: "hardlink")
        defer { h.cleanup() }
        let add = try h.sds("add", "data")
        add.expectOK()
        #expect(add.stdout.contains("linked 2 file(s)"), "\(add.stdout)")
        for round in 0..<2 {
            let x = Self.lstat(h.path("data/x.csv")), object = Self.lstat(try Self.objectPath(h, of: "data/x.csv"))
            #expect(x.st_ino == object.st_ino, "round \(round): the work-tree file is the object's inode")
            #expect(x.st_mode & 0o777 == 0o444 && object.st_mode & 0o777 == 0o444)
            // An executable is never linked: its mode would be the object's.
            let script = Self.lstat(h.path("data/run.sh"))
            #expect(script.st_ino != Self.lstat(try Self.objectPath(h, of: "data/run.sh")).st_ino && script.st_mode & 0o100 != 0)
            try FileManager.default.removeItem(atPath: h.path("data"))
            try h.sds("checkout").expectOK()
        }
        // Unchanged and cheap: a second add reads nothing (stat cache, or the object's inode).
        #expect(try h.sds("status").stdout.contains("unchanged:    data"))
        #expect(Self.readOnlyTheScript(try h.sds("add", "data").stdout))

        let objectX = try Self.objectPath(h, of: "data/x.csv")
        #expect(try Self.appendAsNobody(h, "data/x.csv") != 0, "a read-only linked file refuses an edit")
        #expect(try String(contentsOfFile: objectX, encoding: .utf8) == "a,b\n1,2\n3,4\n")

        let unprotect = try h.sds("unprotect", "data/x.csv")
        unprotect.expectOK()
        #expect(unprotect.stdout.contains("unprotected data/x.csv"))
        let x = Self.lstat(h.path("data/x.csv"))
        #expect(x.st_ino != Self.lstat(objectX).st_ino && x.st_mode & 0o200 != 0)
        let again = try h.sds("unprotect", "data/x.csv")
        again.expectOK()
        #expect(again.stdout.contains("nothing to do"))
        try h.write("data/x.csv", "a,b\n9,9\n")
        #expect(try h.sds("status").stdout.contains("modified:     data"))
        #expect(try String(contentsOfFile: objectX, encoding: .utf8) == "a,b\n1,2\n3,4\n", "the store object is untouched")
        try h.sds("fsck").expectOK()
        try h.sds("gc").expectOK()
        // y.txt is still the object's inode: gc kept it, fsck finds it sound.
        #expect(Self.lstat(h.path("data/y.txt")).st_ino == Self.lstat(try Self.objectPath(h, of: "data/y.txt")).st_ino)
        try h.sds("fsck").expectOK()

        let untracked = try h.sds("unprotect", "elsewhere.txt")
        untracked.expectStatus(66)
        #expect(untracked.stderr.contains("not tracked by sds") && untracked.stderr.contains("hint:"))
    }

    @Test func symlinkPointsIntoTheStoreRelativelyAndStaysCleanThroughGC() throws {
        let h = try Self.workspace(link: "symlink")
        defer { h.cleanup() }
        try h.write("single.bin", String(repeating: "z", count: 1000))
        try h.sds("add", "data", "single.bin").expectOK()
        for rel in ["data/y.txt", "single.bin"] {
            let target = try FileManager.default.destinationOfSymbolicLink(atPath: h.path(rel))
            #expect(target.hasPrefix(rel.contains("/") ? "../.sensorstore/objects/" : ".sensorstore/objects/"), "\(rel) -> \(target)")
            #expect(try String(contentsOfFile: h.path(rel), encoding: .utf8).count > 0)
        }
        #expect(Self.lstat(h.path("data/run.sh")).st_mode & S_IFMT == S_IFREG, "an executable stays a file")
        let status = try h.sds("status")
        #expect(status.stdout.contains("unchanged:    data") && status.stdout.contains("unchanged:    single.bin"), "\(status.stdout)")
        let again = try h.sds("add", "data", "single.bin").stdout
        #expect(Self.readOnlyTheScript(again) && again.contains("read 0 file(s), 0 B) -> single.bin.sds"), "\(again)")
        try h.sds("gc").expectOK()
        try h.sds("fsck").expectOK()
        #expect(try h.read("data/x.csv") == "a,b\n1,2\n3,4\n", "gc kept what the links need")
        #expect(try Self.appendAsNobody(h, "data/x.csv") != 0)
        try FileManager.default.removeItem(atPath: h.path("data"))
        try h.sds("checkout").expectOK()
        #expect(Self.lstat(h.path("data/x.csv")).st_mode & S_IFMT == S_IFLNK)
        try h.sds("unprotect", "data").expectOK()
        #expect(Self.lstat(h.path("data/x.csv")).st_mode & S_IFMT == S_IFREG)
        try h.write("data/x.csv", "changed\n")
        #expect(try h.sds("status").stdout.contains("modified:     data"))
        try h.sds("fsck").expectOK()
    }

    @Test func reflinkFallsBackToTheNextModeWithOneNote() throws {
        let h = try Self.workspace(link: "reflink, copy")
        defer { h.cleanup() }
        try h.sds("add", "data").expectOK()
        try FileManager.default.removeItem(atPath: h.path("data"))
        let canClone = try h.run("sh", ["-c", "echo t > '\(h.root)/probe' && cp --reflink=always '\(h.root)/probe' '\(h.root)/probe2'"]).status == 0
        let checkout = try h.sds("checkout")
        checkout.expectOK()
        let notes = checkout.stderr.components(separatedBy: "\n").filter { $0.hasPrefix("note: cache.link reflink") }
        #expect(notes.count == (canClone ? 0 : 1), "one note per command, not per file: \(checkout.stderr)")
        if !canClone { #expect(notes.first?.contains("using copy instead") == true) }
        // Either way the file is its own and writable.
        let x = Self.lstat(h.path("data/x.csv"))
        #expect(x.st_ino != Self.lstat(try Self.objectPath(h, of: "data/x.csv")).st_ino && x.st_mode & 0o200 != 0)

        // The default (no [cache] link) is reflink then copy, without a note.
        let d = try Self.workspace(link: nil)
        defer { d.cleanup() }
        try d.sds("add", "data").expectOK()
        try FileManager.default.removeItem(atPath: d.path("data"))
        let quiet = try d.sds("checkout")
        quiet.expectOK()
        #expect(!quiet.stderr.contains("note:"))
        #expect(Self.lstat(d.path("data/x.csv")).st_mode & 0o200 != 0)
        // config.local (this clone) wins over the shared config.
        try d.write(".sensorstore/config.local", "[cache]\nlink = hardlink\n")
        try FileManager.default.removeItem(atPath: d.path("data"))
        try d.sds("checkout").expectOK()
        #expect(Self.lstat(d.path("data/x.csv")).st_ino == Self.lstat(try Self.objectPath(d, of: "data/x.csv")).st_ino)

        let bad = try Self.workspace(link: "hardlink, teleport")
        defer { bad.cleanup() }
        let refused = try bad.sds("add", "data")
        refused.expectStatus(64)
        #expect(refused.stderr.contains(".sensorstore/config: cache link mode \"teleport\""), "\(refused.stderr)")
    }

    @Test func buildAndOutputCheckoutHardlinkShards() throws {
        let h = try WearableData.workspace(subjects: 4, days: 2)
        defer { h.cleanup() }
        try h.write(".sensorstore/config", try h.read(".sensorstore/config") + "[cache]\nlink = hardlink\n")
        try h.sds("build").expectOK()
        func shards() throws -> [String] {
            try FileManager.default.subpathsOfDirectory(atPath: h.path("out")).filter { $0.contains(".tfrecord-") }.map { "out/" + $0 }
        }
        for round in 0..<2 {
            let found = try shards()
            #expect(!found.isEmpty)
            for rel in found {
                #expect(Self.lstat(h.path(rel)).st_ino == Self.lstat(try Self.objectPath(h, of: rel)).st_ino, "round \(round): \(rel)")
            }
            try FileManager.default.removeItem(atPath: h.path("out"))
            try h.sds("checkout", "--outputs").expectOK()
        }
        let again = try h.sds("build")
        again.expectOK()
        try h.sds("fsck").expectOK()
    }

    // MARK: add --to-remote

    /// data/ with a 5 MiB file (sent as itself) and a small one (sent in a pack), and a remote.
    static func toRemoteWorkspace(remoteURL: String, endpoint: String? = nil) throws -> Harness {
        let h = try Harness()
        var bytes = [UInt8](repeating: 0, count: 5 << 20)
        for i in bytes.indices { bytes[i] = UInt8(truncatingIfNeeded: (i &* 2_654_435_761) >> 13) }
        try h.write("data/big.bin", Data(bytes))
        try h.write("data/small.csv", "t,v\n1,2\n")
        try h.sds("remote", "add", "origin", remoteURL, "--default").expectOK()
        if let endpoint { try h.sds("remote", "modify", "origin", "endpoint_url", endpoint).expectOK() }
        return h
    }

    func addToRemoteThenPullInAClone(_ a: Harness) throws {
        // Killed once the objects landed: no pointer names them yet; the rerun sends nothing again.
        let killed = try a.sds("add", "--to-remote", "data", env: ["SDS_FAILPOINT": "add-remote.uploaded:1"])
        #expect(killed.status == 134, "\(killed)")
        #expect(!a.exists("data.sds"))
        let add = try a.sds("add", "--to-remote", "data")
        add.expectOK()
        #expect(add.stdout.contains("sent 0 object(s)"), "\(add.stdout)")
        #expect(a.exists("data.sds"))
        for rel in ["data/big.bin", "data/small.csv"] {
            #expect(!FileManager.default.fileExists(atPath: try Self.objectPath(a, of: rel)), "no local copy of \(rel)")
        }
        #expect(try a.sds("status").stdout.contains("not in store"))
        // Push still works: what is complete on the remote is not asked of the local store.
        try a.sds("push").expectOK()
        try a.commitAll("data on the remote")

        let b = try RemoteTests.clone(a)
        defer { b.cleanup() }
        try b.sds("pull").expectOK()
        for rel in ["data/big.bin", "data/small.csv"] {
            #expect(try Data(contentsOf: URL(fileURLWithPath: b.path(rel))) == Data(contentsOf: URL(fileURLWithPath: a.path(rel))))
        }
        try b.sds("fsck").expectOK()
    }

    @Test func addToRemoteSendsWithoutALocalCopyAndAClonePullsIt() throws {
        let remote = try Harness(git: false, sds: false)
        defer { remote.cleanup() }
        let a = try Self.toRemoteWorkspace(remoteURL: "file://" + remote.root)
        defer { a.cleanup() }
        let first = try a.sds("add", "--to-remote", "data/small.csv", "-r", "nowhere")
        #expect(first.status != 0 && !a.exists("data/small.csv.sds"), "an unknown remote writes no pointer")
        try addToRemoteThenPullInAClone(a)
        #expect(remote.exists("objects/" + String(try a.run("sha256sum", [a.path("data/big.bin")]).stdout.prefix(64))))
    }

    @Test(.enabled(if: RemoteTests.s3 != nil, Comment(rawValue: RemoteTests.s3Skip)))
    func addToRemoteOverS3() throws {
        let a = try Self.toRemoteWorkspace(remoteURL: "s3://sds-test/\(RemoteTests.uniquePrefix())", endpoint: RemoteTests.s3!)
        defer { a.cleanup() }
        try addToRemoteThenPullInAClone(a)
    }
}
